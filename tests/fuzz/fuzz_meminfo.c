/* /proc/meminfo as memory and connections read it. */
#include "fuzz.h"
#include "probe_connections.h"
#include "probe_memory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct meminfo m;
	const char *bad;
	uint64_t kb;

	if (meminfo_parse((const char *)buf, size, &m, &bad) == 0)
		meminfo_available_kb(&m);
	meminfo_kb((const char *)buf, size, "MemAvailable", &kb);
	meminfo_kb((const char *)buf, size, "Slab", &kb);
	free(buf);
	return 0;
}
