/* Parsers of the tproxy probe: kernel config, /proc lists, capability masks, gzip. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kconfig_value {
	KCONFIG_NO,	 /* "# CONFIG_X is not set", or absent */
	KCONFIG_MODULE,	 /* CONFIG_X=m */
	KCONFIG_BUILTIN, /* CONFIG_X=y */
};

/* Value of OPTION (e.g. "CONFIG_NFT_TPROXY") in the text of a kernel .config. */
enum kconfig_value tproxy_kconfig(const char *bytes, size_t len, const char *option);
const char *tproxy_kconfig_name(enum kconfig_value v); /* "not set", "m", "y" */

/* Whether a file of one name per line (/proc/net/ip_tables_targets) has the line NAME. */
bool tproxy_has_line(const char *bytes, size_t len, const char *name);
/* Whether /proc/modules lists module NAME (its first field). */
bool tproxy_module_loaded(const char *bytes, size_t len, const char *name);

/* A hexadecimal capability mask ("CapEff:\t000001ffffffffff") from /proc/PID/status.
 * 0 or -ENOENT (no such field), -EINVAL (not hex). */
int tproxy_caps(const char *bytes, size_t len, const char *field, uint64_t *out);

/* Decompress gzip data (/proc/config.gz) into a NUL-terminated heap buffer of at most MAX
 * bytes. 0, -EINVAL (not gzip, corrupt or truncated) or -EFBIG. */
int tproxy_gunzip(const void *gz, size_t len, char **out, size_t *outlen, size_t max);
