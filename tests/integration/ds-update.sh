# ds-update: the agent's update cache and last update result, on fixture trees of an installed
# agent (no agent can be installed here) with leftovers and torn logs made by the test itself.
. "$(dirname "$0")/lib.sh"

FIX="$HD_FIXTURES/ds-update"
cp -a "$FIX" "$HD_TMP/trees"
T="$HD_TMP/trees"
conf ds.conf <<'CONF'
[ds]
probe = ds-update
CONF
ds() { run "$HOSTDOCTOR" -d "$HD_TMP/checks.d" -r "$1" --format json "${@:2}"; }
status() { expect_json "$1: status" 'j["checks"][0]["status"]' "$2"; }
summary() {
	local got
	got=$(json_get 'j["checks"][0]["summary"]')
	if grep -Eq -- "$2" <<<"$got"; then ok "$1: summary"; else not_ok "$1: summary lacks /$2/" "$got"; fi
}
remedy() {
	local got
	got=$(json_get 'j["checks"][0]["remedy"]')
	if grep -Fq -- "$2" <<<"$got"; then ok "$1: remedy"; else not_ok "$1: remedy lacks '$2'" "$got"; fi
}
metric() { expect_json "$1: $2" "[m['value'] for m in j['checks'][0]['metrics'] if m['name']=='$2'][0]" "$3"; }

ds "$T/clean"
expect_rc "clean" 0
status clean OK
summary clean 'last update succeeded'
metric clean failed_updates 0.0
metric clean leftover_dirs 0.0

ds "$T/maintenance"
expect_rc "maintenance" 1
status maintenance WARNING
summary maintenance '503 "Service is under maintainence" \(temporary'
metric maintenance failed_updates 1.0

# a later success in iau.log outweighs an older 503 in TmuDump.txt
ds "$T/recovered"
expect_rc "503 then success" 0
summary "503 then success" 'succeeded .*iau.log line 3'

ds "$T/file-exists"
expect_rc "file exists" 2
status "file exists" CRITICAL
summary "file exists" 'IAU_STATUS_FILE_EXISTS, /var/opt/ds_agent/iaurepo/pattern/lpt\$vpn.742 is in the way'
remedy "file exists" "rm -f '/var/opt/ds_agent/iaurepo/pattern/lpt\$vpn.742'"
remedy "file exists" "systemctl stop ds_agent && rm -rf /var/opt/ds_agent/iaurepo/* && systemctl start ds_agent"
remedy "file exists" "Download Security Updates"

# the log lives in /var/log/ds_agent on this one: the second default location
ds "$T/busy"
expect_rc "busy" 1
summary busy 'Busy with exisiting update.*/var/log/ds_agent/iau.log'

ds "$T/relay"
expect_rc "relay -18 three times" 2
summary "relay -18 three times" 'relay https://relay01.example.com:4122/ is not available .*-18, 3 times in a row'
metric "relay -18 three times" failed_updates 3.0
conf ds.conf <<'CONF'
[ds]
probe = ds-update
relay_critical_after = 5
CONF
ds "$T/relay"
expect_rc "relay -18 below relay_critical_after" 1

# li_copy / li_roll: fresh ones are an update at work, old ones are left over
conf ds.conf <<'CONF'
[ds]
probe = ds-update
CONF
# the checkout's mtime is not "fresh" an hour later: make them fresh here
touch "$T/leftovers/var/opt/ds_agent/iaurepo/li_copy" \
	"$T/leftovers/var/opt/ds_agent/iaurepo/pattern/li_roll"
ds "$T/leftovers"
expect_rc "fresh li_copy/li_roll (update running)" 0
touch -d '3 hours ago' "$T/leftovers/var/opt/ds_agent/iaurepo/li_copy" \
	"$T/leftovers/var/opt/ds_agent/iaurepo/pattern/li_roll"
ds "$T/leftovers"
expect_rc "old li_copy/li_roll" 1
summary "old li_copy/li_roll" '2 update folders \(li_copy/li_roll\) left over in /var/opt/ds_agent/iaurepo'
metric "old li_copy/li_roll" leftover_dirs 2.0
remedy "old li_copy/li_roll" "rm -rf /var/opt/ds_agent/iaurepo/*"
expect_json "leftovers named" '"iaurepo/pattern/li_roll" in j["checks"][0]["details"]' True

# the repo key moves the cache
mkdir -p "$T/clean/srv/cache/li_roll"
touch -d '2 days ago' "$T/clean/srv/cache/li_roll"
conf ds.conf <<'CONF'
[ds]
probe = ds-update
repo = /srv/cache
CONF
ds "$T/clean"
expect_rc "repo key" 1
summary "repo key" 'left over in /srv/cache'

# a log torn by a crash (NUL-filled) cannot tell the last result
conf ds.conf <<'CONF'
[ds]
probe = ds-update
CONF
head -c 8192 /dev/zero >"$T/clean/var/opt/ds_agent/diag/iau.log"
ds "$T/clean"
expect_rc "NUL-filled iau.log" 3
summary "NUL-filled iau.log" 'iau.log is not a text log'

# unreadable (a directory where the log should be)
rm -f "$T/clean/var/opt/ds_agent/diag/iau.log"
mkdir "$T/clean/var/opt/ds_agent/diag/iau.log"
ds "$T/clean"
expect_rc "iau.log is a directory" 3
summary "iau.log is a directory" 'cannot read the agent.s update log .*iau.log'

# no agent at all
mkdir -p "$HD_TMP/empty/etc"
ds "$HD_TMP/empty"
expect_rc "not installed" 0
status "not installed" SKIPPED
summary "not installed" 'not installed \(no .*/opt/ds_agent, .*/var/opt/ds_agent\)'

finish
