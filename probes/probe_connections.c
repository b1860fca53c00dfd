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
#include "util.h"

/* The gateway guide's ceiling for the maximum connections setting. */
#define GUIDE_MAX_CONNECTIONS 2000

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

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	int64_t port = hd_check_int(c, "port");
	int64_t max = hd_check_int(c, "max");
	int64_t per_kb = hd_check_int(c, "per_connection_kb");
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
			rc = sd_dump(&q, conn_collect, &n, ctx->deadline);
			if (rc < 0 && families[f] == AF_INET6 &&
			    (rc == -ENOENT || rc == -EAFNOSUPPORT || rc == -EPROTONOSUPPORT))
				continue;
			if (rc < 0) {
				hd_result_set(r, HD_UNKNOWN,
					      "cannot list TCP %s sockets over NETLINK_SOCK_DIAG: %s",
					      families[f] == AF_INET ? "IPv4" : "IPv6", strerror(-rc));
				hd_result_remedy(r, "Load the socket diagnostics modules: modprobe -a "
						    "inet_diag tcp_diag");
				return rc;
			}
			if (pass == 0)
				listens[f] = n.listeners > before;
		}
	}

	hd_result_metric(r, "established", (double)n.established, HD_UNIT_NONE)->has_min = true;
	if (max > 0)
		hd_metric_bounds(hd_result_metric(r, "used", (double)n.established * 100.0 / (double)max,
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
			      "%" PRIu64 " established connections on tcp/%lld of %lld allowed (%.0f%%), "
			      "about %s",
			      n.established, (long long)port, (long long)max,
			      (double)n.established * 100.0 / (double)max, mem);
	else
		hd_result_set(r, HD_OK, "%" PRIu64 " established connections on tcp/%lld, about %s",
			      n.established, (long long)port, mem);
	if (n.listeners)
		hd_result_detail(r, "accept queue: %" PRIu64 " pending of a backlog of %" PRIu64
				    " (%" PRIu64 " listener%s)",
				 n.pending, n.backlog, n.listeners, n.listeners == 1 ? "" : "s");
	else
		hd_result_detail(r, "nothing listens on tcp/%lld any more; these connections remain",
				 (long long)port);
	hd_result_detail(r, "memory: about %s at %lld KB per connection", mem, (long long)per_kb);

	if (max > 0 && n.established >= (uint64_t)max) {
		hd_result_set(r, HD_CRITICAL,
			      "maximum connections reached: %" PRIu64 " established on tcp/%lld, the "
			      "limit is %lld",
			      n.established, (long long)port, (long long)max);
	} else if (n.full) {
		hd_result_set(r, HD_CRITICAL,
			      "accept queue full on tcp/%lld (%" PRIu64 " pending, backlog %" PRIu64
			      "): the service takes no new connections",
			      (long long)port, n.pending, n.backlog);
	} else if (max > 0 && n.established * 10 >= (uint64_t)max * 9) {
		hd_result_raise(r, HD_WARNING);
		hd_result_detail(r, "%" PRIu64 " of %lld allowed connections are in use (90%% or more)",
				 n.established, (long long)max);
	}
	if (max > GUIDE_MAX_CONNECTIONS) {
		hd_result_raise(r, HD_WARNING);
		hd_result_detail(r, "max = %lld is above the %d the product supports well", (long long)max,
				 GUIDE_MAX_CONNECTIONS);
	}
	if (max > 0 && total_kb && (uint64_t)max * (uint64_t)per_kb > total_kb) {
		hd_result_raise(r, HD_WARNING);
		hd_result_detail(r, "at %lld connections the service needs about %s, more than the %s "
				    "of RAM",
				 (long long)max, memmax, ram);
	}

	if (max > 0 && (uint64_t)max >= GUIDE_MAX_CONNECTIONS)
		hd_result_remedy(r, "The limit (%lld) is at or above %d: do not raise it further; "
				    "each connection takes about %lld KB.",
				 (long long)max, GUIDE_MAX_CONNECTIONS, (long long)per_kb);
	else
		hd_result_remedy(r, "Raise the service's maximum connections%s%s, keeping it under %d "
				    "(each connection takes about %lld KB: %d take about %.1f GiB).",
				 max > 0 ? " above " : "", max > 0 ? hd_check_str(c, "max") : "",
				 GUIDE_MAX_CONNECTIONS, (long long)per_kb, GUIDE_MAX_CONNECTIONS,
				 (double)GUIDE_MAX_CONNECTIONS * (double)per_kb / 1048576.0);
	hd_result_remedy_add(r, "Restore the scan timeout to 90 s if it was raised: long scans hold "
				"connections open.");
	hd_result_remedy_add(r, "Check the network for slow or stuck clients and servers: ss -tni "
				"state established '( sport = :%lld )' shows each connection's queues.",
			     (long long)port);
	return 0;
}

static const struct hd_param params[] = {
	{.key = "port", .type = HD_P_INT, .required = true, .min = 1, .max = 65535,
	 .help = "the service's local TCP port"},
	{.key = "max", .type = HD_P_INT, .def = "0", .min = 0, .max = 10000000,
	 .help = "the service's configured maximum connections (0: not known)"},
	{.key = "per_connection_kb", .type = HD_P_INT, .def = "500", .min = 1, .max = 1048576,
	 .help = "memory one connection takes, in KB, for the estimate"},
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
