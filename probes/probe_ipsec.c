/* ipsec: the project's own Linux kernel check, not a check of vendor document 002's stack: XFRM
 * policies against the SAs they need (NETLINK_XFRM), and manual SPIs below 256. */
#include "probe_ipsec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "netlink.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* ---- netlink dumps ---- */

static size_t addr_len(uint16_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool addr_zero(uint16_t family, const xfrm_address_t *a)
{
	static const xfrm_address_t zero;
	return memcmp(a, &zero, addr_len(family)) == 0;
}

static bool addr_eq(uint16_t family, const xfrm_address_t *a, const xfrm_address_t *b)
{
	return memcmp(a, b, addr_len(family)) == 0;
}

static const char *addr_str(uint16_t family, const xfrm_address_t *a, char *buf, size_t size)
{
	if (addr_zero(family, a))
		return "any";
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_ESP	   ? "ESP"
	       : p == IPPROTO_AH   ? "AH"
	       : p == IPPROTO_COMP ? "IPComp"
				   : "?";
}

static const char *mode_name(uint8_t m)
{
	static const char *const names[] = {"transport", "tunnel", "ro", "in_trigger", "beet"};
	return m < HD_ARRAY_SIZE(names) ? names[m] : "?";
}

static const char *dir_name(uint8_t d)
{
	return d == XFRM_POLICY_IN    ? "in"
	       : d == XFRM_POLICY_OUT ? "out"
	       : d == XFRM_POLICY_FWD ? "fwd"
				      : "socket";
}

static int tmpl_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, XFRMA_MAX) < 0)
		return MNL_CB_OK; /* newer kernels add attributes: skip them */
	tb[type] = attr;
	return MNL_CB_OK;
}

int ipsec_policy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ipsec_state *st = data;
	const struct nlattr *tb[XFRMA_MAX + 1] = {0};
	struct xfrm_userpolicy_info pol;
	const struct xfrm_userpolicy_info *pi = &pol;
	const char *tp;
	size_t n;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*pi)) {
		st->error = st->error ? st->error : -EINVAL;
		return MNL_CB_OK;
	}
	/* netlink aligns to 4 bytes, these structs hold 64-bit counters: copy, do not cast */
	memcpy(&pol, mnl_nlmsg_get_payload(nlh), sizeof(pol));
	st->npolicies++;
	if (mnl_attr_parse(nlh, sizeof(*pi), tmpl_attr_cb, tb) < 0) {
		st->error = st->error ? st->error : -EINVAL;
		return MNL_CB_OK;
	}
	/* per-socket policies (IKE daemons' bypass) and block rules need no SA */
	if (!tb[XFRMA_TMPL] || pi->dir >= XFRM_POLICY_MAX || pi->action != XFRM_POLICY_ALLOW)
		return MNL_CB_OK;
	if (mnl_attr_get_payload_len(tb[XFRMA_TMPL]) % sizeof(struct xfrm_user_tmpl)) {
		st->error = st->error ? st->error : -EINVAL;
		return MNL_CB_OK;
	}
	n = mnl_attr_get_payload_len(tb[XFRMA_TMPL]) / sizeof(struct xfrm_user_tmpl);
	if (!n)
		return MNL_CB_OK;
	st->ntemplated++;
	st->tmpls = hd_xrealloc(st->tmpls, (st->ntmpls + n) * sizeof(*st->tmpls));
	tp = mnl_attr_get_payload(tb[XFRMA_TMPL]);
	for (size_t i = 0; i < n; i++) {
		struct ipsec_tmpl *x = &st->tmpls[st->ntmpls++];
		struct xfrm_user_tmpl t;
		uint16_t fam;
		unsigned full;

		memcpy(&t, tp + i * sizeof(t), sizeof(t));
		fam = t.family ? t.family : pi->sel.family;
		full = fam == AF_INET6 ? 128 : 32;
		*x = (struct ipsec_tmpl){.family = fam,
					 .proto = t.id.proto,
					 .mode = t.mode,
					 .dir = pi->dir,
					 .optional = t.optional != 0,
					 .reqid = t.reqid,
					 .spi = ntohl(t.id.spi),
					 .index = pi->index,
					 .src = t.saddr,
					 .dst = t.id.daddr};
		/* transport mode templates usually leave the addresses to the selector */
		if (addr_zero(fam, &x->src) && pi->sel.family == fam && pi->sel.prefixlen_s == full)
			x->src = pi->sel.saddr;
		if (addr_zero(fam, &x->dst) && pi->sel.family == fam && pi->sel.prefixlen_d == full)
			x->dst = pi->sel.daddr;
	}
	return MNL_CB_OK;
}

