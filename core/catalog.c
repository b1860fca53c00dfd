/* Message catalogue: loading the INI files (libinih), compiling patterns (pcre2), matching. */
#include "catalog.h"
#include "ini_lines.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "lazy_regex.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

#ifndef HD_DATA_DIR
#define HD_DATA_DIR "/usr/share/hostdoctor"
#endif

struct raw_kv {
	char *key, *value;
	int line;
};

struct raw_entry {
	char *id;
	int line;
	struct raw_kv *kv;
	size_t n;
};

struct parse_state {
	const char *name;
	struct hd_ini_lines in;
	bool failed;
	char *err;
	size_t errsize;
	struct raw_entry *ents;
	size_t nents;
};

/* the first error wins, as "FILE:LINE: message" */
#define fail(st, line, ...)                                                                        \
	hd_ini_fail((st)->err, (st)->errsize, &(st)->failed, (st)->name, line, __VA_ARGS__)

static const char *const known_keys[] = {"product",	"severity", "pattern", "caseless",
					 "explanation", "remedy",   "check",   "sample",
					 "related",	"source",   NULL};
/* Keys that may be given more than once: each occurrence is one more value. */
static bool is_repeatable(const char *key)
{
	return strcmp(key, "sample") == 0;
}
/* Keys whose text may be wrapped over indented continuation lines. */
static bool is_prose(const char *key)
{
	return strcmp(key, "explanation") == 0 || strcmp(key, "remedy") == 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	struct raw_entry *e = st->nents ? &st->ents[st->nents - 1] : NULL;
	bool known = false;

	if (st->failed)
		return 0;
	if (!name) /* a new [section] (inih >= 51 reports it with name NULL only if asked) */
		return 1;
	if (!*section) {
		fail(st, st->in.lineno, "key '%s' is outside any [section]", name);
		return 0;
	}
	if (!e || e->line != st->in.section_line) {
		for (size_t i = 0; i < st->nents; i++)
			if (strcmp(st->ents[i].id, section) == 0) {
				fail(st, st->in.section_line,
				     "[%s] is defined twice (first at line %d)", section,
				     st->ents[i].line);
				return 0;
			}
		st->ents = hd_xrealloc(st->ents, (st->nents + 1) * sizeof(*st->ents));
		e = &st->ents[st->nents++];
		*e = (struct raw_entry){.id = hd_xstrdup(section), .line = st->in.section_line};
	}
	for (const char *const *k = known_keys; *k; k++)
		known |= strcmp(*k, name) == 0;
	if (!known) {
		fail(st, st->in.lineno,
		     "[%s] unknown key '%s' (product, severity, pattern, caseless, explanation, "
		     "remedy, check, sample, related, source)",
		     section, name);
		return 0;
	}
	for (size_t i = 0; i < e->n && !is_repeatable(name); i++) {
		if (strcmp(e->kv[i].key, name) != 0)
			continue;
		if (st->in.continuation && is_prose(name)) {
			char *joined = hd_asprintf("%s %s", e->kv[i].value, value);
			free(e->kv[i].value);
			e->kv[i].value = joined;
			return 1;
		}
		fail(st, st->in.lineno, "[%s] '%s' is given twice (first at line %d)", section,
		     name, e->kv[i].line);
		return 0;
	}
	e->kv = hd_xrealloc(e->kv, (e->n + 1) * sizeof(*e->kv));
	e->kv[e->n++] = (struct raw_kv){hd_xstrdup(name), hd_xstrdup(value), st->in.lineno};
	return 1;
}

static const struct raw_kv *get(const struct raw_entry *e, const char *key)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->kv[i].key, key) == 0)
			return &e->kv[i];
	return NULL;
}

static void entry_free(struct hd_catalog_entry *e)
{
	free(e->id);
	free(e->product);
	free(e->severity);
	free(e->pattern);
	free(e->explanation);
	free(e->remedy);
	hd_strv_free(e->checks);
	hd_strv_free(e->samples);
	hd_strv_free(e->related);
	free(e->source);
	free(e->file);
	if (e->re)
		hd_pcre2(NULL, 0)->code_free(e->re);
	memset(e, 0, sizeof(*e));
}

static char **split_list(const char *s, size_t *n)
{
	char **v = hd_xcalloc(1, sizeof(char *));
	const char *p = s;

	*n = 0;
	while (*p) {
		size_t l;
		p += strspn(p, ", \t");
		l = strcspn(p, ", \t");
		if (!l)
			break;
		v = hd_xrealloc(v, (*n + 2) * sizeof(char *));
		v[(*n)++] = hd_xstrndup(p, l);
		v[*n] = NULL;
		p += l;
	}
	return v;
}

