/* Command line of hostdoctor: doctor, nagios, preflight, list and explain over one engine. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "catalog.h"
#include "cleanup.h"
#include "cli_help.h"
#include "config.h"
#include "evidence.h"
#include "explain.h"
#include "log_state.h"
#include "paths.h"
#include "probe_ref.h"
#include "render.h"
#include "result_json.h"
#include "runner.h"
#include "text.h"
#include "textfile.h"
#include "util.h"

#ifndef HD_VERSION
#define HD_VERSION "0.0.0"
#endif
#ifndef HD_SYSCONF_CHECKS_DIR
#define HD_SYSCONF_CHECKS_DIR "/etc/hostdoctor/checks.d"
#endif

enum mode { M_DOCTOR, M_NAGIOS, M_PREFLIGHT, M_LIST, M_EXPLAIN };
static const char *const mode_names[] = {"doctor", "nagios", "preflight", "list", "explain"};

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
	char **sets; /* --set KEY=VALUE */
	size_t nsets;
	const char *probe; /* nagios --probe */
	bool done;	   /* --help or --version: exit with the code returned */
	/* run by sudo for another user: root for the checks, not for files named on the command
	 * line (-o, -d, --root) */
	const char *sudo_uid;
	const char *state_name;
	unsigned memory_mb; /* --memory-limit */
	/* explain's sources */
	char **files, **units;
	size_t nfiles, nunits;
	bool journal;
	const char *since;
	const char *state_dir; /* where watch keeps its evidence (doctor, explain) */
};

/* Usage and configuration errors: exit 3; on stdout where a program reads the output (UNKNOWN
 * status line for a Nagios caller, an error document in JSON, one line for NPD). */
static int fatal(const struct opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fatal(const struct opts *o, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *msg = NULL;

	va_start(ap, fmt);
	msg = hd_vasprintf(fmt, ap);
	va_end(ap);
	switch (o->format) {
	case HD_FMT_JSON: hd_render_json_error(stdout, mode_names[o->mode], msg); break;
	case HD_FMT_NPD: {
		_cleanup_free_ char *line = hd_asprintf("hostdoctor UNKNOWN: %s", msg);
		size_t n = strlen(line);
		if (n > HD_NPD_MAX) {
			n = HD_NPD_MAX;
			while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80)
				n--;
		}
		printf("%.*s\n", (int)n, line);
		break;
	}
	case HD_FMT_NAGIOS: printf("HOSTDOCTOR UNKNOWN: %s\n", msg); break;
	default: fprintf(stderr, "hostdoctor: %s\n", msg); break;
	}
	return 3;
}

/* The format asked for, looked up before anything can fail, so even an error in the
 * arguments comes out the way the caller reads output. */
