/* Runner: fork per check (a crash or hang stays in its child), poll on pipes and pidfds,
 * SIGKILL at the deadline without waiting for a child stuck in the kernel. */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "indirect.h"
#include "result_json.h"
#include "text.h"
#include "util.h"

static void fill_identity(const struct hd_check *c, struct hd_result *r)
{
	r->id = hd_xstrdup(c->id);
	r->probe = hd_xstrdup(c->probe ? c->probe->name : "");
	r->description = hd_xstrdup_null(c->description);
	r->inhibitor = c->inhibitor;
	r->severity = hd_xstrdup_null(c->severity);
	r->tags = c->ntags ? hd_xcalloc(c->ntags, sizeof(char *)) : NULL;
	for (size_t i = 0; i < c->ntags; i++)
		r->tags[i] = hd_xstrdup(c->tags[i]);
	r->ntags = c->ntags;
}

static const char *metric_help(const struct hd_probe *p, const char *name)
{
	for (const struct hd_metric_doc *d = p->metrics; d && d->name; d++)
		if (strcmp(d->name, name) == 0)
			return d->help;
	return NULL;
}

void hd_apply_thresholds(const struct hd_check *c, struct hd_result *r)
{
	const char *name = c->metric;
	struct hd_metric *m;
	char buf[96];

	if (!name && c->probe->metrics && c->probe->metrics[0].name)
		name = c->probe->metrics[0].name;
	if (!name || (!c->warn.set && !c->crit.set))
		return;
	m = hd_result_find_metric(r, name);
	if (!m) {
		/* a probe that could not measure says so itself; an OK without the metric is a bug */
		if (r->status == HD_OK && c->metric) {
			r->status = HD_UNKNOWN;
			hd_result_detail(r, "metric '%s' (named by 'metric =') was not produced",
					 name);
		}
		return;
	}
	m->warn = c->warn;
	m->crit = c->crit;
	if (hd_range_alerts(&c->crit, m->value)) {
		hd_range_format(&c->crit, buf, sizeof(buf));
		hd_result_raise(r, HD_CRITICAL);
		hd_result_detail(r, "%s = %g is outside the critical range %s", m->name, m->value,
				 buf);
	} else if (hd_range_alerts(&c->warn, m->value)) {
		hd_range_format(&c->warn, buf, sizeof(buf));
		hd_result_raise(r, HD_WARNING);
		hd_result_detail(r, "%s = %g is outside the warning range %s", m->name, m->value,
				 buf);
	}
}

void hd_run_one(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	double t0 = hd_now();
	int rc;

	struct hd_check resolved;
	char err[1024];

	hd_result_init(r);
	fill_identity(c, r);
	if (c->only_if_exists || c->unless_exists) {
		const char *p = c->only_if_exists ? c->only_if_exists : c->unless_exists;
		char path[4096];
		struct stat st;
		bool exists = hd_path(ctx, p, path, sizeof(path)) == 0 && stat(path, &st) == 0;

		if (exists != (c->only_if_exists != NULL)) {
			r->status = HD_SKIPPED;
			r->summary =
			    hd_asprintf("does not apply: %s%s %s", ctx->root, p,
					exists ? "exists (already installed)" : "is not present");
			r->duration = hd_now() - t0;
			return;
		}
	}
	rc = hd_check_resolve(c, ctx, &resolved, err, sizeof(err));
	if (rc < 0) {
		r->status = HD_UNKNOWN;
		r->summary =
		    hd_asprintf("cannot read a value from the product's configuration: %s", err);
		r->remedy = hd_asprintf("Check that the product is installed and its configuration "
					"file is readable, or set the value in the check (%s:%d).",
					c->file ? c->file : "checks.d", c->line);
		r->duration = hd_now() - t0;
		return;
	}
	rc = c->probe->run(&resolved, ctx, r);
	c = &resolved; /* thresholds and remedy below read the same check */
	if (rc < 0) {
		r->status = HD_UNKNOWN;
		if (!r->summary || !*r->summary) {
			free(r->summary);
			r->summary = hd_asprintf("cannot tell: %s", hd_read_strerror(rc));
		}
	} else if (r->status != HD_UNKNOWN && r->status != HD_SKIPPED) {
		hd_apply_thresholds(c, r);
	}
	for (size_t i = 0; i < r->nmetrics; i++)
		if (!r->metrics[i].help) {
			const char *h = metric_help(c->probe, r->metrics[i].name);
			r->metrics[i].help = hd_xstrdup_null(h);
		}
	if (c->remedy) {
		/* the check's own text replaces the probe's, and with it what the probe's named */
		free(r->remedy);
		r->remedy = hd_xstrdup(c->remedy);
		hd_result_clear_actions(r);
	}
	if (!r->summary)
		r->summary = hd_xstrdup("");
	/* what a probe took from the host and did not escape reaches no terminal or JSON raw */
	hd_result_sanitize(r);
	hd_check_resolved_free(&resolved);
	r->duration = hd_now() - t0;
}

