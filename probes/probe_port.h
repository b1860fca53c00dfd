/* What the port probe makes of a sock_diag dump, shared with the tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sockdiag.h"

/* What was asked for and what the dumps held. */
struct port_scan {
	uint16_t port;
	int proto;		 /* IPPROTO_TCP or IPPROTO_UDP */
	int family;		 /* AF_INET or AF_INET6 of `address`; 0: any address */
	uint8_t addr[16];	 /* `address`, network order */
	struct sd_sock *holders; /* listening or bound sockets whose bind conflicts */
	size_t nholders, cap;
	size_t listeners; /* holders that accept (TCP LISTEN, any UDP socket) */
};

/* Would a bind of FAMILY/ADDR (FAMILY 0: any address, either family) on S's port fail
 * because of S? A [::] socket with v6only=0 (or not reported) also covers IPv4. */
bool port_conflicts(const struct sd_sock *s, int family, const uint8_t *addr);

/* sd_sock_cb: sort one socket into SCAN (sockets of other ports are ignored). */
int port_collect(const struct sd_sock *s, void *scan);

void port_scan_free(struct port_scan *scan);

/* "LISTEN", "BOUND" (bound, not listening), "UDP", or the TCP state name. */
const char *port_state_name(const struct sd_sock *s, int proto);
