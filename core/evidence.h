/* The evidence watch keeps: one JSON report per event (the log lines, the catalogue entry, the
 * full results of the checks of its cause) in STATE_DIR/evidence, each 0600, the store bounded
 * in size with the oldest out first; read back by `evidence`, explain and doctor. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "render.h"

/* A report is a JSON document of the project's schema (dist/schema/hostdoctor.schema.json):
 * {"schema": 2, "kind": "evidence", ...}. */
#define HD_EVIDENCE_KIND "evidence"
/* The store's default bound (the project's own choice). */
#define HD_EVIDENCE_MAX_BYTES (64ull << 20)

/* The state directory: DIR as given, else /var/lib/hostdoctor under ROOT. */
void hd_evidence_state_dir(const char *root, const char *dir, char *buf, size_t size);

/* Open STATE_DIR/evidence (with CREATE, both made 0700 when missing); refused when a symbolic
 * link, another user's or writable by group or others. An fd, or a negative errno with WHY
 * set (-ENOENT: there is no evidence yet). */
int hd_evidence_open(const char *state_dir, bool create, char *why, size_t whylen);

struct hd_evidence_file {
	char *id;    /* the file name without ".json" */
	char *entry; /* the catalogue entry, from the name */
	time_t when; /* from the name (UTC) */
	uint64_t size;
};

/* The evidence files of DFD, oldest first. Returns how many; free with
 * hd_evidence_files_free(). */
size_t hd_evidence_files(int dfd, struct hd_evidence_file **out);
void hd_evidence_files_free(struct hd_evidence_file *v, size_t n);

/* A new id for the evidence of ENTRY at WHEN ("20261126T140211Z-ENTRY", with "~2", "~3" ...
 * when taken) into ID. 0, or -EEXIST. */
int hd_evidence_new_id(int dfd, const char *entry, time_t when, char *id, size_t idlen);
/* Write TEXT (LEN bytes) as evidence ID: 0600, atomically. 0 or a negative errno. */
int hd_evidence_write(int dfd, const char *id, const char *text, size_t len);

/* Remove the oldest files until the store holds at most MAX bytes (KEEP, the newest, always
 * stays). Returns how many were removed. */
size_t hd_evidence_prune(int dfd, uint64_t max, const char *keep);

/* Read the evidence named by WHICH: an id, a unique start of one, or "last". 0, or -ENOENT /
 * -EINVAL (corrupt) / -EEXIST (more than one starts so) with ERR set. */
int hd_evidence_load(int dfd, const char *which, struct json_object **out, char *id, size_t idlen,
		     char *err, size_t errlen);

/* `evidence list`: one line per evidence, newest last. */
void hd_evidence_print_list(FILE *out, int dfd);
/* `evidence show`: the entry, the lines, then the results as doctor -v prints them. */
void hd_evidence_print(FILE *out, struct json_object *ev);

/* explain: the evidence of ENTRY recorded last, as lines under the entry; false when none. */
bool hd_evidence_explain(FILE *out, int dfd, const char *entry);
/* explain -f json: the same as {"id", "checked", "status", "results": [{"id", "status",
 * "summary"}]}, or NULL when there is none. */
struct json_object *hd_evidence_latest_json(int dfd, const char *entry);

/* doctor: notes for the checks of RESULTS from the evidence of the last SINCE seconds (at
 * most 3 per check, newest first): where the check found a problem then, or (ALL) whatever
 * it found. Returns how many; free with hd_evidence_notes_free(). */
size_t hd_evidence_notes(int dfd, const struct hd_result *results, size_t n, time_t since, bool all,
			 struct hd_note **out);
void hd_evidence_notes_free(struct hd_note *v, size_t n);
