/* The list mode: every check, as text or as the JSON list document (the probe types are
 * `list --probes`, core/probe_ref.c). */
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

void hd_render_list_json(FILE *out, struct hd_check *const *sel, size_t n)
{
	struct json_object *root = hd_json_doc("list");
	struct json_object *checks = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(checks, check_json(sel[i]));
	json_object_object_add(root, "checks", checks);
	hd_json_print(out, root);
	json_object_put(root);
}
