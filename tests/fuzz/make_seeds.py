#!/usr/bin/env python3
"""Write the seed corpus of every harness into tests/fuzz/corpus/NAME/ (small: the test fixtures,
../shared/corpus/netlink/ss1.dump, and inputs built here as the kernel or the product writes them).
Run from the source tree when a parser learns a new input form; checkpolicy and openssl are used.
Files whose names start with "regress-" are the inputs the harnesses once crashed, hung or leaked
on (or ran out of memory or time), kept so that the smoke run in `make test` replays them: those
below are rebuilt here, the others (copied from a harness's artifacts) are left as they are."""
import glob
import gzip
import io
import json
import os
import sqlite3
import struct
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(SRC, "tests", "fixtures")


def out(name, seed, data):
    d = os.path.join(HERE, "corpus", name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, seed), "wb") as f:
        f.write(data)


def fixture(*parts):
    with open(os.path.join(FIX, *parts), "rb") as f:
        return f.read()


def clean():
    for d in glob.glob(os.path.join(HERE, "corpus", "*")):
        for f in os.listdir(d):
            if not f.startswith("regress-") and not d.endswith("ipsec_cert"):
                os.unlink(os.path.join(d, f))


# ---- netlink: 1 + raw bytes, or 0 + (2-byte length, kind, payload)... as fuzz.h frames them ----

def nlmsg(typ, payload, flags=2):
    n = 16 + len(payload)
    return struct.pack("=IHHII", n, typ, flags, 0, 0) + payload + b"\0" * ((4 - n % 4) % 4)


def nlattr(typ, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, typ) + payload + b"\0" * ((4 - n % 4) % 4)


def framed(payloads):
    b = b"\0"
    for p in payloads:
        b += struct.pack(">HB", len(p), 0) + p
    return b


def raw(msgs):
    return b"\1" + b"".join(msgs)


def netlink():
    ss = open(os.path.join(SRC, "..", "shared", "corpus", "netlink", "ss1.dump"), "rb").read()
    out("sockdiag", "ss1.dump", b"\1" + ss)
    # the inet_diag_msg payloads of the recording, framed again
    pays, off = [], 0
    while off + 16 <= len(ss):
        n, typ = struct.unpack_from("=IH", ss, off)
        if typ == 20:
            pays.append(ss[off + 16:off + n])
        off += (n + 3) & ~3
    out("sockdiag", "ss1-framed", framed(pays))

    # unix_diag: a listener bound to a file (name, vfs, rqlen) and an abstract one
    msg = struct.pack("=BBBBII", 1, 1, 10, 0, 4321, 0) + struct.pack("=II", 0, 0)
    attrs = (nlattr(0, b"/run/fsav/fsavd.sock") + nlattr(1, struct.pack("=II", 1234, 21))
             + nlattr(4, struct.pack("=II", 2, 128)))
    ab = nlattr(0, b"\0abstract") + nlattr(4, struct.pack("=II", 0, 5))
    out("unix_diag", "listener-raw", raw([nlmsg(20, msg + attrs), nlmsg(20, msg + ab),
                                          nlmsg(3, struct.pack("=i", 0))]))
    out("unix_diag", "listener-framed", framed([msg + attrs, msg + ab]))

    # ethtool: CTRL_CMD_GETFAMILY reply, then two RINGS_GET replies (one without TX)
    fam = struct.pack("=BBH", 1, 2, 0) + nlattr(2, b"ethtool\0") + nlattr(1, struct.pack("=H", 28))
    hdr = nlattr(0x8000 | 1, nlattr(1, struct.pack("=I", 2)) + nlattr(2, b"eth0\0"))
    rings = (struct.pack("=BBH", 16, 1, 0) + hdr + nlattr(2, struct.pack("=I", 4096))
             + nlattr(6, struct.pack("=I", 256)) + nlattr(5, struct.pack("=I", 4096))
             + nlattr(9, struct.pack("=I", 256)))
    rx_only = struct.pack("=BBH", 16, 1, 0) + hdr + nlattr(2, struct.pack("=I", 1024)) + nlattr(
        6, struct.pack("=I", 1024))
    out("ethtool", "rings-raw", raw([nlmsg(16, fam), nlmsg(28, rings), nlmsg(28, rx_only),
                                     nlmsg(3, struct.pack("=i", 0))]))
    out("ethtool", "rings-framed", framed([fam, rings, rx_only]))

    # xfrm: a transport-mode ESP policy with one template, and the SA it needs
    addr = lambda a: bytes(a) + b"\0" * (16 - len(a))
    sel = addr([10, 0, 0, 1]) + addr([10, 0, 0, 2]) + struct.pack("=HHHHHBBBxxxiI", 0, 0, 0, 0,
                                                                    2, 32, 32, 0, 0, 0)
    lft = struct.pack("=8Q", *([2**64 - 1] * 4 + [0] * 4))
    cur = struct.pack("=4Q", 0, 0, 0, 0)
    pol = sel + lft + cur + struct.pack("=IIBBBBxxxx", 0, 0x100, 1, 0, 0, 0)
    pol = pol + b"\0" * ((8 - len(pol) % 8) % 8)
    tmpl = (addr([10, 0, 0, 2]) + struct.pack(">I", 0) + struct.pack("=Bxxx", 50)
            + struct.pack("=Hxx", 2) + addr([10, 0, 0, 1]) + struct.pack("=IBBBxIII", 1, 0, 0, 0,
                                                                       0, 0xffffffff, 0xffffffff))
    tmpl = tmpl + b"\0" * ((8 - len(tmpl) % 8) % 8)
    policy = pol + nlattr(5, tmpl)
    sa = (sel + addr([10, 0, 0, 2]) + struct.pack(">I", 0x1000) + struct.pack("=Bxxx", 50)
          + addr([10, 0, 0, 1]) + lft + cur + struct.pack("=3I", 0, 0, 0)
          + struct.pack("=IIHBBBBxx", 0, 1, 2, 0, 32, 0, 0))
    out("xfrm", "policy-sa-raw", raw([nlmsg(19, policy), nlmsg(16, sa),
                                      nlmsg(3, struct.pack("=i", 0))]))
    out("xfrm", "policy-framed", framed([policy]))
    out("xfrm", "sa-framed", b"\2" + framed([sa])[1:])


