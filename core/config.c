/* checks.d loader: libinih does the INI syntax; this file validates keys and values with file:line. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "indirect.h"
#include "ini_lines.h"
#include "paths.h"
#include "util.h"

const struct hd_probe *hd_probe_find(const struct hd_probe *const *table, const char *name)
{
	for (; table && *table; table++)
		if (strcmp((*table)->name, name) == 0)
			return *table;
	return NULL;
}

/* One section as written, before validation. */
struct raw_section {
	char *id;
	int line;
	struct hd_kv *kv;
	size_t n, cap;
};

struct parse_state {
	const char *name;
	struct hd_ini_lines in;
	struct raw_section *secs;
	size_t nsecs;
	char *err;
	size_t errsize;
	bool failed;
	char *const *only; /* when set: merge only the sections of these ids */
	size_t nonly;
};

/* the first error wins, as "FILE:LINE: message" */
#define fail(st, line, ...)                                                                        \
	hd_ini_fail((st)->err, (st)->errsize, &(st)->failed, (st)->name, line, __VA_ARGS__)

static bool valid_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.:", *s))
			return false;
	return true;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	struct raw_section *sec;
	struct hd_kv *kv;

	if (st->failed)
		return 0;
	if (!*section) {
		fail(st, st->in.lineno, "key '%s' is outside any [section]", name);
		return 0;
	}
	sec = st->nsecs ? &st->secs[st->nsecs - 1] : NULL;
	if (!sec || strcmp(sec->id, section) != 0) {
		if (!valid_id(section)) {
			fail(
			    st, st->in.lineno,
			    "section name [%s] may hold only letters, digits and - _ . :", section);
			return 0;
		}
		st->secs = hd_xrealloc(st->secs, (st->nsecs + 1) * sizeof(*st->secs));
		sec = &st->secs[st->nsecs++];
		memset(sec, 0, sizeof(*sec));
		sec->id = hd_xstrdup(section);
		/* the section header is on some earlier line; the first key's line is close */
		sec->line = st->in.lineno;
	}
	if (sec->n == sec->cap) {
		sec->cap = sec->cap ? sec->cap * 2 : 16;
		sec->kv = hd_xrealloc(sec->kv, sec->cap * sizeof(*sec->kv));
	}
	kv = &sec->kv[sec->n++];
	kv->key = hd_xstrdup(name);
	kv->value = hd_xstrdup(value);
	kv->file = hd_xstrdup(st->name);
	kv->line = st->in.lineno;
	return 1;
}

static void raw_free(struct raw_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->kv[i].key);
		free(s->kv[i].value);
		free(s->kv[i].file);
	}
	free(s->kv);
	free(s->id);
}

void hd_check_free(struct hd_check *c)
{
	free(c->id);
	free(c->description);
	for (size_t i = 0; i < c->ntags; i++)
		free(c->tags[i]);
	free(c->tags);
	free(c->metric);
	free(c->severity);
	free(c->remedy);
	free(c->only_if_exists);
	free(c->unless_exists);
	for (size_t i = 0; i < c->nparams; i++) {
		free(c->params[i].key);
		free(c->params[i].value);
		free(c->params[i].file);
	}
	free(c->params);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

void hd_config_free(struct hd_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++)
		hd_check_free(&cfg->checks[i]);
	free(cfg->checks);
	cfg->checks = NULL;
	cfg->n = 0;
}

struct hd_check *hd_config_find(const struct hd_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (strcmp(cfg->checks[i].id, id) == 0)
			return &cfg->checks[i];
	return NULL;
}

bool hd_check_has_tag(const struct hd_check *c, const char *tag)
{
	for (size_t i = 0; i < c->ntags; i++)
		if (strcmp(c->tags[i], tag) == 0)
			return true;
	return false;
}

static const struct hd_param *find_param(const struct hd_probe *p, const char *key)
{
	for (const struct hd_param *q = p->params; q && q->key; q++)
		if (strcmp(q->key, key) == 0)
			return q;
	return NULL;
}

static bool in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; p && *p;) {
		size_t len = strcspn(p, "|");
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p += len;
		if (*p == '|')
			p++;
	}
	return false;
}

