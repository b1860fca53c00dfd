/* The log matcher, made: the categories and the catalogue as one vectorscan database (compiled,
 * or reused from a cache), pcre2 for what vectorscan cannot express. Scanning: log_scan.c. */
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

#include "cleanup.h"
#include "lazy_regex.h"
#include "log_match_impl.h"
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

/* What vectorscan is given: the pattern with '\n' added to every negated class ([^\]] becomes
 * [^\]\n]). On a line the two mean the same; in a buffer the second cannot run across a line end,
 * which is what a line's pattern means anyway. It is done for vectorscan 5.4.9 (Debian 12): on a
 * CPU with AVX-512 its scan for "anything but one character" masks the wrong end of its last
 * 64-byte vector, so [^\]]*\] or [^,]*, miss a line whose field runs past it
 * ("WARNING [pop" + 100 x + "] ..." was not found; upstream vectorscan PR 378). A class of two
 * characters takes another path. Escapes, \Q...\E, a literal ']' first in a class and [:name:]
 * inside one are kept as they are. */
static char *hs_pattern(const char *p)
{
	struct hd_buf b = {0};
	bool in_class = false, negated = false;

	for (; *p; p++) {
		if (p[0] == '\\' && p[1] == 'Q') {
			const char *e = strstr(p + 2, "\\E");
			size_t n = e ? (size_t)(e + 2 - p) : strlen(p);
			hd_buf_add(&b, p, n);
			p += n - 1;
			continue;
		}
		if (p[0] == '\\' && p[1]) {
			hd_buf_add(&b, p, 2);
			p++;
			continue;
		}
		if (!in_class && *p == '[') {
			in_class = true;
			negated = p[1] == '^';
			hd_buf_add(&b, p, negated ? 2 : 1);
			p += negated;
			if (p[1] == ']') { /* first in the class: a literal */
				hd_buf_add(&b, "]", 1);
				p++;
			}
			continue;
		}
		if (in_class && p[0] == '[' && p[1] == ':') {
			const char *e = strstr(p + 2, ":]");
			if (e) {
				hd_buf_add(&b, p, (size_t)(e + 2 - p));
				p = e + 1;
				continue;
			}
		}
		if (in_class && *p == ']') {
			if (negated)
				hd_buf_add(&b, "\\n", 2);
			in_class = negated = false;
		}
		hd_buf_add(&b, p, 1);
	}
	return hd_buf_steal(&b);
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
	static const char fmt[] = "hostdoctor-matcher 2";
	uint64_t h = fnv(14695981039346656037ULL, fmt, sizeof(fmt));
	const char *v = m->H->version();

	h = fnv(h, v, strlen(v) + 1);
	for (size_t i = 0; i < m->nslots; i++) {
		unsigned f = hs_flags(&m->x[i]);
		h = fnv(h, &f, sizeof(f));
		h = fnv(h, m->x[i].hspat, strlen(m->x[i].hspat) + 1);
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
		if (m->H->expression_ext_info(x->hspat, hs_flags(x), NULL, &info, &ce) !=
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
				ex[n] = m->x[i].hspat;
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
		x->hspat = hs_pattern(x->pattern);
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
		free(m->x[i].hspat);
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
