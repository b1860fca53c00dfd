/* The baseline: units from cgroup bytes, socket units' ports, UID_MIN, the JSON file (round
 * trip, every kind of damage, a later version) and the comparison with its remedies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "baseline.h"
#include "util.h"

static void test_cgroup_unit(void **state)
{
	static const struct {
		const char *in, *unit;
		bool session;
	} rows[] = {
	    {"0::/system.slice/ssh.service\n", "ssh.service", false},
	    {"0::/system.slice/nginx.service/payload\n", "nginx.service", false},
	    {"0::/system.slice/system-getty.slice/getty@tty1.service\n", "getty@tty1.service",
	     false},
	    {"0::/user.slice/user-1000.slice/session-3.scope\n", "session-3.scope", true},
	    {"0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n",
	     "user@1000.service", true},
	    {"0::/init.scope\n", "init.scope", false},
	    {"12:pids:/\n1:name=systemd:/system.slice/cron.service\n", "cron.service", false},
	    {"1:name=systemd:/system.slice/cron.service\n0::/system.slice/cron.service\n",
	     "cron.service", false},
	    {"0::/\n", NULL, false},
	    {"0::/system.slice\n", NULL, false},
	    {"0::/docker/3f2a9c\n", NULL, false},
	    {"0::/.service\n", NULL, false},
	    {"", NULL, false},
	    {"garbage without colons", NULL, false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *u = bl_cgroup_unit(rows[i].in, strlen(rows[i].in));
		if (rows[i].unit)
			assert_string_equal(u, rows[i].unit);
		else
			assert_null(u);
		free(u);
		assert_int_equal(bl_cgroup_is_session(rows[i].in, strlen(rows[i].in)),
				 rows[i].session);
	}
}

static void test_small_parsers(void **state)
{
	const char *unit =
	    "[Unit]\nDescription=x\n[Socket]\nListenStream=22\n"
	    "  ListenStream=[::]:2222\nListenDatagram=0.0.0.0:69\n"
	    "ListenStream=/run/foo.sock\nListenStream=@abstract\nListenStream=99999\n"
	    "Accept=yes\nListenStream=127.0.0.1:8080";
	uint16_t ports[8];
	bool tcp[8];
	size_t n;

	(void)state;
	n = bl_socket_unit_ports(unit, strlen(unit), ports, tcp, 8);
	assert_int_equal(n, 4);
	assert_int_equal(ports[0], 22);
	assert_true(tcp[0]);
	assert_int_equal(ports[1], 2222);
	assert_int_equal(ports[2], 69);
	assert_false(tcp[2]);
	assert_int_equal(ports[3], 8080);
	assert_int_equal(bl_socket_unit_ports(unit, strlen(unit), ports, tcp, 2), 2);

	assert_int_equal(bl_uid_min("UID_MIN 500\n", 12, 1000), 500);
	assert_int_equal(bl_uid_min("#UID_MIN 600\nUID_MAX 60000\n", 27, 1000), 1000);
	assert_int_equal(bl_uid_min("  UID_MIN\t\t 1200", 16, 1000), 1200);
	assert_int_equal(bl_uid_min("UID_MINX 5\n", 11, 1000), 1000);
	assert_int_equal(bl_uid_min("", 0, 1000), 1000);

	assert_true(bl_is_superserver("xinetd"));
	assert_true(bl_is_superserver("inetd"));
	assert_true(bl_is_superserver("systemd-socket-"));
	assert_false(bl_is_superserver("systemd"));
	assert_false(bl_is_superserver(NULL));

	assert_true(bl_name_valid("default"));
	assert_true(bl_name_valid("before-upgrade_2.1"));
	assert_false(bl_name_valid(""));
	assert_false(bl_name_valid(".hidden"));
	assert_false(bl_name_valid("../x"));
	assert_false(bl_name_valid("a b"));
}

static struct bl_proc mkproc(const char *name, const char *exe, const char *user, uint32_t uid,
			     uint32_t count, const char *unit, const char *cmdline)
{
	return (struct bl_proc){.name = hd_xstrdup(name),
				.exe = hd_xstrdup(exe),
				.user = hd_xstrdup(user),
				.uid = uid,
				.count = count,
				.unit = hd_xstrdup_null(unit),
				.cmdline = hd_xstrdup(cmdline)};
}

static struct baseline sample(void)
{
	struct baseline b = {.version = BL_VERSION,
			     .name = hd_xstrdup("default"),
			     .host = hd_xstrdup("web1"),
			     .saved = 1700000000,
			     .min_age = 60};

	b.nprocs = 3;
	b.procs = hd_xcalloc(3, sizeof(*b.procs));
	b.procs[0] = mkproc("sshd", "/usr/sbin/sshd", "root", 0, 1, "ssh.service",
			    "sshd: /usr/sbin/sshd -D [listener]");
	b.procs[1] = mkproc("apache2", "/usr/sbin/apache2", "www-data", 33, 5, "apache2.service",
			    "/usr/sbin/apache2 -k start");
	b.procs[2] = mkproc("backupd", "/opt/b/backupd", "root", 0, 1, NULL,
			    "/opt/b/backupd --daemon \"x y\"");
	b.nls = 3;
	b.ls = hd_xcalloc(3, sizeof(*b.ls));
	b.ls[0] = (struct bl_listen){.proto = "tcp",
				     .addr = hd_xstrdup("0.0.0.0"),
				     .port = 22,
				     .owner = hd_xstrdup("sshd"),
				     .unit = hd_xstrdup("ssh.service")};
	b.ls[1] = (struct bl_listen){.proto = "tcp",
				     .addr = hd_xstrdup("::"),
				     .port = 21,
				     .owner = hd_xstrdup("xinetd"),
				     .act = BL_ACT_INETD};
	b.ls[2] = (struct bl_listen){.proto = "udp",
				     .addr = hd_xstrdup("0.0.0.0"),
				     .port = 69,
				     .owner = hd_xstrdup("systemd"),
				     .act = BL_ACT_SYSTEMD,
				     .socket_unit = hd_xstrdup("tftp.socket")};
	b.nsvcs = 1;
	b.svcs = hd_xcalloc(1, sizeof(*b.svcs));
	b.svcs[0] = (struct bl_service){.unit = hd_xstrdup("ssh.service"),
					.wanted_by = hd_xstrdup("multi-user.target")};
	return b;
}

static void test_json_round_trip(void **state)
{
	struct baseline b = sample(), c;
	char err[256];
	char *text = bl_to_json(&b), *again;

	(void)state;
	assert_int_equal(bl_from_json(text, strlen(text), &c, err, sizeof(err)), 0);
	assert_int_equal(c.nprocs, 3);
	assert_string_equal(c.procs[2].cmdline, "/opt/b/backupd --daemon \"x y\"");
	assert_null(c.procs[2].unit);
	assert_int_equal(c.procs[1].count, 5);
	assert_int_equal(c.procs[1].uid, 33);
	assert_int_equal(c.ls[1].act, BL_ACT_INETD);
	assert_string_equal(c.ls[2].socket_unit, "tftp.socket");
	assert_string_equal(c.ls[2].proto, "udp");
	assert_string_equal(c.svcs[0].wanted_by, "multi-user.target");
	assert_int_equal(c.saved, 1700000000);
	again = bl_to_json(&c);
	assert_string_equal(text, again);
	free(text);
	free(again);
	bl_free(&b);
	bl_free(&c);
}

static void test_json_damage(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *err;
	} rows[] = {
	    {"{", -EINVAL, "ends early"},
	    {"", -EINVAL, "ends early"},
	    {"[]", -EINVAL, "not a JSON object"},
	    {"{\"format\": \"x\", \"version\": 1}", -EINVAL, "format is 'x'"},
	    {"{\"version\": 1}", -EINVAL, "no 'format'"},
	    {"{\"format\": \"hostdoctor-baseline\"}", -EINVAL, "no 'version'"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": \"1\"}", -EINVAL,
	     "'version' is not an integer"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 2, \"processes\": 5}", -EPROTO,
	     "version 2 was written by a newer hostdoctor; this one reads version 1"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 1}", -EINVAL,
	     "no 'processes' list"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 1, \"processes\": {}}", -EINVAL,
	     "'processes' is not a list"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 1, \"processes\": [{\"user\": "
	     "\"root\", \"uid\": 0}], \"listeners\": [], \"services\": []}",
	     -EINVAL, "processes[0]: no 'name'"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 1, \"processes\": [], "
	     "\"listeners\": [{\"proto\": \"tcp\", \"address\": \"::\", \"port\": 70000}], "
	     "\"services\": []}",
	     -EINVAL, "listeners[0]: 'port' is out of range"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 1, \"processes\": [], "
	     "\"listeners\": [{\"proto\": \"sctp\", \"address\": \"::\", \"port\": 7}], "
	     "\"services\": []}",
	     -EINVAL, "proto 'sctp' is neither tcp nor udp"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 1, \"processes\": [], "
	     "\"listeners\": [{\"proto\": \"tcp\", \"address\": \"::\", \"port\": 7, "
	     "\"activation\": \"magic\"}], \"services\": []}",
	     -EINVAL, "activation 'magic'"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 1, \"processes\": [], "
	     "\"listeners\": [], \"services\": [3]}",
	     -EINVAL, "services[0] is not an object"},
	    {"{\"format\": \"hostdoctor-baseline\", \"version\": 1, \"processes\": [], "
	     "\"listeners\": [], \"services\": []} x",
	     -EINVAL, "line 1, column "},
	    {"{\n  \"format\": \"hostdoctor-baseline\",\n  \"version\": 1,\n  \"processes\": [ "
	     "oops ]\n}",
	     -EINVAL, "line 4, column "},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct baseline b;
		char err[256] = "";
		int rc = bl_from_json(rows[i].text, strlen(rows[i].text), &b, err, sizeof(err));
		if (rc != rows[i].rc || !strstr(err, rows[i].err))
			fail_msg("row %zu: rc %d, err '%s'; wanted %d, '%s'", i, rc, err,
				 rows[i].rc, rows[i].err);
		assert_int_equal(b.nprocs, 0);
	}
	{
		struct baseline b;
		char err[256] = "";
		assert_int_equal(bl_from_json("{\0}", 3, &b, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "NUL"));
	}
}

static struct bl_proc live_proc(const char *name, const char *exe, uint32_t uid, const char *unit,
				uint32_t count, double age, bool on_demand)
{
	return (struct bl_proc){.name = hd_xstrdup(name),
				.exe = hd_xstrdup(exe),
				.user = hd_asprintf("%u", uid),
				.uid = uid,
				.count = count,
				.unit = hd_xstrdup_null(unit),
				.cmdline = hd_xstrdup(exe),
				.age = age,
				.pid = 4242,
				.on_demand = on_demand};
}

static void test_compare(void **state)
{
	struct baseline old = sample(), now = {0};
	struct bl_change *ch = NULL;
	char *ign[] = {"noisy", "tcp/9999", NULL};
	struct bl_compare_opts o = {.min_age = 60, .uid_min = 1000, .ignore = ign};
	size_t n;
	int gone = 0, warn = 0, info = 0;

	(void)state;
	now.nprocs = 8;
	now.procs = hd_xcalloc(8, sizeof(*now.procs));
	/* sshd gone; apache2 from 5 to 9 workers; backupd there (path unknown: not root) */
	now.procs[0] =
	    live_proc("apache2", "/usr/sbin/apache2", 33, "apache2.service", 9, 900, false);
	now.procs[1] = live_proc("backupd", "", 0, NULL, 1, 900, false);
	now.procs[2] = live_proc("nc", "/usr/bin/nc.openbsd", 0, NULL, 1, 300, false); /* new */
	now.procs[3] = live_proc("game", "/home/u/game", 1500, NULL, 1, 300, false);   /* user */
	now.procs[4] = live_proc("young", "/usr/bin/young", 0, NULL, 1, 5, false);     /* young */
	now.procs[5] =
	    live_proc("in.tftpd", "/usr/sbin/in.tftpd", 0, NULL, 1, 300, true);	     /* demand */
	now.procs[6] = live_proc("noisy", "/usr/bin/noisy", 0, NULL, 1, 300, false); /* ignored */
	now.procs[7] = live_proc("sshd", "/usr/sbin/sshd", 0, "other.service", 1, 300, false);
	now.nls = 3;
	now.ls = hd_xcalloc(3, sizeof(*now.ls));
	now.ls[0] = (struct bl_listen){.proto = "tcp", .addr = hd_xstrdup("::"), .port = 21};
	now.ls[1] = (struct bl_listen){.proto = "tcp",
				       .addr = hd_xstrdup("0.0.0.0"),
				       .port = 4444,
				       .owner = hd_xstrdup("nc"),
				       .pid = 4242};
	now.ls[2] = (struct bl_listen){.proto = "tcp", .addr = hd_xstrdup("0.0.0.0"), .port = 9999};
	now.nsvcs = 1;
	now.svcs = hd_xcalloc(1, sizeof(*now.svcs));
	now.svcs[0] = (struct bl_service){.unit = hd_xstrdup("evil.service"),
					  .wanted_by = hd_xstrdup("multi-user.target")};

	n = bl_compare(&old, &now, &o, &ch);
	for (size_t i = 0; i < n; i++) {
		char *t = bl_change_text(&ch[i]);
		char *rem = bl_change_remedy(&ch[i], "default");
		if (ch[i].severity == HD_CRITICAL)
			gone++;
		else if (ch[i].severity == HD_WARNING)
			warn++;
		else
			info++;
		if (ch[i].kind == BL_PROC && ch[i].what == BL_GONE) {
			/* sshd of ssh.service: the other sshd (another unit) does not stand in */
			assert_string_equal(t,
					    "process sshd (/usr/sbin/sshd, root, ssh.service): not "
					    "running (1 in the baseline)");
			assert_non_null(strstr(rem, "systemctl start ssh.service"));
		}
		if (ch[i].kind == BL_PROC && ch[i].what == BL_COUNT)
			assert_non_null(strstr(t, "apache2") &&
						strstr(t, "9 running, 5 in the baseline")
					    ? t
					    : NULL);
		if (ch[i].kind == BL_LISTEN && ch[i].what == BL_GONE && ch[i].ls->port == 69) {
			assert_string_equal(
			    t, "listener udp 0.0.0.0:69 of systemd (on demand, systemd "
			       "tftp.socket): not listening");
			assert_string_equal(rem,
					    "Start its socket unit: systemctl start tftp.socket");
		}
		if (ch[i].kind == BL_LISTEN && ch[i].what == BL_GONE && ch[i].ls->port == 22)
			assert_non_null(strstr(rem, "systemctl start ssh.service"));
		if (ch[i].kind == BL_LISTEN && ch[i].what == BL_NEW) {
			assert_string_equal(
			    t, "new since the baseline: listener tcp 0.0.0.0:4444 by nc "
			       "(pid 4242)");
			assert_non_null(strstr(rem, "hostdoctor baseline save"));
		}
		if (ch[i].kind == BL_PROC && ch[i].what == BL_NEW && ch[i].severity == HD_WARNING)
			assert_true(strcmp(ch[i].proc->name, "nc") == 0 ||
				    strcmp(ch[i].proc->name, "sshd") == 0);
		if (ch[i].kind == BL_PROC && ch[i].what == BL_NEW && ch[i].severity == HD_OK)
			assert_string_equal(ch[i].proc->name, "game");
		free(t);
		free(rem);
	}
	/* gone: sshd, tcp/22, udp/69 (tcp/21 of xinetd is there without a process); new: nc,
	 * sshd of other.service, tcp/4444, evil.service enabled, ssh.service no longer */
	assert_int_equal(gone, 3);
	assert_int_equal(warn, 5);
	assert_int_equal(info, 2); /* apache2's count, the uid-1500 program */
	free(ch);
	bl_free(&old);
	bl_free(&now);
}

