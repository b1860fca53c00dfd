/* nic-rings parsers: a recorded ethtool dump, constructed and malformed replies, counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <string.h>

#include <stdio.h>

#include "config.h"
#include "netlink.h"
#include "probe_nic_rings.h"
#include "probes.h"
#include "runner.h"

/* ETHTOOL_MSG_RINGS_GET dump of a virtio NIC (kernel 6.18): eth0 rx 256/256, tx 256/256, plus
 * rx_buf_len, tcp_data_split, cqe_size, tx_push attributes the parser must step over. */
static const unsigned char virtio_dump[] = {
    0x5c, 0x00, 0x00, 0x00, 0x15, 0x00, 0x02, 0x00, 0x48, 0xf4, 0x01, 0x6b, 0x89, 0x40, 0x00, 0x00,
    0x10, 0x01, 0x00, 0x00, 0x18, 0x00, 0x01, 0x80, 0x08, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00,
    0x09, 0x00, 0x02, 0x00, 0x65, 0x74, 0x68, 0x30, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x0d, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* NLMSG_DONE */
    0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x48, 0xf4, 0x01, 0x6b, 0x89, 0x40, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00};

#define ABSENT -1

/* One RINGS_GET_REPLY appended at *off in BUF; ABSENT leaves an attribute out. */
static void put_rings(char *buf, size_t *off, const char *name, long rx_max, long rx, long tx_max,
		      long tx)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + *off);
	struct genlmsghdr *g;
	struct nlattr *nest;

	nlh->nlmsg_type = 21;
	nlh->nlmsg_flags = NLM_F_MULTI;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = ETHTOOL_MSG_RINGS_GET_REPLY;
	g->version = 1;
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_RINGS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, 7);
	if (name)
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name);
	mnl_attr_nest_end(nlh, nest);
	if (rx_max != ABSENT)
		mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_RX_MAX, (uint32_t)rx_max);
	if (tx_max != ABSENT)
		mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_TX_MAX, (uint32_t)tx_max);
	if (rx != ABSENT)
		mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_RX, (uint32_t)rx);
	if (tx != ABSENT)
		mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_TX, (uint32_t)tx);
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

static void test_recorded_virtio(void **state)
{
	struct nic_rings_list l = {0};

	(void)state;
	assert_int_equal(hd_nl_replay(virtio_dump, sizeof(virtio_dump), nic_rings_cb, &l),
			 MNL_CB_STOP);
	assert_int_equal(l.err, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].ifname, "eth0");
	assert_true(l.v[0].has_rx);
	assert_true(l.v[0].has_tx);
	assert_int_equal(l.v[0].rx, 256);
	assert_int_equal(l.v[0].rx_max, 256);
	assert_int_equal(l.v[0].tx, 256);
	assert_int_equal(l.v[0].tx_max, 256);
	assert_false(nic_rings_below_max(&l.v[0]));
	nic_rings_list_free(&l);
}

struct ring_case {
	const char *name;
	long rx_max, rx, tx_max, tx;
	int rc;
	bool has_rx, has_tx, below;
};

static const struct ring_case ring_cases[] = {
    {"eth0", 4096, 512, 4096, 4096, 0, true, true, true},
    {"eth1", 4096, 4096, 4096, 4096, 0, true, true, false},
    /* the driver has no separate TX ring size: the kernel leaves the pair out */
    {"eth2", 2048, 2048, ABSENT, ABSENT, 0, true, false, false},
    {"eth3", ABSENT, ABSENT, 1024, 256, 0, false, true, true},
    {"eth4", ABSENT, ABSENT, ABSENT, ABSENT, 0, false, false, false},
    /* malformed: half a pair, no device name */
    {"bad0", 4096, ABSENT, 4096, 4096, -EBADMSG, false, false, false},
    {"bad1", 4096, 4096, ABSENT, 256, -EBADMSG, false, false, false},
    {NULL, 4096, 4096, 4096, 4096, -EBADMSG, false, false, false},
};

static void test_constructed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ring_cases) / sizeof(ring_cases[0]); i++) {
		const struct ring_case *c = &ring_cases[i];
		char buf[1024] = {0};
		size_t off = 0;
		struct nic_rings r;
		int rc;

		put_rings(buf, &off, c->name, c->rx_max, c->rx, c->tx_max, c->tx);
		rc = nic_rings_parse((const struct nlmsghdr *)buf, &r);
		if (rc != c->rc)
			fail_msg("case %zu (%s): rc %d, wanted %d", i, c->name, rc, c->rc);
		if (rc < 0)
			continue;
		assert_string_equal(r.ifname, c->name);
		assert_int_equal(r.has_rx, c->has_rx);
		assert_int_equal(r.has_tx, c->has_tx);
		if (c->has_rx) {
			assert_int_equal(r.rx_max, c->rx_max);
			assert_int_equal(r.rx, c->rx);
		} else {
			assert_int_equal(r.rx_max, 0); /* n/a, and never compared */
		}
		if (c->has_tx) {
			assert_int_equal(r.tx_max, c->tx_max);
			assert_int_equal(r.tx, c->tx);
		}
		assert_int_equal(nic_rings_below_max(&r), c->below);
	}
}

