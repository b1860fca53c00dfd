/* sock_diag request, parser and replay, and what the port and connections probes make of the
 * sockets, on netlink buffers built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "probe_connections.h"
#include "probe_port.h"
#include "sockdiag.h"

/* A socket as the kernel would report it. */
struct row {
	int family, state;
	const char *src; /* address text */
	int sport;
	int v6only; /* -1: no INET_DIAG_SKV6ONLY attribute */
	uint32_t rq, wq, inode;
};

static char buf[1 << 16];
static size_t used;

static void put_done(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);
	nlh->nlmsg_type = NLMSG_DONE;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	used += nlh->nlmsg_len;
}

static void put_sock(const struct row *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);
	struct inet_diag_msg *m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = (uint8_t)r->family;
	m->idiag_state = (uint8_t)r->state;
	m->id.idiag_sport = htons((uint16_t)r->sport);
	m->id.idiag_dport = htons(r->state == SD_TCP_ESTABLISHED ? 40000 : 0);
	assert_int_equal(inet_pton(r->family, r->src, m->id.idiag_src), 1);
	m->idiag_rqueue = r->rq;
	m->idiag_wqueue = r->wq;
	m->idiag_inode = r->inode;
	mnl_attr_put_u8(nlh, INET_DIAG_SHUTDOWN, 0);
	if (r->v6only >= 0)
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, (uint8_t)r->v6only);
	used += nlh->nlmsg_len;
}

static void reset(void)
{
	memset(buf, 0, sizeof(buf));
	used = 0;
}

/* what a dump of one host holds: listeners of both families, connections, other ports */
static const struct row host[] = {
    {AF_INET, SD_TCP_LISTEN, "0.0.0.0", 22, -1, 0, 128, 11},
    {AF_INET, SD_TCP_ESTABLISHED, "10.0.0.1", 22, -1, 0, 0, 12},
    {AF_INET, SD_TCP_ESTABLISHED, "10.0.0.1", 36266, -1, 0, 0, 13},
    {AF_INET, SD_TCP_LISTEN, "127.0.0.1", 8080, -1, 2, 4, 14},
    {AF_INET, SD_TCP_CLOSE, "127.0.0.1", 8081, -1, 0, 0, 15}, /* bound-inactive */
    {AF_INET6, SD_TCP_LISTEN, "::", 22, 1, 0, 128, 21},
    {AF_INET6, SD_TCP_ESTABLISHED, "fec0:42::24", 22, -1, 0, 0, 22},
    {AF_INET6, SD_TCP_LISTEN, "::", 8443, 0, 0, 511, 23},
    {AF_INET6, SD_TCP_TIME_WAIT, "::ffff:127.0.0.1", 8080, -1, 0, 0, 0},
};

static void put_host(void)
{
	reset();
	for (size_t i = 0; i < 5; i++)
		put_sock(&host[i]);
	put_done();
	for (size_t i = 5; i < sizeof(host) / sizeof(host[0]); i++)
		put_sock(&host[i]);
	put_done();
}

static int collect_all(const struct sd_sock *s, void *data)
{
	struct sd_sock *out = data;
	size_t i = 0;
	while (out[i].family)
		i++;
	out[i] = *s;
	return 0;
}

static void test_parse_recorded(void **state)
{
	struct sd_sock got[16] = {0};
	(void)state;
	put_host();
	assert_int_equal(sd_replay(buf, used, collect_all, got), 0);
	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		char want[64], local[80];
		snprintf(want, sizeof(want), host[i].family == AF_INET6 ? "[%s]:%d" : "%s:%d",
			 host[i].src, host[i].sport);
		sd_format_local(&got[i], local, sizeof(local));
		assert_string_equal(local, want);
		assert_int_equal(got[i].family, host[i].family);
		assert_int_equal(got[i].state, host[i].state);
		assert_int_equal(got[i].v6only, host[i].v6only);
		assert_int_equal(got[i].rqueue, host[i].rq);
		assert_int_equal(got[i].wqueue, host[i].wq);
		assert_int_equal(got[i].inode, host[i].inode);
	}
	assert_int_equal(got[sizeof(host) / sizeof(host[0])].family, 0);
}

