/* The explain mode: log lines (arguments, stdin, files, the journal) against the message
 * catalogue through the log matcher, grouped by entry and printed for a person. */
#include "explain.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "catalog.h"
#include "evidence.h"
#include "cleanup.h"
#include "log_match.h"
#include "log_source.h"
#include "log_state.h"
#include "paths.h"
#include "util.h"

#ifndef HD_STATE_DIR
#define HD_STATE_DIR "/var/lib/hostdoctor"
#endif

struct found {
	uint64_t n;
	char first[160], last[160];
};

struct ex {
	struct hd_log_scanner *s;
	struct hd_log_counts c;
	struct found *f;
	size_t *order; /* entries in the order first seen */
	size_t norder;
	/* the batch being scanned */
	const char *name; /* "stdin", a path, "argument"; NULL: the journal */
	const char *buf, *cur;
	uint64_t cur_line;
	const struct hd_log_meta *meta;
};

/* The time a log line starts with, as written: "Mar 11 02:00:00" (syslog),
 * "2024-03-11T02:00:00..." or "2024-03-11 02:00:00" (ISO 8601), "Sun Dec 04 04:47:44 2005"
 * (Apache's error log), within the first bytes of the line and possibly in brackets. */
static bool line_time(const char *l, size_t len, char *out, size_t size)
{
	static const char *const mon = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t lim = len < 48 ? len : 48;

	for (size_t i = 0; i < lim; i++) {
		const char *p = l + i;
		size_t rest = len - i;
		bool ok;

		if (i && isalnum((unsigned char)l[i - 1]))
			continue;
		/* YYYY-MM-DD[T ]HH:MM:SS */
		ok = rest >= 19;
		for (size_t k = 0; ok && k < 19; k++)
			ok = (k == 4 || k == 7)	    ? p[k] == '-'
			     : k == 10		    ? p[k] == 'T' || p[k] == ' '
			     : (k == 13 || k == 16) ? p[k] == ':'
						    : isdigit((unsigned char)p[k]);
		if (ok) {
			size_t n = 19;
			while (n < rest && n < 35 && !isspace((unsigned char)p[n]) && p[n] != ']')
				n++;
			snprintf(out, size, "%.*s", (int)n, p);
			return true;
		}
		/* [Www ]Mmm dd HH:MM:SS[ YYYY] */
		if (rest >= 4 && isupper((unsigned char)p[0]) && p[3] == ' ' &&
		    strstr("MonTueWedThuFriSatSun", (char[]){p[0], p[1], p[2], 0}) && rest >= 19) {
			p += 4;
			rest -= 4;
		}
		if (rest >= 15 && isupper((unsigned char)p[0]) && p[3] == ' ' &&
		    strstr(mon, (char[]){p[0], p[1], p[2], 0}) &&
		    (p[4] == ' ' || isdigit((unsigned char)p[4])) && isdigit((unsigned char)p[5]) &&
		    p[6] == ' ' && isdigit((unsigned char)p[7]) && p[9] == ':' && p[12] == ':' &&
		    isdigit((unsigned char)p[14])) {
			size_t n = 15;
			if (rest >= 20 && p[15] == ' ' && isdigit((unsigned char)p[16]) &&
			    isdigit((unsigned char)p[19]))
				n = 20;
			snprintf(out, size, "%.*s", (int)(p + n - (l + i)), l + i);
			return true;
		}
	}
	return false;
}

static void where(struct ex *x, const char *line, size_t len, char *out, size_t size)
{
	char t[64];

	if (x->meta) {
		/* the journal: the entry's time */
		size_t lo = 0, hi = x->meta->n, off = (size_t)(line - x->buf);
		struct tm tm;
		time_t s;
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (x->meta->start[mid] <= off)
				lo = mid;
			else
				hi = mid;
		}
		s = (time_t)(x->meta->usec[lo] / 1000000);
		localtime_r(&s, &tm);
		strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
		return;
	}
	x->cur_line += hd_count_newlines(x->cur, (size_t)(line - x->cur));
	x->cur = line;
	if (strcmp(x->name, "argument") == 0)
		snprintf(out, size, "argument %llu", (unsigned long long)x->cur_line);
	else if (line_time(line, len, t, sizeof(t)))
		snprintf(out, size, "%s (%s:%llu)", t, x->name, (unsigned long long)x->cur_line);
	else
		snprintf(out, size, "%s:%llu", x->name, (unsigned long long)x->cur_line);
}

