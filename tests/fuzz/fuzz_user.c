/* user and path: /etc/passwd and /etc/group walked entry by entry and searched, login.defs keys. */
#include "fuzz.h"
#include "probe_user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	const char *b = (const char *)buf;
	struct db_cursor c;
	struct db_entry e;
	char value[64];
	int line;

	for (int k = 0; k < 2; k++) {
		db_cursor_init(&c, b, size);
		while (db_next((enum db_kind)k, &c, &e) != 0)
			;
		db_find_name((enum db_kind)k, b, size, "fsigk", &e);
		db_find_id((enum db_kind)k, b, size, 0, &e);
	}
	login_defs_get(b, size, "USERGROUPS_ENAB", value, sizeof(value), &line);
	login_defs_get(b, size, "UMASK", value, 4, &line);
	free(buf);
	return 0;
}
