/* Writes hostdoctor-probes(7) in scdoc from the probe table itself, so the reference of every
 * probe's parameters, defaults and metrics is rebuilt with the code and cannot drift from it. */
#include <stdio.h>
#include <string.h>

#include "probe_ref.h"
#include "probes.h"

#ifndef HD_DOCDIR
#define HD_DOCDIR "/usr/share/doc/hostdoctor"
#endif
#ifndef HD_VERSION
#define HD_VERSION "0.0.0"
#endif

/* scdoc text: *, _ and \ are markup unless escaped. */
static void text(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '*' || *s == '_' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void probe(FILE *out, const struct hd_probe *pr)
{
	fprintf(out, "## %s\n\n", pr->name);
	text(out, pr->summary);
	fputs(".\n\n", out);
	if (pr->metrics && pr->metrics[0].name) {
		fputs("Thresholds apply to *", out);
		text(out, pr->metrics[0].name);
		fputs("* unless a check names another *metric*: ", out);
		if (pr->default_warning || pr->default_critical) {
			fputs("by default warning *", out);
			text(out, pr->default_warning ? pr->default_warning : "none");
			fputs("*, critical *", out);
			text(out, pr->default_critical ? pr->default_critical : "none");
			fputs("*.\n\n", out);
		} else {
			fputs("none by default.\n\n", out);
		}
	}
	fputs("Parameters:\n\n", out);
	if (!pr->params || !pr->params[0].key)
		fputs("\tnone\n\n", out);
	for (const struct hd_param *p = pr->params; p && p->key; p++) {
		char tb[256];

		fputs("*", out);
		text(out, p->key);
		fputs("* (", out);
		text(out, hd_param_type_text(p, tb, sizeof(tb)));
		if (p->required)
			fputs("; required", out);
		else if (p->def && *p->def) {
			fputs("; default ", out);
			text(out, p->def);
		} else if (p->def)
			fputs("; default empty", out);
		else
			fputs("; no default", out);
		fputs(")\n\t", out);
		text(out, p->help ? p->help : "");
		fputs("\n\n", out);
	}
	fputs("Metrics:\n\n", out);
	for (const struct hd_metric_doc *m = pr->metrics; m && m->name; m++) {
		fputs("*", out);
		text(out, m->name);
		fputs(m == pr->metrics ? "* (primary)\n\t" : "*\n\t", out);
		text(out, m->help ? m->help : "");
		fputs("\n\n", out);
	}
	fprintf(out, "More: _" HD_DOCDIR "/probes/%s.md_.\n\n", pr->name);
}

int main(void)
{
	FILE *out = stdout;

	fputs("hostdoctor-probes(7)\n\n"
	      "# NAME\n\n"
	      "hostdoctor-probes - the probe types of hostdoctor, their parameters and metrics\n\n"
	      "# DESCRIPTION\n\n"
	      "A check in _checks.d_ (see *hostdoctor.conf*(5)) names a probe type with *probe =* "
	      "and sets the probe's parameters as keys beside the keys every check accepts. This "
	      "page lists every probe type of hostdoctor " HD_VERSION
	      ": what it looks at, its parameters (type, default, meaning), its default thresholds "
	      "and its metrics. It is generated from the probe table when hostdoctor is built; "
	      "*hostdoctor list --probes* prints the same (*-f json* for programs).\n\n"
	      "The first metric of each probe is the primary one: a check's *warning* and "
	      "*critical* ranges apply to it. Percentages are 0..100. In the Prometheus output a "
	      "metric is named hostdoctor\\_PROBE\\_METRIC with a unit suffix "
	      "(\\_ratio, \\_bytes, \\_seconds, \\_total).\n\n"
	      "# PROBES\n\n",
	      out);
	for (size_t i = 0; hd_probes[i]; i++)
		probe(out, hd_probes[i]);
	fputs("# SEE ALSO\n\n*hostdoctor*(1), *hostdoctor.conf*(5)\n", out);
	return ferror(out) || fflush(out) ? 1 : 0;
}
