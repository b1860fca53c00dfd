/* port: whether a TCP/UDP port is free (before an install) or held by the right process (a running
 * service), from a sock_diag dump the kernel filters on the port. */
#include "probe_port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "probe.h"
#include "util.h"

/* Owners looked up at most; more holders than this are listed without one. */
#define MAX_OWNERS 64

/* TCP sockets that keep another bind() off the port: listening ones, then (only when the answer
 * depends on them) bound ones. Connected states are left out: asking for them makes the kernel
 * walk its established hash, and they do not block a daemon that sets SO_REUSEADDR. The bound
 * walk goes through the whole bind table (~17 ms per family at 50,000 sockets on the reference
 * machine), so it is skipped once a listener has decided the result. */
#define UDP_STATES (SD_BIT(SD_TCP_CLOSE) | SD_BIT(SD_TCP_ESTABLISHED))

/* Whether any TCP socket at all is bound to PORT in this network namespace, asked the way a
 * daemon asks: bind() to the wildcard address of each family (IPv6 with v6only, so each family
 * is asked once), without SO_REUSEADDR, and close at once. A wildcard bind without SO_REUSEADDR
 * conflicts with every socket bound to the port, whatever its address and state, so two
 * successful binds prove there is no bound-inactive socket to look for; that answer costs two
 * hash lookups, where the kernel's bound-socket dump walks the whole bind table. 0: nothing
 * is bound; 1: something is (EADDRINUSE); negative errno: the test could not be made (EACCES
 * below ip_unprivileged_port_start without CAP_NET_BIND_SERVICE, an LSM refusing the bind). */
static int bind_test(uint16_t port, int *failed_family)
{
	static const int families[] = {AF_INET, AF_INET6};

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		_cleanup_close_ int fd = socket(families[i], SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(port)};
		struct sockaddr_in6 v6 = {.sin6_family = AF_INET6,
					  .sin6_port = htons(port),
					  .sin6_addr = IN6ADDR_ANY_INIT};
		int one = 1;

		*failed_family = families[i];
		if (fd < 0) {
			if (families[i] == AF_INET6 && errno == EAFNOSUPPORT)
				continue; /* no IPv6: no IPv6 socket can hold the port */
			return -errno;
		}
		if (families[i] == AF_INET6 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
			return -errno;
		if (families[i] == AF_INET ? bind(fd, (struct sockaddr *)&v4, sizeof(v4))
					   : bind(fd, (struct sockaddr *)&v6, sizeof(v6))) {
			return errno == EADDRINUSE ? 1 : -errno;
		}
	}
	return 0;
}

static bool is_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

/* ::ffff:a.b.c.d */
static bool is_v4mapped(const uint8_t *a)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a, pfx, 12) == 0;
}

bool port_conflicts(const struct sd_sock *s, int family, const uint8_t *addr)
{
	size_t alen = s->family == AF_INET6 ? 16 : 4;

	if (family == 0 || !addr)
		return true;
	if (s->family == family)
		return is_zero(s->src, alen) || is_zero(addr, alen) ||
		       memcmp(s->src, addr, alen) == 0;
	if (family == AF_INET) {
		/* an IPv6 socket on the same port: only a dual-stack one takes IPv4 too */
		if (s->v6only == 1)
			return false;
		if (is_zero(s->src, 16))
			return true;
		return is_v4mapped(s->src) &&
		       (is_zero(addr, 4) || memcmp(s->src + 12, addr, 4) == 0);
	}
	/* IPv4 socket, IPv6 bind: [::] (dual-stack by default) or the mapped address collide */
	if (is_zero(addr, 16))
		return true;
	return is_v4mapped(addr) && (is_zero(s->src, 4) || memcmp(addr + 12, s->src, 4) == 0);
}

