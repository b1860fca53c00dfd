/* log-scan: new lines of log files since the last run, counted per category and catalogue entry. */
#include "probe_log_scan.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

const char *const logscan_category_names[LS_NCAT] = {
    "errors", "network", "access", "config", "cgi", "portscan", "bruteforce", "passwd",
};

static const char *const words_errors[] = {"warning", "err", "abort", NULL};
static const char *const words_network[] = {"timeout", "timed out", NULL};
static const char *const words_access[] = {"refused", "reject", "not permitted", "denied", NULL};
static const char *const words_config[] = {"fail", "incorrect", "invalid", NULL};
static const char *const words_cgi[] = {"/phf", "/php", "/test-cgi", NULL};
static const char *const words_portscan[] = {"null connection", "eof received", NULL};
static const char *const words_bruteforce[] = {"authentication failed", "repeated login failures",
					       "login incorrect", NULL};
static const char *const words_passwd[] = {"passwd", NULL};
static const char *const *const category_words[LS_NCAT] = {
    words_errors, words_network,  words_access,	    words_config,
    words_cgi,	  words_portscan, words_bruteforce, words_passwd,
};

const char *const *logscan_category_words(enum logscan_category c)
{
	return category_words[c];
}

/*
 * The scanner is an Aho-Corasick automaton turned into a full DFA over byte
 * classes, case folded into the classes. States are numbered so that every
 * state with an output (a word ends here) and the end-of-line state come last:
 * the inner loop is one table load and one compare per byte. Rows are stored
 * pre-multiplied by the class count so no multiply sits on the load chain.
 */
struct logscan {
	const struct hd_catalog *cat;
	uint8_t cls[256];
	uint32_t ncls;
	uint32_t nstates;   /* rows from FIRST_OUT on (outputs and end-of-line) */
	uint32_t first_out; /* offset of the first row with an output: a power of two */
	uint32_t nl;	    /* row offset of the end-of-line state */
	uint32_t *delta;    /* rows of NCLS: the next row's offset for each byte class */
	uint32_t *mask;	    /* per output row: category bits */
	uint32_t *ent_off;  /* per output row j: its entries in ents[ent_off[j] .. ent_off[j+1]) */
	uint32_t *ents;
	uint32_t *always; /* entries without plain text: tried on every line */
	size_t nalways;
	bool threads; /* a second thread may take half of a large buffer */
};

struct kw {
	const char *text;
	int cat;   /* category, or -1 */
	int entry; /* catalogue entry, or -1 */
};

/* Trie under construction (goto function over classes, -1 = none). */
struct trie {
	int32_t *go;
	uint32_t n, cap, ncls;
	uint32_t *mask;
	uint32_t **ents; /* per state: entry list, [0] = count */
};

static uint32_t trie_add_state(struct trie *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->go = hd_xrealloc(t->go, (size_t)t->cap * t->ncls * sizeof(*t->go));
		t->mask = hd_xrealloc(t->mask, t->cap * sizeof(*t->mask));
		t->ents = hd_xrealloc(t->ents, t->cap * sizeof(*t->ents));
	}
	memset(t->go + (size_t)t->n * t->ncls, 0xff, t->ncls * sizeof(*t->go));
	t->mask[t->n] = 0;
	t->ents[t->n] = NULL;
	return t->n++;
}

static void ents_add(uint32_t **list, uint32_t e)
{
	uint32_t n = *list ? (*list)[0] : 0;

	for (uint32_t i = 1; i <= n; i++)
		if ((*list)[i] == e)
			return;
	*list = hd_xrealloc(*list, (n + 2) * sizeof(uint32_t));
	(*list)[0] = n + 1;
	(*list)[n + 1] = e;
}

struct logscan *logscan_new(const struct hd_catalog *cat)
{
	struct logscan *ls = hd_xcalloc(1, sizeof(*ls));
	struct kw *kws = NULL;
	size_t nkw = 0;
	struct trie t = {0};
	_cleanup_free_ uint32_t *fail = NULL, *queue = NULL, *order = NULL, *newid = NULL;
	_cleanup_free_ int32_t *full = NULL;
	uint32_t qh = 0, qt = 0, nout = 0;

	ls->cat = cat;
	ls->threads = true;
	for (int c = 0; c < LS_NCAT; c++)
		for (const char *const *w = category_words[c]; *w; w++) {
			kws = hd_xrealloc(kws, (nkw + 1) * sizeof(*kws));
			kws[nkw++] = (struct kw){*w, c, -1};
		}
	for (size_t i = 0; cat && i < cat->n; i++) {
		if (cat->entries[i].literal && strlen(cat->entries[i].literal) >= 3) {
			kws = hd_xrealloc(kws, (nkw + 1) * sizeof(*kws));
			kws[nkw++] = (struct kw){cat->entries[i].literal, -1, (int)i};
		} else {
			ls->always = hd_xrealloc(ls->always, (ls->nalways + 1) * sizeof(uint32_t));
			ls->always[ls->nalways++] = (uint32_t)i;
		}
	}

	/* byte classes: 0 other, 1 newline, then one per (case-folded) byte in a word */
	ls->ncls = 2;
	ls->cls['\n'] = 1;
	for (size_t k = 0; k < nkw; k++)
		for (const unsigned char *p = (const unsigned char *)kws[k].text; *p; p++) {
			unsigned char lc = (unsigned char)tolower(*p),
				      uc = (unsigned char)toupper(*p);
			if (lc == '\n' || ls->cls[lc])
				continue;
			ls->cls[lc] = (uint8_t)ls->ncls;
			ls->cls[uc] = (uint8_t)ls->ncls;
			ls->ncls++;
		}

