/* Shared pieces of the libFuzzer harnesses: exact-size copies (so ASan sees one byte past the
 * input), a reader that splits the input into parts, and netlink framing of fuzzed payloads. */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A heap copy of exactly N bytes (never NULL: at least one byte is allocated). */
static inline uint8_t *fz_copy(const uint8_t *d, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		abort();
	if (n)
		memcpy(p, d, n);
	return p;
}

/* A heap copy of N bytes plus a NUL: for the parsers whose contract is a C string. */
static inline char *fz_str(const uint8_t *d, size_t n)
{
	char *p = malloc(n + 1);

	if (!p)
		abort();
	if (n)
		memcpy(p, d, n);
	p[n] = '\0';
	return p;
}

/* The input taken apart from the front. */
struct fz {
	const uint8_t *d;
	size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;

	if (f->n) {
		v = f->d[0];
		f->d++;
		f->n--;
	}
	return v;
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | fz_u8(f);
	return v;
}

/* The bytes up to the next '\n' (not included) as a C string; the rest stays in F. */
static inline char *fz_line(struct fz *f)
{
	const uint8_t *nl = f->n ? memchr(f->d, '\n', f->n) : NULL;
	size_t len = nl ? (size_t)(nl - f->d) : f->n;
	char *s = fz_str(f->d, len);

	f->d += len;
	f->n -= len;
	if (nl) {
		f->d++;
		f->n--;
	}
	return s;
}

/* Netlink framing as the kernel does it: the payloads in F, each preceded by a 2-byte length and
 * a 1-byte kind (0: TYPE, 1: NLMSG_DONE, 2: NLMSG_ERROR, 3: NLMSG_NOOP, else TYPE), become
 * messages with a correct nlmsg_len, aligned, ended by NLMSG_DONE. Returns an exact-size heap
 * buffer and its length in *LEN. */
static inline uint8_t *fz_nl_frame(struct fz *f, uint16_t type, uint16_t flags, size_t *len)
{
	size_t cap = 64, used = 0;
	uint8_t *buf = calloc(1, cap), *out;

	if (!buf)
		abort();
	for (int last = 0; !last;) {
		size_t plen;
		uint8_t kind;
		struct nlmsghdr h = {0};

		if (f->n >= 3) {
			plen = (size_t)f->d[0] << 8 | f->d[1];
			kind = f->d[2];
			f->d += 3;
			f->n -= 3;
			if (plen > f->n)
				plen = f->n;
		} else {
			plen = 0;
			kind = 1; /* the closing NLMSG_DONE */
			last = 1;
		}
		h.nlmsg_type = kind == 1   ? NLMSG_DONE
			       : kind == 2 ? NLMSG_ERROR
			       : kind == 3 ? NLMSG_NOOP
					   : type;
		h.nlmsg_flags = flags;
		h.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + plen);
		while (used + NLMSG_ALIGN(h.nlmsg_len) + 4 > cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		memset(buf + used, 0, NLMSG_ALIGN(h.nlmsg_len));
		memcpy(buf + used, &h, sizeof(h));
		if (plen)
			memcpy(buf + used + NLMSG_HDRLEN, f->d, plen);
		f->d += plen;
		f->n -= plen;
		used += NLMSG_ALIGN(h.nlmsg_len);
	}
	out = fz_copy(buf, used);
	free(buf);
	*len = used;
	return out;
}

/* What a netlink harness parses: with MODE odd the rest of F as raw bytes (what a recording is),
 * even framed by fz_nl_frame() as replies of TYPE. An exact-size heap buffer, its length in *LEN. */
static inline uint8_t *fz_nl_input(struct fz *f, uint8_t mode, uint16_t type, size_t *len)
{
	if (mode & 1) {
		*len = f->n;
		return fz_copy(f->d, f->n);
	}
	return fz_nl_frame(f, type, NLM_F_MULTI, len);
}
