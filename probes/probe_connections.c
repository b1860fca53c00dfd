/* connections: established connections on a service's port against its configured maximum, the
 * listener's accept queue, and the memory they take, from a sock_diag dump filtered on the port. */
#include "probe_connections.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include <pthread.h>
#include <unistd.h>
#include "util.h"

int conn_collect(const struct sd_sock *s, void *data)
{
	struct conn_count *n = data;

	if (s->sport != n->port)
		return 0;
	if (s->state == SD_TCP_ESTABLISHED) {
		n->established++;
	} else if (s->state == SD_TCP_LISTEN) {
		n->listeners++;
		n->pending += s->rqueue;
		n->backlog += s->wqueue;
		/* the kernel drops handshakes once the queue is longer than the backlog; at the
		 * backlog the next one fills it */
		if (s->rqueue > 0 && s->rqueue >= s->wqueue)
			n->full++;
	}
	return 0;
}

int meminfo_kb(const char *bytes, size_t len, const char *key, uint64_t *kb)
{
	const char *p = bytes, *end = bytes + len;
	size_t kl = strlen(key);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > kl && memcmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *q = p + kl + 1;
			uint64_t v = 0;

			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (q == le || !isdigit((unsigned char)*q))
				return -EINVAL;
			for (; q < le && isdigit((unsigned char)*q); q++) {
				if (v > (UINT64_MAX - 9) / 10)
					return -EINVAL;
				v = v * 10 + (uint64_t)(*q - '0');
			}
			while (q < le && *q == ' ')
				q++;
			if (q != le && !(le - q == 2 && memcmp(q, "kB", 2) == 0))
				return -EINVAL;
			*kb = v;
			return 0;
		}
		p = le + 1;
	}
	return -ENOENT;
}

/* One share of the established count: the connections whose remote port is in [lo, hi]. */
struct shard {
	struct sd_query q;
	struct conn_count n;
	double deadline;
	int rc;
	pthread_t thread;
};

static void *count_shard(void *arg)
{
	struct shard *s = arg;

	s->rc = sd_dump(&s->q, conn_collect, &s->n, s->deadline);
	return NULL;
}

/* Count established connections of one family. The kernel fills one message per connection
 * (about 1 us each) and that is most of the cost with thousands of them, so with several CPUs
 * the count is split by remote port, one dump per CPU, each filling only its share. The
 * shares follow the ephemeral range, where clients' ports are. */
static int count_established(const struct hd_ctx *ctx, uint8_t family, uint16_t port,
			     struct conn_count *total)
{
	struct shard sh[4];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int nsh = cpus < 1 ? 1 : cpus > 4 ? 4 : (int)cpus, started = 0, rc = 0;
	unsigned lo = 32768, hi = 60999;
	_cleanup_free_ char *range = NULL;

	if (hd_read_file(ctx, "/proc/sys/net/ipv4/ip_local_port_range", &range, NULL, 256) == 0)
		if (sscanf(range, "%u %u", &lo, &hi) != 2 || lo > hi || hi > 65535)
			lo = 32768, hi = 60999;
	for (int i = 0; i < nsh; i++) {
		unsigned a = i == 0 ? 1 : lo + (hi - lo + 1) * (unsigned)i / (unsigned)nsh;
		unsigned b = i == nsh - 1
				 ? 65535
				 : lo + (hi - lo + 1) * (unsigned)(i + 1) / (unsigned)nsh - 1;

		sh[i] = (struct shard){
		    .q = {.family = family,
			  .proto = IPPROTO_TCP,
			  .states = SD_BIT(SD_TCP_ESTABLISHED),
			  .port = port,
			  .dport_lo = (uint16_t)a,
			  .dport_hi = (uint16_t)b,
			  .header_only = true},
		    .n = {.port = port},
		    .deadline = ctx->deadline,
		};
		if (nsh == 1)
			sh[i].q.dport_lo = sh[i].q.dport_hi = 0; /* one dump, no range */
	}
	for (int i = 1; i < nsh; i++) /* the first share runs on this thread */
		if (pthread_create(&sh[i].thread, NULL, count_shard, &sh[i]) == 0)
			started = i;
		else
			break;
	count_shard(&sh[0]);
	for (int i = 1; i <= started; i++)
		pthread_join(sh[i].thread, NULL);
	for (int i = started + 1; i < nsh; i++) /* threads that could not start: here */
		count_shard(&sh[i]);
	for (int i = 0; i < nsh; i++) {
		if (sh[i].rc < 0 && rc == 0)
			rc = sh[i].rc;
		total->established += sh[i].n.established;
	}
	return rc;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	int64_t port = hd_check_int(c, "port");
	int64_t max = hd_check_int(c, "max");
	int64_t per_kb = hd_check_int(c, "per_connection_kb");
	int64_t advised = hd_check_int(c, "max_advised");
	const char *note = hd_check_str(c, "note");
	struct conn_count n = {.port = (uint16_t)port};
	static const uint8_t families[] = {AF_INET, AF_INET6};
	_cleanup_free_ char *meminfo = NULL;
	uint64_t total_kb = 0;
	char mem[32], memmax[32], ram[32];
	int rc;

