/* The journal source: entries of the systemd journal through sd-journal (libsystemd, opened
 * with dlopen when a journal is read), from a cursor, each MESSAGE one line. */
#include "log_source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>

#include "cleanup.h"
#include "lazylib.h"
#include "paths.h"
#include "util.h"

#ifndef HD_LIBSYSTEMD_SONAME
#define HD_LIBSYSTEMD_SONAME "libsystemd.so.0"
#endif

#define BATCH	     (256u << 10) /* bytes of messages handed to the sink at once */
#define MAX_MESSAGE  (64u << 20)  /* longer messages are cut (as a file line is) */
#define DEADLINE_GAP 0.5

static struct {
	__typeof__(sd_journal_open) *open;
	__typeof__(sd_journal_open_directory) *open_directory;
	__typeof__(sd_journal_close) *close;
	__typeof__(sd_journal_add_match) *add_match;
	__typeof__(sd_journal_add_disjunction) *add_disjunction;
	__typeof__(sd_journal_add_conjunction) *add_conjunction;
	__typeof__(sd_journal_seek_head) *seek_head;
	__typeof__(sd_journal_seek_tail) *seek_tail;
	__typeof__(sd_journal_seek_cursor) *seek_cursor;
	__typeof__(sd_journal_seek_realtime_usec) *seek_realtime_usec;
	__typeof__(sd_journal_next) *next;
	__typeof__(sd_journal_previous) *previous;
	__typeof__(sd_journal_get_data) *get_data;
	__typeof__(sd_journal_get_cursor) *get_cursor;
	__typeof__(sd_journal_test_cursor) *test_cursor;
	__typeof__(sd_journal_get_realtime_usec) *get_realtime_usec;
	__typeof__(sd_journal_set_data_threshold) *set_data_threshold;
	__typeof__(sd_id128_get_boot) *get_boot;
	__typeof__(sd_journal_get_fd) *get_fd;
	__typeof__(sd_journal_get_events) *get_events;
	__typeof__(sd_journal_get_timeout) *get_timeout;
	__typeof__(sd_journal_process) *process;
} sdj_fn, *J;

static int load_systemd(char *err, size_t errlen)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(sdj_fn, open, "sd_journal_open"),
	    HD_LAZY_SYM(sdj_fn, open_directory, "sd_journal_open_directory"),
	    HD_LAZY_SYM(sdj_fn, close, "sd_journal_close"),
	    HD_LAZY_SYM(sdj_fn, add_match, "sd_journal_add_match"),
	    HD_LAZY_SYM(sdj_fn, add_disjunction, "sd_journal_add_disjunction"),
	    HD_LAZY_SYM(sdj_fn, add_conjunction, "sd_journal_add_conjunction"),
	    HD_LAZY_SYM(sdj_fn, seek_head, "sd_journal_seek_head"),
	    HD_LAZY_SYM(sdj_fn, seek_tail, "sd_journal_seek_tail"),
	    HD_LAZY_SYM(sdj_fn, seek_cursor, "sd_journal_seek_cursor"),
	    HD_LAZY_SYM(sdj_fn, seek_realtime_usec, "sd_journal_seek_realtime_usec"),
	    HD_LAZY_SYM(sdj_fn, next, "sd_journal_next"),
	    HD_LAZY_SYM(sdj_fn, previous, "sd_journal_previous"),
	    HD_LAZY_SYM(sdj_fn, get_data, "sd_journal_get_data"),
	    HD_LAZY_SYM(sdj_fn, get_cursor, "sd_journal_get_cursor"),
	    HD_LAZY_SYM(sdj_fn, test_cursor, "sd_journal_test_cursor"),
	    HD_LAZY_SYM(sdj_fn, get_realtime_usec, "sd_journal_get_realtime_usec"),
	    HD_LAZY_SYM(sdj_fn, set_data_threshold, "sd_journal_set_data_threshold"),
	    HD_LAZY_SYM(sdj_fn, get_boot, "sd_id128_get_boot"),
	    HD_LAZY_SYM(sdj_fn, get_fd, "sd_journal_get_fd"),
	    HD_LAZY_SYM(sdj_fn, get_events, "sd_journal_get_events"),
	    HD_LAZY_SYM(sdj_fn, get_timeout, "sd_journal_get_timeout"),
	    HD_LAZY_SYM(sdj_fn, process, "sd_journal_process"),
	    {0},
	};
	int rc = J ? 0 : hd_lazy_load(HD_LIBSYSTEMD_SONAME, syms, err, errlen);

	if (rc == 0)
		J = &sdj_fn;
	return rc;
}

