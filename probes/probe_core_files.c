/* core-files: crash dumps (core, core.*) left in a product's directory, with what support needs. */
#include "probe_core_files.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <time.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

#define HEAD_MAX (1 << 20) /* the notes follow the program headers: one per mapping */

bool core_file_name(const char *name)
{
	return strcmp(name, "core") == 0 || (strncmp(name, "core.", 5) == 0 && name[5]);
}

int core_elf_program(const unsigned char *b, size_t len, char *comm, size_t commsize, char *args,
		     size_t argssize)
{
	ElfW(Ehdr) eh;

	if (len < sizeof(eh) || memcmp(b, ELFMAG, SELFMAG) != 0)
		return -EINVAL;
	memcpy(&eh, b, sizeof(eh));
	/* only cores of this machine's word size and byte order: prpsinfo_t is the native layout */
	if (b[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    eh.e_type != ET_CORE || eh.e_phentsize != sizeof(ElfW(Phdr)))
		return -EINVAL;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		ElfW(Phdr) ph;
		size_t at = (size_t)eh.e_phoff + i * sizeof(ph), off, end;

		if (eh.e_phoff > len || at + sizeof(ph) > len)
			return -ENODATA;
		memcpy(&ph, b + at, sizeof(ph));
		if (ph.p_type != PT_NOTE)
			continue;
		off = (size_t)ph.p_offset;
		end = off + (size_t)ph.p_filesz;
		if (end < off)
			return -EINVAL;
		while (off + sizeof(ElfW(Nhdr)) <= end) {
			ElfW(Nhdr) nh;
			size_t name_at, desc_at;

			if (off + sizeof(nh) > len)
				return -ENODATA;
			memcpy(&nh, b + off, sizeof(nh));
			name_at = off + sizeof(nh);
			desc_at = name_at + (((size_t)nh.n_namesz + 3) & ~(size_t)3);
			off = desc_at + (((size_t)nh.n_descsz + 3) & ~(size_t)3);
			if (off > end || off < desc_at)
				return -EINVAL;
			if (nh.n_type != NT_PRPSINFO || nh.n_descsz < sizeof(prpsinfo_t))
				continue;
			if (desc_at + sizeof(prpsinfo_t) > len)
				return -ENODATA;
			prpsinfo_t ps;
			memcpy(&ps, b + desc_at, sizeof(ps));
			snprintf(comm, commsize, "%.*s", (int)sizeof(ps.pr_fname), ps.pr_fname);
			snprintf(args, argssize, "%.*s", (int)sizeof(ps.pr_psargs), ps.pr_psargs);
			for (char *p = args; *p; p++)
				if ((unsigned char)*p < ' ')
					*p = ' ';
			for (size_t n = strlen(args); n && args[n - 1] == ' ';)
				args[--n] = '\0';
			return 0;
		}
	}
	return -EINVAL;
}

struct core {
	char *name;
	time_t mtime;
	off_t size;
	char comm[17], args[81];
};

static int newest_first(const void *a, const void *b)
{
	const struct core *x = a, *y = b;
	return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : strcmp(x->name, y->name);
}

