/* tmp-cleaner's parsers: tmpfiles.d ages and lines, the walk that decides coverage (as
 * systemd-tmpfiles 252 does it), tmpwatch/tmpreaper command lines and /etc/tmpreaper.conf. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe_tmp_cleaner.h"

static void test_ages(void **state)
{
	static const struct {
		const char *in;
		int rc;
		double secs;
		bool tilde;
	} cases[] = {
	    {"10d", 0, 864000, false},	   {"0", 0, 0, false},	     {"30", 0, 30, false},
	    {"1h30min", 0, 5400, false},   {"~5d", 0, 432000, true}, {"mM:1d", 0, 86400, false},
	    {"~bmA:2w", 0, 1209600, true}, {"1.5h", 0, 5400, false}, {"2weeks", 0, 1209600, false},
	    {"", -EINVAL, 0, false},	   {"d", -EINVAL, 0, false}, {"10x", -EINVAL, 0, false},
	    {"zz:1d", -EINVAL, 0, false},  {"-", -EINVAL, 0, false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double s = -1;
		bool t = false;
		int rc = tc_age_parse(cases[i].in, &s, &t);
		assert_int_equal(rc, cases[i].rc);
		if (rc == 0) {
			assert_true(s == cases[i].secs);
			assert_int_equal(t, cases[i].tilde);
		}
	}
}

static void test_timespecs(void **state)
{
	double s;
	(void)state;
	assert_int_equal(tc_timespec_parse("10d", &s), 0);
	assert_true(s == 864000);
	assert_int_equal(tc_timespec_parse("240", &s), 0); /* hours without a suffix */
	assert_true(s == 864000);
	assert_int_equal(tc_timespec_parse("30m", &s), 0);
	assert_true(s == 1800);
	assert_int_equal(tc_timespec_parse("45s", &s), 0);
	assert_true(s == 45);
	assert_int_equal(tc_timespec_parse("7x", &s), -EINVAL);
	assert_int_equal(tc_timespec_parse("/tmp", &s), -EINVAL);
	assert_int_equal(tc_timespec_parse("7dd", &s), -EINVAL);
}

/* Parse FILES (name, content pairs, NULL-terminated) in order. */
static void parse(struct tc_items *it, const char *const *files)
{
	*it = (struct tc_items){0};
	for (; files[0]; files += 2)
		tc_tmpfiles_parse(files[1], strlen(files[1]), files[0], it);
}

struct cover_case {
	const char *conf;
	const char *dir;
	bool covered;
	const char *by_or_shield; /* the line's path, or NULL */
};

/* Each row checked against systemd-tmpfiles 252 --clean on a real tree (see the integration
 * test for the live run). */
static const struct cover_case covers[] = {
    {"q /tmp 1777 root root 10d\n", "/tmp", true, "/tmp"},
    {"q /tmp 1777 root root 10d\n", "/tmp/gw/work", true, "/tmp"},
    {"D /tmp 1777 root root -\n", "/tmp", false, "/tmp"},
    {"D /tmp 1777 root root\n", "/tmp/gw", false, "/tmp"},
    /* x on the cleaned directory itself does not stop its own clean-up */
    {"q /tmp 1777 root root 10d\nx /tmp\n", "/tmp", true, "/tmp"},
    /* any line of its own keeps a directory out of the walk above */
    {"q /tmp 1777 root root 10d\nx /tmp/gw\n", "/tmp/gw", false, "/tmp/gw"},
    {"q /tmp 1777 root root 10d\nX /tmp/gw\n", "/tmp/gw/sub", false, "/tmp/gw"},
    {"q /tmp 1777 root root 10d\nd /tmp/gw 0700 root root -\n", "/tmp/gw", false, "/tmp/gw"},
    {"q /tmp 1777 root root 10d\nz /tmp/g?\n", "/tmp/gw", false, "/tmp/g?"},
    {"q /tmp 1777 root root 10d\nx /tmp/gw/sub\n", "/tmp/gw", true, "/tmp"},
    /* its own line with an age cleans it */
    {"d /tmp/gw 0700 root root 1h\n", "/tmp/gw", true, "/tmp/gw"},
    {"e /tmp/g* - - - 0\n", "/tmp/gw", true, "/tmp/g*"},
    {"x /tmp/gw - - - 2d\n", "/tmp/gw", true, "/tmp/gw"},
    /* boot-only lines are not applied by --clean */
    {"d! /tmp/gw - - - 1d\n", "/tmp/gw", false, NULL},
    /* ~AGE spares the files right in the directory, not those below */
    {"d /tmp/gw - - - ~1d\n", "/tmp/gw", false, "/tmp/gw"},
    {"d /tmp - - - ~1d\n", "/tmp/gw", true, "/tmp"},
    /* specifiers, quotes, comments */
    {"# comment\n\nq %T 1777 root root 10d\n", "/tmp/gw", true, "/tmp"},
    {"d \"/var/tmp/a b\" - - - 1d\n", "/var/tmp/a b/c", true, "/var/tmp/a b"},
    {"q %V 1777 root root 30d\n", "/tmp", false, NULL},
    {"d %Z/x - - - 1d\n", "/tmp", false, NULL},
    /* an invalid age: systemd-tmpfiles refuses the whole line */
    {"d /tmp - - - soon\n", "/tmp", false, NULL},
    /* a path elsewhere */
    {"d /var/cache/x - - - 1d\n", "/tmp/gw", false, NULL},
    {"d /tm - - - 1d\n", "/tmp", false, NULL},
};

