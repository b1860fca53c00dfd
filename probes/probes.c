/* The one table of probe types: adding a probe is one file in probes/ and one row here. */
#include "probes.h"

extern const struct hd_probe probe_sysctl;
extern const struct hd_probe probe_file_handles;
extern const struct hd_probe probe_semaphores;
extern const struct hd_probe probe_tmp_space;
extern const struct hd_probe probe_realtime_scan;

const struct hd_probe *const hd_probes[] = {
	&probe_sysctl,
	&probe_file_handles,
	&probe_semaphores,
	&probe_tmp_space,
	&probe_realtime_scan,
	NULL,
};
