/* hostdoctor watch: its options, the loop (idle in poll until inotify, the journal, a child or a
 * signal says there is something to do), SIGHUP's reload and SIGTERM's clean end. */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "evidence.h"
#include "lazylib.h"
#include "runner.h"
#include "watch_impl.h"

#ifndef HD_LIBSYSTEMD_SONAME
#define HD_LIBSYSTEMD_SONAME "libsystemd.so.0"
#endif

#define STOP_WAIT 10.0 /* seconds SIGTERM waits for checks already running */

void w_log(const char *fmt, ...)
{
	va_list ap;

	fputs("hostdoctor watch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Tell systemd (Type=notify) where the watch is: libsystemd's sd_notify, opened only when
 * the service manager asks for it. */
static void notify(const char *state)
{
	static __typeof__(sd_notify) *fn;
	static bool tried;

	if (!getenv("NOTIFY_SOCKET"))
		return;
	if (!tried) {
		const struct hd_lazy_sym syms[] = {{"sd_notify", (void **)&fn}, {0}};
		char err[256];
		tried = true;
		if (hd_lazy_load(HD_LIBSYSTEMD_SONAME, syms, err, sizeof(err)) < 0) {
			fn = NULL;
			w_log("cannot tell systemd: %s", err);
		}
	}
	if (fn)
		fn(0, state);
}

static void usage(FILE *out)
{
	fputs("Usage: hostdoctor watch [OPTIONS]\n"
	      "Follow the logs of the log-scan checks that apply here; when a line is a "
	      "catalogued\n"
	      "message whose entry names checks, run them at once and keep the evidence.\n"
	      "\n"
	      "  -d, --checks-dir DIR        read DIR/*.conf (repeatable; default the installed "
	      "checks.d)\n"
	      "  -r, --root DIR              read the host's files under DIR\n"
	      "      --state-dir DIR         evidence, counters and the matcher cache (default\n"
	      "                              /var/lib/hostdoctor, under --root)\n"
	      "      --hold-off SECONDS      one run of an entry's checks per this long (60)\n"
	      "      --textfile FILE         Prometheus textfile with the counters per entry\n"
	      "      --on-event CMD          run CMD (by /bin/sh) with the evidence file as its "
	      "last\n"
	      "                              argument after each report\n"
	      "      --on-event-timeout SECONDS  stop CMD after this long (30)\n"
	      "      --evidence-max SIZE     the evidence store's bound: 512K, 64M, 1G (64M)\n"
	      "  -j, --jobs N                checks of one event at once (4)\n"
	      "  -t, --timeout SECONDS       deadline of one event's checks (30)\n"
	      "  -v, --verbose               say more\n"
	      "  -h, --help                  this text\n"
	      "SIGHUP reloads checks.d and the catalogue; SIGTERM ends it with the positions "
	      "saved.\n",
	      out);
}

static int parse_seconds(const char *s, double *out, bool zero_ok)
{
	if (hd_parse_num(s, out) < 0 || *out < 0 || (!zero_ok && *out == 0) || *out > 86400 * 7)
		return -EINVAL;
	return 0;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	uint64_t mul = 1;

	if (end == s || v < 0)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10;
	else if (*end == 'M' || *end == 'm')
		mul = 1ull << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ull << 30;
	else if (*end)
		return -EINVAL;
	if (*end && end[1] && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)
		return -EINVAL;
	*out = (uint64_t)(v * (double)mul);
	return *out >= 4096 ? 0 : -EINVAL;
}

static char **strv_push(char **v, size_t *n, const char *s)
{
	v = hd_xrealloc(v, (*n + 2) * sizeof(char *));
	v[(*n)++] = hd_xstrdup(s);
	v[*n] = NULL;
	return v;
}

static int parse(int argc, char **argv, struct watch *w, const char **state_dir, char **root)
{
	static const struct option longopts[] = {
	    {"checks-dir", required_argument, NULL, 'd'},
	    {"root", required_argument, NULL, 'r'},
	    {"state-dir", required_argument, NULL, 1},
	    {"hold-off", required_argument, NULL, 2},
	    {"textfile", required_argument, NULL, 3},
	    {"on-event", required_argument, NULL, 4},
	    {"on-event-timeout", required_argument, NULL, 5},
	    {"evidence-max", required_argument, NULL, 6},
	    {"jobs", required_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int ch;
	int64_t n;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":d:r:j:t:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': w->dirs = strv_push(w->dirs, &w->ndirs, optarg); break;
		case 'r':
			free(*root);
			*root = hd_xstrdup(optarg);
			break;
		case 1: *state_dir = optarg; break;
		case 2:
			if (parse_seconds(optarg, &w->hold_off, true) < 0)
				return hd_usage_error(
				    "--hold-off '%s': expected seconds (0 to 604800)", optarg);
			break;
		case 3: w->textfile = optarg; break;
		case 4:
			if (!*optarg)
				return hd_usage_error("--on-event: an empty command");
			w->on_event = optarg;
			break;
		case 5:
			if (parse_seconds(optarg, &w->on_event_timeout, false) < 0)
				return hd_usage_error(
				    "--on-event-timeout '%s': expected seconds above 0", optarg);
			break;
		case 6:
			if (parse_size(optarg, &w->evidence_max) < 0)
				return hd_usage_error(
				    "--evidence-max '%s': expected a size of at least 4K "
				    "(e.g. 512K, 64M, 1G)",
				    optarg);
			break;
		case 'j':
			if (hd_parse_int(optarg, &n) < 0 || n < 1 || n > 256)
				return hd_usage_error(
				    "--jobs '%s': expected a number from 1 to 256", optarg);
			w->jobs = (int)n;
			break;
		case 't':
			if (parse_seconds(optarg, &w->timeout, false) < 0)
				return hd_usage_error("--timeout '%s': expected seconds above 0",
						      optarg);
			break;
		case 'v': w->verbose++; break;
		case 'h': usage(stdout); return -1;
		case ':':
			return hd_usage_error("option '%s' needs a value; see --help",
					      argv[optind - 1]);
		default: return hd_usage_error("unknown option '%s'; see --help", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return hd_usage_error("unexpected argument '%s'; see --help", argv[optind]);
	if (*root) {
		size_t l = strlen(*root);
		struct stat st;
		while (l > 1 && (*root)[l - 1] == '/')
			(*root)[--l] = '\0';
		if (strcmp(*root, "/") == 0)
			(*root)[0] = '\0';
		if (**root && (stat(*root, &st) < 0 || !S_ISDIR(st.st_mode)))
			return hd_usage_error("--root %s: not a directory", *root);
	}
	if (w->textfile) {
		struct stat st;
		if (lstat(w->textfile, &st) == 0 && !S_ISREG(st.st_mode))
			return hd_usage_error("--textfile %s: not a regular file", w->textfile);
	}
	return 0;
}

/* ---- installing a configuration ---- */

static void install(struct watch *w, struct hd_config *cfg, struct w_src *srcs, size_t n,
		    struct hd_catalog *cat, struct hd_log_matcher *m)
{
	struct w_src *old = w->srcs;
	size_t nold = w->nsrcs, k = 0;

	for (size_t i = 0; i < n; i++) {
		if (w_src_open(w, &srcs[i], old, nold) < 0) {
			w_src_close(w, &srcs[i]);
			continue; /* said why */
		}
		if (k != i) {
			struct w_src t = srcs[k];
			srcs[k] = srcs[i];
			srcs[i] = t;
		}
		k++;
	}
	for (size_t i = 0; i < nold; i++)
		w_src_close(w, &old[i]);
	w_srcs_free(old, nold);
	for (size_t i = k; i < n; i++)
		w_src_free(&srcs[i]); /* could not be opened */
	w->srcs = srcs;
	w->nsrcs = k;
	hd_log_counts_free(&w->counts);
	hd_log_scanner_free(w->sc);
	hd_log_matcher_free(w->m);
	if (w->cat)
		hd_catalog_free(w->cat);
	free(w->cat);
	hd_config_free(&w->cfg);
	w->cfg = *cfg;
	w->cat = cat;
	w->m = m;
	w->sc = hd_log_scanner_new(m);
	hd_log_counts_init(&w->counts, m);
	w->lines_base += w->lines_total;
	w->lines_total = 0;
	w_map_stats(w);
	w_sources_watch(w);
	w->gen++;
	w->config_ok = true;
	w->loaded_at = (double)time(NULL);
}

/* "3 files and the journal for 2 checks" */
static void sources_text(const struct watch *w, char *buf, size_t size)
{
	size_t nf = w_count_files(w), nj = 0;

	for (size_t i = 0; i < w->nsrcs; i++)
		nj += w->srcs[i].jf != NULL;
	snprintf(buf, size, "%zu file%s%s for %zu check%s", nf, nf == 1 ? "" : "s",
		 nj == 0   ? ""
		 : nj == 1 ? " and the journal"
			   : " and the journal (several queries)",
		 w->nsrcs, w->nsrcs == 1 ? "" : "s");
}

static void reload(struct watch *w)
{
	struct hd_config cfg;
	struct hd_catalog *cat;
	struct hd_log_matcher *m;
	struct w_src *srcs;
	size_t n;
	char err[1024], when[32], what[256];
	time_t t = (time_t)w->loaded_at;
	struct tm tm;
	int rc;

	notify("RELOADING=1");
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	rc = w_load(w, &cfg, &srcs, &n, &cat, &m, err, sizeof(err));
	if (rc < 0) {
		w_log("reload failed: %s; the configuration loaded at %s stays in use", err, when);
		w->config_ok = false;
		w->next_prom = 0;
		w->prom_pending = true;
		notify("READY=1");
		return;
	}
	w_read_all(w); /* what the old configuration was told of, before it goes */
	w_save(w);
	install(w, &cfg, srcs, n, cat, m);
	sources_text(w, what, sizeof(what));
	w_log("reloaded: following %s; %zu catalogue entries", what, w->cat->n);
	w->next_prom = 0;
	w->prom_pending = true;
	notify("READY=1");
}

static void on_signal(struct watch *w)
{
	struct signalfd_siginfo si;

	while (read(w->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP && !w->stop) {
			reload(w);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			if (!w->stop) {
				notify("STOPPING=1");
				w->stop = true;
				w->stop_by = hd_now() + STOP_WAIT;
			}
		}
	}
}

/* Milliseconds from now to T (a monotonic time; 0 or less: now), capped at *MS. */
static void until(int *ms, double t)
{
	double left = t - hd_now();
	int v = left <= 0 ? 0 : (int)ceil(left * 1000);

	if (*ms < 0 || v < *ms)
		*ms = v;
}

static int poll_once(struct watch *w, double now);

static void loop(struct watch *w)
{
	for (;;) {
		double now = hd_now();
		bool busy = false;

		if (w->stop) {
			/* checks already running may finish; those waiting do not start */
			for (size_t i = 0; i < w->nevents; i++)
				if (!w->events[i]->running)
					w_event_drop(w, w->events[i--]);
			busy = w->nevents > 0;
			for (int k = 0; k < W_MAX_HOOKS; k++)
				busy |= w->hooks[k].pid > 0;
			if (!busy || now >= w->stop_by)
				return;
		} else {
			if (w->read_pending && now >= w->next_read)
				w_read_all(w);
			if (w->save_pending && now >= w->next_save) {
				w_save(w);
				w->next_save = now + W_SAVE_GAP;
			}
			if (w->next_retry > 0 && now >= w->next_retry)
				w_retry_missing(w);
		}
		if (w->prom_pending && now >= w->next_prom)
			w_prom_write(w);
		for (size_t i = 0; i < w->nevents; i++) {
			struct w_event *ev = w->events[i];
			if (ev->running && now > ev->started + w->timeout + 5) {
				kill(ev->pid, SIGKILL);
				w_event_done(w, ev, true);
				i--;
			}
		}
		for (int k = 0; k < W_MAX_HOOKS; k++)
			if (w->hooks[k].pid > 0 && now > w->hooks[k].deadline) {
				kill(-w->hooks[k].pid, SIGKILL);
				w_hook_done(w, &w->hooks[k], true);
			}

		if (poll_once(w, now) < 0)
			return;
	}
}

/* One poll() over the signals, inotify, the journals, the children; what it says, done. */
static int poll_once(struct watch *w, double now)
{
	/* sized here: the reads above may have started events */
	size_t cap = 2 + w->nsrcs + 2 * w->nevents + W_MAX_HOOKS;
	struct pollfd pfd[cap];
	int kind[cap];
	size_t idx[cap], np = 0;
	unsigned gen = w->gen;
	int ms = -1;
	bool tick = false;

	pfd[np] = (struct pollfd){.fd = w->sfd, .events = POLLIN};
	kind[np++] = 0;
	/* while a read is due, the next events wait for it: writes are read in batches */
	if (!w->stop && !w->read_pending) {
		if (w->ino >= 0) {
			pfd[np] = (struct pollfd){.fd = w->ino, .events = POLLIN};
			kind[np++] = 1;
		}
		for (size_t i = 0; i < w->nsrcs; i++) {
			short ev;
			int jms;
			if (!w->srcs[i].jf)
				continue;
			pfd[np].fd = hd_journal_follow_fd(w->srcs[i].jf, &ev, &jms);
			if (pfd[np].fd < 0) {
				/* not open: tried again with the missing directories */
				w->srcs[i].missing_dir = true;
				if (!w->next_retry)
					w->next_retry = now + W_RETRY_GAP;
				continue;
			}
			pfd[np].events = ev;
			kind[np] = 2;
			idx[np++] = i;
			if (jms >= 0 && (ms < 0 || jms < ms))
				ms = jms;
		}
	}
	for (size_t i = 0; i < w->nevents; i++) {
		struct w_event *ev = w->events[i];
		if (!ev->running || ev->pid <= 0)
			continue;
		if (ev->rfd >= 0) {
			pfd[np] = (struct pollfd){.fd = ev->rfd, .events = POLLIN};
			kind[np] = 3;
			idx[np++] = i;
		}
		if (ev->pidfd >= 0) {
			pfd[np] = (struct pollfd){.fd = ev->pidfd, .events = POLLIN};
			kind[np] = 4;
			idx[np++] = i;
		} else {
			tick = true;
		}
		until(&ms, ev->started + w->timeout + 5);
	}
	for (int k = 0; k < W_MAX_HOOKS; k++) {
		if (w->hooks[k].pid <= 0)
			continue;
		if (w->hooks[k].pidfd >= 0) {
			pfd[np] = (struct pollfd){.fd = w->hooks[k].pidfd, .events = POLLIN};
			kind[np] = 5;
			idx[np++] = (size_t)k;
		} else {
			tick = true;
		}
		until(&ms, w->hooks[k].deadline);
	}
	if (w->stop)
		until(&ms, w->stop_by);
	else {
		if (w->read_pending)
			until(&ms, w->next_read);
		if (w->save_pending)
			until(&ms, w->next_save);
		if (w->next_retry > 0)
			until(&ms, w->next_retry);
	}
	if (w->prom_pending)
		until(&ms, w->next_prom);
	if (tick)
		until(&ms, now + 0.1); /* no pidfd (kernel < 5.3): exits found by waitpid */

	if (poll(pfd, (nfds_t)np, ms) < 0 && errno != EINTR) {
		w_log("poll: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < np; i++) {
		if (!pfd[i].revents && kind[i] != 2)
			continue;
		/* a reload replaced the sources: what was polled for them is read anew */
		if ((kind[i] == 1 || kind[i] == 2) && w->gen != gen)
			continue;
		switch (kind[i]) {
		case 0: on_signal(w); break;
		case 1: w_inotify(w); break;
		case 2: {
			char err[1024];
			struct w_src *s = &w->srcs[idx[i]];
			int r = hd_journal_follow_process(s->jf, err, sizeof(err));
			if (r < 0)
				w_log("%s: %s", s->check->id, err);
			else if (r > 0) {
				s->jdirty = true;
				w->read_pending = true;
			}
			break;
		}
		case 3: w_event_drain(w->events[idx[i]]); break;
		default: break;
		}
	}
	/* ended children, after the reads above (indexes still valid) */
	for (size_t i = 0; i < w->nevents; i++) {
		struct w_event *ev = w->events[i];
		int st;
		if (!ev->running || ev->pid <= 0)
			continue;
		if (waitpid(ev->pid, &st, WNOHANG) == ev->pid) {
			/* reaped here: done must not wait again */
			w_event_drain(ev);
			ev->exit_status = st;
			ev->reaped = true;
			w_event_done(w, ev, false);
			i--;
		}
	}
	for (int k = 0; k < W_MAX_HOOKS; k++) {
		int st;
		if (w->hooks[k].pid > 0 &&
		    waitpid(w->hooks[k].pid, &st, WNOHANG) == w->hooks[k].pid) {
			w->hooks[k].exit_status = st;
			w->hooks[k].reaped = true;
			w_hook_done(w, &w->hooks[k], false);
		}
	}
	return 0;
}

int hd_watch_main(int argc, char **argv, const struct hd_probe *const *table)
{
	struct watch w = {.table = table,
			  .hold_off = 60,
			  .jobs = HD_DEFAULT_JOBS,
			  .timeout = HD_DEFAULT_TIMEOUT,
			  .on_event_timeout = 30,
			  .evidence_max = HD_EVIDENCE_MAX_BYTES,
			  .ino = -1,
			  .sfd = -1,
			  .sdfd = -1,
			  .edfd = -1};
	const char *state_opt = NULL;
	char *root = NULL;
	struct hd_config cfg;
	struct hd_catalog *cat;
	struct hd_log_matcher *m;
	struct w_src *srcs;
	size_t n;
	sigset_t mask;
	char err[1024], why[512];
	int rc = parse(argc, argv, &w, &state_opt, &root);

	for (int k = 0; k < W_MAX_HOOKS; k++)
		w.hooks[k].pidfd = -1;
	if (rc != 0) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	if (w.ndirs == 0)
		w.dirs = strv_push(w.dirs, &w.ndirs, hd_default_checks_dir());
	w.root = root ? root : "";
	w.ctx = (struct hd_ctx){.root = w.root,
				.verbose = w.verbose,
				.privileged = geteuid() == 0,
				.deadline = hd_now() + 1e9,
				.reader = "watch"};
	hd_evidence_state_dir(w.root, state_opt, w.state_dir, sizeof(w.state_dir));
	w.sdfd = hd_state_dir_open(w.state_dir, true, why, sizeof(why));
	if (w.sdfd < 0) {
		rc = hd_usage_error("state directory %s %s", w.state_dir, why);
		goto out;
	}
	w.edfd = hd_evidence_open(w.state_dir, true, why, sizeof(why));
	if (w.edfd < 0) {
		rc = hd_usage_error("state directory %s %s", w.state_dir, why);
		goto out;
	}

	/* the signals arrive in the loop, as one more descriptor */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	w.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (w.sfd < 0) {
		rc = hd_usage_error("signalfd: %s", strerror(errno));
		goto out;
	}

	rc = w_load(&w, &cfg, &srcs, &n, &cat, &m, err, sizeof(err));
	if (rc < 0) {
		rc = hd_usage_error("%s", err);
		goto out;
	}
	w_counters_load(&w);
	install(&w, &cfg, srcs, n, cat, m);
	if (w.nsrcs < n) {
		rc = hd_usage_error("cannot follow every log the checks name (said above)");
		goto out;
	}
	w_read_all(&w); /* the positions: the end of each log at the first run */
	w_save(&w);
	w_prom_write(&w);
	sources_text(&w, why, sizeof(why));
	w_log("ready: following %s; %zu catalogue entries (%s); hold-off %g s; evidence in "
	      "%s/evidence (at most %" PRIu64 " KiB)",
	      why, w.cat->n, hd_log_matcher_note(w.m), w.hold_off, w.state_dir,
	      w.evidence_max >> 10);
	notify("READY=1");
	loop(&w);
	rc = 0;
out:
	w_events_free(&w);
	if (w.nsrcs) {
		w_save(&w);
		w_prom_write(&w);
		if (rc == 0)
			w_log("stopped; positions and counters saved");
	}
	for (size_t i = 0; i < w.nsrcs; i++)
		w_src_close(&w, &w.srcs[i]);
	w_srcs_free(w.srcs, w.nsrcs);
	hd_log_counts_free(&w.counts);
	hd_log_scanner_free(w.sc);
	hd_log_matcher_free(w.m);
	if (w.cat)
		hd_catalog_free(w.cat);
	free(w.cat);
	hd_config_free(&w.cfg);
	for (size_t i = 0; i < w.nstats; i++) {
		free(w.stats[i].id);
		free(w.stats[i].product);
	}
	free(w.stats);
	free(w.stat_of);
	free(w.wds);
	hd_strv_free(w.dirs);
	free(root);
	if (w.ino >= 0)
		close(w.ino);
	if (w.sfd >= 0)
		close(w.sfd);
	if (w.sdfd >= 0)
		close(w.sdfd);
	if (w.edfd >= 0)
		close(w.edfd);
	return rc;
}
