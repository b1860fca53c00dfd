/* watch's sources: the files and journals of the log-scan checks that apply here, each check
 * with its own state (reader "watch", locked while the watch runs), inotify on the files and
 * their directories, and the reads through the shared matcher. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "watch_impl.h"

/* ---- the sink: every batch of lines through the matcher ---- */

static int sink_lines(void *p, const char *buf, size_t len, const struct hd_log_meta *meta)
{
	struct watch *w = p;
	int rc;

	w->cur_meta = meta;
	w->cur_buf = buf;
	rc = hd_log_scan(w->sc, buf, len, &w->counts, w_on_hit, w);
	w->lines_total = w->counts.lines;
	w->prom_pending = true;
	return rc;
}

static void sink_nop(void *p)
{
	(void)p;
}

static void sink_merge(void *into, void *from)
{
	(void)into;
	(void)from;
}

static const struct hd_log_sink_ops sink_ops = {sink_lines, sink_merge, sink_nop};

/* ---- loading ---- */

static bool applies(const struct hd_check *c, const struct hd_ctx *ctx)
{
	const char *p = c->only_if_exists ? c->only_if_exists : c->unless_exists;
	char path[4096];
	struct stat st;
	bool exists;

	if (!p)
		return true;
	exists = hd_path(ctx, p, path, sizeof(path)) == 0 && stat(path, &st) == 0;
	return exists == (c->only_if_exists != NULL);
}

static bool same_list(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool whole_journal(const struct hd_log_plan *p)
{
	return !p->nunits && !p->nidentifiers && !p->prio_mask && !p->boot_current;
}

static bool same_query(const struct hd_log_plan *a, const struct hd_log_plan *b)
{
	return same_list(a->units, a->nunits, b->units, b->nunits) &&
	       same_list(a->identifiers, a->nidentifiers, b->identifiers, b->nidentifiers) &&
	       a->prio_mask == b->prio_mask && a->boot_current == b->boot_current;
}

/* Each file and journal read once: a later check's copy goes, its products with it. */
static void dedupe(struct w_src *v, size_t n, size_t nentries)
{
	ssize_t whole = -1;

	for (size_t i = 0; i < n; i++)
		if (v[i].journal && whole_journal(&v[i].plan)) {
			whole = (ssize_t)i;
			break;
		}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < i; k++) {
			for (size_t f = 0; f < v[i].nfiles; f++)
				for (size_t g = 0; g < v[k].nfiles; g++)
					if (v[i].files[f].path &&
					    strcmp(v[i].files[f].path, v[k].files[g].path) == 0) {
						for (size_t e = 0; e < nentries; e++)
							v[k].allow[e] |= v[i].allow[e];
						free(v[i].files[f].path);
						v[i].files[f].path = NULL;
						break;
					}
			if (v[i].journal && v[k].journal && same_query(&v[i].plan, &v[k].plan)) {
				for (size_t e = 0; e < nentries; e++)
					v[k].allow[e] |= v[i].allow[e];
				v[i].journal = false;
			}
		}
		if (whole >= 0 && (ssize_t)i != whole && v[i].journal) {
			for (size_t e = 0; e < nentries; e++)
				v[whole].allow[e] |= v[i].allow[e];
			v[i].journal = false;
		}
		/* pack the files left */
		{
			size_t k = 0;
			for (size_t f = 0; f < v[i].nfiles; f++)
				if (v[i].files[f].path)
					v[i].files[k++] = v[i].files[f];
			v[i].nfiles = k;
		}
	}
}

void w_src_free(struct w_src *s)
{
	for (size_t f = 0; f < s->nfiles; f++) {
		free(s->files[f].path);
		free(s->files[f].resolved);
		free(s->files[f].pos.path);
	}
	free(s->files);
	free(s->allow);
	hd_log_plan_free(&s->plan);
	memset(s, 0, sizeof(*s));
}

void w_srcs_free(struct w_src *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		w_src_free(&v[i]);
	free(v);
}

