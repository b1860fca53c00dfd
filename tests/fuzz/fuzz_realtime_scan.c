/* realtime-scan: a fanotify fd's /proc/PID/fdinfo marks and a process's /proc/PID/cgroup. */
#include <sys/sysmacros.h>

#include "fuzz.h"
#include "probe_realtime_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = fz_copy(data, size);
	struct rt_mark *marks = NULL;
	size_t n = 0;
	unsigned int flags;
	char unit[256];

	if (rt_fdinfo_parse((const char *)buf, size, &marks, &n, &flags) == 0) {
		for (size_t i = 0; i < n; i++) {
			rt_covers(&marks[i], rt_sdev_dev(marks[i].sdev), marks[i].ino,
				  marks[i].mnt_id);
			rt_blocking(&marks[i]);
			rt_events(marks[i].mask);
		}
		rt_ignored(marks, n, makedev(8, 1), 2);
	}
	free(marks);
	rt_cgroup_unit((const char *)buf, size, unit, sizeof(unit));
	free(buf);
	return 0;
}
