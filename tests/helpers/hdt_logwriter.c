/* Test and bench helper: a product logging at a steady rate, one write(2) per line as a daemon
 * that does not buffer its log does.
 *   hdt_logwriter [--rate N] [--seconds S] [--match-every S --match TEXT] [--export] FILE...
 * N lines a second (default 10000) for S seconds (default 10), in turns to each FILE (appended),
 * or with --export as journal export entries on stdout (for systemd-journal-remote). Every
 * --match-every seconds one line is TEXT instead (a catalogued message). Prints
 * "wrote LINES lines, MATCHES matches" at the end. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLICE_NS 10000000L /* 10 ms */

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"rate", required_argument, NULL, 'r'},
	    {"seconds", required_argument, NULL, 's'},
	    {"match-every", required_argument, NULL, 'm'},
	    {"match", required_argument, NULL, 't'},
	    {"export", no_argument, NULL, 'e'},
	    {0},
	};
	double rate = 10000, seconds = 10, every = 0, t0, next_match;
	const char *match = NULL;
	int export = 0, c, nfd = 0, *fds;
	unsigned long long lines = 0, matches = 0;
	char host[64] = "bench", stamp[32];
	struct timespec tick;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': rate = atof(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'm': every = atof(optarg); break;
		case 't': match = optarg; break;
		case 'e': export = 1; break;
		default: return 2;
		}
	}
	if (rate <= 0 || seconds <= 0 || (every > 0 && !match) || (!export && optind >= argc)) {
		fprintf(stderr, "usage: hdt_logwriter [--rate N] [--seconds S] [--match-every S "
				"--match TEXT] [--export] FILE...\n");
		return 2;
	}
	fds = calloc((size_t)(argc - optind) + 1, sizeof(int));
	for (int i = optind; i < argc; i++) {
		fds[nfd] = open(argv[i], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fds[nfd] < 0) {
			perror(argv[i]);
			return 1;
		}
		nfd++;
	}
	gethostname(host, sizeof(host) - 1);
	t0 = mono();
	next_match = every > 0 ? t0 + every : 1e300;
	clock_gettime(CLOCK_MONOTONIC, &tick);
	for (;;) {
		double now = mono(), el = now - t0;
		unsigned long long due = (unsigned long long)(rate * (el < seconds ? el : seconds));
		char buf[65536];
		size_t len = 0;
		time_t wall = time(NULL);
		struct tm tm;

		localtime_r(&wall, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		while (lines < due) {
			char line[512];
			int n, is_match = now >= next_match;
			if (is_match) {
				next_match += every;
				matches++;
				n = snprintf(line, sizeof(line), "%s %s app[%d]: %s\n", stamp, host,
					     (int)getpid(), match);
			} else {
				n = snprintf(line, sizeof(line),
					     "%s %s app[%d]: request %llu served in %llu ms from "
					     "192.0.2.%llu\n",
					     stamp, host, (int)getpid(), lines, lines % 97,
					     lines % 250);
			}
			lines++;
			if (export) {
				struct timespec rt, mt;
				char *nl = strrchr(line, '\n');
				clock_gettime(CLOCK_REALTIME, &rt);
				clock_gettime(CLOCK_MONOTONIC, &mt);
				if (nl)
					*nl = '\0';
				if (len + 1024 > sizeof(buf)) {
					if (write_all(1, buf, len) < 0)
						return 1;
					len = 0;
				}
				len += (size_t)snprintf(
				    buf + len, sizeof(buf) - len,
				    "__REALTIME_TIMESTAMP=%llu\n__MONOTONIC_TIMESTAMP=%llu\n"
				    "_BOOT_ID=11111111111111111111111111111111\n_PID=%d\n"
				    "SYSLOG_IDENTIFIER=app\nPRIORITY=6\nMESSAGE=%s\n\n",
				    (unsigned long long)rt.tv_sec * 1000000ULL +
					(unsigned long long)rt.tv_nsec / 1000,
				    (unsigned long long)mt.tv_sec * 1000000ULL +
					(unsigned long long)mt.tv_nsec / 1000,
				    (int)getpid(),
				    strstr(line, ": ") ? strstr(line, ": ") + 2 : line);
			} else if (write_all(fds[lines % (unsigned long long)nfd], line,
					     (size_t)n) < 0) {
				perror("write");
				return 1;
			}
		}
		if (export && len && write_all(1, buf, len) < 0)
			return 1;
		if (el >= seconds)
			break;
		tick.tv_nsec += SLICE_NS;
		if (tick.tv_nsec >= 1000000000L) {
			tick.tv_nsec -= 1000000000L;
			tick.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL);
	}
	fprintf(stderr, "wrote %llu lines, %llu matches\n", lines, matches);
	for (int i = 0; i < nfd; i++)
		close(fds[i]);
	free(fds);
	return 0;
}