# ---- files of the host ----

def core_elf():
    # header, one PT_NOTE, an NT_PRSTATUS-like note then NT_PRPSINFO (x86_64 layout)
    eh = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("=HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0,
                                                           0, 64, 56, 1, 0, 0, 0)
    notes = b""
    notes += struct.pack("=III", 5, 12, 1) + b"CORE\0\0\0\0" + b"\0" * 12
    ps = struct.pack("=ccccQII", b"R", b"R", b"\0", b"\0", 0, 0, 0) + struct.pack("=iiii", 1, 1,
                                                                                   1, 1)
    ps += b"fsavd".ljust(16, b"\0") + b"/opt/f-secure/fsavd --conf x".ljust(80, b"\0")
    notes += struct.pack("=III", 5, len(ps), 3) + b"CORE\0\0\0\0" + ps
    ph = struct.pack("=IIQQQQQQ", 4, 0, 64 + 56, 0, 0, len(notes), 0, 0)
    out("core_elf", "core-fsavd", eh + ph + notes)
    out("core_elf", "not-core", b"\x7fELF\x02\x01\x01" + b"\0" * 57)


def elf(is64, sections, etype=1):
    """An ELF file with SECTIONS [(name, data)] after a null section and .shstrtab."""
    names = b"\0.shstrtab\0" + b"".join(n.encode() + b"\0" for n, _ in sections)
    ehsize, shent = (64, 64) if is64 else (52, 40)
    body, offs, off = b"", [], ehsize
    body += names
    offs.append((1, off, len(names)))
    off += len(names)
    p = 11
    for n, d in sections:
        offs.append((p, off, len(d)))
        p += len(n) + 1
        body += d
        off += len(d)
    pad = (8 - off % 8) % 8
    body += b"\0" * pad
    shoff = off + pad
    sh = b"\0" * shent
    for name, o, size in offs:
        if is64:
            sh += struct.pack("=IIQQQQIIQQ", name, 1, 0, 0, o, size, 0, 0, 1, 0)
        else:
            sh += struct.pack("=IIIIIIIIII", name, 1, 0, 0, o, size, 0, 0, 1, 0)
    n = len(offs) + 1
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1]) + b"\0" * 9
    if is64:
        eh = ident + struct.pack("=HHIQQQIHHHHHH", etype, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64,
                                 n, 1)
    else:
        eh = ident + struct.pack("=HHIIIIIHHHHHH", etype, 3, 1, 0, 0, shoff, 0, 52, 0, 0, 40,
                                 n, 1)
    return eh + body + sh


