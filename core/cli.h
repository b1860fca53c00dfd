/* The command line: modes, options, exit codes. main() is a call to hd_main(). */
#pragma once

#include "probe.h"

/* Run hostdoctor with ARGV against the probe TABLE. Returns the exit code. */
int hd_main(int argc, char **argv, const struct hd_probe *const *table);

/* The checks.d of the source tree when this binary runs from its build tree, else the
 * installed one. */
const char *hd_default_checks_dir(void);
