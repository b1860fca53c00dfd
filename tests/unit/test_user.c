/* user parsers: passwd and group lines (well-formed, corrupted, compat) and login.defs values. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe_user.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "# a comment\n"
			     "\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "broken:x:1000\n"				   /* line 5: 3 fields */
			     "cisco:x:abc:990::/opt/cisco:/sbin/nologin\n" /* line 6: uid */
			     "+nisuser::::::\n"				   /* NIS compat */
			     "ampuser:x:995:990:AMP scan:/:/sbin/nologin\r\n"
			     "big:x:4294967296:1::/:/bin/sh\n" /* line 9: uid > u32 */
			     "last:x:4294967295:2::/:/bin/sh"; /* no newline at the end */

static void test_passwd_walk(void **state)
{
	static const struct {
		int rc, lineno;
		const char *name;
		uint32_t id;
	} want[] = {
	    {1, 1, "root", 0},
	    {1, 4, "daemon", 1},
	    {-EINVAL, 5, "broken", 0},
	    {-EINVAL, 6, "cisco", 0},
	    {1, 8, "ampuser", 995},
	    {-EINVAL, 9, "big", 0},
	    {1, 10, "last", 4294967295u},
	    {0, 0, NULL, 0},
	};
	struct db_cursor c;
	struct db_entry e;

	(void)state;
	db_cursor_init(&c, passwd, strlen(passwd));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int rc = db_next(DB_PASSWD, &c, &e);
		if (rc != want[i].rc)
			fail_msg("entry %zu: rc %d, wanted %d (line %d)", i, rc, want[i].rc,
				 e.lineno);
		if (rc == 0)
			break;
		assert_int_equal(e.lineno, want[i].lineno);
		assert_string_equal(e.name, want[i].name);
		if (rc > 0)
			assert_int_equal(e.id, want[i].id);
	}
	assert_int_equal(db_find_name(DB_PASSWD, passwd, strlen(passwd), "ampuser", &e), 1);
	assert_int_equal(e.gid, 990);
	assert_int_equal(db_find_name(DB_PASSWD, passwd, strlen(passwd), "cisco", &e), 0);
	assert_int_equal(db_find_name(DB_PASSWD, passwd, strlen(passwd), "nisuser", &e), 0);
	assert_int_equal(db_find_name(DB_PASSWD, passwd, strlen(passwd), "root:x", &e), 0);
	assert_int_equal(db_find_id(DB_PASSWD, passwd, strlen(passwd), 1, &e), 1);
	assert_string_equal(e.name, "daemon");
}

static void test_group(void **state)
{
	static const char group[] = "root:x:0:\n"
				    "ampgroup:x:990:ampuser,root\n"
				    "bad:x:\n"
				    "amp:x:991:extra:field\n"
				    ":x:5:\n";
	struct db_cursor c;
	struct db_entry e;
	int good = 0, bad = 0, rc;

	(void)state;
	db_cursor_init(&c, group, strlen(group));
	while ((rc = db_next(DB_GROUP, &c, &e)) != 0)
		rc > 0 ? good++ : bad++;
	assert_int_equal(good, 2);
	assert_int_equal(bad, 3);
	assert_int_equal(db_find_name(DB_GROUP, group, strlen(group), "ampgroup", &e), 1);
	assert_int_equal(e.id, 990);
	assert_int_equal(e.lineno, 2);
	assert_int_equal(db_find_name(DB_GROUP, group, strlen(group), "amp", &e), 0);
	assert_int_equal(db_find_id(DB_GROUP, group, strlen(group), 5, &e), 0);
	/* garbage never crashes */
	assert_int_equal(db_find_name(DB_GROUP, "\0\0::::\n:::", 10, "x", &e), 0);
	assert_int_equal(db_find_name(DB_PASSWD, "", 0, "root", &e), 0);
}

static void test_login_defs(void **state)
{
	static const struct {
		const char *text, *key, *value;
		int found, line;
	} cases[] = {
	    {"USERGROUPS_ENAB yes\n", "USERGROUPS_ENAB", "yes", 1, 1},
	    {"# USERGROUPS_ENAB yes\nUSERGROUPS_ENAB no\n", "USERGROUPS_ENAB", "no", 1, 2},
	    {"USERGROUPS_ENAB\tyes\nUSERGROUPS_ENAB no # later\n", "USERGROUPS_ENAB", "no", 1, 2},
	    {"  USERGROUPS_ENAB   \"yes\"  \n", "USERGROUPS_ENAB", "yes", 1, 1},
	    {"USERGROUPS_ENABLED yes\n", "USERGROUPS_ENAB", "", 0, 0},
	    {"UMASK 022\n", "USERGROUPS_ENAB", "", 0, 0},
	    {"USERGROUPS_ENAB\n", "USERGROUPS_ENAB", "", 1, 1}, /* key without value */
	    {"", "USERGROUPS_ENAB", "", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char v[64] = "";
		int line = 0;
		int f = login_defs_get(cases[i].text, strlen(cases[i].text), cases[i].key, v,
				       sizeof(v), &line);
		if (f != cases[i].found || strcmp(v, cases[i].value) != 0 || line != cases[i].line)
			fail_msg("case %zu: found %d '%s' line %d", i, f, v, line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_passwd_walk),
	    cmocka_unit_test(test_group),
	    cmocka_unit_test(test_login_defs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
