/* The contract between the engine and a probe: parameter specs, the parsed check, the context. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "range.h"
#include "result.h"

enum hd_ptype {
	HD_P_STR,  /* any text */
	HD_P_INT,  /* integer (int64), optional min/max in the spec */
	HD_P_NUM,  /* decimal number */
	HD_P_BOOL, /* yes/no, true/false, on/off, 1/0 */
	HD_P_ENUM, /* one of spec->choices ("free|listening") */
	HD_P_LIST, /* comma- or whitespace-separated list; the key may repeat */
	HD_P_RANGE /* a Nagios range */
};

struct hd_param {
	const char *key;
	enum hd_ptype type;
	const char *def;     /* default as text; NULL: no default (absent) */
	const char *choices; /* HD_P_ENUM: "a|b|c" */
	int64_t min, max;    /* HD_P_INT bounds when min < max */
	const char *help;    /* one line, shown by `hostdoctor list -v` and docs */
	bool required;	     /* a check of this probe must set it */
};

struct hd_metric_doc {
	const char *name;
	const char *help;
};

struct hd_check;
struct hd_ctx;

struct hd_probe {
	const char *name;		     /* probe type, e.g. "file-handles" */
	const char *summary;		     /* one line: what it looks at */
	const struct hd_param *params;	     /* terminated by {NULL} */
	const struct hd_metric_doc *metrics; /* terminated by {NULL}; first is primary */
	const char *default_warning;	     /* range text or NULL */
	const char *default_critical;	     /* range text or NULL */
	/* Fill R (already carrying id, probe, tags). Return 0, or a negative errno
	 * for "cannot tell": the engine then makes the result UNKNOWN, keeping the
	 * summary the probe set (or naming the error when it set none). */
	int (*run)(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r);
};

/* One key = value of a check as written, with where it was written. */
struct hd_kv {
	char *key;
	char *value;
	char *file;
	int line;
};

struct hd_check {
	char *id;
	const struct hd_probe *probe;
	char *description;
	char **tags;
	size_t ntags;
	struct hd_range warn, crit; /* from the file, the probe's defaults, or -w/-c */
	char *metric;		    /* metric the thresholds apply to (NULL: primary) */
	char *severity;		    /* high, medium, low for a problem (NULL: from the state) */
	double timeout;		    /* seconds; 0: engine default */
	bool inhibitor;
	bool enabled;
	char *remedy;	      /* overrides the probe's remedy when set */
	char *only_if_exists; /* SKIPPED unless this path exists (the product is installed) */
	char *unless_exists;  /* SKIPPED when this path exists (pre-install checks) */
	struct hd_kv *params; /* probe-specific keys, validated against probe->params */
	size_t nparams;
	char *file; /* where the section was defined */
	int line;
};

struct hd_ctx {
	const char *root; /* "" for the live host, else a directory without trailing '/' */
	int verbose;
	bool privileged;    /* effective uid 0 */
	double deadline;    /* CLOCK_MONOTONIC seconds when this check must be done */
	const char *reader; /* who reads incremental state (log-scan): doctor, nagios ... */
};

/* Parameter accessors. Values were validated when the configuration was
 * loaded, so these cannot fail: an absent key yields the spec's default
 * (NULL / 0 / false when there is none). */
const char *hd_check_str(const struct hd_check *c, const char *key);
int64_t hd_check_int(const struct hd_check *c, const char *key);
double hd_check_num(const struct hd_check *c, const char *key);
bool hd_check_bool(const struct hd_check *c, const char *key);
bool hd_check_has(const struct hd_check *c, const char *key); /* set in the file */
/* All values of a list key (repeated keys and comma/space lists, in order).
 * Returns the count; *out is a NULL-terminated array to free with hd_strv_free(). */
size_t hd_check_list(const struct hd_check *c, const char *key, char ***out);
void hd_strv_free(char **v);
/* Where KEY was set ("file:line"), or the section's place when it was not. */
void hd_check_where(const struct hd_check *c, const char *key, char *buf, size_t size);

/* Value parsing shared by config validation and accessors. 0 or -EINVAL. */
int hd_parse_int(const char *s, int64_t *out);
int hd_parse_num(const char *s, double *out);
int hd_parse_bool(const char *s, bool *out);

/* Seconds left before ctx->deadline (never negative). */
double hd_ctx_remaining(const struct hd_ctx *ctx);
double hd_now(void); /* CLOCK_MONOTONIC seconds */
