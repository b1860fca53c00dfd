# semaphores: a private IPC namespace with tiny limits (kernel.sem = 10 40 32 4), sets created up to
# and past SEMMNI, an orphan left by a child that did a semop and exited, an unprivileged run, and
# fixture roots with a malformed /proc/sysvipc/sem and a three-field kernel.sem.
. "$(dirname "$0")/lib.sh"
need_root
chmod 755 "$HD_TMP"

# A namespace held open by a sleeping process; every command enters it with nsenter.
unshare -i sleep 600 &
NS=$!
on_exit "kill $NS"
for _ in $(seq 100); do
	[ "$(readlink /proc/$NS/ns/ipc)" != "$(readlink /proc/self/ns/ipc)" ] && break
	sleep 0.05
done
inns() { nsenter -t "$NS" -i "$@"; }
inns sh -c 'echo "10 40 32 4" > /proc/sys/kernel/sem'

# hold OUT N NSEMS: an hdt_sem holding N sets in the namespace until killed; sets HOLDER
hold() {
	# nsenter itself, not the inns function: $! must be the helper (nsenter -i execs it)
	nsenter -t "$NS" -i "$HD_HELPERS/hdt_sem" hold "$2" "$3" >"$HD_TMP/$1" 2>&1 &
	HOLDER=$!
	on_exit "kill $HOLDER"
	for _ in $(seq 100); do grep -q ready "$HD_TMP/$1" && return; sleep 0.05; done
	echo "hdt_sem did not get ready"
}

conf sem.conf <<'EOF2'
[sem]
probe = semaphores

[sem-headroom]
probe       = semaphores
need_arrays = 1
need_arrays = 1
recommend   = 250 128000 32 512
note        = Keep the product's connection limit low.

[sem-demand]
probe       = semaphores
need_arrays = 3

[sem-sems]
probe     = semaphores
need_sems = 35
EOF2
HD() { run inns "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --format json "$@"; }

HD --only sem
expect_rc "no sets in the namespace" 0
expect_json "limits read in the namespace" "j['checks'][0]['metrics'][4]['value']" "4.0"
expect_json "no arrays in use" "j['checks'][0]['metrics'][2]['value']" "0.0"
expect_json "no orphans" "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='orphans'][0]" "0.0"

hold h1 3 3
H1=$HOLDER
HD --only sem
expect_rc "3 of 4 arrays (75%) is below the warning range" 0
expect_json "arrays_used 75%" "j['checks'][0]['metrics'][0]['value']" "75.0"
expect_json "9 of 40 semaphores" "j['checks'][0]['metrics'][1]['value']" "22.5"
expect_json "the holder's sets are not orphans" "j['checks'][0]['details'].count('orphan:')" "0"

HD --only sem-headroom
expect_rc "need_arrays 2 with 1 free" 2
expect_json "headroom named" "'1 arrays' in j['checks'][0]['summary'] and '2 and 0 needed' in j['checks'][0]['summary']" "True"
expect_json "remedy: the recommended line in sysctl.conf, sysctl -p" "\"add the line 'kernel.sem=250 128000 32 512' to /etc/sysctl.conf and run 'sysctl -p'\" in j['checks'][0]['remedy']" "True"
expect_json "remedy: how to verify" "\"'cat /proc/sys/kernel/sem' then shows 250 128000 32 512\" in j['checks'][0]['remedy']" "True"
expect_json "remedy: sysctl.d and sysctl --system beside it" "\"echo 'kernel.sem=250 128000 32 512' > /etc/sysctl.d/90-semaphores.conf && sysctl --system\" in j['checks'][0]['remedy']" "True"
expect_json "remedy: the note" "j['checks'][0]['remedy'].splitlines()[2]" "Keep the product's connection limit low."
HD --only sem-demand
expect_rc "need_arrays 3 with 1 free, no recommendation" 2
expect_json "remedy covers the demand (3 in use + 3), keeps the rest" "\"kernel.sem=10 40 32 6\" in j['checks'][0]['remedy']" "True"

HD --only sem-sems
expect_rc "need_sems 35 with 31 free" 2

# past exhaustion: the second holder gets one set, then ENOSPC
hold h2 3 1
if grep -q 'created 1' "$HD_TMP/h2" && grep -q 'No space left' "$HD_TMP/h2"; then ok "semget fails with ENOSPC at SEMMNI"; else not_ok "no ENOSPC" "$(cat "$HD_TMP/h2")"; fi
HD --only sem
expect_rc "4 of 4 arrays" 2
expect_json "arrays_used 100%" "j['checks'][0]['metrics'][0]['value']" "100.0"
expect_json "critical range named" "'outside the critical range' in j['checks'][0]['details']" "True"
run inns "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only sem -f nagios
expect_out "nagios line with perfdata" "CRITICAL: .*'arrays_used'=100%;80;95;0;100"

kill "$HOLDER" "$H1"
wait "$HOLDER" "$H1"
HD --only sem
expect_rc "sets released when the holder exits" 0

# an orphan: the only operator was a child that exited
ORPH=$(inns "$HD_HELPERS/hdt_sem" orphan 0x4844 | awk '/orphan/ {print $2}')
HD --only sem
expect_rc "orphan gives WARNING" 1
expect_json "orphan listed with semid and key" "'orphan: semid $ORPH key 0x00004844 owner root' in j['checks'][0]['details']" "True"
expect_json "orphan's last operator exited" "'exited' in j['checks'][0]['details']" "True"
expect_json "remedy ipcrm" "'ipcrm -s $ORPH' in j['checks'][0]['remedy']" "True"
expect_json "remedy: a reboot releases them" "'rebooting the server releases them' in j['checks'][0]['remedy']" "True"
expect_json "orphans metric" "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='orphans'][0]" "1.0"

# unprivileged: the table is readable, semctl() on a 0600 root set is not
run inns setpriv --reuid=65534 --regid=65534 --clear-groups "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only sem --format json
expect_json "unprivileged run completes" "j['checks'][0]['status'] in ('OK','WARNING')" "True"
expect_json "unprivileged: orphan check needs root" "'not readable by this user, not checked (needs root)' in j['checks'][0]['details']" "True"
expect_json "unprivileged: usage still measured" "j['checks'][0]['metrics'][3]['value']" "1.0"

# fixture roots: what cannot be created on a live kernel
F=$HD_FIXTURES/semaphores
run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only sem --format json -r "$F/bad-table"
expect_rc "malformed /proc/sysvipc/sem" 3
expect_json "reason names the file and line" "'proc/sysvipc/sem is malformed: line 3' in j['checks'][0]['summary']" "True"
run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only sem --format json -r "$F/three-fields"
expect_rc "kernel.sem with three fields" 3
expect_json "reason names kernel.sem" "'proc/sys/kernel/sem is malformed' in j['checks'][0]['summary']" "True"
run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only sem --format json -r "$F/ok"
expect_rc "120 of 128 arrays in a fixture" 1
expect_json "orphans not checked under --root" "'not checked (--root is not the live host' in j['checks'][0]['details']" "True"
mkdir -p "$HD_TMP/nothing"
run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" --only sem --format json -r "$HD_TMP/nothing"
expect_rc "missing kernel.sem" 3
expect_json "reason names the path" "'proc/sys/kernel/sem: No such file' in j['checks'][0]['summary']" "True"

finish
