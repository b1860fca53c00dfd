/* Conversion of results to and from json-c objects. */
#include "result_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "util.h"

struct json_object *hd_json_double(double v)
{
	char buf[64];

	/* JSON has no NaN or infinity: such a value is null (read back as NaN) */
	if (!isfinite(v))
		return NULL;
	/* shortest text that reads back as the same double; json-c's default prints 17 digits */
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (!strpbrk(buf, ".eE"))
		strcat(buf, ".0");
	return json_object_new_double_s(v, buf);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *range_json(const struct hd_range *r)
{
	char buf[96];

	if (!r->set)
		return NULL;
	hd_range_format(r, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static const char *const unit_names[] = {"", "%", "B", "KB", "MB", "s", "ms", "c"};

static struct json_object *strv_json(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* leapp-style remediation: the hint for people, the commands as argv lists, what it concerns */
static struct json_object *remediation_json(const struct hd_result *r)
{
	struct json_object *o, *cmds;

	if (!r->remedy && !r->ncommands && !r->nfiles && !r->npackages && !r->nunits)
		return NULL;
	o = json_object_new_object();
	cmds = json_object_new_array();
	json_object_object_add(o, "hint", str_or_null(r->remedy));
	for (size_t i = 0; i < r->ncommands; i++) {
		size_t n = 0;
		while (r->commands[i][n])
			n++;
		json_object_array_add(cmds, strv_json(r->commands[i], n));
	}
	json_object_object_add(o, "commands", cmds);
	json_object_object_add(o, "files", strv_json(r->files, r->nfiles));
	json_object_object_add(o, "packages", strv_json(r->packages, r->npackages));
	json_object_object_add(o, "units", strv_json(r->units, r->nunits));
	return o;
}

struct json_object *hd_result_to_json(const struct hd_result *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *tags = json_object_new_array();
	struct json_object *ms = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_string(r->id ? r->id : ""));
	json_object_object_add(o, "probe", json_object_new_string(r->probe ? r->probe : ""));
	json_object_object_add(o, "status", json_object_new_string(hd_status_name(r->status)));
	json_object_object_add(o, "summary", json_object_new_string(r->summary ? r->summary : ""));
	json_object_object_add(o, "details", str_or_null(r->details));
	json_object_object_add(o, "remedy", str_or_null(r->remedy));
	json_object_object_add(o, "description", str_or_null(r->description));
	for (size_t i = 0; i < r->ntags; i++)
		json_object_array_add(tags, json_object_new_string(r->tags[i]));
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "inhibitor", json_object_new_boolean(r->inhibitor));
	json_object_object_add(o, "severity", json_object_new_string(hd_result_severity(r)));
	{
		struct json_object *flags = json_object_new_array();
		if (r->inhibitor)
			json_object_array_add(flags, json_object_new_string("inhibitor"));
		json_object_object_add(o, "flags", flags);
	}
	json_object_object_add(o, "remediation", remediation_json(r));
	json_object_object_add(o, "duration", hd_json_double(hd_round_to(r->duration, 1e6)));
	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct hd_metric *m = &r->metrics[i];
		struct json_object *mo = json_object_new_object();

		json_object_object_add(mo, "name", json_object_new_string(m->name));
		{
			struct json_object *lo = json_object_new_object();
			if (m->label)
				json_object_object_add(lo, m->label,
						       json_object_new_string(m->label_value));
			json_object_object_add(mo, "labels", lo);
		}
		json_object_object_add(mo, "value", hd_json_double(m->value));
		json_object_object_add(mo, "unit", json_object_new_string(unit_names[m->unit]));
		json_object_object_add(mo, "warn", range_json(&m->warn));
		json_object_object_add(mo, "crit", range_json(&m->crit));
		json_object_object_add(mo, "min", m->has_min ? hd_json_double(m->min) : NULL);
		json_object_object_add(mo, "max", m->has_max ? hd_json_double(m->max) : NULL);
		if (m->help)
			json_object_object_add(mo, "help", json_object_new_string(m->help));
		json_object_array_add(ms, mo);
	}
	json_object_object_add(o, "metrics", ms);
	return o;
}

static char *get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return hd_xstrdup(json_object_get_string(v));
}

static int get_range(struct json_object *o, const char *key, struct hd_range *r)
{
	struct json_object *v;

	memset(r, 0, sizeof(*r));
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return 0;
	return hd_range_parse(json_object_get_string(v), r, NULL);
}

