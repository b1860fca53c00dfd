/* ${ini:PATH:SECTION:KEY:-DEFAULT} references: parsing, lookup in INI bytes, resolution under
 * a root with type checks of the value found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "indirect.h"
#include "testprobes.h"
#include "util.h"

static void test_ref_parse(void **s)
{
	static const struct {
		const char *in;
		int rc;
		const char *path, *section, *key, *def;
	} cases[] = {
	    {"9080", 0, NULL, NULL, NULL, NULL},
	    {"${ini:/opt/p/conf/p.ini:http:port}", 1, "/opt/p/conf/p.ini", "http", "port", NULL},
	    {"${ini:/opt/p/p.ini:http:port:-9080}", 1, "/opt/p/p.ini", "http", "port", "9080"},
	    {"${ini:/opt/p/p.ini::pre_spawn:-}", 1, "/opt/p/p.ini", "", "pre_spawn", ""},
	    {"${ini:relative.ini:a:b}", -EINVAL, NULL, NULL, NULL, NULL},
	    {"${ini:/x.ini:a}", -EINVAL, NULL, NULL, NULL, NULL},
	    {"${ini:/x.ini:a:b", -EINVAL, NULL, NULL, NULL, NULL},
	    {"${ini:/x.ini:a:b:c}", -EINVAL, NULL, NULL, NULL, NULL},
	    {"${ini:/x.ini:a::-1}", -EINVAL, NULL, NULL, NULL, NULL},
	};
	(void)s;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hd_ini_ref r;
		int rc = hd_ini_ref_parse(cases[i].in, &r);
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, wanted %d", cases[i].in, rc, cases[i].rc);
		if (rc == 1) {
			assert_string_equal(r.path, cases[i].path);
			assert_string_equal(r.section, cases[i].section);
			assert_string_equal(r.key, cases[i].key);
			if (cases[i].def)
				assert_string_equal(r.def, cases[i].def);
			else
				assert_null(r.def);
		}
		hd_ini_ref_free(&r);
	}
}

static void test_lookup(void **s)
{
	const char *ini = "top = 1\n[http]\nport = 9080\nPort = 9090\n[smtp]\nadmin_mx_host = "
			  "\"mx.example.com\"\n"
			  "this line is not ini\n[smtp]\nport=25\n";
	char *v = NULL;

	(void)s;
	assert_int_equal(hd_ini_lookup(ini, strlen(ini), "http", "port", &v), 0);
	assert_string_equal(v, "9090"); /* the last one, case-insensitive like the product */
	free(v);
	assert_int_equal(hd_ini_lookup(ini, strlen(ini), "smtp", "admin_mx_host", &v), 0);
	assert_string_equal(v, "mx.example.com");
	free(v);
	assert_int_equal(hd_ini_lookup(ini, strlen(ini), "smtp", "port", &v), 0);
	assert_string_equal(v, "25");
	free(v);
	assert_int_equal(hd_ini_lookup(ini, strlen(ini), "", "top", &v), 0);
	assert_string_equal(v, "1");
	free(v);
	assert_int_equal(hd_ini_lookup(ini, strlen(ini), "ftp", "port", &v), -ENOENT);
}

/* Lines longer than libinih's 200-byte line: taken whole, never cut into a second line whose tail
 * reads as a key (the product's port 9080 was read as 7); a line too long even for the reader is
 * passed over whole. */
