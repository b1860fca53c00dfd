/* Doctor and preflight reports: for a person at a terminal, grouped, with remedies under problems. */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

#define C_RESET "\033[0m"
#define C_BOLD	"\033[1m"
#define C_DIM	"\033[2m"

static const char *mark(enum hd_status s)
{
	switch (s) {
	case HD_OK: return "[ OK ]";
	case HD_WARNING: return "[WARN]";
	case HD_CRITICAL: return "[CRIT]";
	case HD_UNKNOWN: return "[ ?? ]";
	case HD_SKIPPED: return "[SKIP]";
	}
	return "[ ?? ]";
}

static const char *colour(enum hd_status s)
{
	switch (s) {
	case HD_OK: return "\033[32m";
	case HD_WARNING: return "\033[33m";
	case HD_CRITICAL: return "\033[31m";
	case HD_UNKNOWN: return "\033[35m";
	case HD_SKIPPED: return "\033[2m";
	}
	return "";
}

/* Print TEXT with every line after a prefix; the first line after FIRST. */
static void indented(FILE *out, const char *first, const char *rest, const char *text)
{
	const char *p = text;
	bool head = true;

	while (p && *p) {
		size_t n = strcspn(p, "\n");
		fprintf(out, "%s%.*s\n", head ? first : rest, (int)n, p);
		head = false;
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void one(FILE *out, const struct hd_result *r, const struct hd_render_opts *o,
		const char *indent)
{
	bool problem = r->status != HD_OK && r->status != HD_SKIPPED;
	char first[64], rest[64];

	fprintf(out, "%s%s%s%s %s%s%s: %s\n", indent, o->color ? colour(r->status) : "",
		mark(r->status), o->color ? C_RESET : "", o->color ? C_BOLD : "", r->id,
		o->color ? C_RESET : "", r->summary ? r->summary : "");
	if (r->details && (problem || o->verbose)) {
		snprintf(rest, sizeof(rest), "%s       ", indent);
		indented(out, rest, rest, r->details);
	}
	if (r->remedy && problem) {
		snprintf(first, sizeof(first), "%s       %s->%s ", indent, o->color ? C_BOLD : "",
			 o->color ? C_RESET : "");
		snprintf(rest, sizeof(rest), "%s          ", indent);
		indented(out, first, rest, r->remedy);
	}
}

static void counts(const struct hd_report *rep, size_t c[5])
{
	memset(c, 0, 5 * sizeof(size_t));
	for (size_t i = 0; i < rep->n; i++)
		c[rep->results[i].status]++;
}

static void header(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o,
		   const char *what)
{
	char when[64];
	struct tm tm;

	gmtime_r(&rep->when, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(out, "%shostdoctor %s%s on %s, %s\n", o->color ? C_BOLD : "", what,
		o->color ? C_RESET : "", rep->host ? rep->host : "localhost", when);
}

void hd_render_doctor(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o)
{
	const char **groups = hd_xcalloc(rep->n + 1, sizeof(char *));
	size_t ng = 0, c[5], problems;

	header(out, rep, o, "doctor");
	/* group by each check's first tag, in order of first appearance */
	for (size_t i = 0; i < rep->n; i++) {
		const char *g = rep->results[i].ntags ? rep->results[i].tags[0] : "other";
		bool seen = rep->results[i].status == HD_SKIPPED && !o->verbose;
		for (size_t k = 0; k < ng; k++)
			seen |= strcmp(groups[k], g) == 0;
		if (!seen)
			groups[ng++] = g;
	}
	for (size_t k = 0; k < ng; k++) {
		fprintf(out, "\n%s%s%s\n", o->color ? C_BOLD : "", groups[k],
			o->color ? C_RESET : "");
		for (size_t i = 0; i < rep->n; i++) {
			const struct hd_result *r = &rep->results[i];
			const char *g = r->ntags ? r->tags[0] : "other";
			/* what does not apply is counted at the end, listed only with -v */
			if (strcmp(g, groups[k]) != 0 || (r->status == HD_SKIPPED && !o->verbose))
				continue;
			one(out, r, o, "  ");
			for (size_t n = 0; n < rep->nnotes; n++)
				if (strcmp(rep->notes[n].check, r->id) == 0)
					indented(out, "         ! ", "           ",
						 rep->notes[n].text);
		}
	}
	free(groups);
	counts(rep, c);
	problems = c[HD_WARNING] + c[HD_CRITICAL] + c[HD_UNKNOWN];
	fprintf(out, "\n");
	if (rep->n == 0)
		fprintf(out, "No checks selected.\n");
	else if (problems == 0)
		fprintf(out,
			"No problems found: %zu checks, %zu OK, %zu not applicable (%.1f s).\n",
			rep->n, c[HD_OK], c[HD_SKIPPED], rep->duration);
	else
		fprintf(out,
			"%zu problem%s found: %zu critical, %zu warning, %zu unknown; "
			"%zu OK, %zu not applicable (%.1f s).\n",
			problems, problems == 1 ? "" : "s", c[HD_CRITICAL], c[HD_WARNING],
			c[HD_UNKNOWN], c[HD_OK], c[HD_SKIPPED], rep->duration);
}

void hd_render_preflight(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o)
{
	size_t blockers = hd_report_blockers(rep), warnings = 0;
	char what[256];

	snprintf(what, sizeof(what), "preflight for %s", rep->profile ? rep->profile : "?");
	header(out, rep, o, what);
	if (blockers) {
		fprintf(out, "\nBlockers (must be fixed before installing)\n");
		for (size_t i = 0; i < rep->n; i++)
			if (hd_result_blocks(&rep->results[i]))
				one(out, &rep->results[i], o, "  ");
	}
	for (size_t i = 0; i < rep->n; i++) {
		const struct hd_result *r = &rep->results[i];
		if (!hd_result_blocks(r) && r->status != HD_OK && r->status != HD_SKIPPED)
			warnings++;
	}
	if (warnings) {
		fprintf(out, "\nWarnings (do not block)\n");
		for (size_t i = 0; i < rep->n; i++) {
			const struct hd_result *r = &rep->results[i];
			if (!hd_result_blocks(r) && r->status != HD_OK && r->status != HD_SKIPPED)
				one(out, r, o, "  ");
		}
	}
	if (rep->n - blockers - warnings) {
		fprintf(out, "\nPassed\n");
		for (size_t i = 0; i < rep->n; i++) {
			const struct hd_result *r = &rep->results[i];
			if (r->status == HD_OK || r->status == HD_SKIPPED)
				one(out, r, o, "  ");
		}
	}
	fprintf(out, "\n");
	if (rep->n == 0)
		fprintf(out, "NOT READY: profile '%s' has no checks.\n",
			rep->profile ? rep->profile : "?");
	else if (blockers)
		fprintf(out, "%sNOT READY%s: %zu blocker%s to fix, %zu warning%s.\n",
			o->color ? "\033[31;1m" : "", o->color ? C_RESET : "", blockers,
			blockers == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	else
		fprintf(out, "%sREADY%s: no blockers, %zu warning%s.\n",
			o->color ? "\033[32;1m" : "", o->color ? C_RESET : "", warnings,
			warnings == 1 ? "" : "s");
}
