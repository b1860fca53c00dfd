/* Check values taken from a product's own INI file: ${ini:PATH:SECTION:KEY:-DEFAULT}. */
#pragma once

#include <stddef.h>

#include "probe.h"

struct hd_ini_ref {
	char *path;    /* absolute, read under --root */
	char *section; /* "" for keys before any section */
	char *key;
	char *def; /* NULL: no default */
};

/* 1 and *REF filled when V is a reference, 0 when it is a plain value, -EINVAL when it starts
 * like one but is malformed. */
int hd_ini_ref_parse(const char *v, struct hd_ini_ref *ref);
void hd_ini_ref_free(struct hd_ini_ref *ref);

/* Find SECTION/KEY in LEN bytes of INI (lenient: lines it cannot parse, and lines longer than
 * HD_INI_MAX_LINE, are passed over whole). 0 with *OUT set (the last value wins), or -ENOENT. */
int hd_ini_lookup(const char *bytes, size_t len, const char *section, const char *key, char **out);

/* A copy of C with every reference replaced by its value (or default), each value checked
 * against the probe's parameter type. 0, or -errno with ERR naming the file, key and reason. */
int hd_check_resolve(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_check *out,
		     char *err, size_t errsize);
/* Free what hd_check_resolve() allocated (not the check it was made from). */
void hd_check_resolved_free(struct hd_check *out);
