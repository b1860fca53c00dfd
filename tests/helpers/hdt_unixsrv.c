/* Test helper: unix socket servers in the states a daemon's socket can be in.
 *
 *   hdt_unixsrv accept   PATH  listen and accept (and close) every connection
 *   hdt_unixsrv noaccept PATH  listen(fd, 0), fill the backlog, never accept
 *   hdt_unixsrv busy     PATH  listen(fd, 1) with one connection pending, never accept
 *   hdt_unixsrv stale    PATH  listen, then exit leaving the socket file behind
 *   hdt_unixsrv dgram    PATH  bind a datagram socket and wait
 *
 * The server runs in a child; the parent prints its pid once the socket is ready and exits,
 * so a shell test gets a pid to kill and needs no sleep. (stale prints the pid of the server
 * that has already exited.) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int bound(const char *path, int type, int backlog)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		/* a path longer than sun_path is bound relative to its directory */
		char *dir = strdup(path), *slash = strrchr(dir, '/');
		if (!slash || chdir(slash == dir ? "/" : (*slash = '\0', dir)) < 0) {
			fprintf(stderr, "hdt_unixsrv: cannot enter the directory of %s\n", path);
			exit(2);
		}
		free(dir);
		path = strrchr(path, '/') + 1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, backlog) < 0)) {
		fprintf(stderr, "hdt_unixsrv: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

/* The address of PATH once bound() ran (which entered the directory of a long path). */
static void addr(const char *path, struct sockaddr_un *sa)
{
	if (strlen(path) >= sizeof(sa->sun_path))
		path = strrchr(path, '/') + 1;
	strcpy(sa->sun_path, path);
}

/* Connect to PATH without blocking until the kernel refuses with EAGAIN: the backlog is full. */
static void fill(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	addr(path, &sa);
	for (int i = 0; i < 4096; i++) {
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			if (errno == EAGAIN) {
				close(c);
				return;
			}
			fprintf(stderr, "hdt_unixsrv: filling %s: %s\n", path, strerror(errno));
			exit(2);
		}
		/* kept open: a queued connection stays pending until accepted */
	}
	fprintf(stderr, "hdt_unixsrv: backlog of %s never filled\n", path);
	exit(2);
}

/* Tell the parent the socket is ready; from now on the server writes nothing, so it does not
 * hold the test's output pipes open. */
static void say_ready(int ready)
{
	int null = open("/dev/null", O_WRONLY);

	if (null >= 0)
		dup2(null, STDERR_FILENO);
	(void)!write(ready, "r", 1);
	close(ready);
}

static void serve(const char *mode, const char *path, int ready)
{
	int fd;

	if (strcmp(mode, "accept") == 0) {
		fd = bound(path, SOCK_STREAM, 128);
		say_ready(ready);
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c >= 0)
				close(c);
		}
	} else if (strcmp(mode, "noaccept") == 0) {
		fd = bound(path, SOCK_STREAM, 0);
		fill(path);
	} else if (strcmp(mode, "busy") == 0) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		fd = bound(path, SOCK_STREAM, 1);
		addr(path, &sa);
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "hdt_unixsrv: %s: %s\n", path, strerror(errno));
			exit(2);
		}
	} else if (strcmp(mode, "stale") == 0) {
		fd = bound(path, SOCK_STREAM, 16);
		close(fd); /* exit without unlink(): what a crashed daemon leaves */
		(void)!write(ready, "r", 1);
		_exit(0);
	} else if (strcmp(mode, "dgram") == 0) {
		fd = bound(path, SOCK_DGRAM, 0);
	} else {
		fprintf(stderr, "hdt_unixsrv: unknown mode '%s'\n", mode);
		exit(2);
	}
	(void)fd;
	say_ready(ready);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int p[2];
	pid_t pid;
	char c;

	if (argc != 3) {
		fprintf(stderr, "usage: hdt_unixsrv accept|noaccept|busy|stale|dgram PATH\n");
		return 2;
	}
	if (pipe(p) < 0)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		close(p[0]);
		/* $(hdt_unixsrv ...) returns only when every holder of stdout closed it */
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		setsid(); /* outlives the shell that started it until the test kills it */
		serve(argv[1], argv[2], p[1]);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		return 2;
	}
	if (strcmp(argv[1], "stale") == 0)
		waitpid(pid, NULL, 0);
	printf("%d\n", (int)pid);
	return 0;
}
