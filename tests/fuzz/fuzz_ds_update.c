/* The anti-malware agent's update records (ds-update): TmuDump.txt and iau.log scanned for
 * results, the time of a line, and version strings. */
#include "fuzz.h"
#include "probe_ds_update.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	char *s = fz_str(data, size < 256 ? size : 256);
	struct dsu_log log;
	struct dsu_version v, fixed = {.major = 9, .minor = 6, .sp = 2, .patch = 5};

	dsu_parse_log((const char *)buf, size, &log);
	dsu_event_name(log.last);
	dsu_line_time(s);
	if (dsu_parse_version(s, &v) == 0)
		dsu_has_fix(&v, &fixed);
	free(s);
	free(buf);
	return 0;
}
