/* sock_diag for the port and connections probes: filtered inet_diag dumps, their parser, and the
 * /proc walk that names the process holding a socket. */
#include "sockdiag.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "netlink.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

int sd_build_request(const struct sd_query *q, void *buf, size_t size)
{
	/* ports in bytecode are host order, in the `no` field of the op that follows the test;
	 * a jump to len + 4 rejects, reaching exactly the end accepts */
	struct inet_diag_bc_op bc[8] = {
	    {INET_DIAG_BC_S_GE, 8, 0}, {0, 0, q->port},		  {INET_DIAG_BC_S_LE, 8, 0},
	    {0, 0, q->port},	       {INET_DIAG_BC_D_GE, 8, 0}, {0, 0, q->dport_lo},
	    {INET_DIAG_BC_D_LE, 8, 0}, {0, 0, q->dport_hi},
	};
	size_t nops = q->dport_hi ? 8 : 4, bclen = nops * sizeof(bc[0]);

	for (size_t i = 0; i < nops; i += 2) /* a failed test jumps past the end: reject */
		bc[i].no = (unsigned short)(bclen - i * sizeof(bc[0]) + 4);
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;

	if (size < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*req)) + MNL_ATTR_HDRLEN + bclen)
		return -ENOBUFS;
	memset(buf, 0, size);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = q->family;
	req->sdiag_protocol = q->proto;
	req->idiag_states = q->states;
	if (q->port) {
		/* the id's sport is checked before the bytecode runs, but not by every walk
		 * (bound-inactive sockets), so both are given */
		req->id.idiag_sport = htons(q->port);
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, bclen, bc);
	}
	return (int)nlh->nlmsg_len;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	/* attributes of newer kernels are skipped, not an error */
	if (mnl_attr_type_valid(a, INET_DIAG_MAX) < 0)
		return MNL_CB_OK;
	if (type == INET_DIAG_SKV6ONLY && mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

int sd_parse_header(const struct nlmsghdr *nlh, struct sd_sock *s)
{
	const struct inet_diag_msg *m;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg))
		return -EBADMSG;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	memset(s, 0, sizeof(*s));
	s->family = m->idiag_family;
	s->state = m->idiag_state;
	s->sport = ntohs(m->id.idiag_sport);
	s->dport = ntohs(m->id.idiag_dport);
	memcpy(s->src, m->id.idiag_src, 16);
	memcpy(s->dst, m->id.idiag_dst, 16);
	s->inode = m->idiag_inode;
	s->uid = m->idiag_uid;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->v6only = -1;
	return 0;
}

int sd_parse(const struct nlmsghdr *nlh, struct sd_sock *s)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1] = {0};
	int rc = sd_parse_header(nlh, s);

	if (rc < 0)
		return rc;
	if (mnl_attr_parse(nlh, sizeof(struct inet_diag_msg), attr_cb, tb) < 0)
		return -EBADMSG;
	if (tb[INET_DIAG_SKV6ONLY])
		s->v6only = (int8_t)(mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) != 0);
	return 0;
}

struct walk {
	sd_sock_cb cb;
	void *data;
	int err;
	bool header_only;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	struct sd_sock s;
	int rc = w->header_only ? sd_parse_header(nlh, &s) : sd_parse(nlh, &s);