static void identify(int dfd, struct core *c)
{
	_cleanup_close_ int fd = openat(dfd, c->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ unsigned char *head = NULL;
	ssize_t n;

	if (fd < 0)
		return;
	head = hd_xmalloc(HEAD_MAX);
	n = pread(fd, head, HEAD_MAX, 0);
	if (n > 0)
		core_elf_program(head, (size_t)n, c->comm, sizeof(c->comm), c->args,
				 sizeof(c->args));
}

static void free_cores(struct core *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *dir = hd_check_str(c, "dir"), *version_file = hd_check_str(c, "version_file");
	char path[4096], when[64], sz[32];
	_cleanup_closedir_ DIR *d = NULL;
	struct core *cores = NULL;
	struct hd_buf names = {0};
	_cleanup_free_ char *list = NULL;
	char **logs = NULL, **also = NULL;
	size_t n = 0, nlogs, nalso;
	off_t total = 0;
	struct dirent *e;
	time_t now = time(NULL);

	if (dir[0] != '/') {
		hd_result_set(r, HD_UNKNOWN, "dir = '%s' is not an absolute path", dir);
		return -EINVAL;
	}
	if (hd_path(ctx, dir, path, sizeof(path)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "dir = '%s' is too long", dir);
		return -ENAMETOOLONG;
	}
	d = opendir(path);
	if (!d && (errno == ENOENT || errno == ENOTDIR)) {
		hd_result_set(r, HD_SKIPPED,
			      "%s does not exist (the product is not installed here)", path);
		return 0;
	}
	if (!d) {
		int err = errno;
		hd_result_set(r, HD_UNKNOWN, "cannot list %s: %s%s", path, strerror(err),
			      err == EACCES && !ctx->privileged ? " (run as root)" : "");
		return -err;
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!core_file_name(e->d_name))
			continue;
		/* a directory or link named core (source trees have core/) is not a dump */
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		cores = hd_xrealloc(cores, (n + 1) * sizeof(*cores));
		cores[n] = (struct core){
		    .name = hd_xstrdup(e->d_name), .mtime = st.st_mtime, .size = st.st_size};
		total += st.st_size;
		n++;
	}
	if (n > 1) /* qsort() must not see the NULL of an empty list */
		qsort(cores, n, sizeof(*cores), newest_first);

	hd_result_metric(r, "files", (double)n, HD_UNIT_NONE)->has_min = true;
	if (n) {
		double age = difftime(now, cores[0].mtime);
		hd_result_metric(r, "newest_age", age > 0 ? age : 0, HD_UNIT_SECONDS);
	}
	hd_result_metric(r, "size", (double)total, HD_UNIT_BYTES);

	if (n == 0) {
		hd_result_set(r, HD_OK, "no core files in %s", dir);
		hd_result_remedy(r,
				 "Send the core files in %s to the vendor's support with the "
				 "product version and logs, then remove them.",
				 dir);
		free_cores(cores, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct tm tm;

		if (i < 20) /* reading the ELF notes costs a read each: the newest tell enough */
			identify(dirfd(d), &cores[i]);
		localtime_r(&cores[i].mtime, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		hd_fmt_bytes((double)cores[i].size, sz, sizeof(sz));
		if (i < 20)
			hd_result_detail(r, "%s/%s  %s  %s%s%s%s%s", dir, cores[i].name, when, sz,
					 cores[i].comm[0] ? "  from " : "", cores[i].comm,
					 cores[i].args[0] ? ": " : "", cores[i].args);
		hd_buf_printf(&names, "%s%s", i ? " " : "", cores[i].name);
	}
	if (n > 20)
		hd_result_detail(r, "... and %zu more", n - 20);
	list = hd_buf_steal(&names);
	{
		struct tm tm;
		localtime_r(&cores[0].mtime, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	}
	hd_fmt_bytes((double)total, sz, sizeof(sz));
	/* OK here: the default warning range "0" on count makes it a WARNING, and a check can
	 * tolerate some (warning = 3) or make it CRITICAL (critical = 0) */
	hd_result_set(r, HD_OK, "%zu core file%s in %s (%s), newest %s%s%s from %s", n,
		      n == 1 ? "" : "s", dir, sz, cores[0].name, cores[0].comm[0] ? " of " : "",
		      cores[0].comm, when);

	hd_result_remedy(r, "A program crashed here. Send to the vendor's support:");
	hd_result_remedy_add(r, "1. the core file%s: tar czf /tmp/cores.tar.gz -C %s %s",
			     n == 1 ? "" : "s", dir, list);
	if (version_file && *version_file) {
		_cleanup_free_ char *v = NULL;
		if (hd_read_file(ctx, version_file, &v, NULL, 4096) == 0) {
			v[strcspn(v, "\n")] = '\0';
			hd_result_detail(r, "product version (%s): %s", version_file, v);
			hd_result_remedy_add(r, "2. the product version: %s (from %s)", v,
					     version_file);
		} else {
			hd_result_remedy_add(r,
					     "2. the product version (%s could not be read: "
					     "see the product's About page or its package: "
					     "rpm -qa / dpkg -l)",
					     version_file);
		}
	} else {
		hd_result_remedy_add(r, "2. the product version (its package: rpm -qa \"*NAME*\" "
					"or dpkg -l \"*NAME*\", or the version shown "
					"in its web UI)");
	}
	nlogs = hd_check_list(c, "logs", &logs);
	if (nlogs) {
		struct hd_buf lb = {0};
		_cleanup_free_ char *ls = NULL;
		for (size_t i = 0; i < nlogs; i++)
			hd_buf_printf(&lb, "%s%s", i ? " " : "", logs[i]);
		ls = hd_buf_steal(&lb);
		hd_result_remedy_add(r, "3. the logs around %s: tar czf /tmp/logs.tar.gz %s", when,
				     ls);
	} else {
		hd_result_remedy_add(r,
				     "3. the product's logs around %s (its log directory, and "
				     "journalctl --since '%s' > /tmp/journal.txt)",
				     when, when);
	}
	nalso = hd_check_list(c, "also", &also);
	if (nalso) {
		struct hd_buf ab = {0};
		_cleanup_free_ char *as = NULL;
		for (size_t i = 0; i < nalso; i++)
			hd_buf_printf(&ab, "%s%s", i ? ", " : "", also[i]);
		as = hd_buf_steal(&ab);
		hd_result_remedy_add(r, "4. with them: %s", as);
	}
	hd_strv_free(also);
	hd_result_remedy_add(r,
			     "When support has them, remove the dumps so the next crash is "
			     "noticed: cd %s && rm -f %s",
			     dir, list);
	hd_strv_free(logs);
	free_cores(cores, n);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "dir",
     .type = HD_P_STR,
     .required = true,
     .help = "directory the product runs in, where its core files land (/opt/f-secure/fsigk)"},
    {.key = "version_file",
     .type = HD_P_STR,
     .help = "file whose first line is the product version, named in the remedy"},
    {.key = "logs",
     .type = HD_P_LIST,
     .help = "log files or directories support asks for, named in the remedy"},
    {.key = "also",
     .type = HD_P_LIST,
     .help = "other files support asks for with the dumps (e.g. a diagnostics archive)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"files", "Core files (core, core.*) in the directory."},
    {"newest_age", "Seconds since the newest core file was written."},
    {"size", "Bytes taken by the core files."},
    {0},
};

const struct hd_probe probe_core_files = {
    .name = "core-files",
    .summary = "crash dumps (core, core.*) left in a product's directory",
    .params = params,
    .metrics = metrics,
    .default_warning = "0",
    .run = run,
};
