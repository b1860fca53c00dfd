/* Typed access to a check's probe parameters, with the probe's defaults. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "probe.h"
#include "util.h"

int hd_parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int hd_parse_num(const char *s, double *out)
{
	char *end;
	double v;

	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || !strchr("0123456789+-.", *s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int hd_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const struct hd_param *spec_of(const struct hd_check *c, const char *key)
{
	for (const struct hd_param *p = c->probe->params; p && p->key; p++)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

static const struct hd_kv *last_kv(const struct hd_check *c, const char *key)
{
	const struct hd_kv *found = NULL;

	for (size_t i = 0; i < c->nparams; i++)
		if (strcmp(c->params[i].key, key) == 0)
			found = &c->params[i];
	return found;
}

bool hd_check_has(const struct hd_check *c, const char *key)
{
	return last_kv(c, key) != NULL;
}

const char *hd_check_str(const struct hd_check *c, const char *key)
{
	const struct hd_kv *kv = last_kv(c, key);
	const struct hd_param *p;

	if (kv)
		return kv->value;
	p = spec_of(c, key);
	return p ? p->def : NULL;
}

int64_t hd_check_int(const struct hd_check *c, const char *key)
{
	int64_t v = 0;

	hd_parse_int(hd_check_str(c, key), &v);
	return v;
}

double hd_check_num(const struct hd_check *c, const char *key)
{
	double v = 0;

	hd_parse_num(hd_check_str(c, key), &v);
	return v;
}

bool hd_check_bool(const struct hd_check *c, const char *key)
{
	bool v = false;

	hd_parse_bool(hd_check_str(c, key), &v);
	return v;
}

static void split_into(const char *s, char ***v, size_t *n)
{
	const char *p = s;

	while (*p) {
		size_t len;

		while (*p && (isspace((unsigned char)*p) || *p == ','))
			p++;
		len = strcspn(p, ", \t\n");
		if (len == 0)
			break;
		*v = hd_xrealloc(*v, (*n + 2) * sizeof(char *));
		(*v)[(*n)++] = hd_xstrndup(p, len);
		(*v)[*n] = NULL;
		p += len;
	}
}

size_t hd_check_list(const struct hd_check *c, const char *key, char ***out)
{
	char **v = hd_xcalloc(1, sizeof(char *));
	size_t n = 0;
	bool any = false;

	for (size_t i = 0; i < c->nparams; i++)
		if (strcmp(c->params[i].key, key) == 0) {
			split_into(c->params[i].value, &v, &n);
			any = true;
		}
	if (!any) {
		const char *def = hd_check_str(c, key);
		if (def)
			split_into(def, &v, &n);
	}
	*out = v;
	return n;
}

void hd_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void hd_check_where(const struct hd_check *c, const char *key, char *buf, size_t size)
{
	const struct hd_kv *kv = key ? last_kv(c, key) : NULL;

	if (kv)
		snprintf(buf, size, "%s:%d", kv->file, kv->line);
	else
		snprintf(buf, size, "%s:%d", c->file ? c->file : "(built-in)", c->line);
}

double hd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double hd_ctx_remaining(const struct hd_ctx *ctx)
{
	double left = ctx->deadline - hd_now();

	return left > 0 ? left : 0;
}
