# port probe against real sockets in a private network namespace: IPv4, IPv6, dual-stack and UDP
# listeners, a bound socket that never listens, owners right and wrong, and a run without root.
. "$(dirname "$0")/lib.sh"
in_private_netns "$@"

conf port.conf <<'CONF'
[free-8080]
probe  = port
port   = 8080
expect = free

[listen-8080-proxyd]
probe  = port
port   = 8080
expect = listening
owner  = proxyd

[listen-8080-scanner]
probe  = port
port   = 8080
expect = listening
owner  = scanner

[listen-8080-rc]
probe        = port
port         = 8080
expect       = listening
restart_hint = /opt/product/rc.product_http restart

[free-8081-v4]
probe   = port
port    = 8081
address = 0.0.0.0
expect  = free

[free-8081]
probe  = port
port   = 8081
expect = free

[free-8082-v4]
probe   = port
port    = 8082
address = 127.0.0.1
expect  = free

[free-8082-v6local]
probe   = port
port    = 8082
address = ::1
expect  = free

[udp-5353]
probe  = port
port   = 5353
proto  = udp
expect = free

[tcp-5353]
probe  = port
port   = 5353
expect = free

[free-8083]
probe  = port
port   = 8083
expect = free

[free-8083-nobound]
probe  = port
port   = 8083
expect = free
bound  = no

[listen-8083]
probe  = port
port   = 8083
expect = listening

[free-8085]
probe  = port
port   = 8085
expect = free

[free-8085-notest]
probe     = port
port      = 8085
expect    = free
test_bind = no

[free-80]
probe  = port
port   = 80
expect = free

[bad-address]
probe   = port
port    = 8084
address = 300.1.2.3
expect  = free
CONF
D="$HD_TMP/checks.d"

run "$HOSTDOCTOR" nagios -d "$D" free-8080 --format json
expect_rc "nothing on 8080: free" 0
expect_check "free port is OK" free-8080 "['status']" OK
expect_check "no holders" free-8080 "['metrics'][0]['value']" 0.0

# an IPv4 TCP listener owned by a process named proxyd
sockets --name proxyd --listen tcp4,0.0.0.0,8080
PROXYD=$SP
run "$HOSTDOCTOR" nagios -d "$D" free-8080 --format json
expect_rc "listener on 8080: not free" 2
expect_check_re "holder named with its pid" free-8080 "['summary']" "held by proxyd \\(pid $PROXYD\\)"
expect_check_re "detail names state and address" free-8080 "['details']" "LISTEN 0\\.0\\.0\\.0:8080 by proxyd"
expect_check_re "remedy stops the other service" free-8080 "['remedy']" "proxyd \\(pid $PROXYD\\).*kill $PROXYD"
expect_check_re "remedy offers another port" free-8080 "['remedy']" "another port than 8080"
run "$HOSTDOCTOR" nagios -d "$D" listen-8080-proxyd
expect_rc "expect=listening, right owner" 0
expect_out "nagios line names the owner" "proxyd listens on tcp/8080"
run "$HOSTDOCTOR" nagios -d "$D" listen-8080-scanner --format json
expect_rc "expect=listening, wrong owner" 2
expect_check_re "wrong owner named" listen-8080-scanner "['summary']" "held by proxyd \\(pid $PROXYD\\), not by scanner"
expect_check_re "wrong owner remedy" listen-8080-scanner "['remedy']" "Stop the other service: proxyd"

