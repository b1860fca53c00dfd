/* The probe reference as text and JSON, straight from the probe table (see probe_ref.h). */
#include "probe_ref.h"

#include "result_json.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

const char *hd_param_type_text(const struct hd_param *p, char *buf, size_t size)
{
	switch (p->type) {
	case HD_P_STR: return "text";
	case HD_P_INT:
		if (p->min < p->max) {
			snprintf(buf, size, "integer %" PRId64 "..%" PRId64, p->min, p->max);
			return buf;
		}
		return "integer";
	case HD_P_NUM: return "number";
	case HD_P_BOOL: return "yes/no";
	case HD_P_ENUM: snprintf(buf, size, "one of %s", p->choices ? p->choices : ""); return buf;
	case HD_P_LIST: return "list";
	case HD_P_RANGE: return "range";
	}
	return "text";
}

void hd_probe_ref_text(FILE *out, const struct hd_probe *const *table)
{
	for (size_t i = 0; table[i]; i++) {
		const struct hd_probe *pr = table[i];

		fprintf(out, "%s%s: %s\n", i ? "\n" : "", pr->name, pr->summary ? pr->summary : "");
		if (pr->metrics && pr->metrics[0].name)
			fprintf(out, "  thresholds on %s: warning %s, critical %s\n",
				pr->metrics[0].name,
				pr->default_warning ? pr->default_warning : "-",
				pr->default_critical ? pr->default_critical : "-");
		fputs("  parameters:\n", out);
		if (!pr->params || !pr->params[0].key)
			fputs("    (none)\n", out);
		for (const struct hd_param *p = pr->params; p && p->key; p++) {
			char tb[256];
			const char *def = p->def ? (*p->def ? p->def : "\"\"") : "none";

			fprintf(out, "    %-20s %s; %s%s\n", p->key,
				hd_param_type_text(p, tb, sizeof(tb)),
				p->required ? "required" : "default ", p->required ? "" : def);
			if (p->help)
				fprintf(out, "    %-20s %s\n", "", p->help);
		}
		fputs("  metrics:\n", out);
		for (const struct hd_metric_doc *m = pr->metrics; m && m->name; m++)
			fprintf(out, "    %-20s %s%s\n", m->name,
				m == pr->metrics ? "(primary) " : "", m->help ? m->help : "");
	}
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

void hd_probe_ref_json(FILE *out, const struct hd_probe *const *table)
{
	struct json_object *root = hd_json_doc("probes"); /* schema and kind (dist/schema/) */
	struct json_object *probes = json_object_new_array();

	for (size_t i = 0; table[i]; i++) {
		const struct hd_probe *pr = table[i];
		struct json_object *jp = json_object_new_object();
		struct json_object *params = json_object_new_array();
		struct json_object *metrics = json_object_new_array();

		json_object_object_add(jp, "name", json_object_new_string(pr->name));
		json_object_object_add(jp, "summary", str_or_null(pr->summary));
		json_object_object_add(jp, "default_warning", str_or_null(pr->default_warning));
		json_object_object_add(jp, "default_critical", str_or_null(pr->default_critical));
		for (const struct hd_param *p = pr->params; p && p->key; p++) {
			struct json_object *jq = json_object_new_object();
			char tb[256];
			static const char *const types[] = {"str",  "int",  "num",  "bool",
							    "enum", "list", "range"};

			json_object_object_add(jq, "key", json_object_new_string(p->key));
			json_object_object_add(jq, "type", json_object_new_string(types[p->type]));
			json_object_object_add(
			    jq, "type_text",
			    json_object_new_string(hd_param_type_text(p, tb, sizeof(tb))));
			json_object_object_add(jq, "default", str_or_null(p->def));
			json_object_object_add(jq, "required",
					       json_object_new_boolean(p->required));
			if (p->type == HD_P_ENUM)
				json_object_object_add(jq, "choices", str_or_null(p->choices));
			if (p->type == HD_P_INT && p->min < p->max) {
				json_object_object_add(jq, "min", json_object_new_int64(p->min));
				json_object_object_add(jq, "max", json_object_new_int64(p->max));
			}
			json_object_object_add(jq, "help", str_or_null(p->help));
			json_object_array_add(params, jq);
		}
		for (const struct hd_metric_doc *m = pr->metrics; m && m->name; m++) {
			struct json_object *jm = json_object_new_object();
			json_object_object_add(jm, "name", json_object_new_string(m->name));
			json_object_object_add(jm, "primary",
					       json_object_new_boolean(m == pr->metrics));
			json_object_object_add(jm, "help", str_or_null(m->help));
			json_object_array_add(metrics, jm);
		}
		json_object_object_add(jp, "params", params);
		json_object_object_add(jp, "metrics", metrics);
		json_object_array_add(probes, jp);
	}
	json_object_object_add(root, "probes", probes);
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE),
	      out);
	fputc('\n', out);
	json_object_put(root);
}
