/* unix-socket: a daemon's stream socket exists, has a listener that accepts, and its backlog. */
#include "probe_unix_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>

#include "cleanup.h"
#include "netlink.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

#ifndef TCP_LISTEN
#define TCP_LISTEN 10 /* include/net/tcp_states.h: unix sockets use the same numbers */
#endif

/* ---- parsers ---- */

static int diag_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, UNIX_DIAG_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case UNIX_DIAG_VFS:
		if (mnl_attr_validate2(a, MNL_TYPE_UNSPEC, sizeof(struct unix_diag_vfs)) < 0)
			return MNL_CB_ERROR;
		break;
	case UNIX_DIAG_RQLEN:
		if (mnl_attr_validate2(a, MNL_TYPE_UNSPEC, sizeof(struct unix_diag_rqlen)) < 0)
			return MNL_CB_ERROR;
		break;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

int unix_diag_parse(const struct nlmsghdr *nlh, struct unix_sock_info *out)
{
	const struct nlattr *tb[UNIX_DIAG_MAX + 1] = {0};
	const struct unix_diag_msg *m;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*m)))
		return -EBADMSG;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->udiag_family != AF_UNIX)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*m), diag_attr_cb, tb) < 0)
		return -EBADMSG;
	out->ino = m->udiag_ino;
	out->type = m->udiag_type;
	out->state = m->udiag_state;
	if (tb[UNIX_DIAG_NAME]) {
		const char *p = mnl_attr_get_payload(tb[UNIX_DIAG_NAME]);
		size_t n = mnl_attr_get_payload_len(tb[UNIX_DIAG_NAME]);

		if (n > 108)
			return -EBADMSG;
		memcpy(out->name, p, n);
		out->name[n] = '\0';
		if (n > 0 && p[0] == '\0')
			out->name[0] = '@'; /* abstract, as ss shows it */
	}
	if (tb[UNIX_DIAG_VFS]) {
		const struct unix_diag_vfs *v = mnl_attr_get_payload(tb[UNIX_DIAG_VFS]);
		out->has_vfs = true;
		out->vfs_ino = v->udiag_vfs_ino;
		out->vfs_dev = v->udiag_vfs_dev;
	}
	if (tb[UNIX_DIAG_RQLEN]) {
		const struct unix_diag_rqlen *q = mnl_attr_get_payload(tb[UNIX_DIAG_RQLEN]);
		out->has_rqlen = true;
		out->rqueue = q->udiag_rqueue;
		out->wqueue = q->udiag_wqueue;
	}
	return 0;
}

int unix_diag_match_cb(const struct nlmsghdr *nlh, void *data)
{
	struct unix_diag_match *m = data;
	struct unix_sock_info s;

	if (unix_diag_parse(nlh, &s) < 0) {
		m->err = -EBADMSG;
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* the kernel reports the superblock's dev_t (MAJOR << 20 | MINOR), not stat's encoding */
	if (s.has_vfs && s.vfs_ino == m->vfs_ino && (s.vfs_dev >> 20) == m->major &&
	    (s.vfs_dev & 0xfffff) == m->minor) {
		m->found = true;
		m->info = s;
	}
	return MNL_CB_OK;
}

enum unix_conn_state unix_conn_classify(int err)
{
	switch (err) {
	case 0: return UNIX_CONN_OK;
	case ENOENT:
	case ENOTDIR: return UNIX_CONN_MISSING;
	case ECONNREFUSED: return UNIX_CONN_STALE;
	case EPROTOTYPE: return UNIX_CONN_NOT_STREAM;
	case EAGAIN: return UNIX_CONN_FULL;
	case EACCES:
	case EPERM: return UNIX_CONN_DENIED;
	default: return UNIX_CONN_OTHER;
	}
}

const char *unix_conn_name(enum unix_conn_state s)
{
	static const char *const names[] = {"accepting", "missing", "stale",	  "not-stream",
					    "full",	 "denied",  "not-socket", "error"};
	return (unsigned)s < HD_ARRAY_SIZE(names) ? names[s] : "error";
}

/* ---- transport ---- */

static int diag_lookup(struct unix_diag_match *m, double deadline)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct unix_diag_req *req;
	int rc;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_UNIX;
	req->udiag_states = ~0u; /* a datagram socket is not LISTEN, and we report it too */
	req->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_RQLEN;
	rc = hd_nl_request(NETLINK_SOCK_DIAG, nlh, unix_diag_match_cb, m, deadline);
	return m->err ? m->err : rc;
}

/* One non-blocking connect; 0 with *fd connected, or a positive errno. */
static int try_connect(const char *resolved, int pathfd, int *fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (s < 0)
		return errno;
	/* a path longer than sun_path is reached through the O_PATH fd opened on it */
	if (pathfd >= 0)
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pathfd);
	else
		memcpy(sa.sun_path, resolved, strlen(resolved));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == EINPROGRESS ? 0 : errno;
	*fd = HD_TAKE_FD(s);
	return 0;
}

