/* unix-socket parsers: constructed unix_diag replies, malformed ones, inode matching, errnos. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "netlink.h"
#include "probe_unix_socket.h"
#include "probes.h"
#include "runner.h"

struct sock_spec {
	uint32_t ino;
	uint8_t type, state;
	const char *name; /* NULL: no UNIX_DIAG_NAME; leading '@': abstract */
	long vfs_ino;	  /* -1: no UNIX_DIAG_VFS */
	uint32_t vfs_dev;
	long rq, wq; /* rq -1: no UNIX_DIAG_RQLEN */
};

static void put_sock(char *buf, size_t *off, const struct sock_spec *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);
	struct unix_diag_msg *m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->udiag_family = AF_UNIX;
	m->udiag_type = s->type;
	m->udiag_state = s->state;
	m->udiag_ino = s->ino;
	if (s->name) {
		char n[108];
		size_t len = strlen(s->name);
		memcpy(n, s->name, len);
		if (n[0] == '@')
			n[0] = '\0';
		mnl_attr_put(nlh, UNIX_DIAG_NAME, len, n); /* not NUL-terminated, as the kernel */
	}
	if (s->vfs_ino >= 0) {
		struct unix_diag_vfs v = {(uint32_t)s->vfs_ino, s->vfs_dev};
		mnl_attr_put(nlh, UNIX_DIAG_VFS, sizeof(v), &v);
	}
	if (s->rq >= 0) {
		struct unix_diag_rqlen q = {(uint32_t)s->rq, (uint32_t)s->wq};
		mnl_attr_put(nlh, UNIX_DIAG_RQLEN, sizeof(q), &q);
	}
	*off += nlh->nlmsg_len;
}

static void put_done(char *buf, size_t *off)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*off += nlh->nlmsg_len;
}

static void test_parse(void **state)
{
	static const struct sock_spec specs[] = {
	    {1001, SOCK_STREAM, 10, "/run/avscan/scan.sock", 5555, 45, 3, 128},
	    {1002, SOCK_STREAM, 1, NULL, -1, 0, 0, 0},
	    {1003, SOCK_DGRAM, 7, "@/org/abstract", -1, 0, 0, 0},
	};
	struct unix_sock_info s;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char buf[512] = {0};
		size_t off = 0;

		put_sock(buf, &off, &specs[i]);
		assert_int_equal(unix_diag_parse((struct nlmsghdr *)buf, &s), 0);
		assert_int_equal(s.ino, specs[i].ino);
		assert_int_equal(s.type, specs[i].type);
		assert_int_equal(s.state, specs[i].state);
		assert_string_equal(s.name, specs[i].name ? specs[i].name : "");
		assert_int_equal(s.has_vfs, specs[i].vfs_ino >= 0);
		assert_int_equal(s.has_rqlen, specs[i].rq >= 0);
	}
	{
		char buf[512] = {0};
		size_t off = 0;
		put_sock(buf, &off, &specs[0]);
		assert_int_equal(unix_diag_parse((struct nlmsghdr *)buf, &s), 0);
		assert_int_equal(s.vfs_ino, 5555);
		assert_int_equal(s.vfs_dev, 45);
		assert_int_equal(s.rqueue, 3);
		assert_int_equal(s.wqueue, 128);
	}
}

static void test_malformed(void **state)
{
	char buf[512];
	struct nlmsghdr *nlh;
	struct unix_diag_msg *m;
	struct unix_sock_info s;
	uint32_t half = 7;

	(void)state;
	/* UNIX_DIAG_VFS cut to 4 bytes */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->udiag_family = AF_UNIX;
	mnl_attr_put(nlh, UNIX_DIAG_VFS, sizeof(half), &half);
	assert_int_equal(unix_diag_parse(nlh, &s), -EBADMSG);
	/* RQLEN of the wrong size */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->udiag_family = AF_UNIX;
	mnl_attr_put(nlh, UNIX_DIAG_RQLEN, sizeof(half), &half);
	assert_int_equal(unix_diag_parse(nlh, &s), -EBADMSG);
	/* another family */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->udiag_family = AF_INET;
	assert_int_equal(unix_diag_parse(nlh, &s), -EBADMSG);
	/* shorter than struct unix_diag_msg */
	nlh->nlmsg_len = sizeof(struct nlmsghdr) + 2;
	assert_int_equal(unix_diag_parse(nlh, &s), -EBADMSG);
	/* a name longer than sun_path */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->udiag_family = AF_UNIX;
	{
		char longname[200];
		memset(longname, 'a', sizeof(longname));
		mnl_attr_put(nlh, UNIX_DIAG_NAME, sizeof(longname), longname);
	}
	assert_int_equal(unix_diag_parse(nlh, &s), -EBADMSG);
}

