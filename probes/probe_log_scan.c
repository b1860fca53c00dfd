/* log-scan: new lines of log files and journal entries since this reader's last run, counted
 * per category and catalogue entry. Reading, matching and the state are core/log_*.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cleanup.h"
#include "log_match.h"
#include "log_plan.h"
#include "log_source.h"
#include "log_state.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* A sink: one thread's scanner and counts. */
struct sink {
	struct hd_log_scanner *s;
	struct hd_log_counts c;
};

static int sink_lines(void *p, const char *buf, size_t len, const struct hd_log_meta *meta)
{
	struct sink *k = p;
	(void)meta;
	return hd_log_scan(k->s, buf, len, &k->c, NULL, NULL);
}

static void sink_merge(void *into, void *from)
{
	hd_log_counts_add(&((struct sink *)into)->c, &((struct sink *)from)->c);
}

static void sink_discard(void *p)
{
	hd_log_counts_clear(&((struct sink *)p)->c);
}

static const struct hd_log_sink_ops sink_ops = {sink_lines, sink_merge, sink_discard};

static const struct hd_log_pos *find_pos(const struct hd_log_state *st, const char *path)
{
	for (size_t i = 0; i < st->nfiles; i++)
		if (strcmp(st->files[i].path, path) == 0)
			return &st->files[i];
	return NULL;
}

static char *join(char **v, size_t n, const char *sep, const char *before)
{
	struct hd_buf b = {0};

	for (size_t i = 0; i < n; i++)
		hd_buf_printf(&b, "%s%s%s", i ? sep : "", before, v[i]);
	return hd_buf_steal(&b);
}

static char *category_regex(enum hd_logcat k)
{
	struct hd_buf b = {0};
	const char *const *words = hd_logcat_words(k);

	for (const char *const *w = words; *w; w++)
		hd_buf_printf(&b, "%s%s", w == words ? "" : "|", *w);
	return hd_buf_steal(&b);
}

/* What a person types to read the journal's lines of this check. */
static char *journalctl_cmd(char **units, size_t nu, char **ids, size_t ni, const char *prio,
			    bool boot)
{
	_cleanup_free_ char *u = join(units, nu, " ", "-u ");
	_cleanup_free_ char *t = join(ids, ni, " ", "-t ");

	return hd_asprintf("journalctl%s%s%s%s%s%s%s", boot ? " -b" : "", nu ? " " : "", u,
			   ni ? " " : "", t, prio ? " -p " : "", prio ? prio : "");
}

