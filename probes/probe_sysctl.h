/* Parser of one sysctl value, shared with the tests. */
#pragma once

#include <stddef.h>

/* Pick whitespace-separated FIELD (1-based; 0: the whole value) of BYTES and parse it
 * as a decimal. Returns 0, -EINVAL (not a number) or -ERANGE (no such field). */
int sysctl_parse_value(const char *bytes, size_t len, int field, double *out, char *text,
		       size_t textsize);
