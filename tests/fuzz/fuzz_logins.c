/* logins: wtmp/btmp records (struct utmpx), an mgetty log's CONNECT lines, and the state the
 * probe keeps between runs (JSON), read, written and read back. */
#include "fuzz.h"
#include "logins.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	const char *b = (const char *)buf;
	struct login_list l = {0};
	struct login_state st = {0}, again = {0};
	time_t at[8];
	char who[300], src[300], err[256];
	int64_t when;

	logins_parse_utmp(b, size, &l);
	for (size_t i = 0; i < l.n; i++)
		login_source(&l.v[i], src, sizeof(src));
	logins_worst_burst(&l, 0, 60, who, sizeof(who), &when);
	login_list_free(&l);
	logins_mgetty_connects(b, size, 2024, 5, at, 8);
	if (login_state_parse(b, size, &st, err, sizeof(err)) == 0) {
		char *text;

		login_state_learn(&st, "root", "10.0.0.1");
		login_state_known(&st, "root", "10.0.0.2");
		text = login_state_format(&st);
		if (login_state_parse(text, strlen(text), &again, err, sizeof(err)) != 0)
			abort(); /* what a run writes, the next run reads */
		login_state_free(&again);
		free(text);
	}
	login_state_free(&st);
	free(buf);
	return 0;
}
