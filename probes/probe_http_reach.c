/* http-reach: a URL answers in time with an expected status, directly or through a proxy (libcurl). */
#include "probe_http_reach.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "lazylib.h"
#include "probe.h"
#include "util.h"

const char *http_outcome_name(enum http_outcome o)
{
	static const char *const names[] = {
	    [HTTP_REACHED] = "reached",
	    [HTTP_UNAVAILABLE] = "unavailable",
	    [HTTP_BAD_STATUS] = "bad-status",
	    [HTTP_DNS] = "dns",
	    [HTTP_DNS_TIMEOUT] = "dns-timeout",
	    [HTTP_PROXY_DNS] = "proxy-dns",
	    [HTTP_PROXY_DNS_TIMEOUT] = "proxy-dns-timeout",
	    [HTTP_PROXY_CONNECT] = "proxy-connect",
	    [HTTP_PROXY_REFUSED] = "proxy-refused",
	    [HTTP_PROXY_AUTH] = "proxy-auth",
	    [HTTP_REFUSED] = "refused",
	    [HTTP_CONNECT_TIMEOUT] = "connect-timeout",
	    [HTTP_NO_RESPONSE] = "no-response",
	    [HTTP_TLS] = "tls",
	    [HTTP_FAILED] = "failed",
	};
	return (unsigned)o < HD_ARRAY_SIZE(names) && names[o] ? names[o] : "?";
}

/* One spec: "200", "200-399" or "2xx". 1 match, 0 no match, -EINVAL unparsable. */
static int status_match(const char *s, long code)
{
	long lo, hi;
	char *end;

	if (strlen(s) == 3 && isdigit((unsigned char)s[0]) && tolower((unsigned char)s[1]) == 'x' &&
	    tolower((unsigned char)s[2]) == 'x') {
		lo = (s[0] - '0') * 100;
		return code >= lo && code <= lo + 99;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	lo = strtol(s, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -EINVAL;
		hi = strtol(end + 1, &end, 10);
	}
	if (*end || lo < 100 || hi > 599 || lo > hi)
		return -EINVAL;
	return code >= lo && code <= hi;
}

int http_status_expected(char *const *specs, long code, const char **bad)
{
	int found = 0;

	for (size_t i = 0; specs[i]; i++) {
		int m = status_match(specs[i], code);
		if (m < 0) {
			if (bad)
				*bad = specs[i];
			return -EINVAL;
		}
		found = found || m;
	}
	return found;
}

enum http_outcome http_classify(const struct http_facts *f, bool status_expected)
{
	if (f->proxy && (f->connect_code == 407 || (f->status == 407 && !status_expected)))
		return HTTP_PROXY_AUTH;
	if (f->proxy && f->connect_code >= 300)
		return HTTP_PROXY_REFUSED;
	if (f->curl_rc == CURLE_OK || (f->curl_rc == CURLE_WRITE_ERROR && f->we_stopped)) {
		if (status_expected)
			return HTTP_REACHED;
		return f->status == 503 ? HTTP_UNAVAILABLE : HTTP_BAD_STATUS;
	}
	switch (f->curl_rc) {
	case CURLE_COULDNT_RESOLVE_HOST: return HTTP_DNS;
	case CURLE_COULDNT_RESOLVE_PROXY: return HTTP_PROXY_DNS;
	case CURLE_COULDNT_CONNECT: return f->proxy ? HTTP_PROXY_CONNECT : HTTP_REFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		/* no peer address: the resolver was still waiting */
		if (!f->has_peer)
			return f->proxy ? HTTP_PROXY_DNS_TIMEOUT : HTTP_DNS_TIMEOUT;
		return f->connected ? HTTP_NO_RESPONSE : HTTP_CONNECT_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS: return HTTP_TLS;
	default: return HTTP_FAILED;
	}
}

/* Stop at the first body byte: the status line and headers are all this probe needs. */
static size_t stop_at_body(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)size;
	(void)n;
	*(bool *)ud = true;
	return 0;
}

static void strv_freep(char ***v)
{
	hd_strv_free(*v);
}

#ifndef HD_LIBCURL_SONAME
#define HD_LIBCURL_SONAME "libcurl.so.4"
#endif

/* libcurl's functions, opened by run() before anything below is called (lazylib.h) */
static struct {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_url) *url;
	__typeof__(curl_url_set) *url_set;
	__typeof__(curl_url_get) *url_get;
	__typeof__(curl_url_cleanup) *url_cleanup;
	__typeof__(curl_free) *free;
} curl_fn, *C;

