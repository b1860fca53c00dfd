/* The evidence store: JSON files named by time and entry in STATE_DIR/evidence, written 0600
 * atomically, pruned oldest first to a size; and its readers (evidence, explain, doctor). */
#include "evidence.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log_state.h"
#include "result_json.h"
#include "statedir.h"
#include "util.h"

#define MAX_FILE  (64u << 20)
#define NAME_TIME 16  /* "20261126T140211Z" */
#define MAX_NOTES 3   /* per check in the doctor report */
#define MAX_READ  200 /* evidence files the doctor report reads at most */

void hd_evidence_state_dir(const char *root, const char *dir, char *buf, size_t size)
{
	if (dir && *dir)
		snprintf(buf, size, "%s", dir);
	else
		snprintf(buf, size, "%s%s", root ? root : "", HD_STATE_DIR);
}

int hd_evidence_open(const char *state_dir, bool create, char *why, size_t whylen)
{
	_cleanup_close_ int sfd = -1;
	struct stat st;
	int fd;

	if (!create && access(state_dir, F_OK) < 0) {
		snprintf(why, whylen, "does not exist");
		return -ENOENT;
	}
	sfd = hd_state_dir_open(state_dir, create, why, whylen);
	if (sfd < 0)
		return sfd;
	if (create && mkdirat(sfd, "evidence", 0700) < 0 && errno != EEXIST) {
		int e = errno;
		snprintf(why, whylen, "cannot hold the evidence directory: %s", strerror(e));
		return -e;
	}
	fd = openat(sfd, "evidence", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(why, whylen, "%s",
			 e == ENOENT ? "holds no evidence"
			 : e == ELOOP || e == ENOTDIR
			     ? "holds a symbolic link or a file where the evidence directory goes"
			     : "cannot open its evidence directory");
		return e == ENOTDIR ? -ELOOP : -e;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		snprintf(why, whylen,
			 "has an evidence directory of another user or writable by "
			 "group or others");
		return -EPERM;
	}
	return fd;
}

/* "20261126T140211Z-ENTRY[~N].json": the time and the entry; false for another name. */
static bool parse_name(const char *name, time_t *when, char **entry, char **id)
{
	size_t n = strlen(name);
	struct tm tm = {0};
	const char *end;
	char *e;

	if (n < NAME_TIME + 7 || strcmp(name + n - 5, ".json") != 0 || name[NAME_TIME] != '-')
		return false;
	end = strptime(name, "%Y%m%dT%H%M%SZ", &tm);
	if (end != name + NAME_TIME)
		return false;
	*when = timegm(&tm);
	*id = hd_xstrndup(name, n - 5);
	e = hd_xstrndup(name + NAME_TIME + 1, n - 5 - NAME_TIME - 1);
	if (strchr(e, '~'))
		*strchr(e, '~') = '\0';
	*entry = e;
	return true;
}

struct ord {
	struct hd_evidence_file f;
	int64_t mtime_ns;
};

static int ord_cmp(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	if (x->f.when != y->f.when)
		return x->f.when < y->f.when ? -1 : 1;
	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	return strcmp(x->f.id, y->f.id);
}

size_t hd_evidence_files(int dfd, struct hd_evidence_file **out)
{
	int dfd2 = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = dfd2 >= 0 ? fdopendir(dfd2) : NULL;
	struct ord *v = NULL;
	struct dirent *de;
	size_t n = 0;

	*out = NULL;
	if (!d) {
		if (dfd2 >= 0)
			close(dfd2);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;
		struct ord o = {0};

		if (de->d_name[0] == '.' ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!parse_name(de->d_name, &o.f.when, &o.f.entry, &o.f.id))
			continue;
		o.f.size = (uint64_t)st.st_size;
		o.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		v = hd_xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = o;
	}
	if (n)
		qsort(v, n, sizeof(*v), ord_cmp);
	*out = hd_xcalloc(n + 1, sizeof(**out));
	for (size_t i = 0; i < n; i++)
		(*out)[i] = v[i].f;
	free(v);
	return n;
}

