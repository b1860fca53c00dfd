/* baseline: the saved baseline (JSON) read, written and read back, then compared with itself;
 * and what it is collected from: /proc/PID/cgroup, socket unit files, login.defs. */
#include "baseline.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	const char *b = (const char *)buf;
	struct baseline bl = {0}, again = {0};
	uint16_t ports[16];
	bool tcp[16];
	char err[256];
	char *unit;

	if (bl_from_json(b, size, &bl, err, sizeof(err)) == 0) {
		char *text = bl_to_json(&bl);
		struct bl_change *ch = NULL;
		struct bl_compare_opts o = {.min_age = 0, .uid_min = 1000};
		size_t n;

		if (bl_from_json(text, strlen(text), &again, err, sizeof(err)) != 0)
			abort(); /* what a run saves, the next run loads */
		n = bl_compare(&bl, &again, &o, &ch);
		for (size_t i = 0; i < n; i++) {
			char *t = bl_change_text(&ch[i]),
			     *rem = bl_change_remedy(&ch[i], "default");
			free(t);
			free(rem);
		}
		free(ch);
		bl_free(&again);
		free(text);
	}
	bl_free(&bl);
	unit = bl_cgroup_unit(b, size);
	free(unit);
	bl_cgroup_is_session(b, size);
	bl_socket_unit_ports(b, size, ports, tcp, 16);
	bl_uid_min(b, size, 1000);
	free(buf);
	return 0;
}
