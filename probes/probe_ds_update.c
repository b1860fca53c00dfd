/* ds-update: the anti-malware agent's component updates: the last result, the broken component an
 * IAU_STATUS_FILE_EXISTS failure names, a snapshot left by an unfinished update, the relay build. */
#include "probe_ds_update.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

const char *dsu_event_name(enum dsu_event e)
{
	switch (e) {
	case DSU_SUCCESS: return "success";
	case DSU_MAINTENANCE: return "HTTP 503 maintenance";
	case DSU_BUSY: return "busy with an existing update";
	case DSU_RELAY_NA: return "IAURELAY_STATUS_NOT_AVAILABLE";
	case DSU_FILE_EXISTS: return "IAU_STATUS_FILE_EXISTS";
	case DSU_FAILED: return "failed";
	case DSU_NONE: break;
	}
	return "none";
}

/* ---- the logs ---- */

/* Copy the status token at S ("IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]") into OUT. */
static void copy_token(const char *s, char *out, size_t size)
{
	size_t n = strcspn(s, " \t\"'");

	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ':' || s[n - 1] == ','))
		n--;
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), s);
}

/* The second "quoted" string of S (boost's copy_file error: "FROM", "TO"); false when absent. */
static bool second_quoted(const char *s, char *out, size_t size)
{
	const char *q1 = strchr(s, '"'), *e1, *q2, *e2;

	if (!q1 || !(e1 = strchr(q1 + 1, '"')) || !(q2 = strchr(e1 + 1, '"')) ||
	    !(e2 = strchr(q2 + 1, '"')) || e2 == q2 + 1)
		return false;
	snprintf(out, size, "%.*s", (int)((size_t)(e2 - q2 - 1) < size ? e2 - q2 - 1 : 0), q2 + 1);
	return out[0] != '\0';
}

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
				     "jul", "aug", "sep", "oct", "nov", "dec"};

