/* Parsers of the realtime-scan probe: fanotify/inotify fdinfo as printed by kernel 6.x, coverage
 * of a directory by each mark kind, and the systemd unit from /proc/PID/cgroup. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "probe_realtime_scan.h"

#define PREAMBLE "pos:\t0\nflags:\t02000002\nmnt_id:\t17\nino:\t1038\n"

struct fdinfo_case {
	const char *in;
	int rc;
	size_t n;
	unsigned int flags;
	enum rt_kind kind; /* of the first mark */
	uint64_t mask;
	bool blocking;
};

static const struct fdinfo_case fdinfo_cases[] = {
    {PREAMBLE "fanotify flags:1 event-flags:8000\n"
	      "fanotify mnt_id:3f mflags:0 mask:28 ignored_mask:0\n",
     0, 1, 1, RT_FAN_MOUNT, 0x28, false},
    {PREAMBLE "fanotify flags:5 event-flags:8000\n"
	      "fanotify sdev:27 mflags:0 mask:10000 ignored_mask:0\n",
     0, 1, 5, RT_FAN_FS, 0x10000, true},
    {PREAMBLE "fanotify flags:5 event-flags:8000\n"
	      "fanotify ino:2 sdev:27 mflags:0 mask:8010000 ignored_mask:0 fhandle-bytes:c "
	      "fhandle-type:1 f_handle:ee96cf230200000000000000\n",
     0, 1, 5, RT_FAN_INODE, 0x8010000, true},
    {PREAMBLE "fanotify flags:9 event-flags:8000\n"
	      "fanotify sdev:800001 mflags:0 mask:100000 ignored_mask:0\n",
     0, 1, 9, RT_FAN_FS, 0x100000, true}, /* FAN_PRE_ACCESS */
    {PREAMBLE "fanotify flags:5 event-flags:8000\n"
	      "fanotify mnt_id:1d mflags:0 mask:40000 ignored_mask:0\n"
	      "fanotify ino:83 sdev:800001 mflags:0 mask:20000 ignored_mask:0\n",
     0, 2, 5, RT_FAN_MOUNT, 0x40000, true},
    {"pos:\t0\nflags:\t02000000\nmnt_id:\t17\nino:\t1038\n"
     "inotify wd:1 ino:2 sdev:27 mask:108 ignored_mask:0 fhandle-bytes:c fhandle-type:1 "
     "f_handle:ee96cf230200000000000000\n",
     0, 1, 0, RT_INOTIFY, 0x108, false},
    {PREAMBLE "fanotify flags:1 event-flags:8000\n", 0, 0, 1, RT_FAN_FS, 0, false}, /* no mark */
    {"", 0, 0, 0, RT_FAN_FS, 0, false},
    /* malformed */
    {PREAMBLE "fanotify mnt_id:3f mflags:0 ignored_mask:0\n", -EINVAL, 0, 0, 0, 0, false},
    {PREAMBLE "fanotify sdev:zz mflags:0 mask:28 ignored_mask:0\n", -EINVAL, 0, 0, 0, 0, false},
    {PREAMBLE "fanotify ino: sdev:27 mask:28 ignored_mask:0\n", -EINVAL, 0, 0, 0, 0, false},
    {PREAMBLE "inotify wd:1 sdev:27 mask:108 ignored_mask:0\n", -EINVAL, 0, 0, 0, 0, false},
    {PREAMBLE "fanotify mask:28\n", -EINVAL, 0, 0, 0, 0, false}, /* fs mark without sdev */
    {PREAMBLE "fanotify sdev:1 mask:fffffffffffffffffffff\n", -EINVAL, 0, 0, 0, 0, false},
};

static void test_fdinfo(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fdinfo_cases) / sizeof(fdinfo_cases[0]); i++) {
		const struct fdinfo_case *c = &fdinfo_cases[i];
		struct rt_mark *m = NULL;
		size_t n = 99;
		unsigned int flags = 99;
		int rc = rt_fdinfo_parse(c->in, strlen(c->in), &m, &n, &flags);

		if (rc != c->rc)
			fail_msg("case %zu: rc %d, wanted %d", i, rc, c->rc);
		if (rc < 0) {
			assert_null(m);
			continue;
		}
		if (n != c->n || flags != c->flags)
			fail_msg("case %zu: %zu marks flags %x, wanted %zu flags %x", i, n, flags,
				 c->n, c->flags);
		if (n && (m[0].kind != c->kind || m[0].mask != c->mask ||
			  rt_blocking(&m[0]) != c->blocking))
			fail_msg("case %zu: kind %d mask %llx", i, m[0].kind,
				 (unsigned long long)m[0].mask);
		free(m);
	}
}

