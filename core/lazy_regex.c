/* pcre2 and vectorscan opened on first use (see lazy_regex.h). */
#include "lazy_regex.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lazylib.h"

#ifndef HD_LIBPCRE2_SONAME
#define HD_LIBPCRE2_SONAME "libpcre2-8.so.0"
#endif
#ifndef HD_LIBHS_SONAME
#define HD_LIBHS_SONAME "libhs.so.5"
#endif

static struct hd_pcre2_fn pcre2_fn;
static struct hd_hs_fn hs_fn;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int pcre2_state, hs_state; /* 0 not tried, 1 loaded, -1 failed */
static char pcre2_err[512], hs_err[512];

const struct hd_pcre2_fn *hd_pcre2(char *err, size_t errlen)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(pcre2_fn, compile, "pcre2_compile_8"),
	    HD_LAZY_SYM(pcre2_fn, code_free, "pcre2_code_free_8"),
	    HD_LAZY_SYM(pcre2_fn, jit_compile, "pcre2_jit_compile_8"),
	    HD_LAZY_SYM(pcre2_fn, match, "pcre2_match_8"),
	    HD_LAZY_SYM(pcre2_fn, match_data_create, "pcre2_match_data_create_8"),
	    HD_LAZY_SYM(pcre2_fn, match_data_free, "pcre2_match_data_free_8"),
	    HD_LAZY_SYM(pcre2_fn, get_ovector_pointer, "pcre2_get_ovector_pointer_8"),
	    HD_LAZY_SYM(pcre2_fn, get_error_message, "pcre2_get_error_message_8"),
	    {0},
	};

	pthread_mutex_lock(&lock);
	if (pcre2_state == 0)
		pcre2_state =
		    hd_lazy_load(HD_LIBPCRE2_SONAME, syms, pcre2_err, sizeof(pcre2_err)) == 0 ? 1
											      : -1;
	pthread_mutex_unlock(&lock);
	if (pcre2_state < 0) {
		snprintf(err, errlen, "%s", pcre2_err);
		return NULL;
	}
	return &pcre2_fn;
}

const struct hd_hs_fn *hd_vectorscan(char *err, size_t errlen)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(hs_fn, compile_ext_multi, "hs_compile_ext_multi"),
	    HD_LAZY_SYM(hs_fn, expression_ext_info, "hs_expression_ext_info"),
	    HD_LAZY_SYM(hs_fn, free_compile_error, "hs_free_compile_error"),
	    HD_LAZY_SYM(hs_fn, free_database, "hs_free_database"),
	    HD_LAZY_SYM(hs_fn, alloc_scratch, "hs_alloc_scratch"),
	    HD_LAZY_SYM(hs_fn, free_scratch, "hs_free_scratch"),
	    HD_LAZY_SYM(hs_fn, scan, "hs_scan"),
	    HD_LAZY_SYM(hs_fn, serialize_database, "hs_serialize_database"),
	    HD_LAZY_SYM(hs_fn, deserialize_database, "hs_deserialize_database"),
	    HD_LAZY_SYM(hs_fn, version, "hs_version"),
	    HD_LAZY_SYM(hs_fn, valid_platform, "hs_valid_platform"),
	    {0},
	};

	pthread_mutex_lock(&lock);
	if (hs_state == 0) {
		hs_state =
		    hd_lazy_load(HD_LIBHS_SONAME, syms, hs_err, sizeof(hs_err)) == 0 ? 1 : -1;
		/* vectorscan needs SSSE3 on x86; say so rather than fail later */
		if (hs_state > 0 && hs_fn.valid_platform() != HS_SUCCESS) {
			snprintf(hs_err, sizeof(hs_err), "%s cannot run on this CPU",
				 HD_LIBHS_SONAME);
			hs_state = -1;
		}
	}
	pthread_mutex_unlock(&lock);
	if (hs_state < 0) {
		snprintf(err, errlen, "%s", hs_err);
		return NULL;
	}
	return &hs_fn;
}