def kernel():
    info = b"license=GPL\0vermagic=6.1.0-13-amd64 SMP preempt mod_unload modversions \0name=ampfsm\0"
    out("modinfo", "ko64", elf(True, [(".text", b""), (".modinfo", info), ("__versions", b"\0" * 64)]))
    out("modinfo", "ko32", elf(False, [(".modinfo", info)]))
    btf = struct.pack("=HBBIIIII", 0xEB9F, 1, 0, 24, 0, 0, 0, 0)
    out("elf_btf", "raw-btf", btf)
    out("elf_btf", "vmlinux", elf(True, [(".text", b"\0" * 16), (".BTF", btf)], etype=2))
    out("proc_modules", "modules", fixture("tproxy", "modules-xt_tproxy") +
        b"ampfsm 16384 0 - Loading 0x0000000000000000 (OE)\nipsec_engine 1 0 - Live 0x0\n")
    for f in ("debian12", "rhel7", "rocky8", "ubuntu22"):
        for sub in glob.glob(os.path.join(FIX, "kernel-version", f, "**", "*"), recursive=True):
            if os.path.isfile(sub):
                out("kernel_version", f + "-" + os.path.basename(sub), open(sub, "rb").read())
    out("kernel_version", "uek", "5.4.17-2136.300.7.el8uek.x86_64\n")


def proc():
    for name in ("memory", "semaphores"):
        for f in glob.glob(os.path.join(FIX, name, "**", "*"), recursive=True):
            if os.path.isfile(f):
                seed = os.path.relpath(f, os.path.join(FIX, name)).replace(os.sep, "-")
                out("meminfo" if name == "memory" else name, seed, open(f, "rb").read())
    out("semaphores", "stat", "1234 (fs av d) S 1 1234 1234 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 "
        "4242 1000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
    out("small_proc", "file-nr", "1952\t0\t9223372036854775807\n")
    out("small_proc", "sem", "250\t32000\t32\t128\n")
    out("small_proc", "counter", "12345\n")
    out("small_proc", "efivar", b"\x06\x00\x00\x00\x01")
    out("small_proc", "lockdown", "none [integrity] confidentiality\n")
    out("realtime_scan", "fdinfo",
        "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n"
        "fanotify flags:5 event-flags:8000\n"
        "fanotify ino:2 sdev:27 mflags:0 mask:8010000 ignored_mask:0 fhandle-bytes:c "
        "fhandle-type:1 f_handle:02000000000000005f6a7bd2\n"
        "fanotify mnt_id:3f mflags:0 mask:28 ignored_mask:0\n"
        "fanotify sdev:800001 mflags:0 mask:10000 ignored_mask:40000\n")
    out("realtime_scan", "inotify", "pos:\t0\nflags:\t02000000\nmnt_id:\t15\n"
        "inotify wd:1 ino:2 sdev:27 mask:fc6 ignored_mask:0 fhandle-bytes:8 fhandle-type:1 "
        "f_handle:0200000000000000\n")
    out("realtime_scan", "cgroup", "0::/system.slice/fsavd.service\n")
    out("user", "passwd", "root:x:0:0:root:/root:/bin/bash\n+::::::\n# c\n"
        "fsigk:x:998:998::/opt/f-secure:/usr/sbin/nologin\nbroken:x:abc\n")
    out("user", "group", "root:x:0:\nfsigk:x:998:a,b\n")
    out("user", "login.defs", "# shadow\nUMASK\t\t022\nUSERGROUPS_ENAB yes\n")
    out("values", "modes", "0755\n1777\n755\n0\n07777\n")
    out("values", "status", "200\n200-399\n2xx\n503\n")


def selinux():
    out("selinux_config", "config", "# comment\nSELINUX=enforcing\nSELINUXTYPE=targeted\n")
    out("selinux_config", "mounts", fixture("selinux-avc", "enforcing", "proc", "self", "mounts"))
    out("selinux_avc", "audit.log", fixture("selinux-avc", "enforcing", "var", "log", "audit",
                                            "audit.log"))
    out("selinux_avc", "syslog", 'Jan  1 00:00:00 h kernel: audit: type=1400 audit(1700000000.1:7):'
        ' avc:  denied  { write } for  pid=1 comm="fsavd" path="/opt/f-secure/x" dev="sda1" '
        'ino=9 scontext=a tcontext=b tclass=dir permissive=0\n')
    sys.path.insert(0, HERE)
    conf = open(os.path.join(SRC, "tests", "unit", "test_selinux_allow.c")).read()
    start = conf.index("policy_conf[] =") + len("policy_conf[] =")
    text = eval("(" + conf[start:conf.index(";\n", start)].replace("\n", " ") + ")")
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "policy.conf"), "w") as f:
            f.write(text)
        subprocess.run(["checkpolicy", "-c", "33", "-o", os.path.join(d, "policy.33"),
                        os.path.join(d, "policy.conf")], check=True, capture_output=True)
        out("selinux_policy", "policy.33", open(os.path.join(d, "policy.33"), "rb").read())


