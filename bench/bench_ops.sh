#!/bin/bash
# ops bench: the routine's two new checks against the commands the operations manual runs by hand,
# in the same run, as ratios (hostdoctor's time / the commands' time; below 1 is faster).
#  - baseline: `hostdoctor nagios` of a baseline check (process table, listeners with their
#    holders, enabled services, compared with the saved file) against `ps aux` + `ss -ltnup`,
#    which only print the two lists; with EXTRA more long-running processes (default 500).
#  - logins: the logins check on a wtmp of RECORDS records (default 100000) against `last -f`.
# Usage: bench/bench_ops.sh [HOSTDOCTOR]; needs root (the baseline reads every process's fds).
set -eu
HD=${1:-${HOSTDOCTOR:-build/hostdoctor}}
HD=$(readlink -f "$HD")
HELPERS=${HD_HELPERS:-$(dirname "$HD")/tests/helpers}
EXTRA=${EXTRA:-500}
RECORDS=${RECORDS:-100000}
RUNS=${RUNS:-7}
W=$(mktemp -d /tmp/hostdoctor-bench.XXXXXX)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$W"' EXIT

# median wall time (ms) of RUNS runs of CMD...
median_ms() {
	local t=() i s e
	for i in $(seq "$RUNS"); do
		s=$EPOCHREALTIME
		"$@" >/dev/null 2>&1 || true
		e=$EPOCHREALTIME
		t+=("$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", (e - s) * 1000 }')")
	done
	printf '%s\n' "${t[@]}" | sort -g | sed -n "$(((RUNS + 1) / 2))p"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cp /bin/sleep "$W/benchd"
for i in $(seq "$EXTRA"); do setsid "$W/benchd" 600 </dev/null >/dev/null 2>&1 & PIDS+=($!); done
sleep 2
mkdir -p "$W/checks.d"
cat >"$W/checks.d/b.conf" <<EOF2
[b]
probe = baseline
state_dir = $W/state

[l]
probe = logins
state_dir = $W/state
EOF2
"$HD" baseline save --state-dir "$W/state" --min-age 1 >/dev/null
hd=$(median_ms "$HD" nagios -d "$W/checks.d" b)
by_hand=$(median_ms sh -c 'ps aux; ss -ltnup')
echo "baseline check, $(ls /proc | grep -c '^[0-9]') processes: hostdoctor ${hd} ms, ps aux + ss -ltnup ${by_hand} ms, ratio $(ratio "$hd" "$by_hand")"

mkdir -p "$W/root/var/log"
: >"$W/root/var/log/wtmp"
now=$(date +%s)
awk -v n="$RECORDS" -v now="$now" 'BEGIN { for (i = 0; i < n; i++) printf "login user%d pts/%d 10.0.%d.%d %d\n", i % 50, i % 20, (i / 250) % 250, i % 250, now - n + i }' |
	"$HELPERS/hdt_utmp" "$W/root/var/log/wtmp"
"$HD" nagios -d "$W/checks.d" -r "$W/root" l >/dev/null || true # first run: learn
hd=$(median_ms "$HD" nagios -d "$W/checks.d" -r "$W/root" l)
last_t=$(median_ms last -f "$W/root/var/log/wtmp")
echo "logins check, wtmp of $RECORDS records ($(stat -c %s "$W/root/var/log/wtmp") bytes): hostdoctor ${hd} ms, last -f ${last_t} ms, ratio $(ratio "$hd" "$last_t")"