int port_collect(const struct sd_sock *s, void *data)
{
	struct port_scan *scan = data;
	bool holds;

	if (s->sport != scan->port || !port_conflicts(s, scan->family, scan->addr))
		return 0;
	if (scan->proto == IPPROTO_UDP)
		holds = s->state == SD_TCP_CLOSE || s->state == SD_TCP_ESTABLISHED;
	else
		/* the kernel reports bound-inactive sockets (asked for with bit 13) as CLOSE */
		holds = s->state == SD_TCP_LISTEN || s->state == SD_TCP_CLOSE ||
			s->state == SD_TCP_BOUND_INACTIVE;
	if (!holds)
		return 0;
	if (scan->nholders == scan->cap) {
		scan->cap = scan->cap ? scan->cap * 2 : 8;
		scan->holders = hd_xrealloc(scan->holders, scan->cap * sizeof(*scan->holders));
	}
	scan->holders[scan->nholders++] = *s;
	if (scan->proto == IPPROTO_UDP || s->state == SD_TCP_LISTEN)
		scan->listeners++;
	return 0;
}

void port_scan_free(struct port_scan *scan)
{
	free(scan->holders);
	scan->holders = NULL;
}

const char *port_state_name(const struct sd_sock *s, int proto)
{
	static const char *const names[] = {
	    "?",	  "ESTABLISHED", "SYN-SENT",	 "SYN-RECV",   "FIN-WAIT-1",
	    "FIN-WAIT-2", "TIME-WAIT",	 "CLOSE",	 "CLOSE-WAIT", "LAST-ACK",
	    "LISTEN",	  "CLOSING",	 "NEW-SYN-RECV", "BOUND"};

	if (proto == IPPROTO_UDP)
		return s->state == SD_TCP_ESTABLISHED ? "UDP (connected)" : "UDP";
	if (s->state == SD_TCP_CLOSE)
		return "BOUND"; /* a TCP socket in CLOSE is dumped only as bound-inactive */
	return s->state < HD_ARRAY_SIZE(names) ? names[s->state] : "?";
}

static bool parse_address(const char *text, int *family, uint8_t addr[16])
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(text);

	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		snprintf(buf, sizeof(buf), "%.*s", (int)(n - 2), text + 1);
		text = buf;
	}
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static bool owner_matches(const struct sd_owner *o, const char *want)
{
	/* comm is cut at 15 characters */
	return o->pid && strncmp(o->comm, want, 15) == 0 &&
	       (strlen(want) >= 15 || !o->comm[strlen(want)]);
}

struct who {
	struct sd_owner owners[MAX_OWNERS];
	size_t n, denied;
	int rc; /* of the /proc walk */
	bool privileged;
};

/* "nginx (pid 123)" or why there is no name. */
static void describe_owner(const struct who *w, size_t i, const struct sd_sock *s, char *buf,
			   size_t size)
{
	if (i < w->n && w->owners[i].pid)
		snprintf(buf, size, "%s (pid %ld)", w->owners[i].comm, w->owners[i].pid);
	else if (i >= w->n)
		snprintf(buf, size, "owner not looked up (uid %u)", s->uid);
	else if (w->rc == -ETIMEDOUT)
		snprintf(buf, size, "owner unknown (uid %u; the /proc walk reached the deadline)",
			 s->uid);
	else if (w->rc < 0)
		snprintf(buf, size, "owner unknown (uid %u; /proc: %s)", s->uid, strerror(-w->rc));
	else if (!w->privileged && w->denied)
		snprintf(buf, size,
			 "owner unknown (uid %u; needs root: other users' /proc/PID/fd are not "
			 "readable)",
			 s->uid);
	else if (w->denied) /* root without CAP_DAC_READ_SEARCH/CAP_SYS_PTRACE (a sandbox) */
		snprintf(buf, size,
			 "owner unknown (uid %u; %zu processes' /proc/PID/fd not readable: needs "
			 "CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE)",
			 s->uid, w->denied);
	else
		snprintf(buf, size, "no process holds it (uid %u, inode %u)", s->uid, s->inode);
}

static void holder_line(struct hd_result *r, const struct port_scan *scan, const struct who *w,
			size_t i)
{
	const struct sd_sock *s = &scan->holders[i];
	char local[INET6_ADDRSTRLEN + 16], who[160];

	sd_format_local(s, local, sizeof(local));
	describe_owner(w, i, s, who, sizeof(who));
	hd_result_detail(r, "%s %s by %s%s", port_state_name(s, scan->proto), local, who,
			 s->family == AF_INET6 && is_zero(s->src, 16) && s->v6only != 1
			     ? (s->v6only == 0 ? ", also takes IPv4 (v6only=0)"
					       : ", may take IPv4 (v6only not reported)")
			     : "");
}

