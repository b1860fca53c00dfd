/* Parsers of the unix-socket probe: unix_diag replies and what a connect() error means. */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

/* One socket of a unix_diag dump (UDIAG_SHOW_NAME|UDIAG_SHOW_VFS|UDIAG_SHOW_RQLEN). */
struct unix_sock_info {
	uint32_t ino;	/* the socket's own inode (socket:[INO]) */
	uint8_t type;	/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint8_t state;	/* TCP_LISTEN (10) for a listener */
	char name[109]; /* bound path; "" when unbound, "@..." for an abstract name */
	bool has_vfs, has_rqlen;
	uint32_t vfs_ino, vfs_dev; /* inode and kernel dev_t of the socket file */
	uint32_t rqueue, wqueue;   /* listener: pending connections and backlog */
};

/* One SOCK_DIAG_BY_FAMILY reply for AF_UNIX into OUT. 0 or -EBADMSG. */
int unix_diag_parse(const struct nlmsghdr *nlh, struct unix_sock_info *out);

/* Find the socket bound to a file: set vfs_ino and the file's major/minor, run
 * unix_diag_match_cb over the dump; found and info are filled in when it is there. */
struct unix_diag_match {
	uint32_t vfs_ino;
	unsigned int major, minor;
	bool found;
	struct unix_sock_info info;
	int err; /* -EBADMSG on a malformed message */
};
int unix_diag_match_cb(const struct nlmsghdr *nlh, void *data);

/* What a non-blocking connect() to a path ended with. */
enum unix_conn_state {
	UNIX_CONN_OK,
	UNIX_CONN_MISSING,    /* ENOENT */
	UNIX_CONN_STALE,      /* ECONNREFUSED: the file is there, nobody listens */
	UNIX_CONN_NOT_STREAM, /* EPROTOTYPE: a datagram socket */
	UNIX_CONN_FULL,	      /* EAGAIN: the backlog is full, the daemon does not accept */
	UNIX_CONN_DENIED,     /* EACCES, EPERM: cannot tell */
	UNIX_CONN_NOT_SOCKET, /* the path is not a socket */
	UNIX_CONN_OTHER,
};
enum unix_conn_state unix_conn_classify(int err); /* ERR: 0 or a positive errno */
const char *unix_conn_name(enum unix_conn_state s);
