/* kernel-module: a .ko file (ELF sections, .modinfo, __versions) and keys of .modinfo bytes. */
#include "fuzz.h"
#include "probe_kernel_module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct ko_info ko;
	size_t vlen;

	ko_parse(buf, size, &ko);
	modinfo_get((const char *)buf, size, "vermagic", &vlen);
	modinfo_get((const char *)buf, size, "name", &vlen);
	free(buf);
	return 0;
}
