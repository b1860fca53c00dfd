# port and connections probes against the commands an admin would run: 20,000 established
# connections, the holder of a port among 1,000 processes, and 1,000 vs 50,000 unrelated sockets.
# Each scenario runs in a fresh network namespace (no TIME_WAIT left from the one before).
# Prints median wall times of whole commands, as a user runs them, and the ratios.
set -u
: "${HOSTDOCTOR:?}" "${HD_HELPERS:?}"

if [ -z "${HD_NETNS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (network namespaces)"; exit 0; fi
	echo "machine: $(nproc) CPUs ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME"); $(ss -V), $(netstat -V 2>&1 | head -1)"
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1fx", a/b}'; }
	unshare -n env HD_NETNS=1 bash "$0" established || exit 1
	unshare -n env HD_NETNS=1 bash "$0" holder || exit 1
	echo
	echo "3. port probe with 1,000 and 50,000 unrelated TCP sockets (the holder of tcp/8080 and a socket bound to tcp/8082 started after them)"
	small=$(unshare -n env HD_NETNS=1 bash "$0" scale 1000) || exit 1
	large=$(unshare -n env HD_NETNS=1 bash "$0" scale 50000) || exit 1
	read -r _ f1 l1 pf1 pl1 nb1 pnb1 b1 pb1 <<<"$small"
	read -r _ f2 l2 pf2 pl2 nb2 pnb2 b2 pb2 <<<"$large"
	printf '  %-58s %12s\n' "growth 1,000 -> 50,000, expect=free: whole run / probe" "$(ratio "$f2" "$f1") / $(ratio "$pf2" "$pf1")"
	printf '  %-58s %12s\n' "growth, expect=listening+owner: whole run / probe" "$(ratio "$l2" "$l1") / $(ratio "$pl2" "$pl1")"
	printf '  %-58s %12s\n' "growth, expect=free, bound=no: whole run / probe" "$(ratio "$nb2" "$nb1") / $(ratio "$pnb2" "$pnb1")"
	echo "  (goal: within 2x)"
	printf '  %-58s %12s\n' "growth, expect=free, port held by a bound socket" "$(ratio "$b2" "$b1") / $(ratio "$pb2" "$pb1")"
	echo "  (a bound-only holder is named from the kernel's bind table, which the kernel walks whole)"
	exit 0
fi

ip link set lo up
sysctl -qw net.ipv4.ip_local_port_range="20000 65535"
sysctl -qw net.core.somaxconn=65535
NOFILE=$(ulimit -Hn)
TMP=$(mktemp -d /tmp/hostdoctor-bench.XXXXXX)
PIDS=()
# Also waits until the helpers' idle children (--fork, ended by PDEATHSIG and reaped by init)
# are gone: a thousand of them left in /proc would slow the next scenario's owner lookup.
cleanup() {
	local i
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for i in $(seq 200); do pgrep -x hdt_sockets >/dev/null || break; sleep 0.05; done
	rm -rf "$TMP"
}
trap cleanup EXIT

sockets() {
	local ready="$TMP/ready.$RANDOM$RANDOM" i
	"$HD_HELPERS/hdt_sockets" --ready "$ready" "$@" &
	SP=$!
	PIDS+=("$SP")
	for i in $(seq 1200); do [ -e "$ready" ] && return 0; kill -0 "$SP" 2>/dev/null || break; sleep 0.05; done
	echo "hdt_sockets $* did not start" >&2; exit 1
}
# connections PORT N [OPTIONS...]: N connections to 127.0.0.1:PORT, accepted and held by server
# processes sharing the port (SO_REUSEPORT), from client processes of at most 15,000 each:
# RLIMIT_NOFILE may be capped (no CAP_SYS_RESOURCE), so no process holds more than ~15,000 fds.
# OPTIONS go to the first server (--name, --fork).
connections() {
	local port=$1 n=$2 left chunk s i
	shift 2
	for ((s = 0; s < n / 8000 + 1; s++)); do
		[ "$s" = 0 ] || set --
		sockets "$@" --nofile "$NOFILE" --reuseport --backlog 65535 --listen tcp4,127.0.0.1,"$port" --serve
	done
	left=$n
	while [ "$left" -gt 0 ]; do
		chunk=$((left > 15000 ? 15000 : left))
		sockets --nofile "$NOFILE" --no-accept --connect 127.0.0.1,"$port","$chunk"
		left=$((left - chunk))
	done
	for i in $(seq 400); do # until every connection is accepted
		[ "$(ss -Hltn "( sport = :$port )" | awk '{q += $2} END {print q + 0}')" = 0 ] && return 0
		sleep 0.05
	done
	echo "connections on $port were not all accepted" >&2; exit 1
}

# median_us N CMD...: median wall time of N runs, in microseconds (after one warm-up run); the
# median, as the machine is shared and a mean takes in every hiccup of the neighbours. The clock
# is bash's EPOCHREALTIME, read without starting a process: $(date) around each run would add the
# start and exit of two date processes (about 2 ms here) to every figure.
median_us() {
	local n=$1 t0 t1 i
	shift
	"$@" >/dev/null 2>&1
	for ((i = 0; i < n; i++)); do
		t0=${EPOCHREALTIME/[.,]/}
		"$@" >/dev/null 2>&1
		t1=${EPOCHREALTIME/[.,]/}
		echo $((t1 - t0))
	done | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}
