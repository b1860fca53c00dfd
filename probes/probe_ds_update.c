/* ds-update: the anti-malware agent's component update cache and the result of its last update. */
#include "probe_ds_update.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	case DSU_RELAY_NA: return "relay not available";
	case DSU_FILE_EXISTS: return "file exists in the update cache";
	case DSU_FAILED: return "failed";
	case DSU_NONE: break;
	}
	return "none";
}

/* Status tokens of the update library that mean "nothing went wrong". */
static const char *const ok_codes[] = {"SUCCESS",	 "OK",	       "NO_UPDATE",
				       "NO_NEED_UPDATE", "UP_TO_DATE", NULL};

/* Phrases of a finished update (the agent words them differently across versions). */
static const char *const ok_phrases[] = {"update succeeded", "update successful",
					 "update completed successfully", "updated successfully",
					 NULL};

/* Copy the token starting at S (up to a blank, quote or bracket) into OUT. */
static void copy_token(const char *s, char *out, size_t size)
{
	size_t n = strcspn(s, " \t\"'<>()[],;");

	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ':'))
		n--;
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), s);
}

/* First absolute path on the line (the file IAU_STATUS_FILE_EXISTS complains about). */
static void find_path(const char *line, char *out, size_t size)
{
	for (const char *p = line; *p; p++) {
		if (*p == '/' && (p == line || strchr(" \t\"'([=:", p[-1])) && p[1] &&
		    p[1] != ' ') {
			/* a URL's path is not a file on this host */
			if (p > line + 1 && p[-1] == ':' && p[-2] != ' ')
				continue;
			copy_token(p, out, size);
			return;
		}
	}
	out[0] = '\0';
}

static void find_url(const char *line, char *out, size_t size)
{
	const char *p = strstr(line, "https://");

	if (!p)
		p = strstr(line, "http://");
	if (p)
		copy_token(p, out, size);
	else
		out[0] = '\0';
}

/* Classify one line; CODE gets the status token when there is one. */
static enum dsu_event classify(const char *line, char *code, size_t size)
{
	const char *t;

	code[0] = '\0';
	if ((t = strstr(line, "IAU_STATUS_FILE_EXISTS"))) {
		copy_token(t, code, size);
		return DSU_FILE_EXISTS;
	}
	if ((t = strstr(line, "IAURELAY_STATUS_NOT_AVAILABLE"))) {
		copy_token(t, code, size);
		return DSU_RELAY_NA;
	}
	/* the agent's own spelling, and the corrected one */
	if (strcasestr(line, "busy with exisiting update") ||
	    strcasestr(line, "busy with existing update"))
		return DSU_BUSY;
	if (strcasestr(line, "under maintainence") || strcasestr(line, "under maintenance")) {
		snprintf(code, size, "HTTP 503");
		return DSU_MAINTENANCE;
	}
	if ((t = strstr(line, "IAU_STATUS_")) || (t = strstr(line, "IAURELAY_STATUS_"))) {
		const char *name = strstr(t, "STATUS_") + strlen("STATUS_");
		size_t n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");

		copy_token(t, code, size);
		for (size_t i = 0; ok_codes[i]; i++)
			if (strlen(ok_codes[i]) == n && strncmp(name, ok_codes[i], n) == 0)
				return DSU_SUCCESS;
		return n > 0 ? DSU_FAILED : DSU_NONE;
	}
	for (size_t i = 0; ok_phrases[i]; i++)
		if (strcasestr(line, ok_phrases[i]))
			return DSU_SUCCESS;
	return DSU_NONE;
}

/* "2024-03-01 10:22:33", "[2024/03/01 10:22:33.123]" at the start of a line; -1 when absent. */
static long long line_time(const char *line)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, s, n = 0;

	while (*line == '[' || *line == ' ')
		line++;
	if (sscanf(line, "%4d%*1[-/]%2d%*1[-/]%2d%*1[ T]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s,
		   &n) != 6 ||
	    n == 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (long long)timegm(&tm);
}

