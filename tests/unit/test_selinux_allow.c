/* selinux-allow parsers: config, mounts, and a binary policy compiled here with checkpolicy. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "paths.h"
#include "probe_selinux_allow.h"

extern char **environ;

/* One type per case: the rule whole, one permission short, behind a false boolean, behind a
 * true boolean in an else block, through an attribute. */
static const char policy_conf[] =
    "class process\nclass bpf\nsid kernel\n"
    "class process { transition fork }\n"
    "class bpf { map_create map_read map_write prog_load prog_run }\n"
    "attribute bpf_users;\n"
    "type kernel_t;\ntype unconfined_service_t;\ntype partial_t;\ntype gated_t;\n"
    "type negated_t;\ntype via_attr_t, bpf_users;\ntype other_t, bpf_users;\n"
    "bool bpf_prog_run false;\nbool bpf_lockdown true;\n"
    "allow unconfined_service_t self:bpf { map_create map_read map_write prog_load prog_run "
    "};\n"
    "allow partial_t self:bpf { map_create map_read map_write prog_load };\n"
    "allow gated_t self:bpf { map_create map_read map_write prog_load };\n"
    "if (bpf_prog_run) { allow gated_t self:bpf prog_run; }\n"
    "allow negated_t self:bpf { map_create map_read map_write prog_load };\n"
    "if (bpf_lockdown) { allow negated_t self:process fork; } else { allow negated_t "
    "self:bpf prog_run; }\n"
    "allow bpf_users bpf_users:bpf { map_create map_read map_write prog_load prog_run };\n"
    "allow kernel_t self:process { transition fork };\n"
    "role system_r;\n"
    "role system_r types { kernel_t unconfined_service_t partial_t gated_t negated_t "
    "via_attr_t "
    "other_t };\n"
    "user system_u roles { system_r };\n"
    "sid kernel system_u:system_r:kernel_t\n";

static char *policy;
static size_t policy_len;

static int compile(void **state)
{
	char dir[] = "/tmp/hd-selinux-XXXXXX", conf[64], out[64];
	char *argv[] = {"checkpolicy", "-c", "33", "-o", out, conf, NULL};
	posix_spawn_file_actions_t fa;
	FILE *f;
	pid_t pid;
	int status;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(conf, sizeof(conf), "%s/policy.conf", dir);
	snprintf(out, sizeof(out), "%s/policy.33", dir);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fputs(policy_conf, f);
	fclose(f);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "checkpolicy", &fa, NULL, argv, environ) != 0 ||
	    waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "checkpolicy failed (is it installed?)\n");
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (hd_read_path(out, &policy, &policy_len, 0) < 0)
		return -1;
	unlink(out);
	unlink(conf);
	rmdir(dir);
	return 0;
}

static int release(void **state)
{
	(void)state;
	free(policy);
	return 0;
}

static char *perms_all[] = {"map_create", "map_read", "map_write", "prog_load", "prog_run", NULL};

struct query_case {
	const char *name, *source, *target;
	size_t want_missing;
	const char *denied; /* the one denied permission, or NULL */
	const char *gate;   /* its boolean switch */
	const char *via;    /* attribute of the grant of prog_run */
	bool source_known;
};

static const struct query_case query_cases[] = {
    {"rule present", "unconfined_service_t", NULL, 0, NULL, NULL, NULL, true},
    {"one permission missing", "partial_t", NULL, 1, "prog_run", NULL, NULL, true},
    {"behind a false boolean", "gated_t", NULL, 1, "prog_run", "bpf_prog_run on", NULL, true},
    {"in the else block of a true boolean", "negated_t", NULL, 1, "prog_run", "bpf_lockdown off",
     NULL, true},
    {"through an attribute", "via_attr_t", NULL, 0, NULL, NULL, "bpf_users", true},
    {"attribute across types", "via_attr_t", "other_t", 0, NULL, NULL, "bpf_users", true},
    {"unknown type", "nosuch_t", NULL, 5, NULL, NULL, NULL, false},
};

static void test_query(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(query_cases) / sizeof(query_cases[0]); i++) {
		const struct query_case *k = &query_cases[i];
		struct selinux_query q = {.source = k->source,
					  .target = k->target ? k->target : k->source,
					  .cls = "bpf",
					  .perms = perms_all};
		struct selinux_answer a;

		if (selinux_policy_query(policy, policy_len, &q, &a) != 0)
			fail_msg("%s: query failed: %s", k->name, a.error);
		if (a.nmissing != k->want_missing || a.source_known != k->source_known)
			fail_msg("%s: %zu missing (known %d), wanted %zu", k->name, a.nmissing,
				 a.source_known, k->want_missing);
		assert_true(a.class_known);
		assert_int_equal(a.policyvers, 33);
		if (k->denied) {
			const struct selinux_perm *pm = &a.perms[4];
			assert_string_equal(pm->name, k->denied);
			assert_false(pm->allowed);
			if (k->gate) {
				assert_non_null(pm->gate);
				assert_string_equal(pm->gate, k->gate);
			} else {
				assert_null(pm->gate);
			}
		}
		if (k->via) {
			assert_non_null(a.perms[4].via);
			assert_string_equal(a.perms[4].via, k->via);
		} else if (!k->denied && k->source_known) {
			assert_null(a.perms[4].via);
		}
		selinux_answer_free(&a);
	}
}

/* Booleans as the running system has them override the file's defaults. */
static int bool_on(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "bpf_prog_run") == 0 ? 1 : -1;
}