	t.ncls = ls->ncls;
	trie_add_state(&t); /* root */
	for (size_t k = 0; k < nkw; k++) {
		uint32_t s = 0;
		for (const unsigned char *p = (const unsigned char *)kws[k].text; *p; p++) {
			uint8_t c = ls->cls[tolower(*p)];
			int32_t nx = t.go[(size_t)s * t.ncls + c];
			if (nx < 0) {
				nx = (int32_t)trie_add_state(&t);
				t.go[(size_t)s * t.ncls + c] = nx;
			}
			s = (uint32_t)nx;
		}
		if (kws[k].cat >= 0)
			t.mask[s] |= 1u << kws[k].cat;
		else
			ents_add(&t.ents[s], (uint32_t)kws[k].entry);
	}

	/* breadth-first: failure links, inherited outputs, the full transition table */
	fail = hd_xcalloc(t.n, sizeof(*fail));
	queue = hd_xcalloc(t.n, sizeof(*queue));
	full = hd_xcalloc((size_t)t.n * t.ncls, sizeof(*full));
	for (uint32_t c = 0; c < t.ncls; c++) {
		int32_t nx = t.go[c];
		full[c] = nx > 0 ? nx : 0;
		if (nx > 0) {
			fail[nx] = 0;
			queue[qt++] = (uint32_t)nx;
		}
	}
	while (qh < qt) {
		uint32_t s = queue[qh++];
		t.mask[s] |= t.mask[fail[s]];
		for (uint32_t i = 1; t.ents[fail[s]] && i <= t.ents[fail[s]][0]; i++)
			ents_add(&t.ents[s], t.ents[fail[s]][i]);
		for (uint32_t c = 0; c < t.ncls; c++) {
			int32_t nx = t.go[(size_t)s * t.ncls + c];
			if (nx > 0) {
				fail[nx] = (uint32_t)full[(size_t)fail[s] * t.ncls + c];
				full[(size_t)s * t.ncls + c] = nx;
				queue[qt++] = (uint32_t)nx;
			} else {
				full[(size_t)s * t.ncls + c] = full[(size_t)fail[s] * t.ncls + c];
			}
		}
	}

	/* renumber: states without output first (root stays 0), then outputs, then end-of-line */
	newid = hd_xcalloc(t.n, sizeof(*newid));
	order = hd_xcalloc(t.n + 1, sizeof(*order));
	{
		uint32_t k = 0;
		for (uint32_t s = 0; s < t.n; s++)
			if (!t.mask[s] && !t.ents[s])
				newid[s] = k, order[k++] = s;
		nout = t.n - k;
		for (uint32_t s = 0; s < t.n; s++)
			if (t.mask[s] || t.ents[s])
				newid[s] = k, order[k++] = s;
	}
	/* Rows of NCLS entries. States without output first (root at 0); the rows with
	 * an output, then the end-of-line row, start at FIRST_OUT, a power of two, so
	 * one OR of four states tells whether any of them needs a look. */
	{
		uint32_t k = t.n - nout, pad = 1;
		while (pad < k * ls->ncls)
			pad <<= 1;
		ls->first_out = pad;
		ls->nl = pad + nout * ls->ncls;
		ls->nstates = nout + 1; /* rows from FIRST_OUT on: mask and entries */
		for (uint32_t s2 = 0; s2 < t.n; s2++)
			newid[s2] =
			    newid[s2] < k ? newid[s2] * ls->ncls : pad + (newid[s2] - k) * ls->ncls;
	}
	ls->delta = hd_xcalloc((size_t)ls->nl + ls->ncls, sizeof(*ls->delta));
	ls->mask = hd_xcalloc(ls->nstates, sizeof(*ls->mask));
	ls->ent_off = hd_xcalloc(ls->nstates + 1, sizeof(*ls->ent_off));
	for (uint32_t s2 = 0; s2 <= t.n; s2++) {
		/* s2 == t.n: the end-of-line row, which behaves as the root */
		uint32_t old = s2 < t.n ? s2 : 0, off = s2 < t.n ? newid[s2] : ls->nl;
		for (uint32_t c = 0; c < ls->ncls; c++)
			ls->delta[(size_t)off + c] =
			    c == 1 ? ls->nl : newid[full[(size_t)old * t.ncls + c]];
		if (s2 < t.n && off >= ls->first_out) {
			uint32_t j = (off - ls->first_out) / ls->ncls;
			ls->mask[j] = t.mask[old];
			ls->ent_off[j + 1] = t.ents[old] ? t.ents[old][0] : 0;
		}
	}
	for (uint32_t j = 0; j < ls->nstates; j++)
		ls->ent_off[j + 1] += ls->ent_off[j];
	ls->ents = hd_xcalloc(ls->ent_off[ls->nstates] + 1, sizeof(*ls->ents));
	for (uint32_t s2 = 0; s2 < t.n; s2++) {
		uint32_t j;
		if (newid[s2] < ls->first_out || !t.ents[s2])
			continue;
		j = (newid[s2] - ls->first_out) / ls->ncls;
		for (uint32_t i = 0; i < t.ents[s2][0]; i++)
			ls->ents[ls->ent_off[j] + i] = t.ents[s2][i + 1];
	}

	for (uint32_t s = 0; s < t.n; s++)
		free(t.ents[s]);
	free(t.ents);
	free(t.go);
	free(t.mask);
	free(kws);
	return ls;
}

void logscan_free(struct logscan *ls)
{
	if (!ls)
		return;
	free(ls->delta);
	free(ls->mask);
	free(ls->ent_off);
	free(ls->ents);
	free(ls->always);
	free(ls);
}

