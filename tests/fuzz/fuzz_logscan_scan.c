/* log-scan's scanner: any bytes (NUL, invalid UTF-8, no final newline) counted against the
 * keyword categories and the shipped catalogue, in one piece and in two. */
#include "catalog.h"
#include "fuzz.h"
#include "probe_log_scan.h"

static struct logscan *ls;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	struct logscan_counts one, two;

	if (!ls) {
		static struct hd_catalog cat;
		char err[512];

		if (hd_catalog_load_dir(&cat, hd_catalog_default_dir(), err, sizeof(err)) < 0)
			abort();
		ls = logscan_new(&cat);
	}
	buf = fz_copy(data, size);
	logscan_counts_init(&one, ls);
	logscan_counts_init(&two, ls);
	logscan_scan(ls, (const char *)buf, size, &one);
	logscan_scan(ls, (const char *)buf, size / 2, &two);
	logscan_scan(ls, (const char *)buf + size / 2, size - size / 2, &two);
	logscan_counts_free(&one);
	logscan_counts_free(&two);
	free(buf);
	return 0;
}
