/* Parser of /proc/sys/fs/file-nr, shared with the tests. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* "allocated 0 max": three unsigned decimals. 0 or -EINVAL. */
int file_nr_parse(const char *bytes, size_t len, uint64_t *allocated, uint64_t *max);