static void on_hit(void *u, size_t e, const char *line, size_t len)
{
	struct ex *x = u;
	struct found *f = &x->f[e];

	if (f->n++ == 0) {
		x->order[x->norder++] = e;
		where(x, line, len, f->first, sizeof(f->first));
		memcpy(f->last, f->first, sizeof(f->last));
	} else {
		where(x, line, len, f->last, sizeof(f->last));
	}
}

static int ex_lines(void *p, const char *buf, size_t len, const struct hd_log_meta *meta)
{
	struct ex *x = p;

	x->buf = x->cur = buf;
	x->cur_line = x->c.lines + 1; /* the number of the batch's first line */
	x->meta = meta;
	return hd_log_scan(x->s, buf, len, &x->c, on_hit, x);
}

/* one thread only: nothing to merge or drop */
static void ex_merge(void *into, void *from)
{
	(void)into;
	(void)from;
}

static void ex_discard(void *p)
{
	(void)p;
}

static const struct hd_log_sink_ops ex_ops = {ex_lines, ex_merge, ex_discard};

/* A new source: line numbers start again. */
static void ex_source(struct ex *x, const char *name)
{
	x->name = name;
	x->c.lines = 0;
}

/* IN's lines, read in pieces; a "line" longer than HD_LOG_MAX_LINE is taken in pieces of that
 * size, as log-scan counts it, so no input is held whole. */
static int read_stream(struct ex *x, FILE *in)
{
	size_t cap = 256u << 10, have = 0;
	_cleanup_free_ char *buf = hd_xmalloc(cap);
	int rc = 0;

	for (;;) {
		size_t got;
		char *nl;

		if (cap - have < (64u << 10) && cap < HD_LOG_MAX_LINE) {
			cap *= 2;
			buf = hd_xrealloc(buf, cap);
		}
		got = fread(buf + have, 1, cap - have, in);
		if (got == 0)
			break;
		have += got;
		nl = memrchr(buf, '\n', have);
		if (!nl && have >= HD_LOG_MAX_LINE)
			nl = buf + have - 1; /* the piece of a longer line */
		if (nl) {
			size_t n = (size_t)(nl - buf) + 1;
			if ((rc = ex_lines(x, buf, n, NULL)) < 0)
				return rc;
			memmove(buf, buf + n, have - n);
			have -= n;
		}
	}
	if (have)
		rc = ex_lines(x, buf, have, NULL);
	return rc;
}

static void print_entry(FILE *out, const struct hd_catalog_entry *e, const struct found *f,
			int evidence_dfd)
{
	fprintf(out, "%s (%s, %s)\n", e->id, e->product, e->severity);
	if (f->n == 1)
		fprintf(out, "  Found:         1 line, %s\n", f->first);
	else
		fprintf(out, "  Found:         %llu lines, first %s, last %s\n",
			(unsigned long long)f->n, f->first, f->last);
	fprintf(out, "  What it means: %s\n", e->explanation);
	fprintf(out, "  What to do:    %s\n", e->remedy);
	if (e->nrelated) {
		fputs("  Related:       ", out);
		for (size_t k = 0; k < e->nrelated; k++)
			fprintf(out, "%s%s", k ? ", " : "", e->related[k]);
		fputc('\n', out);
	}
	if (strncmp(e->source, "cited: ", 7) == 0)
		fprintf(out, "  Source:        %s\n", e->source);
	else
		fprintf(out, "  Source:        vendor document %s\n", e->source);
	if (e->nchecks) {
		fputs("  Checked by:    ", out);
		for (size_t k = 0; k < e->nchecks; k++)
			fprintf(out, "%s%s", k ? ", " : "", e->checks[k]);
		fputc('\n', out);
	}
	if (evidence_dfd >= 0)
		hd_evidence_explain(out, evidence_dfd, e->id);
	fputc('\n', out);
}

static void add_check(char ***v, size_t *n, const char *id)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], id) == 0)
			return;
	*v = hd_xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = hd_xstrdup(id);
	(*v)[*n] = NULL;
}

