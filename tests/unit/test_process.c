/* Process matching and summary: names cut at 15, users, patterns, zombies, forked workers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe_process.h"

static void test_name(void **state)
{
	(void)state;
	assert_true(proc_name_matches("fsavd", "fsavd"));
	assert_false(proc_name_matches("fsavd", "fsav"));
	assert_false(proc_name_matches("fsav", "fsavd"));
	/* comm holds 15 characters: a longer configured name matches on its first 15 */
	assert_true(proc_name_matches("fsigk_smtp_prox", "fsigk_smtp_proxy"));
	assert_false(proc_name_matches("fsigk_smtp_pro", "fsigk_smtp_proxy"));
	/* kernel threads can show longer names; still the first 15 decide */
	assert_true(proc_name_matches("pool_workqueue_release", "pool_workqueue_rel"));
	assert_true(proc_name_matches("anything", NULL));
	assert_true(proc_name_matches("anything", ""));
	assert_false(proc_name_matches(NULL, "x"));
}

static bool has_conf(const char *cmdline, void *opaque)
{
	return strstr(cmdline, (const char *)opaque) != NULL;
}

/* 10 master(root) -> 11, 12 workers; 20 second master started later; 30 zombie child of 10;
 * 40 other program; 50 same name, other user */
static const struct proc_rec table[] = {
    {10, 1, 'S', 0, 500, "scand", "scand --conf a"},
    {11, 10, 'S', 0, 5, "scand", "scand --conf a"},
    {12, 10, 'R', 0, 1, "scand", "scand --conf a"},
    {20, 1, 'S', 0, 60, "scand", "scand --conf b"},
    {30, 10, 'Z', 0, 30, "scand", ""},
    {40, 1, 'S', 0, 2, "other", "other"},
    {50, 1, 'S', 1000, 3, "scand", "scand --conf a"},
};

struct sum_case {
	const char *what;
	struct proc_filter f;
	size_t count, zombies;
	int youngest_pid, zombie_pid;
};

static void test_summarise(void **state)
{
	const struct sum_case cases[] = {
	    {"by name, any user", {.name = "scand", .any_user = true}, 5, 1, 50, 30},
	    {"by name, root", {.name = "scand", .any_user = false, .euid = 0}, 4, 1, 20, 30},
	    {"by name and pattern",
	     {.name = "scand", .any_user = true, .cmdline_match = has_conf, .opaque = "conf a"},
	     4,
	     0,
	     50,
	     -1},
	    {"pattern b",
	     {.name = "scand", .any_user = true, .cmdline_match = has_conf, .opaque = "conf b"},
	     1,
	     0,
	     20,
	     -1},
	    {"no such name", {.name = "nope", .any_user = true}, 0, 0, -1, -1},
	    {"every process", {.name = NULL, .any_user = true}, 6, 1, 40, 30},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sum_case *c = &cases[i];
		struct proc_summary s;

		proc_summarise(table, sizeof(table) / sizeof(table[0]), &c->f, &s);
		if (s.count != c->count || s.zombies != c->zombies ||
		    s.youngest_pid != c->youngest_pid || s.zombie_pid != c->zombie_pid)
			fail_msg("%s: count %zu zombies %zu youngest %d zombie %d", c->what,
				 s.count, s.zombies, s.youngest_pid, s.zombie_pid);
		if (c->zombie_pid > 0 && s.zombie_ppid != 10)
			fail_msg("%s: zombie parent %d", c->what, s.zombie_ppid);
	}
}

static void test_workers_are_not_restarts(void **state)
{
	/* the workers 11 and 12 are 5s and 1s old, but their parent matches: the service is 500s old */
	struct proc_filter f = {
	    .name = "scand", .any_user = true, .cmdline_match = has_conf, .opaque = "conf a"};
	struct proc_rec one[3];
	struct proc_summary s;

	(void)state;
	memcpy(one, table, sizeof(one));
	proc_summarise(one, 3, &f, &s);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.youngest_pid, 10);
	assert_true(s.youngest_age == 500);
	proc_summarise(NULL, 0, &f, &s);
	assert_int_equal(s.count, 0);
	assert_true(s.youngest_age < 0);
}

/* hostdoctor's own processes: the runner (70) and the checks' children it has not reaped yet
 * (71 a zombie, 72 running this probe) are never counted, zombies or not; a zombie of another
 * parent still is. */
static void test_own_children_are_not_counted(void **state)
{
	static const struct proc_rec host[] = {
	    {1, 0, 'S', 0, 900, "init", "/sbin/init"},
	    {70, 1, 'S', 0, 2, "hostdoctor", "hostdoctor doctor -j 16"},
	    {71, 70, 'Z', 0, 1, "hostdoctor", ""},
	    {72, 70, 'R', 0, 1, "hostdoctor", "hostdoctor doctor -j 16"},
	    {80, 1, 'S', 0, 50, "scand", "scand"},
	    {81, 80, 'Z', 0, 1, "scand", ""},
	};
	struct proc_filter all = {.any_user = true, .own = 70};
	struct proc_filter named = {.name = "hostdoctor", .any_user = true, .own = 70};
	struct proc_summary s;

	(void)state;
	proc_summarise(host, 6, &all, &s);
	assert_int_equal(s.count, 2);	/* init and scand */
	assert_int_equal(s.zombies, 1); /* scand's, not ours */
	assert_int_equal(s.zombie_pid, 81);
	proc_summarise(host, 6, &named, &s);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.zombies, 0);
	all.own = 0; /* in-process (tests): everything counts */
	proc_summarise(host, 6, &all, &s);
	assert_int_equal(s.zombies, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_summarise),
	    cmocka_unit_test(test_workers_are_not_restarts),
	    cmocka_unit_test(test_own_children_are_not_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
