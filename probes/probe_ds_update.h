/* Parser of the anti-malware agent's update records (TmuDump.txt, iau.log), shared with the tests. */
#pragma once

#include <stddef.h>

enum dsu_event {
	DSU_NONE = 0,	 /* no update result recognised */
	DSU_SUCCESS,	 /* an update finished (or found nothing newer) */
	DSU_MAINTENANCE, /* HTTP 503 "Service is under maintainence": temporary */
	DSU_BUSY,	 /* "Busy with exisiting update": a second update was refused */
	DSU_RELAY_NA,	 /* IAURELAY_STATUS_NOT_AVAILABLE (-18): the relay did not serve */
	DSU_FILE_EXISTS, /* IAU_STATUS_FILE_EXISTS: a stale file in the update cache blocks it */
	DSU_FAILED,	 /* any other IAU_STATUS_* / IAURELAY_STATUS_* error */
};

struct dsu_log {
	enum dsu_event last;   /* the last recognised update result in the file */
	long long when;	       /* its timestamp as calendar seconds (zone ignored); -1: none */
	size_t lineno;	       /* its line number (1-based) */
	unsigned failures;     /* failed results after the last success */
	unsigned relay_streak; /* IAURELAY_STATUS_NOT_AVAILABLE results after the last success */
	unsigned events;       /* update results recognised in the whole file */
	char code[64];	       /* status token of the last result ("IAU_STATUS_FILE_EXISTS") */
	char path[256];	       /* IAU_STATUS_FILE_EXISTS: the file named on the line */
	char relay[256];       /* IAURELAY_STATUS_NOT_AVAILABLE: the relay URL named on the line */
	char line[256];	       /* the line of the last result, trimmed */
};

/* Scan a log for update results. Returns 0 (out->last may be DSU_NONE) or -EINVAL when the
 * bytes are not a text log (mostly NUL or control bytes). */
int dsu_parse_log(const char *buf, size_t len, struct dsu_log *out);

/* "HTTP 503 maintenance", "busy", ... */
const char *dsu_event_name(enum dsu_event e);
