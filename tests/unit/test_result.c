/* The structured remedy of a result: command lines into argv lists, what a remedy concerns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

static char *joined(const struct hd_result *r)
{
	static char buf[1024];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->ncommands; i++) {
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s[", i ? " " : "");
		for (char **a = r->commands[i]; *a; a++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s<%s>",
						a == r->commands[i] ? "" : ",", *a);
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "]");
	}
	return buf;
}

static void test_command_lines(void **state)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
	    {"systemctl restart fsavd", "[<systemctl>,<restart>,<fsavd>]"},
	    {"  ethtool -G eth0 rx 4096  tx 4096 ",
	     "[<ethtool>,<-G>,<eth0>,<rx>,<4096>,<tx>,<4096>]"},
	    {"apt-get update && apt-get full-upgrade",
	     "[<apt-get>,<update>] [<apt-get>,<full-upgrade>]"},
	    {"chown root:root /opt/x", "[<chown>,<root:root>,</opt/x>]"},
	    /* shell syntax: not a command a tool could run as an argv list */
	    {"echo 'x' > /etc/sysctl.d/x.conf && sysctl --system", ""},
	    {"ls /proc/PID/fd | wc -l", ""},
	    {"a; b", ""},
	    {"sleep 1 &", ""},
	    {"a &&b", ""},
	    {"x $(id)", ""},
	    {"", ""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hd_result r;
		hd_result_init(&r);
		hd_result_command_line(&r, cases[i].line);
		assert_string_equal(joined(&r), cases[i].want);
		hd_result_free(&r);
	}
}

static void test_remedy_command_and_concerns(void **state)
{
	struct hd_result r, copy;

	(void)state;
	hd_result_init(&r);
	hd_result_remedy(&r, "Fix the mode:");
	hd_result_remedy_command(&r, "chmod %04o %s", 0755, "/opt/app");
	hd_result_command(&r, "sysctl", "-w", "kernel.sem=250 128000 32 512", NULL);
	hd_result_concerns(&r, HD_CONCERN_FILE, "/etc/sysctl.d/%s", "90-semaphores.conf");
	hd_result_concerns(&r, HD_CONCERN_FILE, "/etc/sysctl.d/90-semaphores.conf");
	hd_result_concerns(&r, HD_CONCERN_PACKAGE, "linux-headers-%s", "6.1.0-18-amd64");
	hd_result_concerns(&r, HD_CONCERN_UNIT, "fsigk.service");
	assert_string_equal(r.remedy, "Fix the mode:\nchmod 0755 /opt/app");
	assert_string_equal(joined(&r), "[<chmod>,<0755>,</opt/app>] "
					"[<sysctl>,<-w>,<kernel.sem=250 128000 32 512>]");
	assert_int_equal(r.nfiles, 1);
	assert_int_equal(r.npackages, 1);
	assert_int_equal(r.nunits, 1);
	hd_result_copy(&copy, &r);
	assert_string_equal(joined(&copy), joined(&r));
	assert_string_equal(copy.packages[0], "linux-headers-6.1.0-18-amd64");
	hd_result_clear_actions(&r);
	assert_int_equal(r.ncommands + r.nfiles + r.npackages + r.nunits, 0);
	hd_result_free(&r);
	hd_result_free(&copy);
}

static void test_severity(void **state)
{
	struct hd_result r;

	(void)state;
	hd_result_init(&r);
	assert_string_equal(hd_result_severity(&r), "info");
	r.status = HD_CRITICAL;
	assert_string_equal(hd_result_severity(&r), "high");
	r.status = HD_WARNING;
	assert_string_equal(hd_result_severity(&r), "medium");
	r.severity = strdup("low");
	assert_string_equal(hd_result_severity(&r), "low");
	r.status = HD_SKIPPED;
	assert_string_equal(hd_result_severity(&r), "info");
	hd_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_command_lines),
	    cmocka_unit_test(test_remedy_command_and_concerns),
	    cmocka_unit_test(test_severity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
