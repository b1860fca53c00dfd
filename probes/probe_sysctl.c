/* sysctl: one kernel tunable from /proc/sys, as a metric and against a required minimum/maximum. */
#include "probe_sysctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "render.h"
#include "util.h"

int sysctl_parse_value(const char *bytes, size_t len, int field, double *out, char *text,
		       size_t textsize)
{
	const char *p = bytes, *end = bytes + len, *start = NULL;
	size_t n = 0;
	char buf[128];

	if (field <= 0) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		start = p;
		n = (size_t)(end - p);
	} else {
		for (int f = 0; f < field; f++) {
			while (p < end && isspace((unsigned char)*p))
				p++;
			if (p == end)
				return -ERANGE;
			start = p;
			while (p < end && !isspace((unsigned char)*p))
				p++;
			n = (size_t)(p - start);
		}
	}
	snprintf(text, textsize, "%.*s", (int)(n < 200 ? n : 200), start ? start : "");
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, start, n);
	buf[n] = '\0';
	return hd_parse_num(buf, out);
}

/* The value line with FIELD replaced by WANT, for the remedy. */
static char *replaced(const char *bytes, int field, const char *want)
{
	struct hd_buf b = {0};
	const char *p = bytes;
	int f = 0;

	while (*p) {
		size_t ws = strspn(p, " \t\n"), len;
		p += ws;
		if (!*p)
			break;
		len = strcspn(p, " \t\n");
		f++;
		if (b.len)
			hd_buf_add(&b, " ", 1);
		if (f == field)
			hd_buf_add(&b, want, strlen(want));
		else
			hd_buf_add(&b, p, len);
		p += len;
	}
	return hd_buf_steal(&b);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *key = hd_check_str(c, "key");
	int field = (int)hd_check_int(c, "field");
	char path[512], text[256], num[64];
	_cleanup_free_ char *bytes = NULL;
	size_t len;
	double v;
	int rc;

	if (hd_sysctl_path(key, path, sizeof(path)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "'%s' is not a sysctl name", key);
		return -EINVAL;
	}
	rc = hd_read_file(ctx, path, &bytes, &len, 1 << 20);
	if (rc == -ENOENT) {
		hd_result_set(r, HD_UNKNOWN, "%s: no such sysctl on this kernel (%s%s missing)",
			      key, ctx->root, path);
		hd_result_remedy(r,
				 "Check the name with 'sysctl -a | grep %s'; the kernel module "
				 "that provides it may not be loaded.",
				 key);
		return rc;
	}
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s%s: %s", ctx->root, path,
			      strerror(-rc));
		return rc;
	}
	rc = sysctl_parse_value(bytes, len, field, &v, text, sizeof(text));
	if (rc == -ERANGE) {
		hd_result_set(r, HD_UNKNOWN, "%s has no field %d (value '%s')", key, field, text);
		return rc;
	}
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "%s%s: '%s' is not a number", ctx->root, path, text);
		return rc;
	}
	hd_result_metric(r, "value", v, HD_UNIT_NONE);
	hd_fmt_plain(num, sizeof(num), v);
	if (field > 0)
		hd_result_set(r, HD_OK, "%s field %d = %s", key, field, num);
	else
		hd_result_set(r, HD_OK, "%s = %s", key, num);

	const char *bad = NULL, *want = NULL;
	if (hd_check_has(c, "min") && v < hd_check_num(c, "min")) {
		bad = "below the required minimum";
		want = hd_check_str(c, "min");
	} else if (hd_check_has(c, "max") && v > hd_check_num(c, "max")) {
		bad = "above the allowed maximum";
		want = hd_check_str(c, "max");
	}
	if (bad) {
		_cleanup_free_ char *line =
		    field > 0 ? replaced(bytes, field, want) : hd_xstrdup(want);
		hd_result_set(r, HD_CRITICAL, "%s%s%.0d = %s, %s %s", key,
			      field > 0 ? " field " : "", field, num, bad, want);
		hd_result_remedy(r,
				 "echo '%s = %s' > /etc/sysctl.d/90-hostdoctor-%s.conf && sysctl "
				 "--system",
				 key, line, key);
		{
			_cleanup_free_ char *set = hd_asprintf("%s=%s", key, line);
			hd_result_command(r, "sysctl", "-w", set, NULL);
		}
	} else {
		/* a threshold crossing needs a remedy too */
		hd_result_remedy(r,
				 "Set the value in /etc/sysctl.d/90-hostdoctor-%s.conf as "
				 "'%s = VALUE', then run 'sysctl --system'.",
				 key, key);
	}
	hd_result_concerns(r, HD_CONCERN_FILE, "/etc/sysctl.d/90-hostdoctor-%s.conf", key);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "key",
     .type = HD_P_STR,
     .required = true,
     .help = "sysctl name, dotted (fs.file-max) or with slashes"},
    {.key = "field",
     .type = HD_P_INT,
     .def = "0",
     .min = 0,
     .max = 64,
     .help = "whitespace-separated field, 1-based (kernel.sem field 4 is SEMMNI); 0: whole value"},
    {.key = "min", .type = HD_P_NUM, .help = "CRITICAL when the value is below this"},
    {.key = "max", .type = HD_P_NUM, .help = "CRITICAL when the value is above this"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"value", "Value of the sysctl (or of the chosen field)."},
    {0},
};

const struct hd_probe probe_sysctl = {
    .name = "sysctl",
    .summary = "one kernel tunable from /proc/sys against a required minimum or maximum",
    .params = params,
    .metrics = metrics,
    .run = run,
};
