/* tmp-cleaner: whether files in a directory are removed by age by a tmp cleaner (systemd-tmpfiles
 * rules, tmpwatch or tmpreaper cron jobs), which deletes a program's temporary files under it. */
#include "probe_tmp_cleaner.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* ---- small helpers ---- */

static void strv_add(char ***v, size_t *n, const char *s)
{
	*v = hd_xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = hd_xstrdup(s);
	(*v)[*n] = NULL;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "/tmp/." and "/tmp//" are "/tmp"; "/" stays "/". In place. */
static void normalize(char *p)
{
	char *w = p;

	for (const char *r = p; *r; r++)
		if (!(*r == '/' && w > p && w[-1] == '/'))
			*w++ = *r;
	*w = '\0';
	for (;;) {
		size_t n = strlen(p);
		if (n > 2 && strcmp(p + n - 2, "/.") == 0)
			p[n - 2] = '\0';
		else if (n > 1 && p[n - 1] == '/')
			p[n - 1] = '\0';
		else
			break;
	}
}

/* DIR is ANC or lies below it. */
static bool at_or_below(const char *dir, const char *anc)
{
	size_t n = strlen(anc);

	if (strcmp(anc, "/") == 0)
		return dir[0] == '/';
	return strncmp(dir, anc, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

/* The parent of P in place ("/a/b" -> "/a", "/a" -> "/"); false at "/". */
static bool up(char *p)
{
	char *s = strrchr(p, '/');

	if (!s || strcmp(p, "/") == 0)
		return false;
	if (s == p)
		s[1] = '\0';
	else
		*s = '\0';
	return true;
}

/* One whitespace-separated field with '...' and "..." quoting (backslash escapes in "..."). */
static bool field(const char **p, const char *end, struct hd_buf *out)
{
	const char *s = *p;
	char q = 0;

	out->len = 0;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return false;
	for (; s < end; s++) {
		if (!q && (*s == ' ' || *s == '\t'))
			break;
		if (!q && (*s == '"' || *s == '\'')) {
			q = *s;
			continue;
		}
		if (q && *s == q) {
			q = 0;
			continue;
		}
		if (*s == '\\' && q != '\'' && s + 1 < end)
			s++;
		hd_buf_add(out, s, 1);
	}
	*p = s;
	hd_buf_add(out, "", 0);
	return true;
}

/* ---- systemd-tmpfiles ---- */

int tc_age_parse(const char *s, double *secs, bool *tilde)
{
	static const struct {
		const char *name;
		double secs;
	} units[] = {
	    {"us", 1e-6},	 {"usec", 1e-6},  {"ms", 1e-3},
	    {"msec", 1e-3},	 {"s", 1},	  {"sec", 1},
	    {"second", 1},	 {"seconds", 1},  {"m", 60},
	    {"min", 60},	 {"minute", 60},  {"minutes", 60},
	    {"h", 3600},	 {"hr", 3600},	  {"hour", 3600},
	    {"hours", 3600},	 {"d", 86400},	  {"day", 86400},
	    {"days", 86400},	 {"w", 604800},	  {"week", 604800},
	    {"weeks", 604800},	 {"M", 2629800},  {"month", 2629800},
	    {"months", 2629800}, {"y", 31557600}, {"year", 31557600},
	    {"years", 31557600},
	};
	const char *p = s, *colon;
	double total = 0;
	bool any = false;

	*tilde = false;
	if (*p == '~') {
		*tilde = true;
		p++;
	}
	/* "age-by:" prefix: which timestamps count, not how old */
	colon = strchr(p, ':');
	if (colon) {
		for (const char *q = p; q < colon; q++)
			if (!strchr("abcmABCM", *q))
				return -EINVAL;
		p = colon + 1;
	}
	while (*p) {
		char *e;
		double v;
		size_t ul;
		bool found = false;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		v = strtod(p, &e);
		p = e;
		ul = strspn(p, "abcdefghijklmnopqrstuvwxyzM");
		if (ul == 0) {
			total += v;
			any = true;
			continue;
		}
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == ul && strncmp(p, units[i].name, ul) == 0) {
				total += v * units[i].secs;
				found = true;
				break;
			}
		if (!found)
			return -EINVAL;
		p += ul;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*secs = total;
	return 0;
}

/* Expand the specifiers systemd-tmpfiles gives for system lines. Others (%b, %m, %H ...) differ
 * per host: in a glob they stand for any name, elsewhere the line cannot be judged (false). */
static bool expand_specifiers(const char *in, bool glob, struct hd_buf *out)
{
	out->len = 0;
	for (const char *p = in; *p; p++) {
		const char *rep = NULL;

		if (*p != '%') {
			hd_buf_add(out, p, 1);
			continue;
		}
		switch (p[1]) {
		case '%': rep = "%"; break;
		case 'T': rep = "/tmp"; break;
		case 'V': rep = "/var/tmp"; break;
		case 't': rep = "/run"; break;
		case 'S': rep = "/var/lib"; break;
		case 'C': rep = "/var/cache"; break;
		case 'L': rep = "/var/log"; break;
		case 'h': rep = "/root"; break;
		default:
			if (!glob || !isalpha((unsigned char)p[1]))
				return false;
			rep = "*";
		}
		hd_buf_add(out, rep, strlen(rep));
		p++;
	}
	hd_buf_add(out, "", 0);
	return true;
}

static bool owns_path(char t)
{
	return strchr("fFwdDvqQpLcbCrR", t) != NULL;
}

void tc_tmpfiles_parse(const char *buf, size_t len, const char *file, struct tc_items *out)
{
	const char *p = buf, *end = buf + len;
	int lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *q = p;
		struct hd_buf f[6] = {{0}};
		struct hd_buf path = {0};
		struct tc_item it = {0};
		size_t nf = 0, ll;
		bool ok = true;

		lineno++;
		ll = (size_t)(le - p);
		while (q < le && isspace((unsigned char)*q))
			q++;
		if (q == le || *q == '#') {
			p = le + 1;
			continue;
		}
		while (nf < 6 && field(&q, le, &f[nf]))
			nf++;
		if (nf < 2 || !isalpha((unsigned char)f[0].data[0]))
			ok = false;
		for (size_t i = 1; ok && f[0].data[i]; i++)
			if (isalnum((unsigned char)f[0].data[i]))
				ok = false;
		if (ok && strchr(f[0].data, '!')) {
			/* boot-only: the clean-up run does not apply it */
			for (size_t i = 0; i < 6; i++)
				free(f[i].data);
			p = le + 1;
			continue;
		}
		if (ok && !expand_specifiers(f[1].data,
					     strchr("exXrRzZtTaAhH", f[0].data[0]) != NULL, &path))
			ok = false;
		if (ok && path.data[0] != '/')
			ok = false;
		if (ok) {
			it.type = f[0].data[0];
			it.glob = strchr("exXrRzZtTaAhH", it.type) != NULL;
			if (nf > 5 && strcmp(f[5].data, "-") != 0 && strchr("dDevqQCxX", it.type)) {
				if (tc_age_parse(f[5].data, &it.age, &it.tilde) < 0)
					ok = false; /* systemd-tmpfiles refuses the line */
				else
					it.ages = true;
			}
		}
		if (ok) {
			normalize(path.data);
			for (size_t i = 0; i < out->n; i++)
				if (owns_path(it.type) && owns_path(out->v[i].type) &&
				    strcmp(out->v[i].path, path.data) == 0)
					ok = false; /* "duplicate line", the first one wins */
		}
		if (ok) {
			it.path = hd_buf_steal(&path);
			it.where = hd_asprintf("%s:%d", file, lineno);
			it.line = hd_xstrndup(p, ll);
			out->v = hd_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = it;
		} else {
			out->skipped++;
		}
		free(path.data);
		for (size_t i = 0; i < 6; i++)
			free(f[i].data);
		p = le + 1;
	}
}

void tc_items_free(struct tc_items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		free(items->v[i].path);
		free(items->v[i].where);
		free(items->v[i].line);
	}
	free(items->v);
	*items = (struct tc_items){0};
}

static bool item_at(const struct tc_item *it, const char *path)
{
	return it->glob ? fnmatch(it->path, path, FNM_PATHNAME) == 0 : strcmp(it->path, path) == 0;
}

bool tc_tmpfiles_covers(const struct tc_items *items, const char *dir, const struct tc_item **by,
			const struct tc_item **shield)
{
	_cleanup_free_ char *a = hd_xstrdup(dir);

	*by = *shield = NULL;
	normalize(a);
	do {
		const struct tc_item *first = NULL, *cleaner = NULL;
		bool at_dir = strcmp(a, dir) == 0;

		for (size_t i = 0; i < items->n; i++) {
			const struct tc_item *it = &items->v[i];
			if (!item_at(it, a))
				continue;
			if (!first)
				first = it;
			/* "~AGE" on DIR itself spares the files right in it */
			if (it->ages && !cleaner && !(at_dir && it->tilde))
				cleaner = it;
		}
		if (cleaner) {
			*by = cleaner;
			return true;
		}
		if (first) {
			/* a line of its own: the walk from above passes this directory by */
			*shield = first;
			return false;
		}
	} while (up(a));
	return false;
}

/* ---- tmpwatch, tmpreaper ---- */

int tc_timespec_parse(const char *s, double *secs)
{
	char *e;
	double v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtod(s, &e);
	if (e[0] && e[1])
		return -EINVAL;
	switch (*e) {
	case 's': *secs = v; return 0;
	case 'm': *secs = v * 60; return 0;
	case '\0':
	case 'h': *secs = v * 3600; return 0;
	case 'd': *secs = v * 86400; return 0;
	default: return -EINVAL;
	}
}

/* A shell word: its text without quotes, and whether the shell would change it ($, `). */
struct word {
	char *text;
	bool dynamic;
	bool op; /* ; | & && || ( ) */
	bool quoted;
};

static void words_free(struct word *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i].text);
	free(w);
}

