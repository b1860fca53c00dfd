/* XFRM policy and SA dumps (ipsec), over framed (first byte even) or raw bytes, then what the
 * probe concludes from them. */
#include <linux/xfrm.h>

#include "fuzz.h"
#include "netlink.h"
#include "probe_ipsec.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	uint8_t mode = fz_u8(&f);
	struct ipsec_state st = {0};
	struct hd_result r;
	size_t len, low = 0;
	uint8_t *buf;

	buf = fz_nl_input(&f, mode, mode & 2 ? XFRM_MSG_NEWSA : XFRM_MSG_NEWPOLICY, &len);
	hd_nl_replay(buf, len, ipsec_policy_cb, &st);
	hd_nl_replay(buf, len, ipsec_sa_cb, &st);
	hd_result_init(&r);
	ipsec_evaluate(&st, &r, &low);
	hd_result_free(&r);
	ipsec_state_free(&st);
	free(buf);
	return 0;
}