# a run without root: the socket's owner cannot be read
chmod 755 "$HD_TMP" "$D"; chmod 644 "$D"/*
run setpriv --reuid=nobody --regid=nogroup --clear-groups "$HOSTDOCTOR" nagios -d "$D" free-8080 --format json
expect_rc "unprivileged: still not free" 2
expect_check_re "unprivileged: owner unknown, needs root" free-8080 "['summary']" "owner unknown \\(uid 0; needs root"
run setpriv --reuid=nobody --regid=nogroup --clear-groups "$HOSTDOCTOR" nagios -d "$D" listen-8080-proxyd --format json
expect_rc "unprivileged: owner check cannot tell" 3
expect_check "unprivileged: UNKNOWN" listen-8080-proxyd "['status']" UNKNOWN
expect_check_re "unprivileged: remedy says run as root" listen-8080-proxyd "['remedy']" "as root"
stop "$PROXYD"
run "$HOSTDOCTOR" nagios -d "$D" free-8080 listen-8080-proxyd --format json
expect_check "listener gone: free again" free-8080 "['status']" OK
expect_check_re "listener gone: nothing listens" listen-8080-proxyd "['summary']" "nothing listens on tcp/8080"
run "$HOSTDOCTOR" nagios -d "$D" listen-8080-rc --format json
expect_check_re "nothing listens: the product's start command" listen-8080-rc "['remedy']" "^Start the service: /opt/product/rc.product_http restart; .*netstat -anp \| grep :8080"

# IPv6-only listener: an IPv4 bind still works, any-address does not
sockets --name v6only --listen tcp6only,::,8081
run "$HOSTDOCTOR" nagios -d "$D" free-8081-v4 free-8081 --format json
expect_check "[::] v6only=1 leaves 0.0.0.0 free" free-8081-v4 "['status']" OK
expect_check "[::] v6only=1 holds the port" free-8081 "['status']" CRITICAL
expect_check_re "IPv6 holder described" free-8081 "['details']" "LISTEN \\[::\\]:8081 by v6only"
stop "$SP"

# dual-stack listener: it blocks IPv4 binds, and is seen only in the AF_INET6 dump
sockets --name dualstack --listen tcp6,::,8082
run "$HOSTDOCTOR" nagios -d "$D" free-8082-v4 free-8082-v6local --format json
expect_check "[::] v6only=0 blocks 127.0.0.1" free-8082-v4 "['status']" CRITICAL
expect_check_re "dual-stack explained" free-8082-v4 "['details']" "also takes IPv4 \\(v6only=0\\)"
expect_check "[::] blocks ::1" free-8082-v6local "['status']" CRITICAL
stop "$SP"
# a specific IPv4 listener does not block another address of the same port
sockets --name lo2 --listen tcp4,127.0.0.2,8082
run "$HOSTDOCTOR" nagios -d "$D" free-8082-v4 --format json
expect_check "127.0.0.2 leaves 127.0.0.1 free" free-8082-v4 "['status']" OK
stop "$SP"

# UDP
sockets --name resolver --listen udp4,0.0.0.0,5353
run "$HOSTDOCTOR" nagios -d "$D" udp-5353 tcp-5353 --format json
expect_check "UDP socket holds udp/5353" udp-5353 "['status']" CRITICAL
expect_check_re "UDP holder named" udp-5353 "['summary']" "held by resolver \\(pid $SP\\)"
expect_check "tcp/5353 stays free" tcp-5353 "['status']" OK
stop "$SP"

# a TCP socket bound and never listening (kernel >= 6.5 reports it)
sockets --name binder --bind tcp4,127.0.0.1,8083
run "$HOSTDOCTOR" nagios -d "$D" free-8083 free-8083-nobound listen-8083 --format json
expect_check "bound socket holds the port" free-8083 "['status']" CRITICAL
expect_check_re "bound socket described" free-8083 "['details']" "BOUND 127\\.0\\.0\\.1:8083 by binder \\(pid $SP\\)"
expect_check "bound = no does not look for it" free-8083-nobound "['status']" OK
expect_check_re "bound is not listening" listen-8083 "['summary']" "bound but not listening by binder"
stop "$SP"

# expect = free first binds the port itself; only a failed bind sends it to the bind table
run "$HOSTDOCTOR" nagios -d "$D" free-8085 free-8085-notest --format json
expect_check "nothing bound: free" free-8085 "['status']" OK
expect_check_re "nothing bound: answered by the test bind" free-8085 "['details']" "test bind of 0\\.0\\.0\\.0:8085 and \\[::\\]:8085 succeeded"
expect_check "test_bind = no: free" free-8085-notest "['status']" OK
expect_check "test_bind = no: no test bind" free-8085-notest "['details']" None
for kind in tcp6only,::1 tcp6,:: tcp4,127.0.0.1 tcp4,0.0.0.0; do
	sockets --name binder --bind "$kind,8085"
	run "$HOSTDOCTOR" nagios -d "$D" free-8085 free-8085-notest --format json
	addr=${kind#*,}
	[ "${kind%%,*}" = tcp4 ] || addr="[$addr]"
	addr=$(sed 's/[].[]/\\&/g' <<<"$addr")
	expect_check "bound $kind: not free" free-8085 "['status']" CRITICAL
	expect_check_re "bound $kind: found past the failed test bind" free-8085 "['details']" "BOUND $addr:8085 by binder"
	expect_check "bound $kind: found without a test bind too" free-8085-notest "['status']" CRITICAL
	stop "$SP"
done
# below 1024 without root the test bind is refused: the bind table is read instead
sockets --name binder --bind tcp4,127.0.0.1,80
run setpriv --reuid=nobody --regid=nogroup --clear-groups "$HOSTDOCTOR" nagios -d "$D" free-80 --format json
expect_check "unprivileged, port 80 bound: not free" free-80 "['status']" CRITICAL
expect_check_re "unprivileged: test bind refused, said so" free-80 "['details']" "test bind of 0\\.0\\.0\\.0:80 not possible \\(Permission denied\\)"
stop "$SP"
run setpriv --reuid=nobody --regid=nogroup --clear-groups "$HOSTDOCTOR" nagios -d "$D" free-80 --format json
expect_check "unprivileged, port 80 unbound: free" free-80 "['status']" OK

run "$HOSTDOCTOR" nagios -d "$D" bad-address --format json
expect_rc "malformed address: UNKNOWN" 3
expect_check_re "malformed address named" bad-address "['summary']" "300\\.1\\.2\\.3"

# the parser on a dump recorded here: dual-stack and v6only listeners, an established pair
sockets --listen tcp6,::,8090 --listen tcp4,127.0.0.1,8091 --connect 127.0.0.1,8091,1
run "$HD_HELPERS/hdt_sockdiag" record "$HD_TMP/dump" tcp 0
expect_rc "recording a dump" 0
run "$HD_HELPERS/hdt_sockdiag" print "$HD_TMP/dump"
expect_rc "replaying the recording" 0
expect_out "IPv4 listener in the recording" "^inet state=10 local=127\\.0\\.0\\.1:8091 v6only=-1 rq=0 wq=128 inode=set$"
expect_out "dual-stack listener in the recording" "^inet6 state=10 local=\\[::\\]:8090 v6only=0 .*inode=set$"
expect_out "accepted connection in the recording" "^inet state=1 local=127\\.0\\.0\\.1:8091 "
stop "$SP"

finish
