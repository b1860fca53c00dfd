/* Parser of SELinux AVC denials in audit.log or syslog lines, for the selinux-avc probe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Which denials count: by the denied process's name (comm, shell globs), by its executable or
 * the object's path under DIR (the SYSCALL record of the same event gives exe=), and not before
 * SINCE (epoch seconds; 0: any). Permissive denials (permissive=1) never count. */
struct avc_filter {
	const char *dir;
	char *const *comm;
	size_t ncomm;
	double since;
};

struct avc_denial {
	double when; /* the audit(SECONDS.MS:SERIAL) time */
	unsigned long
	    serial; /* with `when`, names the event (one event logged twice counts once) */
	char comm[64];
	char exe[256];	/* from the event's SYSCALL record, when present */
	char perms[96]; /* "read open" */
	char tclass[32];
	char object[256]; /* path= or name= */
	char scontext[128];
	char tcontext[128];
};

struct avc_found {
	struct avc_denial *v; /* the matching denials, in file order */
	size_t n;
	size_t older; /* matching but before `since` */
};

/* Value of KEY= in an audit record (quotes removed) into OUT; false when absent. */
bool avc_field(const char *line, size_t len, const char *key, char *out, size_t size);

/* Append the denials of BUF that F selects. 0, or -ENOMEM never (aborts): always 0. */
int avc_scan(const char *buf, size_t len, const struct avc_filter *f, struct avc_found *out);
void avc_found_free(struct avc_found *f);
