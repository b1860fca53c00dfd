/* ipsec-policy: the SPD policy files of the IPsec stack of vendor document 002 exist and root
 * can read them (expect = readable), or a security policy is available to the stack: a policy
 * file holds statements and the policy daemon runs (expect = loaded). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "ipsec_stack.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

static void strv_freep(char ***v)
{
	hd_strv_free(*v);
}

struct tally {
	size_t readable, statements, refs, problems, unknown;
	const char *first_with_policy;
};

/* One policy file: exists, regular, root reads it. Details and remedies as it goes. */
static void check_file(const struct hd_ctx *ctx, const char *file, bool report_missing,
		       struct tally *t, struct hd_result *r)
{
	char path[4096], dir[4096];
	_cleanup_free_ char *buf = NULL;
	struct ipsec_refs refs = {0};
	struct stat st;
	size_t len, n;
	int rc;

	if (hd_path(ctx, file, path, sizeof(path)) < 0 || stat(path, &st) < 0) {
		if (!report_missing)
			return;
		hd_result_detail(r, "%s: %s", file, strerror(errno));
		hd_result_remedy_add(r,
				     "Put the policy file %s back (or drop it from the check): the "
				     "stack does not reconfigure while a policy file is missing or "
				     "unreadable.",
				     file);
		t->problems++;
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		hd_result_detail(r, "%s: not a regular file", file);
		hd_result_remedy_add(r, "Put the policy file itself at %s.", file);
		t->problems++;
		return;
	}
	rc = hd_read_file(ctx, file, &buf, &len, 16 << 20);
	if (rc == -EACCES && !ctx->privileged) {
		hd_result_detail(r, "%s: cannot read as uid %u: run as root, as the stack does",
				 file, (unsigned)geteuid());
		t->unknown++;
		return;
	}
	if (rc < 0) {
		hd_result_detail(r, "%s: root cannot read it: %s", file, strerror(-rc));
		hd_result_remedy_add(r, "Make the policy file %s readable by root.", file);
		t->problems++;
		return;
	}
	n = ipsec_policy_statements(buf, len);
	snprintf(dir, sizeof(dir), "%s", file);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	ipsec_policy_refs(buf, len, dir, &refs);
	t->readable++;
	t->statements += n;
	t->refs += refs.n;
	if (n && !t->first_with_policy)
		t->first_with_policy = file;
	hd_result_detail(r,
			 "%s: readable, mode %04o, owner uid %u, %zu statement%s, %zu "
			 "credential file%s named",
			 file, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, n,
			 n == 1 ? "" : "s", refs.n, refs.n == 1 ? "" : "s");
	ipsec_refs_free(&refs);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	__attribute__((cleanup(strv_freep))) char **policies = NULL;
	const char *module = hd_check_str(c, "module");
	const char *daemon = hd_check_str(c, "daemon");
	bool loaded = strcmp(hd_check_str(c, "expect"), "loaded") == 0;
	struct ipsec_presence pr;
	struct tally t = {0};
	pid_t pid = 0;
	size_t nfiles = hd_check_list(c, "policy_files", &policies);

	ipsec_presence(ctx, policies, module, &pr);
	if (!ipsec_configured(&pr)) {
		_cleanup_free_ char *why = ipsec_not_configured_why(policies, module, &pr);
		hd_result_set(r, HD_SKIPPED, "IPsec is not configured: %s", why);
		return 0;
	}
	/* expect = loaded: a file the check lists but the site does not use is not a problem */
	for (size_t i = 0; i < nfiles; i++)
		check_file(ctx, policies[i], !loaded, &t, r);
	if (pr.module_loaded && !pr.files_present)
		hd_result_detail(r, "the engine module %s is loaded, but no policy file exists",
				 module);

	if (!loaded) {
		hd_result_metric(r, "problems", (double)t.problems, HD_UNIT_NONE)->has_min = true;
		hd_result_metric(r, "readable", (double)t.readable, HD_UNIT_NONE);
		hd_result_metric(r, "statements", (double)t.statements, HD_UNIT_NONE);
		if (!r->remedy)
			hd_result_remedy(r, "Keep every policy file present and readable by root.");
		if (t.problems)
			hd_result_set(r, HD_CRITICAL,
				      "%zu of %zu IPsec policy file%s missing or unreadable",
				      t.problems, nfiles, nfiles == 1 ? "" : "s");
		else if (t.unknown)
			hd_result_set(r, HD_UNKNOWN, "%zu IPsec policy file%s unreadable here",
				      t.unknown, t.unknown == 1 ? "" : "s");
		else
			hd_result_set(r, HD_OK,
				      "%zu IPsec policy file%s readable (%zu statement%s)",
				      t.readable, t.readable == 1 ? "" : "s", t.statements,
				      t.statements == 1 ? "" : "s");
		return 0;
	}

