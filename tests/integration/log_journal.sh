# log-scan and explain on the systemd journal: journal files made by systemd-journal-remote from
# an export stream written here, read through --root. Appends, rotation and vacuum between runs
# (exact counts, nothing doubled), unit/identifier/priority/boot matches, a catalogued message,
# the shipped system-log check reading the journal where there is one and the files where not,
# explain --journal and --file. Where a live journald runs, it is read too.
. "$(dirname "$0")/lib.sh"

JR=/lib/systemd/systemd-journal-remote
[ -x "$JR" ] || JR=/usr/lib/systemd/systemd-journal-remote
if [ ! -x "$JR" ] || ! command -v journalctl >/dev/null; then
	echo "SKIP: systemd-journal-remote and journalctl are needed (make deps installs them)"
	not_ok "systemd-journal-remote missing"
	finish
fi

R=$HD_TMP/root
D=$R/var/log/journal/0123456789abcdef0123456789abcdef
mkdir -p "$D" "$R/state" "$R/var/lib"
BOOT1=11111111111111111111111111111111
BOOT2=22222222222222222222222222222222

# entries FIRST N [MESSAGE] [UNIT] [PRIORITY] [BOOT] [IDENTIFIER]: N entries in journal export
# format on stdout, numbered from FIRST (the number is also the time, in seconds)
entries() {
	python3 - "$@" <<'PY'
import sys
a = sys.argv[1:] + [None] * 7
first, n = int(a[0]), int(a[1])
msg = a[2] or "app line"
unit = a[3] or "app.service"
prio = a[4] or "6"
boot = a[5] or "11111111111111111111111111111111"
ident = a[6] or "app"
out = sys.stdout.buffer
for i in range(first, first + n):
    out.write(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n" % (1700000000000000 + i * 1000000, 1000000 + i * 1000000))
    out.write(("_BOOT_ID=%s\n_HOSTNAME=gw\n_PID=42\n_SYSTEMD_UNIT=%s\nSYSLOG_IDENTIFIER=%s\nPRIORITY=%s\n" % (boot, unit, ident, prio)).encode())
    out.write(("MESSAGE=%s %d\n\n" % (msg, i)).encode())
PY
}
# add FIRST N [...]: append entries to the active journal file x.journal
add() { entries "$@" | "$JR" --output="$D/x.journal" - 2>/dev/null || echo "journal-remote failed"; }
# rotate K: archive x.journal under a journald archive name (the next add starts a new file)
rotate() { mv "$D/x.journal" "$D/x@$(printf '%032x' "$1")-$(printf '%016x' "$1")-$(printf '%016x' "$1").journal"; }

conf 10-journal.conf <<EOF
[jall]
probe = log-scan
journal = yes
state_dir = /state
catalog = none

[japp]
probe = log-scan
journal = yes
unit = app
state_dir = /state
catalog = none

[jerr]
probe = log-scan
journal = yes
priority = err
identifier = app other
state_dir = /state
catalog = none

[jboot]
probe = log-scan
journal = yes
boot = current
from = start
state_dir = /state
catalog = none

[jcat]
probe = log-scan
journal = yes
state_dir = /state
EOF
scan() { run "$HOSTDOCTOR" doctor -r "$R" -d "$HD_TMP/checks.d" --only "$1" -f json; }
lines_of() { json_get "int({m['name']: m['value'] for m in j['checks'][0]['metrics']}.get('lines', -1))"; }
expect_lines() {
	local got
	got=$(lines_of 2>&1)
	if [ "$got" = "$2" ]; then ok "$1: $got lines"; else not_ok "$1: $got lines, wanted $2" "$OUT"; fi
}

# --- first run: positioned at the last entry
add 0 5 "an error here"
scan jall
expect_rc "first run" 0
expect_json "first run says so" "j['checks'][0]['summary'].startswith('first run')" True
expect_json "the journal named" "'the journal positioned at the end' in j['checks'][0]['summary']" True

# --- appended entries, counted once
add 5 3 "second batch error"
scan jall
expect_lines "appended" 3
expect_json "errors counted" "int({m['name']: m['value'] for m in j['checks'][0]['metrics']}['errors'])" 3
scan jall
expect_lines "nothing new" 0

# --- rotated: the cursor is in an archived file, the news in a new one
rotate 1
add 8 3 "after rotation"
scan jall
expect_lines "after a rotation" 3

# --- vacuumed: the file of the last entry read is gone; the scan goes on from the oldest
# entry after it, counting each entry once
rotate 2
add 11 3 "after the vacuum"
journalctl --directory="$D" --vacuum-files=1 >/dev/null 2>&1
if ls "$D" | grep -q '@'; then not_ok "vacuum left archived files" "$(ls "$D")"; else ok "vacuum removed the archived files"; fi
scan jall
expect_lines "after the vacuum" 3
expect_json "vacuumed cursor reported" "'no longer holds the last entry read' in (j['checks'][0]['details'] or '')" True
add 14 2 "later"
scan jall
expect_lines "after the vacuum, appended" 2
expect_json "cursor found again" "'no longer holds' in (j['checks'][0]['details'] or '')" False

# --- matches: unit, identifier + priority, boot
scan japp
scan jerr
add 16 4 "app says" app.service 6
add 20 3 "db says error" db.service 3 "" db
add 23 2 "other says" other.service 2 "" other
add 25 1 "systemd about app" init.scope 3 "" systemd
scan japp
expect_lines "unit = app: its 4 entries" 4
scan jerr
expect_lines "priority = err, identifier app or other: 2 entries" 2
add 26 2 "new boot" app.service 6 "$BOOT2"
scan jboot
expect_lines "boot = current under a root: the last entry's boot" 2

# --- a catalogued message in the journal
scan jcat
add 28 1 "CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure. Childnum(pre_spawn=300) may be large."
scan jcat
expect_rc "catalogued message" 2
expect_json "entry named" "(j['checks'][0]['details'] or '').startswith('fsigk-semget')" True
expect_json "journalctl remedy" "'journalctl' in j['checks'][0]['remedy']" True

# --- the shipped system-log check: the journal where there is one, never with the files too
mkdir -p "$R/var/log"
printf 'Mar 11 02:00:00 gw app: a syslog line error\n' >"$R/var/log/syslog"
run "$HOSTDOCTOR" doctor -r "$R" -d "$HD_SRC/checks.d" --only system-log -f json
expect_json "system-log reads the journal" "'the journal' in j['checks'][0]['summary'] and 'file' not in j['checks'][0]['summary']" True
add 29 2 "more"
printf 'Mar 11 02:00:01 gw app: another syslog line\n' >>"$R/var/log/syslog"
run "$HOSTDOCTOR" doctor -r "$R" -d "$HD_SRC/checks.d" --only system-log -f json
expect_lines "system-log: the journal's 2 entries, not the file's line" 2
R2=$HD_TMP/root2
mkdir -p "$R2/var/log" "$R2/var/lib"
printf 'Mar 11 02:00:00 gw app: a syslog line\n' >"$R2/var/log/syslog"
run "$HOSTDOCTOR" doctor -r "$R2" -d "$HD_SRC/checks.d" --only system-log -f json
expect_json "no journal: system-log reads the files" "'1 file positioned' in j['checks'][0]['summary']" True

# --- explain over the journal (and a unit of it, and since a time) and over a file
run "$HOSTDOCTOR" explain -r "$R" -d "$HD_TMP/checks.d" --journal
expect_rc "explain --journal" 0
expect_out "entry found in the journal" '^fsigk-semget-failure \(fsigk, critical\)'
expect_out "count and time" 'Found: +1 line, 2023-11-1[45] '
run "$HOSTDOCTOR" explain -r "$R" -d "$HD_TMP/checks.d" --journal --unit db
expect_rc "explain --journal --unit db: nothing catalogued" 1
run "$HOSTDOCTOR" explain -r "$R" -d "$HD_TMP/checks.d" --journal --since "2099-01-01"
expect_rc "explain --journal --since the future" 1
run "$HOSTDOCTOR" explain -r "$R" -d "$HD_TMP/checks.d" --journal --since "yesterday morning"
expect_rc "a bad --since" 3
expect_err "says what a time is" "since 'yesterday morning'"
{
	printf 'Mar 11 02:00:00 gw fsigk: CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure.\n'
	printf 'Mar 11 02:00:01 gw kernel: nothing\n'
	printf 'Mar 11 02:10:00 gw fsigk: CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure.\n'
} >"$HD_TMP/gw.log"
gzip -c "$HD_TMP/gw.log" >"$HD_TMP/gw.log.1.gz"
run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" --file "$HD_TMP/gw.log" --file "$HD_TMP/gw.log.1.gz"
expect_rc "explain --file" 0
expect_out "grouped with count, first and last" "Found: +4 lines, first Mar 11 02:00:00 \\($HD_TMP/gw.log:1\\), last Mar 11 02:10:00 \\($HD_TMP/gw.log.1.gz:3\\)"
run "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" --file "$HD_TMP/absent.log"
expect_rc "explain --file of a missing file" 3
expect_err "names the file" "absent.log: No such file or directory"

# --- a live journal: systemd-journald of our own in a private mount namespace (its sockets and
# /run/log/journal on tmpfs), fed by systemd-cat; the shipped system-log check reads it through
# sd_journal_open() as on a host that has only a journal
JD_BIN=/lib/systemd/systemd-journald
[ -x "$JD_BIN" ] || JD_BIN=/usr/lib/systemd/systemd-journald
if [ "$(id -u)" = 0 ] && [ -x "$JD_BIN" ] && command -v systemd-cat >/dev/null; then
	private_mount_ns
	for d in /run/systemd /run/log /var/log/journal /var/lib; do
		inns mkdir -p "$d"
		inns mount -t tmpfs tmpfs "$d"
	done
	inns mkdir -p /run/systemd/journal
	nsenter -t "$NS" -m "$JD_BIN" >/dev/null 2>&1 &
	JDP=$!
	on_exit "kill $JDP"
	for _ in $(seq 100); do inns test -S /run/systemd/journal/socket && break; sleep 0.05; done
	# the host has no syslog files here: /var/log holds only the journal's tmpfs
	say() { inns systemd-cat -t "${2:-hdtest}" -p "${3:-info}" printf '%s\n' "$1"; }
	say "before the first run"
	for _ in $(seq 100); do inns journalctl -q -t hdtest -o cat 2>/dev/null | grep -q "before the first" && break; sleep 0.05; done
	livescan() { run inns "$HOSTDOCTOR" doctor -d "$HD_SRC/checks.d" --only system-log -f json; }
	livescan
	expect_json "live journal: system-log reads the journal" "'the journal positioned at the end' in j['checks'][0]['summary']" True
	say "an error line"
	say "a denied line" hdtest warning
	say "CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure." fsigk_smtp err
	for _ in $(seq 100); do inns journalctl -q -t fsigk_smtp -o cat 2>/dev/null | grep -q semget && break; sleep 0.05; done
	livescan
	expect_json "live journal: errors" "int({m['name']: m['value'] for m in j['checks'][0]['metrics']}['errors'])" 1
	expect_json "live journal: access" "int({m['name']: m['value'] for m in j['checks'][0]['metrics']}['access'])" 1
	expect_json "live journal: the catalogued message" "int({m['name']: m['value'] for m in j['checks'][0]['metrics']}['catalog'])" 1
	expect_rc "live journal: critical" 2
	livescan
	expect_json "live journal: nothing twice" "int({m['name']: m['value'] for m in j['checks'][0]['metrics']}['catalog'])" 0
	run inns "$HOSTDOCTOR" explain -d "$HD_TMP/checks.d" --journal --since -1h
	expect_out "live journal: explain --journal" '^fsigk-semget-failure \(fsigk, critical\)'
	kill "$JDP" 2>/dev/null
else
	echo "# no systemd-journald to start here: the live journal part is skipped"
fi

finish
