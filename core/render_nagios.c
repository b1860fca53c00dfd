/* Nagios/Icinga plugin output: status line, long text, perfdata with plain-number thresholds. */
#include <string.h>

#include "render.h"
#include "util.h"

static void label(FILE *out, const char *prefix, const char *name)
{
	fputc('\'', out);
	if (prefix) {
		for (const char *p = prefix; *p; p++)
			fputc(*p == '\'' || *p == '=' ? '_' : *p, out);
		fputs("::", out);
	}
	for (const char *p = name; *p; p++)
		fputc(*p == '\'' || *p == '=' ? '_' : *p, out);
	fputc('\'', out);
}

static void perf(FILE *out, const struct hd_result *r, const char *prefix, bool *first)
{
	char v[64];
	double x;

	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct hd_metric *m = &r->metrics[i];

		fputs(*first ? "" : " ", out);
		*first = false;
		label(out, prefix, m->name);
		hd_fmt_plain(v, sizeof(v), m->value);
		fprintf(out, "=%s%s;", v, hd_unit_nagios(m->unit));
		if (hd_range_perf_number(&m->warn, &x)) {
			hd_fmt_plain(v, sizeof(v), x);
			fputs(v, out);
		}
		fputc(';', out);
		if (hd_range_perf_number(&m->crit, &x)) {
			hd_fmt_plain(v, sizeof(v), x);
			fputs(v, out);
		}
		fputc(';', out);
		if (m->has_min) {
			hd_fmt_plain(v, sizeof(v), m->min);
			fputs(v, out);
		}
		fputc(';', out);
		if (m->has_max) {
			hd_fmt_plain(v, sizeof(v), m->max);
			fputs(v, out);
		}
	}
}

/* One line of text: '|' would start perfdata, newlines would start long text. */
static void clean(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '|' ? '/' : *s == '\n' ? ' ' : *s, out);
}

static void lines(FILE *out, const char *indent, const char *text)
{
	const char *p = text;

	while (p && *p) {
		size_t n = strcspn(p, "\n");
		fputs(indent, out);
		for (size_t i = 0; i < n; i++)
			fputc(p[i] == '|' ? '/' : p[i], out);
		fputc('\n', out);
		p += n;
		if (*p)
			p++;
	}
}

void hd_render_nagios(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o)
{
	enum hd_status worst = hd_report_worst(rep);
	bool first = true;
	bool single = rep->n == 1;

	(void)o;
	fprintf(out, "HOSTDOCTOR %s: ", hd_status_name(worst));
	if (single) {
		clean(out, rep->results[0].summary);
	} else {
		size_t c[5] = {0};
		for (size_t i = 0; i < rep->n; i++)
			c[rep->results[i].status]++;
		fprintf(out, "%zu checks: %zu critical, %zu warning, %zu unknown, %zu ok", rep->n,
			c[HD_CRITICAL], c[HD_WARNING], c[HD_UNKNOWN], c[HD_OK] + c[HD_SKIPPED]);
		if (c[HD_CRITICAL] + c[HD_WARNING] + c[HD_UNKNOWN]) {
			/* name the worst ones on the status line: it is what a pager shows */
			const char *sep = " (";
			for (size_t i = 0; i < rep->n; i++)
				if (rep->results[i].status == worst && worst != HD_OK) {
					fprintf(out, "%s", sep);
					clean(out, rep->results[i].id);
					sep = ", ";
				}
			if (strcmp(sep, ", ") == 0)
				fputc(')', out);
		}
	}
	bool any = false;
	for (size_t i = 0; i < rep->n; i++)
		any |= rep->results[i].nmetrics > 0;
	if (any) {
		fputs(" | ", out);
		for (size_t i = 0; i < rep->n; i++)
			perf(out, &rep->results[i], single ? NULL : rep->results[i].id, &first);
	}
	fputc('\n', out);
	for (size_t i = 0; i < rep->n; i++) {
		const struct hd_result *r = &rep->results[i];
		bool problem = r->status != HD_OK && r->status != HD_SKIPPED;

		if (!single) {
			fprintf(out, "[%s] %s: ", hd_status_name(r->status), r->id);
			clean(out, r->summary);
			fputc('\n', out);
		}
		if (problem && r->details)
			lines(out, single ? "" : "  ", r->details);
		if (problem && r->remedy) {
			fprintf(out, "%sRemedy:\n", single ? "" : "  ");
			lines(out, single ? "  " : "    ", r->remedy);
		}
	}
}