void logscan_counts_init(struct logscan_counts *c, const struct logscan *ls)
{
	memset(c, 0, sizeof(*c));
	c->nentries = ls->cat ? ls->cat->n : 0;
	c->entry = hd_xcalloc(c->nentries + 1, sizeof(*c->entry));
	c->example = hd_xcalloc(c->nentries + 1, sizeof(*c->example));
	c->worst = hd_xcalloc(c->nentries + 1, sizeof(*c->worst));
}

void logscan_counts_free(struct logscan_counts *c)
{
	for (size_t i = 0; i < c->nentries; i++)
		free(c->example[i]);
	free(c->example);
	free(c->worst);
	free(c->entry);
	memset(c, 0, sizeof(*c));
}

/* One stream of lines through the automaton: where it is, the current line's findings. */
struct stream {
	const unsigned char *p, *end;
	const char *line; /* start of the current line */
	uint32_t s, mask; /* state (row offset), categories seen on this line */
	uint32_t *list;	  /* catalogue entries whose text was seen on this line */
	size_t n;
	uint64_t *stamp; /* per entry: line id + 1 when listed */
	uint64_t lineid;
	pcre2_match_data *md; /* one per thread */
};

static void end_line(const struct logscan *ls, struct stream *st, const char *end,
		     struct logscan_counts *c)
{
	bool matched = false;

	c->lines++;
	for (int k = 0; st->mask && k < LS_NCAT; k++)
		if (st->mask & (1u << k))
			c->cat[k]++;
	for (size_t i = 0; i < st->n + ls->nalways; i++) {
		uint32_t e = i < st->n ? st->list[i] : ls->always[i - st->n];
		size_t len = (size_t)(end - st->line);

		if (pcre2_match(ls->cat->entries[e].re, (PCRE2_SPTR)st->line, len, 0, 0, st->md,
				NULL) < 0)
			continue;
		matched = true;
		enum hd_status ls_st = hd_catalog_line_status(&ls->cat->entries[e], st->line, len);
		if ((uint8_t)ls_st > c->worst[e])
			c->worst[e] = (uint8_t)ls_st;
		if (c->entry[e]++ == 0) {
			/* keep an instance, printable and short, for the details */
			size_t n = len < 200 ? len : 200;
			char *ex = hd_xstrndup(st->line, n);
			for (char *q = ex; *q; q++)
				if (!isprint((unsigned char)*q))
					*q = '?';
			c->example[e] = ex;
		}
	}
	if (matched)
		c->catalog++;
	st->n = 0;
	st->mask = 0;
	st->lineid++;
	st->line = end + 1;
}

/* The rare path: a word ended at P, or the line did. */
static __attribute__((noinline)) void on_output(const struct logscan *ls, struct stream *st,
						const unsigned char *p, struct logscan_counts *c)
{
	uint32_t row;

	if (st->s == ls->nl) {
		end_line(ls, st, (const char *)p, c);
		return;
	}
	row = (st->s - ls->first_out) / ls->ncls;
	st->mask |= ls->mask[row];
	for (uint32_t i = ls->ent_off[row]; i < ls->ent_off[row + 1]; i++) {
		uint32_t e = ls->ents[i];
		if (st->stamp[e] != st->lineid + 1) {
			st->stamp[e] = st->lineid + 1;
			st->list[st->n++] = e;
		}
	}
}

/* One byte of one stream; S and the byte pointer P stay in registers, the rest in *ST. */
#define STEP(S, P, ST)                                                                             \
	do {                                                                                       \
		S = T[S + cls[*(P)]];                                                              \
		if (__builtin_expect(S >= first_out, 0)) {                                         \
			(ST)->s = (uint32_t)S;                                                     \
			on_output(ls, (ST), (P), c);                                               \
		}                                                                                  \
	} while (0)

#define NSTREAMS 4

/*
 * A byte-at-a-time automaton is bound by the latency of one table load per
 * byte. Four streams over four parts of the buffer (cut at line ends) give the
 * CPU four independent chains of loads to overlap; counts are sums, so the
 * order in which lines finish does not matter.
 */
static void scan_part(const struct logscan *ls, const char *buf, size_t len,
		      struct logscan_counts *c, pcre2_match_data *md)
{
	const uint32_t *T = ls->delta;
	const uint8_t *cls = ls->cls;
	const size_t first_out = ls->first_out;
	size_t nent = ls->cat ? ls->cat->n : 0;
	struct stream st[NSTREAMS];
	const unsigned char *cut = (const unsigned char *)buf, *end = cut + len;
	int ns = len >= (64u << 10) ? NSTREAMS : 1;

	for (int i = 0; i < ns; i++) {
		const unsigned char *to = end;
		if (i < ns - 1) {
			const unsigned char *mid =
			    (const unsigned char *)buf + len / (size_t)ns * (size_t)(i + 1);
			const unsigned char *nlp =
			    mid < cut ? NULL : memchr(mid, '\n', (size_t)(end - mid));
			to = nlp ? nlp + 1 : end;
			if (mid < cut)
				to = cut;
		}
		st[i] = (struct stream){.p = cut,
					.end = to,
					.line = (const char *)cut,
					.list = hd_xcalloc(nent + 1, sizeof(uint32_t)),
					.stamp = hd_xcalloc(nent + 1, sizeof(uint64_t)),
					.md = md};
		cut = to;
	}
	if (ns == NSTREAMS) {
		size_t m = SIZE_MAX;
		const unsigned char *b0 = st[0].p, *b1 = st[1].p, *b2 = st[2].p, *b3 = st[3].p;
		size_t s0 = 0, s1 = 0, s2 = 0, s3 = 0; /* size_t: no zero-extension per byte */

		for (int i = 0; i < ns; i++)
			if ((size_t)(st[i].end - st[i].p) < m)
				m = (size_t)(st[i].end - st[i].p);
		for (size_t k = 0; k < m; k++) {
			STEP(s0, b0 + k, &st[0]);
			STEP(s1, b1 + k, &st[1]);
			STEP(s2, b2 + k, &st[2]);
			STEP(s3, b3 + k, &st[3]);
		}
		st[0].s = (uint32_t)s0, st[1].s = (uint32_t)s1;
		st[2].s = (uint32_t)s2, st[3].s = (uint32_t)s3;
		for (int i = 0; i < ns; i++)
			st[i].p += m;
	}
	for (int i = 0; i < ns; i++) {
		size_t si = st[i].s;
		for (const unsigned char *q = st[i].p; q < st[i].end; q++)
			STEP(si, q, &st[i]);
		if ((const char *)st[i].end > st[i].line)
			end_line(ls, &st[i], (const char *)st[i].end, c);
		free(st[i].list);
		free(st[i].stamp);
	}
}

