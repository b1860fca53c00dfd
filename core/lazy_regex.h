/* pcre2 and vectorscan, opened with dlopen by the catalogue and the log matcher (lazylib.h):
 * a one-check run of another probe loads neither. Tables of functions typed from the
 * libraries' own headers. */
#pragma once

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <hs/hs.h>
#include <pcre2.h>
#include <stddef.h>

struct hd_pcre2_fn {
	__typeof__(pcre2_compile) *compile;
	__typeof__(pcre2_code_free) *code_free;
	__typeof__(pcre2_jit_compile) *jit_compile;
	__typeof__(pcre2_match) *match;
	__typeof__(pcre2_match_data_create) *match_data_create;
	__typeof__(pcre2_match_data_free) *match_data_free;
	__typeof__(pcre2_get_ovector_pointer) *get_ovector_pointer;
	__typeof__(pcre2_get_error_message) *get_error_message;
};

struct hd_hs_fn {
	__typeof__(hs_compile_ext_multi) *compile_ext_multi;
	__typeof__(hs_expression_ext_info) *expression_ext_info;
	__typeof__(hs_free_compile_error) *free_compile_error;
	__typeof__(hs_free_database) *free_database;
	__typeof__(hs_alloc_scratch) *alloc_scratch;
	__typeof__(hs_free_scratch) *free_scratch;
	__typeof__(hs_scan) *scan;
	__typeof__(hs_serialize_database) *serialize_database;
	__typeof__(hs_deserialize_database) *deserialize_database;
	__typeof__(hs_version) *version;
	__typeof__(hs_valid_platform) *valid_platform;
};

/* The tables, loaded on first call; NULL with the loader's message in ERR when the library
 * (or a function) is missing, or, for vectorscan, when this CPU cannot run it. */
const struct hd_pcre2_fn *hd_pcre2(char *err, size_t errlen);
const struct hd_hs_fn *hd_vectorscan(char *err, size_t errlen);
