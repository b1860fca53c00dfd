/* file-handles: system-wide file handles in use against fs.file-max, and who holds the most. */
#include "probe_file_handles.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

static int parse_u64(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; s < end && isdigit((unsigned char)*s); s++) {
		uint64_t d = (uint64_t)(*s - '0');
		if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -EINVAL;
		v = v * 10 + d;
	}
	if (s < end && !isspace((unsigned char)*s))
		return -EINVAL;
	*p = s;
	*out = v;
	return 0;
}

int file_nr_parse(const char *bytes, size_t len, uint64_t *allocated, uint64_t *max)
{
	const char *p = bytes, *end = bytes + len;
	uint64_t unused;

	if (parse_u64(&p, end, allocated) < 0 || parse_u64(&p, end, &unused) < 0 ||
	    parse_u64(&p, end, max) < 0)
		return -EINVAL;
	while (p < end && isspace((unsigned char)*p))
		p++;
	return p == end ? 0 : -EINVAL;
}

struct holder {
	long pid;
	uint64_t fds;
	char comm[32];
};

static int by_fds(const void *a, const void *b)
{
	const struct holder *x = a, *y = b;
	return x->fds < y->fds ? 1 : x->fds > y->fds ? -1 : 0;
}

/* Top holders by fd count: st_size of /proc/PID/fd is the count on kernels >= 6.2. */
static void top_holders(const struct hd_ctx *ctx, struct hd_result *r)
{
	char path[512];
	_cleanup_closedir_ DIR *d = NULL;
	struct holder top[5] = {0};
	struct dirent *e;
	size_t n = 0;

	if (hd_path(ctx, "/proc", path, sizeof(path)) < 0 || !(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		struct stat st;
		char p[600];
		long pid;
		char *endp;

		pid = strtol(e->d_name, &endp, 10);
		if (*endp || pid <= 0)
			continue;
		snprintf(p, sizeof(p), "%s/%ld/fd", path, pid);
		if (stat(p, &st) < 0 || st.st_size <= 0)
			continue;
		if (n < 5) {
			top[n++] = (struct holder){pid, (uint64_t)st.st_size, ""};
		} else if ((uint64_t)st.st_size > top[4].fds) {
			top[4] = (struct holder){pid, (uint64_t)st.st_size, ""};
		} else {
			continue;
		}
		qsort(top, n, sizeof(top[0]), by_fds);
	}
	for (size_t i = 0; i < n; i++) {
		char p[600];
		_cleanup_free_ char *comm = NULL;

		snprintf(p, sizeof(p), "/proc/%ld/comm", top[i].pid);
		if (hd_read_file(ctx, p, &comm, NULL, 256) == 0)
			comm[strcspn(comm, "\n")] = '\0';
		hd_result_detail(r, "%s %" PRIu64 " open files: pid %ld (%s)",
				 i == 0 ? "most:" : "     ", top[i].fds, top[i].pid,
				 comm ? comm : "?");
	}
	if (n == 0 && !ctx->privileged)
		hd_result_detail(r, "processes holding the most files: unknown (needs root)");
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	_cleanup_free_ char *bytes = NULL;
	uint64_t alloc, max;
	size_t len;
	double pct;
	int64_t min_max = hd_check_int(c, "min_max");
	int rc;

	rc = hd_read_file(ctx, "/proc/sys/fs/file-nr", &bytes, &len, 4096);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/sys/fs/file-nr: %s", ctx->root,
			      strerror(-rc));
		return rc;
	}
	/* the kernel's fields: allocated, allocated but unused (always 0 since 2.6), maximum */
	if (file_nr_parse(bytes, len, &alloc, &max) < 0) {
		hd_result_set(
		    r, HD_UNKNOWN,
		    "%s/proc/sys/fs/file-nr is malformed: expected 'allocated 0 max', got "
		    "'%.60s'",
		    ctx->root, bytes[0] ? strtok(bytes, "\n") : "");
		return -EINVAL;
	}
	if (max == 0) {
		hd_result_set(r, HD_UNKNOWN, "fs.file-max is 0 in %s/proc/sys/fs/file-nr",
			      ctx->root);
		return -EINVAL;
	}
	pct = (double)alloc * 100.0 / (double)max;
	hd_metric_bounds(hd_result_metric(r, "used", pct, HD_UNIT_PERCENT), 0, 100);
	hd_result_metric(r, "allocated", (double)alloc, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "max", (double)max, HD_UNIT_NONE);
	hd_result_set(r, HD_OK, "%.1f%% of fs.file-max in use (%" PRIu64 " of %" PRIu64 ")", pct,
		      alloc, max);
	if (min_max > 0 && max < (uint64_t)min_max) {
		hd_result_set(r, HD_CRITICAL,
			      "fs.file-max is %" PRIu64 ", below the %" PRId64
			      " required (%.1f%% in use)",
			      max, min_max, pct);
	}
	/* the check's minimum when the limit is below it, else twice the limit (our suggestion) */
	uint64_t sugg = min_max > 0 && (uint64_t)min_max > max ? (uint64_t)min_max : max * 2;
	hd_result_remedy(
	    r, "Find what holds the handles: the processes listed above, or lsof (lsof -n "
	       "| awk '{print $2}' | sort | uniq -c | sort -rn | head); a leak shows as "
	       "one process growing.");
	hd_result_remedy_add(r,
			     "If nothing misbehaves and the host is near the limit, raise it: add "
			     "'fs.file-max = %" PRIu64 "' to /etc/sysctl.conf and run 'sysctl -p'.",
			     sugg);
	hd_result_remedy_add(r,
			     "Where /etc/sysctl.d is read (systemd): echo 'fs.file-max = %" PRIu64
			     "' > /etc/sysctl.d/90-file-max.conf && sysctl --system",
			     sugg);
	{
		char set[64];
		snprintf(set, sizeof(set), "fs.file-max=%" PRIu64, sugg);
		hd_result_command(r, "sysctl", "-w", set, NULL);
		hd_result_concerns(r, HD_CONCERN_FILE, "/etc/sysctl.conf");
		hd_result_concerns(r, HD_CONCERN_FILE, "/etc/sysctl.d/90-file-max.conf");
	}
	/* filled in only when someone will read it: it walks /proc */
	if (ctx->verbose || pct >= 50 || (c->warn.set && hd_range_alerts(&c->warn, pct)) ||
	    r->status != HD_OK)
		top_holders(ctx, r);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "min_max",
     .type = HD_P_INT,
     .def = "0",
     .min = 0,
     .max = INT64_MAX,
     .help = "CRITICAL when fs.file-max is below this; the remedy then suggests this value"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"used", "File handles allocated, as a share of fs.file-max."},
    {"allocated", "File handles allocated system-wide."},
    {"max", "fs.file-max."},
    {0},
};

const struct hd_probe probe_file_handles = {
    .name = "file-handles",
    .summary = "file handles allocated system-wide against fs.file-max",
    .params = params,
    .metrics = metrics,
    .default_warning = "80",
    .default_critical = "95",
    .run = run,
};
