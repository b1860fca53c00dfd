/* log-scan's state file (version 2, and version 1 as older runs wrote it): parsed, written
 * back, and the text written parsed to the same. */
#include "fuzz.h"
#include "log_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct hd_log_state st = {0}, again = {0};
	int bad;

	if (hd_log_state_parse((const char *)buf, size, &st, &bad) == 0) {
		char *text = hd_log_state_format(&st);

		if (hd_log_state_parse(text, strlen(text), &again, &bad) != 0 ||
		    again.nfiles != st.nfiles || again.journal != st.journal)
			abort(); /* what a run writes, the next run reads */
		hd_log_state_free(&again);
		free(text);
	}
	hd_log_state_free(&st);
	free(buf);
	return 0;
}
