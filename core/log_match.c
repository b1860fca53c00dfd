/* The log matcher: one vectorscan database for the categories and the catalogue, a buffer of
 * lines scanned once, matches folded into per-line counts; pcre2 for what vectorscan cannot
 * express. */
#include "log_match.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "cleanup.h"
#include "lazy_regex.h"
#include "probe.h"
#include "util.h"

const char *const hd_logcat_names[HD_LC_N] = {
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
static const char *const *const category_words[HD_LC_N] = {
    words_errors, words_network,  words_access,	    words_config,
    words_cgi,	  words_portscan, words_bruteforce, words_passwd,
};

const char *const *hd_logcat_words(enum hd_logcat c)
{
	return category_words[c];
}

/* One expression: a category (slots 0..7) or a catalogue entry (slot 8 + index). */
struct expr {
	char *pattern;
	bool caseless;
	bool pcre2;	/* matched by pcre2, not vectorscan */
	char *why;	/* why pcre2 */
	unsigned maxw;	/* vectorscan's longest match (UINT_MAX: unbounded) */
	pcre2_code *re; /* pcre2 slots: compiled with PCRE2_MULTILINE, JIT */
	bool per_line;	/* pcre2 slots whose match depends on what lies beyond the line */
};

struct hd_log_matcher {
	const struct hd_catalog *cat;
	size_t nslots;
	struct expr *x;
	const struct hd_hs_fn *H; /* NULL: no vectorscan slot */
	hs_database_t *db;
	const struct hd_pcre2_fn *P;
	uint32_t *pslots; /* the pcre2 slots */
	size_t npslots;
	char note[512];
};

#define SLOT_ENTRY(i) ((uint32_t)(HD_LC_N + (i)))

/* ---- building ---- */

/* A category's words as one alternation, every character other than a letter, digit or
 * space escaped. */
static char *category_pattern(enum hd_logcat c)
{
	struct hd_buf b = {0};

	for (const char *const *w = category_words[c]; *w; w++) {
		if (w != category_words[c])
			hd_buf_add(&b, "|", 1);
		for (const char *p = *w; *p; p++) {
			if (!isalnum((unsigned char)*p) && *p != ' ')
				hd_buf_add(&b, "\\", 1);
			hd_buf_add(&b, p, 1);
		}
	}
	return hd_buf_steal(&b);
}

/* vectorscan anchors \A \z \Z \G to the whole buffer, pcre2 (here) to the line. */
static bool anchors_to_subject(const char *p)
{
	for (; *p; p++)
		if (*p == '\\' && p[1]) {
			if (strchr("AzZG", p[1]))
				return true;
			p++;
		}
	return false;
}

/* A subject anchor or a negative lookaround: at a line's edge, what the pattern sees
 * beyond the line (a '\n' in a buffer, nothing in the line alone) can decide a match, so
 * such a pattern is tried on each line alone (conservative: any such text counts). */
static bool needs_line_alone(const char *p)
{
	return anchors_to_subject(p) || strstr(p, "(?!") || strstr(p, "(?<!");
}

static unsigned hs_flags(const struct expr *x)
{
	/* no DOTALL: '.' stops at a line end; MULTILINE: ^ and $ at every line end */
	return (x->caseless ? HS_FLAG_CASELESS : 0) | HS_FLAG_MULTILINE;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t expr_hash(const struct hd_log_matcher *m)
{
	static const char fmt[] = "hostdoctor-matcher 1";
	uint64_t h = fnv(14695981039346656037ULL, fmt, sizeof(fmt));
	const char *v = m->H->version();

	h = fnv(h, v, strlen(v) + 1);
	for (size_t i = 0; i < m->nslots; i++) {
		unsigned f = hs_flags(&m->x[i]);
		h = fnv(h, &f, sizeof(f));
		h = fnv(h, m->x[i].pattern, strlen(m->x[i].pattern) + 1);
	}
	return h;
}

/* The cache file: a header naming the hash and each slot's engine, then the database as
 * hs_serialize_database() wrote it. */
#define CACHE_MAGIC "hostdoctor-matcher 1"

static int cache_load(struct hd_log_matcher *m, int dfd, const char *name)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *b = NULL;
	struct stat st;
	char *p, *end, *sep;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size > (64 << 20) || st.st_size < 16)
		return -ENOENT;
	b = hd_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r <= 0)
			return -EIO;
		got += (size_t)r;
	}
	b[got] = '\0';
	end = b + got;
	sep = memmem(b, got, "\n--\n", 4);
	p = strchr(b, '\n');
	/* the header names this very file: written whole for these expressions */
	if (!sep || !p || (size_t)(p - b) != strlen(CACHE_MAGIC) + 1 + strlen(name) ||
	    strncmp(b, CACHE_MAGIC " ", strlen(CACHE_MAGIC) + 1) != 0 ||
	    strncmp(b + strlen(CACHE_MAGIC) + 1, name, strlen(name)) != 0)
		return -EINVAL;
	p++;
	for (size_t i = 0; i < m->nslots; i++) {
		unsigned long slot, pc, maxw;
		int used = 0;
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl || nl > sep + 1)
			return -EINVAL;
		*nl = '\0';
		if (sscanf(p, "%lu %lu %lu %n", &slot, &pc, &maxw, &used) != 3 || slot != i ||
		    pc > 1)
			return -EINVAL;
		m->x[i].pcre2 = pc;
		m->x[i].maxw = (unsigned)maxw;
		free(m->x[i].why);
		m->x[i].why = pc ? hd_xstrdup(p + used) : NULL;
		p = nl + 1;
	}
	if (p != sep + 1)
		return -EINVAL;
	p = sep + 4;
	if (p >= end || m->H->deserialize_database(p, (size_t)(end - p), &m->db) != HS_SUCCESS) {
		m->db = NULL;
		return -EINVAL;
	}
	/* seen in use: a file unused for a month is removed by the next compile */
	if (st.st_mtime < time(NULL) - 86400)
		futimens(fd, NULL);
	return 0;
}