static void test_covers(void **state)
{
	const dev_t dev = makedev(0, 39), other = makedev(8, 1);
	const struct rt_mark fs = {.kind = RT_FAN_FS, .sdev = 0x27, .mnt_id = -1};
	const struct rt_mark mnt = {.kind = RT_FAN_MOUNT, .mnt_id = 63};
	const struct rt_mark ino = {.kind = RT_FAN_INODE, .sdev = 0x27, .ino = 2, .mnt_id = -1};
	const struct rt_mark in = {.kind = RT_INOTIFY, .sdev = 0x800001, .ino = 131, .mnt_id = -1};

	(void)state;
	assert_true(rt_sdev_dev(0x800001) == makedev(8, 1));
	assert_true(rt_sdev_dev(0x10300005) == makedev(259, 5));
	assert_true(rt_covers(&fs, dev, 2, 63));
	assert_true(rt_covers(&fs, dev, 77, 10)); /* anywhere on the filesystem */
	assert_false(rt_covers(&fs, other, 2, 63));
	assert_true(rt_covers(&mnt, other, 5, 63));
	assert_false(rt_covers(&mnt, dev, 2, 64)); /* same fs, another mount */
	assert_false(rt_covers(&mnt, dev, 2, -1));
	assert_true(rt_covers(&ino, dev, 2, 1));
	assert_false(rt_covers(&ino, dev, 3, 63)); /* another directory */
	assert_true(rt_covers(&in, other, 131, 1));
	assert_false(rt_covers(&in, dev, 131, 1));
}

static void test_ignored(void **state)
{
	/* a scanner's group: a permission mount mark, and an ignore mark excluding directory 2 */
	const char *in = "fanotify flags:5 event-flags:8000\n"
			 "fanotify ino:2 sdev:27 mflags:440 mask:0 ignored_mask:48010000 "
			 "fhandle-bytes:c fhandle-type:1 f_handle:020941090200000000000000\n"
			 "fanotify ino:3 sdev:27 mflags:440 mask:0 ignored_mask:40010000\n"
			 "fanotify mnt_id:3f mflags:0 mask:10000 ignored_mask:0\n";
	struct rt_mark *m = NULL;
	size_t n = 0;
	unsigned int flags;

	(void)state;
	assert_int_equal(rt_fdinfo_parse(in, strlen(in), &m, &n, &flags), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rt_events(m[0].mask), 0); /* an ignore mark watches nothing */
	assert_int_equal(rt_events(0x48010000), 0x10000);
	assert_int_equal(rt_ignored(m, n, makedev(0, 39), 2), 0x10000);
	/* without FAN_EVENT_ON_CHILD the ignore mask spares the children: not an exclusion */
	assert_int_equal(rt_ignored(m, n, makedev(0, 39), 3), 0);
	assert_int_equal(rt_ignored(m, n, makedev(0, 40), 2), 0);
	free(m);
}

static void test_cgroup(void **state)
{
	char unit[64];
	const char *v2 = "0::/system.slice/clamav-daemon.service\n";
	const char *v1 = "12:pids:/\n1:name=systemd:/system.slice/ds_agent.service\n";
	const char *mixed =
	    "1:name=systemd:/system.slice/old.service\n0::/system.slice/new.service/x\n";
	const char *session = "0::/user.slice/user-0.slice/session-3.scope\n";

	(void)state;
	assert_int_equal(rt_cgroup_unit(v2, strlen(v2), unit, sizeof(unit)), 0);
	assert_string_equal(unit, "clamav-daemon.service");
	assert_int_equal(rt_cgroup_unit(v1, strlen(v1), unit, sizeof(unit)), 0);
	assert_string_equal(unit, "ds_agent.service");
	assert_int_equal(rt_cgroup_unit(mixed, strlen(mixed), unit, sizeof(unit)), 0);
	assert_string_equal(unit, "new.service");
	assert_int_equal(rt_cgroup_unit(session, strlen(session), unit, sizeof(unit)), -ENOENT);
	assert_int_equal(rt_cgroup_unit("", 0, unit, sizeof(unit)), -ENOENT);
	assert_int_equal(rt_cgroup_unit("garbage", 7, unit, sizeof(unit)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fdinfo),
	    cmocka_unit_test(test_covers),
	    cmocka_unit_test(test_ignored),
	    cmocka_unit_test(test_cgroup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