int dsu_parse_log(const char *buf, size_t len, struct dsu_log *out)
{
	const char *p = buf, *end = buf + len;
	size_t bad = 0, lineno = 0;

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
		char line[4096], code[64];
		enum dsu_event e;

		lineno++;
		/* long lines are cut; NUL bytes (a log torn by a crash) are dropped */
		for (size_t i = 0; i < n && k < sizeof(line) - 1; i++)
			if (p[i] != '\0')
				line[k++] = p[i];
		while (k > 0 && isspace((unsigned char)line[k - 1]))
			k--;
		line[k] = '\0';
		p = eol ? eol + 1 : end;

		e = classify(line, code, sizeof(code));
		if (e == DSU_NONE)
			continue;
		/* "update failed: IAU_STATUS_..." after the line that said why adds nothing */
		if (e == DSU_FAILED && out->last != DSU_NONE && out->last != DSU_SUCCESS &&
		    out->last != DSU_BUSY)
			continue;
		out->events++;
		out->last = e;
		out->lineno = lineno;
		out->when = line_time(line);
		snprintf(out->code, sizeof(out->code), "%s", code);
		snprintf(out->line, sizeof(out->line), "%s", line + strspn(line, " \t"));
		out->path[0] = out->relay[0] = '\0';
		if (e == DSU_SUCCESS) {
			out->failures = out->relay_streak = 0;
			continue;
		}
		if (e != DSU_BUSY)
			out->failures++;
		if (e == DSU_RELAY_NA) {
			out->relay_streak++;
			find_url(line, out->relay, sizeof(out->relay));
		}
		if (e == DSU_FILE_EXISTS)
			find_path(line, out->path, sizeof(out->path));
	}
	return 0;
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

static bool exists(const struct hd_ctx *ctx, const char *path)
{
	char resolved[4096];
	struct stat st;

	return hd_path(ctx, path, resolved, sizeof(resolved)) == 0 && lstat(resolved, &st) == 0;
}

struct walk {
	const struct hd_ctx *ctx;
	size_t rootlen; /* length of --root in the resolved paths */
	double min_age; /* seconds a li_copy/li_roll must be old to count as left over */
	time_t now;
	unsigned leftovers;
	unsigned entries;
	double bytes;
	int err; /* first error below the top */
	struct hd_result *r;
};

#define DSU_WALK_MAX_ENTRIES 200000
#define DSU_WALK_MAX_DEPTH   4

/* Size of the cache and update folders an interrupted update left behind (li_copy, li_roll). */
static void walk_dir(struct walk *w, const char *dir, int depth)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		if (!w->err)
			w->err = -errno;
		return;
	}
	while ((e = readdir(d)) && w->entries < DSU_WALK_MAX_ENTRIES) {
		char path[4096];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		w->entries++;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &st) < 0)
			continue;
		if (!S_ISDIR(st.st_mode)) {
			w->bytes += (double)st.st_size;
			continue;
		}
		if (strncmp(e->d_name, "li_copy", 7) == 0 ||
		    strncmp(e->d_name, "li_roll", 7) == 0) {
			double age = difftime(w->now, st.st_mtime);
			if (age >= w->min_age) {
				w->leftovers++;
				if (w->leftovers <= 5)
					hd_result_detail(w->r, "left over: %s (%.0f h old)",
							 path + w->rootlen, age / 3600);
			} else {
				hd_result_detail(w->r, "update in progress: %s (%.0f s old)",
						 path + w->rootlen, age);
			}
		}
		if (depth < DSU_WALK_MAX_DEPTH)
			walk_dir(w, path, depth + 1);
	}
}

/* The agent guide's cure for a stuck update cache. */
static void remedy_empty_repo(struct hd_result *r, const char *repo)
{
	hd_result_remedy_add(r,
			     "Empty the update cache: systemctl stop ds_agent && rm -rf %s/* && "
			     "systemctl start ds_agent",
			     repo);
	hd_result_remedy_add(r, "Then in the manager: Computers > (this computer) > Actions > "
				"Download Security Updates.");
}

struct logfile {
	const char *path; /* as configured (without --root) */
	struct dsu_log log;
	bool found;
};

/* Status of the last update result recorded in L. */
static enum hd_status judge(const struct dsu_log *l, unsigned relay_crit)
{
	switch (l->last) {
	case DSU_FILE_EXISTS: return HD_CRITICAL;
	case DSU_RELAY_NA: return l->relay_streak >= relay_crit ? HD_CRITICAL : HD_WARNING;
	case DSU_MAINTENANCE:
	case DSU_BUSY:
	case DSU_FAILED: return HD_WARNING;
	case DSU_SUCCESS:
	case DSU_NONE: break;
	}
	return HD_OK;
}

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
					 "Look at the file (it may be truncated by a crash); the "
					 "agent recreates it: move it aside and run Download "
					 "Security Updates from the manager.");
			return -EINVAL;
		}
		lf->found = true;
		return 0;
	}
	return 0;
}

