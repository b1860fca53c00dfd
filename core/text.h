/* Text that other users control (process names, command lines, file names, log lines) made safe
 * for a terminal, a shell command a person pastes, and JSON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct hd_result;

/* A copy of the N bytes at S that is valid UTF-8 and prints as what it is: control characters
 * (C0, DEL, C1), Unicode direction overrides, and bytes that are not UTF-8 become \xNN (\n, \r,
 * \t by name), a backslash \\ (so an escape is never ambiguous). Always a heap string. */
char *hd_text_escape(const char *s, size_t n);
/* The same into OUT (SIZE bytes, NUL-terminated, cut at a character, never inside an escape).
 * Returns OUT. */
char *hd_text_escape_to(char *out, size_t size, const char *s, size_t n);

/* S as one word of a POSIX shell command: as it is when it holds only [A-Za-z0-9_@%+=:,./-],
 * else in single quotes ('\'' for a quote), or as $'...' with \xNN escapes when it holds bytes a
 * terminal would act on or that are not UTF-8. Never empty (''). Always a heap string. */
char *hd_shell_quote(const char *s);

/* Whether the N bytes at S are valid UTF-8 (no overlong forms, surrogates, or code points above
 * U+10FFFF). */
bool hd_utf8_valid(const char *s, size_t n);

/* Make every text of R valid UTF-8 without control characters (a probe that forgot to escape,
 * or a result read back from a child): the one-line fields (id, summary, tags, names) lose
 * newlines too; details and remedy keep theirs and their tabs. */
void hd_result_sanitize(struct hd_result *r);