static void journal_closep(sd_journal **j)
{
	if (*j)
		J->close(*j);
}

/* ---- where the journal is ---- */

static bool is_journal_file(const char *name)
{
	size_t n = strlen(name);
	return (n > 8 && strcmp(name + n - 8, ".journal") == 0) ||
	       (n > 9 && strcmp(name + n - 9, ".journal~") == 0);
}

/* DIR or one of its subdirectories (the machine id) holds a journal file? */
static bool dir_has_journal(const char *dir, int depth)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d))) {
		char sub[4096];
		if (de->d_name[0] == '.')
			continue;
		if (is_journal_file(de->d_name))
			return true;
		if (depth > 0 && (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) &&
		    snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < (int)sizeof(sub) &&
		    dir_has_journal(sub, depth - 1))
			return true;
	}
	return false;
}

/* The first journal file of DIR (or its subdirectories) that cannot be opened, into BUF. */
static bool dir_unreadable(const char *dir, int depth, char *buf, size_t size)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d))) {
		char sub[4096];
		if (de->d_name[0] == '.' ||
		    snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue;
		if (is_journal_file(de->d_name)) {
			int fd = open(sub, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fd < 0 && (errno == EACCES || errno == EPERM)) {
				snprintf(buf, size, "%s", sub);
				return true;
			}
			if (fd >= 0)
				close(fd);
		} else if (depth > 0 && (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) &&
			   dir_unreadable(sub, depth - 1, buf, size)) {
			return true;
		}
	}
	return false;
}

bool hd_journal_unreadable(const struct hd_ctx *ctx, char *buf, size_t size)
{
	static const char *const dirs[] = {"/var/log/journal", "/run/log/journal"};
	char p[4096];

	for (size_t i = 0; i < HD_ARRAY_SIZE(dirs); i++)
		if (hd_path(ctx, dirs[i], p, sizeof(p)) == 0 && dir_unreadable(p, 1, buf, size))
			return true;
	return false;
}

bool hd_journal_present(const struct hd_ctx *ctx)
{
	static const char *const dirs[] = {"/var/log/journal", "/run/log/journal"};
	char p[4096];

	for (size_t i = 0; i < HD_ARRAY_SIZE(dirs); i++)
		if (hd_path(ctx, dirs[i], p, sizeof(p)) == 0 && dir_has_journal(p, 1))
			return true;
	return false;
}

int hd_journal_parse_priority(const char *s, unsigned *mask)
{
	static const char *const names[] = {"emerg",   "alert",	 "crit", "err",
					    "warning", "notice", "info", "debug"};
	const char *dots = strstr(s, "..");
	int lo = 0, hi = -1;

	for (int side = 0; side < (dots ? 2 : 1); side++) {
		const char *p = side ? dots + 2 : s;
		size_t n = side || !dots ? strlen(p) : (size_t)(dots - s);
		int v = -1;

		if (n == 1 && p[0] >= '0' && p[0] <= '7')
			v = p[0] - '0';
		for (int k = 0; k < 8 && v < 0; k++)
			if (strlen(names[k]) == n && strncasecmp(p, names[k], n) == 0)
				v = k;
		if (v < 0 && n == 4 && strncasecmp(p, "warn", 4) == 0)
			v = 4;
		if (v < 0)
			return -EINVAL;
		if (side)
			hi = v;
		else if (dots)
			lo = v;
		else
			hi = v; /* "err": err and everything more severe */
	}
	if (lo > hi) {
		int t = lo;
		lo = hi;
		hi = t;
	}
	*mask = 0;
	for (int k = lo; k <= hi; k++)
		*mask |= 1u << k;
	return 0;
}

