/* Command line of hostdoctor: doctor, nagios, preflight and list over one engine. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "catalog.h"
#include "config.h"
#include "evidence.h"
#include "explain.h"
#include "log_state.h"
#include "paths.h"
#include "probe_ref.h"
#include "render.h"
#include "runner.h"
#include "util.h"

#ifndef HD_VERSION
#define HD_VERSION "0.0.0"
#endif
#ifndef HD_SYSCONF_CHECKS_DIR
#define HD_SYSCONF_CHECKS_DIR "/etc/hostdoctor/checks.d"
#endif

enum mode { M_DOCTOR, M_NAGIOS, M_PREFLIGHT, M_LIST, M_EXPLAIN };

/* One -o FILE and the format it is written in: the last -f before it, else the last -f. */
struct output {
	const char *path;
	enum hd_format format;
	bool format_set;
};

struct opts {
	enum mode mode;
	char **dirs;
	size_t ndirs;
	char *root;
	char **only, **skip;
	size_t nonly, nskip;
	enum hd_format format;
	bool format_set;
	struct output *outputs;
	size_t noutputs;
	bool exit_zero;
	bool probes;
	const char *warning, *critical;
	double timeout;
	enum hd_status timeout_state;
	int jobs;
	int verbose;
	const char *profile;
	char **args;
	size_t nargs;
	const char *state_name;
	/* explain's sources */
	char **files, **units;
	size_t nfiles, nunits;
	bool journal;
	const char *since;
	const char *state_dir; /* where watch keeps its evidence (doctor, explain) */
};

static void usage(FILE *out)
{
	fputs(
	    "Usage:\n"
	    "  hostdoctor [doctor] [OPTIONS]                 run every enabled check; report for a "
	    "person\n"
	    "  hostdoctor nagios [OPTIONS] CHECK [CHECK...]  Nagios/Icinga plugin\n"
	    "  hostdoctor preflight --profile NAME [OPTIONS] readiness: exit 0 ready, 1 blocked\n"
	    "  hostdoctor list [OPTIONS]                     id, probe, tags, description of every "
	    "check\n"
	    "  hostdoctor list --probes [-f json]            every probe type: parameters, "
	    "defaults, "
	    "metrics\n"
	    "  hostdoctor baseline save|show|diff [--name NAME]  record what a healthy host runs; "
	    "compare\n"
	    "  hostdoctor explain [OPTIONS] [\"LOG LINE\"...]   what catalogued messages mean "
	    "(lines from\n"
	    "                                                stdin when none given); runs the "
	    "checks of\n"
	    "                                                their causes; exit 1 when nothing "
	    "matched\n"
	    "  hostdoctor explain --journal [--unit U] [--since TIME] | --file PATH\n"
	    "                                                the same over the journal or a log "
	    "file\n"
	    "  hostdoctor watch [OPTIONS]                    follow the products' logs; run the "
	    "checks of a\n"
	    "                                                catalogued message's cause at once, "
	    "keep the\n"
	    "                                                evidence (watch --help)\n"
	    "  hostdoctor evidence list|show ID              the evidence watch kept\n"
	    "\n"
	    "Options:\n"
	    "  -d, --checks-dir DIR     read DIR/*.conf (repeatable; default " HD_SYSCONF_CHECKS_DIR
	    ")\n"
	    "  -r, --root DIR           read /proc, /sys, /etc, /var, /opt ... under DIR\n"
	    "      --only ID|TAG        run only these checks (repeatable)\n"
	    "      --skip ID|TAG        leave these checks out (repeatable)\n"
	    "  -p, --profile NAME       preflight: the product profile (a tag)\n"
	    "  -f, --format FMT         doctor, nagios, json or prometheus\n"
	    "  -o, --output FILE        write the report to FILE atomically (temp file + rename);\n"
	    "                           repeatable, each FILE in the format of the -f before it\n"
	    "      --exit-zero          exit 0 once the report is written, whatever the checks "
	    "found\n"
	    "                           (3 still means hostdoctor failed: usage, configuration, "
	    "output)\n"
	    "      --probes             list: the probe types instead of the checks\n"
	    "  -w, --warning RANGE      override the warning range of the primary metric (nagios, "
	    "one CHECK)\n"
	    "  -c, --critical RANGE     override the critical range of the primary metric (nagios, "
	    "one CHECK)\n"
	    "  -t, --timeout SECONDS[:STATE]  deadline of the whole run; unfinished checks get "
	    "STATE (UNKNOWN)\n"
	    "  -j, --jobs N             checks run at once (default 4)\n"
	    "      --state-name NAME    whose position log-scan keeps (default: the mode, or "
	    "prometheus)\n"
	    "      --journal            explain: read the journal (under --root: its files)\n"
	    "      --unit UNIT          explain --journal: only this unit (repeatable)\n"
	    "      --since TIME         explain --journal: from TIME (YYYY-MM-DD [HH:MM], "
	    "today, -2h)\n"
	    "      --file PATH          explain: read this log file, plain or gzip "
	    "(repeatable)\n"
	    "      --state-dir DIR      doctor, explain: the evidence of watch there (default "
	    "/var/lib/hostdoctor)\n"
	    "  -v, --verbose            more detail (repeatable)\n"
	    "  -h, --help               this text\n"
	    "  -V, --version            the version\n"
	    "\n"
	    "Exit: doctor and nagios give the worst state (0 OK, 1 WARNING, 2 CRITICAL, 3 "
	    "UNKNOWN);\n"
	    "preflight gives 0 when ready and 1 when blocked; bad usage or configuration gives "
	    "3.\n",
	    out);
}

