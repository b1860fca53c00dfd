/* The evidence store on a real directory: ids (a second taken twice), the order and the bound
 * (oldest out first, the newest kept), lookups (last, an id, a unique start, an ambiguous one, a
 * corrupt or foreign file), and what explain and doctor show from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "result.h"
#include "util.h"

static char dir[256];

static int setup(void **state)
{
	char why[256];
	int fd;
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/hd-evidence-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0700);
	fd = hd_evidence_open(dir, true, why, sizeof(why));
	assert_true(fd >= 0);
	*state = (void *)(intptr_t)fd;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	close((int)(intptr_t)*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* An evidence report of ENTRY at WHEN whose check CHECK was in STATUS with SUMMARY, padded to
 * about PAD bytes. */
static void put(int fd, const char *entry, time_t when, const char *check, const char *status,
		const char *summary, size_t pad, char *id, size_t idlen)
{
	char *pads = hd_xcalloc(pad + 1, 1);
	char *text;

	memset(pads, 'x', pad);
	text = hd_asprintf(
	    "{\"schema\": 2, \"kind\": \"%s\", \"entry\": {\"id\": \"%s\"}, \"checked_unix\": %lld,"
	    " \"status\": \"%s\", \"pad\": \"%s\", \"results\": [{\"id\": \"%s\","
	    " \"status\": \"%s\", \"summary\": \"%s\"}]}",
	    HD_EVIDENCE_KIND, entry, (long long)when, status, pads, check, status, summary);
	assert_int_equal(hd_evidence_new_id(fd, entry, when, id, idlen), 0);
	assert_int_equal(hd_evidence_write(fd, id, text, strlen(text)), 0);
	free(text);
	free(pads);
}