struct part {
	const struct logscan *ls;
	const char *buf;
	size_t len;
	struct logscan_counts counts;
	pcre2_match_data *md;
};

static void *part_thread(void *arg)
{
	struct part *pt = arg;
	scan_part(pt->ls, pt->buf, pt->len, &pt->counts, pt->md);
	return NULL;
}

/* A large buffer is cut in two at a line end and the second half scanned by a
 * second thread when the machine has a second CPU: counts are sums. */
void logscan_scan(const struct logscan *ls, const char *buf, size_t len, struct logscan_counts *c)
{
	static long ncpu;
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	const char *mid, *nl;
	struct part pt = {.ls = ls};
	pthread_t th;

	if (!ncpu)
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (len < (1u << 20) || ncpu < 2 || !ls->threads ||
	    !(nl = memchr((mid = buf + len / 2), '\n', len - len / 2)) || nl + 1 >= buf + len) {
		scan_part(ls, buf, len, c, md);
		pcre2_match_data_free(md);
		return;
	}
	pt.buf = nl + 1;
	pt.len = (size_t)(buf + len - pt.buf);
	pt.md = pcre2_match_data_create(1, NULL);
	logscan_counts_init(&pt.counts, ls);
	if (pthread_create(&th, NULL, part_thread, &pt) != 0) {
		scan_part(ls, buf, len, c, md);
	} else {
		scan_part(ls, buf, (size_t)(pt.buf - buf), c, md);
		pthread_join(th, NULL);
		c->lines += pt.counts.lines;
		c->catalog += pt.counts.catalog;
		for (int k = 0; k < LS_NCAT; k++)
			c->cat[k] += pt.counts.cat[k];
		for (size_t e = 0; e < c->nentries; e++) {
			c->entry[e] += pt.counts.entry[e];
			if (pt.counts.worst[e] > c->worst[e])
				c->worst[e] = pt.counts.worst[e];
			if (!c->example[e])
				c->example[e] = HD_TAKE(pt.counts.example[e]);
		}
	}
	logscan_counts_free(&pt.counts);
	pcre2_match_data_free(pt.md);
	pcre2_match_data_free(md);
}

/* ---- state file ---- */

void logscan_pos_free(struct logscan_pos *pos, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(pos[i].path);
	free(pos);
}

int logscan_state_parse(const char *buf, size_t len, struct logscan_pos **out, size_t *n,
			int *badline)
{
	static const char magic[] = "hostdoctor-log-scan 1\n";
	const char *p = buf, *end = buf + len;
	struct logscan_pos *v = NULL;
	size_t k = 0;
	int line = 1;

	*out = NULL;
	*n = 0;
	*badline = 1;
	if (len < sizeof(magic) - 1 || memcmp(buf, magic, sizeof(magic) - 1) != 0)
		return -EINVAL;
	p += sizeof(magic) - 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char tmp[4200];
		unsigned long long dev, ino, off;
		unsigned fplen, fp;
		int used = 0;
		size_t l;

		line++;
		if (!nl || (l = (size_t)(nl - p)) >= sizeof(tmp))
			goto bad;
		memcpy(tmp, p, l);
		tmp[l] = '\0';
		if (memchr(tmp, '\0', l) ||
		    sscanf(tmp, "%llu %llu %llu %u %x %n", &dev, &ino, &off, &fplen, &fp, &used) !=
			5 ||
		    used == 0 || tmp[used] != '/' || fplen > LOGSCAN_FP_BYTES)
			goto bad;
		v = hd_xrealloc(v, (k + 1) * sizeof(*v));
		v[k++] = (struct logscan_pos){hd_xstrdup(tmp + used), dev, ino, off, fplen, fp};
		p = nl + 1;
	}
	*out = v;
	*n = k;
	return 0;
bad:
	*badline = line;
	logscan_pos_free(v, k);
	return -EINVAL;
}

char *logscan_state_format(const struct logscan_pos *pos, size_t n)
{
	struct hd_buf b = {0};

	hd_buf_printf(&b, "hostdoctor-log-scan 1\n");
	for (size_t i = 0; i < n; i++)
		hd_buf_printf(&b, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %u %08x %s\n", pos[i].dev,
			      pos[i].ino, pos[i].offset, pos[i].fplen, pos[i].fp, pos[i].path);
	return hd_buf_steal(&b);
}

/* ---- reading files ---- */

#define CHUNK	    (4u << 20)
#define MAX_PENDING (64u << 20) /* a "line" longer than this is counted in pieces */

struct reader {
	const struct logscan *ls;
	struct logscan_counts *counts;
	const struct hd_ctx *ctx;
	char *buf;
	size_t cap;
	uint64_t bytes; /* read in this run, all files */
	bool out_of_time;
};

static uint32_t fingerprint(const char *b, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)b, (uInt)n);
}

