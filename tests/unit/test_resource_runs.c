/* semaphores, tmp-space and realtime-scan run in-process (not in the runner's child), so the
 * sanitizer build sees every allocation of their run() on each path: OK, CRITICAL and UNKNOWN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "probes.h"
#include "runner.h"

static const char conf[] =
    "[sem]\nprobe = semaphores\n"
    "[sem-need]\nprobe = semaphores\nneed_arrays = 100000\n"
    "[tmp-ok]\nprobe = tmp-space\ndir = " HD_TEST_BINARY_DIR ", /\nmin_free_mb = 0\n"
    "[tmp-missing]\nprobe = tmp-space\ndir = " HD_TEST_BINARY_DIR "/no-such-dir\n"
    "[tmp-file]\nprobe = tmp-space\ndir = " HD_TEST_SOURCE_DIR "/CMakeLists.txt\n"
    "[tmp-relative]\nprobe = tmp-space\ndir = relative/dir\n"
    "[tmp-default]\nprobe = tmp-space\nmin_free_mb = 0\n"
    "[rt]\nprobe = realtime-scan\ndir = " HD_TEST_BINARY_DIR "\n"
    "[rt-missing]\nprobe = realtime-scan\ndir = /no-such-dir\n"
    "[rt-relative]\nprobe = realtime-scan\ndir = tmp\n";

struct run_case {
	const char *id;
	const char *root;
	int status;	     /* -1: any (depends on the host) */
	const char *summary; /* substring, or NULL */
};

static const struct run_case cases[] = {
    {"sem", HD_TEST_SOURCE_DIR "/fixtures/semaphores/ok", HD_WARNING, "120 of 128"},
    {"sem", HD_TEST_SOURCE_DIR "/fixtures/semaphores/bad-table", HD_UNKNOWN, "line 3"},
    {"sem", HD_TEST_SOURCE_DIR "/fixtures/semaphores/three-fields", HD_UNKNOWN, "malformed"},
    {"sem", HD_TEST_SOURCE_DIR "/fixtures/no-such-root", HD_UNKNOWN, "No such file"},
    {"sem-need", HD_TEST_SOURCE_DIR "/fixtures/semaphores/ok", HD_CRITICAL, "headroom"},
    {"sem", "", -1, NULL}, /* the live host, orphan check included */
    {"tmp-ok", "", HD_OK, "MB free"},
    {"tmp-missing", "", HD_CRITICAL, "does not exist"},
    {"tmp-file", "", HD_CRITICAL, "is not a directory"},
    {"tmp-relative", "", HD_UNKNOWN, "not an absolute path"},
    {"tmp-default", "", -1, NULL},
    {"rt", "", -1, NULL},
    {"rt-missing", "", HD_UNKNOWN, "No such file"},
    {"rt-relative", "", HD_UNKNOWN, "not an absolute path"},
};

static void test_runs(void **state)
{
	struct hd_config cfg = {0};
	char err[256];

	(void)state;
	if (hd_config_parse(&cfg, "test.conf", conf, strlen(conf), hd_probes, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct run_case *c = &cases[i];
		struct hd_check *chk = hd_config_find(&cfg, c->id);
		struct hd_ctx ctx = {
		    .root = c->root, .privileged = true, .deadline = hd_now() + 30};
		struct hd_result r;

		assert_non_null(chk);
		hd_run_one(chk, &ctx, &r);
		if (c->status >= 0 && (int)r.status != c->status)
			fail_msg("%s (root '%s'): %s '%s', wanted %s", c->id, c->root,
				 hd_status_name(r.status), r.summary ? r.summary : "",
				 hd_status_name((enum hd_status)c->status));
		if (c->summary && (!r.summary || !strstr(r.summary, c->summary)))
			fail_msg("%s: summary '%s' lacks '%s'", c->id, r.summary ? r.summary : "",
				 c->summary);
		if (r.status != HD_OK && r.status != HD_UNKNOWN && (!r.remedy || !*r.remedy))
			fail_msg("%s: %s without a remedy", c->id, hd_status_name(r.status));
		hd_result_free(&r);
	}
	hd_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_runs)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
