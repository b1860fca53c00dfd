/* Escaping of text other users control: for a terminal, a pasted shell command, and JSON. */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h" /* hd_strv_free */
#include "result.h"
#include "util.h"

/* Length of the UTF-8 sequence at S (at most N bytes) and its code point, or 0 when the bytes
 * are not a valid sequence (overlong, surrogate, above U+10FFFF, cut). */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

bool hd_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	while (n > 0) {
		size_t k = utf8_seq(p, n, &cp);
		if (k == 0)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

/* A code point a terminal acts on or that changes how the text around it is shown. */
static bool unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
	       cp == 0x200f || cp == 0x061c;
}

/* Append the escape of the K bytes at P (an unsafe or invalid sequence). */
static void escape_bytes(struct hd_buf *b, const unsigned char *p, size_t k, uint32_t cp,
			 bool valid)
{
	char e[16];

	if (valid && k == 1 && (cp == '\n' || cp == '\r' || cp == '\t')) {
		hd_buf_add(b, cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : "\\t", 2);
		return;
	}
	if (valid && k > 1) { /* a direction override: name it by its code point */
		snprintf(e, sizeof(e), "\\u%04x", (unsigned)cp);
		hd_buf_add(b, e, strlen(e));
		return;
	}
	for (size_t i = 0; i < k; i++) {
		snprintf(e, sizeof(e), "\\x%02x", p[i]);
		hd_buf_add(b, e, 4);
	}
}

/* Escape S into B; KEEP_NL keeps '\n' and '\t' as they are, BACKSLASH doubles backslashes. */
static void escape_into(struct hd_buf *b, const char *s, size_t n, bool keep_nl, bool backslash)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n > 0) {
		uint32_t cp = 0;
		size_t k = utf8_seq(p, n, &cp);

		if (k == 0) {
			escape_bytes(b, p, 1, 0, false);
			k = 1;
		} else if (keep_nl && k == 1 && (cp == '\n' || cp == '\t')) {
			hd_buf_add(b, (const char *)p, 1);
		} else if (unsafe_cp(cp)) {
			escape_bytes(b, p, k, cp, true);
		} else if (backslash && cp == '\\') {
			hd_buf_add(b, "\\\\", 2);
		} else {
			hd_buf_add(b, (const char *)p, k);
		}
		p += k;
		n -= k;
	}
}

char *hd_text_escape(const char *s, size_t n)
{
	struct hd_buf b = {0};

	escape_into(&b, s ? s : "", s ? n : 0, false, true);
	return hd_buf_steal(&b);
}

char *hd_text_escape_to(char *out, size_t size, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t used = 0;

	if (size == 0)
		return out;
	if (!s)
		n = 0;
	while (n > 0) {
		struct hd_buf one = {0};
		uint32_t cp = 0;
		size_t k = utf8_seq(p, n, &cp);

		/* one character (or one bad byte) at a time, so the cut never splits one */
		escape_into(&one, (const char *)p, k ? k : 1, false, true);
		if (used + one.len + 1 > size) {
			free(one.data);
			break;
		}
		memcpy(out + used, one.data, one.len);
		used += one.len;
		free(one.data);
		k = k ? k : 1;
		p += k;
		n -= k;
	}
	out[used] = '\0';
	return out;
}

