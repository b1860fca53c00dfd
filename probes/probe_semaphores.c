/* semaphores: SysV semaphore arrays and semaphores in use against kernel.sem, and orphaned sets. */
#include "probe_semaphores.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* Copy the next whitespace-separated token of [*p, end) that lies on the current line into TOK.
 * Returns its length, 0 at the end of the line (the newline is not consumed). */
static size_t token(const char **p, const char *end, char *tok, size_t toksz)
{
	const char *s = *p, *t;
	size_t n;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	t = s;
	while (s < end && !isspace((unsigned char)*s))
		s++;
	*p = s;
	n = (size_t)(s - t);
	snprintf(tok, toksz, "%.*s", (int)(n < toksz ? n : toksz - 1), t);
	return n;
}

/* A whole token that fits TOK (a longer one is refused, never parsed truncated). */
static bool field(const char **p, const char *end, char *tok, size_t toksz)
{
	size_t n = token(p, end, tok, toksz);
	return n > 0 && n < toksz;
}

static int parse_unsigned(const char *s, int base, uint64_t max, uint64_t *out)
{
	char *endp;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &endp, base);
	if (errno || *endp || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_signed(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *endp;
	long long v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &endp, 10);
	if (errno || *endp || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int sem_limits_parse(const char *buf, size_t len, struct sem_limits *out)
{
	const char *p = buf, *end = buf + len;
	uint64_t v[4];
	char tok[32];

	for (int i = 0; i < 4; i++) {
		if (!field(&p, end, tok, sizeof(tok)) ||
		    parse_unsigned(tok, 10, INT32_MAX, &v[i]) < 0)
			return -EINVAL;
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p != end)
		return -EINVAL;
	*out = (struct sem_limits){v[0], v[1], v[2], v[3]};
	return 0;
}

static const char *const sem_columns[] = {"key", "semid", "perms", "nsems", "uid",
					  "gid", "cuid",  "cgid",  "otime", "ctime"};

int sem_table_parse(const char *buf, size_t len, struct sem_set **sets, size_t *n, char *why,
		    size_t whysize)
{
	const char *p = buf, *end = buf + len;
	_cleanup_free_ struct sem_set *v = NULL;
	size_t count = 0, cap = 0;
	char tok[32];
	int line = 1;

	*sets = NULL;
	*n = 0;
	/* the header names the columns; a different layout must not be read as numbers */
	for (size_t i = 0; i < HD_ARRAY_SIZE(sem_columns); i++) {
		if (!field(&p, end, tok, sizeof(tok)) || strcmp(tok, sem_columns[i]) != 0) {
			snprintf(why, whysize,
				 "header is not 'key semid perms nsems uid gid cuid cgid "
				 "otime ctime'");
			return -EINVAL;
		}
	}
	p = memchr(p, '\n', (size_t)(end - p));
	p = p ? p + 1 : end;
	while (p < end) {
		struct sem_set s;
		uint64_t u[7];
		int64_t key, semid, otime, ctime;
		uint64_t perms;
		size_t k;

		line++;
		if (token(&p, end, tok, sizeof(tok)) == 0) {
			if (p < end && *p == '\n') { /* blank line */
				p++;
				continue;
			}
			break;
		}
		if (strlen(tok) >= sizeof(tok) - 1 ||
		    parse_signed(tok, INT32_MIN, INT32_MAX, &key) < 0)
			goto bad;
		if (!field(&p, end, tok, sizeof(tok)) ||
		    parse_signed(tok, 0, INT32_MAX, &semid) < 0)
			goto bad;
		if (!field(&p, end, tok, sizeof(tok)) || parse_unsigned(tok, 8, 07777, &perms) < 0)
			goto bad;
		for (k = 0; k < 5; k++)
			if (!field(&p, end, tok, sizeof(tok)) ||
			    parse_unsigned(tok, 10, k == 0 ? INT32_MAX : UINT32_MAX, &u[k]) < 0)
				goto bad;
		if (!field(&p, end, tok, sizeof(tok)) ||
		    parse_signed(tok, 0, INT64_MAX, &otime) < 0)
			goto bad;
		if (!field(&p, end, tok, sizeof(tok)) ||
		    parse_signed(tok, 0, INT64_MAX, &ctime) < 0)
			goto bad;
		if (token(&p, end, tok, sizeof(tok)) != 0)
			goto bad; /* extra column */
		if (p < end)
			p++; /* the newline */
		s = (struct sem_set){.key = (int32_t)key,
				     .semid = (int32_t)semid,
				     .perms = (unsigned int)perms,
				     .nsems = u[0],
				     .uid = (uint32_t)u[1],
				     .gid = (uint32_t)u[2],
				     .cuid = (uint32_t)u[3],
				     .cgid = (uint32_t)u[4],
				     .otime = otime,
				     .ctime = ctime};
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			v = hd_xrealloc(v, cap * sizeof(*v));
		}
		v[count++] = s;
	}
	*sets = HD_TAKE(v);
	*n = count;
	return 0;
bad:
	if (*tok)
		snprintf(why, whysize, "line %d: '%s' does not fit the columns", line, tok);
	else
		snprintf(why, whysize, "line %d: too few columns", line);
	return -EINVAL;
}

int proc_stat_starttime(const char *buf, size_t len, uint64_t *ticks)
{
	const char *p = NULL, *end = buf + len;
	char tok[32];

	/* comm may hold spaces and ')': fields are counted after the last ')' */
	for (const char *s = buf; s < end; s++)
		if (*s == ')')
			p = s + 1;
	if (!p)
		return -EINVAL;
	/* after comm: field 3 (state) ... field 22 (starttime) */
	for (int f = 3; f <= 22; f++)
		if (!field(&p, end, tok, sizeof(tok)))
			return -EINVAL;
	return parse_unsigned(tok, 10, UINT64_MAX, ticks);
}

union semun_arg {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *info;
};

/* Wall-clock second at which PID started, from /proc/PID/stat (boot-relative ticks). */
static int process_start(const struct hd_ctx *ctx, pid_t pid, time_t *out)
{
	_cleanup_free_ char *stat = NULL;
	struct timespec real, boot;
	char path[64];
	uint64_t ticks;
	size_t len;
	long hz = sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (hd_read_file(ctx, path, &stat, &len, 4096) < 0 ||
	    proc_stat_starttime(stat, len, &ticks) < 0 || hz <= 0)
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	*out = real.tv_sec - (time_t)(boot.tv_sec - (time_t)(ticks / (uint64_t)hz));
	return 0;
}

static void owner_name(uid_t uid, char *buf, size_t size)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, size, "%s (uid %u)", res->pw_name, (unsigned)uid);
	else
		snprintf(buf, size, "uid %u", (unsigned)uid);
}