static int load_curl(char *err, size_t errlen)
{
	static const struct hd_lazy_sym syms[] = {
	    HD_LAZY_SYM(curl_fn, global_init, "curl_global_init"),
	    HD_LAZY_SYM(curl_fn, easy_init, "curl_easy_init"),
	    HD_LAZY_SYM(curl_fn, easy_setopt, "curl_easy_setopt"),
	    HD_LAZY_SYM(curl_fn, easy_perform, "curl_easy_perform"),
	    HD_LAZY_SYM(curl_fn, easy_getinfo, "curl_easy_getinfo"),
	    HD_LAZY_SYM(curl_fn, easy_cleanup, "curl_easy_cleanup"),
	    HD_LAZY_SYM(curl_fn, easy_strerror, "curl_easy_strerror"),
	    HD_LAZY_SYM(curl_fn, url, "curl_url"),
	    HD_LAZY_SYM(curl_fn, url_set, "curl_url_set"),
	    HD_LAZY_SYM(curl_fn, url_get, "curl_url_get"),
	    HD_LAZY_SYM(curl_fn, url_cleanup, "curl_url_cleanup"),
	    HD_LAZY_SYM(curl_fn, free, "curl_free"),
	    {0},
	};
	int rc = C ? 0 : hd_lazy_load(HD_LIBCURL_SONAME, syms, err, errlen);

	if (rc == 0)
		C = &curl_fn;
	return rc;
}

static void curl_cleanupp(CURL **h)
{
	if (*h)
		C->easy_cleanup(*h);
}
static void curl_url_cleanupp(CURLU **u)
{
	if (*u)
		C->url_cleanup(*u);
}
static void curl_freep(char **p)
{
	if (*p)
		C->free(*p);
}

/* Host and port of URL for messages ("example.com", "443"); the URL itself when it does not
 * parse. */
static void host_port(const char *url, char **host_out, char **port_out)
{
	__attribute__((cleanup(curl_url_cleanupp))) CURLU *u = C->url();
	__attribute__((cleanup(curl_freep))) char *host = NULL;
	__attribute__((cleanup(curl_freep))) char *port = NULL;

	if (!u || C->url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME) != CURLUE_OK ||
	    C->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    C->url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		*host_out = hd_xstrdup(url);
		*port_out = hd_xstrdup("?");
		return;
	}
	*host_out = hd_xstrdup(host);
	*port_out = hd_xstrdup(port);
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *url = hd_check_str(c, "url");
	const char *proxy = hd_check_str(c, "proxy");
	bool head = strcmp(hd_check_str(c, "method"), "head") == 0;
	double max_time = hd_check_num(c, "max_time");
	double connect_timeout = hd_check_num(c, "connect_timeout");
	double left = hd_ctx_remaining(ctx) - 0.25; /* leave time to report */
	__attribute__((cleanup(curl_cleanupp))) CURL *h = NULL;
	_cleanup_free_ char *target = NULL, *proxy_target = NULL, *thost = NULL, *tport = NULL;
	_cleanup_free_ char *phost = NULL, *pport = NULL;
	__attribute__((cleanup(strv_freep))) char **expect = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", where[512];
	const char *bad = NULL, *ip = NULL;
	struct http_facts f = {0};
	curl_off_t total_us = 0, connect_us = 0;
	enum http_outcome o;
	int expected;

	if (proxy && !*proxy)
		proxy = NULL;
	hd_check_list(c, "expect_status", &expect);
	expected = http_status_expected(expect, 200, &bad);
	if (expected < 0) {
		hd_check_where(c, "expect_status", where, sizeof(where));
		hd_result_set(
		    r, HD_UNKNOWN,
		    "%s: expect_status '%s' is not a status, a range (200-399) or a class "
		    "(2xx)",
		    where, bad);
		return -EINVAL;
	}
	if (max_time <= 0 || left < max_time)
		max_time = left > 0.1 ? left : 0.1;
	if (connect_timeout <= 0 || connect_timeout > max_time)
		connect_timeout = max_time;

	char why[256];
	if (load_curl(why, sizeof(why)) < 0) {
		hd_result_set(r, HD_UNKNOWN, "cannot load libcurl: %s", why);
		hd_result_remedy(r, "Install libcurl (Debian/Ubuntu: apt install libcurl4; "
				    "RHEL/Fedora/SUSE: dnf or zypper install libcurl).");
		return -ENOENT;
	}
	if (C->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(h = C->easy_init())) {
		hd_result_set(r, HD_UNKNOWN, "libcurl failed to initialise");
		return -ENOMEM;
	}
	C->easy_setopt(h, CURLOPT_URL, url);
	C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* the configured proxy or none: the environment of cron or an agent must not change the
	 * answer */
	C->easy_setopt(h, CURLOPT_PROXY, proxy ? proxy : "");
	C->easy_setopt(h, CURLOPT_NOPROXY, "");
	C->easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, hd_check_bool(c, "proxy_tunnel") ? 1L : 0L);
	C->easy_setopt(h, CURLOPT_NOBODY, head ? 1L : 0L);
	C->easy_setopt(h, CURLOPT_WRITEFUNCTION, stop_at_body);
	C->easy_setopt(h, CURLOPT_WRITEDATA, &f.we_stopped);
	C->easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(max_time * 1000));
	C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(connect_timeout * 1000));
	C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
	/* do not join a resolver thread stuck on a silent DNS server (~10 s in glibc) */
	C->easy_setopt(h, CURLOPT_QUICK_EXIT, 1L);
