/* logins: a wtmpdb database (SQLite) as the probe reads it: the bytes written to a file of its
 * own (SQLite opens a path, and not /proc/self/fd/N), opened read-only by libsqlite3
 * (dlopen'd), the logins of its wtmp table taken. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "logins.h"
#include "logins_wtmpdb.h"

static char path[128];

static void cleanup(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct login_list l = {0};
	char err[256], src[300];
	int fd;

	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/hd-fuzz-wtmpdb.%d.db", dir ? dir : "/tmp",
			 (int)getpid());
		atexit(cleanup);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
	logins_read_wtmpdb(path, &l, err, sizeof(err));
	for (size_t i = 0; i < l.n; i++)
		login_source(&l.v[i], src, sizeof(src));
	login_list_free(&l);
	return 0;
}
