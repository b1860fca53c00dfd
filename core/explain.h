/* The explain mode: which catalogued messages log lines are, what they mean, what to do. */
#pragma once

#include <stddef.h>
#include <stdio.h>

struct json_object;
struct hd_catalog_entry;

/* Match ARGS (or, when NARGS is 0, every line of IN) against the catalogue in
 * DIR, print each entry found to OUT (id, product, severity, explanation,
 * remedy, checks) -- or, with JSON (an array), add each entry's object to it
 * instead -- and return the ids of the checks that test the causes in
 * *CHECKS (NULL-terminated, hd_strv_free()). Returns the number of entries
 * found, or a negative errno with ERR set. */
int hd_explain(const char *dir, char **args, size_t nargs, FILE *in, FILE *out,
	       struct json_object *json, char ***checks, char *err, size_t errsize);

/* The JSON object of one catalogue entry in the explain document (core/explain_json.c). */
struct json_object *hd_explain_entry_json(const struct hd_catalog_entry *e);
