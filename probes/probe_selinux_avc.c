/* selinux-avc: where SELinux enforces, AVC denials in the audit log for a product's processes
 * (by name, by executable or object path under its install directory). */
#include "probe_selinux_avc.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

bool avc_field(const char *line, size_t len, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);
	const char *end = line + len;

	for (const char *p = line; p + kl < end; p++) {
		const char *v, *e;

		if ((p != line && p[-1] != ' ') || memcmp(p, key, kl) != 0 || p[kl] != '=')
			continue;
		v = p + kl + 1;
		if (v < end && *v == '"') {
			v++;
			e = memchr(v, '"', (size_t)(end - v));
			if (!e)
				e = end;
		} else {
			e = v;
			while (e < end && *e != ' ' && *e != '\n')
				e++;
		}
		snprintf(out, size, "%.*s", (int)(e - v), v);
		return true;
	}
	return false;
}

/* "audit(1700000000.123:4567)": time and serial. */
static bool audit_stamp(const char *line, size_t len, double *when, unsigned long *serial)
{
	const char *p = memmem(line, len, "audit(", 6);
	char *e;

	if (!p)
		return false;
	p += 6;
	*when = strtod(p, &e);
	if (e == p || *e != ':')
		return false;
	*serial = strtoul(e + 1, &e, 10);
	return *e == ')';
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return n && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

struct exe_of {
	unsigned long serial;
	char exe[256];
};

int avc_scan(const char *buf, size_t len, const struct avc_filter *f, struct avc_found *out)
{
	const char *p, *end = buf + len;
	struct exe_of *exes = NULL;
	size_t nexe = 0;

	/* the SYSCALL records first: they name the executable of each event */
	for (p = buf; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		double when;
		unsigned long serial;
		char exe[256];

		if ((memmem(p, n, "type=SYSCALL", 12) || memmem(p, n, "type=1300", 9)) &&
		    audit_stamp(p, n, &when, &serial) && avc_field(p, n, "exe", exe, sizeof(exe))) {
			exes = hd_xrealloc(exes, (nexe + 1) * sizeof(*exes));
			exes[nexe].serial = serial;
			snprintf(exes[nexe].exe, sizeof(exes[nexe].exe), "%s", exe);
			nexe++;
		}
		p += n + 1;
	}
	for (p = buf; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *avc = memmem(p, n, "avc:", 4), *br, *bre;
		struct avc_denial d = {0};
		unsigned long serial;
		char perm[8];
		bool match = false;

		if (!avc || !memmem(avc, n - (size_t)(avc - p), "denied", 6) ||
		    !audit_stamp(p, n, &d.when, &serial) ||
		    (avc_field(p, n, "permissive", perm, sizeof(perm)) && strcmp(perm, "1") == 0)) {
			p += n + 1;
			continue;
		}
		avc_field(p, n, "comm", d.comm, sizeof(d.comm));
		avc_field(p, n, "exe", d.exe, sizeof(d.exe));
		if (!avc_field(p, n, "path", d.object, sizeof(d.object)))
			avc_field(p, n, "name", d.object, sizeof(d.object));
		avc_field(p, n, "tclass", d.tclass, sizeof(d.tclass));
		avc_field(p, n, "scontext", d.scontext, sizeof(d.scontext));
		avc_field(p, n, "tcontext", d.tcontext, sizeof(d.tcontext));
		br = memchr(avc, '{', n - (size_t)(avc - p));
		bre = br ? memchr(br, '}', n - (size_t)(br - p)) : NULL;
		if (br && bre) {
			const char *s = br + 1, *e = bre;
			while (s < e && *s == ' ')
				s++;
			while (e > s && e[-1] == ' ')
				e--;
			snprintf(d.perms, sizeof(d.perms), "%.*s", (int)(e - s), s);
		}
		for (size_t i = 0; i < nexe && !d.exe[0]; i++)
			if (exes[i].serial == serial)
				snprintf(d.exe, sizeof(d.exe), "%s", exes[i].exe);
		for (size_t i = 0; i < f->ncomm && !match; i++)
			match = d.comm[0] && fnmatch(f->comm[i], d.comm, 0) == 0;
		if (!match && f->dir && *f->dir)
			match = (d.exe[0] && under(d.exe, f->dir)) ||
				(d.object[0] == '/' && under(d.object, f->dir));
		d.serial = serial;
		for (size_t i = 0; i < out->n && match; i++)
			if (out->v[i].serial == serial && out->v[i].when == d.when)
				match = false; /* the same event, from another log */
		if (match && d.when < f->since) {
			out->older++;
		} else if (match) {
			out->v = hd_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n++] = d;
		}
		p += n + 1;
	}
	free(exes);
	return 0;
}

