/* Golden output per format: each renderer is a pure function of the results, so a fixed list of
 * results must render byte for byte as tests/golden/NAME. HD_UPDATE_GOLDEN=1 rewrites them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <math.h>

#include "paths.h"
#include "probes.h"
#include "render.h"
#include "result_json.h"
#include "util.h"

static void tag(struct hd_result *r, const char *a, const char *b)
{
	r->tags = calloc(2, sizeof(char *));
	r->tags[r->ntags++] = hd_xstrdup(a);
	if (b)
		r->tags[r->ntags++] = hd_xstrdup(b);
}

static struct hd_result *sample(size_t *n)
{
	struct hd_result *rs = calloc(5, sizeof(*rs));
	struct hd_metric *m;

	for (int i = 0; i < 5; i++)
		hd_result_init(&rs[i]);
	rs[0].id = hd_xstrdup("file-handles");
	rs[0].probe = hd_xstrdup("file-handles");
	hd_result_set(&rs[0], HD_OK, "0.4%% of fs.file-max in use (1024 of 262144)");
	m = hd_result_metric(&rs[0], "used", 0.390625, HD_UNIT_PERCENT);
	hd_metric_bounds(m, 0, 100);
	hd_range_parse("80", &m->warn, NULL);
	hd_range_parse("95", &m->crit, NULL);
	m->help = hd_xstrdup("File handles allocated, as a share of fs.file-max.");
	hd_result_metric(&rs[0], "allocated", 1024, HD_UNIT_NONE);
	hd_result_remedy(&rs[0], "raise fs.file-max");
	rs[0].duration = 0.0012;
	tag(&rs[0], "base", "resources");

	rs[1].id = hd_xstrdup("tmp-space");
	rs[1].probe = hd_xstrdup("tmp-space");
	hd_result_set(&rs[1], HD_WARNING, "/tmp: 7.5 MB free");
	m = hd_result_metric(&rs[1], "free", 7.5, HD_UNIT_MB);
	hd_range_parse("10:", &m->warn, NULL);
	hd_range_parse("5:", &m->crit, NULL);
	/* the same quantity of another mount point: one name, the mount point in a label */
	hd_result_metric_of(&rs[1], "free", "mountpoint", "/var/tmp", 100, HD_UNIT_MB);
	hd_result_detail(&rs[1], "inodes: 12%% used");
	hd_result_detail(&rs[1], "mount: tmpfs on /tmp");
	hd_result_remedy(&rs[1], "Free space in /tmp:");
	hd_result_remedy_add(&rs[1], "  find /tmp -xdev -type f -mtime +7 -delete");
	rs[1].duration = 0.5;
	tag(&rs[1], "base", NULL);

	rs[2].id = hd_xstrdup("fsigk-http-port");
	rs[2].probe = hd_xstrdup("port");
	hd_result_set(&rs[2], HD_CRITICAL, "port 9080/tcp is held by nginx (pid 812) | oops");
	hd_result_remedy(&rs[2], "Stop nginx: systemctl stop nginx");
	hd_result_command(&rs[2], "systemctl", "stop", "nginx.service", NULL);
	hd_result_concerns(&rs[2], HD_CONCERN_UNIT, "nginx.service");
	hd_result_concerns(&rs[2], HD_CONCERN_PACKAGE, "nginx");
	hd_result_concerns(&rs[2], HD_CONCERN_FILE, "/etc/nginx/sites-enabled/default");
	hd_result_concerns(&rs[2], HD_CONCERN_UNIT, "nginx.service"); /* once only */
	rs[2].severity = hd_xstrdup("medium");
	rs[2].inhibitor = true;
	m = hd_result_metric(&rs[2], "holders", 1, HD_UNIT_NONE);
	hd_range_parse("@1:", &m->crit, NULL);
	m = hd_result_metric(&rs[2], "lookup", 12.5, HD_UNIT_MS);
	m = hd_result_metric(&rs[2], "drops", 1234567890123, HD_UNIT_COUNTER);
	rs[2].duration = 0.01;
	tag(&rs[2], "fsigk", "preinstall");

	rs[3].id = hd_xstrdup("selinux-bpf");
	rs[3].probe = hd_xstrdup("selinux-allow");
	hd_result_set(&rs[3], HD_SKIPPED, "SELinux is disabled");
	rs[3].duration = 0.0001;
	tag(&rs[3], "fsigk", NULL);

	rs[4].id = hd_xstrdup("slow\"one");
	rs[4].probe = hd_xstrdup("sysctl");
	hd_result_set(&rs[4], HD_UNKNOWN, "timed out after 2 s");
	rs[4].inhibitor = true;
	rs[4].duration = 2.0;
	*n = 5;
	return rs;
}

