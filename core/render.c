/* Shared pieces of the renderers: format names, the overall state, plain numbers, dispatch. */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int hd_format_parse(const char *s, enum hd_format *out)
{
	static const char *const names[] = {"doctor", "nagios", "json", "prometheus", "npd"};

	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum hd_format)i;
			return 0;
		}
	return -1;
}

enum hd_status hd_report_worst(const struct hd_report *rep)
{
	enum hd_status w = HD_OK;

	for (size_t i = 0; i < rep->n; i++)
		w = hd_status_worst(w, rep->results[i].status);
	return w == HD_SKIPPED ? HD_OK : w;
}

bool hd_result_blocks(const struct hd_result *r)
{
	return r->inhibitor && r->status != HD_OK && r->status != HD_SKIPPED;
}

size_t hd_report_blockers(const struct hd_report *rep)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->n; i++)
		n += hd_result_blocks(&rep->results[i]);
	return n;
}

void hd_report_name(const struct hd_report *rep, char *buf, size_t size)
{
	const char *mode = rep->mode && *rep->mode ? rep->mode : "doctor";

	if (strcmp(mode, "preflight") == 0 && rep->profile)
		snprintf(buf, size, "preflight-%s", rep->profile);
	else
		snprintf(buf, size, "%s", mode);
}

void hd_fmt_plain(char *buf, size_t size, double v)
{
	char *dot;
	size_t n;

	if (!isfinite(v)) {
		snprintf(buf, size, "0");
		return;
	}
	if (fabs(v) >= 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.6f", v);
	dot = strchr(buf, '.');
	if (dot) {
		n = strlen(buf);
		while (n > 0 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '.')
			buf[--n] = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, size, "0");
}

void hd_render(FILE *out, enum hd_format f, const struct hd_report *rep,
	       const struct hd_render_opts *o)
{
	switch (f) {
	case HD_FMT_DOCTOR:
		if (rep->mode && strcmp(rep->mode, "preflight") == 0)
			hd_render_preflight(out, rep, o);
		else
			hd_render_doctor(out, rep, o);
		break;
	case HD_FMT_NAGIOS: hd_render_nagios(out, rep, o); break;
	case HD_FMT_JSON: hd_render_json(out, rep, o); break;
	case HD_FMT_PROMETHEUS: hd_render_prometheus(out, rep, o); break;
	case HD_FMT_NPD: hd_render_npd(out, rep, o); break;
	}
}
