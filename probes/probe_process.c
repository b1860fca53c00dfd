/* process: processes by name, user and command line (libproc2): counts, zombies, restarts. */
#include "probe_process.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <inttypes.h>
#include <libproc2/pids.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "lazy_regex.h"
#include "lazylib.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

#define COMM_LEN 15 /* TASK_COMM_LEN - 1 */

bool proc_name_matches(const char *comm, const char *name)
{
	if (!name || !*name)
		return true;
	if (!comm)
		return false;
	return strncmp(comm, name, COMM_LEN) == 0 &&
	       (strlen(name) >= COMM_LEN ? strlen(comm) >= COMM_LEN : comm[strlen(name)] == '\0');
}

bool proc_matches(const struct proc_rec *p, const struct proc_filter *f)
{
	if (!proc_name_matches(p->comm, f->name))
		return false;
	if (!f->any_user && p->euid != f->euid)
		return false;
	if (f->cmdline_match && !f->cmdline_match(p->cmdline ? p->cmdline : "", f->opaque))
		return false;
	return true;
}

static const struct proc_rec *find_pid(const struct proc_rec *v, size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			return &v[i];
	return NULL;
}

void proc_summarise(const struct proc_rec *v, size_t n, const struct proc_filter *f,
		    struct proc_summary *out)
{
	*out = (struct proc_summary){.youngest_age = -1, .youngest_pid = -1, .zombie_pid = -1};
	for (size_t i = 0; i < n; i++) {
		const struct proc_rec *parent;

		if (!proc_matches(&v[i], f))
			continue;
		if (v[i].state == 'Z') {
			if (!out->zombies++) {
				out->zombie_pid = v[i].pid;
				out->zombie_ppid = v[i].ppid;
			}
			continue;
		}
		out->count++;
		/* a worker forked by a matching parent is not a restart of the service */
		parent = find_pid(v, n, v[i].ppid);
		if (parent && parent->state != 'Z' && proc_matches(parent, f))
			continue;
		/* ages tick at 1/100 s: among equals the higher pid started last */
		if (out->youngest_age < 0 || v[i].age < out->youngest_age ||
		    (v[i].age == out->youngest_age && v[i].pid > out->youngest_pid)) {
			out->youngest_age = v[i].age;
			out->youngest_pid = v[i].pid;
		}
	}
}

/* ---- reading the live process table ---- */

enum { I_PID, I_PPID, I_STATE, I_EUID, I_AGE, I_CMD, I_CMDLINE };
static enum pids_item items[] = {PIDS_ID_PID,	    PIDS_ID_PPID, PIDS_STATE,  PIDS_ID_EUID,
				 PIDS_TIME_ELAPSED, PIDS_CMD,	  PIDS_CMDLINE};

#ifndef HD_LIBPROC2_SONAME
#define HD_LIBPROC2_SONAME "libproc2.so.0"
#endif

/* libproc2's functions, opened by run() before the process table is read (lazylib.h) */
static struct {
	__typeof__(procps_pids_new) *pids_new;
	__typeof__(procps_pids_reap) *pids_reap;
	__typeof__(procps_pids_unref) *pids_unref;
} proc2;

static int load_proc2(char *err, size_t errlen)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(proc2, pids_new, "procps_pids_new"),
	    HD_LAZY_SYM(proc2, pids_reap, "procps_pids_reap"),
	    HD_LAZY_SYM(proc2, pids_unref, "procps_pids_unref"),
	    {0},
	};

	return proc2.pids_unref ? 0 : hd_lazy_load(HD_LIBPROC2_SONAME, syms, err, errlen);
}

static void pids_unrefp(struct pids_info **p)
{
	if (*p)
		proc2.pids_unref(p);
}
/* pcre2, opened only when a check has a cmdline pattern (lazy_regex.h) */
static const struct hd_pcre2_fn *P;

static void code_freep(pcre2_code **p)
{
	if (*p)
		P->code_free(*p);
}
static void md_freep(pcre2_match_data **p)
{
	if (*p)
		P->match_data_free(*p);
}

struct pattern {
	pcre2_code *code;
	pcre2_match_data *md;
};