static void test_covers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(covers) / sizeof(covers[0]); i++) {
		const struct cover_case *c = &covers[i];
		const char *files[] = {"/usr/lib/tmpfiles.d/t.conf", c->conf, NULL};
		const struct tc_item *by, *shield;
		struct tc_items it;
		bool got;

		parse(&it, files);
		got = tc_tmpfiles_covers(&it, c->dir, &by, &shield);
		if (got != c->covered)
			fail_msg("row %zu (%s on %s): covered %d", i, c->conf, c->dir, got);
		if (c->by_or_shield)
			assert_string_equal(got ? by->path : shield->path, c->by_or_shield);
		else
			assert_null(got ? by : shield);
		tc_items_free(&it);
	}
}

static void test_duplicates(void **state)
{
	/* two lines owning one path: the first file's wins, as in systemd-tmpfiles */
	const char *files[] = {"/etc/tmpfiles.d/00-gw.conf", "d /tmp 1777 root root -\n",
			       "/usr/lib/tmpfiles.d/tmp.conf", "q /tmp 1777 root root 10d\n", NULL};
	const struct tc_item *by, *shield;
	struct tc_items it;

	(void)state;
	parse(&it, files);
	assert_int_equal(it.n, 1);
	assert_int_equal(it.skipped, 1);
	assert_false(tc_tmpfiles_covers(&it, "/tmp", &by, &shield));
	assert_string_equal(shield->where, "/etc/tmpfiles.d/00-gw.conf:1");
	tc_items_free(&it);
}

static void test_malformed(void **state)
{
	static const char bytes[] = "garbage\n1 /tmp\nd relative - - - 1d\nd\n\xff\xfe /x\n"
				    "d /ok - - - 1d";
	struct tc_items it = {0};

	(void)state;
	tc_tmpfiles_parse(bytes, sizeof(bytes) - 1, "f", &it);
	assert_int_equal(it.n, 1);
	assert_int_equal(it.skipped, 5);
	assert_string_equal(it.v[0].where, "f:6");
	tc_items_free(&it);
}

/* RHEL 7's /etc/cron.daily/tmpwatch */
static const char rhel_tmpwatch[] =
    "#! /bin/sh\n"
    "flags=-umc\n"
    "/usr/sbin/tmpwatch \"$flags\" -x /tmp/.X11-unix -x /tmp/.XIM-unix \\\n"
    "\t-x /tmp/.font-unix -x /tmp/.ICE-unix -x /tmp/.Test-unix \\\n"
    "\t-X '/tmp/hsperfdata_*' -X '/tmp/.hdb*lock' -X '/tmp/.sapstartsrv*.log' \\\n"
    "\t-X '/tmp/pymp-*' 10d /tmp\n"
    "/usr/sbin/tmpwatch \"$flags\" 30d /var/tmp\n"
    "for d in /var/{cache/man,catman}/{cat?,X11R6/cat?,local/cat?}; do\n"
    "    if [ -d \"$d\" ]; then\n"
    "\t/usr/sbin/tmpwatch \"$flags\" -f 30d \"$d\"\n"
    "    fi\n"
    "done\n";

