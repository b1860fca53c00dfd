/* Parsers of systemd-tmpfiles rules, tmpwatch/tmpreaper command lines and /etc/tmpreaper.conf,
 * and the rules that decide whether a directory's files are removed by age (tmp-cleaner). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* One line of a tmpfiles.d file that systemd-tmpfiles --clean keeps (boot-only lines, marked
 * with '!', are not applied by the clean-up run and are dropped). */
struct tc_item {
	char type;   /* d, D, e, x, X, q, ... */
	char *path;  /* specifiers expanded (%T %V %t %S %C %L %h %%) */
	bool glob;   /* the type takes shell globs (e x X r R z Z t T a A h H) */
	bool ages;   /* an age is set on a type that cleans by age (d D e v q Q C x X) */
	bool tilde;  /* "~AGE": only what lies below its subdirectories is cleaned */
	double age;  /* seconds */
	char *where; /* FILE:LINE */
	char *line;  /* the line as written */
};

struct tc_items {
	struct tc_item *v;
	size_t n;
	size_t skipped; /* lines not understood, or duplicates systemd-tmpfiles ignores */
};

/* Append the lines of one tmpfiles.d file (FILE names it in `where`). Files must be given in
 * the order systemd-tmpfiles reads them (by file name), so that of two lines that both own
 * one path the first one wins, as there. Never fails on content: a line not understood is
 * counted in out->skipped. */
void tc_tmpfiles_parse(const char *buf, size_t len, const char *file, struct tc_items *out);
void tc_items_free(struct tc_items *items);

/* A tmpfiles.d age ("10d", "1h30min", "0", "~5d", "mM:1d"): seconds, 0 or -EINVAL. */
int tc_age_parse(const char *s, double *secs, bool *tilde);

/* Does systemd-tmpfiles --clean remove files in DIR? As it walks: a cleaning line on DIR or on a
 * directory above it covers DIR, unless a directory on the way (DIR included) has a line of its
 * own (x, X, or any other), which makes the walk above pass it by. Returns true with *BY, or
 * false with *SHIELD set to the line that keeps the walk out (NULL when nothing cleans). */
bool tc_tmpfiles_covers(const struct tc_items *items, const char *dir, const struct tc_item **by,
			const struct tc_item **shield);

enum tc_tool { TC_TMPWATCH, TC_TMPREAPER };

/* One tmpwatch or tmpreaper command found in a cron file or script. */
struct tc_job {
	enum tc_tool tool;
	char *where; /* FILE:LINE */
	double age;  /* seconds */
	char **dirs; /* directories it cleans ("/tmp/." written as "/tmp") */
	size_t ndirs;
	char **excl; /* tmpwatch -x paths and -X patterns; tmpreaper --protect patterns */
	size_t nexcl;
	bool from_conf;	  /* a tmpreaper run set up by /etc/tmpreaper.conf */
	char *unresolved; /* a directory or the time given by a shell variable (not judged) */
};

struct tc_jobs {
	struct tc_job *v;
	size_t n;
};

/* /etc/tmpreaper.conf (shell assignments), as Debian's /etc/cron.daily/tmpreaper reads it. */
struct tc_reaper_conf {
	bool present;
	bool disabled; /* SHOWWARNING=true, or RUNFROMCRON not true: the daily run does nothing */
	char *time;    /* TMPREAPER_TIME (default 7d) */
	char *dirs;    /* TMPREAPER_DIRS (default /tmp/.) */
	char *protect; /* TMPREAPER_PROTECT_EXTRA */
};
void tc_reaper_conf_parse(const char *buf, size_t len, struct tc_reaper_conf *out);
void tc_reaper_conf_free(struct tc_reaper_conf *c);

/* Append every tmpwatch/tmpreaper command of a crontab or a shell script (continuation lines
 * joined, quotes removed). A tmpreaper command whose directories come from $TMPREAPER_DIRS is
 * Debian's daily job: its time, directories and extra protections come from CONF (and it is
 * left out when CONF disables it). */
void tc_cron_parse(const char *buf, size_t len, const char *file, const struct tc_reaper_conf *conf,
		   struct tc_jobs *out);
void tc_jobs_free(struct tc_jobs *jobs);

/* tmpwatch/tmpreaper time: a number with an optional s, m, h or d (hours without). */
int tc_timespec_parse(const char *s, double *secs);

/* Does JOB remove files in DIR? (DIR is one of its directories or below one, and no exclusion
 * or protection covers DIR's files.) *SHIELD names the exclusion that keeps it out. */
bool tc_job_covers(const struct tc_job *job, const char *dir, const char **shield);