int w_load(struct watch *w, struct hd_config *cfg, struct w_src **srcs, size_t *nsrcs,
	   struct hd_catalog **catp, struct hd_log_matcher **m, char *err, size_t errlen)
{
	/* on the heap: the matcher keeps a pointer to it, which must outlive this call */
	struct hd_catalog *cat = hd_xcalloc(1, sizeof(*cat));
	struct w_src *v = NULL;
	size_t n = 0;
	const char *catdir = NULL, *catby = NULL;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	*catp = NULL;
	*m = NULL;
	*srcs = NULL;
	*nsrcs = 0;
	for (size_t i = 0; i < w->ndirs; i++)
		if ((rc = hd_config_load_dir(cfg, w->dirs[i], w->table, err, errlen)) < 0)
			goto fail;
	for (size_t i = 0; i < cfg->n; i++) {
		struct hd_check *c = &cfg->checks[i];
		struct w_src s = {.check = c};
		char why[512];

		if (strcmp(c->probe->name, "log-scan") != 0 || !c->enabled || !applies(c, &w->ctx))
			continue;
		if (hd_log_plan_make(c, &w->ctx, &s.plan, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s", why);
			hd_log_plan_free(&s.plan);
			rc = -EINVAL;
			goto fail;
		}
		if (*s.plan.skip || strcmp(s.plan.catalog, "none") == 0) {
			if (w->verbose && *s.plan.skip)
				w_log("%s: not followed: %s", c->id, s.plan.skip);
			hd_log_plan_free(&s.plan);
			continue;
		}
		if (catdir && strcmp(catdir, s.plan.catalog) != 0) {
			snprintf(err, errlen,
				 "%s:%d: [%s] reads the catalogue %s, but [%s] reads %s: watch "
				 "reads one catalogue for all its checks",
				 c->file, c->line, c->id, s.plan.catalog, catby, catdir);
			hd_log_plan_free(&s.plan);
			rc = -EINVAL;
			goto fail;
		}
		catdir = s.plan.catalog;
		catby = c->id;
		s.journal = s.plan.journal;
		s.files = hd_xcalloc(s.plan.nfiles + 1, sizeof(*s.files));
		for (size_t f = 0; f < s.plan.nfiles; f++) {
			char res[4096];
			if (hd_path(&w->ctx, s.plan.files[f], res, sizeof(res)) < 0)
				continue;
			s.files[s.nfiles++] = (struct w_file){.path = hd_xstrdup(s.plan.files[f]),
							      .resolved = hd_xstrdup(res),
							      .existed = true};
		}
		v = hd_xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = s;
	}
	if (n == 0) {
		snprintf(err, errlen,
			 "nothing to watch: no enabled log-scan check with a catalogue applies on "
			 "this host%s (checks.d: %s%s)",
			 *w->ctx.root ? " under the root" : "", w->dirs[0],
			 w->ndirs > 1 ? " and the other dirs" : "");
		rc = -ENOENT;
		goto fail;
	}
	if ((rc = hd_catalog_load_dir(cat, catdir, err, errlen)) < 0)
		goto fail;
	rc = hd_log_matcher_new(cat, &(struct hd_log_matcher_opts){.cache_dirfd = w->sdfd}, m, err,
				errlen);
	if (rc < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		v[i].allow = hd_xcalloc(cat->n + 1, 1);
		for (size_t e = 0; e < cat->n; e++) {
			bool want = v[i].plan.nproducts == 0;
			for (size_t k = 0; k < v[i].plan.nproducts; k++)
				want |= strcmp(cat->entries[e].product, v[i].plan.products[k]) == 0;
			v[i].allow[e] = want;
		}
	}
	dedupe(v, n, cat->n);
	*srcs = v;
	*nsrcs = n;
	*catp = cat;
	return 0;
fail:
	w_srcs_free(v, n);
	hd_log_matcher_free(*m);
	*m = NULL;
	hd_catalog_free(cat);
	free(cat);
	hd_config_free(cfg);
	return rc < 0 ? rc : -EINVAL;
}

/* ---- opening: the state, the positions, the journal ---- */

static struct w_src *find_old(struct w_src *old, size_t nold, const struct w_src *s)
{
	for (size_t i = 0; i < nold; i++)
		if (old[i].locked && strcmp(old[i].check->id, s->check->id) == 0 &&
		    strcmp(old[i].plan.state_dir, s->plan.state_dir) == 0)
			return &old[i];
	return NULL;
}

static void set_pos(struct w_file *f, const struct hd_log_pos *p)
{
	free(f->pos.path);
	f->pos = *p;
	f->pos.path = hd_xstrdup(p->path);
}

int w_src_open(struct watch *w, struct w_src *s, struct w_src *old, size_t nold)
{
	struct w_src *o = find_old(old, nold, s);
	struct hd_log_state st = {0};
	const char *cursor = NULL;
	bool have_state = false, journal_empty = false;
	char why[512], err[1024];
	int rc;

	if (o) {
		/* a reload: the lock and the positions carry over */
		s->st = o->st;
		o->locked = false;
		s->locked = true;
		for (size_t f = 0; f < s->nfiles; f++)
			for (size_t g = 0; g < o->nfiles; g++)
				if (strcmp(s->files[f].path, o->files[g].path) == 0 &&
				    o->files[g].pos.path) {
					set_pos(&s->files[f], &o->files[g].pos);
					s->files[f].existed = o->files[g].existed;
				}
		if (o->jf) {
			cursor = hd_journal_follow_cursor(o->jf);
			journal_empty = !cursor;
			have_state = true;
		}
	} else {
		struct hd_ctx c = w->ctx;
		int badline = 0;

		c.deadline = hd_now() + 1.5; /* another watch holding the lock does not let go */
		rc = hd_state_open(&c, s->plan.state_dir, "log-scan", s->check->id, "watch", &s->st,
				   why, sizeof(why));
		if (rc < 0) {
			if (rc == -EWOULDBLOCK)
				w_log("%s: %s: is another hostdoctor watch running?", s->check->id,
				      why);
			else
				w_log("%s: state directory %s %s: %s", s->check->id, s->st.dir, why,
				      strerror(-rc));
			hd_state_close(&s->st);
			return rc;
		}
		s->locked = true;
		rc = hd_state_load(&s->st, &st, &badline);
		if (rc == -EINVAL)
			w_log("%s: the watch's state file is corrupt (line %d): positions taken "
			      "from the end of the logs",
			      s->check->id, badline);
		have_state = rc == 0;
		for (size_t f = 0; have_state && f < s->nfiles; f++)
			for (size_t g = 0; g < st.nfiles; g++)
				if (strcmp(s->files[f].path, st.files[g].path) == 0)
					set_pos(&s->files[f], &st.files[g]);
		if (have_state && st.journal) {
			cursor = st.cursor;
			journal_empty = !st.cursor;
		}
	}
	for (size_t f = 0; f < s->nfiles; f++) {
		s->files[f].dirty = true;
		s->files[f].catchup = !o;
	}
	if (s->journal) {
		struct hd_journal_query q = hd_log_plan_query(&s->plan, cursor);
		q.from_start = journal_empty;
		rc = hd_journal_follow_open(&w->ctx, &q, &s->jf, err, sizeof(err));
		if (rc < 0) {
			w_log("%s: %s", s->check->id, err);
			hd_log_state_free(&st);
			return rc;
		}
		s->jdirty = true;
		s->jcatchup = !o;
	}
	s->changed = true;
	hd_log_state_free(&st);
	return 0;
}

/* Save and let go of S (its lock unless a reload took it over). */
void w_src_close(struct watch *w, struct w_src *s)
{
	(void)w;
	if (s->jf) {
		hd_journal_follow_close(s->jf);
		s->jf = NULL;
	}
	if (s->locked)
		hd_state_close(&s->st);
	s->locked = false;
}

/* ---- inotify ---- */

static void add_dir_watch(struct watch *w, struct w_src *s, const char *resolved)
{
	_cleanup_free_ char *copy = hd_xstrdup(resolved);
	char *dir = dirname(copy);

	if (inotify_add_watch(w->ino, dir,
			      IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR) < 0)
		s->missing_dir = true;
}

static void add_file_watch(struct watch *w, size_t src, size_t file)
{
	/* the inode: the product may still write to it after it was renamed away */
	int wd = inotify_add_watch(w->ino, w->srcs[src].files[file].resolved,
				   IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF);

	if (wd < 0)
		return;
	for (size_t i = 0; i < w->nwds; i++)
		if (w->wds[i].wd == wd && w->wds[i].src == src && w->wds[i].file == file)
			return;
	w->wds = hd_xrealloc(w->wds, (w->nwds + 1) * sizeof(*w->wds));
	w->wds[w->nwds++] = (struct w_wd){wd, src, file};
}

/* Every watch again: at start-up, after a reload, after a missing directory appeared. */
static void rewatch(struct watch *w)
{
	if (w->ino >= 0)
		close(w->ino);
	w->nwds = 0;
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ino < 0) {
		w_log("cannot watch the log files: inotify_init1: %s", strerror(errno));
		return;
	}
	for (size_t i = 0; i < w->nsrcs; i++) {
		struct w_src *s = &w->srcs[i];
		s->missing_dir = false;
		for (size_t p = 0; p < s->plan.npatterns; p++) {
			char res[4096];
			if (hd_path(&w->ctx, s->plan.patterns[p], res, sizeof(res)) == 0)
				add_dir_watch(w, s, res);
		}
		for (size_t f = 0; f < s->nfiles; f++) {
			add_dir_watch(w, s, s->files[f].resolved);
			add_file_watch(w, i, f);
			s->files[f].dirty = true;
		}
		if (s->missing_dir)
			w->next_retry = hd_now() + W_RETRY_GAP;
	}
}

