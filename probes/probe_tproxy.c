/* tproxy: whether the kernel can do transparent proxying (TPROXY) and IP_TRANSPARENT is allowed. */
#include "probe_tproxy.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cleanup.h"
#include "paths.h"
#include "probe.h"
#include "util.h"

/* ---- parsers ---- */

/* Calls FN on every line of BYTES (without the newline) until it returns true. */
static bool each_line(const char *bytes, size_t len, bool (*fn)(const char *, size_t, const void *),
		      const void *arg)
{
	const char *p = bytes, *end = bytes + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (fn(p, n, arg))
			return true;
		p += n + 1;
	}
	return false;
}

struct kconf_find {
	const char *option;
	enum kconfig_value v;
};

static bool kconf_line(const char *p, size_t n, const void *arg)
{
	struct kconf_find *f = (struct kconf_find *)arg;
	size_t ol = strlen(f->option);

	if (n > ol + 1 && strncmp(p, f->option, ol) == 0 && p[ol] == '=') {
		const char *v = p + ol + 1;
		size_t vl = n - ol - 1;
		f->v = vl == 1 && *v == 'y'   ? KCONFIG_BUILTIN
		       : vl == 1 && *v == 'm' ? KCONFIG_MODULE
					      : KCONFIG_NO;
		return true;
	}
	return false;
}

enum kconfig_value tproxy_kconfig(const char *bytes, size_t len, const char *option)
{
	struct kconf_find f = {option, KCONFIG_NO};

	each_line(bytes, len, kconf_line, &f);
	return f.v;
}

const char *tproxy_kconfig_name(enum kconfig_value v)
{
	return v == KCONFIG_BUILTIN ? "y" : v == KCONFIG_MODULE ? "m" : "not set";
}

static bool same_line(const char *p, size_t n, const void *arg)
{
	const char *name = arg;

	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	return n == strlen(name) && memcmp(p, name, n) == 0;
}

bool tproxy_has_line(const char *bytes, size_t len, const char *name)
{
	return each_line(bytes, len, same_line, name);
}

static bool module_line(const char *p, size_t n, const void *arg)
{
	const char *name = arg;
	size_t nl = strlen(name);

	return n > nl && memcmp(p, name, nl) == 0 && p[nl] == ' ';
}

bool tproxy_module_loaded(const char *bytes, size_t len, const char *name)
{
	return each_line(bytes, len, module_line, name);
}

int tproxy_caps(const char *bytes, size_t len, const char *field, uint64_t *out)
{
	const char *p = bytes, *end = bytes + len;
	size_t fl = strlen(field);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > fl && memcmp(p, field, fl) == 0 && p[fl] == ':') {
			const char *v = p + fl + 1, *e = p + n;
			uint64_t x = 0;
			int digits = 0;

			while (v < e && isspace((unsigned char)*v))
				v++;
			for (; v < e && isxdigit((unsigned char)*v); v++, digits++) {
				if (digits >= 16)
					return -EINVAL;
				x = x << 4 |
				    (uint64_t)(isdigit((unsigned char)*v)
						   ? *v - '0'
						   : tolower((unsigned char)*v) - 'a' + 10);
			}
			while (v < e && isspace((unsigned char)*v))
				v++;
			if (digits == 0 || v != e)
				return -EINVAL;
			*out = x;
			return 0;
		}
		p += n + 1;
	}
	return -ENOENT;
}

int tproxy_gunzip(const void *gz, size_t len, char **out, size_t *outlen, size_t max)
{
	z_stream zs = {0};
	struct hd_buf b = {0};
	unsigned char chunk[65536];
	int zrc;

	*out = NULL;
	if (len > UINT32_MAX || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return -EINVAL;
	zs.next_in = (Bytef *)(uintptr_t)gz;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zrc = inflate(&zs, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END) {
			inflateEnd(&zs);
			free(b.data);
			return -EINVAL;
		}
		hd_buf_add(&b, (const char *)chunk, sizeof(chunk) - zs.avail_out);
		if (b.len > max) {
			inflateEnd(&zs);
			free(b.data);
			return -EFBIG;
		}
		/* input used up before the end of the stream: truncated */
		if (zrc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
			inflateEnd(&zs);
			free(b.data);
			return -EINVAL;
		}
	} while (zrc != Z_STREAM_END);
	inflateEnd(&zs);
	if (outlen)
		*outlen = b.len;
	*out = hd_buf_steal(&b);
	return 0;
}

/* ---- the check ---- */

