/* Scanning with the log matcher: a buffer of lines through vectorscan once (and pcre2 for its
 * entries), the matches folded into per-line counts; the line ends as a bitmap. */
#include "log_match.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "cleanup.h"
#include "lazy_regex.h"
#include "log_match_impl.h"
#include "util.h"

/* ---- counts ---- */

void hd_log_counts_init(struct hd_log_counts *c, const struct hd_log_matcher *m)
{
	memset(c, 0, sizeof(*c));
	c->nentries = m->nslots - HD_LC_N;
	c->entry = hd_xcalloc(c->nentries + 1, sizeof(*c->entry));
	c->example = hd_xcalloc(c->nentries + 1, sizeof(*c->example));
	c->worst = hd_xcalloc(c->nentries + 1, sizeof(*c->worst));
}

void hd_log_counts_clear(struct hd_log_counts *c)
{
	c->lines = c->catalog = 0;
	memset(c->cat, 0, sizeof(c->cat));
	for (size_t i = 0; i < c->nentries; i++) {
		free(c->example[i]);
		c->example[i] = NULL;
		c->entry[i] = 0;
		c->worst[i] = 0;
	}
}

void hd_log_counts_add(struct hd_log_counts *into, struct hd_log_counts *from)
{
	into->lines += from->lines;
	into->catalog += from->catalog;
	for (int k = 0; k < HD_LC_N; k++)
		into->cat[k] += from->cat[k];
	for (size_t e = 0; e < into->nentries && e < from->nentries; e++) {
		into->entry[e] += from->entry[e];
		if (from->worst[e] > into->worst[e])
			into->worst[e] = from->worst[e];
		if (!into->example[e])
			into->example[e] = HD_TAKE(from->example[e]);
	}
	hd_log_counts_clear(from);
}

void hd_log_counts_free(struct hd_log_counts *c)
{
	for (size_t i = 0; i < c->nentries; i++)
		free(c->example[i]);
	free(c->example);
	free(c->worst);
	free(c->entry);
	memset(c, 0, sizeof(*c));
}

/* ---- scanning ---- */

struct hit {
	uint32_t slot;
	uint32_t at; /* an offset inside the line: the last byte of the match */
};

struct hits {
	struct hit *v;
	size_t n, cap;
	uint32_t last;
	bool sorted;
};

struct hd_log_scanner {
	const struct hd_log_matcher *m;
	hs_scratch_t *scratch;
	pcre2_match_data *md;
	struct hits h, rh; /* the buffer's matches; one line's matches when it is scanned alone */
	uint32_t *seen;	   /* per slot: the line serial it was last counted for */
	uint32_t *rseen;   /* per slot: found when the line with that serial was scanned alone */
	uint32_t serial;
	uint64_t *nl; /* bit I of word I/64: byte I of the buffer is a '\n' */
	size_t nlcap; /* words */
};

struct hd_log_scanner *hd_log_scanner_new(const struct hd_log_matcher *m)
{
	struct hd_log_scanner *s = hd_xcalloc(1, sizeof(*s));

	s->m = m;
	if (m->db && m->H->alloc_scratch(m->db, &s->scratch) != HS_SUCCESS)
		abort(); /* only out of memory */
	if (m->npslots)
		s->md = m->P->match_data_create(1, NULL);
	s->seen = hd_xcalloc(m->nslots, sizeof(*s->seen));
	s->rseen = hd_xcalloc(m->nslots, sizeof(*s->rseen));
	return s;
}

void hd_log_scanner_free(struct hd_log_scanner *s)
{
	if (!s)
		return;
	if (s->scratch)
		s->m->H->free_scratch(s->scratch);
	if (s->md)
		s->m->P->match_data_free(s->md);
	free(s->h.v);
	free(s->rh.v);
	free(s->seen);
	free(s->rseen);
	free(s->nl);
	free(s);
}

static inline void hits_add(struct hits *h, uint32_t slot, uint32_t at)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 4096;
		h->v = hd_xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	if (at < h->last)
		h->sorted = false;
	h->last = at;
	h->v[h->n++] = (struct hit){slot, at};
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *u)
{
	(void)from;
	(void)flags;
	/* no expression matches the empty string, so TO >= 1 */
	hits_add(u, id, (uint32_t)(to - 1));
	return 0;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at ? 1 : (int)x->slot - (int)y->slot;
}

/* pcre2 slot X: one hit per line that matches on its own. The buffer is searched at once
 * (a match that starts in line L: no line before it can match alone, every pattern being
 * at least as free in the buffer as in a line, but for the ones tried line by line) and
 * each line found is then matched alone. */