/* Usage and configuration errors: exit 3, on stdout as UNKNOWN in nagios mode. */
static int fatal(const struct opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fatal(const struct opts *o, const char *fmt, ...)
{
	va_list ap;
	FILE *out = o->mode == M_NAGIOS ? stdout : stderr;

	fputs(o->mode == M_NAGIOS ? "HOSTDOCTOR UNKNOWN: " : "hostdoctor: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	return 3;
}

static void push(char ***v, size_t *n, const char *s)
{
	*v = hd_xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = hd_xstrdup(s);
	(*v)[*n] = NULL;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int parse_timeout(const char *s, double *secs, enum hd_status *state)
{
	_cleanup_free_ char *copy = hd_xstrdup(s);
	char *colon = strchr(copy, ':');

	*state = HD_UNKNOWN;
	if (colon) {
		*colon = '\0';
		if (hd_status_parse(colon + 1, state) < 0 || *state == HD_SKIPPED)
			return -EINVAL;
	}
	if (hd_parse_num(copy, secs) < 0 || *secs <= 0 || *secs > 86400)
		return -EINVAL;
	return 0;
}

const char *hd_default_checks_dir(void)
{
#if defined(HD_BUILD_DIR) && defined(HD_SOURCE_CHECKS_DIR)
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t bl = strlen(HD_BUILD_DIR);

	if (n > 0) {
		exe[n] = '\0';
		if (strncmp(exe, HD_BUILD_DIR, bl) == 0 && exe[bl] == '/')
			return HD_SOURCE_CHECKS_DIR;
	}
#endif
	return HD_SYSCONF_CHECKS_DIR;
}

static bool selected_by(const struct hd_check *c, char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c->id, names[i]) == 0 || hd_check_has_tag(c, names[i]))
			return true;
	return false;
}

/* Write to a temp file beside PATH and rename it over PATH. */
static FILE *open_atomic(const char *path, char **tmp)
{
	int fd;

	*tmp = hd_asprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	fchmod(fd, 0644);
	FILE *f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

/* Every -o FILE: each rendered into a temp file beside it, and only when all of them were
 * written completely are they renamed into place. 0, or the exit code of the failure. */
static int write_outputs(const struct opts *o, const struct hd_report *rep,
			 const struct hd_render_opts *rop)
{
	char **tmp = hd_xcalloc(o->noutputs, sizeof(*tmp));
	int rc = 0;

	for (size_t i = 0; i < o->noutputs && rc == 0; i++) {
		const char *path = o->outputs[i].path;
		FILE *out = open_atomic(path, &tmp[i]);
		bool bad;

		if (!out) {
			int e = errno;
			if (tmp[i])
				unlink(tmp[i]); /* made, then fdopen failed; or never made */
			free(tmp[i]);
			tmp[i] = NULL;
			rc = fatal(o, "%s: cannot write: %s", path, strerror(e));
			break;
		}
		hd_render(out, o->outputs[i].format, rep, rop);
		bad = fflush(out) != 0 || fsync(fileno(out)) != 0;
		bad |= fclose(out) != 0;
		if (bad)
			rc = fatal(o, "%s: cannot write: %s", path, strerror(errno));
	}
	for (size_t i = 0; i < o->noutputs && rc == 0; i++)
		if (rename(tmp[i], o->outputs[i].path) < 0)
			rc = fatal(o, "%s: cannot write: %s", o->outputs[i].path, strerror(errno));
	for (size_t i = 0; i < o->noutputs; i++) {
		if (rc != 0 && tmp[i])
			unlink(tmp[i]);
		free(tmp[i]);
	}
	free(tmp);
	return rc;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"checks-dir", required_argument, NULL, 'd'},
	    {"root", required_argument, NULL, 'r'},
	    {"only", required_argument, NULL, 1},
	    {"skip", required_argument, NULL, 2},
	    {"profile", required_argument, NULL, 'p'},
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"warning", required_argument, NULL, 'w'},
	    {"critical", required_argument, NULL, 'c'},
	    {"timeout", required_argument, NULL, 't'},
	    {"jobs", required_argument, NULL, 'j'},
	    {"exit-zero", no_argument, NULL, 3},
	    {"probes", no_argument, NULL, 4},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"state-name", required_argument, NULL, 0x101},
	    {"journal", no_argument, NULL, 0x102},
	    {"unit", required_argument, NULL, 0x103},
	    {"since", required_argument, NULL, 0x104},
	    {"file", required_argument, NULL, 0x105},
	    {"state-dir", required_argument, NULL, 0x106},
	    {0},
	};
	int ch;

	if (argc > 1 && argv[1][0] != '-') {
		if (strcmp(argv[1], "doctor") == 0)
			o->mode = M_DOCTOR;
		else if (strcmp(argv[1], "nagios") == 0)
			o->mode = M_NAGIOS;
		else if (strcmp(argv[1], "preflight") == 0)
			o->mode = M_PREFLIGHT;
		else if (strcmp(argv[1], "list") == 0)
			o->mode = M_LIST;
		else if (strcmp(argv[1], "explain") == 0)
			o->mode = M_EXPLAIN;
		else
			return fatal(o,
				     "unknown mode '%s' (doctor, nagios, preflight, list, "
				     "explain, baseline, watch, evidence); see --help",
				     argv[1]);
		argv++;
		argc--;
	}
	o->format = o->mode == M_NAGIOS ? HD_FMT_NAGIOS : HD_FMT_DOCTOR;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":d:r:p:f:o:w:c:t:j:vhV", longopts, NULL)) != -1) {
		int64_t n;

		switch (ch) {
		case 'd': push(&o->dirs, &o->ndirs, optarg); break;
		case 'r':
			free(o->root);
			o->root = hd_xstrdup(optarg);
			break;
		case 1: push(&o->only, &o->nonly, optarg); break;
		case 2: push(&o->skip, &o->nskip, optarg); break;
		case 'p': o->profile = optarg; break;
		case 'f':
			if (hd_format_parse(optarg, &o->format) < 0)
				return fatal(
				    o, "unknown format '%s' (doctor, nagios, json, prometheus)",
				    optarg);
			o->format_set = true;
			break;
		case 'o':
			o->outputs =
			    hd_xrealloc(o->outputs, (o->noutputs + 1) * sizeof(*o->outputs));
			o->outputs[o->noutputs++] = (struct output){
			    .path = optarg, .format = o->format, .format_set = o->format_set};
			break;
		case 3: o->exit_zero = true; break;
		case 4: o->probes = true; break;
		case 'w': o->warning = optarg; break;
		case 'c': o->critical = optarg; break;
		case 't':
			if (parse_timeout(optarg, &o->timeout, &o->timeout_state) < 0)
				return fatal(o,
					     "--timeout '%s': expected SECONDS[:STATE], e.g. 10 or "
					     "10:CRITICAL",
					     optarg);
			break;
		case 'j':
			if (hd_parse_int(optarg, &n) < 0 || n < 1 || n > 256)
				return fatal(o, "--jobs '%s': expected a number from 1 to 256",
					     optarg);
			o->jobs = (int)n;
			break;
		case 'v': o->verbose++; break;
		case 0x101:
			if (!hd_state_reader_valid(optarg))
				return fatal(o,
					     "--state-name '%s': 1 to 64 of A-Z a-z 0-9 . _ -, not "
					     "starting with '.'",
					     optarg);
			o->state_name = optarg;
			break;
		case 0x102: o->journal = true; break;
		case 0x103: push(&o->units, &o->nunits, optarg); break;
		case 0x104: o->since = optarg; break;
		case 0x105: push(&o->files, &o->nfiles, optarg); break;
		case 0x106: o->state_dir = optarg; break;
		case 'h': usage(stdout); return -1;
		case 'V': printf("hostdoctor %s\n", HD_VERSION); return -1;
		case ':':
			return fatal(o, "option '%s' needs a value; see --help", argv[optind - 1]);
		default: return fatal(o, "unknown option '%s'; see --help", argv[optind - 1]);
		}
	}
	for (int i = optind; i < argc; i++)
		push(&o->args, &o->nargs, argv[i]);
	if (o->mode != M_NAGIOS && o->mode != M_EXPLAIN && o->nargs)
		return fatal(o, "unexpected argument '%s'; see --help", o->args[0]);
	if (o->mode != M_EXPLAIN && (o->journal || o->nunits || o->since || o->nfiles))
		return fatal(o, "--journal, --unit, --since and --file are options of explain");
	if (o->state_dir && o->mode != M_DOCTOR && o->mode != M_EXPLAIN)
		return fatal(o, "--state-dir goes with doctor and explain (and watch, evidence)");
	if ((o->nunits || o->since) && !o->journal)
		return fatal(o, "--unit and --since go with --journal");
	if (o->mode == M_NAGIOS && o->nargs == 0)
		return fatal(
		    o, "nagios mode needs at least one CHECK id; 'hostdoctor list' shows them");
	if ((o->warning || o->critical) && !(o->mode == M_NAGIOS && o->nargs == 1))
		return fatal(o, "-w/-c apply to one check in nagios mode");
	if (o->mode == M_PREFLIGHT && !o->profile)
		return fatal(o, "preflight needs --profile NAME (a product tag, e.g. fsigk)");
	if (o->root) {
		size_t l = strlen(o->root);
		while (l > 1 && o->root[l - 1] == '/')
			o->root[--l] = '\0';
		if (strcmp(o->root, "/") == 0)
			o->root[0] = '\0';
		/* a mistyped root would report on nothing and call it healthy */
		struct stat st;
		if (*o->root && stat(o->root, &st) < 0)
			return fatal(o, "--root %s: %s", o->root, strerror(errno));
		if (*o->root && !S_ISDIR(st.st_mode))
			return fatal(o, "--root %s: not a directory", o->root);
	}
	if (o->probes && o->mode != M_LIST)
		return fatal(o, "--probes goes with the list mode: hostdoctor list --probes");
	for (size_t i = 0; i < o->noutputs; i++) {
		struct output *w = &o->outputs[i];
		/* -o replaces a regular file only: never a device, FIFO, symlink or directory */
		struct stat st;
		if (lstat(w->path, &st) == 0 && !S_ISREG(st.st_mode))
			return fatal(
			    o,
			    "-o %s: not a regular file (only a regular file or a new name is "
			    "replaced)",
			    w->path);
		for (size_t k = 0; k < i; k++)
			if (strcmp(o->outputs[k].path, w->path) == 0)
				return fatal(o, "-o %s given twice", w->path);
		if (!w->format_set)
			w->format = o->format;
	}
	return 0;
}