/* Sets whose every last operator is gone (dead, or its pid reused since the last semop).
 * Needs the live IPC namespace: semctl() speaks to the kernel, not to the files under --root.
 * Returns the number of orphans; *unreadable counts sets semctl() may not look at. */
static size_t find_orphans(const struct hd_ctx *ctx, const struct sem_set *sets, size_t n,
			   struct hd_result *r, size_t *unreadable)
{
	size_t orphans = 0;

	*unreadable = 0;
	for (size_t i = 0; i < n; i++) {
		struct semid_ds ds;
		union semun_arg arg = {.buf = &ds};
		char gone[256] = "", owner[96];
		size_t ngone = 0, nalive = 0, off = 0;

		if (semctl(sets[i].semid, 0, IPC_STAT, arg) < 0) {
			if (errno == EACCES || errno == EPERM)
				(*unreadable)++;
			continue; /* EINVAL/EIDRM: removed since the table was read */
		}
		if (ds.sem_otime == 0)
			continue; /* never operated on: no last operator to ask about */
		for (unsigned long k = 0; k < ds.sem_nsems; k++) {
			int pid = semctl(sets[i].semid, (int)k, GETPID);
			time_t start;
			const char *how = NULL;

			if (pid <= 0)
				continue;
			if (kill(pid, 0) < 0 && errno == ESRCH)
				how = "exited";
			/* the seconds of both clocks are truncated: allow one second of slack */
			else if (process_start(ctx, pid, &start) == 0 && start > ds.sem_otime + 1)
				how = "pid reused";
			if (!how) {
				nalive++;
				break;
			}
			if (ngone < 4 && off < sizeof(gone) - 1) {
				int w = snprintf(gone + off, sizeof(gone) - off, "%s%d %s",
						 ngone ? ", " : "", pid, how);
				off += w > 0 ? (size_t)w : 0;
				if (off >= sizeof(gone))
					off = sizeof(gone) - 1;
			}
			ngone++;
		}
		if (nalive || !ngone)
			continue;
		if (!orphans++)
			hd_result_remedy_add(r,
					     "Orphaned sets (their processes are gone, e.g. killed "
					     "with kill -KILL): rebooting the server releases "
					     "them; without a reboot, remove each one:");
		owner_name(sets[i].uid, owner, sizeof(owner));
		hd_result_detail(r, "orphan: semid %d key 0x%08x owner %s, last operator %s",
				 sets[i].semid, (unsigned)sets[i].key, owner, gone);
		hd_result_remedy_add(r, "  ipcrm -s %d   (owner %s)", sets[i].semid, owner);
		{
			char id[32];
			snprintf(id, sizeof(id), "%d", sets[i].semid);
			hd_result_command(r, "ipcrm", "-s", id, NULL);
		}
	}
	return orphans;
}

static uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;
	return m > c ? m : c;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	_cleanup_free_ char *lbuf = NULL, *tbuf = NULL;
	_cleanup_free_ struct sem_set *sets = NULL;
	struct sem_limits lim;
	size_t llen, tlen, nsets = 0;
	uint64_t nsems = 0, need_arrays = 0, need_sems = (uint64_t)hd_check_int(c, "need_sems");
	const char *recommend = hd_check_str(c, "recommend"), *note = hd_check_str(c, "note");
	struct sem_limits rec = {0}, sugg;
	char **needs = NULL;
	size_t nneeds = hd_check_list(c, "need_arrays", &needs);
	double apct, spct;
	char why[160], where[256];
	int rc;

	/* need_arrays may repeat (one value per service of the product): the sum is needed */
	for (size_t i = 0; i < nneeds; i++) {
		int64_t v;
		if (hd_parse_int(needs[i], &v) < 0 || v < 0 || v > INT32_MAX) {
			hd_check_where(c, "need_arrays", where, sizeof(where));
			hd_result_set(r, HD_UNKNOWN,
				      "need_arrays = '%s' is not a whole number (%s)", needs[i],
				      where);
			hd_strv_free(needs);
			return -EINVAL;
		}
		need_arrays += (uint64_t)v;
	}
	hd_strv_free(needs);
	if (recommend && *recommend && sem_limits_parse(recommend, strlen(recommend), &rec) < 0) {
		hd_check_where(c, "recommend", where, sizeof(where));
		hd_result_set(
		    r, HD_UNKNOWN,
		    "recommend = '%s' is not four numbers SEMMSL SEMMNS SEMOPM SEMMNI (%s)",
		    recommend, where);
		return -EINVAL;
	}

	rc = hd_read_file(ctx, "/proc/sys/kernel/sem", &lbuf, &llen, 4096);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/sys/kernel/sem: %s%s", ctx->root,
			      strerror(-rc),
			      rc == -ENOENT ? " (kernel without SysV IPC, or /proc not mounted)"
					    : "");
		return rc;
	}
	if (sem_limits_parse(lbuf, llen, &lim) < 0) {
		hd_result_set(r, HD_UNKNOWN,
			      "%s/proc/sys/kernel/sem is malformed: expected 'SEMMSL SEMMNS SEMOPM "
			      "SEMMNI', got '%.*s'",
			      ctx->root, (int)(strcspn(lbuf, "\n") < 60 ? strcspn(lbuf, "\n") : 60),
			      lbuf);
		return -EINVAL;
	}
	rc = hd_read_file(ctx, "/proc/sysvipc/sem", &tbuf, &tlen, 64u << 20);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/sysvipc/sem: %s", ctx->root,
			      strerror(-rc));
		return rc;
	}
	if (sem_table_parse(tbuf, tlen, &sets, &nsets, why, sizeof(why)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "%s/proc/sysvipc/sem is malformed: %s", ctx->root,
			      why);
		return -EINVAL;
	}
	for (size_t i = 0; i < nsets; i++)
		nsems += sets[i].nsems;

	apct = lim.semmni ? (double)nsets * 100.0 / (double)lim.semmni : 100.0;
	spct = lim.semmns ? (double)nsems * 100.0 / (double)lim.semmns : 100.0;
	hd_metric_bounds(hd_result_metric(r, "arrays_used", apct, HD_UNIT_PERCENT), 0, 100);
	hd_metric_bounds(hd_result_metric(r, "sems_used", spct, HD_UNIT_PERCENT), 0, 100);
	hd_result_metric(r, "arrays", (double)nsets, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "sems", (double)nsems, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "arrays_max", (double)lim.semmni, HD_UNIT_NONE);
	hd_result_metric(r, "sems_max", (double)lim.semmns, HD_UNIT_NONE);
	hd_result_set(r, HD_OK,
		      "%zu of %" PRIu64 " semaphore arrays in use (%.1f%%), %" PRIu64 " of %" PRIu64
		      " semaphores (%.1f%%)",
		      nsets, lim.semmni, apct, nsems, lim.semmns, spct);
	hd_result_detail(r,
			 "kernel.sem = %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			 " (SEMMSL SEMMNS SEMOPM SEMMNI)",
			 lim.semmsl, lim.semmns, lim.semopm, lim.semmni);

	/* the thresholds of the primary metric hold for the semaphores' share too */
	if (c->crit.set && hd_range_alerts(&c->crit, spct)) {
		hd_result_raise(r, HD_CRITICAL);
		hd_result_detail(r, "sems_used = %.1f%% is outside the critical range", spct);
	} else if (c->warn.set && hd_range_alerts(&c->warn, spct)) {
		hd_result_raise(r, HD_WARNING);
		hd_result_detail(r, "sems_used = %.1f%% is outside the warning range", spct);
	}

	uint64_t free_arrays = lim.semmni > nsets ? lim.semmni - nsets : 0;
	uint64_t free_sems = lim.semmns > nsems ? lim.semmns - nsems : 0;
	if (need_arrays > free_arrays || need_sems > free_sems) {
		hd_result_set(r, HD_CRITICAL,
			      "not enough headroom: %" PRIu64 " arrays and %" PRIu64
			      " semaphores free, %" PRIu64 " and %" PRIu64 " needed",
			      free_arrays, free_sems, need_arrays, need_sems);
		hd_result_detail(
		    r, "in use: %zu of %" PRIu64 " arrays, %" PRIu64 " of %" PRIu64 " semaphores",
		    nsets, lim.semmni, nsems, lim.semmns);
	}

	/* remedy: never lowering a field, at least the recommended values, large enough for the
	 * demand; with neither a recommendation nor a demand beyond what is set, twice the limits */
	sugg = (struct sem_limits){
	    max3(lim.semmsl, rec.semmsl, 0), max3(lim.semmns, rec.semmns, nsems + need_sems),
	    max3(lim.semopm, rec.semopm, 0), max3(lim.semmni, rec.semmni, nsets + need_arrays)};
	if (sugg.semmni == lim.semmni && sugg.semmns == lim.semmns) {
		sugg.semmni = lim.semmni * 2;
		sugg.semmns = lim.semmns * 2;
	}
	hd_result_remedy(r,
			 "Raise the limits: add the line 'kernel.sem=%" PRIu64 " %" PRIu64
			 " %" PRIu64 " %" PRIu64 "' to /etc/sysctl.conf and run 'sysctl -p'; 'cat "
			 "/proc/sys/kernel/sem' then shows %" PRIu64 " %" PRIu64 " %" PRIu64
			 " %" PRIu64 ".",
			 sugg.semmsl, sugg.semmns, sugg.semopm, sugg.semmni, sugg.semmsl,
			 sugg.semmns, sugg.semopm, sugg.semmni);
	hd_result_remedy_add(r,
			     "Where /etc/sysctl.d is read (systemd): echo 'kernel.sem=%" PRIu64
			     " %" PRIu64 " %" PRIu64 " %" PRIu64
			     "' > /etc/sysctl.d/90-semaphores.conf && sysctl --system",
			     sugg.semmsl, sugg.semmns, sugg.semopm, sugg.semmni);
	if (note && *note)
		hd_result_remedy_add(r, "%s", note);
	{
		/* for a tool: set it now; the files keep it across boots */
		char set[160];
		snprintf(set, sizeof(set),
			 "kernel.sem=%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, sugg.semmsl,
			 sugg.semmns, sugg.semopm, sugg.semmni);
		hd_result_command(r, "sysctl", "-w", set, NULL);
		hd_result_concerns(r, HD_CONCERN_FILE, "/etc/sysctl.conf");
		hd_result_concerns(r, HD_CONCERN_FILE, "/etc/sysctl.d/90-semaphores.conf");
	}

	if (ctx->root[0]) {
		hd_result_detail(
		    r, "orphaned sets: not checked (--root is not the live host; semctl() "
		       "needs the live IPC namespace)");
		return 0;
	}
	size_t unreadable = 0, orphans = find_orphans(ctx, sets, nsets, r, &unreadable);
	hd_result_metric(r, "orphans", (double)orphans, HD_UNIT_NONE)->has_min = true;
	if (orphans) {
		hd_result_raise(r, HD_WARNING);
		if (r->status == HD_WARNING)
			hd_result_set(
			    r, HD_WARNING,
			    "%zu orphaned semaphore set%s (last operator gone); %zu of %" PRIu64
			    " arrays in use (%.1f%%)",
			    orphans, orphans == 1 ? "" : "s", nsets, lim.semmni, apct);
	}
	if (unreadable)
		hd_result_detail(r,
				 "orphaned sets: %zu set%s not readable by this user, not checked "
				 "(needs root)",
				 unreadable, unreadable == 1 ? "" : "s");
	return 0;
}

