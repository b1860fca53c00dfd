/* JSON form of one result: the json renderer's per-check object and the runner's wire format. */
#pragma once

#include <json-c/json.h>

#include "result.h"

/* A double that prints as its shortest round-trip text. */
struct json_object *hd_json_double(double v);

/* New json object for R (caller puts it). */
struct json_object *hd_result_to_json(const struct hd_result *r);
/* Fill R from the object made by hd_result_to_json(). 0 or -EINVAL. */
int hd_result_from_json(struct json_object *o, struct hd_result *r);
