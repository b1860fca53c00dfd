/* What a log-scan check reads, as its keys say: its files (globs expanded under the root) and
 * the journal with its query. Shared by the log-scan probe and watch, so both read the same. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "log_source.h"
#include "probe.h"

struct hd_log_plan {
	bool journal;	 /* the journal is read */
	char **patterns; /* `path` as written (globs) */
	size_t npatterns;
	char **files; /* the files read: PATTERNS expanded, host paths */
	size_t nfiles;
	char **units, **identifiers, **products;
	size_t nunits, nidentifiers, nproducts;
	const char *priority; /* as written, or NULL */
	unsigned prio_mask;
	bool boot_current;
	bool from_start;
	const char *state_dir;
	const char *catalog; /* the catalogue directory (the shipped one for ""), or "none" */
	/* nothing to read: why (the probe's SKIPPED summary) and what to do */
	char skip[512], skip_remedy[256];
	/* the journal was asked for and is missing: only the files are read */
	char note[256];
};

/* Make the plan of log-scan check C. 0 (SKIP set when there is nothing to read), or -EINVAL
 * with WHY naming the key's file:line (a bad priority). */
int hd_log_plan_make(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_log_plan *p,
		     char *why, size_t whylen);

/* The journal query of P (pointers into P) from CURSOR. */
struct hd_journal_query hd_log_plan_query(const struct hd_log_plan *p, const char *cursor);

/* Expand the patterns again (files that appeared since); true when the list changed. */
bool hd_log_plan_expand(struct hd_log_plan *p, const struct hd_ctx *ctx);

void hd_log_plan_free(struct hd_log_plan *p);
