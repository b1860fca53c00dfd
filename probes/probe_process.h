/* Process matching and evaluation of the process probe, on plain records so tests need no /proc. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One process as libproc2 reports it. */
struct proc_rec {
	int pid, ppid;
	char state; /* 'R', 'S', 'Z', ... */
	uid_t euid;
	double age;	     /* seconds since the process started */
	const char *comm;    /* up to 15 characters for user processes */
	const char *cmdline; /* arguments joined by spaces; "[comm]" for kernel threads */
};

/* What a check selects: NULL/empty name matches every process. */
struct proc_filter {
	const char *name;
	bool any_user;
	uid_t euid;
	/* cmdline pattern, already compiled by the caller; NULL: none.
	 * Returns true when the pattern matches the text. */
	bool (*cmdline_match)(const char *cmdline, void *opaque);
	void *opaque;
	/* hostdoctor's runner (ctx->runner_pid): it and its children, the checks' processes that
	 * may not be reaped yet, are hostdoctor's own and never the host's. 0: none. */
	int own;
};

/* comm is cut to 15 characters by the kernel: a longer NAME matches on its first 15. */
bool proc_name_matches(const char *comm, const char *name);
bool proc_matches(const struct proc_rec *p, const struct proc_filter *f);

struct proc_summary {
	size_t count;	/* matching processes that are not zombies */
	size_t zombies; /* matching processes in state Z */
	/* Youngest "top-level" live match: one whose parent does not match too, so forked workers
	 * of a daemon do not count as restarts. -1 when there is none. */
	double youngest_age;
	int youngest_pid;
	int zombie_pid, zombie_ppid; /* the first zombie found, for the remedy */
};

/* Summarise the matches among V[0..N). */
void proc_summarise(const struct proc_rec *v, size_t n, const struct proc_filter *f,
		    struct proc_summary *out);