void hd_evidence_files_free(struct hd_evidence_file *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].id);
		free(v[i].entry);
	}
	free(v);
}

int hd_evidence_new_id(int dfd, const char *entry, time_t when, char *id, size_t idlen)
{
	char stamp[32], base[256], name[300];
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	hd_state_name("", entry, "", base, 200);
	for (char *p = base; *p; p++)
		if (*p == '~')
			*p = '_';
	for (int k = 1; k < 1000; k++) {
		struct stat st;
		if (k == 1)
			snprintf(id, idlen, "%s-%s", stamp, base);
		else
			snprintf(id, idlen, "%s-%s~%d", stamp, base, k);
		snprintf(name, sizeof(name), "%s.json", id);
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			return 0;
	}
	return -EEXIST;
}

int hd_evidence_write(int dfd, const char *id, const char *text, size_t len)
{
	char name[300];

	snprintf(name, sizeof(name), "%s.json", id);
	return hd_state_write(dfd, name, text, len);
}

size_t hd_evidence_prune(int dfd, uint64_t max, const char *keep)
{
	struct hd_evidence_file *v;
	size_t n = hd_evidence_files(dfd, &v), removed = 0;
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += v[i].size;
	for (size_t i = 0; i < n && total > max; i++) {
		char name[300];
		if (keep && strcmp(v[i].id, keep) == 0)
			continue;
		snprintf(name, sizeof(name), "%s.json", v[i].id);
		if (unlinkat(dfd, name, 0) == 0) {
			total -= v[i].size;
			removed++;
		}
	}
	hd_evidence_files_free(v, n);
	return removed;
}

static int load_id(int dfd, const char *id, struct json_object **out, char *err, size_t errlen)
{
	_cleanup_free_ char *text = NULL;
	char name[300];
	struct json_object *o, *f;
	size_t len = 0;
	int r;

	snprintf(name, sizeof(name), "%s.json", id);
	r = hd_state_read(dfd, name, &text, &len, MAX_FILE);
	if (r < 0) {
		snprintf(err, errlen, "evidence %s: %s", id,
			 r == -ENOENT  ? "no such evidence"
			 : r == -ELOOP ? "is a symbolic link: refused"
			 : r == -EPERM ? "not a regular file of this user: refused"
				       : strerror(-r));
		return r;
	}
	o = json_tokener_parse(text);
	if (!o || !json_object_object_get_ex(o, "kind", &f) ||
	    strcmp(json_object_get_string(f), HD_EVIDENCE_KIND) != 0 ||
	    !json_object_object_get_ex(o, "results", &f) ||
	    !json_object_is_type(f, json_type_array)) {
		if (o)
			json_object_put(o);
		snprintf(err, errlen, "evidence %s: not a hostdoctor evidence report (corrupt?)",
			 id);
		return -EINVAL;
	}
	*out = o;
	return 0;
}

int hd_evidence_load(int dfd, const char *which, struct json_object **out, char *id, size_t idlen,
		     char *err, size_t errlen)
{
	struct hd_evidence_file *v;
	size_t n = hd_evidence_files(dfd, &v), match = 0, at = 0;
	int r;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(which, "last") == 0 || strcmp(v[i].id, which) == 0) {
			match = 1;
			at = i;
			if (strcmp(v[i].id, which) == 0)
				break;
			continue;
		}
		if (strncmp(v[i].id, which, strlen(which)) == 0) {
			match++;
			at = i;
		}
	}
	if (match == 0) {
		snprintf(err, errlen, "no evidence %s%s", strcmp(which, "last") == 0 ? "yet" : "",
			 strcmp(which, "last") == 0 ? "" : which);
		r = -ENOENT;
	} else if (match > 1) {
		snprintf(err, errlen,
			 "%zu evidence reports start with '%s': give more of the id "
			 "('hostdoctor evidence list' shows them)",
			 match, which);
		r = -EEXIST;
	} else {
		snprintf(id, idlen, "%s", v[at].id);
		r = load_id(dfd, v[at].id, out, err, errlen);
	}
	hd_evidence_files_free(v, n);
	return r;
}

