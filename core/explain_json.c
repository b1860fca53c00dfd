/* The explain document's entries: one catalogue entry as JSON (kind "explain", dist/schema/). */
#include <json-c/json.h>
#include <string.h>

#include "catalog.h"
#include "explain.h"

static struct json_object *strv(char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

struct json_object *hd_explain_entry_json(const struct hd_catalog_entry *e)
{
	struct json_object *o = json_object_new_object();
	const char *src = e->source ? e->source : "";
	bool cited = strncmp(src, "cited: ", 7) == 0;

	json_object_object_add(o, "id", json_object_new_string(e->id));
	json_object_object_add(o, "product", json_object_new_string(e->product));
	json_object_object_add(o, "severity", json_object_new_string(e->severity));
	json_object_object_add(o, "explanation", json_object_new_string(e->explanation));
	json_object_object_add(o, "remedy", json_object_new_string(e->remedy));
	json_object_object_add(o, "source", json_object_new_string(cited ? src + 7 : src));
	json_object_object_add(o, "source_kind",
			       json_object_new_string(cited ? "cited" : "vendor-document"));
	json_object_object_add(o, "related", strv(e->related, e->nrelated));
	json_object_object_add(o, "checks", strv(e->checks, e->nchecks));
	return o;
}
