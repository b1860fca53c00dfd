/* log-scan's state file: parsed, written back, and the text written parsed to the same. */
#include "catalog.h"
#include "fuzz.h"
#include "probe_log_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct logscan_pos *pos = NULL, *again = NULL;
	size_t n = 0, n2 = 0;
	int bad;

	if (logscan_state_parse((const char *)buf, size, &pos, &n, &bad) == 0) {
		char *text = logscan_state_format(pos, n);

		if (logscan_state_parse(text, strlen(text), &again, &n2, &bad) != 0 || n2 != n)
			abort(); /* what a run writes, the next run reads */
		logscan_pos_free(again, n2);
		free(text);
	}
	logscan_pos_free(pos, n);
	free(buf);
	return 0;
}