static void check_golden(const char *name, const char *got)
{
	char path[1024];
	char *want = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/golden/%s", HD_TEST_SOURCE_DIR, name);
	if (getenv("HD_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	if (hd_read_path(path, &want, &len, 0) < 0)
		fail_msg("cannot read %s (HD_UPDATE_GOLDEN=1 writes it)", path);
	if (strcmp(want, got) != 0)
		fail_msg("%s differs.\n--- want\n%s\n--- got\n%s", name, want, got);
	free(want);
}

static void render_to_v(const char *golden, enum hd_format f, const char *mode, bool color,
			size_t only, int verbose)
{
	size_t n;
	struct hd_result *rs = sample(&n);
	struct hd_report rep = {.results = rs,
				.n = only ? only : n,
				.host = "web01",
				.when = 1795000000,
				.duration = 2.25,
				.mode = mode,
				.profile = "fsigk"};
	struct hd_render_opts o = {.color = color, .verbose = verbose};
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);

	hd_render(out, f, &rep, &o);
	fclose(out);
	check_golden(golden, buf);
	free(buf);
	for (size_t i = 0; i < n; i++)
		hd_result_free(&rs[i]);
	free(rs);
}

static void render_to(const char *golden, enum hd_format f, const char *mode, bool color,
		      size_t only)
{
	render_to_v(golden, f, mode, color, only, 0);
}

static void test_doctor(void **s)
{
	(void)s;
	render_to("doctor.txt", HD_FMT_DOCTOR, "doctor", false, 0);
	render_to("doctor-color.txt", HD_FMT_DOCTOR, "doctor", true, 0);
	render_to("doctor-ok.txt", HD_FMT_DOCTOR, "doctor", false, 1);
}

static void test_preflight(void **s)
{
	(void)s;
	render_to("preflight.txt", HD_FMT_DOCTOR, "preflight", false, 0);
	render_to("preflight-ready.txt", HD_FMT_DOCTOR, "preflight", false, 2);
	render_to("preflight.json", HD_FMT_JSON, "preflight", false, 0);
}

static void test_nagios(void **s)
{
	(void)s;
	render_to("nagios.txt", HD_FMT_NAGIOS, "nagios", false, 0);
	render_to("nagios-single.txt", HD_FMT_NAGIOS, "nagios", false, 1);
}

static void test_json(void **s)
{
	(void)s;
	render_to("doctor.json", HD_FMT_JSON, "doctor", false, 0);
}

static void test_prometheus(void **s)
{
	(void)s;
	render_to("prometheus.prom", HD_FMT_PROMETHEUS, "doctor", false, 0);
}

static void test_nagios_verbose(void **s)
{
	(void)s;
	render_to_v("nagios-v.txt", HD_FMT_NAGIOS, "nagios", false, 0, 1);
}

static void test_npd(void **s)
{
	(void)s;
	render_to("npd.txt", HD_FMT_NPD, "doctor", false, 0);
	render_to("npd-ok.txt", HD_FMT_NPD, "doctor", false, 1);
}

/* One line of at most 80 bytes, UTF-8 never cut inside a character; exit 0 / 1 / 3. */
static void test_npd_rules(void **s)
{
	static const struct {
		enum hd_status st;
		const char *id, *summary;
		int exit;
	} cases[] = {
	    {HD_OK, "tmp-space", "/tmp: 81575.3 MB free (6.4% used)", 0},
	    {HD_SKIPPED, "fsigk-tproxy", "does not apply", 0},
	    {HD_WARNING, "nic-rings", "eth0: ring below maximum (rx 256/4096) and 12 drops", 1},
	    {HD_CRITICAL, "fsigk-http-port",
	     "tcp/9080 is not free: held by a-process-with-a-very-long-name-indeed (pid 27697) "
	     "and by another one (pid 27698) and a third (pid 27699)",
	     1},
	    {HD_CRITICAL, "tmp-space",
	     "/tmp: 0.6 MB free \xe2\x80\x94 below the 5 MB required \xe2\x80\x94 "
	     "\xe2\x80\x94 \xe2\x80\x94 \xe2\x80\x94 \xe2\x80\x94 "
	     "\xe2\x80\x94 \xe2\x80\x94 \xe2\x80\x94",
	     1},
	    {HD_UNKNOWN, "semaphores", "cannot read /proc/sys/kernel/sem: Permission denied", 3},
	    {HD_CRITICAL,
	     "a-check-id-that-is-itself-longer-than-eighty-bytes-which-nobody-should-write-but-may",
	     "x", 1},
	};

	(void)s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hd_result r;
		struct hd_report rep = {.results = &r, .n = 1, .mode = "doctor"};
		char *buf = NULL;
		size_t size = 0;
		FILE *out;

		hd_result_init(&r);
		r.id = hd_xstrdup(cases[i].id);
		r.probe = hd_xstrdup("x");
		hd_result_set(&r, cases[i].st, "%s", cases[i].summary);
		out = open_memstream(&buf, &size);
		hd_render_npd(out, &rep, NULL);
		fclose(out);
		assert_true(size >= 2 && buf[size - 1] == '\n');
		assert_null(memchr(buf, '\n', size - 1));
		assert_true(size - 1 <= HD_NPD_MAX);
		/* leads with the check */
		assert_int_equal(
		    strncmp(buf, cases[i].id,
			    size - 1 < strlen(cases[i].id) ? size - 1 : strlen(cases[i].id)),
		    0);
		/* never a partial UTF-8 sequence at the end */
		if (size >= 2)
			assert_false(((unsigned char)buf[size - 2] & 0xC0) == 0xC0);
		assert_int_equal(hd_npd_exit(&rep), cases[i].exit);
		free(buf);
		hd_result_free(&r);
	}
}