/* the header-only parse (counting) agrees with the full one on everything but v6only */
static void test_parse_header_only(void **state)
{
	const struct nlmsghdr *nlh;
	int left;
	size_t n = 0;
	(void)state;
	put_host();
	nlh = (const struct nlmsghdr *)buf;
	left = (int)used;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct sd_sock full, head;

		if (nlh->nlmsg_type == NLMSG_DONE)
			continue;
		assert_int_equal(sd_parse(nlh, &full), 0);
		assert_int_equal(sd_parse_header(nlh, &head), 0);
		assert_int_equal(head.v6only, -1);
		head.v6only = full.v6only;
		assert_memory_equal(&head, &full, sizeof(full));
		n++;
	}
	assert_int_equal(n, sizeof(host) / sizeof(host[0]));
}

struct port_case {
	int port, proto;
	const char *address; /* NULL: any */
	size_t holders, listeners;
};

static const struct port_case port_cases[] = {
    {22, IPPROTO_TCP, NULL, 2, 2},
    {22, IPPROTO_TCP, "0.0.0.0", 1, 1}, /* [::]:22 is v6only */
    {22, IPPROTO_TCP, "::", 2, 2},	/* a dual-stack bind of [::] meets both */
    {22, IPPROTO_TCP, "::1", 1, 1},
    {8080, IPPROTO_TCP, NULL, 1, 1}, /* TIME_WAIT does not hold it */
    {8080, IPPROTO_TCP, "127.0.0.2", 0, 0},
    {8080, IPPROTO_TCP, "127.0.0.1", 1, 1},
    {8081, IPPROTO_TCP, NULL, 1, 0},	    /* bound, not listening */
    {8443, IPPROTO_TCP, "192.0.2.1", 1, 1}, /* [::] v6only=0 takes IPv4 */
    {8443, IPPROTO_TCP, "::ffff:192.0.2.1", 1, 1},
    {36266, IPPROTO_TCP, NULL, 0, 0}, /* only a connection's local port */
    {9999, IPPROTO_TCP, NULL, 0, 0},
};

static void test_port_scan(void **state)
{
	(void)state;
	put_host();
	for (size_t i = 0; i < sizeof(port_cases) / sizeof(port_cases[0]); i++) {
		const struct port_case *pc = &port_cases[i];
		struct port_scan scan = {.port = (uint16_t)pc->port, .proto = pc->proto};

		if (pc->address) {
			scan.family = strchr(pc->address, ':') ? AF_INET6 : AF_INET;
			assert_int_equal(inet_pton(scan.family, pc->address, scan.addr), 1);
		}
		assert_int_equal(sd_replay(buf, used, port_collect, &scan), 0);
		if (scan.nholders != pc->holders || scan.listeners != pc->listeners)
			fail_msg("port %d address %s: %zu holders, %zu listeners; wanted %zu, %zu",
				 pc->port, pc->address ? pc->address : "any", scan.nholders,
				 scan.listeners, pc->holders, pc->listeners);
		port_scan_free(&scan);
	}
}

static void test_state_names(void **state)
{
	struct sd_sock s = {.state = SD_TCP_CLOSE};
	(void)state;
	assert_string_equal(port_state_name(&s, IPPROTO_TCP), "BOUND");
	assert_string_equal(port_state_name(&s, IPPROTO_UDP), "UDP");
	s.state = SD_TCP_LISTEN;
	assert_string_equal(port_state_name(&s, IPPROTO_TCP), "LISTEN");
	s.state = 200;
	assert_string_equal(port_state_name(&s, IPPROTO_TCP), "?");
}

