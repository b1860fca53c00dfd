/* Test helper: creates listening, bound and connected sockets (and idle processes), says "ready",
 * then holds them until killed. Options run in order:
 *   --name NAME            process name (comm) the probes should find
 *   --nofile N             raise RLIMIT_NOFILE to N (thousands of connections)
 *   --backlog N            listen() backlog of the following --listen (default 128)
 *   --listen KIND,ADDR,PORT  KIND: tcp4 tcp6 tcp6only udp4 udp6 udp6only (bind + listen)
 *   --bind KIND,ADDR,PORT    the same, bound only: a TCP socket that never listens
 *   --connect ADDR,PORT,N  N TCP connections to ADDR:PORT, accepted when the listener is ours
 *   --no-accept            the following --connect leave connections in the accept queue
 *   --reuseport            the following --listen set SO_REUSEPORT (several processes, one port)
 *   --serve                once ready, keep accepting on our listeners instead of idling
 *   --fork N               N idle child processes (started before the sockets they should not hold)
 *   --ready FILE           write "ready" to FILE instead of stdout */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

struct listener {
	int fd;
	int port;
};

static struct listener listeners[64];
static size_t nlisteners;

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "hdt_sockets: %s %s: %s\n", what, arg, strerror(errno));
	exit(1);
}

/* "ADDR" into a sockaddr of FAMILY with PORT. */
static socklen_t make_addr(int family, const char *addr, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
			return 0;
		return sizeof(*a);
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	a->sin6_family = AF_INET6;
	a->sin6_port = htons((uint16_t)port);
	if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
		return 0;
	return sizeof(*a);
}

/* KIND,ADDR,PORT: a socket bound to it; listening when LISTEN (and TCP). */
static bool reuseport;

static void make_socket(char *spec, bool listen_too, int backlog)
{
	char *kind = strtok(spec, ","), *addr = strtok(NULL, ","), *port = strtok(NULL, ",");
	struct sockaddr_storage ss;
	bool udp, v6, v6only;
	int fd, one = 1, off = 0;
	socklen_t len;

	if (!kind || !addr || !port) {
		fprintf(stderr, "hdt_sockets: expected KIND,ADDR,PORT\n");
		exit(2);
	}
	udp = strncmp(kind, "udp", 3) == 0;
	v6 = strstr(kind, "6") != NULL;
	v6only = strstr(kind, "only") != NULL;
	fd = socket(v6 ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		die("socket", kind);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		die("SO_REUSEPORT", kind);
	if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only ? &one : &off, sizeof(int)) < 0)
		die("IPV6_V6ONLY", kind);
	len = make_addr(v6 ? AF_INET6 : AF_INET, addr, atoi(port), &ss);
	if (!len) {
		fprintf(stderr, "hdt_sockets: bad address %s\n", addr);
		exit(2);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind", addr);
	if (listen_too && !udp) {
		if (listen(fd, backlog) < 0)
			die("listen", port);
		if (nlisteners < sizeof(listeners) / sizeof(listeners[0]))
			listeners[nlisteners++] = (struct listener){fd, atoi(port)};
	}
}

/* ADDR,PORT,N */
static void make_connections(char *spec, bool accept_them)
{
	char *addr = strtok(spec, ","), *port = strtok(NULL, ","), *count = strtok(NULL, ",");
	int lfd = -1, p, n;
	struct sockaddr_storage ss;
	socklen_t len;

	if (!addr || !port || !count) {
		fprintf(stderr, "hdt_sockets: expected ADDR,PORT,N\n");
		exit(2);
	}
	p = atoi(port);
	n = atoi(count);
	len = make_addr(strchr(addr, ':') ? AF_INET6 : AF_INET, addr, p, &ss);
	if (!len) {
		fprintf(stderr, "hdt_sockets: bad address %s\n", addr);
		exit(2);
	}
	for (size_t i = 0; i < nlisteners; i++)
		if (listeners[i].port == p)
			lfd = listeners[i].fd;
	for (int i = 0; i < n; i++) {
		int fd = socket(ss.ss_family, SOCK_STREAM | (accept_them ? 0 : SOCK_NONBLOCK), 0);

		if (fd < 0)
			die("socket", "connect");
		if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
			die("connect", addr);
		if (accept_them && lfd >= 0 && accept(lfd, NULL, NULL) < 0)
			die("accept", port);
	}
}

static void fork_idle(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork", "");
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
}

/* Accept whatever arrives on our listeners, holding the connections, until killed. */
static void serve(void)
{
	struct pollfd p[64];

	for (size_t i = 0; i < nlisteners; i++)
		p[i] = (struct pollfd){.fd = listeners[i].fd, .events = POLLIN};
	for (;;) {
		if (poll(p, nlisteners, -1) < 0)
			continue;
		for (size_t i = 0; i < nlisteners; i++)
			if (p[i].revents & POLLIN)
				accept(p[i].fd, NULL, NULL);
	}
}

int main(int argc, char **argv)
{
	const char *ready = NULL;
	bool accept_them = true, serving = false;
	int backlog = 128;

	signal(SIGCHLD, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		char *arg = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--no-accept") == 0) {
			accept_them = false;
			continue;
		}
		if (strcmp(opt, "--reuseport") == 0) {
			reuseport = true;
			continue;
		}
		if (strcmp(opt, "--serve") == 0) {
			serving = true;
			continue;
		}
		if (!arg) {
			fprintf(stderr, "hdt_sockets: %s needs a value\n", opt);
			return 2;
		}
		i++;
		if (strcmp(opt, "--name") == 0) {
			prctl(PR_SET_NAME, arg);
		} else if (strcmp(opt, "--nofile") == 0) {
			struct rlimit rl = {(rlim_t)atol(arg), (rlim_t)atol(arg)};
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				die("RLIMIT_NOFILE", arg);
		} else if (strcmp(opt, "--backlog") == 0) {
			backlog = atoi(arg);
		} else if (strcmp(opt, "--listen") == 0) {
			make_socket(arg, true, backlog);
		} else if (strcmp(opt, "--bind") == 0) {
			make_socket(arg, false, backlog);
		} else if (strcmp(opt, "--connect") == 0) {
			make_connections(arg, accept_them);
		} else if (strcmp(opt, "--fork") == 0) {
			fork_idle(atoi(arg));
		} else if (strcmp(opt, "--ready") == 0) {
			ready = arg;
		} else {
			fprintf(stderr, "hdt_sockets: unknown option %s\n", opt);
			return 2;
		}
	}
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (!f)
			die("open", ready);
		fputs("ready\n", f);
		fclose(f);
	} else {
		puts("ready");
		fflush(stdout);
	}
	if (serving)
		serve();
	for (;;)
		pause();
}
