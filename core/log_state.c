/* State of incremental log readers: a private directory, a lock and a state file per check
 * and reader, space reserved before counting, atomic replacement. */
#include "log_state.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "util.h"

#define MAGIC1	 "hostdoctor-log-scan 1\n"
#define MAGIC2	 "hostdoctor-log-scan 2\n"
#define MAGIC3	 "hostdoctor-log-scan 3\n" /* a file's line has the tail's length and crc32 */
#define LOCK_GAP 1.0 /* seconds of the deadline kept for the scan when waiting for the lock */

void hd_log_state_free(struct hd_log_state *st)
{
	hd_log_pos_free(st->files, st->nfiles);
	free(st->cursor);
	memset(st, 0, sizeof(*st));
}

static int parse_file_line(const char *s, int version, struct hd_log_pos *out)
{
	unsigned long long dev, ino, off;
	unsigned fplen, fp, tlen = 0, tfp = 0;
	int used = 0;

	if (version >= 3) {
		if (sscanf(s, "%llu %llu %llu %u %x %u %x %n", &dev, &ino, &off, &fplen, &fp, &tlen,
			   &tfp, &used) != 7)
			return -EINVAL;
	} else if (sscanf(s, "%llu %llu %llu %u %x %n", &dev, &ino, &off, &fplen, &fp, &used) !=
		   5) {
		return -EINVAL;
	}
	if (used == 0 || s[used] != '/' || fplen > HD_LOG_FP_BYTES || tlen > HD_LOG_FP_BYTES ||
	    tlen > off)
		return -EINVAL;
	*out = (struct hd_log_pos){hd_xstrdup(s + used), dev, ino, off, fplen, fp, tlen, tfp};
	return 0;
}

int hd_log_state_parse(const char *buf, size_t len, struct hd_log_state *st, int *badline)
{
	const char *p = buf, *end = buf + len;
	int version, line = 1;
	bool v1;

	memset(st, 0, sizeof(*st));
	*badline = 1;
	if (len >= sizeof(MAGIC3) - 1 && memcmp(buf, MAGIC3, sizeof(MAGIC3) - 1) == 0)
		version = 3;
	else if (len >= sizeof(MAGIC2) - 1 && memcmp(buf, MAGIC2, sizeof(MAGIC2) - 1) == 0)
		version = 2;
	else if (len >= sizeof(MAGIC1) - 1 && memcmp(buf, MAGIC1, sizeof(MAGIC1) - 1) == 0)
		version = 1;
	else
		return -EINVAL;
	v1 = version == 1;
	p += sizeof(MAGIC2) - 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char tmp[4200];
		size_t l;

		line++;
		if (!nl || (l = (size_t)(nl - p)) >= sizeof(tmp) || memchr(p, '\0', l))
			goto bad;
		memcpy(tmp, p, l);
		tmp[l] = '\0';
		if (v1 || strncmp(tmp, "file ", 5) == 0) {
			struct hd_log_pos pos;
			if (parse_file_line(v1 ? tmp : tmp + 5, version, &pos) < 0)
				goto bad;
			st->files = hd_xrealloc(st->files, (st->nfiles + 1) * sizeof(*st->files));
			st->files[st->nfiles++] = pos;
		} else if (strncmp(tmp, "journal ", 8) == 0 && !st->journal && tmp[8] &&
			   !strchr(tmp + 8, ' ')) {
			st->journal = true;
			st->cursor = strcmp(tmp + 8, "-") == 0 ? NULL : hd_xstrdup(tmp + 8);
		} else {
			goto bad;
		}
		p = nl + 1;
	}
	return 0;
bad:
	*badline = line;
	hd_log_state_free(st);
	return -EINVAL;
}

char *hd_log_state_format(const struct hd_log_state *st)
{
	struct hd_buf b = {0};

	hd_buf_printf(&b, "%s", MAGIC3);
	for (size_t i = 0; i < st->nfiles; i++) {
		const struct hd_log_pos *p = &st->files[i];
		hd_buf_printf(&b, "file %" PRIu64 " %" PRIu64 " %" PRIu64 " %u %08x %u %08x %s\n",
			      p->dev, p->ino, p->offset, p->fplen, p->fp, p->tlen, p->tfp, p->path);
	}
	if (st->journal)
		hd_buf_printf(&b, "journal %s\n", st->cursor ? st->cursor : "-");
	return hd_buf_steal(&b);
}

