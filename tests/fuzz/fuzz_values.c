/* Values of checks the probes parse themselves: octal modes (path), HTTP status specs
 * (http-reach), one per line. */
#include <sys/types.h>

#include "fuzz.h"
#include "probe_http_reach.h"
#include "probe_path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	char *specs[9] = {0};
	const char *bad;
	mode_t mode;
	int n = 0;

	while (f.n && n < 8)
		specs[n++] = fz_line(&f);
	for (int i = 0; i < n; i++)
		if (path_mode_parse(specs[i], &mode) == 0)
			path_mode_excess(mode, 0755);
	http_status_expected(specs, 200, &bad);
	http_status_expected(specs, 503, &bad);
	for (int i = 0; i < n; i++)
		free(specs[i]);
	return 0;
}
