/* The one result model: what a check found, shared by the runner and every renderer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "range.h"

enum hd_status {
	HD_OK = 0,
	HD_WARNING = 1,
	HD_CRITICAL = 2,
	HD_UNKNOWN = 3,
	HD_SKIPPED = 4, /* does not apply here; counts as OK for exit codes */
};

/* Units a metric may carry; renderers map them (Nagios UOM, Prometheus base units). */
enum hd_unit {
	HD_UNIT_NONE = 0,
	HD_UNIT_PERCENT, /* 0..100 */
	HD_UNIT_BYTES,
	HD_UNIT_KB, /* 1024 bytes */
	HD_UNIT_MB, /* 1048576 bytes */
	HD_UNIT_SECONDS,
	HD_UNIT_MS,
	HD_UNIT_COUNTER, /* monotonically growing count */
};

struct hd_metric {
	char *name; /* [a-z0-9_]+: the quantity, the same on every host */
	char *help; /* one line, may be NULL; says what, not in which unit (the unit is a field) */
	/* What the value is of, when a check measures several things of one kind (an interface,
	 * a mount point): label "device" = "eth0". NULL for a value of the whole check. */
	char *label, *label_value;
	double value;
	enum hd_unit unit;
	struct hd_range warn, crit;
	bool has_min, has_max;
	double min, max;
};

struct hd_result {
	char *id;    /* the check's id (the key of the result) */
	char *probe; /* probe type name */
	enum hd_status status;
	char *summary; /* one line */
	char *details; /* free text, lines separated by '\n'; may be NULL */
	char *remedy;  /* what to do; shown for non-OK results */
	char *description;
	char **tags;
	size_t ntags;
	bool inhibitor;
	double duration; /* seconds */
	struct hd_metric *metrics;
	size_t nmetrics;
	/* The remedy for a tool: commands as argv lists (each NULL-terminated), and the files,
	 * packages and systemd units it concerns. The text in `remedy` is for people. */
	char ***commands;
	size_t ncommands;
	char **files, **packages, **units;
	size_t nfiles, npackages, nunits;
	char *severity; /* configured severity of a problem (high, medium, low), or NULL */
};

/* What a structured remedy names besides commands. */
enum hd_concern { HD_CONCERN_FILE, HD_CONCERN_PACKAGE, HD_CONCERN_UNIT };

const char *hd_status_name(enum hd_status s);		    /* "OK", "WARNING", ... */
int hd_status_parse(const char *name, enum hd_status *out); /* case-insensitive */
/* Worse of two states, ordered as monitoring-plugins' max_state_alt():
 * CRITICAL > WARNING > UNKNOWN > OK > SKIPPED. */
enum hd_status hd_status_worst(enum hd_status a, enum hd_status b);
/* Exit code of a state in nagios/doctor mode: SKIPPED maps to 0. */
int hd_status_exit(enum hd_status s);
const char *hd_unit_nagios(enum hd_unit u); /* "", "%", "B", "KB", "MB", "s", "ms", "c" */

void hd_result_init(struct hd_result *r);
void hd_result_free(struct hd_result *r);

/* Set fields (printf-style; replaces any earlier text). */
void hd_result_set(struct hd_result *r, enum hd_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void hd_result_remedy(struct hd_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append one line to details / remedy. */
void hd_result_detail(struct hd_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void hd_result_remedy_add(struct hd_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Raise the status to S if S is worse; never lowers it. */
void hd_result_raise(struct hd_result *r, enum hd_status s);

/* Add a metric; returns it so the caller can set min/max. */
struct hd_metric *hd_result_metric(struct hd_result *r, const char *name, double value,
				   enum hd_unit unit);
/* A metric of one of several things the check measures: LABEL (e.g. "device") = VALUE
 * (e.g. "eth0"). Renderers keep NAME the same on every host and carry VALUE apart. */
struct hd_metric *hd_result_metric_of(struct hd_result *r, const char *name, const char *label,
				      const char *label_value, double value, enum hd_unit unit);
/* The metric NAME of the whole check (one without a label), else the first of that name. */
struct hd_metric *hd_result_find_metric(const struct hd_result *r, const char *name);

/* Structured remedy: a command a tool could run, as its argument list (ends with NULL). */
void hd_result_command(struct hd_result *r, const char *arg0, ...) __attribute__((sentinel));
void hd_result_command_argv(struct hd_result *r, const char *const *argv);
/* The same from a simple command line: words split at blanks, "A && B" as two commands. A line
 * with other shell syntax (quotes, pipes, redirections, $, ;) adds nothing: give its argv. */
void hd_result_command_line(struct hd_result *r, const char *line);
/* A remedy line that is itself a command: appended to the text, and as a command. */
void hd_result_remedy_command(struct hd_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A file, package or systemd unit the remedy concerns (printf-style; duplicates dropped). */
void hd_result_concerns(struct hd_result *r, enum hd_concern kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Drop the structured parts (when a check's own remedy text replaces the probe's). */
void hd_result_clear_actions(struct hd_result *r);
/* The severity of a result for tools: the check's configured one for a problem, else from the
 * state (CRITICAL high, WARNING and UNKNOWN medium, OK and SKIPPED info). */
const char *hd_result_severity(const struct hd_result *r);
void hd_metric_bounds(struct hd_metric *m, double min, double max);

/* Deep copy (used by tests and the runner). */
void hd_result_copy(struct hd_result *dst, const struct hd_result *src);
