/* ipsec parsers (the Linux XFRM check): constructed XFRM dumps (this kernel cannot hold ESP SAs). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "netlink.h"
#include "probe_ipsec.h"
#include "result.h"

/* A dump under construction: messages appended back to back, as the kernel sends them. */
struct dump {
	char buf[16384] __attribute__((aligned(8)));
	size_t len;
};

static xfrm_address_t v4(const char *s)
{
	xfrm_address_t a;
	memset(&a, 0, sizeof(a));
	assert_int_equal(inet_pton(AF_INET, s, &a.a4), 1);
	return a;
}

/* A policy SRC/32 -> DST/32 in direction DIR with one ESP template (tunnel or transport). */
static void put_policy(struct dump *d, uint8_t dir, const char *src, const char *dst, uint8_t mode,
		       uint32_t reqid, bool optional)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->buf + d->len);
	struct xfrm_userpolicy_info info = {0}, *pi = &info;
	struct xfrm_user_tmpl t;

	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	pi->sel.family = AF_INET;
	pi->sel.saddr = v4(src);
	pi->sel.daddr = v4(dst);
	pi->sel.prefixlen_s = pi->sel.prefixlen_d = 32;
	pi->dir = dir;
	pi->index = 8 + dir;
	/* the kernel aligns messages to 4 bytes only: copy, as the parser must */
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(info)), &info, sizeof(info));
	memset(&t, 0, sizeof(t));
	t.family = AF_INET;
	t.id.proto = IPPROTO_ESP;
	t.mode = mode;
	t.reqid = reqid;
	t.optional = optional;
	if (mode == XFRM_MODE_TUNNEL) { /* transport leaves the addresses to the selector */
		t.saddr = v4(src);
		t.id.daddr = v4(dst);
	}
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(t), &t);
	d->len += nlh->nlmsg_len;
}

static void put_sa(struct dump *d, const char *src, const char *dst, uint32_t spi, uint8_t mode,
		   uint32_t reqid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->buf + d->len);
	struct xfrm_usersa_info info = {0}, *si = &info;

	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	nlh->nlmsg_flags = NLM_F_MULTI;
	si->family = AF_INET;
	si->saddr = v4(src);
	si->id.daddr = v4(dst);
	si->id.spi = htonl(spi);
	si->id.proto = IPPROTO_ESP;
	si->mode = mode;
	si->reqid = reqid;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(info)), &info, sizeof(info));
	d->len += nlh->nlmsg_len;
}

static void put_done(struct dump *d)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->buf + d->len);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	d->len += nlh->nlmsg_len;
}

/* A tunnel between 10.0.0.1 (here) and 10.0.0.2 as an IKE daemon installs it: out, in, fwd. */
static void tunnel_policies(struct dump *d)
{
	put_policy(d, XFRM_POLICY_OUT, "10.0.0.1", "10.0.0.2", XFRM_MODE_TUNNEL, 7, false);
	put_policy(d, XFRM_POLICY_IN, "10.0.0.2", "10.0.0.1", XFRM_MODE_TUNNEL, 7, false);
	put_policy(d, XFRM_POLICY_FWD, "10.0.0.2", "10.0.0.1", XFRM_MODE_TUNNEL, 7, false);
	put_done(d);
}

struct sa_case {
	const char *name;
	void (*policies)(struct dump *d);
	/* SAs: src, dst, spi, mode, reqid; src NULL ends */
	struct {
		const char *src, *dst;
		uint32_t spi;
		uint8_t mode;
		uint32_t reqid;
	} sas[4];
	size_t want_missing, want_low;
	enum hd_status want_status;
	const char *want_detail; /* substring of the details, or NULL */
};

static void transport_policy(struct dump *d)
{
	put_policy(d, XFRM_POLICY_OUT, "192.0.2.1", "192.0.2.9", XFRM_MODE_TRANSPORT, 0, false);
	put_done(d);
}