static void describe(struct hd_result *r, const struct logfile *lf, const char *repo,
		     unsigned relay_crit)
{
	const struct dsu_log *l = &lf->log;

	switch (l->last) {
	case DSU_FILE_EXISTS:
		hd_result_set(
		    r, HD_CRITICAL,
		    "last update failed: IAU_STATUS_FILE_EXISTS, %s is in the way (%s line "
		    "%zu)",
		    l->path[0] ? l->path : repo, lf->path, l->lineno);
		if (l->path[0])
			hd_result_remedy(r,
					 "Delete the file the update trips over: systemctl stop "
					 "ds_agent && rm -f '%s' && systemctl start ds_agent",
					 l->path);
		else
			hd_result_remedy(r, "The update cache holds a file the update cannot "
					    "replace.");
		remedy_empty_repo(r, repo);
		break;
	case DSU_RELAY_NA:
		hd_result_set(
		    r, judge(l, relay_crit),
		    "last update failed: the relay %s%sis not available "
		    "(IAURELAY_STATUS_NOT_AVAILABLE -18, %u time%s in a row; %s line %zu)",
		    l->relay[0] ? l->relay : "", l->relay[0] ? " " : "", l->relay_streak,
		    l->relay_streak == 1 ? "" : "s", lf->path, l->lineno);
		hd_result_remedy(r,
				 "Check that the relay is running and reachable from this host "
				 "on its port (4122 by default)%s%s, or allow the agent to "
				 "download from the update server when no relay is available (the "
				 "policy's Updates settings in the manager).",
				 l->relay[0] ? ": curl -kv " : "", l->relay);
		hd_result_remedy_add(r,
				     "Then in the manager: Computers > (this computer) > Actions "
				     "> Download Security Updates.");
		break;
	case DSU_MAINTENANCE:
		hd_result_set(
		    r, HD_WARNING,
		    "last update failed: the update server answered HTTP 503 \"Service is "
		    "under maintainence\" (temporary; %s line %zu)",
		    lf->path, l->lineno);
		hd_result_remedy(r, "The update server is in maintenance: nothing to fix here. Run "
				    "Download Security Updates from the manager later; if it keeps "
				    "failing, check the proxy or relay the agent updates through.");
		break;
	case DSU_BUSY:
		hd_result_set(r, HD_WARNING,
			      "last update request was refused: \"Busy with exisiting update\" (%s "
			      "line %zu)",
			      lf->path, l->lineno);
		hd_result_remedy(r, "An update was already running: wait for it to finish and run "
				    "Download Security Updates again. If no update finishes for an "
				    "hour, the running one is stuck:");
		remedy_empty_repo(r, repo);
		break;
	case DSU_FAILED:
		hd_result_set(r, HD_WARNING, "last update failed: %s (%s line %zu)", l->code,
			      lf->path, l->lineno);
		hd_result_remedy(r,
				 "Read the line in %s; a failure that repeats often clears by "
				 "emptying the update cache:",
				 lf->path);
		remedy_empty_repo(r, repo);
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

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *repo = hd_check_str(c, "repo");
	unsigned relay_crit = (unsigned)hd_check_int(c, "relay_critical_after");
	_cleanup_strv_ char **agent_dirs = NULL, **tmu = NULL, **iau = NULL;
	struct logfile logs[2] = {0};
	struct walk w = {.ctx = ctx, .r = r, .now = time(NULL)};
	char resolved[4096];
	const struct logfile *last = NULL;
	bool installed = false;
	int rc = 0;

	w.min_age = (double)hd_check_int(c, "leftover_age");
	hd_check_list(c, "agent_dirs", &agent_dirs);
	for (size_t i = 0; agent_dirs[i]; i++)
		installed = installed || exists(ctx, agent_dirs[i]);
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

	/* the update cache and what interrupted updates left in it */
	if ((rc = hd_path(ctx, repo, resolved, sizeof(resolved))) < 0) {
		hd_result_set(r, HD_UNKNOWN, "repo path too long: %s%s", ctx->root, repo);
		return rc;
	}
	w.rootlen = strlen(ctx->root);
	walk_dir(&w, resolved, 1);
	if (w.err == -ENOENT) {
		hd_result_detail(r, "no update cache yet (%s%s missing)", ctx->root, repo);
	} else if (w.err < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read the update cache %s%s: %s%s", ctx->root,
			      repo, strerror(-w.err),
			      w.err == -EACCES && !ctx->privileged ? " (needs root)" : "");
		return w.err;
	}

	hd_check_list(c, "tmudump", &tmu);
	hd_check_list(c, "iau_log", &iau);
	rc = load_log(ctx, tmu, &logs[0], r, "update dump");
	if (rc == 0)
		rc = load_log(ctx, iau, &logs[1], r, "update log");
	if (rc < 0)
		return rc;

	/* the last update result: the later of the two when both carry a time, else the worse */
	for (size_t i = 0; i < 2; i++) {
		const struct logfile *lf = &logs[i];
		if (!lf->found || lf->log.last == DSU_NONE)
			continue;
		if (!last)
			last = lf;
		else if (lf->log.when >= 0 && last->log.when >= 0)
			last = lf->log.when > last->log.when ? lf : last;
		else if (judge(&lf->log, relay_crit) > judge(&last->log, relay_crit))
			last = lf;
	}

	unsigned failures = 0;
	for (size_t i = 0; i < 2; i++)
		if (logs[i].found && logs[i].log.failures > failures)
			failures = logs[i].log.failures;
	hd_result_metric(r, "failed_updates", failures, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "leftover_dirs", w.leftovers, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "repo_size", w.bytes, HD_UNIT_BYTES)->has_min = true;

	char size[32];
	hd_fmt_bytes(w.bytes, size, sizeof(size));
	if (!last) {
		hd_result_set(r, HD_OK, "no update result recorded yet; update cache %s", size);
		if (!logs[0].found && !logs[1].found)
			hd_result_detail(r,
					 "no TmuDump.txt or iau.log found (keys tmudump, iau_log)");
	} else if (last->log.last == DSU_SUCCESS) {
		hd_result_set(r, HD_OK, "last update succeeded (%s line %zu); update cache %s",
			      last->path, last->log.lineno, size);
	} else {
		describe(r, last, repo, relay_crit);
	}
	if (w.leftovers > 0) {
		if (r->status == HD_OK)
			hd_result_set(r, HD_WARNING,
				      "%u update folder%s (li_copy/li_roll) left over in %s by an "
				      "interrupted update",
				      w.leftovers, w.leftovers == 1 ? "" : "s", repo);
		else
			hd_result_detail(r, "%u li_copy/li_roll folder%s left over in %s",
					 w.leftovers, w.leftovers == 1 ? "" : "s", repo);
		if (!r->remedy)
			remedy_empty_repo(r, repo);
	}
	if (!r->remedy)
		remedy_empty_repo(r, repo); /* for a threshold crossing on an OK result */
	return 0;
}

