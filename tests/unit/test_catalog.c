/* Message catalogue: every shipped sample finds its own entry and no other; bad files are named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "config.h"
#include "probes.h"

#define CATALOG_DIR HD_TEST_SOURCE_DIR "/../catalog"
#define CHECKS_DIR  HD_TEST_SOURCE_DIR "/../checks.d"
/* real-world logs beside the repository (Loghub samples), for "matches nothing unrelated" */
#define LOGHUB_DIR HD_TEST_SOURCE_DIR "/../../shared/corpus/loghub"

static void load_shipped(struct hd_catalog *cat)
{
	char err[1024];

	if (hd_catalog_load_dir(cat, CATALOG_DIR, err, sizeof(err)) != 0)
		fail_msg("shipped catalogue does not load: %s", err);
	assert_true(cat->n >= 40);
}

/* explain on a real instance of every catalogue entry finds that entry and no unrelated one */
static void test_every_sample_finds_its_entry_only(void **state)
{
	struct hd_catalog cat = {0};
	(void)state;
	load_shipped(&cat);
	for (size_t i = 0; i < cat.n; i++) {
		const struct hd_catalog_entry *e = &cat.entries[i];

		for (size_t s = 0; s < e->nsamples; s++) {
			size_t *idx = NULL;
			size_t n =
			    hd_catalog_explain(&cat, e->samples[s], strlen(e->samples[s]), &idx);

			if (n != 1 || idx[0] != i) {
				fprintf(stderr,
					"sample %zu of [%s] (%s:%d) matched %zu entries:", s + 1,
					e->id, e->file, e->line, n);
				for (size_t k = 0; k < n; k++)
					fprintf(stderr, " %s", cat.entries[idx[k]].id);
				fputc('\n', stderr);
				free(idx);
				hd_catalog_free(&cat);
				fail();
			}
			free(idx);
		}
	}
	hd_catalog_free(&cat);
}

static void test_shipped_entries_are_complete(void **state)
{
	struct hd_catalog cat = {0};
	const char *products[] = {"fsigk", "amp", "ipsec", "ds"};
	struct hd_config cfg = {0};
	char err[1024];
	(void)state;
	load_shipped(&cat);
	if (hd_config_load_dir(&cfg, CHECKS_DIR, hd_probes, err, sizeof(err)) != 0)
		fail_msg("shipped checks.d does not load: %s", err);
	for (size_t i = 0; i < cat.n; i++) {
		const struct hd_catalog_entry *e = &cat.entries[i];
		char lower[4096];
		size_t k;

		/* a plain-text prefilter keeps log-scan to one pass; it must occur in real lines */
		if (!e->literal || strlen(e->literal) < 4)
			fail_msg("[%s] has no plain text of 4+ characters outside groups", e->id);
		for (size_t s = 0; s < e->nsamples; s++) {
			for (k = 0; e->samples[s][k] && k < sizeof(lower) - 1; k++)
				lower[k] = (char)tolower((unsigned char)e->samples[s][k]);
			lower[k] = '\0';
			if (!strstr(lower, e->literal))
				fail_msg("[%s] literal '%s' is not in its sample %zu", e->id,
					 e->literal, s + 1);
		}
		if (strncmp(e->id, e->product, strlen(e->product)) != 0)
			fail_msg("[%s] id does not start with its product '%s'", e->id, e->product);
		for (size_t c = 0; c < e->nchecks; c++)
			if (!hd_config_find(&cfg, e->checks[c]))
				fail_msg("[%s] check '%s' is not a check of the shipped checks.d",
					 e->id, e->checks[c]);
	}
	/* every product is there */
	for (size_t p = 0; p < 4; p++) {
		size_t n = 0;
		for (size_t i = 0; i < cat.n; i++)
			n += strcmp(cat.entries[i].product, products[p]) == 0;
		if (n < 5)
			fail_msg("product %s has only %zu entries", products[p], n);
	}
	hd_config_free(&cfg);
	hd_catalog_free(&cat);
}

