/* watch's events: a catalogued line whose entry names checks starts them at once (one run per
 * entry within the hold-off), in a child of its own that runs them through the runner, so the
 * loop goes on; the results become an evidence report, then the on-event command runs. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "evidence.h"
#include "paths.h"
#include "result_json.h"
#include "runner.h"
#include "watch_impl.h"

#define LINE_MAX_KEPT 4096 /* bytes of a log line kept in the evidence */

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- a line ---- */

/* The journal's time of the line at LINE in the batch being read; 0 for a file. */
static uint64_t line_usec(const struct watch *w, const char *line)
{
	const struct hd_log_meta *m = w->cur_meta;
	size_t lo = 0, hi, off;

	if (!m || !m->n)
		return 0;
	off = (size_t)(line - w->cur_buf);
	hi = m->n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (m->start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return m->usec[lo];
}

static char *keep_line(const char *line, size_t len)
{
	char *s = hd_xstrndup(line, len < LINE_MAX_KEPT ? len : LINE_MAX_KEPT);
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			*p = '?';
	return s;
}

static struct json_object *entry_json(const struct hd_catalog_entry *e)
{
	struct json_object *o = json_object_new_object(), *checks = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_string(e->id));
	json_object_object_add(o, "product", json_object_new_string(e->product));
	json_object_object_add(o, "severity", json_object_new_string(e->severity));
	json_object_object_add(o, "explanation", json_object_new_string(e->explanation));
	json_object_object_add(o, "remedy", json_object_new_string(e->remedy));
	json_object_object_add(o, "source", json_object_new_string(e->source));
	for (size_t i = 0; i < e->nchecks; i++)
		json_object_array_add(checks, json_object_new_string(e->checks[i]));
	json_object_object_add(o, "checks", checks);
	return o;
}

void w_on_hit(void *u, size_t e, const char *line, size_t len)
{
	struct watch *w = u;
	struct w_src *s = w->cur;
	const struct hd_catalog_entry *ent;
	struct w_stat *st;
	struct w_event *ev;
	uint64_t usec;
	double now;

	if (!s || !s->allow[e])
		return;
	ent = &w->cat->entries[e];
	st = &w->stats[w->stat_of[e]];
	st->lines++;
	w->prom_pending = true;
	if (!ent->nchecks)
		return;
	usec = line_usec(w, line);
	if (st->open) {
		/* its checks run now: the line joins the evidence */
		ev = st->open;
		if (ev->nlines < W_MAX_LINES) {
			ev->logged[ev->nlines] = usec;
			ev->lines[ev->nlines++] = keep_line(line, len);
		}
		ev->matched++;
		return;
	}
	now = hd_now();
	if (now < st->hold_until) {
		st->held++;
		return;
	}
	if (w->cur_catchup &&
	    (w->cur_file ? w->cur_stale_file
			 : usec && usec / 1000000 < (uint64_t)time(NULL) - W_CATCHUP_AGE))
		return; /* logged while the watch was not running: its cause is not now */
	ev = hd_xcalloc(1, sizeof(*ev));
	ev->entry = hd_xstrdup(ent->id);
	ev->entry_json = entry_json(ent);
	ev->checks = hd_xcalloc(ent->nchecks + 1, sizeof(char *));
	for (size_t i = 0; i < ent->nchecks; i++)
		ev->checks[ev->nchecks++] = hd_xstrdup(ent->checks[i]);
	ev->src_check = hd_xstrdup(s->check->id);
	ev->src_file = w->cur_file ? hd_xstrdup(w->cur_file) : NULL;
	ev->lines[0] = keep_line(line, len);
	ev->logged[0] = usec;
	ev->nlines = 1;
	ev->matched = 1;
	ev->detected = wall();
	ev->detected_mono = now;
	ev->pid = -1;
	ev->pidfd = ev->rfd = -1;
	st->open = ev;
	st->hold_until = now + w->hold_off;
	w->events = hd_xrealloc(w->events, (w->nevents + 1) * sizeof(*w->events));
	w->events[w->nevents++] = ev;
	/* at once: the cause may last no longer than this */
	w_events_start(w);
}

/* ---- running the checks ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static void __attribute__((noreturn))
worker(struct watch *w, struct hd_check **sel, size_t n, int wfd)
{
	sigset_t none;
	struct hd_run_opts ro = {.jobs = w->jobs,
				 .timeout = w->timeout,
				 .timeout_state = HD_UNKNOWN,
				 .check_timeout = HD_DEFAULT_CHECK_TIMEOUT,
				 .root = w->ctx.root,
				 .verbose = w->verbose,
				 /* a log-scan check of a cause keeps a position of its own */
				 .reader = "watch-event"};
	struct hd_result *rs = hd_xcalloc(n + 1, sizeof(*rs));
	struct json_object *a = json_object_new_array();
	const char *s;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	hd_run_checks(sel, n, &ro, rs);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, hd_result_to_json(&rs[i]));
	s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
	_exit(write_all(wfd, s, strlen(s)) == 0 ? 0 : 1);
}

