/* The log matcher, shared by log-scan and explain: the operations manual's eight categories
 * and every catalogue pattern compiled into one vectorscan database, a buffer of lines
 * scanned once, counts per line. pcre2 only for the entries vectorscan cannot express. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

/* The categories of the operations manual, counted case-insensitively per line. */
enum hd_logcat {
	HD_LC_ERRORS,	  /* warning, err, abort */
	HD_LC_NETWORK,	  /* timeout, timed out */
	HD_LC_ACCESS,	  /* refused, reject, not permitted, denied */
	HD_LC_CONFIG,	  /* fail, incorrect, invalid */
	HD_LC_CGI,	  /* /phf, /php, /test-cgi */
	HD_LC_PORTSCAN,	  /* null connection, eof received */
	HD_LC_BRUTEFORCE, /* authentication failed, repeated login failures, login incorrect */
	HD_LC_PASSWD,	  /* passwd */
	HD_LC_N
};

extern const char *const hd_logcat_names[HD_LC_N];
/* The words of category C, NULL-terminated. */
const char *const *hd_logcat_words(enum hd_logcat c);

struct hd_log_matcher;

struct hd_log_matcher_opts {
	/* Every category and entry through pcre2: the reference the tests compare with, and
	 * what is left when vectorscan cannot be loaded. */
	bool pcre2_only;
	/* A directory (fd; -1 for none) where the compiled database is kept and reused while
	 * the expressions and the vectorscan version stay the same. */
	int cache_dirfd;
};

/* Compile the categories and CAT's entries (CAT may be NULL; it must outlive the matcher).
 * 0, or a negative errno with ERR set (an entry that neither vectorscan nor pcre2 compiles,
 * named by file:line; pcre2 missing). */
int hd_log_matcher_new(const struct hd_catalog *cat, const struct hd_log_matcher_opts *o,
		       struct hd_log_matcher **out, char *err, size_t errlen);
void hd_log_matcher_free(struct hd_log_matcher *m);

/* Does catalogue entry I run on pcre2 (true, with the reason in *WHY) or vectorscan? */
bool hd_log_matcher_uses_pcre2(const struct hd_log_matcher *m, size_t i, const char **why);
/* How the matcher was made: "compiled (0.42 s)", "reused the compiled database", or why
 * vectorscan is not used. */
const char *hd_log_matcher_note(const struct hd_log_matcher *m);

struct hd_log_counts {
	uint64_t lines;
	uint64_t cat[HD_LC_N]; /* lines with at least one word of the category */
	uint64_t catalog;      /* lines matching at least one catalogue entry */
	uint64_t *entry;       /* per catalogue entry: lines it matched */
	char **example;	       /* per catalogue entry: the first line it matched (cut), or NULL */
	uint8_t *worst;	       /* per catalogue entry: the worst state its lines stood for */
	size_t nentries;
};

void hd_log_counts_init(struct hd_log_counts *c, const struct hd_log_matcher *m);
/* Add FROM into INTO (examples kept from INTO first); FROM is left empty. */
void hd_log_counts_add(struct hd_log_counts *into, struct hd_log_counts *from);
void hd_log_counts_clear(struct hd_log_counts *c);
void hd_log_counts_free(struct hd_log_counts *c);

/* Called once per (entry, line) found; LINE is LEN bytes, without its '\n'. */
typedef void (*hd_log_hit_fn)(void *u, size_t entry, const char *line, size_t len);

/* What one thread scans with (vectorscan scratch, pcre2 match data, match lists). */
struct hd_log_scanner;
struct hd_log_scanner *hd_log_scanner_new(const struct hd_log_matcher *m);
void hd_log_scanner_free(struct hd_log_scanner *s);

/* Count the lines of BUF (LEN bytes) into C: every line ending in '\n', and a last line
 * without one. Any bytes are fine (NUL, invalid UTF-8). HIT, when set, hears every
 * catalogued line. 0, or -EIO when vectorscan failed (not expected; C is then partial). */
int hd_log_scan(struct hd_log_scanner *s, const char *buf, size_t len, struct hd_log_counts *c,
		hd_log_hit_fn hit, void *u);

/* Number of '\n' bytes in BUF. */
size_t hd_count_newlines(const char *buf, size_t len);
