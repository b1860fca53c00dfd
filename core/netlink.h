/* Netlink transport over libmnl: send one request, hand every reply to a callback. */
#pragma once

#include <libmnl/libmnl.h>
#include <stddef.h>

/* Open a NETLINK_PROTO socket, send REQ (nlmsg_seq/pid are set here), and run CB on
 * every reply message until NLMSG_DONE (dumps) or the ACK/answer (plain requests).
 * Gives up at DEADLINE (CLOCK_MONOTONIC seconds; 0: no deadline) with -ETIMEDOUT.
 * Returns 0, a negative errno from the kernel (NLMSG_ERROR), or from the socket. */
int hd_nl_request(int proto, struct nlmsghdr *req, mnl_cb_t cb, void *data, double deadline);

/* Is BUF a sequence of whole netlink messages: each nlmsg_len at least a header and at most what
 * remains, the next message at its aligned end, an error reply whole with an errno the kernel
 * could send (-4095..0)? libmnl's walk trusts nlmsg_len (compared as an
 * int, a length of 2 GiB or more sends it out of the buffer or round in circles), so every
 * buffer is checked here before libmnl sees it. 0, -EBADMSG, or -EFBIG (above INT_MAX). */
int hd_nl_frame_check(const void *buf, size_t len);

/* Run CB over a buffer of recorded replies (a test input or a dump file), once its framing is
 * checked (MNL_CB_ERROR with errno EBADMSG when it is not whole): MNL_CB_STOP/OK/ERROR as
 * mnl_cb_run(). */
int hd_nl_replay(const void *buf, size_t len, mnl_cb_t cb, void *data);
