# watch when things go wrong: a check that hangs (stopped at its deadline; meanwhile the watch
# reads on and records other evidence), an on-event command that hangs (stopped at its own
# timeout, the watch never waits for it), the evidence store at its size bound (oldest out
# first), SIGHUP with a broken checks.d and then a broken catalogue (the error said, the loaded
# configuration kept and working), SIGHUP with a good one (a new entry followed, positions kept),
# and SIGTERM while a check runs (it is waited for, its evidence kept).
. "$(dirname "$0")/lib.sh"
in_private_netns "$@"
T=$HD_TMP
LOG=$T/app.log
mkdir -p "$T/catalog" "$T/state"
entry() { # entry ID PATTERN CHECK
	cat <<EOF

[$1]
product     = test
source      = cited: hostdoctor's tests
severity    = critical
pattern     = $2
explanation = A test line.
remedy      = Nothing.
check       = $3
sample      = $2
sample      = Mar  4 02:14:09 gw app[1]: $2
EOF
}
{
	entry t-hang "WATCHTEST hang" t-hang
	entry t-check "WATCHTEST check" t-path
} >"$T/catalog/test.conf"
# a check that hangs: every probe keeps its deadline and every read refuses a FIFO, so the hang
# is made from outside: the check waits for the greeting of an SMTP server that never speaks,
# and its process is stopped (SIGSTOP) while it waits, as a process stuck in the kernel would be;
# only the runner's deadline ends it
python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(600)' >"$T/silent.port" &
on_exit "kill $!"
for i in $(seq 200); do [ -s "$T/silent.port" ] && break; sleep 0.05; done
[ -s "$T/silent.port" ] || { not_ok "the silent server did not start"; finish; }
SILENT=$(cat "$T/silent.port")
# stop_new_child PID: SIGSTOP the first process started under PID (a check's process) from now
stop_new_child() {
	local before i p c
	before=$(pgrep -P "$1" | sort)
	for i in $(seq 100); do
		for p in $(pgrep -P "$1"); do
			grep -qx "$p" <<<"$before" && continue
			# the report's process runs the check in a child of its own: stop that one
			for i in $(seq 100); do
				c=$(pgrep -P "$p" | head -1)
				[ -n "$c" ] && { kill -STOP "$c"; return 0; }
				sleep 0.02
			done
			return 1
		done
		sleep 0.02
	done
	return 1
}
conf 10-watch.conf <<EOF
[app-log]
probe     = log-scan
path      = $LOG
state_dir = $T/state
catalog   = $T/catalog

; its path is read from a file that never answers: the check hangs until its deadline
[t-hang]
probe   = smtp-reach
host    = 127.0.0.1
port    = $SILENT
timeout = 2

