/* Test helper: a realtime watcher on a directory (fanotify mount/filesystem/inode mark, or an
 * inotify watch) that prints "ready" once marked and keeps the mark until SIGTERM, answering every
 * permission event with FAN_ALLOW so opens on the marked filesystem never stall. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: hdt_fanotify mount|filesystem|inode|inotify DIR [perm|notify "
			"[EXCLUDED-DIR]]\n");
	return 2;
}

/* Drain the queue: allow every permission event and close every event's fd. */
static void answer(int fd)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t n = read(fd, buf, sizeof(buf));
	struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)buf;

	for (; n > 0 && FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
		if (m->mask & (FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM)) {
			struct fanotify_response resp = {.fd = m->fd, .response = FAN_ALLOW};
			if (write(fd, &resp, sizeof(resp)) < 0)
				perror("hdt_fanotify: write response");
		}
		if (m->fd >= 0)
			close(m->fd);
	}
}

int main(int argc, char **argv)
{
	unsigned int where;
	bool perm = argc > 3 && strcmp(argv[3], "perm") == 0; /* else "notify" */
	int fd;

	if (argc < 3)
		return usage();
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (strcmp(argv[1], "inotify") == 0) {
		fd = inotify_init1(IN_CLOEXEC);
		if (fd < 0 || inotify_add_watch(fd, argv[2], IN_CREATE | IN_CLOSE_WRITE) < 0) {
			perror("hdt_fanotify: inotify");
			return 1;
		}
	} else {
		uint64_t mask = perm ? FAN_OPEN_PERM : FAN_OPEN | FAN_CLOSE_WRITE;

		if (strcmp(argv[1], "mount") == 0)
			where = FAN_MARK_MOUNT;
		else if (strcmp(argv[1], "filesystem") == 0)
			where = FAN_MARK_FILESYSTEM;
		else if (strcmp(argv[1], "inode") == 0)
			where = FAN_MARK_INODE, mask |= FAN_EVENT_ON_CHILD;
		else
			return usage();
		fd = fanotify_init((perm ? FAN_CLASS_CONTENT : FAN_CLASS_NOTIF) | FAN_CLOEXEC,
				   O_RDONLY | O_LARGEFILE);
		if (fd < 0 ||
		    fanotify_mark(fd, FAN_MARK_ADD | where, mask, AT_FDCWD, argv[2]) < 0) {
			perror("hdt_fanotify: fanotify");
			return 1;
		}
		/* how a scanner excludes a directory: an ignore mark on it that covers its children */
		if (argc > 4 &&
		    fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_IGNORE_SURV,
				  mask | FAN_EVENT_ON_CHILD | FAN_ONDIR, AT_FDCWD, argv[4]) < 0) {
			perror("hdt_fanotify: fanotify ignore mark");
			return 1;
		}
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (!stop) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 1000) > 0 && strcmp(argv[1], "inotify") != 0)
			answer(fd);
		else if (p.revents & POLLIN) {
			char buf[4096];
			if (read(fd, buf, sizeof(buf)) < 0 && errno != EAGAIN)
				break;
		}
	}
	close(fd);
	return 0;
}