int ipsec_sa_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ipsec_state *st = data;
	struct xfrm_usersa_info sa;
	const struct xfrm_usersa_info *si = &sa;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*si)) {
		st->error = st->error ? st->error : -EINVAL;
		return MNL_CB_OK;
	}
	memcpy(&sa, mnl_nlmsg_get_payload(nlh), sizeof(sa));
	st->sas = hd_xrealloc(st->sas, (st->nsas + 1) * sizeof(*st->sas));
	st->sas[st->nsas++] = (struct ipsec_sa){.family = si->family,
						.src = si->saddr,
						.dst = si->id.daddr,
						.proto = si->id.proto,
						.mode = si->mode,
						.reqid = si->reqid,
						.spi = ntohl(si->id.spi)};
	return MNL_CB_OK;
}

void ipsec_state_free(struct ipsec_state *st)
{
	free(st->tmpls);
	free(st->sas);
	st->tmpls = NULL;
	st->sas = NULL;
	st->ntmpls = st->nsas = 0;
}

/* ---- policies against SAs ---- */

/* An SA carrying traffic SRC -> DST for template T (any address matches a wildcard). */
static const struct ipsec_sa *find_sa(const struct ipsec_state *st, const struct ipsec_tmpl *t,
				      const xfrm_address_t *src, const xfrm_address_t *dst,
				      bool same_way, bool *larval)
{
	const struct ipsec_sa *best = NULL;

	for (size_t i = 0; i < st->nsas; i++) {
		const struct ipsec_sa *s = &st->sas[i];

		if (s->family != t->family || s->proto != t->proto || s->mode != t->mode)
			continue;
		if (!addr_zero(t->family, src) && !addr_eq(t->family, src, &s->src))
			continue;
		if (!addr_zero(t->family, dst) && !addr_eq(t->family, dst, &s->dst))
			continue;
		/* reqid and SPI pin the SA of the template's own direction only */
		if (same_way &&
		    ((t->reqid && s->reqid != t->reqid) || (t->spi && s->spi != t->spi)))
			continue;
		if (s->spi == 0) { /* larval: the kernel asked the IKE daemon, no answer yet */
			*larval = true;
			continue;
		}
		best = s;
		break;
	}
	return best;
}

size_t ipsec_evaluate(const struct ipsec_state *st, struct hd_result *r, size_t *low_spi)
{
	size_t missing = 0;
	/* a tunnel shows up in the in, out and fwd policies: report each SA once */
	struct seen {
		uint16_t family;
		uint8_t proto;
		xfrm_address_t src, dst;
	} *seen = hd_xcalloc(st->ntmpls * 2 + 1, sizeof(*seen));
	size_t nseen = 0;

	*low_spi = 0;
	for (size_t i = 0; i < st->ntmpls; i++) {
		const struct ipsec_tmpl *t = &st->tmpls[i];
		/* the local end: the source of outbound traffic, the destination of inbound */
		bool out = t->dir == XFRM_POLICY_OUT;
		const xfrm_address_t *local = out ? &t->src : &t->dst,
				     *peer = out ? &t->dst : &t->src;

		if (t->optional)
			continue;
		for (int way = 0; way < 2; way++) {
			/* way 0: outbound local -> peer, way 1: inbound peer -> local */
			const xfrm_address_t *src = way ? peer : local, *dst = way ? local : peer;
			bool larval = false, dup = false;
			char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

			for (size_t k = 0; k < nseen && !dup; k++)
				dup = seen[k].family == t->family && seen[k].proto == t->proto &&
				      addr_eq(t->family, &seen[k].src, src) &&
				      addr_eq(t->family, &seen[k].dst, dst);
			if (dup)
				continue;
			seen[nseen++] = (struct seen){t->family, t->proto, *src, *dst};
			if (find_sa(st, t, src, dst, way == (out ? 0 : 1), &larval))
				continue;
			missing++;
			hd_result_detail(r,
					 "missing SA: %s %s %s -> %s (%s mode, reqid %u; needed by "
					 "the %s policy %u)%s",
					 way ? "inbound" : "outbound", proto_name(t->proto),
					 addr_str(t->family, src, a, sizeof(a)),
					 addr_str(t->family, dst, b, sizeof(b)), mode_name(t->mode),
					 t->reqid, dir_name(t->dir), t->index,
					 larval ? "; negotiation pending (larval SA, SPI 0)" : "");
		}
	}
	for (size_t i = 0; i < st->nsas; i++) {
		const struct ipsec_sa *s = &st->sas[i];
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

		/* SPIs 1-255 are reserved (RFC 4303); IKE never picks them, manual keys can */
		if ((s->proto != IPPROTO_ESP && s->proto != IPPROTO_AH) || s->spi == 0 ||
		    s->spi >= 256)
			continue;
		(*low_spi)++;
		hd_result_detail(r,
				 "SPI below 256: %s SA %s -> %s has SPI 0x%x (1-255 are "
				 "reserved)",
				 proto_name(s->proto), addr_str(s->family, &s->src, a, sizeof(a)),
				 addr_str(s->family, &s->dst, b, sizeof(b)), s->spi);
	}
	if (missing) {
		hd_result_raise(r, HD_CRITICAL);
		hd_result_remedy_add(
		    r, "Missing SA: the IKE daemon that installed the policy has not negotiated "
		       "it; see that daemon's log for the peer, or for manual keys add the SA "
		       "('ip xfrm state add ...'); 'ip xfrm policy' and 'ip xfrm state' show "
		       "what the kernel holds.");
	}
	if (*low_spi) {
		hd_result_raise(r, HD_CRITICAL);
		hd_result_remedy_add(
		    r, "SPI below 256 on a manually keyed SA: re-create the SA with an SPI "
		       "above 256 on both peers (ip xfrm state delete ... spi OLD; ip xfrm "
		       "state add ... spi 0x1000 ...).");
	}
	free(seen);
	return missing;
}