/* What the perfdata carries reads back, with the range parser, as the thresholds configured. */
static void test_perfdata_ranges_round_trip(void **s)
{
	static const char *const ranges[] = {"10",     "10:",	"~:10",	  "10:20", "@10:20",
					     "@~:0.5", "-5:-1", "0.001:", "@0:0",  "80%",
					     "1e3",    ":7",	"~:0",	  "@5:",   "2.5:3.5"};
	(void)s;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
			struct hd_result r;
			struct hd_metric *m;
			struct hd_report rep = {.results = &r, .n = 1, .mode = "nagios"};
			struct hd_range want_w, want_c, got_w, got_c;
			char *buf = NULL, *perf, *field[6] = {0};
			size_t size = 0, nf = 0;
			FILE *out;

			hd_result_init(&r);
			r.id = hd_xstrdup("c");
			r.probe = hd_xstrdup("p");
			hd_result_set(&r, HD_OK, "x");
			m = hd_result_metric(&r, "v", 3, HD_UNIT_NONE);
			assert_int_equal(hd_range_parse(ranges[i], &want_w, NULL), 0);
			assert_int_equal(hd_range_parse(ranges[k], &want_c, NULL), 0);
			m->warn = want_w;
			m->crit = want_c;
			out = open_memstream(&buf, &size);
			hd_render_nagios(out, &rep, NULL);
			fclose(out);
			perf = strstr(buf, "| 'v'=3;");
			assert_non_null(perf);
			perf += strlen("| 'v'=");
			perf[strcspn(perf, "\n")] = '\0';
			for (char *p = perf; nf < 6; nf++) {
				field[nf] = p;
				p = strchr(p, ';');
				if (!p)
					break;
				*p++ = '\0';
			}
			assert_int_equal(hd_range_parse(field[1], &got_w, NULL), 0);
			assert_int_equal(hd_range_parse(field[2], &got_c, NULL), 0);
			assert_memory_equal(&got_w, &want_w, sizeof(want_w));
			assert_memory_equal(&got_c, &want_c, sizeof(want_c));
			free(buf);
			hd_result_free(&r);
		}
}

