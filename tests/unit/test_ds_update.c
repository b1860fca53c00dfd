/* ds-update's parsers: update results of TmuDump.txt and iau.log (document 004's own excerpts),
 * the component a failure names, timestamps, relay versions, and input that is not a log. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe_ds_update.h"

#define FIXTURES HD_TEST_SOURCE_DIR "/fixtures/ds-update"

/* 004's iau.log excerpt as the document prints it (its wrapped "File exists:" line kept) */
#define DOC_IAU                                                                                    \
	"[2014-May-28 06:39:39 4467|1085278544] [app] Merge "                                      \
	"[src/common/src/rtpatch_merger.cpp(129)]\n"                                               \
	"End Rtpatch Merge, result: IAU_STATUS_SUCCESS[0(0,0,0)]\n"                                \
	"[2014-May-28 06:39:39 4467|1085278544] [app] GetPackages "                                \
	"[src/core/src/context.cpp(802)]\n"                                                        \
	"Succeed to get update packages, start to install.\n"                                      \
	"[2014-May-28 06:39:41 4467|1085278544] [err] Install "                                    \
	"[src/common/src/remote_package.cpp(199)]\n"                                               \
	"Dynamic exception type: boost::filesystem3::filesystem_error\n"                           \
	"std::exception::what: boost::filesystem::copy_file: File exists:\n"                       \
	"\"/var/opt/ds_agent/lib/iaudata/iaudata5a/temp/3PAgPcpP/ssaptn.511\", "                   \
	"\"/var/opt/ds_agent/lib/resource/c3t536871936/151100/ssaptn.511\"\n"                      \
	"\n"                                                                                       \
	"Path1: /var/opt/ds_agent/lib/iaudata/iaudata5a/temp/3PAgPcpP/ssaptn.511\n"                \
	"Path2: /var/opt/ds_agent/lib/resource/c3t536871936/151100/ssaptn.511\n"                   \
	"[2014-May-28 06:39:41 4467|1085278544] [app] Update [src/core/src/context.cpp(487)]\n"    \
	"Update finished with result : IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]\n"
#define DOC_PATH2 "/var/opt/ds_agent/lib/resource/c3t536871936/151100/ssaptn.511"
/* 004's TmuDump.txt lines, yyyymmdd hh:mm:ss filled in */
#define DOC_TMU                                                                                    \
	"Err 20190829 03:12:45 2272 1592 HttpsConnection: Server Error: HTTP 503 Service "         \
	"Unavailable\n"                                                                            \
	"Err 20190829 03:12:45 2272 1592 TmDownloader: Service is under maintainence\n"
#define OK_IAU(ts)                                                                                 \
	"[" ts " 4467|1085278544] [app] Update [src/core/src/context.cpp(487)]\n"                  \
	"Update finished with result : IAU_STATUS_SUCCESS[0(0,0,0)]\n"
#define T_0528_063941 1401259181LL
#define T_0829_031245 1567048365LL

struct log_case {
	const char *name;
	const char *bytes;
	enum dsu_event last;
	unsigned failures;
	const char *code, *broken, *path2;
	long long when;
};

