/* cvd parsers: the .cvd header fields, tar header checksums, and gzip bodies made here with zlib
 * (whole, cut, corrupted, several members, trailing bytes, fed in pieces). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <zlib.h>

#include "probe_cvd.h"

#define MD5 "f6c61d0eb6a3f7d6b7b0c0e8c0d6a6e2"

/* HEAD padded with spaces to 512 bytes, as sigtool writes it */
static void pad(const char *head, char out[CVD_HEADER_LEN])
{
	memset(out, ' ', CVD_HEADER_LEN);
	memcpy(out, head, strlen(head));
}

static void test_header(void **state)
{
	static const struct {
		const char *head;
		int rc;
		long version, sigs, flevel;
		long long stime;
		const char *why;
	} cases[] = {
	    {"ClamAV-VDB:03 Mar 2024 08-25 -0500:27201:2061234:90:" MD5
	     ":AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/:raynman:1709472300",
	     0, 27201, 2061234, 90, 1709472300, ""},
	    /* old files: no build time in seconds */
	    {"ClamAV-VDB:09 Mar 2008 17-22 +0100:46:231834:21:" MD5 ":sig:sven", 0, 46, 231834, 21,
	     -1, ""},
	    {"ClamAV-VDC:03 Mar 2024 08-25 -0500:27201:2061234:90:" MD5 ":s:b:1", -EINVAL, 0, 0, 0,
	     0, "not a .cvd file"},
	    {"ClamAV-VDB:03 Mar 2024:27201x:2061234:90:" MD5 ":s:b:1", -EINVAL, 0, 0, 0, 0,
	     "field 3 (version)"},
	    {"ClamAV-VDB:03 Mar 2024:0:2061234:90:" MD5 ":s:b:1", -EINVAL, 0, 0, 0, 0,
	     "field 3 (version)"},
	    {"ClamAV-VDB:03 Mar 2024:27201::90:" MD5 ":s:b:1", -EINVAL, 0, 0, 0, 0,
	     "field 4 (signatures)"},
	    {"ClamAV-VDB:03 Mar 2024:27201:5:90:f6c61d0e:s:b:1", -EINVAL, 0, 0, 0, 0,
	     "field 6 (MD5)"},
	    {"ClamAV-VDB:03 Mar 2024:27201:5:90:" MD5 ":s", -EINVAL, 0, 0, 0, 0,
	     "field 8 (builder)"},
	    {"ClamAV-VDB:03 Mar 2024:27201:5:90:" MD5 ":s:b:17x", -EINVAL, 0, 0, 0, 0, "field 9"},
	    {"ClamAV-VDB:03 Mar 2024:27201:5:-90:" MD5 ":s:b:1", -EINVAL, 0, 0, 0, 0,
	     "field 5 (functionality level)"},
	};
	char why[256], buf[CVD_HEADER_LEN];
	struct cvd_header h;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		pad(cases[i].head, buf);
		why[0] = '\0';
		rc = cvd_header_parse(buf, sizeof(buf), &h, why, sizeof(why));
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, wanted %d (%s)", i, rc, cases[i].rc, why);
		if (rc == 0) {
			assert_int_equal(h.version, cases[i].version);
			assert_int_equal(h.sigs, cases[i].sigs);
			assert_int_equal(h.flevel, cases[i].flevel);
			assert_int_equal(h.stime, cases[i].stime);
			assert_string_equal(h.md5, MD5);
		} else if (!strstr(why, cases[i].why)) {
			fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].why);
		}
	}
	/* shorter than the header, and a control byte in it */
	pad(cases[0].head, buf);
	assert_int_equal(cvd_header_parse(buf, 100, &h, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "shorter than the 512-byte header"));
	buf[300] = '\x01';
	assert_int_equal(cvd_header_parse(buf, sizeof(buf), &h, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "byte 300"));
}

