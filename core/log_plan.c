/* What a log-scan check reads: the journal where its `journal` key says so (and the host has
 * one), else the files of its `path`. */
#include "log_plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cleanup.h"
#include "util.h"

static char *join(char **v, size_t n, const char *sep)
{
	struct hd_buf b = {0};

	for (size_t i = 0; i < n; i++)
		hd_buf_printf(&b, "%s%s", i ? sep : "", v[i]);
	return hd_buf_steal(&b);
}

int hd_log_plan_make(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_log_plan *p,
		     char *why, size_t whylen)
{
	const char *jmode = hd_check_str(c, "journal");
	const char *catdir = hd_check_str(c, "catalog");
	bool present;

	memset(p, 0, sizeof(*p));
	p->state_dir = hd_check_str(c, "state_dir");
	p->catalog = catdir && *catdir ? catdir : hd_catalog_default_dir();
	p->priority = hd_check_has(c, "priority") ? hd_check_str(c, "priority") : NULL;
	p->from_start = strcmp(hd_check_str(c, "from"), "start") == 0;
	p->boot_current = strcmp(hd_check_str(c, "boot"), "current") == 0;
	p->npatterns = hd_check_list(c, "path", &p->patterns);
	p->nproducts = hd_check_list(c, "products", &p->products);
	p->nunits = hd_check_list(c, "unit", &p->units);
	p->nidentifiers = hd_check_list(c, "identifier", &p->identifiers);
	if (p->priority && hd_journal_parse_priority(p->priority, &p->prio_mask) < 0) {
		char where[256];
		hd_check_where(c, "priority", where, sizeof(where));
		snprintf(why, whylen,
			 "%s: priority '%s' is not a level (emerg, alert, crit, err, warning, "
			 "notice, info, debug, 0-7) or FROM..TO",
			 where, p->priority);
		return -EINVAL;
	}
	present = strcmp(jmode, "no") != 0 && hd_journal_present(ctx);
	/* auto: the journal where there is one; else the files (never both: on a host with a
	 * journal, syslog files hold the same lines) */
	p->journal = present;
	if (!p->journal || strcmp(jmode, "yes") == 0)
		p->nfiles = hd_log_expand_paths(ctx, p->patterns, p->npatterns, &p->files);
	if (strcmp(jmode, "yes") == 0 && !present && p->nfiles > 0) {
		snprintf(p->note, sizeof(p->note),
			 "no journal on this host%s: only the files of 'path' were read",
			 *ctx->root ? " under the root" : "");
	} else if (strcmp(jmode, "yes") == 0 && !present) {
		snprintf(p->skip, sizeof(p->skip),
			 "no journal on this host%s (no journal files in /var/log/journal or "
			 "/run/log/journal)",
			 *ctx->root ? " under the root" : "");
		snprintf(p->skip_remedy, sizeof(p->skip_remedy),
			 "Set journal = auto to read the log files of 'path' where there is no "
			 "journal.");
	} else if (!p->journal && p->nfiles == 0) {
		_cleanup_free_ char *s = join(p->patterns, p->npatterns, ", ");
		if (p->npatterns == 0)
			snprintf(p->skip, sizeof(p->skip),
				 "no journal on this host and no 'path' set");
		else
			snprintf(p->skip, sizeof(p->skip), "%sno log file matches %s%s",
				 strcmp(jmode, "auto") == 0 ? "no journal on this host and " : "",
				 s, *ctx->root ? " under the root" : "");
		snprintf(p->skip_remedy, sizeof(p->skip_remedy),
			 "Set 'path' to the log files of this host (globs allowed), or journal = "
			 "yes on a host with the systemd journal.");
	}
	return 0;
}

struct hd_journal_query hd_log_plan_query(const struct hd_log_plan *p, const char *cursor)
{
	return (struct hd_journal_query){
	    .units = p->units,
	    .nunits = p->nunits,
	    .identifiers = p->identifiers,
	    .nidentifiers = p->nidentifiers,
	    .priorities = p->prio_mask,
	    .boot_current = p->boot_current,
	    .cursor = cursor,
	};
}

bool hd_log_plan_expand(struct hd_log_plan *p, const struct hd_ctx *ctx)
{
	char **files = NULL;
	size_t n = hd_log_expand_paths(ctx, p->patterns, p->npatterns, &files);
	bool same = n == p->nfiles;

	for (size_t i = 0; same && i < n; i++)
		same = strcmp(files[i], p->files[i]) == 0;
	if (same) {
		hd_strv_free(files);
		return false;
	}
	hd_strv_free(p->files);
	p->files = files;
	p->nfiles = n;
	return true;
}

void hd_log_plan_free(struct hd_log_plan *p)
{
	hd_strv_free(p->patterns);
	hd_strv_free(p->files);
	hd_strv_free(p->units);
	hd_strv_free(p->identifiers);
	hd_strv_free(p->products);
	memset(p, 0, sizeof(*p));
}
