/* baseline: the live host against a saved baseline of what it runs when healthy (processes,
 * listening sockets, enabled services), as the operations manual asks of a process check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baseline.h"
#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "statedir.h"
#include "util.h"

static void fmt_time(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *name = hd_check_str(c, "name");
	const char *state_dir = hd_check_str(c, "state_dir");
	struct baseline old = {0}, now = {0};
	_cleanup_free_ struct bl_change *ch = NULL;
	_cleanup_free_ char *defs = NULL;
	char **ignore = NULL;
	char dir[4096], err[4600], when[64], path[4300];
	const char *save_cmd;
	_cleanup_free_ char *save_named = NULL;
	size_t nch, dlen = 0, gone = 0, added = 0, svc = 0;
	struct bl_compare_opts co = {.uid_min = BL_DEFAULT_UID_MIN};
	int rc;

	if (!bl_name_valid(name)) {
		hd_check_where(c, "name", err, sizeof(err));
		hd_result_set(r, HD_UNKNOWN, "baseline name '%s' is not valid", name);
		hd_result_remedy(r, "Correct 'name =' at %s: letters, digits, '.', '_' and '-'.",
				 err);
		return -EINVAL;
	}
	save_cmd = strcmp(name, "default") == 0
		       ? "hostdoctor baseline save"
		       : (save_named = hd_asprintf("hostdoctor baseline save --name %s", name));
	if (hd_path(ctx, state_dir, dir, sizeof(dir)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "state_dir %s: path too long", state_dir);
		return -ENAMETOOLONG;
	}
	bl_file_path(dir, name, path, sizeof(path));
	rc = bl_load(dir, name, &old, err, sizeof(err));
	if (rc == -ENOENT) {
		hd_result_set(r, HD_SKIPPED, "no baseline '%s' yet (%s)", name, path);
		hd_result_remedy(r,
				 "Record what this host runs while it is healthy: %s (then this "
				 "check compares the host with it)",
				 save_cmd);
		return 0;
	}
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot use the baseline: %s", err);
		if (rc == -EPROTO)
			hd_result_remedy(r,
					 "Run the hostdoctor version that saved it, or record the "
					 "baseline again with this one on a healthy host: %s",
					 save_cmd);
		else if (rc == -EINVAL)
			hd_result_remedy(
			    r,
			    "The file is damaged: look at it ('hostdoctor baseline "
			    "show%s%s' names the place), or record the baseline again on "
			    "a healthy host: %s",
			    save_named ? " --name " : "", save_named ? name : "", save_cmd);
		else
			hd_result_remedy(
			    r,
			    "Run hostdoctor as the user that saved the baseline (root), or "
			    "correct the state directory: mkdir -m 0700 %s",
			    state_dir);
		return rc;
	}

	if (hd_read_file(ctx, "/etc/login.defs", &defs, &dlen, 1 << 20) == 0)
		co.uid_min = bl_uid_min(defs, dlen, BL_DEFAULT_UID_MIN);
	co.min_age = hd_check_has(c, "min_age") ? hd_check_int(c, "min_age") : old.min_age;
	hd_check_list(c, "ignore", &ignore);
	co.ignore = ignore;

	rc = bl_collect(ctx, &(struct bl_collect_opts){.keep_young = true, .need_owners = true},
			&now, err, sizeof(err));
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "%s", err);
		hd_result_remedy(r,
				 "Run hostdoctor as root so it can read every process and socket.");
		goto out;
	}
	nch = bl_compare(&old, &now, &co, &ch);

	fmt_time(old.saved, when, sizeof(when));
	for (size_t i = 0; i < nch; i++) {
		_cleanup_free_ char *text = bl_change_text(&ch[i]);
		if (ch[i].severity == HD_OK) {
			hd_result_detail(r, "%s%s", text,
					 ch[i].what == BL_COUNT
					     ? " (the count follows the load: not an alert)"
					     : " (not a system user: not an alert)");
			continue;
		}
		hd_result_detail(r, "%s", text);
		if (ch[i].what == BL_GONE && ch[i].kind != BL_SERVICE)
			gone++;
		else if (ch[i].kind == BL_SERVICE)
			svc++;
		else
			added++;
	}
	hd_result_metric(r, "missing", (double)gone, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "new", (double)added, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "services_changed", (double)svc, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "processes", (double)old.nprocs, HD_UNIT_NONE);
	hd_result_metric(r, "listeners", (double)old.nls, HD_UNIT_NONE);

	if (gone + added + svc == 0) {
		hd_result_set(r, HD_OK,
			      "as in the baseline '%s' of %s: %zu processes, %zu listeners, %zu "
			      "enabled services",
			      name, when, old.nprocs, old.nls, old.nsvcs);
		hd_result_remedy(r, "Compare by hand with: hostdoctor baseline diff%s%s",
				 save_named ? " --name " : "", save_named ? name : "");
	} else {
		struct hd_buf s = {0};
		_cleanup_free_ char *sum = NULL;
		const struct bl_change *first = NULL;

		if (gone)
			hd_buf_printf(&s, "%zu gone", gone);
		if (added)
			hd_buf_printf(&s, "%s%zu new", s.len ? ", " : "", added);
		if (svc)
			hd_buf_printf(&s, "%s%zu enabled service%s changed", s.len ? ", " : "", svc,
				      svc == 1 ? "" : "s");
		hd_buf_printf(&s, " since the baseline '%s' of %s", name, when);
		/* the first alert of the worst kind names the problem in the summary */
		for (int pass = 0; pass < 2 && !first; pass++)
			for (size_t i = 0; i < nch && !first; i++)
				if (ch[i].severity == (pass ? HD_WARNING : HD_CRITICAL))
					first = &ch[i];
		if (first) {
			_cleanup_free_ char *t = bl_change_text(first);
			hd_buf_printf(&s, ": %s", t);
		}
		sum = hd_buf_steal(&s);
		hd_result_set(r, HD_OK, "%s", sum);
		for (size_t i = 0; i < nch; i++) {
			_cleanup_free_ char *rem = NULL;
			if (ch[i].severity == HD_OK)
				continue;
			hd_result_raise(r, ch[i].severity);
			rem = bl_change_remedy(&ch[i], name);
			hd_result_remedy_add(r, "%s", rem);
		}
	}
	if (ctx->root[0])
		hd_result_detail(r,
				 "processes and sockets are those of the running system, not of "
				 "--root %s",
				 ctx->root);
	rc = 0;