static void optional_policy(struct dump *d)
{
	put_policy(d, XFRM_POLICY_OUT, "192.0.2.1", "192.0.2.9", XFRM_MODE_TUNNEL, 0, true);
	put_done(d);
}

static const struct sa_case sa_cases[] = {
    {"complete pair",
     tunnel_policies,
     {{"10.0.0.1", "10.0.0.2", 0xc1000001, XFRM_MODE_TUNNEL, 7},
      {"10.0.0.2", "10.0.0.1", 0xc1000002, XFRM_MODE_TUNNEL, 7}},
     0,
     0,
     HD_OK,
     NULL},
    {"missing inbound SA",
     tunnel_policies,
     {{"10.0.0.1", "10.0.0.2", 0xc1000001, XFRM_MODE_TUNNEL, 7}},
     1,
     0,
     HD_CRITICAL,
     "missing SA: inbound ESP 10.0.0.2 -> 10.0.0.1"},
    {"no SA at all",
     tunnel_policies,
     {{0}},
     2,
     0,
     HD_CRITICAL,
     "missing SA: outbound ESP 10.0.0.1 -> 10.0.0.2 (tunnel mode, reqid 7"},
    {"outbound SA of another reqid",
     tunnel_policies,
     {{"10.0.0.1", "10.0.0.2", 0xc1000001, XFRM_MODE_TUNNEL, 8},
      {"10.0.0.2", "10.0.0.1", 0xc1000002, XFRM_MODE_TUNNEL, 7}},
     1,
     0,
     HD_CRITICAL,
     "outbound ESP 10.0.0.1 -> 10.0.0.2"},
    {"transport SA in the wrong mode",
     transport_policy,
     {{"192.0.2.1", "192.0.2.9", 0x1000, XFRM_MODE_TUNNEL, 0},
      {"192.0.2.9", "192.0.2.1", 0x1001, XFRM_MODE_TRANSPORT, 0}},
     1,
     0,
     HD_CRITICAL,
     "outbound ESP 192.0.2.1 -> 192.0.2.9 (transport mode"},
    {"manual keys with a low SPI",
     transport_policy,
     {{"192.0.2.1", "192.0.2.9", 0x1000, XFRM_MODE_TRANSPORT, 0},
      {"192.0.2.9", "192.0.2.1", 0x42, XFRM_MODE_TRANSPORT, 0}},
     0,
     1,
     HD_CRITICAL,
     "SPI below 256: ESP SA 192.0.2.9 -> 192.0.2.1 has SPI 0x42"},
    {"SPI 256 is fine",
     transport_policy,
     {{"192.0.2.1", "192.0.2.9", 0x100, XFRM_MODE_TRANSPORT, 0},
      {"192.0.2.9", "192.0.2.1", 0x101, XFRM_MODE_TRANSPORT, 0}},
     0,
     0,
     HD_OK,
     NULL},
    {"larval SA while IKE negotiates",
     transport_policy,
     {{"192.0.2.1", "192.0.2.9", 0, XFRM_MODE_TRANSPORT, 0},
      {"192.0.2.9", "192.0.2.1", 0x1001, XFRM_MODE_TRANSPORT, 0}},
     1,
     0,
     HD_CRITICAL,
     "negotiation pending (larval SA, SPI 0)"},
    {"optional template (level use)", optional_policy, {{0}}, 0, 0, HD_OK, NULL},
};