static void test_lookup_long_lines(void **s)
{
	char long_value[501], *ini, *v = NULL;
	struct hd_buf b = {0};
	size_t len;

	(void)s;
	memset(long_value, 'x', 500);
	long_value[500] = '\0';
	/* wherever libinih's line size would fall in the long line */
	for (int fill = 150; fill <= 500; fill++) {
		hd_buf_printf(&b, "[http]\nport = 9080\nnote = %.*sport = 7\n", fill, long_value);
		len = b.len;
		ini = hd_buf_steal(&b);
		assert_int_equal(hd_ini_lookup(ini, len, "http", "port", &v), 0);
		if (strcmp(v, "9080") != 0)
			fail_msg("a note of %d bytes: port = %s", fill, v);
		free(v);
		free(ini);
	}
	hd_buf_printf(&b, "[http]\nbanner = %s\nhuge = ", long_value);
	for (int i = 0; i < 20; i++)
		hd_buf_printf(&b, "%s", long_value);
	hd_buf_printf(&b, " port = 8\n[smtp]\nport = 25\n");
	len = b.len;
	ini = hd_buf_steal(&b);
	assert_int_equal(hd_ini_lookup(ini, len, "http", "banner", &v), 0);
	assert_string_equal(v, long_value);
	free(v);
	assert_int_equal(hd_ini_lookup(ini, len, "http", "huge", &v), -ENOENT);
	assert_int_equal(hd_ini_lookup(ini, len, "http", "port", &v), -ENOENT);
	assert_int_equal(hd_ini_lookup(ini, len, "smtp", "port", &v), 0);
	assert_string_equal(v, "25");
	free(v);
	free(ini);
	/* bytes after a NUL, or without a final newline, are still the file's */
	assert_int_equal(hd_ini_lookup("[a]\nk = 1\0\n[b]\nk = 2", 20, "b", "k", &v), 0);
	assert_string_equal(v, "2");
	free(v);
}

static void test_resolve_under_root(void **s)
{
	char root[] = "/tmp/hd-indirect-XXXXXX", path[256], err[512];
	struct hd_config cfg = {0};
	const char *conf = "[a]\nprobe = sysctl\nkey = ${ini:/etc/p.ini:main:key}\n"
			   "min = ${ini:/etc/p.ini:main:min:-10}\n"
			   "[b]\nprobe = sysctl\nkey = x\nmin = ${ini:/etc/p.ini:main:bad}\n"
			   "[c]\nprobe = sysctl\nkey = ${ini:/etc/missing.ini:main:key}\n";
	struct hd_ctx ctx = {.root = root};
	struct hd_check out;
	FILE *f;

	(void)s;
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/p.ini", root);
	f = fopen(path, "w");
	fputs("[main]\nkey = fs.file-max\nbad = lots\n", f);
	fclose(f);
	assert_int_equal(hd_config_parse(&cfg, "t.conf", conf, strlen(conf), hd_test_probe_table(),
					 err, sizeof(err)),
			 0);
	assert_int_equal(hd_check_resolve(&cfg.checks[0], &ctx, &out, err, sizeof(err)), 0);
	assert_string_equal(hd_check_str(&out, "key"), "fs.file-max");
	assert_true(hd_check_num(&out, "min") == 10); /* the default: no such key */
	hd_check_resolved_free(&out);
	assert_int_equal(hd_check_resolve(&cfg.checks[1], &ctx, &out, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "min = 'lots' (from"));
	assert_non_null(strstr(err, "is not a number"));
	assert_int_equal(hd_check_resolve(&cfg.checks[2], &ctx, &out, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/etc/missing.ini: No such file"));
	hd_config_free(&cfg);
	/* a malformed reference or a bad default is a config error with file:line */
	conf = "[x]\nprobe = sysctl\nkey = a\nmin = ${ini:/p.ini:s:k:-ten}\n";
	assert_int_not_equal(hd_config_parse(&cfg, "u.conf", conf, strlen(conf),
					     hd_test_probe_table(), err, sizeof(err)),
			     0);
	assert_non_null(
	    strstr(err, "u.conf:4: min = '${ini:/p.ini:s:k:-ten}': its default is not a number"));
	hd_config_free(&cfg);
	unlink(path);
	snprintf(path, sizeof(path), "%s/etc", root);
	rmdir(path);
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ref_parse),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_lookup_long_lines),
	    cmocka_unit_test(test_resolve_under_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
