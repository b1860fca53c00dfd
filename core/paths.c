/* Path resolution under --root and whole-file reads (node_exporter's procFilePath idea). */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "probe.h"
#include "util.h"

int hd_path(const struct hd_ctx *ctx, const char *path, char *buf, size_t size)
{
	const char *root = ctx && ctx->root ? ctx->root : "";
	int n = snprintf(buf, size, "%s%s", root, path);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Read FD to its end into a NUL-terminated heap buffer (at most MAX bytes). */
static int read_fd(int fd, char **out, size_t *len, size_t max)
{
	struct hd_buf b = {0};
	char chunk[65536];

	if (max == 0)
		max = 16u << 20;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			free(b.data);
			return e;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			free(b.data);
			return -EFBIG;
		}
		hd_buf_add(&b, chunk, (size_t)n);
	}
	if (len)
		*len = b.len;
	*out = hd_buf_steal(&b);
	return 0;
}

int hd_open_regular(int dirfd, const char *path, int flags)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: opening a FIFO for reading must not wait for a writer */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
	if (fd < 0) {
		int e = errno;
		/* open() of a socket says ENXIO, which names neither the file nor the problem */
		if (e == ENXIO && fstatat(dirfd, path, &st, 0) == 0 && !S_ISREG(st.st_mode))
			return -HD_ENOTREG;
		return -e;
	}
	/* /proc, /sys and the files products leave are regular files: a FIFO, socket or device
	 * in their place would block, or never end */
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -HD_ENOTREG;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int hd_read_path(const char *resolved, char **out, size_t *len, size_t max)
{
	_cleanup_close_ int fd = -1;

	*out = NULL;
	if (len)
		*len = 0;
	fd = hd_open_regular(AT_FDCWD, resolved, 0);
	if (fd < 0)
		return fd;
	return read_fd(fd, out, len, max);
}

int hd_read_regular(const char *resolved, char **out, size_t *len, size_t max)
{
	return hd_read_path(resolved, out, len, max);
}

const char *hd_read_strerror(int r)
{
	return r == -HD_ENOTREG ? "not a regular file (a FIFO, socket or device)" : strerror(-r);
}

int hd_read_file(const struct hd_ctx *ctx, const char *path, char **out, size_t *len, size_t max)
{
	char p[4096];
	int r = hd_path(ctx, path, p, sizeof(p));

	if (r < 0)
		return r;
	return hd_read_path(p, out, len, max);
}

int hd_sysctl_path(const char *key, char *buf, size_t size)
{
	int n;

	if (!key || !*key || strstr(key, "..") || key[0] == '/' || key[0] == '.')
		return -EINVAL;
	n = snprintf(buf, size, "/proc/sys/%s", key);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	/* kernel.sem -> kernel/sem; a key given with slashes is taken as it is */
	if (!strchr(key, '/'))
		for (char *p = buf + 10; *p; p++)
			if (*p == '.')
				*p = '/';
	return 0;
}
