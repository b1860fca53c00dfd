/* selinux-avc: AVC denials in audit.log or syslog lines, selected by process name, directory and
 * time, and single fields of an audit record. */
#include "fuzz.h"
#include "probe_selinux_avc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *comm[] = {"fsav*", "httpd", NULL};
	uint8_t *buf = fz_copy(data, size);
	const struct avc_filter all = {0}, some = {.dir = "/opt/f-secure",
						   .comm = comm,
						   .ncomm = 2,
						   .since = 1.0e9};
	struct avc_found found = {0};
	char field[256];

	avc_field((const char *)buf, size, "comm", field, sizeof(field));
	avc_field((const char *)buf, size, "path", field, 8);
	avc_scan((const char *)buf, size, &all, &found);
	avc_found_free(&found);
	memset(&found, 0, sizeof(found));
	avc_scan((const char *)buf, size, &some, &found);
	avc_found_free(&found);
	free(buf);
	return 0;
}
