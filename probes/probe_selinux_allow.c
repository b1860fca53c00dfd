/* selinux-allow: does the SELinux policy grant one allow rule, and if not, why not. */
#include "probe_selinux_allow.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <selinux/selinux.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* libsepol names a member of cond_expr_t "bool", which <stdbool.h> turns into a type: read the
 * headers with the macro lifted, and reach the member through one accessor. */
#undef bool
#include <sepol/debug.h>
#include <sepol/handle.h>
#include <sepol/policydb.h>
#include <sepol/policydb/avtab.h>
#include <sepol/policydb/conditional.h>
#include <sepol/policydb/ebitmap.h>
#include <sepol/policydb/hashtab.h>
#include <sepol/policydb/policydb.h>
static inline uint32_t cond_bool(const cond_expr_t *e)
{
	return e->bool;
}
#define bool _Bool

#define DEFAULT_PERMS "map_create map_read map_write prog_load prog_run"

/* ---- /etc/selinux/config and /proc/self/mounts ---- */

/* Copy VALUE (up to end of line, quotes and trailing blanks dropped) into OUT. */
static void config_value(const char *v, const char *eol, char *out, size_t size)
{
	while (v < eol && (*v == ' ' || *v == '\t'))
		v++;
	while (eol > v && isspace((unsigned char)eol[-1]))
		eol--;
	if (eol - v >= 2 && (*v == '"' || *v == '\'') && eol[-1] == *v) {
		v++;
		eol--;
	}
	snprintf(out, size, "%.*s", (int)(eol - v), v);
}

int selinux_config_parse(const char *buf, size_t len, struct selinux_config *out)
{
	const char *p = buf, *end = buf + len;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p;

		if (!eol)
			eol = end;
		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		if ((size_t)(eol - s) > 8 && strncmp(s, "SELINUX=", 8) == 0)
			config_value(s + 8, eol, out->mode, sizeof(out->mode));
		else if ((size_t)(eol - s) > 12 && strncmp(s, "SELINUXTYPE=", 12) == 0)
			config_value(s + 12, eol, out->type, sizeof(out->type));
		p = eol + 1;
	}
	for (char *c = out->mode; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	/* the policy type names a directory: nothing that leaves /etc/selinux */
	if (strchr(out->type, '/') || strcmp(out->type, "..") == 0 || strcmp(out->type, ".") == 0)
		return -EINVAL;
	return 0;
}

int selinux_mounts_find(const char *buf, size_t len, char *mnt, size_t size)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		char dev[64], dir[512], type[64];

		if (!eol)
			eol = end;
		if (sscanf(p, "%63s %511s %63s", dev, dir, type) == 3 &&
		    strcmp(type, "selinuxfs") == 0 && (size_t)(eol - p) < 2048) {
			snprintf(mnt, size, "%s", dir);
			return 0;
		}
		p = eol + 1;
	}
	return -ENOENT;
}

/* ---- the binary policy through libsepol ---- */

static void sepol_handle_freep(sepol_handle_t **h)
{
	if (*h)
		sepol_handle_destroy(*h);
}
static void sepol_policydb_freep(sepol_policydb_t **p)
{
	if (*p)
		sepol_policydb_free(*p);
}
static void sepol_policy_file_freep(sepol_policy_file_t **f)
{
	if (*f)
		sepol_policy_file_free(*f);
}

/* libsepol reports through a callback: keep the last message as the reason. */
static void sepol_msg(void *arg, sepol_handle_t *h, const char *fmt, ...)
{
	struct selinux_answer *a = arg;
	va_list ap;

	(void)h;
	va_start(ap, fmt);
	vsnprintf(a->error, sizeof(a->error), fmt, ap);
	va_end(ap);
}

/* Symbol table lookup with the table's own hash and compare functions. */
static void *sym_lookup(hashtab_t h, const char *key)
{
	if (!h || !h->htable || !h->size)
		return NULL;
	for (hashtab_ptr_t n = h->htable[h->hash_value(h, key) % h->size]; n; n = n->next)
		if (h->keycmp(h, key, n->key) == 0)
			return n->datum;
	return NULL;
}

static bool ebitmap_has(const ebitmap_t *e, unsigned int bit)
{
	for (const ebitmap_node_t *n = e->node; n; n = n->next)
		if (bit >= n->startbit && bit < n->startbit + MAPSIZE)
			return ebitmap_node_get_bit(n, bit) != 0;
	return false;
}

/* Does a rule written for KEYTYPE apply to TYPE (itself or one of its attributes)? 1-based. */
static bool covers(const policydb_t *p, uint32_t keytype, uint32_t type)
{
	return keytype == type ||
	       (p->type_attr_map && ebitmap_has(&p->type_attr_map[type - 1], keytype - 1));
}