static void scan_pcre2(struct hd_log_scanner *s, const struct expr *x, uint32_t slot,
		       const char *buf, size_t len)
{
	const struct hd_pcre2_fn *P = s->m->P;
	PCRE2_SIZE *ov = P->get_ovector_pointer(s->md);
	size_t pos = 0;

	while (pos <= len) {
		const char *ls, *le;

		if (x->per_line) {
			ls = buf + pos;
			le = memchr(ls, '\n', len - pos);
			le = le ? le : buf + len;
			if (ls == buf + len && pos > 0)
				break;
		} else {
			size_t st;
			if (P->match(x->re, (PCRE2_SPTR)buf, len, pos, 0, s->md, NULL) < 0)
				break;
			st = ov[0];
			ls = memrchr(buf + pos, '\n', st - pos);
			ls = ls ? ls + 1 : buf + pos;
			le = memchr(buf + st, '\n', len - st);
			le = le ? le : buf + len;
		}
		if (P->match(x->re, (PCRE2_SPTR)ls, (size_t)(le - ls), 0, 0, s->md, NULL) >= 0)
			hits_add(&s->h, slot, (uint32_t)(ls - buf));
		if (le == buf + len)
			break;
		pos = (size_t)(le - buf) + 1;
	}
}

/* Is catalogue slot SLOT's match (last byte at AT) in the line [LS, LE) alone? A match no
 * longer than the part of the line before it cannot have started on an earlier line; else
 * the line is scanned alone, once, and asked. */
static bool confirm(struct hd_log_scanner *s, uint32_t slot, size_t at, const char *buf, size_t ls,
		    size_t le, bool *rescanned)
{
	const struct hd_log_matcher *m = s->m;

	if (m->x[slot].pcre2 || (m->x[slot].maxw != UINT_MAX && at + 1 - ls >= m->x[slot].maxw))
		return true;
	if (!*rescanned) {
		*rescanned = true;
		s->rh.n = 0;
		if (le > ls)
			m->H->scan(m->db, buf + ls, (unsigned)(le - ls), 0, s->scratch, on_match,
				   &s->rh);
		for (size_t i = 0; i < s->rh.n; i++)
			s->rseen[s->rh.v[i].slot] = s->serial;
	}
	return s->rseen[slot] == s->serial;
}

static void record(const struct hd_log_matcher *m, struct hd_log_counts *c, size_t e,
		   const char *line, size_t len)
{
	const struct hd_catalog_entry *ent = &m->cat->entries[e];
	enum hd_status st = hd_catalog_line_status(ent, line, len);

	if ((uint8_t)st > c->worst[e])
		c->worst[e] = (uint8_t)st;
	if (c->entry[e]++ == 0) {
		/* an instance, printable and short, for the details */
		size_t n = len < 200 ? len : 200;
		char *ex = hd_xstrndup(line, n);
		for (char *q = ex; *q; q++)
			if (!isprint((unsigned char)*q))
				*q = '?';
		c->example[e] = ex;
	}
}

/* The line ends of BUF as a bitmap (one bit per byte); returns how many. One pass at the
 * speed of the memory the bytes come from; later questions about lines cost a word or two. */
#if defined(__x86_64__)
__attribute__((target("avx2,popcnt"))) static size_t nl_bitmap_avx2(const char *p, size_t n,
								    uint64_t *bits)
{
	const __m256i nl = _mm256_set1_epi8('\n');
	size_t c = 0, i = 0;

	for (; i + 64 <= n; i += 64) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
		uint64_t w = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl)) |
			     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, nl))
				 << 32;
		bits[i / 64] = w;
		c += (size_t)__builtin_popcountll(w);
	}
	if (i < n) {
		uint64_t w = 0;
		for (size_t k = 0; i + k < n; k++)
			w |= (uint64_t)(p[i + k] == '\n') << k;
		bits[i / 64] = w;
		c += (size_t)__builtin_popcountll(w);
	}
	return c;
}
#endif

static size_t nl_bitmap_generic(const char *p, size_t n, uint64_t *bits)
{
	size_t c = 0;

	memset(bits, 0, (n + 63) / 64 * sizeof(*bits));
	for (const char *q = p, *end = p + n; (q = memchr(q, '\n', (size_t)(end - q))); q++) {
		size_t i = (size_t)(q - p);
		bits[i / 64] |= 1ULL << (i % 64);
		c++;
	}
	return c;
}

static size_t nl_bitmap(const char *p, size_t n, uint64_t *bits)
{
#if defined(__x86_64__)
	static int avx2 = -1;
	if (avx2 < 0)
		avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
	if (avx2)
		return nl_bitmap_avx2(p, n, bits);
#endif
	return nl_bitmap_generic(p, n, bits);
}