long long dsu_line_time(const char *line)
{
	struct tm tm = {0};
	char mon[4] = "";
	int y, mo = 0, d, h, mi, s, n = 0;

	if (line[0] == '[') {
		/* iau.log: [2014-May-28 06:39:39 4467|1085278544] */
		if (sscanf(line, "[%4d-%3[A-Za-z]-%2d %2d:%2d:%2d%n", &y, mon, &d, &h, &mi, &s,
			   &n) != 6 ||
		    n == 0)
			return -1;
		for (int i = 0; i < 12; i++)
			if (strcasecmp(mon, months[i]) == 0)
				mo = i + 1;
	} else {
		/* TmuDump.txt: Err 20140528 06:39:39 2272 1592 (level word, yyyymmdd hh:mm:ss) */
		size_t w = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
		if (w == 0 || w > 8 || line[w] != ' ' || !isdigit((unsigned char)line[w + 1]) ||
		    strspn(line + w + 1, "0123456789") != 8)
			return -1;
		if (sscanf(line + w + 1, "%4d%2d%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) !=
			6 ||
		    n == 0)
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1970)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (long long)timegm(&tm);
}

/* Classify one line; CODE gets the status. *FINISHED: the line ends an update (iau.log's
 * "Update finished with result : STATUS"). Other IAU_STATUS_* lines are steps of an update
 * ("End Rtpatch Merge, result: IAU_STATUS_SUCCESS[...]"), not its result. */
static enum dsu_event classify(const char *line, bool *finished, char *code, size_t size)
{
	const char *t;

	code[0] = '\0';
	*finished = strstr(line, "Update finished with result") != NULL;
	if ((t = strstr(line, "IAU_STATUS_FILE_EXISTS"))) {
		copy_token(t, code, size);
		return DSU_FILE_EXISTS;
	}
	if ((t = strstr(line, "IAURELAY_STATUS_NOT_AVAILABLE"))) {
		copy_token(t, code, size);
		return DSU_RELAY_NA;
	}
	/* the products' own spellings */
	if (strcasestr(line, "Busy with exisiting update"))
		return DSU_BUSY;
	if (strcasestr(line, "Service is under maintainence")) {
		snprintf(code, size, "HTTP 503");
		return DSU_MAINTENANCE;
	}
	if (strstr(line, "Server Error: HTTP 503")) {
		snprintf(code, size, "HTTP 503");
		return DSU_FAILED;
	}
	if (*finished &&
	    ((t = strstr(line, "IAU_STATUS_")) || (t = strstr(line, "IAURELAY_STATUS_")))) {
		const char *name = strstr(t, "STATUS_") + strlen("STATUS_");
		size_t n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

		copy_token(t, code, size);
		if (n == strlen("SUCCESS") && strncmp(name, "SUCCESS", n) == 0)
			return DSU_SUCCESS;
		return n > 0 ? DSU_FAILED : DSU_NONE;
	}
	return DSU_NONE;
}

static bool is_failure(enum dsu_event e)
{
	return e == DSU_MAINTENANCE || e == DSU_RELAY_NA || e == DSU_FILE_EXISTS || e == DSU_FAILED;
}

int dsu_parse_log(const char *buf, size_t len, struct dsu_log *out)
{
	const char *p = buf, *end = buf + len;
	size_t bad = 0, lineno = 0, pending_lineno = 0;
	long long now = -1;
	char pending[sizeof(out->path2)] = "", prev_code[sizeof(out->code)] = "";
	enum dsu_event prev = DSU_NONE;
	bool counted = false;	 /* a failure of the running update is already counted */
	bool want_paths = false; /* the last line ended with "File exists:" */

	*out = (struct dsu_log){.last = DSU_NONE, .when = -1};
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];
		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f)
			bad++;
	}
	if (len > 0 && bad * 4 > len)
		return -EINVAL;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p), k = 0;
		char line[4096], code[sizeof(out->code)];
		const char *t, *text;
		enum dsu_event e;
		bool finished, same_update;
		long long when;

		lineno++;
		/* long lines are cut; NUL bytes (a log torn by a crash) are dropped */
		for (size_t i = 0; i < n && k < sizeof(line) - 1; i++)
			if (p[i] != '\0')
				line[k++] = p[i];
		while (k > 0 && isspace((unsigned char)line[k - 1]))
			k--;
		line[k] = '\0';
		p = eol ? eol + 1 : end;
		text = line + strspn(line, " \t");
		if (!*text)
			continue;
		if ((when = dsu_line_time(text)) >= 0)
			now = when; /* iau.log: the header's time holds for the lines below it */

		/* the component of the running update: "Path2: FILE", or the second path of
		 * "File exists: "FROM", "TO"", which the log may continue on the next line */
		if (want_paths && second_quoted(text, pending, sizeof(pending)))
			pending_lineno = lineno;
		want_paths = false;
		if ((t = strstr(text, "File exists:"))) {
			if (second_quoted(t, pending, sizeof(pending)))
				pending_lineno = lineno;
			else
				want_paths = true;
		}
		if (strncmp(text, "Path2:", 6) == 0 && text[6 + strspn(text + 6, " \t")]) {
			snprintf(pending, sizeof(pending), "%s",
				 text + 6 + strspn(text + 6, " \t"));
			pending_lineno = lineno;
		}

		e = classify(text, &finished, code, sizeof(code));
		same_update = counted && e == prev;
		if (e != DSU_NONE) {
			out->events++;
			out->last = e;
			out->lineno = lineno;
			out->when = now;
			snprintf(out->code, sizeof(out->code), "%s", code);
			snprintf(out->line, sizeof(out->line), "%s", text);
		}
		if (e == DSU_SUCCESS) {
			out->failures = 0;
			out->broken_code[0] = out->path2[0] = '\0';
			out->broken_lineno = out->path2_lineno = 0;
		} else if (is_failure(e)) {
			/* one update is one failure: TmuDump.txt writes the 503 and then its
			 * reason; iau.log may name the status again in its result line */
			if (!same_update && !(e == DSU_MAINTENANCE && prev == DSU_FAILED &&
					      strcmp(prev_code, "HTTP 503") == 0))
				out->failures++;
			counted = true;
		}
		if (e == DSU_FILE_EXISTS || e == DSU_RELAY_NA) {
			snprintf(out->broken_code, sizeof(out->broken_code), "%s", code);
			out->broken_lineno = lineno;
			if (pending[0]) {
				snprintf(out->path2, sizeof(out->path2), "%s", pending);
				out->path2_lineno = pending_lineno;
			} else if (!same_update) {
				out->path2[0] = '\0';
				out->path2_lineno = 0;
			}
		}
		if (e != DSU_NONE) {
			prev = e;
			snprintf(prev_code, sizeof(prev_code), "%s", code);
		}
		if (finished || e == DSU_SUCCESS) {
			counted = false;
			pending[0] = '\0';
			pending_lineno = 0;
		}
	}
	return 0;
}

