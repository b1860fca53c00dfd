/* Parsers of kernel-module, shared with the tests: a module's .modinfo and /proc/modules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What a kernel module file (.ko, ELF) says about the kernel it was built for. */
struct ko_info {
	char name[64];	    /* modinfo name= ("" when the module has none, as before 4.x) */
	char vermagic[256]; /* modinfo vermagic= */
	char release[128];  /* its first word: the kernel release the module was built for */
	bool modversions;   /* a __versions section: the kernel compares symbol CRCs, not the
			       release (CONFIG_MODVERSIONS; kABI-stable distribution kernels) */
};

/* A .ko file's bytes. 0 with *OUT filled; -ENOEXEC not ELF; -EINVAL malformed (a section outside
 * the file, no section-name table); -ENOENT no .modinfo section or no vermagic= in it. */
int ko_parse(const void *buf, size_t len, struct ko_info *out);

/* KEY's value in .modinfo bytes (NUL-separated "key=value" strings). NULL when absent; *VLEN
 * is its length (the value need not be NUL-terminated when it ends the section). */
const char *modinfo_get(const char *info, size_t len, const char *key, size_t *vlen);

/* NAME in /proc/modules bytes ("name size refcount deps state address"). 1 when listed, with its
 * state ("Live", "Loading", "Unloading") in STATE; 0 when not listed. '-' and '_' in names are the
 * same, as for modprobe. */
int proc_modules_find(const char *buf, size_t len, const char *name, char *state, size_t size);

/* Does the file name BASE belong to module NAME: "NAME.ko", or "NAME" then '-', '_' or '.' and
 * anything, ending in ".ko" ("ampfsm-4.18.0-305.el8.ko")? */
bool ko_file_matches(const char *base, const char *name);
