/* Parsers of the first probes on bytes: /proc/sys/fs/file-nr and sysctl values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "paths.h"
#include "probe_file_handles.h"
#include "probe_sysctl.h"

static void test_file_nr(void **s)
{
	static const struct {
		const char *in;
		int rc;
		uint64_t alloc, max;
	} cases[] = {
	    {"1024\t0\t262144\n", 0, 1024, 262144},
	    {"5 0 9223372036854775807\n", 0, 5, 9223372036854775807ull},
	    {"5 0 18446744073709551615", 0, 5, 18446744073709551615ull},
	    {"5 0 18446744073709551616\n", -EINVAL, 0, 0},
	    {"5 0\n", -EINVAL, 0, 0},
	    {"", -EINVAL, 0, 0},
	    {"a b c\n", -EINVAL, 0, 0},
	    {"5 0 100 7\n", -EINVAL, 0, 0},
	    {"-5 0 100\n", -EINVAL, 0, 0},
	    {"5x 0 100\n", -EINVAL, 0, 0},
	};
	(void)s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t a = 0, m = 0;
		int rc = file_nr_parse(cases[i].in, strlen(cases[i].in), &a, &m);
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, wanted %d", cases[i].in, rc, cases[i].rc);
		if (rc == 0 && (a != cases[i].alloc || m != cases[i].max))
			fail_msg("'%s': got %lu %lu", cases[i].in, (unsigned long)a,
				 (unsigned long)m);
	}
}

static void test_sysctl_value(void **s)
{
	static const struct {
		const char *in;
		int field;
		int rc;
		double v;
	} cases[] = {
	    {"262144\n", 0, 0, 262144},
	    {"32000\t1024000000\t500\t32000\n", 4, 0, 32000},
	    {"32000\t1024000000\t500\t32000\n", 2, 0, 1024000000},
	    {"250 32000 32\n", 4, -ERANGE, 0},
	    {"-1\n", 0, 0, -1},
	    {"0.5\n", 0, 0, 0.5},
	    {"9223372036854775807\n", 0, 0, 9223372036854775807.0},
	    {"cubic\n", 0, -EINVAL, 0},
	    {"\n", 0, -EINVAL, 0},
	    {"1 2\n", 0, -EINVAL, 0}, /* a multi-field value needs field = */
	};
	(void)s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = 0;
		char text[64];
		int rc = sysctl_parse_value(cases[i].in, strlen(cases[i].in), cases[i].field, &v,
					    text, sizeof(text));
		if (rc != cases[i].rc)
			fail_msg("'%s' field %d: rc %d, wanted %d", cases[i].in, cases[i].field, rc,
				 cases[i].rc);
		if (rc == 0 && v != cases[i].v)
			fail_msg("'%s': got %g", cases[i].in, v);
	}
}

static void test_sysctl_path(void **s)
{
	char buf[256];

	(void)s;
	assert_int_equal(hd_sysctl_path("fs.file-max", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/sys/fs/file-max");
	assert_int_equal(hd_sysctl_path("net/ipv4/conf/eth0.100/rp_filter", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/sys/net/ipv4/conf/eth0.100/rp_filter");
	assert_int_equal(hd_sysctl_path("../../etc/shadow", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(hd_sysctl_path("/etc/shadow", buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_file_nr),
	    cmocka_unit_test(test_sysctl_value),
	    cmocka_unit_test(test_sysctl_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