/* "nginx (pid 1), sshd (pid 2)": the distinct holders, for the summary. */
static char *holder_list(const struct port_scan *scan, const struct who *w, bool listeners_only)
{
	struct hd_buf b = {0};

	for (size_t i = 0; i < scan->nholders; i++) {
		const struct sd_sock *s = &scan->holders[i];
		bool dup = false;
		char who[160];

		if (listeners_only && scan->proto == IPPROTO_TCP && s->state != SD_TCP_LISTEN)
			continue;
		for (size_t j = 0; j < i && i < w->n; j++)
			if (w->owners[j].pid && w->owners[j].pid == w->owners[i].pid)
				dup = true;
		if (dup)
			continue;
		describe_owner(w, i, s, who, sizeof(who));
		if (b.len && strstr(b.data, who))
			continue;
		hd_buf_printf(&b, "%s%s", b.len ? ", " : "", who);
	}
	return hd_buf_steal(&b);
}

/* The stop command of the first holder found by name. */
static void remedy_stop_other(struct hd_result *r, const struct who *w, const char *what,
			      int64_t port, const char *product)
{
	const struct sd_owner *o = NULL;

	for (size_t i = 0; i < w->n && !o; i++)
		if (w->owners[i].pid)
			o = &w->owners[i];
	if (o) {
		char pid[32];

		hd_result_remedy(
		    r,
		    "Stop the other service: %s (pid %ld) holds %s. If it is a systemd "
		    "unit: systemctl disable --now %s (find the unit with "
		    "'systemctl status %ld'); else end it with 'kill %ld'.",
		    o->comm, o->pid, what, o->comm, o->pid, o->pid);
		snprintf(pid, sizeof(pid), "%ld", o->pid);
		hd_result_command(r, "systemctl", "status", pid, NULL);
		hd_result_command(r, "kill", pid, NULL);
	} else {
		char filter[64];

		hd_result_remedy(
		    r,
		    "Find the process holding %s as root (hostdoctor as root names it, "
		    "or: netstat -anp | grep :%lld, or ss -anp 'sport = :%lld') and stop that "
		    "service.",
		    what, (long long)port, (long long)port);
		snprintf(filter, sizeof(filter), "sport = :%lld", (long long)port);
		hd_result_command(r, "ss", "-anp", filter, NULL);
	}
	hd_result_remedy_add(r,
			     "Or move %s to another port than %lld and keep %lld for the other "
			     "service.",
			     product, (long long)port, (long long)port);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	int64_t port = hd_check_int(c, "port");
	const char *address = hd_check_str(c, "address");
	const char *proto = hd_check_str(c, "proto");
	const char *owner = hd_check_str(c, "owner");
	const char *restart = hd_check_str(c, "restart_hint");
	bool want_free = strcmp(hd_check_str(c, "expect"), "free") == 0;
	__attribute__((cleanup(port_scan_free))) struct port_scan scan = {
	    .port = (uint16_t)port,
	    .proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP,
	};
	static const uint8_t families[] = {AF_INET, AF_INET6};
	struct who w = {.privileged = ctx->privileged};
	char what[96];
	int rc;

	if (owner && !*owner)
		owner = NULL;
	if (address && *address) {
		if (!parse_address(address, &scan.family, scan.addr)) {
			hd_result_set(r, HD_UNKNOWN,
				      "address '%s' is neither an IPv4 nor an IPv6 address",
				      address);
			hd_result_remedy(r,
					 "Set 'address' to an address such as 0.0.0.0, 127.0.0.1, "
					 ":: or ::1, or leave it out for every address.");
			return -EINVAL;
		}
		snprintf(what, sizeof(what),
			 scan.family == AF_INET6 && address[0] != '[' ? "%s [%s]:%lld"
								      : "%s %s:%lld",
			 proto, address, (long long)port);
	} else {
		snprintf(what, sizeof(what), "%s/%lld", proto, (long long)port);
	}

	for (size_t pass = 0; pass < 2; pass++) {
		uint32_t states = scan.proto == IPPROTO_UDP ? UDP_STATES
				  : pass == 0		    ? SD_BIT(SD_TCP_LISTEN)
							    : SD_BIT(SD_TCP_BOUND_INACTIVE);

		if (pass == 1 &&
		    (scan.proto == IPPROTO_UDP || !hd_check_bool(c, "bound") || scan.listeners > 0))
			break;
		if (pass == 1 && hd_check_bool(c, "test_bind")) {
			int fam = AF_INET, b = bind_test((uint16_t)port, &fam);

			if (b == 0) {
				hd_result_detail(r,
						 "test bind of 0.0.0.0:%lld and [::]:%lld "
						 "succeeded: no socket is bound to the port",
						 (long long)port, (long long)port);
				break;
			}
			if (b < 0)
				hd_result_detail(r,
						 "test bind of %s:%lld not possible (%s): bound "
						 "sockets looked for in the kernel's bind table",
						 fam == AF_INET ? "0.0.0.0" : "[::]",
						 (long long)port, strerror(-b));
		}
		for (size_t f = 0; f < sizeof(families); f++) {
			struct sd_query q = {
			    .family = families[f],
			    .proto = (uint8_t)scan.proto,
			    .states = states,
			    .port = (uint16_t)port,
			};

			rc = sd_dump(&q, port_collect, &scan, ctx->deadline);
			if (rc < 0 && families[f] == AF_INET6 &&
			    (rc == -ENOENT || rc == -EAFNOSUPPORT || rc == -EPROTONOSUPPORT)) {
				if (pass == 0)
					hd_result_detail(r,
							 "no IPv6 on this host: only IPv4 sockets "
							 "looked at");
				continue;
			}
			if (rc < 0) {
				hd_result_set(
				    r, HD_UNKNOWN,
				    "cannot list %s %s sockets over NETLINK_SOCK_DIAG: %s", proto,
				    families[f] == AF_INET ? "IPv4" : "IPv6", strerror(-rc));
				hd_result_remedy(r,
						 "Load the socket diagnostics modules: modprobe -a "
						 "inet_diag tcp_diag udp_diag");
				hd_result_command(r, "modprobe", "-a", "inet_diag", "tcp_diag",
						  "udp_diag", NULL);
				return rc;
			}
		}
	}
	hd_result_metric(r, "holders", (double)scan.nholders, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "listeners", (double)scan.listeners, HD_UNIT_NONE)->has_min = true;

	w.n = scan.nholders < MAX_OWNERS ? scan.nholders : MAX_OWNERS;
	for (size_t i = 0; i < w.n; i++)
		w.owners[i].inode = scan.holders[i].inode;
	w.rc = sd_find_owners(ctx, w.owners, w.n, &w.denied);
	for (size_t i = 0; i < scan.nholders; i++)
		holder_line(r, &scan, &w, i);

	if (want_free) {
		_cleanup_free_ char *list = holder_list(&scan, &w, false);

		if (scan.nholders) {
			hd_result_set(r, HD_CRITICAL, "%s is not free: held by %s", what, list);
			remedy_stop_other(r, &w, what, port, "the product");
		} else {
			hd_result_set(r, HD_OK, "%s is free", what);
			hd_result_remedy(
			    r,
			    "Stop the service that holds %s (netstat -anp | grep :%lld, "
			    "or ss -anp 'sport = :%lld', names it) or move the product "
			    "to another port.",
			    what, (long long)port, (long long)port);
		}
		return 0;
	}

	if (scan.listeners == 0) {
		_cleanup_free_ char *list = holder_list(&scan, &w, false);

		if (scan.nholders)
			hd_result_set(r, HD_CRITICAL,
				      "nothing listens on %s: bound but not listening by %s", what,
				      list);
		else
			hd_result_set(r, HD_CRITICAL, "nothing listens on %s", what);
		if (restart && *restart)
			hd_result_remedy(
			    r,
			    "Start the service: %s; then read its log for the error "
			    "that kept it from listening (e.g. 'Address already in use': "
			    "netstat -anp | grep :%lld names the holder).",
			    restart, (long long)port);
		else
			hd_result_remedy(
			    r,
			    "Start the service%s%s (systemctl start %s) and read its log for the "
			    "error that kept it from listening (e.g. 'Address already in use').",
			    owner ? " " : "", owner ? owner : "", owner ? owner : "SERVICE");
		if (restart && *restart)
			hd_result_command_line(r, restart);
		else if (owner)
			hd_result_command(r, "systemctl", "start", owner, NULL);
		if (owner)
			hd_result_concerns(r, HD_CONCERN_UNIT, "%s", owner);
		return 0;
	}

	_cleanup_free_ char *list = holder_list(&scan, &w, true);
	if (!owner) {
		hd_result_set(r, HD_OK, "%s is listening: %s", what, list);
		hd_result_remedy(r, "Check the service listening on %s: %s.", what, list);
		return 0;
	}

	size_t right = 0, wrong = 0, unknown = 0;
	const struct sd_owner *other = NULL;
	for (size_t i = 0; i < scan.nholders; i++) {
		if (scan.proto == IPPROTO_TCP && scan.holders[i].state != SD_TCP_LISTEN)
			continue;
		if (i >= w.n || !w.owners[i].pid) {
			unknown++;
		} else if (owner_matches(&w.owners[i], owner)) {
			right++;
		} else {
			wrong++;
			if (!other)
				other = &w.owners[i];
		}
	}
	if (wrong) {
		struct who only = {.n = 1, .privileged = w.privileged};
		char product[128];

		only.owners[0] = *other;
		snprintf(product, sizeof(product), "%s", owner);
		hd_result_set(r, HD_CRITICAL, "%s is held by %s (pid %ld), not by %s", what,
			      other->comm, other->pid, owner);
		remedy_stop_other(r, &only, what, port, product);
		return 0;
	}
	if (right) {
		hd_result_set(r, HD_OK, "%s listens on %s", owner, what);
		hd_result_remedy(r, "Check %s, which listens on %s.", owner, what);
		return 0;
	}
	(void)unknown;
	hd_result_set(r, HD_UNKNOWN, "%s is listening, but whether by %s is unknown: %s", what,
		      owner, list);
	hd_result_remedy(r, "Run the check as root: the owner of another user's socket shows only "
			    "in /proc/PID/fd, which needs root to read.");
	return -EACCES;
}

