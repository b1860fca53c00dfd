/* The IPsec stack of vendor document 002 on this host: engine module, policy files and the
 * credential files they name (see ipsec_stack.h). */
#include "ipsec_stack.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

const char *ipsec_kind_name(enum ipsec_cred_kind k)
{
	static const char *const names[] = {"certificate", "CA certificate", "private key", "CRL"};
	return (size_t)k < HD_ARRAY_SIZE(names) ? names[k] : "?";
}

void ipsec_refs_free(struct ipsec_refs *refs)
{
	for (size_t i = 0; i < refs->n; i++)
		free(refs->v[i].path);
	free(refs->v);
	refs->v = NULL;
	refs->n = 0;
}

/* ---- /proc/modules ---- */

static bool module_name_eq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen && b[i]; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
		if (x != y)
			return false;
	}
	return i == alen && !b[i];
}

int ipsec_module_listed(const char *buf, size_t len, const char *name, char *state, size_t size)
{
	const char *p = buf, *end = buf + len;

	if (size)
		state[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *sp;

		if (!eol)
			eol = end;
		/* "name size refcount deps state address" */
		sp = memchr(p, ' ', (size_t)(eol - p));
		if (sp && module_name_eq(p, (size_t)(sp - p), name)) {
			const char *f = sp;
			for (int field = 1; field < 4 && f; field++) {
				f = memchr(f + 1, ' ', (size_t)(eol - f - 1));
			}
			if (f && size) {
				const char *e = memchr(f + 1, ' ', (size_t)(eol - f - 1));
				size_t n = (size_t)((e ? e : eol) - (f + 1));
				snprintf(state, size, "%.*s", (int)n, f + 1);
			}
			return 1;
		}
		p = eol + 1;
	}
	return 0;
}

/* ---- policy files ---- */

static bool comment_or_blank(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t' || *p == '\r')) {
		p++;
		n--;
	}
	return n == 0 || *p == '#' || *p == ';' || (n >= 2 && p[0] == '/' && p[1] == '/');
}

size_t ipsec_policy_statements(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t n = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (!comment_or_blank(p, (size_t)(eol - p)))
			n++;
		p = eol + 1;
	}
	return n;
}

static bool word_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '=' || c == ',' || c == ';' || c == '(' ||
	       c == ')' || c == '{' || c == '}' || c == '"' || c == '\'' || c == '`' || c == ':';
}

static bool ends_with(const char *w, size_t n, const char *ext)
{
	size_t e = strlen(ext);
	return n > e && strncasecmp(w + n - e, ext, e) == 0;
}

/* The kind the words of CTX (lower-cased, alphanumerics only) give, or -1. */
static int kind_from_words(const char *ctx, size_t n)
{
	bool crl = false, key = false, ca = false, cert = false;
	size_t i = 0;

	while (i < n) {
		char w[64];
		size_t k = 0;

		while (i < n && !isalnum((unsigned char)ctx[i]))
			i++;
		while (i < n && isalnum((unsigned char)ctx[i])) {
			if (k < sizeof(w) - 1)
				w[k++] = (char)tolower((unsigned char)ctx[i]);
			i++;
		}
		w[k] = '\0';
		if (!k)
			continue;
		crl |= strstr(w, "crl") != NULL;
		key |= strstr(w, "key") != NULL || strstr(w, "private") != NULL;
		ca |= strcmp(w, "ca") == 0 || strncmp(w, "cacert", 6) == 0 ||
		      strstr(w, "trusted") != NULL;
		cert |= strstr(w, "cert") != NULL;
	}
	return crl ? IPSEC_CRL : key ? IPSEC_KEY : ca ? IPSEC_CA : cert ? IPSEC_CERT : -1;
}

static int kind_from_extension(const char *w, size_t n)
{
	static const char *const certs[] = {".der", ".cer", ".crt", ".ber", ".pem"};

	if (ends_with(w, n, ".crl"))
		return IPSEC_CRL;
	if (ends_with(w, n, ".key") || ends_with(w, n, ".p8") || ends_with(w, n, ".pk8"))
		return IPSEC_KEY;
	for (size_t i = 0; i < HD_ARRAY_SIZE(certs); i++)
		if (ends_with(w, n, certs[i]))
			return IPSEC_CERT;
	return -1;
}

static void add_ref(struct ipsec_refs *refs, const char *dir, const char *w, size_t n,
		    enum ipsec_cred_kind kind, int line)
{
	size_t dl = dir ? strlen(dir) : 0;
	char *path = w[0] == '/'
			 ? hd_xstrndup(w, n)
			 : hd_asprintf("%.*s/%.*s", (int)(dl && dir[dl - 1] == '/' ? dl - 1 : dl),
				       dir ? dir : "", (int)n, w);