struct state {
	bool legacy;	      /* /proc/net/tproxy (tproxy v2 patch) */
	bool have_config;     /* a kernel config was read */
	char config_src[600]; /* where from */
	enum kconfig_value xt, nft, nf4;
	int targets_rc;	 /* reading /proc/net/ip_tables_targets */
	bool registered; /* TPROXY listed there */
	int modules_rc;	 /* reading /proc/modules */
	bool loaded_xt, loaded_nft;
	bool loaded_legacy; /* iptable_tproxy: the module of the tproxy (v2) patch */
	bool module_file;   /* xt_TPROXY.ko in modules.dep of the running release */
	char release[128];
	int caps_rc;
	uint64_t cap_eff, cap_bnd;
};

static void read_config(const struct hd_ctx *ctx, struct state *s, struct hd_result *r)
{
	_cleanup_free_ char *gz = NULL, *text = NULL;
	size_t len = 0, tlen = 0;
	int rc;

	rc = hd_read_file(ctx, "/proc/config.gz", &gz, &len, 4u << 20);
	if (rc == 0) {
		rc = tproxy_gunzip(gz, len, &text, &tlen, 16u << 20);
		if (rc == 0)
			snprintf(s->config_src, sizeof(s->config_src), "%s/proc/config.gz",
				 ctx->root);
		else
			hd_result_detail(r, "%s/proc/config.gz: %s", ctx->root,
					 rc == -EFBIG ? "too large" : "not valid gzip data");
	}
	if (!text && s->release[0]) {
		char path[256];

		snprintf(path, sizeof(path), "/boot/config-%s", s->release);
		if (hd_read_file(ctx, path, &text, &tlen, 16u << 20) == 0)
			snprintf(s->config_src, sizeof(s->config_src), "%s%s", ctx->root, path);
	}
	if (!text)
		return;
	s->have_config = true;
	s->xt = tproxy_kconfig(text, tlen, "CONFIG_NETFILTER_XT_TARGET_TPROXY");
	s->nft = tproxy_kconfig(text, tlen, "CONFIG_NFT_TPROXY");
	s->nf4 = tproxy_kconfig(text, tlen, "CONFIG_NF_TPROXY_IPV4");
}

static void gather(const struct hd_ctx *ctx, struct state *s, struct hd_result *r)
{
	_cleanup_free_ char *rel = NULL, *targets = NULL, *mods = NULL, *dep = NULL, *status = NULL,
			    *legacy = NULL;
	size_t len = 0;
	int rc;

	rc = hd_read_file(ctx, "/proc/net/tproxy", &legacy, NULL, 1 << 20);
	s->legacy = rc == 0 || rc == -EACCES;

	if (hd_read_file(ctx, "/proc/sys/kernel/osrelease", &rel, &len, 256) == 0) {
		rel[strcspn(rel, " \t\n")] = '\0';
		if (!strchr(rel, '/') && strcmp(rel, "..") != 0)
			snprintf(s->release, sizeof(s->release), "%s", rel);
	}
	read_config(ctx, s, r);

	s->targets_rc = hd_read_file(ctx, "/proc/net/ip_tables_targets", &targets, &len, 1 << 20);
	if (s->targets_rc == 0)
		s->registered = tproxy_has_line(targets, len, "TPROXY");

	s->modules_rc = hd_read_file(ctx, "/proc/modules", &mods, &len, 4u << 20);
	if (s->modules_rc == 0) {
		s->loaded_xt = tproxy_module_loaded(mods, len, "xt_TPROXY");
		s->loaded_nft = tproxy_module_loaded(mods, len, "nft_tproxy");
		s->loaded_legacy = tproxy_module_loaded(mods, len, "iptable_tproxy");
	}
	if (s->release[0]) {
		char path[256];

		snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", s->release);
		if (hd_read_file(ctx, path, &dep, &len, 64u << 20) == 0)
			s->module_file = memmem(dep, len, "/xt_TPROXY.ko", 13) != NULL;
	}

	s->caps_rc = hd_read_file(ctx, "/proc/self/status", &status, &len, 1 << 20);
	if (s->caps_rc == 0) {
		s->caps_rc = tproxy_caps(status, len, "CapEff", &s->cap_eff);
		if (s->caps_rc == 0)
			s->caps_rc = tproxy_caps(status, len, "CapBnd", &s->cap_bnd);
	}
}

static bool can_transparent(uint64_t caps)
{
	return caps & ((1ull << CAP_NET_ADMIN) | (1ull << CAP_NET_RAW));
}

