/* tmp-space: what one statvfs() answer means (free for unprivileged users, inode limits, ro). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "probe_tmp_space.h"

struct case_ {
	struct statvfs in;
	double free_mb, used_pct;
	bool inode_limit, ro;
	double inodes_used_pct;
};

static const struct case_ cases[] = {
    /* 4 MiB tmpfs, 4 KiB blocks, half used; f_bavail == f_bfree */
    {{.f_bsize = 4096,
      .f_frsize = 4096,
      .f_blocks = 1024,
      .f_bfree = 512,
      .f_bavail = 512,
      .f_files = 1000,
      .f_ffree = 900,
      .f_favail = 900},
     2.0,
     50.0,
     true,
     false,
     10.0},
    /* ext4 with reserved blocks: f_bavail < f_bfree; f_frsize is what counts, not f_bsize */
    {{.f_bsize = 65536,
      .f_frsize = 1024,
      .f_blocks = 10240,
      .f_bfree = 2048,
      .f_bavail = 1024,
      .f_files = 100,
      .f_ffree = 0,
      .f_favail = 0},
     1.0,
     80.0,
     true,
     false,
     100.0},
    /* no inode limit (tmpfs nr_inodes=0, btrfs), read-only */
    {{.f_bsize = 4096,
      .f_frsize = 4096,
      .f_blocks = 256,
      .f_bfree = 256,
      .f_bavail = 256,
      .f_flag = ST_RDONLY},
     1.0,
     0.0,
     false,
     true,
     0.0},
    /* empty filesystem description */
    {{.f_frsize = 4096}, 0.0, 0.0, false, false, 0.0},
};

static void test_eval(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tmp_space s;
		tmp_space_eval(&cases[i].in, &s);
		assert_float_equal(s.free_mb, cases[i].free_mb, 1e-9);
		assert_float_equal(s.used_pct, cases[i].used_pct, 1e-9);
		assert_int_equal(s.has_inode_limit, cases[i].inode_limit);
		assert_int_equal(s.readonly, cases[i].ro);
		assert_float_equal(s.inodes_used_pct, cases[i].inodes_used_pct, 1e-9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_eval)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
