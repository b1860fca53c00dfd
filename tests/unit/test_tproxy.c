/* tproxy parsers: kernel config values, /proc lists, capability masks, gzip (good and broken). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "probe_tproxy.h"
#include "probes.h"
#include "runner.h"

static void test_kconfig(void **state)
{
	static const char cfg[] = "#\n# comment\n"
				  "CONFIG_NETFILTER_XT_TARGET_TPROXY_EXTRA=y\n" /* a longer name */
				  "CONFIG_NETFILTER_XT_TARGET_TPROXY=m\n"
				  "# CONFIG_NFT_TPROXY is not set\n"
				  "CONFIG_NF_TPROXY_IPV4=y\n"
				  "CONFIG_LOCALVERSION=\"-tproxy=y\"\n"
				  "CONFIG_LAST=y"; /* no final newline */
	static const struct {
		const char *opt;
		enum kconfig_value v;
	} cases[] = {
	    {"CONFIG_NETFILTER_XT_TARGET_TPROXY", KCONFIG_MODULE},
	    {"CONFIG_NFT_TPROXY", KCONFIG_NO},
	    {"CONFIG_NF_TPROXY_IPV4", KCONFIG_BUILTIN},
	    {"CONFIG_NF_TPROXY_IPV6", KCONFIG_NO},
	    {"CONFIG_LOCALVERSION", KCONFIG_NO},
	    {"CONFIG_LAST", KCONFIG_BUILTIN},
	    {"CONFIG_NF_TPROXY", KCONFIG_NO}, /* a prefix of a set option */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (tproxy_kconfig(cfg, strlen(cfg), cases[i].opt) != cases[i].v)
			fail_msg("%s: wanted %s", cases[i].opt, tproxy_kconfig_name(cases[i].v));
	assert_int_equal(tproxy_kconfig("", 0, "CONFIG_NFT_TPROXY"), KCONFIG_NO);
	assert_string_equal(tproxy_kconfig_name(KCONFIG_MODULE), "m");
}

static void test_lists(void **state)
{
	static const char targets[] = "REDIRECT\nTPROXYX\nLOG\n";
	static const char targets2[] = "REDIRECT\nTPROXY\n";
	static const char mods[] = "xt_TPROXY_x 1 0 - Live 0x0\nnf_tproxy_ipv4 16384 1 xt_TPROXY, "
				   "Live 0x0\n";
	static const char mods2[] = "nf_nat 5 1 - Live 0x0\nxt_TPROXY 16384 0 - Live 0x0";

	(void)state;
	assert_false(tproxy_has_line(targets, strlen(targets), "TPROXY"));
	assert_true(tproxy_has_line(targets2, strlen(targets2), "TPROXY"));
	assert_false(tproxy_has_line("", 0, "TPROXY"));
	assert_false(tproxy_module_loaded(mods, strlen(mods), "xt_TPROXY"));
	assert_true(tproxy_module_loaded(mods2, strlen(mods2), "xt_TPROXY"));
	assert_false(tproxy_module_loaded(mods2, strlen(mods2), "nft_tproxy"));
}