static bool get_num(struct json_object *o, const char *key, double *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return false;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_double(v);
	return true;
}

static void get_strv(struct json_object *a, char ***v, size_t *n)
{
	size_t len;

	if (!a || !json_object_is_type(a, json_type_array))
		return;
	len = json_object_array_length(a);
	for (size_t i = 0; i < len; i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(a, i));
		*v = hd_xrealloc(*v, (*n + 1) * sizeof(char *));
		(*v)[(*n)++] = hd_xstrdup(t ? t : "");
	}
}

static void get_remediation(struct json_object *o, struct hd_result *r)
{
	struct json_object *rem, *v;

	if (!json_object_object_get_ex(o, "remediation", &rem) || !rem)
		return;
	if (json_object_object_get_ex(rem, "commands", &v) &&
	    json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			char **argv = NULL;
			size_t argc = 0;
			get_strv(json_object_array_get_idx(v, i), &argv, &argc);
			argv = hd_xrealloc(argv, (argc + 1) * sizeof(char *));
			argv[argc] = NULL;
			hd_result_command_argv(r, (const char *const *)argv);
			hd_strv_free(argv);
		}
	}
	if (json_object_object_get_ex(rem, "files", &v))
		get_strv(v, &r->files, &r->nfiles);
	if (json_object_object_get_ex(rem, "packages", &v))
		get_strv(v, &r->packages, &r->npackages);
	if (json_object_object_get_ex(rem, "units", &v))
		get_strv(v, &r->units, &r->nunits);
}

int hd_result_from_json(struct json_object *o, struct hd_result *r)
{
	struct json_object *v;
	char *status;
	enum hd_status st;

	hd_result_init(r);
	if (!o || !json_object_is_type(o, json_type_object))
		return -EINVAL;
	status = get_str(o, "status");
	if (!status || hd_status_parse(status, &st) < 0) {
		free(status);
		return -EINVAL;
	}
	free(status);
	r->status = st;
	r->id = get_str(o, "id");
	r->probe = get_str(o, "probe");
	r->summary = get_str(o, "summary");
	r->details = get_str(o, "details");
	r->remedy = get_str(o, "remedy");
	r->description = get_str(o, "description");
	r->severity = get_str(o, "severity");
	get_remediation(o, r);
	if (json_object_object_get_ex(o, "inhibitor", &v))
		r->inhibitor = json_object_get_boolean(v);
	get_num(o, "duration", &r->duration);
	if (json_object_object_get_ex(o, "tags", &v) && json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		r->tags = hd_xcalloc(n ? n : 1, sizeof(char *));
		for (size_t i = 0; i < n; i++) {
			const char *t = json_object_get_string(json_object_array_get_idx(v, i));
			r->tags[r->ntags++] = hd_xstrdup(t ? t : "");
		}
	}
	if (json_object_object_get_ex(o, "metrics", &v) &&
	    json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			struct json_object *mo = json_object_array_get_idx(v, i);
			char *name = get_str(mo, "name"), *unit = get_str(mo, "unit");
			double value = 0;
			enum hd_unit u = HD_UNIT_NONE;
			struct hd_metric *m;

			struct json_object *jv = NULL;
			bool null_value = json_object_object_get_ex(mo, "value", &jv) && !jv;

			if (null_value)
				value = NAN; /* written as null: not a finite number */
			if (!name || (!null_value && !get_num(mo, "value", &value))) {
				free(name);
				free(unit);
				return -EINVAL;
			}
			for (size_t k = 0; unit && k < (sizeof(unit_names) / sizeof(unit_names[0]));
			     k++)
				if (strcmp(unit, unit_names[k]) == 0)
					u = (enum hd_unit)k;
			m = hd_result_metric(r, name, value, u);
			m->help = get_str(mo, "help");
			{
				struct json_object *lo;
				if (json_object_object_get_ex(mo, "labels", &lo) && lo &&
				    json_object_is_type(lo, json_type_object)) {
					json_object_object_foreach(lo, lk, lv)
					{
						m->label = hd_xstrdup(lk);
						m->label_value =
						    hd_xstrdup(json_object_get_string(lv));
						break;
					}
				}
			}
			get_range(mo, "warn", &m->warn);
			get_range(mo, "crit", &m->crit);
			m->has_min = get_num(mo, "min", &m->min);
			m->has_max = get_num(mo, "max", &m->max);
			free(name);
			free(unit);
		}
	}
	if (!r->summary)
		r->summary = hd_xstrdup("");
	return 0;
}