/* Every metric of every probe: a name Prometheus takes for a gauge whatever its unit (no
 * _count, _sum, _bucket, _info at the end: promtool rejects them on a gauge; _total is left to
 * the live promtool test, as a unit suffix after it makes it fine), and a help text that names no unit (the unit is a field, and the
 * Prometheus series is in base units). */
static void test_probe_metric_names_and_help(void **s)
{
	static const char *const reserved[] = {"_count", "_sum", "_bucket", "_info"};
	static const char *const units[] = {"MiB", "KiB",     " MB", " KB",
					    "kB",  "percent", " ms", "millisecond"};

	(void)s;
	for (const struct hd_probe *const *p = hd_probes; *p; p++)
		for (const struct hd_metric_doc *m = (*p)->metrics; m && m->name; m++) {
			char name[128];
			size_t n = (size_t)snprintf(name, sizeof(name), "_%s", m->name);
			for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
				size_t rl = strlen(reserved[i]);
				if (n >= rl && strcmp(name + n - rl, reserved[i]) == 0)
					fail_msg("probe %s: metric '%s' ends in %s", (*p)->name,
						 m->name, reserved[i]);
			}
			for (const char *c = m->name; *c; c++)
				if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
				      *c == '_'))
					fail_msg("probe %s: metric '%s' is not [a-z0-9_]",
						 (*p)->name, m->name);
			for (size_t i = 0; m->help && i < sizeof(units) / sizeof(units[0]); i++)
				if (strstr(m->help, units[i]))
					fail_msg("probe %s: the help of '%s' names a unit (%s): %s",
						 (*p)->name, m->name, units[i], m->help);
		}
}

static void test_plain_numbers(void **s)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {{0, "0"},
		     {1.5, "1.5"},
		     {-2, "-2"},
		     {1e-7, "0"},
		     {0.000123, "0.000123"},
		     {1e20, "100000000000000000000"},
		     {80, "80"},
		     {9223372036854775807.0, "9223372036854775808"}};
	char buf[64];

	(void)s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hd_fmt_plain(buf, sizeof(buf), cases[i].v);
		assert_string_equal(buf, cases[i].want);
	}
}

/* A metric that is not a finite number survives the child-to-parent JSON as NaN (null in JSON). */
static void test_json_nonfinite_round_trip(void **s)
{
	struct hd_result r, back;
	struct json_object *o;
	const char *text;

	(void)s;
	hd_result_init(&r);
	hd_result_init(&back);
	hd_result_set(&r, HD_OK, "x");
	hd_result_metric(&r, "ratio", NAN, HD_UNIT_NONE);
	hd_result_metric(&r, "big", INFINITY, HD_UNIT_NONE);
	hd_result_metric(&r, "fine", 2.5, HD_UNIT_NONE);
	o = hd_result_to_json(&r);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_null(strstr(text, "nan"));
	assert_null(strstr(text, ":inf"));
	assert_null(strstr(text, "Infinity"));
	assert_int_equal(hd_result_from_json(o, &back), 0);
	assert_int_equal(back.nmetrics, 3);
	assert_true(isnan(back.metrics[0].value));
	assert_true(isnan(back.metrics[1].value));
	assert_true(back.metrics[2].value == 2.5);
	json_object_put(o);
	hd_result_free(&r);
	hd_result_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_doctor),
	    cmocka_unit_test(test_preflight),
	    cmocka_unit_test(test_nagios),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_prometheus),
	    cmocka_unit_test(test_nagios_verbose),
	    cmocka_unit_test(test_npd),
	    cmocka_unit_test(test_npd_rules),
	    cmocka_unit_test(test_perfdata_ranges_round_trip),
	    cmocka_unit_test(test_probe_metric_names_and_help),
	    cmocka_unit_test(test_plain_numbers),
	    cmocka_unit_test(test_json_nonfinite_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