static void test_runtime_boolean(void **state)
{
	struct selinux_query q = {.source = "gated_t",
				  .target = "gated_t",
				  .cls = "bpf",
				  .perms = perms_all,
				  .bool_value = bool_on};
	struct selinux_answer a;

	(void)state;
	assert_int_equal(selinux_policy_query(policy, policy_len, &q, &a), 0);
	assert_int_equal(a.nmissing, 0);
	selinux_answer_free(&a);
}

static void test_unknown_class_and_perm(void **state)
{
	char *perms[] = {"prog_run", "no_such_perm", NULL};
	struct selinux_query q = {.source = "unconfined_service_t",
				  .target = "unconfined_service_t",
				  .cls = "bpf",
				  .perms = perms};
	struct selinux_answer a;

	(void)state;
	assert_int_equal(selinux_policy_query(policy, policy_len, &q, &a), 0);
	assert_true(a.perms[0].allowed);
	assert_false(a.perms[1].exists);
	assert_false(a.perms[1].allowed); /* checkpolicy's default: deny unknown */
	assert_int_equal(a.nmissing, 1);
	selinux_answer_free(&a);

	q.cls = "perf_event";
	assert_int_equal(selinux_policy_query(policy, policy_len, &q, &a), 0);
	assert_false(a.class_known);
	assert_int_equal(a.nmissing, 2);
	selinux_answer_free(&a);
}

/* A policy cut anywhere, or bytes that are no policy: an error with a reason, never a crash. */
static void test_truncated(void **state)
{
	struct selinux_query q = {
	    .source = "gated_t", .target = "gated_t", .cls = "bpf", .perms = perms_all};
	struct selinux_answer a;
	size_t step = policy_len / 97 + 1;

	(void)state;
	for (size_t cut = 0; cut < policy_len; cut += step) {
		char *copy = malloc(cut + 1); /* exactly CUT bytes: ASan sees any overread */
		memcpy(copy, policy, cut);
		if (selinux_policy_query(copy, cut, &q, &a) != -EINVAL)
			fail_msg("a policy cut at %zu of %zu bytes was accepted", cut, policy_len);
		assert_true(a.error[0] != '\0');
		selinux_answer_free(&a);
		free(copy);
	}
	static const char junk[] = "SELINUX=enforcing\nthis is not a binary policy\n";
	assert_int_equal(selinux_policy_query(junk, sizeof(junk) - 1, &q, &a), -EINVAL);
	selinux_answer_free(&a);
}

static void test_config(void **state)
{
	static const struct {
		const char *text, *mode, *type;
		int rc;
	} rows[] = {
	    {"SELINUX=enforcing\nSELINUXTYPE=targeted\n", "enforcing", "targeted", 0},
	    {"# comment\n  SELINUX=Permissive\nSELINUXTYPE=\"mls\"\n", "permissive", "mls", 0},
	    {"SELINUX=disabled", "disabled", "", 0},
	    {"#SELINUX=enforcing\n", "", "", 0},
	    {"SELINUXTYPE=../../tmp\n", "", "../../tmp", -EINVAL},
	    {"", "", "", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct selinux_config c;
		int rc = selinux_config_parse(rows[i].text, strlen(rows[i].text), &c);
		assert_int_equal(rc, rows[i].rc);
		assert_string_equal(c.mode, rows[i].mode);
		assert_string_equal(c.type, rows[i].type);
	}
}

static void test_mounts(void **state)
{
	static const char with[] = "proc /proc proc rw 0 0\n"
				   "selinuxfs /sys/fs/selinux selinuxfs rw,relatime 0 0\n";
	static const char without[] = "proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0";
	char mnt[256];

	(void)state;
	assert_int_equal(selinux_mounts_find(with, sizeof(with) - 1, mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/selinux");
	assert_int_equal(selinux_mounts_find(without, sizeof(without) - 1, mnt, sizeof(mnt)),
			 -ENOENT);
	assert_int_equal(selinux_mounts_find("", 0, mnt, sizeof(mnt)), -ENOENT);
}

/* Fields come from one line each: a short line does not borrow the next line's first word (a
 * mount at /x whose options line was cut, followed by a line starting with selinuxfs), and the
 * bytes past LEN are never read. */
static void test_mounts_line_ends(void **state)
{
	static const char cut[] = "tmpfs /x\nselinuxfs /sys/fs/selinux selinuxfs rw 0 0\n";
	static const char across[] = "a b\nselinuxfs c d\n";
	char *exact = malloc(sizeof(cut) - 2), mnt[256];

	(void)state;
	assert_int_equal(selinux_mounts_find(cut, sizeof(cut) - 1, mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/selinux");
	assert_int_equal(selinux_mounts_find(across, sizeof(across) - 1, mnt, sizeof(mnt)),
			 -ENOENT);
	/* no newline and no NUL after the last field (the sanitizer build sees a read past it) */
	memcpy(exact, cut, sizeof(cut) - 2);
	assert_int_equal(selinux_mounts_find(exact, sizeof(cut) - 2, mnt, sizeof(mnt)), 0);
	assert_string_equal(mnt, "/sys/fs/selinux");
	free(exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query),
	    cmocka_unit_test(test_runtime_boolean),
	    cmocka_unit_test(test_unknown_class_and_perm),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_mounts),
	    cmocka_unit_test(test_mounts_line_ends),
	};
	return cmocka_run_group_tests(tests, compile, release);
}
