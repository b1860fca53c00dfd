/* Nagios/Icinga plugin output: status line, long text, perfdata with thresholds in range syntax,
 * and the plugin guidelines' verbosity levels. */
#include <ctype.h>
#include <string.h>

#include "probe.h"
#include "render.h"
#include "util.h"

#ifndef HD_VERSION
#define HD_VERSION "0.0.0"
#endif

/* Perfdata labels may hold anything but ' and = (the guidelines quote them with '). */
static void label_part(FILE *out, const char *s)
{
	for (const char *p = s; *p; p++)
		fputc(*p == '\'' || *p == '=' ? '_' : *p, out);
}

/* A labelled metric keeps the label it always had in perfdata: "eth0_rx" for rx of eth0. */
static void label(FILE *out, const char *prefix, const struct hd_metric *m)
{
	fputc('\'', out);
	if (prefix) {
		label_part(out, prefix);
		fputs("::", out);
	}
	if (m->label_value) {
		for (const char *p = m->label_value; *p; p++)
			fputc(isalnum((unsigned char)*p) ? tolower((unsigned char)*p) : '_', out);
		fputc('_', out);
	}
	label_part(out, m->name);
	fputc('\'', out);
}

/* 'label'=value[UOM];[warn];[crit];[min];[max] with warn and crit as ranges: "10", "10:",
 * "~:10", "10:20", "@10:20" (Monitoring Plugins development guidelines, "Performance data"). */
static void perf(FILE *out, const struct hd_result *r, const char *prefix, bool *first)
{
	char v[64], range[96];

	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct hd_metric *m = &r->metrics[i];

		fputs(*first ? "" : " ", out);
		*first = false;
		label(out, prefix, m);
		hd_fmt_plain(v, sizeof(v), m->value);
		fprintf(out, "=%s%s;", v, hd_unit_nagios(m->unit));
		hd_range_format(&m->warn, range, sizeof(range));
		fprintf(out, "%s;", range);
		hd_range_format(&m->crit, range, sizeof(range));
		fprintf(out, "%s;", range);
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

/* -vv: the check's configuration, each key with where it was set. */
static void config_lines(FILE *out, const char *indent, const struct hd_check *c)
{
	char range[96];

	fprintf(out, "%sconfig: [%s] probe %s, from %s:%d\n", indent, c->id, c->probe->name,
		c->file ? c->file : "(command line)", c->line);
	for (size_t k = 0; k < c->nparams; k++) {
		const struct hd_kv *kv = &c->params[k];
		if (strcmp(kv->key, "probe") == 0)
			continue;
		fprintf(out, "%s  %s = ", indent, kv->key);
		clean(out, kv->value);
		fprintf(out, "   (%s:%d)\n", kv->file, kv->line);
	}
	hd_range_format(&c->warn, range, sizeof(range));
	fprintf(out, "%s  thresholds on %s: warning %s, ", indent,
		c->metric					 ? c->metric
		: c->probe->metrics && c->probe->metrics[0].name ? c->probe->metrics[0].name
								 : "-",
		*range ? range : "none");
	hd_range_format(&c->crit, range, sizeof(range));
	fprintf(out, "critical %s\n", *range ? range : "none");
}

static void one_check(FILE *out, const struct hd_report *rep, size_t i, bool single, int verbose)
{
	const struct hd_result *r = &rep->results[i];
	bool problem = r->status != HD_OK && r->status != HD_SKIPPED;
	const char *ind = single ? "" : "  ";

	if (!single) {
		fprintf(out, "[%s] %s: ", hd_status_name(r->status), r->id);
		clean(out, r->summary);
		fputc('\n', out);
	}
	/* 0: details of problems; -v: of every check */
	if ((problem || verbose >= 1) && r->details)
		lines(out, ind, r->details);
	if (problem && r->remedy) {
		fprintf(out, "%sRemedy:\n", ind);
		lines(out, single ? "  " : "    ", r->remedy);
	}
	if (verbose >= 2 && rep->checks && rep->checks[i])
		config_lines(out, ind, rep->checks[i]);
	if (verbose >= 3) {
		char d[64];
		hd_fmt_plain(d, sizeof(d), r->duration);
		fprintf(out, "%sdiagnosis: probe %s ran %s s in %s", ind, r->probe, d,
			rep->in_process ? "this process (one check)" : "a child process");
		if (rep->checks && rep->checks[i] && rep->checks[i]->timeout > 0)
			fprintf(out, ", check timeout %g s", rep->checks[i]->timeout);
		fputc('\n', out);
	}
}

void hd_render_nagios(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o)
{
	enum hd_status worst = hd_report_worst(rep);
	bool first = true;
	bool single = rep->n == 1;
	int verbose = o ? o->verbose : 0;

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
	if (verbose >= 3)
		fprintf(out,
			"diagnosis: hostdoctor %s, %zu check%s, root '%s', %s, run deadline %g s\n",
			HD_VERSION, rep->n, rep->n == 1 ? "" : "s",
			rep->root && *rep->root ? rep->root : "/",
			rep->privileged ? "as root" : "not as root (some probes see less)",
			rep->timeout);
	for (size_t i = 0; i < rep->n; i++)
		one_check(out, rep, i, single, verbose);
}
