/* kernel-module: a product's kernel modules, built for the running kernel (the vermagic in each
 * .ko file's .modinfo) and loaded (/proc/modules). */
#include "probe_kernel_module.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "probe_kernel_bpf.h" /* elf_header_parse(), elf_section_get() */
#include "rootpath.h"
#include "util.h"

#define KO_MAX_BYTES (64u << 20) /* a module larger than this is not read */
#define WALK_MAX     200000	 /* directory entries looked at, over all directories */

static bool name_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
		if (x != y)
			return false;
	}
	return true;
}

const char *modinfo_get(const char *info, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *p = info, *end = info + len;

	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);

		if (n > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			*vlen = n - klen - 1;
			return p + klen + 1;
		}
		p += n + 1;
	}
	return NULL;
}

static void copy_word(char *dst, size_t size, const char *v, size_t n, bool first_word)
{
	size_t k = 0;

	while (k < n && (!first_word || v[k] != ' ') && k + 1 < size) {
		dst[k] = v[k];
		k++;
	}
	dst[k] = '\0';
}

int ko_parse(const void *buf, size_t len, struct ko_info *out)
{
	const unsigned char *b = buf;
	struct elf_info e;
	struct elf_section strs, s;
	const char *info = NULL;
	size_t infolen = 0, tlen, vlen;
	const char *v;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = elf_header_parse(buf, len, &e);
	if (rc < 0)
		return rc;
	tlen = (size_t)e.shnum * e.shentsize;
	if (e.shoff > len || tlen > len - e.shoff)
		return -EINVAL;
	if (elf_section_get(&e, b + e.shoff, tlen, e.shstrndx, &strs) < 0 || strs.offset > len ||
	    strs.size > len - strs.offset)
		return -EINVAL;
	for (size_t i = 1; i < e.shnum; i++) {
		const char *nm;

		if (elf_section_get(&e, b + e.shoff, tlen, i, &s) < 0 || s.name >= strs.size)
			continue;
		nm = (const char *)b + strs.offset + s.name;
		if (!memchr(nm, '\0', strs.size - s.name))
			continue;
		if (strcmp(nm, "__versions") == 0) {
			out->modversions = s.size > 0;
		} else if (strcmp(nm, ".modinfo") == 0) {
			if (s.offset > len || s.size > len - s.offset)
				return -EINVAL;
			info = (const char *)b + s.offset;
			infolen = (size_t)s.size;
		}
	}
	if (!info)
		return -ENOENT;
	v = modinfo_get(info, infolen, "vermagic", &vlen);
	if (!v || vlen == 0 || v[0] == ' ')
		return -ENOENT;
	copy_word(out->vermagic, sizeof(out->vermagic), v, vlen, false);
	copy_word(out->release, sizeof(out->release), v, vlen, true);
	v = modinfo_get(info, infolen, "name", &vlen);
	if (v)
		copy_word(out->name, sizeof(out->name), v, vlen, true);
	return 0;
}

int proc_modules_find(const char *buf, size_t len, const char *name, char *state, size_t size)
{
	const char *p = buf, *end = buf + len;
	size_t nlen = strlen(name);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q, *sp;
		int field = 0;

		if (!eol)
			eol = end;
		sp = memchr(p, ' ', (size_t)(eol - p));
		if (sp && name_eq(p, (size_t)(sp - p), name, nlen)) {
			/* fields: name size refcount deps state address; the state is the fifth */
			for (q = p; q < eol && field < 4; q++)
				if (*q == ' ')
					field++;
			sp = q < eol ? memchr(q, ' ', (size_t)(eol - q)) : NULL;
			snprintf(state, size, "%.*s", (int)((sp ? sp : eol) - q), q);
			if (!state[0])
				snprintf(state, size, "listed");
			return 1;
		}
		p = eol + 1;
	}
	return 0;
}

bool ko_file_matches(const char *base, const char *name)
{
	size_t bl = strlen(base), nl = strlen(name);

	if (nl == 0 || bl < nl + 3 || strcmp(base + bl - 3, ".ko") != 0 ||
	    !name_eq(base, nl, name, nl))
		return false;
	return bl == nl + 3 || base[nl] == '-' || base[nl] == '_' || base[nl] == '.';
}

/* ---- looking for the files ---- */

struct found {
	char *path; /* inside the root */
	struct ko_info ko;
	int rc; /* ko_parse() or read error */
};

struct walk {
	const struct hd_ctx *ctx;
	const char *module;
	struct found *files;
	size_t n;
	size_t visited;
	bool truncated;
};