/* ---- versions ---- */

int dsu_parse_version(const char *s, struct dsu_version *v)
{
	const char *p;
	int n = 0;

	*v = (struct dsu_version){0};
	s += strspn(s, " \t");
	if (sscanf(s, "%d.%d%n", &v->major, &v->minor, &n) != 2 || n == 0 || v->major < 0 ||
	    v->minor < 0)
		return -EINVAL;
	p = s + n;
	/* a build: 9.5.3010, 20.0.0-3445, 20.0.1.12345 */
	if ((*p == '.' || *p == '-') && isdigit((unsigned char)p[1])) {
		v->build_only = true;
		p += 1 + strspn(p + 1, "0123456789.-");
	}
	while (*p) {
		char word[16] = "";
		int num = -1, used = 0;

		p += strspn(p, " \t,");
		if (!*p)
			break;
		/* "SP1", "SP 1", "Patch 5", "Patch5" */
		if (sscanf(p, "%15[A-Za-z]%n", word, &used) != 1)
			return -EINVAL;
		p += used;
		p += strspn(p, " \t");
		if (sscanf(p, "%d%n", &num, &used) != 1 || num < 0)
			return -EINVAL;
		p += used;
		if (strcasecmp(word, "SP") == 0)
			v->sp = num;
		else if (strcasecmp(word, "Patch") == 0)
			v->patch = num;
		else
			return -EINVAL;
		v->build_only = false;
	}
	return 0;
}

enum dsu_fix dsu_has_fix(const struct dsu_version *v, const struct dsu_version *fixed)
{
	if (v->major != fixed->major || v->minor != fixed->minor)
		return DSU_FIX_OTHER_SERIES;
	if (v->build_only)
		return DSU_FIX_UNKNOWN;
	if (v->sp != fixed->sp)
		return v->sp > fixed->sp ? DSU_FIX_HAS : DSU_FIX_LACKS;
	return v->patch >= fixed->patch ? DSU_FIX_HAS : DSU_FIX_LACKS;
}

/* ---- reading the host ---- */

#define DSU_LOG_TAIL (4u << 20) /* the last 4 MiB of a log hold the last update */

/* The tail of a log under --root: recent results are at the end, and logs grow without bound. */
static int read_tail(const struct hd_ctx *ctx, const char *path, char **out, size_t *len)
{
	char resolved[4096];
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	off_t from = 0;
	size_t got = 0, want;
	int rc;

	*out = NULL;
	*len = 0;
	if ((rc = hd_path(ctx, path, resolved, sizeof(resolved))) < 0)
		return rc;
	fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > (off_t)DSU_LOG_TAIL)
		from = st.st_size - (off_t)DSU_LOG_TAIL;
	want = (size_t)(st.st_size - from);
	buf = hd_xmalloc(want + 1);
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, from + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (from > 0) {
		/* drop the partial first line */
		char *nl = memchr(buf, '\n', got);
		size_t skip = nl ? (size_t)(nl + 1 - buf) : got;
		memmove(buf, buf + skip, got - skip + 1);
		got -= skip;
	}
	*len = got;
	*out = HD_TAKE(buf);
	return 0;
}

/* lstat() of PATH under --root: 0 or a negative errno; ST may be NULL. */
static int stat_under(const struct hd_ctx *ctx, const char *path, struct stat *st)
{
	char resolved[4096];
	struct stat tmp;
	int rc = hd_path(ctx, path, resolved, sizeof(resolved));

	if (rc < 0)
		return rc;
	return lstat(resolved, st ? st : &tmp) == 0 ? 0 : -errno;
}

#define DSU_WALK_MAX_ENTRIES 200000
#define DSU_WALK_MAX_DEPTH   8

