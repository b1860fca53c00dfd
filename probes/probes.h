/* The probe table: every probe type hostdoctor knows, in one place. */
#pragma once

#include "probe.h"

/* NULL-terminated. */
extern const struct hd_probe *const hd_probes[];
