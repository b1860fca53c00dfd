/* The result model: construction helpers shared by probes and the runner. */
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const char *const status_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN", "SKIPPED"};

const char *hd_status_name(enum hd_status s)
{
	return (unsigned)s < 5 ? status_names[s] : "UNKNOWN";
}

int hd_status_parse(const char *name, enum hd_status *out)
{
	for (int i = 0; i < 5; i++)
		if (strcasecmp(name, status_names[i]) == 0) {
			*out = (enum hd_status)i;
			return 0;
		}
	return -1;
}

static int rank(enum hd_status s)
{
	switch (s) {
	case HD_SKIPPED: return 0;
	case HD_OK: return 1;
	case HD_UNKNOWN: return 2;
	case HD_WARNING: return 3;
	case HD_CRITICAL: return 4;
	}
	return 2;
}

enum hd_status hd_status_worst(enum hd_status a, enum hd_status b)
{
	return rank(a) >= rank(b) ? a : b;
}

int hd_status_exit(enum hd_status s)
{
	return s == HD_SKIPPED ? 0 : (int)s;
}

const char *hd_unit_nagios(enum hd_unit u)
{
	switch (u) {
	case HD_UNIT_NONE: return "";
	case HD_UNIT_PERCENT: return "%";
	case HD_UNIT_BYTES: return "B";
	case HD_UNIT_KB: return "KB";
	case HD_UNIT_MB: return "MB";
	case HD_UNIT_SECONDS: return "s";
	case HD_UNIT_MS: return "ms";
	case HD_UNIT_COUNTER: return "c";
	}
	return "";
}

void hd_result_init(struct hd_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = HD_OK;
}

void hd_result_free(struct hd_result *r)
{
	free(r->id);
	free(r->probe);
	free(r->summary);
	free(r->details);
	free(r->remedy);
	free(r->description);
	for (size_t i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	free(r->tags);
	for (size_t i = 0; i < r->nmetrics; i++) {
		free(r->metrics[i].name);
		free(r->metrics[i].help);
		free(r->metrics[i].label);
		free(r->metrics[i].label_value);
	}
	free(r->metrics);
	hd_result_clear_actions(r);
	free(r->severity);
	memset(r, 0, sizeof(*r));
}

void hd_result_set(struct hd_result *r, enum hd_status s, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	free(r->summary);
	va_start(ap, fmt);
	r->summary = hd_vasprintf(fmt, ap);
	va_end(ap);
}

void hd_result_remedy(struct hd_result *r, const char *fmt, ...)
{
	va_list ap;

	free(r->remedy);
	va_start(ap, fmt);
	r->remedy = hd_vasprintf(fmt, ap);
	va_end(ap);
}

static void append_line(char **dst, const char *fmt, va_list ap)
{
	char *line = hd_vasprintf(fmt, ap);

	if (*dst) {
		char *both = hd_asprintf("%s\n%s", *dst, line);
		free(*dst);
		free(line);
		*dst = both;
	} else {
		*dst = line;
	}
}

void hd_result_detail(struct hd_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_line(&r->details, fmt, ap);
	va_end(ap);
}

void hd_result_remedy_add(struct hd_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_line(&r->remedy, fmt, ap);
	va_end(ap);
}

void hd_result_raise(struct hd_result *r, enum hd_status s)
{
	if (s == HD_SKIPPED)
		return;
	if (r->status == HD_SKIPPED || rank(s) > rank(r->status))
		r->status = s;
}

struct hd_metric *hd_result_metric(struct hd_result *r, const char *name, double value,
				   enum hd_unit unit)
{
	struct hd_metric *m;

	r->metrics = hd_xrealloc(r->metrics, (r->nmetrics + 1) * sizeof(*r->metrics));
	m = &r->metrics[r->nmetrics++];
	memset(m, 0, sizeof(*m));
	m->name = hd_xstrdup(name);
	m->value = value;
	m->unit = unit;
	return m;
}

struct hd_metric *hd_result_metric_of(struct hd_result *r, const char *name, const char *label,
				      const char *label_value, double value, enum hd_unit unit)
{
	struct hd_metric *m = hd_result_metric(r, name, value, unit);

	if (label && label_value) {
		m->label = hd_xstrdup(label);
		m->label_value = hd_xstrdup(label_value);
	}
	return m;
}

struct hd_metric *hd_result_find_metric(const struct hd_result *r, const char *name)
{
	struct hd_metric *first = NULL;

	for (size_t i = 0; i < r->nmetrics; i++)
		if (strcmp(r->metrics[i].name, name) == 0) {
			if (!r->metrics[i].label)
				return &r->metrics[i];
			if (!first)
				first = &r->metrics[i];
		}
	return first;
}

void hd_result_command_argv(struct hd_result *r, const char *const *argv)
{
	size_t n = 0;
	char **v;

	while (argv[n])
		n++;
	if (n == 0)
		return;
	v = hd_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = hd_xstrdup(argv[i]);
	r->commands = hd_xrealloc(r->commands, (r->ncommands + 1) * sizeof(*r->commands));
	r->commands[r->ncommands++] = v;
}

void hd_result_command(struct hd_result *r, const char *arg0, ...)
{
	const char *argv[64];
	size_t n = 0;
	va_list ap;

	va_start(ap, arg0);
	for (const char *a = arg0; a && n + 1 < sizeof(argv) / sizeof(argv[0]);
	     a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	hd_result_command_argv(r, argv);
}

void hd_result_command_line(struct hd_result *r, const char *line)
{
	const char *argv[64];
	char *copy, *save = NULL;
	size_t n = 0;

	if (!line || strpbrk(line, "'\"|<>;$`\\(){}*?~#"))
		return;
	/* '&' only as the "&&" between two commands */
	for (const char *p = strchr(line, '&'); p; p = strchr(p + 2, '&'))
		if (p[1] != '&' || (p > line && p[-1] != ' ') || (p[2] && p[2] != ' '))
			return;
	copy = hd_xstrdup(line);
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		if (strcmp(w, "&&") == 0 || n + 1 >= sizeof(argv) / sizeof(argv[0])) {
			argv[n] = NULL;
			hd_result_command_argv(r, argv);
			n = 0;
			if (strcmp(w, "&&") == 0)
				continue;
		}
		argv[n++] = w;
	}
	argv[n] = NULL;
	hd_result_command_argv(r, argv);
	free(copy);
}

void hd_result_remedy_command(struct hd_result *r, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = hd_vasprintf(fmt, ap);
	va_end(ap);
	hd_result_remedy_add(r, "%s", line);
	hd_result_command_line(r, line);
	free(line);
}

static void strv_add_unique(char ***v, size_t *n, char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return;
		}
	*v = hd_xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = s;
}

