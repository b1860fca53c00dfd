/* Netlink transport over libmnl: send one request, hand every reply to a callback. */
#pragma once

#include <libmnl/libmnl.h>
#include <stddef.h>

/* Open a NETLINK_PROTO socket, send REQ (nlmsg_seq/pid are set here), and run CB on
 * every reply message until NLMSG_DONE (dumps) or the ACK/answer (plain requests).
 * Gives up at DEADLINE (CLOCK_MONOTONIC seconds; 0: no deadline) with -ETIMEDOUT.
 * Returns 0, a negative errno from the kernel (NLMSG_ERROR), or from the socket. */
int hd_nl_request(int proto, struct nlmsghdr *req, mnl_cb_t cb, void *data, double deadline);

/* Run CB over a buffer of recorded replies (a test input or a dump file):
 * MNL_CB_STOP/OK/ERROR as mnl_cb_run(). */
int hd_nl_replay(const void *buf, size_t len, mnl_cb_t cb, void *data);
