/* libinih over a byte buffer, one whole line per read, counting lines so every key has its line. */
#pragma once

#include <ini.h>
#include <stdbool.h>
#include <stddef.h>

#define HD_INI_MAX_LINE 8192

struct hd_ini_lines {
	const char *bytes;
	size_t len, pos;
	int lineno;	   /* the line last read: the one the handler is called for */
	int section_line;  /* the line of the last [section] header */
	bool continuation; /* the line last read is indented (a continued value) */
	bool overlong;	   /* a line of HD_INI_MAX_LINE - 3 bytes or more, or one holding a NUL */
	/* A product's file rather than ours: such a line is passed over (never cut in two, which
	 * would make its tail a line of its own), and parsing goes on after a line inih refuses. */
	bool lenient;
};

/* Parse L's bytes with HANDLER (stops at the first error). INLINE_COMMENTS: whether " ;" starts
 * a comment. Returns what ini_parse_stream() does: 0, the first line it could not take (or the
 * handler refused), -1 out of memory; L->overlong tells a line that was too long. */
/* Report an error once: "NAME:LINE: message" into ERR, unless *FAILED is already set. */
void hd_ini_fail(char *err, size_t errsize, bool *failed, const char *name, int line,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

int hd_ini_run(struct hd_ini_lines *l, bool inline_comments, ini_handler handler, void *user);
