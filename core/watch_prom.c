/* watch's counters per catalogue entry: kept across reloads and runs (STATE_DIR/watch.counters)
 * and written as a Prometheus textfile for node_exporter. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "render.h"
#include "result_json.h"
#include "statedir.h"
#include "watch_impl.h"

#define COUNTERS "watch.counters"

struct w_stat *w_stat(struct watch *w, const char *id, const char *product)
{
	for (size_t i = 0; i < w->nstats; i++)
		if (strcmp(w->stats[i].id, id) == 0) {
			if (product && !w->stats[i].product)
				w->stats[i].product = hd_xstrdup(product);
			return &w->stats[i];
		}
	w->stats = hd_xrealloc(w->stats, (w->nstats + 1) * sizeof(*w->stats));
	w->stats[w->nstats] = (struct w_stat){.id = hd_xstrdup(id),
					      .product = product ? hd_xstrdup(product) : NULL,
					      .last_status = -1};
	return &w->stats[w->nstats++];
}

void w_map_stats(struct watch *w)
{
	free(w->stat_of);
	w->stat_of = hd_xcalloc(w->cat->n + 1, sizeof(*w->stat_of));
	for (size_t e = 0; e < w->cat->n; e++) {
		struct w_stat *st = w_stat(w, w->cat->entries[e].id, w->cat->entries[e].product);
		w->stat_of[e] = (size_t)(st - w->stats);
	}
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

void w_counters_load(struct watch *w)
{
	_cleanup_free_ char *text = NULL;
	struct json_object *o, *entries, *v;

	if (hd_state_read(w->sdfd, COUNTERS, &text, NULL, 16u << 20) < 0)
		return;
	o = json_tokener_parse(text);
	if (!o)
		return;
	w->lines_base = get_u64(o, "lines");
	if (json_object_object_get_ex(o, "entries", &entries) &&
	    json_object_is_type(entries, json_type_object)) {
		json_object_object_foreach(entries, id, e)
		{
			struct w_stat *st = w_stat(w, id, NULL);
			st->lines = get_u64(e, "lines");
			st->runs = get_u64(e, "runs");
			st->held = get_u64(e, "held");
			if (json_object_object_get_ex(e, "last_status", &v))
				st->last_status = json_object_get_int(v);
			if (json_object_object_get_ex(e, "last_time", &v))
				st->last_time = json_object_get_double(v);
		}
	}
	json_object_put(o);
}

void w_counters_save(struct watch *w)
{
	struct json_object *o = json_object_new_object(), *entries = json_object_new_object();
	const char *text;
	int rc;

	json_object_object_add(o, "lines",
			       json_object_new_int64((int64_t)(w->lines_base + w->lines_total)));
	for (size_t i = 0; i < w->nstats; i++) {
		const struct w_stat *st = &w->stats[i];
		struct json_object *e;
		if (!st->lines && !st->runs)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "lines", json_object_new_int64((int64_t)st->lines));
		json_object_object_add(e, "runs", json_object_new_int64((int64_t)st->runs));
		json_object_object_add(e, "held", json_object_new_int64((int64_t)st->held));
		json_object_object_add(e, "last_status", json_object_new_int(st->last_status));
		json_object_object_add(e, "last_time", hd_json_double(st->last_time));
		json_object_object_add(entries, st->id, e);
	}
	json_object_object_add(o, "entries", entries);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	rc = hd_state_write(w->sdfd, COUNTERS, text, strlen(text));
	if (rc < 0)
		w_log("cannot save the counters in %s/%s: %s", w->state_dir, COUNTERS,
		      strerror(-rc));
	json_object_put(o);
}

static void label(struct hd_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			hd_buf_add(b, "\\", 1);
		if (*s == '\n')
			hd_buf_add(b, "\\n", 2);
		else
			hd_buf_add(b, s, 1);
	}
}

static void series(struct hd_buf *b, const char *name, const struct w_stat *st, double v)
{
	char num[64];

	hd_fmt_plain(num, sizeof(num), v);
	hd_buf_printf(b, "%s{entry=\"", name);
	label(b, st->id);
	hd_buf_add(b, "\",product=\"", 11);
	label(b, st->product ? st->product : "");
	hd_buf_printf(b, "\"} %s\n", num);
}

static void head(struct hd_buf *b, const char *name, const char *type, const char *help)
{
	hd_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void w_prom_write(struct watch *w)
{
	struct hd_buf b = {0};
	_cleanup_free_ char *text = NULL, *tmp = NULL;
	size_t len, nsrc_files = w_count_files(w), njournals = 0;
	int fd;
	bool ok;

	w->prom_pending = false;
	w->next_prom = hd_now() + W_PROM_GAP;
	if (!w->textfile)
		return;
	for (size_t i = 0; i < w->nsrcs; i++)
		njournals += w->srcs[i].jf != NULL;
	head(&b, "hostdoctor_watch_events_total", "counter",
	     "Log lines that hostdoctor watch read matching the catalogue entry.");
	for (size_t i = 0; i < w->nstats; i++)
		if (w->stats[i].lines)
			series(&b, "hostdoctor_watch_events_total", &w->stats[i],
			       (double)w->stats[i].lines);
	head(&b, "hostdoctor_watch_checks_runs_total", "counter",
	     "Times the checks of the entry's cause ran (one evidence report each; once per "
	     "hold-off).");
	for (size_t i = 0; i < w->nstats; i++)
		if (w->stats[i].runs)
			series(&b, "hostdoctor_watch_checks_runs_total", &w->stats[i],
			       (double)w->stats[i].runs);
	head(&b, "hostdoctor_watch_last_evidence_status", "gauge",
	     "Worst state of the checks in the entry's last evidence report: 0 OK, 1 WARNING, 2 "
	     "CRITICAL, 3 UNKNOWN.");
	for (size_t i = 0; i < w->nstats; i++)
		if (w->stats[i].last_status >= 0)
			series(&b, "hostdoctor_watch_last_evidence_status", &w->stats[i],
			       w->stats[i].last_status);
	head(&b, "hostdoctor_watch_last_evidence_timestamp_seconds", "gauge",
	     "When the entry's last evidence report was taken (Unix time).");
	for (size_t i = 0; i < w->nstats; i++)
		if (w->stats[i].last_status >= 0)
			series(&b, "hostdoctor_watch_last_evidence_timestamp_seconds", &w->stats[i],
			       round(w->stats[i].last_time * 1e3) / 1e3);
	head(&b, "hostdoctor_watch_lines_total", "counter", "Log lines hostdoctor watch read.");
	hd_buf_printf(&b, "hostdoctor_watch_lines_total %" PRIu64 "\n",
		      w->lines_base + w->lines_total);
	head(&b, "hostdoctor_watch_sources", "gauge",
	     "Log sources followed: files, and journals (one per distinct query).");
	hd_buf_printf(&b, "hostdoctor_watch_sources{kind=\"file\"} %zu\n", nsrc_files);
	hd_buf_printf(&b, "hostdoctor_watch_sources{kind=\"journal\"} %zu\n", njournals);
	head(&b, "hostdoctor_watch_config_ok", "gauge",
	     "1 when the last load of checks.d and the catalogue succeeded; 0: a reload failed "
	     "and the configuration before it stays in use.");
	hd_buf_printf(&b, "hostdoctor_watch_config_ok %d\n", w->config_ok ? 1 : 0);
	len = b.len;
	text = hd_buf_steal(&b);

	/* beside the file, then renamed over it: node_exporter never reads half of one */
	tmp = hd_asprintf("%s.tmp.XXXXXX", w->textfile);
	fd = mkstemp(tmp);
	if (fd < 0) {
		if (!w->prom_failed)
			w_log("cannot write %s: %s", w->textfile, strerror(errno));
		w->prom_failed = true;
		return;
	}
	fchmod(fd, 0644);
	ok = write(fd, text, len) == (ssize_t)len;
	ok &= close(fd) == 0;
	if (!ok || rename(tmp, w->textfile) < 0) {
		if (!w->prom_failed)
			w_log("cannot write %s: %s", w->textfile, strerror(errno));
		w->prom_failed = true;
		unlink(tmp);
		return;
	}
	w->prom_failed = false;
}
