/* What changed since the baseline: processes and listeners gone (CRITICAL), new ones
 * (WARNING), enabled services added or removed, and instance counts (information only). */
#include "baseline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "util.h"

void bl_listen_label(const struct bl_listen *l, char *buf, size_t size)
{
	if (strchr(l->addr, ':'))
		snprintf(buf, size, "%s [%s]:%u", l->proto, l->addr, l->port);
	else
		snprintf(buf, size, "%s %s:%u", l->proto, l->addr, l->port);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The same program: name, user and unit equal; the path equal unless one side could not read
 * it (another user's process, without root). */
static bool proc_same(const struct bl_proc *a, const struct bl_proc *b)
{
	return strcmp(a->name, b->name) == 0 && a->uid == b->uid && same(a->unit, b->unit) &&
	       (!*a->exe || !*b->exe || strcmp(a->exe, b->exe) == 0);
}

static bool listen_same(const struct bl_listen *a, const struct bl_listen *b)
{
	return a->port == b->port && strcmp(a->proto, b->proto) == 0 &&
	       strcmp(a->addr, b->addr) == 0;
}

static bool ignored(const struct bl_compare_opts *o, const char *name, const struct bl_listen *l)
{
	char pp[16];

	if (l)
		snprintf(pp, sizeof(pp), "%s/%u", l->proto, l->port);
	for (char **i = o->ignore; i && *i; i++)
		if ((name && strcmp(*i, name) == 0) || (l && strcmp(*i, pp) == 0))
			return true;
	return false;
}

static void push(struct bl_change **v, size_t *n, struct bl_change c)
{
	*v = hd_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = c;
}

size_t bl_compare(const struct baseline *old, const struct baseline *now,
		  const struct bl_compare_opts *o, struct bl_change **out)
{
	struct bl_change *v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < old->nprocs; i++) {
		const struct bl_proc *p = &old->procs[i];
		uint32_t count = 0;
		bool found = false;

		if (ignored(o, p->name, NULL))
			continue;
		for (size_t k = 0; k < now->nprocs; k++)
			if (proc_same(p, &now->procs[k])) {
				found = true;
				count += now->procs[k].count;
			}
		if (!found)
			push(&v, &n,
			     (struct bl_change){BL_PROC, BL_GONE, HD_CRITICAL, .proc = p,
						.old_count = p->count});
		else if (count != p->count) /* a worker pool follows the load: not an alert */
			push(&v, &n,
			     (struct bl_change){BL_PROC, BL_COUNT, HD_OK, .proc = p,
						.old_count = p->count, .new_count = count});
	}
	for (size_t k = 0; k < now->nprocs; k++) {
		const struct bl_proc *q = &now->procs[k];
		bool known = false;

		if (q->on_demand || q->age < (double)o->min_age || ignored(o, q->name, NULL))
			continue;
		for (size_t i = 0; i < old->nprocs && !known; i++)
			known = proc_same(&old->procs[i], q);
		if (!known)
			push(&v, &n,
			     (struct bl_change){BL_PROC, BL_NEW,
						q->uid < o->uid_min ? HD_WARNING : HD_OK, .proc = q,
						.new_count = q->count});
	}
	for (size_t i = 0; i < old->nls; i++) {
		const struct bl_listen *l = &old->ls[i];
		bool found = false;

		if (ignored(o, NULL, l))
			continue;
		for (size_t k = 0; k < now->nls && !found; k++)
			found = listen_same(l, &now->ls[k]);
		if (!found)
			push(&v, &n, (struct bl_change){BL_LISTEN, BL_GONE, HD_CRITICAL, .ls = l});
	}
	for (size_t k = 0; k < now->nls; k++) {
		const struct bl_listen *l = &now->ls[k];
		bool known = false;

		if (ignored(o, l->owner, l))
			continue;
		for (size_t i = 0; i < old->nls && !known; i++)
			known = listen_same(&old->ls[i], l);
		if (!known)
			push(&v, &n, (struct bl_change){BL_LISTEN, BL_NEW, HD_WARNING, .ls = l});
	}
	for (size_t i = 0; i < old->nsvcs; i++) {
		bool found = false;
		for (size_t k = 0; k < now->nsvcs && !found; k++)
			found = strcmp(old->svcs[i].unit, now->svcs[k].unit) == 0;
		if (!found)
			push(&v, &n,
			     (struct bl_change){BL_SERVICE, BL_GONE, HD_WARNING,
						.svc = &old->svcs[i]});
	}
	for (size_t k = 0; k < now->nsvcs; k++) {
		bool known = false;
		for (size_t i = 0; i < old->nsvcs && !known; i++)
			known = strcmp(old->svcs[i].unit, now->svcs[k].unit) == 0;
		if (!known)
			push(&v, &n,
			     (struct bl_change){BL_SERVICE, BL_NEW, HD_WARNING,
						.svc = &now->svcs[k]});
	}
	*out = v;
	return n;
}

static void proc_label(struct hd_buf *b, const struct bl_proc *p)
{
	hd_buf_printf(b, "process %s (%s%s%s%s%s)", p->name, *p->exe ? p->exe : "",
		      *p->exe ? ", " : "", p->user, p->unit ? ", " : "", p->unit ? p->unit : "");
}

static void owner_label(struct hd_buf *b, const struct bl_listen *l)
{
	if (l->owner && l->pid)
		hd_buf_printf(b, " by %s (pid %ld%s%s)", l->owner, l->pid, l->user ? ", " : "",
			      l->user ? l->user : "");
	else if (l->owner)
		hd_buf_printf(b, " by %s", l->owner);
	if (l->act != BL_ACT_DAEMON)
		hd_buf_printf(b, ", activated by %s%s%s",
			      l->act == BL_ACT_SYSTEMD ? "systemd" : "a super-server",
			      l->socket_unit ? " " : "", l->socket_unit ? l->socket_unit : "");
}

char *bl_change_text(const struct bl_change *c)
{
	struct hd_buf b = {0};
	char lb[96];

	switch (c->kind) {
	case BL_PROC:
		if (c->what == BL_NEW)
			hd_buf_printf(&b, "new since the baseline: ");
		proc_label(&b, c->proc);
		if (c->what == BL_GONE)
			hd_buf_printf(&b, ": not running (%u in the baseline)", c->old_count);
		else if (c->what == BL_NEW)
			hd_buf_printf(&b, ", %u running, pid %ld: %.120s", c->new_count,
				      c->proc->pid, c->proc->cmdline ? c->proc->cmdline : "");
		else
			hd_buf_printf(&b, ": %u running, %u in the baseline", c->new_count,
				      c->old_count);
		break;
	case BL_LISTEN:
		bl_listen_label(c->ls, lb, sizeof(lb));
		if (c->what == BL_NEW) {
			hd_buf_printf(&b, "new since the baseline: listener %s", lb);
			owner_label(&b, c->ls);
		} else {
			hd_buf_printf(&b, "listener %s", lb);
			if (c->ls->owner)
				hd_buf_printf(&b, " of %s", c->ls->owner);
			if (c->ls->act != BL_ACT_DAEMON)
				hd_buf_printf(&b, " (on demand, %s%s%s)",
					      c->ls->act == BL_ACT_SYSTEMD ? "systemd"
									   : "super-server",
					      c->ls->socket_unit ? " " : "",
					      c->ls->socket_unit ? c->ls->socket_unit : "");
			hd_buf_printf(&b, ": not listening");
		}
		break;
	case BL_SERVICE:
		if (c->what == BL_NEW)
			hd_buf_printf(&b, "new since the baseline: enabled service %s (%s)",
				      c->svc->unit, c->svc->wanted_by);
		else
			hd_buf_printf(&b, "service %s (%s): no longer enabled", c->svc->unit,
				      c->svc->wanted_by);
		break;
	}
	return hd_buf_steal(&b);
}

/* A unit that can be started: a service or socket, not a scope (a login session, a container). */
static bool startable(const char *unit)
{
	size_t n = unit ? strlen(unit) : 0;
	return n > 8 &&
	       (strcmp(unit + n - 8, ".service") == 0 || strcmp(unit + n - 7, ".socket") == 0);
}

char *bl_change_remedy(const struct bl_change *c, const char *name)
{
	char lb[96];
	const char *save = strcmp(name, "default") == 0 ? "hostdoctor baseline save" : NULL;
	_cleanup_free_ char *save_named =
	    save ? NULL : hd_asprintf("hostdoctor baseline save --name %s", name);

	if (!save)
		save = save_named;
	if (c->what == BL_NEW || c->kind == BL_SERVICE) {
		if (c->kind == BL_SERVICE && c->what == BL_GONE)
			return hd_asprintf(
			    "Enable it again if it should run: systemctl enable --now %s; "
			    "if it was disabled on purpose, record the host as it is: %s",
			    c->svc->unit, save);
		if (c->kind == BL_PROC)
			return hd_asprintf("Find out who started pid %ld (%s) and why: ps -o "
					   "pid,ppid,user,lstart,args "
					   "-p %ld; ls -l /proc/%ld/exe. If it is expected, record "
					   "the host as it is: %s",
					   c->proc->pid, c->proc->name, c->proc->pid, c->proc->pid,
					   save);
		if (c->kind == BL_LISTEN) {
			bl_listen_label(c->ls, lb, sizeof(lb));
			if (c->ls->pid)
				return hd_asprintf(
				    "Find out why %s (pid %ld) listens on %s: ps -o "
				    "pid,ppid,user,lstart,args "
				    "-p %ld. If it is expected, record the host as it is: %s",
				    c->ls->owner ? c->ls->owner : "?", c->ls->pid, lb, c->ls->pid,
				    save);
			return hd_asprintf(
			    "Find the program listening on %s: ss -lnp '( sport = :%u )' "
			    "(as root). If it is expected, record the host as it is: %s",
			    lb, c->ls->port, save);
		}
		return hd_asprintf(
		    "Find out who enabled %s (systemctl status %s). If it is expected, "
		    "record the host as it is: %s",
		    c->svc->unit, c->svc->unit, save);
	}
	if (c->kind == BL_PROC) {
		if (startable(c->proc->unit))
			return hd_asprintf("Start it: systemctl start %s; then see why it stopped: "
					   "journalctl -u %s -n 50",
					   c->proc->unit, c->proc->unit);
		return hd_asprintf("Start it as it ran: %s (as %s); if it should no longer run, "
				   "record the host as it is: %s",
				   c->proc->cmdline && *c->proc->cmdline ? c->proc->cmdline
									 : c->proc->exe,
				   c->proc->user, save);
	}
	/* a listener gone */
	bl_listen_label(c->ls, lb, sizeof(lb));
	if (c->ls->act == BL_ACT_SYSTEMD && c->ls->socket_unit)
		return hd_asprintf("Start its socket unit: systemctl start %s", c->ls->socket_unit);
	if (c->ls->act == BL_ACT_INETD)
		return hd_asprintf(
		    "Restart the super-server that listened on %s (%s) and check that "
		    "its configuration still enables this service (/etc/inetd.conf, "
		    "/etc/xinetd.d/)",
		    lb, c->ls->owner ? c->ls->owner : "inetd");
	if (startable(c->ls->unit))
		return hd_asprintf("Start its service: systemctl start %s; then see why it stopped "
				   "listening: journalctl -u %s -n 50",
				   c->ls->unit, c->ls->unit);
	if (c->ls->cmdline)
		return hd_asprintf("Start it as it ran: %s (as %s); if it should no longer listen, "
				   "record the host as it is: %s",
				   c->ls->cmdline, c->ls->user ? c->ls->user : "its user", save);
	return hd_asprintf("Start the service that listened on %s; if it should no longer listen, "
			   "record the host as it is: %s",
			   lb, save);
}
