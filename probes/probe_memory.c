/* memory: MemAvailable against what the product needs (fixed, or per connection), and swap use. */
#include "probe_memory.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

struct field {
	const char *name;
	size_t off;
	bool *seen;
};

/* One value: spaces, decimal digits, optional " kB", end of line. */
static int parse_value(const char *p, const char *eol, uint64_t *out)
{
	uint64_t v = 0;

	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	if (p == eol || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; p < eol && isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	if (eol - p >= 2 && strncmp(p, "kB", 2) == 0)
		p += 2;
	while (p < eol && isspace((unsigned char)*p))
		p++;
	if (p != eol)
		return -EINVAL;
	*out = v;
	return 0;
}

int meminfo_parse(const char *bytes, size_t len, struct meminfo *out, const char **bad)
{
	bool total = false, avail = false, fre = false, buffers = false, cached = false,
	     stotal = false, sfree = false;
	const struct field fields[] = {
	    {"MemTotal", offsetof(struct meminfo, total), &total},
	    {"MemAvailable", offsetof(struct meminfo, available), &avail},
	    {"MemFree", offsetof(struct meminfo, free), &fre},
	    {"Buffers", offsetof(struct meminfo, buffers), &buffers},
	    {"Cached", offsetof(struct meminfo, cached), &cached},
	    {"SwapTotal", offsetof(struct meminfo, swap_total), &stotal},
	    {"SwapFree", offsetof(struct meminfo, swap_free), &sfree},
	};
	const char *p = bytes, *end = bytes + len;

	*out = (struct meminfo){0};
	*bad = NULL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *colon;

		if (!eol)
			eol = end;
		colon = memchr(p, ':', (size_t)(eol - p));
		for (size_t i = 0; colon && i < HD_ARRAY_SIZE(fields); i++) {
			const struct field *f = &fields[i];
			if ((size_t)(colon - p) != strlen(f->name) ||
			    strncmp(p, f->name, (size_t)(colon - p)) != 0)
				continue;
			if (parse_value(colon + 1, eol, (uint64_t *)((char *)out + f->off)) < 0) {
				*bad = f->name;
				return -EINVAL;
			}
			*f->seen = true;
		}
		p = eol + 1;
	}
	if (!total) {
		*bad = "MemTotal";
		return -ENODATA;
	}
	if (!avail && !(fre && buffers && cached)) {
		*bad = "MemAvailable";
		return -ENODATA;
	}
	out->has_available = avail;
	out->has_swap = stotal && sfree;
	return 0;
}

uint64_t meminfo_available_kb(const struct meminfo *m)
{
	return m->has_available ? m->available : m->free + m->buffers + m->cached;
}