/* Pull bytes from FD (or GZ when set) from where it stands, scanning complete lines.
 * FINAL: also count a last line without '\n' (a rotated file grows no more).
 * Returns the bytes consumed (partial last line excluded unless FINAL), or -errno. */
static int64_t scan_stream(struct reader *rd, int fd, gzFile gz, bool final)
{
	size_t have = 0;
	int64_t consumed = 0;

	for (;;) {
		ssize_t got;
		char *nl;

		if (rd->cap - have < CHUNK) {
			rd->cap = have + CHUNK;
			rd->buf = hd_xrealloc(rd->buf, rd->cap);
		}
		if (gz) {
			int g = gzread(gz, rd->buf + have, CHUNK);
			if (g < 0) {
				int e;
				gzerror(gz, &e);
				return e == Z_ERRNO ? -errno : -EBADMSG;
			}
			got = g;
		} else {
			got = read(fd, rd->buf + have, CHUNK);
			if (got < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
		}
		if (got == 0)
			break;
		rd->bytes += (uint64_t)got;
		have += (size_t)got;
		nl = memrchr(rd->buf, '\n', have);
		if (!nl && have < MAX_PENDING)
			continue;
		{
			size_t n = nl ? (size_t)(nl - rd->buf) + 1 : have;
			logscan_scan(rd->ls, rd->buf, n, rd->counts);
			consumed += (int64_t)n;
			memmove(rd->buf, rd->buf + n, have - n);
			have -= n;
		}
		if (hd_ctx_remaining(rd->ctx) < 0.5) {
			/* keep what was done; the next run goes on from here */
			rd->out_of_time = true;
			return consumed;
		}
	}
	if (final && have) {
		logscan_scan(rd->ls, rd->buf, have, rd->counts);
		consumed += (int64_t)have;
	}
	return consumed;
}

/* The first N bytes of an open file (plain or gzip) match FP? */
static bool fp_matches(int fd, bool gz, uint32_t fplen, uint32_t fp)
{
	char b[LOGSCAN_FP_BYTES];
	ssize_t got;

	if (fplen == 0)
		return true;
	if (gz) {
		gzFile g;
		/* a dup shares the file offset: rewind it for the next reader too */
		int dfd = lseek(fd, 0, SEEK_SET) == 0 ? dup(fd) : -1;
		if (dfd < 0 || !(g = gzdopen(dfd, "rb"))) {
			if (dfd >= 0)
				close(dfd);
			return false;
		}
		got = gzread(g, b, fplen);
		gzclose(g);
	} else {
		got = pread(fd, b, fplen, 0);
	}
	return got == (ssize_t)fplen && fingerprint(b, fplen) == fp;
}

/* Read the previous file of PATH (renamed to PATH.1 / PATH.1.gz, or copied there by
 * copytruncate) from OLD->offset to its end. Returns 1 when found and read, 0 when
 * not found, -errno on a read error. */
static int scan_rotated(struct reader *rd, const char *resolved, const struct logscan_pos *old,
			struct hd_result *r)
{
	static const char *const suffixes[] = {".1", ".0", ".1.gz", ".0.gz"};

	for (size_t i = 0; i < HD_ARRAY_SIZE(suffixes); i++) {
		char p[4200];
		_cleanup_close_ int fd = -1;
		struct stat st;
		bool gz = strstr(suffixes[i], ".gz") != NULL;
		int64_t got;

		snprintf(p, sizeof(p), "%s%s", resolved, suffixes[i]);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		/* the same inode is the renamed file itself; else the first bytes must agree */
		if (!((uint64_t)st.st_dev == old->dev && (uint64_t)st.st_ino == old->ino) &&
		    !fp_matches(fd, gz, old->fplen, old->fp))
			continue;
		if (!gz && (uint64_t)st.st_size < old->offset)
			continue;
		if (gz) {
			gzFile g;
			int dfd = lseek(fd, 0, SEEK_SET) == 0 ? dup(fd) : -1;
			if (dfd < 0 || !(g = gzdopen(dfd, "rb"))) {
				if (dfd >= 0)
					close(dfd);
				return -errno;
			}
			gzbuffer(g, 128u << 10);
			if (old->offset && gzseek(g, (z_off_t)old->offset, SEEK_SET) < 0) {
				gzclose(g);
				continue; /* shorter than where we stopped: not our file */
			}
			got = scan_stream(rd, -1, g, true);
			gzclose(g);
		} else {
			if (lseek(fd, (off_t)old->offset, SEEK_SET) < 0)
				return -errno;
			got = scan_stream(rd, fd, NULL, true);
		}
		if (got < 0)
			return (int)got;
		hd_result_detail(r, "%s was rotated: read the rest of %s%s (%" PRId64 " bytes)",
				 old->path, old->path, suffixes[i], got);
		return 1;
	}
	return 0;
}

/* Scan one live file; fill NEWPOS. FIRST: no earlier state for this path. */
static int scan_file(struct reader *rd, const char *path, const char *resolved,
		     const struct logscan_pos *old, bool from_start, struct logscan_pos *newpos,
		     struct hd_result *r)
{
	_cleanup_close_ int fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char head[LOGSCAN_FP_BYTES];
	struct stat st;
	ssize_t hn;
	uint64_t start = 0;
	int64_t got;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	hn = pread(fd, head, sizeof(head), 0);
	if (hn < 0)
		return -errno;
	*newpos = (struct logscan_pos){hd_xstrdup(path),    (uint64_t)st.st_dev,
				       (uint64_t)st.st_ino, 0,
				       (uint32_t)hn,	    fingerprint(head, (size_t)hn)};

	if (!old) {
		start = from_start ? 0 : (uint64_t)st.st_size;
	} else {
		bool same = old->dev == (uint64_t)st.st_dev && old->ino == (uint64_t)st.st_ino;
		bool fp_ok = old->fplen <= (uint64_t)hn && fingerprint(head, old->fplen) == old->fp;

		if (same && fp_ok && (uint64_t)st.st_size >= old->offset) {
			start = old->offset;
		} else {
			/* renamed away (other inode) or truncated in place (copytruncate) */
			int f = scan_rotated(rd, resolved, old, r);
			if (f < 0)
				return f;
			if (f == 0)
				hd_result_detail(
				    r,
				    "%s was %s and its previous file (%s.1, %s.1.gz) is "
				    "gone: lines written after the last run may be missed",
				    path, same ? "truncated" : "replaced", path, path);
			start = 0;
		}
	}
	if (lseek(fd, (off_t)start, SEEK_SET) < 0)
		return -errno;
	got = scan_stream(rd, fd, NULL, false);
	if (got < 0)
		return (int)got;
	newpos->offset = start + (uint64_t)got;
	return 0;
}

/* ---- the state directory ---- */

/* Open (creating it 0700 when missing) the state directory, refusing links and
 * directories others may write to. Returns an fd or -errno with WHY set. */
static int open_state_dir(const char *dir, const char **why)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*why = "cannot create it";
		return -errno;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*why = errno == ELOOP || errno == ENOTDIR ? "is a symbolic link or not a directory"
							  : "cannot open it";
		return errno == ENOTDIR ? -ELOOP : -errno;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		*why = "cannot stat it";
		return -errno;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		*why = st.st_uid != geteuid() ? "is owned by another user"
					      : "is writable by group or others";
		return -EPERM;
	}
	return fd;
}