static uint32_t type_value(const policydb_t *p, const char *name, bool *known, bool *attr)
{
	type_datum_t *t = sym_lookup(p->p_types.table, name);

	*known = t && t->s.value >= 1 && t->s.value <= p->p_types.nprim;
	if (!*known)
		return 0;
	*attr = p->type_val_to_struct && p->type_val_to_struct[t->s.value - 1] &&
		p->type_val_to_struct[t->s.value - 1]->flavor == TYPE_ATTRIB;
	return t->s.value;
}

/* Evaluate a conditional expression (reverse Polish, as the kernel does). 0/1, -1: malformed. */
static int cond_eval(const cond_expr_t *e, const int *states, uint32_t nbools)
{
	int s[COND_EXPR_MAXDEPTH];
	int sp = -1;

	for (; e; e = e->next) {
		switch (e->expr_type) {
		case COND_BOOL:
			if (sp == COND_EXPR_MAXDEPTH - 1 || cond_bool(e) == 0 ||
			    cond_bool(e) > nbools)
				return -1;
			s[++sp] = states[cond_bool(e) - 1] != 0;
			break;
		case COND_NOT:
			if (sp < 0)
				return -1;
			s[sp] = !s[sp];
			break;
		case COND_OR:
		case COND_AND:
		case COND_XOR:
		case COND_EQ:
		case COND_NEQ:
			if (sp < 1)
				return -1;
			sp--;
			if (e->expr_type == COND_OR)
				s[sp] = s[sp] || s[sp + 1];
			else if (e->expr_type == COND_AND)
				s[sp] = s[sp] && s[sp + 1];
			else if (e->expr_type == COND_XOR || e->expr_type == COND_NEQ)
				s[sp] = s[sp] != s[sp + 1];
			else
				s[sp] = s[sp] == s[sp + 1];
			break;
		default: return -1;
		}
	}
	return sp == 0 ? s[0] : -1;
}

/* The expression in infix form, as a person would write it in the policy. */
static char *cond_text(const policydb_t *p, const cond_expr_t *e)
{
	static const char *const ops[] = {[COND_OR] = "||",
					  [COND_AND] = "&&",
					  [COND_XOR] = "^",
					  [COND_EQ] = "==",
					  [COND_NEQ] = "!="};
	char *s[COND_EXPR_MAXDEPTH] = {0};
	int sp = -1;
	char *out = NULL;

	for (; e; e = e->next) {
		if (e->expr_type == COND_BOOL && sp < COND_EXPR_MAXDEPTH - 1 && cond_bool(e) >= 1 &&
		    cond_bool(e) <= p->p_bools.nprim) {
			s[++sp] = hd_xstrdup(p->p_bool_val_to_name[cond_bool(e) - 1]);
		} else if (e->expr_type == COND_NOT && sp >= 0) {
			char *t = hd_asprintf("!%s", s[sp]);
			free(s[sp]);
			s[sp] = t;
		} else if (e->expr_type >= COND_OR && e->expr_type <= COND_NEQ && sp >= 1) {
			char *t = hd_asprintf("(%s %s %s)", s[sp - 1], ops[e->expr_type], s[sp]);
			free(s[sp]);
			free(s[sp - 1]);
			s[--sp] = t;
		} else {
			break;
		}
	}
	if (sp == 0 && !e)
		out = HD_TAKE(s[0]);
	for (int i = 0; i < COND_EXPR_MAXDEPTH; i++)
		free(s[i]);
	return out ? out : hd_xstrdup("(unreadable condition)");
}

struct query_state {
	const policydb_t *p;
	uint32_t s, t, cls;
	uint32_t bits[64]; /* permission bit of each requested permission, 0: not defined */
	bool direct[64];
	struct selinux_answer *a;
	int *states;
};

static const char *type_name(const policydb_t *p, uint32_t v)
{
	return v >= 1 && v <= p->p_types.nprim && p->p_type_val_to_name[v - 1]
		   ? p->p_type_val_to_name[v - 1]
		   : "?";
}

static bool rule_matches(const struct query_state *qs, const avtab_key_t *k)
{
	return (k->specified & AVTAB_ALLOWED) && k->target_class == qs->cls &&
	       k->source_type >= 1 && k->source_type <= qs->p->p_types.nprim &&
	       k->target_type >= 1 && k->target_type <= qs->p->p_types.nprim &&
	       covers(qs->p, k->source_type, qs->s) && covers(qs->p, k->target_type, qs->t);
}