/* Split one logical line into words and operators; a '#' starting a word ends the line. */
static struct word *split(const char *s, size_t *n)
{
	struct word *v = NULL;
	size_t nv = 0;
	const char *p = s;

	while (*p) {
		struct hd_buf b = {0};
		struct word w = {0};
		char q = 0;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		if (strchr(";|&()", *p)) {
			size_t l = (p[1] == *p && (*p == '|' || *p == '&')) ? 2 : 1;
			hd_buf_add(&b, p, l);
			p += l;
			w.op = true;
		} else {
			for (; *p; p++) {
				if (!q && (strchr(" \t\r;|&()", *p)))
					break;
				if (!q && (*p == '"' || *p == '\'')) {
					q = *p;
					w.quoted = true;
					continue;
				}
				if (q && *p == q) {
					q = 0;
					continue;
				}
				if (!q && *p == '`') {
					/* command substitution: one opaque word */
					const char *e = strchr(p + 1, '`');
					w.dynamic = true;
					p = e ? e : p + strlen(p) - 1;
					continue;
				}
				if (q != '\'' && *p == '$') {
					w.dynamic = true;
					if (p[1] ==
					    '(') { /* $( ... ): to its closing parenthesis */
						int depth = 0;
						for (; *p; p++) {
							depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
							if (depth == 0 && *p == ')')
								break;
						}
						if (!*p)
							p--;
						continue;
					}
				}
				if (*p == '\\' && q != '\'' && p[1])
					p++;
				hd_buf_add(&b, p, 1);
			}
		}
		w.text = hd_buf_steal(&b);
		v = hd_xrealloc(v, (nv + 1) * sizeof(*v));
		v[nv++] = w;
	}
	*n = nv;
	return v;
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void split_spaces(const char *s, char ***v, size_t *n)
{
	const char *p = s;

	while (*p) {
		size_t l;
		_cleanup_free_ char *w = NULL;

		p += strspn(p, " \t\n");
		l = strcspn(p, " \t\n");
		if (!l)
			break;
		w = hd_xstrndup(p, l);
		strv_add(v, n, w);
		p += l;
	}
}

static void add_dir(struct tc_job *j, const char *d)
{
	_cleanup_free_ char *c = hd_xstrdup(d);

	normalize(c);
	strv_add(&j->dirs, &j->ndirs, c);
}

/* The words after the command up to the next operator. Returns false for a command that is
 * not a clean-up run (no time, only a shell variable for it, no directory). */
static bool parse_args(struct tc_job *j, const struct word *w, size_t n,
		       const struct tc_reaper_conf *conf)
{
	bool reaper = j->tool == TC_TMPREAPER, have_time = false;

	(void)conf;
	for (size_t i = 0; i < n && !w[i].op; i++) {
		const char *a = w[i].text;
		const char *val = NULL;

		if (w[i].dynamic) {
			/* before the time: options in a variable ("$flags"); after it: a directory
			 * only the shell knows */
			if (have_time && !j->unresolved)
				j->unresolved =
				    hd_asprintf("a directory given by a shell variable");
			continue;
		}
		if (a[0] == '-' && a[1]) {
			if (strncmp(a, "--exclude=", 10) == 0 ||
			    strncmp(a, "--exclude-pattern=", 18) == 0 ||
			    strncmp(a, "--protect=", 10) == 0) {
				strv_add(&j->excl, &j->nexcl, strchr(a, '=') + 1);
			} else if (strcmp(a, "--exclude") == 0 ||
				   strcmp(a, "--exclude-pattern") == 0 ||
				   strcmp(a, "--protect") == 0) {
				if (i + 1 < n && !w[i + 1].op) {
					if (!w[i + 1].dynamic)
						strv_add(&j->excl, &j->nexcl, w[i + 1].text);
					i++;
				}
			} else if (strcmp(a, "--exclude-user") == 0 ||
				   strcmp(a, "--runtime") == 0) {
				i++;
			} else if (a[1] != '-') {
				/* a cluster of short options; x, X, U (tmpwatch) and T (tmpreaper) take
				 * a value: the rest of the cluster or the next word */
				for (const char *c = a + 1; *c; c++) {
					bool takes = reaper ? *c == 'T' : strchr("xXU", *c) != NULL;
					if (!takes)
						continue;
					if (c[1])
						val = c + 1;
					else if (i + 1 < n && !w[i + 1].op)
						val = w[++i].dynamic ? NULL : w[i].text;
					if (val && !reaper && *c != 'U')
						strv_add(&j->excl, &j->nexcl, val);
					break;
				}
			}
			continue;
		}
		if (!have_time) {
			if (tc_timespec_parse(a, &j->age) < 0)
				return false;
			have_time = true;
			continue;
		}
		add_dir(j, a);
	}
	return have_time && j->ndirs > 0;
}

/* Debian's daily tmpreaper job: time, directories and extra protections from the conf. */
static bool debian_job(struct tc_job *j, const struct word *w, size_t n,
		       const struct tc_reaper_conf *conf)
{
	char **v = NULL;
	size_t nv = 0;

	if (conf->disabled)
		return false;
	if (tc_timespec_parse(conf->time ? conf->time : "7d", &j->age) < 0) {
		j->unresolved = hd_asprintf("TMPREAPER_TIME=%s", conf->time);
		return false;
	}
	split_spaces(conf->dirs ? conf->dirs : "/tmp/.", &v, &nv);
	for (size_t i = 0; i < nv; i++)
		add_dir(j, v[i]);
	strv_free_n(v, nv);
	v = NULL;
	nv = 0;
	for (size_t i = 0; i + 1 < n && !w[i].op; i++)
		if (strcmp(w[i].text, "--protect") == 0 && !w[i + 1].dynamic)
			strv_add(&j->excl, &j->nexcl, w[i + 1].text);
	if (conf->protect) {
		split_spaces(conf->protect, &v, &nv);
		for (size_t i = 0; i < nv; i++)
			strv_add(&j->excl, &j->nexcl, v[i]);
		strv_free_n(v, nv);
	}
	j->from_conf = true;
	return j->ndirs > 0;
}

static bool refers_to(const char *line, const char *var)
{
	return strstr(line, var) != NULL;
}

/* The word before a command name that makes it an argument, not a run: a test ("[ -x PATH ]")
 * or a lookup ("command -v NAME", "which NAME"). */
static bool not_a_run(const char *prev)
{
	static const char *const words[] = {"[",  "[[", "test", "which", "type", "whereis",
					    "-x", "-f", "-e",	"-s",	 "-r",	 "-v",
					    "-V", "-h", "-L",	NULL};

	for (const char *const *w = words; *w; w++)
		if (strcmp(prev, *w) == 0)
			return true;
	return false;
}

void tc_cron_parse(const char *buf, size_t len, const char *file, const struct tc_reaper_conf *conf,
		   struct tc_jobs *out)
{
	const char *p = buf, *end = buf + len;
	int lineno = 0;

