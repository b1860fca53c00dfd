/* What the live host runs: long-running processes (libproc2), listening sockets (sock_diag and
 * the /proc fd walk of sockdiag.c), enabled services (the systemd unit directories' wants
 * links: files, never systemctl). */
#include "baseline.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libproc2/pids.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "lazylib.h"
#include "paths.h"
#include "probe.h"
#include "sockdiag.h"
#include "util.h"

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h: a kernel thread */

/* ---- parsers on bytes ---- */

/* The cgroup path of the unified hierarchy ("0::/x"), else of name=systemd; NULL if neither. */
static char *cgroup_path(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	char *v1 = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - p);

		if (n >= 3 && strncmp(p, "0::", 3) == 0) {
			free(v1);
			return hd_xstrndup(p + 3, n - 3);
		}
		const char *c = memchr(p, ':', n);
		if (c && !v1 && (size_t)(le - c) > 14 && strncmp(c, ":name=systemd:", 14) == 0)
			v1 = hd_xstrndup(c + 14, (size_t)(le - c - 14));
		p = le + (nl ? 1 : 0);
	}
	return v1;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

char *bl_cgroup_unit(const char *buf, size_t len)
{
	_cleanup_free_ char *path = cgroup_path(buf, len);
	const char *p = path;

	if (!path)
		return NULL;
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (!has_suffix(p, n, ".slice")) {
			/* a unit name has a type suffix; anything else (a container's id) is not */
			static const char *const types[] = {".service", ".scope", ".socket",
							    ".mount", ".swap"};
			for (size_t i = 0; i < HD_ARRAY_SIZE(types); i++)
				if (has_suffix(p, n, types[i]) && n > strlen(types[i]))
					return hd_xstrndup(p, n);
			return NULL;
		}
		p += n;
	}
	return NULL;
}

bool bl_cgroup_is_session(const char *buf, size_t len)
{
	_cleanup_free_ char *path = cgroup_path(buf, len);
	_cleanup_free_ char *unit = NULL;

	if (!path)
		return false;
	if (strncmp(path, "/user.slice/", 12) == 0)
		return true;
	unit = bl_cgroup_unit(buf, len);
	return unit && fnmatch("session-*.scope", unit, 0) == 0;
}

bool bl_is_superserver(const char *comm)
{
	/* comm is cut at 15 characters: systemd-socket-activate shows as "systemd-socket-" */
	static const char *const names[] = {"inetd", "xinetd", "rlinetd", "systemd-socket-"};

	for (size_t i = 0; comm && i < HD_ARRAY_SIZE(names); i++)
		if (strcmp(comm, names[i]) == 0)
			return true;
	return false;
}

size_t bl_socket_unit_ports(const char *buf, size_t len, uint16_t *ports, bool *tcp, size_t max)
{
	const char *p = buf, *end = buf + len;
	size_t n = 0;

	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		char line[512];
		size_t l = (size_t)(le - p);
		bool stream;
		char *v, *colon;
		unsigned long port;

		snprintf(line, sizeof(line), "%.*s", (int)(l < 511 ? l : 511), p);
		p = le + (nl ? 1 : 0);
		v = line + strspn(line, " \t");
		if (strncmp(v, "ListenStream=", 13) == 0)
			stream = true;
		else if (strncmp(v, "ListenDatagram=", 15) == 0)
			stream = false;
		else
			continue;
		v = strchr(v, '=') + 1;
		v[strcspn(v, " \t\r")] = '\0';
		/* "22", "0.0.0.0:22", "[::]:22"; a path or an abstract name has no port */
		colon = strrchr(v, ':');
		if (colon)
			v = colon + 1;
		if (!*v || strspn(v, "0123456789") != strlen(v))
			continue;
		port = strtoul(v, NULL, 10);
		if (port == 0 || port > 65535)
			continue;
		ports[n] = (uint16_t)port;
		tcp[n] = stream;
		n++;
	}
	return n;
}

uint32_t bl_uid_min(const char *buf, size_t len, uint32_t def)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		char line[256];
		size_t l = (size_t)(le - p);
		char *v, *e;
		unsigned long u;

		snprintf(line, sizeof(line), "%.*s", (int)(l < 255 ? l : 255), p);
		p = le + (nl ? 1 : 0);
		v = line + strspn(line, " \t");
		if (strncmp(v, "UID_MIN", 7) != 0 || !isspace((unsigned char)v[7]))
			continue;
		v += 7 + strspn(v + 7, " \t");
		u = strtoul(v, &e, 10);
		if (e != v && u <= UINT32_MAX)
			def = (uint32_t)u;
	}
	return def;
}

