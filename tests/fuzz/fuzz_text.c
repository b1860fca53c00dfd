/* The escapes of other users' text (core/text.c): whatever the bytes, the escape is valid UTF-8
 * without a control character, the shell word holds nothing a terminal acts on, and a result
 * made of such text is clean once sanitized. */
#include "fuzz.h"
#include "result.h"
#include "text.h"

static void clean(const char *s, bool lines)
{
	if (!hd_utf8_valid(s, strlen(s)))
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(lines && (*p == '\n' || *p == '\t'))) || *p == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), *e, *q, small[32];
	struct hd_result r;

	e = hd_text_escape(s, size); /* bytes after a NUL count too */
	clean(e, false);
	free(e);
	hd_text_escape_to(small, sizeof(small), s, size);
	clean(small, false);
	q = hd_shell_quote(s);
	clean(q, false);
	if (!q[0])
		abort();
	free(q);
	hd_result_init(&r);
	r.summary = fz_str(data, size);
	r.details = fz_str(data, size);
	hd_result_metric(&r, "m", 0, HD_UNIT_NONE)->help = fz_str(data, size);
	hd_result_sanitize(&r);
	clean(r.summary, false);
	clean(r.details, true);
	clean(r.metrics[0].help, false);
	hd_result_free(&r);
	free(s);
	return 0;
}
