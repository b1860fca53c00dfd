/* The message catalogue: vendor log messages, what they mean, what to do, which check. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lazy_regex.h"
#include "result.h"

struct hd_catalog_entry {
	char *id;	       /* section name, unique over all files */
	char *product;	       /* fsigk, amp, ipsec, ds ... */
	char *severity;	       /* info, warning, critical, critical/warning */
	enum hd_status status; /* severity as a status (info: HD_OK; critical/warning: CRITICAL) */
	bool level_from_line;  /* critical/warning: the level word printed on the line decides */
	char *pattern;	       /* pcre2 source */
	bool caseless;	       /* `caseless = no` turns it off; on by default */
	char *explanation;
	char *remedy;
	char **checks; /* NULL-terminated ids of checks that test the cause; may be empty */
	size_t nchecks;
	char **samples; /* NULL-terminated real instances (`sample` may repeat); tests match them */
	size_t nsamples;
	char **related; /* NULL-terminated ids of entries the document groups with this one */
	size_t nrelated;
	char *source; /* where the message is documented: "000", "002 B.3.1", "cited: ..." */
	char *file;   /* where the section starts */
	int line;
	pcre2_code *re; /* compiled by libpcre2-8, opened with dlopen (lazy_regex.h) */
};

struct hd_catalog {
	struct hd_catalog_entry *entries;
	size_t n;
	pcre2_match_data *md; /* for hd_catalog_entry_matches(), made on first use */
};

/* Parse one catalogue file's bytes (NAME in messages) and add its entries.
 * Errors name NAME:LINE: a bad pattern with the pcre2 message and offset, a
 * missing or unknown key, a duplicate id. Returns 0 or -EINVAL with ERR set. */
int hd_catalog_parse(struct hd_catalog *cat, const char *name, const char *bytes, size_t len,
		     char *err, size_t errsize);

/* Every *.conf of DIR in name order; then every `related` id must name an entry.
 * 0, or a negative errno with ERR set. */
int hd_catalog_load_dir(struct hd_catalog *cat, const char *dir, char *err, size_t errsize);

/* The state a matched LINE of entry E stands for: its severity, or for a critical/warning
 * entry the level word printed on the line (CRITICAL, else WARNING, else critical). */
enum hd_status hd_catalog_line_status(const struct hd_catalog_entry *e, const char *line,
				      size_t len);

/* Every `related` id of CAT names an entry of CAT. 0, or -EINVAL with ERR set. */
int hd_catalog_check_related(const struct hd_catalog *cat, char *err, size_t errsize);

/* Does entry I match LINE (LEN bytes, no newline needed)? */
bool hd_catalog_entry_matches(const struct hd_catalog *cat, size_t i, const char *line, size_t len);

/* Entries matching one LINE: their indexes into IDX (at most MAX), catalogue order.
 * Returns how many matched (may exceed MAX). */
size_t hd_catalog_match(const struct hd_catalog *cat, const char *line, size_t len, size_t *idx,
			size_t max);

/* The explain mode: every entry matched by any line of TEXT, each once, in
 * the order first seen. Returns the count; *IDX is a heap array (free it). */
size_t hd_catalog_explain(const struct hd_catalog *cat, const char *text, size_t len, size_t **idx);

/* The source tree's catalog/ when running from the build tree, else the installed one. */
const char *hd_catalog_default_dir(void);

/* Drop the entries whose product is not one of PRODUCTS. */
void hd_catalog_keep_products(struct hd_catalog *cat, char *const *products, size_t n);

void hd_catalog_free(struct hd_catalog *cat);
