/* hostdoctor watch: follow the installed products' logs (their log-scan checks' files and
 * journal) and, when a line is a catalogued message whose entry names checks, run those checks
 * at once and keep the evidence. `hostdoctor evidence` reads it back. */
#pragma once

#include "probe.h"

/* `hostdoctor watch [OPTIONS]`: runs until SIGTERM or SIGINT (exit 0), SIGHUP reloads.
 * Returns the exit code (3: bad usage, configuration or state directory at start-up). */
int hd_watch_main(int argc, char **argv, const struct hd_probe *const *table);

/* `hostdoctor evidence list|show ID [OPTIONS]`. Returns the exit code. */
int hd_evidence_main(int argc, char **argv);