def product():
    out("config", "base.conf", open(os.path.join(SRC, "checks.d", "10-base.conf"), "rb").read())
    out("config", "override.conf", "[file-handles]\nwarning = 70\n[zombies]\nenabled = no\n"
        "[p]\nprobe = port\nport = ${ini:/opt/x.ini:http:port:-9080}\ntags = a, b\n")
    out("catalog", "fsigk.conf", open(os.path.join(SRC, "catalog", "fsigk.conf"), "rb").read())
    out("range", "ranges", "10")
    for i, r in enumerate(["10:", "~:10", "10:20", "@10:20", "-5.5:1e3", "80%"]):
        out("range", "range%d" % i, r)
    out("ini_ref", "port", "${ini:/opt/f-secure/fsigk/conf/fsigk.ini:http:port:-9080}\n"
        "top = 1\n[http]\nport = 9080\n; comment\n[smtp]\nport=25\n  continued\n")
    out("ini_ref", "top", "${ini:/etc/x.conf::KEY}\nKEY = \"quoted\"\n")
    out("result_json", "result", '{"id":"file-handles","probe":"file-handles","status":"WARNING",'
        '"summary":"85.0% of fs.file-max","details":"a\\nb","remedy":"sysctl -w x=1",'
        '"description":null,"tags":["base"],"inhibitor":false,"duration":0.001,"metrics":['
        '{"name":"used","value":85.0,"unit":"%","warn":"80","crit":"95","min":0.0,"max":100.0,'
        '"help":"h"},{"name":"nan","value":null,"unit":"","warn":null,"crit":null,"min":null,'
        '"max":null}]}')
    for d in sorted(glob.glob(os.path.join(FIX, "ds-update", "*"))):
        for f in glob.glob(os.path.join(d, "**", "*"), recursive=True):
            if os.path.isfile(f) and not f.endswith(".gz") and not f.endswith(".md"):
                out("ds_update", os.path.basename(d) + "-" + os.path.basename(f),
                    open(f, "rb").read())
    out("ds_update", "version", "9.0 SP1 Patch 5")
    for f in glob.glob(os.path.join(FIX, "tproxy", "*")):
        out("tproxy", os.path.basename(f), open(f, "rb").read())
    out("tproxy", "config.gz", gzip.compress(fixture("tproxy", "config-tproxy-m"), mtime=0))
    tmp = fixture("tmp-cleaner", "debian", "usr", "lib", "tmpfiles.d", "tmp.conf")
    out("tmpfiles", "tmp.conf", b"10d\n" + tmp + b"x /tmp/product\nD! /tmp 1777 root root -\n"
        b"e /var/tmp/product/* - - - ~5d\nd /tmp/%u 0700 - - 1h30min\n")
    out("tmpcron", "tmpreaper", fixture("tmp-cleaner", "debian", "etc", "tmpreaper.conf") + b"\0"
        + fixture("tmp-cleaner", "debian", "etc", "cron.daily", "tmpreaper"))
    out("tmpcron", "tmpwatch", b"7d\0" + b"#!/bin/sh\n/usr/sbin/tmpwatch -umc -x /tmp/.X11-unix "
        b"-X '/tmp/hsperfdata_*' 10d /tmp\n/usr/sbin/tmpwatch \\\n  -umc 30d /var/tmp\n")
    # cvd: header, then a gzip'd tar
    tarb = io.BytesIO()
    with tarfile.open(fileobj=tarb, mode="w", format=tarfile.USTAR_FORMAT) as t:
        info = tarfile.TarInfo("COPYING")
        info.size = 5
        info.mtime = 0
        t.addfile(info, io.BytesIO(b"hello"))
    body = gzip.compress(tarb.getvalue(), mtime=0)
    head = ("ClamAV-VDB:03 Mar 2024 08-25 -0500:27200:2056:90:%s:sig:raynman:1709472300"
            % ("0" * 32)).encode().ljust(512, b" ")
    out("cvd", "daily.cvd", head + body)
    out("ipsec_policy", "policy", "# SPD\nremote 10.0.0.2 {\n  certificate_type x509 "
        "/etc/ipsec/cert/host.der /etc/ipsec/key/host.key;\n  ca_type trusted ca.der;\n"
        "  crl /etc/ipsec/crl.crl;\n}\n// comment\n; also\n")
    out("smtp", "replies", "220-mx.example.com ESMTP\r\n220 ready\r\n250-mx\r\n250-SIZE 1000\r\n"
        "250 8BITMIME\r\n354 go\r\n221 bye\r\n")
    out("smtp", "short", "220 mx\n")
    if os.path.exists(os.path.join(HERE, "corpus", "ipsec_cert", "cert-key")):
        return  # keys are random: made once
    with tempfile.TemporaryDirectory() as d:
        def ssl(*args):
            subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=d)
        ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=hd", "-days", "1",
            "-addext", "subjectAltName=IP:10.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE")
        ssl("x509", "-in", "c.pem", "-outform", "DER", "-out", "c.der")
        ssl("pkey", "-in", "k.pem", "-outform", "DER", "-out", "k.der")
        c_der, k_der, c_pem = (open(os.path.join(d, n), "rb").read()
                               for n in ("c.der", "k.der", "c.pem"))
        # selector: kinds of the two files (2 bits each: 0 certificate, 1 CA, 2 key, 3 CRL)
        out("ipsec_cert", "cert-key", bytes([0x08]) + c_der + k_der[:len(c_der)])
        out("ipsec_cert", "ca-cert-pem", bytes([0x01]) + c_der + c_pem[:len(c_der)])
        out("ipsec_cert", "key-unlisted", bytes([0x1a]) + k_der + c_der[:len(k_der)])


