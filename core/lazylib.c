/* dlopen of a probe's library on first use (see lazylib.h). */
#include "lazylib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

int hd_lazy_load(const char *soname, const struct hd_lazy_sym *syms, char *err, size_t errlen)
{
	/* never closed: the functions are used until the check's process exits */
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		snprintf(err, errlen, "%s", dlerror());
		return -ENOENT;
	}
	for (const struct hd_lazy_sym *s = syms; s->name; s++) {
		*s->slot = dlsym(lib, s->name);
		if (!*s->slot) {
			snprintf(err, errlen, "%s has no %s", soname, s->name);
			return -ENOENT;
		}
	}
	return 0;
}
