/* The log readers' state file (both versions), reader names, the journal's priority and time
 * arguments, and the lock, space reservation and atomic commit on a real directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log_source.h"
#include "log_state.h"

static void test_roundtrip(void **state)
{
	struct hd_log_pos files[] = {
	    {"/var/log/syslog", 2049, 131074, 123456789012ULL, 256, 0xdeadbeef, 256, 0x1234abcd},
	    {"/var/log/with space.log", 1, 2, 0, 0, 0, 0, 0},
	};
	struct hd_log_state in = {files, 2, true,
				  "s=0123;i=8;b=1111;m=6acfc0;t=60a2418890fc0;x=283e71a8328f365"},
			    out;
	char *text = hd_log_state_format(&in);
	int bad = 0;
	(void)state;

	assert_int_equal(hd_log_state_parse(text, strlen(text), &out, &bad), 0);
	assert_int_equal(out.nfiles, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(out.files[i].path, files[i].path);
		assert_true(out.files[i].dev == files[i].dev && out.files[i].ino == files[i].ino);
		assert_true(out.files[i].offset == files[i].offset);
		assert_int_equal(out.files[i].fplen, files[i].fplen);
		assert_int_equal(out.files[i].fp, files[i].fp);
		assert_int_equal(out.files[i].tlen, files[i].tlen);
		assert_int_equal(out.files[i].tfp, files[i].tfp);
	}
	assert_true(out.journal);
	assert_string_equal(out.cursor, in.cursor);
	hd_log_state_free(&out);
	free(text);

	/* a journal that had no entry yet */
	in = (struct hd_log_state){NULL, 0, true, NULL};
	text = hd_log_state_format(&in);
	assert_string_equal(text, "hostdoctor-log-scan 3\njournal -\n");
	assert_int_equal(hd_log_state_parse(text, strlen(text), &out, &bad), 0);
	assert_true(out.journal);
	assert_null(out.cursor);
	hd_log_state_free(&out);
	free(text);
}

static void test_version1(void **state)
{
	static const char v1[] =
	    "hostdoctor-log-scan 1\n2049 131074 77 256 deadbeef /var/log/syslog\n";
	struct hd_log_state out;
	int bad = 0;
	(void)state;

	assert_int_equal(hd_log_state_parse(v1, strlen(v1), &out, &bad), 0);
	assert_int_equal(out.nfiles, 1);
	assert_true(out.files[0].offset == 77);
	assert_false(out.journal);
	hd_log_state_free(&out);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *text;
		int line;
	} bad[] = {
	    {"", 1},
	    {"something else\n", 1},
	    {"hostdoctor-log-scan 4\n", 1},
	    {"hostdoctor-log-scan 3\nfile 1 2 3 4 5 /a\n", 2}, /* a version 2 line in version 3 */
	    {"hostdoctor-log-scan 3\nfile 1 2 3 4 5 300 6 /a\n", 2}, /* a tail over 256 bytes */
	    {"hostdoctor-log-scan 3\nfile 1 2 3 4 5 4 6 /a\n", 2},   /* a tail before the start */
	    {"hostdoctor-log-scan 2\nfile 1 2 3 4 5 /a\nfile not numbers /b\n", 3},
	    {"hostdoctor-log-scan 2\nfile 1 2 3 4 5 relative\n", 2},
	    {"hostdoctor-log-scan 2\nfile 1 2 3 999 5 /a\n", 2},
	    {"hostdoctor-log-scan 2\nfile 1 2 3 4 5 /no-newline", 2},
	    {"hostdoctor-log-scan 2\n1 2 3 4 5 /a\n", 2}, /* a version 1 line in version 2 */
	    {"hostdoctor-log-scan 2\njournal \n", 2},
	    {"hostdoctor-log-scan 2\njournal a b\n", 2},
	    {"hostdoctor-log-scan 2\njournal -\njournal -\n", 3},
	};
	static const char nul[] = "hostdoctor-log-scan 2\nfile 1 2 3 4 5 /a\x00x\n";
	struct hd_log_state o;
	int l = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hd_log_state out;
		int line = 0;
		if (hd_log_state_parse(bad[i].text, strlen(bad[i].text), &out, &line) == 0)
			fail_msg("case %zu parsed", i);
		assert_int_equal(line, bad[i].line);
		assert_null(out.files);
	}
	/* a NUL byte in a line */
	assert_int_equal(hd_log_state_parse(nul, sizeof(nul) - 1, &o, &l), -EINVAL);
	assert_int_equal(l, 2);
}