/* Is a report for a person written (doctor format, to stdout or an -o)? */
static bool doctor_text(const struct opts *o)
{
	if (!o->noutputs)
		return o->format == HD_FMT_DOCTOR;
	for (size_t i = 0; i < o->noutputs; i++)
		if (o->outputs[i].format == HD_FMT_DOCTOR)
			return true;
	return false;
}

static int list_checks(const struct opts *o, struct hd_check **sel, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct hd_check *c = sel[i];
		printf("%-28s %-16s ", c->id, c->probe->name);
		char tags[256] = "-";
		size_t off = 0;
		for (size_t t = 0; t < c->ntags && off < sizeof(tags); t++)
			off += (size_t)snprintf(tags + off, sizeof(tags) - off, "%s%s",
						t ? "," : "", c->tags[t]);
		printf("%-26s %s%s\n", tags, c->description ? c->description : "",
		       c->enabled ? "" : " (disabled)");
		if (o->verbose)
			for (size_t k = 0; k < c->nparams; k++)
				printf("    %s = %s   (%s:%d)\n", c->params[k].key,
				       c->params[k].value, c->params[k].file, c->params[k].line);
	}
	return 0;
}

int hd_main(int argc, char **argv, const struct hd_probe *const *table)
{
	struct opts o = {
	    .timeout = HD_DEFAULT_TIMEOUT, .timeout_state = HD_UNKNOWN, .jobs = HD_DEFAULT_JOBS};
	struct hd_config cfg = {0};
	struct hd_check **sel = NULL;
	struct hd_result *results = NULL;
	size_t nsel = 0;
	char err[1024];
	int rc = parse_args(argc, argv, &o);

	if (rc != 0) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	if (o.probes) {
		if (o.format == HD_FMT_JSON)
			hd_probe_ref_json(stdout, table);
		else
			hd_probe_ref_text(stdout, table);
		goto out;
	}
	if (o.ndirs == 0)
		push(&o.dirs, &o.ndirs, hd_default_checks_dir());
	for (size_t i = 0; i < o.ndirs; i++)
		if (hd_config_load_dir(&cfg, o.dirs[i], table, err, sizeof(err)) < 0) {
			rc = fatal(&o, "%s", err);
			goto out;
		}

	sel = hd_xcalloc(cfg.n + 1, sizeof(*sel));
	if (o.mode == M_EXPLAIN) {
		char **ids = NULL;
		struct hd_ctx ectx = {.root = o.root ? o.root : "",
				      .deadline = hd_now() + 1e9, /* as long as it takes */
				      .privileged = geteuid() == 0};
		struct hd_explain_opts eo = {.catalog_dir = hd_catalog_default_dir(),
					     .args = o.args,
					     .nargs = o.nargs,
					     .files = o.files,
					     .nfiles = o.nfiles,
					     .journal = o.journal,
					     .units = o.units,
					     .nunits = o.nunits,
					     .since = o.since,
					     .in = stdin,
					     .ctx = &ectx,
					     .evidence_dfd = -1};
		char sdir[4096], why[512];
		int found;

		/* what watch found when each message last appeared, where there is evidence */
		hd_evidence_state_dir(ectx.root, o.state_dir, sdir, sizeof(sdir));
		eo.evidence_dfd = hd_evidence_open(sdir, false, why, sizeof(why));
		found = hd_explain(&eo, stdout, &ids, err, sizeof(err));
		if (eo.evidence_dfd >= 0)
			close(eo.evidence_dfd);
		if (found < 0) {
			hd_strv_free(ids);
			rc = fatal(&o, "%s", err);
			goto out;
		}
		if (found == 0) {
			hd_strv_free(ids);
			printf("No catalogued message matches.\n");
			rc = 1;
			goto out;
		}
		/* the checks of the causes, by name, enabled or not */
		for (char **id = ids; *id; id++) {
			struct hd_check *c = hd_config_find(&cfg, *id);
			if (c)
				sel[nsel++] = c;
		}
		hd_strv_free(ids);
		if (nsel == 0) {
			rc = 0;
			goto out;
		}
		printf("The checks of these causes on this host:\n\n");
		fflush(stdout);
	} else if (o.mode == M_NAGIOS) {
		for (size_t i = 0; i < o.nargs; i++) {
			struct hd_check *c = hd_config_find(&cfg, o.args[i]);
			if (!c) {
				rc = fatal(
				    &o,
				    "no check named '%s' in %s%s ('hostdoctor list' shows them)",
				    o.args[i], o.dirs[0], o.ndirs > 1 ? " and the other dirs" : "");
				goto out;
			}
			sel[nsel++] = c;
		}
	} else {
		for (size_t i = 0; i < cfg.n; i++) {
			struct hd_check *c = &cfg.checks[i];
			if (o.mode == M_PREFLIGHT && !hd_check_has_tag(c, o.profile))
				continue;
			if (o.nonly && !selected_by(c, o.only, o.nonly))
				continue;
			if (selected_by(c, o.skip, o.nskip))
				continue;
			/* disabled checks run only when asked for by name, tag or profile */
			if (!c->enabled && o.mode != M_LIST && o.mode != M_PREFLIGHT &&
			    !(o.nonly && selected_by(c, o.only, o.nonly)))
				continue;
			sel[nsel++] = c;
		}
	}
	if (o.warning && hd_check_set_threshold(sel[0], 0, o.warning, err, sizeof(err)) < 0) {
		rc = fatal(&o, "%s", err);
		goto out;
	}
	if (o.critical && hd_check_set_threshold(sel[0], 1, o.critical, err, sizeof(err)) < 0) {
		rc = fatal(&o, "%s", err);
		goto out;
	}
	if (o.mode == M_LIST) {
		rc = list_checks(&o, sel, nsel);
		goto out;
	}
	if (o.mode == M_PREFLIGHT && nsel == 0) {
		rc = fatal(&o, "no checks carry the tag '%s' ('hostdoctor list' shows the tags)",
			   o.profile);
		goto out;
	}

	{
		struct hd_run_opts ro = {.jobs = o.jobs,
					 .timeout = o.timeout,
					 .timeout_state = o.timeout_state,
					 .check_timeout = HD_DEFAULT_CHECK_TIMEOUT,
					 .root = o.root ? o.root : "",
					 .verbose = o.verbose,
					 .reader = o.state_name};
		struct hd_report rep = {0};
		struct hd_render_opts rop = {.verbose = o.verbose};
		struct hd_note *notes = NULL;
		size_t nnotes = 0;
		char host[256] = "localhost";
		double t0 = hd_now();
		_cleanup_free_ char *hostfile = NULL;

		/* each consumer counts every log line once for itself */
		if (!ro.reader)
			ro.reader = o.format == HD_FMT_PROMETHEUS ? "prometheus"
				    : o.mode == M_NAGIOS	  ? "nagios"
				    : o.mode == M_PREFLIGHT	  ? "preflight"
				    : o.mode == M_EXPLAIN	  ? "explain"
								  : "doctor";
		results = hd_xcalloc(nsel + 1, sizeof(*results));
		hd_run_checks(sel, nsel, &ro, results);
		rep.results = results;
		rep.n = nsel;
		rep.when = time(NULL);
		rep.duration = hd_now() - t0;
		rep.mode = o.mode == M_NAGIOS	   ? "nagios"
			   : o.mode == M_PREFLIGHT ? "preflight"
						   : "doctor";
		rep.profile = o.profile;
		/* the host name of the host looked at, so a fixture root reports as itself */
		char hostpath[4096];
		if (o.root && *o.root &&
		    hd_path(&(struct hd_ctx){.root = o.root}, "/etc/hostname", hostpath,
			    sizeof(hostpath)) == 0 &&
		    hd_read_regular(hostpath, &hostfile, NULL, 256) == 0 && *hostfile)
			snprintf(host, sizeof(host), "%.*s", (int)strcspn(hostfile, "\n"),
				 hostfile);
		else
			gethostname(host, sizeof(host) - 1);
		rep.host = host;
		if (o.mode == M_DOCTOR && doctor_text(&o)) {
			/* the evidence watch kept for these checks in the last day */
			char sdir[4096], why[512];
			int efd;
			hd_evidence_state_dir(ro.root, o.state_dir, sdir, sizeof(sdir));
			efd = hd_evidence_open(sdir, false, why, sizeof(why));
			if (efd >= 0) {
				nnotes = hd_evidence_notes(efd, results, nsel, 86400, o.verbose > 0,
							   &notes);
				close(efd);
			}
			rep.notes = notes;
			rep.nnotes = nnotes;
		}

		if (o.noutputs) {
			rc = write_outputs(&o, &rep, &rop);
			if (rc != 0)
				goto out;
		} else {
			const char *nc = getenv("NO_COLOR");
			rop.color = isatty(STDOUT_FILENO) && !(nc && *nc) && getenv("TERM") &&
				    strcmp(getenv("TERM"), "dumb") != 0;
			hd_render(stdout, o.format, &rep, &rop);
		}
		hd_evidence_notes_free(notes, nnotes);
		if (o.exit_zero)
			rc = 0; /* the states are in the report; only a failure of our own counts */
		else if (o.mode == M_EXPLAIN)
			rc = 0; /* matched: the checks' states are information here */
		else if (o.mode == M_PREFLIGHT)
			rc = hd_report_blockers(&rep) ? 1 : 0;
		else
			rc = hd_status_exit(hd_report_worst(&rep));
	}
out:
	for (size_t i = 0; results && i < nsel; i++)
		hd_result_free(&results[i]);
	free(results);
	free(sel);
	hd_config_free(&cfg);
	free_strs(o.dirs, o.ndirs);
	free_strs(o.only, o.nonly);
	free_strs(o.skip, o.nskip);
	free_strs(o.args, o.nargs);
	free_strs(o.files, o.nfiles);
	free_strs(o.units, o.nunits);
	free(o.root);
	free(o.outputs);
	fflush(stdout);
	return rc;
}
