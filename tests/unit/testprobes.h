/* Probe types that exist only in the test binaries: they crash, abort, hang or misbehave. */
#pragma once

#include "probe.h"

/* The shipped table plus the test-only probes; NULL-terminated. */
const struct hd_probe *const *hd_test_probe_table(void);