bool hd_state_reader_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return false;
	return true;
}

/* The state's file name for check id S: [A-Za-z0-9_-] kept, any other byte as %XX ('.', '%',
 * ':' and '/' included), so two ids never share a name and the first two dots of
 * KIND.CHECK.READER are its separators. False when it does not fit. */
static bool add_check_name(char *buf, size_t size, size_t *k, const char *s)
{
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || c == '_' || c == '-') {
			if (*k + 2 > size)
				return false;
			buf[(*k)++] = (char)c;
		} else {
			if (*k + 4 > size)
				return false;
			*k += (size_t)snprintf(buf + *k, 4, "%%%02X", c);
		}
	}
	buf[*k] = '\0';
	return true;
}

/* Before the names above: [A-Za-z0-9._-] kept, anything else '_' (the legacy state's name). */
static void add_legacy_name(char *buf, size_t size, size_t *k, const char *s)
{
	for (const char *p = s; *p && *k + 1 < size; p++)
		buf[(*k)++] = isalnum((unsigned char)*p) || strchr("._-", *p) ? *p : '_';
	buf[*k] = '\0';
}

int hd_state_dir_open(const char *dir, bool create, char *why, size_t whylen)
{
	struct stat st;
	int fd;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int e = errno;
		snprintf(why, whylen, "%s",
			 e == EROFS    ? "is on a read-only filesystem"
			 : e == ENOSPC ? "cannot be created: no space left"
				       : "cannot be created");
		return -e;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(why, whylen, "%s",
			 e == ELOOP || e == ENOTDIR ? "is a symbolic link or not a directory"
						    : "cannot be opened");
		return e == ENOTDIR ? -ELOOP : -e;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		snprintf(why, whylen, "cannot be examined");
		return -e;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		snprintf(why, whylen, "%s",
			 st.st_uid != geteuid() ? "is owned by another user"
						: "is writable by group or others");
		return -EPERM;
	}
	return fd;
}

int hd_state_open(const struct hd_ctx *ctx, const char *dir, const char *kind, const char *check,
		  const char *reader, struct hd_state *h, char *why, size_t whylen)
{
	char name[400];
	size_t k = 0;
	int fd;

	memset(h, 0, sizeof(*h));
	h->dfd = h->lockfd = h->tmpfd = -1;
	*why = '\0';
	if (hd_path(ctx, dir, h->dir, sizeof(h->dir)) < 0) {
		snprintf(why, whylen, "is too long a path");
		return -ENAMETOOLONG;
	}
	/* KIND is a probe's name and READER passed hd_state_reader_valid(): both plain */
	if (!add_check_name(h->base, sizeof(h->base), &k, kind) || k + 2 > sizeof(h->base)) {
		snprintf(why, whylen, "cannot name a state file for so long a check id");
		return -ENAMETOOLONG;
	}
	h->base[k++] = '.';
	if (!add_check_name(h->base, sizeof(h->base), &k, check) ||
	    k + 1 + strlen(reader) + 1 > sizeof(h->base)) {
		snprintf(why, whylen, "cannot name a state file for so long a check id");
		return -ENAMETOOLONG;
	}
	h->base[k++] = '.';
	strcpy(h->base + k, reader);
	/* the legacy name of an id with other bytes than these could be another id's */
	if (strspn(check, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
	    strlen(check)) {
		size_t j = 0;
		add_legacy_name(h->legacy, sizeof(h->legacy), &j, kind);
		add_legacy_name(h->legacy, sizeof(h->legacy), &j, ".");
		add_legacy_name(h->legacy, sizeof(h->legacy), &j, check);
		snprintf(h->legacy + j, sizeof(h->legacy) - j, ".state");
	}

	h->dfd = hd_state_dir_open(h->dir, true, why, whylen);
	if (h->dfd < 0) {
		int e = h->dfd;
		h->dfd = -1;
		return e;
	}
	/* a lock file beside the state, never replaced (the state is, by rename) */
	snprintf(name, sizeof(name), "%s.lock", h->base);
	fd = openat(h->dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(why, whylen, "%s",
			 e == EROFS    ? "is on a read-only filesystem"
			 : e == ENOSPC ? "is full (no space left for the lock file)"
			 : e == ELOOP  ? "holds a symbolic link where the lock file goes"
			 : e == EACCES ? "is not writable by this user"
				       : "cannot hold the lock file");
		return -e;
	}
	h->lockfd = fd;
	for (;;) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;
			snprintf(why, whylen, "cannot lock %s", name);
			return -e;
		}
		if (hd_ctx_remaining(ctx) < LOCK_GAP) {
			snprintf(why, whylen, "another run holds the state (%s/%s)", h->dir, name);
			return -EWOULDBLOCK;
		}
		nanosleep(&ts, NULL);
	}
}

