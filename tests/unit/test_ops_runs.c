/* The baseline and logins probes run in-process (not in the runner's child), so the sanitizer
 * build sees every allocation of their run(): a root made here with wtmp, btmp and an mgetty log
 * written through updwtmpx(), and baselines saved, damaged and missing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>
#include <cmocka.h>

#include "baseline.h"
#include "config.h"
#include "probes.h"
#include "runner.h"
#include "util.h"

static char dir[] = "/tmp/hd-ops-runs.XXXXXX";

static void put(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void login(const char *file, short type, const char *user, const char *line,
		  const char *host, time_t t)
{
	char p[256];
	struct utmpx u;

	memset(&u, 0, sizeof(u));
	u.ut_type = type;
	strncpy(u.ut_user, user, sizeof(u.ut_user));
	strncpy(u.ut_line, line, sizeof(u.ut_line));
	strncpy(u.ut_host, host, sizeof(u.ut_host));
	u.ut_tv.tv_sec = (int32_t)t;
	snprintf(p, sizeof(p), "%s%s", dir, file);
	updwtmpx(p, &u);
}

static void expect(struct hd_config *cfg, const char *id, const char *root, int status,
		   const char *summary)
{
	struct hd_check *chk = hd_config_find(cfg, id);
	struct hd_ctx ctx = {.root = root, .privileged = geteuid() == 0, .deadline = hd_now() + 30};
	struct hd_result r;

	assert_non_null(chk);
	hd_run_one(chk, &ctx, &r);
	if (status >= 0 && (int)r.status != status)
		fail_msg("%s: %s '%s', wanted %s", id, hd_status_name(r.status),
			 r.summary ? r.summary : "", hd_status_name((enum hd_status)status));
	if (summary && (!r.summary || !strstr(r.summary, summary)))
		fail_msg("%s: summary '%s' lacks '%s'", id, r.summary ? r.summary : "", summary);
	if ((r.status == HD_WARNING || r.status == HD_CRITICAL) && (!r.remedy || !*r.remedy))
		fail_msg("%s: %s without a remedy", id, hd_status_name(r.status));
	hd_result_free(&r);
}

static void test_logins_runs(void **state)
{
	struct hd_config cfg = {0};
	char conf[512], err[256], p[256];
	time_t now = time(NULL);

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/var", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/log", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var/lib", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sbin", dir);
	mkdir(p, 0755);
	put("/var/log/wtmp", "");
	put("/var/log/btmp", "");
	put("/sbin/mgetty", "");
	snprintf(conf, sizeof(conf),
		 "[lg]\nprobe = logins\nburst = 3\n[lg-none]\nprobe = logins\n"
		 "wtmp = /no/w\nbtmp = /no/b\nwtmpdb = /no/d\n");
	if (hd_config_parse(&cfg, "test.conf", conf, strlen(conf), hd_probes, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);

	login("/var/log/wtmp", USER_PROCESS, "alice", "pts/0", "10.0.0.5", now - 5000);
	expect(&cfg, "lg", dir, HD_OK, "first run: 1 user");
	login("/var/log/wtmp", USER_PROCESS, "alice", "pts/1", "10.0.0.5", now - 4000);
	expect(&cfg, "lg", dir, HD_OK, "1 login since the last run (alice)");
	login("/var/log/wtmp", USER_PROCESS, "mallory", "pts/2", "203.0.113.9", now - 3000);
	for (int i = 0; i < 4; i++)
		login("/var/log/btmp", LOGIN_PROCESS, "root", "ssh:notty", "192.0.2.66",
		      now - 2000 + i);
	expect(&cfg, "lg", dir, HD_WARNING, "first login of user mallory");
	login("/var/log/wtmp", USER_PROCESS, "alice", "ttyS0", "", now - 1000);
	expect(&cfg, "lg", dir, HD_CRITICAL, "without a CONNECT in /var/log/mgetty.ttyS0");
	put("/var/log/mgetty.ttyS0", "garbage\n");
	login("/var/log/wtmp", USER_PROCESS, "alice", "ttyS0", "", now - 500);
	expect(&cfg, "lg", dir, HD_CRITICAL, "dial-up login of alice");
	expect(&cfg, "lg-none", dir, HD_SKIPPED, "no login records");
	/* damaged state: started over, not a failure */
	put("/var/lib/hostdoctor/logins.lg.json", "{ not json");
	expect(&cfg, "lg", dir, HD_OK, "first run");
	hd_config_free(&cfg);
}

static void test_baseline_runs(void **state)
{
	struct hd_config cfg = {0};
	struct baseline b = {0};
	const struct hd_ctx live = {
	    .root = "", .privileged = geteuid() == 0, .deadline = hd_now() + 30};
	char conf[2048], err[4800], sdir[256];

	(void)state;
	snprintf(sdir, sizeof(sdir), "%s/state", dir);
	snprintf(conf, sizeof(conf),
		 "[bl]\nprobe = baseline\nstate_dir = %s\nignore = ctest, tcp/1\n"
		 "[bl-none]\nprobe = baseline\nname = none\nstate_dir = %s\n"
		 "[bl-bad]\nprobe = baseline\nname = bad\nstate_dir = %s\n"
		 "[bl-badname]\nprobe = baseline\nname = ../x\nstate_dir = %s\n",
		 sdir, sdir, sdir, sdir);
	if (hd_config_parse(&cfg, "test.conf", conf, strlen(conf), hd_probes, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	expect(&cfg, "bl-none", "", HD_SKIPPED, "no baseline 'none' yet");
	if (bl_collect(&live, &(struct bl_collect_opts){.min_age = 0, .need_owners = true}, &b, err,
		       sizeof(err)) < 0)
		fail_msg("collect: %s", err);
	b.name = hd_xstrdup("default");
	b.host = hd_xstrdup("test");
	b.saved = time(NULL);
	if (bl_save(sdir, &b, err, sizeof(err)) < 0)
		fail_msg("save: %s", err);
	bl_free(&b);
	expect(&cfg, "bl", "", -1, NULL); /* the live host may change meanwhile */
	put("/state/baseline.bad.json", "{\"format\": \"hostdoctor-baseline\", \"version\": 1, ");
	chmod(strcat(strcpy(err, dir), "/state/baseline.bad.json"), 0600);
	expect(&cfg, "bl-bad", "", HD_UNKNOWN, "ends early");
	expect(&cfg, "bl-badname", "", HD_UNKNOWN, "not valid");
	hd_config_free(&cfg);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_logins_runs),
					   cmocka_unit_test(test_baseline_runs)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