/* Bytes of the files below DIR (the update cache), bounded. */
static int cache_size(const char *dir, int depth, unsigned *entries, double *bytes)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && *entries < DSU_WALK_MAX_ENTRIES) {
		char path[4096];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		(*entries)++;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < DSU_WALK_MAX_DEPTH)
				cache_size(path, depth + 1, entries, bytes);
		} else {
			*bytes += (double)st.st_size;
		}
	}
	return 0;
}

struct logfile {
	const char *path; /* as configured (without --root) */
	struct dsu_log log;
	bool found;
};

/* The first of the candidate paths that exists, read and parsed into LF. */
static int load_log(const struct hd_ctx *ctx, char **candidates, struct logfile *lf,
		    struct hd_result *r, const char *what)
{
	for (size_t i = 0; candidates[i]; i++) {
		_cleanup_free_ char *buf = NULL;
		size_t len;
		int rc = read_tail(ctx, candidates[i], &buf, &len);

		if (rc == -ENOENT || rc == -ENOTDIR)
			continue;
		lf->path = candidates[i];
		if (rc < 0) {
			hd_result_set(r, HD_UNKNOWN, "cannot read the agent's %s %s%s: %s%s", what,
				      ctx->root, candidates[i], strerror(-rc),
				      rc == -EACCES && !ctx->privileged ? " (needs root)" : "");
			return rc;
		}
		if (dsu_parse_log(buf, len, &lf->log) < 0) {
			hd_result_set(
			    r, HD_UNKNOWN,
			    "%s%s is not a text log (mostly NUL or control bytes); cannot "
			    "tell the last update result",
			    ctx->root, candidates[i]);
			hd_result_remedy(r,
					 "Look at the file (a crash may have torn it); move it "
					 "aside and run the update again so the agent writes a new "
					 "one.");
			return -EINVAL;
		}
		lf->found = true;
		return 0;
	}
	return 0;
}

/* The texts the remedies quote: the product's commands and the manager's menu, from checks.d. */
struct words {
	const char *stop, *start, *restart, *update, *repo, *iau;
};

/* A component path the remedy may tell to delete: absolute, below PREFIX, no "..", nothing
 * a shell quote would have to escape. */
static bool safe_component(const char *path, const char *prefix)
{
	if (strncmp(path, prefix, strlen(prefix)) != 0 || strstr(path, "/../") ||
	    strstr(path, "/./"))
		return false;
	for (const char *s = path; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\'' || *s == 0x7f)
			return false;
	return true;
}

static void remedy_broken(struct hd_result *r, const struct dsu_log *l, const struct words *w,
			  bool named)
{
	if (named)
		hd_result_remedy(r, "Delete the broken component by hand: rm -f '%s'", l->path2);
	else
		hd_result_remedy(r,
				 "Find the broken component in %s: the 'Path2:' line (the second "
				 "path of 'File exists:') of the update that failed near line %zu; "
				 "delete that file by hand.",
				 w->iau, l->broken_lineno);
	hd_result_remedy_add(r,
			     "Then restart the virtual appliance (DSVA); on an agent host restart "
			     "the agent: %s",
			     w->restart);
	hd_result_remedy_add(r, "Then update again: %s", w->update);
}

static void remedy_cache(struct hd_result *r, const struct words *w)
{
	hd_result_remedy_add(r,
			     "If every update fails, the update cache may be corrupted: stop the "
			     "agent (%s), delete everything under %s (rm -rf %s/*), start it (%s), "
			     "then update again: %s",
			     w->stop, w->repo, w->repo, w->start, w->update);
}