static const struct log_case cases[] = {
    {"empty", "", DSU_NONE, 0, "", "", "", -1},
    {"no results", "starting\nnothing to see\n", DSU_NONE, 0, "", "", "", -1},
    {"004 iau.log excerpt", DOC_IAU, DSU_FILE_EXISTS, 1,
     "IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]", "IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]",
     DOC_PATH2, T_0528_063941},
    {"a step's IAU_STATUS_SUCCESS is not the update's result",
     "[2014-May-28 06:39:39 4467|1085278544] [app] Merge [src/x.cpp(129)]\n"
     "End Rtpatch Merge, result: IAU_STATUS_SUCCESS[0(0,0,0)]\n"
     "Succeed to get update packages, start to install.\n",
     DSU_NONE, 0, "", "", "", -1},
    {"success", OK_IAU("2014-May-28 06:39:41"), DSU_SUCCESS, 0, "IAU_STATUS_SUCCESS[0(0,0,0)]", "",
     "", T_0528_063941},
    {"success after the failure clears it", DOC_IAU OK_IAU("2014-May-28 07:39:41"), DSU_SUCCESS, 0,
     "IAU_STATUS_SUCCESS[0(0,0,0)]", "", "", T_0528_063941 + 3600},
    {"004 TmuDump.txt: the 503 and its reason are one failure", DOC_TMU, DSU_MAINTENANCE, 1,
     "HTTP 503", "", "", T_0829_031245},
    {"a 503 alone",
     "Err 20190829 03:12:45 2272 1592 HttpsConnection: Server Error: HTTP 503 "
     "Service Unavailable\n",
     DSU_FAILED, 1, "HTTP 503", "", "", T_0829_031245},
    {"two maintenance windows are two failures", DOC_TMU DOC_TMU, DSU_MAINTENANCE, 2, "HTTP 503",
     "", "", T_0829_031245},
    {"File exists: with both paths on one line, no Path lines",
     "[2019-Aug-29 05:01:17 3120|1099112208] [err] Install [src/x.cpp(199)]\n"
     "std::exception::what: boost::filesystem::copy_file: File exists: \"/tmp/a/b.so\", "
     "\"/var/opt/ds_agent/lib/resource/c1t1/9750/vsapi64.so\"\n"
     "Update finished with result : IAURELAY_STATUS_NOT_AVAILABLE(-18)\n",
     DSU_RELAY_NA, 1, "IAURELAY_STATUS_NOT_AVAILABLE(-18)", "IAURELAY_STATUS_NOT_AVAILABLE(-18)",
     "/var/opt/ds_agent/lib/resource/c1t1/9750/vsapi64.so", 1567054877},
    {"a failure without a File exists line names no component",
     "Update finished with result : IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]\n", DSU_FILE_EXISTS,
     1, "IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]", "IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]",
     "", -1},
    {"the next update's paths are not the last one's",
     DOC_IAU "Path2: /var/opt/ds_agent/lib/resource/other\n", DSU_FILE_EXISTS, 1,
     "IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]", "IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]",
     DOC_PATH2, T_0528_063941},
    {"busy is no failure and keeps the broken component",
     DOC_IAU "[2014-May-28 08:00:00 4467|1085278544] [err] Update [src/x.cpp(455)]\n"
	     "Busy with exisiting update\n",
     DSU_BUSY, 1, "", "IAU_STATUS_FILE_EXISTS[-1073610747(3,2,5)]", DOC_PATH2,
     T_0528_063941 + 4819},
    {"another failed result", "Update finished with result : IAU_STATUS_UPDATE_FAIL[-1(1,0,0)]\n",
     DSU_FAILED, 1, "IAU_STATUS_UPDATE_FAIL[-1(1,0,0)]", "", "", -1},
    {"CRLF and no final newline",
     "x\r\n" OK_IAU("2014-May-28 06:39:41") "Path2: /a/b\r\n"
					    "IAU_STATUS_FILE_EXISTS\r",
     DSU_FILE_EXISTS, 1, "IAU_STATUS_FILE_EXISTS", "IAU_STATUS_FILE_EXISTS", "/a/b", T_0528_063941},
    {"corrected spellings are not the product's",
     "Busy with existing update\nService is under maintenance\n", DSU_NONE, 0, "", "", "", -1},
};

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct log_case *c = &cases[i];
		struct dsu_log l;
		int rc = dsu_parse_log(c->bytes, strlen(c->bytes), &l);

		if (rc != 0)
			fail_msg("%s: rc %d", c->name, rc);
		if (l.last != c->last)
			fail_msg("%s: last %s, wanted %s", c->name, dsu_event_name(l.last),
				 dsu_event_name(c->last));
		if (l.failures != c->failures)
			fail_msg("%s: failures %u, wanted %u", c->name, l.failures, c->failures);
		if (strcmp(l.code, c->code) || strcmp(l.broken_code, c->broken) ||
		    strcmp(l.path2, c->path2))
			fail_msg("%s: code '%s' broken '%s' path2 '%s'", c->name, l.code,
				 l.broken_code, l.path2);
		if (l.when != c->when)
			fail_msg("%s: when %lld, wanted %lld", c->name, l.when, c->when);
	}
}

/* the fixture of the integration test is the document's excerpt, and parses as it should */
static void test_fixture_excerpt(void **state)
{
	FILE *f = fopen(FIXTURES "/file-exists/var/opt/ds_agent/lib/iaulogs/iau.log", "r");
	char buf[8192];
	size_t n;
	struct dsu_log l;

	(void)state;
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_non_null(memmem(buf, n, DOC_IAU, strlen(DOC_IAU)));
	assert_int_equal(dsu_parse_log(buf, n, &l), 0);
	assert_int_equal(l.last, DSU_FILE_EXISTS);
	assert_string_equal(l.path2, DOC_PATH2);
	assert_int_equal(l.path2_lineno, 17);
	assert_int_equal(l.broken_lineno, 19);
}