	while (p < end) {
		struct hd_buf logical = {0};
		int first = lineno + 1;
		_cleanup_free_ char *line = NULL;
		struct word *w;
		size_t nw;

		/* join continuation lines */
		for (;;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			size_t l = (size_t)(le - p);

			lineno++;
			if (l && p[l - 1] == '\\') {
				hd_buf_add(&logical, p, l - 1);
				hd_buf_add(&logical, " ", 1);
				p = le + 1;
				if (p < end)
					continue;
			} else {
				hd_buf_add(&logical, p, l);
				p = le + 1;
			}
			break;
		}
		line = hd_buf_steal(&logical);
		if (!strstr(line, "tmpwatch") && !strstr(line, "tmpreaper"))
			continue;
		w = split(line, &nw);
		for (size_t i = 0; i < nw; i++) {
			const char *b = base(w[i].text);
			struct tc_job j = {0};
			bool ok;

			if (w[i].op || w[i].dynamic ||
			    (strcmp(b, "tmpwatch") != 0 && strcmp(b, "tmpreaper") != 0))
				continue;
			/* "[ -x /usr/sbin/tmpwatch ]", "command -v tmpreaper": not a run */
			if (i > 0 && !w[i - 1].op && not_a_run(w[i - 1].text))
				continue;
			if (i + 1 < nw &&
			    (strcmp(w[i + 1].text, "]") == 0 || strcmp(w[i + 1].text, "]]") == 0))
				continue;
			j.tool = strcmp(b, "tmpwatch") == 0 ? TC_TMPWATCH : TC_TMPREAPER;
			j.where = hd_asprintf("%s:%d", file, first);
			if (j.tool == TC_TMPREAPER && refers_to(line, "$TMPREAPER_DIRS") && conf)
				ok = debian_job(&j, w + i + 1, nw - i - 1, conf);
			else
				ok = parse_args(&j, w + i + 1, nw - i - 1, conf);
			if (ok || j.unresolved) {
				out->v = hd_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
				out->v[out->n++] = j;
			} else {
				free(j.where);
				strv_free_n(j.dirs, j.ndirs);
				strv_free_n(j.excl, j.nexcl);
			}
		}
		words_free(w, nw);
	}
}

void tc_jobs_free(struct tc_jobs *jobs)
{
	for (size_t i = 0; i < jobs->n; i++) {
		free(jobs->v[i].where);
		free(jobs->v[i].unresolved);
		strv_free_n(jobs->v[i].dirs, jobs->v[i].ndirs);
		strv_free_n(jobs->v[i].excl, jobs->v[i].nexcl);
	}
	free(jobs->v);
	*jobs = (struct tc_jobs){0};
}

/* Shell-style value of an assignment: quotes removed. */
static char *shell_value(const char *v, size_t n)
{
	struct hd_buf b = {0};
	char q = 0;

	for (size_t i = 0; i < n; i++) {
		if (!q && (v[i] == '"' || v[i] == '\'')) {
			q = v[i];
			continue;
		}
		if (q && v[i] == q) {
			q = 0;
			continue;
		}
		if (!q && (v[i] == ' ' || v[i] == '\t' || v[i] == '#'))
			break;
		hd_buf_add(&b, v + i, 1);
	}
	return hd_buf_steal(&b);
}

void tc_reaper_conf_parse(const char *buf, size_t len, struct tc_reaper_conf *out)
{
	const char *p = buf, *end = buf + len;
	bool showwarning = false, fromcron = false;

	*out = (struct tc_reaper_conf){.present = true};
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *eq;
		char **dst = NULL;

		while (p < le && isspace((unsigned char)*p))
			p++;
		eq = memchr(p, '=', (size_t)(le - p));
		if (*p != '#' && eq) {
			size_t kl = (size_t)(eq - p);
			_cleanup_free_ char *val = shell_value(eq + 1, (size_t)(le - eq - 1));

#define KEY(k) (kl == sizeof(k) - 1 && strncmp(p, k, kl) == 0)
			if (KEY("TMPREAPER_TIME"))
				dst = &out->time;
			else if (KEY("TMPREAPER_DIRS"))
				dst = &out->dirs;
			else if (KEY("TMPREAPER_PROTECT_EXTRA"))
				dst = &out->protect;
			else if (KEY("SHOWWARNING"))
				showwarning = strcmp(val, "true") == 0;
			else if (KEY("RUNFROMCRON"))
				fromcron = strcmp(val, "true") == 0;
#undef KEY
			if (dst) {
				free(*dst);
				*dst = val[0] ? hd_xstrdup(val) : NULL;
			}
		}
		p = le + 1;
	}
	out->disabled = showwarning || !fromcron;
}

