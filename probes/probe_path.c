/* path: a file, directory or socket exists with the wanted type, at most the wanted permissions,
 * the wanted owner and group, and no directory on the way up that others can write. */
#include "probe_path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "probe_user.h"
#include "rootpath.h"
#include "util.h"

int path_mode_parse(const char *s, mode_t *out)
{
	unsigned long v = 0;
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -EINVAL;
		v = v * 8 + (unsigned long)(s[i] - '0');
	}
	if (v > 07777)
		return -EINVAL;
	*out = (mode_t)v;
	return 0;
}

mode_t path_mode_excess(mode_t actual, mode_t want)
{
	return actual & 07777 & ~want;
}

enum parent_verdict path_parent_verdict(mode_t mode)
{
	if (!(mode & (S_IWGRP | S_IWOTH)))
		return PARENT_OK;
	/* the sticky bit keeps others from renaming or removing entries they do not own */
	if (mode & S_ISVTX)
		return PARENT_STICKY;
	return mode & S_IWOTH ? PARENT_WORLD_WRITABLE : PARENT_GROUP_WRITABLE;
}

/* passwd and group of the root, read on first use. */
struct ids {
	char *pw, *gr;
	size_t pwlen, grlen;
	int pwrc, grrc;
	bool pwread, grread;
};

static int load(const struct hd_ctx *ctx, struct ids *ids, enum db_kind k)
{
	if (k == DB_PASSWD && !ids->pwread) {
		ids->pwread = true;
		ids->pwrc = hd_read_file(ctx, "/etc/passwd", &ids->pw, &ids->pwlen, 64u << 20);
	} else if (k == DB_GROUP && !ids->grread) {
		ids->grread = true;
		ids->grrc = hd_read_file(ctx, "/etc/group", &ids->gr, &ids->grlen, 64u << 20);
	}
	return k == DB_PASSWD ? ids->pwrc : ids->grrc;
}

/* NAME (or a number) to an id. 0, -ENOENT (no such name), or the read error. */
static int name_to_id(const struct hd_ctx *ctx, struct ids *ids, enum db_kind k, const char *name,
		      unsigned *id)
{
	struct db_entry e;
	char *end;
	unsigned long v;
	int rc;

	errno = 0;
	v = strtoul(name, &end, 10);
	if (*name && !*end && !errno && v <= UINT_MAX) {
		*id = (unsigned)v;
		return 0;
	}
	if ((rc = load(ctx, ids, k)) < 0)
		return rc;
	if (!db_find_name(k, k == DB_PASSWD ? ids->pw : ids->gr,
			  k == DB_PASSWD ? ids->pwlen : ids->grlen, name, &e))
		return -ENOENT;
	*id = e.id;
	return 0;
}

/* An id as its name when the root's passwd/group knows it, else the number. */
static void id_to_name(const struct hd_ctx *ctx, struct ids *ids, enum db_kind k, unsigned id,
		       char *out, size_t size)
{
	struct db_entry e;

	if (load(ctx, ids, k) == 0 && db_find_id(k, k == DB_PASSWD ? ids->pw : ids->gr,
						 k == DB_PASSWD ? ids->pwlen : ids->grlen, id, &e))
		snprintf(out, size, "%.*s", (int)size - 1, e.name);
	else
		snprintf(out, size, "%u", id);
}

static const char *type_name(mode_t m)
{
	return S_ISDIR(m)    ? "dir"
	       : S_ISREG(m)  ? "file"
	       : S_ISSOCK(m) ? "socket"
	       : S_ISLNK(m)  ? "symlink"
	       : S_ISFIFO(m) ? "fifo"
	       : S_ISCHR(m)  ? "char device"
	       : S_ISBLK(m)  ? "block device"
			     : "unknown";
}

static bool type_matches(const char *want, mode_t m)
{
	return strcmp(want, "any") == 0 || strcmp(want, type_name(m)) == 0;
}

