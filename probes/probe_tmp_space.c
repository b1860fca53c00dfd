/* tmp-space: free space and inodes of temporary directories, and that they are writable. */
#include "probe_tmp_space.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

#define MB	     (1024.0 * 1024.0)
#define TMPFS_MAGIC_ 0x01021994 /* linux/magic.h TMPFS_MAGIC */

void tmp_space_eval(const struct statvfs *st, struct tmp_space *out)
{
	double frsize = st->f_frsize ? (double)st->f_frsize : (double)st->f_bsize;

	out->free_mb = (double)st->f_bavail * frsize / MB;
	out->size_mb = (double)st->f_blocks * frsize / MB;
	out->used_pct = st->f_blocks
			    ? (double)(st->f_blocks - st->f_bfree) * 100.0 / (double)st->f_blocks
			    : 0.0;
	out->has_inode_limit = st->f_files != 0; /* tmpfs with nr_inodes=0, btrfs: no limit */
	out->inodes_free = (uint64_t)st->f_favail;
	out->inodes_used_pct =
	    st->f_files ? (double)(st->f_files - st->f_ffree) * 100.0 / (double)st->f_files : 0.0;
	out->readonly = (st->f_flag & ST_RDONLY) != 0;
}

/* The directory a check looks at when it names none: the product inherits $TMPDIR, else /tmp. */
static const char *default_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && t[0] == '/' ? t : "/tmp";
}

/* Mount point holding RESOLVED (a path under --root), as a host path: walk up while the device
 * stays the same. */
static void mount_point(const struct hd_ctx *ctx, const char *resolved, char *out, size_t size)
{
	char real[PATH_MAX], rootreal[PATH_MAX] = "", cur[PATH_MAX];
	struct stat st, up;
	size_t rl = 0;

	snprintf(out, size, "%s", resolved);
	if (!realpath(resolved, real) || stat(real, &st) < 0)
		return;
	if (ctx->root[0] && realpath(ctx->root, rootreal))
		rl = strlen(rootreal);
	snprintf(cur, sizeof(cur), "%s", real);
	for (;;) {
		char *slash = strrchr(cur, '/');
		char parent[PATH_MAX];

		if (!slash || strcmp(cur, "/") == 0 || (rl && strlen(cur) <= rl))
			break;
		snprintf(parent, sizeof(parent), "%.*s", slash == cur ? 1 : (int)(slash - cur),
			 cur);
		if (stat(parent, &up) < 0 || up.st_dev != st.st_dev)
			break;
		snprintf(cur, sizeof(cur), "%s", parent);
	}
	if (rl && strncmp(cur, rootreal, rl) == 0)
		snprintf(out, size, "%s", cur[rl] ? cur + rl : "/");
	else
		snprintf(out, size, "%s", cur);
}

struct agg {
	double min_free, max_used, max_inodes_used;
	uint64_t min_inodes_free;
	bool any, any_inode_limit;
};

/* One directory: details, status and remedy lines. Returns 0 or a negative errno (cannot tell). */
static int check_dir(const struct hd_check *c, const struct hd_ctx *ctx, const char *dir,
		     struct hd_result *r, struct agg *a, struct hd_buf *summary)
{
	int64_t min_free = hd_check_int(c, "min_free_mb"),
		min_inodes = hd_check_int(c, "min_free_inodes");
	char path[PATH_MAX], mp[PATH_MAX], size[32], inodes[64] = "without limit";
	struct stat st;
	struct statvfs vfs;
	struct statfs fs;
	struct tmp_space s;
	int rc;