static void test_tmpwatch(void **state)
{
	struct tc_jobs jobs = {0};
	const char *shield;

	(void)state;
	tc_cron_parse(rhel_tmpwatch, sizeof(rhel_tmpwatch) - 1, "/etc/cron.daily/tmpwatch", NULL,
		      &jobs);
	assert_int_equal(jobs.n, 3);
	assert_string_equal(jobs.v[0].where, "/etc/cron.daily/tmpwatch:3");
	assert_true(jobs.v[0].age == 864000);
	assert_int_equal(jobs.v[0].ndirs, 1);
	assert_string_equal(jobs.v[0].dirs[0], "/tmp");
	assert_int_equal(jobs.v[0].nexcl, 9);
	assert_true(tc_job_covers(&jobs.v[0], "/tmp", &shield));
	assert_true(tc_job_covers(&jobs.v[0], "/tmp/gw", &shield));
	assert_false(tc_job_covers(&jobs.v[0], "/tmp/.ICE-unix", &shield));
	assert_string_equal(shield, "/tmp/.ICE-unix");
	assert_false(tc_job_covers(&jobs.v[0], "/tmp/hsperfdata_root/x", &shield));
	assert_string_equal(shield, "/tmp/hsperfdata_*");
	assert_false(tc_job_covers(&jobs.v[0], "/var/tmp", &shield));
	assert_true(tc_job_covers(&jobs.v[1], "/var/tmp/gw", &shield));
	assert_true(jobs.v[1].age == 30 * 86400.0);
	/* the loop's "$d": a directory only the shell knows */
	assert_non_null(jobs.v[2].unresolved);
	tc_jobs_free(&jobs);
}

static void test_crontab_lines(void **state)
{
	static const char tab[] =
	    "SHELL=/bin/sh\n"
	    "# 0 3 * * * root tmpwatch 1h /srv\n"
	    "15 3 * * * root [ -x /usr/sbin/tmpwatch ] && /usr/sbin/tmpwatch "
	    "--exclude=/srv/spool/gw -m 48 /srv/spool ; echo done\n"
	    "30 3 * * * root command -v tmpreaper >/dev/null || exit 0\n"
	    "45 3 * * * root nice -n10 tmpreaper --protect 'keep/*' 2d /var/spool/x "
	    "/data/tmp/.\n";
	struct tc_jobs jobs = {0};
	const char *shield;

	(void)state;
	tc_cron_parse(tab, sizeof(tab) - 1, "/etc/crontab", NULL, &jobs);
	assert_int_equal(jobs.n, 2);
	assert_true(jobs.v[0].age == 48 * 3600.0);
	assert_false(tc_job_covers(&jobs.v[0], "/srv/spool/gw/tmp", &shield));
	assert_true(tc_job_covers(&jobs.v[0], "/srv/spool/other", &shield));
	assert_int_equal(jobs.v[1].tool, TC_TMPREAPER);
	assert_string_equal(jobs.v[1].dirs[1], "/data/tmp");
	assert_true(tc_job_covers(&jobs.v[1], "/data/tmp/gw", &shield));
	/* a relative protect pattern is matched in each directory */
	assert_false(tc_job_covers(&jobs.v[1], "/data/tmp/keep", &shield));
	assert_string_equal(shield, "keep/*");
	/* a protected name protects the entry, not what is in it */
	assert_true(tc_job_covers(&jobs.v[1], "/data/tmp/keep/sub", &shield));
	tc_jobs_free(&jobs);
}

