/* The log matcher's insides, shared by its two halves: log_match.c makes it, log_scan.c scans
 * with it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lazy_regex.h"
#include "log_match.h"

/* One expression: a category (slots 0..7) or a catalogue entry (slot 8 + index). */
struct expr {
	char *pattern;
	char *hspat; /* what vectorscan is given (hs_pattern() in log_match.c) */
	bool caseless;
	bool pcre2;	/* matched by pcre2, not vectorscan */
	char *why;	/* why pcre2 */
	unsigned maxw;	/* vectorscan's longest match (UINT_MAX: unbounded) */
	pcre2_code *re; /* pcre2 slots: compiled with PCRE2_MULTILINE, JIT */
	bool per_line;	/* pcre2 slots whose match depends on what lies beyond the line */
};

struct hd_log_matcher {
	const struct hd_catalog *cat;
	size_t nslots;
	struct expr *x;
	const struct hd_hs_fn *H; /* NULL: no vectorscan slot */
	hs_database_t *db;
	const struct hd_pcre2_fn *P;
	uint32_t *pslots; /* the pcre2 slots */
	size_t npslots;
	char note[512];
};
