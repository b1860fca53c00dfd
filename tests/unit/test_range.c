/* Nagios range parsing and evaluation: every endpoint case, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "range.h"

struct eval_case {
	const char *range;
	double value;
	bool alerts;
};

static const struct eval_case eval_cases[] = {
    /* "10": alert outside 0..10 */
    {"10", -1, true},
    {"10", 0, false},
    {"10", 5, false},
    {"10", 10, false},
    {"10", 10.01, true},
    /* "10:": alert below 10 */
    {"10:", 9.99, true},
    {"10:", 10, false},
    {"10:", 1e12, false},
    /* "~:10": alert above 10 */
    {"~:10", -1e12, false},
    {"~:10", 10, false},
    {"~:10", 11, true},
    /* "10:20": alert outside 10..20 */
    {"10:20", 9, true},
    {"10:20", 10, false},
    {"10:20", 20, false},
    {"10:20", 21, true},
    /* "@10:20": alert inside 10..20, ends inclusive */
    {"@10:20", 9, false},
    {"@10:20", 10, true},
    {"@10:20", 15, true},
    {"@10:20", 20, true},
    {"@10:20", 20.5, false},
    /* decimals, negatives, a trailing % */
    {"-5:-1", -3, false},
    {"-5:-1", 0, true},
    {"0.5:1.5", 1.5, false},
    {"0.5:1.5", 0.49, true},
    {"80%", 80, false},
    {"80%", 80.1, true},
    {"@~:0", -1, true},
    {"@~:0", 0.1, false},
    {"@5", 0, true},
    {"@5", 6, false},
    {"5:5", 5, false},
    {"5:5", 5.1, true},
    {":10", -1, true},
    {" 10 ", 11, true},
};

static void test_eval(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
		struct hd_range r;
		const char *why = NULL;
		int rc = hd_range_parse(eval_cases[i].range, &r, &why);
		if (rc != 0)
			fail_msg("'%s' did not parse: %s", eval_cases[i].range, why);
		if (hd_range_alerts(&r, eval_cases[i].value) != eval_cases[i].alerts)
			fail_msg("range '%s' value %g: expected alerts=%d", eval_cases[i].range,
				 eval_cases[i].value, eval_cases[i].alerts);
	}
}

static void test_reject(void **state)
{
	static const char *const bad[] = {"",	    "abc",   "20:10", "@",   "~",
					  "10:abc", "1:2:3", "0x10",  "inf", "nan",
					  "@30:-1", "%",     "~:~",   "--1", NULL};
	(void)state;
	for (const char *const *b = bad; *b; b++) {
		struct hd_range r;
		const char *why = NULL;
		if (hd_range_parse(*b, &r, &why) == 0)
			fail_msg("'%s' should be rejected", *b);
		assert_non_null(why);
	}
}

static void test_format(void **state)
{
	static const struct {
		const char *in, *canon;
	} cases[] = {
	    {"10", "10"},
	    {"10:", "10:"},
	    {"~:10", "~:10"},
	    {"10:20", "10:20"},
	    {"@10:20", "@10:20"},
	    {"0:7.5", "7.5"},
	    {"-3:", "-3:"},
	    {"@~:0.25", "@~:0.25"},
	    {"1e16", "10000000000000000"},
	    {"80%", "80"},
	    /* too long for a plain decimal: the exponent, never a truncated number (9e300 printed
	     * as 39 digits read back as less than 1e301 printed the same way) */
	    {"9e300:1e301", "9e+300:1e+301"},
	    {"1e-9:2e-9", "1e-09:2e-09"},
	    {"0.0000015", "1.5e-06"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hd_range r, back;
		char buf[64];
		assert_int_equal(hd_range_parse(cases[i].in, &r, NULL), 0);
		hd_range_format(&r, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].canon);
		/* the canonical text means the same range */
		assert_int_equal(hd_range_parse(buf, &back, NULL), 0);
		for (double v = -30; v <= 30; v += 0.5)
			assert_int_equal(hd_range_alerts(&r, v), hd_range_alerts(&back, v));
	}
}

static void test_unset_never_alerts(void **state)
{
	struct hd_range r = {0};
	(void)state;
	assert_false(hd_range_alerts(&r, 1e300));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_eval),
	    cmocka_unit_test(test_reject),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_unset_never_alerts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