void tc_reaper_conf_free(struct tc_reaper_conf *c)
{
	free(c->time);
	free(c->dirs);
	free(c->protect);
	*c = (struct tc_reaper_conf){0};
}

/* Shell brace expansion of P ("a{b,c}" -> "ab", "ac"), at most 64 results. */
static void braces(const char *p, char ***v, size_t *n)
{
	const char *o = strchr(p, '{'), *c = NULL, *s;
	int depth = 0;

	if (*n >= 64)
		return;
	if (o)
		for (c = o; *c; c++) {
			depth += *c == '{' ? 1 : *c == '}' ? -1 : 0;
			if (depth == 0)
				break;
		}
	if (!o || !c || !*c) {
		strv_add(v, n, p);
		return;
	}
	s = o + 1;
	for (const char *q = s;; q++) {
		if (*q == '{')
			depth++;
		else if (*q == '}' && depth)
			depth--;
		if (q == c || (*q == ',' && depth == 0)) {
			_cleanup_free_ char *alt =
			    hd_asprintf("%.*s%.*s%s", (int)(o - p), p, (int)(q - s), s, c + 1);
			braces(alt, v, n);
			if (q == c)
				break;
			s = q + 1;
		}
	}
}

bool tc_job_covers(const struct tc_job *job, const char *dir, const char **shield)
{
	_cleanup_free_ char *d = hd_xstrdup(dir);

	*shield = NULL;
	normalize(d);
	for (size_t k = 0; k < job->ndirs; k++) {
		const char *top = job->dirs[k];
		bool kept = false;

		if (!at_or_below(d, top))
			continue;
		for (size_t e = 0; e < job->nexcl && !kept; e++) {
			if (job->tool == TC_TMPWATCH) {
				/* -x PATH, -X PATTERN: the path and everything in it; judged on DIR
				 * and the directories between it and the cleaned one */
				_cleanup_free_ char *a = hd_xstrdup(d);
				do {
					if (strcmp(a, top) == 0)
						break;
					if (fnmatch(job->excl[e], a, FNM_PATHNAME) == 0)
						kept = true;
				} while (!kept && up(a));
			} else {
				/* --protect PATTERN protects the files it matches: DIR's files are
				 * kept when it matches a file right in DIR */
				char **alts = NULL;
				size_t na = 0;
				_cleanup_free_ char *probe = hd_asprintf("%s/x", d);

				braces(job->excl[e], &alts, &na);
				for (size_t i = 0; i < na && !kept; i++) {
					_cleanup_free_ char *full =
					    alts[i][0] == '/' ? hd_xstrdup(alts[i])
							      : hd_asprintf("%s/%s", top, alts[i]);
					kept = fnmatch(full, probe, FNM_PATHNAME) == 0;
				}
				strv_free_n(alts, na);
			}
			if (kept)
				*shield = job->excl[e];
		}
		if (!kept)
			return true;
	}
	return false;
}