	if (dir[0] != '/') {
		hd_result_raise(r, HD_UNKNOWN);
		hd_buf_printf(summary, "%s%s: not an absolute path", summary->len ? "; " : "", dir);
		hd_result_remedy_add(r, "Name the directory by its absolute path in 'dir ='.");
		return -EINVAL;
	}
	if ((rc = hd_path(ctx, dir, path, sizeof(path))) < 0) {
		hd_result_raise(r, HD_UNKNOWN);
		hd_buf_printf(summary, "%s%s: path too long", summary->len ? "; " : "", dir);
		return rc;
	}
	if (stat(path, &st) < 0) {
		rc = -errno;
		if (rc == -ENOENT || rc == -ENOTDIR) {
			hd_result_raise(r, HD_CRITICAL);
			hd_buf_printf(summary, "%s%s%s does not exist", summary->len ? "; " : "",
				      ctx->root, dir);
			hd_result_remedy_add(
			    r,
			    "Create it: mkdir -p -m 1777 %s (or point TMPDIR at an "
			    "existing directory)",
			    dir);
			hd_result_command(r, "mkdir", "-p", "-m", "1777", dir, NULL);
			return 0;
		}
		hd_result_raise(r, HD_UNKNOWN);
		hd_buf_printf(summary, "%scannot stat %s%s: %s%s", summary->len ? "; " : "",
			      ctx->root, dir, strerror(-rc),
			      rc == -EACCES && !ctx->privileged ? " (needs root)" : "");
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		hd_result_raise(r, HD_CRITICAL);
		hd_buf_printf(summary, "%s%s%s is not a directory", summary->len ? "; " : "",
			      ctx->root, dir);
		hd_result_remedy_add(r,
				     "Move the file away and create the directory: mv %s %s.old && "
				     "mkdir -m 1777 %s",
				     dir, dir, dir);
		return 0;
	}
	if (statvfs(path, &vfs) < 0) {
		rc = -errno;
		hd_result_raise(r, HD_UNKNOWN);
		hd_buf_printf(summary, "%sstatvfs(%s%s): %s", summary->len ? "; " : "", ctx->root,
			      dir, strerror(-rc));
		return rc;
	}
	tmp_space_eval(&vfs, &s);
	mount_point(ctx, path, mp, sizeof(mp));
	hd_fmt_bytes(s.size_mb * MB, size, sizeof(size));

	if (!a->any || s.free_mb < a->min_free)
		a->min_free = s.free_mb;
	if (!a->any || s.used_pct > a->max_used)
		a->max_used = s.used_pct;
	if (s.has_inode_limit) {
		if (!a->any_inode_limit || s.inodes_used_pct > a->max_inodes_used)
			a->max_inodes_used = s.inodes_used_pct;
		if (!a->any_inode_limit || s.inodes_free < a->min_inodes_free)
			a->min_inodes_free = s.inodes_free;
		a->any_inode_limit = true;
	}
	a->any = true;

	if (s.has_inode_limit)
		snprintf(inodes, sizeof(inodes), "%.1f%% used (%" PRIu64 " free)",
			 s.inodes_used_pct, s.inodes_free);
	hd_result_detail(r, "%s%s: %.1f MB free of %s (%.1f%% used), inodes %s, on %s%s", ctx->root,
			 dir, s.free_mb, size, s.used_pct, inodes, mp,
			 s.readonly ? " (read-only)" : "");
	if (s.readonly) {
		hd_result_raise(r, HD_CRITICAL);
		hd_buf_printf(summary, "%s%s%s is on a read-only mount (%s)",
			      summary->len ? "; " : "", ctx->root, dir, mp);
		hd_result_remedy_add(
		    r,
		    "Remount it read-write: mount -o remount,rw %s (and remove 'ro' "
		    "from its line in /etc/fstab)",
		    mp);
		hd_result_command(r, "mount", "-o", "remount,rw", mp, NULL);
		hd_result_concerns(r, HD_CONCERN_FILE, "/etc/fstab");
		return 0;
	}
	if (s.free_mb < (double)min_free) {
		hd_result_raise(r, HD_CRITICAL);
		hd_buf_printf(summary, "%s%s%s: %.1f MB free, below the %" PRId64 " MB required",
			      summary->len ? "; " : "", ctx->root, dir, s.free_mb, min_free);
	} else if (s.has_inode_limit && s.inodes_free < (uint64_t)min_inodes) {
		hd_result_raise(r, HD_CRITICAL);
		hd_buf_printf(summary,
			      "%s%s%s: %" PRIu64 " inodes free, below the %" PRId64 " required",
			      summary->len ? "; " : "", ctx->root, dir, s.inodes_free, min_inodes);
	} else {
		hd_buf_printf(summary, "%s%s%s: %.1f MB free (%.1f%% used)",
			      summary->len ? "; " : "", ctx->root, dir, s.free_mb, s.used_pct);
	}
	/* a remedy for every directory: the engine's thresholds may still make an OK one non-OK */
	if (statfs(path, &fs) == 0 && (unsigned long)fs.f_type == TMPFS_MAGIC_) {
		double want = s.size_mb * 2 > s.size_mb + (double)min_free * 2
				  ? s.size_mb * 2
				  : s.size_mb + (double)min_free * 2;
		hd_result_remedy_add(
		    r,
		    "Free space in %s (tmpfs): delete stale files (find %s -xdev "
		    "-type f -mtime +2 -ls), or enlarge it: mount -o remount,size=%.0fm "
		    "%s (and set size= on its /etc/fstab line)",
		    dir, dir, want, mp);
		{
			char opt[64];
			snprintf(opt, sizeof(opt), "remount,size=%.0fm", want);
			hd_result_command(r, "find", dir, "-xdev", "-type", "f", "-mtime", "+2",
					  "-ls", NULL);
			hd_result_command(r, "mount", "-o", opt, mp, NULL);
			hd_result_concerns(r, HD_CONCERN_FILE, "/etc/fstab");
		}
	} else {
		hd_result_remedy_add(
		    r,
		    "Free space in %s: delete stale files (find %s -xdev -type f "
		    "-mtime +2 -size +1M -ls), or grow the filesystem mounted on %s",
		    dir, dir, mp);
		hd_result_command(r, "find", dir, "-xdev", "-type", "f", "-mtime", "+2", "-size",
				  "+1M", "-ls", NULL);
	}
	return 0;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	char **dirs = NULL;
	size_t n = hd_check_list(c, "dir", &dirs);
	struct hd_buf summary = {0};
	struct agg a = {0};
	int rc = 0;