static void grant(struct query_state *qs, const avtab_key_t *k, uint32_t data)
{
	for (size_t i = 0; i < qs->a->nperms; i++) {
		struct selinux_perm *pm = &qs->a->perms[i];

		if (!qs->bits[i] || !(data & qs->bits[i]))
			continue;
		pm->allowed = true;
		if (k->source_type == qs->s && k->target_type == qs->t) {
			qs->direct[i] = true;
		} else if (!pm->via) {
			pm->via = hd_xstrdup(type_name(
			    qs->p, k->source_type != qs->s ? k->source_type : k->target_type));
		}
	}
}

/* A denied permission that a conditional block would grant: find one boolean to flip. */
static void gate(struct query_state *qs, const cond_node_t *cn, bool want, uint32_t data)
{
	const policydb_t *p = qs->p;

	for (size_t i = 0; i < qs->a->nperms; i++) {
		struct selinux_perm *pm = &qs->a->perms[i];

		if (!qs->bits[i] || !(data & qs->bits[i]) || pm->allowed || pm->gate_expr)
			continue;
		pm->gate_expr = cond_text(p, cn->expr);
		if (!want) { /* an else block: the rule holds while the condition is false */
			char *t = hd_asprintf("!%s", pm->gate_expr);
			free(pm->gate_expr);
			pm->gate_expr = t;
		}
		for (const cond_expr_t *e = cn->expr; e; e = e->next) {
			int old, v;

			if (e->expr_type != COND_BOOL || cond_bool(e) == 0 ||
			    cond_bool(e) > p->p_bools.nprim)
				continue;
			old = qs->states[cond_bool(e) - 1];
			qs->states[cond_bool(e) - 1] = !old;
			v = cond_eval(cn->expr, qs->states, p->p_bools.nprim);
			qs->states[cond_bool(e) - 1] = old;
			if (v == (int)want) {
				pm->gate =
				    hd_asprintf("%s %s", p->p_bool_val_to_name[cond_bool(e) - 1],
						old ? "off" : "on");
				break;
			}
		}
	}
}

static uint32_t perm_bit(const class_datum_t *c, const char *name)
{
	perm_datum_t *pd = sym_lookup(c->permissions.table, name);

	if (!pd && c->comdatum)
		pd = sym_lookup(c->comdatum->permissions.table, name);
	return pd && pd->s.value >= 1 && pd->s.value <= 32 ? 1u << (pd->s.value - 1) : 0;
}

static void query(const policydb_t *p, const struct selinux_query *q, struct selinux_answer *a)
{
	struct query_state qs = {.p = p, .a = a};
	class_datum_t *cls;
	_cleanup_free_ int *states = NULL;

	a->policyvers = p->policyvers;
	a->handle_unknown_allow = p->handle_unknown == SEPOL_ALLOW_UNKNOWN;
	qs.s = type_value(p, q->source, &a->source_known, &a->source_is_attr);
	qs.t = type_value(p, q->target, &a->target_known, &a->target_is_attr);
	cls = sym_lookup(p->p_classes.table, q->cls);
	a->class_known = cls && cls->s.value >= 1 && cls->s.value <= p->p_classes.nprim;
	qs.cls = a->class_known ? cls->s.value : 0;
	for (size_t i = 0; i < a->nperms; i++) {
		qs.bits[i] = a->class_known ? perm_bit(cls, a->perms[i].name) : 0;
		a->perms[i].exists = qs.bits[i] != 0;
		/* the kernel lets through what the policy does not define when it says so */
		if (!qs.bits[i] && a->handle_unknown_allow)
			a->perms[i].allowed = true;
	}
	if (qs.s && !a->source_is_attr && a->source_known)
		a->source_permissive = ebitmap_has(&p->permissive_map, qs.s);
	if (!qs.s || !qs.t || !qs.cls || a->source_is_attr || a->target_is_attr)
		goto count;

	for (uint32_t i = 0; p->te_avtab.htable && i < p->te_avtab.nslot; i++)
		for (avtab_ptr_t n = p->te_avtab.htable[i]; n; n = n->next)
			if (rule_matches(&qs, &n->key))
				grant(&qs, &n->key, n->datum.data);

	/* boolean states: the policy's defaults, or the running system's values */
	states = hd_xcalloc(p->p_bools.nprim + 1, sizeof(int));
	for (uint32_t b = 0; b < p->p_bools.nprim; b++) {
		int v = -1;
		if (q->bool_value && p->p_bool_val_to_name[b])
			v = q->bool_value(p->p_bool_val_to_name[b], q->bool_arg);
		states[b] = v >= 0		       ? v
			    : p->bool_val_to_struct[b] ? p->bool_val_to_struct[b]->state
						       : 0;
	}
	qs.states = states;
	for (const cond_node_t *cn = p->cond_list; cn; cn = cn->next) {
		int v = cond_eval(cn->expr, states, p->p_bools.nprim);

		for (int side = 1; side >= 0; side--) {
			for (const cond_av_list_t *l = side ? cn->true_list : cn->false_list; l;
			     l = l->next) {
				if (!l->node || !rule_matches(&qs, &l->node->key))
					continue;
				if (v == side)
					grant(&qs, &l->node->key, l->node->datum.data);
			}
		}
	}
	/* second pass: what stays denied but a boolean would grant */
	for (const cond_node_t *cn = p->cond_list; cn; cn = cn->next) {
		int v = cond_eval(cn->expr, states, p->p_bools.nprim);

		for (int side = 1; side >= 0; side--)
			for (const cond_av_list_t *l = side ? cn->true_list : cn->false_list; l;
			     l = l->next)
				if (l->node && v != side && rule_matches(&qs, &l->node->key))
					gate(&qs, cn, side, l->node->datum.data);
	}
	for (size_t i = 0; i < a->nperms; i++)
		if (qs.direct[i]) {
			free(a->perms[i].via);
			a->perms[i].via = NULL;
		}
count:
	a->nmissing = 0;
	for (size_t i = 0; i < a->nperms; i++)
		if (!a->perms[i].allowed)
			a->nmissing++;
}