static void test_reader_names(void **state)
{
	(void)state;
	assert_true(hd_state_reader_valid("nagios"));
	assert_true(hd_state_reader_valid("icinga-host_1.a"));
	assert_false(hd_state_reader_valid(""));
	assert_false(hd_state_reader_valid(".hidden"));
	assert_false(hd_state_reader_valid("a/b"));
	assert_false(hd_state_reader_valid("a b"));
	assert_false(hd_state_reader_valid(
	    "0123456789012345678901234567890123456789012345678901234567890123456789"));
}

static void test_priority(void **state)
{
	unsigned m = 0;
	(void)state;
	assert_int_equal(hd_journal_parse_priority("err", &m), 0);
	assert_int_equal(m, 0x0f);
	assert_int_equal(hd_journal_parse_priority("3", &m), 0);
	assert_int_equal(m, 0x0f);
	assert_int_equal(hd_journal_parse_priority("warning", &m), 0);
	assert_int_equal(m, 0x1f);
	assert_int_equal(hd_journal_parse_priority("warn", &m), 0);
	assert_int_equal(m, 0x1f);
	assert_int_equal(hd_journal_parse_priority("crit..err", &m), 0);
	assert_int_equal(m, 0x0c);
	assert_int_equal(hd_journal_parse_priority("6..4", &m), 0);
	assert_int_equal(m, 0x70);
	assert_int_equal(hd_journal_parse_priority("EMERG", &m), 0);
	assert_int_equal(m, 0x01);
	assert_int_equal(hd_journal_parse_priority("8", &m), -EINVAL);
	assert_int_equal(hd_journal_parse_priority("errors", &m), -EINVAL);
	assert_int_equal(hd_journal_parse_priority("", &m), -EINVAL);
	assert_int_equal(hd_journal_parse_priority("..3", &m), -EINVAL);
}

static void test_time(void **state)
{
	uint64_t us = 0, now = (uint64_t)time(NULL) * 1000000ULL;
	struct tm tm = {0};
	(void)state;
	assert_int_equal(hd_journal_parse_time("now", &us), 0);
	assert_true(us + 5000000ULL >= now && us <= now + 5000000ULL);
	assert_int_equal(hd_journal_parse_time("-2h", &us), 0);
	assert_true(us + 7200000000ULL <= now + 5000000ULL &&
		    us + 7200000000ULL + 5000000ULL >= now);
	assert_int_equal(hd_journal_parse_time("-90s", &us), 0);
	assert_int_equal(hd_journal_parse_time("2024-03-11 02:30", &us), 0);
	tm.tm_year = 124, tm.tm_mon = 2, tm.tm_mday = 11, tm.tm_hour = 2, tm.tm_min = 30;
	tm.tm_isdst = -1;
	assert_true(us == (uint64_t)mktime(&tm) * 1000000ULL);
	assert_int_equal(hd_journal_parse_time("2024-03-11", &us), 0);
	assert_int_equal(hd_journal_parse_time("2024-03-11 02:30:15", &us), 0);
	assert_int_equal(hd_journal_parse_time("today", &us), 0);
	assert_true(us <= now);
	assert_int_equal(hd_journal_parse_time("yesterday morning", &us), -EINVAL);
	assert_int_equal(hd_journal_parse_time("-2x", &us), -EINVAL);
	assert_int_equal(hd_journal_parse_time("-", &us), -EINVAL);
	assert_int_equal(hd_journal_parse_time("2024-13-45", &us), -EINVAL);
}

