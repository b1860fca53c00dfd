/* tmp-cleaner: /etc/tmpreaper.conf (first part) and a crontab or script running tmpwatch or
 * tmpreaper (second part, after the first NUL), and whether their jobs clean a directory. */
#include "fuzz.h"
#include "probe_tmp_cleaner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t clen = nul ? (size_t)(nul - data) : 0;
	const uint8_t *cron = nul ? nul + 1 : data;
	size_t cronlen = size - (size_t)(cron - data);
	uint8_t *conf = fz_copy(data, clen), *script = fz_copy(cron, cronlen);
	char *spec = fz_str(data, clen < 32 ? clen : 32);
	struct tc_reaper_conf rc = {0};
	struct tc_jobs jobs = {0};
	const char *shield;
	double secs;

	tc_timespec_parse(spec, &secs);
	tc_reaper_conf_parse((const char *)conf, clen, &rc);
	tc_cron_parse((const char *)script, cronlen, "/etc/cron.daily/tmpreaper", &rc, &jobs);
	for (size_t i = 0; i < jobs.n; i++) {
		tc_job_covers(&jobs.v[i], "/tmp", &shield);
		tc_job_covers(&jobs.v[i], "/var/tmp/product", &shield);
	}
	tc_jobs_free(&jobs);
	tc_reaper_conf_free(&rc);
	free(spec);
	free(conf);
	free(script);
	return 0;
}
