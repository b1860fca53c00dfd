/* The explain mode: which catalogued messages log lines are, what they mean, what to do. */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* Match ARGS (or, when NARGS is 0, every line of IN) against the catalogue in
 * DIR, print each entry found to OUT (id, product, severity, explanation,
 * remedy, checks) and return the ids of the checks that test the causes in
 * *CHECKS (NULL-terminated, hd_strv_free()). Returns the number of entries
 * found, or a negative errno with ERR set. */
int hd_explain(const char *dir, char **args, size_t nargs, FILE *in, FILE *out, char ***checks,
	       char *err, size_t errsize);