/* State file name from the check id: [A-Za-z0-9._-] kept, anything else '_'. */
static void state_name(const char *id, char *buf, size_t size)
{
	size_t k = (size_t)snprintf(buf, size, "log-scan.");

	for (const char *p = id; *p && k + 7 < size; p++)
		buf[k++] = isalnum((unsigned char)*p) || strchr("._-", *p) ? *p : '_';
	snprintf(buf + k, size - k, ".state");
}

static int read_state(int dfd, const char *name, char **out, size_t *len)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *b;
	ssize_t got;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_size > (16 << 20))
		return -EPERM;
	b = hd_xmalloc((size_t)st.st_size + 1);
	got = read(fd, b, (size_t)st.st_size);
	if (got < 0) {
		free(b);
		return -errno;
	}
	b[got] = '\0';
	*out = b;
	*len = (size_t)got;
	return 0;
}

static int write_state(int dfd, const char *name, const char *text)
{
	char tmp[400];
	size_t len = strlen(text);
	int fd, e = 0;

	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long)getpid());
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0)
		e = errno ? -errno : -EIO;
	if (close(fd) < 0 && !e)
		e = -errno;
	/* rename replaces the name itself, never what a link there points to */
	if (!e && renameat(dfd, tmp, dfd, name) < 0)
		e = -errno;
	if (e)
		unlinkat(dfd, tmp, 0);
	return e;
}

/* ---- the check ---- */

static const struct logscan_pos *find_pos(const struct logscan_pos *v, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].path, path) == 0)
			return &v[i];
	return NULL;
}

/* glob(3) every pattern under --root; host paths (root stripped), sorted, unique. */
static size_t expand_paths(const struct hd_ctx *ctx, char **patterns, size_t np, char ***out)
{
	char **v = hd_xcalloc(1, sizeof(char *));
	size_t n = 0, rl = strlen(ctx->root);

	for (size_t i = 0; i < np; i++) {
		char full[4096];
		glob_t g = {0};

		if (hd_path(ctx, patterns[i], full, sizeof(full)) < 0)
			continue;
		if (glob(full, GLOB_BRACE, NULL, &g) == 0) {
			for (size_t k = 0; k < g.gl_pathc; k++) {
				const char *host = g.gl_pathv[k] + rl;
				bool dup = false;
				for (size_t j = 0; j < n; j++)
					dup |= strcmp(v[j], host) == 0;
				if (dup || strchr(host, '\n'))
					continue;
				v = hd_xrealloc(v, (n + 2) * sizeof(char *));
				v[n++] = hd_xstrdup(host);
				v[n] = NULL;
			}
		}
		globfree(&g);
	}
	*out = v;
	return n;
}

