/* log-scan's scanner against a naive reference, long lines, binary bytes, and its state file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "probe_log_scan.h"

#define CATALOG_DIR HD_TEST_SOURCE_DIR "/../catalog"

static struct hd_catalog cat;

static int setup(void **state)
{
	char err[1024];
	(void)state;
	if (hd_catalog_load_dir(&cat, CATALOG_DIR, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hd_catalog_free(&cat);
	return 0;
}

/* The reference: lower-case the line, memmem every word; the catalogue tried entry by entry. */
static void naive(const char *buf, size_t len, struct logscan_counts *c)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *low = malloc(l + 1);
		bool any = false;

		for (size_t i = 0; i < l; i++)
			low[i] = (char)tolower((unsigned char)p[i]);
		c->lines++;
		for (int k = 0; k < LS_NCAT; k++)
			for (const char *const *w = logscan_category_words(k); *w; w++)
				if (memmem(low, l, *w, strlen(*w))) {
					c->cat[k]++;
					break;
				}
		for (size_t e = 0; e < cat.n; e++)
			if (hd_catalog_entry_matches(&cat, e, p, l)) {
				c->entry[e]++;
				any = true;
			}
		c->catalog += any;
		free(low);
		p += l + 1;
	}
}

static void assert_same(const struct logscan_counts *a, const struct logscan_counts *b,
			const char *what)
{
	if (a->lines != b->lines)
		fail_msg("%s: lines %llu vs %llu", what, (unsigned long long)a->lines,
			 (unsigned long long)b->lines);
	for (int k = 0; k < LS_NCAT; k++)
		if (a->cat[k] != b->cat[k])
			fail_msg("%s: %s %llu vs %llu", what, logscan_category_names[k],
				 (unsigned long long)a->cat[k], (unsigned long long)b->cat[k]);
	if (a->catalog != b->catalog)
		fail_msg("%s: catalog %llu vs %llu", what, (unsigned long long)a->catalog,
			 (unsigned long long)b->catalog);
	for (size_t e = 0; e < a->nentries; e++)
		if (a->entry[e] != b->entry[e])
			fail_msg("%s: entry %s %llu vs %llu", what, cat.entries[e].id,
				 (unsigned long long)a->entry[e], (unsigned long long)b->entry[e]);
}

struct scan_case {
	const char *text;
	size_t len; /* 0: strlen */
	uint64_t lines;
	uint64_t cat[LS_NCAT]; /* errors network access config cgi portscan bruteforce passwd */
	uint64_t catalog;
};

static const struct scan_case cases[] = {
    {"", 0, 0, {0}, 0},
    {"\n", 0, 1, {0}, 0},
    {"plain line\nanother\n", 0, 2, {0}, 0},
    /* a line counts once per category, however many words it has */
    {"ERROR error Err warning abort\n", 0, 1, {1, 0, 0, 0, 0, 0, 0, 0}, 0},
    {"connection Timed Out\nread TIMEOUT\n", 0, 2, {0, 2, 0, 0, 0, 0, 0, 0}, 0},
    {"Connection refused\nrejected\nOperation not permitted\nPermission DENIED\n",
     0,
     4,
     {0, 0, 4, 0, 0, 0, 0, 0},
     0},
    {"FAILED\nincorrect\ninvalid user\n", 0, 3, {0, 0, 0, 3, 0, 0, 0, 0}, 0},
    {"GET /cgi-bin/phf\nGET /index.php\nGET /cgi-bin/test-cgi\nGET /phpinfo\n",
     0,
     4,
     {0, 0, 0, 0, 3, 0, 0, 0},
     0},
    {"Null connection from 10.0.0.1\nEOF received from 10.0.0.2\n",
     0,
     2,
     {0, 0, 0, 0, 0, 2, 0, 0},
     0},
    /* "login incorrect" is also "incorrect"; "authentication failed" is also "fail" */
    {"authentication failed for x\nREPEATED LOGIN FAILURES\nLogin incorrect\n",
     0,
     3,
     {0, 0, 0, 3, 0, 0, 3, 0},
     0},
    {"changed /etc/passwd\n", 0, 1, {0, 0, 0, 0, 0, 0, 0, 1}, 0},
    /* words split by a line end do not count */
    {"err\nor time\nout\n", 0, 3, {1, 0, 0, 0, 0, 0, 0, 0}, 0},
    {"tim\neout pass\nwd\n", 0, 3, {0}, 0},
    /* a last line without newline counts */
    {"ok\nabort", 0, 2, {1, 0, 0, 0, 0, 0, 0, 0}, 0},
    /* NUL and invalid UTF-8 are bytes like any other */
    {"\xff\xfe\x00\x80 den\x00ied \xc3\x28 DENIED\n\x00\x00\n", 26, 2, {0, 0, 1, 0, 0, 0, 0, 0}, 0},
    /* overlapping words: "terror" holds "err", "refailed" holds "fail" */
    {"terror\nrefailed\n", 0, 2, {1, 0, 0, 1, 0, 0, 0, 0}, 0},
    /* a catalogue entry: its plain text then the full pattern ("failure" is a config word) */
    {"CRITICAL [ipc] semget=No space left on device(28) semget failure.\n", 0, 1, {0, 0, 0, 1}, 1},
    {"no space left on device without the semget word\n", 0, 1, {0}, 0},
};

