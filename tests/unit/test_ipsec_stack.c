/* The IPsec stack's parsers: /proc/modules lines, policy statements, and the credential files a
 * policy file names (the project's rule, see ipsec_stack.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ipsec_stack.h"

static const char modules[] = "ipsec_engine 81920 2 - Live 0x0000000000000000\n"
			      "xfrm_user 53248 1 - Live 0x0000000000000000 (E)\n"
			      "nf_tables 339968 0 - Live 0xffffffffc0a00000\n"
			      "ipsec_engine_helper 16384 0 ipsec_engine, Loading 0x0\n"
			      "last_line 4096 0 - Unloading 0x0"; /* no newline at the end */

static void test_modules(void **state)
{
	static const struct {
		const char *name;
		int want;
		const char *state;
	} cases[] = {
	    {"ipsec_engine", 1, "Live"},
	    {"ipsec-engine", 1, "Live"}, /* '-' and '_' are one to the kernel */
	    {"ipsec_eng", 0, ""},	 /* a prefix is another module */
	    {"engine", 0, ""},
	    {"ipsec_engine_helper", 1, "Loading"},
	    {"xfrm_user", 1, "Live"},
	    {"last_line", 1, "Unloading"},
	    {"0x0", 0, ""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char st[32] = "x";
		int got =
		    ipsec_module_listed(modules, strlen(modules), cases[i].name, st, sizeof(st));
		if (got != cases[i].want || strcmp(st, cases[i].state) != 0)
			fail_msg("%s: %d '%s', wanted %d '%s'", cases[i].name, got, st,
				 cases[i].want, cases[i].state);
	}
	assert_int_equal(ipsec_module_listed("", 0, "ipsec_engine", NULL, 0), 0);
}

static void test_statements(void **state)
{
	static const struct {
		const char *text;
		size_t want;
	} cases[] = {
	    {"", 0},
	    {"\n\n   \n\t\n", 0},
	    {"# all comments\n; here\n// too\n   # indented\n", 0},
	    {"connection a {\n  local-address 10.0.0.1\n}\n", 3},
	    {"# one\nconnection b\r\n\r\n", 1},
	    {"no newline at the end", 1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ipsec_policy_statements(cases[i].text, strlen(cases[i].text)) != cases[i].want)
			fail_msg("case %zu: %zu statements, wanted %zu", i,
				 ipsec_policy_statements(cases[i].text, strlen(cases[i].text)),
				 cases[i].want);
}

struct want_ref {
	const char *path;
	enum ipsec_cred_kind kind;
	int line;
};

static void expect_refs(const char *text, const struct want_ref *want, size_t nwant)
{
	struct ipsec_refs refs = {0};

	ipsec_policy_refs(text, strlen(text), "/etc/ipsec", &refs);
	if (refs.n != nwant) {
		for (size_t i = 0; i < refs.n; i++)
			fprintf(stderr, "  found %s (%s, line %d)\n", refs.v[i].path,
				ipsec_kind_name(refs.v[i].kind), refs.v[i].line);
		fail_msg("%zu files found, wanted %zu in:\n%s", refs.n, nwant, text);
	}
	for (size_t i = 0; i < nwant; i++)
		if (strcmp(refs.v[i].path, want[i].path) != 0 || refs.v[i].kind != want[i].kind ||
		    refs.v[i].line != want[i].line)
			fail_msg("file %zu: %s %s line %d, wanted %s %s line %d", i, refs.v[i].path,
				 ipsec_kind_name(refs.v[i].kind), refs.v[i].line, want[i].path,
				 ipsec_kind_name(want[i].kind), want[i].line);
	ipsec_refs_free(&refs);
}

static void test_refs(void **state)
{
	static const char policy[] =
	    "# certificate /etc/ipsec/commented.der\n"			   /* 1 */
	    "certificate host { file = \"/etc/ipsec/host.der\"; }\n"	   /* 2 */
	    "private-key \"/etc/ipsec/host.key\"\n"			   /* 3 */
	    "ca-certificate /etc/ipsec/ca.der trusted\n"		   /* 4 */
	    "trusted-cert /etc/ipsec/root.der\n"			   /* 5 */
	    "crl /etc/ipsec/ca.crl\n"					   /* 6 */
	    "certificate /a/peer.der private-key /a/peer.p8\n"		   /* 7 */
	    "file peer2.cer\n"						   /* 8 */
	    "log-file /var/log/ipsec.log\n"				   /* 9 */
	    "local-address 10.0.0.1/24 remote-address 192.0.2.0/24\n"	   /* 10 */
	    "ca: /etc/ipsec/other-ca.crt\n"				   /* 11 */
	    "certificate host-again { file = \"/etc/ipsec/host.der\"; }\n" /* 12: twice */
	    "revocation-list /etc/ipsec/list.crl\n"			   /* 13: by extension */
	    "  // crl /etc/ipsec/commented.crl\n";			   /* 14 */
	static const struct want_ref want[] = {
	    {"/etc/ipsec/host.der", IPSEC_CERT, 2},
	    {"/etc/ipsec/host.key", IPSEC_KEY, 3},
	    {"/etc/ipsec/ca.der", IPSEC_CA, 4},
	    {"/etc/ipsec/root.der", IPSEC_CA, 5},
	    {"/etc/ipsec/ca.crl", IPSEC_CRL, 6},
	    {"/a/peer.der", IPSEC_CERT, 7},
	    {"/a/peer.p8", IPSEC_KEY, 7},
	    {"/etc/ipsec/peer2.cer", IPSEC_CERT, 8},
	    {"/etc/ipsec/other-ca.crt", IPSEC_CA, 11},
	    {"/etc/ipsec/list.crl", IPSEC_CRL, 13},
	};
	(void)state;
	expect_refs(policy, want, sizeof(want) / sizeof(want[0]));
	expect_refs("", NULL, 0);
	expect_refs("connection a { local-address 10.0.0.1; }\n", NULL, 0);
	/* an absolute name with neither a credential word nor extension is not a credential */
	expect_refs("dump-dir /var/tmp/ipsec\n", NULL, 0);
	/* a relative name next to a policy file at the top of the tree */
	{
		struct ipsec_refs refs = {0};
		ipsec_policy_refs("cert host.der", 13, "/", &refs);
		assert_int_equal(refs.n, 1);
		assert_string_equal(refs.v[0].path, "/host.der");
		ipsec_refs_free(&refs);
	}
	/* the extension decides where the words do not */
	{
		static const struct want_ref w[] = {{"/x/y.key", IPSEC_KEY, 1},
						    {"/x/z.crl", IPSEC_CRL, 2}};
		expect_refs("file /x/y.key\nfile /x/z.crl", w, 2);
	}
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(ipsec_kind_name(IPSEC_CERT), "certificate");
	assert_string_equal(ipsec_kind_name(IPSEC_CA), "CA certificate");
	assert_string_equal(ipsec_kind_name(IPSEC_KEY), "private key");
	assert_string_equal(ipsec_kind_name(IPSEC_CRL), "CRL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_modules),
	    cmocka_unit_test(test_statements),
	    cmocka_unit_test(test_refs),
	    cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
