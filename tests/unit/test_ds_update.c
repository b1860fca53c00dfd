/* ds-update's log parser: every update result it knows, ordering, and input that is not a log. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe_ds_update.h"

struct log_case {
	const char *name;
	const char *bytes;
	enum dsu_event last;
	unsigned failures, relay_streak;
	const char *code, *path, *relay;
	long long when;
};

#define TS "2024-05-14 06:00:01.000 [+0000]: [iau/1] | "

static const struct log_case cases[] = {
    {"empty", "", DSU_NONE, 0, 0, "", "", "", -1},
    {"no results", "starting\nnothing to see\n", DSU_NONE, 0, 0, "", "", "", -1},
    {"success", TS "Update result: IAU_STATUS_SUCCESS (0)\n", DSU_SUCCESS, 0, 0,
     "IAU_STATUS_SUCCESS", "", "", 1715666401},
    {"no update is success", "x IAU_STATUS_NO_UPDATE\n", DSU_SUCCESS, 0, 0, "IAU_STATUS_NO_UPDATE",
     "", "", -1},
    {"phrase success", "[2024/05/14 06:00:01] Security update successful\n", DSU_SUCCESS, 0, 0, "",
     "", "", 1715666401},
    {"503 maintenance (agent spelling)", "HTTP/1.1 503 Service is under maintainence\n",
     DSU_MAINTENANCE, 1, 0, "HTTP 503", "", "", -1},
    {"503 maintenance (corrected spelling)", "503 Service is under maintenance\n", DSU_MAINTENANCE,
     1, 0, "HTTP 503", "", "", -1},
    {"generic failure after the cause keeps the cause",
     "HTTP/1.1 503 Service is under maintainence\nUpdate: IAU_STATUS_HTTP_ERROR\n", DSU_MAINTENANCE,
     1, 0, "HTTP 503", "", "", -1},
    {"generic failure alone", "Update: IAU_STATUS_HTTP_ERROR (-7)\n", DSU_FAILED, 1, 0,
     "IAU_STATUS_HTTP_ERROR", "", "", -1},
    {"file exists names the file",
     TS "Error IAU_STATUS_FILE_EXISTS: cannot create /var/opt/ds_agent/iaurepo/a/b.1 | x.cpp:4\n",
     DSU_FILE_EXISTS, 1, 0, "IAU_STATUS_FILE_EXISTS", "/var/opt/ds_agent/iaurepo/a/b.1", "",
     1715666401},
    {"file exists, quoted path", "IAU_STATUS_FILE_EXISTS \"/tmp/x y\"\n", DSU_FILE_EXISTS, 1, 0,
     "IAU_STATUS_FILE_EXISTS", "/tmp/x", "", -1},
    {"file exists without a path", "IAU_STATUS_FILE_EXISTS\n", DSU_FILE_EXISTS, 1, 0,
     "IAU_STATUS_FILE_EXISTS", "", "", -1},
    {"busy (agent spelling) is no failure", "Busy with exisiting update, request ignored\n",
     DSU_BUSY, 0, 0, "", "", "", -1},
    {"busy (corrected spelling)", "busy with existing update\n", DSU_BUSY, 0, 0, "", "", "", -1},
    {"relay -18 with its URL",
     "Relay https://relay01:4122/ answered IAURELAY_STATUS_NOT_AVAILABLE(-18)\n", DSU_RELAY_NA, 1,
     1, "IAURELAY_STATUS_NOT_AVAILABLE", "", "https://relay01:4122/", -1},
    {"relay streak counts since the last success",
     "IAURELAY_STATUS_NOT_AVAILABLE\nIAU_STATUS_SUCCESS\nIAURELAY_STATUS_NOT_AVAILABLE\n"
     "IAURELAY_STATUS_NOT_AVAILABLE\n",
     DSU_RELAY_NA, 2, 2, "IAURELAY_STATUS_NOT_AVAILABLE", "", "", -1},
    {"success clears failures", "IAU_STATUS_FILE_EXISTS /a\nIAU_STATUS_SUCCESS\n", DSU_SUCCESS, 0,
     0, "IAU_STATUS_SUCCESS", "", "", -1},
    {"CRLF and no final newline", "x\r\nIAU_STATUS_SUCCESS\r\nIAU_STATUS_FILE_EXISTS /a/b\r",
     DSU_FILE_EXISTS, 1, 0, "IAU_STATUS_FILE_EXISTS", "/a/b", "", -1},
    {"bad timestamp is no timestamp", "2024-13-40 99:00:00 IAU_STATUS_SUCCESS\n", DSU_SUCCESS, 0, 0,
     "IAU_STATUS_SUCCESS", "", "", -1},
    {"URL path is not a file", "IAU_STATUS_FILE_EXISTS http://x/y/z\n", DSU_FILE_EXISTS, 1, 0,
     "IAU_STATUS_FILE_EXISTS", "", "", -1},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct log_case *c = &cases[i];
		struct dsu_log l;
		int rc = dsu_parse_log(c->bytes, strlen(c->bytes), &l);

		if (rc != 0)
			fail_msg("%s: rc %d", c->name, rc);
		if (l.last != c->last)
			fail_msg("%s: last %s, wanted %s", c->name, dsu_event_name(l.last),
				 dsu_event_name(c->last));
		if (l.failures != c->failures || l.relay_streak != c->relay_streak)
			fail_msg("%s: failures %u streak %u, wanted %u %u", c->name, l.failures,
				 l.relay_streak, c->failures, c->relay_streak);
		if (strcmp(l.code, c->code) || strcmp(l.path, c->path) || strcmp(l.relay, c->relay))
			fail_msg("%s: code '%s' path '%s' relay '%s'", c->name, l.code, l.path,
				 l.relay);
		if (l.when != c->when)
			fail_msg("%s: when %lld, wanted %lld", c->name, l.when, c->when);
	}
}

static void test_binary(void **state)
{
	char zeros[4096] = {0};
	char torn[80] = "IAU_STATUS_SUCCESS\n";
	struct dsu_log l;

	(void)state;
	assert_int_equal(dsu_parse_log(zeros, sizeof(zeros), &l), -EINVAL);
	/* a few NUL bytes in a text log (torn by a crash) are skipped, not fatal */
	memcpy(torn + 40, "\0\0\0IAU_STATUS_FILE_EXISTS /x\n", 30);
	memset(torn + 19, 'a', 21);
	assert_int_equal(dsu_parse_log(torn, 40 + 30, &l), 0);
	assert_int_equal(l.last, DSU_FILE_EXISTS);
	assert_string_equal(l.path, "/x");
}

static void test_long_line(void **state)
{
	static char big[20000];
	struct dsu_log l;

	(void)state;
	memset(big, 'x', sizeof(big));
	memcpy(big + 10, " IAU_STATUS_SUCCESS ", 20);
	assert_int_equal(dsu_parse_log(big, sizeof(big), &l), 0);
	assert_int_equal(l.last, DSU_SUCCESS);
	assert_true(strlen(l.line) < sizeof(l.line));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_binary),
	    cmocka_unit_test(test_long_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