/* Validate one probe parameter value. Returns NULL or a message (static or in BUF). */
const char *hd_param_validate(const struct hd_param *p, const char *v, char *buf, size_t size)
{
	int64_t i;
	double d;
	bool b;
	struct hd_range r;
	const char *why;

	switch (p->type) {
	case HD_P_STR:
	case HD_P_LIST: return NULL;
	case HD_P_INT:
		if (hd_parse_int(v, &i) < 0)
			return "is not a whole number";
		if (p->min < p->max && (i < p->min || i > p->max)) {
			snprintf(buf, size, "is out of range (%lld..%lld)", (long long)p->min,
				 (long long)p->max);
			return buf;
		}
		return NULL;
	case HD_P_NUM: return hd_parse_num(v, &d) < 0 ? "is not a number" : NULL;
	case HD_P_BOOL: return hd_parse_bool(v, &b) < 0 ? "is not yes or no" : NULL;
	case HD_P_ENUM:
		if (!in_choices(p->choices, v)) {
			snprintf(buf, size, "is not one of %s", p->choices);
			return buf;
		}
		return NULL;
	case HD_P_RANGE:
		if (hd_range_parse(v, &r, &why) < 0) {
			snprintf(buf, size, "is not a valid range: %s", why);
			return buf;
		}
		return NULL;
	}
	return NULL;
}

static const char *probe_keys(const struct hd_probe *p, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const struct hd_param *q = p->params; q && q->key; q++) {
		int n = snprintf(buf + off, size - off, "%s%s", off ? ", " : "", q->key);
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
	return off ? buf : "none";
}

/* Build a check from the merged key list of a section. KV is taken over. */
static int build_check(struct parse_state *st, const char *id, const char *file, int line,
		       struct hd_kv *kv, size_t n, const struct hd_probe *const *table,
		       struct hd_check *out)
{
	struct hd_check c = {0};
	const struct hd_kv *probe_kv = NULL;
	char buf[512];

