/* Libraries opened on first use: a missing library or function is an error that names it, and
 * a loaded function is the library's own. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "lazylib.h"

static struct {
	__typeof__(zlibVersion) *version;
	__typeof__(crc32) *crc;
} z;

static void test_loads_functions(void **state)
{
	(void)state;
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(z, version, "zlibVersion"),
	    HD_LAZY_SYM(z, crc, "crc32"),
	    {0},
	};
	char err[256] = "";

	assert_int_equal(hd_lazy_load("libz.so.1", syms, err, sizeof(err)), 0);
	assert_non_null(z.version);
	assert_string_equal(z.version(), zlibVersion());
	assert_int_equal(z.crc(0, (const Bytef *)"hostdoctor", 10),
			 crc32(0, (const Bytef *)"hostdoctor", 10));
}

static void test_missing_library_named(void **state)
{
	(void)state;
	void *slot = NULL;
	const struct hd_lazy_sym syms[] = {{"f", &slot}, {0}};
	char err[256] = "";

	assert_int_equal(hd_lazy_load("libhostdoctor-absent.so.9", syms, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "libhostdoctor-absent.so.9"));
	assert_null(slot);
}

static void test_missing_function_named(void **state)
{
	(void)state;
	void *a = NULL, *b = NULL;
	const struct hd_lazy_sym syms[] = {{"zlibVersion", &a}, {"zlib_no_such_call", &b}, {0}};
	char err[256] = "";

	assert_int_equal(hd_lazy_load("libz.so.1", syms, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "libz.so.1 has no zlib_no_such_call");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loads_functions),
	    cmocka_unit_test(test_missing_library_named),
	    cmocka_unit_test(test_missing_function_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
