# log-scan's readers: a nagios and a doctor run interleaved over a growing log each count every
# line once; eight concurrent runs of one check and reader count every line once in total; a
# run that cannot get the lock says so; a state directory that is a symbolic link,
# group-writable, read-only or full (tmpfs in a private mount namespace): a clear UNKNOWN and
# nothing counted twice.
. "$(dirname "$0")/lib.sh"
need_root

L=$HD_TMP/logs
S=$HD_TMP/state
mkdir -p "$L"
: >"$L/app.log"

conf 10-readers.conf <<EOF
[app]
probe = log-scan
path = $L/app.log
state_dir = $S
catalog = none
timeout = 20
EOF

# lines N: append N numbered lines with an error word
seq_no=0
lines() { local i; for ((i = 0; i < $1; i++)); do seq_no=$((seq_no + 1)); printf 'Mar 11 02:00:00 host app: line %d error\n' "$seq_no"; done >>"$L/app.log"; }
# count READER [CHECKS_DIR]: one nagios-mode run with that reader, its 'lines' value (or "U" when
# the run was UNKNOWN); the whole output in $OUT
# (used in $(...): the output is kept in $HD_TMP/out.last for the checks that follow)
count() {
	local o="$HD_TMP/out.$BASHPID" rc
	"$HOSTDOCTOR" nagios -d "${2:-$HD_TMP/checks.d}" --state-name "$1" app >"$o" 2>&1
	rc=$?
	cp "$o" "$HD_TMP/out.last"
	if [ "$rc" = 3 ]; then echo U; else sed -n "s/.*'lines'=\([0-9]*\).*/\1/p" "$o"; fi
	rm -f "$o"
}
said() { OUT=$(cat "$HD_TMP/out.last"); grep -q -- "$1" <<<"$OUT"; }

# --- first runs position every reader at the end
lines 5
count nagios >/dev/null
count doctor >/dev/null

# --- interleaved: each reader sees every line once, whoever ran before it
tn=0 td=0 written=0
for round in 1 2 3 4 5 6; do
	lines $((round * 7)); written=$((written + round * 7))
	n=$(count nagios); tn=$((tn + n))
	lines 3; written=$((written + 3))
	if [ $((round % 2)) = 0 ]; then d=$(count doctor); td=$((td + d)); fi
done
d=$(count doctor); td=$((td + d))
n=$(count nagios); tn=$((tn + n))
if [ "$tn" = "$written" ]; then ok "nagios counted every line once ($tn)"; else not_ok "nagios counted $tn of $written lines"; fi
if [ "$td" = "$written" ]; then ok "doctor counted every line once ($td)"; else not_ok "doctor counted $td of $written lines"; fi
for r in nagios doctor; do
	if [ -f "$S/log-scan.app.$r.state" ] && [ -f "$S/log-scan.app.$r.lock" ]; then ok "a state and a lock for $r"; else not_ok "no state or lock for $r" "$(ls -la "$S")"; fi
done
# the reader defaults to the mode, and to prometheus for -f prometheus
"$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only app -f prometheus -o "$HD_TMP/out.prom" >/dev/null 2>&1
"$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" app >/dev/null 2>&1
if [ -f "$S/log-scan.app.prometheus.state" ] && [ -f "$S/log-scan.app.nagios.state" ]; then ok "default readers: the mode, prometheus"; else not_ok "default reader states missing" "$(ls "$S")"; fi
run "$HOSTDOCTOR" nagios -d "$HD_TMP/checks.d" --state-name '../x' app
expect_rc "a reader name with a slash is refused" 3
expect_out "says what a name may hold" "state-name '../x'"

# --- eight concurrent runs of the same check and reader, while the log grows
count swarm >/dev/null # positioned
( for b in $(seq 40); do lines 50; sleep 0.01; done ) &
writer=$!
for w in $(seq 8); do
	( t=0; for k in 1 2 3 4 5; do c=$(count swarm); if [ "$c" = U ]; then echo U; fi; t=$((t + ${c/U/0})); done; echo "$t" >"$HD_TMP/swarm.$w" ) &
done
wait $writer
wait
last=$(count swarm)
total=$last
for w in $(seq 8); do total=$((total + $(tail -1 "$HD_TMP/swarm.$w"))); done
if [ "$total" = 2000 ]; then ok "8 concurrent runs counted 2000 lines once in total"; else not_ok "8 concurrent runs counted $total lines, wanted 2000"; fi
if grep -q U "$HD_TMP"/swarm.*; then not_ok "a concurrent run gave up on the lock"; else ok "every concurrent run got the lock in time"; fi

