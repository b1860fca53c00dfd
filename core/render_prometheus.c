/* Prometheus text exposition for node_exporter's textfile collector: base units, HELP/TYPE once,
 * one metric name per quantity (what a value is of goes in a label), and a `report` label on
 * every series so a doctor file and a preflight file in one directory never collide. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

#ifndef HD_VERSION
#define HD_VERSION "0.0.0"
#endif

struct sample {
	char *name;
	char *labels;
	double value;
	char *help;
	const char *type;
};

static void add(struct sample **v, size_t *n, char *name, char *labels, double value, char *help,
		const char *type)
{
	*v = hd_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = (struct sample){name, labels, value, help, type};
}

static void escape(struct hd_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			hd_buf_add(b, "\\\\", 2);
		else if (*s == '"')
			hd_buf_add(b, "\\\"", 2);
		else if (*s == '\n')
			hd_buf_add(b, "\\n", 2);
		else
			hd_buf_add(b, s, 1);
	}
}

static void label_add(struct hd_buf *b, const char *name, const char *value)
{
	hd_buf_printf(b, "%s%s=\"", b->len ? "," : "", name);
	escape(b, value);
	hd_buf_add(b, "\"", 1);
}

static char *labels(const char *report, const struct hd_result *r, bool with_probe,
		    const struct hd_metric *m)
{
	struct hd_buf b = {0};

	if (r) {
		label_add(&b, "check", r->id);
		if (with_probe)
			label_add(&b, "probe", r->probe);
	}
	if (m && m->label) {
		/* a probe's label must not take the place of ours */
		bool ours = strcmp(m->label, "check") == 0 || strcmp(m->label, "probe") == 0 ||
			    strcmp(m->label, "report") == 0;
		label_add(&b, ours ? "item" : m->label, m->label_value);
	}
	label_add(&b, "report", report);
	return hd_buf_steal(&b);
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len > sl && strcmp(s + len - sl, suffix) == 0;
}

/* [a-z_][a-z0-9_]*: hostdoctor_PROBE_METRIC and the base unit's suffix; a unit suffix the metric
 * already carries is not added twice, and `_total` only ever ends a counter. */
static char *metric_name(const char *probe, const char *metric, enum hd_unit u, double *scale,
			 const char **type)
{
	static const char *const same_unit[][4] = {
	    [HD_UNIT_PERCENT] = {"_pct", "_percent", "_ratio", NULL},
	    [HD_UNIT_BYTES] = {"_bytes", NULL},
	    [HD_UNIT_KB] = {"_kb", "_bytes", NULL},
	    [HD_UNIT_MB] = {"_mb", "_bytes", NULL},
	    [HD_UNIT_SECONDS] = {"_seconds", "_secs", NULL},
	    [HD_UNIT_MS] = {"_ms", "_seconds", NULL},
	    [HD_UNIT_COUNTER] = {"_total", NULL},
	};
	struct hd_buf b = {0};
	char *m = hd_xstrdup(metric);
	size_t ml = strlen(m);
	const char *suffix = "";

	*scale = 1;
	*type = "gauge";
	switch (u) {
	case HD_UNIT_PERCENT:
		suffix = "_ratio";
		*scale = 0.01;
		break;
	case HD_UNIT_BYTES: suffix = "_bytes"; break;
	case HD_UNIT_KB:
		suffix = "_bytes";
		*scale = 1024;
		break;
	case HD_UNIT_MB:
		suffix = "_bytes";
		*scale = 1048576;
		break;
	case HD_UNIT_SECONDS: suffix = "_seconds"; break;
	case HD_UNIT_MS:
		suffix = "_seconds";
		*scale = 0.001;
		break;
	case HD_UNIT_COUNTER:
		suffix = "_total";
		*type = "counter";
		break;
	case HD_UNIT_NONE: break;
	}
	for (const char *const *d = same_unit[u]; *d; d++)
		if (ends_with(m, ml, *d)) {
			m[ml - strlen(*d)] = '\0';
			break;
		}
	hd_buf_printf(&b, "hostdoctor_%s_%s%s", probe, m, suffix);
	free(m);
	for (char *p = b.data; *p; p++)
		*p = isalnum((unsigned char)*p) || *p == '_' ? (char)tolower((unsigned char)*p)
							     : '_';
	return hd_buf_steal(&b);
}