[t-path]
probe = path
path  = $T
type  = dir
EOF
: >"$LOG"
wait_for() {
	local n=$(($1 * 20)) i
	shift
	for i in $(seq "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}
nev() { ls "$T/state/evidence" 2>/dev/null | grep -c -- "-$1"; }
nev_is() { [ "$(nev "$1")" = "$2" ]; }
# logged ENTRY: how many evidence reports of ENTRY the watch logged
logged() { grep -c "^hostdoctor watch: evidence [^ ]*-$1\(~[0-9]*\)\?: " "$T/watch.log"; }
logged_is() { [ "$(logged "$1")" = "$2" ]; }
say() { printf 'Mar  4 02:14:09 gw app[1]: %s\n' "$1" >>"$LOG"; }
# --- usage: what is wrong is said, exit 3
for bad in "--hold-off -1" "--hold-off x" "--evidence-max 1" "--evidence-max 5Q" "--on-event-timeout 0" \
	"--jobs 0" "--bogus" "extra"; do
	# shellcheck disable=SC2086
	run "$HOSTDOCTOR" watch -d "$T/checks.d" --state-dir "$T/state" $bad
	expect_rc "watch $bad: a usage error" 3
done
run "$HOSTDOCTOR" watch --bogus
expect_err "it names the option" "unknown option '--bogus'"
mkdir -p "$T/empty.d"
printf '[fh]\nprobe = file-handles\n' >"$T/empty.d/10.conf"
run "$HOSTDOCTOR" watch -d "$T/empty.d" --state-dir "$T/state"
expect_rc "watch with no log-scan check" 3
expect_err "says there is nothing to watch" "nothing to watch: no enabled log-scan check with a catalogue"
run "$HOSTDOCTOR" evidence list --state-dir "$T/none"
expect_rc "evidence list without a state directory" 0
expect_out "says there is none" "^No evidence recorded"
run "$HOSTDOCTOR" evidence --state-dir "$T/state"
expect_rc "evidence without a command" 3
run "$HOSTDOCTOR" evidence show --state-dir "$T/state"
expect_rc "evidence show without an id" 3
run "$HOSTDOCTOR" nagios --state-dir "$T/state" fh
expect_rc "--state-dir with nagios" 3

"$HOSTDOCTOR" watch -d "$T/checks.d" --state-dir "$T/state" --hold-off 0 --evidence-max 16K \
	--on-event 'sleep 31.5;:' --on-event-timeout 1 --textfile "$T/w.prom" 2>"$T/watch.log" &
WP=$!
on_exit "kill $WP"
wait_for 30 grep -q "ready: " "$T/watch.log" || { not_ok "watch did not start" "$(cat "$T/watch.log")"; finish; }

# --- a hanging check: the watch goes on
say "WATCHTEST hang"
stop_new_child "$WP" || not_ok "the check of 'WATCHTEST hang' was not seen starting"
sleep 0.3
say "WATCHTEST check"
if wait_for 5 nev_is t-check 1; then ok "another entry's evidence while the hanging check runs"; else
	not_ok "no evidence for t-check" "$(cat "$T/watch.log")"
fi
[ "$(nev t-hang)" = 0 ] && ok "the hanging check's evidence is not there yet" || not_ok "t-hang already done"
wait_for 10 nev_is t-hang 1 && ok "the hanging check was stopped at its deadline" ||
	not_ok "no t-hang evidence" "$(cat "$T/watch.log")"
OUT=$(cat "$T/state/evidence/"*-t-hang.json)
expect_json "its evidence says so" "[c['status'] + ': ' + c['summary'] for c in j['results']]" "['UNKNOWN: timed out after 2 s']"
# the on-event command: stopped at its own timeout, the watch never waited for it
wait_for 10 grep -q "on-event command for .*-t-check: stopped after 1 s" "$T/watch.log" &&
	ok "a hanging on-event command is stopped after its timeout" || not_ok "on-event" "$(cat "$T/watch.log")"

# --- the evidence store at its bound: the oldest reports go first
for i in $(seq 14); do
	say "WATCHTEST check"
	sleep 0.25
done
wait_for 10 logged_is t-check 15
total=$(cat "$T/state/evidence/"*.json | wc -c)
n=$(ls "$T/state/evidence" | wc -l)
[ "$total" -le 16384 ] && ok "the store holds $n reports, $total bytes: at most 16K" || not_ok "store: $total bytes"
[ "$n" -lt 15 ] && ok "older reports were removed" || not_ok "nothing removed: $n"
[ "$(nev t-hang)" = 0 ] && ok "the oldest (the hanging check's) first" || not_ok "the oldest stayed" "$(ls "$T/state/evidence")"
newest=$(sed -n 's/.*evidence \([^:]*t-check\): .*/\1/p' "$T/watch.log" | tail -1)
[ -e "$T/state/evidence/$newest.json" ] && ok "the newest is kept" || not_ok "newest $newest missing"
grep -q "evidence store at its bound: the .* oldest report" "$T/watch.log" && ok "the log says so" ||
	not_ok "no word of the bound"

# --- SIGHUP with a broken checks.d: the error said, the configuration loaded kept
conf 20-broken.conf <<<$'[oops]\nprobe = path\nbogus = 1'
kill -HUP "$WP"
wait_for 10 grep -q "reload failed: .*20-broken.conf:3: unknown key 'bogus'" "$T/watch.log" &&
	ok "a broken checks.d: the file and line said" || not_ok "reload" "$(tail -3 "$T/watch.log")"
grep -q "the configuration loaded at .* stays in use" "$T/watch.log" && ok "the old configuration stays" ||
	not_ok "reload message" "$(tail -3 "$T/watch.log")"
wait_for 5 grep -q '^hostdoctor_watch_config_ok 0$' "$T/w.prom" && ok "textfile: config_ok 0" || not_ok "config_ok" "$(cat "$T/w.prom")"
before=$(logged t-check)
say "WATCHTEST check"
wait_for 10 logged_is t-check $((before + 1)) &&
	ok "and goes on working" || not_ok "no evidence after a failed reload" "$(tail -3 "$T/watch.log")"
rm "$T/checks.d/20-broken.conf"
# a broken catalogue
cp "$T/catalog/test.conf" "$T/good.conf"
entry t-bad "WATCHTEST (bad" t-path >>"$T/catalog/test.conf"
kill -HUP "$WP"
wait_for 10 grep -q "reload failed: .*test.conf:[0-9]*: \[t-bad\] bad pattern" "$T/watch.log" &&
	ok "a broken catalogue: the entry said" || not_ok "catalogue reload" "$(tail -3 "$T/watch.log")"
# a good one: a new entry is followed, the lines between are counted once
cp "$T/good.conf" "$T/catalog/test.conf"
entry t-new "WATCHTEST new" t-path >>"$T/catalog/test.conf"
say "WATCHTEST check"
kill -HUP "$WP"
wait_for 10 grep -q "reloaded: following 1 file" "$T/watch.log" && ok "SIGHUP with a good configuration: reloaded" ||
	not_ok "no reload" "$(tail -3 "$T/watch.log")"
say "WATCHTEST new"
wait_for 10 nev_is t-new 1 && ok "the new entry is followed" || not_ok "t-new" "$(tail -3 "$T/watch.log")"
wait_for 5 grep -q '^hostdoctor_watch_config_ok 1$' "$T/w.prom" && ok "textfile: config_ok 1" || not_ok "config_ok" "$(cat "$T/w.prom")"
wait_for 5 grep -q '^hostdoctor_watch_events_total{entry="t-check",product="test"} 17$' "$T/w.prom" &&
	ok "every t-check line counted once across the reloads: 17" || not_ok "count" "$(grep t-check "$T/w.prom")"

# --- SIGTERM while a check runs: waited for, its evidence kept
say "WATCHTEST hang"
sleep 0.5
kill -TERM "$WP"
wait "$WP"
RC=$?
expect_rc "SIGTERM while a check runs: a clean end" 0
grep -q "evidence .*t-hang: t-hang (1 line): UNKNOWN" "$T/watch.log" && ok "the running check was waited for" ||
	not_ok "its evidence" "$(tail -4 "$T/watch.log")"
run "$HOSTDOCTOR" evidence show --state-dir "$T/state" 2019
expect_rc "evidence show of an id not there" 3
expect_err "says so" "no evidence 2019"
pgrep -f '^sleep 31.5$' >/dev/null && not_ok "on-event commands left behind" "$(pgrep -af 'sleep 31.5')" ||
	ok "nothing left of the on-event commands"
finish