# --- a run that cannot get the lock within its deadline: UNKNOWN, nothing lost
conf 20-short.conf <<EOF
[app]
timeout = 2
EOF
lines 4
flock "$S/log-scan.app.held.lock" sleep 5 &
holder=$!
on_exit "kill $holder"
sleep 0.3
t0=$(date +%s.%N)
c=$(count held)
t1=$(date +%s.%N)
if [ "$c" = U ] && said "another run holds the state"; then ok "lock held: UNKNOWN, another run holds the state"; else not_ok "lock held: got '$c'" "$OUT"; fi
if awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2.5) }'; then ok "gave up within the check's deadline"; else not_ok "waited $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"; fi
kill $holder 2>/dev/null; wait $holder 2>/dev/null
rm "$HD_TMP/checks.d/20-short.conf"

# --- the state directory: group-writable, a symbolic link
count dirs >/dev/null # positioned
chmod 0770 "$S"
lines 2
c=$(count dirs)
if [ "$c" = U ] && said "writable by group or others"; then ok "group-writable state dir refused"; else not_ok "group-writable: '$c'" "$OUT"; fi
chmod 0700 "$S"
c=$(count dirs)
if [ "$c" = 2 ]; then ok "after the fix: the 2 lines, once"; else not_ok "after the group-writable fix: $c lines, wanted 2"; fi
mkdir -m 0700 "$HD_TMP/real"
ln -s "$HD_TMP/real" "$HD_TMP/link"
sed "s|^state_dir = .*|state_dir = $HD_TMP/link|" "$HD_TMP/checks.d/10-readers.conf" >"$HD_TMP/link.conf"
mkdir -p "$HD_TMP/linkd" && mv "$HD_TMP/link.conf" "$HD_TMP/linkd/10.conf"
c=$(count dirs "$HD_TMP/linkd")
if [ "$c" = U ] && said "symbolic link"; then ok "symlinked state dir refused"; else not_ok "symlinked state dir: '$c'" "$OUT"; fi
if [ -z "$(ls -A "$HD_TMP/real")" ]; then ok "nothing written through the link"; else not_ok "written through the link" "$(ls -A "$HD_TMP/real")"; fi

# --- read-only and full: a tmpfs of its own in a private mount namespace
private_mount_ns
M=$HD_TMP/mnt
mkdir -p "$M"
inns mount -t tmpfs -o size=256k,mode=0700 tmpfs "$M"
sed "s|^state_dir = .*|state_dir = $M/state|" "$HD_TMP/checks.d/10-readers.conf" >"$HD_TMP/mntd.conf"
mkdir -p "$HD_TMP/mntd" && mv "$HD_TMP/mntd.conf" "$HD_TMP/mntd/10.conf"
mcount() {
	local rc
	inns "$HOSTDOCTOR" nagios -d "$HD_TMP/mntd" --state-name ns app >"$HD_TMP/out.last" 2>&1
	rc=$?
	if [ "$rc" = 3 ]; then echo U; else sed -n "s/.*'lines'=\([0-9]*\).*/\1/p" "$HD_TMP/out.last"; fi
}
mcount >/dev/null # positioned
lines 6
inns mount -o remount,ro "$M"
c=$(mcount)
if [ "$c" = U ] && said "read-only"; then ok "read-only state dir: UNKNOWN"; else not_ok "read-only: '$c'" "$OUT"; fi
c=$(mcount)
if [ "$c" = U ]; then ok "still read-only: still UNKNOWN"; else not_ok "read-only again: '$c'"; fi
inns mount -o remount,rw "$M"
lines 1
c=$(mcount)
if [ "$c" = 7 ]; then ok "writable again: the 7 lines since the last saved run, once"; else not_ok "after read-only: $c lines, wanted 7" "$OUT"; fi
# full: fill the tmpfs, leave the lock file and the state where they are
inns sh -c "cat /dev/zero > '$M/fill'" 2>/dev/null
lines 3
c=$(mcount)
if [ "$c" = U ] && said "is full"; then ok "full state dir: UNKNOWN, is full"; else not_ok "full: '$c'" "$OUT"; fi
inns rm -f "$M/fill"
c=$(mcount)
if [ "$c" = 3 ]; then ok "space again: the 3 lines, once"; else not_ok "after full: $c lines, wanted 3" "$OUT"; fi

finish