#endif
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	C->easy_setopt(h, CURLOPT_USERAGENT, "hostdoctor");
	if (hd_check_bool(c, "insecure")) {
		C->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		C->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}

	f.curl_rc = (int)C->easy_perform(h);
	f.proxy = proxy != NULL;
	C->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f.status);
	C->easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &f.connect_code);
	C->easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip);
	C->easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
	C->easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
	f.has_peer = ip && *ip;
	f.connected = connect_us > 0;
	expected = f.status > 0 && http_status_expected(expect, f.status, NULL) == 1;
	o = http_classify(&f, expected);

	hd_result_metric(r, "total_time", (double)total_us / 1e6, HD_UNIT_SECONDS)->has_min = true;
	hd_result_metric(r, "connect_time", (double)connect_us / 1e6, HD_UNIT_SECONDS)->has_min =
	    true;
	hd_result_metric(r, "status_code", (double)f.status, HD_UNIT_NONE);

	host_port(url, &thost, &tport);
	target = hd_asprintf("%s:%s", thost, tport);
	if (proxy) {
		host_port(proxy, &phost, &pport);
		proxy_target = hd_asprintf("%s:%s", phost, pport);
	} else {
		proxy_target = hd_xstrdup("");
	}
	const char *err = errbuf[0] ? errbuf : C->easy_strerror((CURLcode)f.curl_rc);
	const char *via = proxy ? " through proxy " : "";
	double secs = (double)total_us / 1e6;

	switch (o) {
	case HTTP_REACHED:
		hd_result_set(r, HD_OK, "%s answered HTTP %ld in %.3f s%s%s", url, f.status, secs,
			      via, proxy_target);
		hd_result_remedy(r,
				 "A slow answer: compare connect_time with total_time; a slow "
				 "connect points to the network, a slow response to the server.");
		break;
	case HTTP_UNAVAILABLE:
		hd_result_set(r, HD_WARNING,
			      "%s answered HTTP 503 Service Unavailable%s%s (usually temporary)",
			      url, via, proxy_target);
		hd_result_remedy(r, "The service is down for maintenance or overloaded: try again "
				    "later; if it lasts, tell the service's operator.");
		break;
	case HTTP_BAD_STATUS:
		hd_result_set(r, HD_CRITICAL, "%s answered HTTP %ld%s%s, expected %s", url,
			      f.status, via, proxy_target, hd_check_str(c, "expect_status"));
		hd_result_remedy(r,
				 "Check the URL with 'curl -v %s%s%s', or set expect_status in the "
				 "check if HTTP %ld is right.",
				 proxy ? "-x " : "", proxy ? proxy : "", url, f.status);
		break;
	case HTTP_DNS:
		hd_result_set(r, HD_CRITICAL, "cannot resolve %s (DNS): %s", thost, err);
		hd_result_remedy(r,
				 "Check the name and the resolvers: getent ahosts %s; the "
				 "nameserver lines in /etc/resolv.conf must know it.",
				 thost);
		break;
	case HTTP_DNS_TIMEOUT:
		hd_result_set(r, HD_CRITICAL, "DNS lookup for %s timed out after %.1f s", thost,
			      secs);
		hd_result_remedy(r,
				 "No nameserver in /etc/resolv.conf answered in time: check them "
				 "(getent ahosts %s), and that UDP and TCP port 53 to them are "
				 "open.",
				 thost);
		break;
	case HTTP_PROXY_DNS:
		hd_result_set(r, HD_CRITICAL, "cannot resolve the proxy %s (DNS): %s", phost, err);
		hd_result_remedy(r,
				 "Fix the proxy name in 'proxy = %s' or the resolvers (getent "
				 "ahosts on the proxy's name).",
				 proxy);
		break;
	case HTTP_PROXY_DNS_TIMEOUT:
		hd_result_set(r, HD_CRITICAL, "DNS lookup for the proxy %s timed out after %.1f s",
			      phost, secs);
		hd_result_remedy(r,
				 "No nameserver in /etc/resolv.conf answered for the proxy's name: "
				 "check them, or give the proxy by address in 'proxy ='.");
		break;
	case HTTP_PROXY_CONNECT:
		hd_result_set(r, HD_CRITICAL, "cannot connect to the proxy %s: %s", proxy_target,
			      err);
		hd_result_remedy(r,
				 "Check that the proxy runs and listens at %s (curl -v -x %s %s), "
				 "and that no firewall blocks it.",
				 proxy_target, proxy, url);
		break;
	case HTTP_PROXY_REFUSED:
		hd_result_set(r, HD_CRITICAL, "the proxy %s refused CONNECT to %s with HTTP %ld",
			      proxy_target, target, f.connect_code);
		hd_result_remedy(r,
				 "Allow %s in the proxy's access rules (squid: http_access for the "
				 "domain, and the port in SSL_ports for CONNECT).",
				 target);
		break;
	case HTTP_PROXY_AUTH:
		hd_result_set(r, HD_CRITICAL, "the proxy %s requires authentication (HTTP 407)",
			      proxy_target);
		hd_result_remedy(r,
				 "Give credentials in the proxy URL: proxy = "
				 "http://USER:PASSWORD@%s",
				 proxy_target);
		break;
	case HTTP_REFUSED:
		hd_result_set(r, HD_CRITICAL, "cannot connect to %s: %s", target, err);
		hd_result_remedy(
		    r,
		    "Nothing listens on %s or a firewall rejects the connection: check "
		    "the service there and the route (curl -v %s).",
		    target, url);
		break;
	case HTTP_CONNECT_TIMEOUT:
		hd_result_set(r, HD_CRITICAL, "connection to %s%s (%s) timed out after %.1f s",
			      proxy ? "the proxy " : "", proxy ? proxy_target : target, ip, secs);
		hd_result_remedy(r,
				 "Packets to %s are dropped: check firewalls and routes for "
				 "outbound connections, or set 'proxy =' when this host must go "
				 "through a proxy.",
				 proxy ? proxy_target : target);
		break;
	case HTTP_NO_RESPONSE:
		hd_result_set(r, HD_CRITICAL,
			      "%s%s%s accepted the connection but sent no response within %.1f s",
			      target, via, proxy_target, secs);
		hd_result_remedy(
		    r,
		    "The server (or a device in between) is stuck or overloaded: check "
		    "the service at %s.",
		    proxy ? proxy_target : target);
		break;
	case HTTP_TLS:
		hd_result_set(r, HD_CRITICAL, "TLS with %s failed: %s", target, err);
		hd_result_remedy(r,
				 "Check the certificate chain (curl -v %s) and the system CA store "
				 "(update-ca-certificates); 'insecure = yes' only to confirm the "
				 "cause.",
				 url);
		break;
	case HTTP_FAILED:
		hd_result_set(r, HD_CRITICAL, "request to %s failed: %s (curl error %d)", url, err,
			      f.curl_rc);
		hd_result_remedy(r, "'curl -v %s%s%s' shows the same failure in detail.",
				 proxy ? "-x " : "", proxy ? proxy : "", url);
		break;
	}
	hd_result_detail(r, "outcome: %s; curl %d; HTTP %ld; CONNECT %ld; peer %s",
			 http_outcome_name(o), f.curl_rc, f.status, f.connect_code,
			 f.has_peer ? ip : "-");
	return 0;
}

