/* Allocation and string helpers: out-of-memory aborts, so callers stay simple. */
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void default_oom(void) __attribute__((noreturn));
static void default_oom(void)
{
	fputs("hostdoctor: out of memory\n", stderr);
	abort();
}

static void (*oom_handler)(void) __attribute__((noreturn)) = default_oom;

void hd_set_oom_handler(void (*fn)(void) __attribute__((noreturn)))
{
	oom_handler = fn ? fn : default_oom;
}

static void __attribute__((noreturn)) oom(void)
{
	oom_handler();
}

void *hd_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *hd_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *hd_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *hd_xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		oom();
	return d;
}

char *hd_xstrdup_null(const char *s)
{
	return s ? hd_xstrdup(s) : NULL;
}

char *hd_xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);
	if (!d)
		oom();
	return d;
}

char *hd_vasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *hd_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = hd_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void hd_buf_add(struct hd_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = hd_xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void hd_buf_printf(struct hd_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = hd_vasprintf(fmt, ap);
	va_end(ap);
	hd_buf_add(b, s, strlen(s));
	free(s);
}

char *hd_buf_steal(struct hd_buf *b)
{
	char *s = b->data ? b->data : hd_xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void hd_fmt_bytes(double bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int i = 0;

	while (bytes >= 1024 && i < 5) {
		bytes /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%.0f B", bytes);
	else
		snprintf(buf, size, "%.1f %s", bytes, units[i]);
}

double hd_round_to(double x, double scale)
{
	double v = x * scale;

	/* beyond 2^62 a double has no fraction left to round (and NaN or infinity stays) */
	if (!(v > -4.6e18 && v < 4.6e18))
		return x;
	return (double)(v < 0 ? -(int64_t)(-v + 0.5) : (int64_t)(v + 0.5)) / scale;
}

int hd_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hostdoctor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 3;
}