# probe_us N CHECK: median of the check's own duration (from the JSON), in microseconds
probe_us() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do hd "$2" --format json; done | python3 -c '
import json,sys
dec=json.JSONDecoder(); s=sys.stdin.read(); i=0; d=[]
while i < len(s):
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    o, i = dec.raw_decode(s, i); d.append(o["checks"][0]["duration"])
d.sort(); print(int(d[(len(d) - 1) // 2] * 1e6))'
}
ms() { awk -v u="$1" 'BEGIN{printf "%.1f ms", u/1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1fx", a/b}'; }
row() { printf '  %-58s %12s\n' "$1" "$2"; }

mkdir -p "$TMP/checks.d"
cat >"$TMP/checks.d/bench.conf" <<'CONF'
[conn-9000]
probe = connections
port  = 9000
max   = 30000

[holder-8080]
probe  = port
port   = 8080
expect = listening
owner  = proxyd

[free-8081]
probe  = port
port   = 8081
expect = free

[free-8081-nobound]
probe  = port
port   = 8081
expect = free
bound  = no

[bound-8082]
probe  = port
port   = 8082
expect = free
CONF
hd() { "$HOSTDOCTOR" nagios -d "$TMP/checks.d" "$@"; }

case "$1" in
established)
	connections 9000 20000 --name gateway
	P=9000
	netstat_recipe() { netstat -anp | grep ":$P" | grep ESTABLISHED | wc -l; }
	ss_recipe() { ss -Htn state established "( sport = :$P )" | wc -l; }
	echo
	echo "1. established connections on tcp/9000: 20,000 connections (40,000 sockets) held by 5 processes"
	echo "   counts: hostdoctor $(hd conn-9000 --format json | python3 -c 'import json,sys; print(int([m for m in json.load(sys.stdin)["checks"][0]["metrics"] if m["name"]=="established"][0]["value"]))'), ss $(ss_recipe), netstat recipe $(netstat_recipe) (it matches both ends)"
	t_hd=$(median_us 30 hd conn-9000)
	t_ss=$(median_us 10 ss_recipe)
	t_ns=$(median_us 5 netstat_recipe)
	row "hostdoctor nagios conn-9000" "$(ms "$t_hd")"
	row "ss -Htn state established '( sport = :9000 )' | wc -l" "$(ms "$t_ss")"
	row "netstat -anp | grep :9000 | grep ESTABLISHED | wc -l" "$(ms "$t_ns")"
	row "netstat recipe / hostdoctor (goal >= 50x)" "$(ratio "$t_ns" "$t_hd")"
	row "ss / hostdoctor (goal >= 1x)" "$(ratio "$t_ss" "$t_hd")"
	;;
holder)
	connections 9100 10000 --fork 997
	sockets --name proxyd --listen tcp4,0.0.0.0,8080
	ss_holder() { ss -tlnp 'sport = :8080'; }
	echo
	echo "2. who holds tcp/8080: $(ls -d /proc/[0-9]* 2>/dev/null | wc -l) processes, 20,002 sockets, the holder started last"
	echo "   hostdoctor: $(hd holder-8080 | cut -d'|' -f1)"
	echo "   ss:         $(ss_holder | tail -1 | grep -o 'users:.*')"
	t_hd=$(median_us 20 hd holder-8080)
	t_ss=$(median_us 10 ss_holder)
	row "hostdoctor nagios holder-8080 (expect=listening, owner)" "$(ms "$t_hd")"
	row "ss -tlnp 'sport = :8080'" "$(ms "$t_ss")"
	row "ss / hostdoctor (goal > 1x)" "$(ratio "$t_ss" "$t_hd")"
	;;
scale)
	n=$2
	connections 9200 $((n / 2))
	sockets --name proxyd --listen tcp4,0.0.0.0,8080
	sockets --name binder --bind tcp4,127.0.0.1,8082
	f=$(median_us 30 hd free-8081)
	l=$(median_us 30 hd holder-8080)
	nb=$(median_us 30 hd free-8081-nobound)
	pf=$(probe_us 30 free-8081)
	pl=$(probe_us 30 holder-8080)
	pnb=$(probe_us 30 free-8081-nobound)
	b=$(median_us 30 hd bound-8082)
	pb=$(probe_us 30 bound-8082)
	echo "$n $f $l $pf $pl $nb $pnb $b $pb"
	row "$n sockets: expect=free, whole run / probe" "$(ms "$f") / $(ms "$pf")" >&2
	row "$n sockets: expect=listening+owner, whole run / probe" "$(ms "$l") / $(ms "$pl")" >&2
	row "$n sockets: expect=free, bound=no, whole run / probe" "$(ms "$nb") / $(ms "$pnb")" >&2
	row "$n sockets: expect=free, held by a bound socket" "$(ms "$b") / $(ms "$pb")" >&2
	;;
esac
