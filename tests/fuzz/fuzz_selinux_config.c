/* /etc/selinux/config and /proc/self/mounts as selinux-allow and selinux-avc read them. */
#include "fuzz.h"
#include "probe_selinux_allow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct selinux_config cfg;
	char mnt[256];

	selinux_config_parse((const char *)buf, size, &cfg);
	selinux_mounts_find((const char *)buf, size, mnt, sizeof(mnt));
	free(buf);
	return 0;
}
