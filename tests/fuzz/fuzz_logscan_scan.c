/* log-scan's scanner: any bytes (NUL, invalid UTF-8, no final newline) counted against the
 * keyword categories and the shipped catalogue, through vectorscan and through pcre2 alone
 * (the reference), whole and in two pieces. */
#include "catalog.h"
#include "fuzz.h"
#include "log_match.h"

static struct hd_log_matcher *hs, *pc;
static struct hd_log_scanner *shs, *spc;

static void hit(void *u, size_t entry, const char *line, size_t len)
{
	(void)u;
	(void)entry;
	if (len && !line)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hd_log_counts a, b, c;
	uint8_t *buf;

	if (!hs) {
		static struct hd_catalog cat;
		char err[512];

		if (hd_catalog_load_dir(&cat, hd_catalog_default_dir(), err, sizeof(err)) < 0 ||
		    hd_log_matcher_new(&cat, &(struct hd_log_matcher_opts){.cache_dirfd = -1}, &hs,
				       err, sizeof(err)) < 0 ||
		    hd_log_matcher_new(
			&cat, &(struct hd_log_matcher_opts){.pcre2_only = true, .cache_dirfd = -1},
			&pc, err, sizeof(err)) < 0)
			abort();
		shs = hd_log_scanner_new(hs);
		spc = hd_log_scanner_new(pc);
	}
	buf = fz_copy(data, size);
	hd_log_counts_init(&a, hs);
	hd_log_counts_init(&b, hs);
	hd_log_counts_init(&c, pc);
	hd_log_scan(shs, (const char *)buf, size, &a, hit, NULL);
	hd_log_scan(shs, (const char *)buf, size / 2, &b, hit, NULL);
	hd_log_scan(shs, (const char *)buf + size / 2, size - size / 2, &b, hit, NULL);
	hd_log_scan(spc, (const char *)buf, size, &c, hit, NULL);
	/* vectorscan and pcre2 count the same lines, categories and catalogue entries */
	if (a.lines != c.lines || memcmp(a.cat, c.cat, sizeof(a.cat)) != 0 ||
	    a.catalog != c.catalog)
		abort();
	for (size_t e = 0; e < a.nentries; e++)
		if (a.entry[e] != c.entry[e])
			abort();
	hd_log_counts_free(&a);
	hd_log_counts_free(&b);
	hd_log_counts_free(&c);
	free(buf);
	return 0;
}
