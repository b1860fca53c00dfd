/* ${ini:PATH:SECTION:KEY:-DEFAULT} references: the reference (first line) and the product's INI
 * file it points at (the rest), looked up as the runner does. */
#include "fuzz.h"
#include "indirect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	char *ref_text = fz_line(&f);
	char *ini = fz_str(f.d, f.n);
	struct hd_ini_ref ref;
	char *value = NULL;

	if (hd_ini_ref_parse(ref_text, &ref) > 0) {
		if (hd_ini_lookup(ini, f.n, ref.section, ref.key, &value) == 0)
			free(value);
		hd_ini_ref_free(&ref);
	}
	free(ref_text);
	free(ini);
	return 0;
}
