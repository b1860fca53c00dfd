/* Parser of SMTP replies (RFC 5321 4.2), shared with the tests. */
#pragma once

#include <stddef.h>

/* One complete reply at the start of BUF: "250-a\r\n250 b\r\n". Returns 1 and sets *code,
 * *used (bytes of the reply) and TEXT (the lines' texts joined with "; ", cut to SIZE);
 * 0 when more bytes are needed; -EINVAL when the bytes are not an SMTP reply. */
int smtp_parse_reply(const char *buf, size_t len, int *code, size_t *used, char *text, size_t size);