/* ---- enabled services ---- */

static int by_unit(const void *a, const void *b)
{
	const struct bl_service *x = a, *y = b;
	int c = strcmp(x->unit, y->unit);
	return c ? c : strcmp(x->wanted_by, y->wanted_by);
}

/* Every NAME.wants/ and NAME.requires/ link in /etc/systemd/system: what `systemctl enable`
 * made. */
static void collect_services(const struct hd_ctx *ctx, struct baseline *b)
{
	char dir[4096];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	size_t cap = 0;

	if (hd_path(ctx, "/etc/systemd/system", dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		size_t cut = has_suffix(e->d_name, n, ".wants")	     ? 6
			     : has_suffix(e->d_name, n, ".requires") ? 9
								     : 0;
		_cleanup_closedir_ DIR *w = NULL;
		struct dirent *u;
		char sub[4400];

		if (!cut || e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (!(w = opendir(sub)))
			continue;
		while ((u = readdir(w))) {
			struct stat st;
			if (u->d_name[0] == '.' || !strchr(u->d_name, '.') ||
			    fstatat(dirfd(w), u->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    S_ISDIR(st.st_mode))
				continue;
			if (b->nsvcs == cap) {
				cap = cap ? cap * 2 : 32;
				b->svcs = hd_xrealloc(b->svcs, cap * sizeof(*b->svcs));
			}
			b->svcs[b->nsvcs].unit = hd_xstrdup(u->d_name);
			b->svcs[b->nsvcs].wanted_by = hd_xstrndup(e->d_name, n - cut);
			b->nsvcs++;
		}
	}
	if (b->nsvcs > 1)
		qsort(b->svcs, b->nsvcs, sizeof(*b->svcs), by_unit);
}

static bool service_enabled(const struct baseline *b, const char *unit)
{
	for (size_t i = 0; i < b->nsvcs; i++)
		if (strcmp(b->svcs[i].unit, unit) == 0)
			return true;
	return false;
}

/* The unit of a process belongs to an enabled socket unit (foo.service, foo@x.service for
 * foo.socket): it runs on demand. */
static bool unit_socket_activated(const struct baseline *b, const char *unit)
{
	char sock[300];
	size_t n;

	if (!unit || !has_suffix(unit, strlen(unit), ".service"))
		return false;
	n = strcspn(unit, "@");
	if (n == strlen(unit))
		n -= 8;
	snprintf(sock, sizeof(sock), "%.*s.socket", (int)n, unit);
	return service_enabled(b, sock);
}

struct sock_port {
	uint16_t port;
	bool tcp;
	char *unit;
};

/* Ports of the enabled socket units, read from their unit files. */
static size_t socket_ports(const struct hd_ctx *ctx, const struct baseline *b,
			   struct sock_port **out)
{
	static const char *const dirs[] = {"/etc/systemd/system", "/run/systemd/system",
					   "/lib/systemd/system", "/usr/lib/systemd/system"};
	struct sock_port *v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < b->nsvcs; i++) {
		const char *u = b->svcs[i].unit;
		bool dup = false;

		if (!has_suffix(u, strlen(u), ".socket"))
			continue;
		for (size_t k = 0; k < n; k++)
			dup |= strcmp(v[k].unit, u) == 0;
		if (dup)
			continue;
		for (size_t d = 0; d < HD_ARRAY_SIZE(dirs); d++) {
			_cleanup_free_ char *text = NULL;
			char path[600];
			uint16_t ports[16];
			bool tcp[16];
			size_t len, np;

			snprintf(path, sizeof(path), "%s/%s", dirs[d], u);
			if (hd_read_file(ctx, path, &text, &len, 1 << 20) < 0)
				continue;
			np = bl_socket_unit_ports(text, len, ports, tcp, 16);
			v = hd_xrealloc(v, (n + np + 1) * sizeof(*v));
			for (size_t k = 0; k < np; k++)
				v[n++] = (struct sock_port){ports[k], tcp[k], hd_xstrdup(u)};
			break;
		}
	}
	*out = v;
	return n;
}

/* ---- processes ---- */

#ifndef HD_LIBPROC2_SONAME
#define HD_LIBPROC2_SONAME "libproc2.so.0"
#endif

static struct {
	__typeof__(procps_pids_new) *pids_new;
	__typeof__(procps_pids_reap) *pids_reap;
	__typeof__(procps_pids_unref) *pids_unref;
} proc2;

static void pids_unrefp(struct pids_info **p)
{
	if (*p)
		proc2.pids_unref(p);
}

enum { I_PID, I_PPID, I_STATE, I_EUID, I_EUSER, I_AGE, I_CMD, I_CMDLINE, I_EXE, I_FLAGS, I_TTY };
static enum pids_item items[] = {PIDS_ID_PID,	PIDS_ID_PPID,	   PIDS_STATE, PIDS_ID_EUID,
				 PIDS_ID_EUSER, PIDS_TIME_ELAPSED, PIDS_CMD,   PIDS_CMDLINE,
				 PIDS_EXE,	PIDS_FLAGS,	   PIDS_TTY};

/* One process of the table, as read. */
struct praw {
	long pid, ppid;
	uint32_t uid;
	double age;
	const char *comm, *cmdline, *user; /* owned by libproc2's stacks */
	char *exe, *unit;
	bool skip, on_demand;
};

static char *clean_exe(const char *exe)
{
	size_t n;

	if (!exe || !*exe || strcmp(exe, "-") == 0)
		return hd_xstrdup("");
	n = strlen(exe);
	/* the program was replaced on disk (a package upgrade): the same program */
	if (has_suffix(exe, n, " (deleted)"))
		n -= 10;
	return hd_xstrndup(exe, n);
}

static const struct praw *find_raw(const struct praw *v, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			return &v[i];
	return NULL;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int by_proc(const void *a, const void *b)
{
	const struct bl_proc *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->exe, y->exe);
	if (!c)
		c = strcmp(x->user, y->user);
	if (!c)
		c = strcmp(x->unit ? x->unit : "", y->unit ? y->unit : "");
	return c;
}

static void add_proc(struct baseline *b, const struct praw *r, size_t *cap)
{
	for (size_t i = 0; i < b->nprocs; i++) {
		struct bl_proc *p = &b->procs[i];
		if (strcmp(p->name, r->comm) == 0 && strcmp(p->exe, r->exe) == 0 &&
		    p->uid == r->uid && same_str(p->unit, r->unit)) {
			p->count++;
			if (r->age > p->age) {
				p->age = r->age;
				p->pid = r->pid;
				free(p->cmdline);
				p->cmdline = hd_xstrdup(r->cmdline);
			}
			return;
		}
	}
	if (b->nprocs == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		b->procs = hd_xrealloc(b->procs, *cap * sizeof(*b->procs));
	}
	b->procs[b->nprocs++] = (struct bl_proc){
	    .name = hd_xstrdup(r->comm),
	    .exe = hd_xstrdup(r->exe),
	    .user = r->user && *r->user ? hd_xstrdup(r->user) : hd_asprintf("%u", r->uid),
	    .uid = r->uid,
	    .count = 1,
	    .unit = hd_xstrdup_null(r->unit),
	    .cmdline = hd_xstrdup(r->cmdline),
	    .age = r->age,
	    .pid = r->pid,
	    .on_demand = r->on_demand,
	};
}

/* ---- listeners ---- */

struct lcollect {
	struct bl_listen *v;
	size_t n, cap;
	uint32_t *inodes;
	const char *proto;
	bool udp;
	unsigned eph_lo, eph_hi;
};

static int listen_cb(const struct sd_sock *s, void *data)
{
	struct lcollect *c = data;
	char a[INET6_ADDRSTRLEN] = "?";

	/* a bound UDP socket on an ephemeral port is a client's (a resolver, DHCP) */
	if (c->udp && s->sport >= c->eph_lo && s->sport <= c->eph_hi)
		return 0;
	if (c->udp && s->state != SD_TCP_CLOSE)
		return 0;
	inet_ntop(s->family, s->src, a, sizeof(a));
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].port == s->sport && strcmp(c->v[i].proto, c->proto) == 0 &&
		    strcmp(c->v[i].addr, a) == 0)
			return 0; /* SO_REUSEPORT: one listener for the service */
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->v = hd_xrealloc(c->v, c->cap * sizeof(*c->v));
		c->inodes = hd_xrealloc(c->inodes, c->cap * sizeof(*c->inodes));
	}
	c->v[c->n] = (struct bl_listen){.port = s->sport, .addr = hd_xstrdup(a)};
	snprintf(c->v[c->n].proto, sizeof(c->v[c->n].proto), "%s", c->proto);
	c->inodes[c->n] = s->inode;
	c->n++;
	return 0;
}

