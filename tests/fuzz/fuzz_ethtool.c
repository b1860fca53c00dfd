/* ethtool generic netlink replies (nic-rings): the family lookup and the rings dump, over framed
 * (first byte even) or raw bytes. */
#include <linux/genetlink.h>

#include "fuzz.h"
#include "netlink.h"
#include "probe_nic_rings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint8_t mode = fz_u8(&f);
	struct nic_rings_list l = {0};
	uint16_t id = 0;
	size_t len;
	uint8_t *buf;

	/* the ethtool family's id is dynamic: any type is a reply */
	buf = fz_nl_input(&f, mode, (uint16_t)((mode >> 1) + GENL_ID_CTRL), &len);
	hd_nl_replay(buf, len, nic_rings_family_cb, &id);
	hd_nl_replay(buf, len, nic_rings_cb, &l);
	for (size_t i = 0; i < l.n; i++)
		nic_rings_below_max(&l.v[i]);
	nic_rings_list_free(&l);
	free(buf);
	return 0;
}
