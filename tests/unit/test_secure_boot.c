/* secure-boot parsers: efivarfs one-byte variables and the lockdown file, table-driven. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe_secure_boot.h"

static void test_efivar(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		int rc, val;
	} cases[] = {
	    {"\x06\x00\x00\x00\x01", 5, 0, 1}, /* SecureBoot on: NV|BS|RT attributes */
	    {"\x06\x00\x00\x00\x00", 5, 0, 0},
	    {"\x07\x00\x00\x00\x01", 5, 0, 1},
	    {"\x06\x00\x00\x00\x01\x00", 6, -EINVAL, 0}, /* too long */
	    {"\x06\x00\x00\x00", 4, -EINVAL, 0},	 /* attributes only */
	    {"\x01", 1, -EINVAL, 0},			 /* data byte only (old sysfs layout) */
	    {"", 0, -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t v = 0xaa;
		int rc = efivar_u8_parse(cases[i].bytes, cases[i].len, &v);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, wanted %d", i, rc, cases[i].rc);
		if (rc == 0 && v != cases[i].val)
			fail_msg("case %zu: value %u, wanted %d", i, v, cases[i].val);
	}
}

static void test_lockdown(void **state)
{
	static const struct {
		const char *text;
		int mode;
	} cases[] = {
	    {"[none] integrity confidentiality\n", LOCKDOWN_NONE},
	    {"none [integrity] confidentiality\n", LOCKDOWN_INTEGRITY},
	    {"none integrity [confidentiality]\n", LOCKDOWN_CONFIDENTIALITY},
	    {"none integrity [confidentiality]", LOCKDOWN_CONFIDENTIALITY},
	    {"none integrity confidentiality\n", -EINVAL}, /* nothing selected */
	    {"[none] [integrity] confidentiality\n", -EINVAL},
	    {"none [integrity confidentiality\n", -EINVAL},
	    {"none [paranoid] confidentiality\n", -EINVAL},
	    {"[]\n", -EINVAL},
	    {"", -EINVAL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int m = lockdown_parse(cases[i].text, strlen(cases[i].text));
		if (m != cases[i].mode)
			fail_msg("'%s': %d, wanted %d", cases[i].text, m, cases[i].mode);
	}
	assert_string_equal(lockdown_name(LOCKDOWN_INTEGRITY), "integrity");
	assert_string_equal(lockdown_name(-1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_efivar),
	    cmocka_unit_test(test_lockdown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
