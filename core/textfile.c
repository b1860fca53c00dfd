/* node_exporter's textfile directory: would the file we are about to write repeat a series that
 * another *.prom file there already has? The collector would then drop the duplicates, and
 * nothing in the scrape says so (node_textfile_scrape_error stays 0). */
#include "textfile.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "paths.h"
#include "util.h"

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "name{b="2",a="1"} 3" -> "name{a="1",b="2"}": labels sorted, so the order does not matter. */
static char *series_key(const char *line, size_t len)
{
	const char *brace = memchr(line, '{', len);
	const char *sp = memchr(line, ' ', len);
	struct hd_buf b = {0};
	char **labels = NULL;
	size_t nl = 0;

	if (!brace || (sp && sp < brace)) {
		size_t n = sp ? (size_t)(sp - line) : len;
		return n ? hd_xstrndup(line, n) : NULL;
	}
	hd_buf_add(&b, line, (size_t)(brace - line));
	const char *p = brace + 1, *end = line + len;
	while (p < end && *p != '}') {
		const char *start = p;
		bool quoted = false;
		for (; p < end; p++) {
			if (quoted && *p == '\\' && p + 1 < end) {
				p++;
				continue;
			}
			if (*p == '"')
				quoted = !quoted;
			else if (!quoted && (*p == ',' || *p == '}'))
				break;
		}
		if (p > start) {
			labels = hd_xrealloc(labels, (nl + 1) * sizeof(char *));
			labels[nl++] = hd_xstrndup(start, (size_t)(p - start));
		}
		if (p < end && *p == ',')
			p++;
	}
	qsort(labels, nl, sizeof(char *), strcmp_ptr);
	hd_buf_add(&b, "{", 1);
	for (size_t i = 0; i < nl; i++) {
		hd_buf_printf(&b, "%s%s", i ? "," : "", labels[i]);
		free(labels[i]);
	}
	free(labels);
	hd_buf_add(&b, "}", 1);
	return hd_buf_steal(&b);
}

/* The series of a text exposition (comments and blank lines skipped), sorted. */
static size_t series_of(const char *text, size_t len, char ***out)
{
	char **v = NULL;
	size_t n = 0;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		while (l && (*p == ' ' || *p == '\t')) {
			p++;
			l--;
		}
		if (l && *p != '#') {
			char *k = series_key(p, l);
			if (k) {
				v = hd_xrealloc(v, (n + 1) * sizeof(char *));
				v[n++] = k;
			}
		}
		p += l + (nl ? 1 : 0);
		if (!nl)
			break;
	}
	if (n)
		qsort(v, n, sizeof(char *), strcmp_ptr);
	*out = v;
	return n;
}

static void free_v(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int hd_textfile_collisions(const char *ours, size_t ourslen, const char *target, char *msg,
			   size_t size)
{
	_cleanup_free_ char *dcopy = hd_xstrdup(target), *bcopy = hd_xstrdup(target);
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	char **mine = NULL;
	size_t nmine, total = 0;

	msg[0] = '\0';
	if (!d)
		return 0; /* the write itself will report a missing directory */
	nmine = series_of(ours, ourslen, &mine);
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name), nother, hits = 0;
		char path[4096], **other = NULL;
		const char *first = NULL;
		_cleanup_free_ char *bytes = NULL;
		size_t blen;

		/* the collector reads *.prom only; our own target is the file being replaced */
		if (nl < 6 || strcmp(de->d_name + nl - 5, ".prom") != 0 ||
		    strcmp(de->d_name, base) == 0 || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (hd_read_regular(path, &bytes, &blen, 64u << 20) < 0)
			continue;
		nother = series_of(bytes, blen, &other);
		/* both sorted: one merge pass */
		for (size_t i = 0, k = 0; i < nmine && k < nother;) {
			int c = strcmp(mine[i], other[k]);
			if (c == 0) {
				if (!first)
					first = mine[i];
				hits++;
				i++;
				k++;
			} else if (c < 0) {
				i++;
			} else {
				k++;
			}
		}
		if (hits && !msg[0])
			snprintf(msg, size, "%zu series are also in %s (first: %s)", hits, path,
				 first);
		total += hits;
		free_v(other, nother);
	}
	free_v(mine, nmine);
	return (int)(total > 1000000 ? 1000000 : total);
}
