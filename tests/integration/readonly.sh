# Read-only, proven: the whole shipped doctor (its outbound checks left out) runs on this host
# under strace -f, every process and thread followed, and no system call writes, creates,
# renames, removes, or changes the mode or owner of anything but the log checks' state directory
# and the -o report (with its temporary file beside it). The state directory, and /var/log with
# a syslog for the log checks, are tmpfs in a private mount namespace: the host's are untouched.
. "$(dirname "$0")/lib.sh"
need_root
command -v strace >/dev/null || { not_ok "strace is not installed (make deps)"; finish; }
if [ -z "${HD_MOUNTNS:-}" ]; then
	rm -rf "$HD_TMP"
	# the mount point of the tmpfs: made as the package makes it (0700), and removed after
	made=
	[ -d /var/lib/hostdoctor ] || { mkdir -m 0700 /var/lib/hostdoctor && made=1; }
	unshare --mount --propagation private env HD_MOUNTNS=1 bash "$0" "$@"
	rc=$?
	[ -n "$made" ] && rmdir /var/lib/hostdoctor
	exit $rc
fi
mount -t tmpfs -o mode=0700 none /var/lib/hostdoctor
state=/var/lib/hostdoctor
# a system log for the log checks to read (and keep a position in), in this namespace only
mount -t tmpfs none /var/log
printf 'Jan  1 00:00:00 host sshd[1]: authentication failed for root\n' >/var/log/syslog
mkdir -p "$HD_TMP/out"
report="$HD_TMP/out/report.json"
outbound="--skip ds-update-server-reach --skip ds-relay-reach --skip fsigk-notify-smtp"

# the syscalls that change the file system, and every open (its flags tell a write)
calls=open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,rmdir,mkdir,mkdirat
calls=$calls,mknod,mknodat,link,linkat,symlink,symlinkat,chmod,fchmod,fchmodat,chown,fchown
calls=$calls,lchown,fchownat,truncate,ftruncate,utime,utimes,utimensat,futimesat,setxattr
calls=$calls,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr,mount,umount2,swapon
# one trace file per process (-ff), so no call is split across lines by another's
judge() { # TRACE-PREFIX: the calls that changed something outside the allowed places
	python3 - "$1" "$state" "$report" <<'PY'
import glob, re, sys
prefix, state, report = sys.argv[1:4]
def ok_path(p):
    p = p.rstrip("/")
    return (p == state or p.startswith(state + "/") or p == report
            or (p.startswith(report + ".tmp.") and "/" not in p[len(report):]))
call = re.compile(r"(\w+)\((.*)\) += (-?\d+|\?)(?:<([^<>]*)>)?")
qs = r'"((?:[^"\\]|\\.)*)"'
bad = []
for trace in glob.glob(prefix + ".*"):
    for line in open(trace, errors="replace"):
        m = call.match(line)
        if not m or m.group(3).startswith("-"):
            continue  # not a call, or refused: nothing changed
        name, args, ret, retpath = m.groups()
        if name in ("open", "openat", "openat2", "creat"):
            if name != "creat" and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND", args):
                continue
            paths = [retpath or "?"]
        else:
            paths = []
            # DIRFD<dir>, "name" pairs, then plain quoted paths, then FD<path> arguments
            for d, n in re.findall(r"(?:AT_FDCWD|\d+)<([^<>]*)>, " + qs, args):
                paths.append(n if n.startswith("/") else d + "/" + n)
            rest = re.sub(r"(?:AT_FDCWD|\d+)<[^<>]*>, " + qs, "", args)
            paths += [n for n in re.findall(qs, rest) if n.startswith("/")]
            paths += re.findall(r"^\d+<([^<>]*)>", rest)
        if not paths or not all(p == "/dev/null" or ok_path(p) for p in paths):
            bad.append("%s: %s" % (trace.rsplit(".", 1)[1], line.strip()))
print("\n".join(bad))
PY
}
for pass in 1 2; do # the second run finds the log checks' state the first one left
	rm -f "$HD_TMP"/trace."$pass".*
	run strace -ff -qq -y -s 4096 -e trace="$calls" -e signal=none -o "$HD_TMP/trace.$pass" \
		"$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" $outbound -f json -o "$report"
	if [ "$RC" -le 3 ] && [ -s "$report" ]; then ok "pass $pass: the doctor ran (exit $RC) and wrote its report"; else not_ok "pass $pass: exit $RC" "$ERR"; fi
	nchecks=$(python3 -c "import json; print(len(json.load(open('$report'))['checks']))")
	nprocs=$(ls "$HD_TMP"/trace."$pass".* | wc -l)
	[ "$nchecks" -gt 50 ] && [ "$nprocs" -gt "$nchecks" ] && ok "pass $pass: $nchecks checks in $nprocs processes traced" ||
		not_ok "pass $pass: $nchecks checks, $nprocs processes traced"
	writes=$(judge "$HD_TMP/trace.$pass")
	if [ -z "$writes" ]; then
		ok "pass $pass: nothing written outside $state and the report"
	else
		not_ok "pass $pass: writes outside $state and the report" "$writes"
	fi
done
# the judge itself sees writes: a shell that writes where it must not is caught
rm -f "$HD_TMP"/trace.3.*
strace -ff -qq -y -e trace="$calls" -o "$HD_TMP/trace.3" sh -c "echo x > '$HD_TMP/stray'; chmod 600 '$HD_TMP/stray'; mv '$HD_TMP/stray' '$HD_TMP/stray2'; rm '$HD_TMP/stray2'; echo y > '$state/fine'"
caught=$(judge "$HD_TMP/trace.3" | wc -l)
[ "$caught" = 4 ] && ok "the judge catches a create, a chmod, a rename and an unlink, not the state directory" ||
	not_ok "the judge caught $caught calls of 4" "$(judge "$HD_TMP/trace.3")"
if grep -lq "$state" "$HD_TMP"/trace.1.*; then ok "the log checks wrote their state, and the trace saw it"; else not_ok "the state directory was never written: is the trace complete?"; fi
finish
