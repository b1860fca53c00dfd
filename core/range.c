/* Nagios threshold ranges, as in the Monitoring Plugins development guidelines. */
#include "range.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_bound(const char *s, size_t n, double *out)
{
	char buf[64];
	char *end;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (errno || *end || !isfinite(*out) || end == buf)
		return -EINVAL;
	/* strtod takes hex, "inf" and "nan": a threshold is a plain decimal */
	for (const char *p = buf; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return -EINVAL;
	return 0;
}

int hd_range_parse(const char *text, struct hd_range *r, const char **why)
{
	const char *dummy;
	size_t n;
	const char *s, *colon;

	if (!why)
		why = &dummy;
	memset(r, 0, sizeof(*r));
	if (!text) {
		*why = "empty range";
		return -EINVAL;
	}
	while (*text == ' ' || *text == '\t')
		text++;
	n = strlen(text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n > 0 && text[n - 1] == '%') /* "80%" means 80 */
		n--;
	if (n == 0) {
		*why = "empty range";
		return -EINVAL;
	}
	s = text;
	if (*s == '@') {
		r->inverted = true;
		s++;
		n--;
	}
	colon = memchr(s, ':', n);
	if (!colon) {
		r->has_start = true;
		r->start = 0;
		r->has_end = true;
		if (parse_bound(s, n, &r->end) < 0) {
			*why = "not a number";
			return -EINVAL;
		}
	} else {
		size_t ns = (size_t)(colon - s), ne = n - ns - 1;

		if (ns == 1 && s[0] == '~') {
			r->has_start = false;
		} else if (ns == 0) {
			r->has_start = true; /* ":10" is read as "0:10" */
			r->start = 0;
		} else {
			r->has_start = true;
			if (parse_bound(s, ns, &r->start) < 0) {
				*why = "start is not a number";
				return -EINVAL;
			}
		}
		if (ne == 0) {
			r->has_end = false;
		} else {
			r->has_end = true;
			if (parse_bound(colon + 1, ne, &r->end) < 0) {
				*why = "end is not a number";
				return -EINVAL;
			}
		}
	}
	if (r->has_start && r->has_end && r->start > r->end) {
		*why = "start is greater than end";
		return -EINVAL;
	}
	r->set = true;
	return 0;
}

bool hd_range_alerts(const struct hd_range *r, double v)
{
	bool inside;

	if (!r->set)
		return false;
	inside = (!r->has_start || v >= r->start) && (!r->has_end || v <= r->end);
	return r->inverted ? inside : !inside;
}

/* A plain decimal where one says the value exactly and fits in BUF (what the plugin guidelines
 * show: 1e16 as 10000000000000000), else "%.15g" with its exponent (1e-09, 9e+300): never a
 * truncated or rounded-off number, so the text reads back as the same range. */
static void fmt_num(char *buf, int size, double v)
{
	int n = snprintf(buf, (size_t)size, "%.15g", v);

	if (n >= 0 && n < size && !strpbrk(buf, "eE"))
		return;
	if (fabs(v) >= 1) { /* a large double is a whole number: %.0f is all its digits */
		n = snprintf(buf, (size_t)size, "%.0f", v);
		if (n >= 0 && n < size)
			return;
	}
	snprintf(buf, (size_t)size, "%.15g", v);
}

void hd_range_format(const struct hd_range *r, char *buf, int size)
{
	char a[40] = "", b[40] = "";

	if (!r->set) {
		snprintf(buf, (size_t)size, "%s", "");
		return;
	}
	if (r->has_start)
		fmt_num(a, sizeof(a), r->start);
	if (r->has_end)
		fmt_num(b, sizeof(b), r->end);
	if (!r->inverted && r->has_start && r->start == 0 && r->has_end)
		snprintf(buf, (size_t)size, "%s", b);
	else
		snprintf(buf, (size_t)size, "%s%s:%s", r->inverted ? "@" : "",
			 r->has_start ? a : "~", b);
}