static void test_caps(void **state)
{
	static const struct {
		const char *text, *field;
		int rc;
		uint64_t v;
	} cases[] = {
	    {"Name:\tx\nCapEff:\t000001ffffffffff\nCapBnd:\t00000000800405fb\n", "CapEff", 0,
	     0x1ffffffffffull},
	    {"Name:\tx\nCapEff:\t000001ffffffffff\nCapBnd:\t00000000800405fb\n", "CapBnd", 0,
	     0x800405fbull},
	    {"CapEff:\t0000000000000000", "CapEff", 0, 0},
	    {"Name:\tx\n", "CapEff", -ENOENT, 0},
	    {"CapEff:\tzz\n", "CapEff", -EINVAL, 0},
	    {"CapEff:\t\n", "CapEff", -EINVAL, 0},
	    {"CapEff:\t00000000000000001f\n", "CapEff", -EINVAL, 0}, /* 18 digits */
	    {"CapEffX:\t1\n", "CapEff", -ENOENT, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		int rc = tproxy_caps(cases[i].text, strlen(cases[i].text), cases[i].field, &v);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, wanted %d", i, rc, cases[i].rc);
		if (rc == 0 && v != cases[i].v)
			fail_msg("case %zu: %llx", i, (unsigned long long)v);
	}
}

/* TEXT gzipped (the format of /proc/config.gz) into a heap buffer. */
static unsigned char *gzip_text(const char *text, size_t *len)
{
	z_stream zs = {0};
	size_t cap = strlen(text) + 256;
	unsigned char *out = malloc(cap);

	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)text;
	zs.avail_in = (uInt)strlen(text);
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static void test_gunzip(void **state)
{
	static const char text[] = "CONFIG_NETFILTER_XT_TARGET_TPROXY=y\nCONFIG_NFT_TPROXY=m\n";
	size_t gzlen, len = 0;
	unsigned char *gz = gzip_text(text, &gzlen);
	char *out = NULL;

	(void)state;
	assert_int_equal(tproxy_gunzip(gz, gzlen, &out, &len, 1 << 20), 0);
	assert_int_equal(len, strlen(text));
	assert_string_equal(out, text);
	free(out);
	/* larger than allowed */
	assert_int_equal(tproxy_gunzip(gz, gzlen, &out, &len, 10), -EFBIG);
	assert_null(out);
	/* truncated: every cut is an error, never a crash or a partial config */
	for (size_t cut = 0; cut < gzlen; cut++) {
		int rc = tproxy_gunzip(gz, cut, &out, &len, 1 << 20);
		if (rc != -EINVAL)
			fail_msg("cut at %zu: rc %d", cut, rc);
		assert_null(out);
	}
	/* not gzip */
	assert_int_equal(tproxy_gunzip(text, sizeof(text), &out, &len, 1 << 20), -EINVAL);
	free(gz);

	/* a config larger than one inflate chunk */
	{
		size_t big = 300000;
		char *t = malloc(big + 1);
		for (size_t i = 0; i < big; i++)
			t[i] = (char)('a' + (i * 7919) % 26);
		t[big] = '\0';
		gz = gzip_text(t, &gzlen);
		assert_int_equal(tproxy_gunzip(gz, gzlen, &out, &len, 1 << 20), 0);
		assert_int_equal(len, big);
		assert_memory_equal(out, t, big);
		free(out);
		free(gz);
		free(t);
	}
}

static void put(const char *root, const char *rel, const void *data, size_t len)
{
	char path[512], dir[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = strchr(strcpy(dir, path) + strlen(root) + 1, '/'); p;
	     p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static char *fixture(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf = calloc(1, 1 << 16);

	snprintf(path, sizeof(path), "%s/fixtures/tproxy/%s", HD_TEST_SOURCE_DIR, name);
	assert_non_null(f = fopen(path, "r"));
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

/* The whole probe in this process (no fork), so the sanitizer build sees its leaks. */
static void test_run_in_process(void **state)
{
	static const char conf[] = "[t]\nprobe = tproxy\nrequired = yes\n";
	char root[] = "/tmp/hd-tproxy-unit.XXXXXX";
	struct hd_config cfg = {0};
	char err[256], *text, *st;
	unsigned char *gz;
	size_t len, gzlen, stlen;
	struct hd_result r;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(
	    hd_config_parse(&cfg, "t.conf", conf, strlen(conf), hd_probes, err, sizeof(err)), 0);
	struct hd_ctx ctx = {.root = root, .privileged = true, .deadline = hd_now() + 10};

	put(root, "proc/sys/kernel/osrelease", "5.10.0-28-amd64\n", 16);
	st = fixture("status-root", &stlen);
	put(root, "proc/self/status", st, stlen);
	text = fixture("config-tproxy-m", &len);
	gz = gzip_text(text, &gzlen);
	put(root, "proc/config.gz", gz, gzlen);
	put(root, "proc/net/ip_tables_targets", "LOG\n", 4);
	hd_run_one(&cfg.checks[0], &ctx, &r);
	assert_int_equal(r.status, HD_WARNING);
	hd_result_free(&r);

	/* corrupt config.gz and nothing else to go on: UNKNOWN */
	put(root, "proc/config.gz", gz, gzlen / 2);
	hd_run_one(&cfg.checks[0], &ctx, &r);
	assert_int_equal(r.status, HD_UNKNOWN);
	hd_result_free(&r);

	/* built in, container capabilities without NET_ADMIN and NET_RAW */
	free(gz);
	free(text);
	free(st);
	text = fixture("config-tproxy-y", &len);
	gz = gzip_text(text, &gzlen);
	put(root, "proc/config.gz", gz, gzlen);
	st = fixture("status-container-nonet", &stlen);
	put(root, "proc/self/status", st, stlen);
	hd_run_one(&cfg.checks[0], &ctx, &r);
	assert_int_equal(r.status, HD_CRITICAL);
	hd_result_free(&r);

	free(gz);
	free(text);
	free(st);
	hd_config_free(&cfg);
	nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kconfig),	   cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_caps),	   cmocka_unit_test(test_gunzip),
	    cmocka_unit_test(test_run_in_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