	c.id = hd_xstrdup(id);
	c.file = hd_xstrdup(file);
	c.line = line;
	c.params = kv;
	c.nparams = n;
	c.enabled = true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].key, "probe") == 0)
			probe_kv = &kv[i];
	if (!probe_kv) {
		fail(st, line,
		     "[%s] has no 'probe' key (run 'hostdoctor list' for the probe types)", id);
		goto err;
	}
	c.probe = hd_probe_find(table, probe_kv->value);
	if (!c.probe) {
		fail(st, probe_kv->line, "unknown probe type '%s' in [%s]", probe_kv->value, id);
		goto err;
	}
	if (c.probe->default_warning)
		hd_range_parse(c.probe->default_warning, &c.warn, NULL);
	if (c.probe->default_critical)
		hd_range_parse(c.probe->default_critical, &c.crit, NULL);

	for (size_t i = 0; i < n; i++) {
		const char *k = kv[i].key, *v = kv[i].value;
		const struct hd_param *spec;
		const char *why;
		int kline = kv[i].line;
		struct hd_ini_ref iref;
		int ref;

		st->name = kv[i].file; /* messages name the file the key came from */
		/* a non-list key given twice in one section is a mistake, not an override */
		for (size_t j = 0; j < i; j++)
			if (strcmp(kv[j].key, k) == 0 && strcmp(kv[j].file, kv[i].file) == 0) {
				spec = find_param(c.probe, k);
				if (!spec || spec->type != HD_P_LIST) {
					fail(st, kline,
					     "'%s' is set twice in [%s] (first on line %d)", k, id,
					     kv[j].line);
					goto err;
				}
			}
		if (strcmp(k, "probe") == 0) {
			continue;
		} else if (strcmp(k, "description") == 0) {
			free(c.description);
			c.description = hd_xstrdup(v);
		} else if (strcmp(k, "remedy") == 0) {
			free(c.remedy);
			c.remedy = hd_xstrdup(v);
		} else if (strcmp(k, "only_if_exists") == 0 || strcmp(k, "unless_exists") == 0) {
			char **dst = k[0] == 'o' ? &c.only_if_exists : &c.unless_exists;
			if (v[0] != '/') {
				fail(st, kline, "%s = '%s' is not an absolute path", k, v);
				goto err;
			}
			free(*dst);
			*dst = hd_xstrdup(v);
		} else if (strcmp(k, "severity") == 0) {
			if (!in_choices("high|medium|low", v)) {
				fail(st, kline, "severity = '%s' is not one of high, medium, low",
				     v);
				goto err;
			}
			free(c.severity);
			c.severity = hd_xstrdup(v);
		} else if (strcmp(k, "metric") == 0) {
			free(c.metric);
			c.metric = hd_xstrdup(v);
		} else if (strcmp(k, "tags") == 0) {
			char **tags = NULL;
			size_t nt = hd_check_list(
			    &(struct hd_check){.probe = c.probe, .params = &kv[i], .nparams = 1},
			    "tags", &tags);
			for (size_t t = 0; t < c.ntags; t++)
				free(c.tags[t]);
			free(c.tags);
			c.tags = tags;
			c.ntags = nt;
		} else if (strcmp(k, "warning") == 0 || strcmp(k, "critical") == 0) {
			struct hd_range *r = k[0] == 'w' ? &c.warn : &c.crit;
			if (hd_range_parse(v, r, &why) < 0) {
				fail(st, kline, "%s = '%s' is not a valid range: %s", k, v, why);
				goto err;
			}
		} else if (strcmp(k, "timeout") == 0) {
			if (hd_parse_num(v, &c.timeout) < 0 || c.timeout <= 0 ||
			    c.timeout > 86400) {
				fail(st, kline,
				     "timeout = '%s' is not a number of seconds (0 < t <= 86400)",
				     v);
				goto err;
			}
		} else if (strcmp(k, "inhibitor") == 0 || strcmp(k, "enabled") == 0) {
			bool b;
			if (hd_parse_bool(v, &b) < 0) {
				fail(st, kline, "%s = '%s' is not yes or no", k, v);
				goto err;
			}
			if (k[0] == 'i')
				c.inhibitor = b;
			else
				c.enabled = b;
		} else if (!(spec = find_param(c.probe, k))) {
			fail(st, kline, "unknown key '%s' for probe '%s' in [%s] (its keys: %s)", k,
			     c.probe->name, id, probe_keys(c.probe, buf, sizeof(buf)));
			goto err;
		} else if ((ref = hd_ini_ref_parse(v, &iref)) != 0) {
			/* resolved when the check runs; only the default can be checked now */
			why = ref < 0
				  ? "is not a reference of the form ${ini:/PATH:SECTION:KEY} or "
				    "${ini:/PATH:SECTION:KEY:-DEFAULT}"
			      : iref.def ? hd_param_validate(spec, iref.def, buf, sizeof(buf))
					 : NULL;
			hd_ini_ref_free(&iref);
			if (why) {
				fail(st, kline, "%s = '%s'%s %s", k, v,
				     ref > 0 ? ": its default" : "", why);
				goto err;
			}
		} else if ((why = hd_param_validate(spec, v, buf, sizeof(buf)))) {
			fail(st, kline, "%s = '%s' %s", k, v, why);
			goto err;
		} else if (spec->type != HD_P_STR && spec->type != HD_P_LIST && !*v) {
			fail(st, kline, "%s has an empty value", k);
			goto err;
		}
	}
	for (const struct hd_param *q = c.probe->params; q && q->key; q++) {
		bool set = false;
		for (size_t i = 0; i < n; i++)
			set |= strcmp(kv[i].key, q->key) == 0;
		if (q->required && !set) {
			fail(st, line, "[%s] needs '%s' (%s)", id, q->key, q->help ? q->help : "");
			goto err;
		}
	}
	*out = c;
	return 0;
err:
	hd_check_free(&c);
	return -EINVAL;
}