/* ---- the check ---- */

static const char *const tmpfiles_dirs[] = {"/etc/tmpfiles.d",		 "/run/tmpfiles.d",
					    "/usr/local/lib/tmpfiles.d", "/usr/lib/tmpfiles.d",
					    "/lib/tmpfiles.d",		 NULL};

struct conf_file {
	char *name; /* file name, the key of precedence */
	char *path; /* NULL: masked (a link to /dev/null) */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

static bool exists(const struct hd_ctx *ctx, const char *path)
{
	char p[4096];
	struct stat st;

	return hd_path(ctx, path, p, sizeof(p)) == 0 && stat(p, &st) == 0;
}

/* Every tmpfiles.d line systemd-tmpfiles --clean applies, files in its order. */
static void load_tmpfiles(const struct hd_ctx *ctx, struct tc_items *items, struct hd_result *r)
{
	struct conf_file *files = NULL;
	size_t n = 0;

	for (const char *const *d = tmpfiles_dirs; *d; d++) {
		char dp[4096];
		_cleanup_closedir_ DIR *dir = NULL;
		struct dirent *e;

		if (hd_path(ctx, *d, dp, sizeof(dp)) < 0 || !(dir = opendir(dp))) {
			if (errno == EACCES)
				hd_result_detail(r, "%s%s: not readable (needs root)", ctx->root,
						 *d);
			continue;
		}
		while ((e = readdir(dir))) {
			size_t l = strlen(e->d_name);
			char fp[4096 + 256], target[256];
			bool seen = false;
			ssize_t tl;

			if (l < 6 || strcmp(e->d_name + l - 5, ".conf") != 0)
				continue;
			for (size_t i = 0; i < n && !seen; i++)
				seen = strcmp(files[i].name, e->d_name) == 0;
			if (seen) /* a file of the same name in an earlier directory overrides it */
				continue;
			snprintf(fp, sizeof(fp), "%s/%s", *d, e->d_name);
			files = hd_xrealloc(files, (n + 1) * sizeof(*files));
			files[n].name = hd_xstrdup(e->d_name);
			files[n].path = hd_xstrdup(fp);
			snprintf(fp, sizeof(fp), "%s/%s", dp, e->d_name);
			tl = readlink(fp, target, sizeof(target) - 1);
			if (tl > 0) {
				target[tl] = '\0';
				if (strcmp(target, "/dev/null") == 0) {
					free(files[n].path);
					files[n].path = NULL;
				}
			}
			n++;
		}
	}
	qsort(files, n, sizeof(*files), by_name);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *bytes = NULL;
		size_t len;
		int rc;

		if (files[i].path) {
			rc = hd_read_file(ctx, files[i].path, &bytes, &len, 4u << 20);
			if (rc == 0)
				tc_tmpfiles_parse(bytes, len, files[i].path, items);
			else
				hd_result_detail(r, "%s%s: %s", ctx->root, files[i].path,
						 strerror(-rc));
		}
		free(files[i].name);
		free(files[i].path);
	}
	free(files);
}

