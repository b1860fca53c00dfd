/* selinux-avc's parser: AVC records of audit.log and of syslog, matched by name, by the event's
 * executable (its SYSCALL record) or by the object's path; permissive and old denials. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe_selinux_avc.h"

static const char audit_log[] =
    "type=AVC msg=audit(1700000100.101:501): avc:  denied  { read } for  pid=2211 "
    "comm=\"fsavd\" name=\"fsmgr.so\" dev=\"sda1\" ino=1234 "
    "scontext=system_u:system_r:unconfined_service_t:s0 "
    "tcontext=system_u:object_r:default_t:s0 tclass=file permissive=0\n"
    "type=SYSCALL msg=audit(1700000100.101:501): arch=c000003e syscall=257 success=no exit=-13 "
    "pid=2211 comm=\"fsavd\" exe=\"/opt/f-secure/fsigk/bin/fsavd\" key=(null)\n"
    "type=AVC msg=audit(1700000200.202:502): avc:  denied  { open } for  pid=3300 "
    "comm=\"worker\" path=\"/var/lib/other/db\" scontext=a tcontext=b tclass=file permissive=0\n"
    "type=SYSCALL msg=audit(1700000200.202:502): arch=c000003e syscall=257 pid=3300 "
    "comm=\"worker\" exe=\"/opt/f-secure/fsigk/libexec/worker\"\n"
    "type=AVC msg=audit(1700000300.303:503): avc:  denied  { getattr } for  pid=99 "
    "comm=\"httpd\" path=\"/opt/f-secure/fsigk/conf/fsigk.ini\" scontext=c tcontext=d "
    "tclass=file permissive=0\n"
    "type=AVC msg=audit(1700000400.404:504): avc:  denied  { write } for  pid=98 "
    "comm=\"fsigk_http\" name=\"tmp\" scontext=e tcontext=f tclass=dir permissive=1\n"
    "type=AVC msg=audit(1700000500.505:505): avc:  denied  { read write } for  pid=97 "
    "comm=\"sshd\" name=\"x\" scontext=g tcontext=h tclass=file permissive=0\n"
    "type=AVC msg=audit(1700000600.606:506): avc:  granted  { setenforce } for pid=1 "
    "comm=\"fsigk_smtp\"\n";

static const char messages[] =
    "Mar  4 02:14:09 gw01 kernel: audit: type=1400 audit(1700000700.707:601): avc:  denied  "
    "{ execute } for  pid=4000 comm=\"fsigk_smtp\" name=\"libfsasd-lnx32.so\" dev=\"dm-0\" "
    "ino=77 scontext=system_u:system_r:unconfined_service_t:s0 "
    "tcontext=unconfined_u:object_r:user_tmp_t:s0 tclass=file permissive=0\n"
    "Mar  4 02:14:10 gw01 systemd[1]: Started something.\n";

static char *const comms[] = {"fsigk_*", "fsavd", "fsasd"};

static void test_audit_log(void **state)
{
	struct avc_filter f = {.dir = "/opt/f-secure/fsigk", .comm = comms, .ncomm = 3};
	struct avc_found got = {0};

	(void)state;
	avc_scan(audit_log, sizeof(audit_log) - 1, &f, &got);
	assert_int_equal(got.n, 3);
	/* by name; the executable from the SYSCALL record of the same event */
	assert_string_equal(got.v[0].comm, "fsavd");
	assert_string_equal(got.v[0].exe, "/opt/f-secure/fsigk/bin/fsavd");
	assert_string_equal(got.v[0].perms, "read");
	assert_string_equal(got.v[0].object, "fsmgr.so");
	assert_string_equal(got.v[0].tclass, "file");
	assert_string_equal(got.v[0].tcontext, "system_u:object_r:default_t:s0");
	assert_true(got.v[0].when > 1700000100.1 && got.v[0].when < 1700000100.2);
	/* by executable under the directory, whatever its name */
	assert_string_equal(got.v[1].comm, "worker");
	/* by the object's path under the directory */
	assert_string_equal(got.v[2].comm, "httpd");
	assert_string_equal(got.v[2].object, "/opt/f-secure/fsigk/conf/fsigk.ini");
	avc_found_free(&got);
}

static void test_filters(void **state)
{
	struct avc_filter byname = {.comm = comms, .ncomm = 3};
	struct avc_filter recent = {
	    .dir = "/opt/f-secure/fsigk", .comm = comms, .ncomm = 3, .since = 1700000250};
	struct avc_filter nothing = {.dir = "/opt/other"};
	struct avc_found got = {0};

	(void)state;
	avc_scan(audit_log, sizeof(audit_log) - 1, &byname, &got);
	assert_int_equal(got.n, 1); /* fsavd; fsigk_http's was permissive */
	avc_found_free(&got);
	avc_scan(audit_log, sizeof(audit_log) - 1, &recent, &got);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.older, 2);
	avc_found_free(&got);
	avc_scan(audit_log, sizeof(audit_log) - 1, &nothing, &got);
	assert_int_equal(got.n, 0);
	avc_found_free(&got);
}

static void test_syslog_and_twice(void **state)
{
	struct avc_filter f = {.dir = "/opt/f-secure/fsigk", .comm = comms, .ncomm = 3};
	struct avc_found got = {0};

	(void)state;
	avc_scan(messages, sizeof(messages) - 1, &f, &got);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.v[0].comm, "fsigk_smtp");
	assert_string_equal(got.v[0].perms, "execute");
	/* the same event read again (audit.log and messages both): counted once */
	avc_scan(messages, sizeof(messages) - 1, &f, &got);
	assert_int_equal(got.n, 1);
	avc_found_free(&got);
}

static void test_fields_and_garbage(void **state)
{
	static const char junk[] = "avc: denied\naudit(: avc: denied {\n"
				   "type=AVC msg=audit(12:34 avc: denied { x } comm=\"a\"\n"
				   "\x01\x02 avc: denied audit(1.0:1) comm=\"fsavd\" {\n";
	struct avc_filter f = {.comm = comms, .ncomm = 3};
	struct avc_found got = {0};
	char v[16];

	(void)state;
	assert_true(avc_field("a=1 comm=\"x y\" b", 17, "comm", v, sizeof(v)));
	assert_string_equal(v, "x y");
	assert_true(avc_field("tclass=file", 11, "tclass", v, sizeof(v)));
	assert_string_equal(v, "file");
	assert_false(avc_field("xcomm=1", 7, "comm", v, sizeof(v)));
	avc_scan(junk, sizeof(junk) - 1, &f, &got);
	assert_int_equal(got.n, 1); /* the last line has a stamp and a name: it counts */
	assert_string_equal(got.v[0].perms, "");
	avc_found_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_audit_log),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_syslog_and_twice),
	    cmocka_unit_test(test_fields_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
