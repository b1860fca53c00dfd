/* wtmpdb's database through libsqlite3 (dlopen): its one table, as wtmpdb creates it:
 * wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT, Login INTEGER (microseconds),
 * Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT). */
#include "logins_wtmpdb.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lazylib.h"

#ifndef HD_LIBSQLITE3_SONAME
#define HD_LIBSQLITE3_SONAME "libsqlite3.so.0"
#endif

static struct {
	__typeof__(sqlite3_open_v2) *open_v2;
	__typeof__(sqlite3_prepare_v2) *prepare_v2;
	__typeof__(sqlite3_step) *step;
	__typeof__(sqlite3_column_int) *column_int;
	__typeof__(sqlite3_column_int64) *column_int64;
	__typeof__(sqlite3_column_text) *column_text;
	__typeof__(sqlite3_finalize) *finalize;
	__typeof__(sqlite3_close) *close;
	__typeof__(sqlite3_errmsg) *errmsg;
	__typeof__(sqlite3_busy_timeout) *busy_timeout;
} sq;

static void text(char *dst, size_t size, const unsigned char *s)
{
	snprintf(dst, size, "%s", s ? (const char *)s : "");
}

int logins_read_wtmpdb(const char *path, struct login_list *l, char *err, size_t errlen)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(sq, open_v2, "sqlite3_open_v2"),
	    HD_LAZY_SYM(sq, prepare_v2, "sqlite3_prepare_v2"),
	    HD_LAZY_SYM(sq, step, "sqlite3_step"),
	    HD_LAZY_SYM(sq, column_int, "sqlite3_column_int"),
	    HD_LAZY_SYM(sq, column_int64, "sqlite3_column_int64"),
	    HD_LAZY_SYM(sq, column_text, "sqlite3_column_text"),
	    HD_LAZY_SYM(sq, finalize, "sqlite3_finalize"),
	    HD_LAZY_SYM(sq, close, "sqlite3_close"),
	    HD_LAZY_SYM(sq, errmsg, "sqlite3_errmsg"),
	    HD_LAZY_SYM(sq, busy_timeout, "sqlite3_busy_timeout"),
	    {0},
	};
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	struct stat st;
	int rc;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		return -EINVAL;
	}
	if (!sq.close && hd_lazy_load(HD_LIBSQLITE3_SONAME, syms, err, errlen) < 0)
		return -ELIBACC;
	if (sq.open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s", db ? sq.errmsg(db) : "cannot open");
		sq.close(db);
		return -EIO;
	}
	sq.busy_timeout(db, 2000); /* a login being written holds the lock briefly */
	if (sq.prepare_v2(db,
			  "SELECT Type, User, Login, TTY, RemoteHost FROM wtmp WHERE Type = 3 "
			  "ORDER BY Login",
			  -1, &stmt, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "not a wtmpdb database: %s", sq.errmsg(db));
		sq.close(db);
		return -EINVAL;
	}
	while ((rc = sq.step(stmt)) == SQLITE_ROW) {
		struct login_rec r = {.type = USER_PROCESS};

		text(r.user, sizeof(r.user), sq.column_text(stmt, 1));
		r.usec = sq.column_int64(stmt, 2);
		text(r.line, sizeof(r.line), sq.column_text(stmt, 3));
		text(r.host, sizeof(r.host), sq.column_text(stmt, 4));
		login_list_add(l, &r);
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sq.errmsg(db));
		rc = -EIO;
	} else {
		rc = 0;
	}
	sq.finalize(stmt);
	sq.close(db);
	return rc;
}