static int read_file(int dfd, const char *name, char **out, size_t *len)
{
	_cleanup_close_ int fd =
	    openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *b;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_size > (16 << 20))
		return -EPERM;
	b = hd_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? -errno : 0;
			if (e) {
				free(b);
				return e;
			}
			break;
		}
		got += (size_t)r;
	}
	b[got] = '\0';
	*out = b;
	*len = got;
	return 0;
}

int hd_state_load(struct hd_state *h, struct hd_log_state *st, int *badline)
{
	_cleanup_free_ char *bytes = NULL;
	char name[400];
	size_t len = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	*badline = 0;
	snprintf(name, sizeof(name), "%s.state", h->base);
	rc = read_file(h->dfd, name, &bytes, &len);
	if (rc == -ENOENT) {
		/* the state all readers shared before each had its own: a good start */
		if (!*h->legacy || read_file(h->dfd, h->legacy, &bytes, &len) < 0 ||
		    hd_log_state_parse(bytes, len, st, badline) < 0) {
			memset(st, 0, sizeof(*st));
			return -ENOENT;
		}
		return 0;
	}
	if (rc < 0)
		return rc;
	return hd_log_state_parse(bytes, len, st, badline);
}

int hd_state_reserve(struct hd_state *h, size_t size)
{
	char name[400];
	int fd, rc;

	snprintf(name, sizeof(name), ".%s.state.tmp", h->base);
	/* only the lock holder writes this name: a leftover is a killed run's */
	unlinkat(h->dfd, name, 0);
	fd = openat(h->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = posix_fallocate(fd, 0, (off_t)size);
	if (rc == EOPNOTSUPP || rc == EINVAL) {
		/* no fallocate here: write the bytes */
		char zero[4096] = {0};
		size_t done = 0;
		rc = 0;
		while (done < size && rc == 0) {
			size_t n = size - done < sizeof(zero) ? size - done : sizeof(zero);
			ssize_t w = write(fd, zero, n);
			if (w < 0)
				rc = errno;
			else
				done += (size_t)w;
		}
		if (rc == 0 && fsync(fd) < 0)
			rc = errno;
	}
	if (rc) {
		close(fd);
		unlinkat(h->dfd, name, 0);
		return -rc;
	}
	h->tmpfd = fd;
	return 0;
}

int hd_state_commit(struct hd_state *h, const struct hd_log_state *st)
{
	_cleanup_free_ char *text = hd_log_state_format(st);
	size_t len = strlen(text), done = 0;
	char tmp[400], name[400];

	if (h->tmpfd < 0)
		return -EBADF;
	snprintf(tmp, sizeof(tmp), ".%s.state.tmp", h->base);
	snprintf(name, sizeof(name), "%s.state", h->base);
	while (done < len) {
		ssize_t w = pwrite(h->tmpfd, text + done, len - done, (off_t)done);
		if (w < 0)
			return -errno;
		done += (size_t)w;
	}
	if (ftruncate(h->tmpfd, (off_t)len) < 0 || fsync(h->tmpfd) < 0)
		return -errno;
	if (close(h->tmpfd) < 0) {
		h->tmpfd = -1;
		return -errno;
	}
	h->tmpfd = -1;
	/* rename replaces the name itself, never what a link there points to */
	if (renameat(h->dfd, tmp, h->dfd, name) < 0)
		return -errno;
	return 0;
}

const char *hd_state_file(const struct hd_state *h, char *buf, size_t size)
{
	snprintf(buf, size, "%s.state", h->base);
	return buf;
}

void hd_state_close(struct hd_state *h)
{
	if (h->tmpfd >= 0) {
		char tmp[400];
		snprintf(tmp, sizeof(tmp), ".%s.state.tmp", h->base);
		close(h->tmpfd);
		unlinkat(h->dfd, tmp, 0);
	}
	if (h->lockfd >= 0)
		close(h->lockfd); /* releases the lock */
	if (h->dfd >= 0)
		close(h->dfd);
	h->dfd = h->lockfd = h->tmpfd = -1;
}
