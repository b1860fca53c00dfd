/* The one table of probe types: adding a probe is one file in probes/ and one row here. */
#include "probes.h"

extern const struct hd_probe probe_sysctl;
extern const struct hd_probe probe_file_handles;
extern const struct hd_probe probe_memory;
extern const struct hd_probe probe_process;
extern const struct hd_probe probe_core_files;
extern const struct hd_probe probe_kernel_version;

const struct hd_probe *const hd_probes[] = {
	&probe_sysctl,
	&probe_file_handles,
	&probe_memory,
	&probe_process,
	&probe_core_files,
	&probe_kernel_version,
	NULL,
};
