/* Netlink transport shared by the sock_diag, unix_diag, ethtool and xfrm probes. */
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

static void close_nl(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
}

/* mnl_socket_recvfrom() without blocking: a message from the kernel (port 0) that fit. */
static ssize_t recv_nowait(int fd, void *buf, size_t len)
{
	struct sockaddr_nl addr;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {
	    .msg_name = &addr,
	    .msg_namelen = sizeof(addr),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	};
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);

	if (n < 0)
		return n;
	if (msg.msg_flags & MSG_TRUNC) {
		errno = ENOSPC;
		return -1;
	}
	if (msg.msg_namelen != sizeof(addr) || addr.nl_pid != 0) {
		errno = EPROTO; /* not from the kernel */
		return -1;
	}
	return n;
}

int hd_nl_request(int proto, struct nlmsghdr *req, mnl_cb_t cb, void *data, double deadline)
{
	__attribute__((cleanup(close_nl))) struct mnl_socket *nl = NULL;
	size_t bufsize = 1u << 16; /* a dump message batch fits: MNL_SOCKET_BUFFER_SIZE is 8K */
	char *buf;
	unsigned int seq, portid;
	int ret;

	nl = mnl_socket_open(proto);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	req->nlmsg_seq = seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -errno;
	buf = malloc(bufsize);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (deadline > 0 && hd_now() >= deadline) { /* a dump that never ends */
			ret = -ETIMEDOUT;
			break;
		}
		n = recv_nowait(mnl_socket_get_fd(nl), buf, bufsize);

		/* the kernel fills a dump's next batch inside recvmsg() itself, so a reply is
		 * almost always waiting: poll only when it is not (a hundred dump batches would
		 * otherwise cost a hundred polls) */
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = mnl_socket_get_fd(nl), .events = POLLIN};
			double left = deadline > 0 ? deadline - hd_now() : -1;
			int r;

			if (deadline > 0 && left <= 0) {
				ret = -ETIMEDOUT;
				break;
			}
			r = poll(&p, 1, deadline > 0 ? (int)(left * 1000) + 1 : -1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				ret = r == 0 ? -ETIMEDOUT : -errno;
				break;
			}
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		ret = hd_nl_frame_check(buf, (size_t)n);
		if (ret < 0)
			break;
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (ret < 0) {
			ret = errno > 0 && errno < 4096 ? -errno : -EBADMSG;
			break;
		}
		if (ret == MNL_CB_STOP) {
			ret = 0;
			break;
		}
	}
	free(buf);
	return ret;
}

int hd_nl_frame_check(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t left = len;

	/* mnl_cb_run() walks with an int length: a buffer or an nlmsg_len above INT_MAX wraps */
	if (len > (size_t)INT32_MAX)
		return -EFBIG;
	while (left > 0) {
		struct nlmsghdr h;

		if (left < sizeof(h))
			return -EBADMSG;
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > left)
			return -EBADMSG;
		/* an error reply carries an errno libmnl hands on: the kernel's are -4095..0 */
		if (h.nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;

			if (h.nlmsg_len < NLMSG_HDRLEN + sizeof(e))
				return -EBADMSG;
			memcpy(&e, p + NLMSG_HDRLEN, sizeof(e));
			if (e.error > 0 || e.error < -4095)
				return -EBADMSG;
		}
		/* the next message starts at the aligned end; the last may end unaligned */
		if (NLMSG_ALIGN((size_t)h.nlmsg_len) >= left)
			break;
		p += NLMSG_ALIGN((size_t)h.nlmsg_len);
		left -= NLMSG_ALIGN((size_t)h.nlmsg_len);
	}
	return 0;
}

int hd_nl_replay(const void *buf, size_t len, mnl_cb_t cb, void *data)
{
	int rc = hd_nl_frame_check(buf, len);

	if (rc < 0) {
		errno = -rc;
		return MNL_CB_ERROR;
	}
	/* seq 0 and portid 0 match any recorded message */
	return mnl_cb_run(buf, len, 0, 0, cb, data);
}
