/* Runner isolation: a crash, abort, hang or blocking read in one check is that check's UNKNOWN,
 * every other check still reports, and the run ends at its deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "runner.h"
#include "testprobes.h"

struct run {
	struct hd_config cfg;
	struct hd_check **sel;
	struct hd_result *res;
	double took;
};

static void run_text(struct run *r, const char *text, int jobs, double timeout)
{
	char err[512];
	struct hd_run_opts o = {.jobs = jobs,
				.timeout = timeout,
				.timeout_state = HD_UNKNOWN,
				.check_timeout = 10,
				.root = ""};
	double t0;

	memset(r, 0, sizeof(*r));
	if (hd_config_parse(&r->cfg, "t.conf", text, strlen(text), hd_test_probe_table(), err,
			    sizeof(err)) < 0)
		fail_msg("config: %s", err);
	r->sel = calloc(r->cfg.n, sizeof(*r->sel));
	r->res = calloc(r->cfg.n, sizeof(*r->res));
	for (size_t i = 0; i < r->cfg.n; i++)
		r->sel[i] = &r->cfg.checks[i];
	t0 = hd_now();
	hd_run_checks(r->sel, r->cfg.n, &o, r->res);
	r->took = hd_now() - t0;
}

static void run_free(struct run *r)
{
	for (size_t i = 0; i < r->cfg.n; i++)
		hd_result_free(&r->res[i]);
	free(r->res);
	free(r->sel);
	hd_config_free(&r->cfg);
}

static const struct hd_result *get(struct run *r, const char *id)
{
	for (size_t i = 0; i < r->cfg.n; i++)
		if (strcmp(r->res[i].id, id) == 0)
			return &r->res[i];
	fail_msg("no result for %s", id);
	return NULL;
}

static void test_crash_and_abort_are_contained(void **state)
{
	struct run r;

	(void)state;
	run_text(
	    &r,
	    "[ok1]\nprobe = test-fixed\n[segv]\nprobe = test-segv\n[abrt]\nprobe = test-abort\n"
	    "[ok2]\nprobe = test-fixed\nstatus = WARNING\nvalue = 3\n[eacces]\nprobe = "
	    "test-errno\n",
	    2, 20);
	assert_int_equal(get(&r, "ok1")->status, HD_OK);
	assert_int_equal(get(&r, "segv")->status, HD_UNKNOWN);
	assert_non_null(strstr(get(&r, "segv")->summary, "SIGSEGV"));
	assert_int_equal(get(&r, "abrt")->status, HD_UNKNOWN);
	assert_non_null(strstr(get(&r, "abrt")->summary, "SIGABRT"));
	assert_int_equal(get(&r, "ok2")->status, HD_WARNING);
	assert_int_equal(get(&r, "ok2")->nmetrics, 1);
	assert_true(get(&r, "ok2")->metrics[0].value == 3);
	assert_string_equal(get(&r, "ok2")->remedy, "nothing to do");
	assert_int_equal(get(&r, "eacces")->status, HD_UNKNOWN);
	assert_string_equal(get(&r, "eacces")->summary, "cannot tell: Permission denied");
	run_free(&r);
}

static void test_hang_cut_off_at_check_timeout(void **state)
{
	struct run r;

	(void)state;
	run_text(&r, "[hang]\nprobe = test-sleep\ntimeout = 1\n[ok]\nprobe = test-fixed\n", 1, 20);
	assert_int_equal(get(&r, "hang")->status, HD_UNKNOWN);
	assert_string_equal(get(&r, "hang")->summary, "timed out after 1 s");
	assert_int_equal(get(&r, "ok")->status, HD_OK); /* ran after the hang, one job */
	assert_true(r.took < 5);
	run_free(&r);
}

