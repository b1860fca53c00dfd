/* tproxy's readers: a kernel .config (plain or /proc/config.gz), /proc/net/ip_tables_targets,
 * /proc/modules and the capability masks of /proc/PID/status. */
#include <stdint.h>

#include "fuzz.h"
#include "probe_tproxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	const char *b = (const char *)buf;
	char *text = NULL;
	size_t tlen = 0;
	uint64_t caps;

	tproxy_kconfig_name(tproxy_kconfig(b, size, "CONFIG_NETFILTER_XT_TARGET_TPROXY"));
	tproxy_kconfig(b, size, "CONFIG_NFT_TPROXY");
	tproxy_has_line(b, size, "TPROXY");
	tproxy_module_loaded(b, size, "xt_TPROXY");
	tproxy_caps(b, size, "CapEff", &caps);
	if (tproxy_gunzip(buf, size, &text, &tlen, 1u << 20) == 0) {
		tproxy_kconfig(text, tlen, "CONFIG_NFT_TPROXY");
		free(text);
	}
	free(buf);
	return 0;
}