/* Debian's /etc/cron.daily/tmpreaper (the command part) and its conf */
static const char debian_job[] =
    "nice -n10 tmpreaper --delay=$TMPREAPER_DELAY --mtime-dir --symlinks $TMPREAPER_TIME  \\\n"
    "  $TMPREAPER_ADDITIONALOPTIONS \\\n"
    "  --ctime \\\n"
    "  --protect '/tmp/.X*-{lock,unix,unix/*}' \\\n"
    "  --protect '/tmp/.ICE-{unix,unix/*}' \\\n"
    "  --protect '/tmp/systemd-private*/*' \\\n"
    "  `for i in $TMPREAPER_PROTECT_EXTRA; do echo --protect \"$i\"; done` \\\n"
    "  $TMPREAPER_DIRS\n";

static void test_debian_tmpreaper(void **state)
{
	static const char off[] = "SHOWWARNING=true\nRUNFROMCRON=true\nTMPREAPER_DIRS='/tmp/.'\n";
	static const char on[] = "# SHOWWARNING=true\nRUNFROMCRON=true\nTMPREAPER_TIME=3d\n"
				 "TMPREAPER_PROTECT_EXTRA='/tmp/gw /tmp/gw/*'\n"
				 "TMPREAPER_DIRS='/tmp/. /var/tmp/.'  # both\n";
	struct tc_reaper_conf conf;
	struct tc_jobs jobs = {0};
	const char *shield;

	(void)state;
	tc_reaper_conf_parse(off, sizeof(off) - 1, &conf);
	assert_true(conf.disabled);
	tc_cron_parse(debian_job, sizeof(debian_job) - 1, "/etc/cron.daily/tmpreaper", &conf,
		      &jobs);
	assert_int_equal(jobs.n, 0);
	tc_reaper_conf_free(&conf);

	tc_reaper_conf_parse(on, sizeof(on) - 1, &conf);
	assert_false(conf.disabled);
	assert_string_equal(conf.dirs, "/tmp/. /var/tmp/.");
	tc_cron_parse(debian_job, sizeof(debian_job) - 1, "/etc/cron.daily/tmpreaper", &conf,
		      &jobs);
	assert_int_equal(jobs.n, 1);
	assert_true(jobs.v[0].from_conf);
	assert_true(jobs.v[0].age == 3 * 86400.0);
	assert_int_equal(jobs.v[0].ndirs, 2);
	assert_true(tc_job_covers(&jobs.v[0], "/var/tmp/gw", &shield));
	assert_false(tc_job_covers(&jobs.v[0], "/tmp/gw", &shield));
	assert_string_equal(shield, "/tmp/gw/*");
	/* brace alternatives: the pattern for .ICE-unix/ and its files protects them */
	assert_false(tc_job_covers(&jobs.v[0], "/tmp/.ICE-unix", &shield));
	assert_true(tc_job_covers(&jobs.v[0], "/tmp/other", &shield));
	tc_jobs_free(&jobs);
	tc_reaper_conf_free(&conf);

	/* no conf file: the script's defaults (7d, /tmp/.), and SHOWWARNING unset means on */
	tc_reaper_conf_parse("RUNFROMCRON=true\n", 17, &conf);
	tc_cron_parse(debian_job, sizeof(debian_job) - 1, "/etc/cron.daily/tmpreaper", &conf,
		      &jobs);
	assert_int_equal(jobs.n, 1);
	assert_true(jobs.v[0].age == 7 * 86400.0);
	assert_string_equal(jobs.v[0].dirs[0], "/tmp");
	tc_jobs_free(&jobs);
	tc_reaper_conf_free(&conf);
}

static void test_garbage(void **state)
{
	static const char junk[] =
	    "tmpwatch\ntmpwatch -x\ntmpwatch 5q /tmp\ntmpreaper ''\n"
	    "tmpwatch 'unterminated /tmp\n\\\n`tmpwatch 1d /x`\n$(tmpwatch\n";
	struct tc_jobs jobs = {0};

	(void)state;
	tc_cron_parse(junk, sizeof(junk) - 1, "f", NULL, &jobs);
	assert_int_equal(jobs.n, 0);
	tc_jobs_free(&jobs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ages),	  cmocka_unit_test(test_timespecs),
	    cmocka_unit_test(test_covers),	  cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_malformed),	  cmocka_unit_test(test_tmpwatch),
	    cmocka_unit_test(test_crontab_lines), cmocka_unit_test(test_debian_tmpreaper),
	    cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
