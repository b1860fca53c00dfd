/* Log sources, shared by log-scan and explain: files (rename, copytruncate and .gz rotation
 * followed) and the systemd journal (sd-journal, opened with dlopen). Each hands complete
 * lines to a sink and says where it stopped. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "result.h"

/* Per line of a batch, when the source knows it (the journal): where the line starts in the
 * buffer and when it was logged (microseconds since the epoch). */
struct hd_log_meta {
	size_t n;
	const uint32_t *start;
	const uint64_t *usec;
};

/* Where lines go. A source may hand half of a large file to a second thread with a second
 * sink, then merge it into the first or, when the first half was not finished, discard it. */
struct hd_log_sink_ops {
	/* complete lines BUF..LEN (the last one may lack '\n'); 0 or a negative errno */
	int (*lines)(void *sink, const char *buf, size_t len, const struct hd_log_meta *meta);
	void (*merge)(void *into, void *from);
	void (*discard)(void *sink);
};

/* ---- files ---- */

/* Where the previous run stopped in one file. */
struct hd_log_pos {
	char *path; /* as configured, without --root */
	uint64_t dev, ino;
	uint64_t offset; /* bytes consumed: the next run starts here */
	uint32_t fplen;	 /* bytes covered by the fingerprint (at most 256) */
	uint32_t fp;	 /* crc32 of the first FPLEN bytes */
	uint32_t tlen;	 /* bytes just before OFFSET covered by TFP (at most 256) */
	uint32_t tfp;	 /* crc32 of them: a file truncated and grown past OFFSET has others */
};

#define HD_LOG_FP_BYTES 256
#define HD_LOG_MAX_LINE (64u << 20) /* a "line" longer than this is taken in pieces of it */

struct hd_log_reader {
	const struct hd_ctx *ctx; /* the deadline */
	const struct hd_log_sink_ops *ops;
	void *sink[2];	     /* sink[1] NULL: one thread */
	struct hd_result *r; /* rotation notes go to its details; may be NULL */
	uint64_t bytes;	     /* read in this run */
	bool out_of_time;    /* stopped near the deadline; the position says where */
	char *buf[2];
	size_t cap[2];
};

/* glob(3) every pattern under the root; host paths (root stripped), sorted, unique. */
size_t hd_log_expand_paths(const struct hd_ctx *ctx, char **patterns, size_t np, char ***out);

/* Read the live file PATH (RESOLVED under the root) from where OLD says, following a
 * rotation since; with no OLD, from its start (FROM_START) or its end. Fills NEWPOS.
 * 0 or a negative errno. */
int hd_log_file_scan(struct hd_log_reader *rd, const char *path, const char *resolved,
		     const struct hd_log_pos *old, bool from_start, struct hd_log_pos *newpos);

/* Every line of a plain or gzip file, once (explain --file). 0 or a negative errno. */
int hd_log_file_read_all(struct hd_log_reader *rd, const char *resolved);

void hd_log_reader_free(struct hd_log_reader *rd);
void hd_log_pos_free(struct hd_log_pos *pos, size_t n);

/* ---- the journal ---- */

struct hd_journal_query {
	char **units; /* _SYSTEMD_UNIT= (a name without '.' gets ".service"), or PID 1's UNIT= */
	size_t nunits;
	char **identifiers; /* SYSLOG_IDENTIFIER= */
	size_t nidentifiers;
	unsigned priorities; /* bit N: PRIORITY=N; 0: any */
	bool boot_current;   /* the running boot; under a root, the boot of the last entry */
	/* where to start: after CURSOR; else at SINCE_USEC (> 0); else at the head (FROM_START)
	 * or past the tail (the position is taken, nothing read) */
	const char *cursor;
	uint64_t since_usec;
	bool from_start;
};

struct hd_journal_pos {
	char *cursor;	  /* of the last entry read; NULL when none matched yet */
	bool cursor_lost; /* the query's cursor was no longer in the journal (vacuumed) */
	uint64_t entries, bytes;
	bool out_of_time;
};

/* Is there a journal on this host (under the root): journal files in /var/log/journal or
 * /run/log/journal? */
bool hd_journal_present(const struct hd_ctx *ctx);

/* The first journal file on this host (under the root) that this process cannot open, in
 * BUF (the journal would then look empty rather than fail). true when there is one. */
bool hd_journal_unreadable(const struct hd_ctx *ctx, char *buf, size_t size);

/* Parse `priority =` / --priority: a name (emerg ... debug) or number, meaning that level
 * and the more severe ones, or FROM..TO. 0, or -EINVAL. */
int hd_journal_parse_priority(const char *s, unsigned *mask);

/* Parse --since: "YYYY-MM-DD[ HH:MM[:SS]]" (local time), "today", "yesterday", "now", or
 * "-N" with s, m, h or d (that long ago). 0, or -EINVAL. */
int hd_journal_parse_time(const char *s, uint64_t *usec);

/* Read the entries matching Q, each MESSAGE one line (a '\n' inside becomes a space), in
 * batches to SINK. 0, or a negative errno with ERR set (libsystemd missing, no journal). */
int hd_journal_read(const struct hd_ctx *ctx, const struct hd_journal_query *q,
		    const struct hd_log_sink_ops *ops, void *sink, struct hd_journal_pos *pos,
		    char *err, size_t errlen);

/* Following the journal (watch): one open journal, read as entries arrive. */
struct hd_journal_follow;

/* Open the journal for Q and take the position as hd_journal_read() does (after Q's cursor,
 * at the head with FROM_START, else past the tail), reading nothing. 0, or a negative errno
 * with ERR set. */
int hd_journal_follow_open(const struct hd_ctx *ctx, const struct hd_journal_query *q,
			   struct hd_journal_follow **out, char *err, size_t errlen);
/* The descriptor to poll (it may change after hd_journal_follow_process()), its events, and
 * how long sd-journal may wait (milliseconds, -1: no limit); -1 when the journal could not be
 * opened again after files changed (hd_journal_follow_process() then tries again). */
int hd_journal_follow_fd(struct hd_journal_follow *f, short *events, int *timeout_ms);
/* After the descriptor was readable or the wait ended: 1 when entries may have arrived (or
 * files were added or removed: then the journal is opened again at the cursor), 0 when not,
 * or a negative errno with ERR set. */
int hd_journal_follow_process(struct hd_journal_follow *f, char *err, size_t errlen);
/* Read the entries since the last read to SINK, as hd_journal_read() does; POS says how many
 * and the cursor, and cursor_lost when the last entry read was vacuumed away meanwhile. */
int hd_journal_follow_read(struct hd_journal_follow *f, const struct hd_log_sink_ops *ops,
			   void *sink, struct hd_journal_pos *pos, char *err, size_t errlen);
/* The cursor of the last entry read (or of the position taken); NULL when none. */
const char *hd_journal_follow_cursor(const struct hd_journal_follow *f);
void hd_journal_follow_close(struct hd_journal_follow *f);
