/* user: a user and/or group exists (/etc/passwd, /etc/group) and useradd creates user groups
 * (USERGROUPS_ENAB in /etc/login.defs), as installers that create a service user need. */
#include "probe_user.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

void db_cursor_init(struct db_cursor *c, const char *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
	c->lineno = 0;
}

static int parse_id(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int db_next(enum db_kind k, struct db_cursor *c, struct db_entry *e)
{
	const size_t want = k == DB_PASSWD ? 7 : 4;

	while (c->p < c->end) {
		const char *line = c->p, *eol = memchr(c->p, '\n', (size_t)(c->end - c->p));
		const char *f[8];
		size_t n[8], nf = 0;

		if (!eol)
			eol = c->end;
		c->p = eol < c->end ? eol + 1 : c->end;
		c->lineno++;
		if (eol > line && eol[-1] == '\r')
			eol--;
		if (line == eol || line[0] == '#' || line[0] == '+' || line[0] == '-')
			continue;
		memset(e, 0, sizeof(*e));
		e->lineno = c->lineno;
		e->line = line;
		e->len = (size_t)(eol - line);
		for (const char *p = line; nf < 8;) {
			const char *colon = memchr(p, ':', (size_t)(eol - p));
			f[nf] = p;
			n[nf] = (size_t)((colon ? colon : eol) - p);
			nf++;
			if (!colon)
				break;
			p = colon + 1;
		}
		snprintf(e->name, sizeof(e->name), "%.*s", (int)(n[0] < 255 ? n[0] : 255), f[0]);
		if (nf != want || n[0] == 0 || n[0] >= sizeof(e->name) || memchr(f[0], ' ', n[0]) ||
		    memchr(f[0], '\0', n[0]) || parse_id(f[2], n[2], &e->id) < 0 ||
		    (k == DB_PASSWD && parse_id(f[3], n[3], &e->gid) < 0))
			return -EINVAL;
		return 1;
	}
	return 0;
}

int db_find_name(enum db_kind k, const char *buf, size_t len, const char *name, struct db_entry *e)
{
	struct db_cursor c;
	int rc;

	db_cursor_init(&c, buf, len);
	while ((rc = db_next(k, &c, e)) != 0)
		if (rc > 0 && strcmp(e->name, name) == 0)
			return 1;
	return 0;
}

int db_find_id(enum db_kind k, const char *buf, size_t len, uint32_t id, struct db_entry *e)
{
	struct db_cursor c;
	int rc;

	db_cursor_init(&c, buf, len);
	while ((rc = db_next(k, &c, e)) != 0)
		if (rc > 0 && e->id == id)
			return 1;
	return 0;
}

int login_defs_get(const char *buf, size_t len, const char *key, char *out, size_t size,
		   int *lineno)
{
	const char *p = buf, *end = buf + len;
	size_t klen = strlen(key);
	int line = 0, found = 0;

	while (p < end) {
		const char *s = p, *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		p = eol + 1;
		line++;
		while (s < eol && isspace((unsigned char)*s))
			s++;
		if ((size_t)(eol - s) < klen || memcmp(s, key, klen) != 0 ||
		    (s + klen < eol && !isspace((unsigned char)s[klen])))
			continue;
		s += klen;
		while (s < eol && isspace((unsigned char)*s))
			s++;
		const char *v = s;
		while (s < eol && !isspace((unsigned char)*s))
			s++;
		/* shadow takes the value up to whitespace, quotes stripped */
		if (s - v >= 2 && *v == '"' && s[-1] == '"')
			v++, s--;
		snprintf(out, size, "%.*s", (int)(s - v), v);
		*lineno = line;
		found = 1;
	}
	return found;
}

/* Report malformed lines of a passwd/group file; returns how many. */
static int report_bad_lines(enum db_kind k, const char *file, const char *buf, size_t len,
			    const char *wanted, struct hd_result *r)
{
	struct db_cursor c;
	struct db_entry e;
	int rc, bad = 0;

	db_cursor_init(&c, buf, len);
	while ((rc = db_next(k, &c, &e)) != 0) {
		if (rc > 0)
			continue;
		if (++bad <= 5)
			hd_result_detail(r,
					 "%s line %d is malformed (%s colon-separated fields with "
					 "numeric ids expected): '%.*s'%s",
					 file, e.lineno, k == DB_PASSWD ? "7" : "4",
					 (int)(e.len < 60 ? e.len : 60), e.line,
					 wanted && strcmp(e.name, wanted) == 0
					     ? " (this may be the wanted entry)"
					     : "");
		if (bad == 1)
			hd_result_remedy_add(r,
					     "Fix line %d of %s (pwck -r / grpck -r list every "
					     "problem; vipw / vigr edit it safely).",
					     e.lineno, file);
	}
	return bad;
}

static int read_db(const struct hd_ctx *ctx, const char *path, char **buf, size_t *len,
		   struct hd_result *r)
{
	int rc = hd_read_file(ctx, path, buf, len, 64u << 20);

	if (rc < 0)
		hd_result_set(r, HD_UNKNOWN, "cannot read %s%s: %s", ctx->root, path,
			      strerror(-rc));
	return rc;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *user = hd_check_str(c, "user"), *group = hd_check_str(c, "group");
	bool usergroups = hd_check_bool(c, "login_defs_usergroups");
	_cleanup_free_ char *pw = NULL, *gr = NULL, *defs = NULL;
	size_t pwlen = 0, grlen = 0, defslen = 0;
	int missing = 0, bad = 0, rc;
	struct db_entry e;
	struct hd_buf ok = {0}, miss = {0};
	_cleanup_free_ char *oktext = NULL, *misstext = NULL;

	if (user && !*user)
		user = NULL;
	if (group && !*group)
		group = NULL;
	if (!user && !group && !usergroups) {
		hd_result_set(r, HD_UNKNOWN,
			      "nothing to check: set user, group or "
			      "login_defs_usergroups = yes");
		return -EINVAL;
	}
	/* the remedy is one line per problem, collected as they are found */
	/* the group first: useradd --gid in the remedy needs it */
	if (group) {
		if ((rc = read_db(ctx, "/etc/group", &gr, &grlen, r)) < 0)
			return rc;
		bad += report_bad_lines(DB_GROUP, "/etc/group", gr, grlen, group, r);
		if (db_find_name(DB_GROUP, gr, grlen, group, &e)) {
			hd_buf_printf(&ok, "%sgroup %s (gid %u)", ok.len ? ", " : "", group, e.id);
		} else {
			missing++;
			hd_buf_printf(&miss, "%sgroup %s", miss.len ? ", " : "", group);
			hd_result_detail(r, "group %s: not in /etc/group", group);
			hd_result_remedy_command(r, "groupadd --system %s", group);
		}
	}
	if (user) {
		if ((rc = read_db(ctx, "/etc/passwd", &pw, &pwlen, r)) < 0)
			return rc;
		bad += report_bad_lines(DB_PASSWD, "/etc/passwd", pw, pwlen, user, r);
		if (db_find_name(DB_PASSWD, pw, pwlen, user, &e)) {
			hd_buf_printf(&ok, "%suser %s (uid %u)", ok.len ? ", " : "", user, e.id);
		} else {
			missing++;
			hd_buf_printf(&miss, "%suser %s", miss.len ? ", " : "", user);
			hd_result_detail(r, "user %s: not in /etc/passwd", user);
			if (group)
				hd_result_remedy_command(
				    r,
				    "useradd --system --gid %s --no-create-home "
				    "--shell /usr/sbin/nologin %s",
				    group, user);
			else
				hd_result_remedy_command(
				    r,
				    "useradd --system --no-create-home --shell "
				    "/usr/sbin/nologin %s",
				    user);
		}
	}
	if (usergroups) {
		char val[64] = "";
		int line = 0;
		const char *where = "/etc/login.defs";

		rc = hd_read_file(ctx, where, &defs, &defslen, 1 << 20);
		if (rc == -ENOENT) {
			/* shadow built with libeconf (openSUSE) reads the vendor file instead */
			where = "/usr/etc/login.defs";
			rc = hd_read_file(ctx, where, &defs, &defslen, 1 << 20);
		}
		if (rc < 0 && rc != -ENOENT) {
			hd_result_set(r, HD_UNKNOWN, "cannot read %s%s: %s", ctx->root, where,
				      strerror(-rc));
			return rc;
		}
		if (rc == 0 &&
		    login_defs_get(defs, defslen, "USERGROUPS_ENAB", val, sizeof(val), &line) &&
		    strcasecmp(val, "yes") == 0) {
			hd_buf_printf(&ok, "%sUSERGROUPS_ENAB yes", ok.len ? ", " : "");
		} else {
			missing++;
			hd_buf_printf(&miss, "%sUSERGROUPS_ENAB yes", miss.len ? ", " : "");
			if (rc < 0)
				hd_result_detail(r,
						 "/etc/login.defs does not exist: USERGROUPS_ENAB "
						 "defaults to no");
			else if (line)
				hd_result_detail(r, "%s line %d: USERGROUPS_ENAB %s (yes needed)",
						 where, line, val);
			else
				hd_result_detail(r, "%s: USERGROUPS_ENAB not set (defaults to no)",
						 where);
			if (line) {
				char expr[64];
				hd_result_remedy_add(
				    r,
				    "Set USERGROUPS_ENAB yes in /etc/login.defs: sed -i "
				    "'%ds/.*/USERGROUPS_ENAB yes/' /etc/login.defs",
				    line);
				snprintf(expr, sizeof(expr), "%ds/.*/USERGROUPS_ENAB yes/", line);
				hd_result_command(r, "sed", "-i", expr, "/etc/login.defs", NULL);
			} else {
				hd_result_remedy_add(
				    r, "Set USERGROUPS_ENAB yes in /etc/login.defs: "
				       "echo 'USERGROUPS_ENAB yes' >> /etc/login.defs");
			}
			hd_result_concerns(r, HD_CONCERN_FILE, "/etc/login.defs");
		}
	}

	hd_result_metric(r, "missing", missing, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "malformed_lines", bad, HD_UNIT_NONE);
	oktext = hd_buf_steal(&ok);
	if (!r->remedy)
		hd_result_remedy(r,
				 "Create the user with useradd --system, the group with groupadd "
				 "--system; keep USERGROUPS_ENAB yes in /etc/login.defs.");
	misstext = hd_buf_steal(&miss);
	if (missing) {
		hd_result_set(r, HD_CRITICAL, "missing: %s%s%s", misstext,
			      oktext[0] ? "; present: " : "", oktext);
	} else if (bad) {
		hd_result_set(r, HD_WARNING,
			      "%s present, but %d malformed line%s in the user "
			      "database (the C library skips them)",
			      oktext, bad, bad == 1 ? "" : "s");
	} else {
		hd_result_set(r, HD_OK, "%s", oktext);
	}
	return 0;
}

static const struct hd_param params[] = {
    {.key = "user", .type = HD_P_STR, .help = "user that must exist in /etc/passwd"},
    {.key = "group", .type = HD_P_STR, .help = "group that must exist in /etc/group"},
    {.key = "login_defs_usergroups",
     .type = HD_P_BOOL,
     .def = "no",
     .help = "require USERGROUPS_ENAB yes in /etc/login.defs (useradd creates a group per user)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"missing", "Required users, groups and login.defs settings that are missing."},
    {"malformed_lines", "Malformed lines in /etc/passwd and /etc/group."},
    {0},
};

const struct hd_probe probe_user = {
    .name = "user",
    .summary = "a user and group exist, and useradd creates user groups",
    .params = params,
    .metrics = metrics,
    .run = run,
};