void avc_found_free(struct avc_found *f)
{
	free(f->v);
	*f = (struct avc_found){0};
}

/* The selinuxfs mount point from /proc/self/mounts, or NULL when none is mounted. */
static char *selinuxfs(const struct hd_ctx *ctx, bool *no_mounts)
{
	_cleanup_free_ char *m = NULL;
	size_t len;

	*no_mounts = hd_read_file(ctx, "/proc/self/mounts", &m, &len, 4u << 20) < 0;
	if (*no_mounts)
		return NULL;
	for (char *line = strtok(m, "\n"); line; line = strtok(NULL, "\n")) {
		char dev[256], dir[512], type[64];
		if (sscanf(line, "%255s %511s %63s", dev, dir, type) == 3 &&
		    strcmp(type, "selinuxfs") == 0)
			return hd_xstrdup(dir);
	}
	return NULL;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	char **logs = NULL, **comm = NULL;
	size_t nlogs = hd_check_list(c, "logs", &logs), ncomm = hd_check_list(c, "comm", &comm);
	const char *dir = hd_check_str(c, "dir"), *note = hd_check_str(c, "note");
	double hours = hd_check_num(c, "since_hours");
	struct avc_filter f = {.dir = dir, .comm = comm, .ncomm = ncomm};
	struct avc_found found = {0};
	_cleanup_free_ char *mnt = NULL, *enforce = NULL;
	char path[600], when[32], who[128];
	size_t read_ok = 0, len;
	bool no_mounts;
	int rc, ret = 0;

	mnt = selinuxfs(ctx, &no_mounts);
	snprintf(path, sizeof(path), "%s/enforce", mnt ? mnt : "/sys/fs/selinux");
	if (!mnt && !no_mounts) {
		hd_result_set(r, HD_SKIPPED, "SELinux is disabled (no selinuxfs mounted)");
		goto out;
	}
	rc = hd_read_file(ctx, path, &enforce, &len, 64);
	if (rc == -ENOENT) {
		hd_result_set(r, HD_SKIPPED, "SELinux is disabled (no %s)", path);
		goto out;
	}
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s%s: %s", ctx->root, path,
			      strerror(-rc));
		ret = rc;
		goto out;
	}
	if (enforce[0] != '1') {
		hd_result_set(r, HD_SKIPPED,
			      "SELinux is not enforcing (%s is %c): denials are logged, nothing is "
			      "refused",
			      path, enforce[0] ? enforce[0] : '?');
		goto out;
	}
	if (hours > 0)
		f.since = (double)time(NULL) - hours * 3600;

	for (size_t i = 0; i < nlogs; i++) {
		_cleanup_free_ char *bytes = NULL;

		rc = hd_read_file(ctx, logs[i], &bytes, &len, 256u << 20);
		if (rc < 0) {
			if (rc != -ENOENT)
				hd_result_detail(r, "%s%s: %s%s", ctx->root, logs[i], strerror(-rc),
						 rc == -EACCES ? " (needs root)" : "");
			continue;
		}
		read_ok++;
		avc_scan(bytes, len, &f, &found);
	}
	if (!read_ok) {
		hd_result_set(r, HD_UNKNOWN,
			      "SELinux enforces, but none of the logs can be read (%s%s%s)",
			      ctx->root, nlogs ? logs[0] : "no logs set", nlogs > 1 ? " ..." : "");
		hd_result_remedy(r, "Start auditd (systemctl enable --now auditd), or look in the "
				    "kernel log: journalctl -k | grep 'avc: *denied'.");
		ret = -ENOENT;
		goto out;
	}
	hd_result_metric(r, "denials", (double)found.n, HD_UNIT_NONE)->has_min = true;
	if (found.older)
		hd_result_detail(r, "%zu older denial%s (before the last %g h) not counted",
				 found.older, found.older == 1 ? "" : "s", hours);
	if (!found.n) {
		hd_result_set(r, HD_OK, "SELinux enforces; no AVC denial for the product%s",
			      hours > 0 ? " in the time looked at" : "");
		if (note && *note)
			hd_result_remedy(r, "%s", note);
		hd_result_remedy_add(r, "Denials show with: ausearch -m AVC -ts recent");
		goto out;
	}
	/* the newest ten, newest first */
	for (size_t k = 0; k < found.n && k < 10; k++) {
		const struct avc_denial *d = &found.v[found.n - 1 - k];
		time_t t = (time_t)d->when;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		hd_result_detail(r, "%s %s%s%s denied { %s } on %s %s (%s -> %s)", when, d->comm,
				 d->exe[0] ? " " : "", d->exe, d->perms, d->tclass,
				 d->object[0] ? d->object : "?", d->scontext, d->tcontext);
	}
	if (found.n > 10)
		hd_result_detail(r, "... and %zu more", found.n - 10);
	{
		const struct avc_denial *d = &found.v[found.n - 1];
		snprintf(who, sizeof(who), "%s", d->comm[0] ? d->comm : "?");
		hd_result_set(r, HD_WARNING,
			      "SELinux denied the product %zu time%s; newest: %s { %s } on %s %s",
			      found.n, found.n == 1 ? "" : "s", who, d->perms, d->tclass,
			      d->object[0] ? d->object : "?");
		if (note && *note)
			hd_result_remedy(r, "%s", note);
		hd_result_remedy_add(r, "See the denials: ausearch -m AVC -c %s -ts recent", who);
		hd_result_remedy_add(
		    r,
		    "To allow them with a local policy module: ausearch -m AVC -c %s --raw | "
		    "audit2allow -M local-%s && semodule -i local-%s.pp (review the .te file "
		    "first); to test without SELinux enforcing until the next boot: setenforce 0",
		    who, who, who);
	}
out:
	avc_found_free(&found);
	hd_strv_free(logs);
	hd_strv_free(comm);
	return ret;
}

static const struct hd_param params[] = {
    {.key = "dir",
     .type = HD_P_STR,
     .help = "install directory: denials of executables or objects under it count"},
    {.key = "comm",
     .type = HD_P_LIST,
     .help = "process names whose denials count (shell globs: fsigk_*)"},
    {.key = "logs",
     .type = HD_P_LIST,
     .def = "/var/log/audit/audit.log /var/log/messages",
     .help = "logs to read (auditd's log, and syslog where the kernel logs them without auditd)"},
    {.key = "since_hours",
     .type = HD_P_NUM,
     .def = "168",
     .help = "only denials of the last so many hours count (0: all in the logs)"},
    {.key = "note",
     .type = HD_P_STR,
     .help = "the product's own advice, the first line of the remedy"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"denials", "AVC denials for the product's processes in the time looked at."},
    {0},
};

const struct hd_probe probe_selinux_avc = {
    .name = "selinux-avc",
    .summary = "where SELinux enforces, AVC denials for a product's processes in the audit log",
    .params = params,
    .metrics = metrics,
    .run = run,
};