/* A syslog line's prefix: "Mar  4 02:14:09 host tag[pid]: ", an RFC 3339 time, a CEF record. */
static bool has_syslog_prefix(const char *line)
{
	/* optional <PRI>; RFC 3164 or RFC 3339 time; host; "tag[pid]: " or a CEF record */
	static const char re_src[] = "^(?:<[0-9]{1,3}>)?"
				     "(?:[A-Z][a-z]{2} [ 0-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}|"
				     "[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+) [^ ]+ "
				     "(?:[^ :\\[]+(?:\\[[0-9]+\\])?: |CEF:)";
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re =
	    pcre2_compile((PCRE2_SPTR)re_src, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	bool ok;

	assert_non_null(re);
	ok = pcre2_match(re, (PCRE2_SPTR)line, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0;
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return ok;
}

/* Each entry: two or more instances, one as syslog carries it; its document named. */
static void test_entries_have_instances_and_sources(void **state)
{
	static const struct {
		const char *product, *doc;
	} docs[] = {{"fsigk", "000"}, {"amp", "001"}, {"ipsec", "002"}, {"ds", "004"}};
	struct hd_catalog cat = {0};
	(void)state;
	load_shipped(&cat);
	for (size_t i = 0; i < cat.n; i++) {
		const struct hd_catalog_entry *e = &cat.entries[i];
		bool syslog = false, doc_ok = strncmp(e->source, "cited: ", 7) == 0;

		if (e->nsamples < 2)
			fail_msg("[%s] has %zu sample(s); two or more instances are needed", e->id,
				 e->nsamples);
		for (size_t s = 0; s < e->nsamples; s++)
			syslog |= has_syslog_prefix(e->samples[s]);
		if (!syslog)
			fail_msg("[%s] has no sample with a syslog prefix", e->id);
		for (size_t d = 0; d < sizeof(docs) / sizeof(docs[0]); d++)
			if (strcmp(e->product, docs[d].product) == 0 &&
			    strncmp(e->source, docs[d].doc, 3) == 0)
				doc_ok = true;
		if (!doc_ok)
			fail_msg("[%s] source '%s' is not its product's document (or 'cited: ...')",
				 e->id, e->source);
	}
	hd_catalog_free(&cat);
}

/* The real-world logs of ../shared/corpus/loghub hold no vendor message: nothing matches. */
static void test_unrelated_logs_match_nothing(void **state)
{
	static const char *const files[] = {"Linux_2k.log", "OpenSSH_2k.log", "Apache_2k.log"};
	struct hd_catalog cat = {0};
	(void)state;
	if (access(LOGHUB_DIR, R_OK) != 0) {
		const char *ci = getenv("CI");
		if (ci && strcmp(ci, "true") == 0)
			fail_msg("%s is missing", LOGHUB_DIR);
		skip();
	}
	load_shipped(&cat);
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char path[4096], line[8192];
		FILE *fp;
		int lineno = 0;

		snprintf(path, sizeof(path), "%s/%s", LOGHUB_DIR, files[f]);
		fp = fopen(path, "r");
		if (!fp)
			fail_msg("cannot open %s", path);
		while (fgets(line, sizeof(line), fp)) {
			size_t idx[4], n = hd_catalog_match(&cat, line, strlen(line), idx, 4);
			lineno++;
			if (n) {
				fclose(fp);
				fail_msg("%s:%d matches [%s]: %s", files[f], lineno,
					 cat.entries[idx[0]].id, line);
			}
		}
		fclose(fp);
	}
	hd_catalog_free(&cat);
}

static void test_vendor_spellings_and_real_variants(void **state)
{
	static const struct {
		const char *line, *id;
	} cases[] = {
	    /* the document's wraps joined; the level and location as the gateway prints them */
	    {"Mar  4 02:14:09 gw01 fsigk_smtp[2211]: CRITICAL [smtp:ipc.c:102] "
	     "semget=No space left on device(28) semget failure. Childnum(pre_spawn=250) may be "
	     "large. If needed, maximum semaphore number(SEMMNI) can be increased by adding a line "
	     "like 'kernel.sem=250 128000 32 512' in '/etc/sysctl.conf' and running 'sysctl -p'.",
	     "fsigk-semget-failure"},
	    {"WARNING [http:accept.c:311] accept=Too many open files in system(23) "
	     "main/accept_loop/accept(s=5)",
	     "fsigk-too-many-open-files"},
	    /* the appendix's glued words and the spaced form are one message */
	    {"Can not open connection with the packet processing engine.Check that the engine "
	     "module is loaded into kernel, thedevice used on communication exists, and you "
	     "havepermission to open that device. This process must be runon super-user "
	     "privileges.",
	     "ipsec-engine-connection-failed"},
	    {"ipsecd[812]: Can not open connection with the packet processing engine. Check that "
	     "the engine module is loaded into kernel, the device used on communication exists, "
	     "and you have permission to open that device. This process must be run on "
	     "super-user privileges.",
	     "ipsec-engine-connection-failed"},
	    /* fault numbers stay apart: 16 is not 6, and the Japanese title is the same fault */
	    {"ID 16 - Critical: Incompatible kernel", "amp-kernel-incompatible"},
	    {"ID 6 - Major: Scan service restarting frequently", "amp-scan-service-restarting"},
	    {"障害16:互換性のないカーネル", "amp-kernel-incompatible-ja"},
	    {"2019-11-04 03:12:45.123 [iau] Busy with exisiting update", "ds-update-busy"},
	};
	struct hd_catalog cat = {0};
	(void)state;
	load_shipped(&cat);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t idx[8];
		size_t n = hd_catalog_match(&cat, cases[i].line, strlen(cases[i].line), idx, 8);
		if (n != 1 || strcmp(cat.entries[idx[0]].id, cases[i].id) != 0)
			fail_msg("'%s': %zu matches, first %s, wanted %s", cases[i].line, n,
				 n ? cat.entries[idx[0]].id : "-", cases[i].id);
	}
	/* the corrected spellings are not what the products write */
	assert_int_equal(hd_catalog_match(&cat, "Busy with existing update", 25, NULL, 0), 0);
	/* nor is an invented message: the per-process EMFILE text is not in the document */
	assert_int_equal(hd_catalog_match(&cat, "accept=Too many open files(24)", 30, NULL, 0), 0);
	hd_catalog_free(&cat);
}

