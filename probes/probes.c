/* The one table of probe types: adding a probe is one file in probes/ and one row here. */
#include "probes.h"

extern const struct hd_probe probe_sysctl;
extern const struct hd_probe probe_file_handles;
extern const struct hd_probe probe_selinux_allow;
extern const struct hd_probe probe_ipsec;
extern const struct hd_probe probe_ipsec_engine;
extern const struct hd_probe probe_ipsec_policy;
extern const struct hd_probe probe_ipsec_certs;
extern const struct hd_probe probe_kernel_bpf;
extern const struct hd_probe probe_secure_boot;
extern const struct hd_probe probe_user;
extern const struct hd_probe probe_path;
extern const struct hd_probe probe_memory;
extern const struct hd_probe probe_process;
extern const struct hd_probe probe_core_files;
extern const struct hd_probe probe_kernel_version;
extern const struct hd_probe probe_ds_update;
extern const struct hd_probe probe_http_reach;
extern const struct hd_probe probe_smtp_reach;
extern const struct hd_probe probe_port;
extern const struct hd_probe probe_connections;
extern const struct hd_probe probe_log_scan;
extern const struct hd_probe probe_nic_rings;
extern const struct hd_probe probe_unix_socket;
extern const struct hd_probe probe_tproxy;
extern const struct hd_probe probe_semaphores;
extern const struct hd_probe probe_tmp_space;
extern const struct hd_probe probe_realtime_scan;
extern const struct hd_probe probe_tmp_cleaner;
extern const struct hd_probe probe_selinux_avc;
extern const struct hd_probe probe_readable;
extern const struct hd_probe probe_kernel_module;
extern const struct hd_probe probe_cvd;
extern const struct hd_probe probe_baseline;
extern const struct hd_probe probe_logins;

/* clang-format off */
const struct hd_probe *const hd_probes[] = {
	&probe_sysctl,
	&probe_file_handles,
	&probe_selinux_allow,
	&probe_ipsec,
	&probe_ipsec_engine,
	&probe_ipsec_policy,
	&probe_ipsec_certs,
	&probe_kernel_bpf,
	&probe_secure_boot,
	&probe_user,
	&probe_path,
	&probe_memory,
	&probe_process,
	&probe_core_files,
	&probe_kernel_version,
	&probe_ds_update,
	&probe_http_reach,
	&probe_smtp_reach,
	&probe_port,
	&probe_connections,
	&probe_log_scan,
	&probe_nic_rings,
	&probe_unix_socket,
	&probe_tproxy,
	&probe_semaphores,
	&probe_tmp_space,
	&probe_realtime_scan,
	&probe_tmp_cleaner,
	&probe_selinux_avc,
	&probe_readable,
	&probe_kernel_module,
	&probe_cvd,
	&probe_baseline,
	&probe_logins,
	NULL,
};
/* clang-format on */
