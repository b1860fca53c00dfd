/* semaphores: /proc/sys/kernel/sem, /proc/sysvipc/sem and the start time in /proc/PID/stat. */
#include "fuzz.h"
#include "probe_semaphores.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	const char *b = (const char *)buf;
	struct sem_limits l;
	struct sem_set *sets = NULL;
	size_t n = 0;
	char why[128];
	uint64_t ticks;

	sem_limits_parse(b, size, &l);
	if (sem_table_parse(b, size, &sets, &n, why, sizeof(why)) == 0)
		free(sets);
	proc_stat_starttime(b, size, &ticks);
	free(buf);
	return 0;
}
