# Faults a run survives, with the real binary: the parent killed in its first milliseconds,
# SIGTERM/SIGINT/SIGHUP mid-run, RLIMIT_NOFILE 16 and a small RLIMIT_AS, -o into a read-only
# or full directory, a 1 GiB file, a FIFO, a socket and a symlink loop where a /proc file
# should be, 100 MB log lines, libsepol on crafted policies, 200 checks at -j 1/4/16, and
# hostdoctor's own unreaped children never counted as zombies. Slow checks are http-reach
# against a server on loopback that accepts and never answers (private network namespace).
. "$(dirname "$0")/../helpers/netns.sh"
netns_enter "$@"
. "$(dirname "$0")/lib.sh"
ip link set lo up

asan=0
ldd "$HOSTDOCTOR" | grep -q libasan && asan=1

serve silent silent 127.0.0.1 8099
servers_ready

# N checks that wait on the silent server (until their deadline) in DIR
slow_checks() {
	mkdir -p "$1"
	for i in $(seq "$2"); do
		printf '[slow%d]\nprobe = http-reach\nurl = http://127.0.0.1:8099/\nmax_time = 20\ntimeout = 30\n' "$i"
	done >"$1/50-slow.conf"
}
slow_checks "$HD_TMP/slow" 120
slow8=$(seq -f 'slow%g' 8)

# --- the parent killed in its first milliseconds: no check's process outlives it ---
worst=0
for ms in 0 1 2 3 4 5 6 7 8 9 10 12 14 16 18 20 22 25 28 30 35 40 50 60 80; do
	out=$("$HD_HELPERS/hdt_reaper" $((ms * 1000)) 300 "$HOSTDOCTOR" doctor -d "$HD_TMP/slow" -j 64 -t 60)
	left=$(sed -n 's/.*orphans-alive \([0-9]*\).*/\1/p' <<<"$out")
	if [ "${left:-1}" != 0 ]; then
		not_ok "killed after $ms ms: $out"
		worst=1
	fi
done
[ $worst = 0 ] && ok "the parent SIGKILLed at 0 to 80 ms: every check's process died with it"

# --- SIGTERM, SIGINT, SIGHUP mid-run: every child ended; nagios still prints one UNKNOWN ---
sig_run() { # SIGNAL CMD...: sets SIG (the helper's JSON)
	SIG=$(python3 "$HD_SRC/tests/helpers/hdt_signal.py" "$1" 8 20 "${@:2}")
}
sig_get() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)" <<<"$SIG"; }

sig_run TERM "$HOSTDOCTOR" nagios -d "$HD_TMP/slow" -j 8 $slow8
if [ "$(sig_get "j['rc']")" = 3 ]; then ok "nagios, SIGTERM: exit 3"; else not_ok "nagios, SIGTERM: $(sig_get "j['rc']")" "$SIG"; fi
stdout=$(sig_get "j['stdout']")
if [ "$(sig_get "len(j['stdout'].splitlines())")" = 1 ] &&
	grep -q '^HOSTDOCTOR UNKNOWN: stopped by SIGTERM' <<<"$stdout"; then
	ok "nagios, SIGTERM: one UNKNOWN line"
else
	not_ok "nagios, SIGTERM: not one UNKNOWN line" "$stdout"
fi
if [ "$(sig_get "j['children']")" -ge 8 ] && [ "$(sig_get "j['left']")" = "[]" ]; then
	ok "nagios, SIGTERM: its 8 checks' processes, and all in their groups, ended"
else
	not_ok "nagios, SIGTERM: processes left" "$SIG"
fi
sig_run HUP "$HOSTDOCTOR" nagios -d "$HD_TMP/slow" -j 8 $slow8
stdout=$(sig_get "j['stdout']")
if [ "$(sig_get "j['rc']")" = 3 ] && [ "$(sig_get "j['left']")" = "[]" ] &&
	grep -q '^HOSTDOCTOR UNKNOWN: stopped by SIGHUP' <<<"$stdout"; then
	ok "nagios, SIGHUP: one UNKNOWN line, nothing left"
else
	not_ok "nagios, SIGHUP" "$SIG"
fi
mkdir -p "$HD_TMP/out"
sig_run INT "$HOSTDOCTOR" doctor -d "$HD_TMP/slow" -j 8 -o "$HD_TMP/out/report.json" -f json
if [ "$(sig_get "j['rc']")" = -2 ] && [ "$(sig_get "j['left']")" = "[]" ]; then
	ok "doctor, SIGINT: dies of SIGINT, nothing left"