	for (size_t i = 0; i < refs->n; i++)
		if (strcmp(refs->v[i].path, path) == 0) { /* named twice: the first place counts */
			free(path);
			return;
		}
	refs->v = hd_xrealloc(refs->v, (refs->n + 1) * sizeof(*refs->v));
	refs->v[refs->n++] = (struct ipsec_ref){.path = path, .kind = kind, .line = line};
}

void ipsec_policy_refs(const char *buf, size_t len, const char *dir, struct ipsec_refs *refs)
{
	const char *p = buf, *end = buf + len;
	int line = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q, *ctx;

		if (!eol)
			eol = end;
		line++;
		if (comment_or_blank(p, (size_t)(eol - p))) {
			p = eol + 1;
			continue;
		}
		q = ctx = p;
		while (q < eol) {
			const char *w;
			size_t n;
			int kind;

			while (q < eol && word_sep(*q))
				q++;
			w = q;
			while (q < eol && !word_sep(*q))
				q++;
			n = (size_t)(q - w);
			if (!n)
				continue;
			if (w[0] != '/' && kind_from_extension(w, n) < 0)
				continue; /* not a file name */
			kind = kind_from_words(ctx, (size_t)(w - ctx));
			if (kind < 0)
				kind = kind_from_extension(w, n);
			if (kind >= 0)
				add_ref(refs, dir, w, n, (enum ipsec_cred_kind)kind, line);
			ctx = q;
		}
		p = eol + 1;
	}
}

/* ---- is the stack here ---- */

void ipsec_presence(const struct hd_ctx *ctx, char *const *policy_files, const char *module,
		    struct ipsec_presence *p)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; policy_files && policy_files[i]; i++) {
		char path[4096];
		struct stat st;

		p->files_listed++;
		if (hd_path(ctx, policy_files[i], path, sizeof(path)) == 0 && lstat(path, &st) == 0)
			p->files_present++;
	}
	if (module && *module) {
		_cleanup_free_ char *buf = NULL;
		size_t len;

		p->modules_rc = hd_read_file(ctx, "/proc/modules", &buf, &len, 0);
		if (p->modules_rc == 0)
			p->module_loaded = ipsec_module_listed(buf, len, module, p->module_state,
							       sizeof(p->module_state)) == 1;
	}
}

bool ipsec_configured(const struct ipsec_presence *p)
{
	return p->files_present > 0 || p->module_loaded;
}

char *ipsec_not_configured_why(char *const *policy_files, const char *module,
			       const struct ipsec_presence *p)
{
	struct hd_buf b = {0};

	if (p->files_listed == 1)
		hd_buf_printf(&b, "the policy file %s does not exist", policy_files[0]);
	else if (p->files_listed) {
		hd_buf_printf(&b, "none of the policy files");
		for (size_t i = 0; policy_files[i]; i++)
			hd_buf_printf(&b, "%s %s", i ? "," : "", policy_files[i]);
		hd_buf_printf(&b, " exists");
	} else {
		hd_buf_printf(&b, "no policy file is configured");
	}
	if (module && *module)
		hd_buf_printf(&b, " and the engine module %s is not loaded%s", module,
			      p->modules_rc == -ENOENT ? " (no /proc/modules: a kernel without "
							 "loadable modules)"
			      : p->modules_rc < 0      ? " (/proc/modules unreadable)"
						       : "");
	return hd_buf_steal(&b);
}

pid_t ipsec_find_process(const struct hd_ctx *ctx, const char *name)
{
	char path[4096];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (hd_path(ctx, "/proc", path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if (!(d = opendir(path)))
		return -errno;
	while ((e = readdir(d))) {
		char comm_path[300];
		_cleanup_free_ char *comm = NULL;
		size_t len;
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(comm_path, sizeof(comm_path), "/proc/%ld/comm", pid);
		if (hd_read_file(ctx, comm_path, &comm, &len, 256) < 0)
			continue; /* gone meanwhile */
		while (len && (comm[len - 1] == '\n' || comm[len - 1] == '\0'))
			comm[--len] = '\0';
		/* the kernel keeps 15 characters of the name */
		if (strlen(name) <= 15 ? strcmp(comm, name) == 0
				       : len == 15 && strncmp(comm, name, 15) == 0)
			return (pid_t)pid;
	}
	return 0;
}
