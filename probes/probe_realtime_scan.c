/* realtime-scan: processes whose fanotify marks or inotify watches cover a directory (on-access
 * scanners), and whether they block opens with permission events. */
#include "probe_realtime_scan.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "text.h"
#include "util.h"

/* Value of "KEY:hex" among the space-separated fields of LINE (up to EOL). 0 or -ENOENT/-EINVAL. */
static int hex_field(const char *line, const char *eol, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);

	for (const char *p = line; p < eol;) {
		while (p < eol && *p == ' ')
			p++;
		const char *e = p;
		while (e < eol && *e != ' ')
			e++;
		if ((size_t)(e - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == ':') {
			char num[24];
			size_t n = (size_t)(e - p) - kl - 1;
			char *endp;

			if (n == 0 || n >= sizeof(num))
				return -EINVAL;
			memcpy(num, p + kl + 1, n);
			num[n] = '\0';
			if (!isxdigit((unsigned char)num[0]))
				return -EINVAL;
			errno = 0;
			*out = strtoull(num, &endp, 16);
			return errno || *endp ? -EINVAL : 0;
		}
		p = e;
	}
	return -ENOENT;
}

int rt_fdinfo_parse(const char *buf, size_t len, struct rt_mark **marks, size_t *n,
		    unsigned int *fan_flags)
{
	const char *p = buf, *end = buf + len;
	_cleanup_free_ struct rt_mark *v = NULL;
	size_t count = 0, cap = 0;

	*marks = NULL;
	*n = 0;
	*fan_flags = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		struct rt_mark m = {.mnt_id = -1};
		uint64_t x;
		bool fan;

		if (!eol)
			eol = end;
		fan = (size_t)(eol - p) > 9 && strncmp(p, "fanotify ", 9) == 0;
		if (!fan && !((size_t)(eol - p) > 8 && strncmp(p, "inotify ", 8) == 0)) {
			p = eol + 1;
			continue;
		}
		if (fan &&
		    hex_field(p, eol, "flags", &x) == 0) { /* "fanotify flags:.. event-flags:.." */
			*fan_flags = (unsigned int)x;
			p = eol + 1;
			continue;
		}
		if (hex_field(p, eol, "mask", &m.mask) < 0)
			return -EINVAL;
		if (hex_field(p, eol, "ignored_mask", &m.ignored_mask) == -EINVAL)
			return -EINVAL;
		if (!fan) {
			m.kind = RT_INOTIFY;
		} else if (hex_field(p, eol, "ino", &x) != -ENOENT) {
			m.kind = RT_FAN_INODE;
		} else if (hex_field(p, eol, "mnt_id", &x) == 0) {
			if (x > INT_MAX)
				return -EINVAL;
			m.kind = RT_FAN_MOUNT;
			m.mnt_id = (int)x;
		} else {
			m.kind = RT_FAN_FS;
		}
		if (m.kind != RT_FAN_MOUNT) {
			if (hex_field(p, eol, "sdev", &x) < 0 || x > UINT32_MAX)
				return -EINVAL;
			m.sdev = (uint32_t)x;
		}
		if ((m.kind == RT_FAN_INODE || m.kind == RT_INOTIFY) &&
		    hex_field(p, eol, "ino", &m.ino) < 0)
			return -EINVAL;
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			v = hd_xrealloc(v, cap * sizeof(*v));
		}
		v[count++] = m;
		p = eol + 1;
	}
	*marks = HD_TAKE(v);
	*n = count;
	return 0;
}

dev_t rt_sdev_dev(uint32_t sdev)
{
	/* the kernel prints s_dev as MKDEV(): 12 bits of major above 20 bits of minor */
	return makedev(sdev >> 20, sdev & 0xfffff);
}

bool rt_covers(const struct rt_mark *m, dev_t dev, ino_t ino, int mnt_id)
{
	switch (m->kind) {
	case RT_FAN_FS: return rt_sdev_dev(m->sdev) == dev;
	case RT_FAN_MOUNT: return mnt_id >= 0 && m->mnt_id == mnt_id;
	case RT_FAN_INODE:
	case RT_INOTIFY: return rt_sdev_dev(m->sdev) == dev && m->ino == (uint64_t)ino;
	}
	return false;
}

uint64_t rt_events(uint64_t mask)
{
	return mask & ~(0x40000000ULL /* FAN_ONDIR */ | 0x08000000ULL /* FAN_EVENT_ON_CHILD */);
}