static const struct hd_param params[] = {
    {.key = "port",
     .type = HD_P_INT,
     .required = true,
     .min = 1,
     .max = 65535,
     .help = "the port (local port of the sockets)"},
    {.key = "address",
     .type = HD_P_STR,
     .help = "the address the product binds (0.0.0.0, ::, 127.0.0.1); default: any address"},
    {.key = "proto", .type = HD_P_ENUM, .def = "tcp", .choices = "tcp|udp", .help = "tcp or udp"},
    {.key = "expect",
     .type = HD_P_ENUM,
     .required = true,
     .choices = "free|listening",
     .help = "free: nothing may hold the port (before an install); listening: a service must"},
    {.key = "bound",
     .type = HD_P_BOOL,
     .def = "yes",
     .help = "also find TCP sockets bound but not listening (kernel >= 6.5) when no listener is"},
    {.key = "test_bind",
     .type = HD_P_BOOL,
     .def = "yes",
     .help = "with bound: first bind the port for an instant (wildcard, no SO_REUSEADDR); when "
	     "that works nothing is bound and the bind table is not walked"},
    {.key = "owner",
     .type = HD_P_STR,
     .help = "expect = listening: process name (comm) that must hold the port"},
    {.key = "restart_hint",
     .type = HD_P_STR,
     .help = "the product's start command, in the remedy when nothing listens"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"holders", "Sockets holding the port: listening or bound TCP sockets, UDP sockets."},
    {"listeners", "Holders that accept traffic (TCP LISTEN, any UDP socket)."},
    {0},
};

const struct hd_probe probe_port = {
    .name = "port",
    .summary = "a TCP/UDP port is free, or listened on by the expected process",
    .params = params,
    .metrics = metrics,
    .run = run,
};