static void test_ids_and_order(void **state)
{
	int fd = (int)(intptr_t)*state;
	time_t t = 1795000000; /* 2026-11-18T11:06:40Z */
	char a[320], b[320], c[320];
	struct hd_evidence_file *v;
	size_t n;
	struct stat st;

	put(fd, "fsigk-semget-failure", t + 10, "fsigk-semaphores", "CRITICAL", "none free", 10, b,
	    sizeof(b));
	put(fd, "fsigk-semget-failure", t + 10, "fsigk-semaphores", "OK", "free", 10, c, sizeof(c));
	put(fd, "fsigk-bind-address-in-use", t, "fsigk-http-port", "CRITICAL", "held by httpd", 10,
	    a, sizeof(a));
	assert_string_equal(a, "20261118T110640Z-fsigk-bind-address-in-use");
	assert_string_equal(b, "20261118T110650Z-fsigk-semget-failure");
	/* the same second taken again */
	assert_string_equal(c, "20261118T110650Z-fsigk-semget-failure~2");
	/* something else in the directory is not evidence */
	close(openat(fd, "notes.txt", O_WRONLY | O_CREAT, 0600));
	assert_int_equal(symlinkat("/etc/passwd", fd, "20261118T000000Z-x.json"), 0);

	n = hd_evidence_files(fd, &v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].id, a); /* oldest first: by the time in the name */
	assert_string_equal(v[1].id, b);
	assert_string_equal(v[2].id, c);
	assert_string_equal(v[2].entry, "fsigk-semget-failure");
	assert_true(v[0].when == t);
	hd_evidence_files_free(v, n);
	assert_int_equal(fstatat(fd, "20261118T110640Z-fsigk-bind-address-in-use.json", &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_lookup(void **state)
{
	int fd = (int)(intptr_t)*state;
	struct json_object *o = NULL;
	char id[320], err[512];

	assert_int_equal(hd_evidence_load(fd, "last", &o, id, sizeof(id), err, sizeof(err)), 0);
	assert_string_equal(id, "20261118T110650Z-fsigk-semget-failure~2");
	json_object_put(o);
	assert_int_equal(
	    hd_evidence_load(fd, "20261118T110640Z", &o, id, sizeof(id), err, sizeof(err)), 0);
	assert_string_equal(id, "20261118T110640Z-fsigk-bind-address-in-use");
	json_object_put(o);
	/* an id that is also the start of another one is that id */
	assert_int_equal(hd_evidence_load(fd, "20261118T110650Z-fsigk-semget-failure", &o, id,
					  sizeof(id), err, sizeof(err)),
			 0);
	assert_string_equal(id, "20261118T110650Z-fsigk-semget-failure");
	json_object_put(o);
	assert_int_equal(
	    hd_evidence_load(fd, "20261118T1106", &o, id, sizeof(id), err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "3 evidence reports start with '20261118T1106'"));
	assert_int_equal(hd_evidence_load(fd, "2025", &o, id, sizeof(id), err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "no evidence 2025");
	/* a file of the right name that is not a report */
	assert_int_equal(hd_evidence_write(fd, "20261118T050000Z-junk", "{\"a\": 1}", 8), 0);
	assert_int_equal(
	    hd_evidence_load(fd, "20261118T050000Z-junk", &o, id, sizeof(id), err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "not a hostdoctor evidence report"));
	unlinkat(fd, "20261118T050000Z-junk.json", 0);
}

static void test_explain_and_notes(void **state)
{
	int fd = (int)(intptr_t)*state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct hd_result rs[2];
	struct hd_note *notes;
	size_t n;
	char id[320];
	time_t now = time(NULL);

	assert_true(hd_evidence_explain(f, fd, "fsigk-bind-address-in-use"));
	assert_false(hd_evidence_explain(f, fd, "amp-fault-5"));
	fclose(f);
	assert_non_null(strstr(buf, "watch found (hostdoctor evidence show "
				    "20261118T110640Z-fsigk-bind-address-in-use)"));
	assert_non_null(strstr(buf, "[CRIT] fsigk-http-port: held by httpd"));
	free(buf);

	/* doctor: recent reports only; OK ones with ALL */
	put(fd, "fsigk-bind-address-in-use", now - 60, "fsigk-http-port", "CRITICAL",
	    "tcp/9080 is not free: held by httpd (pid 812)", 10, id, sizeof(id));
	put(fd, "fsigk-semget-failure", now - 30, "fsigk-semaphores", "OK", "8 free", 10, id,
	    sizeof(id));
	memset(rs, 0, sizeof(rs));
	rs[0].id = "fsigk-http-port";
	rs[1].id = "fsigk-semaphores";
	n = hd_evidence_notes(fd, rs, 2, 3600, false, &notes);
	assert_int_equal(n, 1);
	assert_string_equal(notes[0].check, "fsigk-http-port");
	assert_non_null(strstr(notes[0].text, "when fsigk-bind-address-in-use was logged: [CRIT] "
					      "tcp/9080 is not free: held by httpd (pid 812)"));
	hd_evidence_notes_free(notes, n);
	n = hd_evidence_notes(fd, rs, 2, 3600, true, &notes);
	assert_int_equal(n, 2);
	hd_evidence_notes_free(notes, n);
}

static void test_bound(void **state)
{
	int fd = (int)(intptr_t)*state;
	struct hd_evidence_file *v;
	char id[320], newest[320];
	size_t n, removed, total = 0;
	time_t t = 1796000000;

	for (int i = 0; i < 10; i++)
		put(fd, "t-check", t + i, "t-path", "OK", "fine", 1000, newest, sizeof(newest));
	removed = hd_evidence_prune(fd, 4000, newest);
	n = hd_evidence_files(fd, &v);
	for (size_t i = 0; i < n; i++)
		total += v[i].size;
	assert_true(total <= 4000);
	assert_true(removed >= 10);
	/* what is left is the newest reports */
	assert_string_equal(v[n - 1].id, newest);
	snprintf(id, sizeof(id), "%s", v[0].id);
	assert_true(strcmp(id, "20261130T") > 0);
	hd_evidence_files_free(v, n);
	/* a bound below one report keeps that report */
	hd_evidence_prune(fd, 10, newest);
	n = hd_evidence_files(fd, &v);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, newest);
	hd_evidence_files_free(v, n);
}

static void test_state_dir(void **state)
{
	char buf[4096], why[256];
	(void)state;

	hd_evidence_state_dir("/srv/root", NULL, buf, sizeof(buf));
	assert_string_equal(buf, "/srv/root/var/lib/hostdoctor");
	hd_evidence_state_dir("/srv/root", "/elsewhere", buf, sizeof(buf));
	assert_string_equal(buf, "/elsewhere");
	/* a state directory that is not there: no evidence, nothing created */
	assert_int_equal(hd_evidence_open("/tmp/hd-no-such-state-dir", false, why, sizeof(why)),
			 -ENOENT);
	assert_int_equal(access("/tmp/hd-no-such-state-dir", F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_and_order),     cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_explain_and_notes), cmocka_unit_test(test_bound),
	    cmocka_unit_test(test_state_dir),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
