# watch reading its logs: every line counted once across rotations made while the watch runs
# (rename, copytruncate, rename + gzip, each also while the watch is stopped with SIGSTOP, so the
# rest of the rotated file must be found), a journal rotated and vacuumed under it (journal files
# written by systemd-journal-remote, read through --root), a burst of 100,000 matching lines (one
# run of the entry's checks in the hold-off, every line counted), SIGTERM then a start again
# (the positions and counters kept: nothing lost or counted twice), lines found old at start-up
# counted without running checks, and a second watch refused while the first one runs.
. "$(dirname "$0")/lib.sh"
JR=/lib/systemd/systemd-journal-remote
[ -x "$JR" ] || JR=/usr/lib/systemd/systemd-journal-remote
if [ ! -x "$JR" ] || ! command -v journalctl >/dev/null; then
	not_ok "systemd-journal-remote and journalctl are needed (make deps installs them)"
	finish
fi
T=$HD_TMP
R=$T/root
D=$R/var/log/journal
LOG=$R/var/log/app.log
mkdir -p "$D" "$R/state" "$T/catalog" "$T/state"
# a catalogue of test messages: one counted only, one whose entry names a check
cat >"$T/catalog/test.conf" <<'EOF'
[t-count]
product     = test
source      = cited: hostdoctor's tests
severity    = warning
pattern     = WATCHTEST count \d+
explanation = A test line that is only counted.
remedy      = Nothing.
sample      = WATCHTEST count 1
sample      = Mar  4 02:14:09 gw app[1]: WATCHTEST count 2

[t-check]
product     = test
source      = cited: hostdoctor's tests
severity    = critical
pattern     = WATCHTEST check \d+
explanation = A test line whose cause a check looks at.
remedy      = Nothing.
check       = t-path
sample      = WATCHTEST check 1
sample      = Mar  4 02:14:09 gw app[1]: WATCHTEST check 2
EOF
conf 10-watch.conf <<EOF
[app-log]
probe     = log-scan
path      = /var/log/app.log
state_dir = /state
catalog   = $T/catalog

[app-journal]
probe      = log-scan
journal    = yes
identifier = app
state_dir  = /state
catalog    = $T/catalog

[t-path]
probe = path
path  = /var/log
type  = dir
EOF
printf 'an old line before the watch: WATCHTEST count 0\n' >"$LOG"