/* ---- child side ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The signals the parent handles (cli.c) and those a probe must die of, so the parent can name
 * them: every one back to its default in the child. */
static const int child_sigs[] = {SIGSEGV, SIGBUS, SIGFPE,  SIGILL,  SIGABRT, SIGTERM,
				 SIGINT,  SIGHUP, SIGPIPE, SIGALRM, SIGCHLD, SIGQUIT};

static void __attribute__((noreturn)) child_oom(void)
{
	_exit(HD_EXIT_OOM);
}

#if defined(__SANITIZE_ADDRESS__)
#define HD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HD_ASAN 1
#endif
#endif

void hd_runner_limit_memory(unsigned mb)
{
#ifdef HD_ASAN
	(void)mb; /* AddressSanitizer reserves terabytes of shadow memory: no limit there */
#else
	struct rlimit rl;
	rlim_t want = (rlim_t)mb << 20;

	if (mb == 0 || getrlimit(RLIMIT_AS, &rl) < 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_AS, &rl);
#endif
}

/* Keep 0, 1, 2 and the result pipe (moved to 3): the other jobs' pipes and pidfds, and whatever
 * else the parent holds, are not the probe's, and count against its RLIMIT_NOFILE. */
static int keep_only_result_fd(int wfd)
{
	if (wfd != 3) {
		if (dup2(wfd, 3) < 0)
			return wfd;
		wfd = 3;
	}
	if (close_range(4, ~0u, 0) < 0) {
		struct rlimit rl;
		int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536
			      ? (int)rl.rlim_cur
			      : 65536;
		for (int fd = 4; fd < top; fd++)
			close(fd);
	}
	return wfd;
}

static void __attribute__((noreturn))
child(const struct hd_check *c, const struct hd_run_opts *o, double deadline, int wfd, pid_t parent)
{
	struct rlimit no_core = {0, 0};
	struct hd_ctx ctx = {.root = o->root ? o->root : "",
			     .verbose = o->verbose,
			     .privileged = geteuid() == 0,
			     .deadline = deadline,
			     .reader = o->reader,
			     .runner_pid = parent};
	struct hd_result r;
	struct json_object *j;
	const char *s;
	sigset_t none;
	int devnull;

	/* first of all: die with the parent. A parent killed before this line was reached has
	 * left us to init (or a subreaper) already, which getppid() tells. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0);
	/* die by the signal itself, so the parent can name it */
	for (size_t i = 0; i < sizeof(child_sigs) / sizeof(child_sigs[0]); i++)
		signal(child_sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the parent blocked some around fork() */
	hd_set_oom_handler(child_oom);
	setrlimit(RLIMIT_CORE, &no_core);
	hd_runner_limit_memory(o->memory_mb);
	wfd = keep_only_result_fd(wfd);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull >= 0 && devnull != STDIN_FILENO) {
		dup2(devnull, STDIN_FILENO);
		close(devnull);
	}
	hd_run_one(c, &ctx, &r);
	j = hd_result_to_json(&r);
	s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	write_all(wfd, s, strlen(s));
	/* the end of the result now, not after this process's teardown: the parent need not
	 * wait for the exit to have it */
	close(wfd);
	_exit(0);
}

/* ---- parent side ---- */

/* A result larger than this is a probe gone wrong: its child is killed, the check UNKNOWN. */
#define HD_MAX_RESULT (16u << 20)

/* The children running now, for hd_runner_kill_children() in a signal handler: written with
 * the termination signals blocked, read by the handler. */
static volatile pid_t live[HD_MAX_JOBS];

