/* /proc/meminfo parsing: current and pre-3.14 kernels, no swap, and malformed files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe_memory.h"

struct meminfo_case {
	const char *what, *text;
	int rc;
	uint64_t total, available;
	bool has_swap;
	uint64_t swap_total, swap_free;
	const char *bad;
};

static const struct meminfo_case cases[] = {
    {"kernel 6",
     "MemTotal:       24685024 kB\nMemFree:        23986032 kB\n"
     "MemAvailable:   24312296 kB\nBuffers:           12032 kB\n"
     "Cached:           445084 kB\nSwapCached:            0 kB\n"
     "SwapTotal:       2097148 kB\nSwapFree:        1048576 kB\n"
     "HugePages_Total:       0\nHugepagesize:       2048 kB\n",
     0, 24685024, 24312296, true, 2097148, 1048576, NULL},
    {"2.6.32 without MemAvailable",
     "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\n"
     "Cached: 300 kB\nSwapCached: 999 kB\n",
     0, 1000, 420, false, 0, 0, NULL},
    {"no trailing newline", "MemTotal: 5 kB\nMemAvailable: 3 kB", 0, 5, 3, false, 0, 0, NULL},
    {"unknown lines ignored", "MemTotal: 5 kB\nFutureThing: lots\nMemAvailable: 3 kB\n", 0, 5, 3,
     false, 0, 0, NULL},
    {"empty", "", -ENODATA, 0, 0, false, 0, 0, "MemTotal"},
    {"garbage", "\x01\x02 not meminfo\n", -ENODATA, 0, 0, false, 0, 0, "MemTotal"},
    {"no available figures", "MemTotal: 5 kB\nMemFree: 3 kB\n", -ENODATA, 0, 0, false, 0, 0,
     "MemAvailable"},
    {"value not a number", "MemTotal: 5 kB\nMemAvailable: lots kB\n", -EINVAL, 0, 0, false, 0, 0,
     "MemAvailable"},
    {"truncated value", "MemTotal: 5 kB\nMemAvailable:", -EINVAL, 0, 0, false, 0, 0,
     "MemAvailable"},
    {"negative", "MemTotal: -5 kB\nMemAvailable: 1 kB\n", -EINVAL, 0, 0, false, 0, 0, "MemTotal"},
    {"junk after the unit", "MemTotal: 5 kB x\nMemAvailable: 1 kB\n", -EINVAL, 0, 0, false, 0, 0,
     "MemTotal"},
    {"overflow", "MemTotal: 99999999999999999999999 kB\nMemAvailable: 1 kB\n", -EINVAL, 0, 0, false,
     0, 0, "MemTotal"},
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct meminfo_case *c = &cases[i];
		struct meminfo m;
		const char *bad = NULL;
		int rc = meminfo_parse(c->text, strlen(c->text), &m, &bad);

		if (rc != c->rc)
			fail_msg("%s: rc %d, wanted %d", c->what, rc, c->rc);
		if (rc < 0) {
			if (!bad || strcmp(bad, c->bad) != 0)
				fail_msg("%s: bad '%s', wanted '%s'", c->what, bad ? bad : "(null)",
					 c->bad);
			continue;
		}
		if (m.total != c->total || meminfo_available_kb(&m) != c->available)
			fail_msg("%s: total %lu available %lu", c->what, (unsigned long)m.total,
				 (unsigned long)meminfo_available_kb(&m));
		if (m.has_swap != c->has_swap ||
		    (c->has_swap && (m.swap_total != c->swap_total || m.swap_free != c->swap_free)))
			fail_msg("%s: swap %d %lu %lu", c->what, m.has_swap,
				 (unsigned long)m.swap_total, (unsigned long)m.swap_free);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
