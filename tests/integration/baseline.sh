#!/usr/bin/env bash
# baseline: save on a host where a helper service runs (a listener and a long-running process,
# in their own PID, mount and network namespace), then stop it, add an extra listener and a new
# process, hold a socket-activated service's socket with no process, and damage the file.
if [ -z "${HD_BLNS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; echo "0 passed, 0 failed"; exit 0; fi
	exec unshare -p -f -n -m --mount-proc env HD_BLNS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
ip link set lo up
S=$HD_TMP/state
D=$HD_TMP/daemon-$$
I=$HD_TMP/intruder-$$
cp /bin/sleep "$D"
cp /bin/sleep "$I"
chmod 755 "$HD_TMP"

# start NAME CMD...: a daemon (no controlling terminal), its pid in $P
start() { setsid "$@" </dev/null >/dev/null 2>&1 & P=$!; on_exit "kill $P"; }
listening() { for _ in $(seq 100); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.05; done; return 1; }

start python3 -m http.server 8080 --bind 127.0.0.1
WWW=$P
start "$D" 600
DAEMON=$P
HAVE_SSA=0
if command -v systemd-socket-activate >/dev/null; then
	start systemd-socket-activate -l 127.0.0.1:2121 -a --inetd /bin/cat
	HAVE_SSA=1
fi
listening 8080 || not_ok "the helper web server did not start"
[ $HAVE_SSA = 1 ] && { listening 2121 || not_ok "systemd-socket-activate did not start"; }
sleep 1.2 # older than --min-age 1

run "$HOSTDOCTOR" baseline save --state-dir "$S" --min-age 1
expect_rc "baseline save" 0
expect_out "save says where" "saved baseline 'default' in $S/baseline.default.json"
F=$S/baseline.default.json
[ "$(stat -c %a "$S")" = 700 ] && ok "state directory 0700" || not_ok "state directory $(stat -c %a "$S")"
[ "$(stat -c %a "$F")" = 600 ] && ok "baseline file 0600" || not_ok "baseline file $(stat -c %a "$F")"
OUT=$(cat "$F")
expect_json "versioned" "(j['format'], j['version'])" "('hostdoctor-baseline', 1)"
expect_json "the long-running process, by path and user" \
	"[(p['name'], p['user'], p['count']) for p in j['processes'] if p['exe'] == '$D']" \
	"[('daemon-$$', 'root', 1)]"
expect_json "the listener with its owner" \
	"[(l['proto'], l['address'], l['port'], l['owner'], l['activation']) for l in j['listeners'] if l['port'] == 8080]" \
	"[('tcp', '127.0.0.1', 8080, 'python3', 'daemon')]"
if [ $HAVE_SSA = 1 ]; then
	expect_json "a socket-activated listener is marked so" \
		"[l['activation'] for l in j['listeners'] if l['port'] == 2121]" "['inetd']"
fi
expect_json "young processes are left out" "[p['name'] for p in j['processes'] if p['name'] in ('ss', 'hostdoctor')]" "[]"

run "$HOSTDOCTOR" baseline show --state-dir "$S"
expect_rc "baseline show" 0
expect_out "show lists the listener" "tcp 127.0.0.1:8080 +python3"
run "$HOSTDOCTOR" baseline diff --state-dir "$S"
expect_rc "diff right after save: nothing to alert on" 0

conf bl.conf <<EOF2
[bl]
probe     = baseline
state_dir = $S

[bl-busy]
probe     = baseline
name      = busy
state_dir = $S

[bl-corrupt]
probe     = baseline
name      = corrupt
state_dir = $S

[bl-future]
probe     = baseline
name      = future
state_dir = $S

[bl-link]
probe     = baseline
name      = link
state_dir = $S

[bl-none]
probe     = baseline
name      = none
state_dir = $S
EOF2
check() { run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only "$1" -f json; }

check bl
expect_check "unchanged host: OK" bl "['status']" OK
expect_check_re "OK names the baseline" bl "['summary']" "as in the baseline 'default'"

# a socket-activated service: a connection starts its process, which is expected on demand only
if [ $HAVE_SSA = 1 ]; then
	exec 7<>/dev/tcp/127.0.0.1/2121
	for _ in $(seq 100); do pgrep -x cat >/dev/null && break; sleep 0.05; done
	sleep 1.2
	run "$HOSTDOCTOR" baseline save --state-dir "$S" --name busy --min-age 1
	expect_rc "save while a connection runs the on-demand service" 0
	OUT=$(cat "$S/baseline.busy.json")
	expect_json "the on-demand process is not recorded" "[p['name'] for p in j['processes'] if p['name'] == 'cat']" "[]"
	exec 7>&-
	for _ in $(seq 100); do pgrep -x cat >/dev/null || break; sleep 0.05; done
	check bl-busy
	expect_check "socket-activated listener with no process: OK" bl-busy "['status']" OK
fi

# an extra listener: WARNING naming it
start python3 -m http.server 9090 --bind 127.0.0.1
EXTRA=$P
listening 9090 || not_ok "extra listener did not start"
check bl
expect_check "extra listener: WARNING" bl "['status']" WARNING
expect_check_re "names it" bl "['summary']" "new since the baseline: listener tcp 127.0.0.1:9090 by python3"
expect_check_re "remedy: save again if expected" bl "['remedy']" "hostdoctor baseline save"
expect_check_re "a second instance of a known program is a count, not an alert" bl "['details']" "process python3 .*2 running, 1 in the baseline.*not an alert"
stop $EXTRA

# a new long-running process under a system user: WARNING; under a normal user: not an alert
start "$I" 600
start setpriv --reuid=1500 --regid=1500 --clear-groups "$I" 601
sleep 1.2
check bl
expect_check "new process of root: WARNING" bl "['status']" WARNING
expect_check_re "names it" bl "['summary']" "new since the baseline: process intruder-$$ \\($I, root\\)"
expect_check_re "uid 1500 is only a detail" bl "['details']" "intruder-$$ \\($I, 1500\\).*not a system user"
pkill -f "^$I " || true
sleep 0.2

# the helper service stops: CRITICAL naming it, with the command line it ran with
stop $DAEMON
stop $WWW
check bl
expect_check "service stopped: CRITICAL" bl "['status']" CRITICAL
expect_check_re "names the process" bl "['details']" "process daemon-$$ \\($D, root\\): not running"
expect_check_re "names the listener" bl "['details']" "listener tcp 127.0.0.1:8080 of python3: not listening"
expect_check_re "remedy: start it as it ran" bl "['remedy']" "Start it as it ran: $D 600 \\(as root\\)"
expect_check_re "remedy for the listener" bl "['remedy']" "Start it as it ran: [^ ]*python3 -m http.server 8080 --bind 127.0.0.1 \\(as root\\); if it should no longer listen"
run "$HOSTDOCTOR" baseline diff --state-dir "$S"
expect_rc "diff after the stop" 1
expect_out "diff marks what is gone" "^  - process daemon-$$"

# damaged, future, linked, missing files
printf '{ "format": "hostdoctor-baseline",\n  "version": 1,\n  "processes": [ oops ] }\n' >"$S/baseline.corrupt.json"
chmod 600 "$S/baseline.corrupt.json"
check bl-corrupt
expect_check "corrupt file: UNKNOWN" bl-corrupt "['status']" UNKNOWN
expect_check_re "says where" bl-corrupt "['summary']" "baseline.corrupt.json: line 3, column"
sed 's/"version": 1/"version": 7/' "$F" >"$S/baseline.future.json"
chmod 600 "$S/baseline.future.json"
check bl-future
expect_check "future version: UNKNOWN" bl-future "['status']" UNKNOWN
expect_check_re "says why" bl-future "['summary']" "version 7 was written by a newer hostdoctor; this one reads version 1"
ln -s "$F" "$S/baseline.link.json"
check bl-link
expect_check "a link is refused: UNKNOWN" bl-link "['status']" UNKNOWN
expect_check_re "says so" bl-link "['summary']" "symbolic link"
check bl-none
expect_check "no baseline: SKIPPED" bl-none "['status']" SKIPPED
expect_check_re "with the command" bl-none "['remedy']" "hostdoctor baseline save --name none"

run "$HOSTDOCTOR" baseline show --state-dir "$S" --name corrupt
expect_rc "show of a damaged file" 3
expect_err "show names the place" "baseline.corrupt.json: line 3, column"
ln -s "$S" "$HD_TMP/statelink"
run "$HOSTDOCTOR" baseline save --state-dir "$HD_TMP/statelink"
expect_rc "save into a linked state directory is refused" 3
expect_err "says why" "symbolic link"
run "$HOSTDOCTOR" baseline save --state-dir "$S" --name ../x
expect_rc "a name with a slash is refused" 3
finish
