/* smtp-reach: an SMTP server resolves, accepts a connection, greets with 220, answers EHLO and,
 * when asked, accepts MAIL FROM and RCPT TO (then RSET and QUIT: never DATA). */
#include "probe_smtp_reach.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "probe.h"
#include "util.h"

#define SMTP_LINE_MAX 1000 /* RFC 5321 4.5.3.1.5: reply lines are at most 512 octets */

int smtp_parse_reply(const char *buf, size_t len, int *code, size_t *used, char *text, size_t size)
{
	size_t off = 0, tlen = 0;
	int first = -1;

	if (size)
		text[0] = '\0';
	for (;;) {
		const char *line = buf + off, *nl = memchr(line, '\n', len - off);
		size_t n;
		int c;

		if (!nl)
			return len - off > SMTP_LINE_MAX ? -EINVAL : 0;
		n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n < 3 || !isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
		    !isdigit((unsigned char)line[2]) || (n > 3 && line[3] != ' ' && line[3] != '-'))
			return -EINVAL;
		c = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		if (c < 200 || c > 599 || (first >= 0 && c != first))
			return -EINVAL;
		first = c;
		if (size && n > 4) {
			int w = snprintf(text + tlen, size - tlen, "%s%.*s", tlen ? "; " : "",
					 (int)(n - 4), line + 4);
			tlen += w > 0 ? (size_t)w : 0;
			if (tlen >= size)
				tlen = size - 1;
		}
		off = (size_t)(nl - buf) + 1;
		if (n == 3 || line[3] == ' ') {
			*code = c;
			*used = off;
			return 1;
		}
	}
}

/* ---- talking to the server ---- */

enum smtp_fail {
	SMTP_FAIL_NONE = 0,
	SMTP_FAIL_TIMEOUT, /* nothing in time */
	SMTP_FAIL_CLOSED,  /* the server closed the connection */
	SMTP_FAIL_GARBLED, /* not an SMTP reply */
	SMTP_FAIL_IO,	   /* read/write error (errno in the result) */
};

struct conn {
	int fd;
	char buf[8192];
	size_t len;
	int err; /* errno of an SMTP_FAIL_IO */
};

static int ms_until(double deadline)
{
	double left = deadline - hd_now();
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

/* Read one reply before DEADLINE. */
static enum smtp_fail read_reply(struct conn *c, double deadline, int *code, char *text,
				 size_t size)
{
	for (;;) {
		size_t used;
		int rc = smtp_parse_reply(c->buf, c->len, code, &used, text, size);

		if (rc < 0)
			return SMTP_FAIL_GARBLED;
		if (rc > 0) {
			memmove(c->buf, c->buf + used, c->len - used);
			c->len -= used;
			return SMTP_FAIL_NONE;
		}
		if (c->len == sizeof(c->buf))
			return SMTP_FAIL_GARBLED;

		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int ms = ms_until(deadline);
		if (ms == 0)
			return SMTP_FAIL_TIMEOUT;
		rc = poll(&p, 1, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			c->err = errno;
			return SMTP_FAIL_IO;
		}
		if (rc == 0)
			return SMTP_FAIL_TIMEOUT;
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			c->err = errno;
			return errno == ECONNRESET ? SMTP_FAIL_CLOSED : SMTP_FAIL_IO;
		}
		if (n == 0)
			return SMTP_FAIL_CLOSED;
		c->len += (size_t)n;
	}
}

static enum smtp_fail send_line(struct conn *c, const char *line, double deadline)
{
	size_t n = strlen(line), off = 0;

	while (off < n) {
		struct pollfd p = {.fd = c->fd, .events = POLLOUT};
		int rc = poll(&p, 1, ms_until(deadline));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			return SMTP_FAIL_TIMEOUT;
		ssize_t w = send(c->fd, line + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0) {
			c->err = errno;
			return errno == EPIPE || errno == ECONNRESET ? SMTP_FAIL_CLOSED
								     : SMTP_FAIL_IO;
		}
		off += (size_t)w;
	}
	return SMTP_FAIL_NONE;
}

