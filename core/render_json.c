/* JSON documents (schemas in dist/schema/, described in docs/json-schema.md), written with json-c:
 * the report of a run, the list of checks, and the error document of a run that could not start. */
#include <json-c/json.h>
#include <math.h>
#include <string.h>

#include "render.h"
#include "result_json.h"
#include "util.h"

#ifndef HD_VERSION
#define HD_VERSION "0.0.0"
#endif

void hd_render_json(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o)
{
	struct json_object *root = json_object_new_object();
	struct json_object *checks = json_object_new_array();
	struct json_object *counts = json_object_new_object();
	size_t c[5] = {0};
	char when[64], rname[256];
	struct tm tm;

	(void)o;
	gmtime_r(&rep->when, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	hd_report_name(rep, rname, sizeof(rname));
	json_object_object_add(root, "schema", json_object_new_int(HD_JSON_SCHEMA));
	json_object_object_add(root, "kind", json_object_new_string("report"));
	json_object_object_add(root, "version", json_object_new_string(HD_VERSION));
	json_object_object_add(root, "report", json_object_new_string(rname));
	json_object_object_add(root, "host", json_object_new_string(rep->host ? rep->host : ""));
	json_object_object_add(root, "time", json_object_new_string(when));
	json_object_object_add(root, "mode", json_object_new_string(rep->mode ? rep->mode : ""));
	json_object_object_add(root, "duration", hd_json_double(hd_round_to(rep->duration, 1e6)));
	json_object_object_add(root, "status",
			       json_object_new_string(hd_status_name(hd_report_worst(rep))));
	if (rep->mode && strcmp(rep->mode, "preflight") == 0) {
		struct json_object *bl = json_object_new_array();
		json_object_object_add(root, "profile",
				       json_object_new_string(rep->profile ? rep->profile : ""));
		for (size_t i = 0; i < rep->n; i++)
			if (hd_result_blocks(&rep->results[i]))
				json_object_array_add(bl,
						      json_object_new_string(rep->results[i].id));
		json_object_object_add(
		    root, "ready",
		    json_object_new_boolean(rep->n > 0 && hd_report_blockers(rep) == 0));
		json_object_object_add(root, "blockers", bl);
	}
	for (size_t i = 0; i < rep->n; i++) {
		c[rep->results[i].status]++;
		json_object_array_add(checks, hd_result_to_json(&rep->results[i]));
	}
	for (int s = 0; s < 5; s++) {
		char name[16];
		snprintf(name, sizeof(name), "%s", hd_status_name((enum hd_status)s));
		for (char *p = name; *p; p++)
			*p = (char)(*p | 0x20);
		json_object_object_add(counts, name, json_object_new_int64((int64_t)c[s]));
	}
	json_object_object_add(root, "counts", counts);
	json_object_object_add(root, "checks", checks);
	hd_json_print(out, root);
	json_object_put(root);
}

void hd_json_print(FILE *out, struct json_object *doc)
{
	fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE),
	      out);
	fputc('\n', out);
}

struct json_object *hd_json_doc(const char *kind)
{
	struct json_object *root = json_object_new_object();

	json_object_object_add(root, "schema", json_object_new_int(HD_JSON_SCHEMA));
	json_object_object_add(root, "kind", json_object_new_string(kind));
	json_object_object_add(root, "version", json_object_new_string(HD_VERSION));
	return root;
}

void hd_render_json_error(FILE *out, const char *mode, const char *message)
{
	struct json_object *root = hd_json_doc("error");

	json_object_object_add(root, "mode", json_object_new_string(mode ? mode : ""));
	json_object_object_add(root, "status", json_object_new_string("UNKNOWN"));
	json_object_object_add(root, "error", json_object_new_string(message));
	hd_json_print(out, root);
	json_object_put(root);
}