static void test_table(void **state)
{
	struct logscan *ls = logscan_new(&cat);
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct logscan_counts c, ref;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);

		logscan_counts_init(&c, ls);
		logscan_counts_init(&ref, ls);
		logscan_scan(ls, cases[i].text, len, &c);
		naive(cases[i].text, len, &ref);
		if (c.lines != cases[i].lines)
			fail_msg("case %zu: %llu lines, wanted %llu", i,
				 (unsigned long long)c.lines, (unsigned long long)cases[i].lines);
		for (int k = 0; k < LS_NCAT; k++)
			if (c.cat[k] != cases[i].cat[k])
				fail_msg("case %zu: %s = %llu, wanted %llu", i,
					 logscan_category_names[k], (unsigned long long)c.cat[k],
					 (unsigned long long)cases[i].cat[k]);
		assert_int_equal(c.catalog, cases[i].catalog);
		assert_same(&c, &ref, "table vs reference");
		logscan_counts_free(&c);
		logscan_counts_free(&ref);
	}
	logscan_free(ls);
}

/* Random lines built from words, pieces of words, catalogue samples and raw bytes. */
static void test_random_against_reference(void **state)
{
	static const char *const frags[] = {
	    "err",
	    "ERR",
	    "or",
	    "Warn",
	    "ing",
	    "abort",
	    "tim",
	    "eout",
	    "timed out",
	    "TIMED ",
	    "refus",
	    "ed",
	    "reject",
	    "not permitted",
	    "not ",
	    "permitted",
	    "denied",
	    "fail",
	    "incorrect",
	    "in",
	    "valid",
	    "/phf",
	    "/ph",
	    "p",
	    "/test-cgi",
	    "null connection",
	    "eof received",
	    "authentication failed",
	    "repeated login failures",
	    "login incorrect",
	    "passwd",
	    "pass",
	    "wd",
	    " ",
	    " ",
	    "x",
	    "\t",
	    "\xff",
	    "\x80\x81",
	    "\x00",
	    "Address already in use",
	    "bind=",
	    "semget",
	    "No space left on device",
	    "phase 1 ",
	    "NO_PROPOSAL_CHOSEN",
	    "ipsecd",
	    "queue full",
	};
	struct logscan *ls = logscan_new(&cat);
	size_t nf = sizeof(frags) / sizeof(frags[0]);
	unsigned seed = 12345;
	(void)state;

	for (int round = 0; round < 200; round++) {
		char buf[16384];
		size_t len = 0;
		struct logscan_counts c, ref;

		while (len < sizeof(buf) - 600) {
			int r = rand_r(&seed);
			if (r % 11 == 0) {
				buf[len++] = '\n';
			} else if (r % 97 == 0) {
				/* a whole sample now and then */
				const char *s = cat.entries[(size_t)r % cat.n].samples[0];
				size_t l = strlen(s);
				memcpy(buf + len, s, l);
				len += l;
			} else {
				const char *f = frags[(size_t)(r / 11) % nf];
				size_t l = f[0] ? strlen(f) : 1;
				memcpy(buf + len, f, l);
				len += l;
			}
		}
		logscan_counts_init(&c, ls);
		logscan_counts_init(&ref, ls);
		logscan_scan(ls, buf, len, &c);
		naive(buf, len, &ref);
		assert_same(&c, &ref, "random");
		logscan_counts_free(&c);
		logscan_counts_free(&ref);
	}
	logscan_free(ls);
}

/* A buffer large enough for four streams and the second thread: same counts as the reference. */
static void test_large_buffer(void **state)
{
	static const char *const lines[] = {
	    "Mar 11 02:00:00 gw sshd[1]: Failed password for invalid user admin\n",
	    "Mar 11 02:00:01 gw kernel: eth0 link up\n",
	    "CRITICAL [smtp:ipc.c:102] semget=No space left on device(28)\n",
	    "GET /cgi-bin/test-cgi HTTP/1.0 404\n",
	    "upstream timed out; connection refused\n",
	    "ID 6 - Major: Scan service restarting frequently\n",
	    "\xff\xfe garbage \x00 passwd\n",
	};
	size_t cap = 5u << 20, len = 0;
	char *buf = malloc(cap);
	unsigned seed = 7;
	struct logscan *ls = logscan_new(&cat);
	struct logscan_counts c, ref;
	(void)state;
	while (len < cap - 200) {
		const char *l = lines[(size_t)rand_r(&seed) % 7];
		size_t n = l[0] == '\xff' ? 20 : strlen(l); /* holds a NUL */
		memcpy(buf + len, l, n);
		len += n;
	}
	logscan_counts_init(&c, ls);
	logscan_counts_init(&ref, ls);
	logscan_scan(ls, buf, len, &c);
	naive(buf, len, &ref);
	assert_same(&c, &ref, "large");
	assert_true(c.lines > 50000);
	logscan_counts_free(&c);
	logscan_counts_free(&ref);
	logscan_free(ls);
	free(buf);
}