static int dump(int type, mnl_cb_t cb, struct ipsec_state *st, const struct hd_ctx *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = (uint16_t)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return hd_nl_request(NETLINK_XFRM, nlh, cb, st, ctx->deadline);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	struct ipsec_state st = {0};
	size_t missing, low = 0;
	int rc;

	(void)c;
	rc = dump(XFRM_MSG_GETPOLICY, ipsec_policy_cb, &st, ctx);
	if (rc == 0)
		rc = dump(XFRM_MSG_GETSA, ipsec_sa_cb, &st, ctx);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN,
			      "cannot dump XFRM policies and SAs (NETLINK_XFRM): %s%s",
			      strerror(-rc), rc == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		hd_result_remedy(r, "Run as root; 'modprobe xfrm_user' if the kernel lacks it.");
		ipsec_state_free(&st);
		return rc;
	}
	if (st.error) {
		hd_result_set(r, HD_UNKNOWN, "malformed XFRM message in the NETLINK_XFRM dump");
		ipsec_state_free(&st);
		return st.error;
	}
	hd_result_set(r, HD_SKIPPED,
		      "no IPsec policy in the kernel's XFRM database (%zu XFRM polic%s "
		      "without a template)",
		      st.npolicies, st.npolicies == 1 ? "y" : "ies");
	missing = ipsec_evaluate(&st, r, &low);
	if (st.ntemplated) {
		if (missing || low)
			hd_result_set(r, HD_CRITICAL, "%zu SA%s missing for %zu IPsec polic%s%s",
				      missing, missing == 1 ? "" : "s", st.ntemplated,
				      st.ntemplated == 1 ? "y" : "ies",
				      low ? ", SPI below 256 on a manual SA" : "");
		else
			hd_result_set(r, HD_OK,
				      "%zu IPsec polic%s, %zu SA%s, every template has its "
				      "SAs",
				      st.ntemplated, st.ntemplated == 1 ? "y" : "ies", st.nsas,
				      st.nsas == 1 ? "" : "s");
	} else if (low) {
		hd_result_set(r, HD_CRITICAL, "%zu SA%s with an SPI below 256", low,
			      low == 1 ? "" : "s");
	}
	if (!r->remedy) /* for a threshold crossing */
		hd_result_remedy(r, "Check 'ip xfrm policy' and 'ip xfrm state' against the IKE "
				    "daemon's configuration.");
	hd_result_metric(r, "missing_sas", (double)missing, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "policies", (double)st.ntemplated, HD_UNIT_NONE);
	hd_result_metric(r, "sas", (double)st.nsas, HD_UNIT_NONE);
	hd_result_metric(r, "low_spi", (double)low, HD_UNIT_NONE);
	ipsec_state_free(&st);
	return 0;
}

static const struct hd_param params[] = {
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"missing_sas", "SAs the installed IPsec policies need but the kernel does not have."},
    {"policies", "XFRM policies with a template (IPsec policies)."},
    {"sas", "XFRM security associations."},
    {"low_spi", "ESP/AH SAs with an SPI in the reserved range 1-255."},
    {0},
};

const struct hd_probe probe_ipsec = {
    .name = "ipsec",
    .summary = "Linux XFRM: IPsec policies have their SAs in both directions, no SPI below 256",
    .params = params,
    .metrics = metrics,
    .run = run,
};
