/* Login records from utmpx bytes (and the same file through getutxent), sources, the mgetty
 * log's CONNECT lines, failed-login bursts, and the probe's memory between runs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "logins.h"
#include "util.h"

static struct utmpx ux(short type, const char *user, const char *line, const char *host,
		       int32_t sec)
{
	struct utmpx u;

	memset(&u, 0, sizeof(u));
	u.ut_type = type;
	strncpy(u.ut_user, user, sizeof(u.ut_user));
	strncpy(u.ut_line, line, sizeof(u.ut_line));
	strncpy(u.ut_host, host, sizeof(u.ut_host));
	u.ut_tv.tv_sec = sec;
	u.ut_tv.tv_usec = 250000;
	return u;
}

static void test_parse_bytes(void **state)
{
	struct utmpx recs[3] = {
	    ux(BOOT_TIME, "reboot", "~", "6.1.0", 1000),
	    ux(USER_PROCESS, "yanagi", "ttyS0", "", 2000),
	    ux(USER_PROCESS, "joe", "pts/0", "pc22.lo.ash.or.jp", 3000),
	};
	char buf[sizeof(recs) + 100];
	struct login_list l = {0};

	(void)state;
	/* a user name filling the whole field, unterminated; a control character in a host */
	memset(recs[2].ut_user, 'a', sizeof(recs[2].ut_user));
	recs[1].ut_host[0] = '\0';
	memcpy(buf, recs, sizeof(recs));
	memset(buf + sizeof(recs), 'x', 100); /* a record cut short is ignored */
	assert_int_equal(logins_parse_utmp(buf, sizeof(buf), &l), 3);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].type, BOOT_TIME);
	assert_string_equal(l.v[1].user, "yanagi");
	assert_string_equal(l.v[1].line, "ttyS0");
	assert_string_equal(l.v[1].host, "");
	assert_int_equal(l.v[1].usec, 2000250000LL);
	assert_int_equal(strlen(l.v[2].user), sizeof(recs[2].ut_user));
	assert_string_equal(l.v[2].host, "pc22.lo.ash.or.jp");
	login_list_free(&l);

	recs[0].ut_host[1] = '\n';
	memcpy(buf, recs, sizeof(recs));
	assert_int_equal(logins_parse_utmp(buf, sizeof(recs[0]), &l), 1);
	assert_string_equal(l.v[0].host, "6?1.0");
	login_list_free(&l);
	assert_int_equal(logins_parse_utmp(buf, 10, &l), 0);
	login_list_free(&l);
}

/* The utmpx interface itself: what the probe must find in a file. */
static void read_getutxent(const char *path, struct login_list *l)
{
	struct utmpx *u;

	assert_int_equal(utmpxname(path), 0);
	setutxent();
	while ((u = getutxent())) {
		struct login_rec r;
		login_from_utmpx(u, &r);
		login_list_add(l, &r);
	}
	endutxent();
}

