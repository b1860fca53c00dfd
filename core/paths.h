/* Every read of the host (/proc, /sys, /etc, /var, /opt) goes through --root. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

struct hd_ctx;

/* ROOT + PATH into BUF. PATH must be absolute. Returns 0 or -ENAMETOOLONG. */
int hd_path(const struct hd_ctx *ctx, const char *path, char *buf, size_t size);

/* Read a whole file below --root into a NUL-terminated heap buffer.
 * At most MAX bytes (0: 16 MiB); a longer file is -EFBIG. Only a regular file is read: a FIFO,
 * socket or device is -HD_ENOTREG at once (opened without blocking), a directory -EISDIR.
 * Returns 0 or a negative errno (hd_read_strerror() says it); *out must be freed. */
int hd_read_file(const struct hd_ctx *ctx, const char *path, char **out, size_t *len, size_t max);

/* Same as hd_read_file() for a path already resolved (no root prefix added). */
int hd_read_path(const char *resolved, char **out, size_t *len, size_t max);

/* The parent's reads of configuration (checks.d, the catalogue, ROOT/etc/hostname): the same
 * as hd_read_path(), which never blocks on a FIFO and takes only a regular file (-HD_ENOTREG). */
#define HD_ENOTREG EMEDIUMTYPE /* Linux has no EFTYPE; open() and read() never give this one */
int hd_read_regular(const char *resolved, char **out, size_t *len, size_t max);
/* Open PATH (relative to DIRFD, or AT_FDCWD) for reading, without blocking on a FIFO, only when
 * it is a regular file: the descriptor, or -errno, -EISDIR, -HD_ENOTREG. FLAGS are added
 * (O_NOFOLLOW). */
int hd_open_regular(int dirfd, const char *path, int flags);
/* strerror() of a read's result, with "not a regular file" for -HD_ENOTREG. */
const char *hd_read_strerror(int r);

/* "/proc/sys/" + KEY with dots turned into slashes (fs.file-max -> fs/file-max). */
int hd_sysctl_path(const char *key, char *buf, size_t size);