void hd_runner_kill_children(void)
{
	for (int k = 0; k < HD_MAX_JOBS; k++) {
		pid_t pid = live[k];
		if (pid > 0) {
			kill(-pid, SIGKILL); /* its process group: whatever the probe started */
			kill(pid, SIGKILL);
		}
	}
}

void hd_term_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
}

/* Blocked between fork() and the child's registration, so a handler never misses a child. */
static void block_term(sigset_t *old)
{
	sigset_t set;

	hd_term_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

struct job {
	pid_t pid;
	int rfd, pidfd;
	bool eof, exited, too_big;
	int wstatus;
	struct json_object *result; /* the child's whole result, read before its exit */
	double deadline;
	bool deadline_is_global;
	size_t idx;
	struct hd_buf out;
};

int hd_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

void hd_run_set_unknown(struct hd_result *r, const struct hd_check *c, enum hd_status st,
			const char *fmt, ...)
{
	va_list ap;

	hd_result_free(r);
	hd_result_init(r);
	fill_identity(c, r);
	r->status = st;
	va_start(ap, fmt);
	r->summary = hd_vasprintf(fmt, ap);
	va_end(ap);
	if (c->remedy)
		r->remedy = hd_xstrdup(c->remedy);
}

/* A check the runner could not start: a limit of this run, not the check's problem. */
static void cannot_start(struct hd_result *r, const struct hd_check *c, const char *what, int e)
{
	hd_run_set_unknown(r, c, HD_UNKNOWN,
			   "not run: hostdoctor could not start its process (%s: %s)", what,
			   strerror(e));
	free(r->remedy);
	r->remedy = hd_asprintf(
	    e == EMFILE || e == ENFILE
		? "Raise the open files limit of the run (ulimit -n; LimitNOFILE= in a unit), or "
		  "run fewer checks at once (-j)."
		: "Raise the process or memory limits of the run (ulimit -u, ulimit -v; TasksMax= "
		  "in a unit), or run fewer checks at once (-j).");
}

/* Checks at once that the open files limit allows: each takes a pipe and a pidfd here. */
static int fd_budget(int jobs)
{
	struct rlimit rl;
	int fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 4096)
		return jobs;
	fit = ((int)rl.rlim_cur - 8) / 3; /* stdio, the loader's and libraries' own, a margin */
	return fit < 1 ? 1 : fit < jobs ? fit : jobs;
}

static void finish(struct job *j, const struct hd_check *c, struct hd_result *r, double started,
		   unsigned memory_mb)
{
	struct json_object *o = NULL;

	if (j->too_big) {
		hd_run_set_unknown(r, c, HD_UNKNOWN, "probe '%s' sent a result of more than %u MiB",
				   c->probe->name, HD_MAX_RESULT >> 20);
		r->remedy = hd_asprintf("This is a bug in hostdoctor's '%s' probe: run "
					"'hostdoctor -vv --only %s' and report the output.",
					c->probe->name, c->id);
	} else if (WIFSIGNALED(j->wstatus)) {
		int sig = WTERMSIG(j->wstatus);
		hd_run_set_unknown(r, c, HD_UNKNOWN, "probe '%s' crashed: killed by SIG%s (%s)",
				   c->probe->name, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
				   strsignal(sig));
		r->remedy = hd_asprintf("This is a bug in hostdoctor's '%s' probe: run "
					"'hostdoctor -vv --only %s' and report the output.",
					c->probe->name, c->id);
	} else if (WIFEXITED(j->wstatus) && WEXITSTATUS(j->wstatus) == HD_EXIT_OOM) {
		hd_run_set_unknown(r, c, HD_UNKNOWN, "probe '%s' ran out of memory",
				   c->probe->name);
		hd_result_detail(r, "each check may use %u MiB of address space (--memory-limit)",
				 memory_mb);
		r->remedy = hd_asprintf("Raise the limit (--memory-limit MIB) if the host has the "
					"memory; if the input is that large, look at it: "
					"'hostdoctor -vv --only %s'.",
					c->id);
	} else if (j->out.len && (o = j->result ? j->result : json_tokener_parse(j->out.data)) &&
		   hd_result_from_json(o, r) == 0) {
		/* the child's own result */
		hd_result_sanitize(r);
	} else {
		hd_run_set_unknown(
		    r, c, HD_UNKNOWN, "probe '%s' ended without a result (exit status %d)",
		    c->probe->name, WIFEXITED(j->wstatus) ? WEXITSTATUS(j->wstatus) : -1);
	}
	if (o)
		json_object_put(o);
	j->result = NULL;
	r->duration = hd_now() - started;
}

