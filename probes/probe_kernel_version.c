/* kernel-version: the running kernel release against a minimum, with the distro upgrade. */
#include "probe_kernel_version.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* Dotted decimals at *P into V; stops at the first other character. */
static int dotted(const char **p, const char *end, long *v, int *n)
{
	const char *s = *p;

	*n = 0;
	while (s < end && isdigit((unsigned char)*s)) {
		long x = 0;
		if (*n == KVER_MAX)
			return -EINVAL;
		for (; s < end && isdigit((unsigned char)*s); s++) {
			if (x > 99999999)
				return -EINVAL;
			x = x * 10 + (*s - '0');
		}
		v[(*n)++] = x;
		if (s + 1 < end && *s == '.' && isdigit((unsigned char)s[1]))
			s++;
		else
			break;
	}
	*p = s;
	return *n > 0 ? 0 : -EINVAL;
}

int kver_parse(const char *bytes, size_t len, struct kver *out)
{
	const char *p = bytes, *end = bytes + len, *q;

	*out = (struct kver){0};
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p == end || memchr(p, '\n', (size_t)(end - p)) || memchr(p, '\0', (size_t)(end - p)))
		return -EINVAL;
	if (dotted(&p, end, out->up, &out->nup) < 0)
		return -EINVAL;
	if (p < end && *p == '-') {
		out->has_build = true;
		q = p + 1;
		if (q < end && isdigit((unsigned char)*q) &&
		    dotted(&q, end, out->build, &out->nbuild) < 0)
			return -EINVAL;
	}
	for (q = p; q < end; q++)
		if (!isgraph((unsigned char)*q))
			return -EINVAL;
	return 0;
}

static int cmp_parts(const long *a, int na, const long *b, int nb)
{
	for (int i = 0; i < (na > nb ? na : nb); i++) {
		long x = i < na ? a[i] : 0, y = i < nb ? b[i] : 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

int kver_cmp(const struct kver *have, const struct kver *want)
{
	int c = cmp_parts(have->up, have->nup, want->up, want->nup);

	if (c || !want->nbuild)
		return c;
	return cmp_parts(have->build, have->nbuild, want->build, want->nbuild);
}

static void copy_value(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v++;
		n -= 2;
	}
	snprintf(dst, size, "%.*s", (int)n, v);
}

void os_release_parse(const char *bytes, size_t len, struct os_release *out)
{
	const char *p = bytes, *end = bytes + len;

	*out = (struct os_release){0};
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *eq;
		size_t kn;

		if (!eol)
			eol = end;
		eq = memchr(p, '=', (size_t)(eol - p));
		if (eq) {
			const char *v = eq + 1;
			size_t vn = (size_t)(eol - v);
			while (vn && isspace((unsigned char)v[vn - 1]))
				vn--;
			kn = (size_t)(eq - p);
			if (kn == 2 && !strncmp(p, "ID", 2))
				copy_value(out->id, sizeof(out->id), v, vn);
			else if (kn == 7 && !strncmp(p, "ID_LIKE", 7))
				copy_value(out->id_like, sizeof(out->id_like), v, vn);
			else if (kn == 10 && !strncmp(p, "VERSION_ID", 10))
				copy_value(out->version_id, sizeof(out->version_id), v, vn);
		}
		p = eol + 1;
	}
}

/* Whole-word match of WORD in a space-separated list. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static bool is_family(const struct os_release *os, const char *family)
{
	return strcmp(os->id, family) == 0 || has_word(os->id_like, family);
}

/* Package flavour of a distro release: "amd64" of 6.1.0-13-amd64, "cloud-amd64" of
 * 6.1.0-13-cloud-amd64, "generic" of 5.15.0-91-generic; NULL for other shapes (custom builds). */
static const char *flavour(const char *release)
{
	const char *p = release + strspn(release, "0123456789.");

	if (*p != '-' || !isdigit((unsigned char)p[1]))
		return NULL;
	p += 1 + strspn(p + 1, "0123456789.");
	return *p == '-' && isalpha((unsigned char)p[1]) ? p + 1 : NULL;
}

