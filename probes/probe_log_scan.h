/* log-scan's one-pass line scanner and its state file, shared with the tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

/* The categories of the operations manual, counted case-insensitively per line. */
enum logscan_category {
	LS_ERRORS,     /* warning, err, abort */
	LS_NETWORK,    /* timeout, timed out */
	LS_ACCESS,     /* refused, reject, not permitted, denied */
	LS_CONFIG,     /* fail, incorrect, invalid */
	LS_CGI,	       /* /phf, /php, /test-cgi */
	LS_PORTSCAN,   /* null connection, eof received */
	LS_BRUTEFORCE, /* authentication failed, repeated login failures, login incorrect */
	LS_PASSWD,     /* passwd */
	LS_NCAT
};

extern const char *const logscan_category_names[LS_NCAT];
/* The words of category C, NULL-terminated. */
const char *const *logscan_category_words(enum logscan_category c);

struct logscan;

struct logscan_counts {
	uint64_t lines;
	uint64_t cat[LS_NCAT]; /* lines with at least one word of the category */
	uint64_t catalog;      /* lines matching at least one catalogue entry */
	uint64_t *entry;       /* per catalogue entry: lines it matched */
	char **example;	       /* per catalogue entry: the first line it matched (cut), or NULL */
	uint8_t *worst;	       /* per catalogue entry: the worst state its lines stood for */
	size_t nentries;
};

/* Compile the categories and the catalogue's entries (CAT may be NULL) into one
 * case-insensitive automaton; every entry's plain text is part of it, so the
 * entry's pattern runs only on lines containing that text. */
struct logscan *logscan_new(const struct hd_catalog *cat);
void logscan_free(struct logscan *ls);

void logscan_counts_init(struct logscan_counts *c, const struct logscan *ls);
void logscan_counts_free(struct logscan_counts *c);

/* Count the lines of BUF (LEN bytes) into C: every line ending in '\n', and a
 * last line without one. Any bytes (NUL, invalid UTF-8) are fine. */
void logscan_scan(const struct logscan *ls, const char *buf, size_t len, struct logscan_counts *c);

/* Where the previous run stopped in one file. */
struct logscan_pos {
	char *path; /* as configured, without --root */
	uint64_t dev, ino;
	uint64_t offset; /* bytes consumed: the next run starts here */
	uint32_t fplen;	 /* bytes covered by the fingerprint (at most 256) */
	uint32_t fp;	 /* crc32 of the first FPLEN bytes */
};

#define LOGSCAN_FP_BYTES 256

/* State file: "hostdoctor-log-scan 1" then one "dev ino offset fplen fp path" line per file.
 * Returns 0 or -EINVAL (with the line number in *badline). */
int logscan_state_parse(const char *buf, size_t len, struct logscan_pos **out, size_t *n,
			int *badline);
char *logscan_state_format(const struct logscan_pos *pos, size_t n);
void logscan_pos_free(struct logscan_pos *pos, size_t n);
