/* Parsers of cvd, shared with the tests: the ClamAV .cvd header and its gzip'd tar body. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CVD_HEADER_LEN 512

/* The 512-byte ASCII header, padded with spaces:
 * "ClamAV-VDB:TIME:VERSION:SIGNATURES:FLEVEL:MD5:DSIG:BUILDER[:STIME]". */
struct cvd_header {
	char time[64];	  /* build time as written ("03 Mar 2024 08-25 -0500") */
	long version;	  /* database version (daily.cvd: 27000 and up) */
	long sigs;	  /* number of signatures */
	long flevel;	  /* functionality level the engine needs */
	char md5[33];	  /* MD5 of the body, 32 hex digits */
	char builder[32]; /* who built it */
	long long stime;  /* build time in seconds since 1970; -1 when absent (old files) */
};

/* 0 with *OUT filled, or -EINVAL with WHY saying which field is wrong (the magic, a missing or
 * non-numeric field, an MD5 that is not 32 hex digits, bytes that are not printable ASCII). */
int cvd_header_parse(const char *buf, size_t len, struct cvd_header *out, char *why,
		     size_t whysize);

/* Streaming check of the body (the bytes after the header): a gzip stream that inflates to its end
 * (zlib checks its CRC-32 and length), holding a tar archive whose first header block has a valid
 * checksum. Feed the body in pieces with cvd_body_feed(), then cvd_body_end(). */
struct cvd_body;
struct cvd_body *cvd_body_new(void);
/* 0 while the body is sound so far; -EINVAL (and WHY) as soon as it is not. */
int cvd_body_feed(struct cvd_body *b, const void *buf, size_t len, char *why, size_t whysize);
/* After the last piece: 0 when the gzip stream (one member or more, as gzread() reads them) ended
 * and began with a tar header, else -EINVAL (WHY: truncated, no tar header). *INFLATED is the
 * tar's size in bytes, *TRAILING the bytes after the last member (gzread() ignores them). */
int cvd_body_end(struct cvd_body *b, uint64_t *inflated, uint64_t *trailing, char *why,
		 size_t whysize);
void cvd_body_free(struct cvd_body *b);

/* A tar header block (512 bytes): its stored checksum matches the sum of its bytes, the
 * checksum field counted as spaces. Either of the two historical sums (unsigned, signed). */
bool tar_header_valid(const unsigned char *blk);
