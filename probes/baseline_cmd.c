/* The baseline command: save (collect the live host and write it), show, diff. */
#include "baseline_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "statedir.h"
#include "util.h"

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      "  hostdoctor baseline save [--name NAME] [--min-age SECONDS] [--state-dir DIR]\n"
	      "      record what this host runs now: long-running processes, listening sockets,\n"
	      "      enabled services (run it while the host is healthy, as root)\n"
	      "  hostdoctor baseline show [--name NAME] [--format text|json] [--state-dir DIR]\n"
	      "  hostdoctor baseline diff [--name NAME] [--state-dir DIR]\n"
	      "      what changed since; exit 1 when the baseline check would alert, 3 on error\n"
	      "\n"
	      "The baseline is DIR/baseline.NAME.json (DIR " HD_STATE_DIR ", NAME default); the\n"
	      "'baseline' check compares the host with it on every run.\n",
	      out);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("hostdoctor baseline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 3;
}

static void fmt_time(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

static void print_baseline(const struct baseline *b)
{
	char when[64], lb[96];

	fmt_time(b->saved, when, sizeof(when));
	printf("baseline '%s' of %s, saved %s (processes running at least %llds)\n\n",
	       b->name ? b->name : "?", b->host ? b->host : "?", when, (long long)b->min_age);
	printf("Processes (%zu)\n", b->nprocs);
	for (size_t i = 0; i < b->nprocs; i++) {
		const struct bl_proc *p = &b->procs[i];
		printf("  %-16s %-10s x%-3u %-28s %s\n", p->name, p->user, p->count,
		       p->unit ? p->unit : "-", *p->exe ? p->exe : "(path unknown)");
	}
	printf("\nListeners (%zu)\n", b->nls);
	for (size_t i = 0; i < b->nls; i++) {
		const struct bl_listen *l = &b->ls[i];
		char how[160];

		bl_listen_label(l, lb, sizeof(lb));
		if (l->act == BL_ACT_SYSTEMD)
			snprintf(how, sizeof(how), "on demand (systemd%s%s)",
				 l->socket_unit ? " " : "", l->socket_unit ? l->socket_unit : "");
		else if (l->act == BL_ACT_INETD)
			snprintf(how, sizeof(how), "on demand (super-server)");
		else
			snprintf(how, sizeof(how), "%s", l->unit ? l->unit : "-");
		printf("  %-26s %-16s %-10s %s\n", lb, l->owner ? l->owner : "?",
		       l->user ? l->user : "?", how);
	}
	printf("\nEnabled services (%zu)\n", b->nsvcs);
	for (size_t i = 0; i < b->nsvcs; i++)
		printf("  %-40s %s\n", b->svcs[i].unit, b->svcs[i].wanted_by);
}

int hd_baseline_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"name", required_argument, NULL, 'n'},    {"state-dir", required_argument, NULL, 's'},
	    {"min-age", required_argument, NULL, 'a'}, {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},	       {0},
	};
	const char *name = "default", *dir = HD_STATE_DIR, *format = "text", *cmd;
	int64_t min_age = BL_DEFAULT_MIN_AGE;
	char err[4800], path[4300];
	struct baseline b = {0}, now = {0};
	int ch, rc = 0;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 3 : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "save") != 0 && strcmp(cmd, "show") != 0 && strcmp(cmd, "diff") != 0)
		return fail("unknown command '%s' (save, show, diff); see --help", cmd);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc - 1, argv + 1, ":n:s:a:f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		case 's': dir = optarg; break;
		case 'a':
			if (hd_parse_int(optarg, &min_age) < 0 || min_age < 0 ||
			    min_age > INT32_MAX)
				return fail("--min-age '%s': expected seconds (0 or more)", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
				return fail("--format '%s': text or json", optarg);
			format = optarg;
			break;
		case 'h': usage(stdout); return 0;
		case ':': return fail("option '%s' needs a value", argv[optind]);
		default: return fail("unknown option '%s'; see --help", argv[optind]);
		}
	}
	if (optind < argc - 1)
		return fail("unexpected argument '%s'; see --help", argv[optind + 1]);
	if (!bl_name_valid(name))
		return fail("--name '%s': letters, digits, '.', '_' and '-' (at most 64, not "
			    "starting with '.')",
			    name);
	bl_file_path(dir, name, path, sizeof(path));

	if (strcmp(cmd, "save") == 0) {
		const struct hd_ctx ctx = {.root = "", .privileged = geteuid() == 0};
		char host[256] = "localhost";

		rc = bl_collect(&ctx,
				&(struct bl_collect_opts){.min_age = min_age, .need_owners = true},
				&b, err, sizeof(err));
		if (rc < 0)
			return fail("%s", err);
		gethostname(host, sizeof(host) - 1);
		b.name = hd_xstrdup(name);
		b.host = hd_xstrdup(host);
		b.saved = (int64_t)time(NULL);
		rc = bl_save(dir, &b, err, sizeof(err));
		if (rc < 0) {
			bl_free(&b);
			return fail("%s", err);
		}
		printf("saved baseline '%s' in %s: %zu processes, %zu listeners, %zu enabled "
		       "services\n",
		       name, path, b.nprocs, b.nls, b.nsvcs);
		if (geteuid() != 0)
			printf("not run as root: other users' programs and the holders of their "
			       "sockets could not all be read\n");
		bl_free(&b);
		return 0;
	}

	rc = bl_load(dir, name, &b, err, sizeof(err));
	if (rc == -ENOENT)
		return fail("no baseline '%s' (%s): record one with 'hostdoctor baseline save%s%s'",
			    name, path, strcmp(name, "default") ? " --name " : "",
			    strcmp(name, "default") ? name : "");
	if (rc < 0)
		return fail("%s", err);
	if (strcmp(cmd, "show") == 0) {
		if (strcmp(format, "json") == 0) {
			_cleanup_free_ char *text = bl_to_json(&b);
			fputs(text, stdout);
		} else {
			print_baseline(&b);
		}
		bl_free(&b);
		return 0;
	}

	/* diff */
	{
		const struct hd_ctx ctx = {.root = "", .privileged = geteuid() == 0};
		_cleanup_free_ struct bl_change *chg = NULL;
		_cleanup_free_ char *defs = NULL;
		size_t n, dlen = 0;
		char when[64];
		struct bl_compare_opts co = {.min_age = b.min_age, .uid_min = BL_DEFAULT_UID_MIN};

		rc = bl_collect(&ctx,
				&(struct bl_collect_opts){.keep_young = true, .need_owners = true},
				&now, err, sizeof(err));
		if (rc < 0) {
			bl_free(&b);
			return fail("%s", err);
		}
		if (hd_read_file(&ctx, "/etc/login.defs", &defs, &dlen, 1 << 20) == 0)
			co.uid_min = bl_uid_min(defs, dlen, BL_DEFAULT_UID_MIN);
		n = bl_compare(&b, &now, &co, &chg);
		fmt_time(b.saved, when, sizeof(when));
		printf("since the baseline '%s' of %s (%s):\n", name, when, b.host ? b.host : "?");
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *t = bl_change_text(&chg[i]);
			printf("  %s %s\n",
			       chg[i].what == BL_GONE  ? "-"
			       : chg[i].what == BL_NEW ? "+"
						       : "~",
			       t);
		}
		if (n == 0)
			printf("  nothing changed\n");
		/* 1 when the baseline check would alert; counts that follow the load do not */
		rc = 0;
		for (size_t i = 0; i < n; i++)
			if (chg[i].severity != HD_OK)
				rc = 1;
		bl_free(&now);
		bl_free(&b);
		return rc;
	}
}