static void describe(struct hd_result *r, const struct logfile *lf, const struct words *w,
		     const char *prefix)
{
	const struct dsu_log *l = &lf->log;
	bool named = l->path2[0] && safe_component(l->path2, prefix);

	switch (l->last) {
	case DSU_FILE_EXISTS:
	case DSU_RELAY_NA:
		hd_result_set(r, HD_CRITICAL, "last update failed: %s%s (%s line %zu)%s%s", l->code,
			      l->last == DSU_RELAY_NA && !strstr(l->code, "-18") ? " (-18)" : "",
			      lf->path, l->lineno, l->path2[0] ? "; component: " : "", l->path2);
		remedy_broken(r, l, w, named);
		break;
	case DSU_MAINTENANCE:
		hd_result_set(r, HD_WARNING,
			      "last update failed: the update server answered HTTP 503 \"Service "
			      "is under maintainence\" (temporary; %s line %zu)",
			      lf->path, l->lineno);
		hd_result_remedy(r,
				 "The update server is briefly down while new components are "
				 "published: nothing to fix on this host. Update again later: %s",
				 w->update);
		break;
	case DSU_BUSY:
		hd_result_set(r, HD_WARNING,
			      "last update request was refused: \"Busy with exisiting update\" (%s "
			      "line %zu)",
			      lf->path, l->lineno);
		hd_result_remedy(r,
				 "An update request came while an update was running: check that "
				 "no two update tasks overlap (scheduled tasks in the manager), "
				 "wait for the update that may be running in the background, then "
				 "update again: %s",
				 w->update);
		break;
	case DSU_FAILED:
		hd_result_set(r, HD_WARNING, "last update failed: %s (%s line %zu)",
			      l->code[0] ? l->code : "failed", lf->path, l->lineno);
		hd_result_remedy(r, "A single failure followed by a successful update needs no "
				    "action.");
		remedy_cache(r, w);
		break;
	case DSU_SUCCESS:
	case DSU_NONE: break;
	}
	hd_result_detail(r, "%s line %zu: %s", lf->path, l->lineno, l->line);
}

static void strv_freep(char ***v)
{
	hd_strv_free(*v);
}
#define _cleanup_strv_ __attribute__((cleanup(strv_freep)))

/* ds-update-cache: the last result of TmuDump.txt and iau.log, and the update cache's size. */
static int run_result(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r,
		      const struct words *w)
{
	_cleanup_strv_ char **tmu = NULL, **iau = NULL;
	struct logfile logs[2] = {0};
	const struct logfile *last = NULL;
	char resolved[4096], size[32];
	unsigned entries = 0, failures = 0;
	double bytes = 0;
	int rc;

	if ((rc = hd_path(ctx, w->repo, resolved, sizeof(resolved))) < 0) {
		hd_result_set(r, HD_UNKNOWN, "repo path too long: %s%s", ctx->root, w->repo);
		return rc;
	}
	rc = cache_size(resolved, 1, &entries, &bytes);
	if (rc == -ENOENT) {
		hd_result_detail(r, "no update cache yet (%s%s missing)", ctx->root, w->repo);
	} else if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read the update cache %s%s: %s%s", ctx->root,
			      w->repo, strerror(-rc),
			      rc == -EACCES && !ctx->privileged ? " (needs root)" : "");
		return rc;
	}

	hd_check_list(c, "tmudump", &tmu);
	hd_check_list(c, "iau_log", &iau);
	rc = load_log(ctx, tmu, &logs[0], r, "update connection log");
	if (rc == 0)
		rc = load_log(ctx, iau, &logs[1], r, "update log");
	if (rc < 0)
		return rc;

	/* the last result: the later of the two when both carry a time, else iau.log's */
	for (size_t i = 0; i < 2; i++) {
		const struct logfile *lf = &logs[i];
		if (!lf->found || lf->log.last == DSU_NONE)
			continue;
		if (!last || lf->log.when < 0 || last->log.when < 0 ||
		    lf->log.when >= last->log.when)
			last = lf;
		if (lf->log.failures > failures)
			failures = lf->log.failures;
	}
	hd_result_metric(r, "failed_updates", failures, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "repo_size", bytes, HD_UNIT_BYTES)->has_min = true;

	hd_fmt_bytes(bytes, size, sizeof(size));
	if (!last) {
		hd_result_set(r, HD_OK, "no update result recorded yet; update cache %s", size);
		if (!logs[0].found && !logs[1].found)
			hd_result_detail(r,
					 "no TmuDump.txt or iau.log found (keys tmudump, iau_log)");
	} else if (last->log.last == DSU_SUCCESS) {
		hd_result_set(r, HD_OK, "last update succeeded (%s line %zu); update cache %s",
			      last->path, last->log.lineno, size);
	} else {
		describe(r, last, w, hd_check_str(c, "component_prefix"));
	}
	if (!r->remedy) /* for a threshold crossing on an OK result */
		remedy_cache(r, w);
	return 0;
}

