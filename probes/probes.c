/* The one table of probe types: adding a probe is one file in probes/ and one row here. */
#include "probes.h"

extern const struct hd_probe probe_sysctl;
extern const struct hd_probe probe_file_handles;
extern const struct hd_probe probe_nic_rings;
extern const struct hd_probe probe_unix_socket;
extern const struct hd_probe probe_tproxy;

const struct hd_probe *const hd_probes[] = {
	&probe_sysctl,
	&probe_file_handles,
	&probe_nic_rings,
	&probe_unix_socket,
	&probe_tproxy,
	NULL,
};
