/* Classification of one HTTP request's outcome and the expected-status syntax, shared with tests. */
#pragma once

#include <stdbool.h>

enum http_outcome {
	HTTP_REACHED = 0, /* answered with an expected status */
	HTTP_UNAVAILABLE, /* answered 503 */
	HTTP_BAD_STATUS,  /* answered with another unexpected status */
	HTTP_DNS,	  /* the URL's host does not resolve (curl 6) */
	HTTP_DNS_TIMEOUT, /* no DNS answer in time (curl 28, no peer address) */
	HTTP_PROXY_DNS,	  /* the proxy's host does not resolve (curl 5) */
	HTTP_PROXY_DNS_TIMEOUT,
	HTTP_PROXY_CONNECT,   /* cannot connect to the proxy (curl 7 with a proxy) */
	HTTP_PROXY_REFUSED,   /* the proxy answered CONNECT with an error status */
	HTTP_PROXY_AUTH,      /* the proxy wants credentials (407) */
	HTTP_REFUSED,	      /* cannot connect: refused, unreachable (curl 7) */
	HTTP_CONNECT_TIMEOUT, /* TCP connect did not finish in time (curl 28, not connected) */
	HTTP_NO_RESPONSE,     /* connected, but no response in time (curl 28, connected) */
	HTTP_TLS,	      /* TLS handshake or certificate failure */
	HTTP_FAILED,	      /* any other transfer error */
};

/* What libcurl told about one transfer. */
struct http_facts {
	int curl_rc;	   /* CURLcode */
	long status;	   /* CURLINFO_RESPONSE_CODE (0: none) */
	long connect_code; /* CURLINFO_HTTP_CONNECTCODE (0: no CONNECT answer) */
	bool proxy;	   /* a proxy was used */
	bool has_peer;	   /* CURLINFO_PRIMARY_IP was set: a name was resolved */
	bool connected;	   /* CURLINFO_CONNECT_TIME_T > 0 */
	bool we_stopped;   /* the write callback ended the transfer after the status line */
};

/* Whether CODE matches one of SPECS ("200", "200-399", "2xx"); NULL-terminated.
 * Returns 1 or 0, or -EINVAL with *bad set to the spec that does not parse. */
int http_status_expected(char *const *specs, long code, const char **bad);

enum http_outcome http_classify(const struct http_facts *f, bool status_expected);
const char *http_outcome_name(enum http_outcome o);
