#!/usr/bin/env python3
"""Tiny servers that create network conditions for the reachability tests, one per process.

  hdt_netd.py MODE ADDR PORT READYFILE [ARG]

MODE:
  http CODE      HTTP server answering every request with status CODE
  silent         TCP server that accepts and never answers
  proxy          HTTP proxy: CONNECT tunnels and absolute-URI forwarding
  proxy-deny CODE  HTTP proxy answering every request (CONNECT included) with CODE
  dns-silent     UDP DNS server that reads queries and never answers
  dns-nxdomain   UDP DNS server that answers every query with NXDOMAIN
  smtp CODE      SMTP server greeting with CODE; with 220 it answers EHLO 250 and QUIT 221
  smtp-noehlo    SMTP server greeting 220, answering EHLO 502 and HELO 250
  smtp-rcpt CODE SMTP server greeting 220, EHLO 250, MAIL FROM 250, RCPT TO with CODE unless
                 the recipient is <postmaster>, RSET 250; a DATA command makes it answer 554
                 and write "DATA" to READYFILE.data, so a test sees that none was sent; every
                 RSET adds a line to READYFILE.rset
  smtp-from CODE SMTP server like smtp-rcpt, but MAIL FROM answered with CODE

READYFILE is written once the socket is bound, so the test never races the server.
The server stops after 120 s whatever happens, so a test that dies leaves nothing behind.
"""
import os
import select
import socket
import socketserver
import sys
import threading

mode, addr, port, ready = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
arg = sys.argv[5] if len(sys.argv) > 5 else ""
threading.Timer(120, lambda: os._exit(0)).start()

REASONS = {200: "OK", 403: "Forbidden", 404: "Not Found", 407: "Proxy Authentication Required",
           503: "Service Unavailable"}


def http_answer(code, extra=""):
    body = ("status %d\n" % code).encode()
    head = "HTTP/1.1 %d %s\r\nContent-Length: %d\r\nConnection: close\r\n%s\r\n" % (
        code, REASONS.get(code, "Status"), len(body), extra)
    return head.encode() + body


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def relay(a, b):
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [], 30)
        if not r:
            return
        for s in r:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        try:
            if mode == "http":
                read_head(s)
                s.sendall(http_answer(int(arg)))
            elif mode == "silent":
                s.recv(65536)
                threading.Event().wait(100)
            elif mode == "proxy-deny":
                read_head(s)
                s.sendall(http_answer(int(arg)))
            elif mode == "proxy":
                self.proxy(s)
            elif mode.startswith("smtp"):
                self.smtp(s)
        except OSError:
            pass

    def proxy(self, s):
        head = read_head(s)
        first = head.split(b"\r\n", 1)[0].decode()
        method, target, _ = first.split(" ", 2)
        if method == "CONNECT":
            host, p = target.rsplit(":", 1)
            up = socket.create_connection((host, int(p)), timeout=10)
            s.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            relay(s, up)
            return
        # absolute URI: http://host:port/path
        rest = target.split("://", 1)[1]
        hostport, _, path = rest.partition("/")
        host, _, p = hostport.partition(":")
        up = socket.create_connection((host, int(p or 80)), timeout=10)
        up.sendall(head.replace(target.encode(), b"/" + path.encode(), 1))
        relay(s, up)

    def smtp(self, s):
        f = s.makefile("rb")
        if mode == "smtp-noehlo":
            s.sendall(b"220 test.invalid ESMTP\r\n")
        else:
            code = int(arg) if mode == "smtp" else 220
            s.sendall(b"%d test.invalid %s\r\n" % (code, b"ESMTP ready" if code == 220
                                                    else b"No SMTP service here"))
            if code != 220:
                f.readline()
                return
        for _ in range(20):
            line = f.readline()
            if not line:
                return
            cmd = line[:4].upper()
            if cmd == b"EHLO":
                if mode == "smtp-noehlo":
                    s.sendall(b"502 5.5.2 Command not recognized\r\n")
                else:
                    s.sendall(b"250-test.invalid\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n")
            elif cmd == b"HELO":
                s.sendall(b"250 test.invalid\r\n")
            elif cmd == b"MAIL":
                code = int(arg) if mode == "smtp-from" else 250
                s.sendall(b"%d %s\r\n" % (code, b"2.1.0 Ok" if code == 250
                                             else b"5.7.1 Sender address rejected: not here"))
            elif cmd == b"RCPT":
                code = 250 if (mode != "smtp-rcpt" or b"<postmaster>" in line.lower()) else int(arg)
                s.sendall(b"%d %s\r\n" % (code, b"2.1.5 Ok" if code == 250
                                             else b"5.7.1 <nobody@example.test>: Relay access denied"))
            elif cmd == b"RSET":
                with open(ready + ".rset", "a") as d:
                    d.write("RSET\n")
                s.sendall(b"250 2.0.0 Ok\r\n")
            elif cmd == b"DATA":
                with open(ready + ".data", "w") as d:
                    d.write("DATA\n")
                s.sendall(b"554 5.5.1 No DATA in this test\r\n")
            elif cmd == b"QUIT":
                s.sendall(b"221 2.0.0 Bye\r\n")
                return
            else:
                s.sendall(b"502 5.5.2 Not here\r\n")


def dns():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    open(ready, "w").close()
    while True:
        q, peer = sock.recvfrom(4096)
        if mode == "dns-nxdomain" and len(q) >= 12:
            # same id and question, QR=1 RD RA, RCODE=3 (NXDOMAIN), no answers
            end = 12
            while end < len(q) and q[end]:
                end += q[end] + 1
            question = q[12:end + 5]  # the name, its zero byte, QTYPE and QCLASS
            flags = 0x8183 | (q[2] & 0x01) << 8
            sock.sendto(q[:2] + flags.to_bytes(2, "big") + b"\0\1" + b"\0" * 6 + question, peer)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


if mode.startswith("dns"):
    dns()
else:
    srv = Server((addr, port), Handler)
    open(ready, "w").close()
    srv.serve_forever()
