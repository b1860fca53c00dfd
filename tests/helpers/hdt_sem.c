/* Test helper: SysV semaphore sets for the semaphores probe, in the caller's IPC namespace.
 *   hdt_sem hold N NSEMS   create up to N sets of NSEMS semaphores (stops at ENOSPC), do one
 *                          semop on each, print "created K" and "ready", keep them until SIGTERM
 *   hdt_sem orphan KEY     create a set whose only operator is a child that then exits;
 *                          print "orphan SEMID" and leave the set behind */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int post(int id)
{
	struct sembuf op = {.sem_num = 0, .sem_op = 1, .sem_flg = 0};
	return semop(id, &op, 1);
}

static int hold(int n, int nsems)
{
	int *ids = calloc((size_t)n + 1, sizeof(int)), k = 0;

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (; k < n; k++) {
		ids[k] = semget(IPC_PRIVATE, nsems, IPC_CREAT | 0600);
		if (ids[k] < 0) {
			printf("semget: %s\n", strerror(errno));
			break;
		}
		if (post(ids[k]) < 0)
			perror("hdt_sem: semop");
	}
	printf("created %d\nready\n", k);
	fflush(stdout);
	while (!stop)
		pause();
	for (int i = 0; i < k; i++)
		semctl(ids[i], 0, IPC_RMID);
	free(ids);
	return 0;
}

static int orphan(key_t key)
{
	int id = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600), st;
	pid_t child;

	if (id < 0) {
		perror("hdt_sem: semget");
		return 1;
	}
	child = fork();
	if (child == 0)
		_exit(post(id) < 0 ? 1 : 0);
	if (child < 0 || waitpid(child, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "hdt_sem: the child's semop failed\n");
		return 1;
	}
	printf("orphan %d\n", id);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return hold(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "orphan") == 0)
		return orphan((key_t)strtol(argv[2], NULL, 0));
	fprintf(stderr, "usage: hdt_sem hold N NSEMS | hdt_sem orphan KEY\n");
	return 2;
}