static void test_fifo_read_cut_off_by_global_deadline(void **state)
{
	char dir[] = "/tmp/hd-runner-XXXXXX", fifo[64], text[256];
	struct run r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(text, sizeof(text),
		 "[fifo]\nprobe = test-fifo\npath = %s\n[hang]\nprobe = test-sleep\n"
		 "[ok]\nprobe = test-fixed\n",
		 fifo);
	run_text(&r, text, 4, 1.5);
	assert_int_equal(get(&r, "fifo")->status, HD_UNKNOWN);
	assert_non_null(strstr(get(&r, "fifo")->summary, "deadline of 1.5 s"));
	assert_int_equal(get(&r, "hang")->status, HD_UNKNOWN);
	assert_int_equal(get(&r, "ok")->status, HD_OK);
	assert_true(r.took < 3);
	run_free(&r);
	unlink(fifo);
	rmdir(dir);
}

static void test_unstarted_checks_get_timeout_state(void **state)
{
	char err[512];
	struct hd_config cfg = {0};
	const char *text = "[h1]\nprobe = test-sleep\n[h2]\nprobe = test-fixed\n";
	struct hd_run_opts o = {
	    .jobs = 1, .timeout = 1, .timeout_state = HD_CRITICAL, .check_timeout = 10, .root = ""};
	struct hd_check *sel[2];
	struct hd_result res[2];

	(void)state;
	assert_int_equal(
	    hd_config_parse(&cfg, "t", text, strlen(text), hd_test_probe_table(), err, sizeof(err)),
	    0);
	sel[0] = &cfg.checks[0];
	sel[1] = &cfg.checks[1];
	hd_run_checks(sel, 2, &o, res);
	assert_int_equal(res[0].status, HD_CRITICAL);
	assert_int_equal(res[1].status, HD_CRITICAL);
	assert_non_null(strstr(res[1].summary, "not run"));
	hd_result_free(&res[0]);
	hd_result_free(&res[1]);
	hd_config_free(&cfg);
}

static void test_grandchild_does_not_hold_the_run(void **state)
{
	struct run r;

	(void)state;
	run_text(&r, "[orphan]\nprobe = test-orphan\n", 1, 20);
	assert_int_equal(get(&r, "orphan")->status, HD_OK);
	assert_true(r.took < 5);
	run_free(&r);
}

/* ---- one check in this process (runner_inproc.c) ---- */

static struct hd_check *one_check(struct hd_config *cfg, const char *text)
{
	char err[512];

	memset(cfg, 0, sizeof(*cfg));
	if (hd_config_parse(cfg, "t.conf", text, strlen(text), hd_test_probe_table(), err,
			    sizeof(err)) < 0)
		fail_msg("config: %s", err);
	return &cfg->checks[0];
}

static void test_in_process_result(void **state)
{
	struct hd_config cfg;
	struct hd_check *c =
	    one_check(&cfg, "[ok]\nprobe = test-fixed\nstatus = WARNING\nvalue = 3\nwarning = 2\n");
	struct hd_run_opts o = {
	    .jobs = 4, .timeout = 10, .check_timeout = 10, .root = "", .in_process = true};
	struct hd_result r;
	pid_t self = getpid();

	(void)state;
	hd_run_checks(&c, 1, &o, &r);
	assert_int_equal(getpid(), self);
	assert_int_equal(r.status, HD_WARNING);
	assert_string_equal(r.id, "ok");
	assert_int_equal(r.nmetrics, 1);
	assert_true(r.metrics[0].value == 3);
	assert_true(r.metrics[0].warn.set); /* thresholds applied as in the child */
	assert_false(hd_run_abandoned());
	hd_result_free(&r);
	hd_config_free(&cfg);
}

/* Run CHECK-TEXT in process in a child of the test (a crash ends that process); its stdout and
 * exit status back. */