static void state_unknown(struct hd_result *r, const char *dir, const char *what, int e)
{
	hd_result_set(r, HD_UNKNOWN, "state directory %s %s%s%s", dir, what, e ? ": " : "",
		      e ? strerror(-e) : "");
	hd_result_remedy(r,
			 "Use a writable directory only this user can write: mkdir -m 0700 %s (as "
			 "the user running hostdoctor), or set state_dir to one.",
			 dir);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *reader = ctx->reader && *ctx->reader ? ctx->reader : "doctor";
	struct hd_log_plan plan;
	char **files = NULL;
	size_t nf = 0;
	bool journal = false, had_state = false, corrupt = false;
	struct hd_catalog cat = {0};
	struct hd_log_matcher *m = NULL;
	struct sink sk[2] = {0};
	struct hd_log_reader rd = {.ctx = ctx, .ops = &sink_ops, .r = r};
	struct hd_state h = {.dfd = -1, .lockfd = -1, .tmpfd = -1};
	struct hd_log_state old = {0}, now = {0};
	struct hd_journal_pos jpos = {0};
	char err[1024], why[512], sname[400];
	int rc = 0, badline = 0;
	const char *state_dir, *catdir;

	rc = hd_log_plan_make(c, ctx, &plan, why, sizeof(why));
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "%s", why);
		goto out;
	}
	state_dir = plan.state_dir;
	catdir = plan.catalog;
	journal = plan.journal;
	files = plan.files;
	nf = plan.nfiles;
	if (*plan.note)
		hd_result_detail(r, "%s", plan.note);
	if (*plan.skip) {
		hd_result_set(r, HD_SKIPPED, "%s", plan.skip);
		hd_result_remedy(r, "%s", plan.skip_remedy);
		goto out;
	}

	/* the state: the one place a probe writes, locked for this check and reader */
	rc = hd_state_open(ctx, state_dir, "log-scan", c->id, reader, &h, why, sizeof(why));
	if (rc == -EWOULDBLOCK) {
		hd_result_set(r, HD_UNKNOWN, "%s: not read this time", why);
		hd_result_remedy(r,
				 "Another run of %s for the reader '%s' took longer than this "
				 "one could wait; give this check a longer timeout, or each caller "
				 "its own reader (--state-name).",
				 c->id, reader);
		goto out;
	}
	if (rc < 0) {
		state_unknown(r, h.dir, why, rc == -EPERM || rc == -ELOOP ? 0 : rc);
		goto out;
	}
	hd_state_file(&h, sname, sizeof(sname));
	rc = hd_state_load(&h, &old, &badline);
	if (rc == 0) {
		had_state = true;
	} else if (rc == -EINVAL) {
		corrupt = true;
	} else if (rc == -ELOOP || rc == -EPERM) {
		hd_result_set(r, HD_UNKNOWN, "state file %s/%s is %s: refused", h.dir, sname,
			      rc == -ELOOP ? "a symbolic link" : "not a regular file of this user");
		hd_result_remedy(r, "Remove it (rm %s/%s) and check who created it.", h.dir, sname);
		goto out;
	} else if (rc != -ENOENT) {
		hd_result_set(r, HD_UNKNOWN, "cannot read state file %s/%s: %s", h.dir, sname,
			      strerror(-rc));
		hd_result_remedy(r, "Check the permissions of %s.", h.dir);
		goto out;
	}
	/* room for the new state before anything is counted: a run that could not save its
	 * position would leave its lines to be counted again */
	{
		/* what the new state can take: a line per file (old and new) and the cursor */
		size_t room = 4096;
		for (size_t i = 0; i < nf; i++)
			room += 100 + strlen(files[i]);
		for (size_t i = 0; i < old.nfiles; i++)
			room += 100 + strlen(old.files[i].path);
		rc = hd_state_reserve(&h, 2 * room);
	}
	if (rc < 0) {
		state_unknown(r, h.dir,
			      rc == -ENOSPC  ? "is full: the position cannot be saved"
			      : rc == -EROFS ? "is on a read-only filesystem"
					     : "cannot hold the state file",
			      rc);
		goto out;
	}

	if (!corrupt) {
		if (strcmp(catdir, "none") != 0) {
			if (hd_catalog_load_dir(&cat, catdir, err, sizeof(err)) < 0) {
				hd_result_set(r, HD_UNKNOWN, "message catalogue: %s", err);
				hd_result_remedy(
				    r, "Fix the catalogue file named, or set catalog = none.");
				rc = -EINVAL;
				goto out;
			}
			if (plan.nproducts)
				hd_catalog_keep_products(&cat, plan.products, plan.nproducts);
		}
		rc = hd_log_matcher_new(&cat, &(struct hd_log_matcher_opts){.cache_dirfd = h.dfd},
					&m, err, sizeof(err));
		if (rc < 0) {
			hd_result_set(r, HD_UNKNOWN, "message catalogue: %s", err);
			hd_result_remedy(r, "Fix the catalogue file named, or set catalog = none.");
			goto out;
		}
		if (ctx->verbose) {
			struct hd_buf pb = {0};
			_cleanup_free_ char *pl = NULL;
			for (size_t i = 0; i < cat.n; i++) {
				const char *reason;
				if (hd_log_matcher_uses_pcre2(m, i, &reason))
					hd_buf_printf(&pb, "%s%s (%s)", pb.len ? ", " : "",
						      cat.entries[i].id, reason);
			}
			pl = hd_buf_steal(&pb);
			hd_result_detail(r, "matcher: %s; catalogue entries through pcre2 only: %s",
					 hd_log_matcher_note(m), *pl ? pl : "none");
		}
		for (int t = 0; t < 2; t++) {
			sk[t].s = hd_log_scanner_new(m);
			hd_log_counts_init(&sk[t].c, m);
		}
		rd.sink[0] = &sk[0];
		rd.sink[1] = &sk[1];
	} else {
		hd_result_detail(r,
				 "state file %s/%s is corrupt (line %d): the positions are rebuilt "
				 "from the end of the logs",
				 h.dir, sname, badline);
	}

	now.files = hd_xcalloc(nf + 1, sizeof(*now.files));
	for (size_t i = 0; i < nf && !rd.out_of_time; i++) {
		char resolved[4096];
		const struct hd_log_pos *o = had_state ? find_pos(&old, files[i]) : NULL;
		/* a file first seen after the first run is new: all of it is news */
		bool start = !corrupt && (plan.from_start || had_state);
		int e;

		if (hd_path(ctx, files[i], resolved, sizeof(resolved)) < 0)
			continue;
		if (corrupt) {
			/* positions only: a reader of its own, so nothing reaches the counts */
			struct hd_log_reader pos_only = {.ctx = ctx};
			e = hd_log_file_scan(&pos_only, files[i], resolved, NULL, false,
					     &now.files[now.nfiles]);
			hd_log_reader_free(&pos_only);
		} else {
			e = hd_log_file_scan(&rd, files[i], resolved, o, start,
					     &now.files[now.nfiles]);
		}
		if (e < 0) {
			free(now.files[now.nfiles].path);
			hd_result_set(r, HD_UNKNOWN, "cannot read %s: %s", files[i],
				      hd_read_strerror(e));
			if (e == -EACCES || e == -EPERM)
				hd_result_remedy(
				    r, "Run as a user that may read %s (root, or the adm group).",
				    files[i]);
			else if (e == -HD_ENOTREG || e == -EISDIR || e == -ELOOP)
				hd_result_remedy(
				    r,
				    "%s is not a log file (a FIFO, socket, device, "
				    "directory or symbolic link loop): set the check's "
				    "path to the file the program writes.",
				    files[i]);
			rc = e;
			goto out;
		}
		now.nfiles++;
	}
	if (journal && !rd.out_of_time) {
		struct hd_journal_query q =
		    hd_log_plan_query(&plan, !corrupt && old.journal ? old.cursor : NULL);
		/* a journal empty at the last run, or read from its start */
		q.from_start = !corrupt && ((old.journal && !old.cursor) || plan.from_start);
		now.journal = true;
		if (corrupt) {
			q.from_start = false;
			rc = hd_journal_read(ctx, &q, NULL, NULL, &jpos, err, sizeof(err));
		} else {
			rc = hd_journal_read(ctx, &q, &sink_ops, &sk[0], &jpos, err, sizeof(err));
		}
		if (rc < 0) {
			hd_result_set(r, HD_UNKNOWN, "%s", err);
			hd_result_remedy(r,
					 "Run as root or a member of the systemd-journal (or adm) "
					 "group; libsystemd0 must be installed.");
			goto out;
		}
		now.cursor = HD_TAKE(jpos.cursor);
		rd.bytes += jpos.bytes;
		rd.out_of_time |= jpos.out_of_time;
		if (jpos.cursor_lost)
			hd_result_detail(
			    r,
			    "the journal no longer holds the last entry read (vacuumed or rotated "
			    "away): went on from the oldest entry after it; entries removed before "
			    "this run could read them are not counted");
	}
	if (rd.out_of_time)
		hd_result_detail(r,
				 "stopped at the deadline after %" PRIu64
				 " bytes; the next run goes on from there",
				 rd.bytes);
	rc = hd_state_commit(&h, &now);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot write state file %s/%s: %s", h.dir, sname,
			      strerror(-rc));
		hd_result_remedy(r, "Check the permissions and free space of %s.", h.dir);
		goto out;
	}
	rc = 0;
	if (corrupt) {
		hd_result_set(r, HD_UNKNOWN,
			      "state file %s/%s was corrupt (line %d): positions rebuilt from the "
			      "end of the logs, nothing counted this time",
			      h.dir, sname, badline);
		hd_result_remedy(r,
				 "Nothing to do: the next run counts the lines written from now. "
				 "If this repeats, look for another program writing into %s.",
				 h.dir);
		goto out;
	}

	{
		const struct hd_log_counts *k = &sk[0].c;
		struct hd_buf b = {0}, src = {0};
		_cleanup_free_ char *cats = NULL, *where = NULL;
		_cleanup_free_ char *jcmd =
		    journal ? journalctl_cmd(plan.units, plan.nunits, plan.identifiers,
					     plan.nidentifiers, plan.priority, plan.boot_current)
			    : NULL;

		hd_result_metric(r, "catalog", (double)k->catalog, HD_UNIT_NONE)->has_min = true;
		for (int i = 0; i < HD_LC_N; i++) {
			char key[64];
			struct hd_metric *mt = hd_result_metric(r, hd_logcat_names[i],
								(double)k->cat[i], HD_UNIT_NONE);
			mt->has_min = true;
			snprintf(key, sizeof(key), "warning_%s", hd_logcat_names[i]);
			if (hd_check_has(c, key))
				hd_range_parse(hd_check_str(c, key), &mt->warn, NULL);
			snprintf(key, sizeof(key), "critical_%s", hd_logcat_names[i]);
			if (hd_check_has(c, key))
				hd_range_parse(hd_check_str(c, key), &mt->crit, NULL);
		}
		hd_result_metric(r, "lines", (double)k->lines, HD_UNIT_NONE)->has_min = true;
		hd_result_metric(r, "bytes", (double)rd.bytes, HD_UNIT_BYTES)->has_min = true;

		if (nf)
			hd_buf_printf(&src, "%zu file%s", nf, nf == 1 ? "" : "s");
		if (journal)
			hd_buf_printf(&src, "%sthe journal", nf ? " and " : "");
		where = hd_buf_steal(&src);
		if (!had_state && !plan.from_start) {
			hd_result_set(r, HD_OK,
				      "first run for the reader '%s': %s positioned at the end; "
				      "counting starts with the next run",
				      reader, where);
		} else {
			for (int i = 0; i < HD_LC_N; i++)
				if (k->cat[i])
					hd_buf_printf(&b, ", %s %" PRIu64, hd_logcat_names[i],
						      k->cat[i]);
			cats = hd_buf_steal(&b);
			hd_result_set(r, HD_OK,
				      "%" PRIu64 " new line%s in %s%s, %" PRIu64 " catalogued",
				      k->lines, k->lines == 1 ? "" : "s", where, cats, k->catalog);
		}
		if (nf)
			hd_result_remedy(r,
					 "Read the new lines of %s%s and act on the catalogued "
					 "messages below.",
					 files[0], nf > 1 ? " and the other files" : "");
		if (journal)
			hd_result_remedy(r,
					 "Read the journal's new entries (%s) and act on the "
					 "catalogued messages below.",
					 jcmd);
		for (size_t i = 0; i < k->nentries; i++) {
			const struct hd_catalog_entry *e = &cat.entries[i];
			_cleanup_free_ char *checks = join(e->checks, e->nchecks, ", ", "");

			if (!k->entry[i])
				continue;
			hd_result_raise(r, (enum hd_status)k->worst[i]);
			hd_result_detail(r, "%s: %" PRIu64 " line%s (%s %s), e.g. \"%s\"", e->id,
					 k->entry[i], k->entry[i] == 1 ? "" : "s", e->product,
					 e->severity, k->example[i]);
			hd_result_detail(r, "  %s%s%s", e->explanation, *checks ? " Check: " : "",
					 checks);
			hd_result_remedy_add(r, "%s: %s", e->id, e->remedy);
			if (e->nchecks) {
				_cleanup_free_ char *only =
				    join(e->checks, e->nchecks, " ", "--only ");
				hd_result_remedy_add(
				    r, "  test the cause on this host: hostdoctor doctor %s", only);
			}
		}
		for (int i = 0; i < HD_LC_N; i++) {
			struct hd_metric *mt = hd_result_find_metric(r, hd_logcat_names[i]);
			_cleanup_free_ char *re = NULL;
			char rb[64];
			bool crit = hd_range_alerts(&mt->crit, mt->value);

			if (!crit && !hd_range_alerts(&mt->warn, mt->value))
				continue;
			hd_range_format(crit ? &mt->crit : &mt->warn, rb, sizeof(rb));
			hd_result_raise(r, crit ? HD_CRITICAL : HD_WARNING);
			hd_result_detail(r, "%s = %g is outside the %s range %s", mt->name,
					 mt->value, crit ? "critical" : "warning", rb);
			re = category_regex((enum hd_logcat)i);
			if (nf)
				hd_result_remedy_add(r,
						     "Read the %s lines: grep -n -i -E '%s' %s%s",
						     mt->name, re, files[0], nf > 1 ? " ..." : "");
			if (journal)
				hd_result_remedy_add(r, "Read the %s entries: %s -g '%s'", mt->name,
						     jcmd, re);
		}
	}
