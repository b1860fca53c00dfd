#!/usr/bin/env python3
"""Start a command, send it a signal once it has started its checks, and report what is left.

  hdt_signal.py SIGNAL WAIT_CHILDREN TIMEOUT CMD [ARG...]

Waits until CMD has WAIT_CHILDREN children (its checks' processes; at most TIMEOUT seconds),
notes them (each leads its own process group), sends SIGNAL (TERM, INT, HUP) to CMD, waits for
it to end, then looks, for up to a second, for any process still in those groups. Prints one
JSON object: rc (negative: the signal that ended CMD), stdout, stderr, the number of children
seen, and "left": the pids still alive in their groups (they are killed then). The command runs
with the default disposition of SIGINT (a shell's background job would ignore it)."""
import json
import os
import signal
import subprocess
import sys
import time


def live_procs(want):
    """The pids of live (not zombie) processes whose /proc/PID/stat fields after the name
    (state, ppid, pgrp, ...) WANT accepts."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % d).read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and want(fields):
            out.append(int(d))
    return out


def children(pid):
    return live_procs(lambda f: int(f[1]) == pid)


def in_groups(groups):
    return live_procs(lambda f: int(f[2]) in groups)


sig = getattr(signal, "SIG" + sys.argv[1])
want, limit, cmd = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
start, seen = time.time(), []
while time.time() - start < limit:
    seen = children(p.pid)
    if len(seen) >= want:
        break
    time.sleep(0.01)
p.send_signal(sig)
out, err = p.communicate(timeout=limit)
left = []
for _ in range(100):
    left = in_groups(set(seen))
    if not left:
        break
    time.sleep(0.01)
for pid in left:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
print(json.dumps({"rc": p.returncode, "stdout": out.decode(errors="replace"),
                  "stderr": err.decode(errors="replace"), "children": len(seen), "left": left}))
