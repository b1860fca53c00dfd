/* The wtmpdb database (SQLite, /var/lib/wtmpdb/wtmp.db) where a distribution records logins
 * there instead of, or beside, wtmp. Debian 12 has no wtmpdb package (neither the tool nor
 * libwtmpdb); its database is read with libsqlite3, opened with dlopen when a check reads it. */
#pragma once

#include <stddef.h>

#include "logins.h"

/* Append the logins (Type 3 = USER_PROCESS) of the database at PATH to L, oldest first.
 * 0; -ENOENT when there is no such file; another negative errno with ERR saying why. */
int logins_read_wtmpdb(const char *path, struct login_list *l, char *err, size_t errlen);
