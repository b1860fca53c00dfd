/* The result a child hands its parent (JSON): json-c's tokener, then the reader the runner uses;
 * a result read is written and read again. */
#include <json-c/json.h>

#include "fuzz.h"
#include "result.h"
#include "result_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size);
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o = json_tokener_parse_ex(tok, s, (int)size);
	struct hd_result r;

	hd_result_init(&r);
	if (o && hd_result_from_json(o, &r) == 0) {
		struct json_object *back = hd_result_to_json(&r);
		struct hd_result again;
		const char *text = json_object_to_json_string_ext(back, JSON_C_TO_STRING_PLAIN);
		struct json_object *o2 = json_tokener_parse(text);

		if (!o2 || hd_result_from_json(o2, &again) != 0)
			abort(); /* what the child writes, the parent must read */
		hd_result_free(&again);
		json_object_put(o2);
		json_object_put(back);
	}
	hd_result_free(&r);
	json_object_put(o);
	json_tokener_free(tok);
	free(s);
	return 0;
}