/* One line on what the kernel offers, for every status. */
static void describe(const struct state *s, struct hd_buf *b)
{
	if (s->legacy)
		hd_buf_printf(b, "legacy tproxy v2 (/proc/net/tproxy)");
	if (s->have_config)
		hd_buf_printf(b,
			      "%sCONFIG_NETFILTER_XT_TARGET_TPROXY=%s, CONFIG_NFT_TPROXY=%s, "
			      "CONFIG_NF_TPROXY_IPV4=%s",
			      b->len ? "; " : "", tproxy_kconfig_name(s->xt),
			      tproxy_kconfig_name(s->nft), tproxy_kconfig_name(s->nf4));
	else
		hd_buf_printf(b, "%skernel config not found", b->len ? "; " : "");
	if (s->targets_rc == 0)
		hd_buf_printf(b, "; TPROXY target %s",
			      s->registered ? "registered" : "not registered");
	if (s->loaded_xt || s->loaded_nft)
		hd_buf_printf(b, "; module %s loaded", s->loaded_xt ? "xt_TPROXY" : "nft_tproxy");
	if (s->loaded_legacy)
		hd_buf_printf(b, "; module iptable_tproxy loaded");
}

/* The tproxy (v2) patch's module as the legacy iptables service loads it, then the modern
 * target beside it; then the product's restart. */
static void remedy_module(struct hd_result *r, const char *restart)
{
	hd_result_remedy_add(r,
			     "Kernels with the tproxy (version 2) patch: check that 'lsmod' lists "
			     "iptable_tproxy; if not, set IPTABLES_MODULES=\"iptable_tproxy\" in "
			     "/etc/sysconfig/iptables-config, run /etc/rc.d/init.d/iptables "
			     "restart, and check that /proc/net/tproxy exists.");
	hd_result_remedy_add(r, "Current kernels (TPROXY target): load it now with modprobe "
				"xt_TPROXY (nftables: modprobe nft_tproxy), and at every boot with "
				"echo xt_TPROXY > /etc/modules-load.d/tproxy.conf.");
	hd_result_command(r, "modprobe", "xt_TPROXY", NULL);
	hd_result_concerns(r, HD_CONCERN_FILE, "/etc/modules-load.d/tproxy.conf");
	hd_result_concerns(r, HD_CONCERN_FILE, "/etc/sysconfig/iptables-config");
	if (restart && *restart)
		hd_result_command_line(r, restart);
	if (restart && *restart)
		hd_result_remedy_add(r,
				     "Then restart the product so it sets up transparent "
				     "proxying again: %s",
				     restart);
	else
		hd_result_remedy_add(r, "Then restart the product so it sets up transparent "
					"proxying again.");
}

