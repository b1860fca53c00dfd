/* logins: who logged in since the last run and from where (wtmp, wtmpdb), failed-login bursts
 * (btmp), users and sources never seen before, wtmp's size against its filesystem's free space,
 * and dial-up logins without a CONNECT in the mgetty log (the operations manual's checks). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "logins.h"
#include "logins_wtmpdb.h"
#include "paths.h"
#include "probe.h"
#include "statedir.h"
#include "util.h"

static void fmt_usec(int64_t usec, char *buf, size_t size)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

static bool is_login(const struct login_rec *r)
{
	return r->type == USER_PROCESS && r->user[0];
}

/* The user's latest logins, newest first, as `last USER` lists them. */
static void history(struct hd_result *r, const struct login_list *l, const char *user,
		    const char *file, int64_t max)
{
	int64_t shown = 0;

	hd_result_detail(r, "last %s (%s):", user, file);
	for (size_t i = l->n; i-- > 0 && shown < max;) {
		const struct login_rec *x = &l->v[i];
		char when[64];

		if (!is_login(x) || strcmp(x->user, user) != 0)
			continue;
		fmt_usec(x->usec, when, sizeof(when));
		hd_result_detail(r, "  %-10s %-8s %-20s %s", x->user, x->line,
				 x->host[0] ? x->host : "-", when);
		shown++;
	}
}

/* A wtmpdb login that wtmp also has (a distribution writing both) is counted once. */
static bool have_login(const struct login_list *l, const struct login_rec *x)
{
	for (size_t i = 0; i < l->n; i++)
		if (is_login(&l->v[i]) && l->v[i].usec / 1000000 == x->usec / 1000000 &&
		    strcmp(l->v[i].user, x->user) == 0 && strcmp(l->v[i].line, x->line) == 0)
			return true;
	return false;
}

static bool dialup_line(const char *line, char **pats)
{
	for (char **p = pats; p && *p; p++)
		if (fnmatch(*p, line, 0) == 0)
			return true;
	return false;
}

/* PATTERN with {line} replaced by LINE. */
static char *log_path(const char *pattern, const char *line)
{
	const char *at = strstr(pattern, "{line}");

	if (!at)
		return hd_xstrdup(pattern);
	return hd_asprintf("%.*s%s%s", (int)(at - pattern), pattern, line, at + 6);
}

struct dialup {
	const struct hd_ctx *ctx;
	const char *log_pattern;
	int64_t window;
	bool mgetty;
};

/* 0: a CONNECT within the window before the login; 1: none; -errno: the log unreadable. */
static int check_dialup(const struct dialup *d, const struct login_rec *x, char *logname,
			size_t size)
{
	_cleanup_free_ char *path = log_path(d->log_pattern, x->line);
	_cleanup_free_ char *text = NULL;
	time_t login = (time_t)(x->usec / 1000000), ct[4096];
	struct tm tm;
	size_t len = 0, n;
	int rc;

	snprintf(logname, size, "%s", path);
	rc = hd_read_file(d->ctx, path, &text, &len, 64u << 20);
	if (rc == -ENOENT)
		return 1; /* no log of this line: no dial-up was answered on it */
	if (rc < 0)
		return rc;
	localtime_r(&login, &tm);
	n = logins_mgetty_connects(text, len, tm.tm_year + 1900, tm.tm_mon + 1, ct,
				   HD_ARRAY_SIZE(ct));
	for (size_t i = 0; i < n; i++)
		if (ct[i] <= login + 1 && login - ct[i] <= d->window)
			return 0;
	return 1;
}