/* ds-broken-component: the Path2 file of the latest IAU_STATUS_FILE_EXISTS / -18 failure. */
static int run_broken(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r,
		      const struct words *w)
{
	_cleanup_strv_ char **iau = NULL;
	struct logfile lf = {0};
	const struct dsu_log *l = &lf.log;
	const char *prefix = hd_check_str(c, "component_prefix");
	int rc;

	hd_check_list(c, "iau_log", &iau);
	if ((rc = load_log(ctx, iau, &lf, r, "update log")) < 0)
		return rc;
	if (!lf.found) {
		hd_result_set(r, HD_SKIPPED, "no iau.log (%s%s): no update recorded here",
			      ctx->root, iau[0] ? iau[0] : "");
		return 0;
	}
	if (!l->broken_code[0]) {
		hd_result_set(r, HD_OK,
			      "no IAU_STATUS_FILE_EXISTS or -18 failure since the last "
			      "successful update (%s)",
			      lf.path);
		return 0;
	}
	hd_result_detail(r, "%s line %zu: %s", lf.path, l->broken_lineno, l->broken_code);
	if (!l->path2[0]) {
		hd_result_set(r, HD_WARNING,
			      "%s at %s line %zu names no component (no 'File exists:' or 'Path2:' "
			      "line in that update)",
			      l->broken_code, lf.path, l->broken_lineno);
		remedy_broken(r, l, w, false);
		return 0;
	}
	hd_result_detail(r, "%s line %zu: Path2: %s", lf.path, l->path2_lineno, l->path2);
	if (!safe_component(l->path2, prefix)) {
		hd_result_set(r, HD_WARNING,
			      "%s at %s line %zu names %s, outside %s: not suggesting a deletion",
			      l->broken_code, lf.path, l->broken_lineno, l->path2, prefix);
		hd_result_remedy(r,
				 "Read the update that failed in %s near line %zu and decide by "
				 "hand; the component should lie below %s.",
				 lf.path, l->broken_lineno, prefix);
		return 0;
	}
	rc = stat_under(ctx, l->path2, NULL);
	if (rc == -ENOENT || rc == -ENOTDIR) {
		hd_result_set(r, HD_OK,
			      "the component %s named by %s (%s line %zu) is gone; the next update "
			      "should succeed",
			      l->path2, l->broken_code, lf.path, l->broken_lineno);
		remedy_broken(r, l, w, true);
		return 0;
	}
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot look at %s%s: %s%s", ctx->root, l->path2,
			      strerror(-rc),
			      rc == -EACCES && !ctx->privileged ? " (needs root)" : "");
		return rc;
	}
	hd_result_set(r, HD_CRITICAL,
		      "broken component %s is still present: %s at %s line %zu; updates fail "
		      "until it is removed",
		      l->path2, l->broken_code, lf.path, l->broken_lineno);
	remedy_broken(r, l, w, true);
	return 0;
}

/* ds-leftover-snapshot: li_copy still there while no update runs: the last one did not finish. */
static int run_snapshot(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r,
			const struct words *w)
{
	const char *snap = hd_check_str(c, "snapshot"), *roll = hd_check_str(c, "rollback");
	double min_age = (double)hd_check_int(c, "leftover_age"), age;
	time_t now = time(NULL);
	struct stat st;
	int rc;

	if ((rc = stat_under(ctx, roll, &st)) == 0)
		hd_result_detail(r,
				 "%s from %.24s: the components before the last update that "
				 "changed them (kept for a rollback; normal)",
				 roll, ctime(&st.st_mtime));
	rc = stat_under(ctx, snap, &st);
	if (rc == -ENOENT || rc == -ENOTDIR) {
		hd_result_set(r, HD_OK, "no %s: no update is running or left unfinished", snap);
		hd_result_metric(r, "leftover_dirs", 0, HD_UNIT_NONE)->has_min = true;
		return 0;
	}
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot look at %s%s: %s%s", ctx->root, snap,
			      strerror(-rc),
			      rc == -EACCES && !ctx->privileged ? " (needs root)" : "");
		return rc;
	}
	age = difftime(now, st.st_mtime);
	if (age < 0)
		age = 0;
	hd_result_metric(r, "snapshot_age", age, HD_UNIT_SECONDS)->has_min = true;
	hd_result_remedy(r,
			 "The last component update stopped after its snapshot (%s) and never "
			 "reached the switch-over (li_copy becomes li_roll after a successful "
			 "update, or is deleted when nothing changed). Find why in %s "
			 "(ds-update-cache, ds-broken-component), fix that, then update again: %s",
			 snap, w->iau, w->update);
	if (age < min_age) {
		hd_result_metric(r, "leftover_dirs", 0, HD_UNIT_NONE)->has_min = true;
		hd_result_set(r, HD_OK, "%s is %.0f s old: an update is at work", snap, age);
		return 0;
	}
	hd_result_metric(r, "leftover_dirs", 1, HD_UNIT_NONE)->has_min = true;
	hd_result_set(r, HD_WARNING, "%s left over for %.1f h: the last update did not finish",
		      snap, age / 3600);
	return 0;
}

