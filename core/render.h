/* Renderers: pure functions of a finished run's results, one per output format. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "result.h"

/* A line shown under a check in the doctor report (the evidence watch kept for it). */
struct hd_note {
	char *check;
	char *text;
};

struct hd_report {
	const struct hd_result *results;
	size_t n;
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
	int verbose; /* details of OK checks too */
};

enum hd_format { HD_FMT_DOCTOR, HD_FMT_NAGIOS, HD_FMT_JSON, HD_FMT_PROMETHEUS };

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

/* Dispatch on format (doctor format in preflight mode renders the preflight report). */
void hd_render(FILE *out, enum hd_format f, const struct hd_report *rep,
	       const struct hd_render_opts *o);

/* A number as plain decimal text (no exponent, no trailing zeros). */
void hd_fmt_plain(char *buf, size_t size, double v);