/* Directories already judged, so a directory reached twice is reported once. */
struct seen {
	char **v;
	size_t n;
};

static bool seen_add(struct seen *s, const char *dir)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], dir) == 0)
			return false;
	s->v = hd_xrealloc(s->v, (s->n + 1) * sizeof(char *));
	s->v[s->n++] = hd_xstrdup(dir);
	return true;
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* Judge one directory (inside the root) on the way to the path; returns 1 for a finding. */
static int judge_parent(const struct hd_ctx *ctx, struct ids *ids, const char *dir,
			struct seen *seen, struct hd_result *r)
{
	char host[PATH_MAX], gname[256];
	struct stat st;

	if (!seen_add(seen, dir))
		return 0;
	if (hd_path(ctx, dir, host, sizeof(host)) < 0 || lstat(host, &st) < 0) {
		hd_result_detail(r, "cannot examine %s: %s", dir, strerror(errno));
		return 0;
	}
	switch (path_parent_verdict(st.st_mode)) {
	case PARENT_OK: return 0;
	case PARENT_STICKY:
		hd_result_detail(r,
				 "note: %s is writable by others (mode %04o) but sticky: accepted",
				 dir, st.st_mode & 07777);
		return 0;
	case PARENT_GROUP_WRITABLE:
		id_to_name(ctx, ids, DB_GROUP, st.st_gid, gname, sizeof(gname));
		hd_result_detail(r,
				 "%s is group-writable (mode %04o, group %s): members can replace "
				 "what is below it",
				 dir, st.st_mode & 07777, gname);
		hd_result_remedy_command(r, "chmod g-w %s", dir);
		return 1;
	case PARENT_WORLD_WRITABLE:
		hd_result_detail(r,
				 "%s is world-writable (mode %04o) without the sticky bit: anyone "
				 "can replace what is below it",
				 dir, st.st_mode & 07777);
		/* group-write would only be the next finding */
		hd_result_remedy_command(r, "chmod %s %s", st.st_mode & S_IWGRP ? "go-w" : "o-w",
					 dir);
		return 1;
	}
	return 0;
}

/* Every directory from / down to the parent of IN_ROOT (a resolved path inside the root). */
static int judge_ancestors(const struct hd_ctx *ctx, struct ids *ids, const char *in_root,
			   struct seen *seen, struct hd_result *r)
{
	char dir[PATH_MAX];
	const char *p = in_root;
	int bad = judge_parent(ctx, ids, "/", seen, r);

	while ((p = strchr(p + 1, '/'))) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(p - in_root), in_root);
		bad += judge_parent(ctx, ids, dir, seen, r);
	}
	return bad;
}