	if (rc == 0)
		rc = w->cb(&s, w->data);
	if (rc < 0) {
		w->err = rc;
		errno = -rc;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int sd_dump(const struct sd_query *q, sd_sock_cb cb, void *data, double deadline)
{
	char buf[256];
	struct walk w = {cb, data, 0, q->header_only};
	int rc = sd_build_request(q, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	rc = hd_nl_request(NETLINK_SOCK_DIAG, (struct nlmsghdr *)buf, data_cb, &w, deadline);
	return w.err ? w.err : rc;
}

/* The messages were checked whole (hd_nl_frame_check) before this walk. */
static bool msg_ok(const struct nlmsghdr *nlh, int left)
{
	return left >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)left;
}

int sd_replay(const void *buf, size_t len, sd_sock_cb cb, void *data)
{
	const struct nlmsghdr *nlh = buf;
	struct walk w = {cb, data, 0, false};
	int left, rc = hd_nl_frame_check(buf, len);

	/* a recording is untrusted input: libmnl trusts nlmsg_len */
	if (rc < 0)
		return rc;
	left = (int)len;
	/* hd_nl_replay() stops at the first NLMSG_DONE: hand it one dump at a time */
	while (left > 0) {
		const char *seg = (const char *)nlh;

		while (msg_ok(nlh, left) && nlh->nlmsg_type != NLMSG_DONE)
			nlh = mnl_nlmsg_next(nlh, &left);
		if (msg_ok(nlh, left))
			nlh = mnl_nlmsg_next(nlh, &left); /* past the DONE */
		else if (left != 0)
			return -EBADMSG; /* a truncated message */
		/* the last message may end unaligned: never reach past the buffer */
		if (left < 0)
			nlh = (const struct nlmsghdr *)((const char *)buf + len);
		errno = 0;
		rc = hd_nl_replay(seg, (size_t)((const char *)nlh - seg), data_cb, &w);
		if (w.err)
			return w.err;
		if (rc < 0)
			return errno > 0 && errno < 4096 ? -errno : -EBADMSG;
	}
	return 0;
}

void sd_format_local(const struct sd_sock *s, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(s->family, s->src, a, sizeof(a));
	if (s->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, s->sport);
	else
		snprintf(buf, size, "%s:%u", a, s->sport);
}

/* "socket:[123]" -> 123; 0 for anything else. */
static uint32_t socket_inode(const char *link)
{
	unsigned long v;
	char *end;

	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	v = strtoul(link + 8, &end, 10);
	return *end == ']' && v <= UINT32_MAX ? (uint32_t)v : 0;
}

static void read_comm(const struct hd_ctx *ctx, struct sd_owner *o)
{
	char p[64];
	_cleanup_free_ char *comm = NULL;

	snprintf(p, sizeof(p), "/proc/%ld/comm", o->pid);
	if (hd_read_file(ctx, p, &comm, NULL, 256) == 0) {
		comm[strcspn(comm, "\n")] = '\0';
		snprintf(o->comm, sizeof(o->comm), "%s", comm);
	} else {
		snprintf(o->comm, sizeof(o->comm), "?");
	}
}

struct proc_ent {
	long pid;
	long long nfds;
};

static int by_nfds(const void *a, const void *b)
{
	const struct proc_ent *x = a, *y = b;

	if (x->nfds != y->nfds)
		return x->nfds < y->nfds ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Every process, fewest open files first: a daemon holding a port is rarely the process with
 * tens of thousands of connections, so its socket is found before the big fd tables are read.
 * st_size of /proc/PID/fd is the fd count on kernels >= 6.2 (0 before: pid order then). */
static struct proc_ent *list_procs(DIR *proc, size_t *n)
{
	struct proc_ent *v = NULL;
	size_t cap = 0;
	struct dirent *e;

	*n = 0;
	while ((e = readdir(proc))) {
		struct stat st;
		char sub[64];
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(sub, sizeof(sub), "%ld/fd", pid);
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = hd_xrealloc(v, cap * sizeof(*v));
		}
		v[*n].pid = pid;
		v[*n].nfds = fstatat(dirfd(proc), sub, &st, 0) == 0 ? (long long)st.st_size : 0;
		(*n)++;
	}
	if (*n > 1) /* qsort() must not see the NULL of an empty list (an empty /proc) */
		qsort(v, *n, sizeof(*v), by_nfds);
	return v;
}

int sd_find_owners(const struct hd_ctx *ctx, struct sd_owner *o, size_t n, size_t *denied)
{
	char path[4096];
	_cleanup_closedir_ DIR *proc = NULL;
	_cleanup_free_ struct proc_ent *procs = NULL;
	size_t left = 0, nprocs;

	*denied = 0;
	for (size_t i = 0; i < n; i++)
		if (!o[i].pid && o[i].inode)
			left++;
	if (left == 0)
		return 0;
	if (hd_path(ctx, "/proc", path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	proc = opendir(path);
	if (!proc)
		return -errno;
	procs = list_procs(proc, &nprocs);
	for (size_t k = 0; k < nprocs && left > 0; k++) {
		_cleanup_closedir_ DIR *fds = NULL;
		struct dirent *f;
		char sub[64];
		long pid = procs[k].pid;
		int fd;

		/* the runner kills an overrunning probe; stopping first lets it say why */
		if ((k & 63) == 63 && ctx->deadline > 0 && hd_ctx_remaining(ctx) < 0.05)
			return -ETIMEDOUT;
		snprintf(sub, sizeof(sub), "%ld/fd", pid);
		fd = openat(dirfd(proc), sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == EACCES || errno == EPERM)
				(*denied)++;
			continue;
		}
		fds = fdopendir(fd);
		if (!fds) {
			close(fd);
			continue;
		}
		while (left > 0 && (f = readdir(fds))) {
			char link[64];
			ssize_t l;
			uint32_t ino;

			if (f->d_name[0] == '.')
				continue;
			l = readlinkat(dirfd(fds), f->d_name, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = '\0';
			ino = socket_inode(link);
			if (!ino)
				continue;
			for (size_t i = 0; i < n; i++) {
				struct stat st;

				if (o[i].pid || o[i].inode != ino)
					continue;
				o[i].pid = pid;
				o[i].uid = fstat(dirfd(fds), &st) == 0 ? st.st_uid : (uid_t)-1;
				read_comm(ctx, &o[i]);
				left--;
			}
		}
	}
	return 0;
}
