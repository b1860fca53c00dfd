/* The one place hostdoctor writes: its state directory (baselines, what incremental probes
 * remember). Created 0700, opened without following links, files written 0600 atomically. */
#pragma once

#include <stddef.h>

/* The default state directory (the project's own choice, as log-scan's state_dir). */
#define HD_STATE_DIR "/var/lib/hostdoctor"

/* Open DIR (creating it 0700 when missing), refusing a symbolic link, a directory of another
 * user and one writable by group or others. An fd, or a negative errno with *WHY set to the
 * reason in words ("is a symbolic link or not a directory", ...). */
int hd_statedir_open(const char *dir, const char **why);

/* Read NAME in the directory DFD: not through a link, a regular file of this user, at most
 * MAX bytes (0: 16 MiB). 0, -ENOENT when there is none, -ELOOP for a link, -EPERM for a file
 * of another user or not regular, -EFBIG, or another negative errno. */
int hd_state_read(int dfd, const char *name, char **out, size_t *len, size_t max);

/* Replace NAME in DFD with LEN bytes of TEXT: written 0600 to a temporary name, fsync'ed and
 * renamed over NAME (the rename replaces the name, never what a link there points to).
 * 0 or a negative errno; nothing is left behind on failure. */
int hd_state_write(int dfd, const char *name, const char *text, size_t len);

/* A file name part from free text (a check id, a baseline name): [A-Za-z0-9._-] kept,
 * anything else '_', no leading dot. */
void hd_state_name(const char *prefix, const char *text, const char *suffix, char *buf,
		   size_t size);