/* Records written with updwtmpx(): the probe's reader, getutxent() and the bytes agree. */
static void test_utmpx_file(void **state)
{
	char path[] = "/tmp/hd-test-wtmp.XXXXXX";
	int fd = mkstemp(path);
	struct utmpx a = ux(USER_PROCESS, "alice", "pts/1", "10.0.0.5", 5000);
	struct utmpx b = ux(LOGIN_PROCESS, "root", "ssh:notty", "192.0.2.66", 6000);
	struct login_list l1 = {0}, l2 = {0}, l3 = {0};
	char *bytes;
	FILE *f;
	long len;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	updwtmpx(path, &a);
	updwtmpx(path, &b);
	/* more than one read's worth, with a record cut short at the end */
	for (int i = 0; i < 5000; i++)
		updwtmpx(path, i % 2 ? &a : &b);
	f = fopen(path, "ab");
	fwrite("partial", 1, 7, f);
	fclose(f);
	assert_int_equal(logins_read_utmpx(path, &l1), 0);
	read_getutxent(path, &l3);
	assert_int_equal(l1.n, 5002);
	assert_int_equal(l3.n, 5002);
	assert_memory_equal(l1.v, l3.v, l1.n * sizeof(*l1.v));
	login_list_free(&l3);
	f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	bytes = malloc((size_t)len);
	assert_int_equal(fread(bytes, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	logins_parse_utmp(bytes, (size_t)len, &l2);
	assert_int_equal(l2.n, 5002);
	assert_memory_equal(l1.v, l2.v, l1.n * sizeof(*l1.v));
	assert_string_equal(l1.v[1].host, "192.0.2.66");
	free(bytes);
	login_list_free(&l1);
	login_list_free(&l2);
	unlink(path);
	assert_int_equal(logins_read_utmpx(path, &l1), -ENOENT);
	assert_int_equal(logins_read_utmpx("/tmp", &l1), -EINVAL);
}

static void test_source(void **state)
{
	static const struct {
		const char *line, *host, *source;
	} rows[] = {
	    {"pts/0", "10.0.0.5", "10.0.0.5"},
	    {"ttyS0", "", "ttyS"},
	    {"ttyS12", "", "ttyS"},
	    {"tty1", "", "tty"},
	    {"pts/3", "", "pts/"},
	    {"", "", "local"},
	    {"42", "", "local"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct login_rec r = {.type = USER_PROCESS};
		char src[300];
		snprintf(r.line, sizeof(r.line), "%s", rows[i].line);
		snprintf(r.host, sizeof(r.host), "%s", rows[i].host);
		login_source(&r, src, sizeof(src));
		assert_string_equal(src, rows[i].source);
	}
}

static void test_mgetty(void **state)
{
	/* the manual's lines, a warning, a CONNECT that was not found, garbage */
	const char *log =
	    "05/25 04:38:58 yS0 waiting for ``CONNECT'' ** found **\n"
	    "05/25 06:01:44 yS0 waiting for ``CONNECT'' ** found **\n"
	    "03/13 08:59:25 yS0 WARNING: DSR is off - modem turned off or bad cable?\n"
	    "05/26 03:05:02 yS0 waiting for ``CONNECT'' ** timeout **\n"
	    "13/40 99:99:99 yS0 connect found\n"
	    "not a line\n"
	    "12/31 23:59:30 yS0 waiting for ``CONNECT'' ** found **";
	time_t t[8];
	size_t n;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	n = logins_mgetty_connects(log, strlen(log), 1999, 5, t, 8);
	assert_int_equal(n, 3);
	assert_int_equal(t[0], 927607138); /* 1999-05-25 04:38:58 UTC */
	assert_int_equal(t[1], 927612104); /* 1999-05-25 06:01:44 */
	assert_int_equal(t[2], 915148770); /* December, read in May: 1998-12-31 23:59:30 */
	/* read in January 2000: December is 1999 */
	n = logins_mgetty_connects(log, strlen(log), 2000, 1, t, 8);
	assert_int_equal(n, 3);
	assert_int_equal(t[2], 946684770);
	assert_int_equal(logins_mgetty_connects(log, strlen(log), 1999, 5, t, 1), 1);
	assert_int_equal(logins_mgetty_connects("", 0, 1999, 5, t, 8), 0);
}

static void test_burst(void **state)
{
	struct login_list l = {0};
	char who[300];
	int64_t at = 0;

	(void)state;
	/* 192.0.2.77 every 30 s (3 in any minute); 192.0.2.66 five within 8 s; one older */
	for (int i = 0; i < 10; i++) {
		struct login_rec r = {.type = LOGIN_PROCESS,
				      .user = "admin",
				      .host = "192.0.2.77",
				      .usec = (int64_t)(1000 + 30 * i) * 1000000};
		login_list_add(&l, &r);
	}
	for (int i = 0; i < 5; i++) {
		struct login_rec r = {.type = LOGIN_PROCESS,
				      .user = "root",
				      .host = "192.0.2.66",
				      .usec = (int64_t)(2000 + 2 * i) * 1000000};
		login_list_add(&l, &r);
	}
	assert_int_equal(logins_worst_burst(&l, 0, 60, who, sizeof(who), &at), 5);
	assert_string_equal(who, "192.0.2.66");
	assert_int_equal(at, 2000000000LL);
	assert_int_equal(logins_worst_burst(&l, 0, 5, who, sizeof(who), NULL), 3);
	assert_int_equal(logins_worst_burst(&l, 0, 300, who, sizeof(who), NULL), 10);
	assert_string_equal(who, "192.0.2.77");
	/* only what came after the last run counts */
	assert_int_equal(logins_worst_burst(&l, 2004000000LL, 60, who, sizeof(who), NULL), 2);
	assert_int_equal(logins_worst_burst(&l, INT64_MAX, 60, who, sizeof(who), NULL), 0);
	login_list_free(&l);
}

static void test_state(void **state)
{
	struct login_state s = {.wtmp_usec = 123, .btmp_usec = 456}, t;
	char err[128];
	char *text;

	(void)state;
	login_state_learn(&s, "alice", "10.0.0.5");
	login_state_learn(&s, "alice", "ttyS");
	login_state_learn(&s, "alice", "10.0.0.5");
	login_state_learn(&s, "bob", "pts/");
	assert_int_equal(login_state_known(&s, "alice", "10.0.0.5"), 0);
	assert_int_equal(login_state_known(&s, "alice", "203.0.113.9"), 1);
	assert_int_equal(login_state_known(&s, "mallory", "10.0.0.5"), 2);
	text = login_state_format(&s);
	assert_int_equal(login_state_parse(text, strlen(text), &t, err, sizeof(err)), 0);
	assert_int_equal(t.wtmp_usec, 123);
	assert_int_equal(t.btmp_usec, 456);
	assert_int_equal(t.nusers, 2);
	assert_int_equal(login_state_known(&t, "alice", "ttyS"), 0);
	assert_int_equal(t.users[0].nsources, 2);
	assert_int_equal(login_state_known(&t, "bob", "pts/"), 0);
	free(text);
	login_state_free(&t);
	login_state_free(&s);

	static const char *const bad[] = {"",
					  "{",
					  "[]",
					  "{\"version\": 2, \"users\": {}}",
					  "{\"version\": 1}",
					  "{\"version\": 1, \"users\": []}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(login_state_parse(bad[i], strlen(bad[i]), &t, err, sizeof(err)),
				 -EINVAL);
		assert_int_equal(t.nusers, 0);
	}
	/* sources that are not strings are left out, not a crash */
	const char *odd = "{\"version\": 1, \"users\": {\"a\": [1, \"x\"], \"b\": 3}}";
	assert_int_equal(login_state_parse(odd, strlen(odd), &t, err, sizeof(err)), 0);
	assert_int_equal(login_state_known(&t, "a", "x"), 0);
	assert_int_equal(login_state_known(&t, "b", "x"), 2);
	login_state_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_bytes), cmocka_unit_test(test_utmpx_file),
	    cmocka_unit_test(test_source),	cmocka_unit_test(test_mgetty),
	    cmocka_unit_test(test_burst),	cmocka_unit_test(test_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
