/* Nagios threshold ranges (warning/critical, -w/-c): parse, format, parse the text back. */
#include <math.h>

#include "fuzz.h"
#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	struct hd_range r, again;
	const char *why;
	char text[96];

	if (hd_range_parse(s, &r, &why) == 0) {
		hd_range_alerts(&r, 0);
		hd_range_alerts(&r, 1e300);
		hd_range_alerts(&r, NAN);
		hd_range_format(&r, text, sizeof(text));
		/* what the runner writes, the parent reads back */
		if (hd_range_parse(text, &again, &why) != 0)
			abort();
	}
	free(s);
	return 0;
}