static const struct hd_param params[] = {
    {.key = "repo",
     .type = HD_P_STR,
     .def = "/var/opt/ds_agent/iaurepo",
     .help = "the agent's component update cache"},
    {.key = "tmudump",
     .type = HD_P_LIST,
     .def = "/var/opt/ds_agent/diag/TmuDump.txt /var/log/ds_agent/TmuDump.txt",
     .help = "update dump; the first that exists is read"},
    {.key = "iau_log",
     .type = HD_P_LIST,
     .def = "/var/opt/ds_agent/diag/iau.log /var/log/ds_agent/iau.log",
     .help = "update library log; the first that exists is read"},
    {.key = "agent_dirs",
     .type = HD_P_LIST,
     .def = "/opt/ds_agent /var/opt/ds_agent",
     .help = "SKIPPED when none of these exists (agent not installed)"},
    {.key = "leftover_age",
     .type = HD_P_INT,
     .def = "3600",
     .min = 0,
     .max = 100000000,
     .help = "seconds a li_copy/li_roll folder must be old to count as left over"},
    {.key = "relay_critical_after",
     .type = HD_P_INT,
     .def = "3",
     .min = 1,
     .max = 1000,
     .help = "relay-not-available failures in a row that make it CRITICAL (fewer: WARNING)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"failed_updates", "Failed update results after the last successful one."},
    {"leftover_dirs", "li_copy/li_roll folders left in the update cache by interrupted updates."},
    {"repo_size", "Bytes in the update cache."},
    {0},
};

const struct hd_probe probe_ds_update = {
    .name = "ds-update",
    .summary = "anti-malware agent: update cache leftovers and the last update result",
    .params = params,
    .metrics = metrics,
    .run = run,
};
