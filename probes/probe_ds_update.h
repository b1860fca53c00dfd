/* Parsers of the anti-malware agent's update records (TmuDump.txt, iau.log) and of a relay
 * version, shared with the tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum dsu_event {
	DSU_NONE = 0,	 /* no update result recognised */
	DSU_SUCCESS,	 /* "Update finished with result : IAU_STATUS_SUCCESS..." */
	DSU_MAINTENANCE, /* TmuDump.txt: "Service is under maintainence" (HTTP 503): temporary */
	DSU_BUSY,	 /* "Busy with exisiting update": a request during a running update */
	DSU_RELAY_NA,	 /* IAURELAY_STATUS_NOT_AVAILABLE(-18): a broken component left behind */
	DSU_FILE_EXISTS, /* IAU_STATUS_FILE_EXISTS: a broken component left behind */
	DSU_FAILED,	 /* any other failed result; TmuDump.txt's HTTP 503 without the reason */
};

struct dsu_log {
	enum dsu_event last; /* the last recognised result in the file */
	long long when;	     /* its time as calendar seconds (zone ignored); -1: none */
	size_t lineno;	     /* its line number (1-based) */
	unsigned failures;   /* failed updates after the last success */
	unsigned events;     /* result lines recognised in the whole file */
	char code[96];	     /* status of the last result ("IAU_STATUS_FILE_EXISTS[...]") */
	char line[256];	     /* the line of the last result, trimmed */
	/* The latest IAU_STATUS_FILE_EXISTS or IAURELAY_STATUS_NOT_AVAILABLE since the last
	 * success, and the component its update named: the "Path2:" line, or the second path
	 * of the "File exists:" line (which may continue on the next line). */
	char broken_code[96]; /* "" when there is none */
	size_t broken_lineno;
	char path2[1024]; /* "" when the failed update named none */
	size_t path2_lineno;
};

/* Scan a log for update results. Returns 0 (out->last may be DSU_NONE) or -EINVAL when the
 * bytes are not a text log (mostly NUL or control bytes). */
int dsu_parse_log(const char *buf, size_t len, struct dsu_log *out);

/* Time of a line that starts with one: iau.log "[2014-May-28 06:39:39 4467|1085278544] ...",
 * TmuDump.txt "Err 20140528 06:39:39 2272 1592 ...". Calendar seconds, -1 when absent. */
long long dsu_line_time(const char *line);

/* "HTTP 503 maintenance", "busy", ... */
const char *dsu_event_name(enum dsu_event e);

/* A Deep Security version as the manager and the vendor's articles write it: "9.0 SP1 Patch 5",
 * "9.0 SP 1 Patch 5", "9.0", "9.5", "10.0", or a build "9.5.3010", "20.0.0-3445". */
struct dsu_version {
	int major, minor;
	int sp, patch;	 /* 0 when not written */
	bool build_only; /* a build number and no SP/Patch: the SP and patch are unknown */
};

/* 0 or -EINVAL. */
int dsu_parse_version(const char *s, struct dsu_version *v);

enum dsu_fix {
	DSU_FIX_OTHER_SERIES, /* not the major.minor the fix was made for */
	DSU_FIX_HAS,	      /* at or after the fixed SP/Patch */
	DSU_FIX_LACKS,	      /* before it */
	DSU_FIX_UNKNOWN,      /* same series, but only a build number was given */
};

/* Does V carry the fix released in FIXED (same major.minor, then SP, then Patch)? */
enum dsu_fix dsu_has_fix(const struct dsu_version *v, const struct dsu_version *fixed);