struct per_source {
	char user[40];
	char source[300];
	size_t count;
};

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *wtmp = hd_check_str(c, "wtmp"), *btmp = hd_check_str(c, "btmp");
	const char *wtmpdb = hd_check_str(c, "wtmpdb"), *state_dir = hd_check_str(c, "state_dir");
	int64_t burst = hd_check_int(c, "burst"), window = hd_check_int(c, "burst_window");
	int64_t nhist = hd_check_int(c, "history");
	struct login_list wl = {0}, bl = {0}, dl = {0};
	struct login_state st = {0};
	_cleanup_free_ struct per_source *ps = NULL;
	_cleanup_free_ char *sbytes = NULL, *stext = NULL;
	_cleanup_close_ int dfd = -1;
	char wpath[4096], bpath[4096], dbpath[4096], sdir[4096], sname[300], err[512];
	char **lines = NULL;
	struct hd_buf prob = {0}, who = {0};
	_cleanup_free_ char *problems = NULL, *whos = NULL;
	bool have_w = false, have_b = false, have_db = false, db_ok = false, first = false;
	size_t nps = 0, nlogins = 0, nnew = 0, nfailed = 0, worst = 0, slen = 0;
	int64_t wmax = 0, bmax = 0, worst_at = 0;
	struct dialup dial = {.ctx = ctx,
			      .log_pattern = hd_check_str(c, "mgetty_log"),
			      .window = hd_check_int(c, "connect_window")};
	char worst_src[300] = "";
	const char *why = "";
	int rc;

	hd_check_list(c, "dialup_lines", &lines);
	if (hd_path(ctx, wtmp, wpath, sizeof(wpath)) < 0 ||
	    hd_path(ctx, btmp, bpath, sizeof(bpath)) < 0 ||
	    hd_path(ctx, wtmpdb, dbpath, sizeof(dbpath)) < 0 ||
	    hd_path(ctx, state_dir, sdir, sizeof(sdir)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "a path is too long under --root %s", ctx->root);
		rc = -ENAMETOOLONG;
		goto out;
	}

	/* the records */
	rc = logins_read_utmpx(wpath, &wl);
	if (rc < 0 && rc != -ENOENT) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s: %s", wpath, strerror(-rc));
		hd_result_remedy(r, "Run hostdoctor as root, or let its user read %s (group utmp).",
				 wtmp);
		goto out;
	}
	have_w = rc == 0;
	rc = logins_read_utmpx(bpath, &bl);
	if (rc < 0 && rc != -ENOENT) {
		hd_result_raise(r, HD_UNKNOWN);
		hd_result_detail(r, "cannot read %s: %s: failed logins not counted", bpath,
				 strerror(-rc));
		hd_result_remedy_add(r,
				     "Run hostdoctor as root to read %s (it is 0600 or 0660 "
				     "root:utmp: it may hold passwords typed as user names).",
				     btmp);
	}
	have_b = rc == 0;
	rc = logins_read_wtmpdb(dbpath, &dl, err, sizeof(err));
	if (rc < 0 && rc != -ENOENT) {
		hd_result_raise(r, HD_UNKNOWN);
		hd_result_detail(r, "cannot read the wtmpdb database %s: %s", dbpath, err);
	}
	have_db = rc != -ENOENT; /* there, even if unreadable: not "no records" */
	db_ok = rc == 0;
	for (size_t i = 0; i < dl.n; i++)
		if (!have_login(&wl, &dl.v[i]))
			login_list_add(&wl, &dl.v[i]);
	if (!have_w && !have_b && !have_db) {
		hd_result_set(r, HD_SKIPPED, "no login records: none of %s, %s, %s exists", wtmp,
			      btmp, wtmpdb);
		hd_result_remedy(r, "Set wtmp/btmp/wtmpdb to where this system records logins.");
		rc = 0;
		goto out;
	}

	/* wtmp's size against the free space of its filesystem */
	if (have_w) {
		struct stat sb;
		struct statvfs vfs;
		char sz[32], fr[32];

		if (stat(wpath, &sb) == 0 && statvfs(wpath, &vfs) == 0) {
			double freeb = (double)vfs.f_bavail * (double)vfs.f_frsize;
			double share =
			    freeb > 0 ? 100.0 * (double)sb.st_size / freeb : (sb.st_size ? 1e9 : 0);
			hd_result_metric(r, "wtmp_share", share, HD_UNIT_PERCENT)->has_min = true;
			hd_result_metric(r, "wtmp_bytes", (double)sb.st_size, HD_UNIT_BYTES);
			hd_result_metric(r, "free_bytes", freeb, HD_UNIT_BYTES);
			hd_fmt_bytes((double)sb.st_size, sz, sizeof(sz));
			hd_fmt_bytes(freeb, fr, sizeof(fr));
			hd_result_detail(r, "%s: %s, %.1f%% of the %s free on its filesystem", wtmp,
					 sz, share, fr);
			if (hd_range_alerts(&c->warn, share) || hd_range_alerts(&c->crit, share)) {
				hd_buf_printf(&prob, "%s%s is %s, %.0f%% of the free space (%s)",
					      prob.len ? "; " : "", wtmp, sz, share, fr);
				hd_result_remedy_add(
				    r,
				    "Rotate wtmp as the operations manual does: mv %s %s.backup; "
				    "cp /dev/null %s (read the old logins with 'last -f "
				    "%s.backup'); "
				    "or let logrotate do it every month: a file "
				    "/etc/logrotate.d/wtmp "
				    "with '%s { monthly create 0664 root utmp minsize 1M rotate 1 "
				    "}'.",
				    wtmp, wtmp, wtmp, wtmp, wtmp);
			}
		}
	}

	/* what was seen before */
	dfd = hd_statedir_open(sdir, &why);
	if (dfd < 0) {
		hd_result_set(r, HD_UNKNOWN, "state directory %s %s: %s", sdir, why,
			      strerror(-dfd));
		hd_result_remedy(r,
				 "Create it for the user running hostdoctor: mkdir -m 0700 %s, or "
				 "set state_dir to such a directory.",
				 state_dir);
		rc = dfd;
		goto out;
	}
	hd_state_name("logins.", c->id, ".json", sname, sizeof(sname));
	rc = hd_state_read(dfd, sname, &sbytes, &slen, 0);
	if (rc == 0 && login_state_parse(sbytes, slen, &st, err, sizeof(err)) < 0) {
		hd_result_detail(r, "state %s/%s: %s: started over", sdir, sname, err);
		rc = -ENOENT;
	}
	if (rc < 0 && rc != -ENOENT) {
		hd_result_set(r, HD_UNKNOWN, "cannot read the state %s/%s: %s", sdir, sname,
			      rc == -ELOOP ? "a symbolic link (refused)" : strerror(-rc));
		hd_result_remedy(r, "Remove it: rm %s/%s (the next run starts over).", state_dir,
				 sname);
		goto out;
	}
	first = rc == -ENOENT;

	dial.mgetty = false;
	{
		char mp[4096];
		struct stat sb;
		if (hd_path(ctx, hd_check_str(c, "mgetty"), mp, sizeof(mp)) == 0 &&
		    stat(mp, &sb) == 0)
			dial.mgetty = true;
	}

	/* logins since the last run */
	for (size_t i = 0; i < wl.n; i++) {
		const struct login_rec *x = &wl.v[i];
		char src[300], when[64];
		int known;

		if (!is_login(x))
			continue;
		if (x->usec > wmax)
			wmax = x->usec;
		login_source(x, src, sizeof(src));
		if (first || x->usec <= st.wtmp_usec) {
			if (first)
				login_state_learn(&st, x->user, src);
			continue;
		}
		nlogins++;
		size_t k = 0;
		while (k < nps &&
		       !(strcmp(ps[k].user, x->user) == 0 && strcmp(ps[k].source, src) == 0))
			k++;
		if (k == nps) {
			ps = hd_xrealloc(ps, (nps + 1) * sizeof(*ps));
			memset(&ps[nps], 0, sizeof(*ps));
			snprintf(ps[nps].user, sizeof(ps[nps].user), "%s", x->user);
			snprintf(ps[nps].source, sizeof(ps[nps].source), "%s", src);
			nps++;
		}
		ps[k].count++;
		fmt_usec(x->usec, when, sizeof(when));
		known = login_state_known(&st, x->user, src);
		if (known) {
			nnew++;
			hd_result_raise(r, HD_WARNING);
			hd_buf_printf(&prob, "%s%s %s (from %s)", prob.len ? "; " : "",
				      known == 2 ? "first login of user" : "new source for",
				      x->user, src);
			hd_result_detail(r, "%s: %s logged in from %s on %s at %s",
					 known == 2 ? "a user never seen before"
						    : "a source never seen for this user",
					 x->user, src, x->line, when);
			history(r, &wl, x->user, wtmp, nhist);
			hd_result_remedy_add(
			    r,
			    "Ask %s whether the login from %s at %s was theirs (the manual: send "
			    "each user their login history, 'last %s'). If not: lock the account "
			    "(passwd -l %s), end its sessions (loginctl terminate-user %s) and "
			    "look for what it changed.",
			    x->user, src, when, x->user, x->user, x->user);
			login_state_learn(&st, x->user, src);
		}
		if (dialup_line(x->line, lines)) {
			char logname[4200];
			int d;

			if (!dial.mgetty) {
				hd_result_detail(r,
						 "dial-up line %s: %s is not installed, no "
						 "CONNECT to compare with",
						 x->line, hd_check_str(c, "mgetty"));
				continue;
			}
			d = check_dialup(&dial, x, logname, sizeof(logname));
			if (d < 0) {
				hd_result_raise(r, HD_UNKNOWN);
				hd_result_detail(r, "cannot read %s: %s", logname, strerror(-d));
			} else if (d == 1) {
				hd_result_raise(r, HD_CRITICAL);
				hd_buf_printf(&prob,
					      "%sdial-up login of %s on %s at %s without a CONNECT "
					      "in %s",
					      prob.len ? "; " : "", x->user, x->line, when,
					      logname);
				hd_result_detail(r,
						 "%s logged in on %s at %s, but %s has no CONNECT "
						 "within %llds before: no call was answered. An "
						 "intrusion or a tampered wtmp (the manual).",
						 x->user, x->line, when, logname,
						 (long long)dial.window);
				hd_result_remedy_add(r,
						     "Compare 'last %s' with 'grep -i connect %s' "
						     "as the manual does; "
						     "until %s confirms the login, lock the "
						     "account (passwd -l %s) and "
						     "check wtmp for tampering (utmpdump %s).",
						     x->user, logname, x->user, x->user, wtmp);
			}
		}
	}
	for (size_t k = 0; k < nps; k++) {
		hd_result_detail(r, "since the last run: %s from %s: %zu login%s", ps[k].user,
				 ps[k].source, ps[k].count, ps[k].count == 1 ? "" : "s");
		if (k < 5)
			hd_buf_printf(&who, "%s%s", k ? ", " : "", ps[k].user);
	}
	if (nps > 5)
		hd_buf_printf(&who, ", ...");

	/* failed logins: a burst from one source is the manual's dictionary attack */
	for (size_t i = 0; i < bl.n; i++) {
		if (bl.v[i].usec > bmax)
			bmax = bl.v[i].usec;
		if (!first && bl.v[i].usec > st.btmp_usec && bl.v[i].type != EMPTY)
			nfailed++;
	}
	if (!first && bl.n) {
		worst = logins_worst_burst(&bl, st.btmp_usec, window, worst_src, sizeof(worst_src),
					   &worst_at);
		if ((int64_t)worst >= burst) {
			char when[64];
			fmt_usec(worst_at, when, sizeof(when));
			hd_result_raise(r, HD_WARNING);
			hd_buf_printf(&prob, "%s%zu failed logins from %s within %llds",
				      prob.len ? "; " : "", worst, worst_src, (long long)window);
			hd_result_detail(r,
					 "%zu failed logins from %s within %llds from %s: a "
					 "dictionary attack (the manual)",
					 worst, worst_src, (long long)window, when);
			hd_result_remedy_add(
			    r,
			    "See them with 'lastb -a -f %s | grep %s' (as root). Block the "
			    "source (e.g. iptables -I INPUT -s %s -j DROP, or fail2ban) and allow "
			    "only key logins where you can (PasswordAuthentication no in "
			    "/etc/ssh/sshd_config).",
			    btmp, worst_src, worst_src);
		}
	}
	hd_result_metric(r, "logins", (double)nlogins, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "failed", (double)nfailed, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "failed_burst", (double)worst, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "new_sources", (double)nnew, HD_UNIT_NONE)->has_min = true;

	/* remember */
	if (wmax > st.wtmp_usec)
		st.wtmp_usec = wmax;
	if (bmax > st.btmp_usec)
		st.btmp_usec = bmax;
	stext = login_state_format(&st);
	rc = hd_state_write(dfd, sname, stext, strlen(stext));
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot write the state %s/%s: %s", sdir, sname,
			      strerror(-rc));
		hd_result_remedy(r, "Let the user running hostdoctor write %s (mkdir -m 0700 %s).",
				 state_dir, state_dir);
		goto out;
	}

	problems = hd_buf_steal(&prob);
	whos = hd_buf_steal(&who);
	{
		enum hd_status s = r->status;
		char tail[512];

		if (first)
			snprintf(tail, sizeof(tail),
				 "first run: %zu user%s and their sources learned from %s%s%s; "
				 "logins are reported from now on",
				 st.nusers, st.nusers == 1 ? "" : "s", have_w ? wtmp : "",
				 have_w && db_ok ? " and " : "", db_ok ? wtmpdb : "");
		else
			snprintf(tail, sizeof(tail),
				 "%zu login%s since the last run%s%s%s, %zu failed", nlogins,
				 nlogins == 1 ? "" : "s", nlogins ? " (" : "", whos,
				 nlogins ? ")" : "", nfailed);
		hd_result_set(r, HD_OK, "%s%s%s", problems, *problems ? "; " : "", tail);
		hd_result_raise(r, s);
	}
	if (!r->remedy)
		hd_result_remedy(
		    r,
		    "Read the login history: last -a -f %s | less; per user: last USER "
		    "(the manual asks to send each user their own).",
		    wtmp);
	rc = 0;
