/* Prometheus text exposition for node_exporter's textfile collector: base units, HELP/TYPE once. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

struct sample {
	char *name;
	char *labels;
	double value;
	const char *help;
	const char *type;
};

static void add(struct sample **v, size_t *n, char *name, char *labels, double value,
		const char *help, const char *type)
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

static char *labels(const struct hd_result *r, bool with_probe)
{
	struct hd_buf b = {0};

	hd_buf_add(&b, "check=\"", 7);
	escape(&b, r->id);
	hd_buf_add(&b, "\"", 1);
	if (with_probe) {
		hd_buf_add(&b, ",probe=\"", 8);
		escape(&b, r->probe);
		hd_buf_add(&b, "\"", 1);
	}
	return hd_buf_steal(&b);
}

/* [a-zA-Z_:][a-zA-Z0-9_:]*, lower case, without a unit suffix the unit will add again */
static char *metric_name(const char *probe, const char *metric, enum hd_unit u, double *scale,
			 const char **type)
{
	static const char *const drop[] = {"_pct",     "_percent", "_ratio", "_bytes", "_kb", "_mb",
					   "_seconds", "_secs",	   "_ms",    "_total", NULL};
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
	if (*suffix)
		for (const char *const *d = drop; *d; d++) {
			size_t dl = strlen(*d);
			if (ml > dl && strcmp(m + ml - dl, *d) == 0) {
				m[ml - dl] = '\0';
				break;
			}
		}
	hd_buf_printf(&b, "hostdoctor_%s_%s%s", probe, m, suffix);
	free(m);
	for (char *p = b.data; *p; p++)
		*p = isalnum((unsigned char)*p) || *p == '_' ? (char)tolower((unsigned char)*p)
							     : '_';
	return hd_buf_steal(&b);
}

void hd_render_prometheus(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o)
{
	struct sample *v = NULL;
	size_t n = 0;
	char num[64];

	(void)o;
	for (size_t i = 0; i < rep->n; i++) {
		const struct hd_result *r = &rep->results[i];
		add(&v, &n, hd_xstrdup("hostdoctor_check_status"), labels(r, true),
		    r->status == HD_SKIPPED ? 0 : (double)r->status,
		    "State of the check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (skipped checks "
		    "report 0).",
		    "gauge");
		add(&v, &n, hd_xstrdup("hostdoctor_check_skipped"), labels(r, true),
		    r->status == HD_SKIPPED, "1 when the check does not apply to this host.",
		    "gauge");
		add(&v, &n, hd_xstrdup("hostdoctor_check_duration_seconds"), labels(r, true),
		    r->duration, "Time the check took.", "gauge");
		for (size_t k = 0; k < r->nmetrics; k++) {
			const struct hd_metric *m = &r->metrics[k];
			double scale;
			const char *type;
			char *name = metric_name(r->probe, m->name, m->unit, &scale, &type);
			add(&v, &n, name, labels(r, false), m->value * scale,
			    m->help ? m->help : "Metric of a hostdoctor probe.", type);
		}
	}
	add(&v, &n, hd_xstrdup("hostdoctor_last_run_timestamp_seconds"), hd_xstrdup(""),
	    (double)rep->when, "Unix time when hostdoctor last ran.", "gauge");
	add(&v, &n, hd_xstrdup("hostdoctor_run_duration_seconds"), hd_xstrdup(""), rep->duration,
	    "Time the whole run took.", "gauge");

	/* every name's samples together, HELP and TYPE once, in order of first appearance */
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
			if (done[k] || strcmp(v[k].name, v[i].name) != 0)
				continue;
			done[k] = true;
			snprintf(num, sizeof(num), "%.15g", v[k].value);
			if (*v[k].labels)
				fprintf(out, "%s{%s} %s\n", v[k].name, v[k].labels, num);
			else
				fprintf(out, "%s %s\n", v[k].name, num);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].labels);
	}
	free(v);
	free(done);
}