/* Non-blocking connect bounded by DEADLINE. Returns an fd or a negative errno. */
static int connect_until(const struct addrinfo *ai, double deadline)
{
	_cleanup_close_ int fd =
	    socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	int err = 0;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return HD_TAKE_FD(fd);
	if (errno != EINPROGRESS)
		return -errno;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		int ms = ms_until(deadline), rc;
		if (ms == 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		return -errno;
	if (err)
		return -err;
	return HD_TAKE_FD(fd);
}

static void addr_text(const struct addrinfo *ai, char *buf, size_t size)
{
	char host[NI_MAXHOST] = "?";

	getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
	snprintf(buf, size, "%s", host);
}

/* getaddrinfo bounded by DEADLINE (glibc's resolver has no timeout of its own to give). The
 * request lives in static storage: a lookup that cannot be cancelled still writes into it.
 * Returns 0, an EAI_* code, or EAI_AGAIN with *timed_out set. */
static int resolve_until(const char *host, const char *port, double deadline, struct addrinfo **out,
			 bool *timed_out)
{
	static struct addrinfo hints;
	static struct gaicb req;
	struct gaicb *list[1] = {&req};
	int rc;

	hints = (struct addrinfo){.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	req = (struct gaicb){.ar_name = host, .ar_service = port, .ar_request = &hints};
	*out = NULL;
	*timed_out = false;
	rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (rc != 0)
		return rc;
	while ((rc = gai_error(&req)) == EAI_INPROGRESS) {
		double left = deadline - hd_now();
		struct timespec ts = {.tv_sec = (time_t)left,
				      .tv_nsec = (long)((left - (double)(time_t)left) * 1e9)};
		if (left <= 0) {
			gai_cancel(&req);
			*timed_out = true;
			return EAI_AGAIN;
		}
		gai_suspend((const struct gaicb *const *)list, 1, &ts);
	}
	if (rc == 0)
		*out = req.ar_result;
	return rc;
}

static void strv_freep(char ***v)
{
	hd_strv_free(*v);
}

static void freeaddrinfop(struct addrinfo **ai)
{
	if (*ai)
		freeaddrinfo(*ai);
}

/* A reply other than the one expected at STEP ("GREETING", "EHLO", "MAIL FROM", "RCPT TO",
 * "RSET"): the summary, and a detail in the words a mail gateway logs for it
 * ("smtp error: STEP: buf=[REPLY] (expected CODE)"). */
static void fail_reply(struct hd_result *r, const char *step, int code, const char *text,
		       int expected, const char *server)
{
	bool temporary = code >= 400 && code < 500;

	hd_result_set(r, temporary ? HD_WARNING : HD_CRITICAL,
		      "SMTP server rejected%s%s: %d %s (%s)", strcmp(step, "GREETING") ? " " : "",
		      strcmp(step, "GREETING") ? step : "", code, text, server);
	hd_result_detail(r, "smtp error: %s: buf=[%d %s] (expected %d)", step, code, text,
			 expected);
	if (temporary)
		hd_result_remedy(r,
				 "The server refuses for now (%d, temporary): it is busy or "
				 "throttling this host; look at its log for the client's address.",
				 code);
	else if (strcmp(step, "RCPT TO") == 0)
		hd_result_remedy(r,
				 "The server refuses the recipient (%d): let it accept mail from "
				 "this host for that address (its relay and recipient rules), or "
				 "correct the recipient or the SMTP server in the product's "
				 "settings.",
				 code);
	else if (strcmp(step, "MAIL FROM") == 0)
		hd_result_remedy(r,
				 "The server refuses the sender (%d): let it accept this sender "
				 "from this host (its sender and relay rules), or correct the "
				 "sender address in the product's settings.",
				 code);
	else
		hd_result_remedy(r,
				 "The server refuses this host (%d): allow this host's address "
				 "in the server's relay/client access rules, or correct the SMTP "
				 "server in the product's settings.",
				 code);
}

static void fail_io(struct hd_result *r, enum smtp_fail f, const char *what, double secs, int err,
		    const char *server)
{
	switch (f) {
	case SMTP_FAIL_TIMEOUT:
		hd_result_set(r, HD_CRITICAL, "SMTP server did not %s within %.1f s (%s)", what,
			      secs, server);
		hd_result_remedy(r,
				 "The server accepted the connection but stays silent: it is "
				 "overloaded or stuck (a slow reverse DNS lookup of this host is a "
				 "common cause). Check it: the greeting must come within seconds.");
		break;
	case SMTP_FAIL_CLOSED:
		hd_result_set(r, HD_CRITICAL,
			      "SMTP server closed the connection instead of answering (%s; %s)",
			      server, what);
		hd_result_remedy(r, "The server drops this host: check its client access rules and "
				    "connection limits (its log names the reason).");
		break;
	case SMTP_FAIL_GARBLED:
		hd_result_set(r, HD_CRITICAL,
			      "SMTP server sent something that is not SMTP (%s; %s)", server, what);
		hd_result_remedy(r,
				 "Another service listens on this port, or a device in between "
				 "rewrites the session: check host and port of the SMTP server.");
		break;
	case SMTP_FAIL_IO:
		hd_result_set(r, HD_CRITICAL, "SMTP session failed (%s; %s): %s", server, what,
			      strerror(err));
		hd_result_remedy(r, "Check the route to the SMTP server and firewalls in between.");
		break;
	case SMTP_FAIL_NONE: break;
	}
}

/* Send LINE and expect a reply ACCEPT_LO..ACCEPT_HI; otherwise report STEP as failed, say QUIT
 * and return false. Accepted replies are noted in the details. */
static bool envelope_step(struct conn *c, struct hd_result *r, const char *line, const char *step,
			  int accept_lo, int accept_hi, double deadline, const char *server)
{
	char text[512];
	int code = 0;
	double t0 = hd_now();
	enum smtp_fail f = send_line(c, line, deadline);

	if (f == SMTP_FAIL_NONE)
		f = read_reply(c, deadline, &code, text, sizeof(text));
	if (f != SMTP_FAIL_NONE) {
		char what[64];

		snprintf(what, sizeof(what), "answer %s", step);
		fail_io(r, f, what, hd_now() - t0, c->err, server);
		return false;
	}
	if (code < accept_lo || code > accept_hi) {
		fail_reply(r, step, code, text, accept_lo, server);
		send_line(c, "QUIT\r\n", hd_now() + 0.5);
		return false;
	}
	hd_result_detail(r, "%.*s: %d %s", (int)strcspn(line, "\r"), line, code, text);
	return true;
}

static int run(const struct hd_check *c, const struct hd_ctx *ctx, struct hd_result *r)
{
	const char *host = hd_check_str(c, "host");
	const char *helo = hd_check_str(c, "helo");
	const char *mail_from = hd_check_str(c, "mail_from");
	char **rcpts __attribute__((cleanup(strv_freep))) = NULL;
	size_t nrcpt = hd_check_list(c, "rcpt_to", &rcpts);
	double max_time = hd_check_num(c, "max_time");
	double connect_timeout = hd_check_num(c, "connect_timeout");
	double left = hd_ctx_remaining(ctx) - 0.25, t0 = hd_now(), t_conn, t_greet, deadline;
	__attribute__((cleanup(freeaddrinfop))) struct addrinfo *ais = NULL;
	struct conn conn = {.fd = -1};
	char port[16], server[1400], addr[NI_MAXHOST], text[512], myname[256], line[600];
	int rc, code = 0, last_err = 0;
	bool timed_out;
	enum smtp_fail f;

	snprintf(port, sizeof(port), "%lld", (long long)hd_check_int(c, "port"));
	if (max_time <= 0 || left < max_time)
		max_time = left > 0.1 ? left : 0.1;
	if (connect_timeout <= 0 || connect_timeout > max_time)
		connect_timeout = max_time;
	deadline = t0 + max_time;
	snprintf(server, sizeof(server), "%s:%s", host, port);

	rc = resolve_until(host, port, deadline, &ais, &timed_out);
	if (rc != 0) {
		if (timed_out)
			hd_result_set(r, HD_CRITICAL,
				      "cannot resolve SMTP server %s: no DNS answer within %.1f s",
				      host, max_time);
		else
			hd_result_set(r, HD_CRITICAL, "cannot resolve SMTP server %s: %s", host,
				      rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		hd_result_remedy(r,
				 "Check the SMTP server's name in the product's settings and the "
				 "resolvers: getent ahosts %s; the nameserver lines in "
				 "/etc/resolv.conf must answer for it.",
				 host);
		return 0;
	}

	/* every address in turn, as an MTA does */
	for (const struct addrinfo *ai = ais; ai; ai = ai->ai_next) {
		double t = hd_now(), until = t + connect_timeout;
		addr_text(ai, addr, sizeof(addr));
		rc = connect_until(ai, until < deadline ? until : deadline);
		if (rc >= 0) {
			conn.fd = rc;
			break;
		}
		last_err = -rc;
		hd_result_detail(r, "connect to %s port %s: %s", addr, port, strerror(-rc));
		if (hd_now() >= deadline)
			break;
	}
	if (conn.fd < 0) {
		hd_result_set(r, HD_CRITICAL, "cannot connect to SMTP server %s: %s", server,
			      last_err == ETIMEDOUT ? "timed out" : strerror(last_err));
		if (last_err == ECONNREFUSED)
			hd_result_remedy(r,
					 "Nothing listens on %s: start the mail server there, "
					 "or correct host and port in the product's settings.",
					 server);
		else
			hd_result_remedy(r,
					 "Packets to %s are dropped or cannot be routed: open "
					 "outbound TCP %s in the firewalls between this host and "
					 "the server.",
					 server, port);
		return 0;
	}
	_cleanup_close_ int fd = conn.fd; /* closed on every return below */
	t_conn = hd_now();
	hd_result_metric(r, "connect_time", t_conn - t0, HD_UNIT_SECONDS)->has_min = true;
	if (strcmp(host, addr) != 0)
		snprintf(server, sizeof(server), "%s:%s, %s", host, port, addr);

	f = read_reply(&conn, deadline, &code, text, sizeof(text));
	t_greet = hd_now();
	if (f != SMTP_FAIL_NONE) {
		fail_io(r, f, "greet", t_greet - t_conn, conn.err, server);
		return 0;
	}
	hd_result_metric(r, "greeting_time", t_greet - t_conn, HD_UNIT_SECONDS)->has_min = true;
	if (code != 220) {
		fail_reply(r, "GREETING", code, text, 220, server);
		send_line(&conn, "QUIT\r\n", hd_now() + 0.5);
		return 0;
	}
	hd_result_detail(r, "greeting: %d %s", code, text);

	if (!helo || !*helo) {
		if (gethostname(myname, sizeof(myname)) < 0 || !myname[0])
			snprintf(myname, sizeof(myname), "localhost");
		myname[sizeof(myname) - 1] = '\0';
		helo = myname;
	}
	snprintf(line, sizeof(line), "EHLO %s\r\n", helo);
	f = send_line(&conn, line, deadline);
	if (f == SMTP_FAIL_NONE)
		f = read_reply(&conn, deadline, &code, text, sizeof(text));
	if (f != SMTP_FAIL_NONE) {
		fail_io(r, f, "answer EHLO", hd_now() - t_greet, conn.err, server);
		return 0;
	}
	if (code >= 500 && code <= 502) {
		/* an SMTP-only server: HELO is the old greeting */
		hd_result_detail(r, "EHLO: %d %s; trying HELO", code, text);
		snprintf(line, sizeof(line), "HELO %s\r\n", helo);
		f = send_line(&conn, line, deadline);
		if (f == SMTP_FAIL_NONE)
			f = read_reply(&conn, deadline, &code, text, sizeof(text));
		if (f != SMTP_FAIL_NONE) {
			fail_io(r, f, "answer HELO", hd_now() - t_greet, conn.err, server);
			return 0;
		}
	}
	if (code != 250) {
		fail_reply(r, "EHLO", code, text, 250, server);
		send_line(&conn, "QUIT\r\n", hd_now() + 0.5);
		return 0;
	}
	hd_result_detail(r, "EHLO: %d %s", code, text);

	/* the envelope, when asked: MAIL FROM and RCPT TO, then RSET; DATA is never sent */
	if ((mail_from && *mail_from) || nrcpt) {
		const char *from = mail_from && *mail_from ? mail_from : "";

		snprintf(line, sizeof(line), "MAIL FROM:<%s>\r\n", from);
		if (!envelope_step(&conn, r, line, "MAIL FROM", 250, 250, deadline, server))
			return 0;
		for (size_t i = 0; i < nrcpt; i++) {
			snprintf(line, sizeof(line), "RCPT TO:<%s>\r\n", rcpts[i]);
			if (!envelope_step(&conn, r, line, "RCPT TO", 250, 251, deadline, server))
				return 0;
		}
		if (!envelope_step(&conn, r, "RSET\r\n", "RSET", 250, 250, deadline, server))
			return 0;
	}
	/* read-only: say goodbye, never DATA */
	if (send_line(&conn, "QUIT\r\n", deadline) == SMTP_FAIL_NONE)
		read_reply(&conn, hd_now() + 0.5 < deadline ? hd_now() + 0.5 : deadline, &code,
			   text, sizeof(text));

	if (nrcpt)
		hd_result_set(r, HD_OK,
			      "SMTP server %s greeted in %.3f s and accepted MAIL FROM:<%s> and "
			      "RCPT TO:<%s>%s",
			      server, t_greet - t_conn, mail_from && *mail_from ? mail_from : "",
			      rcpts[0], nrcpt > 1 ? " and the other recipients" : "");
	else if (mail_from && *mail_from)
		hd_result_set(r, HD_OK,
			      "SMTP server %s greeted in %.3f s and accepted MAIL FROM:<%s>",
			      server, t_greet - t_conn, mail_from);
	else
		hd_result_set(r, HD_OK, "SMTP server %s greeted in %.3f s and answered EHLO",
			      server, t_greet - t_conn);
	hd_result_remedy(r,
			 "A slow greeting: the server is busy or looks up this host's name "
			 "slowly (check its reverse DNS); a slow connect points to the network.");
	return 0;
}

static const struct hd_param params[] = {
    {.key = "host", .type = HD_P_STR, .required = true, .help = "SMTP server name or address"},
    {.key = "port", .type = HD_P_INT, .def = "25", .min = 1, .max = 65535, .help = "TCP port"},
    {.key = "helo", .type = HD_P_STR, .help = "name to give in EHLO; unset: this host's name"},
    {.key = "mail_from",
     .type = HD_P_STR,
     .help = "sender for MAIL FROM; set (or rcpt_to set): the envelope is tried, then RSET"},
    {.key = "rcpt_to",
     .type = HD_P_LIST,
     .help = "recipients for RCPT TO (MAIL FROM:<> when mail_from is unset); DATA is never sent"},
    {.key = "connect_timeout",
     .type = HD_P_NUM,
     .def = "5",
     .help = "seconds for the TCP connect to one address"},
    {.key = "max_time",
     .type = HD_P_NUM,
     .def = "10",
     .help = "seconds for everything (DNS, connect, greeting, EHLO, envelope); capped by the "
	     "check's timeout"},
    {0},
};

static const struct hd_metric_doc metrics[] = {
    {"connect_time", "Seconds from start (DNS included) until the TCP connection was up."},
    {"greeting_time", "Seconds from the connection until the server's greeting."},
    {0},
};

const struct hd_probe probe_smtp_reach = {
    .name = "smtp-reach",
    .summary = "an SMTP server resolves, connects, greets, answers EHLO and accepts the envelope",
    .params = params,
    .metrics = metrics,
    .run = run,
};
