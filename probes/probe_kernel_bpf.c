/* kernel-bpf: can an eBPF agent load on this kernel: BTF for CO-RE, or kernel headers to build. */
#include "probe_kernel_bpf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "rootpath.h"
#include "util.h"

#define BTF_MAGIC 0xEB9F

static uint16_t get16(const unsigned char *p, bool swap)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap16(v) : v;
}

static uint32_t get32(const unsigned char *p, bool swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap32(v) : v;
}

static uint64_t get64(const unsigned char *p, bool swap)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return swap ? __builtin_bswap64(v) : v;
}

int btf_header_check(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint16_t magic;
	bool swap;

	/* struct btf_header: u16 magic, u8 version, u8 flags, u32 hdr_len, then offsets */
	if (len < 24)
		return -EINVAL;
	magic = get16(p, false);
	if (magic != BTF_MAGIC && magic != __builtin_bswap16(BTF_MAGIC))
		return -EINVAL;
	swap = magic != BTF_MAGIC; /* libbpf reads BTF of the other byte order too */
	if (p[2] != 1 || get32(p + 4, swap) < 24)
		return -EINVAL;
	return 0;
}

int elf_header_parse(const void *buf, size_t len, struct elf_info *out)
{
	const unsigned char *p = buf;
	const bool little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	if (len < 16 || memcmp(p, "\177ELF", 4) != 0)
		return -ENOEXEC;
	if ((p[4] != 1 && p[4] != 2) || (p[5] != 1 && p[5] != 2))
		return -EINVAL;
	out->is64 = p[4] == 2;
	out->swap = (p[5] == 1) != little;
	if (out->is64) {
		if (len < 64)
			return -EINVAL;
		out->shoff = get64(p + 40, out->swap);
		out->shentsize = get16(p + 58, out->swap);
		out->shnum = get16(p + 60, out->swap);
		out->shstrndx = get16(p + 62, out->swap);
		if (out->shentsize < 64)
			return -EINVAL;
	} else {
		if (len < 52)
			return -EINVAL;
		out->shoff = get32(p + 32, out->swap);
		out->shentsize = get16(p + 46, out->swap);
		out->shnum = get16(p + 48, out->swap);
		out->shstrndx = get16(p + 50, out->swap);
		if (out->shentsize < 40)
			return -EINVAL;
	}
	/* shnum 0 / shstrndx SHN_XINDEX mean "look in section 0": vmlinux never needs that */
	if (out->shoff == 0 || out->shnum == 0 || out->shstrndx >= out->shnum)
		return -EINVAL;
	return 0;
}

int elf_section_get(const struct elf_info *e, const void *shdrs, size_t len, size_t idx,
		    struct elf_section *out)
{
	const unsigned char *p = (const unsigned char *)shdrs + idx * e->shentsize;

	if (idx >= e->shnum || (idx + 1) * e->shentsize > len)
		return -EINVAL;
	out->name = get32(p, e->swap);
	if (e->is64) {
		out->offset = get64(p + 24, e->swap);
		out->size = get64(p + 32, e->swap);
	} else {
		out->offset = get32(p + 16, e->swap);
		out->size = get32(p + 20, e->swap);
	}
	return 0;
}

void os_release_get(const char *buf, size_t len, const char *key, char *out, size_t size)
{
	const char *p = buf, *end = buf + len;
	size_t klen = strlen(key);

	out[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line = p;

		if (!eol)
			eol = end;
		p = eol + 1;
		while (line < eol && isspace((unsigned char)*line))
			line++;
		if ((size_t)(eol - line) <= klen || memcmp(line, key, klen) != 0 ||
		    line[klen] != '=')
			continue;
		const char *v = line + klen + 1, *vend = eol;
		size_t n = 0;
		char quote = 0;

		while (vend > v && isspace((unsigned char)vend[-1]))
			vend--;
		if (v < vend && (*v == '"' || *v == '\'')) {
			quote = *v++;
			if (vend > v && vend[-1] == quote)
				vend--;
		}
		for (; v < vend && n + 1 < size; v++) {
			if (quote == '"' && *v == '\\' && v + 1 < vend)
				v++; /* shell escapes: \" \\ \$ \` */
			out[n++] = *v;
		}
		out[n] = '\0';
		/* the last assignment wins, as when the file is sourced */
	}
}