static void start(struct watch *w, struct w_event *ev)
{
	_cleanup_free_ struct hd_check **sel = hd_xcalloc(ev->nchecks + 1, sizeof(*sel));
	size_t n = 0;
	int p[2];
	pid_t pid;

	for (size_t i = 0; i < ev->nchecks; i++) {
		struct hd_check *c = hd_config_find(&w->cfg, ev->checks[i]);
		if (c)
			sel[n++] = c;
	}
	ev->running = true;
	ev->started = hd_now();
	ev->checked = wall();
	if (pipe2(p, O_CLOEXEC) < 0) {
		w_log("%s: cannot run its checks: pipe: %s", ev->entry, strerror(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		w_log("%s: cannot run its checks: fork: %s", ev->entry, strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		worker(w, sel, n, p[1]);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	ev->pid = pid;
	ev->rfd = p[0];
	ev->pidfd = hd_pidfd_open(pid);
}

void w_events_start(struct watch *w)
{
	size_t running = 0;

	for (size_t i = 0; i < w->nevents; i++)
		running += w->events[i]->running;
	for (size_t i = 0; i < w->nevents && running < W_MAX_EVENTS; i++)
		if (!w->events[i]->running) {
			start(w, w->events[i]);
			running++;
			if (w->events[i]->pid < 0)
				/* could not start: recorded with the reason */
				w_event_done(w, w->events[i--], false);
		}
}

void w_event_drain(struct w_event *ev)
{
	char buf[65536];

	for (;;) {
		ssize_t n = ev->rfd >= 0 ? read(ev->rfd, buf, sizeof(buf)) : 0;
		if (n > 0) {
			if (ev->out.len < (64u << 20))
				hd_buf_add(&ev->out, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && ev->rfd >= 0) {
			close(ev->rfd);
			ev->rfd = -1;
		}
		break;
	}
}

/* ---- the evidence ---- */

static void iso(char *buf, size_t size, double t)
{
	time_t s = (time_t)t;
	struct tm tm;
	char ms[16];

	gmtime_r(&s, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ms, sizeof(ms), ".%03dZ", (int)((t - floor(t)) * 1000) % 1000);
	strncat(buf, ms, size - strlen(buf) - 1);
}

static enum hd_status worst_of(struct json_object *results)
{
	enum hd_status w = HD_SKIPPED;

	for (size_t i = 0; i < json_object_array_length(results); i++) {
		struct json_object *r = json_object_array_get_idx(results, i), *v;
		enum hd_status st;
		if (json_object_object_get_ex(r, "status", &v) &&
		    hd_status_parse(json_object_get_string(v), &st) == 0)
			w = hd_status_worst(w, st);
	}
	return w == HD_SKIPPED ? HD_OK : w;
}

/* The check of the worst state and its summary, for the log. */
static const char *headline(struct json_object *results, enum hd_status worst, const char **id)
{
	for (size_t i = 0; i < json_object_array_length(results); i++) {
		struct json_object *r = json_object_array_get_idx(results, i), *v, *s;
		enum hd_status st;
		if (json_object_object_get_ex(r, "status", &v) &&
		    hd_status_parse(json_object_get_string(v), &st) == 0 && st == worst &&
		    json_object_object_get_ex(r, "summary", &s) &&
		    json_object_object_get_ex(r, "id", &v)) {
			*id = json_object_get_string(v);
			return json_object_get_string(s);
		}
	}
	*id = "";
	return "";
}

static char *host_name(const struct watch *w)
{
	char host[256] = "localhost", p[4096];
	_cleanup_free_ char *f = NULL;

	if (*w->ctx.root && hd_path(&w->ctx, "/etc/hostname", p, sizeof(p)) == 0 &&
	    hd_read_regular(p, &f, NULL, 256) == 0 && *f)
		snprintf(host, sizeof(host), "%.*s", (int)strcspn(f, "\n"), f);
	else
		gethostname(host, sizeof(host) - 1);
	return hd_xstrdup(host);
}

static void queue_hook(struct watch *w, const char *id, const char *entry, enum hd_status st)
{
	if (!w->on_event)
		return;
	if (w->nqueued == W_MAX_QUEUED) {
		w_log("on-event command not run for %s: %d evidence reports already wait for it",
		      id, W_MAX_QUEUED);
		return;
	}
	w->queued[w->nqueued++] = (struct w_queued){hd_xstrdup(id), hd_xstrdup(entry), (int)st};
	w_hooks_start(w);
}

static void event_free(struct w_event *ev)
{
	if (ev->rfd >= 0)
		close(ev->rfd);
	if (ev->pidfd >= 0)
		close(ev->pidfd);
	free(ev->entry);
	hd_strv_free(ev->checks);
	free(ev->src_check);
	free(ev->src_file);
	for (size_t i = 0; i < ev->nlines; i++)
		free(ev->lines[i]);
	if (ev->entry_json)
		json_object_put(ev->entry_json);
	free(ev->out.data);
	free(ev);
}

/* EV out of the list of open events, and freed. */
static void event_remove(struct watch *w, struct w_event *ev)
{
	for (size_t i = 0; i < w->nevents; i++)
		if (w->events[i] == ev) {
			memmove(&w->events[i], &w->events[i + 1],
				(w->nevents - i - 1) * sizeof(*w->events));
			w->nevents--;
			break;
		}
	event_free(ev);
}

void w_event_done(struct watch *w, struct w_event *ev, bool killed)
{
	struct json_object *doc = hd_json_doc(HD_EVIDENCE_KIND), *results = NULL, *lines, *src,
			   *miss;
	_cleanup_free_ char *host = host_name(w);
	char id[320], t[64], why[256] = "";
	enum hd_status worst;
	const char *text, *hid, *hsum;
	struct w_stat *st;
	int status = 0, rc;

	if (ev->pid > 0) {
		w_event_drain(ev);
		if (ev->reaped)
			status = ev->exit_status;
		else
			waitpid(ev->pid, &status, 0);
		if (killed)
			snprintf(why, sizeof(why),
				 "the checks did not finish within %g s: they were stopped",
				 w->timeout + 5);
		else if (WIFSIGNALED(status))
			snprintf(why, sizeof(why), "the checks' process was killed by SIG%s",
				 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status))
								: "?");
	} else if (!*why) {
		snprintf(why, sizeof(why), "the checks could not be started (see the log)");
	}
	if (ev->out.len)
		results = json_tokener_parse(ev->out.data);
	if (!results || !json_object_is_type(results, json_type_array)) {
		if (results)
			json_object_put(results);
		results = json_object_new_array();
		if (!*why && ev->pid > 0)
			snprintf(why, sizeof(why), "the checks ended without results");
	}
	worst = json_object_array_length(results) ? worst_of(results) : HD_UNKNOWN;

	rc = hd_evidence_new_id(w->edfd, ev->entry, (time_t)ev->checked, id, sizeof(id));
	json_object_object_add(doc, "id", json_object_new_string(id));
	json_object_object_add(doc, "host", json_object_new_string(host));
	json_object_object_add(doc, "entry", HD_TAKE(ev->entry_json));
	src = json_object_new_object();
	json_object_object_add(src, "check", json_object_new_string(ev->src_check));
	if (ev->src_file)
		json_object_object_add(src, "file", json_object_new_string(ev->src_file));
	else
		json_object_object_add(src, "journal", json_object_new_boolean(1));
	json_object_object_add(doc, "source", src);
	lines = json_object_new_array();
	for (size_t i = 0; i < ev->nlines; i++) {
		struct json_object *l = json_object_new_object();
		json_object_object_add(l, "text", json_object_new_string(ev->lines[i]));
		if (ev->logged[i]) {
			iso(t, sizeof(t), (double)ev->logged[i] / 1e6);
			json_object_object_add(l, "logged", json_object_new_string(t));
		}
		json_object_array_add(lines, l);
	}
	json_object_object_add(doc, "lines", lines);
	json_object_object_add(doc, "lines_matched", json_object_new_int64((int64_t)ev->matched));
	iso(t, sizeof(t), ev->detected);
	json_object_object_add(doc, "detected", json_object_new_string(t));
	json_object_object_add(doc, "detected_unix",
			       hd_json_double(round(ev->detected * 1e3) / 1e3));
	iso(t, sizeof(t), ev->checked);
	json_object_object_add(doc, "checked", json_object_new_string(t));
	json_object_object_add(doc, "checked_unix", hd_json_double(round(ev->checked * 1e3) / 1e3));
	json_object_object_add(doc, "checks_duration",
			       hd_json_double(round((hd_now() - ev->started) * 1e3) / 1e3));
	json_object_object_add(doc, "status", json_object_new_string(hd_status_name(worst)));
	miss = json_object_new_array();
	for (size_t i = 0; i < ev->nchecks; i++)
		if (!hd_config_find(&w->cfg, ev->checks[i]))
			json_object_array_add(miss, json_object_new_string(ev->checks[i]));
	json_object_object_add(doc, "checks_missing", miss);
	if (*why)
		json_object_object_add(doc, "error", json_object_new_string(why));
	json_object_object_add(doc, "results", results);

	text =
	    json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (rc == 0)
		rc = hd_evidence_write(w->edfd, id, text, strlen(text));
	hsum = headline(results, worst, &hid);
	if (rc < 0) {
		w_log("%s: cannot keep the evidence in %s/evidence: %s", ev->entry, w->state_dir,
		      strerror(-rc));
	} else {
		size_t gone = hd_evidence_prune(w->edfd, w->evidence_max, id);
		w_log("evidence %s: %s (%" PRIu64 " line%s): %s%s%s%s%s", id, ev->entry,
		      ev->matched, ev->matched == 1 ? "" : "s", hd_status_name(worst),
		      *hid ? ", " : "", hid, *hid ? ": " : "", *why ? why : hsum);
		if (gone)
			w_log("evidence store at its bound: the %zu oldest report%s removed", gone,
			      gone == 1 ? "" : "s");
		queue_hook(w, id, ev->entry, worst);
	}
	st = w_stat(w, ev->entry, NULL);
	st->runs++;
	st->last_status = (int)worst;
	st->last_time = ev->checked;
	if (st->open == ev)
		st->open = NULL;
	json_object_put(doc);
	event_remove(w, ev);
	w->prom_pending = true;
	w->next_prom = 0; /* the textfile now, with the new state */
	w->save_pending = true;
}

void w_event_drop(struct watch *w, struct w_event *ev)
{
	struct w_stat *st = w_stat(w, ev->entry, NULL);

	w_log("%s: its checks were not run: the watch is stopping", ev->entry);
	if (st->open == ev)
		st->open = NULL;
	event_remove(w, ev);
}

void w_events_free(struct watch *w)
{
	for (size_t i = 0; i < w->nevents; i++) {
		struct w_event *ev = w->events[i];
		if (ev->pid > 0) {
			kill(ev->pid, SIGKILL);
			waitpid(ev->pid, NULL, 0);
		}
		event_free(ev);
	}
	free(w->events);
	w->events = NULL;
	w->nevents = 0;
	for (int i = 0; i < W_MAX_HOOKS; i++)
		if (w->hooks[i].pid > 0) {
			kill(-w->hooks[i].pid, SIGKILL);
			w_hook_done(w, &w->hooks[i], true);
		}
	for (size_t i = 0; i < w->nqueued; i++) {
		free(w->queued[i].id);
		free(w->queued[i].entry);
	}
	w->nqueued = 0;
}

/* ---- the on-event command ---- */

void w_hooks_start(struct watch *w)
{
	for (int k = 0; k < W_MAX_HOOKS && w->nqueued; k++) {
		struct w_hook *h = &w->hooks[k];
		struct w_queued q;
		_cleanup_free_ char *path = NULL, *cmd = NULL;
		pid_t pid;

		if (h->pid > 0)
			continue;
		q = w->queued[0];
		memmove(&w->queued[0], &w->queued[1], (w->nqueued - 1) * sizeof(w->queued[0]));
		w->nqueued--;
		path = hd_asprintf("%s/evidence/%s.json", w->state_dir, q.id);
		/* the path is the command's last argument (and in HOSTDOCTOR_EVIDENCE) */
		cmd = hd_asprintf("%s \"$1\"", w->on_event);
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			sigset_t none;
			int null = open("/dev/null", O_RDWR | O_CLOEXEC);
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			signal(SIGPIPE, SIG_DFL);
			setpgid(0, 0);
			/* its output is not logged: the journal watch reads must not see the log
			 * line again */
			if (null >= 0) {
				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
			}
			setenv("HOSTDOCTOR_EVIDENCE", path, 1);
			setenv("HOSTDOCTOR_EVIDENCE_ID", q.id, 1);
			setenv("HOSTDOCTOR_ENTRY", q.entry, 1);
			setenv("HOSTDOCTOR_STATUS", hd_status_name((enum hd_status)q.status), 1);
			execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
			_exit(127);
		}
		if (pid < 0) {
			w_log("on-event command for %s: fork: %s", q.id, strerror(errno));
			free(q.id);
		} else {
			setpgid(pid, pid);
			h->pid = pid;
			h->pidfd = hd_pidfd_open(pid);
			h->deadline = hd_now() + w->on_event_timeout;
			h->id = q.id;
		}
		free(q.entry);
	}
}

void w_hook_done(struct watch *w, struct w_hook *h, bool killed)
{
	int status = 0;

	kill(-h->pid, SIGKILL); /* whatever it left running in its group */
	if (h->reaped)
		status = h->exit_status;
	else
		waitpid(h->pid, &status, 0);
	if (killed)
		w_log("on-event command for %s: stopped after %g s", h->id, w->on_event_timeout);
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		w_log("on-event command for %s: exit status %d", h->id, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		w_log("on-event command for %s: killed by SIG%s", h->id,
		      sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	if (h->pidfd >= 0)
		close(h->pidfd);
	free(h->id);
	*h = (struct w_hook){.pid = 0, .pidfd = -1};
	w_hooks_start(w);
}