static const struct hd_param params[] = {
    {.key = "need_arrays",
     .type = HD_P_LIST,
     .help = "semaphore arrays the product will still create; the key may repeat (one value "
	     "per service), the sum counts; CRITICAL when fewer are free"},
    {.key = "need_sems",
     .type = HD_P_INT,
     .def = "0",
     .min = 0,
     .max = INT32_MAX,
     .help = "semaphores the product will still create; CRITICAL when fewer are free"},
    {.key = "recommend",
     .type = HD_P_STR,
     .help = "kernel.sem the remedy suggests at least (SEMMSL SEMMNS SEMOPM SEMMNI), e.g. the "
	     "product's documented values"},
    {.key = "note", .type = HD_P_STR, .help = "the product's own advice, added to the remedy"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"arrays_used", "Semaphore arrays in use, as a share of SEMMNI."},
    {"sems_used", "Semaphores in use, as a share of SEMMNS."},
    {"arrays", "Semaphore arrays in use."},
    {"sems", "Semaphores in use (sum of nsems over all arrays)."},
    {"arrays_max", "SEMMNI: semaphore arrays allowed system-wide."},
    {"sems_max", "SEMMNS: semaphores allowed system-wide."},
    {"orphans", "Arrays whose last operators have all exited (live host only)."},
    {0},
};

const struct hd_probe probe_semaphores = {
    .name = "semaphores",
    .summary = "SysV semaphore arrays and semaphores in use against kernel.sem, and orphaned sets",
    .params = params,
    .metrics = metrics,
    .default_warning = "80",
    .default_critical = "95",
    .run = run,
};