/* ---- the check ---- */

static const char *file_kind(mode_t m)
{
	return S_ISREG(m)    ? "a regular file"
	       : S_ISDIR(m)  ? "a directory"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISLNK(m)  ? "a symbolic link"
			     : "not a socket";
}

static const char *sock_type(uint8_t t)
{
	return t == SOCK_STREAM	     ? "stream"
	       : t == SOCK_DGRAM     ? "datagram"
	       : t == SOCK_SEQPACKET ? "seqpacket"
				     : "unknown";
}

static void restart(struct hd_result *r, const char *hint, const char *path)
{
	if (hint) {
		hd_result_remedy_add(r, "Restart the daemon: %s", hint);
		hd_result_command_line(r, hint);
	} else
		hd_result_remedy_add(r,
				     "Restart the daemon that creates %s (set restart_hint in "
				     "the check to show its command here).",
				     path);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *path = hd_check_str(c, "path");
	const char *hint = hd_check_str(c, "restart_hint");
	double t_conn = hd_now() + (double)hd_check_int(c, "timeout_ms") / 1000.0;
	char resolved[4096], comm_path[64];
	_cleanup_close_ int pathfd = -1, fd = -1;
	_cleanup_free_ char *comm = NULL;
	struct unix_diag_match m = {0};
	struct ucred cred = {0};
	socklen_t clen = sizeof(cred);
	struct stat st;
	enum unix_conn_state state;
	double t0, ms;
	int err, drc;

	if (path[0] != '/') {
		hd_result_set(r, HD_UNKNOWN, "path '%s' is not absolute", path);
		return -EINVAL;
	}
	if (hd_path(ctx, path, resolved, sizeof(resolved)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "path %s%s is too long", ctx->root, path);
		return -ENAMETOOLONG;
	}
	if (t_conn > ctx->deadline - 0.2)
		t_conn = ctx->deadline - 0.2;

	if (stat(resolved, &st) < 0) {
		err = errno;
		state = unix_conn_classify(err);
		if (state == UNIX_CONN_MISSING) {
			hd_result_set(r, HD_CRITICAL,
				      "%s is missing: the daemon is not running or "
				      "uses another path",
				      path);
			hd_result_remedy(r, "The daemon creates %s when it starts.", path);
			restart(r, hint, path);
			hd_result_remedy_add(r,
					     "If it runs, compare the socket path in its "
					     "configuration with '%s'.",
					     path);
			return 0;
		}
		hd_result_set(r, HD_UNKNOWN, "cannot stat %s: %s%s", resolved, strerror(err),
			      state == UNIX_CONN_DENIED ? " (run as root)" : "");
		return -err;
	}
	if (!S_ISSOCK(st.st_mode)) {
		hd_result_set(r, HD_CRITICAL, "%s is %s, not a socket", path,
			      file_kind(st.st_mode));
		hd_result_remedy(r,
				 "Something else occupies the socket path: move it away "
				 "(mv %s %s.bak) so the daemon can create its socket there.",
				 path, path);
		{
			_cleanup_free_ char *bak = hd_asprintf("%s.bak", path);
			hd_result_command(r, "mv", path, bak, NULL);
		}
		restart(r, hint, path);
		return 0;
	}

	/* the listener's queue before our own connection joins it */
	m.vfs_ino = (uint32_t)st.st_ino;
	m.major = major(st.st_dev);
	m.minor = minor(st.st_dev);
	drc = diag_lookup(&m, ctx->deadline);
	if (drc < 0)
		hd_result_detail(r, "unix_diag (NETLINK_SOCK_DIAG): %s; queue length unknown",
				 strerror(-drc));
	else if (!m.found)
		hd_result_detail(r, "no socket of this network namespace is bound to %s", path);

	if (strlen(resolved) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		pathfd = open(resolved, O_PATH | O_CLOEXEC);
		if (pathfd < 0) {
			err = errno;
			hd_result_set(r, HD_UNKNOWN, "cannot open %s: %s", resolved, strerror(err));
			return -err;
		}
	}
	t0 = hd_now();
	for (;;) {
		struct timespec ts = {0, 50 * 1000 * 1000};

		err = try_connect(resolved, pathfd, &fd);
		/* a full backlog may drain: retry until the connect timeout */
		if (err != EAGAIN || hd_now() + 0.05 >= t_conn)
			break;
		nanosleep(&ts, NULL);
	}
	ms = (hd_now() - t0) * 1000.0;
	state = unix_conn_classify(err);

	if (m.found && m.info.has_rqlen && m.info.state == TCP_LISTEN) {
		hd_result_metric(r, "pending", m.info.rqueue, HD_UNIT_NONE)->has_min = true;
		hd_result_metric(r, "backlog", m.info.wqueue, HD_UNIT_NONE);
	}
	if (m.found) {
		char q[64] = "";

		if (m.info.has_rqlen && m.info.state == TCP_LISTEN)
			snprintf(q, sizeof(q), ", %u pending of backlog %u", m.info.rqueue,
				 m.info.wqueue);
		hd_result_detail(r, "socket inode %u, %s, %s%s", m.info.ino, sock_type(m.info.type),
				 m.info.state == TCP_LISTEN ? "listening" : "not listening", q);
	}

	switch (state) {
	case UNIX_CONN_OK: break;
	case UNIX_CONN_MISSING:
		hd_result_set(r, HD_CRITICAL, "%s vanished while checking it", path);
		restart(r, hint, path);
		return 0;
	case UNIX_CONN_STALE:
		hd_result_set(
		    r, HD_CRITICAL,
		    "%s is stale: connection refused, no process listens on it (the daemon "
		    "exited without removing it)",
		    path);
		hd_result_remedy(r,
				 "The daemon that created %s is gone; restarting it recreates "
				 "the socket. Check its log for why it stopped.",
				 path);
		restart(r, hint, path);
		return 0;
	case UNIX_CONN_NOT_STREAM:
		hd_result_set(r, HD_CRITICAL,
			      "%s is a %s socket, not a stream listener (EPROTOTYPE)", path,
			      m.found ? sock_type(m.info.type) : "datagram");
		hd_result_remedy(r,
				 "Another program owns %s: find it with 'ss -xlp | grep %s' and "
				 "give the daemon its own socket path.",
				 path, path);
		restart(r, hint, path);
		return 0;
	case UNIX_CONN_FULL:
		if (m.found && m.info.has_rqlen)
			hd_result_set(r, HD_CRITICAL,
				      "%s does not accept connections: backlog full (%u pending of "
				      "%u) for %.0f ms",
				      path, m.info.rqueue, m.info.wqueue, ms);
		else
			hd_result_set(r, HD_CRITICAL,
				      "%s does not accept connections: backlog full for %.0f ms",
				      path, ms);
		hd_result_remedy(r,
				 "The daemon is alive but stuck or overloaded (all workers busy).");
		restart(r, hint, path);
		hd_result_remedy_add(r, "If it recurs under load, raise the daemon's worker count; "
					"its listen backlog is capped by net.core.somaxconn.");
		return 0;
	case UNIX_CONN_DENIED:
		hd_result_set(r, HD_UNKNOWN,
			      "cannot connect to %s: %s (needs root or the socket's "
			      "group)",
			      path, strerror(err));
		hd_result_remedy(
		    r, "Run hostdoctor as root, or as a member of the group that owns %s.", path);
		return -err;
	default:
		hd_result_set(r, HD_UNKNOWN, "cannot connect to %s: %s", path, strerror(err));
		return -err;
	}

	hd_result_metric(r, "connect_time", ms, HD_UNIT_MS)->has_min = true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.pid > 0) {
		snprintf(comm_path, sizeof(comm_path), "/proc/%d/comm", (int)cred.pid);
		if (hd_read_file(ctx, comm_path, &comm, NULL, 256) == 0)
			comm[strcspn(comm, "\n")] = '\0';
		hd_result_detail(r, "listener: pid %d (%s), uid %u", (int)cred.pid,
				 comm ? comm : "?", (unsigned)cred.uid);
	}
	if (m.found && m.info.has_rqlen && m.info.wqueue > 0 && m.info.rqueue >= m.info.wqueue) {
		hd_result_set(r, HD_WARNING,
			      "%s accepted this connection as the last one its backlog holds (%u "
			      "pending of %u): the daemon is not keeping up",
			      path, m.info.rqueue, m.info.wqueue);
	} else if (cred.pid > 0) {
		hd_result_set(r, HD_OK, "%s accepts connections: listener pid %d (%s)", path,
			      (int)cred.pid, comm ? comm : "?");
	} else {
		hd_result_set(r, HD_OK, "%s accepts connections", path);
	}
	hd_result_remedy(r, "Connections queue up on %s: the daemon is slow to accept them.", path);
	restart(r, hint, path);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "path", .type = HD_P_STR, .required = true, .help = "the daemon's socket file"},
    {.key = "timeout_ms",
     .type = HD_P_INT,
     .def = "1000",
     .min = 0,
     .max = 60000,
     .help = "how long a full backlog may take to drain before the daemon counts as not "
	     "accepting"},
    {.key = "restart_hint",
     .type = HD_P_STR,
     .help = "the product's restart command, shown in the remedy (systemctl restart NAME)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"pending", "Connections waiting in the listener's accept queue (before this check's own)."},
    {"backlog", "The listener's backlog (listen() argument, capped by net.core.somaxconn)."},
    {"connect_time", "Time connect() took, retries for a full backlog included."},
    {0},
};

const struct hd_probe probe_unix_socket = {
    .name = "unix-socket",
    .summary = "a daemon's unix stream socket: present, listening, accepting, its queue",
    .params = params,
    .metrics = metrics,
    .run = run,
};