static void prescan_format(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--") == 0)
			break;
		if ((strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--format") == 0) &&
		    i + 1 < argc)
			v = argv[i + 1];
		else if (strncmp(argv[i], "--format=", 9) == 0)
			v = argv[i] + 9;
		else if (strncmp(argv[i], "-f", 2) == 0 && argv[i][2])
			v = argv[i] + 2;
		if (v)
			hd_format_parse(v, &o->format);
	}
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

/* ---- ending a run early: a signal, or memory running out in this process ---- */

/* What the handlers need, set before a run starts: async-signal-safe reads only. */
static volatile sig_atomic_t term_nagios;   /* print the one UNKNOWN line on stdout */
static volatile sig_atomic_t term_reported; /* the report is out: exit with its code */
static volatile sig_atomic_t term_rc;
/* -o's temporary files, removed (an array of TERM_NTMP, entries NULL until made) */
static char **volatile term_tmps;
static volatile size_t term_ntmps;

static void put(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static const char *term_name(int sig)
{
	switch (sig) {
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	case SIGHUP: return "SIGHUP";
	case SIGQUIT: return "SIGQUIT";
	}
	return "a signal";
}

static void unlink_tmps(void)
{
	char **v = term_tmps;

	for (size_t i = 0; v && i < term_ntmps; i++)
		if (v[i])
			unlink(v[i]);
}

static void on_term(int sig)
{
	hd_runner_kill_children();
	unlink_tmps();
	if (term_reported)
		_exit(term_rc);
	if (term_nagios) {
		put(STDOUT_FILENO, "HOSTDOCTOR UNKNOWN: stopped by ");
		put(STDOUT_FILENO, term_name(sig));
		put(STDOUT_FILENO, " before the checks were done\n");
		_exit(3);
	}
	put(STDERR_FILENO, "hostdoctor: stopped by ");
	put(STDERR_FILENO, term_name(sig));
	put(STDERR_FILENO, "; the checks' processes were ended\n");
	/* die of the signal itself, as a shell that sent it expects */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void __attribute__((noreturn)) parent_oom(void)
{
	hd_runner_kill_children();
	unlink_tmps();
	/* hostdoctor's own allocations, or a one-check call's check (it runs in this process) */
	if (term_nagios)
		put(STDOUT_FILENO, "HOSTDOCTOR UNKNOWN: out of memory (see --memory-limit and "
				   "ulimit -v)\n");
	else
		put(STDERR_FILENO, "hostdoctor: out of memory (see --memory-limit and ulimit -v); "
				   "the checks' processes were ended\n");
	_exit(3);
}

static void catch_term(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	struct sigaction sa = {.sa_handler = on_term};

	sigfillset(&sa.sa_mask); /* one handler at a time */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;
		/* a background job started by a shell ignores SIGINT and SIGQUIT: so do we */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	hd_set_oom_handler(parent_oom);
}

/* Hold the termination signals while the report is written: it comes out whole, and a signal
 * that arrived meanwhile ends the process with the report's code. */
static void hold_term(bool hold)
{
	sigset_t set;

	hd_term_sigset(&set);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

/* Write BYTES to a new temp file beside PATH (its name in *TMP). 0 or -errno. */
static int write_temp(const char *path, const char *bytes, size_t len, char **tmp)
{
	int fd, e;
	FILE *f;
	bool bad;

	*tmp = hd_asprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		e = errno;
		free(*tmp);
		*tmp = NULL;
		return -e;
	}
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		return -e;
	}
	errno = 0;
	bad = fwrite(bytes, 1, len, f) != len;
	bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
	e = errno;
	bad |= fclose(f) != 0;
	return bad ? -(e ? e : errno ? errno : EIO) : 0;
}

/* Every -o FILE: each rendered in its format; a Prometheus file that would repeat another
 * *.prom file's series in its directory is refused; only when every file was written completely
 * to a temp file beside it are they renamed into place. 0, or the exit code of the failure. */
static int write_outputs(const struct opts *o, const struct hd_report *rep,
			 const struct hd_render_opts *rop)
{
	char **tmp = hd_xcalloc(o->noutputs + 1, sizeof(*tmp));
	int rc = 0;

	/* a signal or a failed allocation from here on removes every temporary file made */
	term_ntmps = o->noutputs;
	term_tmps = tmp;
	for (size_t i = 0; i < o->noutputs && rc == 0; i++) {
		const struct output *w = &o->outputs[i];
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		int r;

		if (!mem) {
			rc = fatal(o, "out of memory");
			break;
		}
		hd_render(mem, w->format, rep, rop);
		fclose(mem);
		if (w->format == HD_FMT_PROMETHEUS) {
			char msg[1024];
			if (hd_textfile_collisions(text, len, w->path, msg, sizeof(msg)) > 0) {
				rc =
				    fatal(o,
					  "%s not written: %s; node_exporter would drop the "
					  "duplicates. Remove the other file, or keep one file per "
					  "report (doctor, preflight --profile NAME)",
					  w->path, msg);
				break;
			}
		}
		if ((r = write_temp(w->path, text, len, &tmp[i])) < 0)
			rc = fatal(o, "%s: cannot write: %s", w->path, strerror(-r));
	}
	for (size_t i = 0; i < o->noutputs && rc == 0; i++)
		if (rename(tmp[i], o->outputs[i].path) < 0)
			rc = fatal(o, "%s: cannot write: %s", o->outputs[i].path, strerror(errno));
	hold_term(true); /* the handler must not see the names freed */
	for (size_t i = 0; i < o->noutputs; i++) {
		if (rc != 0 && tmp[i])
			unlink(tmp[i]);
		free(tmp[i]);
	}
	term_tmps = NULL;
	term_ntmps = 0;
	hold_term(false);
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
	    {"set", required_argument, NULL, 's'},
	    {"probe", required_argument, NULL, 5},
	    {"exit-zero", no_argument, NULL, 3},
	    {"probes", no_argument, NULL, 4},
	    {"memory-limit", required_argument, NULL, 6},
	    {"state-name", required_argument, NULL, 0x101},
	    {"journal", no_argument, NULL, 0x102},
	    {"unit", required_argument, NULL, 0x103},
	    {"since", required_argument, NULL, 0x104},
	    {"file", required_argument, NULL, 0x105},
	    {"state-dir", required_argument, NULL, 0x106},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
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
	prescan_format(argc, argv, o);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":d:r:p:f:o:w:c:t:j:s:vhV", longopts, NULL)) != -1) {
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
				    o,
				    "unknown format '%s' (doctor, nagios, json, prometheus, npd)",
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
		case 's': push(&o->sets, &o->nsets, optarg); break;
		case 5: o->probe = optarg; break;
		case 6:
			if (hd_parse_int(optarg, &n) < 0 || n < 0 || n > 1048576)
				return fatal(
				    o,
				    "--memory-limit '%s': expected MiB from 0 (no limit) to "
				    "1048576",
				    optarg);
			o->memory_mb = (unsigned)n;
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
		case 'h':
			/* a plugin's help and version exit 3, as the Monitoring Plugins' do */
			o->done = true;
			if (o->mode == M_NAGIOS) {
				hd_nagios_help(stdout);
				return 3;
			}
			hd_usage(stdout);
			return 0;
		case 'V':
			o->done = true;
			if (o->mode == M_NAGIOS) {
				hd_nagios_version(stdout);
				return 3;
			}
			printf("hostdoctor %s\n", HD_VERSION);
			return 0;
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
	if (o->probe && o->mode != M_NAGIOS)
		return fatal(o, "--probe runs one probe in nagios mode: hostdoctor nagios --probe "
				"PROBE [--set KEY=VALUE...]");
	if (o->probe && o->nargs)
		return fatal(o, "--probe %s runs that probe alone; unexpected CHECK '%s'", o->probe,
			     o->args[0]);
	if (o->mode == M_NAGIOS && o->nargs == 0 && !o->probe && !o->nonly)
		return fatal(o, "nagios mode needs at least one CHECK id ('hostdoctor list' shows "
				"them), --only ID|TAG or --probe PROBE");
	if (o->mode == M_NAGIOS && o->nargs && o->nonly)
		return fatal(o, "nagios mode takes CHECK ids or --only ID|TAG, not both");
	bool one = o->mode == M_NAGIOS && (o->nargs == 1 || o->probe);
	if ((o->warning || o->critical) && !one)
		return fatal(o, "-w/-c apply to one check in nagios mode");
	if (o->nsets && !one)
		return fatal(o, "--set applies to one CHECK (or to --probe) in nagios mode");
	if (o->mode == M_PREFLIGHT && !o->profile)
		return fatal(o, "preflight needs --profile NAME (a product tag, e.g. fsigk)");
	if (o->sudo_uid && (o->noutputs || o->ndirs || o->root))
		return fatal(
		    o,
		    "%s is not allowed through sudo (run by uid %s): the sudoers rule gives "
		    "root to the checks, not to files named on the command line",
		    o->noutputs ? "-o"
		    : o->ndirs	? "-d"
				: "--root",
		    o->sudo_uid);
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

/* Run by sudo for another user? Then SUDO_UID (set by sudo itself, not by the caller) names
 * that user; root running hostdoctor by hand is not restricted. */
static const char *sudo_caller(void)
{
	const char *u = getenv("SUDO_UID");

	if (getuid() != 0 || !u || !*u || strcmp(u, "0") == 0)
		return NULL;
	return u;
}

/* explain: the catalogue entries of the lines, then the checks of their causes. */
static int explain(const struct opts *o, struct hd_config *cfg, struct hd_check **sel, size_t *nsel,
		   struct json_object **doc)
{
	char err[1024];
	char **ids = NULL;
	struct json_object *entries = NULL;
	int found;

	if (o->format == HD_FMT_JSON) {
		*doc = hd_json_doc("explain");
		entries = json_object_new_array();
		json_object_object_add(*doc, "entries", entries);
	}
	struct hd_ctx ectx = {.root = o->root ? o->root : "",
			      .deadline = hd_now() + 1e9, /* as long as it takes */
			      .privileged = geteuid() == 0};
	struct hd_explain_opts eo = {.catalog_dir = hd_catalog_default_dir(),
				     .args = o->args,
				     .nargs = o->nargs,
				     .files = o->files,
				     .nfiles = o->nfiles,
				     .journal = o->journal,
				     .units = o->units,
				     .nunits = o->nunits,
				     .since = o->since,
				     .in = stdin,
				     .ctx = &ectx,
				     .json = entries,
				     .evidence_dfd = -1};
	char sdir[4096], why[512];

	/* what watch found when each message last appeared, where there is evidence */
	hd_evidence_state_dir(ectx.root, o->state_dir, sdir, sizeof(sdir));
	eo.evidence_dfd = hd_evidence_open(sdir, false, why, sizeof(why));
	found = hd_explain(&eo, stdout, &ids, err, sizeof(err));
	if (eo.evidence_dfd >= 0)
		close(eo.evidence_dfd);
	if (found < 0) {
		hd_strv_free(ids);
		return fatal(o, "%s", err);
	}
	if (found == 0) {
		hd_strv_free(ids);
		if (!*doc)
			printf("No catalogued message matches.\n");
		return 1;
	}
	/* the checks of the causes, by name, enabled or not */
	for (char **id = ids; *id; id++) {
		struct hd_check *c = hd_config_find(cfg, *id);
		if (c)
			sel[(*nsel)++] = c;
	}
	hd_strv_free(ids);
	if (*nsel && !*doc) {
		printf("The checks of these causes on this host:\n\n");
		fflush(stdout);
	}
	return 0;
}

static void select_checks(const struct opts *o, struct hd_config *cfg, struct hd_check **sel,
			  size_t *nsel)
{
	for (size_t i = 0; i < cfg->n; i++) {
		struct hd_check *c = &cfg->checks[i];
		if (o->mode == M_PREFLIGHT && !hd_check_has_tag(c, o->profile))
			continue;
		if (o->nonly && !selected_by(c, o->only, o->nonly))
			continue;
		if (selected_by(c, o->skip, o->nskip))
			continue;
		/* disabled checks run only when asked for by name, tag or profile */
		if (!c->enabled && o->mode != M_LIST && o->mode != M_PREFLIGHT &&
		    !(o->nonly && selected_by(c, o->only, o->nonly)))
			continue;
		sel[(*nsel)++] = c;
	}
}

/* The host name of the host looked at, so a fixture root reports as itself. */
static void host_name(const struct opts *o, char *host, size_t size)
{
	char hostpath[4096], raw[256] = "";
	_cleanup_free_ char *hostfile = NULL;

	if (o->root && *o->root &&
	    hd_path(&(struct hd_ctx){.root = o->root}, "/etc/hostname", hostpath,
		    sizeof(hostpath)) == 0 &&
	    hd_read_regular(hostpath, &hostfile, NULL, 256) == 0 && *hostfile)
		hd_text_escape_to(host, size, hostfile, strcspn(hostfile, "\n"));
	else if (gethostname(raw, sizeof(raw) - 1) == 0)
		hd_text_escape_to(host, size, raw, strnlen(raw, sizeof(raw) - 1));
	else
		snprintf(host, size, "localhost");
}

static int exit_code(const struct opts *o, const struct hd_report *rep)
{
	if (o->exit_zero)
		return 0; /* the states are in the report; only a failure of our own counts */
	if (o->mode == M_EXPLAIN)
		return 0; /* matched: the checks' states are information here */
	if (o->format == HD_FMT_NPD)
		return hd_npd_exit(rep);
	/* a Nagios consumer reads the exit code as the state of the line it shows */
	if (o->mode == M_PREFLIGHT && o->format != HD_FMT_NAGIOS)
		return hd_report_blockers(rep) ? 1 : 0;
	return hd_status_exit(hd_report_worst(rep));
}

int hd_main(int argc, char **argv, const struct hd_probe *const *table)
{
	struct opts o = {.timeout = HD_DEFAULT_TIMEOUT,
			 .timeout_state = HD_UNKNOWN,
			 .jobs = HD_DEFAULT_JOBS,
			 .memory_mb = HD_DEFAULT_MEMORY_MB,
			 .sudo_uid = sudo_caller()};
	struct hd_config cfg = {0};
	struct hd_check **sel = NULL;
	struct hd_result *results = NULL;
	struct json_object *doc = NULL;
	size_t nsel = 0;
	char err[1024];
	int rc = parse_args(argc, argv, &o);

	if (rc != 0 || o.done)
		goto out;
	if (o.probes) {
		if (o.format == HD_FMT_JSON)
			hd_probe_ref_json(stdout, table);
		else
			hd_probe_ref_text(stdout, table);
		goto out;
	}
	/* a signal ends the checks' processes; a Nagios caller still gets its one line */
	term_nagios = o.format == HD_FMT_NAGIOS;
	catch_term();
	if (o.ndirs == 0 && !o.probe)
		push(&o.dirs, &o.ndirs, hd_default_checks_dir());
	for (size_t i = 0; i < o.ndirs; i++)
		/* nagios CHECK...: the named checks' sections only (a plugin call per service) */
		if ((o.mode == M_NAGIOS && o.nargs
			 ? hd_config_load_checks(&cfg, o.dirs[i], table, o.args, o.nargs, err,
						 sizeof(err))
			 : hd_config_load_dir(&cfg, o.dirs[i], table, err, sizeof(err))) < 0) {
			rc = fatal(&o, "%s", err);
			goto out;
		}
	/* per-service parameters: after every file, before anything points into cfg */
	if (o.probe || o.nsets) {
		const char *id = o.probe ? o.probe : o.args[0];
		int r = hd_config_set(&cfg, id, o.probe, o.sets, o.nsets, table, err, sizeof(err));
		if (r == -ENOENT)
			rc = fatal(&o, "no check named '%s' in %s%s ('hostdoctor list' shows them)",
				   id, o.dirs[0], o.ndirs > 1 ? " and the other dirs" : "");
		else if (r < 0)
			rc = fatal(&o, "%s", err);
		if (r < 0)
			goto out;
	}

	sel = hd_xcalloc(cfg.n + 1, sizeof(*sel));
	if (o.mode == M_EXPLAIN) {
		rc = explain(&o, &cfg, sel, &nsel, &doc);
		if (rc != 0 || nsel == 0)
			goto out;
	} else if (o.mode == M_NAGIOS && o.probe) {
		sel[nsel++] = hd_config_find(&cfg, o.probe);
	} else if (o.mode == M_NAGIOS && o.nargs) {
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
		select_checks(&o, &cfg, sel, &nsel);
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
		if (o.format == HD_FMT_JSON)
			hd_render_list_json(stdout, sel, nsel);
		else
			hd_render_list_text(stdout, sel, nsel, o.verbose);
		rc = 0;
		goto out;
	}
	if (o.mode == M_PREFLIGHT && nsel == 0) {
		rc = fatal(&o, "no checks carry the tag '%s' ('hostdoctor list' shows the tags)",
			   o.profile);
		goto out;
	}
	if (o.mode == M_NAGIOS && nsel == 0) {
		rc = fatal(&o, "--only selects no check ('hostdoctor list' shows ids and tags)");
		goto out;
	}

	{
		struct hd_run_opts ro = {.jobs = o.jobs,
					 .timeout = o.timeout,
					 .timeout_state = o.timeout_state,
					 .check_timeout = HD_DEFAULT_CHECK_TIMEOUT,
					 .root = o.root ? o.root : "",
					 .verbose = o.verbose,
					 .reader = o.state_name,
					 .memory_mb = o.memory_mb};
		struct hd_report rep = {0};
		struct hd_render_opts rop = {.verbose = o.verbose};
		struct hd_note *notes = NULL;
		size_t nnotes = 0;
		char host[256] = "localhost";
		double t0 = hd_now();

		/* one check of a plugin call: in this process (runner_inproc.c); a crash runs the
		 * command again with HOSTDOCTOR_ISOLATE=1, the check then in a child */
		_cleanup_free_ char **reexec = NULL, **env = NULL;
		if (nsel == 1 && o.mode != M_EXPLAIN && !getenv("HOSTDOCTOR_ISOLATE")) {
			size_t ne = 0;
			reexec = hd_xcalloc((size_t)argc + 1, sizeof(char *));
			reexec[0] = "/proc/self/exe";
			for (int i = 1; i < argc; i++)
				reexec[i] = argv[i];
			while (environ[ne])
				ne++;
			env = hd_xcalloc(ne + 2, sizeof(char *));
			memcpy(env, environ, ne * sizeof(char *));
			env[ne] = "HOSTDOCTOR_ISOLATE=1";
			ro.in_process = true;
			ro.reexec = reexec;
			ro.reexec_env = env;
			/* the check runs here, not in a child: this process takes its memory limit */
			hd_runner_limit_memory(o.memory_mb);
		}
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
		rep.checks = sel;
		rep.root = ro.root;
		rep.privileged = geteuid() == 0;
		rep.in_process = ro.in_process;
		rep.timeout = o.timeout;
		rep.when = time(NULL);
		rep.duration = hd_now() - t0;
		rep.mode = mode_names[o.mode == M_EXPLAIN ? M_DOCTOR : o.mode];
		rep.profile = o.profile;
		host_name(&o, host, sizeof(host));
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

		if (doc) {
			/* explain -f json: the entries and the checks' results in one document */
			struct json_object *checks = json_object_new_array();
			for (size_t i = 0; i < nsel; i++)
				json_object_array_add(checks, hd_result_to_json(&results[i]));
			json_object_object_add(doc, "checks", checks);
		} else if (o.noutputs) {
			rc = write_outputs(&o, &rep, &rop);
			if (rc != 0)
				goto out;
		} else {
			const char *nc = getenv("NO_COLOR");
			rop.color = isatty(STDOUT_FILENO) && !(nc && *nc) && getenv("TERM") &&
				    strcmp(getenv("TERM"), "dumb") != 0;
			/* the report comes out whole: a signal meanwhile waits for its end */
			hold_term(true);
			hd_render(stdout, o.format, &rep, &rop);
			fflush(stdout);
		}
		hd_evidence_notes_free(notes, nnotes);
		rc = exit_code(&o, &rep);
		/* a signal held while the report was written ends the process with its code */
		hold_term(true);
		term_rc = rc;
		term_reported = 1;
		hold_term(false);
	}
out:
	if (hd_run_abandoned()) {
		/* a check's thread still runs and reads the configuration: nothing is freed */
		fflush(stdout);
		_exit(rc);
	}
	if (doc) {
		/* explain -f json; a fatal error has printed its own document instead */
		if (!json_object_object_get_ex(doc, "checks", NULL))
			json_object_object_add(doc, "checks", json_object_new_array());
		if (rc != 3)
			hd_json_print(stdout, doc);
		json_object_put(doc);
	}
	for (size_t i = 0; results && i < nsel; i++)
		hd_result_free(&results[i]);
	free(results);
	free(sel);
	hd_config_free(&cfg);
	free_strs(o.dirs, o.ndirs);
	free_strs(o.only, o.nonly);
	free_strs(o.skip, o.nskip);
	free_strs(o.args, o.nargs);
	free_strs(o.sets, o.nsets);
	free_strs(o.files, o.nfiles);
	free_strs(o.units, o.nunits);
	free(o.root);
	free(o.outputs);
	fflush(stdout);
	return rc;
}
