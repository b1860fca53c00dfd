# NRPE: Debian's nrpe on 127.0.0.1 (in a network namespace of its own) with the shipped snippet
# dist/nrpe/hostdoctor.cfg and the sudoers drop-in dist/sudoers/hostdoctor, as user nagios;
# check_nrpe with its default timeout gets hostdoctor's state and output for an OK, a CRITICAL
# and a slow check. Then the privilege story: through the drop-in no shipped check is UNKNOWN
# for lack of privilege, and the drop-in gives root to nothing but the checks.
. "$(dirname "$0")/lib.sh"
in_private_netns "$@"
need_root

NRPE=/usr/sbin/nrpe
CHECK_NRPE=/usr/lib/nagios/plugins/check_nrpe
for f in "$NRPE" "$CHECK_NRPE" /usr/bin/sudo; do
	[ -x "$f" ] || { not_ok "$f is missing (make deps installs nagios-nrpe-server, nagios-nrpe-plugin, sudo)"; finish; }
done
id nagios >/dev/null 2>&1 || { not_ok "no user nagios (nagios-nrpe-server creates it)"; finish; }
if ! runuser -u nagios -- test -x "$HOSTDOCTOR"; then
	not_ok "user nagios cannot run $HOSTDOCTOR (a directory above it is not searchable)"
	finish
fi
chmod 755 "$HD_TMP"

# the guide shows the drop-in's rule as shipped
guide=$(awk '/^Cmnd_Alias HOSTDOCTOR/,/^nagios ALL/' "$HD_SRC/docs/integrations/nagios.md")
shipped=$(grep -v '^#' "$HD_SRC/dist/sudoers/hostdoctor")
[ "$guide" = "$shipped" ] && ok "docs/integrations/nagios.md shows the shipped sudoers rule" || not_ok "nagios.md's sudoers rule differs" "$guide
---
$shipped"

# --- the shipped files, installed as the guide says (the binary of this build in place of
# /usr/bin/hostdoctor) ---
sudoers_install || finish
installed_copy "$HD_SRC/dist/nrpe/hostdoctor.cfg" "$HD_TMP/hostdoctor.cfg"
# a slow command, written as the snippet writes its commands: an SMTP server that never greets
cat >"$HD_TMP/test-slow.cfg" <<EOF
command[test_slow]=/usr/bin/sudo -n $HOSTDOCTOR nagios -t 8 --probe smtp-reach --set host=127.0.0.1 --set port=2525
EOF
cat >"$HD_TMP/nrpe.cfg" <<EOF
pid_file=$HD_TMP/nrpe.pid
server_address=127.0.0.1
server_port=5666
nrpe_user=nagios
nrpe_group=nagios
allowed_hosts=127.0.0.1
dont_blame_nrpe=0
allow_bash_command_substitution=0
command_timeout=60
connection_timeout=300
debug=0
include=$HD_TMP/hostdoctor.cfg
include=$HD_TMP/test-slow.cfg
EOF
daemon nrpe "$NRPE" -c "$HD_TMP/nrpe.cfg" -f
if wait_until 10 "$CHECK_NRPE" -H 127.0.0.1; then
	ok "nrpe answers on 127.0.0.1:5666"
else
	not_ok "nrpe did not start" "$(cat "$HD_TMP/nrpe.log")"
	finish
fi

# timed CMD...: run, with the elapsed time in $SECS (whole seconds, rounded up)
timed() {
	local t0=$EPOCHREALTIME
	run "$@"
	SECS=$(python3 -c "import math; print(math.ceil($EPOCHREALTIME - $t0))")
}

# --- OK: a shipped command, check_nrpe with its default timeout (10 s) ---
timed "$CHECK_NRPE" -H 127.0.0.1 -c hostdoctor_file_handles
expect_rc "OK through check_nrpe" 0
expect_out "OK: hostdoctor's status line and perfdata" "^HOSTDOCTOR OK: .*% of fs.file-max in use .*\| 'used'=[0-9.]+%;80;95;0;100 "

# --- CRITICAL: something else holds the gateway's HTTP port ---
sockets --name holder9080 --listen tcp4,0.0.0.0,9080
timed "$CHECK_NRPE" -H 127.0.0.1 -c hostdoctor_fsigk_http_port
expect_rc "CRITICAL through check_nrpe" 2
# the holder's name needs root (other users' /proc/PID/fd): the sudoers drop-in at work
expect_out "CRITICAL: the holder named (root through sudo)" "^HOSTDOCTOR CRITICAL: tcp/9080 is not free: held by holder9080 \(pid $SP\)"
expect_out "CRITICAL: the remedy comes along" "^Remedy:"
run "$CHECK_NRPE" -H 127.0.0.1 -c hostdoctor_fsigk
expect_rc "a product's tag (--only fsigk) through check_nrpe" 2
expect_out "--only fsigk: the worst named on the status line" "^HOSTDOCTOR CRITICAL: [0-9]+ checks: 1 critical, .*\(fsigk-http-port\) \| "
stop "$SP"

