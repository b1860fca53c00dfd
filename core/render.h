/* Renderers: pure functions of a finished run's results, one per output format. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "result.h"

struct hd_check;

/* A line shown under a check in the doctor report (the evidence watch kept for it). */
struct hd_note {
	char *check;
	char *text;
};

struct hd_report {
	const struct hd_result *results;
	size_t n;
	/* the checks the results came from, in the same order (NULL when not known): the
	 * configuration shown by nagios -vv */
	struct hd_check *const *checks;
	const char *root; /* --root, "" for the live host */
	bool privileged;  /* the checks ran as root */
	bool in_process;  /* one check, run in a thread of this process (not a child) */
	double timeout;	  /* the run's deadline, seconds (0: not known) */
	const char *host;
	time_t when;		     /* wall-clock time of the run */
	double duration;	     /* seconds the run took */
	const char *mode;	     /* "doctor", "nagios", "preflight" */
	const char *profile;	     /* preflight only */
	const struct hd_note *notes; /* doctor: under their checks, whatever the state */
	size_t nnotes;
};

struct hd_render_opts {
	bool color;  /* ANSI colour (doctor, preflight) */
	int verbose; /* details of OK checks too; nagios: the plugin guidelines' levels 0-3 */
};

enum hd_format { HD_FMT_DOCTOR, HD_FMT_NAGIOS, HD_FMT_JSON, HD_FMT_PROMETHEUS, HD_FMT_NPD };

int hd_format_parse(const char *s, enum hd_format *out);

/* The overall state: the worst of all results (SKIPPED counts as OK). */
enum hd_status hd_report_worst(const struct hd_report *rep);
/* Preflight: a blocker is an inhibitor whose state is not OK or SKIPPED. */
bool hd_result_blocks(const struct hd_result *r);
size_t hd_report_blockers(const struct hd_report *rep);

void hd_render_doctor(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o);
void hd_render_preflight(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o);
void hd_render_nagios(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o);
void hd_render_json(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o);
void hd_render_prometheus(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o);
/* node-problem-detector custom plugin: one line of at most HD_NPD_MAX bytes. */
#define HD_NPD_MAX 80
void hd_render_npd(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o);
/* Exit code of a node-problem-detector plugin: 0 OK, 1 a problem, 3 (NPD: Unknown) UNKNOWN. */
int hd_npd_exit(const struct hd_report *rep);

/* The `report` label of Prometheus series and the JSON `report`: "doctor", "nagios",
 * "preflight-PROFILE". */
void hd_report_name(const struct hd_report *rep, char *buf, size_t size);

/* The list mode: one line per check (with -v its keys), or the JSON list document. */
void hd_render_list_text(FILE *out, struct hd_check *const *sel, size_t n, int verbose);
void hd_render_list_json(FILE *out, struct hd_check *const *sel, size_t n);

/* Schema version of every JSON document hostdoctor writes (dist/schema/). */
#define HD_JSON_SCHEMA 2

/* Dispatch on format (doctor format in preflight mode renders the preflight report). */
void hd_render(FILE *out, enum hd_format f, const struct hd_report *rep,
	       const struct hd_render_opts *o);

/* A number as plain decimal text (no exponent, no trailing zeros). */
void hd_fmt_plain(char *buf, size_t size, double v);
