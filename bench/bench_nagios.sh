# A one-check Nagios run against the Monitoring Plugins' check of the same thing, side by side in
# one run: `hostdoctor nagios tmp-space` (the shipped check) against `check_disk -w 5MB -c 5MB
# -p /tmp`, `hostdoctor nagios --probe process --set name=NAME` against `check_procs -C NAME`,
# and `hostdoctor nagios file-handles` against `cat /proc/sys/fs/file-nr` (what the check reads).
# Each command runs as a monitoring agent runs it (a new process, output read and thrown away);
# medians of N runs after a warm-up, in alternating blocks so a busy moment of the machine hits
# both sides alike. The goal: a ratio (hostdoctor / the other) of at most 1.0.
# Usage: bash bench/bench_nagios.sh [RUNS]   (HOSTDOCTOR=path/to/hostdoctor)
set -u
: "${HOSTDOCTOR:?}"
N=${1:-${HD_BENCH_RUNS:-200}}
PLUGINS=/usr/lib/nagios/plugins
for p in check_disk check_procs; do
	[ -x "$PLUGINS/$p" ] || { echo "SKIP: $PLUGINS/$p missing (apt-get install monitoring-plugins-basic)"; exit 0; }
done
echo "machine: $(nproc) CPUs ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)), kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "hostdoctor: $HOSTDOCTOR ($("$HOSTDOCTOR" --version)), $("$PLUGINS/check_disk" -V | head -1); $N runs each"

# a process to look for, with a name of its own
TMP=$(mktemp -d /tmp/hostdoctor-bench.XXXXXX)
cp /bin/sleep "$TMP/hdbenchsleeper"
"$TMP/hdbenchsleeper" 3600 &
SLEEPER=$!
trap 'kill $SLEEPER 2>/dev/null; rm -rf "$TMP"' EXIT

# times_us N CMD...: N wall times of CMD in microseconds, one per line (bash's EPOCHREALTIME:
# no process is started to read the clock)
times_us() {
	local n=$1 t0 t1 i
	shift
	for ((i = 0; i < n; i++)); do
		t0=${EPOCHREALTIME/[.,]/}
		"$@" >/dev/null 2>&1
		t1=${EPOCHREALTIME/[.,]/}
		echo $((t1 - t0))
	done
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ms() { awk -v u="$1" 'BEGIN{printf "%.2f ms", u/1000}'; }

# compare NAME "OURS..." "THEIRS...": alternating blocks of 10 runs each, then the medians
compare() {
	local name=$1 ours=$2 theirs=$3 a="$TMP/a" b="$TMP/b" i
	: >"$a"
	: >"$b"
	eval "$ours" >/dev/null 2>&1
	eval "$theirs" >/dev/null 2>&1
	for ((i = 0; i < N; i += 10)); do
		eval "times_us 10 $ours" >>"$a"
		eval "times_us 10 $theirs" >>"$b"
	done
	local ma mb
	ma=$(median <"$a")
	mb=$(median <"$b")
	printf '  %-36s %9s   %-50s %9s   %s\n' "$name" "$(ms "$ma")" "${theirs#"$PLUGINS/"}" "$(ms "$mb")" \
		"$(awk -v a="$ma" -v b="$mb" 'BEGIN{printf "%.2fx", a/b}')"
}

printf '  %-36s %9s   %-50s %9s   %s\n' "one check (median wall time)" "" "the other command" "" "ratio (goal <= 1.0)"
compare "hostdoctor nagios tmp-space" "\"$HOSTDOCTOR\" nagios tmp-space" "$PLUGINS/check_disk -w 5MB -c 5MB -p /tmp"
compare "hostdoctor nagios --probe process" "\"$HOSTDOCTOR\" nagios --probe process --set name=hdbenchsleeper" \
	"$PLUGINS/check_procs -C hdbenchsleeper"
compare "hostdoctor nagios file-handles" "\"$HOSTDOCTOR\" nagios file-handles" "cat /proc/sys/fs/file-nr"
# what the floor is: starting any program
compare "(floor) /bin/true" "/bin/true" "/bin/true"
# the libraries a one-check run loads (lazily opened ones only when their probe runs)
libs=$(LD_DEBUG=libs "$HOSTDOCTOR" nagios tmp-space 2>&1 >/dev/null | grep -c 'calling init:')
echo "  shared objects initialised by 'hostdoctor nagios tmp-space': $libs"