static void add_file(struct walk *w, const char *inroot)
{
	char resolved[4096], host[4096];
	_cleanup_free_ char *bytes = NULL;
	struct found f = {.path = hd_xstrdup(inroot)};
	size_t len;
	int rc;

	/* weak-updates/ holds links to the build of another kernel: follow them inside the root */
	rc = hd_resolve(w->ctx, inroot, true, resolved, sizeof(resolved));
	if (rc == 0)
		rc = hd_path(w->ctx, resolved, host, sizeof(host));
	if (rc == 0)
		rc = hd_read_path(host, &bytes, &len, KO_MAX_BYTES);
	if (rc == 0)
		rc = ko_parse(bytes, len, &f.ko);
	f.rc = rc;
	/* a file of another module whose name starts the same (ampfsm_helper.ko) */
	if (rc == 0 && f.ko.name[0] &&
	    !name_eq(f.ko.name, strlen(f.ko.name), w->module, strlen(w->module))) {
		free(f.path);
		return;
	}
	w->files = hd_xrealloc(w->files, (w->n + 1) * sizeof(*w->files));
	w->files[w->n++] = f;
}

static void walk_dir(struct walk *w, const char *inroot, int depth)
{
	char host[4096], child[4096];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (hd_path(w->ctx, inroot, host, sizeof(host)) < 0 || !(d = opendir(host)))
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char chost[4096];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (++w->visited > WALK_MAX || hd_ctx_remaining(w->ctx) <= 0) {
			w->truncated = true;
			return;
		}
		if ((size_t)snprintf(child, sizeof(child), "%s/%s",
				     strcmp(inroot, "/") ? inroot : "",
				     de->d_name) >= sizeof(child) ||
		    hd_path(w->ctx, child, chost, sizeof(chost)) < 0 || lstat(chost, &st) < 0)
			continue;
		/* directories are entered only when real: build/ and source/ links lead to trees */
		if (S_ISDIR(st.st_mode)) {
			if (depth > 0)
				walk_dir(w, child, depth - 1);
		} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
			   ko_file_matches(de->d_name, w->module)) {
			add_file(w, child);
		}
	}
}

/* DIR with "{release}" replaced by the running release. */
static void expand(const char *dir, const char *release, char *out, size_t size)
{
	const char *at = strstr(dir, "{release}");

	if (at)
		snprintf(out, size, "%.*s%s%s", (int)(at - dir), dir, release, at + 9);
	else
		snprintf(out, size, "%s", dir);
}

