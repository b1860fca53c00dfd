/* cvd: a ClamAV .cvd file, its 512-byte header and its gzip'd tar body fed in pieces as the probe
 * reads it. */
#include "fuzz.h"
#include "probe_cvd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t hlen = size < CVD_HEADER_LEN ? size : CVD_HEADER_LEN;
	uint8_t *head = fz_copy(data, hlen);
	struct cvd_header h;
	struct cvd_body *b;
	char why[256];
	uint64_t inflated, trailing;
	int rc = 0;

	cvd_header_parse((const char *)head, hlen, &h, why, sizeof(why));
	b = cvd_body_new();
	for (size_t off = hlen; off < size && rc == 0;) {
		/* pieces of uneven size, as reads return them */
		size_t n = size - off < 97 ? size - off : 97;
		uint8_t *piece = fz_copy(data + off, n);

		rc = cvd_body_feed(b, piece, n, why, sizeof(why));
		free(piece);
		off += n;
	}
	if (rc == 0)
		cvd_body_end(b, &inflated, &trailing, why, sizeof(why));
	cvd_body_free(b);
	if (size >= 512)
		tar_header_valid(data + size - 512);
	free(head);
	return 0;
}
