/* Parsers and rules of the path probe, shared with the tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* "0755", "755", "1777": octal permission bits. 0 with *out set, or -EINVAL. */
int path_mode_parse(const char *s, mode_t *out);
/* Permission bits of ACTUAL beyond the maximum WANT (07777 bits only). */
mode_t path_mode_excess(mode_t actual, mode_t want);

enum parent_verdict {
	PARENT_OK,
	PARENT_STICKY,	       /* writable by others but sticky (like /tmp): accepted, noted */
	PARENT_GROUP_WRITABLE, /* group may replace what is below */
	PARENT_WORLD_WRITABLE, /* anyone may replace what is below */
};
/* How a directory on the way to the checked path is judged, from its st_mode. */
enum parent_verdict path_parent_verdict(mode_t mode);
