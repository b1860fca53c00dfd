/* Kernel release parsing and comparison, and the os-release fields the remedy needs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define KVER_MAX 6

/* "3.10.0-1160.el7.x86_64": upstream {3,10,0}, build {1160}, rest ".el7.x86_64". */
struct kver {
	long up[KVER_MAX];
	int nup;
	long build[KVER_MAX];
	int nbuild;
	bool has_build; /* a '-' followed the upstream part */
};

/* Upstream = dotted decimals from the start; build = dotted decimals right after a '-'.
 * Anything after that (".el7", "-amd64", "+") is ignored. Trailing whitespace is allowed.
 * 0, or -EINVAL when the text does not start with a number or a component is too large. */
int kver_parse(const char *bytes, size_t len, struct kver *out);

/* <0, 0, >0 like strcmp. Missing components count as 0 (4.18 == 4.18.0). The build part is
 * compared only when WANT has one, so 4.18.0-80 >= 4.18 and 3.10.0-1160 > 3.10.0-957. */
int kver_cmp(const struct kver *have, const struct kver *want);

/* ID, ID_LIKE and VERSION_ID of /etc/os-release (quotes removed; "" when absent). */
struct os_release {
	char id[64], id_like[128], version_id[32];
};
void os_release_parse(const char *bytes, size_t len, struct os_release *out);

/* Index of the first shell pattern (fnmatch) in PATTERNS that RELEASE matches, or -1. */
int kver_supported(const char *release, char *const *patterns, size_t n);