static void expand(struct watch *w, size_t si);

void w_retry_missing(struct watch *w)
{
	bool any = false;

	w->next_retry = 0;
	for (size_t i = 0; i < w->nsrcs; i++) {
		struct w_src *s = &w->srcs[i];
		short ev;
		int ms;
		char err[1024];
		any |= s->missing_dir;
		if (s->jf && hd_journal_follow_fd(s->jf, &ev, &ms) < 0) {
			if (hd_journal_follow_process(s->jf, err, sizeof(err)) < 0)
				w_log("%s: %s", s->check->id, err);
			else
				s->jdirty = true;
		}
	}
	if (!any)
		return;
	rewatch(w);
	for (size_t i = 0; i < w->nsrcs; i++)
		expand(w, i);
	w->read_pending = true;
}

/* Files a glob matches now and did not before: followed from their start. */
static void expand(struct watch *w, size_t si)
{
	struct w_src *s = &w->srcs[si];
	bool glob_chars = false;

	for (size_t p = 0; p < s->plan.npatterns; p++)
		glob_chars |= strpbrk(s->plan.patterns[p], "*?[{") != NULL;
	if (!glob_chars || !hd_log_plan_expand(&s->plan, &w->ctx))
		return;
	for (size_t k = 0; k < s->plan.nfiles; k++) {
		bool known = false;
		char res[4096];
		for (size_t f = 0; f < s->nfiles && !known; f++)
			known = strcmp(s->files[f].path, s->plan.files[k]) == 0;
		for (size_t i = 0; i < w->nsrcs && !known; i++)
			for (size_t f = 0; f < w->srcs[i].nfiles && !known; f++)
				known = strcmp(w->srcs[i].files[f].path, s->plan.files[k]) == 0;
		if (known || hd_path(&w->ctx, s->plan.files[k], res, sizeof(res)) < 0)
			continue;
		s->files = hd_xrealloc(s->files, (s->nfiles + 1) * sizeof(*s->files));
		s->files[s->nfiles++] = (struct w_file){.path = hd_xstrdup(s->plan.files[k]),
							.resolved = hd_xstrdup(res),
							.dirty = true};
		add_dir_watch(w, s, res);
		add_file_watch(w, si, s->nfiles - 1);
		if (w->verbose)
			w_log("%s: now following %s", s->check->id, s->plan.files[k]);
	}
}