static int by_listen(const void *a, const void *b)
{
	const struct bl_listen *x = a, *y = b;
	int c = strcmp(x->proto, y->proto);
	if (!c)
		c = (int)x->port - (int)y->port;
	return c ? c : strcmp(x->addr, y->addr);
}

static int collect_listeners(const struct hd_ctx *ctx, const struct bl_collect_opts *o,
			     const struct praw *raw, size_t nraw, const struct sock_port *sp,
			     size_t nsp, struct baseline *b, char *err, size_t errlen)
{
	struct lcollect c = {.eph_lo = 32768, .eph_hi = 60999};
	_cleanup_free_ char *range = NULL;
	_cleanup_free_ struct sd_owner *own = NULL;
	const struct hd_ctx live = {.root = "", .deadline = ctx->deadline};
	size_t denied = 0;

	if (hd_read_file(&live, "/proc/sys/net/ipv4/ip_local_port_range", &range, NULL, 256) == 0)
		sscanf(range, "%u %u", &c.eph_lo, &c.eph_hi);
	for (int udp = 0; udp <= 1; udp++)
		for (int f = 0; f < 2; f++) {
			struct sd_query q = {
			    .family = f ? AF_INET6 : AF_INET,
			    .proto = udp ? IPPROTO_UDP : IPPROTO_TCP,
			    .states = udp ? SD_BIT(SD_TCP_CLOSE) : SD_BIT(SD_TCP_LISTEN),
			};
			int rc;

			c.proto = udp ? "udp" : "tcp";
			c.udp = udp;
			rc = sd_dump(&q, listen_cb, &c, ctx->deadline);
			if (rc < 0 && !(f && rc == -ENOENT)) { /* no IPv6: nothing to list */
				snprintf(err, errlen,
					 "cannot list the %s sockets (NETLINK_SOCK_DIAG): %s",
					 c.proto, strerror(-rc));
				for (size_t i = 0; i < c.n; i++)
					free(c.v[i].addr);
				free(c.v);
				free(c.inodes);
				return rc;
			}
		}
	if (o->need_owners && c.n) {
		own = hd_xcalloc(c.n, sizeof(*own));
		for (size_t i = 0; i < c.n; i++)
			own[i].inode = c.inodes[i];
		sd_find_owners(&live, own, c.n, &denied);
	}
	for (size_t i = 0; i < c.n; i++) {
		struct bl_listen *l = &c.v[i];
		const struct praw *r = own && own[i].pid ? find_raw(raw, nraw, own[i].pid) : NULL;

		if (own && own[i].pid) {
			l->pid = own[i].pid;
			l->owner = hd_xstrdup(r && r->comm ? r->comm : own[i].comm);
		}
		if (r) {
			l->exe = *r->exe ? hd_xstrdup(r->exe) : NULL;
			l->user =
			    r->user && *r->user ? hd_xstrdup(r->user) : hd_asprintf("%u", r->uid);
			l->unit = hd_xstrdup_null(r->unit);
			l->cmdline = r->cmdline && *r->cmdline ? hd_xstrdup(r->cmdline) : NULL;
		}
		if (l->pid == 1 && l->owner && strcmp(l->owner, "systemd") == 0)
			l->act = BL_ACT_SYSTEMD;
		else if (bl_is_superserver(l->owner))
			l->act = BL_ACT_INETD;
		/* a socket unit's port: systemd holds it, whoever it passed it to */
		for (size_t k = 0; k < nsp; k++)
			if (sp[k].port == l->port && sp[k].tcp == (strcmp(l->proto, "tcp") == 0)) {
				l->act = BL_ACT_SYSTEMD;
				l->socket_unit = hd_xstrdup(sp[k].unit);
				break;
			}
	}
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(*c.v), by_listen);
	free(c.inodes);
	b->ls = c.v;
	b->nls = c.n;
	return 0;
}

