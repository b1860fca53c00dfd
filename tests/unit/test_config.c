/* checks.d loading: every error names file:line; overrides and defaults behave as documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "probe.h"
#include "util.h"
#include "testprobes.h"

static int parse(struct hd_config *cfg, const char *text, char *err, size_t size)
{
	return hd_config_parse(cfg, "t.conf", text, strlen(text), hd_test_probe_table(), err, size);
}

struct err_case {
	const char *text;
	const char *want; /* substring of the message, which starts with "t.conf:LINE:" */
};

static const struct err_case err_cases[] = {
    {"[a]\nprobe = nosuch\n", "t.conf:2: unknown probe type 'nosuch'"},
    {"[a]\nprobe = sysctl\nkey = fs.file-max\nbogus = 1\n", "t.conf:4: unknown key 'bogus'"},
    {"[a]\nprobe = sysctl\nkey = x\nwarning = 20:10\n",
     "t.conf:4: warning = '20:10' is not a valid range: start is greater than end"},
    {"[a]\nprobe = sysctl\nkey = x\ncritical = abc\n", "t.conf:4: critical = 'abc'"},
    {"[a]\nprobe = sysctl\nkey = x\nmin = ten\n", "t.conf:4: min = 'ten' is not a number"},
    {"[a]\nprobe = sysctl\nkey = x\nfield = 1.5\n",
     "t.conf:4: field = '1.5' is not a whole number"},
    {"[a]\nprobe = sysctl\nkey = x\nfield = 99\n",
     "t.conf:4: field = '99' is out of range (0..64)"},
    {"[a]\nprobe = sysctl\nkey = x\ntimeout = -1\n", "t.conf:4: timeout = '-1'"},
    {"[a]\nprobe = sysctl\nkey = x\ninhibitor = maybe\n",
     "t.conf:4: inhibitor = 'maybe' is not yes or no"},
    {"[a]\nprobe = test-fixed\nstatus = FINE\n",
     "t.conf:3: status = 'FINE' is not one of OK|WARNING"},
    {"[a]\nprobe = sysctl\n", "needs 'key'"},
    {"[a]\ndescription = no probe\n", "t.conf:2: [a] has no 'probe' key"},
    {"probe = sysctl\n", "t.conf:1: key 'probe' is outside any [section]"},
    {"[a]\nprobe = sysctl\nkey = x\njust some words\n",
     "t.conf:4: expected 'key = value' or '[section]'"},
    {"[a]\nprobe = sysctl\nkey = x\nkey = y\n",
     "t.conf:4: 'key' is set twice in [a] (first on line 3)"},
    {"[bad id!]\nprobe = sysctl\n", "t.conf:2: section name [bad id!]"},
    {"; comment\n\n[a]\nprobe = sysctl\nkey = x\n[b]\nprobe = test-fixed\nvalue = 1e999\n",
     "t.conf:8: value = '1e999' is not a number"},
};

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		struct hd_config cfg = {0};
		char err[512];
		int rc = parse(&cfg, err_cases[i].text, err, sizeof(err));
		if (rc == 0)
			fail_msg("case %zu was accepted:\n%s", i, err_cases[i].text);
		if (!strstr(err, err_cases[i].want))
			fail_msg("case %zu: message '%s' lacks '%s'", i, err, err_cases[i].want);
		hd_config_free(&cfg);
	}
}

static void test_overlong_line(void **state)
{
	struct hd_config cfg = {0};
	char err[512];
	char *text = malloc(20000);

	(void)state;
	strcpy(text, "[a]\nprobe = sysctl\nkey = ");
	memset(text + strlen(text), 'x', 15000);
	text[strlen("[a]\nprobe = sysctl\nkey = ") + 15000] = '\0';
	assert_int_not_equal(parse(&cfg, text, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "t.conf:3: line is longer"));
	hd_config_free(&cfg);
	/* a long but allowed line (a description of 3000 characters) is read whole */
	text[strlen("[a]\nprobe = sysctl\nkey = ") + 3000] = '\0';
	assert_int_equal(parse(&cfg, text, err, sizeof(err)), 0);
	assert_int_equal(strlen(hd_check_str(&cfg.checks[0], "key")), 3000);
	hd_config_free(&cfg);
	free(text);
}

static void test_values_and_defaults(void **state)
{
	struct hd_config cfg = {0};
	char err[512];
	struct hd_check *c;
	char **v;

	(void)state;
	assert_int_equal(parse(&cfg,
			       "[fh]\nprobe = file-handles\ntags = base, resources\n"
			       "description = Handles ; inline comment\n"
			       "[s]\nprobe = sysctl\nkey = kernel.sem\nfield = 4\ninhibitor = yes\n"
			       "timeout = 2.5\nenabled = no\n",
			       err, sizeof(err)),
			 0);
	assert_int_equal(cfg.n, 2);
	c = hd_config_find(&cfg, "fh");
	assert_non_null(c);
	assert_string_equal(c->description, "Handles");
	assert_int_equal(c->ntags, 2);
	assert_string_equal(c->tags[1], "resources");
	/* the probe's default thresholds */
	assert_true(c->warn.set && c->warn.end == 80);
	assert_true(c->crit.set && c->crit.end == 95);
	assert_int_equal(hd_check_int(c, "min_max"), 0);
	c = hd_config_find(&cfg, "s");
	assert_true(c->inhibitor);
	assert_false(c->enabled);
	assert_true(c->timeout == 2.5);
	assert_int_equal(hd_check_int(c, "field"), 4);
	assert_string_equal(hd_check_str(c, "key"), "kernel.sem");
	assert_false(hd_check_has(c, "min"));
	assert_int_equal(hd_check_list(c, "key", &v), 1);
	hd_strv_free(v);
	hd_config_free(&cfg);
}

