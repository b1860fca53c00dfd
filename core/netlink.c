/* Netlink transport shared by the sock_diag, unix_diag, ethtool and xfrm probes. */
#include "netlink.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

static void close_nl(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
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

		if (deadline > 0) {
			struct pollfd p = {.fd = mnl_socket_get_fd(nl), .events = POLLIN};
			double left = deadline - hd_now();
			int r;

			if (left <= 0) {
				ret = -ETIMEDOUT;
				break;
			}
			r = poll(&p, 1, (int)(left * 1000) + 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				ret = r == 0 ? -ETIMEDOUT : -errno;
				break;
			}
		}
		n = mnl_socket_recvfrom(nl, buf, bufsize);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (ret < 0) {
			ret = -errno;
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

int hd_nl_replay(const void *buf, size_t len, mnl_cb_t cb, void *data)
{
	/* seq 0 and portid 0 match any recorded message */
	return mnl_cb_run(buf, len, 0, 0, cb, data);
}