static void cache_store(const struct hd_log_matcher *m, int dfd, const char *name)
{
	struct hd_buf b = {0};
	_cleanup_free_ char *text = NULL;
	char *ser = NULL, tmp[128];
	size_t serlen = 0, len;
	int fd;
	bool ok;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int dfd2;

	if (m->H->serialize_database(m->db, &ser, &serlen) != HS_SUCCESS)
		return;
	hd_buf_printf(&b, "%s %s\n", CACHE_MAGIC, name);
	for (size_t i = 0; i < m->nslots; i++)
		hd_buf_printf(&b, "%zu %d %u %s\n", i, m->x[i].pcre2, m->x[i].maxw,
			      m->x[i].why ? m->x[i].why : "");
	hd_buf_add(&b, "--\n", 3);
	hd_buf_add(&b, ser, serlen);
	free(ser); /* vectorscan's default allocator is malloc */
	len = b.len;
	text = hd_buf_steal(&b);
	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ok = write(fd, text, len) == (ssize_t)len;
	ok &= close(fd) == 0;
	/* a cache is a convenience: failing to keep it only costs the next run a compile */
	if (!ok || renameat(dfd, tmp, dfd, name) < 0) {
		unlinkat(dfd, tmp, 0);
		return;
	}
	/* databases of catalogues no longer in use */
	dfd2 = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd2 < 0 || !(d = fdopendir(dfd2))) {
		if (dfd2 >= 0)
			close(dfd2);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (strncmp(de->d_name, "matcher-", 8) != 0 || strcmp(de->d_name, name) == 0)
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_mtime < time(NULL) - 30 * 86400)
			unlinkat(dfd, de->d_name, 0);
	}
}

/* Compile the vectorscan slots; an expression vectorscan rejects goes to pcre2. */
static int compile_hs(struct hd_log_matcher *m, char *err, size_t errlen)
{
	_cleanup_free_ const char **ex = hd_xcalloc(m->nslots + 1, sizeof(char *));
	_cleanup_free_ unsigned *fl = hd_xcalloc(m->nslots + 1, sizeof(unsigned));
	_cleanup_free_ unsigned *ids = hd_xcalloc(m->nslots + 1, sizeof(unsigned));

	for (size_t i = 0; i < m->nslots; i++) {
		struct expr *x = &m->x[i];
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *ce = NULL;

		if (x->pcre2)
			continue;
		if (anchors_to_subject(x->pattern)) {
			x->pcre2 = true;
			x->why = hd_xstrdup("anchors to the subject (\\A, \\z, \\Z, \\G)");
			continue;
		}
		if (m->H->expression_ext_info(x->pattern, hs_flags(x), NULL, &info, &ce) !=
		    HS_SUCCESS) {
			x->pcre2 = true;
			x->why = hd_xstrdup(ce ? ce->message : "rejected by vectorscan");
			m->H->free_compile_error(ce);
			continue;
		}
		x->maxw = info->max_width;
		free(info); /* vectorscan's default allocator is malloc */
	}
	for (;;) {
		size_t n = 0;
		hs_compile_error_t *ce = NULL;
		int idx;

		for (size_t i = 0; i < m->nslots; i++)
			if (!m->x[i].pcre2) {
				ex[n] = m->x[i].pattern;
				fl[n] = hs_flags(&m->x[i]);
				ids[n] = (unsigned)i;
				n++;
			}
		if (n == 0)
			return 0;
		if (m->H->compile_ext_multi(ex, fl, ids, NULL, (unsigned)n, HS_MODE_BLOCK, NULL,
					    &m->db, &ce) == HS_SUCCESS)
			return 0;
		m->db = NULL;
		idx = ce ? ce->expression : -1;
		if (idx < 0 || (size_t)idx >= n) {
			snprintf(err, errlen, "vectorscan cannot compile the expressions: %s",
				 ce ? ce->message : "unknown error");
			m->H->free_compile_error(ce);
			return -EINVAL;
		}
		/* one expression too large or too complex together with the others */
		m->x[ids[idx]].pcre2 = true;
		m->x[ids[idx]].why = hd_xstrdup(ce->message);
		m->H->free_compile_error(ce);
	}
}