static int merge_section(struct parse_state *st, struct hd_config *cfg, struct raw_section *s,
			 const struct hd_probe *const *table)
{
	struct hd_check *old = hd_config_find(cfg, s->id);
	bool has_probe = false;
	struct hd_kv *kv;
	size_t n = 0;
	struct hd_check c;
	const char *file = st->name;
	int r;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->kv[i].key, "probe") == 0)
			has_probe = true;
	if (has_probe || !old) {
		/* the section's own keys become the check's: taken over, not copied */
		kv = s->kv;
		n = s->n;
		s->kv = NULL;
		s->n = s->cap = 0;
	} else {
		/* override: the old keys not set again, then the new ones */
		kv = hd_xcalloc(old->nparams + s->n + 1, sizeof(*kv));
		for (size_t i = 0; i < old->nparams; i++) {
			bool again = false;
			for (size_t j = 0; j < s->n; j++)
				if (strcmp(old->params[i].key, s->kv[j].key) == 0)
					again = true;
			if (!again)
				kv[n++] = (struct hd_kv){hd_xstrdup(old->params[i].key),
							 hd_xstrdup(old->params[i].value),
							 hd_xstrdup(old->params[i].file),
							 old->params[i].line};
		}
		for (size_t j = 0; j < s->n; j++)
			kv[n++] =
			    (struct hd_kv){hd_xstrdup(s->kv[j].key), hd_xstrdup(s->kv[j].value),
					   hd_xstrdup(s->kv[j].file), s->kv[j].line};
		file = old->file;
	}
	const char *saved = st->name;
	r = build_check(st, s->id, has_probe || !old ? st->name : file,
			has_probe || !old ? s->line : old->line, kv, n, table, &c);
	st->name = saved;
	if (r < 0)
		return r;
	if (old) {
		hd_check_free(old);
		*old = c;
	} else {
		cfg->checks = hd_xrealloc(cfg->checks, (cfg->n + 1) * sizeof(*cfg->checks));
		cfg->checks[cfg->n++] = c;
	}
	return 0;
}

static bool wanted(const struct parse_state *st, const char *id)
{
	if (!st->only)
		return true;
	for (size_t i = 0; i < st->nonly; i++)
		if (strcmp(st->only[i], id) == 0)
			return true;
	return false;
}

static int parse_only(struct hd_config *cfg, const char *name, const char *bytes, size_t len,
		      const struct hd_probe *const *table, char *const *only, size_t nonly,
		      char *err, size_t errsize)
{
	struct parse_state st = {.name = name,
				 .in = {.bytes = bytes, .len = len},
				 .err = err,
				 .errsize = errsize,
				 .only = only,
				 .nonly = nonly};
	int r, ret = 0;

	err[0] = '\0';
	r = hd_ini_run(&st.in, true, handler, &st);
	if (st.in.overlong)
		fail(&st, st.in.lineno, "line is longer than %d bytes or holds a NUL byte",
		     HD_INI_MAX_LINE - 3);
	else if (r > 0)
		fail(&st, r, "expected 'key = value' or '[section]'");
	else if (r < 0)
		fail(&st, 0, "cannot parse (out of memory)");
	for (size_t i = 0; i < st.nsecs && !st.failed; i++)
		if (wanted(&st, st.secs[i].id) && merge_section(&st, cfg, &st.secs[i], table) < 0)
			break;
	if (st.failed)
		ret = -EINVAL;
	for (size_t i = 0; i < st.nsecs; i++)
		raw_free(&st.secs[i]);
	free(st.secs);
	return ret;
}

/* One --set KEY=VALUE as a key of a section; its "line" is its place among the --set options. */
static int set_kv(const char *arg, int i, struct hd_kv *kv, char *err, size_t errsize)
{
	const char *eq = strchr(arg, '=');
	size_t kl;

	if (!eq || eq == arg) {
		snprintf(err, errsize, "--set '%s': expected KEY=VALUE", arg);
		return -EINVAL;
	}
	kl = (size_t)(eq - arg);
	while (kl > 0 && isspace((unsigned char)arg[kl - 1]))
		kl--;
	kv->key = hd_xstrndup(arg, kl);
	kv->value = hd_xstrdup(eq + 1);
	kv->file = hd_xstrdup("--set");
	kv->line = i + 1;
	if (strcmp(kv->key, "probe") == 0) {
		snprintf(err, errsize,
			 "--set '%s': the probe type is not a key to set (nagios --probe NAME runs "
			 "a probe without a check file)",
			 arg);
		return -EINVAL;
	}
	return 0;
}

/* "--set:2: message" names the argument instead: "--set 'port=x': message" */
static void set_err_tidy(char *err, size_t errsize, const char *probe, char *const *sets,
			 size_t nsets)
{
	_cleanup_free_ char *msg = NULL;
	long n = 0;
	char *end;

	if (probe && strstr(err, "] needs '")) {
		/* a key the probe requires: about --probe, not about the --set on that line */
		const char *m = strchr(err, '[');
		msg = hd_xstrdup(m ? m : err);
		snprintf(err, errsize, "--probe %s: %s", probe, msg);
	} else if (strncmp(err, "--set:", 6) == 0) {
		n = strtol(err + 6, &end, 10);
		if (*end != ':' || n < 1 || (size_t)n > nsets)
			return;
		msg = hd_xstrdup(end + 1);
		snprintf(err, errsize, "--set '%s':%s", sets[n - 1], msg);
	} else if (strncmp(err, "--probe:", 8) == 0 && probe) {
		n = strtol(err + 8, &end, 10);
		if (*end != ':')
			return;
		msg = hd_xstrdup(end + 1);
		snprintf(err, errsize, "--probe %s:%s", probe, msg);
	}
}

