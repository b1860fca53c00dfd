/* libselinux and libsepol, opened when the selinux-allow probe first calls them, not at every
 * start (libselinux's constructor alone looks for selinuxfs in every process that loads it).
 * The functions the probe calls are defined here under the libraries' own names and
 * prototypes, so its code is unchanged: each opens its library on first use (core/lazylib.h)
 * and calls the library's function. When a library cannot be opened they fail as the library
 * reports failure (-1 with errno, NULL, 0 for "no such class"), with one line on stderr. */
#include <errno.h>
#include <stdio.h>
#include <selinux/selinux.h>
#include <sepol/debug.h>
#include <sepol/handle.h>
#include <sepol/policydb.h>

#include "lazylib.h"

#ifndef HD_LIBSELINUX_SONAME
#define HD_LIBSELINUX_SONAME "libselinux.so.1"
#endif
#ifndef HD_LIBSEPOL_SONAME
#define HD_LIBSEPOL_SONAME "libsepol.so.2"
#endif

static struct {
	__typeof__(is_selinux_enabled) *is_selinux_enabled;
	__typeof__(is_selinux_mls_enabled) *is_selinux_mls_enabled;
	__typeof__(security_compute_av_flags) *security_compute_av_flags;
	__typeof__(security_deny_unknown) *security_deny_unknown;
	__typeof__(string_to_av_perm) *string_to_av_perm;
	__typeof__(string_to_security_class) *string_to_security_class;
} se;

static struct {
	__typeof__(sepol_handle_create) *sepol_handle_create;
	__typeof__(sepol_handle_destroy) *sepol_handle_destroy;
	__typeof__(sepol_msg_set_callback) *sepol_msg_set_callback;
	__typeof__(sepol_policy_file_create) *sepol_policy_file_create;
	__typeof__(sepol_policy_file_free) *sepol_policy_file_free;
	__typeof__(sepol_policy_file_set_handle) *sepol_policy_file_set_handle;
	__typeof__(sepol_policy_file_set_mem) *sepol_policy_file_set_mem;
	__typeof__(sepol_policydb_create) *sepol_policydb_create;
	__typeof__(sepol_policydb_free) *sepol_policydb_free;
	__typeof__(sepol_policydb_read) *sepol_policydb_read;
} sp;

/* 0: open; -ENOENT (errno set) when SONAME cannot be opened, said once on stderr */
static int lib_open(int *state, const char *soname, const struct hd_lazy_sym *syms)
{
	char err[256];

	if (*state == 0) {
		*state = hd_lazy_load(soname, syms, err, sizeof(err)) == 0 ? 1 : -1;
		if (*state < 0)
			fprintf(stderr, "hostdoctor: %s\n", err);
	}
	if (*state < 0)
		errno = ENOENT;
	return *state > 0 ? 0 : -ENOENT;
}

static int selinux_open(void)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(se, is_selinux_enabled, "is_selinux_enabled"),
	    HD_LAZY_SYM(se, is_selinux_mls_enabled, "is_selinux_mls_enabled"),
	    HD_LAZY_SYM(se, security_compute_av_flags, "security_compute_av_flags"),
	    HD_LAZY_SYM(se, security_deny_unknown, "security_deny_unknown"),
	    HD_LAZY_SYM(se, string_to_av_perm, "string_to_av_perm"),
	    HD_LAZY_SYM(se, string_to_security_class, "string_to_security_class"),
	    {0},
	};
	static int state;

	return lib_open(&state, HD_LIBSELINUX_SONAME, syms);
}

static int sepol_open(void)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(sp, sepol_handle_create, "sepol_handle_create"),
	    HD_LAZY_SYM(sp, sepol_handle_destroy, "sepol_handle_destroy"),
	    HD_LAZY_SYM(sp, sepol_msg_set_callback, "sepol_msg_set_callback"),
	    HD_LAZY_SYM(sp, sepol_policy_file_create, "sepol_policy_file_create"),
	    HD_LAZY_SYM(sp, sepol_policy_file_free, "sepol_policy_file_free"),
	    HD_LAZY_SYM(sp, sepol_policy_file_set_handle, "sepol_policy_file_set_handle"),
	    HD_LAZY_SYM(sp, sepol_policy_file_set_mem, "sepol_policy_file_set_mem"),
	    HD_LAZY_SYM(sp, sepol_policydb_create, "sepol_policydb_create"),
	    HD_LAZY_SYM(sp, sepol_policydb_free, "sepol_policydb_free"),
	    HD_LAZY_SYM(sp, sepol_policydb_read, "sepol_policydb_read"),
	    {0},
	};
	static int state;

	return lib_open(&state, HD_LIBSEPOL_SONAME, syms);
}

/* ---- libselinux ---- */

int is_selinux_enabled(void)
{
	return selinux_open() < 0 ? -1 : se.is_selinux_enabled();
}

int is_selinux_mls_enabled(void)
{
	return selinux_open() < 0 ? -1 : se.is_selinux_mls_enabled();
}

int security_compute_av_flags(const char *scon, const char *tcon, security_class_t tclass,
			      access_vector_t requested, struct av_decision *avd)
{
	return selinux_open() < 0
		   ? -1
		   : se.security_compute_av_flags(scon, tcon, tclass, requested, avd);
}

int security_deny_unknown(void)
{
	return selinux_open() < 0 ? -1 : se.security_deny_unknown();
}

access_vector_t string_to_av_perm(security_class_t tclass, const char *name)
{
	return selinux_open() < 0 ? 0 : se.string_to_av_perm(tclass, name);
}

security_class_t string_to_security_class(const char *name)
{
	return selinux_open() < 0 ? 0 : se.string_to_security_class(name);
}

/* ---- libsepol ---- */

sepol_handle_t *sepol_handle_create(void)
{
	return sepol_open() < 0 ? NULL : sp.sepol_handle_create();
}

void sepol_handle_destroy(sepol_handle_t *h)
{
	if (sepol_open() == 0)
		sp.sepol_handle_destroy(h);
}

void sepol_msg_set_callback(sepol_handle_t *handle,
			    void (*msg_callback)(void *varg, sepol_handle_t *handle,
						 const char *fmt, ...),
			    void *msg_callback_arg)
{
	if (sepol_open() == 0)
		sp.sepol_msg_set_callback(handle, msg_callback, msg_callback_arg);
}

int sepol_policy_file_create(sepol_policy_file_t **pf)
{
	return sepol_open() < 0 ? -1 : sp.sepol_policy_file_create(pf);
}

void sepol_policy_file_free(sepol_policy_file_t *pf)
{
	if (sepol_open() == 0)
		sp.sepol_policy_file_free(pf);
}

void sepol_policy_file_set_handle(sepol_policy_file_t *pf, sepol_handle_t *handle)
{
	if (sepol_open() == 0)
		sp.sepol_policy_file_set_handle(pf, handle);
}

void sepol_policy_file_set_mem(sepol_policy_file_t *pf, char *data, size_t len)
{
	if (sepol_open() == 0)
		sp.sepol_policy_file_set_mem(pf, data, len);
}

int sepol_policydb_create(sepol_policydb_t **p)
{
	return sepol_open() < 0 ? -1 : sp.sepol_policydb_create(p);
}

void sepol_policydb_free(sepol_policydb_t *p)
{
	if (sepol_open() == 0)
		sp.sepol_policydb_free(p);
}

int sepol_policydb_read(sepol_policydb_t *p, sepol_policy_file_t *pf)
{
	return sepol_open() < 0 ? -1 : sp.sepol_policydb_read(p, pf);
}
