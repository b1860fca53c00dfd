# ds-update and the shipped Deep Security checks on fixture roots laid out as document 004 describes
# a Linux agent / DSVA (no agent can be installed here), with 004's own iau.log and TmuDump.txt
# excerpts; the test removes components, ages snapshots, appends log lines and tears logs itself.
. "$(dirname "$0")/lib.sh"

cp -a "$HD_FIXTURES/ds-update" "$HD_TMP/trees"
T="$HD_TMP/trees"
L=var/opt/ds_agent/lib/iaulogs
# the shipped checks, and a site file the cases write into
mkdir -p "$HD_TMP/checks.d"
cp "$HD_SRC/checks.d/50-deep-security.conf" "$HD_TMP/checks.d/"
site() { conf 90-site.conf; } # read after 50-deep-security.conf, as docs/checks.md says
site </dev/null
ds() { run "$HOSTDOCTOR" doctor -d "$HD_TMP/checks.d" -r "$1" --format json "${@:2}"; }
lacks() {
	local got
	got=$(j "$2" "['$3']" 2>&1)
	if grep -Fq -- "$4" <<<"$got"; then not_ok "$1: $2 $3 has '$4'" "$got"; else ok "$1"; fi
}
# metric NAME CHECK-ID METRIC WANT
metric() { expect_check "$1" "$2" "['metrics'][[m['name'] for m in j['checks'][0]['metrics']].index('$3')]['value']" "$4"; }
has() {
	local got
	got=$(j "$2" "['$3']" 2>&1)
	if grep -Fq -- "$4" <<<"$got"; then ok "$1"; else not_ok "$1: $2 $3 lacks '$4'" "$got"; fi
}

# ---- ds-update-cache: the last result, and its remedy per case ----
ds "$T/clean" --only ds-update-cache
expect_rc "clean" 0
expect_check "clean: OK" ds-update-cache "['status']" OK
expect_check_re "clean: the success line" ds-update-cache "['summary']" 'succeeded \(/var/opt/ds_agent/lib/iaulogs/iau.log line 6\)'

ds "$T/file-exists" --only ds-update-cache
expect_rc "004's IAU_STATUS_FILE_EXISTS excerpt" 2
expect_check_re "file exists: the status" ds-update-cache "['summary']" 'IAU_STATUS_FILE_EXISTS\[-1073610747\(3,2,5\)\] .*line 19'
has "file exists: delete Path2, not the cache" ds-update-cache remedy "rm -f '/var/opt/ds_agent/lib/resource/c3t536871936/151100/ssaptn.511'"
has "file exists: restart the DSVA" ds-update-cache remedy "restart the virtual appliance (DSVA)"
lacks "file exists: the cache is not emptied" ds-update-cache remedy iaurepo

ds "$T/maintenance" --only ds-update-cache
expect_rc "004's TmuDump.txt 503 lines" 1
expect_check_re "maintenance: temporary" ds-update-cache "['summary']" '503 "Service is under maintainence" \(temporary; /var/opt/ds_agent/lib/iaulogs/TmuDump.txt line 2\)'
has "maintenance: retry later" ds-update-cache remedy "Update again later"
metric "maintenance: one failure" ds-update-cache failed_updates 1.0

# a later success in iau.log outweighs the older 503 in TmuDump.txt
ds "$T/recovered" --only ds-update-cache
expect_rc "503 then a success" 0

ds "$T/busy" --only ds-update-cache
expect_rc "busy" 1
expect_check_re "busy: the product's words" ds-update-cache "['summary']" 'Busy with exisiting update'
has "busy: duplicated tasks, wait, retry" ds-update-cache remedy "check that no two update tasks overlap"

ds "$T/relay-na" --only ds-update-cache
expect_rc "-18" 2
has "-18: same cause, its component" ds-update-cache remedy "rm -f '/var/opt/ds_agent/lib/resource/c1t1/9750/vsapi64.so'"

# iau.log elsewhere: the project default is overridable
mkdir -p "$T/busy/srv/dslogs"
mv "$T/busy/$L/iau.log" "$T/busy/srv/dslogs/iau.log"
ds "$T/busy" --only ds-update-cache
expect_check "iau.log moved: nothing recorded at the default" ds-update-cache "['status']" OK
site <<'CONF'
[ds-update-cache]
iau_log = /srv/dslogs/iau.log
CONF
ds "$T/busy" --only ds-update-cache
expect_check_re "iau_log set: read there" ds-update-cache "['summary']" 'exisiting update.*/srv/dslogs/iau.log line 8'
site </dev/null

