/* The checks.d loader: one file's bytes through libinih and the validation against the probe
 * table, twice (a second file overrides the first one's checks). */
#include "config.h"
#include "fuzz.h"
#include "probes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct hd_config cfg = {0};
	char err[512];

	if (hd_config_parse(&cfg, "fuzz.conf", (const char *)buf, size, hd_probes, err,
			    sizeof(err)) == 0)
		hd_config_parse(&cfg, "override.conf", (const char *)buf, size, hd_probes, err,
				sizeof(err));
	hd_config_free(&cfg);
	free(buf);
	return 0;
}