static int build_entry(struct parse_state *st, const struct hd_catalog *cat,
		       const struct raw_entry *raw, struct hd_catalog_entry *out)
{
	static const char *const required[] = {"product", "severity", "pattern", "explanation",
					       "remedy",  "sample",   "source",	 NULL};
	const struct raw_kv *kv;
	const struct hd_pcre2_fn *P;
	struct hd_catalog_entry e = {0};
	char lib[256];
	int errcode;
	PCRE2_SIZE erroff;
	uint32_t flags = 0;

	for (const char *const *k = required; *k; k++)
		if (!get(raw, *k)) {
			fail(st, raw->line, "[%s] needs '%s'", raw->id, *k);
			return -EINVAL;
		}
	for (size_t i = 0; i < cat->n; i++)
		if (strcmp(cat->entries[i].id, raw->id) == 0) {
			fail(st, raw->line, "[%s] is already defined at %s:%d", raw->id,
			     cat->entries[i].file, cat->entries[i].line);
			return -EINVAL;
		}
	e.id = hd_xstrdup(raw->id);
	e.file = hd_xstrdup(st->name);
	e.line = raw->line;
	e.product = hd_xstrdup(get(raw, "product")->value);
	kv = get(raw, "severity");
	if (strcmp(kv->value, "info") == 0) {
		e.status = HD_OK;
	} else if (strcmp(kv->value, "warning") == 0) {
		e.status = HD_WARNING;
	} else if (strcmp(kv->value, "critical") == 0) {
		e.status = HD_CRITICAL;
	} else if (strcmp(kv->value, "critical/warning") == 0) {
		e.status = HD_CRITICAL;
		e.level_from_line = true;
	} else {
		fail(st, kv->line,
		     "[%s] severity '%s' is not info, warning, critical or critical/warning",
		     raw->id, kv->value);
		goto err;
	}
	e.severity = hd_xstrdup(kv->value);
	e.caseless = true;
	if ((kv = get(raw, "caseless")) && hd_parse_bool(kv->value, &e.caseless) < 0) {
		fail(st, kv->line, "[%s] caseless '%s' is not yes or no", raw->id, kv->value);
		goto err;
	}
	e.explanation = hd_xstrdup(get(raw, "explanation")->value);
	e.remedy = hd_xstrdup(get(raw, "remedy")->value);
	e.source = hd_xstrdup(get(raw, "source")->value);
	e.samples = hd_xcalloc(raw->n + 1, sizeof(char *));
	for (size_t i = 0; i < raw->n; i++)
		if (strcmp(raw->kv[i].key, "sample") == 0)
			e.samples[e.nsamples++] = hd_xstrdup(raw->kv[i].value);
	kv = get(raw, "check");
	e.checks = split_list(kv ? kv->value : "", &e.nchecks);
	kv = get(raw, "related");
	e.related = split_list(kv ? kv->value : "", &e.nrelated);
	for (size_t i = 0; i < e.nrelated; i++)
		if (strcmp(e.related[i], e.id) == 0) {
			fail(st, kv->line, "[%s] is related to itself", raw->id);
			goto err;
		}
	kv = get(raw, "pattern");
	e.pattern = hd_xstrdup(kv->value);
	if (!*e.pattern) {
		fail(st, kv->line, "[%s] pattern is empty", raw->id);
		goto err;
	}
	if (!(P = hd_pcre2(lib, sizeof(lib)))) {
		fail(st, kv->line, "[%s] cannot check the pattern: %s", raw->id, lib);
		goto err;
	}
	if (e.caseless)
		flags |= PCRE2_CASELESS;
	/* no PCRE2_UTF: log lines are bytes, and invalid UTF-8 must not stop a match. Not
	 * JIT-compiled here: the log matcher runs most entries through vectorscan. */
	e.re = P->compile((PCRE2_SPTR)e.pattern, PCRE2_ZERO_TERMINATED, flags, &errcode, &erroff,
			  NULL);
	if (!e.re) {
		PCRE2_UCHAR msg[256];
		P->get_error_message(errcode, msg, sizeof(msg));
		fail(st, kv->line, "[%s] bad pattern at offset %zu: %s", raw->id, (size_t)erroff,
		     (char *)msg);
		goto err;
	}
	*out = e;
	return 0;
err:
	entry_free(&e);
	return -EINVAL;
}

int hd_catalog_parse(struct hd_catalog *cat, const char *name, const char *bytes, size_t len,
		     char *err, size_t errsize)
{
	struct parse_state st = {
	    .name = name, .in = {.bytes = bytes, .len = len}, .err = err, .errsize = errsize};
	int r, ret = 0;

	err[0] = '\0';
	/* patterns and prose hold ';' freely; comments are whole lines */
	r = hd_ini_run(&st.in, false, handler, &st);
	if (st.in.overlong)
		fail(&st, st.in.lineno, "line is longer than %d bytes or holds a NUL byte",
		     HD_INI_MAX_LINE - 3);
	else if (r > 0)
		fail(&st, r, "expected 'key = value' or '[section]'");
	else if (r < 0)
		fail(&st, 0, "cannot parse (out of memory)");
	for (size_t i = 0; i < st.nents && !st.failed; i++) {
		struct hd_catalog_entry e;
		if (build_entry(&st, cat, &st.ents[i], &e) < 0)
			break;
		cat->entries = hd_xrealloc(cat->entries, (cat->n + 1) * sizeof(*cat->entries));
		cat->entries[cat->n++] = e;
	}
	if (st.failed)
		ret = -EINVAL;
	for (size_t i = 0; i < st.nents; i++) {
		for (size_t k = 0; k < st.ents[i].n; k++) {
			free(st.ents[i].kv[k].key);
			free(st.ents[i].kv[k].value);
		}
		free(st.ents[i].kv);
		free(st.ents[i].id);
	}
	free(st.ents);
	return ret;
}