static void drain(struct job *j)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(j->rfd, buf, sizeof(buf));
		if (n > 0) {
			if (j->out.len + (size_t)n > HD_MAX_RESULT) {
				j->too_big = true;
				j->eof = true;
				kill(-j->pid, SIGKILL);
				kill(j->pid, SIGKILL);
				break;
			}
			hd_buf_add(&j->out, buf, (size_t)n);
			continue;
		}
		if (n == 0)
			j->eof = true;
		else if (errno == EINTR)
			continue;
		break; /* EAGAIN: nothing more now */
	}
}

static void close_job(struct job *j, int k)
{
	live[k] = 0;
	if (j->rfd >= 0)
		close(j->rfd);
	if (j->pidfd >= 0)
		close(j->pidfd);
	j->rfd = j->pidfd = -1;
	free(j->out.data);
	memset(&j->out, 0, sizeof(j->out));
	j->pid = 0;
}

/* CPU seconds a child has used (utime + stime of /proc/PID/stat), or -1: a probe that spent its
 * time computing is not one waiting on a hung filesystem. */
static double child_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

void hd_run_fmt_secs(char *buf, size_t size, double s)
{
	snprintf(buf, size, "%g", hd_round_to(s, 10));
}

void hd_run_checks(struct hd_check *const *checks, size_t n, const struct hd_run_opts *o,
		   struct hd_result *results)
{
	int jobs = fd_budget(o->jobs < 1 ? 1 : o->jobs > HD_MAX_JOBS ? HD_MAX_JOBS : o->jobs);
	pid_t self = getpid();
	struct job *js = hd_xcalloc((size_t)jobs, sizeof(*js));
	double *started = hd_xcalloc(n ? n : 1, sizeof(double));
	double t0 = hd_now(), global = t0 + (o->timeout > 0 ? o->timeout : HD_DEFAULT_TIMEOUT);
	size_t next = 0;
	int running = 0;
	char secs[32];

	if (n == 1 && o->in_process) {
		free(js);
		free(started);
		hd_run_in_process(checks[0], o, global, &results[0]);
		return;
	}
	for (size_t i = 0; i < n; i++)
		hd_result_init(&results[i]);
	for (int k = 0; k < jobs; k++)
		js[k].rfd = js[k].pidfd = -1;
	fflush(NULL); /* no buffered output duplicated into children */

