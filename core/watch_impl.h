/* watch's insides, shared by its parts: watch.c (options, the loop, signals, reload),
 * watch_src.c (the sources and their state), watch_event.c (checks, evidence, the on-event
 * command), watch_prom.c (the Prometheus textfile and the counters kept across runs). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <json-c/json.h>

#include "catalog.h"
#include "config.h"
#include "log_match.h"
#include "log_plan.h"
#include "log_source.h"
#include "log_state.h"
#include "probe.h"
#include "util.h"

#define W_READ_GAP    0.1  /* seconds between two reads of the sources: writes come in batches */
#define W_SAVE_GAP    5.0  /* seconds between two saves of the positions while lines come */
#define W_PROM_GAP    1.0  /* seconds between two writes of the textfile while lines come */
#define W_RETRY_GAP   60.0 /* seconds between two looks for a log directory that is missing */
#define W_CATCHUP_AGE 60   /* lines read at start-up trigger checks only when this recent */
#define W_MAX_LINES   20   /* log lines kept in one evidence report */
#define W_MAX_EVENTS  4	   /* events whose checks run at once */
#define W_MAX_HOOKS   4	   /* on-event commands at once */
#define W_MAX_QUEUED  64   /* on-event commands waiting; more are dropped */

struct w_file {
	char *path; /* host path, as the check names it */
	char *resolved;
	struct hd_log_pos pos; /* pos.path NULL: no position yet */
	bool existed;	       /* present when the watch started following it */
	bool dirty;
	bool catchup; /* not read since start-up: what it holds may be old */
	int last_err; /* the last error reported, so that it is reported once */
};

/* One log-scan check: its files and journal, its own state (reader "watch"). */
struct w_src {
	struct hd_check *check; /* in w->cfg */
	struct hd_log_plan plan;
	struct hd_state st;
	bool locked;
	struct w_file *files;
	size_t nfiles;
	bool journal;
	struct hd_journal_follow *jf;
	bool jdirty, jcatchup;
	uint8_t *allow; /* per catalogue entry: its product is one this check reads */
	bool changed;	/* positions moved since the last save */
	bool missing_dir;
};

/* Counters per catalogue entry, by id (kept across reloads and runs). */
struct w_stat {
	char *id;
	char *product;
	uint64_t lines;	   /* matching lines read */
	uint64_t runs;	   /* times its checks ran (evidence reports) */
	uint64_t held;	   /* matching lines within a hold-off */
	int last_status;   /* worst state of the last evidence; -1: none yet */
	double last_time;  /* when (unix seconds) */
	double hold_until; /* monotonic: no new run before */
	struct w_event *open;
};

/* One event: a catalogued line whose checks run (or wait to). */
struct w_event {
	char *entry; /* id */
	char **checks;
	size_t nchecks;
	char *src_check, *src_file;	/* where the line came from (file NULL: the journal) */
	struct json_object *entry_json; /* the entry as it was when the line came */
	char *lines[W_MAX_LINES];
	uint64_t logged[W_MAX_LINES]; /* journal: usec; 0 for a file */
	size_t nlines;
	uint64_t matched;
	double detected, detected_mono, checked, started;
	pid_t pid;
	int pidfd, rfd;
	struct hd_buf out;
	bool running;
	bool reaped; /* EXIT_STATUS is its wait status */
	int exit_status;
};

/* An inotify watch of a file's inode (its current one or one it was renamed away from). */
struct w_wd {
	int wd;
	size_t src, file;
};

struct w_hook {
	pid_t pid;
	int pidfd;
	double deadline;
	char *id;
	bool reaped;
	int exit_status;
};

struct watch {
	/* options */
	const struct hd_probe *const *table;
	char **dirs;
	size_t ndirs;
	const char *root;
	char state_dir[4096];
	double hold_off;
	int jobs;
	double timeout; /* one event's checks */
	const char *textfile;
	const char *on_event;
	double on_event_timeout;
	uint64_t evidence_max;
	int verbose;
	struct hd_ctx ctx;

	/* what is loaded */
	struct hd_config cfg;
	struct hd_catalog *cat; /* on the heap: the matcher points at it */
	struct hd_log_matcher *m;
	struct hd_log_scanner *sc;
	struct hd_log_counts counts;
	struct w_src *srcs;
	size_t nsrcs;
	size_t *stat_of; /* per catalogue entry: its index in stats */
	bool config_ok;
	double loaded_at;
	unsigned gen; /* a new configuration installed: the sources changed */

	struct w_stat *stats;
	size_t nstats;
	uint64_t lines_total; /* read by this configuration's scanner */
	uint64_t lines_base;  /* read before it (earlier runs, earlier configurations) */
	bool prom_failed;

	int ino, sfd, sdfd, edfd;
	struct w_wd *wds;
	size_t nwds;
	struct w_event **events;
	size_t nevents;
	struct w_hook hooks[W_MAX_HOOKS];
	struct w_queued {
		char *id, *entry;
		int status;
	} queued[W_MAX_QUEUED]; /* evidence waiting for the on-event command */
	size_t nqueued;

	/* the read in progress */
	struct w_src *cur;
	const char *cur_file;
	bool cur_stale_file; /* a catch-up read of a file not written lately */
	bool cur_catchup;
	const struct hd_log_meta *cur_meta;
	const char *cur_buf;

	double next_read, next_save, next_prom, next_retry;
	bool read_pending, save_pending, prom_pending;
	bool stop;
	double stop_by;
};

void w_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* watch_src.c */
int w_load(struct watch *w, struct hd_config *cfg, struct w_src **srcs, size_t *nsrcs,
	   struct hd_catalog **cat, struct hd_log_matcher **m, char *err, size_t errlen);
int w_src_open(struct watch *w, struct w_src *s, struct w_src *old, size_t nold);
void w_src_close(struct watch *w, struct w_src *s);
void w_src_free(struct w_src *s);
void w_srcs_free(struct w_src *v, size_t n);
void w_sources_watch(struct watch *w);
void w_inotify(struct watch *w);
void w_read_all(struct watch *w);
void w_save(struct watch *w);
void w_retry_missing(struct watch *w);
size_t w_count_files(const struct watch *w);

/* watch_event.c */
void w_on_hit(void *u, size_t entry, const char *line, size_t len);
void w_events_start(struct watch *w);
void w_event_done(struct watch *w, struct w_event *ev, bool killed);
void w_event_drain(struct w_event *ev);
void w_event_drop(struct watch *w, struct w_event *ev);
void w_hooks_start(struct watch *w);
void w_hook_done(struct watch *w, struct w_hook *h, bool killed);
void w_events_free(struct watch *w);

/* watch_prom.c */
struct w_stat *w_stat(struct watch *w, const char *id, const char *product);
void w_map_stats(struct watch *w);
void w_counters_load(struct watch *w);
void w_counters_save(struct watch *w);
void w_prom_write(struct watch *w);