static int compile_pcre2(struct hd_log_matcher *m, char *err, size_t errlen)
{
	for (size_t i = 0; i < m->nslots; i++) {
		struct expr *x = &m->x[i];
		int code;
		PCRE2_SIZE off;

		if (!x->pcre2)
			continue;
		if (!m->P && !(m->P = hd_pcre2(err, errlen)))
			return -ENOENT;
		/* MULTILINE: searched over a whole buffer, ^ and $ stay at line ends */
		x->re = m->P->compile((PCRE2_SPTR)x->pattern, PCRE2_ZERO_TERMINATED,
				      PCRE2_MULTILINE | (x->caseless ? PCRE2_CASELESS : 0), &code,
				      &off, NULL);
		if (!x->re) {
			PCRE2_UCHAR msg[256];
			const struct hd_catalog_entry *e =
			    i >= HD_LC_N ? &m->cat->entries[i - HD_LC_N] : NULL;
			m->P->get_error_message(code, msg, sizeof(msg));
			if (e)
				snprintf(err, errlen, "%s:%d: [%s] bad pattern at offset %zu: %s",
					 e->file, e->line, e->id, (size_t)off, (char *)msg);
			else
				snprintf(err, errlen, "category pattern: %s", (char *)msg);
			return -EINVAL;
		}
		m->P->jit_compile(x->re, PCRE2_JIT_COMPLETE); /* else the interpreter runs */
		x->per_line = needs_line_alone(x->pattern);
		m->pslots = hd_xrealloc(m->pslots, (m->npslots + 1) * sizeof(*m->pslots));
		m->pslots[m->npslots++] = (uint32_t)i;
	}
	return 0;
}

int hd_log_matcher_new(const struct hd_catalog *cat, const struct hd_log_matcher_opts *o,
		       struct hd_log_matcher **out, char *err, size_t errlen)
{
	struct hd_log_matcher *m = hd_xcalloc(1, sizeof(*m));
	size_t ncat = cat ? cat->n : 0;
	char why[512] = "";
	int rc;

	*out = NULL;
	m->cat = cat;
	m->nslots = HD_LC_N + ncat;
	m->x = hd_xcalloc(m->nslots, sizeof(*m->x));
	for (size_t i = 0; i < m->nslots; i++) {
		struct expr *x = &m->x[i];
		x->maxw = UINT_MAX;
		if (i < HD_LC_N) {
			x->pattern = category_pattern((enum hd_logcat)i);
			x->caseless = true;
		} else {
			x->pattern = hd_xstrdup(cat->entries[i - HD_LC_N].pattern);
			x->caseless = cat->entries[i - HD_LC_N].caseless;
		}
		x->pcre2 = o && o->pcre2_only;
		if (x->pcre2)
			x->why = hd_xstrdup("pcre2 only was asked for");
	}
	if (!(o && o->pcre2_only) && !(m->H = hd_vectorscan(why, sizeof(why)))) {
		for (size_t i = 0; i < m->nslots; i++) {
			m->x[i].pcre2 = true;
			m->x[i].why = hd_asprintf("vectorscan unavailable: %s", why);
		}
		snprintf(m->note, sizeof(m->note), "vectorscan unavailable (%.400s): pcre2 only",
			 why);
	}
	if (m->H) {
		char name[64] = "";
		double t0 = hd_now();

		if (o && o->cache_dirfd >= 0) {
			snprintf(name, sizeof(name), "matcher-%016" PRIx64 ".hsdb", expr_hash(m));
			if (cache_load(m, o->cache_dirfd, name) == 0)
				snprintf(m->note, sizeof(m->note),
					 "vectorscan database reused (%s)", name);
		}
		if (!m->db) {
			for (size_t i = 0; i < m->nslots; i++) {
				m->x[i].pcre2 = false;
				free(m->x[i].why);
				m->x[i].why = NULL;
			}
			rc = compile_hs(m, err, errlen);
			if (rc < 0)
				goto fail;
			snprintf(m->note, sizeof(m->note), "vectorscan database compiled (%.2f s)",
				 hd_now() - t0);
			if (m->db && *name)
				cache_store(m, o->cache_dirfd, name);
		}
	}
	rc = compile_pcre2(m, err, errlen);
	if (rc < 0)
		goto fail;
	*out = m;
	return 0;
fail:
	hd_log_matcher_free(m);
	return rc;
}

void hd_log_matcher_free(struct hd_log_matcher *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslots; i++) {
		free(m->x[i].pattern);
		free(m->x[i].why);
		if (m->x[i].re)
			m->P->code_free(m->x[i].re);
	}
	if (m->db)
		m->H->free_database(m->db);
	free(m->x);
	free(m->pslots);
	free(m);
}

bool hd_log_matcher_uses_pcre2(const struct hd_log_matcher *m, size_t i, const char **why)
{
	const struct expr *x = &m->x[HD_LC_N + i];

	if (why)
		*why = x->why ? x->why : "";
	return x->pcre2;
}

const char *hd_log_matcher_note(const struct hd_log_matcher *m)
{
	return m->note;
}

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
