/* Login records: utmpx files, sources, the mgetty log, the probe's memory between runs. */
#include "logins.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

void login_list_add(struct login_list *l, const struct login_rec *r)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = hd_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *r;
}

void login_list_free(struct login_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* A fixed-size, maybe unterminated field into a C string, without control characters. */
static void field(char *dst, size_t dsize, const char *src, size_t ssize)
{
	size_t n = strnlen(src, ssize);

	if (n >= dsize)
		n = dsize - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[n] = '\0';
}

void login_from_utmpx(const struct utmpx *u, struct login_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->type = u->ut_type;
	field(r->user, sizeof(r->user), u->ut_user, sizeof(u->ut_user));
	field(r->line, sizeof(r->line), u->ut_line, sizeof(u->ut_line));
	field(r->host, sizeof(r->host), u->ut_host, sizeof(u->ut_host));
	r->usec = (int64_t)u->ut_tv.tv_sec * 1000000 + u->ut_tv.tv_usec;
}

size_t logins_parse_utmp(const char *buf, size_t len, struct login_list *l)
{
	size_t n = 0;

	for (size_t off = 0; off + sizeof(struct utmpx) <= len; off += sizeof(struct utmpx)) {
		struct utmpx u;
		struct login_rec r;

		memcpy(&u, buf + off, sizeof(u));
		login_from_utmpx(&u, &r);
		login_list_add(l, &r);
		n++;
	}
	return n;
}

int logins_read_utmpx(const char *path, struct login_list *l)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	const size_t rec = sizeof(struct utmpx);
	_cleanup_free_ char *buf = NULL;
	size_t have = 0, cap = rec * 4096;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* glibc's getutxent() locks, sets an alarm and reads once per record: nine system calls
	 * a record (a 100,000-record wtmp took 1.7 times as long as `last -f`). The file is the
	 * same array of struct utmpx; read it in large pieces and take whole records. */
	buf = hd_xmalloc(cap);
	for (;;) {
		ssize_t n = read(fd, buf + have, cap - have);
		size_t whole;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		have += (size_t)n;
		whole = have - have % rec;
		logins_parse_utmp(buf, whole, l);
		memmove(buf, buf + whole, have - whole);
		have -= whole;
		if (n == 0)
			break; /* a record cut short at the end (being written) is left, as getutxent() does */
	}
	return 0;
}

void login_source(const struct login_rec *r, char *buf, size_t size)
{
	size_t n;

	if (r->host[0]) {
		snprintf(buf, size, "%s", r->host);
		return;
	}
	n = strlen(r->line);
	while (n > 0 && isdigit((unsigned char)r->line[n - 1]))
		n--;
	if (n == 0)
		snprintf(buf, size, "local");
	else
		snprintf(buf, size, "%.*s", (int)n, r->line);
}

size_t logins_mgetty_connects(const char *buf, size_t len, int year, int month, time_t *out,
			      size_t max)
{
	const char *p = buf, *end = buf + len;
	size_t n = 0;

	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		char line[512];
		size_t l = (size_t)(le - p);
		int mo, d, h, mi, s;
		struct tm tm = {0};
		time_t t;

		snprintf(line, sizeof(line), "%.*s", (int)(l < 511 ? l : 511), p);
		p = le + (nl ? 1 : 0);
		if (!strcasestr(line, "connect") || !strcasestr(line, "found"))
			continue;
		if (sscanf(line, "%2d/%2d %2d:%2d:%2d", &mo, &d, &h, &mi, &s) != 5 || mo < 1 ||
		    mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
			continue;
		tm.tm_year = (mo > month ? year - 1 : year) - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = s;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t != (time_t)-1)
			out[n++] = t;
	}
	return n;
}

/* ---- the probe's memory ---- */

void login_state_free(struct login_state *s)
{
	for (size_t i = 0; i < s->nusers; i++) {
		free(s->users[i].user);
		for (size_t k = 0; k < s->users[i].nsources; k++)
			free(s->users[i].sources[k]);
		free(s->users[i].sources);
	}
	free(s->users);
	memset(s, 0, sizeof(*s));
}

static struct login_user *find_user(const struct login_state *s, const char *user)
{
	for (size_t i = 0; i < s->nusers; i++)
		if (strcmp(s->users[i].user, user) == 0)
			return &s->users[i];
	return NULL;
}

int login_state_known(const struct login_state *s, const char *user, const char *source)
{
	const struct login_user *u = find_user(s, user);

	if (!u)
		return 2;
	for (size_t k = 0; k < u->nsources; k++)
		if (strcmp(u->sources[k], source) == 0)
			return 0;
	return 1;
}