static void test_explain_many_lines(void **state)
{
	static const char text[] = "Mar 11 02:00:00 gw kernel: nothing to see\n"
				   "WARNING [ftp:ftp.c:88] NOOP command reply error [421 Timeout]\n"
				   "\xff\xfe\x00garbage\x80\n"
				   "CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) "
				   "semget failure. Childnum(pre_spawn=64) may be large.\n"
				   "WARNING [ftp:ftp.c:88] NOOP command reply error [500 ?]\n"
				   "last line without newline: CRITICAL [http:a.c:1] System "
				   "call=Too many open files in system(23) open";
	struct hd_catalog cat = {0};
	size_t *idx = NULL, n;
	(void)state;
	load_shipped(&cat);
	n = hd_catalog_explain(&cat, text, sizeof(text) - 1, &idx);
	assert_int_equal(n, 3);
	assert_string_equal(cat.entries[idx[0]].id, "fsigk-ftp-noop-error");
	assert_string_equal(cat.entries[idx[1]].id, "fsigk-semget-failure");
	assert_string_equal(cat.entries[idx[2]].id, "fsigk-too-many-open-files");
	free(idx);
	n = hd_catalog_explain(&cat, "", 0, &idx);
	assert_int_equal(n, 0);
	free(idx);
	hd_catalog_free(&cat);
}

static const char good_entry[] = "product = x\nseverity = warning\npattern = hello\n"
				 "explanation = e\nremedy = r\nsample = hello\nsource = 000\n";

