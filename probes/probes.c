/* The one table of probe types: adding a probe is one file in probes/ and one row here. */
#include "probes.h"

extern const struct hd_probe probe_sysctl;
extern const struct hd_probe probe_file_handles;
extern const struct hd_probe probe_ds_update;
extern const struct hd_probe probe_http_reach;
extern const struct hd_probe probe_smtp_reach;

const struct hd_probe *const hd_probes[] = {
	&probe_sysctl,
	&probe_file_handles,
	&probe_ds_update,
	&probe_http_reach,
	&probe_smtp_reach,
	NULL,
};
