#!/usr/bin/env python3
"""A fake mail/web gateway for the watch tests: it does what the gateway does at start-up and
logs what the gateway logs when that fails, in the words of its error-log document
(../shared/vendor-docs/000), to a syslog-style file or to a journal file.

  hdt_fakegw.py [--log FILE] [--journal FILE] [--name COMM] [--ready FILE] ACTION [ARGS]

ACTION:
  bind PORT [SECONDS]   bind 0.0.0.0:PORT as the HTTP proxy does; when the port is taken, log
                        "bind=Address already in use(98)" and try again every 0.2 s until it
                        is free (at most SECONDS, default 30; 0: give up, exit 1); then listen
                        until SIGTERM
  semget NSEMS          create a SysV semaphore array as a service process does; when the
                        kernel refuses, log "semget failure" with its error; else remove it
  hold PORT SECONDS     another service: listen on 0.0.0.0:PORT for SECONDS, then leave
  say TEXT              log TEXT as it is
  lines N TEXT          log N lines "TEXT i" at once (a burst)

--log FILE      append "Mon dd HH:MM:SS HOST COMM[PID]: MESSAGE" lines to FILE
--journal FILE  write journal entries (SYSLOG_IDENTIFIER=COMM) into FILE through
                systemd-journal-remote, as journald would
--name COMM     the process name (comm) and the identifier; default fsigk_http
--ready FILE    written once the action's socket is bound (hold, bind)
"""
import ctypes
import ctypes.util
import errno
import os
import socket
import subprocess
import sys
import time

LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
PR_SET_NAME = 15
IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0

BIND_MSG = ("CRITICAL [http:main.c:1289] bind=Address already in use(98) (addr=0.0.0.0, port={port})."
            " # Please check whether other service(mail/web server,etc...) is already running"
            " on port {port}.")
SEM_MSG = ("CRITICAL [smtp:ipc.c:102] semget={err}({code}) semget failure. Childnum(pre_spawn=300)"
           " may be large. If needed, maximum semaphore number(SEMMNI) can be increased by adding"
           " a line like 'kernel.sem=250 128000 32 512' in '/etc/sysctl.conf' and running"
           " 'sysctl -p'.")


def journal_remote():
    for p in ("/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"):
        if os.access(p, os.X_OK):
            return p
    sys.exit("systemd-journal-remote is missing")


class Log:
    def __init__(self, path, journal, name):
        self.path, self.journal, self.name = path, journal, name
        self.boot = open("/proc/sys/kernel/random/boot_id").read().strip().replace("-", "")
        self.host = socket.gethostname()

    def write(self, messages):
        if self.path:
            stamp = time.strftime("%b %e %H:%M:%S")
            with open(self.path, "a") as f:
                f.write("".join("%s %s %s[%d]: %s\n" % (stamp, self.host, self.name, os.getpid(), m)
                                for m in messages))
        if self.journal:
            out = bytearray()
            for m in messages:
                rt = time.clock_gettime_ns(time.CLOCK_REALTIME) // 1000
                mono = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
                out += ("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n"
                        "_HOSTNAME=%s\n_PID=%d\n_COMM=%s\nSYSLOG_IDENTIFIER=%s\nPRIORITY=2\n"
                        "MESSAGE=%s\n\n" % (rt, mono, self.boot, self.host, os.getpid(), self.name,
                                            self.name, m)).encode()
            subprocess.run([journal_remote(), "--output=" + self.journal, "-"], input=bytes(out),
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ready(path):
    if path:
        with open(path + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(path + ".tmp", path)


def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    return s


def main():
    args = sys.argv[1:]
    opts = {"--log": None, "--journal": None, "--name": "fsigk_http", "--ready": None}
    while args and args[0] in opts:
        opts[args[0]] = args[1]
        args = args[2:]
    if not args:
        sys.exit(__doc__)
    LIBC.prctl(PR_SET_NAME, opts["--name"].encode()[:15], 0, 0, 0)
    log = Log(opts["--log"], opts["--journal"], opts["--name"])
    act = args[0]
    if act == "hold":
        s = listener(int(args[1]))
        ready(opts["--ready"])
        time.sleep(float(args[2]))
        s.close()
    elif act == "bind":
        port, limit = int(args[1]), float(args[2]) if len(args) > 2 else 30
        end, logged = time.monotonic() + limit, False
        while True:
            try:
                s = listener(port)
                break
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise
                if not logged:
                    log.write([BIND_MSG.format(port=port)])
                    logged = True
                if time.monotonic() > end:
                    sys.exit(1)
                time.sleep(0.2)
        ready(opts["--ready"])
        while True:
            c, _ = s.accept()
            c.close()
    elif act == "semget":
        sid = LIBC.semget(IPC_PRIVATE, int(args[1]), IPC_CREAT | 0o600)
        if sid < 0:
            e = ctypes.get_errno()
            log.write([SEM_MSG.format(err=os.strerror(e), code=e)])
            sys.exit(1)
        LIBC.semctl(sid, 0, IPC_RMID)
    elif act == "say":
        log.write([args[1]])
    elif act == "lines":
        n, text = int(args[1]), args[2]
        log.write(["%s %d" % (text, i) for i in range(n)])
    else:
        sys.exit("unknown action " + act)


if __name__ == "__main__":
    main()