/* The product's own way out (its older tproxy mode, or turning transparent proxying off). */
static void remedy_note(struct hd_result *r, const char *note)
{
	if (note && *note)
		hd_result_remedy_add(r, "%s", note);
	else
		hd_result_remedy_add(r,
				     "Or turn transparent (TPROXY) proxying off in the product's "
				     "settings and restart it.");
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	bool required = hd_check_bool(c, "required");
	const char *restart = hd_check_str(c, "restart_hint"), *note = hd_check_str(c, "note");
	struct state s = {0};
	struct hd_buf b = {0};
	_cleanup_free_ char *desc = NULL;
	bool active, loadable, absent, root_can = false, caps_known;
	const char *how;

	gather(ctx, &s, r);
	describe(&s, &b);
	desc = hd_buf_steal(&b);
	if (s.have_config)
		hd_result_detail(r, "kernel: %s (config from %s)", desc, s.config_src);
	else
		hd_result_detail(r, "kernel: %s", desc);
	if (s.targets_rc == -EACCES)
		hd_result_detail(r, "%s/proc/net/ip_tables_targets: not readable (needs root)",
				 ctx->root);
	if (s.modules_rc == -ENOENT)
		hd_result_detail(r, "no %s/proc/modules: the kernel has no loadable modules",
				 ctx->root);

	active = s.legacy || s.registered || s.loaded_xt || s.loaded_nft || s.loaded_legacy ||
		 s.xt == KCONFIG_BUILTIN || s.nft == KCONFIG_BUILTIN;
	loadable = !active && (s.xt == KCONFIG_MODULE || s.nft == KCONFIG_MODULE || s.module_file);
	absent = !active && !loadable && s.have_config;
	how = s.legacy || s.loaded_legacy   ? "ready (legacy tproxy v2)"
	      : s.registered		    ? "ready (target registered)"
	      : s.loaded_xt || s.loaded_nft ? "ready (module loaded)"
					    : "ready (built into the kernel)";

	if (active || loadable || absent)
		hd_result_metric(r, "available", active, HD_UNIT_NONE);

	/* IP_TRANSPARENT: this process, and root (the bounding set caps what root gets) */
	caps_known = s.caps_rc == 0;
	if (caps_known) {
		bool self = can_transparent(s.cap_eff);

		root_can = ctx->privileged ? self : can_transparent(s.cap_bnd);
		if (!ctx->privileged)
			hd_result_detail(
			    r, "IP_TRANSPARENT: this process (uid %u) %s; root %s",
			    (unsigned)geteuid(),
			    self ? "may set it" : "may not (no CAP_NET_ADMIN or CAP_NET_RAW)",
			    root_can ? "can (in the bounding set)"
				     : "cannot either (neither is in the bounding set)");
		else
			hd_result_detail(r, "IP_TRANSPARENT: %s (CapEff %016llx)",
					 self ? "permitted"
					      : "not permitted: no CAP_NET_ADMIN or CAP_NET_RAW",
					 (unsigned long long)s.cap_eff);
		hd_result_metric(r, "ip_transparent", root_can, HD_UNIT_NONE);
	} else {
		hd_result_detail(r,
				 "IP_TRANSPARENT: unknown (%s/proc/self/status has no capability "
				 "masks)",
				 ctx->root);
	}

	if (!required) {
		hd_result_set(r, HD_SKIPPED, "not required; TPROXY %s",
			      active	 ? how
			      : loadable ? "available as a module, not loaded"
			      : absent	 ? "not supported by this kernel"
					 : "support unknown");
		hd_result_remedy(r, "Set 'required = yes' in the check when the gateway runs in "
				    "transparent (TPROXY) mode.");
		return 0;
	}
	if (absent) {
		hd_result_set(
		    r, HD_CRITICAL,
		    "kernel %s has no TPROXY support: CONFIG_NETFILTER_XT_TARGET_TPROXY and "
		    "CONFIG_NFT_TPROXY not set",
		    s.release[0] ? s.release : "(release unknown)");
		hd_result_remedy(
		    r, "Boot a kernel with transparent proxy support: one with the tproxy "
		       "patch (/proc/net/tproxy), or a current one built with "
		       "CONFIG_NETFILTER_XT_TARGET_TPROXY=m and CONFIG_NF_TPROXY_IPV4 (the "
		       "distributions' standard kernels have it).");
		remedy_note(r, note);
		return 0;
	}
	if (loadable) {
		hd_result_set(r, HD_WARNING,
			      "TPROXY is available as a module but not loaded (xt_TPROXY%s)",
			      s.targets_rc == 0 ? ", target not registered" : "");
		remedy_module(r, restart);
		remedy_note(r, note);
		return 0;
	}
	if (!active) {
		hd_result_set(
		    r, HD_UNKNOWN,
		    "cannot tell whether the kernel supports TPROXY: no kernel config "
		    "(%s/proc/config.gz, %s/boot/config-%s), and %s/proc/net/ip_tables_targets "
		    "%s",
		    ctx->root, ctx->root, s.release[0] ? s.release : "RELEASE", ctx->root,
		    s.targets_rc == -EACCES ? "is not readable (needs root)"
		    : s.targets_rc < 0	    ? "is missing"
					    : "does not list TPROXY");
		hd_result_remedy(r,
				 "Run as root, or check by hand: ls /proc/net/tproxy; lsmod | grep "
				 "tproxy; modprobe -n -v xt_TPROXY");
		return -ENOENT;
	}
	if (caps_known && !root_can) {
		hd_result_set(
		    r, HD_CRITICAL,
		    "TPROXY %s, but IP_TRANSPARENT is not permitted: %s lacks CAP_NET_ADMIN "
		    "and CAP_NET_RAW",
		    how, ctx->privileged ? "root" : "root (bounding set)");
		hd_result_remedy(r,
				 "Give the gateway CAP_NET_ADMIN: in a container --cap-add "
				 "NET_ADMIN; in its systemd unit AmbientCapabilities=CAP_NET_ADMIN "
				 "and no CapabilityBoundingSet= that drops it.");
		remedy_note(r, note);
		return 0;
	}
	hd_result_set(r, HD_OK, "TPROXY %s; IP_TRANSPARENT %s", how,
		      !caps_known	? "unknown"
		      : ctx->privileged ? "permitted"
					: "permitted for root");
	hd_result_remedy(r, "If the gateway still reports no transparent proxy support:");
	remedy_module(r, restart);
	remedy_note(r, note);
	return 0;
}

static const struct hd_param params[] = {
    {.key = "required",
     .type = HD_P_BOOL,
     .def = "no",
     .help = "the gateway runs in transparent (TPROXY) mode; otherwise the state is only "
	     "reported (SKIPPED)"},
    {.key = "restart_hint",
     .type = HD_P_STR,
     .help = "the product's restart command, shown in the remedy"},
    {.key = "note",
     .type = HD_P_STR,
     .help = "the product's own advice (e.g. its older tproxy mode), a line of the remedy"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"available", "1 when TPROXY is usable now (built in, loaded or registered), else 0."},
    {"ip_transparent", "1 when root may set IP_TRANSPARENT (CAP_NET_ADMIN or CAP_NET_RAW)."},
    {0},
};

const struct hd_probe probe_tproxy = {
    .name = "tproxy",
    .summary = "kernel support for transparent proxying (TPROXY) and IP_TRANSPARENT",
    .params = params,
    .metrics = metrics,
    .run = run,
};