int hd_explain(const struct hd_explain_opts *o, FILE *out, char ***checks, char *err,
	       size_t errsize)
{
	struct hd_catalog cat = {0};
	struct hd_log_matcher *m = NULL;
	struct ex x = {0};
	struct hd_log_matcher_opts mo = {.cache_dirfd = -1};
	size_t nchecks = 0;
	char why[256];
	int rc;

	*checks = hd_xcalloc(1, sizeof(char *));
	rc = hd_catalog_load_dir(&cat, o->catalog_dir, err, errsize);
	if (rc < 0)
		goto out;
	/* the compiled database log-scan keeps, when this user's state directory exists */
	mo.cache_dirfd = hd_state_dir_open(HD_STATE_DIR, false, why, sizeof(why));
	rc = hd_log_matcher_new(&cat, &mo, &m, err, errsize);
	if (rc < 0)
		goto out;
	x.s = hd_log_scanner_new(m);
	hd_log_counts_init(&x.c, m);
	x.f = hd_xcalloc(cat.n + 1, sizeof(*x.f));
	x.order = hd_xcalloc(cat.n + 1, sizeof(*x.order));

	if (o->nargs) {
		struct hd_buf b = {0};
		_cleanup_free_ char *text = NULL;
		size_t len;
		for (size_t i = 0; i < o->nargs; i++) {
			/* one argument, one line */
			for (const char *p = o->args[i]; *p; p++)
				hd_buf_add(&b, *p == '\n' ? " " : p, 1);
			hd_buf_add(&b, "\n", 1);
		}
		len = b.len;
		text = hd_buf_steal(&b);
		ex_source(&x, "argument");
		if ((rc = ex_lines(&x, text, len, NULL)) < 0)
			goto scan_failed;
	}
	for (size_t i = 0; i < o->nfiles; i++) {
		struct hd_log_reader rd = {.ctx = o->ctx, .ops = &ex_ops, .sink = {&x, NULL}};
		ex_source(&x, o->files[i]);
		rc = hd_log_file_read_all(&rd, o->files[i]);
		hd_log_reader_free(&rd);
		if (rc == -EIO)
			goto scan_failed;
		if (rc < 0) {
			snprintf(err, errsize, "%s: %s", o->files[i], hd_read_strerror(rc));
			goto out;
		}
	}
	if (o->journal) {
		struct hd_journal_query q = {.units = o->units, .nunits = o->nunits};
		struct hd_journal_pos pos = {0};
		if (o->since && hd_journal_parse_time(o->since, &q.since_usec) < 0) {
			snprintf(
			    err, errsize,
			    "--since '%s': expected YYYY-MM-DD [HH:MM[:SS]], today, yesterday, "
			    "now, or -N with s, m, h or d",
			    o->since);
			rc = -EINVAL;
			goto out;
		}
		q.from_start = !q.since_usec;
		if (!hd_journal_present(o->ctx)) {
			snprintf(
			    err, errsize,
			    "no journal on this host%s (no journal files in /var/log/journal or "
			    "/run/log/journal)",
			    *o->ctx->root ? " under the root" : "");
			rc = -ENOENT;
			goto out;
		}
		ex_source(&x, NULL);
		rc = hd_journal_read(o->ctx, &q, &ex_ops, &x, &pos, err, errsize);
		free(pos.cursor);
		if (rc < 0)
			goto out;
	}
	if (!o->nargs && !o->nfiles && !o->journal) {
		ex_source(&x, "stdin");
		if ((rc = read_stream(&x, o->in)) < 0)
			goto scan_failed;
	}

	for (size_t i = 0; i < x.norder; i++) {
		const struct hd_catalog_entry *e = &cat.entries[x.order[i]];
		const struct found *f = &x.f[x.order[i]];
		if (o->json) {
			struct json_object *jo = hd_explain_entry_json(e);
			json_object_object_add(jo, "count", json_object_new_int64((int64_t)f->n));
			json_object_object_add(jo, "first",
					       *f->first ? json_object_new_string(f->first) : NULL);
			json_object_object_add(jo, "last",
					       *f->last ? json_object_new_string(f->last) : NULL);
			if (o->evidence_dfd >= 0)
				json_object_object_add(
				    jo, "evidence",
				    hd_evidence_latest_json(o->evidence_dfd, e->id));
			json_object_array_add(o->json, jo);
		} else {
			print_entry(out, e, f, o->evidence_dfd);
		}
		for (size_t k = 0; k < e->nchecks; k++)
			add_check(checks, &nchecks, e->checks[k]);
	}
	rc = (int)x.norder;
	goto out;
scan_failed:
	snprintf(err, errsize, "the log matcher failed (vectorscan)");
	rc = -EIO;
out:
	if (mo.cache_dirfd >= 0)
		close(mo.cache_dirfd);
	hd_log_counts_free(&x.c);
	hd_log_scanner_free(x.s);
	free(x.f);
	free(x.order);
	hd_log_matcher_free(m);
	hd_catalog_free(&cat);
	return rc;
}
