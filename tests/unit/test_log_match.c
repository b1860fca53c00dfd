/* The log matcher: vectorscan against pcre2 alone on the whole catalogue's samples and on the
 * loghub corpus, against a naive reference on random bytes, lines that span buffers and
 * lines, and the entries only pcre2 can match (listed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "log_match.h"
#include "paths.h"
#include "cleanup.h"
#include "util.h"

#define CATALOG_DIR HD_TEST_SOURCE_DIR "/../catalog"
/* the corpus lives beside the project's checkout (../shared) */
#define CORPUS_DIR HD_TEST_SOURCE_DIR "/../../shared/corpus/loghub"

static struct hd_catalog cat;
static struct hd_log_matcher *vs, *pc; /* vectorscan, pcre2 only */

static int setup(void **state)
{
	char err[1024];
	(void)state;
	if (hd_catalog_load_dir(&cat, CATALOG_DIR, err, sizeof(err)) != 0 ||
	    hd_log_matcher_new(&cat, &(struct hd_log_matcher_opts){.cache_dirfd = -1}, &vs, err,
			       sizeof(err)) != 0 ||
	    hd_log_matcher_new(&cat,
			       &(struct hd_log_matcher_opts){.pcre2_only = true, .cache_dirfd = -1},
			       &pc, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hd_log_matcher_free(vs);
	hd_log_matcher_free(pc);
	hd_catalog_free(&cat);
	return 0;
}

/* The reference: lower-case the line, memmem every word; the catalogue entry by entry. */
static void naive(const char *buf, size_t len, struct hd_log_counts *c)
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
		for (int k = 0; k < HD_LC_N; k++)
			for (const char *const *w = hd_logcat_words(k); *w; w++)
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

static void assert_same(const struct hd_log_counts *a, const struct hd_log_counts *b,
			const char *what)
{
	if (a->lines != b->lines)
		fail_msg("%s: lines %llu vs %llu", what, (unsigned long long)a->lines,
			 (unsigned long long)b->lines);
	for (int k = 0; k < HD_LC_N; k++)
		if (a->cat[k] != b->cat[k])
			fail_msg("%s: %s %llu vs %llu", what, hd_logcat_names[k],
				 (unsigned long long)a->cat[k], (unsigned long long)b->cat[k]);
	for (size_t e = 0; e < a->nentries; e++)
		if (a->entry[e] != b->entry[e])
			fail_msg("%s: entry %s %llu vs %llu", what, cat.entries[e].id,
				 (unsigned long long)a->entry[e], (unsigned long long)b->entry[e]);
	if (a->catalog != b->catalog)
		fail_msg("%s: catalog %llu vs %llu", what, (unsigned long long)a->catalog,
			 (unsigned long long)b->catalog);
}

/* BUF through vectorscan, pcre2 alone and the reference: the same counts. */
static void three_ways(const char *buf, size_t len, const char *what, struct hd_log_counts *out_vs)
{
	struct hd_log_scanner *sv = hd_log_scanner_new(vs), *sp = hd_log_scanner_new(pc);
	struct hd_log_counts a, b, r;

	hd_log_counts_init(&a, vs);
	hd_log_counts_init(&b, pc);
	hd_log_counts_init(&r, vs);
	assert_int_equal(hd_log_scan(sv, buf, len, &a, NULL, NULL), 0);
	assert_int_equal(hd_log_scan(sp, buf, len, &b, NULL, NULL), 0);
	naive(buf, len, &r);
	assert_same(&a, &b, what);
	assert_same(&a, &r, what);
	if (out_vs)
		hd_log_counts_add(out_vs, &a);
	hd_log_counts_free(&a);
	hd_log_counts_free(&b);
	hd_log_counts_free(&r);
	hd_log_scanner_free(sv);
	hd_log_scanner_free(sp);
}

struct scan_case {
	const char *text;
	size_t len; /* 0: strlen */
	uint64_t lines;
	uint64_t cat[HD_LC_N]; /* errors network access config cgi portscan bruteforce passwd */
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
    /* a catalogue entry ("failure" is a config word) */
    {"CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure.\n",
     0,
     1,
     {0, 0, 0, 1},
     1},
    {"no space left on device without the semget word\n", 0, 1, {0}, 0},
    /* the bracket of an entry's pattern opened on one line and closed on the next */
    {"CRITICAL [smtp:ipc.c\n102] semget=No space left on device(28) semget failure.\n",
     0,
     2,
     {0, 0, 0, 1},
     0},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hd_log_scanner *s = hd_log_scanner_new(vs);
		struct hd_log_counts c;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		char what[32];

		hd_log_counts_init(&c, vs);
		assert_int_equal(hd_log_scan(s, cases[i].text, len, &c, NULL, NULL), 0);
		if (c.lines != cases[i].lines)
			fail_msg("case %zu: %llu lines, wanted %llu", i,
				 (unsigned long long)c.lines, (unsigned long long)cases[i].lines);
		for (int k = 0; k < HD_LC_N; k++)
			if (c.cat[k] != cases[i].cat[k])
				fail_msg("case %zu: %s = %llu, wanted %llu", i, hd_logcat_names[k],
					 (unsigned long long)c.cat[k],
					 (unsigned long long)cases[i].cat[k]);
		if (c.catalog != cases[i].catalog)
			fail_msg("case %zu: catalog = %llu, wanted %llu", i,
				 (unsigned long long)c.catalog,
				 (unsigned long long)cases[i].catalog);
		snprintf(what, sizeof(what), "case %zu", i);
		three_ways(cases[i].text, len, what, NULL);
		hd_log_counts_free(&c);
		hd_log_scanner_free(s);
	}
}

/* Every sample of every entry: alone, all in one buffer, and with the others' prefixes
 * glued on; vectorscan, pcre2 and the reference agree, and each sample finds its entry. */
static void test_catalogue_samples(void **state)
{
	struct hd_buf all = {0};
	_cleanup_free_ char *text = NULL;
	size_t n = 0, len;
	struct hd_log_counts tot;
	(void)state;

	hd_log_counts_init(&tot, vs);
	for (size_t i = 0; i < cat.n; i++)
		for (size_t k = 0; k < cat.entries[i].nsamples; k++) {
			const char *s = cat.entries[i].samples[k];
			char what[256];
			struct hd_log_counts one;

			hd_log_counts_init(&one, vs);
			snprintf(what, sizeof(what), "sample %zu of %s", k + 1, cat.entries[i].id);
			three_ways(s, strlen(s), what, &one);
			if (one.entry[i] != 1)
				fail_msg("%s does not find its entry", what);
			hd_log_counts_free(&one);
			hd_buf_printf(&all, "%s\n", s);
			/* the sample cut in two lines, and behind a syslog prefix */
			hd_buf_printf(&all, "%.*s\n%s\n", (int)(strlen(s) / 2), s,
				      s + strlen(s) / 2);
			hd_buf_printf(&all, "Mar 11 02:00:00 gw app[1]: %s trailing\n", s);
			n++;
		}
	len = all.len;
	text = hd_buf_steal(&all);
	three_ways(text, len, "all samples", &tot);
	assert_true(n >= cat.n);
	assert_true(tot.catalog >= n);
	hd_log_counts_free(&tot);
}

/* Every sample with one of its fields made long: the text inside a bracket, parenthesis or
 * quotes, or after '=', grown by 40 to 300 bytes. Vectorscan 5.4.9 on an AVX-512 CPU missed
 * [^\]]*\] past about 64 bytes ("WARNING [pop" + 100 x + "..."); the three ways agree, and a
 * sample whose field is free text still finds its entry. */
static void test_catalogue_long_fields(void **state)
{
	static const size_t grow[] = {40, 63, 64, 65, 100, 129, 300};
	size_t tried = 0;
	(void)state;

	for (size_t i = 0; i < cat.n; i++)
		for (size_t k = 0; k < cat.entries[i].nsamples; k++) {
			const char *s = cat.entries[i].samples[k];
			size_t sl = strlen(s);

			for (size_t at = 1; at < sl; at++) {
				if (!strchr("[(='\"", s[at - 1]) || !isalnum((unsigned char)s[at]))
					continue;
				for (size_t g = 0; g < sizeof(grow) / sizeof(grow[0]); g++) {
					struct hd_buf b = {0};
					_cleanup_free_ char *line = NULL;
					char what[256];
					size_t len;

					hd_buf_add(&b, s, at + 1);
					for (size_t r = 0; r < grow[g]; r++)
						hd_buf_add(&b, &s[at], 1);
					hd_buf_add(&b, s + at + 1, sl - at - 1);
					len = b.len;
					line = hd_buf_steal(&b);
					snprintf(what, sizeof(what),
						 "sample %zu of %s, byte %zu x %zu", k + 1,
						 cat.entries[i].id, at, grow[g] + 1);
					three_ways(line, len, what, NULL);
					tried++;
				}
			}
		}
	assert_true(tried > 1000);
}

static void test_loghub_corpus(void **state)
{
	DIR *d = opendir(CORPUS_DIR);
	struct dirent *de;
	int files = 0;
	(void)state;

	if (!d) {
		printf("# %s absent: the corpus part is skipped\n", CORPUS_DIR);
		skip();
	}
	while ((de = readdir(d))) {
		char path[4096];
		char *bytes = NULL;
		size_t len = 0;

		if (!strstr(de->d_name, ".log"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, de->d_name);
		assert_int_equal(hd_read_regular(path, &bytes, &len, 64u << 20), 0);
		three_ways(bytes, len, de->d_name, NULL);
		free(bytes);
		files++;
	}
	closedir(d);
	assert_true(files >= 3);
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
	    "WARNING [",
	    "] ",
	    "CRITICAL [",
	    "[",
	    "]",
	    "phase 1 ",
	    "NO_PROPOSAL_CHOSEN",
	    "ipsecd",
	    "queue full",
	};
	size_t nf = sizeof(frags) / sizeof(frags[0]);
	unsigned seed = 12345;
	(void)state;

	for (int round = 0; round < 150; round++) {
		char buf[16384];
		size_t len = 0;
		char what[32];

		while (len < sizeof(buf) - 600) {
			int r = rand_r(&seed);
			if (r % 11 == 0) {
				buf[len++] = '\n';
			} else if (r % 37 == 0) {
				/* a whole sample, or half of one, now and then */
				const struct hd_catalog_entry *e = &cat.entries[(size_t)r % cat.n];
				const char *s = e->samples[(size_t)(r / 7) % e->nsamples];
				size_t l = strlen(s);
				if (r % 3 == 0)
					l /= 2;
				memcpy(buf + len, s, l);
				len += l;
			} else {
				const char *f = frags[(size_t)(r / 11) % nf];
				size_t l = f[0] ? strlen(f) : 1;
				memcpy(buf + len, f, l);
				len += l;
			}
		}
		snprintf(what, sizeof(what), "random round %d", round);
		three_ways(buf, len, what, NULL);
	}
}

/* A buffer of several MiB: the same counts as the reference. */
static void test_large_buffer(void **state)
{
	static const char *const lines[] = {
	    "Mar 11 02:00:00 gw sshd[1]: Failed password for invalid user admin\n",
	    "Mar 11 02:00:01 gw kernel: eth0 link up\n",
	    "CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure.\n",
	    "GET /cgi-bin/test-cgi HTTP/1.0 404\n",
	    "upstream timed out; connection refused\n",
	    "\xff\xfe garbage \x00 passwd\n",
	};
	size_t cap = 5u << 20, len = 0;
	char *buf = malloc(cap);
	unsigned seed = 7;
	struct hd_log_counts c;
	(void)state;
	while (len < cap - 200) {
		const char *l = lines[(size_t)rand_r(&seed) % 6];
		size_t n = l[0] == '\xff' ? sizeof("\xff\xfe garbage \x00 passwd\n") - 1
					  : strlen(l); /* holds a NUL */
		memcpy(buf + len, l, n);
		len += n;
	}
	hd_log_counts_init(&c, vs);
	three_ways(buf, len, "large", &c);
	assert_true(c.lines > 50000);
	assert_true(c.catalog > 1000);
	hd_log_counts_free(&c);
	free(buf);
}

/* The same bytes give the same counts whether fed at once or line by line. */
static void test_split_feeding(void **state)
{
	char text[] =
	    "a denied\nb\nc warning timeout\n"
	    "d CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure.\ne\n";
	struct hd_log_scanner *s = hd_log_scanner_new(vs);
	struct hd_log_counts whole, parts;
	char *p = text;
	(void)state;
	hd_log_counts_init(&whole, vs);
	hd_log_counts_init(&parts, vs);
	hd_log_scan(s, text, strlen(text), &whole, NULL, NULL);
	while (*p) {
		char *nl = strchr(p, '\n');
		hd_log_scan(s, p, (size_t)(nl - p) + 1, &parts, NULL, NULL);
		p = nl + 1;
	}
	assert_same(&whole, &parts, "split");
	assert_int_equal(whole.lines, 5);
	assert_int_equal(whole.catalog, 1);
	assert_non_null(whole.example[0] ? whole.example[0] : "");
	hd_log_counts_free(&whole);
	hd_log_counts_free(&parts);
	hd_log_scanner_free(s);
}

static void test_long_line(void **state)
{
	size_t n = 3u << 20; /* 3 MiB in one line */
	char *buf = malloc(n + 64);
	struct hd_log_counts c;
	size_t k;
	(void)state;
	memset(buf, 'x', n);
	memcpy(buf + n / 2, " Access DENIED ", 15);
	k = n;
	k += (size_t)sprintf(buf + k, " /test-cgi\nshort err\n");
	hd_log_counts_init(&c, vs);
	three_ways(buf, k, "long line", &c);
	assert_int_equal(c.lines, 2);
	assert_int_equal(c.cat[HD_LC_ACCESS], 1);
	assert_int_equal(c.cat[HD_LC_CGI], 1);
	assert_int_equal(c.cat[HD_LC_ERRORS], 1);
	hd_log_counts_free(&c);
	free(buf);
}

static void test_without_catalogue(void **state)
{
	struct hd_log_matcher *m = NULL;
	struct hd_log_scanner *s;
	struct hd_log_counts c;
	const char *t = "semget=No space left on device\nerr\n";
	char err[256];
	(void)state;
	assert_int_equal(hd_log_matcher_new(NULL, &(struct hd_log_matcher_opts){.cache_dirfd = -1},
					    &m, err, sizeof(err)),
			 0);
	s = hd_log_scanner_new(m);
	hd_log_counts_init(&c, m);
	hd_log_scan(s, t, strlen(t), &c, NULL, NULL);
	assert_int_equal(c.lines, 2);
	assert_int_equal(c.cat[HD_LC_ERRORS], 1);
	assert_int_equal(c.catalog, 0);
	hd_log_counts_free(&c);
	hd_log_scanner_free(s);
	hd_log_matcher_free(m);
}

/* Patterns vectorscan cannot express go to pcre2 and still match per line: lookaround, a
 * back reference, \A; others are vectorscan's, including ones that could span lines. */
static void test_pcre2_entries(void **state)
{
	static const char conf[] =
	    "[t-look]\nproduct = t\nseverity = warning\npattern = (?<=svc: )queue full\n"
	    "explanation = x\nremedy = y\nsample = svc: queue full\nsample = a svc: queue full\n"
	    "source = 000\n"
	    "[t-backref]\nproduct = t\nseverity = warning\npattern = (\\w+)=\\1 loop\n"
	    "explanation = x\nremedy = y\nsample = ab=ab loop\nsample = x cd=cd loop\n"
	    "source = 000\n"
	    "[t-anchor]\nproduct = t\nseverity = critical\npattern = \\Aipsecd: stop\n"
	    "explanation = x\nremedy = y\nsample = ipsecd: stop\nsample = ipsecd: stop now\n"
	    "source = 000\n"
	    "[t-span]\nproduct = t\nseverity = critical\npattern = ERR \\[[^\\]]*\\] disk\\s+full\n"
	    "explanation = x\nremedy = y\nsample = ERR [a] disk full\nsample = ERR [] disk  full\n"
	    "source = 000\n";
	static const char text[] = "svc: queue full\n"		   /* look */
				   "svc:\nqueue full\n"		   /* look: not across lines */
				   "ab=ab loop\nab=ac loop\n"	   /* backref */
				   "x ipsecd: stop\n"		   /* anchor: not at line start */
				   "ipsecd: stop\n"		   /* anchor */
				   "ERR [a\nb] disk full\n"	   /* span: not across lines */
				   "ERR [a] disk\nfull\n"	   /* span: not across lines */
				   "ERR [a]\nERR [b] disk full\n"; /* span: the second line */
	struct hd_catalog c = {0};
	struct hd_log_matcher *m = NULL, *p = NULL;
	struct hd_log_scanner *s, *sp;
	struct hd_log_counts a, b;
	const char *why;
	char err[512];
	(void)state;

	assert_int_equal(hd_catalog_parse(&c, "t.conf", conf, strlen(conf), err, sizeof(err)), 0);
	assert_int_equal(hd_log_matcher_new(&c, &(struct hd_log_matcher_opts){.cache_dirfd = -1},
					    &m, err, sizeof(err)),
			 0);
	assert_int_equal(
	    hd_log_matcher_new(&c,
			       &(struct hd_log_matcher_opts){.pcre2_only = true, .cache_dirfd = -1},
			       &p, err, sizeof(err)),
	    0);
	assert_true(hd_log_matcher_uses_pcre2(m, 0, &why));
	assert_true(hd_log_matcher_uses_pcre2(m, 1, &why));
	assert_true(hd_log_matcher_uses_pcre2(m, 2, &why));
	assert_false(hd_log_matcher_uses_pcre2(m, 3, &why));
	s = hd_log_scanner_new(m);
	sp = hd_log_scanner_new(p);
	hd_log_counts_init(&a, m);
	hd_log_counts_init(&b, p);
	hd_log_scan(s, text, strlen(text), &a, NULL, NULL);
	hd_log_scan(sp, text, strlen(text), &b, NULL, NULL);
	assert_int_equal(a.entry[0], 1);
	assert_int_equal(a.entry[1], 1);
	assert_int_equal(a.entry[2], 1);
	assert_int_equal(a.entry[3], 1);
	assert_int_equal(a.catalog, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(a.entry[i], b.entry[i]);
	hd_log_counts_free(&a);
	hd_log_counts_free(&b);
	hd_log_scanner_free(s);
	hd_log_scanner_free(sp);
	hd_log_matcher_free(m);
	hd_log_matcher_free(p);
	hd_catalog_free(&c);
}

/* Says which shipped entries vectorscan cannot express (matched by pcre2 alone). */
static void test_list_pcre2_entries(void **state)
{
	size_t n = 0;
	(void)state;
	for (size_t i = 0; i < cat.n; i++) {
		const char *why;
		if (hd_log_matcher_uses_pcre2(vs, i, &why)) {
			printf("# pcre2 only: %s (%s:%d): %s\n", cat.entries[i].id,
			       cat.entries[i].file, cat.entries[i].line, why);
			n++;
		}
	}
	printf("# %zu of %zu catalogue entries through vectorscan, %zu through pcre2 only\n",
	       cat.n - n, cat.n, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_catalogue_samples),
	    cmocka_unit_test(test_catalogue_long_fields),
	    cmocka_unit_test(test_loghub_corpus),
	    cmocka_unit_test(test_random_against_reference),
	    cmocka_unit_test(test_large_buffer),
	    cmocka_unit_test(test_split_feeding),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_without_catalogue),
	    cmocka_unit_test(test_pcre2_entries),
	    cmocka_unit_test(test_list_pcre2_entries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