else
	not_ok "doctor, SIGINT" "$SIG"
fi
if [ -z "$(ls -A "$HD_TMP/out")" ]; then ok "doctor, SIGINT: no report and no temporary file"; else not_ok "left in -o's directory: $(ls -A "$HD_TMP/out")"; fi

# --- RLIMIT_NOFILE 16 and a small RLIMIT_AS: every check one result, clear UNKNOWNs, no crash ---
# with only 0, 1 and 2 open to begin with (the test's shell holds more), and RLIMIT_NOFILE N
nofile() { python3 -c '
import resource, subprocess, sys
n = int(sys.argv[1])
sys.exit(subprocess.call(sys.argv[2:], close_fds=True,
    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))))' "$@"; }
outbound="--skip ds-update-server-reach --skip ds-relay-reach --skip fsigk-notify-smtp"
nchecks=$("$HOSTDOCTOR" list -d "$HD_SRC/checks.d" $outbound | wc -l)
limits_ok() { # NAME: the JSON in OUT has one result per shipped check and no crash
	local got
	got=$(python3 -c '
import json, sys
j = json.load(sys.stdin)
bad = [c["id"] + ": " + c["summary"] for c in j["checks"]
       if "crashed" in c["summary"] or "ended without a result" in c["summary"]]
print(len(j["checks"]), len({c["id"] for c in j["checks"]}), "|".join(bad))' <<<"$OUT" 2>&1)
	if [ "$RC" -le 3 ] && [ "$got" = "$nchecks $nchecks " ]; then ok "$1: $nchecks checks, one result each, no crash (exit $RC)"; else not_ok "$1: exit $RC, $got" "$OUT
$ERR"; fi
}
for j in 1 16; do
	run nofile 16 "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" $outbound -f json -j $j -t 60
	limits_ok "RLIMIT_NOFILE 16, -j $j"
done
# 4: no room for the pipe to a check's process, for any check
run nofile 4 "$HOSTDOCTOR" nagios -d "$HD_SRC/checks.d" memory file-handles
expect_out "RLIMIT_NOFILE 4: a clear UNKNOWN" "^\[UNKNOWN\] memory: not run: hostdoctor could not start its process \(pipe: Too many open files\)"
expect_out "RLIMIT_NOFILE 4: the same for the next check" "^\[UNKNOWN\] file-handles: not run: hostdoctor could not start"
if [ $asan = 0 ]; then
	for mb in 8 24; do
		run prlimit --as=$((mb << 20)) "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" $outbound -f json -t 60
		limits_ok "RLIMIT_AS $mb MiB"
	done
	run prlimit --as=$((7 << 20)) "$HOSTDOCTOR" nagios -d "$HD_SRC/checks.d" zombies memory
	expect_out "RLIMIT_AS 7 MiB: one status line" "^HOSTDOCTOR (OK|UNKNOWN): 2 checks"
	expect_no_out "RLIMIT_AS 7 MiB: no crash" "crashed"
	# explain on a 300 MB line without a newline, in 300 MiB of address space: taken in 64 MiB
	# pieces as log-scan takes it, never held whole; the message at its end is still found
	{ head -c 300000000 /dev/zero | tr '\0' x; printf ' CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure.'; } >"$HD_TMP/longline"
	run prlimit --as=$((300 << 20)) "$HOSTDOCTOR" explain -d "$HD_SRC/checks.d" <"$HD_TMP/longline"
	expect_out "explain: a 300 MB line in 300 MiB, its message found" "^fsigk-semget-failure \(fsigk, critical\)"
	expect_no_out "explain: a 300 MB line, no out of memory" "out of memory"
	rm -f "$HD_TMP/longline"
else
	ok "RLIMIT_AS: not with AddressSanitizer, whose shadow memory needs terabytes"
fi

# --- -o into a read-only or a full directory: exit 3 with the reason, nothing left there ---
mkdir -p "$HD_TMP/ro" "$HD_TMP/full"
mount -t tmpfs -o ro,size=1m none "$HD_TMP/ro"
mount -t tmpfs -o size=64k none "$HD_TMP/full"
on_exit "umount '$HD_TMP/ro'; umount '$HD_TMP/full'"
dd if=/dev/zero of="$HD_TMP/full/fill" bs=4k 2>/dev/null
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" $outbound -o "$HD_TMP/ro/report.txt"
expect_rc "-o into a read-only directory" 3
expect_err "says why" "ro/report.txt: cannot write: Read-only file system"
run "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" $outbound -f json -o "$HD_TMP/full/report.json"
expect_rc "-o into a full directory" 3
expect_out "says why (-f json: the error document on stdout)" "full/report.json: cannot write: No space left on device"
if [ "$(ls -A "$HD_TMP/full")" = fill ] && [ -z "$(ls -A "$HD_TMP/ro")" ]; then
	ok "no partial report, no temporary file"
else
	not_ok "left: $(ls -A "$HD_TMP/full" "$HD_TMP/ro")"
fi
run "$HOSTDOCTOR" nagios -d "$HD_SRC/checks.d" memory -o "$HD_TMP/full/m.txt"
expect_rc "nagios, -o into a full directory" 3
expect_out "nagios: the reason as the UNKNOWN line" "^HOSTDOCTOR UNKNOWN: .*m.txt: cannot write: No space left on device"

# --- what should be a file is a 1 GiB file, a FIFO, a socket, a symlink loop; 100 MB lines ---
root="$HD_TMP/root"
mkdir -p "$root/proc/sys/fs" "$root/proc/sys/kernel" "$root/proc/self" "$root/sys/fs/selinux" \
	"$root/var/log/audit" "$root/var/opt/ds_agent/lib/iaulogs" "$root/state"
chmod 700 "$root/state"
truncate -s 1G "$root/proc/meminfo"
mkfifo "$root/proc/sys/fs/file-nr"
python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('$root/proc/sys/kernel/sem')"
ln -s osrelease.b "$root/proc/sys/kernel/osrelease"
ln -s osrelease "$root/proc/sys/kernel/osrelease.b"
printf 'selinuxfs /sys/fs/selinux selinuxfs rw 0 0\n' >"$root/proc/self/mounts"
printf 1 >"$root/sys/fs/selinux/enforce"
line100m() { python3 -c "import sys; sys.stdout.write('type=AVC msg=audit(1.0:1): ' + 'x' * (100 << 20))" >"$1"; }
line100m "$root/var/log/audit/audit.log"
line100m "$root/var/opt/ds_agent/lib/iaulogs/iau.log"
printf 'start\n' >"$root/var/log/big.log"
mkfifo "$root/var/opt/ds_agent/lib/iaulogs/TmuDump.txt"
mkdir -p "$HD_TMP/files"
cat >"$HD_TMP/files/50-files.conf" <<'CONF'
[mem]
probe = memory

[fh]
probe = file-handles

[sem]
probe = semaphores

[kv]
probe = kernel-version

[avc]
probe = selinux-avc
comm  = fsavd
logs  = /var/log/audit/audit.log

[ds]
probe = ds-update

[log]
probe     = log-scan
path      = /var/log/big.log
state_dir = /state
CONF
"$HOSTDOCTOR" nagios -d "$HD_TMP/files" -r "$root" log >/dev/null # log-scan's first run: its place
python3 -c "import sys; sys.stdout.write('x' * (100 << 20) + ' authentication failed\n')" >>"$root/var/log/big.log"
start=$(date +%s.%N)
run "$HOSTDOCTOR" doctor -d "$HD_TMP/files" -r "$root" -f json -t 30
took=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
if python3 -c "import sys; sys.exit(0 if $took < 25 else 1)"; then ok "all of it within the deadline (${took} s)"; else not_ok "took ${took} s"; fi
expect_json "1 GiB /proc/meminfo" "[c['summary'] for c in j['checks'] if c['id']=='mem'][0]" \
	"cannot read $root/proc/meminfo: File too large"
summary_like() { # NAME ID REGEX
	local s
	s=$(j "$2" "['status'] + ': ' + j['checks'][[c['id'] for c in j['checks']].index('$2')]['summary']" 2>&1)
	if grep -Eq -- "$3" <<<"$s"; then ok "$1: $s"; else not_ok "$1: $s" "$OUT"; fi
}
summary_like "a FIFO as file-nr" fh "^UNKNOWN: .*file-nr.*not a regular file"
summary_like "a socket as kernel/sem" sem "^UNKNOWN: .*kernel/sem.*not a regular file"
summary_like "a symlink loop as osrelease" kv "^UNKNOWN: .*osrelease.*Too many levels of symbolic links"
summary_like "a 100 MB audit.log line" avc "^(OK|UNKNOWN): "
summary_like "a 100 MB iau.log line, a FIFO as TmuDump.txt" ds "^UNKNOWN: .*TmuDump.txt.*not a regular file"
summary_like "a 100 MB line in a scanned log" log "^(OK|WARNING|CRITICAL|UNKNOWN): "
expect_json "nothing crashed or ran out of time" \
	"[c['id'] for c in j['checks'] if any(w in c['summary'] for w in ('crashed', 'timed out', 'ran out'))]" "[]"

# --- libsepol on crafted policies: an UNKNOWN, in time ---
mkdir -p "$HD_TMP/sel/etc/selinux/targeted/policy"
cp "$HD_FIXTURES/selinux-allow/policy-quadratic" "$HD_FIXTURES/selinux-allow/policy-4gib-alloc" \
	"$HD_TMP/sel/etc/selinux/targeted/policy/"
mkdir -p "$HD_TMP/selchk"
cat >"$HD_TMP/selchk/50-sel.conf" <<'CONF'
[quadratic]
probe   = selinux-allow
policy  = /etc/selinux/targeted/policy/policy-quadratic
timeout = 3

[alloc]
probe   = selinux-allow
policy  = /etc/selinux/targeted/policy/policy-4gib-alloc
timeout = 3
CONF
start=$(date +%s.%N)
run "$HOSTDOCTOR" doctor -d "$HD_TMP/selchk" -r "$HD_TMP/sel" -f json
took=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
# under the memory limit libsepol's table for a million types fails at once; without it (the
# sanitizer build) the deadline ends it, and the probe is said to be busy, not blocked
summary_like "a policy libsepol spends minutes on" quadratic \
	"^UNKNOWN: (cannot read the SELinux policy|timed out after 3 s)"
if grep -q "timed out after 3 s" <<<"$OUT"; then
	expect_out "said to be busy computing, not blocked" "stopped after [0-9.]+ s of CPU time"
fi
summary_like "a policy that makes libsepol ask for 4 GiB" alloc "^UNKNOWN: cannot read the SELinux policy"
if python3 -c "import sys; sys.exit(0 if $took < 6 else 1)"; then ok "both within their deadlines (${took} s)"; else not_ok "took ${took} s"; fi

# --- 200 checks at -j 1, 4 and 16: each ends in time with exactly one result ---
mkdir -p "$HD_TMP/many" "$HD_TMP/mroot/proc/sys/fs"
echo 2466170 >"$HD_TMP/mroot/proc/sys/fs/file-max"
for i in $(seq 200); do printf '[m%03d]\nprobe = sysctl\nkey = fs.file-max\nmin = 1000\n' "$i"; done >"$HD_TMP/many/50-many.conf"
for jobs in 1 4 16; do
	run "$HOSTDOCTOR" doctor -d "$HD_TMP/many" -r "$HD_TMP/mroot" -f json -j $jobs -t 60
	got=$(json_get "len(j['checks']), len({c['id'] for c in j['checks']}), sorted({c['status'] for c in j['checks']})")
	if [ "$RC" = 0 ] && [ "$got" = "200 200 ['OK']" ]; then ok "200 checks, -j $jobs: 200 results, all OK"; else not_ok "200 checks, -j $jobs: exit $RC, $got" "$OUT"; fi
done

# --- hostdoctor's own children are not zombies of the host (a PID namespace: only ours) ---
mkdir -p "$HD_TMP/zomb"
{
	printf '[zombies]\nprobe = process\nmin = 0\nmax_zombies = 0\n'
	for i in $(seq 60); do printf '[q%02d]\nprobe = sysctl\nkey = fs.file-max\n' "$i"; done
} >"$HD_TMP/zomb/50-z.conf"
bad=0
for i in $(seq 12); do
	out=$(unshare --pid --fork --mount-proc sh -c "'$HOSTDOCTOR' doctor -d '$HD_TMP/zomb' -f json -j 16; exit 0")
	st=$(python3 -c "import json,sys; j=json.load(sys.stdin); print([c['status']+' '+c['summary'] for c in j['checks'] if c['id']=='zombies'][0])" <<<"$out")
	case $st in OK*) ;; *) bad=$((bad + 1)); last=$st ;; esac
done
if [ $bad = 0 ]; then ok "zombies at -j 16, 12 runs: never its own children"; else not_ok "zombies: $bad of 12 runs: $last"; fi
finish
