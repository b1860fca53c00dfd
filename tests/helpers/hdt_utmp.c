/* Append login records to a wtmp/btmp file through the utmpx interface, as login, sshd and
 * mgetty do: one record per line of stdin, "KIND USER LINE HOST EPOCH", KIND one of login
 * (USER_PROCESS), logout (DEAD_PROCESS), failed (LOGIN_PROCESS, as in btmp), boot; HOST "-"
 * for a local login. Usage: hdt_utmp FILE < records */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <utmpx.h>

int main(int argc, char **argv)
{
	char kind[32], user[64], line[64], host[300];
	long long epoch;
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: hdt_utmp FILE < 'KIND USER LINE HOST EPOCH' lines\n");
		return 2;
	}
	/* updwtmpx() appends to an existing file only, as on a real system (systemd-tmpfiles or
	 * the package creates it) */
	if (access(argv[1], W_OK) < 0) {
		perror(argv[1]);
		return 2;
	}
	while (scanf("%31s %63s %63s %299s %lld", kind, user, line, host, &epoch) == 5) {
		struct utmpx u;

		memset(&u, 0, sizeof(u));
		if (strcmp(kind, "login") == 0)
			u.ut_type = USER_PROCESS;
		else if (strcmp(kind, "logout") == 0)
			u.ut_type = DEAD_PROCESS;
		else if (strcmp(kind, "failed") == 0)
			u.ut_type = LOGIN_PROCESS;
		else if (strcmp(kind, "boot") == 0)
			u.ut_type = BOOT_TIME;
		else {
			fprintf(stderr, "hdt_utmp: unknown kind '%s'\n", kind);
			return 2;
		}
		u.ut_pid = 1000 + n;
		strncpy(u.ut_user, user, sizeof(u.ut_user));
		strncpy(u.ut_line, line, sizeof(u.ut_line));
		strncpy(u.ut_id, line + (strlen(line) > 4 ? strlen(line) - 4 : 0), sizeof(u.ut_id));
		if (strcmp(host, "-") != 0)
			strncpy(u.ut_host, host, sizeof(u.ut_host));
		u.ut_tv.tv_sec = (int32_t)epoch;
		u.ut_tv.tv_usec = 0;
		updwtmpx(argv[1], &u);
		n++;
	}
	if (!feof(stdin)) {
		fprintf(stderr, "hdt_utmp: record %d is not 'KIND USER LINE HOST EPOCH'\n", n + 1);
		return 2;
	}
	return 0;
}