	hd_result_set(r, HD_OK, "checking");
	if (n == 0) {
		hd_strv_free(dirs);
		dirs = hd_xcalloc(2, sizeof(char *));
		dirs[0] = hd_xstrdup(default_dir());
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		int e = check_dir(c, ctx, dirs[i], r, &a, &summary);
		if (e < 0 && rc == 0)
			rc = e;
	}
	hd_strv_free(dirs);
	if (a.any) {
		hd_result_metric(r, "free", a.min_free, HD_UNIT_MB)->has_min = true;
		hd_metric_bounds(hd_result_metric(r, "used", a.max_used, HD_UNIT_PERCENT), 0, 100);
		if (a.any_inode_limit) {
			hd_metric_bounds(
			    hd_result_metric(r, "inodes_used", a.max_inodes_used, HD_UNIT_PERCENT),
			    0, 100);
			hd_result_metric(r, "inodes_free", (double)a.min_inodes_free, HD_UNIT_NONE)
			    ->has_min = true;
		}
	}
	_cleanup_free_ char *text = hd_buf_steal(&summary);
	hd_result_set(r, r->status, "%s", text);
	/* cannot tell is UNKNOWN only when nothing worse was found in another directory */
	return r->status == HD_UNKNOWN ? (rc < 0 ? rc : -EIO) : 0;
}

static const struct hd_param params[] = {
    {.key = "dir",
     .type = HD_P_LIST,
     .help = "directories to check (repeatable or comma list); default $TMPDIR, else /tmp"},
    {.key = "min_free_mb",
     .type = HD_P_INT,
     .def = "5",
     .min = 0,
     .max = INT64_MAX / 2,
     .help = "CRITICAL below this many MB free (the gateway refuses to start below 5)"},
    {.key = "min_free_inodes",
     .type = HD_P_INT,
     .def = "100",
     .min = 0,
     .max = INT64_MAX / 2,
     .help = "CRITICAL below this many free inodes (filesystems with an inode limit)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"free", "Space free for unprivileged users (f_bavail * f_frsize), least over the dirs."},
    {"used", "Space in use as a share of the filesystem, most over the dirs."},
    {"inodes_used", "Inodes in use as a share of the limit (only with an inode limit)."},
    {"inodes_free", "Inodes free for unprivileged users (only with an inode limit)."},
    {0},
};

const struct hd_probe probe_tmp_space = {
    .name = "tmp-space",
    .summary = "free space and inodes of temporary directories, and that they are writable",
    .params = params,
    .metrics = metrics,
    .run = run,
};