out:
	hd_state_close(&h);
	for (int t = 0; t < 2; t++) {
		hd_log_counts_free(&sk[t].c);
		hd_log_scanner_free(sk[t].s);
	}
	hd_log_matcher_free(m);
	hd_catalog_free(&cat);
	hd_log_state_free(&old);
	hd_log_state_free(&now);
	free(jpos.cursor);
	hd_log_reader_free(&rd);
	hd_log_plan_free(&plan);
	return rc;
}

#define THRESHOLDS(cat)                                                                            \
	{.key = "warning_" cat, .type = HD_P_RANGE, .help = "WARNING range for " cat " lines"},    \
	{                                                                                          \
		.key = "critical_" cat, .type = HD_P_RANGE,                                        \
		.help = "CRITICAL range for " cat " lines"                                         \
	}

static const struct hd_param params[] = {
    {.key = "path",
     .type = HD_P_LIST,
     .help = "log files to scan; glob patterns allowed (match the live files, not *.1)"},
    {.key = "journal",
     .type = HD_P_ENUM,
     .def = "no",
     .choices = "no|yes|auto",
     .help = "read the systemd journal: yes, no, or auto (the journal where the host has one, "
	     "else the files of path)"},
    {.key = "unit",
     .type = HD_P_LIST,
     .help = "journal: only these systemd units (as journalctl -u)"},
    {.key = "identifier",
     .type = HD_P_LIST,
     .help = "journal: only these syslog identifiers (as journalctl -t)"},
    {.key = "priority",
     .type = HD_P_STR,
     .help = "journal: this level and the more severe ones, or FROM..TO (as journalctl -p)"},
    {.key = "boot",
     .type = HD_P_ENUM,
     .def = "all",
     .choices = "all|current",
     .help = "journal: every boot, or the current one only"},
    {.key = "state_dir",
     .type = HD_P_STR,
     .def = "/var/lib/hostdoctor",
     .help = "where each reader's position is kept (created 0700)"},
    {.key = "from",
     .type = HD_P_ENUM,
     .def = "end",
     .choices = "end|start",
     .help = "first run: start at the end of the logs (end) or read them whole (start)"},
    {.key = "catalog",
     .type = HD_P_STR,
     .def = "",
     .help = "message catalogue directory (default: the shipped one); none: no catalogue"},
    {.key = "products",
     .type = HD_P_LIST,
     .help = "only catalogue entries of these products (fsigk, amp, ipsec, ds)"},
    THRESHOLDS("errors"),
    THRESHOLDS("network"),
    THRESHOLDS("access"),
    THRESHOLDS("config"),
    THRESHOLDS("cgi"),
    THRESHOLDS("portscan"),
    THRESHOLDS("bruteforce"),
    THRESHOLDS("passwd"),
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"catalog", "New lines matching a message catalogue entry."},
    {"errors", "New lines with warning, err or abort."},
    {"network", "New lines with timeout or timed out."},
    {"access", "New lines with refused, reject, not permitted or denied."},
    {"config", "New lines with fail, incorrect or invalid."},
    {"cgi", "New lines with /phf, /php or /test-cgi."},
    {"portscan", "New lines with null connection or eof received."},
    {"bruteforce",
     "New lines with authentication failed, repeated login failures or login incorrect."},
    {"passwd", "New lines with passwd."},
    {"lines", "New lines read (a journal entry is a line)."},
    {"bytes", "Bytes read."},
    {0},
};

const struct hd_probe probe_log_scan = {
    .name = "log-scan",
    .summary = "new lines of log files and the journal: categories of trouble and catalogued "
	       "vendor messages",
    .params = params,
    .metrics = metrics,
    .run = run,
};
