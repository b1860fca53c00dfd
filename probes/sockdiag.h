/* sock_diag for the port and connections probes: filtered inet_diag dumps and their parser. */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hd_ctx;

/* TCP states as bits of idiag_states (1 << state). */
#define SD_TCP_ESTABLISHED 1
#define SD_TCP_TIME_WAIT   6
#define SD_TCP_CLOSE	   7 /* also unconnected UDP */
#define SD_TCP_LISTEN	   10
/* Bound but neither listening nor connecting; dumped only on kernels >= 6.5 when this bit is
 * asked for (Debian 12's headers lack it). */
#define SD_TCP_BOUND_INACTIVE 13
#define SD_BIT(state)	      (1u << (state))

/* One socket of a reply, in host order where it is a number. */
struct sd_sock {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t state;	/* SD_TCP_* */
	uint16_t sport, dport;
	uint8_t src[16], dst[16]; /* network order; the first 4 bytes for AF_INET */
	uint32_t inode, uid;
	uint32_t rqueue, wqueue; /* LISTEN: accept queue length and backlog */
	int8_t v6only;		 /* INET_DIAG_SKV6ONLY: 1, 0, or -1 when not reported */
};

struct sd_query {
	uint8_t family;	 /* AF_INET or AF_INET6 */
	uint8_t proto;	 /* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t states; /* SD_BIT() mask */
	uint16_t port;	 /* local port the kernel filters on; 0: every socket */
	/* remote port range (inclusive) the kernel filters on when dport_hi > 0: lets one
	 * count be split across CPUs, each dump filling the messages of its own share */
	uint16_t dport_lo, dport_hi;
	/* the callback needs only the message header (family, state, ports, addresses, queues,
	 * inode): attributes are not parsed and v6only is -1. Counting 20,000 connections
	 * spends a twentieth of its time in user space, most of it parsing attributes. */
	bool header_only;
};

/* Called for every socket of a reply; return 0 to go on, a negative errno to stop. */
typedef int (*sd_sock_cb)(const struct sd_sock *s, void *data);

/* Build the SOCK_DIAG_BY_FAMILY dump request into BUF (zeroed here): the port goes into
 * id.idiag_sport and into an INET_DIAG_REQ_BYTECODE "sport >= P && sport <= P" as ss compiles
 * it, so the kernel skips every other socket. Returns the length or -ENOBUFS. */
int sd_build_request(const struct sd_query *q, void *buf, size_t size);

/* Parse one reply message into S. 0, or -EBADMSG for a truncated or malformed message. */
int sd_parse(const struct nlmsghdr *nlh, struct sd_sock *s);
/* The same without the attributes (v6only is -1). */
int sd_parse_header(const struct nlmsghdr *nlh, struct sd_sock *s);

/* Ask the kernel (NETLINK_SOCK_DIAG) and run CB on every socket; 0 or a negative errno. */
int sd_dump(const struct sd_query *q, sd_sock_cb cb, void *data, double deadline);

/* Run CB on every socket of recorded replies: one or more dumps, each ended by NLMSG_DONE. */
int sd_replay(const void *buf, size_t len, sd_sock_cb cb, void *data);

/* "0.0.0.0:22", "[::]:22" into BUF. */
void sd_format_local(const struct sd_sock *s, char *buf, size_t size);

/* Who holds a socket: a process with an fd on socket:[INODE] (of several sharing it, the one
 * with the fewest open files, which is the order of the walk). */
struct sd_owner {
	uint32_t inode;
	long pid; /* 0: not found */
	uid_t uid;
	char comm[32];
};

/* Walk /proc/[0-9]* /fd/ under --root, processes with fewer open files first, and fill the owners
 * of the N inodes in O, stopping as soon as every one is found. *DENIED counts processes whose
 * fd directory could not be read (another user's, without root). 0, -ETIMEDOUT at the deadline,
 * or a negative errno for /proc itself. */
int sd_find_owners(const struct hd_ctx *ctx, struct sd_owner *o, size_t n, size_t *denied);
