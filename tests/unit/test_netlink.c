/* Framing of netlink buffers before libmnl walks them: recorded replies whose nlmsg_len is 2 GiB
 * or more, shorter than a header, or longer than what is left are refused before any callback
 * runs (libmnl compares the length as an int and walks out of the buffer or round in circles). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/sock_diag.h>
#include <string.h>

#include "netlink.h"
#include "probe_unix_socket.h"
#include "sockdiag.h"

static int calls;

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	calls++;
	return MNL_CB_OK;
}

static int count_sock(const struct sd_sock *s, void *data)
{
	(void)s;
	(void)data;
	calls++;
	return 0;
}

/* Two messages: a NOOP of 20 bytes, then one whose length field is LEN2. */
static size_t build(unsigned char *buf, uint32_t len2)
{
	struct nlmsghdr h = {.nlmsg_len = 20, .nlmsg_type = NLMSG_NOOP};

	memset(buf, 0, 64);
	memcpy(buf, &h, sizeof(h));
	h = (struct nlmsghdr){.nlmsg_len = len2, .nlmsg_type = SOCK_DIAG_BY_FAMILY};
	memcpy(buf + 20, &h, sizeof(h));
	return 64;
}

static void test_lengths(void **state)
{
	static const uint32_t bad[] = {
	    0x80000000u, 0xfffffffcu, 0xffffffffu, 0x7fffffffu, 45, 15, 0};
	unsigned char buf[64] __attribute__((aligned(8)));
	struct unix_diag_match m = {0};
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = build(buf, bad[i]);
		assert_int_equal(hd_nl_frame_check(buf, len), -EBADMSG);
		calls = 0;
		errno = 0;
		assert_int_equal(hd_nl_replay(buf, len, count_cb, NULL), MNL_CB_ERROR);
		assert_int_equal(errno, EBADMSG);
		assert_int_equal(calls, 0); /* refused before libmnl saw the first message */
		assert_int_equal(hd_nl_replay(buf, len, unix_diag_match_cb, &m), MNL_CB_ERROR);
		assert_int_equal(sd_replay(buf, len, count_sock, NULL), -EBADMSG);
		assert_int_equal(calls, 0);
	}
	/* whole messages, the last one ending unaligned */
	len = build(buf, 44);
	assert_int_equal(hd_nl_frame_check(buf, len), 0);
	assert_int_equal(hd_nl_frame_check(buf, 61), -EBADMSG);
	assert_int_equal(hd_nl_frame_check(buf, 20), 0);
	assert_int_equal(hd_nl_frame_check(buf, 0), 0);
	assert_int_equal(hd_nl_frame_check(buf, 10), -EBADMSG);
	assert_int_equal(hd_nl_frame_check(buf, (size_t)INT32_MAX + 1), -EFBIG);
}

/* An error reply is whole and carries an errno the kernel could send: libmnl negates it, and
 * -INT_MIN is not an int. */
static void test_error_replies(void **state)
{
	static const int32_t errs[] = {INT32_MIN, -4096, 1, 4096};
	unsigned char buf[64] __attribute__((aligned(8)));
	struct nlmsghdr h = {.nlmsg_len = 36, .nlmsg_type = NLMSG_ERROR};
	struct nlmsgerr e = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		memset(buf, 0, sizeof(buf));
		e.error = errs[i];
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + 16, &e, sizeof(e));
		assert_int_equal(hd_nl_frame_check(buf, 36), -EBADMSG);
		assert_int_equal(sd_replay(buf, 36, count_sock, NULL), -EBADMSG);
	}
	e.error = -EPERM; /* a real one is handed on */
	memcpy(buf + 16, &e, sizeof(e));
	assert_int_equal(hd_nl_frame_check(buf, 36), 0);
	assert_int_equal(sd_replay(buf, 36, count_sock, NULL), -EPERM);
	h.nlmsg_len = 20; /* cut short */
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(hd_nl_frame_check(buf, 20), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lengths),
	    cmocka_unit_test(test_error_replies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
