/* Other users' text made safe: escapes for a terminal and JSON, and shell words that a shell
 * reads back as the very bytes they came from (bash, and dash for the quoted form). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "result.h"
#include "text.h"
#include "util.h"

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"fsavd", "fsavd"},
	    {"a\033[2Jb", "a\\x1b[2Jb"}, /* a terminal's escape sequence */
	    {"a\xc2\x9b"
	     "31m",
	     "a\\u009b31m"}, /* C1 CSI as UTF-8 */
	    {"\x9b"
	     "31m",
	     "\\x9b31m"},			 /* C1 CSI as one byte: not UTF-8 */
	    {"x\xff\xfey", "x\\xff\\xfey"},	 /* not UTF-8 */
	    {"\xed\xa0\x80", "\\xed\\xa0\\x80"}, /* a surrogate */
	    {"\xc0\xaf", "\\xc0\\xaf"},		 /* an overlong '/' */
	    {"l\xe2\x80\xaeol", "l\\u202eol"},	 /* right-to-left override */
	    {"line\nfake [ OK ]", "line\\nfake [ OK ]"},
	    {"tab\there\r", "tab\\there\\r"},
	    {"back\\slash", "back\\\\slash"},
	    {"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"},
	    {"\x7f", "\\x7f"},
	};
	char small[8];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = hd_text_escape(cases[i].in, strlen(cases[i].in));
		if (strcmp(got, cases[i].out) != 0)
			fail_msg("case %zu: '%s', wanted '%s'", i, got, cases[i].out);
		assert_true(hd_utf8_valid(got, strlen(got)));
		free(got);
	}
	/* into a small buffer: cut before an escape, never inside one */
	hd_text_escape_to(small, sizeof(small), "ab\033cd", 5);
	assert_string_equal(small, "ab\\x1bc");
	hd_text_escape_to(small, sizeof(small), "abcde\033", 6);
	assert_string_equal(small, "abcde");
	hd_text_escape_to(small, sizeof(small), "ab\xc3\xa9\xc3\xa9\xc3\xa9", 8);
	assert_string_equal(small, "ab\xc3\xa9\xc3\xa9");
}

/* What SHELL prints for `printf %s WORD`. */
static char *shell_echo(const char *shell, const char *word)
{
	char *cmd = hd_asprintf("printf %%s %s", word);
	int p[2];
	pid_t pid;
	struct hd_buf b = {0};
	char buf[256];
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execlp(shell, shell, "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		hd_buf_add(&b, buf, (size_t)n);
	close(p[0]);
	waitpid(pid, NULL, 0);
	free(cmd);
	return hd_buf_steal(&b);
}

static void test_shell_quote(void **state)
{
	static const char *const words[] = {
	    "python3",	   "a;id>/tmp/pwn",   "$(reboot)", "`id`",	"it's",	       "a b",
	    "-rf",	   "core.1234",	      "core.$x",   "x\033[31m", "\xff\xfe;id", "'",
	    "back\\slash", "l\xe2\x80\xaeol", "*",	   "~root",	"a\nb",	       "",
	};
	char *q;

	(void)state;
	q = hd_shell_quote("python3");
	assert_string_equal(q, "python3");
	free(q);
	q = hd_shell_quote("a;id>/tmp/pwn");
	assert_string_equal(q, "'a;id>/tmp/pwn'");
	free(q);
	q = hd_shell_quote("x\033[31m");
	assert_string_equal(q, "$'x\\x1b[31m'");
	assert_true(hd_utf8_valid(q, strlen(q)));
	free(q);
	q = hd_shell_quote("");
	assert_string_equal(q, "''");
	free(q);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char *back;

		q = hd_shell_quote(words[i]);
		/* nothing a terminal would act on, nothing that is not UTF-8 */
		assert_true(hd_utf8_valid(q, strlen(q)));
		for (const char *p = q; *p; p++)
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
		back = shell_echo("bash", q);
		if (strcmp(back, words[i]) != 0)
			fail_msg("bash read %s back as '%s'", q, back);
		free(back);
		if (q[0] != '$') { /* the plain and '...' forms are POSIX sh */
			back = shell_echo("sh", q);
			if (strcmp(back, words[i]) != 0)
				fail_msg("sh read %s back as '%s'", q, back);
			free(back);
		}
		free(q);
	}
}

static void test_sanitize(void **state)
{
	struct hd_result r;

	(void)state;
	hd_result_init(&r);
	r.id = hd_xstrdup("c");
	r.summary = hd_xstrdup("held by \033]0;pwned\007x\nfake line");
	r.details = hd_xstrdup("one\ntwo\tthree \xff");
	r.remedy = hd_xstrdup("kill 1\n\033[2J");
	hd_result_metric(&r, "m", 1, HD_UNIT_NONE)->help = hd_xstrdup("h\xc3");
	hd_result_command(&r, "kill", "1", NULL);
	hd_result_command(&r, "systemctl", "stop", "a\033[2J", NULL);
	hd_result_command(&r, "ss", "-anp", NULL);
	hd_result_concerns(&r, HD_CONCERN_UNIT, "x\xff.service");
	hd_result_sanitize(&r);
	assert_string_equal(r.summary, "held by \\x1b]0;pwned\\x07x\\nfake line");
	/* an argument that cannot be given as it is drops its command, never changes it */
	assert_int_equal(r.ncommands, 2);
	assert_string_equal(r.commands[0][0], "kill");
	assert_string_equal(r.commands[1][0], "ss");
	assert_string_equal(r.units[0], "x\\xff.service");
	assert_string_equal(r.details, "one\ntwo\tthree \\xff"); /* its own lines stay lines */
	assert_string_equal(r.remedy, "kill 1\n\\x1b[2J");
	assert_string_equal(r.metrics[0].help, "h\\xc3");
	hd_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_shell_quote),
	    cmocka_unit_test(test_sanitize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