int hd_journal_parse_time(const char *s, uint64_t *usec)
{
	struct tm tm = {0};
	time_t now = time(NULL), t;
	const char *end;
	char *e;

	if (strcmp(s, "now") == 0) {
		t = now;
	} else if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		localtime_r(&now, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_mday -= s[0] == 'y';
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else if (s[0] == '-') {
		unsigned long long n = strtoull(s + 1, &e, 10);
		unsigned long long mul = strcmp(e, "s") == 0   ? 1
					 : strcmp(e, "m") == 0 ? 60
					 : strcmp(e, "h") == 0 ? 3600
					 : strcmp(e, "d") == 0 ? 86400
							       : 0;
		if (e == s + 1 || !mul || n > 100000ULL * 86400 / mul)
			return -EINVAL;
		t = now - (time_t)(n * mul);
	} else {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
		if (end && *end == ' ') {
			const char *e2 = strptime(end + 1, "%H:%M:%S", &tm);
			end = e2 ? e2 : strptime(end + 1, "%H:%M", &tm);
		}
		if (!end || *end)
			return -EINVAL;
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	if (t < 0)
		return -EINVAL;
	*usec = (uint64_t)t * 1000000ULL;
	return 0;
}

/* ---- cursors ---- */

/* The fields of a cursor "s=SEQNUM_ID;i=SEQNUM;b=BOOT;m=MONO;t=REALTIME;x=XOR". */
struct cur {
	char seqnum_id[33];
	uint64_t seqnum, realtime;
	bool has_seqnum, has_realtime;
};

static void cursor_parse(const char *c, struct cur *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *p = c; p && *p;) {
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);

		if (n > 2 && p[1] == '=') {
			if (p[0] == 's' && n - 2 < sizeof(out->seqnum_id)) {
				memcpy(out->seqnum_id, p + 2, n - 2);
				out->seqnum_id[n - 2] = '\0';
			} else if (p[0] == 'i') {
				out->seqnum = strtoull(p + 2, NULL, 16);
				out->has_seqnum = true;
			} else if (p[0] == 't') {
				out->realtime = strtoull(p + 2, NULL, 16);
				out->has_realtime = true;
			}
		}
		p = semi ? semi + 1 : NULL;
	}
}

/* Was the current entry read before the entry of cursor OLD? Same sequence: by sequence
 * number; else by time. */
static bool not_after(sd_journal *j, const struct cur *old)
{
	_cleanup_free_ char *c = NULL;
	struct cur now;

	if (J->get_cursor(j, &c) < 0)
		return false;
	cursor_parse(c, &now);
	if (*old->seqnum_id && strcmp(now.seqnum_id, old->seqnum_id) == 0 && old->has_seqnum &&
	    now.has_seqnum)
		return now.seqnum <= old->seqnum;
	return old->has_realtime && now.has_realtime && now.realtime <= old->realtime;
}

/* ---- matches ---- */

static int add_match_str(sd_journal *j, const char *field, const char *value)
{
	_cleanup_free_ char *m = hd_asprintf("%s=%s", field, value);
	return J->add_match(j, m, strlen(m));
}

static int boot_of_last_entry(sd_journal *j, char *out, size_t size)
{
	const void *d;
	size_t l;
	int r = J->seek_tail(j);

	if (r >= 0)
		r = J->previous(j);
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	r = J->get_data(j, "_BOOT_ID", &d, &l);
	if (r < 0)
		return r;
	if (l < 9 || l - 9 >= size)
		return -EINVAL;
	memcpy(out, (const char *)d + 9, l - 9);
	out[l - 9] = '\0';
	return 0;
}

/* The query's matches: (units) AND (identifiers) AND (priorities) AND (boot). */
static int add_matches(sd_journal *j, const struct hd_ctx *ctx, const struct hd_journal_query *q)
{
	int r = 0;
	char boot[64];

	if (q->boot_current) {
		if (*ctx->root) {
			r = boot_of_last_entry(j, boot, sizeof(boot));
			if (r == -ENOENT)
				return 0; /* an empty journal: nothing to narrow */
		} else {
			sd_id128_t id;
			r = J->get_boot(&id);
			if (r >= 0)
				for (int i = 0; i < 16; i++)
					snprintf(boot + 2 * i, 3, "%02x", id.bytes[i]);
		}
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < q->nunits && r >= 0; i++) {
		const char *u = q->units[i];
		_cleanup_free_ char *full =
		    strchr(u, '.') ? hd_xstrdup(u) : hd_asprintf("%s.service", u);
		/* what the unit logged, and what systemd logged about it */
		r = add_match_str(j, "_SYSTEMD_UNIT", full);
		if (r >= 0)
			r = J->add_disjunction(j);
		if (r >= 0)
			r = add_match_str(j, "_PID", "1");
		if (r >= 0)
			r = add_match_str(j, "UNIT", full);
		if (r >= 0)
			r = J->add_disjunction(j);
	}
	if (r >= 0 && q->nunits)
		r = J->add_conjunction(j);
	for (size_t i = 0; i < q->nidentifiers && r >= 0; i++)
		r = add_match_str(j, "SYSLOG_IDENTIFIER", q->identifiers[i]);
	if (r >= 0 && q->nidentifiers)
		r = J->add_conjunction(j);
	for (int k = 0; k < 8 && r >= 0; k++)
		if (q->priorities & (1u << k)) {
			char v[2] = {(char)('0' + k), 0};
			r = add_match_str(j, "PRIORITY", v);
		}
	if (r >= 0 && q->priorities)
		r = J->add_conjunction(j);
	if (r >= 0 && q->boot_current)
		r = add_match_str(j, "_BOOT_ID", boot);
	return r;
}