/* ds-relay-version: the relay's version against the build that fixes a known fault. */
static int run_relay_version(const struct hd_check *c, struct hd_result *r)
{
	const char *have = hd_check_str(c, "relay_version"), *fixed = hd_check_str(c, "fixed_in");
	struct dsu_version v, f;

	if (!have || !*have) {
		hd_result_set(r, HD_SKIPPED,
			      "relay version unknown: set relay_version (e.g. '9.0 SP1 Patch 3') "
			      "for a relay");
		return 0;
	}
	if (dsu_parse_version(fixed, &f) < 0 || f.build_only) {
		hd_result_set(r, HD_UNKNOWN,
			      "fixed_in '%s' is not a version like '9.0 SP1 Patch 5'", fixed);
		return -EINVAL;
	}
	if (dsu_parse_version(have, &v) < 0) {
		hd_result_set(r, HD_UNKNOWN,
			      "relay_version '%s' is not a version like '9.0 SP1 Patch 5' or "
			      "'10.0'",
			      have);
		return -EINVAL;
	}
	hd_result_remedy(r, "Upgrade the relay to %s or later, then see whether the alert stops.",
			 fixed);
	switch (dsu_has_fix(&v, &f)) {
	case DSU_FIX_OTHER_SERIES:
		hd_result_set(r, HD_OK, "relay %s: not a %d.%d relay, which the fix in %s concerns",
			      have, f.major, f.minor, fixed);
		break;
	case DSU_FIX_HAS: hd_result_set(r, HD_OK, "relay %s: at or after %s", have, fixed); break;
	case DSU_FIX_LACKS:
		hd_result_set(r, HD_WARNING,
			      "relay %s is older than %s, which fixes the security "
			      "update timeout alert",
			      have, fixed);
		break;
	case DSU_FIX_UNKNOWN:
		hd_result_set(r, HD_UNKNOWN,
			      "relay %s: a build number tells no SP or patch level; give it as "
			      "'%d.%d SP<n> Patch <n>'",
			      have, f.major, f.minor);
		break;
	}
	return 0;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *aspect = hd_check_str(c, "aspect");
	_cleanup_strv_ char **agent_dirs = NULL, **iau = NULL;
	struct words w = {
	    .stop = hd_check_str(c, "stop_command"),
	    .start = hd_check_str(c, "start_command"),
	    .restart = hd_check_str(c, "restart_command"),
	    .update = hd_check_str(c, "update_action"),
	    .repo = hd_check_str(c, "repo"),
	};
	bool installed = false;

	if (strcmp(aspect, "relay-version") == 0)
		return run_relay_version(c, r); /* a fact given in the check, not read here */

	hd_check_list(c, "agent_dirs", &agent_dirs);
	for (size_t i = 0; agent_dirs[i]; i++)
		installed = installed || stat_under(ctx, agent_dirs[i], NULL) == 0;
	if (!installed) {
		_cleanup_free_ char *list = NULL;
		struct hd_buf b = {0};
		for (size_t i = 0; agent_dirs[i]; i++)
			hd_buf_printf(&b, "%s%s%s", i ? ", " : "", ctx->root, agent_dirs[i]);
		list = hd_buf_steal(&b);
		hd_result_set(r, HD_SKIPPED, "the anti-malware agent is not installed (no %s)",
			      list);
		return 0;
	}
	hd_check_list(c, "iau_log", &iau);
	w.iau = iau[0] ? iau[0] : "iau.log";

	if (strcmp(aspect, "broken-component") == 0)
		return run_broken(c, ctx, r, &w);
	if (strcmp(aspect, "snapshot") == 0)
		return run_snapshot(c, ctx, r, &w);
	return run_result(c, ctx, r, &w);
}

