/* node-problem-detector custom plugin output: one line of at most 80 bytes leading with the check
 * and its problem, and the exit code NPD reads (0 OK, 1 problem, other: Unknown). */
#include <string.h>

#include "render.h"
#include "cleanup.h"
#include "util.h"

/* Length of at most MAX bytes of S that does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static void one_line(struct hd_buf *b, const char *s)
{
	for (; s && *s; s++)
		hd_buf_add(b, *s == '\n' || *s == '\r' || *s == '\t' ? " " : s, 1);
}

void hd_render_npd(FILE *out, const struct hd_report *rep, const struct hd_render_opts *o)
{
	enum hd_status worst = hd_report_worst(rep);
	const struct hd_result *lead = NULL;
	size_t problems = 0;
	struct hd_buf head = {0}, body = {0};
	char tail[48] = "";
	_cleanup_free_ char *h = NULL, *text = NULL;

	(void)o;
	for (size_t i = 0; i < rep->n; i++) {
		const struct hd_result *r = &rep->results[i];
		if (r->status == HD_OK || r->status == HD_SKIPPED)
			continue;
		problems++;
		if (!lead && r->status == worst)
			lead = r;
	}
	if (lead) {
		hd_buf_printf(&head, "%s %s: ", lead->id, hd_status_name(lead->status));
		one_line(&body, lead->summary);
		if (problems > 1)
			snprintf(tail, sizeof(tail), " (+%zu more)", problems - 1);
	} else if (rep->n == 1) {
		hd_buf_printf(&head, "%s %s: ", rep->results[0].id,
			      hd_status_name(rep->results[0].status));
		one_line(&body, rep->results[0].summary);
	} else {
		hd_buf_printf(&head, "hostdoctor OK: ");
		hd_buf_printf(&body, "%zu checks, no problem", rep->n);
	}
	h = hd_buf_steal(&head);
	text = hd_buf_steal(&body);
	{
		size_t hl = strlen(h), tl = strlen(tail), room;

		if (hl + tl >= HD_NPD_MAX) {
			/* a very long check id: the id alone, cut */
			fprintf(out, "%.*s\n", (int)utf8_cut(h, HD_NPD_MAX), h);
			return;
		}
		room = HD_NPD_MAX - hl - tl;
		if (strlen(text) > room) {
			size_t keep = utf8_cut(text, room > 3 ? room - 3 : 0);
			fprintf(out, "%s%.*s...%s\n", h, (int)keep, text, tail);
		} else {
			fprintf(out, "%s%s%s\n", h, text, tail);
		}
	}
}

int hd_npd_exit(const struct hd_report *rep)
{
	switch (hd_report_worst(rep)) {
	case HD_OK:
	case HD_SKIPPED: return 0;
	case HD_WARNING:
	case HD_CRITICAL: return 1;
	case HD_UNKNOWN: return 3;
	}
	return 3;
}