static enum kernel_family family_of_word(const char *w, size_t n)
{
	static const struct {
		const char *id;
		enum kernel_family f;
	} ids[] = {
	    {"rhel", KF_RHEL},	   {"centos", KF_RHEL},	       {"fedora", KF_RHEL},
	    {"rocky", KF_RHEL},	   {"almalinux", KF_RHEL},     {"ol", KF_RHEL},
	    {"amzn", KF_RHEL},	   {"debian", KF_DEBIAN},      {"ubuntu", KF_DEBIAN},
	    {"suse", KF_SUSE},	   {"sles", KF_SUSE},	       {"sled", KF_SUSE},
	    {"opensuse", KF_SUSE}, {"opensuse-leap", KF_SUSE}, {"opensuse-tumbleweed", KF_SUSE},
	};

	for (size_t i = 0; i < HD_ARRAY_SIZE(ids); i++)
		if (strlen(ids[i].id) == n && strncmp(ids[i].id, w, n) == 0)
			return ids[i].f;
	return KF_UNKNOWN;
}

enum kernel_family kernel_family_of(const char *id, const char *id_like, const char *release)
{
	const char *lists[] = {id, id_like};

	/* an Oracle host may run the RHEL-compatible kernel or UEK: the release tells */
	if (release && strstr(release, "uek"))
		return KF_UEK;
	for (size_t l = 0; l < 2; l++) {
		const char *p = lists[l];

		while (p && *p) {
			size_t n;
			enum kernel_family f;

			p += strspn(p, " \t");
			n = strcspn(p, " \t");
			if (n && (f = family_of_word(p, n)) != KF_UNKNOWN)
				return f;
			p += n;
		}
	}
	return KF_UNKNOWN;
}

void kernel_headers_package(enum kernel_family f, const char *release, char *pkg, size_t pkgsize,
			    char *cmd, size_t cmdsize)
{
	switch (f) {
	case KF_RHEL:
		snprintf(pkg, pkgsize, "kernel-devel-%s", release);
		snprintf(cmd, cmdsize, "dnf install %s", pkg);
		break;
	case KF_UEK:
		snprintf(pkg, pkgsize, "kernel-uek-devel-%s", release);
		snprintf(cmd, cmdsize, "dnf install %s", pkg);
		break;
	case KF_DEBIAN:
		snprintf(pkg, pkgsize, "linux-headers-%s", release);
		snprintf(cmd, cmdsize, "apt-get install %s", pkg);
		break;
	case KF_SUSE: {
		/* the flavour is the release's last part: 5.14.21-150500.55.19-default */
		const char *dash = strrchr(release, '-');
		const char *flavour = "default";
		char fl[32];

		if (dash && dash[1] && strlen(dash + 1) < sizeof(fl) &&
		    isalpha((unsigned char)dash[1])) {
			snprintf(fl, sizeof(fl), "%s", dash + 1);
			flavour = fl;
		}
		snprintf(pkg, pkgsize, "kernel-%s-devel", flavour);
		snprintf(cmd, cmdsize, "zypper install %s", pkg);
		break;
	}
	case KF_UNKNOWN:
	default:
		snprintf(pkg, pkgsize, "the kernel headers package for %s", release);
		snprintf(cmd, cmdsize, "install %s with the distribution's package manager", pkg);
		break;
	}
}

const char *kernel_upgrade_command(enum kernel_family f)
{
	switch (f) {
	case KF_RHEL: return "dnf upgrade kernel";
	case KF_UEK: return "dnf upgrade kernel-uek";
	case KF_DEBIAN: return "apt-get update && apt-get full-upgrade";
	case KF_SUSE: return "zypper update kernel-default";
	default: return "upgrade the kernel package";
	}
}

/* Read LEN bytes at OFF; -EIO on a short read (a truncated file). */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Does the ELF file on FD carry a .BTF section with a valid header? 0, -ENOENT or -EINVAL. */
static int elf_btf(int fd, const struct elf_info *e)
{
	size_t tlen = (size_t)e->shnum * e->shentsize;
	_cleanup_free_ char *shdrs = NULL, *names = NULL;
	struct elf_section strs, s;
	unsigned char hdr[24];

	if (tlen > (4u << 20))
		return -EINVAL;
	shdrs = hd_xmalloc(tlen);
	if (read_at(fd, shdrs, tlen, e->shoff) < 0 ||
	    elf_section_get(e, shdrs, tlen, e->shstrndx, &strs) < 0 || strs.size > (4u << 20))
		return -EINVAL;
	names = hd_xcalloc(1, strs.size + 1);
	if (read_at(fd, names, strs.size, strs.offset) < 0)
		return -EINVAL;
	for (size_t i = 1; i < e->shnum; i++) {
		if (elf_section_get(e, shdrs, tlen, i, &s) < 0 || s.name >= strs.size)
			continue;
		if (strcmp(names + s.name, ".BTF") != 0)
			continue;
		if (read_at(fd, hdr, sizeof(hdr), s.offset) < 0)
			return -EINVAL;
		return btf_header_check(hdr, sizeof(hdr));
	}
	return -ENOENT;
}

