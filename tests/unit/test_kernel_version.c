/* Kernel release parsing and ordering across distro styles, and os-release fields. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe_kernel_version.h"

struct cmp_case {
	const char *have, *want;
	int sign;
};

static const struct cmp_case cmp_cases[] = {
    {"3.10.0-1160.el7.x86_64", "4.18", -1},
    {"3.10.0-1160.el7.x86_64", "3.10", 0},
    {"3.10.0-1160.el7.x86_64", "3.10.0-957", 1},
    {"3.10.0-957.el7.x86_64", "3.10.0-1160", -1},
    {"3.10.0-1160.92.1.el7.x86_64", "3.10.0-1160.90", 1},
    {"4.18.0-513.5.1.el8_9.x86_64", "4.18", 0},
    {"4.18.0-513.5.1.el8_9.x86_64", "4.18.0", 0},
    {"4.18.0-80.el8.x86_64", "4.18.0-80", 0},
    {"5.14.0-362.8.1.el9_3.x86_64", "4.18", 1},
    {"6.1.0-13-amd64", "6.1", 0},
    {"6.1.0-13-amd64", "6.1.0-12", 1},
    {"6.1.0-13-cloud-amd64", "6.2", -1},
    {"5.15.0-91-generic", "5.4", 1},
    {"5.15.0-91-generic", "5.15.0-100", -1},
    {"6.18.44-fc-v669", "6.18.44", 0},
    {"6.18.44-fc-v669", "6.18.44-1", -1}, /* no build number: 0 */
    {"2.6.32-754.el6.x86_64", "3.10", -1},
    {"4.9", "4.10", -1}, /* numeric, not text: 9 < 10 */
    {"5.4.0+", "5.4", 0},
    {"6.8.0-rc3", "6.8", 0},
};

static void test_cmp(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cmp_cases) / sizeof(cmp_cases[0]); i++) {
		const struct cmp_case *c = &cmp_cases[i];
		struct kver a, b;
		int got;

		if (kver_parse(c->have, strlen(c->have), &a) < 0)
			fail_msg("'%s' did not parse", c->have);
		if (kver_parse(c->want, strlen(c->want), &b) < 0)
			fail_msg("'%s' did not parse", c->want);
		got = kver_cmp(&a, &b);
		got = got < 0 ? -1 : got > 0;
		if (got != c->sign)
			fail_msg("%s vs %s: %d, wanted %d", c->have, c->want, got, c->sign);
	}
}

static void test_parse_fields(void **state)
{
	struct kver v;
	const char *s = "3.10.0-1160.92.1.el7.x86_64\n";

	(void)state;
	assert_int_equal(kver_parse(s, strlen(s), &v), 0);
	assert_int_equal(v.nup, 3);
	assert_int_equal(v.up[0], 3);
	assert_int_equal(v.up[1], 10);
	assert_int_equal(v.up[2], 0);
	assert_true(v.has_build);
	assert_int_equal(v.nbuild, 3);
	assert_int_equal(v.build[0], 1160);
	assert_int_equal(v.build[2], 1);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {"",
					  "\n",
					  "linux",
					  "v5.10",
					  "-1.2",
					  "5.10 garbage",
					  "5.10\nsecond line",
					  "99999999999.1",
					  "1.2.3.4.5.6.7",
					  "5.10\x01",
					  NULL};
	(void)state;
	for (const char *const *b = bad; *b; b++) {
		struct kver v;
		if (kver_parse(*b, strlen(*b), &v) == 0)
			fail_msg("'%s' should be rejected", *b);
	}
	/* a NUL inside the file is malformed too */
	struct kver v;
	assert_int_equal(kver_parse("5.10\0x", 6, &v), -EINVAL);
}

static void test_os_release(void **state)
{
	struct os_release os;
	const char *rhel = "NAME=\"Red Hat Enterprise Linux Server\"\nVERSION=\"7.9 (Maipo)\"\n"
			   "ID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"7.9\"\n";
	const char *ubuntu = "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"";
	const char *junk = "\x01\x02\n=\nID\nID_LIKE=\n";

	(void)state;
	os_release_parse(rhel, strlen(rhel), &os);
	assert_string_equal(os.id, "rhel");
	assert_string_equal(os.id_like, "fedora");
	assert_string_equal(os.version_id, "7.9");
	os_release_parse(ubuntu, strlen(ubuntu), &os);
	assert_string_equal(os.id, "ubuntu");
	assert_string_equal(os.id_like, "debian");
	assert_string_equal(os.version_id, "22.04");
	os_release_parse(junk, strlen(junk), &os);
	assert_string_equal(os.id, "");
	assert_string_equal(os.id_like, "");
}

static void test_supported(void **state)
{
	char *list[] = {"4.18.0-513.*.el8_9.x86_64", "5.14.0-362.8.1.el9_3.x86_64",
			"6.1.0-1[0-8]-amd64"};
	static const struct {
		const char *release;
		int want;
	} cases[] = {
	    {"4.18.0-513.5.1.el8_9.x86_64", 0},
	    {"4.18.0-513.5.1.el8_9.aarch64", -1},
	    {"4.18.0-477.10.1.el8_8.x86_64", -1},
	    {"5.14.0-362.8.1.el9_3.x86_64", 1}, /* an exact release */
	    {"5.14.0-362.8.1.el9_3.x86_64+debug", -1},
	    {"6.1.0-18-amd64", 2},
	    {"6.1.0-19-amd64", -1},
	    {"", -1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (kver_supported(cases[i].release, list, 3) != cases[i].want)
			fail_msg("'%s': wanted %d", cases[i].release, cases[i].want);
	assert_int_equal(kver_supported("4.18.0", list, 0), -1); /* an empty list */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cmp),	      cmocka_unit_test(test_parse_fields),
	    cmocka_unit_test(test_malformed), cmocka_unit_test(test_os_release),
	    cmocka_unit_test(test_supported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
