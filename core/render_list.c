/* The list mode: every check (and, in JSON, every probe type with its parameters and metrics). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "render.h"
#include "result_json.h"

void hd_render_list_text(FILE *out, struct hd_check *const *sel, size_t n, int verbose)
{
	for (size_t i = 0; i < n; i++) {
		const struct hd_check *c = sel[i];
		char tags[256] = "-";
		size_t off = 0;

		fprintf(out, "%-28s %-16s ", c->id, c->probe->name);
		for (size_t t = 0; t < c->ntags && off < sizeof(tags); t++)
			off += (size_t)snprintf(tags + off, sizeof(tags) - off, "%s%s",
						t ? "," : "", c->tags[t]);
		fprintf(out, "%-26s %s%s\n", tags, c->description ? c->description : "",
			c->enabled ? "" : " (disabled)");
		if (verbose)
			for (size_t k = 0; k < c->nparams; k++)
				fprintf(out, "    %s = %s   (%s:%d)\n", c->params[k].key,
					c->params[k].value, c->params[k].file, c->params[k].line);
	}
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *range_or_null(const struct hd_range *r)
{
	char buf[96];

	if (!r->set)
		return NULL;
	hd_range_format(r, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static struct json_object *check_json(const struct hd_check *c)
{
	struct json_object *o = json_object_new_object(), *tags = json_object_new_array();
	struct json_object *params = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "probe", json_object_new_string(c->probe->name));
	json_object_object_add(o, "description", str_or_null(c->description));
	for (size_t t = 0; t < c->ntags; t++)
		json_object_array_add(tags, json_object_new_string(c->tags[t]));
	json_object_object_add(o, "tags", tags);
	json_object_object_add(o, "enabled", json_object_new_boolean(c->enabled));
	json_object_object_add(o, "inhibitor", json_object_new_boolean(c->inhibitor));
	json_object_object_add(o, "severity", str_or_null(c->severity));
	json_object_object_add(o, "warning", range_or_null(&c->warn));
	json_object_object_add(o, "critical", range_or_null(&c->crit));
	json_object_object_add(o, "metric", str_or_null(c->metric));
	json_object_object_add(o, "timeout", c->timeout > 0 ? hd_json_double(c->timeout) : NULL);
	json_object_object_add(o, "file", str_or_null(c->file));
	json_object_object_add(o, "line", json_object_new_int(c->line));
	for (size_t k = 0; k < c->nparams; k++) {
		struct json_object *p = json_object_new_object();
		json_object_object_add(p, "key", json_object_new_string(c->params[k].key));
		json_object_object_add(p, "value", json_object_new_string(c->params[k].value));
		json_object_object_add(p, "file", json_object_new_string(c->params[k].file));
		json_object_object_add(p, "line", json_object_new_int(c->params[k].line));
		json_object_array_add(params, p);
	}
	json_object_object_add(o, "params", params);
	return o;
}

static const char *type_name(enum hd_ptype t)
{
	static const char *const names[] = {"string", "integer", "number", "boolean",
					    "choice", "list",	 "range"};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "string";
}

static struct json_object *probe_json(const struct hd_probe *p)
{
	struct json_object *o = json_object_new_object(), *params = json_object_new_array();
	struct json_object *metrics = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "summary", str_or_null(p->summary));
	json_object_object_add(o, "default_warning", str_or_null(p->default_warning));
	json_object_object_add(o, "default_critical", str_or_null(p->default_critical));
	for (const struct hd_param *q = p->params; q && q->key; q++) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "key", json_object_new_string(q->key));
		json_object_object_add(j, "type", json_object_new_string(type_name(q->type)));
		json_object_object_add(j, "default", str_or_null(q->def));
		json_object_object_add(j, "choices", str_or_null(q->choices));
		json_object_object_add(j, "required", json_object_new_boolean(q->required));
		json_object_object_add(j, "help", str_or_null(q->help));
		json_object_array_add(params, j);
	}
	json_object_object_add(o, "params", params);
	for (const struct hd_metric_doc *d = p->metrics; d && d->name; d++) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "name", json_object_new_string(d->name));
		json_object_object_add(j, "help", str_or_null(d->help));
		json_object_array_add(metrics, j);
	}
	json_object_object_add(o, "metrics", metrics);
	return o;
}

void hd_render_list_json(FILE *out, struct hd_check *const *sel, size_t n,
			 const struct hd_probe *const *table)
{
	struct json_object *root = hd_json_doc("list");
	struct json_object *checks = json_object_new_array(), *probes = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(checks, check_json(sel[i]));
	for (const struct hd_probe *const *p = table; p && *p; p++)
		json_object_array_add(probes, probe_json(*p));
	json_object_object_add(root, "checks", checks);
	json_object_object_add(root, "probes", probes);
	hd_json_print(out, root);
	json_object_put(root);
}
