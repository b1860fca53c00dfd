/* Parsers of the ipsec probe (the Linux kernel's XFRM policy and SA dumps), shared with the tests. */
#pragma once

#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hd_result;

/* One template of one policy: the SA the kernel needs for matching traffic. */
struct ipsec_tmpl {
	uint16_t family;
	xfrm_address_t src, dst; /* the template's, or the selector's when it leaves them out */
	uint8_t proto;		 /* IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP */
	uint8_t mode;		 /* XFRM_MODE_* */
	uint8_t dir;		 /* XFRM_POLICY_IN/OUT/FWD of the policy */
	bool optional;		 /* "level use": traffic passes without the SA */
	uint32_t reqid;
	uint32_t spi; /* host order; 0: any */
	uint32_t index;
};

struct ipsec_sa {
	uint16_t family;
	xfrm_address_t src, dst;
	uint8_t proto, mode;
	uint32_t reqid;
	uint32_t spi; /* host order */
};

struct ipsec_state {
	size_t npolicies;  /* policies seen (with or without templates) */
	size_t ntemplated; /* policies with a template */
	struct ipsec_tmpl *tmpls;
	size_t ntmpls;
	struct ipsec_sa *sas;
	size_t nsas;
	int error; /* first malformed message: -EINVAL */
};

/* libmnl data callbacks for XFRM_MSG_GETPOLICY and XFRM_MSG_GETSA dumps (DATA: ipsec_state). */
int ipsec_policy_cb(const struct nlmsghdr *nlh, void *data);
int ipsec_sa_cb(const struct nlmsghdr *nlh, void *data);
void ipsec_state_free(struct ipsec_state *st);

/* Every non-optional template needs an SA in each direction; ESP/AH SPIs below 256 are
 * reserved (only manual keying produces them). Adds details and remedies to R and raises its
 * status; returns the number of missing SAs (*LOW_SPI: SAs with a reserved SPI). */
size_t ipsec_evaluate(const struct ipsec_state *st, struct hd_result *r, size_t *low_spi);
