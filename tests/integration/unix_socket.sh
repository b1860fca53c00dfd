# unix-socket against real servers: one that accepts, one whose backlog is full, one with a
# connection waiting, a stale socket file, a datagram socket, a regular file, a missing path,
# a path longer than sun_path, --root, and an unprivileged run.
. "$(dirname "$0")/lib.sh"

S="$HD_TMP/sock"
mkdir -p "$S"
srv() { # srv MODE PATH: start a server, kill it at exit; its pid in $PID
	PID=$("$HD_HELPERS/hdt_unixsrv" "$1" "$2") || { not_ok "hdt_unixsrv $1 $2 did not start"; return 1; }
	on_exit "kill $PID"
}
srv accept "$S/accept.sock"; acc=$PID
srv noaccept "$S/noaccept.sock"
srv busy "$S/busy.sock"
srv stale "$S/stale.sock"
srv dgram "$S/dgram.sock"
: >"$S/file.sock"
long="$S/$(printf 'd%.0s' $(seq 60))/$(printf 'e%.0s' $(seq 60))"
mkdir -p "$long"
srv accept "$long/scan.sock"; lpid=$PID

conf unix.conf <<CONF
[accept]
probe = unix-socket
path  = $S/accept.sock

[noaccept]
probe        = unix-socket
path         = $S/noaccept.sock
timeout_ms   = 200
restart_hint = systemctl restart avscand.service

[busy]
probe = unix-socket
path  = $S/busy.sock

[stale]
probe        = unix-socket
path         = $S/stale.sock
restart_hint = systemctl restart avscand.service

[dgram]
probe = unix-socket
path  = $S/dgram.sock

[file]
probe = unix-socket
path  = $S/file.sock

[missing]
probe = unix-socket
path  = $S/missing.sock

[long]
probe = unix-socket
path  = $long/scan.sock
CONF
D="$HD_TMP/checks.d"
c() { printf "[c for c in j['checks'] if c['id']=='%s'][0]" "$1"; }
metric() { printf "[m['value'] for m in %s['metrics'] if m['name']=='%s'][0]" "$(c "$1")" "$2"; }

run "$HOSTDOCTOR" doctor -d "$D" --format json
expect_rc "mixed report" 2
expect_json "accepting: OK" "$(c accept)['status']" OK
expect_json "accepting: listener pid from SO_PEERCRED" "'listener pid $acc (hdt_unixsrv)' in $(c accept)['summary']" True
expect_json "accepting: nothing pending" "$(metric accept pending)" 0.0
expect_json "accepting: backlog 128" "$(metric accept backlog)" 128.0
expect_json "full backlog: CRITICAL" "$(c noaccept)['status']" CRITICAL
expect_json "full backlog: summary" "'does not accept connections: backlog full (1 pending of 0)' in $(c noaccept)['summary']" True
expect_json "full backlog: restart hint in remedy" "'systemctl restart avscand.service' in $(c noaccept)['remedy']" True
expect_json "one pending of backlog 1: WARNING" "$(c busy)['status']" WARNING
expect_json "one pending: pending metric" "$(metric busy pending)" 1.0
expect_json "stale: CRITICAL" "$(c stale)['status']" CRITICAL
expect_json "stale: summary" "'is stale: connection refused' in $(c stale)['summary']" True
expect_json "stale: restart hint" "'systemctl restart avscand.service' in $(c stale)['remedy']" True
expect_json "datagram: CRITICAL" "$(c dgram)['status']" CRITICAL
expect_json "datagram: summary" "'is a datagram socket, not a stream listener' in $(c dgram)['summary']" True
expect_json "regular file: CRITICAL" "$(c file)['status']" CRITICAL
expect_json "regular file: summary" "'is a regular file, not a socket' in $(c file)['summary']" True
expect_json "missing: CRITICAL" "$(c missing)['status']" CRITICAL
expect_json "missing: summary" "'is missing' in $(c missing)['summary']" True
expect_json "long path: OK through O_PATH" "$(c long)['status']" OK
expect_json "long path: listener pid" "'listener pid $lpid' in $(c long)['summary']" True

# the same socket found below --root
mkdir -p "$HD_TMP/root/run/avscan"
srv accept "$HD_TMP/root/run/avscan/scan.sock"; rpid=$PID
conf unix.conf <<CONF
[rooted]
probe = unix-socket
path  = /run/avscan/scan.sock
CONF
run "$HOSTDOCTOR" nagios -d "$D" -r "$HD_TMP/root" rooted
expect_rc "--root: found below the root" 0
expect_out "--root: listener named" "listener pid $rpid"

# an unprivileged run cannot write to a root socket with mode 0755: cannot tell, not CRITICAL
if [ "$(id -u)" = 0 ]; then
	conf unix.conf <<CONF
[accept]
probe = unix-socket
path  = $S/accept.sock
CONF
	chmod -R a+rX "$HD_TMP"
	chmod 0755 "$S/accept.sock"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$HOSTDOCTOR" nagios -d "$D" accept
	expect_rc "unprivileged, no write permission: UNKNOWN" 3
	expect_out "unprivileged: says why" "Permission denied \(needs root or the socket's group\)"
	chmod 0777 "$S/accept.sock"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$HOSTDOCTOR" nagios -d "$D" accept
	expect_rc "unprivileged, world-writable socket: OK" 0
	expect_out "unprivileged: listener pid still seen" "listener pid $acc"
fi
finish