static double mb(uint64_t kb)
{
	return (double)kb / 1024.0;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	_cleanup_free_ char *bytes = NULL;
	int64_t need_mb = hd_check_int(c, "need_mb");
	int64_t per_conn_kb = hd_check_int(c, "per_connection_kb");
	int64_t conns = 0;
	char **each = NULL, where[256];
	size_t neach = hd_check_list(c, "max_connections", &each);
	struct meminfo m;
	const char *bad;
	uint64_t avail_kb, need_kb, conn_kb;
	size_t len;
	int rc;

	/* max_connections may repeat (one value per service): their sum is what the product holds */
	for (size_t i = 0; i < neach; i++) {
		int64_t v;
		if (hd_parse_int(each[i], &v) < 0 || v < 0 || v > INT32_MAX) {
			hd_check_where(c, "max_connections", where, sizeof(where));
			hd_result_set(r, HD_UNKNOWN,
				      "max_connections = '%s' is not a whole number (%s)", each[i],
				      where);
			hd_strv_free(each);
			return -EINVAL;
		}
		conns += v;
	}
	hd_strv_free(each);
	rc = hd_read_file(ctx, "/proc/meminfo", &bytes, &len, 1 << 20);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/meminfo: %s", ctx->root,
			      strerror(-rc));
		return rc;
	}
	rc = meminfo_parse(bytes, len, &m, &bad);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "%s/proc/meminfo is malformed: %s %s", ctx->root, bad,
			      rc == -ENODATA ? "is missing" : "is not a number of kB");
		return rc;
	}
	avail_kb = meminfo_available_kb(&m);
	/* the larger of the two requirements: they describe the same memory, not two budgets */
	conn_kb = (uint64_t)per_conn_kb * (uint64_t)conns;
	need_kb = (uint64_t)need_mb * 1024;
	if (conn_kb > need_kb)
		need_kb = conn_kb;

	hd_metric_bounds(hd_result_metric(r, "available", mb(avail_kb), HD_UNIT_MB), 0,
			 mb(m.total));
	hd_result_metric(r, "total", mb(m.total), HD_UNIT_MB);
	hd_result_metric(r, "need", mb(need_kb), HD_UNIT_MB);
	if (m.has_swap) {
		uint64_t used = m.swap_total >= m.swap_free ? m.swap_total - m.swap_free : 0;
		hd_metric_bounds(hd_result_metric(r, "swap_used", mb(used), HD_UNIT_MB), 0,
				 mb(m.swap_total));
		hd_result_metric(r, "swap_total", mb(m.swap_total), HD_UNIT_MB);
		hd_result_detail(r, "swap: %.0f MiB used of %.0f MiB", mb(used), mb(m.swap_total));
	}
	if (!m.has_available)
		hd_result_detail(r, "no MemAvailable in /proc/meminfo (kernel before 3.14): "
				    "available estimated as MemFree + Buffers + Cached");
	if (conn_kb > 0)
		hd_result_detail(r, "%" PRId64 " connections x %" PRId64 " KB = %.0f MiB", conns,
				 per_conn_kb, mb(conn_kb));

	if (need_kb > 0 && avail_kb < need_kb) {
		hd_result_set(r, HD_CRITICAL,
			      "%.0f MiB available of %.0f MiB, below the %.0f MiB needed",
			      mb(avail_kb), mb(m.total), mb(need_kb));
	} else if (need_kb > 0) {
		hd_result_set(r, HD_OK, "%.0f MiB available of %.0f MiB (%.0f MiB needed)",
			      mb(avail_kb), mb(m.total), mb(need_kb));
	} else {
		hd_result_set(r, HD_OK, "%.0f MiB available of %.0f MiB", mb(avail_kb),
			      mb(m.total));
	}
	/* set on OK too: a warning/critical range on 'available' can make the result non-OK */
	if (need_kb > avail_kb)
		hd_result_remedy(
		    r,
		    "Free memory: 'ps -eo pid,rss,comm --sort=-rss' lists the largest "
		    "processes first; stop or restart what does not belong. Or add RAM: "
		    "at least %.0f MiB more.",
		    mb(need_kb - avail_kb));
	else
		hd_result_remedy(r,
				 "Free memory: 'ps -eo pid,rss,comm --sort=-rss' lists the largest "
				 "processes first; stop or restart what does not belong, or add "
				 "RAM.");
	if (per_conn_kb > 0 && conns > 0)
		hd_result_remedy_add(r,
				     "Or lower the product's maximum connections to %" PRIu64
				     " (%.0f MiB available / %" PRId64 " KB per connection).",
				     avail_kb / (uint64_t)per_conn_kb, mb(avail_kb), per_conn_kb);
	hd_result_command(r, "ps", "-eo", "pid,rss,comm", "--sort=-rss", NULL);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "need_mb",
     .type = HD_P_INT,
     .def = "0",
     .min = 0,
     .max = INT32_MAX,
     .help = "CRITICAL when less than this many MiB are available (0: no fixed need)"},
    {.key = "per_connection_kb",
     .type = HD_P_INT,
     .def = "500",
     .min = 0,
     .max = INT32_MAX,
     .help = "memory per connection in KB, for max_connections"},
    {.key = "max_connections",
     .type = HD_P_LIST,
     .help = "connections the product is configured for; may repeat (one per service), summed; "
	     "need = the sum x per_connection_kb"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"available", "MemAvailable: memory available for new work without swapping."},
    {"total", "MemTotal: all usable memory."},
    {"need", "Memory the check requires available (0: none)."},
    {"swap_used", "Swap in use (SwapTotal - SwapFree)."},
    {"swap_total", "SwapTotal: all swap space."},
    {0},
};

const struct hd_probe probe_memory = {
    .name = "memory",
    .summary = "available memory (MemAvailable) against what the product needs, and swap use",
    .params = params,
    .metrics = metrics,
    .run = run,
};