int selinux_policy_query(const char *bytes, size_t len, const struct selinux_query *q,
			 struct selinux_answer *a)
{
	__attribute__((cleanup(sepol_handle_freep))) sepol_handle_t *h = NULL;
	__attribute__((cleanup(sepol_policydb_freep))) sepol_policydb_t *pdb = NULL;
	__attribute__((cleanup(sepol_policy_file_freep))) sepol_policy_file_t *pf = NULL;
	size_t n = 0;

	memset(a, 0, sizeof(*a));
	while (q->perms[n])
		n++;
	if (n > 32) {
		snprintf(a->error, sizeof(a->error), "more than 32 permissions asked");
		return -EINVAL;
	}
	a->perms = hd_xcalloc(n + 1, sizeof(*a->perms));
	a->nperms = n;
	for (size_t i = 0; i < n; i++)
		a->perms[i].name = hd_xstrdup(q->perms[i]);

	h = sepol_handle_create();
	if (!h || sepol_policydb_create(&pdb) < 0 || sepol_policy_file_create(&pf) < 0)
		return -ENOMEM;
	sepol_msg_set_callback(h, sepol_msg, a);
	sepol_policy_file_set_mem(pf, (char *)bytes, len);
	sepol_policy_file_set_handle(pf, h);
	if (sepol_policydb_read(pdb, pf) < 0) {
		if (!a->error[0])
			snprintf(a->error, sizeof(a->error),
				 "not a readable SELinux binary policy");
		return -EINVAL;
	}
	if (pdb->p.policy_type != POLICY_KERN) {
		snprintf(a->error, sizeof(a->error), "a policy module, not a kernel policy");
		return -EINVAL;
	}
	a->error[0] = '\0';
	query(&pdb->p, q, a);
	return 0;
}

void selinux_answer_free(struct selinux_answer *a)
{
	for (size_t i = 0; i < a->nperms; i++) {
		free(a->perms[i].name);
		free(a->perms[i].via);
		free(a->perms[i].gate);
		free(a->perms[i].gate_expr);
	}
	free(a->perms);
	a->perms = NULL;
	a->nperms = 0;
}

/* ---- the host: mode, policy file, booleans, module store ---- */

struct bool_dir {
	const struct hd_ctx *ctx;
	const char *mnt; /* selinuxfs mount point, NULL offline */
};

/* <selinuxfs>/booleans/NAME holds "current pending": the running value wins over the file's. */
static int live_bool(const char *name, void *arg)
{
	const struct bool_dir *bd = arg;
	_cleanup_free_ char *buf = NULL;
	char path[600];

	if (!bd->mnt || strchr(name, '/'))
		return -1;
	snprintf(path, sizeof(path), "%s/booleans/%s", bd->mnt, name);
	if (hd_read_file(bd->ctx, path, &buf, NULL, 64) < 0)
		return -1;
	return buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -1;
}

