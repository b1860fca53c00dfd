/* `hostdoctor baseline save|show|diff`: record what a healthy host runs, print it, compare. */
#pragma once

/* ARGV[0] is "baseline". Returns the exit code: 0 done (diff: nothing changed), 1 diff found
 * changes, 3 bad usage or an error (named on stderr). */
int hd_baseline_main(int argc, char **argv);
