/* tmp-cleaner: systemd-tmpfiles rules (two files, the second after the first, as systemd reads
 * them) and whether they clean a directory; tmpfiles ages. */
#include "fuzz.h"
#include "probe_tmp_cleaner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	char *age = fz_line(&f);
	size_t half = f.n / 2;
	uint8_t *a = fz_copy(f.d, half), *b = fz_copy(f.d + half, f.n - half);
	struct tc_items items = {0};
	const struct tc_item *by, *shield;
	double secs;
	bool tilde;

	tc_age_parse(age, &secs, &tilde);
	tc_tmpfiles_parse((const char *)a, half, "/usr/lib/tmpfiles.d/tmp.conf", &items);
	tc_tmpfiles_parse((const char *)b, f.n - half, "/etc/tmpfiles.d/site.conf", &items);
	tc_tmpfiles_covers(&items, "/tmp", &by, &shield);
	tc_tmpfiles_covers(&items, "/var/tmp/product/dir", &by, &shield);
	for (size_t i = 0; i < items.n && i < 8; i++)
		tc_tmpfiles_covers(&items, items.v[i].path, &by, &shield);
	tc_items_free(&items);
	free(a);
	free(b);
	free(age);
	return 0;
}