/* open, lock (a second holder waits and gives up near its deadline), reserve, commit */
static void test_directory_and_lock(void **state)
{
	char dir[] = "/tmp/hd-state-test.XXXXXX", why[256], path[512];
	struct hd_ctx ctx = {.root = "", .deadline = hd_now() + 30};
	struct hd_ctx shortctx = {.root = "", .deadline = hd_now() + 1.2};
	struct hd_state h, h2;
	struct hd_log_state st = {NULL, 0, true, "s=1;i=2"}, back;
	int bad;
	double t0;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	assert_int_equal(
	    hd_state_open(&ctx, path, "log-scan", "chk/1", "nagios", &h, why, sizeof(why)), 0);
	assert_int_equal(hd_state_load(&h, &back, &bad), -ENOENT);
	assert_int_equal(hd_state_reserve(&h, 65536), 0);
	/* the same check and reader: waits, then gives up a second before its deadline */
	t0 = hd_now();
	assert_int_equal(
	    hd_state_open(&shortctx, path, "log-scan", "chk/1", "nagios", &h2, why, sizeof(why)),
	    -EWOULDBLOCK);
	assert_true(hd_now() - t0 < 1.0);
	assert_non_null(strstr(why, "another run holds the state"));
	hd_state_close(&h2);
	/* another reader is not held up */
	assert_int_equal(
	    hd_state_open(&shortctx, path, "log-scan", "chk/1", "doctor", &h2, why, sizeof(why)),
	    0);
	hd_state_close(&h2);
	assert_int_equal(hd_state_commit(&h, &st), 0);
	hd_state_close(&h);
	snprintf(path, sizeof(path), "%s/s/log-scan.chk%%2F1.nagios.state", dir);
	{
		struct stat sb;
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
		assert_int_equal(sb.st_size,
				 (off_t)strlen("hostdoctor-log-scan 3\njournal s=1;i=2\n"));
	}
	snprintf(path, sizeof(path), "%s/s", dir);
	assert_int_equal(
	    hd_state_open(&ctx, path, "log-scan", "chk/1", "nagios", &h, why, sizeof(why)), 0);
	assert_int_equal(hd_state_load(&h, &back, &bad), 0);
	assert_string_equal(back.cursor, "s=1;i=2");
	hd_log_state_free(&back);
	hd_state_close(&h);
	/* group-writable: refused */
	chmod(path, 0770);
	assert_int_equal(
	    hd_state_open(&ctx, path, "log-scan", "chk/1", "nagios", &h, why, sizeof(why)), -EPERM);
	assert_string_equal(why, "is writable by group or others");
	hd_state_close(&h);
	snprintf(why, sizeof(why), "rm -rf '%s'", dir);
	assert_int_equal(system(why), 0);
}

/* Each check id and reader has a state of its own: ids that differ only in ':' and '_', and a
 * '.' in the id or in the reader, never lead to one file. */
static void test_names_apart(void **state)
{
	static const char *const pairs[][4] = {
	    {"app:1", "nagios", "app_1", "nagios"},
	    {"a.b", "doctor", "a", "b.doctor"},
	    {"a%3A", "nagios", "a:", "nagios"},
	    {"x/y", "nagios", "x_y", "nagios"},
	};
	char dir[] = "/tmp/hd-state-names.XXXXXX", why[256], path[512];
	struct hd_ctx ctx = {.root = "", .deadline = hd_now() + 30};
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct hd_state a, b;
		assert_int_equal(hd_state_open(&ctx, path, "log-scan", pairs[i][0], pairs[i][1], &a,
					       why, sizeof(why)),
				 0);
		assert_int_equal(hd_state_open(&ctx, path, "log-scan", pairs[i][2], pairs[i][3], &b,
					       why, sizeof(why)),
				 0);
		if (strcmp(a.base, b.base) == 0)
			fail_msg("%s + %s and %s + %s share %s", pairs[i][0], pairs[i][1],
				 pairs[i][2], pairs[i][3], a.base);
		hd_state_close(&a);
		hd_state_close(&b);
	}
	snprintf(why, sizeof(why), "rm -rf '%s'", dir);
	assert_int_equal(system(why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),	       cmocka_unit_test(test_version1),
	    cmocka_unit_test(test_malformed),	       cmocka_unit_test(test_reader_names),
	    cmocka_unit_test(test_priority),	       cmocka_unit_test(test_time),
	    cmocka_unit_test(test_directory_and_lock), cmocka_unit_test(test_names_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