/* ---- reading a report ---- */

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static double jnum(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return json_object_get_double(v);
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static void fmt_local(char *buf, size_t size, double t, bool date)
{
	time_t s = (time_t)t;
	struct tm tm;

	localtime_r(&s, &tm);
	strftime(buf, size, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
}

/* "14:02:11" today, else "2026-11-25 14:02:11" */
static void fmt_when(char *buf, size_t size, double t)
{
	time_t now = time(NULL), s = (time_t)t;
	struct tm a, b;

	localtime_r(&now, &a);
	localtime_r(&s, &b);
	fmt_local(buf, size, t,
		  a.tm_year != b.tm_year || a.tm_mon != b.tm_mon || a.tm_mday != b.tm_mday);
}

static const char *mark(const char *status)
{
	return strcmp(status, "OK") == 0	 ? "[ OK ]"
	       : strcmp(status, "WARNING") == 0	 ? "[WARN]"
	       : strcmp(status, "CRITICAL") == 0 ? "[CRIT]"
	       : strcmp(status, "SKIPPED") == 0	 ? "[SKIP]"
						 : "[ ?? ]";
}

/* The worst state of the results: the first check in that state, its summary. */
static struct json_object *worst_result(struct json_object *results)
{
	static const int rank[] = {1, 3, 4, 2, 0}; /* OK, WARNING, CRITICAL, UNKNOWN, SKIPPED */
	struct json_object *best = NULL;
	int br = -1;

	for (size_t i = 0; results && i < json_object_array_length(results); i++) {
		struct json_object *r = json_object_array_get_idx(results, i);
		enum hd_status st;
		if (hd_status_parse(jstr(r, "status"), &st) < 0)
			continue;
		if (rank[st] > br) {
			br = rank[st];
			best = r;
		}
	}
	return best;
}

void hd_evidence_print_list(FILE *out, int dfd)
{
	struct hd_evidence_file *v;
	size_t n = hd_evidence_files(dfd, &v);

	if (n == 0)
		fprintf(out, "No evidence recorded.\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *ev = NULL, *w;
		char err[256], when[32];

		fmt_local(when, sizeof(when), (double)v[i].when, true);
		if (load_id(dfd, v[i].id, &ev, err, sizeof(err)) < 0) {
			fprintf(out, "%s  %s  %-8s  %s\n", v[i].id, when, "?", err);
			continue;
		}
		fmt_local(when, sizeof(when), jnum(ev, "checked_unix"), true);
		w = worst_result(jget(ev, "results"));
		fprintf(out, "%s  %s  %-8s  %s%s%s\n", v[i].id, when, jstr(ev, "status"),
			w ? jstr(w, "id") : "no check ran", w ? ": " : "",
			w ? jstr(w, "summary") : "");
		json_object_put(ev);
	}
	hd_evidence_files_free(v, n);
}

void hd_evidence_print(FILE *out, struct json_object *ev)
{
	struct json_object *entry = jget(ev, "entry"), *src = jget(ev, "source");
	struct json_object *lines = jget(ev, "lines"), *results = jget(ev, "results");
	struct json_object *missing = jget(ev, "checks_missing");
	size_t nl = lines ? json_object_array_length(lines) : 0;
	size_t nr = results ? json_object_array_length(results) : 0;
	double matched = jnum(ev, "lines_matched");
	char det[32], chk[32];
	struct hd_result *rs = hd_xcalloc(nr + 1, sizeof(*rs));
	struct hd_report rep = {0};

	fmt_local(det, sizeof(det), jnum(ev, "detected_unix"), true);
	fmt_local(chk, sizeof(chk), jnum(ev, "checked_unix"), true);
	fprintf(out, "Evidence %s on %s\n", jstr(ev, "id"), jstr(ev, "host"));
	fprintf(out, "  Entry:         %s (%s, %s)\n", jstr(entry, "id"), jstr(entry, "product"),
		jstr(entry, "severity"));
	fprintf(out, "  Read:          %s from %s (check %s)\n", det,
		*jstr(src, "file") ? jstr(src, "file") : "the journal", jstr(src, "check"));
	for (size_t i = 0; i < nl; i++) {
		struct json_object *l = json_object_array_get_idx(lines, i);
		fprintf(out, "  %s %s%s%s\n", i ? "              " : "Line:         ",
			*jstr(l, "logged") ? jstr(l, "logged") : "", *jstr(l, "logged") ? " " : "",
			jstr(l, "text"));
	}
	if (matched > (double)nl)
		fprintf(out,
			"                 (%.0f matching lines while the checks ran; the first "
			"%zu kept)\n",
			matched, nl);
	fprintf(out, "  Checked:       %s (%.1f s after the line was read), worst state %s\n", chk,
		jnum(ev, "checked_unix") - jnum(ev, "detected_unix"), jstr(ev, "status"));
	if (*jstr(ev, "error"))
		fprintf(out, "  Error:         %s\n", jstr(ev, "error"));
	for (size_t i = 0; missing && i < json_object_array_length(missing); i++)
		fprintf(out, "  Not defined:   %s (named by the entry, not in checks.d)\n",
			json_object_get_string(json_object_array_get_idx(missing, i)));
	fprintf(out, "  What it means: %s\n", jstr(entry, "explanation"));
	fprintf(out, "  What to do:    %s\n", jstr(entry, "remedy"));
	for (size_t i = 0; i < nr; i++) {
		struct json_object *ms = jget(json_object_array_get_idx(results, i), "metrics");
		size_t nm = ms ? json_object_array_length(ms) : 0;
		if (!nm)
			continue;
		fprintf(out,
			"  Metrics:       %s:", jstr(json_object_array_get_idx(results, i), "id"));
		for (size_t k = 0; k < nm; k++) {
			struct json_object *m = json_object_array_get_idx(ms, k);
			char num[64];
			hd_fmt_plain(num, sizeof(num), jnum(m, "value"));
			fprintf(out, " %s=%s%s", jstr(m, "name"), num, jstr(m, "unit"));
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < nr; i++)
		hd_result_from_json(json_object_array_get_idx(results, i), &rs[i]);
	fprintf(out, "\nThe checks of its cause at that moment:\n\n");
	rep.results = rs;
	rep.n = nr;
	rep.host = jstr(ev, "host");
	rep.when = (time_t)jnum(ev, "checked_unix");
	rep.duration = jnum(ev, "checks_duration");
	rep.mode = "doctor";
	hd_render_doctor(out, &rep, &(struct hd_render_opts){.verbose = 1});
	for (size_t i = 0; i < nr; i++)
		hd_result_free(&rs[i]);
	free(rs);
}

/* The newest evidence file of ENTRY, or -1. */
static ssize_t newest_of(const struct hd_evidence_file *v, size_t n, const char *entry)
{
	char want[256];

	hd_state_name("", entry, "", want, 200);
	for (size_t i = n; i-- > 0;)
		if (strcmp(v[i].entry, want) == 0)
			return (ssize_t)i;
	return -1;
}

bool hd_evidence_explain(FILE *out, int dfd, const char *entry)
{
	struct hd_evidence_file *v;
	size_t n = hd_evidence_files(dfd, &v);
	ssize_t at = newest_of(v, n, entry);
	struct json_object *ev = NULL, *results;
	char err[256], when[32];
	bool shown = false;

	if (at >= 0 && load_id(dfd, v[at].id, &ev, err, sizeof(err)) == 0) {
		results = jget(ev, "results");
		fmt_local(when, sizeof(when), jnum(ev, "checked_unix"), true);
		fprintf(out,
			"  Evidence:      at %s, when it was last logged, watch found "
			"(hostdoctor evidence show %s):\n",
			when, v[at].id);
		for (size_t i = 0; i < json_object_array_length(results); i++) {
			struct json_object *r = json_object_array_get_idx(results, i);
			fprintf(out, "                 %s %s: %s\n", mark(jstr(r, "status")),
				jstr(r, "id"), jstr(r, "summary"));
		}
		if (json_object_array_length(results) == 0)
			fprintf(out, "                 no check of its cause ran: %s\n",
				*jstr(ev, "error") ? jstr(ev, "error") : "none is defined");
		shown = true;
		json_object_put(ev);
	}
	hd_evidence_files_free(v, n);
	return shown;
}

struct json_object *hd_evidence_latest_json(int dfd, const char *entry)
{
	struct hd_evidence_file *v;
	size_t n = hd_evidence_files(dfd, &v);
	ssize_t at = newest_of(v, n, entry);
	struct json_object *ev = NULL, *o = NULL, *rs, *a;
	char err[256];

	if (at >= 0 && load_id(dfd, v[at].id, &ev, err, sizeof(err)) == 0) {
		o = json_object_new_object();
		a = json_object_new_array();
		json_object_object_add(o, "id", json_object_new_string(v[at].id));
		json_object_object_add(o, "checked", json_object_new_string(jstr(ev, "checked")));
		json_object_object_add(o, "status", json_object_new_string(jstr(ev, "status")));
		rs = jget(ev, "results");
		for (size_t i = 0; rs && i < json_object_array_length(rs); i++) {
			struct json_object *r = json_object_array_get_idx(rs, i);
			struct json_object *x = json_object_new_object();
			json_object_object_add(x, "id", json_object_new_string(jstr(r, "id")));
			json_object_object_add(x, "status",
					       json_object_new_string(jstr(r, "status")));
			json_object_object_add(x, "summary",
					       json_object_new_string(jstr(r, "summary")));
			json_object_array_add(a, x);
		}
		json_object_object_add(o, "results", a);
		json_object_put(ev);
	}
	hd_evidence_files_free(v, n);
	return o;
}

size_t hd_evidence_notes(int dfd, const struct hd_result *results, size_t n, time_t since, bool all,
			 struct hd_note **out)
{
	struct hd_evidence_file *v;
	size_t nf = hd_evidence_files(dfd, &v), nn = 0, read = 0;
	size_t *per = hd_xcalloc(n + 1, sizeof(size_t));
	time_t from = time(NULL) - since;

	*out = NULL;
	for (size_t i = nf; i-- > 0 && read < MAX_READ;) {
		struct json_object *ev = NULL, *rs;
		char err[256], when[32];

		if (v[i].when < from)
			break;
		read++;
		if (load_id(dfd, v[i].id, &ev, err, sizeof(err)) < 0)
			continue;
		rs = jget(ev, "results");
		fmt_when(when, sizeof(when), jnum(ev, "checked_unix"));
		for (size_t k = 0; k < json_object_array_length(rs); k++) {
			struct json_object *r = json_object_array_get_idx(rs, k);
			const char *id = jstr(r, "id"), *st = jstr(r, "status");
			for (size_t c = 0; c < n; c++) {
				if (strcmp(results[c].id, id) != 0 || per[c] >= MAX_NOTES ||
				    strcmp(st, "SKIPPED") == 0 || (!all && strcmp(st, "OK") == 0))
					continue;
				per[c]++;
				*out = hd_xrealloc(*out, (nn + 1) * sizeof(**out));
				(*out)[nn].check = hd_xstrdup(id);
				(*out)[nn].text =
				    hd_asprintf("at %s, when %s was logged: %s %s\n(hostdoctor "
						"evidence show %s)",
						when, jstr(jget(ev, "entry"), "id"), mark(st),
						jstr(r, "summary"), v[i].id);
				nn++;
			}
		}
		json_object_put(ev);
	}
	free(per);
	hd_evidence_files_free(v, nf);
	return nn;
}

void hd_evidence_notes_free(struct hd_note *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].check);
		free(v[i].text);
	}
	free(v);
}