static void test_connections(void **state)
{
	struct conn_count n22 = {.port = 22}, n8080 = {.port = 8080}, n1 = {.port = 1};
	(void)state;
	put_host();
	assert_int_equal(sd_replay(buf, used, conn_collect, &n22), 0);
	assert_int_equal(n22.established, 2);
	assert_int_equal(n22.listeners, 2);
	assert_int_equal(n22.backlog, 256);
	assert_int_equal(n22.full, 0);
	assert_int_equal(sd_replay(buf, used, conn_collect, &n8080), 0);
	assert_int_equal(n8080.established, 0);
	assert_int_equal(n8080.pending, 2);
	assert_int_equal(n8080.full, 0);
	assert_int_equal(sd_replay(buf, used, conn_collect, &n1), 0);
	assert_int_equal(n1.established + n1.listeners, 0);

	/* a queue at its backlog is full */
	reset();
	put_sock(&(struct row){AF_INET, SD_TCP_LISTEN, "0.0.0.0", 25, -1, 4, 4, 1});
	put_done();
	struct conn_count full = {.port = 25};
	assert_int_equal(sd_replay(buf, used, conn_collect, &full), 0);
	assert_int_equal(full.full, 1);
}

static void test_request(void **state)
{
	char req[256];
	struct sd_query q = {.family = AF_INET6,
			     .proto = IPPROTO_TCP,
			     .states = SD_BIT(SD_TCP_LISTEN),
			     .port = 8080};
	const struct nlmsghdr *nlh = (const void *)req;
	const struct inet_diag_req_v2 *r;
	const struct nlattr *a;
	const struct inet_diag_bc_op *op;
	int len;
	(void)state;

	assert_int_equal(sd_build_request(&q, req, 16), -ENOBUFS);
	len = sd_build_request(&q, req, sizeof(req));
	assert_true(len > 0);
	assert_int_equal(nlh->nlmsg_len, (uint32_t)len);
	assert_int_equal(nlh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	r = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(r->sdiag_family, AF_INET6);
	assert_int_equal(r->sdiag_protocol, IPPROTO_TCP);
	assert_int_equal(r->idiag_states, 1u << 10);
	assert_int_equal(ntohs(r->id.idiag_sport), 8080);
	a = mnl_nlmsg_get_payload_offset(nlh, sizeof(*r));
	assert_true(mnl_attr_ok(a, len - (int)((const char *)a - req)));
	assert_int_equal(mnl_attr_get_type(a), INET_DIAG_REQ_BYTECODE);
	assert_int_equal(mnl_attr_get_payload_len(a), 16);
	op = mnl_attr_get_payload(a);
	/* sport >= 8080 (else reject), sport <= 8080 (else reject), accept at the end */
	assert_int_equal(op[0].code, INET_DIAG_BC_S_GE);
	assert_int_equal(op[0].yes, 8);
	assert_int_equal(op[0].no, 20);
	assert_int_equal(op[1].no, 8080);
	assert_int_equal(op[2].code, INET_DIAG_BC_S_LE);
	assert_int_equal(op[2].yes, 8);
	assert_int_equal(op[2].no, 12);
	assert_int_equal(op[3].no, 8080);

	/* a remote port range appends dport >= lo, dport <= hi; every failed test still jumps
	 * just past the end (reject) */
	q.dport_lo = 32768;
	q.dport_hi = 46883;
	len = sd_build_request(&q, req, sizeof(req));
	a = mnl_nlmsg_get_payload_offset(nlh, sizeof(*r));
	assert_int_equal(mnl_attr_get_payload_len(a), 32);
	op = mnl_attr_get_payload(a);
	assert_int_equal(op[0].no, 36);
	assert_int_equal(op[2].no, 28);
	assert_int_equal(op[4].code, INET_DIAG_BC_D_GE);
	assert_int_equal(op[4].no, 20);
	assert_int_equal(op[5].no, 32768);
	assert_int_equal(op[6].code, INET_DIAG_BC_D_LE);
	assert_int_equal(op[6].no, 12);
	assert_int_equal(op[7].no, 46883);
	q.dport_lo = q.dport_hi = 0;

	/* port 0: every socket, no filter */
	q.port = 0;
	len = sd_build_request(&q, req, sizeof(req));
	assert_int_equal(len, (int)MNL_NLMSG_HDRLEN + (int)sizeof(*r));
}

static int count_cb(const struct sd_sock *s, void *data)
{
	(void)s;
	(*(int *)data)++;
	return 0;
}

static int stop_cb(const struct sd_sock *s, void *data)
{
	(void)s;
	(void)data;
	return -ECANCELED;
}

static void test_malformed(void **state)
{
	int n = 0;
	struct nlmsghdr *nlh;
	(void)state;

	/* empty: nothing, no error */
	assert_int_equal(sd_replay(buf, 0, count_cb, &n), 0);

	/* truncated in the middle of a message */
	put_host();
	assert_int_equal(sd_replay(buf, 50, count_cb, &n), -EBADMSG);
	assert_int_equal(sd_replay(buf, used - 3, count_cb, &n), -EBADMSG);

	/* a payload shorter than inet_diag_msg */
	reset();
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	mnl_nlmsg_put_extra_header(nlh, 8);
	used = nlh->nlmsg_len;
	assert_int_equal(sd_replay(buf, used, count_cb, &n), -EBADMSG);

	/* an unknown family */
	reset();
	put_sock(&host[0]);
	((struct inet_diag_msg *)mnl_nlmsg_get_payload((struct nlmsghdr *)buf))->idiag_family = 99;
	assert_int_equal(sd_replay(buf, used, count_cb, &n), -EBADMSG);

	/* SKV6ONLY without its byte */
	reset();
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	((struct inet_diag_msg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct inet_diag_msg)))
	    ->idiag_family = AF_INET6;
	mnl_attr_put(nlh, INET_DIAG_SKV6ONLY, 0, NULL);
	used = nlh->nlmsg_len;
	assert_int_equal(sd_replay(buf, used, count_cb, &n), -EBADMSG);

	/* an attribute newer than these headers is skipped */
	reset();
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	((struct inet_diag_msg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct inet_diag_msg)))
	    ->idiag_family = AF_INET;
	mnl_attr_put_u32(nlh, INET_DIAG_MAX + 5, 7);
	used = nlh->nlmsg_len;
	n = 0;
	assert_int_equal(sd_replay(buf, used, count_cb, &n), 0);
	assert_int_equal(n, 1);

	/* the kernel's error answer */
	reset();
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	((struct nlmsgerr *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct nlmsgerr)))->error =
	    -EINVAL;
	used = nlh->nlmsg_len;
	assert_int_equal(sd_replay(buf, used, count_cb, &n), -EINVAL);

	/* a callback stops the walk with its error */
	put_host();
	assert_int_equal(sd_replay(buf, used, stop_cb, NULL), -ECANCELED);

	/* random bytes: an error or nothing, never a crash */
	for (unsigned seed = 1; seed < 200; seed++) {
		size_t len = seed * 7 % 400;
		srand(seed);
		for (size_t i = 0; i < len; i++)
			buf[i] = (char)rand();
		(void)sd_replay(buf, len, count_cb, &n);
	}
}

