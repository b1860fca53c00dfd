/* The message catalogue loader: one file's bytes (entries, pcre2 patterns, related ids), then
 * lines matched against what loaded, as explain matches them. */
#include "catalog.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct hd_catalog cat = {0};
	char err[512];
	size_t idx[8], *all = NULL;

	if (hd_catalog_parse(&cat, "fuzz.conf", (const char *)buf, size, err, sizeof(err)) == 0) {
		hd_catalog_check_related(&cat, err, sizeof(err));
		for (size_t i = 0; i < cat.n; i++)
			for (size_t k = 0; k < cat.entries[i].nsamples; k++) {
				const char *s = cat.entries[i].samples[k];
				hd_catalog_match(&cat, s, strlen(s), idx, 8);
				hd_catalog_line_status(&cat.entries[i], s, strlen(s));
			}
		hd_catalog_match(&cat, (const char *)buf, size, idx, 8);
		hd_catalog_explain(&cat, (const char *)buf, size, &all);
		free(all);
	}
	hd_catalog_free(&cat);
	free(buf);
	return 0;
}
