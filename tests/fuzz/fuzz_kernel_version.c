/* kernel-version and kernel-bpf: /proc/sys/kernel/osrelease and /etc/os-release, and what the
 * probes derive from them (supported releases, the headers package). */
#include "fuzz.h"
#include "probe_kernel_bpf.h"
#include "probe_kernel_version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *patterns[] = {"4.18.0-*.el8*", "5.14.*", "*uek*"};
	uint8_t *buf = fz_copy(data, size);
	char *release = fz_str(data, size < 128 ? size : 128);
	struct kver k, want = {.up = {4, 18}, .nup = 2};
	struct os_release os;
	char id[64], like[128], pkg[256], cmd[512];

	if (kver_parse((const char *)buf, size, &k) == 0)
		kver_cmp(&k, &want);
	os_release_parse((const char *)buf, size, &os);
	os_release_get((const char *)buf, size, "ID", id, sizeof(id));
	os_release_get((const char *)buf, size, "ID_LIKE", like, sizeof(like));
	kver_supported(release, patterns, 3);
	kernel_headers_package(kernel_family_of(id, like, release), release, pkg, sizeof(pkg), cmd,
			       sizeof(cmd));
	free(release);
	free(buf);
	return 0;
}
