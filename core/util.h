/* Small allocation and string helpers that abort on out-of-memory. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/* What the allocation helpers do when memory runs out (never returns): the parent prints an
 * UNKNOWN and ends its children, a check's child exits with HD_EXIT_OOM. The default prints a
 * message and aborts. */
void hd_set_oom_handler(void (*fn)(void) __attribute__((noreturn)));
#define HD_EXIT_OOM 86 /* a check's child ran out of memory */

void *hd_xmalloc(size_t n);
void *hd_xcalloc(size_t n, size_t size);
void *hd_xrealloc(void *p, size_t n);
char *hd_xstrdup(const char *s);
char *hd_xstrdup_null(const char *s); /* NULL stays NULL */
char *hd_xstrndup(const char *s, size_t n);
char *hd_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *hd_vasprintf(const char *fmt, va_list ap);
/* "hostdoctor: MESSAGE" on stderr; returns 3, the exit status of bad usage. */
int hd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable string buffer. */
struct hd_buf {
	char *data;
	size_t len, cap;
};
void hd_buf_add(struct hd_buf *b, const char *s, size_t n);
void hd_buf_printf(struct hd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *hd_buf_steal(struct hd_buf *b); /* NUL-terminated; "" when empty */

/* X rounded to the nearest multiple of 1/SCALE (halves away from zero), without libm: a run
 * that needs no other libm function does not load it. */
double hd_round_to(double x, double scale);

/* Human-readable byte count ("12.3 MiB"). */
void hd_fmt_bytes(double bytes, char *buf, size_t size);
