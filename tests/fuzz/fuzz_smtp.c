/* smtp-reach: SMTP replies (RFC 5321 4.2) as a server sends them, taken one after the other. */
#include "fuzz.h"
#include "probe_smtp_reach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	size_t off = 0;
	char text[512];

	while (off < size) {
		int code;
		size_t used = 0;
		int rc = smtp_parse_reply((const char *)buf + off, size - off, &code, &used, text,
					  sizeof(text));
		if (rc <= 0)
			break;
		if (used == 0 || used > size - off)
			abort(); /* a reply is taken whole, and nothing beyond it */
		off += used;
	}
	free(buf);
	return 0;
}
