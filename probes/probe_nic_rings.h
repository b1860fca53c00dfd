/* Parsers of the nic-rings probe: ethtool generic netlink replies and statistics counters. */
#pragma once

#include <libmnl/libmnl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ring sizes of one interface. A pair whose maximum the driver reports as 0 is omitted by the
 * kernel: has_rx/has_tx false means "not applicable", never a ring of size 0. */
struct nic_rings {
	char ifname[IFNAMSIZ];
	bool has_rx, has_tx;
	uint32_t rx, rx_max, tx, tx_max;
};

/* Rings collected from a (dump) reply stream; hand &list as the data of nic_rings_cb. */
struct nic_rings_list {
	struct nic_rings *v;
	size_t n;
	int err; /* first malformed message: -EBADMSG */
};

/* CTRL_CMD_GETFAMILY reply: *data is a uint16_t that receives CTRL_ATTR_FAMILY_ID. */
int nic_rings_family_cb(const struct nlmsghdr *nlh, void *data);
/* One ETHTOOL_MSG_RINGS_GET_REPLY into OUT. 0, or -EBADMSG when the message is malformed
 * (no device name, a pair with one half, an attribute of the wrong size). */
int nic_rings_parse(const struct nlmsghdr *nlh, struct nic_rings *out);
/* mnl callback appending every RINGS_GET_REPLY to a struct nic_rings_list. */
int nic_rings_cb(const struct nlmsghdr *nlh, void *data);
void nic_rings_list_free(struct nic_rings_list *l);

/* A /sys/class/net/IF/statistics counter: one decimal and a newline. 0 or -EINVAL. */
int nic_counter_parse(const char *bytes, size_t len, uint64_t *out);

/* Rings below their maximum: true when RX or TX (where applicable) is below the maximum. */
bool nic_rings_below_max(const struct nic_rings *r);