uint64_t rt_ignored(const struct rt_mark *marks, size_t n, dev_t dev, ino_t ino)
{
	uint64_t ign = 0;

	for (size_t i = 0; i < n; i++)
		if (marks[i].kind == RT_FAN_INODE && rt_sdev_dev(marks[i].sdev) == dev &&
		    marks[i].ino == (uint64_t)ino && (marks[i].ignored_mask & 0x08000000ULL))
			ign |= rt_events(marks[i].ignored_mask);
	return ign;
}

bool rt_blocking(const struct rt_mark *m)
{
	return m->kind != RT_INOTIFY && (m->mask & (0x70000ULL | 0x100000ULL)) != 0;
}

int rt_cgroup_unit(const char *buf, size_t len, char *out, size_t size)
{
	const char *p = buf, *end = buf + len;
	int found = -ENOENT;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *path, *c1;

		if (!eol)
			eol = end;
		/* "ID:CONTROLLERS:PATH"; the unified hierarchy (0::) wins over v1 lines */
		c1 = memchr(p, ':', (size_t)(eol - p));
		path = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		if (path && (found < 0 || strncmp(p, "0::", 3) == 0)) {
			const char *comp = ++path;
			for (const char *s = path; s <= eol; s++) {
				if (s == eol || *s == '/') {
					size_t n = (size_t)(s - comp);
					if (n > 8 && strncmp(s - 8, ".service", 8) == 0 &&
					    n < size) {
						memcpy(out, comp, n);
						out[n] = '\0';
						found = 0;
					}
					comp = s + 1;
				}
			}
		}
		p = eol + 1;
	}
	return found;
}

struct target {
	const char *dir;
	dev_t dev;
	ino_t ino;
	int mnt_id;
};

struct tally {
	size_t watchers, blocking, hidden, fanotify, excluded, scanned;
};

static const char *kind_name(enum rt_kind k)
{
	switch (k) {
	case RT_FAN_INODE: return "fanotify inode mark";
	case RT_FAN_MOUNT: return "fanotify mount mark";
	case RT_FAN_FS: return "fanotify filesystem mark";
	case RT_INOTIFY: return "inotify watch";
	}
	return "?";
}