enum verdict { V_ABSENT, V_LOADED, V_BUILT, V_KABI, V_OTHER, V_UNREADABLE };

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	char **mods = NULL, **dirs = NULL;
	size_t nmods = hd_check_list(c, "modules", &mods);
	size_t ndirs = hd_check_list(c, "dirs", &dirs);
	int depth = (int)hd_check_int(c, "depth");
	bool require_loaded = hd_check_bool(c, "require_loaded");
	_cleanup_free_ char *rel = NULL, *procmods = NULL;
	struct hd_buf sum = {0}, where = {0};
	size_t plen = 0, installed = 0, loaded = 0, mismatched = 0;
	enum hd_status status = HD_OK;
	bool have_proc, truncated = false;
	_cleanup_free_ char *summary = NULL, *wherestr = NULL, *modnames = NULL;
	struct hd_buf names = {0};
	int rc;

	rc = hd_read_file(ctx, "/proc/sys/kernel/osrelease", &rel, NULL, 4096);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/sys/kernel/osrelease: %s",
			      ctx->root, strerror(-rc));
		hd_strv_free(mods);
		hd_strv_free(dirs);
		return rc;
	}
	rel[strcspn(rel, "\n")] = '\0';
	rc = hd_read_file(ctx, "/proc/modules", &procmods, &plen, 4u << 20);
	have_proc = rc == 0;
	if (!have_proc)
		hd_result_detail(r,
				 "%s/proc/modules: %s (%s): whether a module is loaded is not "
				 "known",
				 ctx->root, strerror(-rc),
				 rc == -ENOENT ? "a kernel without loadable module support"
					       : "cannot read it");

	for (size_t d = 0; d < ndirs; d++) {
		char dir[4096];
		expand(dirs[d], rel, dir, sizeof(dir));
		hd_buf_printf(&where, "%s%s", d ? ", " : "", dir);
	}
	wherestr = hd_buf_steal(&where);
	for (size_t m = 0; m < nmods; m++)
		hd_buf_printf(&names, "%s%s", m ? ", " : "", mods[m]);
	modnames = hd_buf_steal(&names);

	for (size_t m = 0; m < nmods; m++) {
		struct walk w = {.ctx = ctx, .module = mods[m]};
		char state[32] = "";
		bool is_loaded = have_proc && proc_modules_find(procmods, plen, mods[m], state,
								sizeof(state)) == 1;
		size_t built = 0, kabi = 0, other = 0, bad = 0;
		enum verdict v;

		for (size_t d = 0; d < ndirs; d++) {
			char dir[4096];
			expand(dirs[d], rel, dir, sizeof(dir));
			walk_dir(&w, dir, depth);
		}
		truncated |= w.truncated;
		for (size_t i = 0; i < w.n; i++) {
			const struct found *f = &w.files[i];
			if (f->rc < 0) {
				bad++;
				hd_result_detail(r, "%s: %s: %s", mods[m], f->path,
						 f->rc == -ENOEXEC  ? "not an ELF file"
						 : f->rc == -ENOENT ? "no vermagic in .modinfo"
						 : f->rc == -EINVAL ? "malformed ELF"
								    : strerror(-f->rc));
			} else if (strcmp(f->ko.release, rel) == 0) {
				built++;
				hd_result_detail(r, "%s: %s built for %s (the running kernel)",
						 mods[m], f->path, f->ko.release);
			} else {
				if (f->ko.modversions)
					kabi++;
				else
					other++;
				hd_result_detail(
				    r, "%s: %s built for %s%s", mods[m], f->path, f->ko.release,
				    f->ko.modversions ? " (with symbol versions)" : "");
			}
		}
		if (is_loaded)
			v = V_LOADED;
		else if (built)
			v = V_BUILT;
		else if (kabi)
			v = V_KABI;
		else if (other)
			v = V_OTHER;
		else if (bad)
			v = V_UNREADABLE;
		else
			v = V_ABSENT;
		if (v != V_ABSENT)
			installed++;
		loaded += is_loaded;

		hd_buf_printf(&sum, "%s%s ", sum.len ? "; " : "", mods[m]);
		switch (v) {
		case V_LOADED: hd_buf_printf(&sum, "loaded (%s)", state); break;
		case V_BUILT:
			hd_buf_printf(&sum, "built for %s%s", rel, have_proc ? ", not loaded" : "");
			if (require_loaded && have_proc)
				status = hd_status_worst(status, HD_WARNING);
			break;
		case V_KABI:
			mismatched++;
			hd_buf_printf(&sum,
				      "not built for %s (only for other releases, with symbol "
				      "versions: loads only if the kernel's ABI matches)",
				      rel);
			status = hd_status_worst(status, HD_WARNING);
			break;
		case V_OTHER:
			mismatched++;
			hd_buf_printf(&sum, "not built for %s: will not load", rel);
			status = hd_status_worst(status, HD_CRITICAL);
			break;
		case V_UNREADABLE:
			hd_buf_printf(&sum, "unreadable");
			status = hd_status_worst(status, HD_UNKNOWN);
			break;
		case V_ABSENT: hd_buf_printf(&sum, "not installed"); break;
		}
		for (size_t i = 0; i < w.n; i++)
			free(w.files[i].path);
		free(w.files);
	}
	if (truncated)
		hd_result_detail(r,
				 "search cut short (more than %d entries or out of time): "
				 "narrow dirs",
				 WALK_MAX);
	summary = hd_buf_steal(&sum);
	hd_result_metric(r, "mismatched", (double)mismatched, HD_UNIT_NONE);
	hd_result_metric(r, "loaded", (double)loaded, HD_UNIT_NONE);

	hd_result_remedy(r,
			 "Install the product's build of the module for the running kernel %s "
			 "(reinstall or upgrade the product), or boot a kernel it was built for "
			 "(the releases are in the details). The kernel logs why it refuses a "
			 "module: dmesg, /var/log/messages.",
			 rel);
	if (installed == 0)
		hd_result_set(r, HD_SKIPPED,
			      "does not apply: no file of %s under %s, and not loaded", modnames,
			      wherestr[0] ? wherestr : "(no dirs)");
	else
		hd_result_set(r, status, "kernel %s: %s", rel, summary);
	hd_strv_free(mods);
	hd_strv_free(dirs);
	return status == HD_UNKNOWN ? -EIO : 0;
}

static const struct hd_param params[] = {
    {.key = "modules",
     .type = HD_P_LIST,
     .required = true,
     .help = "module names (as in /proc/modules; '-' and '_' are the same)"},
    {.key = "dirs",
     .type = HD_P_LIST,
     .def = "/lib/modules/{release}",
     .help = "directories searched for NAME.ko (and NAME-*.ko); {release} is the running kernel "
	     "release"},
    {.key = "depth",
     .type = HD_P_INT,
     .def = "6",
     .min = 0,
     .max = 32,
     .help = "how many directory levels below each dir are searched"},
    {.key = "require_loaded",
     .type = HD_P_BOOL,
     .def = "no",
     .help = "a module built for the running kernel but not loaded is a WARNING"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"mismatched", "Installed modules with no build for the running kernel release."},
    {"loaded", "Modules listed in /proc/modules."},
    {0},
};

const struct hd_probe probe_kernel_module = {
    .name = "kernel-module",
    .summary = "a product's kernel modules: built for the running kernel (vermagic) and loaded",
    .params = params,
    .metrics = metrics,
    .run = run,
};
