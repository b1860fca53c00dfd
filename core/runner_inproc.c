/* The runner for one check alone (a plugin call: nagios CHECK, --probe): the probe runs in a
 * thread of this process while the calling thread keeps the deadline. No fork, no result sent
 * between processes: about a third of a millisecond less per call. What the child process gives
 * the runner for many checks stays: a hang is UNKNOWN at the deadline (the thread is left, the
 * caller ends with _exit(), whose SIGKILL of the thread also ends a killable wait of a dead NFS
 * server), and a crash is UNKNOWN naming the signal -- the command is executed again with
 * HOSTDOCTOR_ISOLATE=1, which runs the check in a child as the runner for many checks does. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "util.h"

struct inproc {
	const struct hd_check *c;
	struct hd_ctx ctx;
	struct hd_result r;
	int done[2]; /* the thread writes a byte to done[1] when the result is there */
	void *altstack;
};

static volatile sig_atomic_t abandoned;
/* what the crash handler uses: set before the thread starts, read-only after */
static char *const *crash_argv;
static char *const *crash_env;
static const char *crash_text;

bool hd_run_abandoned(void)
{
	return abandoned;
}

/* A crash in the check: execute the command again to have it run isolated (async-signal-safe:
 * execve, write, _exit only). */
static void on_crash(int sig)
{
	(void)sig;
	if (crash_argv)
		execve(crash_argv[0], crash_argv, crash_env);
	if (crash_text) {
		size_t n = strlen(crash_text);
		while (n > 0) {
			ssize_t w = write(STDOUT_FILENO, crash_text, n);
			if (w <= 0)
				break;
			crash_text += w;
			n -= (size_t)w;
		}
	}
	_exit(3);
}

static void *check_thread(void *arg)
{
	struct inproc *p = arg;
	stack_t ss = {.ss_sp = p->altstack, .ss_size = 64 * 1024};

	/* a stack overflow still reaches the handler (AddressSanitizer gives its threads an
	 * alternate stack of its own, and frees it itself) */
#ifndef __SANITIZE_ADDRESS__
	sigaltstack(&ss, NULL);
#else
	(void)ss;
#endif
	hd_run_one(p->c, &p->ctx, &p->r);
#ifndef __SANITIZE_ADDRESS__
	ss.ss_flags = SS_DISABLE; /* freed by the caller once this thread is gone */
	sigaltstack(&ss, NULL);
#endif
	while (write(p->done[1], "", 1) < 0 && errno == EINTR)
		;
	return NULL;
}

void hd_run_in_process(const struct hd_check *c, const struct hd_run_opts *o, double deadline,
		       struct hd_result *r)
{
	/* what kills the child of the runner for many checks; SIGPIPE too (a probe writing to a
	 * socket its peer closed would otherwise end this process without a word) */
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGPIPE};
	struct inproc *p = hd_xcalloc(1, sizeof(*p));
	double started = hd_now();
	double ct = c->timeout > 0	   ? c->timeout
		    : o->check_timeout > 0 ? o->check_timeout
					   : HD_DEFAULT_CHECK_TIMEOUT;
	bool global = started + ct >= deadline;
	struct sigaction sa = {.sa_handler = on_crash, .sa_flags = SA_ONSTACK | SA_RESETHAND};
	pthread_t th;
	char secs[32];
	int ms;

	hd_result_init(r);
	if (!global)
		deadline = started + ct;
	p->c = c;
	p->ctx = (struct hd_ctx){.root = o->root ? o->root : "",
				 .verbose = o->verbose,
				 .privileged = geteuid() == 0,
				 .deadline = deadline,
				 .reader = o->reader};
	p->altstack = hd_xmalloc(64 * 1024);
	crash_argv = o->reexec;
	crash_env = o->reexec_env;
	crash_text = o->crash_text;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if (pipe2(p->done, O_CLOEXEC) < 0 || pthread_create(&th, NULL, check_thread, p) != 0) {
		hd_run_set_unknown(r, c, HD_UNKNOWN, "cannot start: %s", strerror(errno));
		return; /* p is left: cheaper than telling apart what was made */
	}
	ms = (int)((deadline - hd_now()) * 1000 + 0.999);
	for (;;) {
		struct pollfd pfd = {.fd = p->done[0], .events = POLLIN};
		int rc = poll(&pfd, 1, ms > 0 ? ms : 0);
		if (rc > 0 || (rc < 0 && errno != EINTR))
			break;
		if (rc == 0 || hd_now() >= deadline) {
			/* the thread keeps what it uses: the caller ends with _exit() */
			abandoned = 1;
			if (global) {
				hd_run_fmt_secs(secs, sizeof(secs), o->timeout);
				hd_run_set_unknown(
				    r, c, o->timeout_state,
				    "timed out: the run's deadline of %s s was reached", secs);
			} else {
				hd_run_fmt_secs(secs, sizeof(secs), ct);
				hd_run_set_unknown(r, c, HD_UNKNOWN, "timed out after %s s", secs);
			}
			hd_result_detail(r, "the probe was stopped; it may be blocked on a hung "
					    "filesystem, device or network peer");
			r->duration = hd_now() - started;
			return;
		}
		ms = (int)((deadline - hd_now()) * 1000 + 0.999);
	}
	pthread_join(th, NULL);
	*r = p->r;
	r->duration = hd_now() - started;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	close(p->done[0]);
	close(p->done[1]);
	free(p->altstack);
	free(p);
}