	/* expect = loaded */
	if (daemon && *daemon) {
		pid = ipsec_find_process(ctx, daemon);
		if (pid < 0) {
			hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc: %s", ctx->root,
				      strerror((int)-pid));
			return (int)pid;
		}
		if (pid > 0)
			hd_result_detail(r, "%s is running (pid %ld)", daemon, (long)pid);
		else
			hd_result_detail(r, "no %s process is running", daemon);
	}
	bool no_daemon = daemon && *daemon && pid == 0;
	hd_result_metric(r, "problems", (double)(!t.statements) + no_daemon, HD_UNIT_NONE)
	    ->has_min = true;
	hd_result_metric(r, "readable", (double)t.readable, HD_UNIT_NONE);
	hd_result_metric(r, "statements", (double)t.statements, HD_UNIT_NONE);
	if (!t.statements && t.unknown) {
		hd_result_set(r, HD_UNKNOWN,
			      "cannot tell whether a security policy is available: "
			      "the policy files are unreadable here");
		return -EACCES;
	}
	if (!t.statements) {
		hd_result_set(r, HD_CRITICAL,
			      "no security policy available: IPsec is configured (%s) but no "
			      "policy file holds a policy",
			      pr.files_present ? "a policy file exists" : "engine module loaded");
		hd_result_remedy(
		    r,
		    "Write the security policy into the policy file%s (%s%s), then "
		    "have the stack read it (restart %s); until then IKE has no policy "
		    "to answer peers with.",
		    nfiles == 1 ? "" : "s", nfiles ? policies[0] : "none configured",
		    nfiles > 1 ? " ..." : "", daemon && *daemon ? daemon : "its daemon");
		return 0;
	}
	if (no_daemon) {
		hd_result_set(r, HD_CRITICAL,
			      "no security policy loaded: %s holds a policy, but %s is not "
			      "running",
			      t.first_with_policy, daemon);
		hd_result_remedy(r, "Start %s as root so that it loads the policy of %s.", daemon,
				 t.first_with_policy);
		return 0;
	}
	if (pid > 0)
		hd_result_set(
		    r, HD_OK,
		    "security policy available: %zu statement%s in %zu file%s, %s running",
		    t.statements, t.statements == 1 ? "" : "s", t.readable,
		    t.readable == 1 ? "" : "s", daemon);
	else
		hd_result_set(r, HD_OK, "security policy available: %zu statement%s in %zu file%s",
			      t.statements, t.statements == 1 ? "" : "s", t.readable,
			      t.readable == 1 ? "" : "s");
	hd_result_remedy(r, "Keep a security policy in the policy files and %s running.",
			 daemon && *daemon ? daemon : "the policy daemon");
	return 0;
}

static const struct hd_param params[] = {
    {.key = "policy_files",
     .type = HD_P_LIST,
     .required = true,
     .help = "the SPD policy files of the stack"},
    {.key = "expect",
     .type = HD_P_ENUM,
     .def = "readable",
     .choices = "readable|loaded",
     .help = "readable: every file exists and root reads it; loaded: a policy is available"},
    {.key = "module",
     .type = HD_P_STR,
     .help = "the engine kernel module: when loaded, IPsec is configured here"},
    {.key = "daemon",
     .type = HD_P_STR,
     .help = "expect = loaded: the process that loads the policy (its comm name)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"problems", "Policy files missing or unreadable; for loaded: no policy, daemon not running."},
    {"readable", "Policy files root can read."},
    {"statements", "Policy statements (lines neither blank nor comments) in them."},
    {0},
};

const struct hd_probe probe_ipsec_policy = {
    .name = "ipsec-policy",
    .summary = "IPsec SPD policy files readable by root; a security policy available",
    .params = params,
    .metrics = metrics,
    .run = run,
};
