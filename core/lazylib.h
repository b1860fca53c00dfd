/* Libraries opened when the one probe that needs them runs, not at every start. Linked in,
 * libcurl and the thirty-odd libraries behind it (TLS, Kerberos, LDAP, SSH) took about 4 ms of
 * each hostdoctor run and libproc2 with libsystemd another 0.6 ms: most of a one-check Nagios
 * call. The probe keeps a table of function pointers typed from the library's own header. */
#pragma once

#include <stddef.h>

struct hd_lazy_sym {
	const char *name;
	void **slot;
};

/* Open SONAME and fill each slot of SYMS (ended by a NULL name). 0, or -ENOENT with the
 * loader's message (the library's or the missing function's name) in ERR. */
int hd_lazy_load(const char *soname, const struct hd_lazy_sym *syms, char *err, size_t errlen);

#define HD_LAZY_SYM(table, field, name)                                                            \
	{                                                                                          \
		name, (void **)&(table).field                                                      \
	}
