/* unix_diag replies (unix-socket): the match callback over framed (first byte even) or raw bytes. */
#include <linux/sock_diag.h>

#include "fuzz.h"
#include "netlink.h"
#include "probe_unix_socket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint8_t mode = fz_u8(&f);
	struct unix_diag_match m = {.vfs_ino = 1234, .major = 0, .minor = 21};
	size_t len;
	uint8_t *buf;

	buf = fz_nl_input(&f, mode, SOCK_DIAG_BY_FAMILY, &len);
	hd_nl_replay(buf, len, unix_diag_match_cb, &m);
	free(buf);
	return 0;
}