int bl_collect(const struct hd_ctx *ctx, const struct bl_collect_opts *o, struct baseline *b,
	       char *err, size_t errlen)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(proc2, pids_new, "procps_pids_new"),
	    HD_LAZY_SYM(proc2, pids_reap, "procps_pids_reap"),
	    HD_LAZY_SYM(proc2, pids_unref, "procps_pids_unref"),
	    {0},
	};
	__attribute__((cleanup(pids_unrefp))) struct pids_info *info = NULL;
	/* libproc2 reads the running system's /proc: the cgroups are read from there too */
	const struct hd_ctx live = {.root = "", .deadline = ctx->deadline};
	struct pids_fetch *fetch;
	_cleanup_free_ struct praw *raw = NULL;
	_cleanup_free_ struct sock_port *sp = NULL;
	char self[4096] = "", why[256];
	size_t n = 0, cap = 0, nsp;
	ssize_t sl;
	int rc;

	memset(b, 0, sizeof(*b));
	b->version = BL_VERSION;
	b->min_age = o->min_age;
	collect_services(ctx, b);
	nsp = socket_ports(ctx, b, &sp);

	if (!proc2.pids_unref && hd_lazy_load(HD_LIBPROC2_SONAME, syms, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "cannot load libproc2: %s", why);
		rc = -ENOENT;
		goto out;
	}
	rc = proc2.pids_new(&info, items, (int)HD_ARRAY_SIZE(items));
	if (rc < 0) {
		snprintf(err, errlen, "cannot read the process table (libproc2): %s",
			 strerror(-rc));
		goto out;
	}
	fetch = proc2.pids_reap(info, PIDS_FETCH_TASKS_ONLY);
	if (!fetch) {
		rc = errno ? -errno : -EIO;
		snprintf(err, errlen, "cannot read the process table from /proc (libproc2): %s",
			 strerror(-rc));
		goto out;
	}
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[sl > 0 ? sl : 0] = '\0';
	n = (size_t)fetch->counts->total;
	raw = hd_xcalloc(n + 1, sizeof(*raw));
	for (size_t i = 0; i < n; i++) {
		struct pids_stack *st = fetch->stacks[i];
		struct praw *r = &raw[i];
		_cleanup_free_ char *cg = NULL;
		char path[64];
		size_t cl = 0;
		char state = PIDS_VAL(I_STATE, s_ch, st, info);
		unsigned long flags = PIDS_VAL(I_FLAGS, ul_int, st, info);
		int tty = PIDS_VAL(I_TTY, s_int, st, info);

		r->pid = PIDS_VAL(I_PID, s_int, st, info);
		r->ppid = PIDS_VAL(I_PPID, s_int, st, info);
		r->uid = PIDS_VAL(I_EUID, u_int, st, info);
		r->user = PIDS_VAL(I_EUSER, str, st, info);
		r->age = PIDS_VAL(I_AGE, real, st, info);
		r->comm = PIDS_VAL(I_CMD, str, st, info);
		r->cmdline = PIDS_VAL(I_CMDLINE, str, st, info);
		r->exe = clean_exe(PIDS_VAL(I_EXE, str, st, info));
		snprintf(path, sizeof(path), "/proc/%ld/cgroup", r->pid);
		if (hd_read_file(&live, path, &cg, &cl, 1 << 16) == 0)
			r->unit = bl_cgroup_unit(cg, cl);
		/* kernel threads, zombies, login sessions, programs on a terminal (a daemon has
		 * none; a getty is the exception) and hostdoctor itself are not services */
		r->skip = (flags & PF_KTHREAD) || r->pid == 2 || r->ppid == 2 || state == 'Z' ||
			  (cg && bl_cgroup_is_session(cg, cl)) ||
			  (tty != 0 && !(r->comm && fnmatch("*getty", r->comm, 0) == 0)) ||
			  (*self && strcmp(r->exe, self) == 0);
	}
	for (size_t i = 0; i < n; i++) {
		const struct praw *parent = find_raw(raw, n, raw[i].ppid);
		raw[i].on_demand = (parent && bl_is_superserver(parent->comm)) ||
				   unit_socket_activated(b, raw[i].unit);
	}
	for (size_t i = 0; i < n; i++) {
		if (raw[i].skip || raw[i].on_demand || !raw[i].comm)
			continue;
		if (!o->keep_young && raw[i].age < (double)o->min_age)
			continue;
		add_proc(b, &raw[i], &cap);
	}
	if (b->nprocs > 1)
		qsort(b->procs, b->nprocs, sizeof(*b->procs), by_proc);
	rc = collect_listeners(ctx, o, raw, n, sp, nsp, b, err, errlen);
out:
	for (size_t i = 0; raw && i < n; i++) {
		free(raw[i].exe);
		free(raw[i].unit);
	}
	for (size_t i = 0; i < nsp; i++)
		free(sp[i].unit);
	if (rc < 0)
		bl_free(b);
	return rc;
}
