/* The runner: every check in a child process of its own, in parallel, under deadlines. */
#pragma once

#include <stddef.h>

#include "probe.h"
#include "result.h"

struct hd_run_opts {
	int jobs;		      /* checks at once (>= 1) */
	double timeout;		      /* whole run, seconds */
	enum hd_status timeout_state; /* given to checks the run deadline cut off */
	double check_timeout;	      /* per check when its `timeout` key is unset */
	const char *root;	      /* "" or a fixture root */
	int verbose;
	const char *reader; /* the reader of incremental state (--state-name; default the mode) */
	/* address space (RLIMIT_AS) each check's child may use, in MiB; 0: no limit of ours (a
	 * lower one the run was started with is kept) */
	unsigned memory_mb;
};

#define HD_DEFAULT_JOBS		 4
#define HD_DEFAULT_TIMEOUT	 30.0
#define HD_DEFAULT_CHECK_TIMEOUT 10.0
#define HD_DEFAULT_MEMORY_MB                                                                       \
	1024 /* the project's own: a policy or log the size of the
				       * largest a product ships, with room to spare */
#define HD_MAX_JOBS 256

/* Run CHECKS[0..n) and fill RESULTS[0..n) (initialised here, in the same order).
 * Never fails: whatever goes wrong becomes that check's UNKNOWN. */
void hd_run_checks(struct hd_check *const *checks, size_t n, const struct hd_run_opts *o,
		   struct hd_result *results);

/* End every check's child still running, and whatever it started (its process group), with
 * SIGKILL. Async-signal-safe: for signal handlers and the out-of-memory path of the parent. */
void hd_runner_kill_children(void);

/* Run one check in this process: the probe, then thresholds, the remedy
 * override and error mapping. Used by the child and by unit tests. */
void hd_run_one(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r);

/* Apply C's thresholds to the metric they name (the primary one by default). */
void hd_apply_thresholds(const struct hd_check *c, struct hd_result *r);