/* Mount point of MNT_ID in the watcher's own mount table, for the report. */
static void watcher_mount(const struct hd_ctx *ctx, long pid, int mnt_id, char *out, size_t size)
{
	_cleanup_free_ char *mi = NULL;
	char path[64];

	snprintf(out, size, "mount %d", mnt_id);
	snprintf(path, sizeof(path), "/proc/%ld/mountinfo", pid);
	if (hd_read_file(ctx, path, &mi, NULL, 0) < 0)
		return;
	for (char *save = NULL, *line = strtok_r(mi, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int id;
		char mp[512];
		/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
		if (sscanf(line, "%d %*d %*s %*s %511s", &id, mp) == 2 && id == mnt_id) {
			snprintf(out, size, "mount %s (mnt_id %d)", mp, mnt_id);
			return;
		}
	}
}

/* One process: every notification fd, its marks, and what they mean for the target dirs. */
static void scan_process(const struct hd_ctx *ctx, long pid, const struct target *t, size_t nt,
			 bool inotify, struct tally *tl, struct hd_result *r)
{
	char path[PATH_MAX], comm[64] = "?", unit[256];
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char *commbuf = NULL, *cg = NULL;
	struct dirent *e;
	bool covers = false, blocks = false, is_fan = false;
	_cleanup_free_ bool *hit = hd_xcalloc(nt, sizeof(bool));
	struct hd_buf dirs = {0};
	size_t cglen;

	snprintf(path, sizeof(path), "%s/proc/%ld/fd", ctx->root, pid);
	d = opendir(path);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			tl->hidden++;
		return;
	}
	while ((e = readdir(d))) {
		char link[64], fdinfo[320];
		_cleanup_free_ char *info = NULL;
		_cleanup_free_ struct rt_mark *marks = NULL;
		unsigned int flags;
		size_t len, nm;
		ssize_t ll;

		if (e->d_name[0] == '.')
			continue;
		ll = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (ll <= 0)
			continue;
		link[ll] = '\0';
		if (strcmp(link, "anon_inode:[fanotify]") != 0 &&
		    !(inotify && strcmp(link, "anon_inode:inotify") == 0))
			continue;
		snprintf(fdinfo, sizeof(fdinfo), "/proc/%ld/fdinfo/%s", pid, e->d_name);
		if (hd_read_file(ctx, fdinfo, &info, &len, 1 << 20) < 0)
			continue; /* fd closed meanwhile */
		if (!commbuf) {
			snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
			if (hd_read_file(ctx, path, &commbuf, NULL, 256) == 0)
				hd_text_escape_to(comm, sizeof(comm), commbuf,
						  strcspn(commbuf, "\n"));
		}
		if (rt_fdinfo_parse(info, len, &marks, &nm, &flags) < 0) {
			hd_result_detail(r, "pid %ld (%s) fd %s: %s%s is malformed, not judged",
					 pid, comm, e->d_name, ctx->root, fdinfo);
			continue;
		}
		for (size_t i = 0; i < nm; i++) {
			for (size_t k = 0; k < nt; k++) {
				char where[600];

				struct rt_mark eff = marks[i];
				uint64_t ign = 0;

				if (!rt_covers(&marks[i], t[k].dev, t[k].ino, t[k].mnt_id) ||
				    rt_events(marks[i].mask) == 0) /* a pure ignore mark */
					continue;
				if (marks[i].kind != RT_INOTIFY)
					ign = rt_ignored(marks, nm, t[k].dev, t[k].ino);
				eff.mask = marks[i].mask & ~ign;
				if (rt_events(eff.mask) == 0) {
					hd_result_detail(
					    r,
					    "pid %ld (%s): %s excluded by an ignore mark "
					    "(ignored_mask 0x%" PRIx64 ")",
					    pid, comm, t[k].dir, ign);
					tl->excluded++;
					continue;
				}
				covers = true;
				hit[k] = true;
				blocks |= rt_blocking(&eff);
				is_fan |= marks[i].kind != RT_INOTIFY;
				if (marks[i].kind == RT_FAN_MOUNT)
					watcher_mount(ctx, pid, marks[i].mnt_id, where,
						      sizeof(where));
				else if (marks[i].kind == RT_FAN_FS)
					snprintf(where, sizeof(where), "filesystem %u:%u",
						 major(rt_sdev_dev(marks[i].sdev)),
						 minor(rt_sdev_dev(marks[i].sdev)));
				else
					snprintf(where, sizeof(where), "%s itself", t[k].dir);
				hd_result_detail(
				    r, "pid %ld (%s): %s on %s covers %s, mask 0x%" PRIx64 "%s",
				    pid, comm, kind_name(marks[i].kind), where, t[k].dir, eff.mask,
				    rt_blocking(&eff) ? ", blocking (permission events)"
						      : ", notification only");
			}
		}
	}
	if (!covers)
		return;
	for (size_t k = 0; k < nt; k++)
		if (hit[k])
			hd_buf_printf(&dirs, "%s%s", dirs.len ? ", " : "", t[k].dir);
	_cleanup_free_ char *covered = hd_buf_steal(&dirs);
	tl->watchers++;
	tl->blocking += blocks;
	tl->fanotify += is_fan;
	unit[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	if (hd_read_file(ctx, path, &cg, &cglen, 1 << 16) == 0)
		rt_cgroup_unit(cg, cglen, unit, sizeof(unit));
	char stop[600];
	if (unit[0]) {
		/* the unit comes from the watcher's cgroup: quoted in the command */
		_cleanup_free_ char *q = hd_shell_quote(unit);
		snprintf(stop, sizeof(stop), "systemctl stop %s   (pid %ld, %s)", q, pid, comm);
	} else
		snprintf(stop, sizeof(stop), "kill %ld   (%s)", pid, comm);
	if (is_fan)
		hd_result_remedy_add(r,
				     "Exclude %s from %s's on-access (realtime) scanning in its "
				     "configuration, or stop realtime scanning: %s",
				     covered, comm, stop);
	else
		hd_result_remedy_add(r,
				     "Remove %s from %s's inotify watches in its configuration, or "
				     "stop it: %s",
				     covered, comm, stop);
}

static const char *default_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && t[0] == '/' ? t : "/tmp";
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	char **dirs = NULL;
	size_t n = hd_check_list(c, "dir", &dirs);
	bool inotify = hd_check_bool(c, "inotify");
	_cleanup_free_ struct target *t = NULL;
	_cleanup_closedir_ DIR *proc = NULL;
	struct tally tl = {0};
	struct hd_buf names = {0};
	char path[PATH_MAX];
	struct dirent *e;
	bool timed_out = false;
	int rc = 0;

	if (n == 0) {
		hd_strv_free(dirs);
		dirs = hd_xcalloc(2, sizeof(char *));
		dirs[0] = hd_xstrdup(default_dir());
		n = 1;
	}
	t = hd_xcalloc(n, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		struct statx sx;

		hd_buf_printf(&names, "%s%s", i ? ", " : "", dirs[i]);
		if (dirs[i][0] != '/' || hd_path(ctx, dirs[i], path, sizeof(path)) < 0) {
			hd_result_set(r, HD_UNKNOWN, "'%s' is not an absolute path", dirs[i]);
			rc = -EINVAL;
			goto out;
		}
		if (statx(AT_FDCWD, path, 0, STATX_INO | STATX_MNT_ID, &sx) < 0) {
			rc = -errno;
			hd_result_set(r, HD_UNKNOWN, "cannot look at %s%s: %s", ctx->root, dirs[i],
				      hd_read_strerror(rc));
			hd_result_remedy(
			    r, "Create the directory (mkdir -m 1777 %s) or correct 'dir ='.",
			    dirs[i]);
			goto out;
		}
		t[i] =
		    (struct target){.dir = dirs[i],
				    .dev = makedev(sx.stx_dev_major, sx.stx_dev_minor),
				    .ino = (ino_t)sx.stx_ino,
				    .mnt_id = sx.stx_mask & STATX_MNT_ID ? (int)sx.stx_mnt_id : -1};
	}
	if (hd_path(ctx, "/proc", path, sizeof(path)) < 0 || !(proc = opendir(path))) {
		rc = -errno;
		hd_result_set(r, HD_UNKNOWN, "cannot list %s/proc: %s", ctx->root,
			      hd_read_strerror(rc));
		goto out;
	}
	while ((e = readdir(proc))) {
		char *endp;
		long pid = strtol(e->d_name, &endp, 10);

		if (*endp || pid <= 0)
			continue;
		scan_process(ctx, pid, t, n, inotify, &tl, r);
		tl.scanned++;
		/* stop in time to report rather than be killed by the runner */
		if (hd_ctx_remaining(ctx) <= 0.05) {
			timed_out = true;
			break;
		}
	}
	hd_result_metric(r, "watchers", (double)tl.watchers, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "blocking", (double)tl.blocking, HD_UNIT_NONE)->has_min = true;
	if (tl.blocking) {
		hd_result_set(
		    r, HD_CRITICAL,
		    "%s under blocking realtime scan (%zu process%s with permission events)",
		    names.data, tl.blocking, tl.blocking == 1 ? "" : "es");
	} else if (tl.fanotify) {
		hd_result_set(r, HD_CRITICAL, "%s under realtime scan (%zu fanotify watcher%s)",
			      names.data, tl.fanotify, tl.fanotify == 1 ? "" : "s");
	} else if (tl.watchers) {
		hd_result_set(r, HD_WARNING, "%s watched with inotify by %zu process%s", names.data,
			      tl.watchers, tl.watchers == 1 ? "" : "es");
	} else if (timed_out) {
		hd_result_set(
		    r, HD_UNKNOWN,
		    "no watcher seen on %s in the %zu processes looked at before the deadline",
		    names.data, tl.scanned);
		hd_result_remedy(r,
				 "Give the check more time: 'timeout = SECONDS' in its section.");
		rc = -ETIME;
		goto out;
	} else if (tl.hidden) {
		hd_result_set(
		    r, HD_UNKNOWN,
		    "no watcher seen on %s, but the file descriptors of %zu processes are "
		    "not readable (needs root)",
		    names.data, tl.hidden);
		hd_result_remedy(r,
				 "Run hostdoctor as root to see every process's fanotify marks.");
		rc = -EACCES;
		goto out;
	} else {
		hd_result_set(r, HD_OK, "no fanotify mark%s covers %s%s",
			      inotify ? " or inotify watch" : "", names.data,
			      tl.excluded ? " (excluded by the scanner's ignore marks)" : "");
	}
	if (timed_out)
		hd_result_detail(r, "stopped at the deadline after %zu processes", tl.scanned);
	if (tl.hidden)
		hd_result_detail(r, "file descriptors of %zu processes not readable (needs root)",
				 tl.hidden);
	if (!r->remedy)
		hd_result_remedy(r,
				 "Exclude %s from the on-access scanner's paths, or stop realtime "
				 "scanning on this host.",
				 names.data);
out:
	free(names.data);
	hd_strv_free(dirs);
	return rc;
}

static const struct hd_param params[] = {
    {.key = "dir",
     .type = HD_P_LIST,
     .help = "directories the product writes temp files to; default $TMPDIR, else /tmp"},
    {.key = "inotify",
     .type = HD_P_BOOL,
     .def = "yes",
     .help = "also report inotify watches on the directory itself (WARNING)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"watchers", "Processes whose fanotify marks (or inotify watches) cover the directory."},
    {"blocking", "Of those, processes that block opens with fanotify permission events."},
    {0},
};

const struct hd_probe probe_realtime_scan = {
    .name = "realtime-scan",
    .summary = "on-access scanners (fanotify marks, inotify watches) covering a temp directory",
    .params = params,
    .metrics = metrics,
    .run = run,
};