static void test_remedies(void **state)
{
	struct baseline b = sample();
	struct bl_change c = {BL_PROC, BL_GONE, HD_CRITICAL, .proc = &b.procs[2]};
	char *r;

	(void)state;
	r = bl_change_remedy(&c, "nightly");
	assert_string_equal(r,
			    "Start it as it ran: /opt/b/backupd --daemon \"x y\" (as root); if it "
			    "should no longer run, record the host as it is: hostdoctor "
			    "baseline save --name nightly");
	free(r);
	c = (struct bl_change){BL_LISTEN, BL_GONE, HD_CRITICAL, .ls = &b.ls[1]};
	r = bl_change_remedy(&c, "default");
	assert_non_null(
	    strstr(r, "Restart the super-server that listened on tcp [::]:21 (xinetd)"));
	free(r);
	r = bl_change_text(&c);
	assert_string_equal(
	    r, "listener tcp [::]:21 of xinetd (on demand, super-server): not listening");
	free(r);
	c = (struct bl_change){BL_SERVICE, BL_GONE, HD_WARNING, .svc = &b.svcs[0]};
	r = bl_change_remedy(&c, "default");
	assert_non_null(strstr(r, "systemctl enable --now ssh.service"));
	free(r);
	bl_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cgroup_unit),	    cmocka_unit_test(test_small_parsers),
	    cmocka_unit_test(test_json_round_trip), cmocka_unit_test(test_json_damage),
	    cmocka_unit_test(test_compare),	    cmocka_unit_test(test_remedies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