static int in_process_child(const char *text, char *const *reexec, const char *crash_text,
			    char *out, size_t outsize)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hd_config cfg;
		struct hd_check *c;
		struct hd_run_opts o = {.jobs = 1,
					.timeout = 10,
					.check_timeout = 10,
					.root = "",
					.in_process = true,
					.reexec = reexec,
					.reexec_env = (char *const[]){NULL},
					.crash_text = crash_text};
		struct hd_result r;

		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		c = one_check(&cfg, text);
		hd_run_checks(&c, 1, &o, &r);
		printf("RESULT %s\n", hd_status_name(r.status));
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], out, outsize - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_in_process_crash_runs_again_isolated(void **state)
{
	char out[256];
	char *const again[] = {"/bin/sh", "-c", "echo 'run again, isolated'; exit 3", NULL};

	(void)state;
	/* the crash handler executes the command again (HOSTDOCTOR_ISOLATE=1 in the CLI) */
	assert_int_equal(
	    in_process_child("[segv]\nprobe = test-segv\n", again, NULL, out, sizeof(out)), 3);
	assert_string_equal(out, "run again, isolated\n");
	assert_int_equal(
	    in_process_child("[abrt]\nprobe = test-abort\n", again, NULL, out, sizeof(out)), 3);
	assert_string_equal(out, "run again, isolated\n");
	/* without a command to run: the text given, exit 3 */
	assert_int_equal(in_process_child("[segv]\nprobe = test-segv\n", NULL,
					  "HOSTDOCTOR UNKNOWN: crashed\n", out, sizeof(out)),
			 3);
	assert_string_equal(out, "HOSTDOCTOR UNKNOWN: crashed\n");
	/* a check that does not crash: its result, the handlers unused */
	assert_int_equal(
	    in_process_child("[ok]\nprobe = test-fixed\n", again, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "RESULT OK\n");
}

static void test_in_process_hang_cut_off(void **state)
{
	char out[256];
	double t0 = hd_now();

	(void)state;
	/* in a child of the test: the hung thread is left running, as the CLI leaves it */
	assert_int_equal(in_process_child("[hang]\nprobe = test-sleep\ntimeout = 1\n", NULL, NULL,
					  out, sizeof(out)),
			 0);
	assert_string_equal(out, "RESULT UNKNOWN\n");
	assert_true(hd_now() - t0 < 4);
}

static void test_thresholds_apply_to_primary_metric(void **state)
{
	struct run r;

	(void)state;
	run_text(&r,
		 "[w]\nprobe = test-fixed\nvalue = 85\nwarning = 80\ncritical = 95\n"
		 "[c]\nprobe = test-fixed\nvalue = 96\nwarning = 80\ncritical = 95\n"
		 "[low]\nprobe = test-fixed\nvalue = 3\ncritical = 5:\n"
		 "[in]\nprobe = test-fixed\nvalue = 15\nwarning = @10:20\n"
		 "[ok]\nprobe = test-fixed\nvalue = 80\nwarning = 80\n"
		 "[keep]\nprobe = test-fixed\nstatus = CRITICAL\nvalue = 1\nwarning = 10\n"
		 "[skip]\nprobe = test-fixed\nstatus = SKIPPED\nvalue = 100\ncritical = 10\n"
		 "[remedy]\nprobe = test-fixed\nvalue = 100\ncritical = 10\nremedy = do this\n",
		 4, 20);
	assert_int_equal(get(&r, "w")->status, HD_WARNING);
	assert_int_equal(get(&r, "c")->status, HD_CRITICAL);
	assert_int_equal(get(&r, "low")->status, HD_CRITICAL);
	assert_int_equal(get(&r, "in")->status, HD_WARNING);
	assert_int_equal(get(&r, "ok")->status, HD_OK);
	assert_int_equal(get(&r, "keep")->status, HD_CRITICAL); /* never lowered */
	assert_int_equal(get(&r, "skip")->status, HD_SKIPPED);
	assert_string_equal(get(&r, "remedy")->remedy, "do this");
	assert_true(get(&r, "w")->metrics[0].warn.set);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_process_result),
	    cmocka_unit_test(test_in_process_crash_runs_again_isolated),
	    cmocka_unit_test(test_in_process_hang_cut_off),
	    cmocka_unit_test(test_crash_and_abort_are_contained),
	    cmocka_unit_test(test_hang_cut_off_at_check_timeout),
	    cmocka_unit_test(test_fifo_read_cut_off_by_global_deadline),
	    cmocka_unit_test(test_unstarted_checks_get_timeout_state),
	    cmocka_unit_test(test_grandchild_does_not_hold_the_run),
	    cmocka_unit_test(test_thresholds_apply_to_primary_metric),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
