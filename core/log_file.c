/* The file source: lines of log files from where the last run stopped, across rotations
 * (rename, copytruncate, .gz), in 256 KiB reads; half of a large range to a second thread. */
#include "log_source.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cleanup.h"
#include "paths.h"
#include "util.h"

#define CHUNK	    (256u << 10) /* a read: the scan then finds the bytes in the CPU's cache */
#define MAX_PENDING HD_LOG_MAX_LINE
#define SPLIT_MIN   (16u << 20) /* a range worth a second thread */

void hd_log_pos_free(struct hd_log_pos *pos, size_t n)
{
	for (size_t i = 0; pos && i < n; i++)
		free(pos[i].path);
	free(pos);
}

void hd_log_reader_free(struct hd_log_reader *rd)
{
	free(rd->buf[0]);
	free(rd->buf[1]);
	rd->buf[0] = rd->buf[1] = NULL;
	rd->cap[0] = rd->cap[1] = 0;
}

static uint32_t fingerprint(const char *b, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)b, (uInt)n);
}

static void note(struct hd_log_reader *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(struct hd_log_reader *rd, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *s = NULL;

	if (!rd->r)
		return;
	va_start(ap, fmt);
	s = hd_vasprintf(fmt, ap);
	va_end(ap);
	hd_result_detail(rd->r, "%s", s);
}

/* Where a pump reads from: FD at offsets FROM..TO (TO = UINT64_MAX: its end), or GZ. */
struct src {
	int fd;
	gzFile gz;
	uint64_t from, to;
	bool final; /* a last line without '\n' counts: the file grows no more */
};

struct pump_out {
	int64_t consumed; /* or a negative errno */
	uint64_t bytes;
	bool out_of_time;
};

/* Feed the complete lines of SRC to sink T; returns in OUT what was consumed. */
static void pump(struct hd_log_reader *rd, int t, const struct src *sp, struct pump_out *out)
{
	void *sink = rd->sink[t];
	uint64_t pos = sp->from;
	size_t have = 0;

	out->consumed = 0;
	out->bytes = 0;
	out->out_of_time = false;
	for (;;) {
		size_t want = CHUNK;
		ssize_t got;
		char *nl;
		int rc;

		if (rd->cap[t] - have < want) {
			rd->cap[t] = have + want;
			rd->buf[t] = hd_xrealloc(rd->buf[t], rd->cap[t]);
		}
		if (sp->gz) {
			int g = gzread(sp->gz, rd->buf[t] + have, (unsigned)want);
			if (g < 0) {
				int e;
				gzerror(sp->gz, &e);
				out->consumed = e == Z_ERRNO ? -errno : -EBADMSG;
				return;
			}
			got = g;
		} else {
			if (sp->to != UINT64_MAX && want > sp->to - pos)
				want = (size_t)(sp->to - pos);
			got = want ? pread(sp->fd, rd->buf[t] + have, want, (off_t)pos) : 0;
			if (got < 0) {
				if (errno == EINTR)
					continue;
				out->consumed = -errno;
				return;
			}
		}
		if (got == 0)
			break;
		pos += (uint64_t)got;
		out->bytes += (uint64_t)got;
		have += (size_t)got;
		nl = memrchr(rd->buf[t] + have - (size_t)got, '\n', (size_t)got);
		if (!nl && have < MAX_PENDING)
			continue;
		{
			size_t n = nl ? (size_t)(nl - rd->buf[t]) + 1 : have;
			rc = rd->ops->lines(sink, rd->buf[t], n, NULL);
			if (rc < 0) {
				out->consumed = rc;
				return;
			}
			out->consumed += (int64_t)n;
			memmove(rd->buf[t], rd->buf[t] + n, have - n);
			have -= n;
		}
		if (hd_ctx_remaining(rd->ctx) < 0.5) {
			/* keep what was done; the next run goes on from here */
			out->out_of_time = true;
			return;
		}
	}
	if (sp->final && have) {
		int rc = rd->ops->lines(sink, rd->buf[t], have, NULL);
		if (rc < 0) {
			out->consumed = rc;
			return;
		}
		out->consumed += (int64_t)have;
	}
}

static int cpus(void)
{
	cpu_set_t set;
	/* the CPUs this process may use (taskset, cgroups), not those the machine has */
	return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
}

struct half {
	struct hd_log_reader *rd;
	struct src src;
	struct pump_out out;
};

static void *half_thread(void *arg)
{
	struct half *h = arg;
	pump(h->rd, 1, &h->src, &h->out);
	return NULL;
}

/* Read the plain file FD from START to its end, the second half on a second thread when
 * the range is large and a second CPU is there. Returns the bytes consumed or -errno. */
static int64_t read_plain(struct hd_log_reader *rd, int fd, uint64_t start, bool final)
{
	struct stat st;
	struct src a = {.fd = fd, .from = start, .to = UINT64_MAX, .final = final};
	struct pump_out oa;
	struct half h = {.rd = rd};
	pthread_t th;
	char probe[4096];
	uint64_t mid, split = 0;

	if (rd->sink[1] && fstat(fd, &st) == 0 && (uint64_t)st.st_size > start &&
	    (uint64_t)st.st_size - start >= SPLIT_MIN && cpus() >= 2) {
		/* cut at the first line end after the middle */
		for (mid = start + ((uint64_t)st.st_size - start) / 2;
		     mid < (uint64_t)st.st_size;) {
			ssize_t got = pread(fd, probe, sizeof(probe), (off_t)mid);
			char *nl = got > 0 ? memchr(probe, '\n', (size_t)got) : NULL;
			if (got <= 0)
				break;
			if (nl) {
				split = mid + (uint64_t)(nl - probe) + 1;
				break;
			}
			mid += (uint64_t)got;
		}
	}
	if (!split || split >= (uint64_t)st.st_size) {
		pump(rd, 0, &a, &oa);
		rd->bytes += oa.bytes;
		rd->out_of_time |= oa.out_of_time;
		return oa.consumed;
	}
	h.src = (struct src){.fd = fd, .from = split, .to = UINT64_MAX, .final = final};
	a.to = split;
	a.final = false; /* the first half ends with a line end */
	if (pthread_create(&th, NULL, half_thread, &h) != 0) {
		a.to = UINT64_MAX;
		a.final = final;
		pump(rd, 0, &a, &oa);
		rd->bytes += oa.bytes;
		rd->out_of_time |= oa.out_of_time;
		return oa.consumed;
	}
	pump(rd, 0, &a, &oa);
	pthread_join(th, NULL);
	rd->bytes += oa.bytes + h.out.bytes;
	if (oa.consumed < 0) {
		rd->ops->discard(rd->sink[1]);
		return oa.consumed;
	}
	if ((uint64_t)oa.consumed != split - start) {
		/* the first half stopped early: the position can only say where it stopped */
		rd->ops->discard(rd->sink[1]);
		rd->out_of_time = true;
		return oa.consumed;
	}
	if (h.out.consumed < 0) {
		rd->ops->discard(rd->sink[1]);
		return h.out.consumed;
	}
	rd->ops->merge(rd->sink[0], rd->sink[1]);
	rd->out_of_time |= h.out.out_of_time;
	return oa.consumed + h.out.consumed;
}

/* Read a gzip file from its uncompressed offset START to its end (a rotated file). */
static int64_t read_gz(struct hd_log_reader *rd, int fd, uint64_t start)
{
	gzFile g;
	/* gzdopen takes the fd; a dup keeps ours */
	int dfd = lseek(fd, 0, SEEK_SET) == 0 ? dup(fd) : -1;
	struct src s = {.fd = -1, .final = true};
	struct pump_out o;

	if (dfd < 0 || !(g = gzdopen(dfd, "rb"))) {
		int e = errno ? -errno : -ENOMEM;
		if (dfd >= 0)
			close(dfd);
		return e;
	}
	gzbuffer(g, 128u << 10);
	if (start && gzseek(g, (z_off_t)start, SEEK_SET) < 0) {
		gzclose(g);
		return -ESPIPE; /* shorter than where we stopped */
	}
	s.gz = g;
	pump(rd, 0, &s, &o);
	gzclose(g);
	rd->bytes += o.bytes;
	rd->out_of_time |= o.out_of_time;
	return o.consumed;
}

/* The first N bytes of an open file (plain or gzip) match FP? */
static bool fp_matches(int fd, bool gz, uint32_t fplen, uint32_t fp)
{
	char b[HD_LOG_FP_BYTES];
	ssize_t got;

	if (fplen == 0)
		return true;
	if (gz) {
		gzFile g;
		/* a dup shares the file offset: rewind it for the next reader too */
		int dfd = lseek(fd, 0, SEEK_SET) == 0 ? dup(fd) : -1;
		if (dfd < 0 || !(g = gzdopen(dfd, "rb"))) {
			if (dfd >= 0)
				close(dfd);
			return false;
		}
		got = gzread(g, b, fplen);
		gzclose(g);
	} else {
		got = pread(fd, b, fplen, 0);
	}
	return got == (ssize_t)fplen && fingerprint(b, fplen) == fp;
}

/* The crc32 of the (up to 256) bytes of plain file FD just before OFFSET, into *TLEN, *TFP. */
static void tail_of(int fd, uint64_t offset, uint32_t *tlen, uint32_t *tfp)
{
	char b[HD_LOG_FP_BYTES];
	size_t n = offset < sizeof(b) ? (size_t)offset : sizeof(b);
	ssize_t got = n ? pread(fd, b, n, (off_t)(offset - n)) : 0;

	*tlen = got == (ssize_t)n ? (uint32_t)n : 0;
	*tfp = *tlen ? fingerprint(b, n) : 0;
}

/* The bytes before OLD's offset in plain file FD are those read there last time? (A file
 * truncated by copytruncate and grown past the offset has the same inode and, often, the same
 * first bytes: only what lies before the offset tells it apart.) */
static bool tail_matches(int fd, const struct hd_log_pos *old)
{
	uint32_t tlen, tfp;

	if (old->tlen == 0)
		return true; /* a state written before tails were kept */
	tail_of(fd, old->offset, &tlen, &tfp);
	return tlen == old->tlen && tfp == old->tfp;
}

/* Read the previous file of PATH (renamed to PATH.1 / PATH.1.gz, or copied there by
 * copytruncate) from OLD->offset to its end. 1 when found and read, 0 when not found,
 * -errno on a read error. */
static int scan_rotated(struct hd_log_reader *rd, const char *resolved,
			const struct hd_log_pos *old, uint64_t *consumed, uint32_t *tlen,
			uint32_t *tfp)
{
	static const char *const suffixes[] = {".1", ".0", ".1.gz", ".0.gz"};

	for (size_t i = 0; i < HD_ARRAY_SIZE(suffixes); i++) {
		char p[4200];
		_cleanup_close_ int fd = -1;
		struct stat st;
		bool gz = strstr(suffixes[i], ".gz") != NULL;
		int64_t got;

		snprintf(p, sizeof(p), "%s%s", resolved, suffixes[i]);
		fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		/* the same inode is the renamed file itself; else the first bytes must agree */
		if (!((uint64_t)st.st_dev == old->dev && (uint64_t)st.st_ino == old->ino) &&
		    !fp_matches(fd, gz, old->fplen, old->fp))
			continue;
		if (!gz && ((uint64_t)st.st_size < old->offset || !tail_matches(fd, old)))
			continue;
		got = gz ? read_gz(rd, fd, old->offset) : read_plain(rd, fd, old->offset, true);
		if (got == -ESPIPE)
			continue; /* not our file */
		if (got < 0)
			return (int)got;
		*consumed = (uint64_t)got;
		*tlen = *tfp = 0;
		if (!gz)
			tail_of(fd, old->offset + (uint64_t)got, tlen, tfp);
		note(rd, "%s was rotated: read the rest of %s%s (%" PRId64 " bytes)", old->path,
		     old->path, suffixes[i], got);
		return 1;
	}
	return 0;
}

int hd_log_file_scan(struct hd_log_reader *rd, const char *path, const char *resolved,
		     const struct hd_log_pos *old, bool from_start, struct hd_log_pos *newpos)
{
	/* a FIFO put where a log was expected must not hang the open: -HD_ENOTREG */
	_cleanup_close_ int fd = hd_open_regular(AT_FDCWD, resolved, 0);
	char head[HD_LOG_FP_BYTES];
	struct stat st;
	ssize_t hn;
	uint64_t start = 0;
	int64_t got;

	memset(newpos, 0, sizeof(*newpos));
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	hn = pread(fd, head, sizeof(head), 0);
	if (hn < 0)
		return -errno;
	*newpos = (struct hd_log_pos){hd_xstrdup(path),
				      (uint64_t)st.st_dev,
				      (uint64_t)st.st_ino,
				      0,
				      (uint32_t)hn,
				      fingerprint(head, (size_t)hn),
				      0,
				      0};

	if (!old) {
		start = from_start ? 0 : (uint64_t)st.st_size;
		/* positioned at the end: after the last complete line */
		if (!from_start && start > 0) {
			char tail[4096];
			uint64_t at = start;
			while (at > 0) {
				size_t n = at < sizeof(tail) ? (size_t)at : sizeof(tail);
				ssize_t r = pread(fd, tail, n, (off_t)(at - n));
				char *nl = r > 0 ? memrchr(tail, '\n', (size_t)r) : NULL;
				if (r <= 0)
					break;
				if (nl) {
					at = at - n + (uint64_t)(nl - tail) + 1;
					break;
				}
				at -= n;
				if (start - at > MAX_PENDING)
					break;
			}
			start = at;
		}
	} else {
		bool same = old->dev == (uint64_t)st.st_dev && old->ino == (uint64_t)st.st_ino;
		bool fp_ok = old->fplen <= (uint64_t)hn && fingerprint(head, old->fplen) == old->fp;

		if (same && fp_ok && (uint64_t)st.st_size >= old->offset && tail_matches(fd, old)) {
			start = old->offset;
		} else {
			/* renamed away (other inode) or truncated in place (copytruncate) */
			uint64_t rest = 0;
			uint32_t tlen = 0, tfp = 0;
			int f = scan_rotated(rd, resolved, old, &rest, &tlen, &tfp);
			if (f < 0)
				return f;
			if (f == 0)
				note(rd,
				     "%s was %s and its previous file (%s.1, %s.1.gz) is gone: "
				     "lines written after the last run may be missed",
				     path, same ? "truncated" : "replaced", path, path);
			start = 0;
			if (rd->out_of_time) {
				/* the rest of the rotated file was not finished: the old file's
				 * position, moved on by what was read, is found again next time */
				free(newpos->path);
				*newpos = *old;
				newpos->path = hd_xstrdup(old->path);
				newpos->offset += rest;
				newpos->tlen = tlen;
				newpos->tfp = tfp;
				return 0;
			}
		}
	}
	got = read_plain(rd, fd, start, false);
	if (got < 0)
		return (int)got;
	newpos->offset = start + (uint64_t)got;
	tail_of(fd, newpos->offset, &newpos->tlen, &newpos->tfp);
	return 0;
}

int hd_log_file_read_all(struct hd_log_reader *rd, const char *resolved)
{
	_cleanup_close_ int fd = hd_open_regular(AT_FDCWD, resolved, 0);
	unsigned char magic[2];
	int64_t got;

	if (fd < 0)
		return fd;
	if (pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
		got = read_gz(rd, fd, 0);
	else
		got = read_plain(rd, fd, 0, true);
	return got < 0 ? (int)got : 0;
}

size_t hd_log_expand_paths(const struct hd_ctx *ctx, char **patterns, size_t np, char ***out)
{
	char **v = hd_xcalloc(1, sizeof(char *));
	size_t n = 0, rl = strlen(ctx->root);

	for (size_t i = 0; i < np; i++) {
		char full[4096];
		glob_t g = {0};

		if (hd_path(ctx, patterns[i], full, sizeof(full)) < 0)
			continue;
		if (glob(full, GLOB_BRACE, NULL, &g) == 0) {
			for (size_t k = 0; k < g.gl_pathc; k++) {
				const char *host = g.gl_pathv[k] + rl;
				bool dup = false;
				for (size_t j = 0; j < n; j++)
					dup |= strcmp(v[j], host) == 0;
				if (dup || strchr(host, '\n'))
					continue;
				v = hd_xrealloc(v, (n + 2) * sizeof(char *));
				v[n++] = hd_xstrdup(host);
				v[n] = NULL;
			}
		}
		globfree(&g);
	}
	*out = v;
	return n;
}