static bool pattern_match(const char *text, void *opaque)
{
	const struct pattern *p = opaque;

	return P->match(p->code, (PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, 0, 0, p->md, NULL) >= 0;
}

static void fmt_age(double s, char *buf, size_t size)
{
	if (s < 120)
		snprintf(buf, size, "%.0fs", s);
	else if (s < 7200)
		snprintf(buf, size, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(buf, size, "%.1f h", s / 3600);
	else
		snprintf(buf, size, "%.1f days", s / 86400);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *name = hd_check_str(c, "name"), *user = hd_check_str(c, "user");
	const char *pat = hd_check_str(c, "cmdline");
	int64_t min = hd_check_int(c, "min"), max = hd_check_int(c, "max");
	int64_t min_uptime = hd_check_int(c, "min_uptime"),
		max_zombies = hd_check_int(c, "max_zombies");
	bool has_max = hd_check_has(c, "max");
	__attribute__((cleanup(pids_unrefp))) struct pids_info *info = NULL;
	__attribute__((cleanup(code_freep))) pcre2_code *code = NULL;
	__attribute__((cleanup(md_freep))) pcre2_match_data *md = NULL;
	_cleanup_free_ struct proc_rec *recs = NULL;
	struct proc_filter f = {.name = name, .any_user = true};
	struct pattern pattern;
	struct proc_summary s;
	struct pids_fetch *fetch;
	struct hd_buf label = {0}, sum = {0};
	_cleanup_free_ char *summary = NULL;
	enum hd_status status = HD_OK;
	_cleanup_free_ char *what = NULL;
	char age[32], up[32];
	size_t n, listed = 0;
	int rc;

	if (user && *user) {
		struct passwd *pw = getpwnam(user);
		char *end;
		unsigned long uid = strtoul(user, &end, 10);

		if (pw)
			f.euid = pw->pw_uid;
		else if (*end == '\0' && end != user)
			f.euid = (uid_t)uid;
		else {
			hd_result_set(r, HD_UNKNOWN,
				      "user '%s' does not exist on this host (getpwnam)", user);
			hd_result_remedy(
			    r, "Create the account the product runs as, or correct "
			       "'user =' in the check (a name from /etc/passwd or a uid).");
			return -ENOENT;
		}
		f.any_user = false;
	}
	if (pat && *pat) {
		int err;
		PCRE2_SIZE off;
		char msg[160];

		if (!(P = hd_pcre2(msg, sizeof(msg)))) {
			hd_result_set(r, HD_UNKNOWN, "cannot match cmdline patterns: %s", msg);
			hd_result_remedy(r, "Install libpcre2-8-0.");
			return -ENOENT;
		}
		code = P->compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
		if (!code) {
			char where[256];
			P->get_error_message(err, (PCRE2_UCHAR *)msg, sizeof(msg));
			hd_check_where(c, "cmdline", where, sizeof(where));
			hd_result_set(r, HD_UNKNOWN,
				      "cmdline pattern '%s' is invalid at offset %zu: %s", pat,
				      (size_t)off, msg);
			hd_result_remedy(
			    r, "Correct 'cmdline =' at %s (a PCRE2 regular expression).", where);
			return -EINVAL;
		}
		md = P->match_data_create(1, NULL);
		pattern = (struct pattern){code, md};
		f.cmdline_match = pattern_match;
		f.opaque = &pattern;
	}

	char why[256];
	if (load_proc2(why, sizeof(why)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot load libproc2: %s", why);
		hd_result_remedy(r, "Install procps-ng 4's library (Debian/Ubuntu: apt install "
				    "libproc2-0; RHEL/Fedora: dnf install procps-ng).");
		return -ENOENT;
	}
	/* libproc2 reads the live /proc and cannot be pointed elsewhere */
	rc = proc2.pids_new(&info, items, (int)HD_ARRAY_SIZE(items));
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN,
			      "cannot read the process table (libproc2 "
			      "procps_pids_new): %s",
			      strerror(-rc));
		return rc;
	}
	fetch = proc2.pids_reap(info, PIDS_FETCH_TASKS_ONLY);
	if (!fetch) {
		rc = errno ? -errno : -EIO;
		hd_result_set(r, HD_UNKNOWN,
			      "cannot read the process table from /proc "
			      "(libproc2 procps_pids_reap): %s",
			      strerror(-rc));
		return rc;
	}
	n = (size_t)fetch->counts->total;
	recs = hd_xcalloc(n ? n : 1, sizeof(*recs));
	for (size_t i = 0; i < n; i++) {
		struct pids_stack *st = fetch->stacks[i];
		recs[i] = (struct proc_rec){
		    .pid = PIDS_VAL(I_PID, s_int, st, info),
		    .ppid = PIDS_VAL(I_PPID, s_int, st, info),
		    .state = PIDS_VAL(I_STATE, s_ch, st, info),
		    .euid = PIDS_VAL(I_EUID, u_int, st, info),
		    .age = PIDS_VAL(I_AGE, real, st, info),
		    .comm = PIDS_VAL(I_CMD, str, st, info),
		    .cmdline = PIDS_VAL(I_CMDLINE, str, st, info),
		};
	}
	proc_summarise(recs, n, &f, &s);

	if (name && *name)
		hd_buf_printf(&label, "'%s'", name);
	else
		hd_buf_printf(&label, "processes");
	if (!f.any_user)
		hd_buf_printf(&label, " of user %s", user);
	if (code)
		hd_buf_printf(&label, " matching /%s/", pat);
	what = hd_buf_steal(&label);

	hd_metric_bounds(hd_result_metric(r, "processes", (double)s.count, HD_UNIT_NONE), 0,
			 (double)n);
	hd_result_metric(r, "zombies", (double)s.zombies, HD_UNIT_NONE)->has_min = true;
	if (s.youngest_age >= 0)
		hd_result_metric(r, "age", s.youngest_age, HD_UNIT_SECONDS);

	for (size_t i = 0; i < n && listed < 10; i++) {
		if (!proc_matches(&recs[i], &f))
			continue;
		/* without a name every process matches: only the zombies are worth a line */
		if (!(name && *name) && recs[i].state != 'Z')
			continue;
		fmt_age(recs[i].age, age, sizeof(age));
		hd_result_detail(r, "pid %d%s uid %u up %s: %.120s", recs[i].pid,
				 recs[i].state == 'Z' ? " (zombie)" : "", (unsigned)recs[i].euid,
				 age, recs[i].cmdline ? recs[i].cmdline : "");
		listed++;
	}
	if (name && *name && s.count + s.zombies > listed)
		hd_result_detail(r, "... and %zu more", s.count + s.zombies - listed);
	if (ctx->root[0])
		hd_result_detail(r,
				 "processes are those of the running system (/proc), not of "
				 "--root %s",
				 ctx->root);

	hd_buf_printf(&sum, "%zu %s running", s.count, what);
	if (!(name && *name) && s.zombies <= (size_t)max_zombies)
		hd_buf_printf(&sum, ", %zu zombie%s", s.zombies, s.zombies == 1 ? "" : "s");

	if ((int64_t)s.count < min) {
		status = HD_CRITICAL;
		hd_buf_printf(&sum, ", %" PRId64 " required", min);
		hd_result_remedy_add(
		    r,
		    "Start the service that runs '%s' (systemctl start <its unit>, or "
		    "the product's init script), then find why it was not running: "
		    "'systemctl status <its unit>', 'journalctl -u <its unit> -n 100', "
		    "the product's log, and core files in its install directory.",
		    name && *name ? name : "these processes");
		if (!ctx->privileged)
			hd_result_detail(r,
					 "running unprivileged: if /proc is mounted with hidepid, "
					 "other users' processes are not visible");
	} else if (has_max && (int64_t)s.count > max) {
		status = HD_CRITICAL;
		hd_buf_printf(&sum, ", at most %" PRId64 " allowed", max);
		hd_result_remedy_add(
		    r,
		    "Stop the extra instances (listed above; the newest is pid %d: "
		    "'kill %d'), and find what starts them twice: a second unit, a "
		    "cron job, or a manual start next to the service.",
		    s.youngest_pid, s.youngest_pid);
		{
			char pid[32];
			snprintf(pid, sizeof(pid), "%d", s.youngest_pid);
			hd_result_command(r, "kill", pid, NULL);
		}
	}
	if ((int64_t)s.zombies > max_zombies) {
		const struct proc_rec *parent = find_pid(recs, n, s.zombie_ppid);
		status = hd_status_worst(status, HD_WARNING);
		hd_buf_printf(&sum, "; %zu zombie%s (pid %d, parent %d %s)", s.zombies,
			      s.zombies == 1 ? "" : "s", s.zombie_pid, s.zombie_ppid,
			      parent && parent->comm ? parent->comm : "?");
		hd_result_remedy_add(
		    r,
		    "Zombies are children that exited and were never reaped by "
		    "their parent (pid %d, %s). They hold no memory but a pid each; "
		    "restart the parent (its service) to clear them, and report the "
		    "missing wait() to its vendor if they come back.",
		    s.zombie_ppid, parent && parent->comm ? parent->comm : "?");
	}
	if (min_uptime > 0 && s.youngest_age >= 0 && s.youngest_age < (double)min_uptime) {
		struct hd_ctx live = *ctx;
		_cleanup_free_ char *ub = NULL;
		double host_up = -1;

		live.root = "";
		if (hd_read_file(&live, "/proc/uptime", &ub, NULL, 4096) == 0)
			host_up = strtod(ub, NULL);
		fmt_age(s.youngest_age, age, sizeof(age));
		fmt_age(host_up, up, sizeof(up));
		if (host_up >= (double)min_uptime) {
			status = hd_status_worst(status, HD_WARNING);
			hd_buf_printf(&sum,
				      "; pid %d started %s ago, the host is up %s: restarting?",
				      s.youngest_pid, age, up);
			hd_result_remedy_add(
			    r,
			    "The service was (re)started %s ago although the host has been up "
			    "%s: find why it exits. 'systemctl show -p NRestarts,ExecMainStatus "
			    "<its unit>' shows restarts and the last exit; 'journalctl -u <its "
			    "unit> --since -1h' and the product's log show the error; a crash "
			    "leaves core files in its install directory (the core-files check).",
			    age, up);
		} else if (host_up >= 0) {
			hd_result_detail(r, "host up %s, less than min_uptime: restarts not judged",
					 up);
		}
	}
	/* a warning/critical range on count can still make an OK result non-OK */
	if (status == HD_OK && name && *name)
		hd_result_remedy(r,
				 "Compare with 'ps -o pid,ppid,user,etime,stat,args -C %.15s', "
				 "then start the missing or stop the extra instances.",
				 name);
	else if (status == HD_OK)
		hd_result_remedy(r, "Compare with 'ps -eo pid,ppid,user,etime,stat,args'.");
	summary = hd_buf_steal(&sum);
	hd_result_set(r, status, "%s", summary);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "name",
     .type = HD_P_STR,
     .help = "process name as in /proc/PID/comm (first 15 characters); unset: every process"},
    {.key = "min",
     .type = HD_P_INT,
     .def = "1",
     .min = 0,
     .max = 1000000,
     .help = "CRITICAL when fewer matching processes run"},
    {.key = "max",
     .type = HD_P_INT,
     .min = 0,
     .max = 1000000,
     .help = "CRITICAL when more matching processes run (unset: no limit)"},
    {.key = "user",
     .type = HD_P_STR,
     .help = "only processes whose effective user is this (name or uid)"},
    {.key = "cmdline",
     .type = HD_P_STR,
     .help = "only processes whose command line (arguments joined by spaces) matches this PCRE2 "
	     "pattern"},
    {.key = "min_uptime",
     .type = HD_P_INT,
     .def = "0",
     .min = 0,
     .max = INT32_MAX,
     .help = "WARNING when the service started less than this many seconds ago while the host "
	     "has been up longer (restart loop); 0: off"},
    {.key = "max_zombies",
     .type = HD_P_INT,
     .def = "0",
     .min = 0,
     .max = 1000000,
     .help = "WARNING when more matching processes than this are zombies"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"processes", "Matching processes, zombies not counted."},
    {"zombies", "Matching processes in state Z (exited, not reaped by their parent)."},
    {"age", "Seconds since the youngest matching process whose parent does not match started."},
    {0},
};

const struct hd_probe probe_process = {
    .name = "process",
    .summary = "processes by name, user and command line: count, zombies, restart loops",
    .params = params,
    .metrics = metrics,
    .run = run,
};
