/* Parser of /proc/meminfo, shared with the tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The /proc/meminfo fields the memory probe needs, in kB as the kernel prints them. */
struct meminfo {
	uint64_t total, available, free, buffers, cached, swap_total, swap_free;
	bool has_available; /* MemAvailable exists only on kernels >= 3.14 (and RHEL 7's 3.10) */
	bool has_swap;	    /* SwapTotal and SwapFree both present */
};

/* Parse "Name:   N kB" lines. MemTotal and either MemAvailable or MemFree+Buffers+Cached are
 * required; a wanted field whose value is not a decimal is malformed. Unknown lines are ignored
 * so that new kernels stay readable. Returns 0, -EINVAL (a value is not a number) or -ENODATA
 * (a required field is missing); on error *bad names the field. */
int meminfo_parse(const char *bytes, size_t len, struct meminfo *out, const char **bad);

/* Available kB: MemAvailable, or MemFree + Buffers + Cached when the kernel lacks it. */
uint64_t meminfo_available_kb(const struct meminfo *m);