def text():
    out("text", "mixed", b"held by \x1b]0;x\x07 a;id>/tmp/pwn \xff\xfe caf\xc3\xa9 \xe2\x80\xae\n")


def logs():
    out("logscan_state", "state-v1", "hostdoctor-log-scan 1\n2049 131 4096 256 3735928559 "
        "/var/log/fsigk/fsigk.log\n2049 132 0 0 0 /var/log/a b.log\n")
    out("logscan_state", "state-v2", "hostdoctor-log-scan 2\nfile 2049 131 4096 256 3735928559 "
        "/var/log/syslog\nfile 2049 132 0 0 0 /var/log/a b.log\njournal s=0123abcd;i=1f;b=42;"
        "m=9;t=5f;x=77\n")
    out("logscan_state", "state-v2-nojournal", "hostdoctor-log-scan 2\njournal -\n")
    lines = []
    cat = open(os.path.join(SRC, "catalog", "fsigk.conf")).read().splitlines()
    for l in cat:
        if l.startswith("sample"):
            lines.append(l.split("=", 1)[1].strip())
    out("logscan_scan", "samples", "\n".join(lines[:40]) + "\nauthentication failed\ninvalid\n")


def ops():
    """baseline, logins and wtmpdb (the operations manual's probes)."""
    out("baseline", "baseline.json", json.dumps({
        "format": "hostdoctor-baseline", "version": 1, "name": "default", "host": "web1",
        "saved": 1700000000, "min_age": 60,
        "processes": [
            {"name": "sshd", "exe": "/usr/sbin/sshd", "user": "root", "uid": 0, "count": 1,
             "unit": "ssh.service", "cmdline": "sshd: /usr/sbin/sshd -D [listener]"},
            {"name": "backupd", "exe": "/opt/b/backupd", "user": "bob", "uid": 1001,
             "count": 2, "cmdline": "/opt/b/backupd --daemon"}],
        "listeners": [
            {"proto": "tcp", "address": "0.0.0.0", "port": 22, "activation": "daemon",
             "owner": "sshd", "unit": "ssh.service"},
            {"proto": "udp", "address": "::", "port": 69, "activation": "systemd",
             "socket_unit": "tftp.socket"}],
        "services": [{"unit": "ssh.service", "wanted_by": "multi-user.target"}]}, indent=1))
    out("baseline", "cgroup", "0::/system.slice/ssh.service\n")
    out("baseline", "socket-unit", "[Socket]\nListenStream=0.0.0.0:22\nListenDatagram=69\n")
    out("baseline", "login.defs", "UID_MIN 1000\n")
    # struct utmpx as glibc writes it on x86_64: 384 bytes
    def utmpx(typ, pid, line, user, host, sec):
        return (struct.pack("=hxxi32s4s32s256shhiii", typ, pid, line.encode(), b"", user.encode(),
                            host.encode(), 0, 0, 0, sec, 0) + b"\0" * 36)
    recs = (utmpx(2, 0, "~", "reboot", "6.1.0", 1700000000)
            + utmpx(7, 1234, "pts/0", "carol", "10.0.0.8", 1700000100)
            + utmpx(8, 1234, "pts/0", "", "", 1700000200)
            + utmpx(6, 1300, "ssh:notty", "root", "192.0.2.66", 1700000300))
    out("logins", "wtmp", recs)
    out("logins", "mgetty", "05/25 04:38:58 yS0 waiting for ``CONNECT'' ** found **\n"
        "05/26 03:05:02 yS0 waiting for ``CONNECT'' ** timeout **\n")
    out("logins", "state", json.dumps({"version": 1, "wtmp_usec": 123, "btmp_usec": 456,
                                       "users": {"carol": ["10.0.0.8", "pts/"]}}))
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "wtmp.db")
        con = sqlite3.connect(db)
        con.executescript(
            "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, "
            "Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT);"
            "INSERT INTO wtmp (Type,User,Login,TTY,RemoteHost,Service) "
            "VALUES (1,'reboot',1700000000000000,'~','6.1.0','');"
            "INSERT INTO wtmp (Type,User,Login,TTY,RemoteHost,Service) "
            "VALUES (3,'carol',1700000100000000,'pts/0','10.0.0.8','sshd');")
        con.commit()
        con.close()
        out("wtmpdb", "wtmp.db", open(db, "rb").read())