static void test_match(void **state)
{
	/* the kernel's dev_t is MAJOR << 20 | MINOR: 8:1 is 0x800001, tmpfs 0:45 is 45 */
	static const struct sock_spec dump[] = {
	    {2001, SOCK_STREAM, 10, "/run/a.sock", 5555, (8u << 20) | 1, 0, 128},
	    {2002, SOCK_STREAM, 10, "/tmp/b.sock", 5555, 45, 2, 16}, /* same inode, other fs */
	    {2003, SOCK_STREAM, 1, NULL, -1, 0, 0, 0},
	};
	char buf[2048] = {0};
	size_t off = 0;

	(void)state;
	for (size_t i = 0; i < 3; i++)
		put_sock(buf, &off, &dump[i]);
	put_done(buf, &off);

	struct unix_diag_match m = {.vfs_ino = 5555, .major = 0, .minor = 45};
	assert_int_equal(hd_nl_replay(buf, off, unix_diag_match_cb, &m), MNL_CB_STOP);
	assert_true(m.found);
	assert_int_equal(m.info.ino, 2002);
	assert_int_equal(m.info.rqueue, 2);
	assert_int_equal(m.info.wqueue, 16);

	struct unix_diag_match m2 = {.vfs_ino = 5555, .major = 8, .minor = 1};
	assert_int_equal(hd_nl_replay(buf, off, unix_diag_match_cb, &m2), MNL_CB_STOP);
	assert_true(m2.found);
	assert_int_equal(m2.info.ino, 2001);

	struct unix_diag_match m3 = {.vfs_ino = 9999, .major = 8, .minor = 1};
	assert_int_equal(hd_nl_replay(buf, off, unix_diag_match_cb, &m3), MNL_CB_STOP);
	assert_false(m3.found);
}

static void test_classify(void **state)
{
	static const struct {
		int err;
		enum unix_conn_state s;
		const char *name;
	} cases[] = {
	    {0, UNIX_CONN_OK, "accepting"},
	    {ENOENT, UNIX_CONN_MISSING, "missing"},
	    {ECONNREFUSED, UNIX_CONN_STALE, "stale"},
	    {EPROTOTYPE, UNIX_CONN_NOT_STREAM, "not-stream"},
	    {EAGAIN, UNIX_CONN_FULL, "full"},
	    {EACCES, UNIX_CONN_DENIED, "denied"},
	    {EPERM, UNIX_CONN_DENIED, "denied"},
	    {EIO, UNIX_CONN_OTHER, "error"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(unix_conn_classify(cases[i].err), cases[i].s);
		assert_string_equal(unix_conn_name(cases[i].s), cases[i].name);
	}
}

static int bound(const char *path, int type, int backlog)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

static enum hd_status run_on(const char *path)
{
	char conf[512], err[256];
	struct hd_config cfg = {0};
	struct hd_ctx ctx = {.root = "", .privileged = true, .deadline = hd_now() + 10};
	struct hd_result r;
	enum hd_status st;

	snprintf(conf, sizeof(conf), "[u]\nprobe = unix-socket\npath = %s\ntimeout_ms = 0\n", path);
	assert_int_equal(
	    hd_config_parse(&cfg, "u.conf", conf, strlen(conf), hd_probes, err, sizeof(err)), 0);
	hd_run_one(&cfg.checks[0], &ctx, &r);
	st = r.status;
	hd_result_free(&r);
	hd_config_free(&cfg);
	return st;
}

/* The whole probe in this process (no fork), so the sanitizer build sees its leaks. */
static void test_run_in_process(void **state)
{
	char dir[] = "/tmp/hd-unix-unit.XXXXXX", a[128], d[128], f[128], m[128];
	int la, ld, c1, c2;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.sock", dir);
	snprintf(d, sizeof(d), "%s/d.sock", dir);
	snprintf(f, sizeof(f), "%s/f.sock", dir);
	snprintf(m, sizeof(m), "%s/missing.sock", dir);
	la = bound(a, SOCK_STREAM, 0);
	ld = bound(d, SOCK_DGRAM, 0);
	close(creat(f, 0644));

	assert_int_equal(run_on(a), HD_OK); /* queued: nobody accepts, but the backlog held it */
	assert_int_equal(run_on(d), HD_CRITICAL);
	assert_int_equal(run_on(f), HD_CRITICAL);
	assert_int_equal(run_on(m), HD_CRITICAL);
	/* backlog 0 holds one connection (the probe's own stays queued after it closed it);
	 * with it queued the next connect gets EAGAIN */
	strcpy(sa.sun_path, a);
	c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	(void)!connect(c1, (struct sockaddr *)&sa, sizeof(sa));
	assert_int_equal(connect(c2, (struct sockaddr *)&sa, sizeof(sa)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(run_on(a), HD_CRITICAL);
	close(c1);
	close(c2);
	close(la);
	close(ld);
	assert_int_equal(run_on(a), HD_CRITICAL); /* stale: the listener is gone */
	unlink(a);
	unlink(d);
	unlink(f);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),	   cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_match),	   cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_run_in_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
