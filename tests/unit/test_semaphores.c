/* Parsers of the semaphores probe: kernel.sem, /proc/sysvipc/sem and /proc/PID/stat starttime. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe_semaphores.h"

struct limits_case {
	const char *in;
	int rc;
	struct sem_limits want;
};

static const struct limits_case limits_cases[] = {
    {"32000\t1024000000\t500\t32000\n", 0, {32000, 1024000000, 500, 32000}},
    {"250 128000 32 512", 0, {250, 128000, 32, 512}},
    {"  10 40 32 4 \n\n", 0, {10, 40, 32, 4}},
    {"250 128000 32\n", -EINVAL, {0}},	     /* three fields */
    {"250 128000 32 512 7\n", -EINVAL, {0}}, /* five fields */
    {"250 -1 32 512\n", -EINVAL, {0}},
    {"250 12x 32 512\n", -EINVAL, {0}},
    {"250 99999999999 32 512\n", -EINVAL, {0}}, /* beyond an int */
    {"", -EINVAL, {0}},
    {"\n", -EINVAL, {0}},
};

static void test_limits(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(limits_cases) / sizeof(limits_cases[0]); i++) {
		const struct limits_case *c = &limits_cases[i];
		struct sem_limits got = {0};
		int rc = sem_limits_parse(c->in, strlen(c->in), &got);
		if (rc != c->rc)
			fail_msg("'%s': rc %d, wanted %d", c->in, rc, c->rc);
		if (rc == 0 && memcmp(&got, &c->want, sizeof(got)) != 0)
			fail_msg("'%s': wrong values", c->in);
	}
}

#define HEADER                                                                                     \
	"       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n"

static void test_table(void **state)
{
	const char *in = HEADER
	    "     18500          0   600          1     0     0     0     0 1795290242 1795290242\n"
	    "        -5          1   666        250  1000   100  1000   100          0 "
	    "1795290243\n";
	struct sem_set *sets = NULL;
	size_t n = 0;
	char why[128];

	(void)state;
	assert_int_equal(sem_table_parse(in, strlen(in), &sets, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sets[0].key, 18500);
	assert_int_equal(sets[0].semid, 0);
	assert_int_equal(sets[0].perms, 0600);
	assert_int_equal(sets[0].nsems, 1);
	assert_int_equal(sets[0].otime, 1795290242);
	assert_int_equal(sets[1].key, -5);
	assert_int_equal(sets[1].nsems, 250);
	assert_int_equal(sets[1].uid, 1000);
	assert_int_equal(sets[1].cgid, 100);
	assert_int_equal(sets[1].otime, 0);
	free(sets);

	/* no sets: the header alone */
	assert_int_equal(sem_table_parse(HEADER, strlen(HEADER), &sets, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 0);
	free(sets);
}

struct bad_case {
	const char *in;
	const char *why; /* substring of the reason */
};

static const struct bad_case bad_cases[] = {
    {"", "header"},
    {"garbage\n", "header"},
    {"key semid perms nsems uid gid cuid cgid otime\n", "header"},
    {HEADER "     18500          0   600          1     0     0     0     0 1795290242\n",
     "line 2: too few columns"},
    {HEADER "     18500          0   600          1     0     0     0     0 1795290242 1 9\n",
     "line 2: '9'"},
    {HEADER "     18500          x   600          1     0     0     0     0 1 1\n", "line 2: 'x'"},
    {HEADER "     18500          0   999          1     0     0     0     0 1 1\n", "'999'"},
    {HEADER "         1          0   600          1     0     0     0     0 1 1\n"
	    "\x01\x02 0 600 1 0 0 0 0 1 1\n",
     "line 3"},
    {HEADER "     18500          0   600         -1     0     0     0     0 1 1\n", "'-1'"},
    {HEADER "99999999999999999999999999999999999999999999 0 600 1 0 0 0 0 1 1\n", "line 2"},
};

static void test_table_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct sem_set *sets = (struct sem_set *)1;
		size_t n = 7;
		char why[128] = "";
		const char *in = bad_cases[i].in;

		if (sem_table_parse(in, strlen(in), &sets, &n, why, sizeof(why)) != -EINVAL)
			fail_msg("case %zu should be refused", i);
		assert_null(sets);
		assert_int_equal(n, 0);
		if (!strstr(why, bad_cases[i].why))
			fail_msg("case %zu: reason '%s' lacks '%s'", i, why, bad_cases[i].why);
	}
}

static void test_starttime(void **state)
{
	const char *plain =
	    "1234 (bash) S 1 1234 1234 34816 1234 4194304 100 0 0 0 1 2 0 0 20 0 1 0 "
	    "98765 10000 500 18446744073709551615\n";
	const char *odd = "77 (a) b (c) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 0 0\n";
	uint64_t t = 0;

	(void)state;
	assert_int_equal(proc_stat_starttime(plain, strlen(plain), &t), 0);
	assert_int_equal(t, 98765);
	assert_int_equal(proc_stat_starttime(odd, strlen(odd), &t), 0);
	assert_int_equal(t, 4242);
	assert_int_equal(proc_stat_starttime("1 (x) S 1 2 3\n", 14, &t), -EINVAL);
	assert_int_equal(proc_stat_starttime("no paren", 8, &t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_table_malformed),
	    cmocka_unit_test(test_starttime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
