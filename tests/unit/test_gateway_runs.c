/* The probes the gateway's checks added or changed, run in-process (not in the runner's child), so
 * the sanitizer build sees every allocation of their run() on each path. */
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

#define FX HD_TEST_SOURCE_DIR "/fixtures"

static const char conf[] =
    "[tc]\nprobe = tmp-cleaner\ndir = /tmp/gw\n"
    "[tc-relative]\nprobe = tmp-cleaner\ndir = tmp\n"
    "[avc]\nprobe = selinux-avc\ndir = /opt/f-secure/fsigk\ncomm = fsigk_*, fsavd\n"
    "since_hours = 0\nnote = advice\n"
    "[avc-other]\nprobe = selinux-avc\ncomm = nothing\nsince_hours = 0\n"
    "[rd]\nprobe = readable\npath = " HD_TEST_SOURCE_DIR "/unit, " HD_TEST_SOURCE_DIR
    "/unit/test_*.c\n"
    "[rd-missing]\nprobe = readable\npath = /no/such/file, /no/such/dir/*.so\nstatus = warning\n"
    "[rd-relative]\nprobe = readable\npath = relative\n"
    "[sem-list]\nprobe = semaphores\nneed_arrays = 100\nneed_arrays = 20\n"
    "recommend = 250 128000 32 512\nnote = advice\n"
    "[sem-bad]\nprobe = semaphores\nneed_arrays = many\n"
    "[sem-badrec]\nprobe = semaphores\nrecommend = 1 2 3\n"
    "[mem-list]\nprobe = memory\nmax_connections = 200, 50\nmax_connections = 50\n"
    "[mem-bad]\nprobe = memory\nmax_connections = -1\n"
    "[smtp-refused]\nprobe = smtp-reach\nhost = 127.0.0.1\nport = 1\nrcpt_to = postmaster\n"
    "max_time = 2\n";

struct run_case {
	const char *id;
	const char *root;
	int status;	     /* -1: any (depends on the host) */
	const char *summary; /* substring, or NULL */
};

static const struct run_case cases[] = {
    {"tc", FX "/tmp-cleaner/rhel7", HD_WARNING, "systemd-tmpfiles (10 d), tmpwatch (10 d)"},
    {"tc", FX "/tmp-cleaner/debian", HD_WARNING, "tmpreaper (7 d)"},
    {"tc", FX "/no-such-root", HD_OK, "not cleaned"},
    {"tc", "", -1, NULL},
    {"tc-relative", "", HD_UNKNOWN, "not an absolute path"},
    {"avc", FX "/selinux-avc/enforcing", HD_WARNING, "1 time; newest: fsavd { read }"},
    {"avc-other", FX "/selinux-avc/enforcing", HD_OK, "no AVC denial"},
    {"avc", FX "/tmp-cleaner/rhel7", HD_SKIPPED, "disabled"},
    {"avc", "", -1, NULL},
    {"rd", "", HD_OK, "present and readable"},
    {"rd-missing", "", HD_WARNING, "2 of 2 missing"},
    {"rd-relative", "", HD_UNKNOWN, "not absolute"},
    {"sem-list", FX "/semaphores/ok", HD_CRITICAL, "120 and 0 needed"},
    {"sem-bad", FX "/semaphores/ok", HD_UNKNOWN, "not a whole number"},
    {"sem-badrec", FX "/semaphores/ok", HD_UNKNOWN, "not four numbers"},
    {"mem-list", FX "/memory/plenty", HD_OK, "146 MiB needed"},
    {"mem-bad", FX "/memory/plenty", HD_UNKNOWN, "not a whole number"},
    {"smtp-refused", "", HD_CRITICAL, "cannot connect"},
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
		if (r.status != HD_OK && r.status != HD_UNKNOWN && r.status != HD_SKIPPED &&
		    (!r.remedy || !*r.remedy))
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