/* ---- reading ---- */

struct batch {
	char *buf;
	size_t len, cap;
	uint32_t *start;
	uint64_t *usec;
	size_t n, ncap;
};

static int flush(struct batch *b, const struct hd_log_sink_ops *ops, void *sink)
{
	struct hd_log_meta meta = {b->n, b->start, b->usec};
	int r = b->len ? ops->lines(sink, b->buf, b->len, &meta) : 0;

	b->len = 0;
	b->n = 0;
	return r;
}

static void add_line(struct batch *b, const char *msg, size_t l, uint64_t usec)
{
	if (b->len + l + 1 > b->cap) {
		b->cap = b->len + l + 1 > 2 * b->cap ? b->len + l + 1 : 2 * b->cap;
		b->buf = hd_xrealloc(b->buf, b->cap);
	}
	if (b->n == b->ncap) {
		b->ncap = b->ncap ? 2 * b->ncap : 4096;
		b->start = hd_xrealloc(b->start, b->ncap * sizeof(*b->start));
		b->usec = hd_xrealloc(b->usec, b->ncap * sizeof(*b->usec));
	}
	b->start[b->n] = (uint32_t)b->len;
	b->usec[b->n++] = usec;
	memcpy(b->buf + b->len, msg, l);
	/* one entry, one line */
	for (char *p = b->buf + b->len; (p = memchr(p, '\n', (size_t)(b->buf + b->len + l - p)));)
		*p++ = ' ';
	b->len += l;
	b->buf[b->len++] = '\n';
}

/* Open the journal of this host (or the one under the root) with Q's matches. */
static int j_open(const struct hd_ctx *ctx, const struct hd_journal_query *q, sd_journal **out,
		  char *err, size_t errlen)
{
	sd_journal *j = NULL;
	int r;

	*out = NULL;
	if (load_systemd(err, errlen) < 0)
		return -ENOENT;
	{
		/* sd-journal skips the files it may not read: the journal would look empty */
		char f[4096];
		if (hd_journal_unreadable(ctx, f, sizeof(f))) {
			snprintf(err, errlen, "cannot read the journal: %s: %s", f,
				 strerror(EACCES));
			return -EACCES;
		}
	}
	if (*ctx->root)
		/* the journal files of the tree under the root: its /var/log/journal and
		 * /run/log/journal */
		r = J->open_directory(&j, ctx->root, SD_JOURNAL_OS_ROOT);
	else
		r = J->open(&j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		snprintf(err, errlen, "cannot open the journal%s%s: %s",
			 *ctx->root ? " under " : "", ctx->root, strerror(-r));
		return r;
	}
	J->set_data_threshold(j, MAX_MESSAGE);
	r = add_matches(j, ctx, q);
	if (r < 0) {
		J->close(j);
		snprintf(err, errlen, "cannot set the journal matches: %s", strerror(-r));
		return r;
	}
	*out = j;
	return 0;
}

/* Position J as Q says: on the last entry already read, or before the first one to read
 * (*ON_ENTRY: the current entry is the first one to read). 1 when Q asks only for the
 * position (the first run: the tail, nothing read), else 0, or a negative errno. */
