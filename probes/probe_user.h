/* Parsers of the user probe, shared with path and the tests: passwd, group and login.defs bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_kind { DB_PASSWD, DB_GROUP };

/* Walks the lines of a passwd or group file. */
struct db_cursor {
	const char *p, *end;
	int lineno; /* of the line last returned */
};
struct db_entry {
	int lineno;
	char name[256];
	uint32_t id;	  /* uid or gid */
	uint32_t gid;	  /* passwd: primary gid */
	const char *line; /* the raw line (not NUL-terminated) and its length */
	size_t len;
};

void db_cursor_init(struct db_cursor *c, const char *buf, size_t len);
/* Next entry: 1 and *E filled; 0 at the end; -EINVAL for a malformed line (E->lineno, E->line and
 * E->name, the text before the first ':', say which), after which the walk can go on.
 * Blank lines, '#' comments and NIS compat lines ('+', '-') are skipped. */
int db_next(enum db_kind k, struct db_cursor *c, struct db_entry *e);
/* First well-formed entry named NAME / with id ID: 1 found (in *E), 0 not. */
int db_find_name(enum db_kind k, const char *buf, size_t len, const char *name, struct db_entry *e);
int db_find_id(enum db_kind k, const char *buf, size_t len, uint32_t id, struct db_entry *e);

/* KEY's value in login.defs bytes ("KEY value"; the last definition wins, as in shadow's
 * getdef). 1 found (value in OUT, its line number in *LINENO), 0 absent. */
int login_defs_get(const char *buf, size_t len, const char *key, char *out, size_t size,
		   int *lineno);