static bool skip_name(const char *n)
{
	size_t l = strlen(n);

	return n[0] == '.' || (l && n[l - 1] == '~') || strstr(n, ".rpm") || strstr(n, ".dpkg-") ||
	       strstr(n, ".swp") || strstr(n, ".ucf-");
}

static void cron_file(const struct hd_ctx *ctx, const char *path, const struct tc_reaper_conf *conf,
		      struct tc_jobs *jobs)
{
	_cleanup_free_ char *bytes = NULL;
	size_t len;

	if (hd_read_file(ctx, path, &bytes, &len, 1u << 20) == 0)
		tc_cron_parse(bytes, len, path, conf, jobs);
}

/* Crontabs and the scripts cron runs. EXEC_ONLY: run-parts directories run only executables. */
static void cron_dir(const struct hd_ctx *ctx, const char *d, bool exec_only,
		     const struct tc_reaper_conf *conf, struct tc_jobs *jobs)
{
	char dp[4096];
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *e;

	if (hd_path(ctx, d, dp, sizeof(dp)) < 0 || !(dir = opendir(dp)))
		return;
	while ((e = readdir(dir))) {
		char fp[4096 + 256], path[1024];
		struct stat st;

		if (skip_name(e->d_name))
			continue;
		snprintf(fp, sizeof(fp), "%s/%s", dp, e->d_name);
		if (stat(fp, &st) < 0 || !S_ISREG(st.st_mode) ||
		    (exec_only && !(st.st_mode & 0111)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", d, e->d_name);
		cron_file(ctx, path, conf, jobs);
	}
}

static bool tool_installed(const struct hd_ctx *ctx, enum tc_tool t)
{
	const char *name = t == TC_TMPWATCH ? "tmpwatch" : "tmpreaper";
	static const char *const where[] = {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/", NULL};

	for (const char *const *w = where; *w; w++) {
		char p[64];
		snprintf(p, sizeof(p), "%s%s", *w, name);
		if (exists(ctx, p))
			return true;
	}
	return false;
}

/* The file of a "FILE:LINE" place. */
static const char *file_of(const char *where, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)strcspn(where, ":"), where);
	return buf;
}

static void fmt_age(double s, char *buf, size_t size)
{
	if (s == 0)
		snprintf(buf, size, "any age");
	else if (s >= 86400 && (long long)s % 86400 == 0)
		snprintf(buf, size, "%lld d", (long long)s / 86400);
	else if (s >= 3600 && (long long)s % 3600 == 0)
		snprintf(buf, size, "%lld h", (long long)s / 3600);
	else if (s >= 60 && (long long)s % 60 == 0)
		snprintf(buf, size, "%lld min", (long long)s / 60);
	else
		snprintf(buf, size, "%g s", s);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	_cleanup_free_ char *dir = hd_xstrdup(hd_check_str(c, "dir"));
	const char *conf_name = hd_check_str(c, "tmpfiles_name");
	struct tc_items items = {0};
	struct tc_jobs jobs = {0};
	struct tc_reaper_conf rconf = {0};
	_cleanup_free_ char *rbytes = NULL;
	struct hd_buf who = {0};
	_cleanup_free_ char *whos = NULL;
	size_t ncleaners = 0;
	double min_age = -1;
	char age[32], fbuf[1024];
	size_t rlen;

	if (dir[0] != '/') {
		hd_result_set(r, HD_UNKNOWN, "dir = '%s' is not an absolute path", dir);
		hd_result_remedy(r, "Name the directory by its absolute path in 'dir ='.");
		return -EINVAL;
	}
	normalize(dir);

	/* systemd-tmpfiles */
	if (exists(ctx, "/usr/bin/systemd-tmpfiles") || exists(ctx, "/bin/systemd-tmpfiles")) {
		const struct tc_item *by, *shield;

		load_tmpfiles(ctx, &items, r);
		if (tc_tmpfiles_covers(&items, dir, &by, &shield)) {
			fmt_age(by->age, age, sizeof(age));
			ncleaners++;
			if (min_age < 0 || by->age < min_age)
				min_age = by->age;
			hd_buf_printf(&who, "%ssystemd-tmpfiles (%s)", who.len ? ", " : "", age);
			hd_result_detail(r,
					 "systemd-tmpfiles --clean: %s: %s (files unused for %s)",
					 by->where, by->line, age);
			if (strcmp(by->path, dir) == 0 || by->glob)
				hd_result_remedy_add(
				    r,
				    "systemd-tmpfiles cleans %s itself (%s), where an 'x %s' line "
				    "does not help: copy %s to /etc/tmpfiles.d/ (same file name) "
				    "and "
				    "set the age of that line to '-', or give the product a "
				    "directory "
				    "below it and exclude that one: echo 'x %s/SUBDIR' > "
				    "/etc/tmpfiles.d/%s.conf",
				    dir, by->where, dir, file_of(by->where, fbuf, sizeof(fbuf)),
				    dir, conf_name);
			else
				hd_result_remedy_add(
				    r,
				    "Exclude it from systemd-tmpfiles: echo 'x %s' > "
				    "/etc/tmpfiles.d/%s.conf (it then leaves %s and "
				    "everything in it alone; check with "
				    "'systemd-tmpfiles --cat-config | grep %s').",
				    dir, conf_name, dir, dir);
		} else if (shield) {
			hd_result_detail(r, "systemd-tmpfiles --clean: not cleaned (%s: %s)",
					 shield->where, shield->line);
		}
		if (items.skipped)
			hd_result_detail(r,
					 "systemd-tmpfiles: %zu line%s not judged (not understood, "
					 "or a duplicate it ignores)",
					 items.skipped, items.skipped == 1 ? "" : "s");
	} else {
		hd_result_detail(r, "no systemd-tmpfiles here: no tmpfiles.d rules are applied");
	}

	/* tmpwatch and tmpreaper from cron */
	if (hd_read_file(ctx, "/etc/tmpreaper.conf", &rbytes, &rlen, 1u << 20) == 0)
		tc_reaper_conf_parse(rbytes, rlen, &rconf);
	cron_file(ctx, "/etc/crontab", &rconf, &jobs);
	cron_dir(ctx, "/etc/cron.d", false, &rconf, &jobs);
	cron_dir(ctx, "/etc/cron.hourly", true, &rconf, &jobs);
	cron_dir(ctx, "/etc/cron.daily", true, &rconf, &jobs);
	cron_dir(ctx, "/etc/cron.weekly", true, &rconf, &jobs);
	cron_dir(ctx, "/etc/cron.monthly", true, &rconf, &jobs);
	cron_dir(ctx, "/var/spool/cron/crontabs", false, &rconf, &jobs);
	cron_dir(ctx, "/var/spool/cron", false, &rconf, &jobs);
	if (rconf.present && rconf.disabled)
		hd_result_detail(r, "/etc/tmpreaper.conf: the daily tmpreaper run is off "
				    "(SHOWWARNING=true, or RUNFROMCRON is not true)");
	for (size_t i = 0; i < jobs.n; i++) {
		const struct tc_job *j = &jobs.v[i];
		const char *tool = j->tool == TC_TMPWATCH ? "tmpwatch" : "tmpreaper", *shield;

		if (j->unresolved) {
			hd_result_detail(r, "%s: %s run not judged: %s", j->where, tool,
					 j->unresolved);
			continue;
		}
		if (!tool_installed(ctx, j->tool)) {
			hd_result_detail(r, "%s: %s is not installed, the job does nothing",
					 j->where, tool);
			continue;
		}
		if (!tc_job_covers(j, dir, &shield)) {
			if (shield)
				hd_result_detail(r, "%s: %s leaves it alone (%s)", j->where, tool,
						 shield);
			continue;
		}
		fmt_age(j->age, age, sizeof(age));
		ncleaners++;
		if (min_age < 0 || j->age < min_age)
			min_age = j->age;
		hd_buf_printf(&who, "%s%s (%s)", who.len ? ", " : "", tool, age);
		hd_result_detail(r, "%s: %s removes files unused for %s%s", j->where, tool, age,
				 j->from_conf ? " (from /etc/tmpreaper.conf)" : "");
		if (j->tool == TC_TMPWATCH)
			hd_result_remedy_add(
			    r,
			    "Exclude it from tmpwatch: add '-x %s' to the tmpwatch "
			    "command in %s (or, when %s is the directory it "
			    "cleans, take it off that line).",
			    dir, file_of(j->where, fbuf, sizeof(fbuf)), dir);
		else if (j->from_conf)
			hd_result_remedy_add(r,
					     "Protect it from tmpreaper: add '%s %s/*' to "
					     "TMPREAPER_PROTECT_EXTRA in /etc/tmpreaper.conf.",
					     dir, dir);
		else
			hd_result_remedy_add(
			    r,
			    "Protect it from tmpreaper: add --protect '%s/*' to the "
			    "tmpreaper command in %s.",
			    dir, file_of(j->where, fbuf, sizeof(fbuf)));
	}

	hd_result_remedy_add(r,
			     "If files still vanish from %s, look for other jobs that delete there "
			     "(crontab -l, systemctl list-timers) and exclude %s in them.",
			     dir, dir);
	hd_result_metric(r, "cleaners", (double)ncleaners, HD_UNIT_NONE)->has_min = true;
	if (ncleaners) {
		hd_result_metric(r, "min_age", min_age, HD_UNIT_SECONDS);
		whos = hd_buf_steal(&who);
		fmt_age(min_age, age, sizeof(age));
		hd_result_set(r, HD_WARNING,
			      "%s is cleaned by %s: files in it unused for %s are deleted", dir,
			      whos, age);
	} else {
		hd_result_set(r, HD_OK,
			      "%s is not cleaned by systemd-tmpfiles, tmpwatch or tmpreaper", dir);
	}
	tc_items_free(&items);
	tc_jobs_free(&jobs);
	tc_reaper_conf_free(&rconf);
	free(who.data);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "dir", .type = HD_P_STR, .required = true, .help = "the directory to look at"},
    {.key = "tmpfiles_name",
     .type = HD_P_STR,
     .def = "tmp-exclude",
     .help = "name of the /etc/tmpfiles.d/NAME.conf file the remedy writes the exclusion to"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"cleaners", "Clean-up rules and jobs that delete old files in the directory."},
    {"min_age", "The shortest age at which one of them deletes a file there, seconds."},
    {0},
};

const struct hd_probe probe_tmp_cleaner = {
    .name = "tmp-cleaner",
    .summary = "whether systemd-tmpfiles, tmpwatch or tmpreaper deletes old files in a directory",
    .params = params,
    .metrics = metrics,
    .run = run,
};