/* The package command that installs the newest kernel of this distribution. */
static void upgrade_remedy(const struct hd_ctx *ctx, const char *release, struct hd_result *r)
{
	_cleanup_free_ char *bytes = NULL;
	struct os_release os;
	size_t len;

	if (hd_read_file(ctx, "/etc/os-release", &bytes, &len, 64 << 10) < 0 &&
	    hd_read_file(ctx, "/usr/lib/os-release", &bytes, &len, 64 << 10) < 0) {
		hd_result_remedy_add(r, "Install the newest kernel package with the distribution's "
					"package manager and reboot (no /etc/os-release to tell "
					"which).");
		return;
	}
	os_release_parse(bytes, len, &os);
	if (strcmp(os.id, "ol") == 0) {
		hd_result_remedy_add(r, "Oracle Linux: 'yum update kernel-uek' (or 'yum update "
					"kernel' for the Red Hat compatible kernel), then reboot.");
	} else if (is_family(&os, "rhel") || is_family(&os, "fedora") || is_family(&os, "centos")) {
		/* yum still exists on 8 and later as an alias, but dnf is the documented one */
		bool dnf = atoi(os.version_id) >= 8 || strcmp(os.id, "fedora") == 0;
		hd_result_remedy_add(r, "%s: '%s update kernel', then reboot.",
				     os.id[0] ? os.id : "Red Hat family", dnf ? "dnf" : "yum");
	} else if (strcmp(os.id, "ubuntu") == 0 || has_word(os.id_like, "ubuntu")) {
		const char *fl = flavour(release);
		hd_result_remedy_add(r,
				     "Ubuntu: 'apt-get update && apt-get install linux-%s', then "
				     "reboot.",
				     fl ? fl : "generic");
	} else if (is_family(&os, "debian")) {
		const char *fl = flavour(release);
		hd_result_remedy_add(r,
				     "Debian: 'apt-get update && apt-get install "
				     "linux-image-%s', then reboot.",
				     fl ? fl : "$(dpkg --print-architecture)");
	} else if (is_family(&os, "suse") || is_family(&os, "sles") || is_family(&os, "opensuse")) {
		hd_result_remedy_add(r, "SUSE: 'zypper update kernel-default', then reboot.");
	} else {
		hd_result_remedy_add(r,
				     "%s: install the newest kernel package with the "
				     "distribution's package manager, then reboot.",
				     os.id[0] ? os.id : "unknown distribution");
	}
}

/* LINUX_VERSION_CODE of a release: the patch level saturates at 255 as in the kernel. */
static long version_code(const struct kver *v)
{
	long minor = v->nup > 1 ? v->up[1] : 0, patch = v->nup > 2 ? v->up[2] : 0;

	return (v->up[0] << 16) + ((minor > 255 ? 255 : minor) << 8) + (patch > 255 ? 255 : patch);
}

int kver_supported(const char *release, char *const *patterns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(patterns[i], release, 0) == 0)
			return (int)i;
	return -1;
}

