# log-scan on real files: each rotation kind between runs (rename, copytruncate, rename + gzip),
# exact counts, a line longer than 1 MB, binary bytes, partial lines, the state file's rules
# (the state directory's, readers and the lock: log_readers.sh).
. "$(dirname "$0")/lib.sh"

L=$HD_TMP/logs
S=$HD_TMP/state
mkdir -p "$L"

conf 10-logs.conf <<EOF
[app]
probe = log-scan
path = $L/app.log
state_dir = $S

[glob]
probe = log-scan
path = $L/web-*.log
state_dir = $S
from = start
catalog = none
EOF

scan() { run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" --only "$1" -f json; }
# the values of metrics NAME... in one python run (each run costs a fraction of a second)
metrics() {
	local names="$*"
	json_get "' '.join(str(int({m['name']: m['value'] for m in j['checks'][0]['metrics']}[n])) for n in '$names'.split())"
}
# expect_counts NAME LINES ERRORS ACCESS CATALOG
expect_counts() {
	local got
	got=$(metrics lines errors access catalog)
	if [ "$got" = "$2 $3 $4 $5" ]; then ok "$1: lines errors access catalog = $got"
	else not_ok "$1: lines errors access catalog = $got, wanted $2 $3 $4 $5" "$OUT"; fi
}
# lines N TEXT: append N numbered lines holding TEXT
lines() { local i; for ((i = 0; i < $1; i++)); do printf 'Mar 11 02:00:%02d host app: %s\n' "$i" "$2"; done; }

# --- first run positions at the end; the state directory and file are created private
lines 5 "old error before the first run" >"$L/app.log"
scan app
expect_rc "first run" 0
expect_json "first run says so" "j['checks'][0]['summary'].startswith('first run')" True
expect_counts "first run counts nothing" 0 0 0 0
if [ "$(stat -c %a "$S")" = 700 ]; then ok "state dir created 0700"; else not_ok "state dir mode $(stat -c %a "$S")"; fi
if [ "$(stat -c %a "$S/log-scan.app.doctor.state")" = 600 ]; then ok "state file 0600, named for the check and the reader"; else not_ok "state file mode $(stat -c %a "$S/log-scan.app.doctor.state")"; fi

# --- plain appends
lines 3 "an error here" >>"$L/app.log"
lines 2 "access denied" >>"$L/app.log"
lines 4 "fine" >>"$L/app.log"
scan app
expect_counts "appended lines" 9 3 2 0
scan app
expect_counts "nothing new" 0 0 0 0

# --- a line being written is counted once it ends
printf 'partial line with an err' >>"$L/app.log"
scan app
expect_counts "partial line waits" 0 0 0 0
printf 'or at the end\n' >>"$L/app.log"
scan app
expect_counts "completed line counted once" 1 1 0 0

# --- rotation by rename: lines written before the rename are in app.log.1
lines 2 "error before rename" >>"$L/app.log"
mv "$L/app.log" "$L/app.log.1"
lines 3 "denied after rename" >"$L/app.log"
scan app
expect_counts "rename rotation" 5 2 3 0
expect_out "rename rotation is noted" 'was rotated: read the rest of [^"]*app.log.1'
rm -f "$L/app.log.1"

# --- copytruncate: copy then truncate in place (same inode)
lines 4 "error before copytruncate" >>"$L/app.log"
cp "$L/app.log" "$L/app.log.1"
: >"$L/app.log"
lines 1 "denied after copytruncate" >>"$L/app.log"
scan app
expect_counts "copytruncate rotation" 5 4 1 0
rm -f "$L/app.log.1"

# --- copytruncate, and the new file starts with the same bytes (a banner longer than the
# fingerprint) and grows past the old position before the next run: told apart by the bytes
# just before that position, so nothing of either file is lost
banner="log opened by app $(head -c 300 /dev/zero | tr '\0' 'x')"
{ printf '%s\n' "$banner"; lines 2 "plain"; } >"$L/app.log"
scan app
expect_counts "banner file: from the start (new file)" 3 0 0 0
lines 3 "error before copytruncate" >>"$L/app.log"
cp "$L/app.log" "$L/app.log.1"
: >"$L/app.log"
{ printf '%s\n' "$banner"; lines 10 "denied after copytruncate"; } >>"$L/app.log"
scan app
expect_counts "copytruncate, same first bytes, grown past the position" 14 3 10 0
scan app
expect_counts "copytruncate, same first bytes: nothing doubled" 0 0 0 0
rm -f "$L/app.log.1"

# --- rename and compress (no delaycompress): the rest is read from app.log.1.gz
lines 2 "error before gzip" >>"$L/app.log"
printf '%s\n' "CRITICAL [smtp:ipc.c:102] semget=No space left on device(28) semget failure. Childnum(pre_spawn=300) may be large. If needed, maximum semaphore number(SEMMNI) can be increased by adding a line like 'kernel.sem=250 128000 32 512' in '/etc/sysctl.conf' and running 'sysctl -p'." >>"$L/app.log"
mv "$L/app.log" "$L/app.log.1"
gzip "$L/app.log.1"
lines 2 "denied after gzip" >"$L/app.log"
scan app
expect_counts "gzip rotation" 5 2 2 1
expect_rc "catalogued critical message" 2
expect_json "catalogue entry named" "'fsigk-semget-failure: 1 line' in j['checks'][0]['details']" True
expect_json "remedy names the check" "'--only fsigk-semaphores' in j['checks'][0]['remedy']" True
scan app
expect_counts "after gzip: nothing doubled" 0 0 0 0
rm -f "$L/app.log.1.gz"

# --- rotated away and gone: say so, count the new file
lines 2 "lost error" >>"$L/app.log"
mv "$L/app.log" "$HD_TMP/elsewhere.log"
lines 1 "new error" >"$L/app.log"
scan app
expect_counts "previous file gone" 1 1 0 0
expect_out "missing previous file is noted" 'is gone: lines written after the last run may be missed'

# --- a line longer than 1 MB, then binary garbage and invalid UTF-8
{ head -c 1500000 /dev/zero | tr '\0' 'x'; printf ' permission DENIED at the end\n'; } >>"$L/app.log"
printf '\xff\xfe\x00\x80\xc3\x28\xe2\x82 plain\n\x00\x00\x00\n\xf0\x28\x8c\x28 abort\n' >>"$L/app.log"
scan app
expect_counts "long line and binary lines" 4 1 1 0
expect_json "bytes read" "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='bytes'][0] > 1500000" True

# --- globs, from = start, and a file appearing later is read from its start
lines 2 "error one" >"$L/web-a.log"
scan glob
expect_counts "from = start reads the whole file" 2 2 0 0
lines 3 "access denied" >"$L/web-b.log"
lines 1 "abort" >>"$L/web-a.log"
scan glob
expect_counts "new file in the glob read from its start" 4 1 3 0
expect_json "no catalogue when catalog = none" "j['checks'][0]['status']" OK

# --- thresholds per category
conf 20-thresholds.conf <<EOF
[glob]
warning_access = 1
critical_errors = 0
EOF
lines 2 "denied" >>"$L/web-b.log"
scan glob
expect_rc "access over its warning range" 1
expect_json "warning detail" "'access = 2 is outside the warning range 1' in j['checks'][0]['details']" True
expect_json "grep remedy" "\"grep -n -i -E 'refused|reject|not permitted|denied'\" in j['checks'][0]['remedy']" True
lines 1 "abort" >>"$L/web-b.log"
scan glob
expect_rc "errors over its critical range" 2
rm "$HD_TMP/checks.d/20-thresholds.conf"

# --- no file matches: SKIPPED
conf 30-none.conf <<EOF
[none]
probe = log-scan
path = $L/nothing-*.log
state_dir = $S
EOF
scan none
expect_json "no file: skipped" "j['checks'][0]['status']" SKIPPED

# --- a symlinked state file is refused, and what it points to is left alone
echo "keep me" >"$HD_TMP/target"
rm -f "$S/log-scan.app.doctor.state"
ln -s "$HD_TMP/target" "$S/log-scan.app.doctor.state"
scan app
expect_rc "symlinked state file" 3
expect_json "symlink refused" "'is a symbolic link: refused' in j['checks'][0]['summary']" True
if [ "$(cat "$HD_TMP/target")" = "keep me" ]; then ok "symlink target untouched"; else not_ok "symlink target changed"; fi
rm -f "$S/log-scan.app.doctor.state"
scan app # positions again

# --- a state directory others may write to is refused; a symlinked one too
chmod 0777 "$S"
scan app
expect_rc "world-writable state dir" 3
expect_json "state dir refused" "'is writable by group or others' in j['checks'][0]['summary']" True
chmod 0700 "$S"
mkdir -p "$HD_TMP/real-state" && chmod 0700 "$HD_TMP/real-state"
ln -s "$HD_TMP/real-state" "$HD_TMP/link-state"
conf 40-link.conf <<EOF
[app]
state_dir = $HD_TMP/link-state
EOF
scan app
expect_rc "symlinked state dir" 3
expect_json "symlinked dir refused" "'symbolic link' in j['checks'][0]['summary']" True
rm "$HD_TMP/checks.d/40-link.conf"

# --- a corrupt state file: said so (UNKNOWN), rebuilt from the end of the log, nothing counted
# twice and nothing counted from the start again
lines 3 "error before the corruption" >>"$L/app.log"
printf 'garbage\n' >"$S/log-scan.app.doctor.state"
scan app
expect_rc "corrupt state" 3
expect_json "corrupt state named" "'was corrupt (line 1)' in j['checks'][0]['summary'] and 'rebuilt from the end' in j['checks'][0]['summary']" True
expect_json "no counts from a corrupt state" "len(j['checks'][0]['metrics'])" 0
lines 2 "error after the corruption" >>"$L/app.log"
scan app
expect_counts "after the rebuild: only the new lines" 2 2 0 0
printf 'hostdoctor-log-scan 2\nfile 1 2 x 4 5 /a\n' >"$S/log-scan.app.doctor.state"
scan app
expect_json "corrupt line named" "'was corrupt (line 2)' in j['checks'][0]['summary']" True

# --- a state of the time before readers (one file per check) is where each reader starts
lines 2 "error before the upgrade" >>"$L/app.log"
rm -f "$S"/log-scan.app.*
printf 'hostdoctor-log-scan 1\n%s\n' "$(stat -c '%d %i' "$L/app.log") 0 0 00000000 $L/app.log" >"$S/log-scan.app.state"
scan app
expect_json "legacy state read" "j['checks'][0]['summary'].startswith('first run')" False

# --- a FIFO where the log should be: a quick UNKNOWN that says what it is, and a remedy about
# the path, not about permissions
mv "$L/app.log" "$L/app.log.saved"
mkfifo "$L/app.log"
scan app
expect_rc "FIFO as the log" 3
expect_json "FIFO named as such" "j['checks'][0]['summary']" "cannot read $L/app.log: not a regular file (a FIFO, socket or device)"
expect_json "FIFO: the remedy is the path" "'set the check' in j['checks'][0]['remedy'] and 'adm group' not in j['checks'][0]['remedy']" True
rm -f "$L/app.log"
mv "$L/app.log.saved" "$L/app.log"

finish