/* Mark the files an event concerns dirty; a file created again under its name is watched. */
void w_inotify(struct watch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool all = false, dir_event = false;
	ssize_t n;

	while ((n = read(w->ino, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				all = true;
				continue;
			}
			if (ev->len == 0) {
				/* an inode of a file followed: its live name is read (and, when it
				 * was rotated, the rest of this one found under its new name) */
				for (size_t i = 0; i < w->nwds; i++) {
					if (w->wds[i].wd != ev->wd)
						continue;
					if (ev->mask & IN_IGNORED)
						w->wds[i--] = w->wds[--w->nwds];
					else
						w->srcs[w->wds[i].src].files[w->wds[i].file].dirty =
						    true;
				}
				continue;
			}
			dir_event = true;
			for (size_t i = 0; i < w->nsrcs; i++)
				for (size_t f = 0; f < w->srcs[i].nfiles; f++) {
					struct w_file *wf = &w->srcs[i].files[f];
					const char *base = strrchr(wf->resolved, '/');
					if (!base || strcmp(base + 1, ev->name) != 0)
						continue;
					wf->dirty = true;
					if (ev->mask & (IN_CREATE | IN_MOVED_TO))
						add_file_watch(w, i, f);
				}
		}
	}
	if (dir_event)
		for (size_t i = 0; i < w->nsrcs; i++)
			expand(w, i);
	if (all)
		for (size_t i = 0; i < w->nsrcs; i++)
			for (size_t f = 0; f < w->srcs[i].nfiles; f++)
				w->srcs[i].files[f].dirty = true;
	w->read_pending = true;
}

/* ---- reading ---- */