void hd_result_concerns(struct hd_result *r, enum hd_concern kind, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = hd_vasprintf(fmt, ap);
	va_end(ap);
	switch (kind) {
	case HD_CONCERN_FILE: strv_add_unique(&r->files, &r->nfiles, s); break;
	case HD_CONCERN_PACKAGE: strv_add_unique(&r->packages, &r->npackages, s); break;
	case HD_CONCERN_UNIT: strv_add_unique(&r->units, &r->nunits, s); break;
	}
}

static void strv_clear(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

void hd_result_clear_actions(struct hd_result *r)
{
	for (size_t i = 0; i < r->ncommands; i++) {
		for (char **a = r->commands[i]; *a; a++)
			free(*a);
		free(r->commands[i]);
	}
	free(r->commands);
	r->commands = NULL;
	r->ncommands = 0;
	strv_clear(&r->files, &r->nfiles);
	strv_clear(&r->packages, &r->npackages);
	strv_clear(&r->units, &r->nunits);
}

const char *hd_result_severity(const struct hd_result *r)
{
	switch (r->status) {
	case HD_OK:
	case HD_SKIPPED: return "info";
	case HD_CRITICAL: return r->severity ? r->severity : "high";
	case HD_WARNING:
	case HD_UNKNOWN: return r->severity ? r->severity : "medium";
	}
	return "medium";
}

void hd_metric_bounds(struct hd_metric *m, double min, double max)
{
	m->has_min = m->has_max = true;
	m->min = min;
	m->max = max;
}

void hd_result_copy(struct hd_result *dst, const struct hd_result *src)
{
	*dst = *src;
	dst->id = hd_xstrdup_null(src->id);
	dst->probe = hd_xstrdup_null(src->probe);
	dst->summary = hd_xstrdup_null(src->summary);
	dst->details = hd_xstrdup_null(src->details);
	dst->remedy = hd_xstrdup_null(src->remedy);
	dst->description = hd_xstrdup_null(src->description);
	dst->tags = src->ntags ? hd_xcalloc(src->ntags, sizeof(char *)) : NULL;
	for (size_t i = 0; i < src->ntags; i++)
		dst->tags[i] = hd_xstrdup(src->tags[i]);
	dst->metrics = src->nmetrics ? hd_xcalloc(src->nmetrics, sizeof(*src->metrics)) : NULL;
	for (size_t i = 0; i < src->nmetrics; i++) {
		dst->metrics[i] = src->metrics[i];
		dst->metrics[i].name = hd_xstrdup(src->metrics[i].name);
		dst->metrics[i].help = hd_xstrdup_null(src->metrics[i].help);
		dst->metrics[i].label = hd_xstrdup_null(src->metrics[i].label);
		dst->metrics[i].label_value = hd_xstrdup_null(src->metrics[i].label_value);
	}
	dst->commands = NULL;
	dst->ncommands = 0;
	for (size_t i = 0; i < src->ncommands; i++)
		hd_result_command_argv(dst, (const char *const *)src->commands[i]);
	dst->files = dst->packages = dst->units = NULL;
	dst->nfiles = dst->npackages = dst->nunits = 0;
	for (size_t i = 0; i < src->nfiles; i++)
		hd_result_concerns(dst, HD_CONCERN_FILE, "%s", src->files[i]);
	for (size_t i = 0; i < src->npackages; i++)
		hd_result_concerns(dst, HD_CONCERN_PACKAGE, "%s", src->packages[i]);
	for (size_t i = 0; i < src->nunits; i++)
		hd_result_concerns(dst, HD_CONCERN_UNIT, "%s", src->units[i]);
	dst->severity = hd_xstrdup_null(src->severity);
}
