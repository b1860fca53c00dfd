/* Start a command as a child subreaper's child, SIGKILL it after a delay, and count what it left
 * behind: its orphans are reparented here, so any still alive a moment later outlived it.
 *   hdt_reaper DELAY_US GRACE_MS CMD [ARG...]
 * Prints "children N orphans-alive M" (N: children the command had when it was killed) and
 * exits 0 when M is 0, 1 when some outlived it, 2 on a usage or system error. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Processes whose parent is PPID and that are not zombies (SIGKILLed when KILL). */
static int children_of(pid_t ppid, int kill_them)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], buf[512], *p, state;
		int pp;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 1, " %c %d", &state, &pp) == 2 && pp == ppid && state != 'Z') {
			n++;
			if (kill_them)
				kill(atoi(e->d_name), SIGKILL);
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	long delay_us, grace_ms;
	int children, alive;
	pid_t pid;
	struct timespec ts;

	if (argc < 4)
		return 2;
	delay_us = strtol(argv[1], NULL, 10);
	grace_ms = strtol(argv[2], NULL, 10);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	ts = (struct timespec){delay_us / 1000000, (delay_us % 1000000) * 1000};
	nanosleep(&ts, NULL);
	children = children_of(pid, 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* what dies of PR_SET_PDEATHSIG is gone at once; give stragglers GRACE_MS */
	ts = (struct timespec){grace_ms / 1000, (grace_ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	alive = children_of(getpid(), 0);
	printf("children %d orphans-alive %d\n", children, alive);
	/* leave nothing behind ourselves */
	for (int i = 0; i < 50 && children_of(getpid(), 1) > 0; i++) {
		usleep(20000);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	return alive > 0 ? 1 : 0;
}