static void test_dump_stream(void **state)
{
	char buf[4096] = {0};
	size_t off = 0;
	struct nic_rings_list l = {0};

	(void)state;
	put_rings(buf, &off, "eth0", 4096, 512, 4096, 512);
	put_rings(buf, &off, "enp3s0", 8192, 8192, ABSENT, ABSENT);
	put_done(buf, &off);
	assert_int_equal(hd_nl_replay(buf, off, nic_rings_cb, &l), MNL_CB_STOP);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].ifname, "enp3s0");
	assert_false(l.v[1].has_tx);
	nic_rings_list_free(&l);

	/* a malformed message in the middle stops the stream with an error, no crash */
	off = 0;
	memset(buf, 0, sizeof(buf));
	put_rings(buf, &off, "eth0", 4096, 512, 4096, 512);
	put_rings(buf, &off, "eth1", 4096, ABSENT, 4096, 512);
	put_done(buf, &off);
	assert_int_equal(hd_nl_replay(buf, off, nic_rings_cb, &l), MNL_CB_ERROR);
	assert_int_equal(l.err, -EBADMSG);
	assert_int_equal(l.n, 1);
	nic_rings_list_free(&l);

	/* an attribute of the wrong size: RX as u16 */
	{
		char b2[512] = {0};
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(b2);
		struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		struct nlattr *nest;
		struct nic_rings r;

		nlh->nlmsg_type = 21;
		g->cmd = ETHTOOL_MSG_RINGS_GET_REPLY;
		nest = mnl_attr_nest_start(nlh, ETHTOOL_A_RINGS_HEADER);
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, "eth0");
		mnl_attr_nest_end(nlh, nest);
		mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_RX_MAX, 4096);
		mnl_attr_put_u16(nlh, ETHTOOL_A_RINGS_RX, 512);
		assert_int_equal(nic_rings_parse(nlh, &r), -EBADMSG);
		/* a message too short for the genl header */
		nlh->nlmsg_len = sizeof(struct nlmsghdr);
		assert_int_equal(nic_rings_parse(nlh, &r), -EBADMSG);
	}
}

static void test_family(void **state)
{
	char buf[512] = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	uint16_t id = 0;

	(void)state;
	nlh->nlmsg_type = GENL_ID_CTRL;
	g->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ethtool");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 21);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	assert_int_equal(hd_nl_replay(buf, nlh->nlmsg_len, nic_rings_family_cb, &id), MNL_CB_OK);
	assert_int_equal(id, 21);

	/* no id attribute: an error, not id 0 */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	nlh->nlmsg_type = GENL_ID_CTRL;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ethtool");
	id = 0;
	assert_int_equal(hd_nl_replay(buf, nlh->nlmsg_len, nic_rings_family_cb, &id), MNL_CB_ERROR);
}

static void test_counter(void **state)
{
	static const struct {
		const char *in;
		int rc;
		uint64_t v;
	} cases[] = {
	    {"0\n", 0, 0},
	    {"123456\n", 0, 123456},
	    {"18446744073709551615\n", 0, UINT64_MAX},
	    {"99999999999999999999999\n", -EINVAL, 0},
	    {"", -EINVAL, 0},
	    {"\n", -EINVAL, 0},
	    {"abc\n", -EINVAL, 0},
	    {"12 34\n", -EINVAL, 0},
	    {"-1\n", -EINVAL, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int rc = nic_counter_parse(cases[i].in, strlen(cases[i].in), &v);
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, wanted %d", cases[i].in, rc, cases[i].rc);
		if (rc == 0)
			assert_true(v == cases[i].v);
	}
}

static enum hd_status run_with(const char *keys)
{
	char conf[512], err[256];
	struct hd_config cfg = {0};
	struct hd_ctx ctx = {.root = "", .deadline = hd_now() + 10};
	struct hd_result r;
	enum hd_status st;

	snprintf(conf, sizeof(conf), "[n]\nprobe = nic-rings\nsample_ms = 0\n%s\n", keys);
	assert_int_equal(
	    hd_config_parse(&cfg, "n.conf", conf, strlen(conf), hd_probes, err, sizeof(err)), 0);
	hd_run_one(&cfg.checks[0], &ctx, &r);
	st = r.status;
	hd_result_free(&r);
	hd_config_free(&cfg);
	return st;
}

/* The whole probe in this process (no fork), so the sanitizer build sees its leaks; the
 * host's interfaces decide OK or SKIPPED, lo and a missing name do not. */
static void test_run_in_process(void **state)
{
	enum hd_status st;

	(void)state;
	st = run_with("");
	assert_true(st == HD_OK || st == HD_WARNING || st == HD_SKIPPED);
	st = run_with("method = ioctl");
	assert_true(st == HD_OK || st == HD_WARNING || st == HD_SKIPPED);
	assert_int_equal(run_with("iface = lo"), HD_SKIPPED);
	assert_int_equal(run_with("iface = lo\nmethod = ioctl"), HD_SKIPPED);
	assert_int_equal(run_with("iface = hdt-nosuch0"), HD_UNKNOWN);
	assert_int_equal(run_with("iface = an-interface-name-too-long"), HD_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recorded_virtio), cmocka_unit_test(test_constructed),
	    cmocka_unit_test(test_dump_stream),	    cmocka_unit_test(test_family),
	    cmocka_unit_test(test_counter),	    cmocka_unit_test(test_run_in_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
