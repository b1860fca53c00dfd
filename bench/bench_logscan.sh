#!/bin/bash
# log-scan bench: all categories (and the message catalogue) in one pass over a 1 GiB log, against
# one `grep -c -i -E` of a single category; then the cost of a re-run after appending 1 MiB.
# Usage: bench/bench_logscan.sh [HOSTDOCTOR] ; SIZE_MB=1024 by default; CORPUS=DIR of sample logs
# (e.g. loghub's *_2k.log) to build the file from, else synthetic lines are used.
# Prints ratios; the file lives under /tmp and is deleted at the end.
set -eu
HD=${1:-${HOSTDOCTOR:-build/hostdoctor}}
HD=$(readlink -f "$HD")
SIZE_MB=${SIZE_MB:-1024}
CORPUS=${CORPUS:-}
W=$(mktemp -d /tmp/hostdoctor-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
LOG=$W/big.log

# --- the log: sample lines repeated up to SIZE_MB
if [ -n "$CORPUS" ] && ls "$CORPUS"/*.log >/dev/null 2>&1; then
	cat "$CORPUS"/*.log >"$W/seed"
	src="samples from $CORPUS ($(wc -l <"$W/seed") lines)"
else
	for i in $(seq 1 2000); do
		case $((i % 8)) in
		0) echo "Mar 11 02:00:$((i % 60)) gw sshd[$i]: Failed password for invalid user admin from 203.0.113.$((i % 250)) port $((40000 + i)) ssh2" ;;
		1) echo "Mar 11 02:00:$((i % 60)) gw kernel: [$i.000] eth0: link up, 1000 Mbps, full duplex" ;;
		2) echo "Mar 11 02:00:$((i % 60)) gw httpd[$i]: [error] [client 198.51.100.$((i % 250))] File does not exist: /var/www/html/favicon.ico" ;;
		3) echo "Mar 11 02:00:$((i % 60)) gw CRON[$i]: (root) CMD (run-parts /etc/cron.hourly)" ;;
		4) echo "Mar 11 02:00:$((i % 60)) gw postfix/smtpd[$i]: connect from mail.example.com[192.0.2.$((i % 250))]" ;;
		5) echo "Mar 11 02:00:$((i % 60)) gw app[$i]: request $i served in $((i % 97)) ms" ;;
		6) echo "Mar 11 02:00:$((i % 60)) gw systemd[1]: Started Session $i of user root." ;;
		7) echo "Mar 11 02:00:$((i % 60)) gw app[$i]: upstream timed out while reading response header" ;;
		esac
	done >"$W/seed"
	src="synthetic syslog lines"
fi
cp "$W/seed" "$LOG"
while [ "$(stat -c %s "$LOG")" -lt $((SIZE_MB << 20)) ]; do
	cat "$LOG" "$LOG" >"$W/tmp" && mv "$W/tmp" "$LOG"
done
truncate -s $((SIZE_MB << 20)) "$LOG"
# end on a whole line
sed -i '$d' "$LOG"
bytes=$(stat -c %s "$LOG")

mkdir -p "$W/checks.d"
cat >"$W/checks.d/bench.conf" <<EOF
[bench]
probe = log-scan
path = $LOG
state_dir = $W/state
from = start
timeout = 3600
EOF

# best of N wall-clock seconds of a command (the machine may be shared)
best() {
	local n=$1 best= t s e
	shift
	for ((k = 0; k < n; k++)); do
		s=$(date +%s.%N)
		"$@" >"$W/out" 2>&1 || true # not /dev/null: grep stops at the first match then
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
		if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
	done
	echo "$best"
}
fresh_scan() { rm -rf "$W/state"; "$HD" nagios -t 3600 -d "$W/checks.d" bench; }

cat "$LOG" >/dev/null # warm the page cache for both sides
t_grep=$(best 3 grep -c -i -E 'warning|err|abort' "$LOG")
t_scan=$(best 3 fresh_scan)
# the same on one CPU: log-scan lends half of large buffers to a second thread when it can
one_cpu_scan() { taskset -c 0 bash -c "rm -rf '$W/state'; '$HD' nagios -t 3600 -d '$W/checks.d' bench"; }
t_scan1=$(best 3 one_cpu_scan)
grep_count=$(grep -c -i -E 'warning|err|abort' "$LOG" || true)
fresh_scan >/dev/null 2>&1 || true
rm -rf "$W/state"
out=$("$HD" nagios -t 3600 -d "$W/checks.d" bench || true)
scan_count=$(sed -n "s/.*'errors'=\([0-9]*\).*/\1/p" <<<"$out")

# --- incremental: append 1 MiB and re-run, against a fresh scan of a 1 MiB file
head -c $((1 << 20)) "$LOG" | sed '$d' >"$W/one.mb"
append_and_rescan() { cat "$W/one.mb" >>"$LOG"; "$HD" nagios -t 3600 -d "$W/checks.d" bench; }
t_append=$(best 5 append_and_rescan)
cat >"$W/checks.d/bench1.conf" <<EOF
[bench1]
probe = log-scan
path = $W/one.mb
state_dir = $W/state1
from = start
EOF
small_scan() { rm -rf "$W/state1"; "$HD" nagios -d "$W/checks.d" bench1; }
t_small=$(best 5 small_scan)

mbps() { awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%d", b / 1048576 / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "log-scan bench: $((bytes >> 20)) MiB of $src"
echo "  grep -c -i -E 'warning|err|abort' (one category): ${t_grep}s ($(mbps "$t_grep") MiB/s), $grep_count lines"
echo "  log-scan, 8 categories + catalogue in one pass:   ${t_scan}s ($(mbps "$t_scan") MiB/s), errors = $scan_count"
echo "  the same on one CPU (taskset -c 0):              ${t_scan1}s ($(mbps "$t_scan1") MiB/s)"
echo "  ratio log-scan / grep: $(ratio "$t_scan" "$t_grep"); on one CPU: $(ratio "$t_scan1" "$t_grep")"
echo "  re-run after appending 1 MiB: ${t_append}s; fresh scan of a 1 MiB file: ${t_small}s; ratio $(ratio "$t_append" "$t_small")"
[ "$grep_count" = "$scan_count" ] && echo "  counts agree with grep" || echo "  COUNTS DIFFER from grep"