/* Highest-numbered policy.NN in /etc/selinux/TYPE/policy. */
static int find_policy(const struct hd_ctx *ctx, const char *type, char *out, size_t size)
{
	char rel[256], dir[768];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;
	long best = -1;

	snprintf(rel, sizeof(rel), "/etc/selinux/%s/policy", type);
	if (hd_path(ctx, rel, dir, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *endp;
		long v;

		if (strncmp(e->d_name, "policy.", 7) != 0 || !isdigit((unsigned char)e->d_name[7]))
			continue;
		v = strtol(e->d_name + 7, &endp, 10);
		if (!*endp && v > best)
			best = v;
	}
	if (best < 0)
		return -ENOENT;
	snprintf(out, size, "%s/policy.%ld", rel, best);
	return 0;
}

/* Module store: /var/lib/selinux/TYPE/active/modules/PRIO/NAME (or /etc/selinux/... on
 * older releases); a file modules/disabled/NAME marks it disabled. 1 installed, 0 not,
 * -1 disabled. *WHERE gets the directory found. */
static int module_state(const struct hd_ctx *ctx, const char *type, const char *name, char *where,
			size_t size)
{
	static const char *const stores[] = {"/var/lib/selinux/%s/active/modules",
					     "/etc/selinux/%s/active/modules",
					     "/etc/selinux/%s/modules/active/modules"};
	int found = 0;

	for (size_t i = 0; i < HD_ARRAY_SIZE(stores) && !found; i++) {
		char rel[256], dir[768], p[1100];
		_cleanup_closedir_ DIR *d = NULL;
		struct dirent *e;
		struct stat st;

		snprintf(rel, sizeof(rel), stores[i], type);
		if (hd_path(ctx, rel, dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
			continue;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' || strcmp(e->d_name, "disabled") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s/%s", dir, e->d_name, name);
			if (stat(p, &st) == 0) {
				snprintf(where, size, "%s/%s/%s", rel, e->d_name, name);
				found = 1;
				break;
			}
		}
		/* RHEL 7 keeps NAME.pp directly in the store */
		snprintf(p, sizeof(p), "%s/%s.pp", dir, name);
		if (!found && stat(p, &st) == 0) {
			snprintf(where, size, "%s/%s.pp", rel, name);
			found = 1;
		}
		snprintf(p, sizeof(p), "%s/disabled/%s", dir, name);
		if (found && stat(p, &st) == 0)
			found = -1;
	}
	return found;
}

/* Ask the running kernel (libselinux); fills allowed[] or returns a negative errno. */
static int live_query(const char *source, const char *target, const char *cls, char **perms,
		      size_t n, bool *allowed)
{
	security_class_t tclass = string_to_security_class(cls);
	struct av_decision avd;
	_cleanup_free_ char *scon = NULL, *tcon = NULL;
	const char *mls = is_selinux_mls_enabled() ? ":s0" : "";
	access_vector_t want = 0;

	if (!tclass)
		return -ENOENT;
	scon = hd_asprintf("system_u:system_r:%s%s", source, mls);
	tcon = hd_asprintf("system_u:system_r:%s%s", target, mls);
	for (size_t i = 0; i < n; i++)
		want |= string_to_av_perm(tclass, perms[i]);
	if (security_compute_av_flags(scon, tcon, tclass, want, &avd) < 0)
		return -errno;
	for (size_t i = 0; i < n; i++) {
		access_vector_t bit = string_to_av_perm(tclass, perms[i]);
		allowed[i] = bit ? (avd.allowed & bit) == bit : !security_deny_unknown();
	}
	return 0;
}

static char *perm_set(char **perms, size_t n)
{
	struct hd_buf b = {0};

	if (n == 1)
		return hd_xstrdup(perms[0]);
	hd_buf_add(&b, "{", 1);
	for (size_t i = 0; i < n; i++)
		hd_buf_printf(&b, " %s", perms[i]);
	hd_buf_add(&b, " }", 2);
	return hd_buf_steal(&b);
}

/* The remedy for denied permissions: booleans first, then the product's module, then a module
 * of the exact rule. */
static void remedy(struct hd_result *r, const struct selinux_answer *a, const char *source,
		   const char *target, const char *cls, const char *module, int modstate)
{
	char **missing = hd_xcalloc(a->nperms + 1, sizeof(char *));
	size_t n = 0;
	bool gated = false;
	char modname[64];
	size_t m = 0;

	for (size_t i = 0; i < a->nperms; i++) {
		const struct selinux_perm *pm = &a->perms[i];
		if (pm->allowed)
			continue;
		if (pm->gate) {
			char name[128], state[8];
			if (sscanf(pm->gate, "%127s %7s", name, state) == 2)
				hd_result_remedy_add(r, "setsebool -P %s %s   (grants %s)", name,
						     state, pm->name);
			gated = true;
		} else {
			missing[n++] = pm->name;
		}
	}
	if (module && modstate == -1)
		hd_result_remedy_add(r, "semodule -e %s   (the module is installed but disabled)",
				     module);
	if (n && module && modstate == 0)
		hd_result_remedy_add(r,
				     "Reinstall or upgrade the product: it installs the SELinux "
				     "module %s that carries this rule (check with semodule -l).",
				     module);
	if (n) {
		_cleanup_free_ char *set = perm_set(missing, n);
		const char *tgt = strcmp(source, target) == 0 ? "self" : target;

		m = (size_t)snprintf(modname, sizeof(modname), "local_%s", source);
		for (size_t i = 0; i < m && i < sizeof(modname); i++)
			if (!isalnum((unsigned char)modname[i]) && modname[i] != '_')
				modname[i] = '_';
		hd_result_remedy_add(r,
				     "Or load the rule as a local module (checkmodule is in the "
				     "package checkpolicy, semodule_package and semodule in "
				     "policycoreutils) - write %s.te:",
				     modname);
		hd_result_remedy_add(r, "    module %s 1.0;", modname);
		hd_result_remedy_add(r, "    require {");
		hd_result_remedy_add(r, "        type %s;", source);
		if (strcmp(tgt, "self") != 0)
			hd_result_remedy_add(r, "        type %s;", target);
		hd_result_remedy_add(r, "        class %s %s;", cls, set);
		hd_result_remedy_add(r, "    }");
		hd_result_remedy_add(r, "    allow %s %s:%s %s;", source, tgt, cls, set);
		hd_result_remedy_add(r,
				     "then: checkmodule -M -m -o %s.mod %s.te && semodule_package "
				     "-o %s.pp -m %s.mod && semodule -i %s.pp",
				     modname, modname, modname, modname, modname);
	} else if (!gated) {
		hd_result_remedy_add(r, "Check the policy with: sesearch -A -s %s -t %s -c %s",
				     source, target, cls);
	}
	free(missing);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *source = hd_check_str(c, "source");
	const char *target = hd_check_has(c, "target") ? hd_check_str(c, "target") : source;
	const char *cls = hd_check_str(c, "class");
	const char *module = hd_check_str(c, "module");
	bool permissive_ok = strcmp(hd_check_str(c, "permissive"), "ok") == 0;
	char **raw = NULL, **perms;
	size_t n = 0, nraw;
	struct selinux_config cfg = {0};
	char mnt[512] = "", policy[512], modwhere[600] = "";
	_cleanup_free_ char *cfgbuf = NULL, *mounts = NULL, *enforce = NULL, *pol = NULL,
			    *set = NULL;
	const char *mode; /* "enforcing", "permissive", "policy file" */
	struct selinux_answer a = {0};
	struct bool_dir bd = {.ctx = ctx};
	size_t len = 0;
	int rc, modstate = 0;

	if (strcmp(target, "self") == 0)
		target = source;
	if (module && (strcmp(module, "none") == 0 || !module[0]))
		module = NULL;
	nraw = hd_check_list(c, "perms", &raw);
	perms = hd_xcalloc(nraw + 1, sizeof(char *));
	for (size_t i = 0; i < nraw; i++) /* "{ a b }" as written in a .te file */
		if (strcmp(raw[i], "{") != 0 && strcmp(raw[i], "}") != 0)
			perms[n++] = raw[i];
	set = perm_set(perms, n);

	rc = hd_read_file(ctx, "/etc/selinux/config", &cfgbuf, &len, 1 << 16);
	if (rc == 0 && selinux_config_parse(cfgbuf, len, &cfg) < 0) {
		hd_result_set(r, HD_UNKNOWN,
			      "%s/etc/selinux/config: SELINUXTYPE='%s' is not a "
			      "policy name",
			      ctx->root, cfg.type);
		rc = -EINVAL;
		goto out;
	}
	if (!cfg.type[0])
		snprintf(cfg.type, sizeof(cfg.type), "targeted");

	if (hd_check_has(c, "policy")) {
		/* pre-install: what this policy file would do, whatever the host runs now */
		snprintf(policy, sizeof(policy), "%s", hd_check_str(c, "policy"));
		mode = "policy file";
	} else {
		rc = hd_read_file(ctx, "/proc/self/mounts", &mounts, &len, 0);
		if (rc < 0) {
			hd_result_set(r, HD_UNKNOWN, "cannot read %s/proc/self/mounts: %s",
				      ctx->root, strerror(-rc));
			goto out;
		}
		if (selinux_mounts_find(mounts, len, mnt, sizeof(mnt)) < 0) {
			rc = 0;
			hd_result_set(r, HD_SKIPPED, "SELinux is disabled (no selinuxfs mounted)");
			if (cfg.mode[0] && strcmp(cfg.mode, "disabled") != 0)
				hd_result_detail(r,
						 "/etc/selinux/config has SELINUX=%s: SELinux "
						 "starts %s at the next boot",
						 cfg.mode, cfg.mode);
			hd_result_remedy(r, "Nothing to do while SELinux is disabled.");
			goto out;
		}
		char path[600];
		snprintf(path, sizeof(path), "%s/enforce", mnt);
		rc = hd_read_file(ctx, path, &enforce, &len, 64);
		if (rc < 0) {
			hd_result_set(r, HD_UNKNOWN,
				      "selinuxfs is mounted but %s%s is unreadable: %s", ctx->root,
				      path, strerror(-rc));
			goto out;
		}
		if (enforce[0] != '0' && enforce[0] != '1') {
			hd_result_set(r, HD_UNKNOWN, "%s%s holds '%.20s', not 0 or 1", ctx->root,
				      path, enforce);
			rc = -EINVAL;
			goto out;
		}
		mode = enforce[0] == '1' ? "enforcing" : "permissive";
		bd.mnt = mnt;
		rc = find_policy(ctx, cfg.type, policy, sizeof(policy));
		if (rc < 0) {
			hd_result_set(r, HD_UNKNOWN,
				      "SELinux is %s but no policy file is readable in "
				      "%s/etc/selinux/%s/policy: %s",
				      mode, ctx->root, cfg.type, strerror(-rc));
			hd_result_remedy(r, "Reinstall the policy package (selinux-policy-%s).",
					 cfg.type);
			goto out;
		}
	}

	rc = hd_read_file(ctx, policy, &pol, &len, 256u << 20);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read the policy %s%s: %s", ctx->root, policy,
			      strerror(-rc));
		goto out;
	}
	struct selinux_query q = {.source = source,
				  .target = target,
				  .cls = cls,
				  .perms = perms,
				  .bool_value = bd.mnt ? live_bool : NULL,
				  .bool_arg = &bd};
	rc = selinux_policy_query(pol, len, &q, &a);
	if (rc < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot read the SELinux policy %s%s: %s", ctx->root,
			      policy, a.error);
		hd_result_remedy(r, "Check the file (seinfo %s); rebuild it with semodule -B.",
				 policy);
		goto out;
	}
	hd_result_detail(r, "policy: %s (version %u)", policy, a.policyvers);

	/* the running kernel has the last word where it can be asked */
	if (!ctx->root[0] && bd.mnt && !hd_check_has(c, "policy") && is_selinux_enabled() > 0) {
		bool *live = hd_xcalloc(n + 1, sizeof(bool));
		int lrc = live_query(source, target, cls, perms, n, live);
		if (lrc == 0) {
			a.nmissing = 0;
			for (size_t i = 0; i < n; i++) {
				a.perms[i].allowed = live[i];
				a.nmissing += !live[i];
			}
			hd_result_detail(
			    r, "answer from the running kernel (security_compute_av_flags)");
		} else {
			hd_result_detail(r,
					 "the running kernel could not be asked (%s); answer from "
					 "the policy file",
					 strerror(-lrc));
		}
		free(live);
	}

	if (module) {
		modstate = module_state(ctx, cfg.type, module, modwhere, sizeof(modwhere));
		hd_result_detail(r, "module %s: %s%s%s", module,
				 modstate > 0	 ? "installed"
				 : modstate == 0 ? "not installed"
						 : "installed but disabled",
				 modwhere[0] ? " at " : "", modwhere);
	}
	hd_result_metric(r, "missing", (double)a.nmissing, HD_UNIT_NONE)->has_min = true;
	hd_result_metric(r, "enforcing", strcmp(mode, "enforcing") == 0, HD_UNIT_NONE);

	if (!a.class_known && !a.handle_unknown_allow) {
		hd_result_set(r, HD_CRITICAL,
			      "class %s is not defined in %s: every %s request is "
			      "denied",
			      cls, policy, cls);
		hd_result_remedy(
		    r,
		    "Update the SELinux policy package (dnf update selinux-policy-%s): "
		    "this policy predates the %s class.",
		    cfg.type, cls);
		goto out;
	}
	const char *unknown = !a.source_known ? source : !a.target_known ? target : NULL;
	if (unknown) {
		hd_result_set(r, HD_CRITICAL,
			      "type %s is not defined in %s: the rule %s %s:%s %s "
			      "cannot exist",
			      unknown, policy, source, strcmp(source, target) ? target : "self",
			      cls, set);
		if (module && modstate <= 0)
			hd_result_remedy(
			    r,
			    "Reinstall or upgrade the product to reinstall its SELinux "
			    "module %s, which defines %s.",
			    module, unknown);
		else
			hd_result_remedy(r,
					 "Install the policy module that defines %s (semodule -i "
					 "MODULE.pp), or correct the type name in the check.",
					 unknown);
		goto out;
	}
	if (a.source_is_attr || a.target_is_attr) {
		hd_result_set(r, HD_UNKNOWN, "%s is an attribute, not a type: name the domain",
			      a.source_is_attr ? source : target);
		rc = -EINVAL;
		goto out;
	}

	for (size_t i = 0; i < a.nperms; i++) {
		const struct selinux_perm *pm = &a.perms[i];
		if (!pm->exists)
			hd_result_detail(r, "%s: not defined in class %s (%s by handle_unknown)",
					 pm->name, cls, pm->allowed ? "allowed" : "denied");
		else if (pm->allowed && pm->via)
			hd_result_detail(r, "%s: allowed through attribute %s", pm->name, pm->via);
		else if (pm->allowed)
			hd_result_detail(r, "%s: allowed", pm->name);
		else if (pm->gate)
			hd_result_detail(r, "%s: denied; allowed only when %s (setsebool -P %s)",
					 pm->name, pm->gate_expr, pm->gate);
		else if (pm->gate_expr)
			hd_result_detail(r, "%s: denied; allowed only when %s", pm->name,
					 pm->gate_expr);
		else
			hd_result_detail(r, "%s: denied (no allow rule)", pm->name);
	}
	if (a.source_permissive)
		hd_result_detail(
		    r, "%s is a permissive domain: its denials are logged, not enforced", source);

	const char *tgt = strcmp(source, target) == 0 ? "self" : target;
	if (a.nmissing) {
		struct hd_buf b = {0};
		_cleanup_free_ char *list = NULL;
		for (size_t i = 0; i < a.nperms; i++) {
			if (a.perms[i].allowed)
				continue;
			hd_buf_printf(&b, "%s%s", b.len ? ", " : "", a.perms[i].name);
			if (a.perms[i].gate)
				hd_buf_printf(&b, " (needs boolean %s)", a.perms[i].gate);
		}
		list = hd_buf_steal(&b);
		hd_result_set(r, strcmp(mode, "permissive") == 0 ? HD_WARNING : HD_CRITICAL,
			      "%s%s denies %s %s:%s: %s",
			      strcmp(mode, "policy file") ? "SELinux " : "",
			      strcmp(mode, "policy file") ? mode : policy, source, tgt, cls, list);
		if (strcmp(mode, "permissive") == 0)
			hd_result_detail(r,
					 "permissive now: these are denied once SELinux enforces");
		remedy(r, &a, source, target, cls, module, modstate);
	} else if (strcmp(mode, "permissive") == 0) {
		hd_result_set(r, permissive_ok ? HD_OK : HD_WARNING,
			      "SELinux is permissive (the policy allows %s %s:%s %s)", source, tgt,
			      cls, set);
		hd_result_remedy(r,
				 "setenforce 1, and SELINUX=enforcing in /etc/selinux/config; or "
				 "set permissive = ok in this check if permissive is intended.");
	} else {
		hd_result_set(r, HD_OK, "%s%s allows %s %s:%s %s",
			      strcmp(mode, "policy file") ? "SELinux " : "",
			      strcmp(mode, "policy file") ? mode : policy, source, tgt, cls, set);
		remedy(r, &a, source, target, cls, module, modstate);
	}
	rc = 0;
