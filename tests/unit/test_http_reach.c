/* http-reach: what each libcurl outcome is called, and the expect_status syntax. */
#include <curl/curl.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "probe_http_reach.h"

struct classify_case {
	const char *name;
	struct http_facts f;
	bool expected;
	enum http_outcome want;
};

static const struct classify_case classify_cases[] = {
    {"200", {CURLE_OK, 200, 0, false, true, true, false}, true, HTTP_REACHED},
    {"200, body cut by us",
     {CURLE_WRITE_ERROR, 200, 0, false, true, true, true},
     true,
     HTTP_REACHED},
    {"write error not ours",
     {CURLE_WRITE_ERROR, 200, 0, false, true, true, false},
     true,
     HTTP_FAILED},
    {"503", {CURLE_WRITE_ERROR, 503, 0, false, true, true, true}, false, HTTP_UNAVAILABLE},
    {"503 listed as expected", {CURLE_OK, 503, 0, false, true, true, false}, true, HTTP_REACHED},
    {"404", {CURLE_OK, 404, 0, false, true, true, false}, false, HTTP_BAD_STATUS},
    {"dns", {CURLE_COULDNT_RESOLVE_HOST, 0, 0, false, false, false, false}, false, HTTP_DNS},
    {"proxy dns",
     {CURLE_COULDNT_RESOLVE_PROXY, 0, 0, true, false, false, false},
     false,
     HTTP_PROXY_DNS},
    {"refused", {CURLE_COULDNT_CONNECT, 0, 0, false, true, false, false}, false, HTTP_REFUSED},
    {"proxy refused the TCP connection",
     {CURLE_COULDNT_CONNECT, 0, 0, true, true, false, false},
     false,
     HTTP_PROXY_CONNECT},
    {"dns timeout: no peer",
     {CURLE_OPERATION_TIMEDOUT, 0, 0, false, false, false, false},
     false,
     HTTP_DNS_TIMEOUT},
    {"proxy dns timeout",
     {CURLE_OPERATION_TIMEDOUT, 0, 0, true, false, false, false},
     false,
     HTTP_PROXY_DNS_TIMEOUT},
    {"connect timeout",
     {CURLE_OPERATION_TIMEDOUT, 0, 0, false, true, false, false},
     false,
     HTTP_CONNECT_TIMEOUT},
    {"no response",
     {CURLE_OPERATION_TIMEDOUT, 0, 0, false, true, true, false},
     false,
     HTTP_NO_RESPONSE},
    {"CONNECT 403", {CURLE_RECV_ERROR, 0, 403, true, true, true, false}, false, HTTP_PROXY_REFUSED},
    {"CONNECT 407", {CURLE_RECV_ERROR, 0, 407, true, true, true, false}, false, HTTP_PROXY_AUTH},
    {"forward proxy 407", {CURLE_OK, 407, 0, true, true, true, false}, false, HTTP_PROXY_AUTH},
    {"407 without a proxy is the server's",
     {CURLE_OK, 407, 0, false, true, true, false},
     false,
     HTTP_BAD_STATUS},
    {"CONNECT 200 then 503",
     {CURLE_OK, 503, 200, true, true, true, false},
     false,
     HTTP_UNAVAILABLE},
    {"tls", {CURLE_PEER_FAILED_VERIFICATION, 0, 0, false, true, true, false}, false, HTTP_TLS},
    {"other", {CURLE_GOT_NOTHING, 0, 0, false, true, true, false}, false, HTTP_FAILED},
};

static void test_classify(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(classify_cases) / sizeof(classify_cases[0]); i++) {
		const struct classify_case *c = &classify_cases[i];
		enum http_outcome o = http_classify(&c->f, c->expected);
		if (o != c->want)
			fail_msg("%s: %s, wanted %s", c->name, http_outcome_name(o),
				 http_outcome_name(c->want));
	}
}

struct status_case {
	const char *specs[4];
	long code;
	int want;
};

static const struct status_case status_cases[] = {
    {{"200-399"}, 200, 1},    {{"200-399"}, 399, 1},
    {{"200-399"}, 400, 0},    {{"200-399"}, 199, 0},
    {{"200", "204"}, 204, 1}, {{"200", "204"}, 201, 0},
    {{"2xx"}, 250, 1},	      {{"2XX"}, 300, 0},
    {{"301", "5xx"}, 503, 1}, {{"abc"}, 200, -EINVAL},
    {{"200-"}, 200, -EINVAL}, {{"300-200"}, 250, -EINVAL},
    {{"99"}, 99, -EINVAL},    {{"200", "x"}, 200, -EINVAL},
    {{"2xx5"}, 200, -EINVAL}, {{"600"}, 600, -EINVAL},
};

static void test_status(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]); i++) {
		const struct status_case *c = &status_cases[i];
		const char *bad = NULL;
		int got = http_status_expected((char *const *)c->specs, c->code, &bad);
		if (got != c->want)
			fail_msg("case %zu ('%s', %ld): %d, wanted %d", i, c->specs[0], c->code,
				 got, c->want);
		if (got < 0 && !bad)
			fail_msg("case %zu: the bad spec is not named", i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
