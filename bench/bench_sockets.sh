# port and connections probes against the commands an admin would run, in a private network
# namespace with 20,000 established connections, 1,000 processes, 1,000 to 50,000 unrelated sockets.
# Prints mean wall times (whole commands, as a user runs them) and the ratios.
set -u
if [ -z "${HD_NETNS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (network namespaces)"; exit 0; fi
	exec unshare -n env HD_NETNS=1 bash "$0" "$@"
fi
: "${HOSTDOCTOR:?}" "${HD_HELPERS:?}"
ip link set lo up
sysctl -qw net.ipv4.ip_local_port_range="20000 65535"
sysctl -qw net.core.somaxconn=65535
NOFILE=$(ulimit -Hn)
TMP=$(mktemp -d /tmp/hostdoctor-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

sockets() {
	local ready="$TMP/ready.$RANDOM$RANDOM" i
	"$HD_HELPERS/hdt_sockets" --ready "$ready" "$@" &
	SP=$!
	PIDS+=("$SP")
	for i in $(seq 1200); do [ -e "$ready" ] && return 0; kill -0 "$SP" 2>/dev/null || break; sleep 0.05; done
	echo "hdt_sockets $* did not start"; exit 1
}
# connections PORT N [OPTIONS...]: N connections to 127.0.0.1:PORT, accepted and held by server
# processes sharing the port (SO_REUSEPORT), from client processes of at most 15,000 each: RLIMIT_NOFILE
# may be capped (no CAP_SYS_RESOURCE), so no process holds more than ~15,000 fds. OPTIONS go to the
# first server (--name, --fork).
connections() {
	local port=$1 n=$2 left chunk s i
	shift 2
	for ((s = 0; s < n / 8000 + 1; s++)); do
		if [ "$s" = 0 ]; then set -- "$@"; else set --; fi
		sockets "$@" --nofile "$NOFILE" --reuseport --backlog 65535 --listen tcp4,127.0.0.1,"$port" --serve
	done
	left=$n
	while [ "$left" -gt 0 ]; do
		chunk=$((left > 15000 ? 15000 : left))
		sockets --nofile "$NOFILE" --no-accept --connect 127.0.0.1,"$port","$chunk"
		left=$((left - chunk))
	done
	# until every connection is accepted
	for i in $(seq 200); do
		[ "$(ss -Hltn "( sport = :$port )" | awk '{q += $2} END {print q + 0}')" = 0 ] && return 0
		sleep 0.05
	done
	echo "connections on $port were not all accepted"; exit 1
}
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; PIDS=(); }

# mean_us N CMD...: mean wall time of N runs, in microseconds (one warm-up run first)
mean_us() {
	local n=$1 t0 t1 i
	shift
	"$@" >/dev/null 2>&1
	t0=$(date +%s%N)
	for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1; done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / n / 1000))
}
# probe_us N CHECK: mean of the check's own duration (JSON), in microseconds
probe_us() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do "$HOSTDOCTOR" nagios -d "$TMP/checks.d" "$2" --format json; done |
		python3 -c '
import json,sys
dec=json.JSONDecoder(); s=sys.stdin.read(); i=0; d=[]
while i < len(s):
    while i < len(s) and s[i].isspace(): i+=1
    if i >= len(s): break
    o,i=dec.raw_decode(s,i); d.append(o["checks"][0]["duration"])
print(int(sum(d)/len(d)*1e6))'
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
CONF
hd() { "$HOSTDOCTOR" nagios -d "$TMP/checks.d" "$@"; }

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"

# 1. established connections on one port, 20,000 of them
connections 9000 20000 --name gateway
P=9000
netstat_recipe() { netstat -anp | grep ":$P" | grep ESTABLISHED | wc -l; }
ss_recipe() { ss -Htn state established "( sport = :$P )" | wc -l; }
echo
echo "1. established connections on tcp/9000 (20,000 connections: 40,001 sockets)"
echo "   counts: hostdoctor $(hd conn-9000 --format json | python3 -c 'import json,sys; print(int([m for m in json.load(sys.stdin)["checks"][0]["metrics"] if m["name"]=="established"][0]["value"]))'), ss $(ss_recipe), netstat recipe $(netstat_recipe) (both ends match ':9000')"
t_hd=$(mean_us 20 hd conn-9000)
t_ss=$(mean_us 10 ss_recipe)
t_ns=$(mean_us 3 netstat_recipe)
row "hostdoctor nagios conn-9000" "$(ms "$t_hd")"
row "ss -Htn state established '( sport = :9000 )' | wc -l" "$(ms "$t_ss")"
row "netstat -anp | grep :9000 | grep ESTABLISHED | wc -l" "$(ms "$t_ns")"
row "netstat recipe / hostdoctor (goal >= 50x)" "$(ratio "$t_ns" "$t_hd")"
row "ss / hostdoctor (goal >= 1x)" "$(ratio "$t_ss" "$t_hd")"
stop_all

# 2. holder of one port among 20,000 sockets and 1,000 processes
connections 9100 10000 --fork 997
sockets --name proxyd --listen tcp4,0.0.0.0,8080
echo
echo "2. who holds tcp/8080 ($(ls -d /proc/[0-9]* | wc -l) processes, 20,002 sockets; the holder started last)"
echo "   hostdoctor: $(hd holder-8080)"
ss_holder() { ss -tlnp 'sport = :8080'; }
echo "   ss: $(ss_holder | tail -1 | grep -o 'users:.*')"
t_hd=$(mean_us 20 hd holder-8080)
t_ss=$(mean_us 20 ss_holder)
row "hostdoctor nagios holder-8080 (expect=listening, owner)" "$(ms "$t_hd")"
row "ss -tlnp 'sport = :8080'" "$(ms "$t_ss")"
row "ss / hostdoctor (goal > 1x)" "$(ratio "$t_ss" "$t_hd")"
stop_all

# 3. the port probe as unrelated sockets grow from 1,000 to 50,000
echo
echo "3. port probe with 1,000 and 50,000 unrelated TCP sockets (holder of tcp/8080 started after them)"
declare -A T
for n in 1000 50000; do
	connections 9200 $((n / 2))
	sockets --name proxyd --listen tcp4,0.0.0.0,8080
	T[free_$n]=$(mean_us 30 hd free-8081)
	T[holder_$n]=$(mean_us 30 hd holder-8080)
	T[pfree_$n]=$(probe_us 30 free-8081)
	T[pholder_$n]=$(probe_us 30 holder-8080)
	stop_all
done
row "expect=free, whole run: 1,000 / 50,000" "$(ms "${T[free_1000]}") / $(ms "${T[free_50000]}")"
row "expect=free, probe only: 1,000 / 50,000" "$(ms "${T[pfree_1000]}") / $(ms "${T[pfree_50000]}")"
row "expect=listening+owner, whole run: 1,000 / 50,000" "$(ms "${T[holder_1000]}") / $(ms "${T[holder_50000]}")"
row "expect=listening+owner, probe only: 1,000 / 50,000" "$(ms "${T[pholder_1000]}") / $(ms "${T[pholder_50000]}")"
row "growth, expect=free (whole / probe) (goal <= 2x)" "$(ratio "${T[free_50000]}" "${T[free_1000]}") / $(ratio "${T[pfree_50000]}" "${T[pfree_1000]}")"
row "growth, listening+owner (whole / probe) (goal <= 2x)" "$(ratio "${T[holder_50000]}" "${T[holder_1000]}") / $(ratio "${T[pholder_50000]}" "${T[pholder_1000]}")"