static void missing_remedy(struct hd_result *r, const char *path, const char *type,
			   const char *mode, const char *owner, const char *group)
{
	char opts[300] = "";
	size_t n = 0;

	if (mode)
		n += (size_t)snprintf(opts + n, sizeof(opts) - n, " -m %s", mode);
	if (owner && n < sizeof(opts))
		n += (size_t)snprintf(opts + n, sizeof(opts) - n, " -o %s", owner);
	if (group && n < sizeof(opts))
		snprintf(opts + n, sizeof(opts) - n, " -g %s", group);
	if (strcmp(type, "dir") == 0)
		hd_result_remedy_command(r, "install -d%s %s", opts, path);
	else if (strcmp(type, "file") == 0)
		hd_result_remedy_add(
		    r, "install%s /dev/null %s (or reinstall the package that ships it)", opts,
		    path);
	else if (strcmp(type, "socket") == 0)
		hd_result_remedy_add(r,
				     "Start the service that listens on %s (a socket is created by "
				     "its server), then look at its log.",
				     path);
	else
		hd_result_remedy_add(r, "Create %s (reinstall the package that ships it).", path);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *path = hd_check_str(c, "path"), *type = hd_check_str(c, "type");
	const char *mode_s = hd_check_str(c, "mode"), *owner = hd_check_str(c, "owner");
	const char *group = hd_check_str(c, "group");
	bool parents = hd_check_bool(c, "parents");
	struct ids ids = {0};
	struct seen seen = {0};
	char in_root[PATH_MAX], host[PATH_MAX], oname[256], gname[256];
	unsigned want_uid = 0, want_gid = 0;
	mode_t want_mode = 0;
	int findings = 0, writable = 0, rc = 0;
	struct stat st;

	if (owner && !*owner)
		owner = NULL;
	if (group && !*group)
		group = NULL;
	if (!path || path[0] != '/') {
		hd_result_set(r, HD_UNKNOWN, "path '%s' is not absolute", path ? path : "");
		return -EINVAL;
	}
	if (mode_s && path_mode_parse(mode_s, &want_mode) < 0) {
		hd_result_set(r, HD_UNKNOWN, "mode '%s' is not octal permission bits (e.g. 0755)",
			      mode_s);
		return -EINVAL;
	}
	hd_result_set(r, HD_OK, "%s", path);
	if (owner && (rc = name_to_id(ctx, &ids, DB_PASSWD, owner, &want_uid)) < 0) {
		if (rc != -ENOENT) {
			hd_result_set(r, HD_UNKNOWN, "cannot read %s/etc/passwd: %s", ctx->root,
				      strerror(-rc));
			goto out;
		}
		findings++;
		hd_result_detail(r, "owner %s does not exist in /etc/passwd", owner);
		hd_result_remedy_command(
		    r,
		    "useradd --system --no-create-home --shell /usr/sbin/nologin "
		    "%s",
		    owner);
		owner = NULL; /* nothing to compare against */
	}
	if (group && (rc = name_to_id(ctx, &ids, DB_GROUP, group, &want_gid)) < 0) {
		if (rc != -ENOENT) {
			hd_result_set(r, HD_UNKNOWN, "cannot read %s/etc/group: %s", ctx->root,
				      strerror(-rc));
			goto out;
		}
		findings++;
		hd_result_detail(r, "group %s does not exist in /etc/group", group);
		hd_result_remedy_command(r, "groupadd --system %s", group);
		group = NULL;
	}
	rc = hd_resolve(ctx, path, true, in_root, sizeof(in_root));
	if (rc == -ENOENT || rc == -ENOTDIR) {
		hd_result_set(r, HD_CRITICAL, "%s does not exist (%s %s)", path, in_root,
			      rc == -ENOENT ? "is missing" : "is not a directory");
		missing_remedy(r, path, type, mode_s, hd_check_str(c, "owner"),
			       hd_check_str(c, "group"));
		hd_result_metric(r, "findings", findings + 1, HD_UNIT_NONE);
		rc = 0;
		goto out;
	}
	if (rc < 0 || (rc = hd_path(ctx, in_root, host, sizeof(host))) < 0 ||
	    (stat(host, &st) < 0 && (rc = -errno))) {
		hd_result_set(r, HD_UNKNOWN, "cannot examine %s%s: %s%s", ctx->root, path,
			      strerror(-rc),
			      rc == -EACCES && !ctx->privileged ? " (needs root)" : "");
		goto out;
	}
	rc = 0;
	if (strcmp(in_root, path) != 0)
		hd_result_detail(r, "%s resolves to %s", path, in_root);

	if (!type_matches(type, st.st_mode)) {
		findings++;
		hd_result_set(r, HD_CRITICAL, "%s is a %s, not a %s", path, type_name(st.st_mode),
			      type);
		hd_result_remedy_add(r, "Move %s aside (mv %s %s.old) and create the %s again.",
				     path, path, path, type);
	}
	mode_t extra = path_mode_excess(st.st_mode, want_mode);
	if (mode_s && extra) {
		findings++;
		hd_result_detail(r, "mode %04o allows %04o beyond %04o", st.st_mode & 07777, extra,
				 want_mode);
		hd_result_remedy_command(r, "chmod %04o %s", st.st_mode & 07777 & want_mode, path);
	}
	id_to_name(ctx, &ids, DB_PASSWD, st.st_uid, oname, sizeof(oname));
	id_to_name(ctx, &ids, DB_GROUP, st.st_gid, gname, sizeof(gname));
	bool bad_owner = owner && st.st_uid != want_uid;
	bool bad_group = group && st.st_gid != want_gid;
	if (bad_owner)
		hd_result_detail(r, "owner is %s, not %s", oname, owner);
	if (bad_group)
		hd_result_detail(r, "group is %s, not %s", gname, group);
	if (bad_owner && bad_group)
		hd_result_remedy_command(r, "chown %s:%s %s", owner, group, path);
	else if (bad_owner)
		hd_result_remedy_command(r, "chown %s %s", owner, path);
	else if (bad_group)
		hd_result_remedy_command(r, "chgrp %s %s", group, path);
	findings += bad_owner + bad_group;

	if (parents) {
		char prefix[PATH_MAX], res[PATH_MAX];
		const char *p = path;

		/* the directories the path is looked up in, and those of where its links lead */
		writable += judge_ancestors(ctx, &ids, in_root, &seen, r);
		while ((p = strchr(p + 1, '/'))) {
			snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - path), path);
			if (hd_resolve(ctx, prefix, true, res, sizeof(res)) == 0)
				writable += judge_ancestors(ctx, &ids, res, &seen, r) +
					    judge_parent(ctx, &ids, res, &seen, r);
		}
	}
	findings += writable;
	hd_result_metric(r, "findings", findings, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "writable_parents", writable, HD_UNIT_NONE);

	if (r->status == HD_CRITICAL) {
		/* the type line is already the summary */
	} else if (findings > writable) {
		hd_result_set(r, HD_CRITICAL, "%s: %s %04o %s:%s, %d finding%s%s", path,
			      type_name(st.st_mode), st.st_mode & 07777, oname, gname,
			      findings - writable, findings - writable == 1 ? "" : "s",
			      writable ? " and writable directories above it" : "");
	} else if (writable) {
		hd_result_set(r, HD_WARNING, "%s: %d director%s on the way up writable by others",
			      path, writable, writable == 1 ? "y" : "ies");
	} else {
		hd_result_set(r, HD_OK, "%s: %s %04o %s:%s", path, type_name(st.st_mode),
			      st.st_mode & 07777, oname, gname);
	}
	if (!r->remedy)
		hd_result_remedy(r,
				 "chmod MODE %s; chown OWNER:GROUP %s (with the values the check "
				 "asks for)",
				 path, path);
out:
	free(ids.pw);
	free(ids.gr);
	seen_free(&seen);
	return rc;
}

static const struct hd_param params[] = {
    {.key = "path", .type = HD_P_STR, .required = true, .help = "absolute path to look at"},
    {.key = "type",
     .type = HD_P_ENUM,
     .def = "any",
     .choices = "any|dir|file|socket",
     .help = "what it must be"},
    {.key = "mode",
     .type = HD_P_STR,
     .help = "maximum permissions in octal (0755): any bit beyond is a finding"},
    {.key = "owner", .type = HD_P_STR, .help = "owning user, a name from /etc/passwd or a uid"},
    {.key = "group", .type = HD_P_STR, .help = "owning group, a name from /etc/group or a gid"},
    {.key = "parents",
     .type = HD_P_BOOL,
     .def = "yes",
     .help = "WARNING for a group- or world-writable, non-sticky directory on the way up"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"findings", "Problems found: missing, wrong type, mode, owner, group, writable parents."},
    {"writable_parents", "Directories on the way up that others can write (not sticky)."},
    {0},
};

const struct hd_probe probe_path = {
    .name = "path",
    .summary = "a path's existence, type, permissions, owner, and the directories above it",
    .params = params,
    .metrics = metrics,
    .run = run,
};