/* The running RELEASE against the check's list of supported kernels (OK already set). */
static void judge_supported(const struct hd_check *c, const char *release, struct hd_result *r)
{
	char **list = NULL, where[256];
	size_t n = hd_check_list(c, "supported", &list);
	int hit = kver_supported(release, list, n);

	hd_check_where(c, "supported", where, sizeof(where));
	hd_result_metric(r, "supported", hit >= 0, HD_UNIT_NONE);
	if (n == 0) {
		hd_result_set(r, HD_SKIPPED,
			      "does not apply: no supported kernels listed for kernel %s (set "
			      "'supported = RELEASE, ...' at %s from the product's list)",
			      release, where);
	} else if (hit >= 0) {
		hd_result_set(r, HD_OK, "kernel %s is supported (matches '%s')", release,
			      list[hit]);
	} else {
		struct hd_buf b = {0};
		_cleanup_free_ char *all = NULL;

		for (size_t i = 0; i < n; i++)
			hd_buf_printf(&b, "%s%s", i ? ", " : "", list[i]);
		all = hd_buf_steal(&b);
		hd_result_set(r, HD_CRITICAL, "kernel %s is not one of the %zu supported kernels",
			      release, n);
		hd_result_detail(r, "supported (%s): %s", where, all);
		hd_result_remedy(r,
				 "Boot one of the supported kernels (%s), or upgrade the product "
				 "to a version that supports %s. Then 'uname -r' shows the "
				 "running release.",
				 all, release);
	}
	hd_strv_free(list);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *min = hd_check_str(c, "min");
	_cleanup_free_ char *bytes = NULL;
	struct kver have, want;
	char where[256];
	size_t len;
	int rc;

	rc = hd_read_file(ctx, "/proc/sys/kernel/osrelease", &bytes, &len, 4096);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/sys/kernel/osrelease: %s",
			      ctx->root, strerror(-rc));
		return rc;
	}
	if (kver_parse(bytes, len, &have) < 0) {
		bytes[strcspn(bytes, "\n")] = '\0';
		hd_result_set(r, HD_UNKNOWN,
			      "%s/proc/sys/kernel/osrelease is malformed: '%.60s' is not a kernel "
			      "release",
			      ctx->root, bytes);
		return -EINVAL;
	}
	bytes[strcspn(bytes, "\n \t")] = '\0';
	hd_result_metric(r, "version_code", (double)version_code(&have), HD_UNIT_NONE);
	hd_result_metric(r, "major", (double)have.up[0], HD_UNIT_NONE);
	hd_result_metric(r, "minor", (double)(have.nup > 1 ? have.up[1] : 0), HD_UNIT_NONE);

	if (!min || !*min) {
		hd_result_set(r, HD_OK, "kernel %s", bytes);
		hd_result_remedy(r, "Upgrade the kernel:");
		upgrade_remedy(ctx, bytes, r);
		if (hd_check_has(c, "supported"))
			judge_supported(c, bytes, r);
		return 0;
	}
	if (kver_parse(min, strlen(min), &want) < 0) {
		hd_check_where(c, "min", where, sizeof(where));
		hd_result_set(r, HD_UNKNOWN, "min = '%s' is not a kernel version (%s)", min, where);
		hd_result_remedy(r,
				 "Write min as dotted numbers, e.g. 'min = 4.18' or 'min = "
				 "3.10.0-1160' (%s).",
				 where);
		return -EINVAL;
	}
	if (kver_cmp(&have, &want) < 0) {
		hd_result_set(r, HD_CRITICAL, "kernel %s is older than the %s required", bytes,
			      min);
		/* distro updates stay within one upstream series; a newer series needs a new release */
		if (cmp_parts(have.up, have.nup > 2 ? 2 : have.nup, want.up,
			      want.nup > 2 ? 2 : want.nup) < 0) {
			hd_result_remedy(
			    r,
			    "Kernel %s is a newer series than %ld.%ld: updates of this "
			    "distribution release will not reach it. Upgrade the "
			    "distribution to a release that ships %s or later (or a "
			    "vendor kernel of that series), then reboot. Within this "
			    "release, the newest kernel is:",
			    min, have.up[0], have.nup > 1 ? have.up[1] : 0L, min);
		} else {
			hd_result_remedy(r,
					 "Install the newest kernel of this release (it ships "
					 "%s or later) and reboot into it:",
					 min);
		}
		upgrade_remedy(ctx, bytes, r);
		hd_result_remedy_add(r, "After the reboot, 'uname -r' shows the running release.");
		return 0;
	}
	hd_result_set(r, HD_OK, "kernel %s (at least %s)", bytes, min);
	hd_result_remedy(r, "Upgrade the kernel:");
	upgrade_remedy(ctx, bytes, r);
	if (hd_check_has(c, "supported"))
		judge_supported(c, bytes, r);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "min",
     .type = HD_P_STR,
     .help = "CRITICAL when the running kernel is older (dotted: 4.18, 3.10.0-1160); unset: "
	     "report only"},
    {.key = "supported",
     .type = HD_P_LIST,
     .help = "kernel releases the product supports, as shell patterns (4.18.0-513.*.el8_9.x86_64); "
	     "CRITICAL when the running one matches none; set but empty: SKIPPED"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"version_code", "major*65536 + minor*256 + min(patch, 255), as LINUX_VERSION_CODE."},
    {"major", "Major kernel version."},
    {"minor", "Minor kernel version."},
    {"supported", "1 when the running release matches the supported list (only with 'supported')."},
    {0},
};

const struct hd_probe probe_kernel_version = {
    .name = "kernel-version",
    .summary = "running kernel release against a required minimum",
    .params = params,
    .metrics = metrics,
    .run = run,
};