def regress():
    """The findings, as the inputs that showed them."""
    # core-files: a PT_NOTE segment at 2^64 - 4 of 2 bytes; offset + header wrapped to 8
    core = bytearray(open(os.path.join(HERE, "corpus", "core_elf", "core-fsavd"), "rb").read())
    struct.pack_into("=Q", core, 64 + 8, 2**64 - 4)
    struct.pack_into("=Q", core, 64 + 32, 2)
    out("core_elf", "regress-phdr-offset-wraps", bytes(core))
    # netlink: a NOOP, then a message whose nlmsg_len is 2 GiB (libmnl compares it as an int),
    # and one whose aligned length wraps to 0 (libmnl's walk goes round)
    noop = struct.pack("=IHHII", 20, 1, 0, 0, 0) + b"\0" * 4
    for name in ("sockdiag", "unix_diag", "ethtool", "xfrm"):
        for tag, n in (("2gib", 0x80000000), ("wraps", 0xfffffffc)):
            out(name, "regress-nlmsg-len-" + tag,
                b"\1" + noop + struct.pack("=IHHII", n, 20, 2, 0, 0) + b"\0" * 64)
    # selinux-avc: an audit stamp at the very end of the bytes (strtod read on past them)
    out("selinux_avc", "regress-stamp-at-end", "type=SYSCALL msg=audit(1700000000.5")
    # /proc/self/mounts: fields with no newline or NUL after them (sscanf read on past them)
    out("selinux_config", "regress-mounts-no-end", "a b")
    # tmpreaper.conf: a last line of blanks only (a '#' was looked for one byte past the end)
    out("tmpcron", "regress-conf-blank-last-line", b"RUNFROMCRON=true\n   \0")
    # ${ini:}: a line longer than libinih's 200 bytes whose tail reads as the key
    out("ini_ref", "regress-long-line", "${ini:/p.ini:http:port}\n[http]\nport = 9080\nnote = "
        + "x" * 192 + "port = 7\n")
    # libsepol: a policy it asks 4 GiB for, one it spends minutes on (tests/fixtures)
    for f in ("policy-4gib-alloc", "policy-quadratic"):
        out("selinux_policy", "regress-" + f, fixture("selinux-allow", f))


def main():
    clean()
    netlink()
    core_elf()
    kernel()
    proc()
    selinux()
    product()
    text()
    logs()
    ops()
    regress()


if __name__ == "__main__":
    main()
