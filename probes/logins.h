/* Login history for the logins probe: wtmp/btmp records (utmpx), the wtmpdb database, the
 * mgetty log's CONNECT lines, and what the probe remembers between runs. Parsers take bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <utmpx.h>

struct login_rec {
	int type;	/* USER_PROCESS, DEAD_PROCESS, BOOT_TIME ... (utmpx.h) */
	char user[40];	/* ut_user */
	char line[40];	/* ut_line: "pts/0", "ttyS0" */
	char host[260]; /* ut_host: the remote address or name; "" for a local login */
	int64_t usec;	/* time, microseconds since the epoch */
};

struct login_list {
	struct login_rec *v;
	size_t n, cap;
};

void login_list_add(struct login_list *l, const struct login_rec *r);
void login_list_free(struct login_list *l);

/* One utmpx record as the probe keeps it. */
void login_from_utmpx(const struct utmpx *u, struct login_rec *r);
/* Records of a wtmp/btmp file's bytes (struct utmpx as glibc writes them; a trailing partial
 * record is ignored, as getutxent() does). Returns how many were added to L. */
size_t logins_parse_utmp(const char *buf, size_t len, struct login_list *l);
/* A wtmp/btmp file: its struct utmpx records, read in large pieces (the unit test checks the
 * result against utmpxname() + getutxent() on the same file). 0 or a negative errno. */
int logins_read_utmpx(const char *path, struct login_list *l);

/* Where a login came from: the remote host, or for a local login its line without the
 * number ("ttyS" for ttyS0, "pts/" for pts/3, "tty" for tty1). */
void login_source(const struct login_rec *r, char *buf, size_t size);

/* Times (epoch seconds) of the CONNECT lines of an mgetty log's bytes
 * ("05/25 06:01:44 yS0 waiting for ``CONNECT'' ** found **"): lines that contain both
 * "connect" and "found", case-insensitively. The log has no year: it is taken from YEAR, or
 * the year before when the month is later than MONTH (1-12), in the local time zone. Returns
 * how many were stored (at most MAX). */
size_t logins_mgetty_connects(const char *buf, size_t len, int year, int month, time_t *out,
			      size_t max);

/* What the probe remembers between runs (JSON, in the state directory). */
struct login_user {
	char *user;
	char **sources; /* NULL-terminated */
	size_t nsources;
};
struct login_state {
	int64_t wtmp_usec, btmp_usec; /* the newest record seen */
	struct login_user *users;
	size_t nusers;
};
void login_state_free(struct login_state *s);
/* 0, or -EINVAL with ERR saying what is wrong. */
int login_state_parse(const char *buf, size_t len, struct login_state *s, char *err, size_t errlen);
char *login_state_format(const struct login_state *s);
/* Known? Returns 0 user and source known, 1 source new for a known user, 2 user new. */
int login_state_known(const struct login_state *s, const char *user, const char *source);
void login_state_learn(struct login_state *s, const char *user, const char *source);

/* The largest number of failed logins from one source within WINDOW seconds, among the
 * records of L (btmp) newer than AFTER_USEC; its source in WHO. */
size_t logins_worst_burst(const struct login_list *l, int64_t after_usec, int64_t window, char *who,
			  size_t whosize, int64_t *at_usec);
