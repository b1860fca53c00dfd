/* The baseline file: versioned JSON written and read with json-c. */
#include "baseline.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "util.h"

static const char *const act_names[] = {"daemon", "systemd", "inetd"};

const char *bl_activation_name(enum bl_activation a)
{
	return (unsigned)a < HD_ARRAY_SIZE(act_names) ? act_names[a] : "daemon";
}

int bl_activation_parse(const char *s, enum bl_activation *out)
{
	for (size_t i = 0; i < HD_ARRAY_SIZE(act_names); i++)
		if (strcmp(s, act_names[i]) == 0) {
			*out = (enum bl_activation)i;
			return 0;
		}
	return -EINVAL;
}

void bl_free(struct baseline *b)
{
	for (size_t i = 0; i < b->nprocs; i++) {
		struct bl_proc *p = &b->procs[i];
		free(p->name);
		free(p->exe);
		free(p->user);
		free(p->unit);
		free(p->cmdline);
	}
	for (size_t i = 0; i < b->nls; i++) {
		struct bl_listen *l = &b->ls[i];
		free(l->addr);
		free(l->owner);
		free(l->exe);
		free(l->user);
		free(l->unit);
		free(l->cmdline);
		free(l->socket_unit);
	}
	for (size_t i = 0; i < b->nsvcs; i++) {
		free(b->svcs[i].unit);
		free(b->svcs[i].wanted_by);
	}
	free(b->procs);
	free(b->ls);
	free(b->svcs);
	free(b->name);
	free(b->host);
	memset(b, 0, sizeof(*b));
}

/* ---- writing ---- */

