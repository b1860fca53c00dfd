/* sock_diag replies (port, connections): sd_replay() over one or more dumps, framed as the kernel
 * frames them (first byte even) or as raw bytes (odd), and what the two probes make of them. */
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "probe_connections.h"
#include "probe_port.h"
#include "sockdiag.h"

static int take(const struct sd_sock *s, void *data)
{
	struct port_scan *scan = data;
	char buf[64];

	sd_format_local(s, buf, sizeof(buf));
	port_state_name(s, s->state & 1 ? IPPROTO_TCP : IPPROTO_UDP);
	return port_collect(s, scan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint8_t mode = fz_u8(&f);
	struct port_scan scan = {.port = 22, .proto = IPPROTO_TCP};
	struct conn_count count = {.port = 22};
	size_t len;
	uint8_t *buf;

	buf = fz_nl_input(&f, mode, SOCK_DIAG_BY_FAMILY, &len);
	sd_replay(buf, len, take, &scan);
	port_scan_free(&scan);
	sd_replay(buf, len, conn_collect, &count);
	free(buf);
	return 0;
}
