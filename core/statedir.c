/* The state directory: created 0700, never through a link, files replaced atomically. */
#include "statedir.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

int hd_statedir_open(const char *dir, const char **why)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*why = "cannot be created";
		return -errno;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		*why = e == ELOOP || e == ENOTDIR ? "is a symbolic link or not a directory"
						  : "cannot be opened";
		return e == ENOTDIR ? -ELOOP : -e;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		*why = "cannot be examined";
		return -e;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		*why = st.st_uid != geteuid() ? "belongs to another user"
					      : "is writable by group or others";
		return -EPERM;
	}
	return fd;
}

int hd_state_read(int dfd, const char *name, char **out, size_t *len, size_t max)
{
	_cleanup_close_ int fd =
	    openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct hd_buf b = {0};
	struct stat st;
	char chunk[65536];

	if (fd < 0)
		return errno == ENOTDIR ? -ELOOP : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
		return -EPERM;
	if (max == 0)
		max = 16u << 20;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			free(b.data);
			return e;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			free(b.data);
			return -EFBIG;
		}
		hd_buf_add(&b, chunk, (size_t)n);
	}
	if (len)
		*len = b.len;
	*out = hd_buf_steal(&b);
	return 0;
}

int hd_state_write(int dfd, const char *name, const char *text, size_t len)
{
	char tmp[512];
	int fd, e = 0;
	size_t done = 0;

	if (snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (done < len && !e) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			e = n < 0 ? -errno : -EIO;
		else
			done += (size_t)n;
	}
	if (!e && fsync(fd) < 0)
		e = -errno;
	if (close(fd) < 0 && !e)
		e = -errno;
	if (!e && renameat(dfd, tmp, dfd, name) < 0)
		e = -errno;
	if (e)
		unlinkat(dfd, tmp, 0);
	return e;
}

void hd_state_name(const char *prefix, const char *text, const char *suffix, char *buf, size_t size)
{
	size_t k = (size_t)snprintf(buf, size, "%s", prefix);
	size_t sl = strlen(suffix);

	for (const char *p = text; *p && k + sl + 1 < size; p++) {
		bool keep = isalnum((unsigned char)*p) || (strchr("._-", *p) && (k || *p != '.'));
		buf[k++] = keep ? *p : '_';
	}
	snprintf(buf + k, size - k, "%s", suffix);
}