# journal entries FIRST N MESSAGE: numbered from FIRST (the number is also the time, in seconds)
add() {
	python3 - "$@" <<'PY' | "$JR" --output="$D/x.journal" - 2>/dev/null
import sys, time
first, n, msg = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
now = int(time.time())
out = sys.stdout.buffer
for i in range(first, first + n):
    out.write(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n" % ((now - 100 + i) * 1000000, i * 1000000 + 1))
    out.write(b"_BOOT_ID=11111111111111111111111111111111\n_PID=42\nSYSLOG_IDENTIFIER=app\nPRIORITY=3\n")
    out.write(("MESSAGE=%s %d\n\n" % (msg, i)).encode())
PY
}
rotate() { mv "$D/x.journal" "$D/x@$(printf '%032x' "$1")-$(printf '%016x' "$1")-$(printf '%016x' "$1").journal"; }
add 0 2 "before the watch: WATCHTEST count"

wait_for() {
	local n=$(($1 * 20)) i
	shift
	for i in $(seq "$n"); do "$@" && return 0; sleep 0.05; done
	return 1
}
# count ENTRY [SERIES]: its value in the textfile (0 when absent)
count() {
	local v
	v=$(sed -n "s/^${2:-hostdoctor_watch_events_total}{entry=\"$1\",product=\"test\"} //p" "$T/w.prom" 2>/dev/null)
	echo "${v:-0}"
}
is_count() { [ "$(count "$1")" = "$2" ]; }
# expect_count NAME ENTRY WANT: the textfile reaches WANT, and stays there
expect_count() {
	wait_for 20 is_count "$2" "$3"
	sleep 0.4
	if is_count "$2" "$3"; then ok "$1: $3"; else not_ok "$1: $(count "$2"), wanted $3" "$(tail -5 "$T/watch.log")"; fi
}
start_watch() {
	: >"$T/watch.log"
	"$HOSTDOCTOR" watch -r "$R" -d "$HD_TMP/checks.d" --state-dir "$T/state" --textfile "$T/w.prom" \
		"$@" 2>>"$T/watch.log" &
	WP=$!
	on_exit "kill $WP"
	wait_for 30 grep -q "ready: " "$T/watch.log" || { not_ok "watch did not start" "$(cat "$T/watch.log")"; finish; }
}
app() { # app N TEXT: N lines "TEXT i" appended to the live log
	local i
	for i in $(seq "$1"); do printf '%s %s\n' "$2" "$i"; done >>"$LOG"
}

start_watch
grep -q "ready: following 1 file and the journal for 2 checks" "$T/watch.log" && ok "one file and the journal" ||
	not_ok "sources" "$(cat "$T/watch.log")"
app 5 "WATCHTEST count"
expect_count "appended lines" t-count 5
expect_count "the lines before the watch are not news" t-count 5

# --- rotations while it runs, and while it is stopped (SIGSTOP): the rest of the rotated file
kill -STOP "$WP"
app 3 "WATCHTEST count"
mv "$LOG" "$LOG.1"
app 4 "WATCHTEST count"
kill -CONT "$WP"
expect_count "rename: the rest of app.log.1, then the new file" t-count 12
kill -STOP "$WP"
app 2 "WATCHTEST count"
cp "$LOG" "$LOG.1" && : >"$LOG"
printf 'after copytruncate: WATCHTEST count 1\n' >>"$LOG"
kill -CONT "$WP"
expect_count "copytruncate: the rest of the copy, then the truncated file" t-count 15
kill -STOP "$WP"
app 2 "WATCHTEST count"
mv "$LOG" "$LOG.1" && gzip -f "$LOG.1"
app 2 "after gzip: WATCHTEST count"
kill -CONT "$WP"
expect_count "rename and gzip: the rest of app.log.1.gz, then the new file" t-count 19
for r in 1 2 3 4 5; do
	app 20 "live: WATCHTEST count"
	sleep 0.3
	mv "$LOG" "$LOG.1"
	app 10 "live, new file: WATCHTEST count"
	sleep 0.3
done
expect_count "five live rotations with writes on both sides: 150 more" t-count 169

# --- the journal: appended, rotated, vacuumed under the watch
add 10 3 "WATCHTEST count"
expect_count "journal entries" t-count 172
rotate 1
add 13 2 "after a rotation: WATCHTEST count"
expect_count "a rotated journal" t-count 174
# stopped meanwhile: the file of the last entry read is vacuumed away before the watch reads on
kill -STOP "$WP"
rotate 2
add 15 2 "after the vacuum: WATCHTEST count"
journalctl --directory="$D" --vacuum-files=1 >/dev/null 2>&1
ls "$D" | grep -q '@' && not_ok "vacuum left archived files" "$(ls "$D")" || ok "vacuum removed the journal's archived files"
kill -CONT "$WP"
expect_count "the journal read on after the vacuum" t-count 176
grep -q "app-journal: the journal no longer holds the last entry read" "$T/watch.log" &&
	ok "the vacuumed position is reported" || not_ok "no word of the vacuum" "$(cat "$T/watch.log")"

# --- a burst: 100,000 lines whose entry names a check, at once
python3 -c 'import sys; sys.stdout.write("".join("burst WATCHTEST check %d\n" % i for i in range(100000)))' >>"$LOG"
expect_count "a burst: every line counted" t-check 100000
[ "$(count t-check hostdoctor_watch_checks_runs_total)" = 1 ] && ok "one run of its checks" ||
	not_ok "check runs: $(count t-check hostdoctor_watch_checks_runs_total)"
[ "$(ls "$T/state/evidence" | grep -c t-check)" = 1 ] && ok "one evidence report" || not_ok "evidence" "$(ls "$T/state/evidence")"
OUT=$(cat "$T/state/evidence/"*-t-check.json)
expect_json "the report keeps the first 20 lines" "len(j['lines'])" 20
expect_json "and counts the lines while its checks ran" "j['lines_matched'] >= 20" True
expect_json "its check ran" "[c['id'] + ' ' + c['status'] for c in j['results']]" "['t-path OK']"

# --- a second watch on the same checks: refused while the first one holds their state
run timeout 20 "$HOSTDOCTOR" watch -r "$R" -d "$HD_TMP/checks.d" --state-dir "$T/state2"
expect_rc "a second watch is refused" 3
expect_err "it says why" "another run holds the state .* is another hostdoctor watch running"

# --- SIGTERM, lines written while stopped, a start again: nothing lost, nothing twice
kill -TERM "$WP"
wait "$WP"
RC=$?
expect_rc "SIGTERM" 0
app 3 "while stopped: WATCHTEST count"
add 17 2 "while stopped: WATCHTEST count"
start_watch
expect_count "after a restart: the lines written while it was stopped, once" t-count 181
# lines found at start-up are checked only when recent: an old file's lines are only counted
kill -TERM "$WP"
wait "$WP"
app 2 "old news: WATCHTEST check"
touch -d '10 minutes ago' "$LOG"
start_watch
expect_count "old lines at start-up: counted" t-check 100002
sleep 0.5
[ "$(count t-check hostdoctor_watch_checks_runs_total)" = 1 ] && ok "but their checks did not run" ||
	not_ok "old lines ran the checks: $(count t-check hostdoctor_watch_checks_runs_total)"
kill -TERM "$WP"
wait "$WP"
grep -q 'lines_total' "$T/w.prom" && ok "textfile written at the end" || not_ok "textfile"
finish