static int j_position(sd_journal *j, const struct hd_journal_query *q, struct hd_journal_pos *pos,
		      bool *on_entry, char *err, size_t errlen)
{
	struct cur old = {0};
	int r;

	*on_entry = false;
	if (q->cursor) {
		cursor_parse(q->cursor, &old);
		free(pos->cursor);
		pos->cursor = hd_xstrdup(q->cursor);
		r = J->seek_cursor(j, q->cursor);
		if (r >= 0)
			r = J->next(j);
		if (r >= 0 && (r == 0 || J->test_cursor(j, q->cursor) <= 0)) {
			/* gone (vacuumed): the oldest entry after it is the first news */
			pos->cursor_lost = true;
			while (r > 0 && not_after(j, &old))
				r = J->next(j);
			*on_entry = r > 0;
		}
	} else if (q->since_usec) {
		r = J->seek_realtime_usec(j, q->since_usec);
	} else if (q->from_start) {
		r = J->seek_head(j);
	} else {
		/* the first run: the position is the last entry; nothing is read */
		r = J->seek_tail(j);
		if (r >= 0 && (r = J->previous(j)) > 0)
			r = J->get_cursor(j, &pos->cursor);
		if (r < 0) {
			snprintf(err, errlen, "cannot read the journal: %s", strerror(-r));
			return r;
		}
		return 1;
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot seek in the journal: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* Read from J's position to the end in batches to SINK; the position moves to the last entry
 * of each batch counted. */
static int j_loop(const struct hd_ctx *ctx, sd_journal *j, bool on_entry,
		  const struct hd_log_sink_ops *ops, void *sink, struct hd_journal_pos *pos,
		  char *err, size_t errlen)
{
	struct batch b = {0};
	bool unsaved = false;
	int r;

	for (;;) {
		const void *d;
		size_t l;
		uint64_t usec = 0;

		if (!on_entry) {
			r = J->next(j);
			if (r <= 0)
				break;
		}
		on_entry = false;
		pos->entries++;
		unsaved = true;
		J->get_realtime_usec(j, &usec);
		if (J->get_data(j, "MESSAGE", &d, &l) >= 0 && l >= 8) {
			add_line(&b, (const char *)d + 8, l - 8, usec);
			pos->bytes += l - 8 + 1;
		} else {
			/* an entry without a message is still an entry: an empty line */
			add_line(&b, "", 0, usec);
			pos->bytes++;
		}
		if (b.len >= BATCH) {
			/* the batch is counted, then the position moves to its last entry */
			r = flush(&b, ops, sink);
			if (r < 0)
				break;
			free(pos->cursor);
			pos->cursor = NULL;
			r = J->get_cursor(j, &pos->cursor);
			if (r < 0)
				break;
			unsaved = false;
		}
		if ((pos->entries & 1023) == 0 && hd_ctx_remaining(ctx) < DEADLINE_GAP) {
			pos->out_of_time = true;
			r = 0;
			break;
		}
	}
	if (r >= 0 && unsaved) {
		/* sd_journal_next() at the end leaves the last entry current */
		r = flush(&b, ops, sink);
		if (r >= 0) {
			free(pos->cursor);
			pos->cursor = NULL;
			r = J->get_cursor(j, &pos->cursor);
		}
	}
	free(b.buf);
	free(b.start);
	free(b.usec);
	if (r < 0) {
		snprintf(err, errlen, "cannot read the journal: %s", strerror(-r));
		return r;
	}
	return 0;
}

int hd_journal_read(const struct hd_ctx *ctx, const struct hd_journal_query *q,
		    const struct hd_log_sink_ops *ops, void *sink, struct hd_journal_pos *pos,
		    char *err, size_t errlen)
{
	__attribute__((cleanup(journal_closep))) sd_journal *j = NULL;
	bool on_entry = false;
	int r;

	memset(pos, 0, sizeof(*pos));
	r = j_open(ctx, q, &j, err, errlen);
	if (r < 0)
		return r;
	r = j_position(j, q, pos, &on_entry, err, errlen);
	if (r != 0)
		return r < 0 ? r : 0;
	return j_loop(ctx, j, on_entry, ops, sink, pos, err, errlen);
}

/* ---- following ---- */

struct hd_journal_follow {
	struct hd_ctx ctx;
	char *root;
	struct hd_journal_query q; /* its lists and cursor owned here */
	sd_journal *j;
	bool on_entry;	  /* the current entry is the first to read */
	bool cursor_lost; /* found at the last reopen, told at the next read */
};

static char **strv_dup(char **v, size_t n)
{
	char **c = hd_xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		c[i] = hd_xstrdup(v[i]);
	return c;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void hd_journal_follow_close(struct hd_journal_follow *f)
{
	if (!f)
		return;
	if (f->j)
		J->close(f->j);
	strv_free_n(f->q.units, f->q.nunits);
	strv_free_n(f->q.identifiers, f->q.nidentifiers);
	free((char *)f->q.cursor);
	free(f->root);
	free(f);
}

/* (Re)open the journal and position it after the cursor, or at the tail with none. */
static int follow_open(struct hd_journal_follow *f, char *err, size_t errlen)
{
	struct hd_journal_pos pos = {0};
	int r;

	if (f->j) {
		J->close(f->j);
		f->j = NULL;
	}
	r = j_open(&f->ctx, &f->q, &f->j, err, errlen);
	if (r < 0)
		return r;
	/* early, so that no change after the position is missed */
	r = J->get_fd(f->j);
	if (r < 0) {
		snprintf(err, errlen, "cannot watch the journal: %s", strerror(-r));
		return r;
	}
	r = j_position(f->j, &f->q, &pos, &f->on_entry, err, errlen);
	if (r >= 0) {
		f->cursor_lost |= pos.cursor_lost;
		if (pos.cursor && (!f->q.cursor || strcmp(pos.cursor, f->q.cursor) != 0)) {
			free((char *)f->q.cursor);
			f->q.cursor = HD_TAKE(pos.cursor);
		}
		/* from here on, after the cursor (or from the head of an empty journal) */
		f->q.from_start = !f->q.cursor;
	}
	free(pos.cursor);
	return r < 0 ? r : 0;
}

int hd_journal_follow_open(const struct hd_ctx *ctx, const struct hd_journal_query *q,
			   struct hd_journal_follow **out, char *err, size_t errlen)
{
	struct hd_journal_follow *f = hd_xcalloc(1, sizeof(*f));
	int r;

	*out = NULL;
	f->root = hd_xstrdup(ctx->root);
	f->ctx = *ctx;
	f->ctx.root = f->root;
	f->ctx.deadline = hd_now() + 1e9; /* a batch is read whole */
	f->q = *q;
	f->q.units = strv_dup(q->units, q->nunits);
	f->q.identifiers = strv_dup(q->identifiers, q->nidentifiers);
	f->q.cursor = q->cursor ? hd_xstrdup(q->cursor) : NULL;
	f->q.since_usec = 0;
	r = follow_open(f, err, errlen);
	if (r < 0) {
		hd_journal_follow_close(f);
		return r;
	}
	*out = f;
	return 0;
}

int hd_journal_follow_fd(struct hd_journal_follow *f, short *events, int *timeout_ms)
{
	uint64_t t = UINT64_MAX;
	int fd, ev;

	*events = POLLIN;
	*timeout_ms = -1;
	if (!f->j)
		return -1; /* its reopening failed: hd_journal_follow_process() tries again */
	fd = J->get_fd(f->j);
	ev = J->get_events(f->j);

	*events = (short)(ev > 0 ? ev : POLLIN);
	*timeout_ms = -1;
	if (J->get_timeout(f->j, &t) >= 0 && t != UINT64_MAX) {
		struct timespec ts;
		uint64_t now;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
		*timeout_ms = t <= now ? 0 : (int)((t - now + 999) / 1000);
	}
	return fd;
}

int hd_journal_follow_process(struct hd_journal_follow *f, char *err, size_t errlen)
{
	int r;

	if (!f->j) {
		r = follow_open(f, err, errlen);
		return r < 0 ? r : 1;
	}
	r = J->process(f->j);

	if (r == SD_JOURNAL_INVALIDATE) {
		/* files were added or removed (a rotation, a vacuum): an sd-journal of systemd 252
		 * positioned in a renamed file does not see the file that takes its name, so the
		 * journal is opened again and positioned after the cursor */
		r = follow_open(f, err, errlen);
		return r < 0 ? r : 1;
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot watch the journal: %s", strerror(-r));
		return r;
	}
	return r == SD_JOURNAL_APPEND;
}

int hd_journal_follow_read(struct hd_journal_follow *f, const struct hd_log_sink_ops *ops,
			   void *sink, struct hd_journal_pos *pos, char *err, size_t errlen)
{
	int r;

	memset(pos, 0, sizeof(*pos));
	pos->cursor = f->q.cursor ? hd_xstrdup(f->q.cursor) : NULL;
	if (!f->j)
		return 0; /* not open: nothing read */
	pos->cursor_lost = f->cursor_lost;
	f->cursor_lost = false;
	r = j_loop(&f->ctx, f->j, f->on_entry, ops, sink, pos, err, errlen);
	f->on_entry = false;
	if (pos->cursor && (!f->q.cursor || strcmp(pos->cursor, f->q.cursor) != 0)) {
		free((char *)f->q.cursor);
		f->q.cursor = hd_xstrdup(pos->cursor);
		f->q.from_start = false;
	}
	return r;
}

const char *hd_journal_follow_cursor(const struct hd_journal_follow *f)
{
	return f->q.cursor;
}
