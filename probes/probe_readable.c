/* readable: files and directories a product loads are present, not empty, and can be read. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* One path (already under --root): NULL when it is present and readable, else why not. */
static const char *judge(const char *p, bool nonempty, char *why, size_t size)
{
	struct stat st;
	_cleanup_close_ int fd = -1;

	if (stat(p, &st) < 0) {
		snprintf(why, size, "%s", errno == ENOENT ? "missing" : strerror(errno));
		return why;
	}
	if (S_ISDIR(st.st_mode)) {
		_cleanup_closedir_ DIR *d = opendir(p);
		struct dirent *e;
		bool any = false;

		if (!d) {
			snprintf(why, size, "directory not readable: %s", strerror(errno));
			return why;
		}
		while (!any && (e = readdir(d)))
			any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
		if (nonempty && !any) {
			snprintf(why, size, "empty directory");
			return why;
		}
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, size, "not a regular file");
		return why;
	}
	if (nonempty && st.st_size == 0) {
		snprintf(why, size, "empty file");
		return why;
	}
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(why, size, "cannot be opened: %s", strerror(errno));
		return why;
	}
	if (st.st_size > 0) {
		char c;
		if (read(fd, &c, 1) != 1) {
			snprintf(why, size, "cannot be read: %s", strerror(errno ? errno : EIO));
			return why;
		}
	}
	return NULL;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	char **paths = NULL;
	size_t n = hd_check_list(c, "path", &paths), good = 0, bad = 0, rootlen = strlen(ctx->root);
	bool nonempty = hd_check_bool(c, "nonempty");
	bool warn_only = strcmp(hd_check_str(c, "status"), "warning") == 0;
	struct hd_buf first = {0};
	_cleanup_free_ char *firsts = NULL;

	for (size_t i = 0; i < n; i++) {
		char full[4096], why[160];
		glob_t g = {0};
		int grc;

		if (paths[i][0] != '/') {
			hd_result_set(r, HD_UNKNOWN, "path '%s' is not absolute", paths[i]);
			hd_strv_free(paths);
			return -EINVAL;
		}
		if (hd_path(ctx, paths[i], full, sizeof(full)) < 0)
			continue;
		/* a pattern must match something; a plain path is judged as it is */
		grc = strpbrk(paths[i], "*?[") ? glob(full, 0, NULL, &g) : GLOB_NOMATCH;
		if (grc == 0) {
			for (size_t k = 0; k < g.gl_pathc; k++) {
				const char *w = judge(g.gl_pathv[k], nonempty, why, sizeof(why));
				if (w) {
					hd_result_detail(r, "%s: %s", g.gl_pathv[k] + rootlen, w);
					if (!bad++)
						hd_buf_printf(&first, "%s (%s)",
							      g.gl_pathv[k] + rootlen, w);
				} else {
					good++;
				}
			}
			hd_result_detail(r, "%s: %zu match%s", paths[i], g.gl_pathc,
					 g.gl_pathc == 1 ? "" : "es");
			globfree(&g);
			continue;
		}
		if (strpbrk(paths[i], "*?[")) {
			hd_result_detail(r, "%s: nothing matches", paths[i]);
			if (!bad++)
				hd_buf_printf(&first, "%s (nothing matches)", paths[i]);
			continue;
		}
		{
			const char *w = judge(full, nonempty, why, sizeof(why));
			if (w) {
				hd_result_detail(r, "%s: %s", paths[i], w);
				if (!bad++)
					hd_buf_printf(&first, "%s (%s)", paths[i], w);
			} else {
				good++;
				if (ctx->verbose)
					hd_result_detail(r, "%s: present and readable", paths[i]);
			}
		}
	}
	hd_result_metric(r, "missing", (double)bad, HD_UNIT_NONE)->has_min = true;
	firsts = hd_buf_steal(&first);
	if (bad)
		hd_result_set(r, warn_only ? HD_WARNING : HD_CRITICAL,
			      "%zu of %zu missing or unreadable: %s%s", bad, bad + good, firsts,
			      bad > 1 ? " ..." : "");
	else
		hd_result_set(r, HD_OK, "%zu present and readable", good);
	hd_result_remedy(r,
			 "Put the files back from the product's package: reinstall it over the "
			 "installation (the package that owns a file: rpm -qf FILE, dpkg -S FILE); "
			 "a file that is there but unreadable: check its mode and owner (ls -l) "
			 "and the disk (dmesg).");
	hd_strv_free(paths);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "path",
     .type = HD_P_LIST,
     .required = true,
     .help = "absolute paths (files or directories; a shell pattern must match at least one)"},
    {.key = "status",
     .type = HD_P_ENUM,
     .def = "critical",
     .choices = "critical|warning",
     .help = "the status when something is missing or unreadable"},
    {.key = "nonempty",
     .type = HD_P_BOOL,
     .def = "yes",
     .help = "an empty file or directory counts as missing"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"missing", "Paths missing, empty or unreadable."},
    {0},
};

const struct hd_probe probe_readable = {
    .name = "readable",
    .summary = "files and directories a product loads are present, not empty and readable",
    .params = params,
    .metrics = metrics,
    .run = run,
};