static const struct hd_param params[] = {
    {.key = "url", .type = HD_P_STR, .required = true, .help = "http:// or https:// URL"},
    {.key = "proxy",
     .type = HD_P_STR,
     .help = "proxy URL (http://[user:pass@]host:port); unset: direct, whatever the environment"},
    {.key = "proxy_tunnel",
     .type = HD_P_BOOL,
     .def = "no",
     .help = "use CONNECT through the proxy for http:// too (https:// always does)"},
    {.key = "expect_status",
     .type = HD_P_LIST,
     .def = "200-399",
     .help = "accepted statuses: codes, ranges (200-399) or classes (2xx)"},
    {.key = "method",
     .type = HD_P_ENUM,
     .def = "get",
     .choices = "get|head",
     .help = "GET (stops at the first body byte) or HEAD"},
    {.key = "connect_timeout",
     .type = HD_P_NUM,
     .def = "5",
     .help = "seconds for the TCP connect (to the server or the proxy)"},
    {.key = "max_time",
     .type = HD_P_NUM,
     .def = "10",
     .help = "seconds for everything (DNS, connect, TLS, answer); capped by the check's timeout"},
    {.key = "insecure",
     .type = HD_P_BOOL,
     .def = "no",
     .help = "do not verify the TLS certificate"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"total_time", "Seconds from start until the status line and headers arrived."},
    {"connect_time", "Seconds until the TCP connection (to the server or the proxy) was up."},
    {"status_code", "HTTP status of the answer (0: none)."},
    {0},
};

const struct hd_probe probe_http_reach = {
    .name = "http-reach",
    .summary = "a URL answers in time with an expected status, directly or through a proxy",
    .params = params,
    .metrics = metrics,
    .run = run,
};
