/* Parsers of secure-boot, shared with the tests: efivarfs variables and the lockdown mode. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* An efivarfs file of a one-byte variable: 4 bytes of attributes, then the data byte.
 * 0 with *val set, or -EINVAL when the file is not 5 bytes long. */
int efivar_u8_parse(const void *buf, size_t len, uint8_t *val);

enum lockdown_mode { LOCKDOWN_NONE, LOCKDOWN_INTEGRITY, LOCKDOWN_CONFIDENTIALITY };
/* /sys/kernel/security/lockdown: "none [integrity] confidentiality"; the bracketed word is the
 * mode. Returns the mode or -EINVAL. */
int lockdown_parse(const char *buf, size_t len);
const char *lockdown_name(int mode);
