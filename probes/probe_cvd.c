/* cvd: ClamAV virus definition files (.cvd) in a directory: each has a sound header and a
 * gzip'd tar body that inflates to its end, as the engine needs to load it. */
#include "probe_cvd.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* ---- the header ---- */

/* Field IDX (0-based, ':'-separated) of the header into OUT; -1 when there is no such field. */
static int field(const char *h, int idx, char *out, size_t size)
{
	const char *p = h, *end;

	for (int i = 0; i < idx; i++) {
		p = strchr(p, ':');
		if (!p)
			return -1;
		p++;
	}
	end = strchr(p, ':');
	if (!end)
		end = p + strlen(p);
	snprintf(out, size, "%.*s", (int)(end - p), p);
	return (int)(end - p);
}

static int number(const char *s, long long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

int cvd_header_parse(const char *buf, size_t len, struct cvd_header *out, char *why, size_t whysize)
{
	static const char *const names[] = {
	    "magic", "build time", "version", "signatures",	      "functionality level",
	    "MD5",   "signature",  "builder", "build time in seconds"};
	char h[CVD_HEADER_LEN + 1], f[CVD_HEADER_LEN + 1];
	long long v;
	size_t n;

	memset(out, 0, sizeof(*out));
	out->stime = -1;
	if (len < CVD_HEADER_LEN) {
		snprintf(why, whysize, "%zu bytes, shorter than the %d-byte header", len,
			 CVD_HEADER_LEN);
		return -EINVAL;
	}
	if (memcmp(buf, "ClamAV-VDB:", 11) != 0) {
		snprintf(why, whysize, "no 'ClamAV-VDB:' header: not a .cvd file");
		return -EINVAL;
	}
	memcpy(h, buf, CVD_HEADER_LEN);
	h[CVD_HEADER_LEN] = '\0';
	for (n = 0; n < CVD_HEADER_LEN; n++)
		if (!isprint((unsigned char)h[n]) && h[n] != '\n' && h[n] != '\r') {
			snprintf(why, whysize, "byte %zu of the header is not printable ASCII", n);
			return -EINVAL;
		}
	/* the padding: spaces (and a newline in some builds) after the last field */
	n = CVD_HEADER_LEN;
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\n' || h[n - 1] == '\r'))
		h[--n] = '\0';

	for (int i = 1; i <= 7; i++) {
		if (field(h, i, f, sizeof(f)) <= 0) {
			snprintf(why, whysize, "header field %d (%s) is missing or empty", i + 1,
				 names[i]);
			return -EINVAL;
		}
		switch (i) {
		case 1: snprintf(out->time, sizeof(out->time), "%.63s", f); break;
		case 2:
		case 3:
		case 4:
			if (number(f, &v) < 0 || v > 0x7fffffff || (i != 3 && v == 0)) {
				snprintf(why, whysize, "header field %d (%s) '%.20s' is not %s",
					 i + 1, names[i], f,
					 i == 3 ? "a number" : "a positive number");
				return -EINVAL;
			}
			*(i == 2 ? &out->version : i == 3 ? &out->sigs : &out->flevel) = (long)v;
			break;
		case 5:
			if (strlen(f) != 32 || strspn(f, "0123456789abcdefABCDEF") != 32) {
				snprintf(why, whysize,
					 "header field 6 (MD5) '%.40s' is not 32 hex digits", f);
				return -EINVAL;
			}
			memcpy(out->md5, f, 33); /* 32 hex digits and the NUL */
			break;
		case 7: snprintf(out->builder, sizeof(out->builder), "%.31s", f); break;
		default: break;
		}
	}
	if (field(h, 8, f, sizeof(f)) >= 0) {
		if (number(f, &v) < 0) {
			snprintf(why, whysize, "header field 9 (%s) '%.20s' is not a number",
				 names[8], f);
			return -EINVAL;
		}
		out->stime = v;
	}
	return 0;
}

/* ---- the body ---- */

bool tar_header_valid(const unsigned char *blk)
{
	unsigned long want = 0, usum = 0;
	long ssum = 0;
	int i;

	/* chksum: 8 bytes at offset 148, octal digits ended by NUL or space */
	for (i = 148; i < 156 && (blk[i] == ' ' || blk[i] == '\0'); i++)
		;
	if (i == 156 || blk[i] < '0' || blk[i] > '7')
		return false;
	for (; i < 156 && blk[i] >= '0' && blk[i] <= '7'; i++)
		want = want * 8 + (unsigned long)(blk[i] - '0');
	for (i = 0; i < 512; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : blk[i];
		usum += c;
		ssum += (signed char)c;
	}
	return want == usum || (long)want == ssum;
}

struct cvd_body {
	z_stream zs;
	bool init, ended; /* ended: the last member so far is complete */
	bool held;	  /* a 1f byte after a member: the start of the next one? */
	unsigned members;
	unsigned char first[512];
	size_t nfirst;
	uint64_t out, trailing;
};

struct cvd_body *cvd_body_new(void)
{
	struct cvd_body *b = hd_xcalloc(1, sizeof(*b));

	/* 16 + MAX_WBITS: a gzip wrapper, not zlib's */
	if (inflateInit2(&b->zs, 16 + MAX_WBITS) != Z_OK) {
		free(b);
		return NULL;
	}
	b->init = true;
	return b;
}

void cvd_body_free(struct cvd_body *b)
{
	if (!b)
		return;
	if (b->init)
		inflateEnd(&b->zs);
	free(b);
}

/* Inflate what is in b->zs.next_in; a new gzip member may follow the end of one. */
static int inflate_some(struct cvd_body *b, char *why, size_t whysize)
{
	unsigned char out[65536];

	do {
		size_t got;
		int zr;

		if (b->ended) {
			/* gzread() goes on with a next member (magic 1f 8b); other bytes it ignores.
			 * The magic may be split between two pieces: hold a lone 1f. */
			if (b->held && b->zs.avail_in > 0 && b->zs.next_in[0] == 0x8b) {
				static const unsigned char magic1 = 0x1f;
				unsigned char *in = b->zs.next_in;
				uInt n = b->zs.avail_in;

				inflateReset(&b->zs);
				b->zs.next_in = (unsigned char *)(uintptr_t)&magic1;
				b->zs.avail_in = 1;
				b->zs.next_out = out;
				b->zs.avail_out = sizeof(out);
				inflate(&b->zs, Z_NO_FLUSH); /* one header byte: no output */
				b->zs.next_in = in;
				b->zs.avail_in = n;
				b->held = b->ended = false;
			} else if (b->zs.avail_in >= 2 && b->zs.next_in[0] == 0x1f &&
				   b->zs.next_in[1] == 0x8b) {
				b->trailing += b->held;
				b->held = false;
				inflateReset(&b->zs);
				b->ended = false;
			} else if (b->zs.avail_in == 1 && b->zs.next_in[0] == 0x1f && !b->held) {
				b->held = true;
				b->zs.avail_in = 0;
				return 0;
			} else {
				b->trailing += b->held + b->zs.avail_in;
				b->held = false;
				b->zs.avail_in = 0;
				return 0;
			}
		}
		b->zs.next_out = out;
		b->zs.avail_out = sizeof(out);
		zr = inflate(&b->zs, Z_NO_FLUSH);
		got = sizeof(out) - b->zs.avail_out;
		if (b->nfirst < sizeof(b->first)) {
			size_t k = sizeof(b->first) - b->nfirst;
			k = k < got ? k : got;
			memcpy(b->first + b->nfirst, out, k);
			b->nfirst += k;
		}
		b->out += got;
		if (zr == Z_STREAM_END) {
			b->ended = true;
			b->members++;
			continue;
		}
		if (zr == Z_BUF_ERROR && got == 0)
			return 0; /* needs more input */
		if (zr != Z_OK) {
			snprintf(
			    why, whysize, "the gzip body is corrupt after %llu inflated bytes (%s)",
			    (unsigned long long)b->out, b->zs.msg ? b->zs.msg : "inflate failed");
			return -EINVAL;
		}
	} while (b->zs.avail_in > 0 || b->zs.avail_out == 0);
	return 0;
}

int cvd_body_feed(struct cvd_body *b, const void *buf, size_t len, char *why, size_t whysize)
{
	b->zs.next_in = (unsigned char *)(uintptr_t)buf;
	b->zs.avail_in = (uInt)len;
	return inflate_some(b, why, whysize);
}

int cvd_body_end(struct cvd_body *b, uint64_t *inflated, uint64_t *trailing, char *why,
		 size_t whysize)
{
	*inflated = b->out;
	*trailing = b->trailing + b->held;
	if (!b->members || !b->ended) {
		snprintf(why, whysize,
			 "the gzip body ends early (truncated after %llu inflated bytes)",
			 (unsigned long long)b->out);
		return -EINVAL;
	}
	if (b->nfirst < sizeof(b->first) || !tar_header_valid(b->first)) {
		snprintf(why, whysize, "the body is not a tar archive (no valid first header)");
		return -EINVAL;
	}
	return 0;
}

/* ---- the probe ---- */

/* Check one file on the host. 0 sound, -EINVAL damaged (WHY), other: cannot read (WHY). */
static int check_file(const struct hd_ctx *ctx, const char *host, struct cvd_header *h,
		      uint64_t *inflated, uint64_t *trailing, char *why, size_t whysize)
{
	_cleanup_close_ int fd = open(host, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char head[CVD_HEADER_LEN];
	unsigned char buf[65536];
	struct cvd_body *b;
	ssize_t n;
	size_t have = 0;
	int rc;

	if (fd < 0) {
		snprintf(why, whysize, "%s", strerror(errno));
		return -errno;
	}
	while (have < sizeof(head)) {
		n = read(fd, head + have, sizeof(head) - have);
		if (n < 0) {
			snprintf(why, whysize, "%s", strerror(errno));
			return -errno;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	rc = cvd_header_parse(head, have, h, why, whysize);
	if (rc < 0)
		return rc;
	b = cvd_body_new();
	if (!b) {
		snprintf(why, whysize, "zlib could not start");
		return -ENOMEM;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		rc = cvd_body_feed(b, buf, (size_t)n, why, whysize);
		if (rc < 0)
			break;
		if (hd_ctx_remaining(ctx) <= 0) {
			snprintf(why, whysize, "not read to the end in the time allowed");
			cvd_body_free(b);
			return -ETIME;
		}
	}
	if (n < 0) {
		snprintf(why, whysize, "%s", strerror(errno));
		rc = -errno;
	} else if (rc == 0) {
		rc = cvd_body_end(b, inflated, trailing, why, whysize);
	}
	cvd_body_free(b);
	return rc;
}

struct cvd_walk {
	const struct hd_ctx *ctx;
	struct hd_result *r;
	struct hd_buf good;
	size_t files, bad, unreadable;
	time_t newest;
	char newest_name[256];
};

static void look(struct cvd_walk *w, const char *inroot, int depth)
{
	char host[4096];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (hd_path(w->ctx, inroot, host, sizeof(host)) < 0 || !(d = opendir(host)))
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		names = hd_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = hd_xstrdup(de->d_name);
	}
	/* a stable order for the report */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
			char *t = names[k];
			names[k] = names[k - 1];
			names[k - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		char child[4096], chost[4096], why[256] = "";
		size_t l = strlen(names[i]);
		struct cvd_header h;
		struct stat st;
		uint64_t inflated = 0, trailing = 0;
		int rc;

		if ((size_t)snprintf(child, sizeof(child), "%s/%s",
				     strcmp(inroot, "/") ? inroot : "",
				     names[i]) >= sizeof(child) ||
		    hd_path(w->ctx, child, chost, sizeof(chost)) < 0 || lstat(chost, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth > 0)
				look(w, child, depth - 1);
			continue;
		}
		if (!S_ISREG(st.st_mode) || l < 5 || strcasecmp(names[i] + l - 4, ".cvd") != 0)
			continue;
		w->files++;
		rc = check_file(w->ctx, chost, &h, &inflated, &trailing, why, sizeof(why));
		if (rc == -EINVAL) {
			w->bad++;
			hd_result_detail(w->r, "%s: damaged: %s", child, why);
		} else if (rc < 0) {
			w->unreadable++;
			hd_result_detail(w->r, "%s: cannot read: %s", child, why);
		} else {
			char when[32] = "?";
			if (h.stime >= 0) {
				time_t t = (time_t)h.stime;
				struct tm tm;
				if (gmtime_r(&t, &tm))
					strftime(when, sizeof(when), "%Y-%m-%d", &tm);
			}
			hd_buf_printf(&w->good, "%s%s v%ld", w->good.len ? ", " : "", names[i],
				      h.version);
			hd_result_detail(w->r,
					 "%s: version %ld, %ld signatures, built %s (%s), "
					 "functionality level %ld, %llu bytes inflated",
					 child, h.version, h.sigs, h.time, when, h.flevel,
					 (unsigned long long)inflated);
			if (trailing)
				hd_result_detail(w->r,
						 "%s: %llu bytes after the gzip body (the engine "
						 "ignores them)",
						 child, (unsigned long long)trailing);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *dir = hd_check_str(c, "dir");
	struct cvd_walk w = {.ctx = ctx, .r = r};
	_cleanup_free_ char *good = NULL;
	char host[4096];
	struct stat st;

	if (hd_path(ctx, dir, host, sizeof(host)) < 0 || stat(host, &st) < 0 ||
	    !S_ISDIR(st.st_mode)) {
		hd_result_set(r, HD_SKIPPED, "does not apply: %s%s is not a directory", ctx->root,
			      dir);
		return 0;
	}
	look(&w, dir, (int)hd_check_int(c, "depth"));
	good = hd_buf_steal(&w.good);
	hd_result_metric(r, "damaged", (double)w.bad, HD_UNIT_NONE);
	hd_result_metric(r, "files", (double)w.files, HD_UNIT_NONE);
	hd_result_remedy(r, "Remove the damaged definition files named in the details and let the "
			    "product download them again (its definition update).");
	if (w.files == 0) {
		hd_result_set(r, HD_SKIPPED, "does not apply: no .cvd file under %s%s", ctx->root,
			      dir);
		return 0;
	}
	if (w.bad) {
		hd_result_set(r, HD_CRITICAL, "%zu of %zu .cvd files under %s are damaged", w.bad,
			      w.files, dir);
		return 0;
	}
	if (w.unreadable) {
		hd_result_set(r, HD_UNKNOWN, "%zu of %zu .cvd files under %s cannot be read",
			      w.unreadable, w.files, dir);
		return -EACCES;
	}
	hd_result_set(r, HD_OK, "%zu .cvd file%s under %s load: %s", w.files,
		      w.files == 1 ? "" : "s", dir, good);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "dir",
     .type = HD_P_STR,
     .required = true,
     .help = "directory searched for *.cvd files"},
    {.key = "depth",
     .type = HD_P_INT,
     .def = "4",
     .min = 0,
     .max = 16,
     .help = "how many directory levels below dir are searched"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"damaged", "Definition files whose header or gzip'd tar body is not sound."},
    {"files", ".cvd files found."},
    {0},
};

const struct hd_probe probe_cvd = {
    .name = "cvd",
    .summary = "ClamAV .cvd definition files: header fields and a gzip'd tar that inflates whole",
    .params = params,
    .metrics = metrics,
    .run = run,
};
