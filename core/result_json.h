/* JSON form of one result: the json renderer's per-check object and the runner's wire format. */
#pragma once

#include <json-c/json.h>

#include "result.h"

/* A double that prints as its shortest round-trip text. */
struct json_object *hd_json_double(double v);

#include <stdio.h>

/* A new JSON document of KIND ("report", "list", "explain", "error") with its schema version and
 * hostdoctor's version; printed (pretty, one trailing newline) by hd_json_print(). */
struct json_object *hd_json_doc(const char *kind);
void hd_json_print(FILE *out, struct json_object *doc);
/* The error document: a run that could not start (usage, configuration), state UNKNOWN. */
void hd_render_json_error(FILE *out, const char *mode, const char *message);

/* New json object for R (caller puts it). */
struct json_object *hd_result_to_json(const struct hd_result *r);
/* Fill R from the object made by hd_result_to_json(). 0 or -EINVAL. */
int hd_result_from_json(struct json_object *o, struct hd_result *r);