out:
	hd_strv_free(ignore);
	bl_free(&old);
	bl_free(&now);
	return rc;
}

static const struct hd_param params[] = {
    {.key = "name",
     .type = HD_P_STR,
     .def = "default",
     .help = "the baseline to compare with (hostdoctor baseline save --name NAME)"},
    {.key = "state_dir", .type = HD_P_STR, .def = HD_STATE_DIR, .help = "where baselines are kept"},
    {.key = "min_age",
     .type = HD_P_INT,
     .min = 0,
     .max = INT32_MAX,
     .help = "seconds a new process must have run to count (default: the baseline's)"},
    {.key = "ignore",
     .type = HD_P_LIST,
     .help = "process names and PROTO/PORT (tcp/8080) left out of the comparison"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"missing", "Processes and listeners of the baseline that are gone."},
    {"new", "Listeners, and long-running processes of system users, not in the baseline."},
    {"services_changed", "Enabled services added or removed since the baseline."},
    {"processes", "Processes recorded in the baseline."},
    {"listeners", "Listening sockets recorded in the baseline."},
    {0},
};

const struct hd_probe probe_baseline = {
    .name = "baseline",
    .summary = "processes, listeners and enabled services against a saved healthy baseline",
    .params = params,
    .metrics = metrics,
    .run = run,
};