	/* listeners first (a cheap walk of the listening hash), then connections only in the
	 * families that have a listener: each established dump walks every connection of the
	 * host, and a dual-stack listener's IPv4 clients show in the IPv6 dump anyway */
	bool listens[2] = {false, false};
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t f = 0; f < sizeof(families); f++) {
			struct sd_query q = {
			    .family = families[f],
			    .proto = IPPROTO_TCP,
			    .states = SD_BIT(pass == 0 ? SD_TCP_LISTEN : SD_TCP_ESTABLISHED),
			    .port = (uint16_t)port,
			};
			uint64_t before = n.listeners;

			if (pass == 1 && (listens[0] || listens[1]) && !listens[f])
				continue;
			rc = pass == 0 ? sd_dump(&q, conn_collect, &n, ctx->deadline)
				       : count_established(ctx, families[f], (uint16_t)port, &n);
			if (rc < 0 && families[f] == AF_INET6 &&
			    (rc == -ENOENT || rc == -EAFNOSUPPORT || rc == -EPROTONOSUPPORT))
				continue;
			if (rc < 0) {
				hd_result_set(
				    r, HD_UNKNOWN,
				    "cannot list TCP %s sockets over NETLINK_SOCK_DIAG: %s",
				    families[f] == AF_INET ? "IPv4" : "IPv6", strerror(-rc));
				hd_result_remedy(r,
						 "Load the socket diagnostics modules: modprobe -a "
						 "inet_diag tcp_diag");
				return rc;
			}
			if (pass == 0)
				listens[f] = n.listeners > before;
		}
	}

	hd_result_metric(r, "established", (double)n.established, HD_UNIT_NONE)->has_min = true;
	if (max > 0)
		hd_metric_bounds(hd_result_metric(r, "used",
						  (double)n.established * 100.0 / (double)max,
						  HD_UNIT_PERCENT),
				 0, 100);
	hd_result_metric(r, "accept_queue", (double)n.pending, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "backlog", (double)n.backlog, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "memory", (double)n.established * (double)per_kb, HD_UNIT_KB)->has_min =
	    true;
	hd_fmt_bytes((double)n.established * (double)per_kb * 1024, mem, sizeof(mem));
	hd_fmt_bytes((double)max * (double)per_kb * 1024, memmax, sizeof(memmax));
	if (hd_read_file(ctx, "/proc/meminfo", &meminfo, NULL, 1 << 16) == 0 &&
	    meminfo_kb(meminfo, strlen(meminfo), "MemTotal", &total_kb) == 0)
		hd_fmt_bytes((double)total_kb * 1024, ram, sizeof(ram));
	else
		total_kb = 0;

	if (n.listeners == 0 && n.established == 0) {
		hd_result_set(r, HD_SKIPPED, "nothing listens on tcp/%lld: no service to look at",
			      (long long)port);
		return 0;
	}

	if (max > 0)
		hd_result_set(r, HD_OK,
			      "%" PRIu64
			      " established connections on tcp/%lld of %lld allowed (%.0f%%), "
			      "about %s",
			      n.established, (long long)port, (long long)max,
			      (double)n.established * 100.0 / (double)max, mem);
	else
		hd_result_set(r, HD_OK, "%" PRIu64 " established connections on tcp/%lld, about %s",
			      n.established, (long long)port, mem);
	if (n.listeners)
		hd_result_detail(r,
				 "accept queue: %" PRIu64 " pending of a backlog of %" PRIu64
				 " (%" PRIu64 " listener%s)",
				 n.pending, n.backlog, n.listeners, n.listeners == 1 ? "" : "s");
	else
		hd_result_detail(r,
				 "nothing listens on tcp/%lld any more; these connections remain",
				 (long long)port);
	hd_result_detail(r, "memory: about %s at %lld KB per connection", mem, (long long)per_kb);

	if (max > 0 && n.established >= (uint64_t)max) {
		hd_result_set(r, HD_CRITICAL,
			      "maximum connections reached: %" PRIu64
			      " established on tcp/%lld, the "
			      "limit is %lld",
			      n.established, (long long)port, (long long)max);
	} else if (n.full) {
		hd_result_set(r, HD_CRITICAL,
			      "accept queue full on tcp/%lld (%" PRIu64 " pending, backlog %" PRIu64
			      "): the service takes no new connections",
			      (long long)port, n.pending, n.backlog);
	} else if (max > 0 && n.established * 10 >= (uint64_t)max * 9) {
		hd_result_raise(r, HD_WARNING);
		hd_result_detail(
		    r, "%" PRIu64 " of %lld allowed connections are in use (90%% or more)",
		    n.established, (long long)max);
	}
	if (advised > 0 && max > advised) {
		hd_result_raise(r, HD_WARNING);
		hd_result_detail(r, "max = %lld is above the %lld the product advises",
				 (long long)max, (long long)advised);
	}
	if (max > 0 && total_kb && (uint64_t)max * (uint64_t)per_kb > total_kb) {
		hd_result_raise(r, HD_WARNING);
		hd_result_detail(r,
				 "at %lld connections the service needs about %s, more than the %s "
				 "of RAM",
				 (long long)max, memmax, ram);
	}

	if (advised > 0 && max >= advised)
		hd_result_remedy(r,
				 "The limit (%lld) is at or above %lld: do not raise it further; "
				 "each connection takes about %lld KB.",
				 (long long)max, (long long)advised, (long long)per_kb);
	else if (advised > 0)
		hd_result_remedy(
		    r,
		    "Raise the service's maximum connections%s%s, keeping it under %lld "
		    "(each connection takes about %lld KB: %lld take about %.1f GiB).",
		    max > 0 ? " above " : "", max > 0 ? hd_check_str(c, "max") : "",
		    (long long)advised, (long long)per_kb, (long long)advised,
		    (double)advised * (double)per_kb / 1048576.0);
	else
		hd_result_remedy(
		    r,
		    "Raise the service's maximum connections%s%s (each connection takes "
		    "about %lld KB).",
		    max > 0 ? " above " : "", max > 0 ? hd_check_str(c, "max") : "",
		    (long long)per_kb);
	if (note && *note)
		hd_result_remedy_add(r, "%s", note);
	hd_result_remedy_add(
	    r,
	    "Check the network for slow or stuck clients and servers: ss -tni "
	    "state established '( sport = :%lld )' shows each connection's queues.",
	    (long long)port);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "port",
     .type = HD_P_INT,
     .required = true,
     .min = 1,
     .max = 65535,
     .help = "the service's local TCP port"},
    {.key = "max",
     .type = HD_P_INT,
     .def = "0",
     .min = 0,
     .max = 10000000,
     .help = "the service's configured maximum connections (0: not known)"},
    {.key = "per_connection_kb",
     .type = HD_P_INT,
     .def = "500",
     .min = 1,
     .max = 1048576,
     .help = "memory one connection takes, in KB, for the estimate"},
    {.key = "max_advised",
     .type = HD_P_INT,
     .def = "0",
     .min = 0,
     .max = 10000000,
     .help = "the highest maximum the product advises (0: none): WARNING above it"},
    {.key = "note", .type = HD_P_STR, .help = "the product's own advice, a line of the remedy"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"established", "Established TCP connections with the port as local port, IPv4 and IPv6."},
    {"used", "Established connections as a share of max (only when max is set)."},
    {"accept_queue", "Connections waiting in the listeners' accept queues."},
    {"backlog", "The listeners' accept queue sizes (backlog), summed."},
    {"memory", "Memory the established connections take, at per_connection_kb each."},
    {0},
};

const struct hd_probe probe_connections = {
    .name = "connections",
    .summary = "established connections on a port against the service's maximum, accept queue",
    .params = params,
    .metrics = metrics,
    .run = run,
};
