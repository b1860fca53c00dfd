/* The explain mode: which catalogued messages log lines are, what they mean, what to do. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "probe.h"

struct json_object;
struct hd_catalog_entry;

struct hd_explain_opts {
	const char *catalog_dir;
	char **args; /* lines given on the command line */
	size_t nargs;
	char **files; /* --file PATH (plain or gzip), as given */
	size_t nfiles;
	bool journal; /* --journal: this host's journal, or the one under ctx->root */
	char **units; /* --unit */
	size_t nunits;
	const char *since; /* --since TIME */
	FILE *in;	   /* lines read when none of the above is given */
	const struct hd_ctx *ctx;
	struct json_object *json; /* -f json: each entry found is added to this array instead */
	int evidence_dfd; /* watch's evidence directory, or -1: each entry's last evidence */
};

/* Match the lines against the catalogue and print, for each entry found (in the order first
 * seen), how often and when (first and last), what it means, what to do and the checks of
 * its cause; the ids of those checks go to *CHECKS (NULL-terminated, hd_strv_free()), each
 * once. Returns the number of entries found, or a negative errno with ERR set. */
int hd_explain(const struct hd_explain_opts *o, FILE *out, char ***checks, char *err,
	       size_t errsize);

/* The JSON object of one catalogue entry in the explain document (core/explain_json.c). */
struct json_object *hd_explain_entry_json(const struct hd_catalog_entry *e);