int hd_config_set(struct hd_config *cfg, const char *id, const char *probe, char *const *sets,
		  size_t nsets, const struct hd_probe *const *table, char *err, size_t errsize)
{
	struct raw_section sec = {.id = hd_xstrdup(id), .line = 1};
	struct parse_state st = {.name = "--set", .err = err, .errsize = errsize};
	int r = 0;

	err[0] = '\0';
	sec.kv = hd_xcalloc(nsets + 2, sizeof(*sec.kv));
	if (probe) {
		st.name = "--probe";
		sec.kv[sec.n++] = (struct hd_kv){hd_xstrdup("probe"), hd_xstrdup(probe),
						 hd_xstrdup("--probe"), 1};
	} else if (!hd_config_find(cfg, id)) {
		snprintf(err, errsize, "no check named '%s'", id);
		r = -ENOENT;
	}
	for (size_t i = 0; r == 0 && i < nsets; i++) {
		r = set_kv(sets[i], (int)i, &sec.kv[sec.n], err, errsize);
		sec.n++;
	}
	if (r == 0 && merge_section(&st, cfg, &sec, table) < 0) {
		r = -EINVAL;
		set_err_tidy(err, errsize, probe, sets, nsets);
	}
	raw_free(&sec);
	return r;
}

int hd_config_parse(struct hd_config *cfg, const char *name, const char *bytes, size_t len,
		    const struct hd_probe *const *table, char *err, size_t errsize)
{
	return parse_only(cfg, name, bytes, len, table, NULL, 0, err, errsize);
}

/* Does BYTES hold a "[ID]" of one of ONLY? (A section header is written exactly so.) */
static bool mentions(const char *bytes, size_t len, char *const *only, size_t nonly)
{
	char pat[512];

	for (size_t i = 0; i < nonly; i++) {
		int n = snprintf(pat, sizeof(pat), "[%s]", only[i]);
		if (n < 0 || (size_t)n >= sizeof(pat) || memmem(bytes, len, pat, (size_t)n))
			return true;
	}
	return false;
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

static int load_dir(struct hd_config *cfg, const char *dir, const struct hd_probe *const *table,
		    char *const *only, size_t nonly, char *err, size_t errsize)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, conf_filter, alphasort);
	int ret = 0;

	if (n < 0) {
		ret = -errno;
		snprintf(err, errsize, "%s: cannot read checks directory: %s", dir,
			 strerror(errno));
		return ret;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		_cleanup_free_ char *bytes = NULL;
		size_t len;
		int r;

		if (ret == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			r = hd_read_regular(path, &bytes, &len, 4u << 20);
			if (r < 0) {
				snprintf(err, errsize, "%s: cannot read: %s", path,
					 hd_read_strerror(r));
				ret = r;
			} else if ((!only || mentions(bytes, len, only, nonly)) &&
				   parse_only(cfg, path, bytes, len, table, only, nonly, err,
					      errsize) < 0) {
				ret = -EINVAL;
			}
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

int hd_config_load_dir(struct hd_config *cfg, const char *dir, const struct hd_probe *const *table,
		       char *err, size_t errsize)
{
	return load_dir(cfg, dir, table, NULL, 0, err, errsize);
}

int hd_config_load_checks(struct hd_config *cfg, const char *dir,
			  const struct hd_probe *const *table, char *const *ids, size_t nids,
			  char *err, size_t errsize)
{
	return load_dir(cfg, dir, table, ids, nids, err, errsize);
}

int hd_check_set_threshold(struct hd_check *c, int critical, const char *text, char *err,
			   size_t errsize)
{
	const char *why;
	struct hd_range r;

	if (hd_range_parse(text, &r, &why) < 0) {
		snprintf(err, errsize, "%s '%s' is not a valid range: %s",
			 critical ? "--critical" : "--warning", text, why);
		return -EINVAL;
	}
	if (critical)
		c->crit = r;
	else
		c->warn = r;
	return 0;
}