static void grep_remedy(struct hd_result *r, enum logscan_category k, char **files, size_t nf)
{
	struct hd_buf b = {0};
	_cleanup_free_ char *s = NULL;

	for (const char *const *w = category_words[k]; *w; w++)
		hd_buf_printf(&b, "%s%s", w == category_words[k] ? "" : "|", *w);
	s = hd_buf_steal(&b);
	hd_result_remedy_add(r, "Read the %s lines: grep -n -i -E '%s' %s%s",
			     logscan_category_names[k], s, files[0], nf > 1 ? " ..." : "");
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *state_dir = hd_check_str(c, "state_dir");
	const char *catdir = hd_check_str(c, "catalog");
	bool from_start = strcmp(hd_check_str(c, "from"), "start") == 0;
	char **patterns = NULL, **files = NULL, **products = NULL;
	size_t np = hd_check_list(c, "path", &patterns);
	size_t nprod = hd_check_list(c, "products", &products);
	size_t nf = expand_paths(ctx, patterns, np, &files);
	struct hd_catalog cat = {0};
	struct logscan *ls = NULL;
	struct logscan_counts counts = {0};
	struct reader rd = {.ctx = ctx};
	struct logscan_pos *old = NULL, *now = NULL;
	size_t nold = 0, nnow = 0;
	bool had_state = false;
	char dir[4096], sname[300], err[1024];
	const char *why = "";
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *sbytes = NULL;
	_cleanup_free_ char *stext = NULL;
	size_t slen = 0;
	int rc = 0;

	if (nf == 0) {
		struct hd_buf b = {0};
		_cleanup_free_ char *s = NULL;
		for (size_t i = 0; i < np; i++)
			hd_buf_printf(&b, "%s%s", i ? ", " : "", patterns[i]);
		s = hd_buf_steal(&b);
		hd_result_set(r, HD_SKIPPED, "no log file matches %s%s", s,
			      *ctx->root ? " under the root" : "");
		hd_result_remedy(r, "Set 'path' to the log files of this host (globs allowed).");
		goto out;
	}

	/* the state directory: the one place a probe writes */
	if (hd_path(ctx, state_dir, dir, sizeof(dir)) < 0 ||
	    (dfd = open_state_dir(dir, &why)) < 0) {
		rc = dfd < 0 ? dfd : -ENAMETOOLONG;
		hd_result_set(r, HD_UNKNOWN, "state directory %s %s: %s", dir, why, strerror(-rc));
		hd_result_remedy(
		    r,
		    "Use a directory only this user can write: mkdir -m 0700 %s (as the "
		    "user running hostdoctor), or set state_dir to one.",
		    dir);
		goto out;
	}
	state_name(c->id, sname, sizeof(sname));
	rc = read_state(dfd, sname, &sbytes, &slen);
	if (rc == 0) {
		int badline;
		had_state = true;
		if (logscan_state_parse(sbytes, slen, &old, &nold, &badline) < 0) {
			/* a damaged state only costs this run's counts: start over from the ends */
			hd_result_detail(r, "state file %s/%s line %d is malformed: started over",
					 dir, sname, badline);
			had_state = false;
		}
	} else if (rc == -ELOOP || rc == -EPERM) {
		hd_result_set(r, HD_UNKNOWN, "state file %s/%s is %s: refused", dir, sname,
			      rc == -ELOOP ? "a symbolic link" : "not a regular file of this user");
		hd_result_remedy(r, "Remove it (rm %s/%s) and check who created it.", dir, sname);
		goto out;
	} else if (rc != -ENOENT) {
		hd_result_set(r, HD_UNKNOWN, "cannot read state file %s/%s: %s", dir, sname,
			      strerror(-rc));
		hd_result_remedy(r, "Check the permissions of %s.", dir);
		goto out;
	}
	rc = 0;

	if (catdir && strcmp(catdir, "none") != 0) {
		if (!*catdir)
			catdir = hd_catalog_default_dir();
		if (hd_catalog_load_dir(&cat, catdir, err, sizeof(err)) < 0) {
			hd_result_set(r, HD_UNKNOWN, "message catalogue: %s", err);
			hd_result_remedy(r, "Fix the catalogue file named, or set catalog = none.");
			rc = -EINVAL;
			goto out;
		}
		if (nprod)
			hd_catalog_keep_products(&cat, products, nprod);
	}
	ls = logscan_new(&cat);
	logscan_counts_init(&counts, ls);
	rd.ls = ls;
	rd.counts = &counts;

	now = hd_xcalloc(nf, sizeof(*now));
	for (size_t i = 0; i < nf && !rd.out_of_time; i++) {
		char resolved[4096];
		const struct logscan_pos *o = had_state ? find_pos(old, nold, files[i]) : NULL;
		/* a file first seen after the first run is new: all of it is news */
		bool start = from_start || had_state;
		int e;

		if (hd_path(ctx, files[i], resolved, sizeof(resolved)) < 0)
			continue;
		e = scan_file(&rd, files[i], resolved, o, start, &now[nnow], r);
		if (e < 0) {
			hd_result_set(r, HD_UNKNOWN, "cannot read %s: %s", files[i], strerror(-e));
			hd_result_remedy(r,
					 "Run as a user that may read %s (root, or the adm group).",
					 files[i]);
			free(now[nnow].path);
			rc = e;
			goto out;
		}
		nnow++;
	}
	if (rd.out_of_time)
		hd_result_detail(r,
				 "stopped at the deadline after %" PRIu64
				 " bytes; the next run goes on from there",
				 rd.bytes);
	stext = logscan_state_format(now, nnow);
	rc = write_state(dfd, sname, stext);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot write state file %s/%s: %s", dir, sname,
			      strerror(-rc));
		hd_result_remedy(r, "Check the permissions and free space of %s.", dir);
		goto out;
	}

	hd_result_metric(r, "catalog", (double)counts.catalog, HD_UNIT_NONE)->has_min = true;
	for (int k = 0; k < LS_NCAT; k++) {
		char key[64];
		struct hd_metric *m = hd_result_metric(r, logscan_category_names[k],
						       (double)counts.cat[k], HD_UNIT_NONE);
		m->has_min = true;
		snprintf(key, sizeof(key), "warning_%s", logscan_category_names[k]);
		if (hd_check_has(c, key))
			hd_range_parse(hd_check_str(c, key), &m->warn, NULL);
		snprintf(key, sizeof(key), "critical_%s", logscan_category_names[k]);
		if (hd_check_has(c, key))
			hd_range_parse(hd_check_str(c, key), &m->crit, NULL);
	}
	hd_result_metric(r, "lines", (double)counts.lines, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "bytes", (double)rd.bytes, HD_UNIT_BYTES)->has_min = true;

	if (!had_state && !from_start) {
		hd_result_set(
		    r, HD_OK,
		    "first run: %zu file%s positioned at the end; counting starts with the "
		    "next run",
		    nf, nf == 1 ? "" : "s");
	} else {
		struct hd_buf b = {0};
		_cleanup_free_ char *s = NULL;
		for (int k = 0; k < LS_NCAT; k++)
			if (counts.cat[k])
				hd_buf_printf(&b, ", %s %" PRIu64, logscan_category_names[k],
					      counts.cat[k]);
		s = hd_buf_steal(&b);
		hd_result_set(r, HD_OK,
			      "%" PRIu64 " new line%s in %zu file%s%s, %" PRIu64 " catalogued",
			      counts.lines, counts.lines == 1 ? "" : "s", nf, nf == 1 ? "" : "s", s,
			      counts.catalog);
	}
	hd_result_remedy(r, "Read the new lines of %s%s and act on the catalogued messages below.",
			 files[0], nf > 1 ? " and the other files" : "");
	for (size_t i = 0; i < counts.nentries; i++) {
		const struct hd_catalog_entry *e = &cat.entries[i];
		struct hd_buf cb = {0};
		_cleanup_free_ char *checks = NULL;

		if (!counts.entry[i])
			continue;
		for (size_t k = 0; k < e->nchecks; k++)
			hd_buf_printf(&cb, "%s%s", k ? ", " : "", e->checks[k]);
		checks = hd_buf_steal(&cb);
		hd_result_raise(r, (enum hd_status)counts.worst[i]);
		hd_result_detail(r, "%s: %" PRIu64 " line%s (%s %s), e.g. \"%s\"", e->id,
				 counts.entry[i], counts.entry[i] == 1 ? "" : "s", e->product,
				 e->severity, counts.example[i]);
		hd_result_detail(r, "  %s%s%s", e->explanation, *checks ? " Check: " : "", checks);
		hd_result_remedy_add(r, "%s: %s", e->id, e->remedy);
		if (e->nchecks) {
			struct hd_buf ob = {0};
			_cleanup_free_ char *only = NULL;
			for (size_t k = 0; k < e->nchecks; k++)
				hd_buf_printf(&ob, " --only %s", e->checks[k]);
			only = hd_buf_steal(&ob);
			hd_result_remedy_add(
			    r, "  test the cause on this host: hostdoctor doctor%s", only);
		}
	}
	for (int k = 0; k < LS_NCAT; k++) {
		struct hd_metric *m = hd_result_find_metric(r, logscan_category_names[k]);
		char rb[64];

		if (hd_range_alerts(&m->crit, m->value)) {
			hd_range_format(&m->crit, rb, sizeof(rb));
			hd_result_raise(r, HD_CRITICAL);
			hd_result_detail(r, "%s = %g is outside the critical range %s", m->name,
					 m->value, rb);
			grep_remedy(r, (enum logscan_category)k, files, nf);
		} else if (hd_range_alerts(&m->warn, m->value)) {
			hd_range_format(&m->warn, rb, sizeof(rb));
			hd_result_raise(r, HD_WARNING);
			hd_result_detail(r, "%s = %g is outside the warning range %s", m->name,
					 m->value, rb);
			grep_remedy(r, (enum logscan_category)k, files, nf);
		}
	}
	rc = 0;