void login_state_learn(struct login_state *s, const char *user, const char *source)
{
	struct login_user *u = find_user(s, user);

	if (!u) {
		s->users = hd_xrealloc(s->users, (s->nusers + 1) * sizeof(*s->users));
		u = &s->users[s->nusers++];
		*u = (struct login_user){.user = hd_xstrdup(user),
					 .sources = hd_xcalloc(1, sizeof(char *))};
	}
	for (size_t k = 0; k < u->nsources; k++)
		if (strcmp(u->sources[k], source) == 0)
			return;
	u->sources = hd_xrealloc(u->sources, (u->nsources + 2) * sizeof(char *));
	u->sources[u->nsources++] = hd_xstrdup(source);
	u->sources[u->nsources] = NULL;
}

char *login_state_format(const struct login_state *s)
{
	struct json_object *root = json_object_new_object();
	struct json_object *users = json_object_new_object();
	char *text;

	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "wtmp_usec", json_object_new_int64(s->wtmp_usec));
	json_object_object_add(root, "btmp_usec", json_object_new_int64(s->btmp_usec));
	for (size_t i = 0; i < s->nusers; i++) {
		struct json_object *a = json_object_new_array();
		for (size_t k = 0; k < s->users[i].nsources; k++)
			json_object_array_add(a, json_object_new_string(s->users[i].sources[k]));
		json_object_object_add(users, s->users[i].user, a);
	}
	json_object_object_add(root, "users", users);
	text = hd_asprintf("%s\n",
			   json_object_to_json_string_ext(
			       root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return text;
}

int login_state_parse(const char *buf, size_t len, struct login_state *s, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root, *v, *users;
	enum json_tokener_error jerr;

	memset(s, 0, sizeof(*s));
	root = len <= INT32_MAX && !memchr(buf, '\0', len)
		   ? json_tokener_parse_ex(tok, buf, (int)len)
		   : NULL;
	jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		snprintf(err, errlen, "not JSON (%s)",
			 root ? json_tokener_error_desc(jerr) : "unreadable");
		if (root)
			json_object_put(root);
		return -EINVAL;
	}
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "version", &v) || json_object_get_int(v) != 1 ||
	    !json_object_object_get_ex(root, "users", &users) ||
	    !json_object_is_type(users, json_type_object)) {
		snprintf(err, errlen, "not a version 1 login state");
		json_object_put(root);
		return -EINVAL;
	}
	if (json_object_object_get_ex(root, "wtmp_usec", &v))
		s->wtmp_usec = json_object_get_int64(v);
	if (json_object_object_get_ex(root, "btmp_usec", &v))
		s->btmp_usec = json_object_get_int64(v);
	json_object_object_foreach(users, user, srcs)
	{
		if (!json_object_is_type(srcs, json_type_array))
			continue;
		login_state_learn(s, user, "");
		struct login_user *u = find_user(s, user);
		/* the placeholder "" made the entry: drop it again */
		free(u->sources[0]);
		u->nsources = 0;
		u->sources[0] = NULL;
		for (size_t k = 0; k < json_object_array_length(srcs); k++) {
			struct json_object *e = json_object_array_get_idx(srcs, k);
			if (json_object_is_type(e, json_type_string))
				login_state_learn(s, user, json_object_get_string(e));
		}
	}
	json_object_put(root);
	return 0;
}

static int by_source_time(const void *a, const void *b)
{
	const struct login_rec *x = *(const struct login_rec *const *)a;
	const struct login_rec *y = *(const struct login_rec *const *)b;
	char sx[300], sy[300];
	int c;

	login_source(x, sx, sizeof(sx));
	login_source(y, sy, sizeof(sy));
	c = strcmp(sx, sy);
	if (c)
		return c;
	return x->usec < y->usec ? -1 : x->usec > y->usec;
}

size_t logins_worst_burst(const struct login_list *l, int64_t after_usec, int64_t window, char *who,
			  size_t whosize, int64_t *at_usec)
{
	_cleanup_free_ const struct login_rec **v = hd_xcalloc(l->n + 1, sizeof(*v));
	size_t n = 0, best = 0;

	if (whosize)
		who[0] = '\0';
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].usec > after_usec && l->v[i].type != EMPTY && l->v[i].user[0])
			v[n++] = &l->v[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), by_source_time);
	/* two pointers over each source's run of records, in time order */
	for (size_t lo = 0, hi = 0; hi < n; hi++) {
		char shi[300], slo[300];

		login_source(v[hi], shi, sizeof(shi));
		for (;;) {
			login_source(v[lo], slo, sizeof(slo));
			if (strcmp(slo, shi) == 0 && v[hi]->usec - v[lo]->usec <= window * 1000000)
				break;
			lo++;
		}
		if (hi - lo + 1 > best) {
			best = hi - lo + 1;
			snprintf(who, whosize, "%s", shi);
			if (at_usec)
				*at_usec = v[lo]->usec;
		}
	}
	return best;
}
