/* Parsers of the selinux-allow probe (config, mounts, binary policy), shared with the tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* /etc/selinux/config: SELINUX= and SELINUXTYPE= ("" when absent). */
struct selinux_config {
	char mode[32];
	char type[64];
};
int selinux_config_parse(const char *buf, size_t len, struct selinux_config *out);

/* Mount point of the selinuxfs in a /proc/self/mounts text. 0, or -ENOENT when none. */
int selinux_mounts_find(const char *buf, size_t len, char *mnt, size_t size);

/* Value of a boolean as the running system has it, or -1 to keep the policy's default. */
typedef int (*selinux_bool_fn)(const char *name, void *arg);

struct selinux_query {
	const char *source, *target, *cls;
	char **perms; /* NULL-terminated */
	selinux_bool_fn bool_value;
	void *bool_arg;
};

struct selinux_perm {
	char *name;
	bool exists;	 /* the class defines it */
	bool allowed;	 /* an enabled allow rule grants it (or handle_unknown=allow) */
	char *via;	 /* attribute(s) the grant came through, NULL when the type itself */
	char *gate;	 /* when denied only for a boolean: "NAME on|off", else NULL */
	char *gate_expr; /* the condition as written in the policy ("bpf_prog_run") */
};

struct selinux_answer {
	bool source_known, target_known, class_known;
	bool source_is_attr, target_is_attr;
	bool handle_unknown_allow; /* the policy allows classes and permissions it does not define
				    */
	bool source_permissive;	   /* the source type is a permissive domain */
	unsigned policyvers;
	size_t nperms;
	struct selinux_perm *perms;
	size_t nmissing;
	char error[256]; /* why the policy could not be read */
};

/* Evaluate Q on a binary kernel policy (policy.NN bytes) through libsepol's policydb:
 * allow rules, attributes, conditional rules with boolean states. Returns 0 (A filled,
 * free with selinux_answer_free()), or -EINVAL with A->error naming the problem. */
int selinux_policy_query(const char *bytes, size_t len, const struct selinux_query *q,
			 struct selinux_answer *a);
void selinux_answer_free(struct selinux_answer *a);