# ---- ds-broken-component: the Path2 file of the latest failure ----
ds "$T/file-exists" --only ds-broken-component
expect_rc "broken component present" 2
expect_check_re "names the file and the line" ds-broken-component "['summary']" 'broken component /var/opt/ds_agent/lib/resource/c3t536871936/151100/ssaptn.511 is still present: IAU_STATUS_FILE_EXISTS.* line 19'
has "the exact deletion" ds-broken-component remedy "rm -f '/var/opt/ds_agent/lib/resource/c3t536871936/151100/ssaptn.511'"
has "then the restart" ds-broken-component remedy "systemctl restart ds_agent"
rm "$T/file-exists/var/opt/ds_agent/lib/resource/c3t536871936/151100/ssaptn.511"
ds "$T/file-exists" --only ds-broken-component
expect_rc "component deleted by hand" 0
expect_check_re "says it is gone" ds-broken-component "['summary']" 'ssaptn.511 named by IAU_STATUS_FILE_EXISTS.* is gone'
ds "$T/relay-na" --only ds-broken-component
expect_check_re "-18 after a File exists: line on one line: its path" ds-broken-component "['summary']" 'vsapi64.so named by IAURELAY_STATUS_NOT_AVAILABLE\(-18\)'
# a log that names a file outside the agent's tree gets no deletion advice
sed -i 's#/var/opt/ds_agent/lib/resource/c3t536871936/151100/ssaptn.511#/etc/passwd#' "$T/file-exists/$L/iau.log"
ds "$T/file-exists" --only ds-broken-component
expect_rc "Path2 outside /var/opt/ds_agent/" 1
expect_check_re "not offered for deletion" ds-broken-component "['summary']" '/etc/passwd, outside /var/opt/ds_agent/: not suggesting a deletion'
ds "$T/clean" --only ds-broken-component
expect_check "no failure: OK" ds-broken-component "['status']" OK

# ---- ds-leftover-snapshot: li_copy at 004's place ----
S="$T/leftovers/var/opt/ds_agent"
touch "$S/li_copy" "$S/li_roll"
ds "$T/leftovers" --only ds-leftover-snapshot
expect_rc "fresh li_copy: an update at work" 0
expect_check_re "says so" ds-leftover-snapshot "['summary']" 'li_copy is [0-9]+ s old: an update is at work'
touch -d '3 hours ago' "$S/li_copy"
ds "$T/leftovers" --only ds-leftover-snapshot
expect_rc "li_copy 3 h old" 1
expect_check_re "the last update did not finish" ds-leftover-snapshot "['summary']" '/var/opt/ds_agent/li_copy left over for 3.0 h: the last update did not finish'
has "li_roll is normal" ds-leftover-snapshot details "li_roll from"
rm -r "$S/li_copy"
ds "$T/leftovers" --only ds-leftover-snapshot
expect_rc "only li_roll (after a successful update)" 0
# the old place (inside iaurepo) is not the document's: a folder there is no snapshot
mkdir -p "$T/clean/var/opt/ds_agent/iaurepo/li_copy"
touch -d '3 hours ago' "$T/clean/var/opt/ds_agent/iaurepo/li_copy"
ds "$T/clean" --only ds-leftover-snapshot
expect_rc "li_copy inside iaurepo is not looked for" 0

# ---- ds-relay-version ----
ds "$T/clean" --only ds-relay-version
expect_check "version unknown: SKIPPED" ds-relay-version "['status']" SKIPPED
for v in "9.0 SP1 Patch 3:1:WARNING" "9.0 SP 1 Patch 5:0:OK" "10.0:0:OK" "9.0.5500:3:UNKNOWN"; do
	site <<CONF
[ds-relay-version]
relay_version = ${v%%:*}
CONF
	ds "$T/clean" --only ds-relay-version
	rest=${v#*:}
	expect_rc "relay ${v%%:*}" "${rest%%:*}"
	expect_check "relay ${v%%:*}: ${rest#*:}" ds-relay-version "['status']" "${rest#*:}"
done
has "upgrade advice" ds-relay-version remedy "Upgrade the relay to 9.0 SP1 Patch 5 or later"
site </dev/null

# ---- ds-update-logs: 004's lines appended to the logs are catalogued ----
mkdir -m 0700 -p "$T/maintenance/var/lib/hostdoctor"
ds "$T/maintenance" --only ds-update-logs
expect_rc "log-scan: first run starts at the end" 0
printf 'Err 20190830 04:00:02 3120 1604 TmDownloader: Service is under maintainence\n' >>"$T/maintenance/$L/TmuDump.txt"
printf '[2019-Aug-30 04:10:11 4467|1085278544] [err] Update [src/core/src/context.cpp(455)]\nBusy with exisiting update\n' >>"$T/maintenance/$L/iau.log"
ds "$T/maintenance" --only ds-update-logs
expect_rc "log-scan: two catalogued lines" 1
metric "two catalogue matches" ds-update-logs catalog 2.0

# ---- logs that cannot tell, and no agent ----
head -c 8192 /dev/zero >"$T/clean/$L/iau.log"
ds "$T/clean" --only ds-update-cache
expect_rc "NUL-filled iau.log" 3
expect_check_re "says so" ds-update-cache "['summary']" 'iau.log is not a text log'
rm -f "$T/clean/$L/iau.log"
mkdir "$T/clean/$L/iau.log"
ds "$T/clean" --only ds-update-cache
expect_rc "iau.log is a directory" 3
mkdir -p "$HD_TMP/empty/etc"
ds "$HD_TMP/empty" --only ds-update-cache --only ds-broken-component --only ds-leftover-snapshot
expect_rc "not installed" 0
expect_check_re "not installed: SKIPPED" ds-update-cache "['summary']" 'not installed \(no .*/var/opt/ds_agent\)'
expect_check "not installed: snapshot SKIPPED" ds-leftover-snapshot "['status']" SKIPPED

finish
