/* One line-counting reader for every INI file hostdoctor parses (checks.d, the catalogue). */
#include "ini_lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char *reader(char *str, int num, void *stream)
{
	struct hd_ini_lines *l = stream;
	const char *nl;
	size_t i, n;

	if (l->pos >= l->len)
		return NULL;
	nl = memchr(l->bytes + l->pos, '\n', l->len - l->pos);
	i = nl ? (size_t)(nl - l->bytes) : l->len;
	n = i - l->pos + (i < l->len ? 1 : 0);
	l->lineno++;
	/* a cut line or an embedded NUL would be misread silently: refuse it */
	if (n >= (size_t)num - 1 || memchr(l->bytes + l->pos, '\0', n)) {
		l->overlong = true;
		return NULL;
	}
	memcpy(str, l->bytes + l->pos, n);
	str[n] = '\0';
	l->continuation = n > 0 && (str[0] == ' ' || str[0] == '\t');
	if (str[strspn(str, " \t")] == '[')
		l->section_line = l->lineno;
	l->pos += n;
	return str;
}

int hd_ini_run(struct hd_ini_lines *l, bool inline_comments, ini_handler handler, void *user)
{
	bool saved_inline = ini_allow_inline_comments;
	int saved_alloc = ini_initial_alloc, r;

	ini_use_stack = false;
	ini_max_line = HD_INI_MAX_LINE;
	ini_initial_alloc = HD_INI_MAX_LINE; /* the reader is handed this size: one whole line */
	ini_stop_on_first_error = true;
	ini_allow_inline_comments = inline_comments;
	r = ini_parse_stream(reader, l, handler, user);
	ini_allow_inline_comments = saved_inline;
	ini_initial_alloc = saved_alloc;
	return r;
}

void hd_ini_fail(char *err, size_t errsize, bool *failed, const char *name, int line,
		 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*failed)
		return;
	*failed = true;
	n = snprintf(err, errsize, "%s:%d: ", name, line);
	if (n < 0 || (size_t)n >= errsize)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
	va_end(ap);
}