char *hd_shell_quote(const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_@%+=:,./-";
	struct hd_buf b = {0};
	size_t n = s ? strlen(s) : 0;
	bool plain = n > 0, ansi = false;

	if (!s)
		s = "";

	for (size_t i = 0; i < n; i++)
		if (!strchr(safe, s[i]))
			plain = false;
	if (plain)
		return hd_xstrdup(s);
	/* bytes a terminal acts on, or that are not UTF-8, cannot be shown inside '...' */
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = utf8_seq((const unsigned char *)s + i, n - i, &cp);
		if (k == 0 || unsafe_cp(cp)) {
			ansi = true;
			break;
		}
		i += k;
	}
	if (!ansi) {
		hd_buf_add(&b, "'", 1);
		for (size_t i = 0; i < n; i++)
			if (s[i] == '\'')
				hd_buf_add(&b, "'\\''", 4);
			else
				hd_buf_add(&b, s + i, 1);
		hd_buf_add(&b, "'", 1);
		return hd_buf_steal(&b);
	}
	/* bash, zsh, ksh and POSIX.1-2024 sh read $'...' with these escapes */
	hd_buf_add(&b, "$'", 2);
	for (size_t i = 0; i < n;) {
		const unsigned char *p = (const unsigned char *)s + i;
		uint32_t cp = 0;
		size_t k = utf8_seq(p, n - i, &cp);
		char e[8];

		if (k == 0 || unsafe_cp(cp)) {
			for (size_t j = 0; j < (k ? k : 1); j++) {
				snprintf(e, sizeof(e), "\\x%02x", p[j]);
				hd_buf_add(&b, e, 4);
			}
		} else if (*p == '\'' || *p == '\\') {
			hd_buf_add(&b, "\\", 1);
			hd_buf_add(&b, (const char *)p, 1);
		} else {
			hd_buf_add(&b, (const char *)p, k);
		}
		i += k ? k : 1;
	}
	hd_buf_add(&b, "'", 1);
	return hd_buf_steal(&b);
}

/* Replace *S by its escape when it holds anything that needs one (backslashes stay: the
 * probe's own text is not escaped twice). */
static void sanitize(char **s, bool keep_nl)
{
	struct hd_buf b = {0};
	bool clean = true;
	size_t n;

	if (!*s)
		return;
	n = strlen(*s);
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = utf8_seq((const unsigned char *)*s + i, n - i, &cp);
		if (k == 0 || (unsafe_cp(cp) && !(keep_nl && (cp == '\n' || cp == '\t')))) {
			clean = false;
			break;
		}
		i += k;
	}
	if (clean)
		return;
	escape_into(&b, *s, n, keep_nl, false);
	free(*s);
	*s = hd_buf_steal(&b);
}

void hd_result_sanitize(struct hd_result *r)
{
	sanitize(&r->id, false);
	sanitize(&r->probe, false);
	sanitize(&r->summary, false);
	sanitize(&r->description, false);
	sanitize(&r->details, true);
	sanitize(&r->remedy, true);
	for (size_t i = 0; i < r->ntags; i++)
		sanitize(&r->tags[i], false);
	for (size_t i = 0; i < r->nmetrics; i++) {
		sanitize(&r->metrics[i].name, false);
		sanitize(&r->metrics[i].help, false);
		sanitize(&r->metrics[i].label, false);
		sanitize(&r->metrics[i].label_value, false);
	}
	/* a command's argument is a value, not text: one a terminal would act on, or not UTF-8,
	 * cannot be given as it is; escaped, it is no longer that argument: the command is dropped
	 * (the remedy's text still says what to do) */
	for (size_t i = 0; i < r->ncommands;) {
		bool clean = true;

		for (char **a = r->commands[i]; a && *a; a++) {
			char *copy = hd_xstrdup(*a);
			sanitize(&copy, false);
			clean &= strcmp(copy, *a) == 0;
			free(copy);
		}
		if (clean) {
			i++;
			continue;
		}
		hd_strv_free(r->commands[i]);
		memmove(&r->commands[i], &r->commands[i + 1],
			(r->ncommands - i - 1) * sizeof(*r->commands));
		r->ncommands--;
	}
	for (size_t i = 0; i < r->nfiles; i++)
		sanitize(&r->files[i], false);
	for (size_t i = 0; i < r->npackages; i++)
		sanitize(&r->packages[i], false);
	for (size_t i = 0; i < r->nunits; i++)
		sanitize(&r->units[i], false);
	sanitize(&r->severity, false);
}