# --- a slow check: hostdoctor -t 8 answers before check_nrpe's 10 s ---
sockets --name silent --listen tcp4,127.0.0.1,2525
timed "$CHECK_NRPE" -H 127.0.0.1 -c test_slow
expect_rc "slow check: hostdoctor's state, not check_nrpe's timeout" 2
expect_out "slow check: hostdoctor's output" "^HOSTDOCTOR CRITICAL: SMTP server did not greet within [0-9.]+ s"
if [ "$SECS" -le 10 ] && [ "$SECS" -ge 7 ]; then ok "slow check answered in ${SECS} s (hostdoctor -t 8, check_nrpe -t 10)"; else not_ok "slow check took ${SECS} s"; fi
# the other way round: check_nrpe's timeout below hostdoctor's is check_nrpe's CRITICAL
timed "$CHECK_NRPE" -H 127.0.0.1 -t 3 -c test_slow
expect_rc "check_nrpe -t 3 below hostdoctor -t 8: check_nrpe's own timeout" 2
expect_out "check_nrpe -t 3: its socket timeout, no hostdoctor output" "^CHECK_NRPE STATE CRITICAL: Socket timeout after 3 seconds"
stop "$SP"

# --- every command of the snippet answers with a hostdoctor status line ---
for cmd in $(sed -n 's/^command\[\([a-z_]*\)\]=.*/\1/p' "$HD_SRC/dist/nrpe/hostdoctor.cfg"); do
	run "$CHECK_NRPE" -H 127.0.0.1 -c "$cmd"
	if [ "$RC" -le 3 ] && grep -q '^HOSTDOCTOR \(OK\|WARNING\|CRITICAL\|UNKNOWN\): ' <<<"$OUT" &&
		! grep -q 'HOSTDOCTOR UNKNOWN: .*\(needs root\|not allowed\|password\)' <<<"$OUT"; then
		ok "snippet command $cmd: $(head -c 60 <<<"$OUT")"
	else
		not_ok "snippet command $cmd: exit $RC" "$OUT"
	fi
done

# --- privilege: every shipped check through the drop-in, as nagios ---
ids=$("$HOSTDOCTOR" list -f json | python3 -c "import json,sys; print(' '.join(c['id'] for c in json.load(sys.stdin)['checks']))")
priv='needs root|needs CAP_|[Pp]ermission denied|[Oo]peration not permitted|not readable'
run runuser -u nagios -- "$HOSTDOCTOR" nagios -t 20 -f json $ids
unpriv=$(json_get "sorted(c['id'] for c in j['checks'] if c['status']=='UNKNOWN' and __import__('re').search(r'$priv', c['summary']))")
if [ "$unpriv" != "[]" ]; then ok "as nagios without sudo some checks cannot tell: $unpriv"; else ok "as nagios without sudo every check could tell (nothing to compare)"; fi
run runuser -u nagios -- /usr/bin/sudo -n "$HOSTDOCTOR" nagios -t 20 -f json $ids
expect_json "through the drop-in: every shipped check ran" "len(j['checks'])" "$(wc -w <<<"$ids")"
expect_json "through the drop-in: no check UNKNOWN for lack of privilege" "[c['id'] + ': ' + c['summary'] for c in j['checks'] if c['status']=='UNKNOWN' and __import__('re').search(r'$priv', c['summary'])]" "[]"

# --- the drop-in gives root to the checks only ---
run runuser -u nagios -- /usr/bin/sudo -n "$HOSTDOCTOR" nagios -o "$HD_TMP/owned" file-handles
expect_rc "through sudo: -o refused" 3
expect_out "-o refused, with the reason on the status line" "^HOSTDOCTOR UNKNOWN: -o is not allowed through sudo"
[ ! -e "$HD_TMP/owned" ] && ok "-o through sudo wrote nothing" || not_ok "-o through sudo wrote $HD_TMP/owned"
run runuser -u nagios -- /usr/bin/sudo -n "$HOSTDOCTOR" nagios -d /root file-handles
expect_out "through sudo: -d refused" "^HOSTDOCTOR UNKNOWN: -d is not allowed through sudo"
run runuser -u nagios -- /usr/bin/sudo -n "$HOSTDOCTOR" preflight -f nagios --root / --profile base
expect_out "through sudo: --root refused" "^HOSTDOCTOR UNKNOWN: --root is not allowed through sudo"
run runuser -u nagios -- /usr/bin/sudo -n "$HOSTDOCTOR" doctor
if [ "$RC" -ne 0 ] && ! grep -q "hostdoctor doctor" <<<"$OUT"; then ok "through sudo: doctor mode is not in the drop-in (sudo refuses)"; else not_ok "sudo ran hostdoctor doctor for nagios" "$OUT$ERR"; fi
run runuser -u nagios -- /usr/bin/sudo -n /bin/sh -c id
[ "$RC" -ne 0 ] && ok "through sudo: no shell" || not_ok "sudo ran a shell for nagios" "$OUT"
finish
