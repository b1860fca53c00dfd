/* The runner: every check in a child process of its own, in parallel, under deadlines. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

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
	/* One check: run it in a thread of this process (no fork, no JSON between processes),
	 * the deadline kept by the calling thread. A crash re-executes REEXEC (argv, NULL-ended;
	 * the command line with HOSTDOCTOR_ISOLATE=1, which runs the check in a child), or, when
	 * that is NULL, writes CRASH_TEXT to stdout and exits 3. */
	bool in_process;
	char *const *reexec;
	char *const *reexec_env;
	const char *crash_text;
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

/* RLIMIT_AS of this process (a check's child, or the process a one-check call runs its check
 * in): MB MiB, or a lower limit it was started with; 0: none of ours. Not under AddressSanitizer,
 * whose shadow memory takes terabytes of address space. */
void hd_runner_limit_memory(unsigned mb);

/* End every check's child still running, and whatever it started (its process group), with
 * SIGKILL. Async-signal-safe: for signal handlers and the out-of-memory path of the parent. */
void hd_runner_kill_children(void);
/* The run of one check in a thread of this process (runner_inproc.c); DEADLINE is CLOCK_MONOTONIC
 * seconds. */
void hd_run_in_process(const struct hd_check *c, const struct hd_run_opts *o, double deadline,
		       struct hd_result *r);
/* True when a check's thread was left running at its deadline: the caller must not free what
 * the check reads (the configuration) and should end with _exit() after its output. */
bool hd_run_abandoned(void);

/* Shared by the two runners: a result made by the runner (not the probe) for check C, and a
 * number of seconds as the messages print it. */
/* pidfd_open(2) (a descriptor that polls readable when PID exits); -1 with errno ENOSYS on a
 * kernel or libc without it. */
int hd_pidfd_open(pid_t pid);

/* The signals that end a run (cli.c handles them): SIGTERM, SIGINT, SIGHUP, SIGQUIT. */
void hd_term_sigset(sigset_t *set);

void hd_run_set_unknown(struct hd_result *r, const struct hd_check *c, enum hd_status st,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void hd_run_fmt_secs(char *buf, size_t size, double s);

/* Run one check in this process: the probe, then thresholds, the remedy
 * override and error mapping. Used by the child and by unit tests. */
void hd_run_one(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r);

/* Apply C's thresholds to the metric they name (the primary one by default). */
void hd_apply_thresholds(const struct hd_check *c, struct hd_result *r);