	for (;;) {
		struct pollfd pfd[2 * jobs];
		int map[2 * jobs], np = 0;
		double now = hd_now(), wake = global;

		/* start what fits */
		for (int k = 0; k < jobs && next < n && now < global; k++) {
			const struct hd_check *c = checks[next];
			sigset_t oldmask;
			double ct = c->timeout > 0	   ? c->timeout
				    : o->check_timeout > 0 ? o->check_timeout
							   : HD_DEFAULT_CHECK_TIMEOUT;
			int p[2];
			pid_t pid;

			if (js[k].pid)
				continue;
			if (pipe2(p, O_CLOEXEC) < 0) {
				/* out of descriptors while others run: this one waits for a slot */
				if ((errno == EMFILE || errno == ENFILE) && running > 0)
					break;
				cannot_start(&results[next], c, "pipe", errno);
				next++;
				k--; /* this slot is still free: the next check tries it */
				continue;
			}
			js[k].deadline = now + ct;
			js[k].deadline_is_global = false;
			if (js[k].deadline >= global) {
				js[k].deadline = global;
				js[k].deadline_is_global = true;
			}
			block_term(&oldmask);
			pid = fork();
			if (pid < 0) {
				int e = errno;
				sigprocmask(SIG_SETMASK, &oldmask, NULL);
				close(p[0]);
				close(p[1]);
				if ((e == EAGAIN || e == ENOMEM) && running > 0)
					break; /* a process limit: after the running ones */
				cannot_start(&results[next], c, "fork", e);
				next++;
				k--;
				continue;
			}
			if (pid == 0) {
				close(p[0]);
				child(c, o, js[k].deadline, p[1], self);
			}
			live[k] = pid;
			setpgid(pid, pid); /* both sides, so kill(-pid) works at once */
			sigprocmask(SIG_SETMASK, &oldmask, NULL);
			close(p[1]);
			fcntl(p[0], F_SETFL, O_NONBLOCK);
			js[k].pid = pid;
			js[k].rfd = p[0];
			js[k].pidfd = hd_pidfd_open(pid);
			js[k].eof = js[k].exited = js[k].too_big = false;
			js[k].idx = next;
			started[next] = now;
			next++;
			running++;
		}
		if (running == 0)
			break;

		for (int k = 0; k < jobs; k++) {
			if (!js[k].pid)
				continue;
			if (js[k].deadline < wake)
				wake = js[k].deadline;
			if (!js[k].eof) {
				pfd[np] = (struct pollfd){.fd = js[k].rfd, .events = POLLIN};
				map[np++] = k;
			}
			if (js[k].pidfd >= 0) {
				pfd[np] = (struct pollfd){.fd = js[k].pidfd, .events = POLLIN};
				map[np++] = k;
			}
		}
		{
			double left = wake - hd_now();
			int ms = left <= 0 ? 0 : (int)(left * 1000) + 1; /* never early */
			/* without pidfds, exits are found by polling waitpid */
			bool need_tick = false;
			for (int k = 0; k < jobs; k++)
				if (js[k].pid && js[k].pidfd < 0)
					need_tick = true;
			if (need_tick && ms > 50)
				ms = 50;
			if (poll(pfd, (nfds_t)np, ms) < 0 && errno != EINTR)
				break;
		}
		for (int i = 0; i < np; i++)
			if (pfd[i].revents && pfd[i].fd == js[map[i]].rfd)
				drain(&js[map[i]]);

		now = hd_now();
		for (int k = 0; k < jobs; k++) {
			struct job *j = &js[k];
			const struct hd_check *c;

			if (!j->pid)
				continue;
			c = checks[j->idx];
			if (!j->exited && waitpid(j->pid, &j->wstatus, WNOHANG) == j->pid)
				j->exited = true;
			/* a whole result before the exit: done, the exit is reaped later (or by init) */
			if (!j->exited && j->eof && j->out.len &&
			    (j->result = json_tokener_parse(j->out.data))) {
				j->exited = true;
				j->wstatus = 0;
			}
			if (j->exited) {
				drain(j);
				kill(-j->pid, SIGKILL); /* anything the probe left behind */
				finish(j, c, &results[j->idx], started[j->idx], o->memory_mb);
				close_job(j, k);
				running--;
			} else if (now >= j->deadline) {
				double cpu = child_cpu(j->pid);

				kill(-j->pid, SIGKILL);
				kill(j->pid, SIGKILL);
				/* not waited for: a child stuck in the kernel (dead NFS) may never be reaped */
				if (j->deadline_is_global) {
					hd_run_fmt_secs(secs, sizeof(secs), global - t0);
					hd_run_set_unknown(
					    &results[j->idx], c, o->timeout_state,
					    "timed out: the run's deadline of %s s was reached",
					    secs);
				} else {
					hd_run_fmt_secs(secs, sizeof(secs),
							j->deadline - started[j->idx]);
					hd_run_set_unknown(&results[j->idx], c, HD_UNKNOWN,
							   "timed out after %s s", secs);
				}
				/* a waiting probe uses next to none; a shared CPU gives a busy one less */
				if (cpu >= 0.2 * (now - started[j->idx]))
					hd_result_detail(
					    &results[j->idx],
					    "the probe was stopped after %.1f s of CPU "
					    "time: its input is too large or too "
					    "costly to read in time",
					    cpu);
				else
					hd_result_detail(
					    &results[j->idx],
					    "the probe was stopped; it may be blocked on a hung "
					    "filesystem, device or network peer");
				results[j->idx].duration = now - started[j->idx];
				close_job(j, k);
				running--;
			}
		}
	}
	hd_run_fmt_secs(secs, sizeof(secs), global - t0);
	for (; next < n; next++)
		hd_run_set_unknown(&results[next], checks[next], o->timeout_state,
				   "not run: the run's deadline of %s s was reached", secs);
	/* reap whatever already died; never block */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	free(js);
	free(started);
}