/* Defaults: paths as 004 gives them for Linux; the rest are the project's own (see
 * docs/probes/ds-update.md and docs/vendor-facts/ds.md). */
static const struct hd_param params[] = {
    {.key = "aspect",
     .type = HD_P_ENUM,
     .def = "result",
     .choices = "result|broken-component|snapshot|relay-version",
     .help = "what to look at: the last update result, the broken component of an "
	     "IAU_STATUS_FILE_EXISTS failure, an unfinished update's snapshot, the relay version"},
    {.key = "agent_dirs",
     .type = HD_P_LIST,
     .def = "/var/opt/ds_agent",
     .help = "SKIPPED when none of these exists (agent not installed)"},
    {.key = "repo",
     .type = HD_P_STR,
     .def = "/var/opt/ds_agent/iaurepo",
     .help = "the update cache (004: Linux DSA)"},
    {.key = "tmudump",
     .type = HD_P_LIST,
     .def = "/var/opt/ds_agent/lib/iaulogs/TmuDump.txt",
     .help = "the update connection log (004: Linux); the first that exists is read"},
    {.key = "iau_log",
     .type = HD_P_LIST,
     .def = "/var/opt/ds_agent/lib/iaulogs/iau.log",
     .help = "the update process log (project default: 004 gives no Linux path); the first "
	     "that exists is read"},
    {.key = "component_prefix",
     .type = HD_P_STR,
     .def = "/var/opt/ds_agent/",
     .help = "a component named in iau.log is offered for deletion only below this"},
    {.key = "snapshot",
     .type = HD_P_STR,
     .def = "/var/opt/ds_agent/li_copy",
     .help = "the snapshot an update takes before it starts (004: Linux/DSVA)"},
    {.key = "rollback",
     .type = HD_P_STR,
     .def = "/var/opt/ds_agent/li_roll",
     .help = "the rollback copy a successful update leaves (004)"},
    {.key = "leftover_age",
     .type = HD_P_INT,
     .def = "3600",
     .min = 0,
     .max = 100000000,
     .help = "seconds a snapshot must be old to count as left over (younger: an update at "
	     "work)"},
    {.key = "relay_version",
     .type = HD_P_STR,
     .def = "",
     .help = "aspect relay-version: the relay's version as the manager shows it "
	     "('9.0 SP1 Patch 3'); SKIPPED when empty"},
    {.key = "fixed_in",
     .type = HD_P_STR,
     .def = "9.0 SP1 Patch 5",
     .help = "aspect relay-version: the first version with the fix"},
    {.key = "stop_command",
     .type = HD_P_STR,
     .def = "systemctl stop ds_agent",
     .help = "how the remedies stop the agent service"},
    {.key = "start_command",
     .type = HD_P_STR,
     .def = "systemctl start ds_agent",
     .help = "how the remedies start the agent service"},
    {.key = "restart_command",
     .type = HD_P_STR,
     .def = "systemctl restart ds_agent",
     .help = "how the remedies restart the agent service"},
    {.key = "update_action",
     .type = HD_P_STR,
     .def = "in the manager, [管理] → [アップデート] → [セキュリティアップデートのダウンロード...]",
     .help = "how the remedies start an update"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"failed_updates", "Failed updates after the last successful one (aspect result)."},
    {"repo_size", "Bytes in the update cache (aspect result)."},
    {"leftover_dirs", "1 when the snapshot is older than leftover_age (aspect snapshot)."},
    {"snapshot_age", "Age of the snapshot folder (aspect snapshot)."},
    {0},
};

const struct hd_probe probe_ds_update = {
    .name = "ds-update",
    .summary = "anti-malware agent updates: last result, broken component, unfinished snapshot, "
	       "relay version",
    .params = params,
    .metrics = metrics,
    .run = run,
};