static void test_later_files_replace_and_override(void **state)
{
	struct hd_config cfg = {0};
	char err[512];
	const struct hd_probe *const *t = hd_test_probe_table();
	const char *a = "[x]\nprobe = sysctl\nkey = fs.file-max\nmin = 10\ntags = base\n"
			"[y]\nprobe = file-handles\n";
	const char *b = "[x]\nmin = 20\n"			   /* override one key */
			"[y]\nprobe = sysctl\nkey = fs.nr_open\n"; /* replace */
	struct hd_check *c;
	char where[256];

	(void)state;
	assert_int_equal(hd_config_parse(&cfg, "10-a.conf", a, strlen(a), t, err, sizeof(err)), 0);
	assert_int_equal(hd_config_parse(&cfg, "20-b.conf", b, strlen(b), t, err, sizeof(err)), 0);
	assert_int_equal(cfg.n, 2);
	c = hd_config_find(&cfg, "x");
	assert_string_equal(c->probe->name, "sysctl");
	assert_true(hd_check_num(c, "min") == 20);
	assert_string_equal(hd_check_str(c, "key"), "fs.file-max");
	assert_int_equal(c->ntags, 1);
	hd_check_where(c, "min", where, sizeof(where));
	assert_string_equal(where, "20-b.conf:2");
	hd_check_where(c, "key", where, sizeof(where));
	assert_string_equal(where, "10-a.conf:3");
	c = hd_config_find(&cfg, "y");
	assert_string_equal(c->probe->name, "sysctl");
	assert_string_equal(hd_check_str(c, "key"), "fs.nr_open");
	/* an override that breaks the check is reported where it was written */
	assert_int_not_equal(
	    hd_config_parse(&cfg, "30-c.conf", "[x]\nfield = x\n", 14, t, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "30-c.conf:2: field = 'x'"));
	hd_config_free(&cfg);
}

static void test_lists_and_thresholds(void **state)
{
	struct hd_config cfg = {0};
	char err[512];
	struct hd_check *c;

	(void)state;
	assert_int_equal(parse(&cfg, "[a]\nprobe = test-fixed\nwarning = 5:\ncritical = @1:2\n",
			       err, sizeof(err)),
			 0);
	c = hd_config_find(&cfg, "a");
	assert_true(c->warn.set && !c->warn.has_end && c->warn.start == 5);
	assert_true(c->crit.inverted);
	assert_int_equal(hd_check_set_threshold(c, 0, "~:7", err, sizeof(err)), 0);
	assert_false(c->warn.has_start);
	assert_int_not_equal(hd_check_set_threshold(c, 1, "9:1", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "--critical '9:1'"));
	hd_config_free(&cfg);
}

/* CPU seconds of this thread: what another process on the machine takes does not count. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds to parse TEXT, best of five (the least disturbed run: caches, migrations). */
static double parse_time(const char *text, size_t len, size_t want)
{
	double best = 1e9;

	for (int k = 0; k < 5; k++) {
		struct hd_config cfg = {0};
		char err[512];
		double t0 = cpu_now(), t;

		assert_int_equal(hd_config_parse(&cfg, "big.conf", text, len, hd_test_probe_table(),
						 err, sizeof(err)),
				 0);
		t = cpu_now() - t0;
		assert_int_equal(cfg.n, want);
		assert_non_null(hd_config_find(&cfg, "c0"));
		hd_config_free(&cfg);
		best = t < best ? t : best;
	}
	return best;
}

static char *many_sections(size_t n, size_t *len)
{
	struct hd_buf b = {0};

	for (size_t i = 0; i < n; i++)
		hd_buf_printf(&b, "[c%zu]\nprobe = sysctl\nkey = fs.file-max\ntags = big\n", i);
	*len = b.len;
	return hd_buf_steal(&b);
}

static char *many_keys(size_t n, size_t *len)
{
	struct hd_buf b = {0};

	hd_buf_printf(&b, "[c0]\nprobe = selinux-avc\n");
	for (size_t i = 0; i < n; i++)
		hd_buf_printf(&b, "logs = /var/log/l%zu\n", i);
	*len = b.len;
	return hd_buf_steal(&b);
}

/* Loading grows with the size of checks.d, not with its square: four times the sections (or
 * the keys of one section) take about four times as long, never sixteen. A ratio in one run,
 * so the speed of the machine does not matter; a checks.d of 138,884 sections took minutes. */
static void test_loading_scales(void **state)
{
	const size_t n = 12000;
	size_t len1, len4;
	char *one, *four;
	double t1, t4;

	(void)state;
	one = many_sections(n, &len1);
	four = many_sections(4 * n, &len4);
	t1 = parse_time(one, len1, n);
	t4 = parse_time(four, len4, 4 * n);
	free(one);
	free(four);
	if (t4 > 9 * t1)
		fail_msg("%zu sections: %.3f s, %zu: %.3f s (%.1fx)", n, t1, 4 * n, t4, t4 / t1);
	one = many_keys(n, &len1);
	four = many_keys(4 * n, &len4);
	t1 = parse_time(one, len1, 1);
	t4 = parse_time(four, len4, 1);
	free(one);
	free(four);
	if (t4 > 9 * t1)
		fail_msg("%zu keys: %.3f s, %zu: %.3f s (%.1fx)", n, t1, 4 * n, t4, t4 / t1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors_name_file_and_line),
	    cmocka_unit_test(test_overlong_line),
	    cmocka_unit_test(test_values_and_defaults),
	    cmocka_unit_test(test_later_files_replace_and_override),
	    cmocka_unit_test(test_lists_and_thresholds),
	    cmocka_unit_test(test_loading_scales),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