static void test_sa_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sa_cases) / sizeof(sa_cases[0]); i++) {
		const struct sa_case *k = &sa_cases[i];
		struct dump pol = {0}, sas = {0};
		struct ipsec_state st = {0};
		struct hd_result r;
		size_t missing, low;

		k->policies(&pol);
		for (size_t j = 0; j < 4 && k->sas[j].src; j++)
			put_sa(&sas, k->sas[j].src, k->sas[j].dst, k->sas[j].spi, k->sas[j].mode,
			       k->sas[j].reqid);
		put_done(&sas);
		assert_int_equal(hd_nl_replay(pol.buf, pol.len, ipsec_policy_cb, &st), MNL_CB_STOP);
		assert_int_equal(hd_nl_replay(sas.buf, sas.len, ipsec_sa_cb, &st), MNL_CB_STOP);
		assert_int_equal(st.error, 0);

		hd_result_init(&r);
		hd_result_set(&r, HD_OK, "start");
		missing = ipsec_evaluate(&st, &r, &low);
		if (missing != k->want_missing || low != k->want_low || r.status != k->want_status)
			fail_msg("%s: missing %zu low %zu status %d; wanted %zu %zu %d\n%s",
				 k->name, missing, low, r.status, k->want_missing, k->want_low,
				 k->want_status, r.details ? r.details : "");
		if (k->want_detail && (!r.details || !strstr(r.details, k->want_detail)))
			fail_msg("%s: details lack '%s':\n%s", k->name, k->want_detail,
				 r.details ? r.details : "(none)");
		if (r.status != HD_OK)
			assert_non_null(r.remedy);
		hd_result_free(&r);
		ipsec_state_free(&st);
	}
}

static void test_policy_counts(void **state)
{
	struct dump d = {0};
	struct ipsec_state st = {0};
	struct nlmsghdr *nlh;
	struct xfrm_userpolicy_info info = {0};

	(void)state;
	tunnel_policies(&d);
	/* a block policy has no template and needs no SA */
	d.len -= NLMSG_ALIGN(sizeof(struct nlmsghdr) + sizeof(int)); /* drop DONE */
	nlh = mnl_nlmsg_put_header(d.buf + d.len);
	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	info.action = XFRM_POLICY_BLOCK;
	info.sel.family = AF_INET;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(info)), &info, sizeof(info));
	d.len += nlh->nlmsg_len;
	put_done(&d);
	assert_int_equal(hd_nl_replay(d.buf, d.len, ipsec_policy_cb, &st), MNL_CB_STOP);
	assert_int_equal(st.npolicies, 4);
	assert_int_equal(st.ntemplated, 3);
	assert_int_equal(st.ntmpls, 3);
	assert_int_equal(st.tmpls[0].reqid, 7);
	assert_int_equal(st.tmpls[0].dir, XFRM_POLICY_OUT);
	ipsec_state_free(&st);
}

static void test_malformed(void **state)
{
	struct dump d = {0};
	struct ipsec_state st = {0};
	struct nlmsghdr *nlh;
	struct xfrm_userpolicy_info info = {0};
	char odd[10] = {0};

	(void)state;
	/* a policy message too short for its header */
	nlh = mnl_nlmsg_put_header(d.buf);
	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	mnl_nlmsg_put_extra_header(nlh, 8);
	d.len = nlh->nlmsg_len;
	assert_true(hd_nl_replay(d.buf, d.len, ipsec_policy_cb, &st) >= 0);
	assert_int_equal(st.error, -EINVAL);
	ipsec_state_free(&st);

	/* a template attribute that is not a whole number of templates */
	memset(&d, 0, sizeof(d));
	memset(&st, 0, sizeof(st));
	nlh = mnl_nlmsg_put_header(d.buf);
	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	info.sel.family = AF_INET;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(info)), &info, sizeof(info));
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(odd), odd);
	d.len = nlh->nlmsg_len;
	assert_true(hd_nl_replay(d.buf, d.len, ipsec_policy_cb, &st) >= 0);
	assert_int_equal(st.error, -EINVAL);
	assert_int_equal(st.ntmpls, 0);
	ipsec_state_free(&st);

	/* an SA message too short */
	memset(&d, 0, sizeof(d));
	memset(&st, 0, sizeof(st));
	nlh = mnl_nlmsg_put_header(d.buf);
	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	mnl_nlmsg_put_extra_header(nlh, 16);
	d.len = nlh->nlmsg_len;
	assert_true(hd_nl_replay(d.buf, d.len, ipsec_sa_cb, &st) >= 0);
	assert_int_equal(st.error, -EINVAL);
	assert_int_equal(st.nsas, 0);
	ipsec_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sa_cases),
	    cmocka_unit_test(test_policy_counts),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
