/* Values read from a product's configuration at run time, so checks follow the installation
 * (the gateway's port, pre_spawn or admin_mx_host as the product itself has them). */
#include "indirect.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "config.h"
#include "ini_lines.h"
#include "paths.h"
#include "util.h"

int hd_ini_ref_parse(const char *v, struct hd_ini_ref *ref)
{
	const char *p, *end, *c1, *c2, *c3;
	size_t n;

	memset(ref, 0, sizeof(*ref));
	if (strncmp(v, "${ini:", 6) != 0)
		return 0;
	n = strlen(v);
	if (n < 8 || v[n - 1] != '}')
		return -EINVAL;
	p = v + 6;
	end = v + n - 1;
	/* PATH:SECTION:KEY[:-DEFAULT]; the path is absolute and holds no ':' */
	c1 = memchr(p, ':', (size_t)(end - p));
	if (!c1 || *p != '/')
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2)
		return -EINVAL;
	c3 = memchr(c2 + 1, ':', (size_t)(end - c2 - 1));
	if (c3 && (c3 + 1 >= end || c3[1] != '-'))
		return -EINVAL;
	if ((c3 ? c3 : end) == c2 + 1)
		return -EINVAL; /* empty key */
	ref->path = hd_xstrndup(p, (size_t)(c1 - p));
	ref->section = hd_xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	ref->key = hd_xstrndup(c2 + 1, (size_t)((c3 ? c3 : end) - c2 - 1));
	if (c3)
		ref->def = hd_xstrndup(c3 + 2, (size_t)(end - c3 - 2));
	return 1;
}

void hd_ini_ref_free(struct hd_ini_ref *ref)
{
	free(ref->path);
	free(ref->section);
	free(ref->key);
	free(ref->def);
	memset(ref, 0, sizeof(*ref));
}

struct lookup {
	const char *section, *key;
	char *found;
};

static int lookup_cb(void *user, const char *section, const char *name, const char *value)
{
	struct lookup *l = user;

	if (strcasecmp(section, l->section) == 0 && strcasecmp(name, l->key) == 0) {
		free(l->found);
		l->found = hd_xstrdup(value);
	}
	return 1;
}

int hd_ini_lookup(const char *bytes, size_t len, const char *section, const char *key, char **out)
{
	struct lookup l = {section, key, NULL};
	/* whole lines, however long (libinih's own string reader cuts them at its line size and
	 * reads the tail as a line of its own); a product's file may hold lines inih does not take */
	struct hd_ini_lines in = {.bytes = bytes, .len = len, .lenient = true};

	hd_ini_run(&in, true, lookup_cb, &l);
	if (!l.found)
		return -ENOENT;
	/* quotes around a value are the product's syntax, not part of it */
	size_t n = strlen(l.found);
	if (n >= 2 && (l.found[0] == '"' || l.found[0] == '\'') && l.found[n - 1] == l.found[0]) {
		memmove(l.found, l.found + 1, n - 2);
		l.found[n - 2] = '\0';
	}
	*out = l.found;
	return 0;
}

static const struct hd_param *spec_for(const struct hd_probe *p, const char *key)
{
	for (const struct hd_param *q = p->params; q && q->key; q++)
		if (strcmp(q->key, key) == 0)
			return q;
	return NULL;
}

int hd_check_resolve(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_check *out,
		     char *err, size_t errsize)
{
	*out = *c;
	out->params = hd_xcalloc(c->nparams ? c->nparams : 1, sizeof(*out->params));
	for (size_t i = 0; i < c->nparams; i++) {
		struct hd_kv *kv = &out->params[i];
		struct hd_ini_ref ref;
		_cleanup_free_ char *bytes = NULL;
		size_t len = 0;
		char *value = NULL;
		const struct hd_param *spec;
		const char *why;
		char buf[256];
		int r;

		*kv = c->params[i];
		kv->value = NULL;
		r = hd_ini_ref_parse(c->params[i].value, &ref);
		if (r <= 0) {
			kv->value = hd_xstrdup(c->params[i].value);
			continue;
		}
		r = hd_read_file(ctx, ref.path, &bytes, &len, 4u << 20);
		if (r == 0)
			r = hd_ini_lookup(bytes, len, ref.section, ref.key, &value);
		if (r < 0 && ref.def) {
			value = hd_xstrdup(ref.def);
		} else if (r < 0) {
			if (bytes)
				snprintf(err, errsize, "%s: %s%s has no key '%s' in [%s]",
					 c->params[i].key, ctx->root, ref.path, ref.key,
					 ref.section);
			else
				snprintf(err, errsize, "%s: cannot read %s%s: %s", c->params[i].key,
					 ctx->root, ref.path, hd_read_strerror(r));
			hd_ini_ref_free(&ref);
			hd_check_resolved_free(out);
			return r;
		}
		spec = spec_for(c->probe, c->params[i].key);
		if (spec && (why = hd_param_validate(spec, value, buf, sizeof(buf)))) {
			snprintf(err, errsize, "%s = '%s' (from %s%s [%s] %s) %s", c->params[i].key,
				 value, ctx->root, ref.path, ref.section, ref.key, why);
			free(value);
			hd_ini_ref_free(&ref);
			hd_check_resolved_free(out);
			return -EINVAL;
		}
		kv->value = value;
		hd_ini_ref_free(&ref);
	}
	return 0;
}

void hd_check_resolved_free(struct hd_check *out)
{
	for (size_t i = 0; i < out->nparams; i++)
		free(out->params[i].value);
	free(out->params);
	out->params = NULL;
	out->nparams = 0;
}