/* BTF in the file at PATH (inside the root): a raw blob or a vmlinux ELF with .BTF.
 * 0 found; -ENOENT no file; -EINVAL the file has no usable BTF. WHY says what was wrong. */
static int btf_in(const struct hd_ctx *ctx, const char *path, char *why, size_t whysize)
{
	char in_root[4096], host[4096];
	unsigned char hdr[64];
	_cleanup_close_ int fd = -1;
	struct elf_info e;
	ssize_t n;
	int rc;

	rc = hd_resolve(ctx, path, true, in_root, sizeof(in_root));
	if (rc < 0)
		return rc == -ENOTDIR ? -ENOENT : rc;
	if (hd_path(ctx, in_root, host, sizeof(host)) < 0)
		return -ENAMETOOLONG;
	fd = open(host, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, whysize, "%s: %s", path, strerror(errno));
		return -errno;
	}
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n < 0) {
		snprintf(why, whysize, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (btf_header_check(hdr, (size_t)n) == 0)
		return 0;
	rc = elf_header_parse(hdr, (size_t)n, &e);
	if (rc == -ENOEXEC) {
		snprintf(why, whysize, "%s: neither BTF (magic 0xEB9F) nor ELF", path);
		return -EINVAL;
	}
	if (rc < 0) {
		snprintf(why, whysize, "%s: malformed ELF header", path);
		return -EINVAL;
	}
	rc = elf_btf(fd, &e);
	if (rc == -ENOENT)
		snprintf(why, whysize, "%s: vmlinux without a .BTF section", path);
	else if (rc < 0)
		snprintf(why, whysize, "%s: .BTF section unreadable or malformed", path);
	return rc < 0 ? -EINVAL : 0;
}

/* libbpf's btf__load_vmlinux_btf() search order; %1$s is the kernel release. */
static const char *const btf_locations[] = {
    "/sys/kernel/btf/vmlinux",
    "/boot/vmlinux-%1$s",
    "/lib/modules/%1$s/vmlinux-%1$s",
    "/lib/modules/%1$s/build/vmlinux",
    "/usr/lib/modules/%1$s/kernel/vmlinux",
    "/usr/lib/debug/boot/vmlinux-%1$s",
    "/usr/lib/debug/boot/vmlinux-%1$s.debug",
    "/usr/lib/debug/lib/modules/%1$s/vmlinux",
};

/* Kernel headers: /lib/modules/RELEASE/build, a live link to a tree with autoconf.h. */
static bool headers_in(const struct hd_ctx *ctx, const char *release, struct hd_result *r,
		       char *where, size_t wsize)
{
	char build[512], in_root[4096], host[4096], target[4096], conf[4200];
	struct stat st;
	int rc;

	snprintf(build, sizeof(build), "/lib/modules/%s/build", release);
	rc = hd_resolve(ctx, build, true, in_root, sizeof(in_root));
	if (rc == 0) {
		snprintf(conf, sizeof(conf), "%s/include/generated/autoconf.h",
			 strcmp(in_root, "/") == 0 ? "" : in_root);
		if (hd_path(ctx, conf, host, sizeof(host)) == 0 && stat(host, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			snprintf(where, wsize, "%s", in_root);
			return true;
		}
		hd_result_detail(r,
				 "headers: %s (%s) lacks include/generated/autoconf.h: incomplete "
				 "or unconfigured tree",
				 build, in_root);
		return false;
	}
	/* tell a dangling link (the headers package was removed) from no link at all */
	if (hd_path(ctx, build, host, sizeof(host)) == 0 && lstat(host, &st) == 0 &&
	    S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(host, target, sizeof(target) - 1);

		target[n > 0 ? n : 0] = '\0';
		hd_result_detail(r, "headers: %s -> %s is a dangling link (first missing: %s)",
				 build, target, in_root);
	} else if (rc == -ENOENT) {
		hd_result_detail(r, "headers: %s does not exist", build);
	} else {
		hd_result_detail(r, "headers: %s: %s", build, strerror(-rc));
	}
	return false;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *require = hd_check_str(c, "require");
	_cleanup_free_ char *rel = NULL, *osr = NULL;
	char id[64], like[256], pkg[300], cmd[400], path[512], why[600], btf_at[512] = "",
									 hdr_at[4096] = "";
	enum kernel_family fam;
	bool btf = false, headers;
	size_t len = 0;
	int rc;

	rc = hd_read_file(ctx, "/proc/sys/kernel/osrelease", &rel, NULL, 4096);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/sys/kernel/osrelease: %s",
			      ctx->root, strerror(-rc));
		return rc;
	}
	rel[strcspn(rel, "\n")] = '\0';
	if (!rel[0] || strchr(rel, '/')) {
		hd_result_set(r, HD_UNKNOWN, "%s/proc/sys/kernel/osrelease is malformed: '%.60s'",
			      ctx->root, rel);
		return -EINVAL;
	}
	/* os-release is only needed to name the package: its absence is no reason to give up */
	if (hd_read_file(ctx, "/etc/os-release", &osr, &len, 1 << 16) < 0 &&
	    hd_read_file(ctx, "/usr/lib/os-release", &osr, &len, 1 << 16) < 0)
		len = 0;
	os_release_get(osr ? osr : "", len, "ID", id, sizeof(id));
	os_release_get(osr ? osr : "", len, "ID_LIKE", like, sizeof(like));
	fam = kernel_family_of(id, like, rel);

	for (size_t i = 0; i < HD_ARRAY_SIZE(btf_locations) && !btf; i++) {
		snprintf(path, sizeof(path), btf_locations[i], rel);
		why[0] = '\0';
		rc = btf_in(ctx, path, why, sizeof(why));
		if (rc == 0) {
			btf = true;
			snprintf(btf_at, sizeof(btf_at), "%s", path);
		} else if (rc != -ENOENT && why[0]) {
			hd_result_detail(r, "BTF: %s", why);
		}
	}
	headers = headers_in(ctx, rel, r, hdr_at, sizeof(hdr_at));
	hd_result_metric(r, "btf", btf, HD_UNIT_NONE);
	hd_result_metric(r, "headers", headers, HD_UNIT_NONE);

	kernel_headers_package(fam, rel, pkg, sizeof(pkg), cmd, sizeof(cmd));
	hd_result_remedy(
	    r,
	    "First choice: upgrade to a kernel built with BTF (CONFIG_DEBUG_INFO_BTF=y, "
	    "it provides /sys/kernel/btf/vmlinux): %s, then reboot.",
	    kernel_upgrade_command(fam));
	hd_result_remedy_add(r, "Otherwise install the headers of the running kernel %s: %s", rel,
			     cmd);
	if (fam != KF_UNKNOWN) {
		hd_result_command_line(r, kernel_upgrade_command(fam));
		hd_result_command_line(r, cmd);
		hd_result_concerns(r, HD_CONCERN_PACKAGE, "%s", pkg);
	}

	if (btf && headers)
		hd_result_set(r, HD_OK, "kernel %s: BTF at %s; headers at %s", rel, btf_at, hdr_at);
	else if (btf)
		hd_result_set(r, HD_OK, "kernel %s: BTF at %s (no headers)", rel, btf_at);
	else if (headers)
		hd_result_set(r, HD_OK, "kernel %s: no BTF; headers at %s", rel, hdr_at);
	else
		hd_result_set(
		    r, HD_CRITICAL,
		    "kernel %s has neither BTF nor headers: eBPF programs cannot be built "
		    "for it (install %s)",
		    rel, pkg);
	if (strcmp(require, "btf") == 0 && !btf)
		hd_result_set(r, HD_CRITICAL,
			      "kernel %s has no BTF (/sys/kernel/btf/vmlinux "
			      "missing, no vmlinux with .BTF)",
			      rel);
	else if (strcmp(require, "headers") == 0 && !headers)
		hd_result_set(r, HD_CRITICAL, "no kernel headers for %s (install %s)", rel, pkg);
	if (strcmp(require, "btf") == 0)
		hd_result_remedy(r,
				 "Upgrade to a kernel built with BTF (CONFIG_DEBUG_INFO_BTF=y, it "
				 "provides /sys/kernel/btf/vmlinux): %s, then reboot.",
				 kernel_upgrade_command(fam));
	if (strcmp(require, "headers") == 0)
		hd_result_remedy(r, "Install the headers of the running kernel %s: %s", rel, cmd);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "require",
     .type = HD_P_ENUM,
     .def = "any",
     .choices = "any|btf|headers",
     .help = "what the agent needs: BTF or headers (any), BTF only, or headers only"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"btf", "1 when BTF for the running kernel was found (libbpf's search order), else 0."},
    {"headers", "1 when /lib/modules/RELEASE/build leads to configured kernel headers, else 0."},
    {0},
};

const struct hd_probe probe_kernel_bpf = {
    .name = "kernel-bpf",
    .summary = "BTF or kernel headers for the running kernel, as eBPF agents need",
    .params = params,
    .metrics = metrics,
    .run = run,
};
