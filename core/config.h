/* checks.d loading: INI files (libinih), one section per check, validated against the probe table. */
#pragma once

#include <stddef.h>

#include "probe.h"

struct hd_config {
	struct hd_check *checks;
	size_t n;
};

/* Look up a probe type in a NULL-terminated table. */
const struct hd_probe *hd_probe_find(const struct hd_probe *const *table, const char *name);

/* Parse one file's bytes (NAME is used in messages) and merge its sections
 * into CFG: a section with `probe` replaces an earlier check of the same id;
 * one without `probe` overrides keys of the earlier check.
 * Returns 0, or -EINVAL with "NAME:LINE: message" in ERR. */
int hd_config_parse(struct hd_config *cfg, const char *name, const char *bytes, size_t len,
		    const struct hd_probe *const *table, char *err, size_t errsize);

/* Read every *.conf of DIR in name order. -errno/-EINVAL with ERR set. */
int hd_config_load_dir(struct hd_config *cfg, const char *dir, const struct hd_probe *const *table,
		       char *err, size_t errsize);

/* The same for named checks only (nagios CHECK...): files without a [ID] header of IDS are not
 * parsed and sections of other ids not built, so a one-check run does not pay for every
 * check; the sections of IDS are validated as always, an error elsewhere goes unseen here
 * (`hostdoctor list` and doctor read everything). */
int hd_config_load_checks(struct hd_config *cfg, const char *dir,
			  const struct hd_probe *const *table, char *const *ids, size_t nids,
			  char *err, size_t errsize);

struct hd_check *hd_config_find(const struct hd_config *cfg, const char *id);
bool hd_check_has_tag(const struct hd_check *c, const char *tag);

/* Per-service parameters (--set KEY=VALUE): the keys of SETS override those of check ID as a
 * later checks.d section would, validated the same way. With PROBE, a new check ID of that
 * probe type is made from SETS alone (nagios --probe). 0, or -EINVAL/-ENOENT with ERR naming
 * the argument and the key. */
int hd_config_set(struct hd_config *cfg, const char *id, const char *probe, char *const *sets,
		  size_t nsets, const struct hd_probe *const *table, char *err, size_t errsize);

/* Set a threshold from text (the -w/-c options). 0 or -EINVAL with ERR. */
int hd_check_set_threshold(struct hd_check *c, int critical, const char *text, char *err,
			   size_t errsize);

/* NULL when V is a valid value for parameter P, else why not (static or in BUF). */
const char *hd_param_validate(const struct hd_param *p, const char *v, char *buf, size_t size);

void hd_check_free(struct hd_check *c);
void hd_config_free(struct hd_config *cfg);
