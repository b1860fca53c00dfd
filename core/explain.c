/* The explain mode: log lines against the message catalogue, printed for a person. */
#include "explain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "catalog.h"
#include "cleanup.h"
#include "probe.h"
#include "util.h"

static void add_check(char ***v, size_t *n, const char *id)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], id) == 0)
			return;
	*v = hd_xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = hd_xstrdup(id);
	(*v)[*n] = NULL;
}

int hd_explain(const char *dir, char **args, size_t nargs, FILE *in, FILE *out,
	       struct json_object *json, char ***checks, char *err, size_t errsize)
{
	struct hd_catalog cat = {0};
	struct hd_buf text = {0};
	_cleanup_free_ char *all = NULL;
	_cleanup_free_ size_t *idx = NULL;
	size_t n, nchecks = 0;
	int r;

	*checks = hd_xcalloc(1, sizeof(char *));
	r = hd_catalog_load_dir(&cat, dir, err, errsize);
	if (r < 0) {
		hd_catalog_free(&cat);
		return r;
	}
	if (nargs) {
		for (size_t i = 0; i < nargs; i++) {
			hd_buf_add(&text, args[i], strlen(args[i]));
			hd_buf_add(&text, "\n", 1);
		}
	} else {
		char buf[65536];
		size_t got;
		while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
			hd_buf_add(&text, buf, got);
	}
	n = text.len;
	all = hd_buf_steal(&text);
	n = hd_catalog_explain(&cat, all, n, &idx);
	for (size_t i = 0; i < n; i++) {
		const struct hd_catalog_entry *e = &cat.entries[idx[i]];

		if (json) {
			json_object_array_add(json, hd_explain_entry_json(e));
			for (size_t k = 0; k < e->nchecks; k++)
				add_check(checks, &nchecks, e->checks[k]);
			continue;
		}
		fprintf(out, "%s (%s, %s)\n", e->id, e->product, e->severity);
		fprintf(out, "  What it means: %s\n", e->explanation);
		fprintf(out, "  What to do:    %s\n", e->remedy);
		if (e->nrelated) {
			fputs("  Related:       ", out);
			for (size_t k = 0; k < e->nrelated; k++)
				fprintf(out, "%s%s", k ? ", " : "", e->related[k]);
			fputc('\n', out);
		}
		if (strncmp(e->source, "cited: ", 7) == 0)
			fprintf(out, "  Source:        %s\n", e->source);
		else
			fprintf(out, "  Source:        vendor document %s\n", e->source);
		if (e->nchecks) {
			fputs("  Checked by:    ", out);
			for (size_t k = 0; k < e->nchecks; k++) {
				fprintf(out, "%s%s", k ? ", " : "", e->checks[k]);
				add_check(checks, &nchecks, e->checks[k]);
			}
			fputc('\n', out);
		}
		fputc('\n', out);
	}
	hd_catalog_free(&cat);
	return (int)n;
}