static void read_file(struct watch *w, struct w_src *s, struct w_file *f)
{
	struct hd_log_reader rd = {.ctx = &w->ctx, .ops = &sink_ops, .sink = {w, NULL}};
	struct hd_result notes;
	struct hd_log_pos np = {0};
	struct stat st;
	int rc;

	hd_result_init(&notes);
	rd.r = &notes;
	w->cur = s;
	w->cur_file = f->path;
	w->cur_catchup = f->catchup;
	w->cur_stale_file =
	    f->catchup && stat(f->resolved, &st) == 0 && st.st_mtime < time(NULL) - W_CATCHUP_AGE;
	rc = hd_log_file_scan(&rd, f->path, f->resolved, f->pos.path ? &f->pos : NULL, !f->existed,
			      &np);
	f->catchup = false;
	if (rc == 0) {
		if (!f->pos.path || np.offset != f->pos.offset || np.ino != f->pos.ino ||
		    np.dev != f->pos.dev)
			s->changed = true;
		free(f->pos.path);
		f->pos = np;
		f->existed = true;
		f->last_err = 0;
	} else {
		free(np.path);
		/* missing (renamed, not yet created again): the position stays, so that the rest
		 * of the renamed file is found with the new one */
		if (rc != -ENOENT && rc != f->last_err)
			w_log("%s: cannot read %s: %s", s->check->id, f->path,
			      rc == -EINVAL ? "not a regular file" : strerror(-rc));
		f->last_err = rc;
	}
	if (notes.details)
		for (char *line = strtok(notes.details, "\n"); line; line = strtok(NULL, "\n"))
			w_log("%s: %s", s->check->id, line);
	hd_result_free(&notes);
	hd_log_reader_free(&rd);
}

static void read_journal(struct watch *w, struct w_src *s)
{
	struct hd_journal_pos pos = {0};
	const char *before = hd_journal_follow_cursor(s->jf);
	_cleanup_free_ char *was = before ? hd_xstrdup(before) : NULL;
	const char *now;
	char err[1024];

	w->cur = s;
	w->cur_file = NULL;
	w->cur_catchup = s->jcatchup;
	w->cur_stale_file = false;
	s->jdirty = false;
	s->jcatchup = false;
	if (hd_journal_follow_read(s->jf, &sink_ops, w, &pos, err, sizeof(err)) < 0)
		w_log("%s: %s", s->check->id, err);
	if (pos.cursor_lost)
		w_log("%s: the journal no longer holds the last entry read (vacuumed or rotated "
		      "away): went on from the oldest entry after it",
		      s->check->id);
	now = hd_journal_follow_cursor(s->jf);
	if ((now && !was) || (now && strcmp(now, was) != 0))
		s->changed = true;
	free(pos.cursor);
}

void w_read_all(struct watch *w)
{
	for (size_t i = 0; i < w->nsrcs; i++) {
		struct w_src *s = &w->srcs[i];
		for (size_t f = 0; f < s->nfiles; f++)
			if (s->files[f].dirty) {
				s->files[f].dirty = false;
				read_file(w, s, &s->files[f]);
			}
		if (s->jf && s->jdirty)
			read_journal(w, s);
		if (s->changed)
			w->save_pending = true;
	}
	w->cur = NULL;
	w->read_pending = false;
	w->next_read = hd_now() + W_READ_GAP;
}

/* ---- saving ---- */

void w_save(struct watch *w)
{
	for (size_t i = 0; i < w->nsrcs; i++) {
		struct w_src *s = &w->srcs[i];
		struct hd_log_state st = {0};
		size_t room = 4096;
		int rc;

		if (!s->changed || !s->locked)
			continue;
		st.files = hd_xcalloc(s->nfiles + 1, sizeof(*st.files));
		for (size_t f = 0; f < s->nfiles; f++)
			if (s->files[f].pos.path) {
				st.files[st.nfiles++] = s->files[f].pos;
				room += 100 + strlen(s->files[f].pos.path);
			}
		st.journal = s->jf != NULL;
		st.cursor = s->jf ? (char *)hd_journal_follow_cursor(s->jf) : NULL;
		rc = hd_state_reserve(&s->st, room);
		if (rc == 0)
			rc = hd_state_commit(&s->st, &st);
		if (rc < 0)
			w_log("%s: cannot save the positions in %s: %s", s->check->id, s->st.dir,
			      strerror(-rc));
		else
			s->changed = false;
		free(st.files); /* the positions are the files' own */
	}
	w_counters_save(w);
	w->save_pending = false;
}

size_t w_count_files(const struct watch *w)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nsrcs; i++)
		n += w->srcs[i].nfiles;
	return n;
}

void w_sources_watch(struct watch *w)
{
	rewatch(w);
	w->read_pending = true;
}