out:
	login_list_free(&wl);
	login_list_free(&bl);
	login_list_free(&dl);
	login_state_free(&st);
	hd_strv_free(lines);
	free(prob.data);
	free(who.data);
	return rc;
}

static const struct hd_param params[] = {
    {.key = "wtmp", .type = HD_P_STR, .def = "/var/log/wtmp", .help = "the login records"},
    {.key = "btmp", .type = HD_P_STR, .def = "/var/log/btmp", .help = "the failed logins"},
    {.key = "wtmpdb",
     .type = HD_P_STR,
     .def = "/var/lib/wtmpdb/wtmp.db",
     .help = "the wtmpdb database, where a distribution records logins there"},
    {.key = "state_dir",
     .type = HD_P_STR,
     .def = HD_STATE_DIR,
     .help = "where the users and sources seen are kept"},
    {.key = "burst",
     .type = HD_P_INT,
     .def = "10",
     .min = 1,
     .max = 1000000,
     .help = "WARNING when this many failed logins come from one source within burst_window"},
    {.key = "burst_window",
     .type = HD_P_INT,
     .def = "60",
     .min = 1,
     .max = 86400,
     .help = "seconds"},
    {.key = "history",
     .type = HD_P_INT,
     .def = "5",
     .min = 0,
     .max = 100,
     .help = "logins of a new user or source listed in the details, as 'last USER'"},
    {.key = "mgetty",
     .type = HD_P_STR,
     .def = "/sbin/mgetty",
     .help = "the mgetty program: dial-up logins are checked where it is installed"},
    {.key = "mgetty_log",
     .type = HD_P_STR,
     .def = "/var/log/mgetty.{line}",
     .help = "mgetty's log of a line; {line} is the tty (ttyS0)"},
    {.key = "dialup_lines",
     .type = HD_P_LIST,
     .def = "ttyS*",
     .help = "ttys whose logins come through a modem (shell patterns)"},
    {.key = "connect_window",
     .type = HD_P_INT,
     .def = "60",
     .min = 1,
     .max = 3600,
     .help = "seconds between mgetty's CONNECT and the login"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"wtmp_share", "wtmp's size as a share of the free space of its filesystem."},
    {"wtmp_bytes", "wtmp's size."},
    {"free_bytes", "Free space of wtmp's filesystem (for unprivileged users)."},
    {"logins", "Logins since the last run."},
    {"failed", "Failed logins since the last run."},
    {"failed_burst", "The most failed logins from one source within burst_window."},
    {"new_sources", "Logins since the last run by a user, or from a source for that user, "
		    "never seen before."},
    {0},
};

const struct hd_probe probe_logins = {
    .name = "logins",
    .summary = "logins since the last run, new users and sources, failed-login bursts, wtmp "
	       "size, dial-up logins without a CONNECT",
    .params = params,
    .metrics = metrics,
    .default_warning = "50",
    .default_critical = "100",
    .run = run,
};
