/* What the connections probe makes of a sock_diag dump and of /proc/meminfo (for the tests). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sockdiag.h"

struct conn_count {
	uint16_t port;
	uint64_t established; /* connections with this local port */
	uint64_t listeners;
	uint64_t pending; /* accept queues of the listeners, summed */
	uint64_t backlog; /* their backlogs, summed */
	uint64_t full;	  /* listeners whose accept queue is full */
};

/* sd_sock_cb: count one socket into a struct conn_count. */
int conn_collect(const struct sd_sock *s, void *count);

/* The "KEY: N kB" value of /proc/meminfo in kB. 0, -ENOENT (no such key) or -EINVAL. */
int meminfo_kb(const char *bytes, size_t len, const char *key, uint64_t *kb);