/* `sample` repeats; `related` must name entries; critical/warning takes the line's level */
static void test_samples_related_and_line_level(void **state)
{
	static const char one[] =
	    "[a]\nproduct = x\nseverity = critical/warning\npattern = System call=Too many\n"
	    "explanation = e\nremedy = r\nsource = 000\nrelated = b\n"
	    "sample = CRITICAL [http] System call=Too many open files in system(23) x\n"
	    "sample = WARNING [smtp] System call=Too many open files in system(23) y\n"
	    "[b]\nproduct = x\nseverity = warning\npattern = other thing\nexplanation = e\n"
	    "remedy = r\nsource = 000\nsample = other thing\nsample = other thing 2\n"
	    "related = a\n";
	static const char dangling[] =
	    "[c]\nproduct = x\nseverity = info\npattern = third\nexplanation = e\n"
	    "remedy = r\nsource = 000\nsample = third\nrelated = nowhere\n";
	struct hd_catalog cat = {0};
	char err[512];
	const struct hd_catalog_entry *a;
	(void)state;
	assert_int_equal(hd_catalog_parse(&cat, "one.conf", one, strlen(one), err, sizeof(err)), 0);
	assert_int_equal(hd_catalog_check_related(&cat, err, sizeof(err)), 0);
	a = &cat.entries[0];
	assert_int_equal(a->nsamples, 2);
	assert_string_equal(a->samples[1],
			    "WARNING [smtp] System call=Too many open files in system(23) y");
	assert_null(a->samples[2]);
	assert_string_equal(a->source, "000");
	assert_int_equal(a->nrelated, 1);
	assert_string_equal(a->related[0], "b");
	assert_int_equal(hd_catalog_line_status(a, a->samples[0], strlen(a->samples[0])),
			 HD_CRITICAL);
	assert_int_equal(hd_catalog_line_status(a, a->samples[1], strlen(a->samples[1])),
			 HD_WARNING);
	assert_int_equal(hd_catalog_line_status(a, "no level", 8), HD_CRITICAL);
	assert_int_equal(hd_catalog_line_status(&cat.entries[1], "CRITICAL", 8), HD_WARNING);
	assert_int_equal(
	    hd_catalog_parse(&cat, "two.conf", dangling, strlen(dangling), err, sizeof(err)), 0);
	assert_int_equal(hd_catalog_check_related(&cat, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "two.conf:1: [c] related entry 'nowhere' does not exist");
	hd_catalog_free(&cat);
}

static void test_bad_catalogues(void **state)
{
	static const struct {
		const char *bytes, *want;
	} cases[] = {
	    {"[e]\nproduct = x\nseverity = warning\npattern = (abc\nexplanation = e\nremedy = "
	     "r\n"
	     "sample = s\nsource = 0\n",
	     "bad.conf:4: [e] bad pattern at offset 4: missing closing parenthesis"},
	    {"[e]\nproduct = x\nseverity = warning\npattern = a[\nexplanation = e\nremedy = r\n"
	     "sample = s\nsource = 0\n",
	     "bad.conf:4: [e] bad pattern at offset 2: missing terminating ] for character "
	     "class"},
	    {"[e]\nproduct = x\nseverity = warning\npattern = p\nremedy = r\nsample = s\n",
	     "bad.conf:1: [e] needs 'explanation'"},
	    {"\n\n[e]\nproduct = x\nseverity = warning\npattern = p\nexplanation = e\nremedy = "
	     "r\n",
	     "bad.conf:3: [e] needs 'sample'"},
	    {"[e]\nproduct = x\nsevrity = warning\n",
	     "bad.conf:3: [e] unknown key 'sevrity' (product, severity"},
	    {"[e]\nproduct = x\nseverity = fatal\npattern = p\nexplanation = e\nremedy = r\n"
	     "sample = s\nsource = 0\n",
	     "bad.conf:3: [e] severity 'fatal' is not info, warning, critical or critical/warning"},
	    {"[e]\nproduct = x\nseverity = info\npattern = p\nexplanation = e\nremedy = r\n"
	     "sample = s\n",
	     "bad.conf:1: [e] needs 'source'"},
	    {"[e]\nproduct = x\nseverity = info\npattern = p\nexplanation = e\nremedy = r\n"
	     "sample = s\nsource = 000\nrelated = f, e\n",
	     "bad.conf:9: [e] is related to itself"},
	    {"[e]\nproduct = x\nsource = 000\nsource = 001\n",
	     "bad.conf:4: [e] 'source' is given twice (first at line 3)"},
	    {"product = x\n", "bad.conf:1: key 'product' is outside any [section]"},
	    {"[e]\npattern = a\npattern = b\n",
	     "bad.conf:3: [e] 'pattern' is given twice (first at "
	     "line 2)"},
	    {"[e]\nproduct = x\n[f]\nproduct = y\n[e]\nproduct = z\n",
	     "bad.conf:5: [e] is defined twice (first at line 1)"},
	    {"[e]\nthis line has no equals sign\n", "bad.conf:2: expected 'key = value' or"},
	    {"[e]\ncaseless = maybe\nproduct = x\nseverity = info\npattern = p\nexplanation = "
	     "e\n"
	     "remedy = r\nsample = s\nsource = 0\n",
	     "bad.conf:2: [e] caseless 'maybe' is not yes or no"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hd_catalog cat = {0};
		char err[512];
		int r = hd_catalog_parse(&cat, "bad.conf", cases[i].bytes, strlen(cases[i].bytes),
					 err, sizeof(err));
		if (r == 0 || strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: rc %d, error '%s', wanted '%s...'", i, r, err,
				 cases[i].want);
		assert_int_equal(cat.n, 0);
		hd_catalog_free(&cat);
	}
}

static void test_duplicate_across_files_and_continuations(void **state)
{
	struct hd_catalog cat = {0};
	char err[512], buf[1024];
	(void)state;
	snprintf(buf, sizeof(buf), "; a comment\n[dup]\n%s", good_entry);
	assert_int_equal(hd_catalog_parse(&cat, "one.conf", buf, strlen(buf), err, sizeof(err)), 0);
	assert_int_not_equal(hd_catalog_parse(&cat, "two.conf", buf, strlen(buf), err, sizeof(err)),
			     0);
	assert_string_equal(err, "two.conf:2: [dup] is already defined at one.conf:2");
	hd_catalog_free(&cat);

	/* prose continues on indented lines; a ';' inside a value stays */
	snprintf(buf, sizeof(buf),
		 "[c]\nproduct = x\nseverity = critical\npattern = a;b\nexplanation = first\n"
		 "  second ; third\nremedy = r\nsample = a;b\ncaseless = no\nsource = 000\n");
	assert_int_equal(hd_catalog_parse(&cat, "c.conf", buf, strlen(buf), err, sizeof(err)), 0);
	assert_int_equal(cat.n, 1);
	assert_string_equal(cat.entries[0].explanation, "first second ; third");
	assert_string_equal(cat.entries[0].pattern, "a;b");
	assert_int_equal(cat.entries[0].status, HD_CRITICAL);
	assert_true(hd_catalog_entry_matches(&cat, 0, "xa;bx", 5));
	assert_false(hd_catalog_entry_matches(&cat, 0, "A;B", 3)); /* caseless = no */
	hd_catalog_free(&cat);
}

static void test_literal(void **state)
{
	static const struct {
		const char *pattern, *literal;
	} cases[] = {
	    {"Too many open files", "too many open files"},
	    {"bind\\b.{0,200}Address already in use", "address already in use"},
	    {"a|bcdef", ""},
	    {"(?:abc|defgh)ij", "ij"},
	    {"colou?r scheme", "r scheme"},
	    {"x+yz", "yz"},
	    {"ab*cd", "cd"},
	    {"\\bscan(?:ning)?\\b", "scan"},
	    {"IAURELAY_STATUS_NOT_AVAILABLE\\(-18\\)", "iaurelay_status_not_available(-18)"},
	    {"[abc]{2}defg[h]", "defg"},
	    {"\\Qa.b\\Ecdef", "cdef"},
	    {"", ""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256];
		size_t n = hd_catalog_literal(cases[i].pattern, buf, sizeof(buf));
		if (strcmp(buf, cases[i].literal) != 0 || n != strlen(cases[i].literal))
			fail_msg("'%s': literal '%s', wanted '%s'", cases[i].pattern, buf,
				 cases[i].literal);
	}
}

static void test_missing_dir(void **state)
{
	struct hd_catalog cat = {0};
	char err[512];
	(void)state;
	assert_int_not_equal(hd_catalog_load_dir(&cat, "/nonexistent/catalog", err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "/nonexistent/catalog: cannot read the message catalogue"));
	hd_catalog_free(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_sample_finds_its_entry_only),
	    cmocka_unit_test(test_shipped_entries_are_complete),
	    cmocka_unit_test(test_entries_have_instances_and_sources),
	    cmocka_unit_test(test_unrelated_logs_match_nothing),
	    cmocka_unit_test(test_vendor_spellings_and_real_variants),
	    cmocka_unit_test(test_explain_many_lines),
	    cmocka_unit_test(test_bad_catalogues),
	    cmocka_unit_test(test_samples_related_and_line_level),
	    cmocka_unit_test(test_duplicate_across_files_and_continuations),
	    cmocka_unit_test(test_literal),
	    cmocka_unit_test(test_missing_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