/* The first line end at or after AT, or LEN. */
static size_t next_nl(const uint64_t *bits, size_t at, size_t len)
{
	size_t w = at / 64, nw = (len + 63) / 64;
	uint64_t m = bits[w] & (~0ULL << (at % 64));

	while (!m && ++w < nw)
		m = bits[w];
	if (!m)
		return len;
	at = w * 64 + (size_t)__builtin_ctzll(m);
	return at < len ? at : len;
}

/* Where the line holding AT starts: after the last line end before AT, or 0. */
static size_t line_start(const uint64_t *bits, size_t at)
{
	size_t w = at / 64;
	uint64_t m = at % 64 ? bits[w] & ((1ULL << (at % 64)) - 1) : 0;

	while (!m && w-- > 0)
		m = bits[w];
	if (!m)
		return 0;
	return w * 64 + 63 - (size_t)__builtin_clzll(m) + 1;
}

int hd_log_scan(struct hd_log_scanner *s, const char *buf, size_t len, struct hd_log_counts *c,
		hd_log_hit_fn hit, void *u)
{
	const struct hd_log_matcher *m = s->m;
	size_t le = 0, ls = SIZE_MAX;
	bool have_line = false, rescanned = false, line_catalogued = false;
	unsigned cmask = 0;
	int rc = 0;

	if (len == 0)
		return 0;
	if (s->nlcap < (len + 63) / 64) {
		s->nlcap = (len + 63) / 64;
		s->nl = hd_xrealloc(s->nl, s->nlcap * sizeof(*s->nl));
	}
	c->lines += nl_bitmap(buf, len, s->nl) + (buf[len - 1] != '\n');
	s->h.n = 0;
	s->h.last = 0;
	s->h.sorted = true;
	if (m->db) {
		hs_error_t e =
		    m->H->scan(m->db, buf, (unsigned)len, 0, s->scratch, on_match, &s->h);
		if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
			rc = -EIO;
	}
	for (size_t i = 0; i < m->npslots; i++)
		scan_pcre2(s, &m->x[m->pslots[i]], m->pslots[i], buf, len);
	if (!s->h.sorted)
		qsort(s->h.v, s->h.n, sizeof(*s->h.v), hit_cmp);

	for (size_t i = 0; i < s->h.n; i++) {
		uint32_t slot = s->h.v[i].slot;
		size_t at = s->h.v[i].at;

		if (!have_line || at > le) {
			/* the first match on a new line */
			le = next_nl(s->nl, at, len);
			ls = SIZE_MAX;
			have_line = true;
			rescanned = line_catalogued = false;
			cmask = 0;
			s->serial++;
		}
		if (slot < HD_LC_N) {
			if (!(cmask & (1u << slot))) {
				cmask |= 1u << slot;
				c->cat[slot]++;
			}
			continue;
		}
		if (s->seen[slot] == s->serial)
			continue;
		s->seen[slot] = s->serial;
		if (ls == SIZE_MAX)
			/* AT may be the '\n' a match ended with: that is its line's end */
			ls = line_start(s->nl, at);
		if (!confirm(s, slot, at, buf, ls, le, &rescanned))
			continue;
		record(m, c, slot - HD_LC_N, buf + ls, le - ls);
		if (hit)
			hit(u, slot - HD_LC_N, buf + ls, le - ls);
		if (!line_catalogued) {
			line_catalogued = true;
			c->catalog++;
		}
	}
	return rc;
}

/* ---- counting lines ---- */

#if defined(__x86_64__)
__attribute__((target("avx2,popcnt"))) static size_t newlines_avx2(const char *p, size_t n)
{
	const __m256i nl = _mm256_set1_epi8('\n');
	size_t c = 0, i = 0;

	for (; i + 32 <= n; i += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		c += (size_t)__builtin_popcount(
		    (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, nl)));
	}
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

static size_t newlines_sse2(const char *p, size_t n)
{
	const __m128i nl = _mm_set1_epi8('\n');
	size_t c = 0, i = 0;

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		c += (size_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)));
	}
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}
#endif

size_t hd_count_newlines(const char *buf, size_t len)
{
#if defined(__x86_64__)
	static int avx2 = -1;
	if (avx2 < 0)
		avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	return avx2 ? newlines_avx2(buf, len) : newlines_sse2(buf, len);
#else
	size_t c = 0;
	const char *p = buf, *end = buf + len;
	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		c++;
		p++;
	}
	return c;
#endif
}