/* A ustar header block for NAME with SIZE bytes, its checksum set. */
static void tar_block(unsigned char blk[512], const char *name, unsigned size)
{
	unsigned sum = 0;

	memset(blk, 0, 512);
	snprintf((char *)blk, 100, "%s", name);
	memcpy(blk + 100, "0000644", 7);
	snprintf((char *)blk + 124, 12, "%011o", size);
	memcpy(blk + 257, "ustar", 5);
	memset(blk + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += blk[i];
	snprintf((char *)blk + 148, 8, "%06o", sum);
}

static void test_tar_header(void **state)
{
	unsigned char blk[512];

	(void)state;
	tar_block(blk, "COPYING", 5);
	assert_true(tar_header_valid(blk));
	blk[10] ^= 1;
	assert_false(tar_header_valid(blk));
	memset(blk, 0, sizeof(blk));
	assert_false(tar_header_valid(blk)); /* an end-of-archive block has no checksum */
}

/* gzip of LEN bytes of IN into a heap buffer (*OUTLEN bytes). */
static unsigned char *gz(const void *in, size_t len, size_t *outlen)
{
	z_stream z = {0};
	size_t cap = len + 1024;
	unsigned char *out = malloc(cap);

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* Feed BODY in pieces of STEP bytes; the result of cvd_body_end(), WHY set. */
static int check_body(const unsigned char *body, size_t len, size_t step, uint64_t *inflated,
		      uint64_t *trailing, char *why, size_t whysize)
{
	struct cvd_body *b = cvd_body_new();
	int rc = 0;

	assert_non_null(b);
	for (size_t off = 0; off < len && rc == 0; off += step)
		rc =
		    cvd_body_feed(b, body + off, len - off < step ? len - off : step, why, whysize);
	if (rc == 0)
		rc = cvd_body_end(b, inflated, trailing, why, whysize);
	cvd_body_free(b);
	return rc;
}

static void test_body(void **state)
{
	unsigned char tar[3 * 512], *body, *two;
	size_t blen, i;
	uint64_t inflated, trailing;
	char why[256];
	static const size_t steps[] = {1, 7, 512, 1u << 20};

	(void)state;
	memset(tar, 0, sizeof(tar));
	tar_block(tar, "daily.info", 5);
	memcpy(tar + 512, "hello", 5);
	body = gz(tar, sizeof(tar), &blen);

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(
		    check_body(body, blen, steps[i], &inflated, &trailing, why, sizeof(why)), 0);
		assert_int_equal(inflated, sizeof(tar));
		assert_int_equal(trailing, 0);
	}
	/* cut anywhere: truncated */
	for (i = 0; i < blen; i += 3) {
		assert_int_equal(check_body(body, i, 512, &inflated, &trailing, why, sizeof(why)),
				 -EINVAL);
		assert_true(strstr(why, "truncated") || strstr(why, "corrupt"));
	}
	/* a flipped bit in the CRC-32 or length trailer is always caught; in the deflate data
	 * it is caught unless it lands on bits the decoder never uses (same bytes out) */
	for (i = 10; i < blen; i++) {
		int rc;

		body[i] ^= 0x40;
		rc = check_body(body, blen, 512, &inflated, &trailing, why, sizeof(why));
		body[i] ^= 0x40;
		if (i >= blen - 8)
			assert_int_equal(rc, -EINVAL);
		else
			assert_true(rc == -EINVAL || (rc == 0 && inflated == sizeof(tar)));
	}
	/* two gzip members, as gzread() reads them, then bytes that are no gzip member */
	two = malloc(2 * blen + 3);
	memcpy(two, body, blen);
	memcpy(two + blen, body, blen);
	memcpy(two + 2 * blen, "\0\0\0", 3);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(
		    check_body(two, 2 * blen, steps[i], &inflated, &trailing, why, sizeof(why)), 0);
		assert_int_equal(inflated, 2 * sizeof(tar));
		assert_int_equal(trailing, 0);
	}
	assert_int_equal(check_body(two, 2 * blen + 1, 1, &inflated, &trailing, why, sizeof(why)),
			 0);
	assert_int_equal(trailing, 1);
	assert_int_equal(check_body(two, 2 * blen + 3, 512, &inflated, &trailing, why, sizeof(why)),
			 0);
	assert_int_equal(trailing, 3);
	free(two);
	free(body);

	/* a gzip'd body that is no tar */
	memset(tar, 'x', sizeof(tar));
	body = gz(tar, sizeof(tar), &blen);
	assert_int_equal(check_body(body, blen, 512, &inflated, &trailing, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "not a tar archive"));
	free(body);
	/* not gzip at all */
	assert_int_equal(check_body((const unsigned char *)"plain text, not gzip", 20, 512,
				    &inflated, &trailing, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(
	    check_body((const unsigned char *)"", 0, 512, &inflated, &trailing, why, sizeof(why)),
	    -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_tar_header),
	    cmocka_unit_test(test_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
