/* Symlink resolution below --root, component by component, so fixture trees with absolute links
 * (lib -> /usr/lib, build -> /usr/src/...) resolve inside the fixture and not on the host. */
#include "rootpath.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

#define HD_MAX_LINKS 40 /* the kernel's MAXSYMLINKS */

/* Drop the last component of CUR ("" stands for the root). */
static void pop_component(char *cur)
{
	char *slash = strrchr(cur, '/');

	if (slash)
		*slash = '\0';
}

int hd_resolve(const struct hd_ctx *ctx, const char *path, bool follow_last, char *out, size_t size)
{
	_cleanup_free_ char *cur = hd_xcalloc(1, PATH_MAX);  /* resolved so far, "" = root */
	_cleanup_free_ char *rest = hd_xcalloc(1, PATH_MAX); /* still to walk */
	char host[PATH_MAX], comp[NAME_MAX + 1], target[PATH_MAX];
	int links = 0;

	if (!path || path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(rest, path);
	for (;;) {
		char *r = rest, *next;
		size_t n;
		struct stat st;

		while (*r == '/')
			r++;
		if (!*r)
			break;
		n = strcspn(r, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, r, n);
		comp[n] = '\0';
		next = r + n;
		memmove(rest, next, strlen(next) + 1);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			pop_component(cur);
			continue;
		}
		if (strlen(cur) + 1 + n >= PATH_MAX)
			return -ENAMETOOLONG;
		strcat(cur, "/");
		strcat(cur, comp);
		if (hd_path(ctx, cur, host, sizeof(host)) < 0)
			return -ENAMETOOLONG;
		if (lstat(host, &st) < 0) {
			int e = -errno;
			snprintf(out, size, "%s", cur);
			return e;
		}
		bool last = strspn(rest, "/") == strlen(rest);
		if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
			ssize_t len;

			if (++links > HD_MAX_LINKS)
				return -ELOOP;
			len = readlink(host, target, sizeof(target) - 1);
			if (len < 0)
				return -errno;
			target[len] = '\0';
			if ((size_t)len + 1 + strlen(rest) >= PATH_MAX)
				return -ENAMETOOLONG;
			/* the link's text goes in front of what is left to walk */
			memmove(rest + len + 1, rest, strlen(rest) + 1);
			memcpy(rest, target, (size_t)len);
			rest[len] = '/';
			if (target[0] == '/')
				cur[0] = '\0';
			else
				pop_component(cur);
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode)) {
			snprintf(out, size, "%s", cur);
			return -ENOTDIR;
		}
	}
	if (snprintf(out, size, "%s", cur[0] ? cur : "/") >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}
