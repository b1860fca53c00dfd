/* Scope-bound release of fds, FILE *, heap memory and directory streams. */
#pragma once

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void hd_freep(void *p)
{
	free(*(void **)p);
}
static inline void hd_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void hd_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void hd_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define _cleanup_free_	   __attribute__((cleanup(hd_freep)))
#define _cleanup_close_	   __attribute__((cleanup(hd_closep)))
#define _cleanup_fclose_   __attribute__((cleanup(hd_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(hd_closedirp)))

/* Hand ownership out of a cleanup-guarded variable. */
#define HD_TAKE(p)                                                                                 \
	({                                                                                         \
		__typeof__(p) _t = (p);                                                            \
		(p) = NULL;                                                                        \
		_t;                                                                                \
	})
#define HD_TAKE_FD(fd)                                                                             \
	({                                                                                         \
		int _t = (fd);                                                                     \
		(fd) = -1;                                                                         \
		_t;                                                                                \
	})

#define HD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