static void test_times(void **state)
{
	static const struct {
		const char *line;
		long long when;
	} t[] = {
	    {"[2014-May-28 06:39:41 4467|1085278544] [err] Install", T_0528_063941},
	    {"[2014-may-28 06:39:41 1|2]", T_0528_063941},
	    {"Err 20190829 03:12:45 2272 1592 TmDownloader: x", T_0829_031245},
	    {"Inf 20190829 03:12:45 1 2 x", T_0829_031245},
	    {"Err 2019082 03:12:45 2272", -1},		   /* seven digits */
	    {"[2014-Foo-28 06:39:41 1|2]", -1},		   /* no such month */
	    {"[2014-May-28 25:39:41 1|2]", -1},		   /* no such hour */
	    {"2024-03-11 02:14:09.123000 [+0000]: x", -1}, /* not a form of these logs */
	    {"Update finished with result : x", -1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (dsu_line_time(t[i].line) != t[i].when)
			fail_msg("'%s': %lld, wanted %lld", t[i].line, dsu_line_time(t[i].line),
				 t[i].when);
}

static void test_versions(void **state)
{
	static const struct {
		const char *have;
		int rc;
		enum dsu_fix fix;
	} t[] = {
	    {"9.0 SP1 Patch 5", 0, DSU_FIX_HAS},
	    {"9.0 SP 1 Patch 5", 0, DSU_FIX_HAS}, /* the document's spelling */
	    {"9.0 sp1 patch 12", 0, DSU_FIX_HAS},
	    {"9.0 SP2", 0, DSU_FIX_HAS},
	    {"9.0 SP1 Patch 4", 0, DSU_FIX_LACKS},
	    {"9.0 SP1", 0, DSU_FIX_LACKS},
	    {"9.0", 0, DSU_FIX_LACKS},
	    {"9.0.5500", 0, DSU_FIX_UNKNOWN},
	    {"9.5", 0, DSU_FIX_OTHER_SERIES},
	    {"10.0", 0, DSU_FIX_OTHER_SERIES},
	    {"20.0.0-3445", 0, DSU_FIX_OTHER_SERIES},
	    {"9.0 SP1 Hotfix 2", -EINVAL, DSU_FIX_UNKNOWN},
	    {"nine", -EINVAL, DSU_FIX_UNKNOWN},
	    {"9.0 SP", -EINVAL, DSU_FIX_UNKNOWN},
	};
	struct dsu_version fixed, v;
	(void)state;
	assert_int_equal(dsu_parse_version("9.0 SP1 Patch 5", &fixed), 0);
	assert_int_equal(fixed.major * 1000 + fixed.minor * 100 + fixed.sp * 10 + fixed.patch,
			 9015);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = dsu_parse_version(t[i].have, &v);
		if (rc != t[i].rc)
			fail_msg("'%s': rc %d, wanted %d", t[i].have, rc, t[i].rc);
		if (rc == 0 && dsu_has_fix(&v, &fixed) != t[i].fix)
			fail_msg("'%s': fix %d, wanted %d", t[i].have, dsu_has_fix(&v, &fixed),
				 t[i].fix);
	}
}

static void test_binary(void **state)
{
	char zeros[4096] = {0};
	char torn[200] = OK_IAU("2014-May-28 06:39:41");
	size_t n = strlen(torn);
	struct dsu_log l;

	(void)state;
	assert_int_equal(dsu_parse_log(zeros, sizeof(zeros), &l), -EINVAL);
	/* a few NUL bytes in a text log (torn by a crash) are skipped, not fatal */
	memcpy(torn + n, "\0\0\0IAU_STATUS_FILE_EXISTS\n", 26);
	assert_int_equal(dsu_parse_log(torn, n + 26, &l), 0);
	assert_int_equal(l.last, DSU_FILE_EXISTS);
}

static void test_long_line(void **state)
{
	static char big[20000];
	static const char fin[] = "Update finished with result : IAU_STATUS_SUCCESS[0(0,0,0)] ";
	struct dsu_log l;

	(void)state;
	memset(big, 'x', sizeof(big));
	memcpy(big + 10, fin, strlen(fin));
	assert_int_equal(dsu_parse_log(big, sizeof(big), &l), 0);
	assert_int_equal(l.last, DSU_SUCCESS);
	assert_true(strlen(l.line) < sizeof(l.line));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),  cmocka_unit_test(test_fixture_excerpt),
	    cmocka_unit_test(test_times),  cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_binary), cmocka_unit_test(test_long_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
