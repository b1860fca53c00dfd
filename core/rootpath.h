/* Symlink resolution below --root: an absolute link target stays inside the root (as chroot). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct hd_ctx;

/* Resolve PATH (absolute) the way the kernel would with ctx->root as "/": every symlink on the
 * way is followed (the last one only with FOLLOW_LAST), ".." never climbs above the root.
 * OUT receives the resolved path inside the root ("/usr/src/linux-headers-6.1", "/" for the
 * root itself); prefix it with hd_path() to open it.
 * Returns 0, or a negative errno: -ENOENT when a component is missing (OUT then holds the
 * first missing path, so a dangling link can be named), -ENOTDIR, -ELOOP (more than 40 links),
 * -EACCES, -ENAMETOOLONG. */
int hd_resolve(const struct hd_ctx *ctx, const char *path, bool follow_last, char *out,
	       size_t size);