out:
	selinux_answer_free(&a);
	free(perms);
	hd_strv_free(raw);
	return rc;
}

static const struct hd_param params[] = {
    {.key = "source",
     .type = HD_P_STR,
     .def = "unconfined_service_t",
     .help = "source type (the product's domain)"},
    {.key = "target",
     .type = HD_P_STR,
     .help = "target type; default: the source (an allow ... self: rule)"},
    {.key = "class", .type = HD_P_STR, .def = "bpf", .help = "object class"},
    {.key = "perms",
     .type = HD_P_LIST,
     .def = DEFAULT_PERMS,
     .help = "permissions the rule must grant"},
    {.key = "policy",
     .type = HD_P_STR,
     .help = "evaluate this binary policy file whatever the running mode (pre-install)"},
    {.key = "permissive",
     .type = HD_P_ENUM,
     .def = "warning",
     .choices = "warning|ok",
     .help = "status when SELinux is permissive and the rule is present"},
    {.key = "module",
     .type = HD_P_STR,
     .def = "cisco-secure-bpf",
     .help = "policy module expected to carry the rule ('none': do not look)"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"missing", "Requested permissions the policy does not grant."},
    {"enforcing", "1 when SELinux enforces, else 0."},
    {0},
};

const struct hd_probe probe_selinux_allow = {
    .name = "selinux-allow",
    .summary = "an SELinux allow rule (default: the connector's bpf rule) in the running or a "
	       "given policy",
    .params = params,
    .metrics = metrics,
    .run = run,
};
