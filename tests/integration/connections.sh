# connections probe against real connections in a private network namespace: exact counts up to
# 5000, IPv4 and IPv6, the configured maximum, a full accept queue, no service.
. "$(dirname "$0")/lib.sh"
in_private_netns "$@"

metric() { j "$1" "['metrics']" | python3 -c "import sys,ast; print([m['value'] for m in ast.literal_eval(sys.stdin.read()) if m['name']=='$2'][0])"; }
expect_metric() { # NAME CHECK METRIC WANT
	local got
	got=$(metric "$2" "$3" 2>&1)
	if [ "$got" = "$4" ]; then ok "$1"; else not_ok "$1: $2 $3 = '$got', wanted '$4'" "$OUT"; fi
}

conf conn.conf <<'CONF'
[gw-9000]
probe = connections
port  = 9000
max   = 10

[gw-9000-nomax]
probe    = connections
port     = 9000
warning  = 3
per_connection_kb = 100

[gw-9001]
probe       = connections
port        = 9001
max         = 5000
max_advised = 2000
note        = Restore the scan timeout to 90 s if it was raised.

[gw-9002]
probe = connections
port  = 9002

[gw-9003]
probe = connections
port  = 9003
max   = 100

[gw-9004]
probe = connections
port  = 9004
CONF
D="$HD_TMP/checks.d"

run "$HOSTDOCTOR" nagios -d "$D" gw-9004 --format json
expect_rc "nothing on 9004: skipped" 0
expect_check "no service: SKIPPED" gw-9004 "['status']" SKIPPED

# 5 connections, plus 7 unrelated ones on another port that must not count
sockets --name gateway --listen tcp4,0.0.0.0,9000 --listen tcp4,0.0.0.0,9100 \
	--connect 127.0.0.1,9000,5 --connect 127.0.0.1,9100,7
GW=$SP
run "$HOSTDOCTOR" nagios -d "$D" gw-9000 gw-9000-nomax --format json
expect_rc "5 of 10, but 5 > warning 3" 1
expect_check "5 of 10 is OK" gw-9000 "['status']" OK
expect_metric "exactly 5 established" gw-9000 established 5.0
expect_metric "50% of max" gw-9000 used 50.0
expect_metric "memory at 500 KB each" gw-9000 memory 2500.0
expect_metric "memory at per_connection_kb = 100" gw-9000-nomax memory 500.0
expect_metric "backlog of the listener" gw-9000 backlog 128.0
expect_metric "accepted: accept queue empty" gw-9000 accept_queue 0.0
expect_check "warning range on established" gw-9000-nomax "['status']" WARNING
stop "$GW"

# 5000 connections against a maximum of 5000
sockets --name gateway --nofile 12000 --listen tcp4,127.0.0.1,9001 --connect 127.0.0.1,9001,5000
run "$HOSTDOCTOR" nagios -d "$D" gw-9001 --format json
expect_rc "5000 of 5000" 2
expect_metric "exactly 5000 established" gw-9001 established 5000.0
expect_check_re "maximum reached" gw-9001 "['summary']" "maximum connections reached: 5000 established on tcp/9001, the limit is 5000"
expect_check_re "above the 2000 the product advises" gw-9001 "['details']" "max = 5000 is above the 2000 the product advises"
expect_check_re "remedy keeps the limit under 2000" gw-9001 "['remedy']" "2000"
expect_check_re "remedy: the check's note" gw-9001 "['remedy']" "Restore the scan timeout to 90 s"
stop "$SP"

# IPv6 and IPv4 clients of one dual-stack listener
sockets --name gateway --listen tcp6,::,9002 --connect ::1,9002,3 --connect 127.0.0.1,9002,2
run "$HOSTDOCTOR" nagios -d "$D" gw-9002 --format json
expect_rc "dual-stack listener" 0
expect_metric "3 IPv6 + 2 IPv4 connections" gw-9002 established 5.0
stop "$SP"

# a service that stopped accepting: backlog 2, six clients
sockets --name stuck --backlog 2 --listen tcp4,127.0.0.1,9003 --no-accept --connect 127.0.0.1,9003,6
run "$HOSTDOCTOR" nagios -d "$D" gw-9003 --format json
expect_rc "full accept queue" 2
expect_check_re "accept queue full named" gw-9003 "['summary']" "accept queue full on tcp/9003 \\(3 pending, backlog 2\\)"
expect_metric "3 waiting to be accepted" gw-9003 accept_queue 3.0
stop "$SP"

finish