/* The same bytes give the same counts whether fed at once or line by line. */
static void test_split_feeding(void **state)
{
	char text[] =
	    "a denied\nb\nc warning timeout\n"
	    "d CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure.\ne\n";
	struct logscan *ls = logscan_new(&cat);
	struct logscan_counts whole, parts;
	char *p = text;
	(void)state;
	logscan_counts_init(&whole, ls);
	logscan_counts_init(&parts, ls);
	logscan_scan(ls, text, strlen(text), &whole);
	while (*p) {
		char *nl = strchr(p, '\n');
		logscan_scan(ls, p, (size_t)(nl - p) + 1, &parts);
		p = nl + 1;
	}
	assert_same(&whole, &parts, "split");
	assert_int_equal(whole.lines, 5);
	assert_int_equal(whole.catalog, 1);
	logscan_counts_free(&whole);
	logscan_counts_free(&parts);
	logscan_free(ls);
}

static void test_long_line(void **state)
{
	size_t n = 3u << 20; /* 3 MiB in one line */
	char *buf = malloc(n + 64);
	struct logscan *ls = logscan_new(&cat);
	struct logscan_counts c;
	size_t k;
	(void)state;
	memset(buf, 'x', n);
	memcpy(buf + n / 2, " Access DENIED ", 15);
	k = n;
	k += (size_t)sprintf(buf + k, " /test-cgi\nshort err\n");
	logscan_counts_init(&c, ls);
	logscan_scan(ls, buf, k, &c);
	assert_int_equal(c.lines, 2);
	assert_int_equal(c.cat[LS_ACCESS], 1);
	assert_int_equal(c.cat[LS_CGI], 1);
	assert_int_equal(c.cat[LS_ERRORS], 1);
	logscan_counts_free(&c);
	logscan_free(ls);
	free(buf);
}

static void test_without_catalogue(void **state)
{
	struct logscan *ls = logscan_new(NULL);
	struct logscan_counts c;
	const char *t = "semget=No space left on device\nerr\n";
	(void)state;
	logscan_counts_init(&c, ls);
	logscan_scan(ls, t, strlen(t), &c);
	assert_int_equal(c.lines, 2);
	assert_int_equal(c.cat[LS_ERRORS], 1);
	assert_int_equal(c.catalog, 0);
	logscan_counts_free(&c);
	logscan_free(ls);
}

static void test_state_roundtrip(void **state)
{
	struct logscan_pos in[] = {
	    {"/var/log/syslog", 2049, 131074, 123456789012ULL, 256, 0xdeadbeef},
	    {"/var/log/with space.log", 1, 2, 0, 0, 0},
	};
	struct logscan_pos *out = NULL;
	size_t n = 0;
	int bad = 0;
	char *text = logscan_state_format(in, 2);
	(void)state;
	assert_int_equal(logscan_state_parse(text, strlen(text), &out, &n, &bad), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(out[i].path, in[i].path);
		assert_true(out[i].dev == in[i].dev && out[i].ino == in[i].ino);
		assert_true(out[i].offset == in[i].offset);
		assert_int_equal(out[i].fplen, in[i].fplen);
		assert_int_equal(out[i].fp, in[i].fp);
	}
	logscan_pos_free(out, n);
	free(text);
}

static void test_state_malformed(void **state)
{
	static const struct {
		const char *text;
		int line;
	} bad[] = {
	    {"", 1},
	    {"something else\n", 1},
	    {"hostdoctor-log-scan 2\n", 1},
	    {"hostdoctor-log-scan 1\n1 2 3 4 5 /a\nnot numbers /b\n", 3},
	    {"hostdoctor-log-scan 1\n1 2 3 4 5 relative\n", 2},
	    {"hostdoctor-log-scan 1\n1 2 3 999 5 /a\n", 2},
	    {"hostdoctor-log-scan 1\n1 2 3 4 5 /no-newline", 2},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct logscan_pos *out = NULL;
		size_t n = 0;
		int line = 0;
		if (logscan_state_parse(bad[i].text, strlen(bad[i].text), &out, &n, &line) == 0)
			fail_msg("case %zu parsed", i);
		assert_int_equal(line, bad[i].line);
		assert_null(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),	    cmocka_unit_test(test_random_against_reference),
	    cmocka_unit_test(test_large_buffer),    cmocka_unit_test(test_split_feeding),
	    cmocka_unit_test(test_long_line),	    cmocka_unit_test(test_without_catalogue),
	    cmocka_unit_test(test_state_roundtrip), cmocka_unit_test(test_state_malformed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
