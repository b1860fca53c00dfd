/* Nagios threshold ranges: 10, 10:, ~:10, 10:20, @10:20 (inclusive ends). */
#pragma once

#include <stdbool.h>

struct hd_range {
	bool set;	/* false: no threshold */
	bool inverted;	/* '@': alert inside start..end */
	bool has_start; /* false: -infinity ("~") */
	bool has_end;	/* false: +infinity ("10:") */
	double start;
	double end;
};

/* Parse TEXT into *R. Returns 0 or -EINVAL; on error *why says what is wrong. */
int hd_range_parse(const char *text, struct hd_range *r, const char **why);

/* True when VALUE is outside the range (or inside, for '@'): an alert. */
bool hd_range_alerts(const struct hd_range *r, double value);

/* Canonical text of the range into BUF ("" when unset). */
void hd_range_format(const struct hd_range *r, char *buf, int size);