static void put_str(struct json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

char *bl_to_json(const struct baseline *b)
{
	struct json_object *root = json_object_new_object();
	struct json_object *procs = json_object_new_array();
	struct json_object *ls = json_object_new_array();
	struct json_object *svcs = json_object_new_array();
	char *text;

	json_object_object_add(root, "format", json_object_new_string(BL_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(BL_VERSION));
	put_str(root, "name", b->name);
	put_str(root, "host", b->host);
	json_object_object_add(root, "saved", json_object_new_int64(b->saved));
	json_object_object_add(root, "min_age", json_object_new_int64(b->min_age));
	for (size_t i = 0; i < b->nprocs; i++) {
		const struct bl_proc *p = &b->procs[i];
		struct json_object *o = json_object_new_object();
		put_str(o, "name", p->name);
		put_str(o, "exe", p->exe ? p->exe : "");
		put_str(o, "user", p->user);
		json_object_object_add(o, "uid", json_object_new_int64(p->uid));
		json_object_object_add(o, "count", json_object_new_int64(p->count));
		put_str(o, "unit", p->unit);
		put_str(o, "cmdline", p->cmdline);
		json_object_array_add(procs, o);
	}
	for (size_t i = 0; i < b->nls; i++) {
		const struct bl_listen *l = &b->ls[i];
		struct json_object *o = json_object_new_object();
		put_str(o, "proto", l->proto);
		put_str(o, "address", l->addr);
		json_object_object_add(o, "port", json_object_new_int(l->port));
		put_str(o, "activation", bl_activation_name(l->act));
		put_str(o, "owner", l->owner);
		put_str(o, "exe", l->exe);
		put_str(o, "user", l->user);
		put_str(o, "unit", l->unit);
		put_str(o, "socket_unit", l->socket_unit);
		put_str(o, "cmdline", l->cmdline);
		json_object_array_add(ls, o);
	}
	for (size_t i = 0; i < b->nsvcs; i++) {
		struct json_object *o = json_object_new_object();
		put_str(o, "unit", b->svcs[i].unit);
		put_str(o, "wanted_by", b->svcs[i].wanted_by);
		json_object_array_add(svcs, o);
	}
	json_object_object_add(root, "processes", procs);
	json_object_object_add(root, "listeners", ls);
	json_object_object_add(root, "services", svcs);
	text = hd_asprintf("%s\n", json_object_to_json_string_ext(
				       root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return text;
}

/* ---- reading ---- */

static void json_putp(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}

static int bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* KEY of O as a string: 0 (absent and optional: *OUT NULL), or -EINVAL naming WHERE. */
static int get_str(struct json_object *o, const char *key, bool required, char **out,
		   const char *where, char *err, size_t errlen)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			return bad(err, errlen, "%s: no '%s'", where, key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return bad(err, errlen, "%s: '%s' is not a string", where, key);
	*out = hd_xstrdup(json_object_get_string(v));
	return 0;
}

static int get_int(struct json_object *o, const char *key, bool required, int64_t min, int64_t max,
		   int64_t *out, const char *where, char *err, size_t errlen)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return bad(err, errlen, "%s: no '%s'", where, key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return bad(err, errlen, "%s: '%s' is not an integer", where, key);
	errno = 0;
	*out = json_object_get_int64(v);
	if (errno || *out < min || *out > max)
		return bad(err, errlen, "%s: '%s' is out of range", where, key);
	return 0;
}

static struct json_object *get_array(struct json_object *root, const char *key, int *rc, char *err,
				     size_t errlen)
{
	struct json_object *v;

	if (!json_object_object_get_ex(root, key, &v)) {
		*rc = bad(err, errlen, "no '%s' list", key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_array)) {
		*rc = bad(err, errlen, "'%s' is not a list", key);
		return NULL;
	}
	return v;
}

static int parse_proc(struct json_object *o, struct bl_proc *p, const char *where, char *err,
		      size_t errlen)
{
	int64_t uid = 0, count = 1;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad(err, errlen, "%s is not an object", where);
	if ((rc = get_str(o, "name", true, &p->name, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "exe", false, &p->exe, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "user", true, &p->user, where, err, errlen)) < 0 ||
	    (rc = get_int(o, "uid", true, 0, UINT32_MAX, &uid, where, err, errlen)) < 0 ||
	    (rc = get_int(o, "count", false, 0, UINT32_MAX, &count, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "unit", false, &p->unit, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "cmdline", false, &p->cmdline, where, err, errlen)) < 0)
		return rc;
	if (!p->exe)
		p->exe = hd_xstrdup("");
	p->uid = (uint32_t)uid;
	p->count = (uint32_t)count;
	return 0;
}

static int parse_listen(struct json_object *o, struct bl_listen *l, const char *where, char *err,
			size_t errlen)
{
	_cleanup_free_ char *proto = NULL, *act = NULL;
	int64_t port = 0;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad(err, errlen, "%s is not an object", where);
	if ((rc = get_str(o, "proto", true, &proto, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "address", true, &l->addr, where, err, errlen)) < 0 ||
	    (rc = get_int(o, "port", true, 0, 65535, &port, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "activation", false, &act, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "owner", false, &l->owner, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "exe", false, &l->exe, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "user", false, &l->user, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "unit", false, &l->unit, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "socket_unit", false, &l->socket_unit, where, err, errlen)) < 0 ||
	    (rc = get_str(o, "cmdline", false, &l->cmdline, where, err, errlen)) < 0)
		return rc;
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return bad(err, errlen, "%s: proto '%s' is neither tcp nor udp", where, proto);
	snprintf(l->proto, sizeof(l->proto), "%s", proto);
	l->port = (uint16_t)port;
	if (act && bl_activation_parse(act, &l->act) < 0)
		return bad(err, errlen, "%s: activation '%s' is not daemon, systemd or inetd",
			   where, act);
	return 0;
}

/* Line and column (1-based) of byte OFF. */
static void line_col(const char *buf, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int bl_from_json(const char *buf, size_t len, struct baseline *b, char *err, size_t errlen)
{
	__attribute__((cleanup(json_putp))) struct json_object *root = NULL;
	struct json_tokener *tok;
	struct json_object *arr;
	enum json_tokener_error jerr;
	_cleanup_free_ char *format = NULL;
	int64_t version = 0, saved = 0, min_age = BL_DEFAULT_MIN_AGE;
	size_t end, line, col;
	int rc = 0;

	memset(b, 0, sizeof(*b));
	if (len > INT32_MAX)
		return bad(err, errlen, "too large to be a baseline");
	if (memchr(buf, '\0', len)) {
		line_col(buf, (size_t)((const char *)memchr(buf, '\0', len) - buf), &line, &col);
		return bad(err, errlen, "line %zu, column %zu: a NUL byte (not a JSON text)", line,
			   col);
	}
	tok = json_tokener_new();
	root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			return bad(err, errlen, "the JSON text ends early (cut off?)");
		line_col(buf, end > len ? len : end, &line, &col);
		return bad(err, errlen, "line %zu, column %zu: %s", line, col,
			   json_tokener_error_desc(jerr));
	}
	for (size_t i = end; i < len; i++)
		if (!strchr(" \t\r\n", buf[i])) {
			line_col(buf, i, &line, &col);
			return bad(err, errlen, "line %zu, column %zu: text after the JSON object",
				   line, col);
		}
	if (!json_object_is_type(root, json_type_object))
		return bad(err, errlen, "not a JSON object");
	if ((rc = get_str(root, "format", true, &format, "the file", err, errlen)) < 0)
		return rc;
	if (strcmp(format, BL_FORMAT) != 0)
		return bad(err, errlen, "format is '%s', not '%s'", format, BL_FORMAT);
	if ((rc = get_int(root, "version", true, 1, INT32_MAX, &version, "the file", err, errlen)) <
	    0)
		return rc;
	if (version > BL_VERSION) {
		snprintf(
		    err, errlen,
		    "version %lld was written by a newer hostdoctor; this one reads version %d",
		    (long long)version, BL_VERSION);
		return -EPROTO;
	}
	b->version = (int)version;
	if ((rc = get_str(root, "name", false, &b->name, "the file", err, errlen)) < 0 ||
	    (rc = get_str(root, "host", false, &b->host, "the file", err, errlen)) < 0 ||
	    (rc = get_int(root, "saved", false, 0, INT64_MAX, &saved, "the file", err, errlen)) <
		0 ||
	    (rc = get_int(root, "min_age", false, 0, INT32_MAX, &min_age, "the file", err,
			  errlen)) < 0)
		goto fail;
	b->saved = saved;
	b->min_age = min_age;

	if (!(arr = get_array(root, "processes", &rc, err, errlen)))
		goto fail;
	b->nprocs = json_object_array_length(arr);
	b->procs = hd_xcalloc(b->nprocs + 1, sizeof(*b->procs));
	for (size_t i = 0; i < b->nprocs; i++) {
		char where[48];
		snprintf(where, sizeof(where), "processes[%zu]", i);
		if ((rc = parse_proc(json_object_array_get_idx(arr, i), &b->procs[i], where, err,
				     errlen)) < 0)
			goto fail;
	}
	if (!(arr = get_array(root, "listeners", &rc, err, errlen)))
		goto fail;
	b->nls = json_object_array_length(arr);
	b->ls = hd_xcalloc(b->nls + 1, sizeof(*b->ls));
	for (size_t i = 0; i < b->nls; i++) {
		char where[48];
		snprintf(where, sizeof(where), "listeners[%zu]", i);
		if ((rc = parse_listen(json_object_array_get_idx(arr, i), &b->ls[i], where, err,
				       errlen)) < 0)
			goto fail;
	}
	if (!(arr = get_array(root, "services", &rc, err, errlen)))
		goto fail;
	b->nsvcs = json_object_array_length(arr);
	b->svcs = hd_xcalloc(b->nsvcs + 1, sizeof(*b->svcs));
	for (size_t i = 0; i < b->nsvcs; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		char where[48];
		snprintf(where, sizeof(where), "services[%zu]", i);
		if (!json_object_is_type(o, json_type_object)) {
			rc = bad(err, errlen, "%s is not an object", where);
			goto fail;
		}
		if ((rc = get_str(o, "unit", true, &b->svcs[i].unit, where, err, errlen)) < 0 ||
		    (rc = get_str(o, "wanted_by", false, &b->svcs[i].wanted_by, where, err,
				  errlen)) < 0)
			goto fail;
	}
	return 0;
fail:
	bl_free(b);
	return rc;
}
