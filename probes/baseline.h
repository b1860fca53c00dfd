/* The baseline: what a healthy host runs (long-running processes, listening sockets, enabled
 * services), recorded by `hostdoctor baseline save` and compared with the live host by the
 * baseline probe and `hostdoctor baseline diff`. One model, four jobs in four files:
 * collecting it (baseline_collect.c), JSON (baseline_json.c), comparing (baseline_compare.c),
 * the state directory (baseline_store.c); the command is baseline_cmd.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

struct hd_ctx;

/* The file format's version. A file of a later version is refused, not guessed at. */
#define BL_VERSION 1
#define BL_FORMAT  "hostdoctor-baseline"
/* Project defaults (the manual gives no numbers): a process is "long-running" after this many
 * seconds; users below UID_MIN of /etc/login.defs (1000 when it says nothing) are system
 * users. */
#define BL_DEFAULT_MIN_AGE 60
#define BL_DEFAULT_UID_MIN 1000

/* How a listener comes to be: opened by its own daemon, or held for an on-demand service by
 * systemd (PID 1, a .socket unit) or an inetd-style super-server. Only a socket is expected
 * for the last two: their services run while a connection lasts. */
enum bl_activation { BL_ACT_DAEMON, BL_ACT_SYSTEMD, BL_ACT_INETD };

struct bl_proc {
	char *name;	/* /proc/PID/comm */
	char *exe;	/* executable path; "" when it could not be read */
	char *user;	/* user name (the uid as text when it has none) */
	uint32_t uid;	/* effective uid */
	uint32_t count; /* instances running */
	char *unit;	/* systemd unit from /proc/PID/cgroup, or NULL */
	char *cmdline;	/* the oldest instance's command line */
	/* live collections only (not saved) */
	double age;	/* seconds the oldest instance has run */
	long pid;	/* the oldest instance */
	bool on_demand; /* started by a super-server or for a socket unit: not expected */
};

struct bl_listen {
	char proto[4]; /* "tcp" or "udp" */
	char *addr;    /* "0.0.0.0", "::", "127.0.0.1" ... */
	uint16_t port;
	char *owner;			   /* the holder's comm; NULL when unknown */
	char *exe, *user, *unit, *cmdline; /* the holder's, NULL when unknown */
	enum bl_activation act;
	char *socket_unit; /* BL_ACT_SYSTEMD: the .socket unit listening there, when found */
	long pid;	   /* live collections only */
};

struct bl_service {
	char *unit;	 /* "ssh.service" */
	char *wanted_by; /* "multi-user.target" */
};

struct baseline {
	int version;
	char *name;
	char *host;
	int64_t saved; /* unix time */
	int64_t min_age;
	struct bl_proc *procs;
	size_t nprocs;
	struct bl_listen *ls;
	size_t nls;
	struct bl_service *svcs;
	size_t nsvcs;
};

void bl_free(struct baseline *b);
const char *bl_activation_name(enum bl_activation a); /* "daemon", "systemd", "inetd" */
int bl_activation_parse(const char *s, enum bl_activation *out);

/* ---- collecting (baseline_collect.c) ---- */

struct bl_collect_opts {
	int64_t min_age;  /* processes younger than this are left out (save) */
	bool keep_young;  /* keep them all, with their age (the probe's live view) */
	bool need_owners; /* walk /proc for the holders of the listening sockets */
};

/* The live host: processes (libproc2), listeners (sock_diag), services (the systemd unit
 * directories). 0, or a negative errno with ERR naming the interface. */
int bl_collect(const struct hd_ctx *ctx, const struct bl_collect_opts *o, struct baseline *b,
	       char *err, size_t errlen);

/* The systemd unit of a process from the bytes of /proc/PID/cgroup (the unified "0::" line,
 * else the name=systemd hierarchy): the first path component that is not a slice, as
 * systemd's cg_path_get_unit() picks it. NULL when there is none ("/", a bare slice). */
char *bl_cgroup_unit(const char *buf, size_t len);
/* A login session's cgroup (user.slice, session-N.scope): its processes are not services. */
bool bl_cgroup_is_session(const char *buf, size_t len);
/* comm of an inetd-style super-server (inetd, xinetd, systemd-socket-activate ...). */
bool bl_is_superserver(const char *comm);
/* Socket units' listen ports from a unit file's bytes: ListenStream=/ListenDatagram= values
 * ending in a port. Returns how many were stored in PORTS/TCP (at most MAX). */
size_t bl_socket_unit_ports(const char *buf, size_t len, uint16_t *ports, bool *tcp, size_t max);
/* UID_MIN from the bytes of /etc/login.defs; DEF when it is not set. */
uint32_t bl_uid_min(const char *buf, size_t len, uint32_t def);

/* ---- JSON (baseline_json.c) ---- */

/* The file's text (ends with a newline). */
char *bl_to_json(const struct baseline *b);
/* Parse a baseline file. 0; -EPROTO for a file of a later version; -EINVAL for anything
 * malformed, with ERR saying where ("line 3, column 5: ...", "processes[2]: no 'name'"). */
int bl_from_json(const char *buf, size_t len, struct baseline *b, char *err, size_t errlen);

/* ---- the state directory (baseline_store.c) ---- */

/* A baseline name is [A-Za-z0-9._-]{1,64} not starting with '.'. */
bool bl_name_valid(const char *name);
/* "DIR/baseline.NAME.json" */
void bl_file_path(const char *dir, const char *name, char *buf, size_t size);
/* Load NAME from DIR. 0; -ENOENT when there is none; -EPROTO / -EINVAL as bl_from_json();
 * other negative errnos for the directory or the file. ERR names the path. */
int bl_load(const char *dir, const char *name, struct baseline *b, char *err, size_t errlen);
/* Save B as B->name in DIR (created 0700; the file 0600, replaced atomically). */
int bl_save(const char *dir, const struct baseline *b, char *err, size_t errlen);

/* ---- comparing (baseline_compare.c) ---- */

enum bl_kind { BL_PROC, BL_LISTEN, BL_SERVICE };
enum bl_what { BL_GONE, BL_NEW, BL_COUNT };

struct bl_change {
	enum bl_kind kind;
	enum bl_what what;
	enum hd_status severity;    /* CRITICAL gone, WARNING new, OK for information */
	const struct bl_proc *proc; /* the baseline's (GONE, COUNT) or the live one (NEW) */
	const struct bl_listen *ls;
	const struct bl_service *svc;
	uint32_t old_count, new_count; /* BL_COUNT */
};

struct bl_compare_opts {
	int64_t min_age;  /* a new process counts once it has run this long */
	uint32_t uid_min; /* new processes of users below this are WARNING */
	char **ignore;	  /* process names and PROTO/PORT left out; NULL-terminated or NULL */
};

/* What changed from OLD (the saved baseline) to NOW (live). *OUT to free(). */
size_t bl_compare(const struct baseline *old, const struct baseline *now,
		  const struct bl_compare_opts *o, struct bl_change **out);
/* One line for a change ("process sshd (/usr/sbin/sshd, root, ssh.service): not running"). */
char *bl_change_text(const struct bl_change *c);
/* What to do about it (start the unit, the command line; save the baseline again). */
char *bl_change_remedy(const struct bl_change *c, const char *name);
/* "tcp 0.0.0.0:22", "tcp [::]:22" */
void bl_listen_label(const struct bl_listen *l, char *buf, size_t size);