out:
	logscan_counts_free(&counts);
	logscan_free(ls);
	hd_catalog_free(&cat);
	logscan_pos_free(old, nold);
	logscan_pos_free(now, nnow);
	free(rd.buf);
	hd_strv_free(patterns);
	hd_strv_free(products);
	hd_strv_free(files);
	return rc;
}

#define THRESHOLDS(cat)                                                                            \
	{.key = "warning_" cat, .type = HD_P_RANGE, .help = "WARNING range for " cat " lines"},    \
	{                                                                                          \
		.key = "critical_" cat, .type = HD_P_RANGE,                                        \
		.help = "CRITICAL range for " cat " lines"                                         \
	}

static const struct hd_param params[] = {
    {.key = "path",
     .type = HD_P_LIST,
     .required = true,
     .help = "log files to scan; glob patterns allowed (match the live files, not *.1)"},
    {.key = "state_dir",
     .type = HD_P_STR,
     .def = "/var/lib/hostdoctor",
     .help = "where the position in each file is kept (created 0700)"},
    {.key = "from",
     .type = HD_P_ENUM,
     .def = "end",
     .choices = "end|start",
     .help = "first run: start at the end of the files (end) or read them whole (start)"},
    {.key = "catalog",
     .type = HD_P_STR,
     .def = "",
     .help = "message catalogue directory (default: the shipped one); none: no catalogue"},
    {.key = "products",
     .type = HD_P_LIST,
     .help = "only catalogue entries of these products (fsigk, amp, ipsec, ds)"},
    THRESHOLDS("errors"),
    THRESHOLDS("network"),
    THRESHOLDS("access"),
    THRESHOLDS("config"),
    THRESHOLDS("cgi"),
    THRESHOLDS("portscan"),
    THRESHOLDS("bruteforce"),
    THRESHOLDS("passwd"),
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"catalog", "New lines matching a message catalogue entry."},
    {"errors", "New lines with warning, err or abort."},
    {"network", "New lines with timeout or timed out."},
    {"access", "New lines with refused, reject, not permitted or denied."},
    {"config", "New lines with fail, incorrect or invalid."},
    {"cgi", "New lines with /phf, /php or /test-cgi."},
    {"portscan", "New lines with null connection or eof received."},
    {"bruteforce",
     "New lines with authentication failed, repeated login failures or login incorrect."},
    {"passwd", "New lines with passwd."},
    {"lines", "New lines read."},
    {"bytes", "Bytes read."},
    {0},
};

const struct hd_probe probe_log_scan = {
    .name = "log-scan",
    .summary = "new lines of log files: categories of trouble and catalogued vendor messages",
    .params = params,
    .metrics = metrics,
    .run = run,
};
