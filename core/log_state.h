/* State of incremental log readers: where each check stopped, per reader (doctor, nagios,
 * prometheus, ...), under a lock, written atomically into one private directory. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "log_source.h"
#include "probe.h"

/* What one reader of one check has read. */
struct hd_log_state {
	struct hd_log_pos *files;
	size_t nfiles;
	bool journal; /* the journal was read (CURSOR NULL: it had no entry then) */
	char *cursor;
};

/* "hostdoctor-log-scan 2", then "file DEV INO OFFSET FPLEN FP PATH" and "journal CURSOR|-"
 * lines; version 1 files (bare "DEV INO ..." lines) are read too. 0, or -EINVAL with the
 * line number in *BADLINE. */
int hd_log_state_parse(const char *buf, size_t len, struct hd_log_state *st, int *badline);
char *hd_log_state_format(const struct hd_log_state *st);
void hd_log_state_free(struct hd_log_state *st);

/* An open state: the directory, the lock held, the file names. */
struct hd_state {
	int dfd, lockfd, tmpfd;
	char dir[4096];
	char base[320];	  /* KIND.CHECK.READER */
	char legacy[320]; /* KIND.CHECK.state: one state for all readers, before readers had one */
};

/* Open the state directory PATH (resolved already), creating it 0700 when missing and
 * CREATE is set; refused when it is a symbolic link, another user's, or writable by group or
 * others. An fd, or a negative errno with WHY set. */
int hd_state_dir_open(const char *path, bool create, char *why, size_t whylen);

/* Open (creating it 0700 when missing) the state directory DIR under the root and take the
 * lock of CHECK and READER, waiting for another run until the check's deadline is near.
 * -EWOULDBLOCK: another run holds it; else a negative errno with WHY set ("is a symbolic
 * link", "is writable by group or others", "is read-only" ...). */
int hd_state_open(const struct hd_ctx *ctx, const char *dir, const char *kind, const char *check,
		  const char *reader, struct hd_state *h, char *why, size_t whylen);

/* Read and parse the state. 0; -ENOENT (none yet); -EINVAL (corrupt: *BADLINE);
 * -ELOOP (a symbolic link) or -EPERM (not a regular file of this user): refused. */
int hd_state_load(struct hd_state *h, struct hd_log_state *st, int *badline);

/* Make room for the next state before anything is counted, so that a run that cannot save
 * its position does not count lines the next run counts again: a temporary file with SIZE
 * bytes allocated. 0 or a negative errno (-ENOSPC on a full filesystem, -EROFS). */
int hd_state_reserve(struct hd_state *h, size_t size);

/* Write ST into the reserved file and rename it over the state. 0 or a negative errno. */
int hd_state_commit(struct hd_state *h, const struct hd_log_state *st);

/* The state file's name in the directory ("log-scan.system-log.nagios.state"). */
const char *hd_state_file(const struct hd_state *h, char *buf, size_t size);

/* Release the lock and the files (a reserved file not committed is removed). */
void hd_state_close(struct hd_state *h);

/* A reader name: [A-Za-z0-9._-], 1 to 64 characters, not starting with '.'. */
bool hd_state_reader_valid(const char *name);
