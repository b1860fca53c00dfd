/* smtp-reach's reply parser: single and multi-line replies, partial input, and what is not SMTP. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "probe_smtp_reach.h"

struct reply_case {
	const char *bytes;
	int rc, code;
	size_t used;
	const char *text;
};

static const struct reply_case cases[] = {
    {"220 mx.example ESMTP\r\n", 1, 220, 22, "mx.example ESMTP"},
    {"220 mx.example ESMTP\n", 1, 220, 21, "mx.example ESMTP"},
    {"220\r\n", 1, 220, 5, ""},
    {"250-mx\r\n250-SIZE 100\r\n250 8BITMIME\r\n", 1, 250, 36, "mx; SIZE 100; 8BITMIME"},
    {"554 5.7.1 no service\r\n221 bye\r\n", 1, 554, 22, "5.7.1 no service"},
    {"220 partial", 0, 0, 0, ""},
    {"250-first\r\n250 sec", 0, 0, 0, ""},
    {"", 0, 0, 0, ""},
    {"HTTP/1.1 400 Bad Request\r\n", -EINVAL, 0, 0, ""},
    {"22 short\r\n", -EINVAL, 0, 0, ""},
    {"220x\r\n", -EINVAL, 0, 0, ""},
    {"250-a\r\n251 b\r\n", -EINVAL, 0, 0, ""},
    {"150 too low\r\n", -EINVAL, 0, 0, ""},
    {"SSH-2.0-OpenSSH_9.2\r\n", -EINVAL, 0, 0, ""},
};

static void test_replies(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct reply_case *c = &cases[i];
		char text[128];
		int code = 0;
		size_t used = 0;
		int rc =
		    smtp_parse_reply(c->bytes, strlen(c->bytes), &code, &used, text, sizeof(text));
		if (rc != c->rc)
			fail_msg("'%s': rc %d, wanted %d", c->bytes, rc, c->rc);
		if (rc == 1 && (code != c->code || used != c->used || strcmp(text, c->text)))
			fail_msg("'%s': %d %zu '%s'", c->bytes, code, used, text);
	}
}

static void test_long_line(void **state)
{
	static char big[4000];
	char text[16];
	int code;
	size_t used;

	(void)state;
	memset(big, 'a', sizeof(big));
	memcpy(big, "220 ", 4);
	/* no end of line in sight after far more than a reply line may hold */
	assert_int_equal(smtp_parse_reply(big, sizeof(big), &code, &used, text, sizeof(text)),
			 -EINVAL);
	big[sizeof(big) - 2] = '\r';
	big[sizeof(big) - 1] = '\n';
	/* a long but complete line: the text is cut, not overflowed */
	assert_int_equal(smtp_parse_reply(big, sizeof(big), &code, &used, text, sizeof(text)), 1);
	assert_int_equal(strlen(text), sizeof(text) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replies),
	    cmocka_unit_test(test_long_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