int hd_catalog_check_related(const struct hd_catalog *cat, char *err, size_t errsize)
{
	for (size_t i = 0; i < cat->n; i++)
		for (size_t k = 0; k < cat->entries[i].nrelated; k++) {
			const char *id = cat->entries[i].related[k];
			bool found = false;

			for (size_t j = 0; j < cat->n && !found; j++)
				found = strcmp(cat->entries[j].id, id) == 0;
			if (!found) {
				snprintf(err, errsize,
					 "%s:%d: [%s] related entry '%s' does not exist",
					 cat->entries[i].file, cat->entries[i].line,
					 cat->entries[i].id, id);
				return -EINVAL;
			}
		}
	return 0;
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

int hd_catalog_load_dir(struct hd_catalog *cat, const char *dir, char *err, size_t errsize)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, conf_filter, alphasort);
	int ret = 0;

	if (n < 0) {
		ret = -errno;
		snprintf(err, errsize, "%s: cannot read the message catalogue: %s", dir,
			 strerror(errno));
		return ret;
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *bytes = NULL;
		char path[4096];
		size_t len;
		int r;

		if (ret == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			r = hd_read_regular(path, &bytes, &len, 4u << 20);
			if (r < 0) {
				snprintf(err, errsize, "%s: cannot read: %s", path,
					 hd_read_strerror(r));
				ret = r;
			} else if (hd_catalog_parse(cat, path, bytes, len, err, errsize) < 0) {
				ret = -EINVAL;
			}
		}
		free(names[i]);
	}
	free(names);
	if (ret == 0)
		ret = hd_catalog_check_related(cat, err, errsize);
	return ret;
}

enum hd_status hd_catalog_line_status(const struct hd_catalog_entry *e, const char *line,
				      size_t len)
{
	if (!e->level_from_line)
		return e->status;
	if (memmem(line, len, "CRITICAL", 8))
		return HD_CRITICAL;
	if (memmem(line, len, "WARNING", 7))
		return HD_WARNING;
	return e->status;
}

bool hd_catalog_entry_matches(const struct hd_catalog *cat, size_t i, const char *line, size_t len)
{
	/* entries exist only when pcre2 was loaded (they were compiled with it) */
	const struct hd_pcre2_fn *P = hd_pcre2(NULL, 0);
	struct hd_catalog *c = (struct hd_catalog *)cat;

	if (len && line[len - 1] == '\n')
		len--;
	if (!c->md)
		c->md = P->match_data_create(1, NULL);
	return P->match(cat->entries[i].re, (PCRE2_SPTR)line, len, 0, 0, c->md, NULL) >= 0;
}

size_t hd_catalog_match(const struct hd_catalog *cat, const char *line, size_t len, size_t *idx,
			size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < cat->n; i++)
		if (hd_catalog_entry_matches(cat, i, line, len)) {
			if (n < max)
				idx[n] = i;
			n++;
		}
	return n;
}

size_t hd_catalog_explain(const struct hd_catalog *cat, const char *text, size_t len, size_t **idx)
{
	_cleanup_free_ bool *seen = hd_xcalloc(cat->n + 1, sizeof(bool));
	_cleanup_free_ size_t *hits = hd_xcalloc(cat->n + 1, sizeof(size_t));
	size_t *out = hd_xcalloc(cat->n + 1, sizeof(size_t));
	const char *p = text, *end = text + len;
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t k = hd_catalog_match(cat, p, l, hits, cat->n);

		for (size_t j = 0; j < k && j < cat->n; j++)
			if (!seen[hits[j]]) {
				seen[hits[j]] = true;
				out[n++] = hits[j];
			}
		p += l + 1;
	}
	*idx = out;
	return n;
}

const char *hd_catalog_default_dir(void)
{
#if defined(HD_BUILD_DIR) && defined(HD_SOURCE_DIR)
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t bl = strlen(HD_BUILD_DIR);

	if (n > 0) {
		exe[n] = '\0';
		if (strncmp(exe, HD_BUILD_DIR, bl) == 0 && exe[bl] == '/')
			return HD_SOURCE_DIR "/catalog";
	}
#endif
	return HD_DATA_DIR "/catalog";
}

void hd_catalog_keep_products(struct hd_catalog *cat, char *const *products, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < cat->n; i++) {
		bool want = false;
		for (size_t j = 0; j < n; j++)
			want |= strcmp(cat->entries[i].product, products[j]) == 0;
		if (want)
			cat->entries[k++] = cat->entries[i];
		else
			entry_free(&cat->entries[i]);
	}
	cat->n = k;
}

void hd_catalog_free(struct hd_catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++)
		entry_free(&cat->entries[i]);
	free(cat->entries);
	if (cat->md)
		hd_pcre2(NULL, 0)->match_data_free(cat->md);
	memset(cat, 0, sizeof(*cat));
}
