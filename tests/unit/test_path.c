/* path rules (modes, writable parents) and symlink resolution below a root made in a temp dir. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "probe.h"
#include "probe_path.h"
#include "rootpath.h"

static void test_mode_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		mode_t mode;
	} cases[] = {
	    {"0755", 0, 0755},	   {"755", 0, 0755},	   {"1777", 0, 01777},
	    {"0", 0, 0},	   {"07777", 0, 07777},	   {"0700", 0, 0700},
	    {"8", -EINVAL, 0},	   {"0x755", -EINVAL, 0},  {"", -EINVAL, 0},
	    {"17777", -EINVAL, 0}, {"000755", -EINVAL, 0}, {"-755", -EINVAL, 0},
	    {"75 5", -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mode_t m = 0;
		int rc = path_mode_parse(cases[i].s, &m);
		if (rc != cases[i].rc || (rc == 0 && m != cases[i].mode))
			fail_msg("'%s': rc %d mode %o", cases[i].s, rc, m);
	}
	assert_int_equal(path_mode_parse(NULL, &(mode_t){0}), -EINVAL);
}

static void test_mode_excess(void **state)
{
	(void)state;
	assert_int_equal(path_mode_excess(S_IFDIR | 0755, 0755), 0);
	assert_int_equal(path_mode_excess(S_IFDIR | 0700, 0755), 0); /* fewer bits are fine */
	assert_int_equal(path_mode_excess(S_IFDIR | 0777, 0755), 0022);
	assert_int_equal(path_mode_excess(S_IFREG | 04755, 0755), 04000); /* setuid */
	assert_int_equal(path_mode_excess(S_IFDIR | 01777, 0777), 01000);
}

static void test_parent_verdict(void **state)
{
	(void)state;
	assert_int_equal(path_parent_verdict(S_IFDIR | 0755), PARENT_OK);
	assert_int_equal(path_parent_verdict(S_IFDIR | 0700), PARENT_OK);
	assert_int_equal(path_parent_verdict(S_IFDIR | 01777), PARENT_STICKY);
	assert_int_equal(path_parent_verdict(S_IFDIR | 01775), PARENT_STICKY);
	assert_int_equal(path_parent_verdict(S_IFDIR | 0777), PARENT_WORLD_WRITABLE);
	assert_int_equal(path_parent_verdict(S_IFDIR | 0757), PARENT_WORLD_WRITABLE);
	assert_int_equal(path_parent_verdict(S_IFDIR | 0775), PARENT_GROUP_WRITABLE);
	assert_int_equal(path_parent_verdict(S_IFDIR | 02775), PARENT_GROUP_WRITABLE);
}

static char root[PATH_MAX];

static void mk(const char *rel, bool dir)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	if (dir)
		assert_int_equal(mkdir(p, 0755), 0);
	else
		fclose(fopen(p, "w"));
}

static void ln(const char *target, const char *rel)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/hd-test-resolve.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	mk("/usr", true);
	mk("/usr/lib", true);
	mk("/usr/lib/modules", true);
	mk("/usr/src", true);
	mk("/usr/src/kernels", true);
	mk("/usr/src/kernels/6.1", true);
	mk("/usr/lib/modules/6.1", true);
	mk("/etc", true);
	mk("/etc/passwd", false);
	ln("usr/lib", "/lib");					    /* merged /usr, relative */
	ln("/usr/src/kernels/6.1", "/usr/lib/modules/6.1/build");   /* absolute: inside the root */
	ln("/usr/src/kernels/gone", "/usr/lib/modules/6.1/source"); /* dangling */
	ln("../../../../../../etc", "/usr/lib/up"); /* cannot climb above the root */
	ln("loop2", "/loop1");
	ln("loop1", "/loop2");
	return 0;
}

static int teardown_root(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_resolve(void **state)
{
	struct hd_ctx ctx = {.root = root};
	static const struct {
		const char *path;
		bool follow;
		int rc;
		const char *out;
	} cases[] = {
	    {"/lib/modules/6.1/build", true, 0, "/usr/src/kernels/6.1"},
	    {"/lib/modules/6.1/build", false, 0, "/usr/lib/modules/6.1/build"},
	    {"/lib/modules/6.1/build/", true, 0, "/usr/src/kernels/6.1"},
	    {"/lib/modules/6.1/source", true, -ENOENT, "/usr/src/kernels/gone"},
	    {"/lib/modules/6.1/source", false, 0, "/usr/lib/modules/6.1/source"},
	    {"/lib/modules/6.2/build", true, -ENOENT, "/usr/lib/modules/6.2"},
	    {"/usr/lib/up/passwd", true, 0, "/etc/passwd"},
	    {"/etc/passwd/x", true, -ENOTDIR, "/etc/passwd"},
	    {"/../../etc/./passwd", true, 0, "/etc/passwd"},
	    {"/", true, 0, "/"},
	    {"/loop1", true, -ELOOP, NULL},
	    {"relative", true, -EINVAL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[PATH_MAX] = "";
		int rc = hd_resolve(&ctx, cases[i].path, cases[i].follow, out, sizeof(out));
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, wanted %d", cases[i].path, rc, cases[i].rc);
		if (cases[i].out && strcmp(out, cases[i].out) != 0)
			fail_msg("%s: '%s', wanted '%s'", cases[i].path, out, cases[i].out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mode_parse),
	    cmocka_unit_test(test_mode_excess),
	    cmocka_unit_test(test_parent_verdict),
	    cmocka_unit_test_setup_teardown(test_resolve, setup_root, teardown_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