struct meminfo_case {
	const char *text, *key;
	int rc;
	uint64_t kb;
};

static const struct meminfo_case meminfo_cases[] = {
    {"MemTotal:        8040236 kB\nMemFree:         1000 kB\n", "MemTotal", 0, 8040236},
    {"MemTotal:        8040236 kB\nMemFree:         1000 kB\n", "MemFree", 0, 1000},
    {"MemTotalX: 5 kB\nMemTotal: 7 kB", "MemTotal", 0, 7},
    {"MemFree: 1 kB\n", "MemTotal", -ENOENT, 0},
    {"MemTotal: lots\n", "MemTotal", -EINVAL, 0},
    {"MemTotal: 12 MB\n", "MemTotal", -EINVAL, 0},
    {"MemTotal: 99999999999999999999999 kB\n", "MemTotal", -EINVAL, 0},
    {"", "MemTotal", -ENOENT, 0},
};

static void test_meminfo(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(meminfo_cases) / sizeof(meminfo_cases[0]); i++) {
		const struct meminfo_case *mc = &meminfo_cases[i];
		uint64_t kb = 0;
		int rc = meminfo_kb(mc->text, strlen(mc->text), mc->key, &kb);
		if (rc != mc->rc || (rc == 0 && kb != mc->kb))
			fail_msg("'%s' %s: rc %d kb %llu", mc->text, mc->key, rc,
				 (unsigned long long)kb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_recorded), cmocka_unit_test(test_parse_header_only),
	    cmocka_unit_test(test_port_scan),	   cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_connections),	   cmocka_unit_test(test_request),
	    cmocka_unit_test(test_malformed),	   cmocka_unit_test(test_meminfo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
