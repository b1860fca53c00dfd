/* zlib, opened when a probe first calls it (tproxy's config.gz, log-scan's .gz rotations, the
 * virus definitions of cvd), not at every start. A probe that calls another zlib function
 * adds it here (the link fails until then: zlib is not linked in, not even into the tests,
 * which reach it through these same functions: a library linked in beside them would have
 * its own calls to crc32 or inflateReset bound to these, and a lookup in it find these). The functions the probes call are defined here under zlib's own names and
 * prototypes, so the probes' code is unchanged: each opens libz on first use (core/lazylib.h)
 * and calls the library's function. When libz cannot be opened they fail as zlib reports
 * failure (NULL, -1, Z_STREAM_ERROR; crc32 gives 0), with one line on stderr naming it. */
#include <errno.h>
#include <stdio.h>
#include <zlib.h>

#include "lazylib.h"

#ifndef HD_LIBZ_SONAME
#define HD_LIBZ_SONAME "libz.so.1"
#endif

static struct {
	__typeof__(crc32) *crc32;
	__typeof__(gzdopen) *gzdopen;
	__typeof__(gzbuffer) *gzbuffer;
	__typeof__(gzread) *gzread;
	__typeof__(gzseek) *gzseek;
	__typeof__(gzerror) *gzerror;
	__typeof__(gzclose) *gzclose;
	__typeof__(inflateInit2_) *inflateInit2_;
	__typeof__(inflate) *inflate;
	__typeof__(inflateEnd) *inflateEnd;
	__typeof__(inflateReset) *inflateReset;
	/* compression: only the tests use it (fixtures), through the same door as the probes */
	__typeof__(deflateInit2_) *deflateInit2_;
	__typeof__(deflate) *deflate;
	__typeof__(deflateEnd) *deflateEnd;
	__typeof__(zlibVersion) *zlibVersion;
} z;

static int zlib_open(void)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(z, crc32, "crc32"),
	    HD_LAZY_SYM(z, gzdopen, "gzdopen"),
	    HD_LAZY_SYM(z, gzbuffer, "gzbuffer"),
	    HD_LAZY_SYM(z, gzread, "gzread"),
	    HD_LAZY_SYM(z, gzseek, "gzseek"),
	    HD_LAZY_SYM(z, gzerror, "gzerror"),
	    HD_LAZY_SYM(z, gzclose, "gzclose"),
	    HD_LAZY_SYM(z, inflateInit2_, "inflateInit2_"),
	    HD_LAZY_SYM(z, inflate, "inflate"),
	    HD_LAZY_SYM(z, inflateEnd, "inflateEnd"),
	    HD_LAZY_SYM(z, inflateReset, "inflateReset"),
	    HD_LAZY_SYM(z, deflateInit2_, "deflateInit2_"),
	    HD_LAZY_SYM(z, deflate, "deflate"),
	    HD_LAZY_SYM(z, deflateEnd, "deflateEnd"),
	    HD_LAZY_SYM(z, zlibVersion, "zlibVersion"),
	    {0},
	};
	static int state; /* 0: not tried, 1: open, -1: cannot be opened */
	char err[256];

	if (state == 0) {
		state = hd_lazy_load(HD_LIBZ_SONAME, syms, err, sizeof(err)) == 0 ? 1 : -1;
		if (state < 0)
			fprintf(stderr, "hostdoctor: zlib: %s\n", err);
	}
	if (state < 0)
		errno = ENOENT;
	return state > 0 ? 0 : -ENOENT;
}

uLong crc32(uLong crc, const Bytef *buf, uInt len)
{
	return zlib_open() < 0 ? 0 : z.crc32(crc, buf, len);
}

gzFile gzdopen(int fd, const char *mode)
{
	return zlib_open() < 0 ? NULL : z.gzdopen(fd, mode);
}

int gzbuffer(gzFile file, unsigned size)
{
	return zlib_open() < 0 ? -1 : z.gzbuffer(file, size);
}

int gzread(gzFile file, voidp buf, unsigned len)
{
	return zlib_open() < 0 ? -1 : z.gzread(file, buf, len);
}

z_off_t gzseek(gzFile file, z_off_t offset, int whence)
{
	return zlib_open() < 0 ? -1 : z.gzseek(file, offset, whence);
}

const char *gzerror(gzFile file, int *errnum)
{
	if (zlib_open() < 0) {
		if (errnum)
			*errnum = Z_ERRNO;
		return "zlib (" HD_LIBZ_SONAME ") cannot be opened";
	}
	return z.gzerror(file, errnum);
}

int gzclose(gzFile file)
{
	return zlib_open() < 0 ? Z_STREAM_ERROR : z.gzclose(file);
}

int inflateInit2_(z_streamp strm, int windowBits, const char *version, int stream_size)
{
	return zlib_open() < 0 ? Z_STREAM_ERROR
			       : z.inflateInit2_(strm, windowBits, version, stream_size);
}

int inflate(z_streamp strm, int flush)
{
	return zlib_open() < 0 ? Z_STREAM_ERROR : z.inflate(strm, flush);
}

int inflateEnd(z_streamp strm)
{
	return zlib_open() < 0 ? Z_STREAM_ERROR : z.inflateEnd(strm);
}

int inflateReset(z_streamp strm)
{
	return zlib_open() < 0 ? Z_STREAM_ERROR : z.inflateReset(strm);
}

int deflateInit2_(z_streamp strm, int level, int method, int windowBits, int memLevel, int strategy,
		  const char *version, int stream_size)
{
	return zlib_open() < 0 ? Z_STREAM_ERROR
			       : z.deflateInit2_(strm, level, method, windowBits, memLevel,
						 strategy, version, stream_size);
}

int deflate(z_streamp strm, int flush)
{
	return zlib_open() < 0 ? Z_STREAM_ERROR : z.deflate(strm, flush);
}

int deflateEnd(z_streamp strm)
{
	return zlib_open() < 0 ? Z_STREAM_ERROR : z.deflateEnd(strm);
}

const char *zlibVersion(void)
{
	return zlib_open() < 0 ? "" : z.zlibVersion();
}
