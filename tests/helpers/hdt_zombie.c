/* Leaves a zombie: names itself ARGV[1], forks a child that exits at once, and never reaps it
 * until it is told to stop (SIGTERM, or the alarm), so the test leaves no zombie behind. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void reap_and_exit(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	_exit(0);
}

int main(int argc, char **argv)
{
	pid_t child;

	if (argc < 2) {
		fprintf(stderr, "usage: hdt_zombie NAME [SECONDS]\n");
		return 2;
	}
	/* the child inherits the name, so the zombie matches the same process check */
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) < 0) {
		perror("prctl");
		return 1;
	}
	/* an orphaned zombie is reaped by pid 1 only if pid 1 reaps: do it ourselves */
	signal(SIGTERM, reap_and_exit);
	signal(SIGALRM, reap_and_exit);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0)
		_exit(0);
	printf("%d %d\n", (int)getpid(), (int)child);
	fflush(stdout);
	/* a bounded life even if the test forgets to kill us */
	alarm(argc > 2 ? (unsigned)atoi(argv[2]) : 120);
	for (;;)
		pause();
}