/* The HELP text: what the probe says the metric is, and the unit the series is in. */
static char *help_text(const char *help, enum hd_unit u)
{
	static const char *const unit_words[] = {
	    [HD_UNIT_NONE] = NULL,     [HD_UNIT_PERCENT] = "a ratio from 0 to 1",
	    [HD_UNIT_BYTES] = "bytes", [HD_UNIT_KB] = "bytes",
	    [HD_UNIT_MB] = "bytes",    [HD_UNIT_SECONDS] = "seconds",
	    [HD_UNIT_MS] = "seconds",  [HD_UNIT_COUNTER] = NULL,
	};
	const char *h = help && *help ? help : "Metric of a hostdoctor probe.";

	if (!unit_words[u])
		return hd_xstrdup(h);
	return hd_asprintf("%s Unit: %s.", h, unit_words[u]);
}

static void put_value(FILE *out, double v)
{
	if (isnan(v))
		fputs("NaN", out);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else
		fprintf(out, "%.15g", v);
}

void hd_render_prometheus(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o)
{
	struct sample *v = NULL;
	size_t n = 0;
	char report[256];

	(void)o;
	hd_report_name(rep, report, sizeof(report));
	{
		struct hd_buf b = {0};
		label_add(&b, "version", HD_VERSION);
		label_add(&b, "report", report);
		add(&v, &n, hd_xstrdup("hostdoctor_build_info"), hd_buf_steal(&b), 1,
		    hd_xstrdup("Always 1; the version of hostdoctor that wrote the report."),
		    "gauge");
	}
	for (size_t i = 0; i < rep->n; i++) {
		const struct hd_result *r = &rep->results[i];
		add(&v, &n, hd_xstrdup("hostdoctor_check_status"), labels(report, r, true, NULL),
		    r->status == HD_SKIPPED ? 0 : (double)r->status,
		    hd_xstrdup("State of the check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN "
			       "(checks that do not apply report 0)."),
		    "gauge");
		add(&v, &n, hd_xstrdup("hostdoctor_check_skipped"), labels(report, r, true, NULL),
		    r->status == HD_SKIPPED,
		    hd_xstrdup("1 when the check does not apply to this host, else 0."), "gauge");
		add(&v, &n, hd_xstrdup("hostdoctor_check_success"), labels(report, r, true, NULL),
		    r->status != HD_UNKNOWN,
		    hd_xstrdup("1 when the check came to a verdict, 0 when it could not run or "
			       "could not tell (UNKNOWN: timed out, crashed, lacked privilege)."),
		    "gauge");
		add(&v, &n, hd_xstrdup("hostdoctor_check_duration_seconds"),
		    labels(report, r, true, NULL), r->duration,
		    hd_xstrdup("Time the check took. Unit: seconds."), "gauge");
		for (size_t k = 0; k < r->nmetrics; k++) {
			const struct hd_metric *m = &r->metrics[k];
			double scale;
			const char *type;
			char *name = metric_name(r->probe, m->name, m->unit, &scale, &type);
			add(&v, &n, name, labels(report, r, false, m), m->value * scale,
			    help_text(m->help, m->unit), type);
		}
	}
	add(&v, &n, hd_xstrdup("hostdoctor_last_run_timestamp_seconds"),
	    labels(report, NULL, false, NULL), (double)rep->when,
	    hd_xstrdup("When hostdoctor wrote the report. Unit: seconds since the Unix epoch."),
	    "gauge");
	add(&v, &n, hd_xstrdup("hostdoctor_run_duration_seconds"),
	    labels(report, NULL, false, NULL), rep->duration,
	    hd_xstrdup("Time the whole run took. Unit: seconds."), "gauge");

	/* every name's samples together, HELP and TYPE once, in order of first appearance; a
	 * second sample with the same name and labels would make the collector drop the file */
	bool *done = hd_xcalloc(n ? n : 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		if (done[i])
			continue;
		fprintf(out, "# HELP %s ", v[i].name);
		for (const char *p = v[i].help; *p; p++)
			if (*p == '\\')
				fputs("\\\\", out);
			else if (*p == '\n')
				fputs("\\n", out);
			else
				fputc(*p, out);
		fprintf(out, "\n# TYPE %s %s\n", v[i].name, v[i].type);
		for (size_t k = i; k < n; k++) {
			bool dup = false;
			if (done[k] || strcmp(v[k].name, v[i].name) != 0)
				continue;
			done[k] = true;
			for (size_t p = i; p < k && !dup; p++)
				dup = strcmp(v[p].name, v[k].name) == 0 &&
				      strcmp(v[p].labels, v[k].labels) == 0;
			if (dup)
				continue;
			fprintf(out, "%s{%s} ", v[k].name, v[k].labels);
			put_value(out, v[k].value);
			fputc('\n', out);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].labels);
		free(v[i].help);
	}
	free(v);
	free(done);
}
