#!/bin/bash
# log-scan bench: the eight categories and the whole catalogue in one pass over a 1 GiB log, on
# one CPU and on two, against one `grep -c -i -E` of a single category; the same over 1 million
# journal entries against `journalctl -o cat | grep -c -i -E`; the cost of a re-run after 1 MiB
# more, for a file and for the journal. Ratios from one run; counts checked against grep's.
# Usage: bench/bench_logscan.sh [HOSTDOCTOR]
#   SIZE_MB=1024        size of the log
#   JOURNAL_ENTRIES=1000000  entries of the journal (0: no journal part)
#   RUNS=3              timed runs of each command (the best is kept)
#   CORPUS=DIR          sample logs (*.log) the log is made of; default ../shared/corpus/loghub
#                       beside the checkout, else synthetic syslog lines
# Everything lives under /tmp and is removed at the end.
set -eu
HD=${1:-${HOSTDOCTOR:-build/hostdoctor}}
HD=$(readlink -f "$HD")
HERE=$(cd "$(dirname "$0")" && pwd)
SIZE_MB=${SIZE_MB:-1024}
JOURNAL_ENTRIES=${JOURNAL_ENTRIES:-1000000}
RUNS=${RUNS:-3}
CORPUS=${CORPUS:-$HERE/../../shared/corpus/loghub}
W=$(mktemp -d /tmp/hostdoctor-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
LOG=$W/big.log
WORDS='warning|err|abort' # the errors category
CPUS=$(nproc)

# --- the log: sample lines repeated up to SIZE_MB
if ls "$CORPUS"/*.log >/dev/null 2>&1; then
	cat "$CORPUS"/*.log >"$W/seed"
	src="samples from $(basename "$CORPUS") ($(wc -l <"$W/seed") lines)"
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
sed -i '$d' "$LOG" # end on a whole line
bytes=$(stat -c %s "$LOG")
head -c $((1 << 20)) "$LOG" | sed '$d' >"$W/one.mb"

mkdir -p "$W/checks.d" "$W/root/var/lib"
cat >"$W/checks.d/bench.conf" <<EOF
[bench]
probe = log-scan
path = $LOG
state_dir = $W/state
from = start
timeout = 3600

[bench1]
probe = log-scan
path = $W/one.mb
state_dir = $W/state
from = start

[jbench]
probe = log-scan
journal = yes
state_dir = /state
from = start
timeout = 3600
EOF
nentries=$(cat "$HERE"/../catalog/*.conf | grep -c '^\[')

# best RUNS wall-clock seconds of a command (the machine may be shared)
best() {
	local n=$1 b= t s e
	shift
	for ((k = 0; k < n; k++)); do
		s=$(date +%s.%N)
		"$@" >"$W/out" 2>&1 || true # not /dev/null: grep stops at the first match then
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f", e - s }')
		if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
	done
	echo "$b"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mibs() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%d", b / 1048576 / t }'; }
# a fresh state (the reader's position) for each timed run; the compiled database is kept
scan() { rm -f "$W/state"/log-scan.*; "$HD" nagios -t 3600 -d "$W/checks.d" "$@"; }
scan_cpu0() { taskset -c 0 bash -c "rm -f '$W/state'/log-scan.*; '$HD' nagios -t 3600 -d '$W/checks.d' bench"; }
grep_cpu0() { taskset -c 0 grep -c -i -E "$WORDS" "$LOG"; }

echo "log-scan bench: $((bytes >> 20)) MiB of $src, $nentries catalogue entries, $CPUS CPUs"
# the database is compiled once, then reused from the state directory
t_compile=$(best 1 scan bench1)
echo "  first run (compiles the vectorscan database of the categories and catalogue): ${t_compile}s"
cat "$LOG" >/dev/null # warm the page cache for both sides
t_grep=$(best "$RUNS" grep_cpu0)
t_one=$(best "$RUNS" scan_cpu0)
t_two=$(best "$RUNS" scan bench)
grep_count=$(grep -c -i -E "$WORDS" "$LOG" || true)
out=$(scan bench || true)
scan_count=$(sed -n "s/.*'errors'=\([0-9]*\).*/\1/p" <<<"$out")
catalogued=$(sed -n "s/.*'catalog'=\([0-9]*\).*/\1/p" <<<"$out")
echo "  grep -c -i -E '$WORDS' (one category):      ${t_grep}s ($(mibs "$bytes" "$t_grep") MiB/s), $grep_count lines"
echo "  log-scan, 8 categories + catalogue, 1 CPU:         ${t_one}s ($(mibs "$bytes" "$t_one") MiB/s), errors = $scan_count, $catalogued catalogued"
echo "  log-scan, 8 categories + catalogue, $CPUS CPUs:        ${t_two}s ($(mibs "$bytes" "$t_two") MiB/s)"
echo "  RATIO file 1 CPU: grep / log-scan = $(ratio "$t_grep" "$t_one") (goal >= 1)"
echo "  RATIO file $CPUS CPUs: grep / log-scan = $(ratio "$t_grep" "$t_two") (goal >= 1.5)"
[ "$grep_count" = "$scan_count" ] && echo "  COUNTS AGREE (file): $grep_count" || echo "  COUNTS DIFFER (file): grep $grep_count, log-scan $scan_count"

# --- a re-run after 1 MiB more, against a first scan of a 1 MiB file
rm -f "$W/state"/log-scan.*
"$HD" nagios -t 3600 -d "$W/checks.d" bench >/dev/null 2>&1 || true
rescan() { "$HD" nagios -t 3600 -d "$W/checks.d" bench; }
t_append=1e9
for k in 1 2 3 4 5; do
	cat "$W/one.mb" >>"$LOG" # appending is not timed
	t=$(best 1 rescan)
	awk -v t="$t" -v b="$t_append" 'BEGIN { exit !(t < b) }' && t_append=$t
done
t_small=$(best 5 scan bench1)
echo "  re-run after 1 MiB more: ${t_append}s; first scan of a 1 MiB file: ${t_small}s"
echo "  RATIO file re-run / 1 MiB = $(ratio "$t_append" "$t_small") (goal about 1)"

[ "$JOURNAL_ENTRIES" -gt 0 ] || exit 0

# --- the journal: JOURNAL_ENTRIES entries whose messages are the log's lines
JR=/lib/systemd/systemd-journal-remote
[ -x "$JR" ] || JR=/usr/lib/systemd/systemd-journal-remote
JD=$W/root/var/log/journal/0123456789abcdef0123456789abcdef
mkdir -p "$JD" "$W/root/state"
# export FIRST N: N entries in the journal's export format, messages from the seed lines
export_entries() {
	python3 - "$W/seed" "$1" "$2" <<'PY'
import sys
seed = [l.rstrip(b"\n") for l in open(sys.argv[1], "rb")]
first, n = int(sys.argv[2]), int(sys.argv[3])
out = sys.stdout.buffer
w = out.write
for i in range(first, first + n):
    w(b"__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=11111111111111111111111111111111\n"
      b"_HOSTNAME=gw\n_PID=42\n_SYSTEMD_UNIT=app.service\nSYSLOG_IDENTIFIER=app\nPRIORITY=6\nMESSAGE=%s\n\n"
      % (1700000000000000 + i * 1000, 1000000 + i * 1000, seed[i % len(seed)]))
PY
}
t0=$(date +%s.%N)
export_entries 0 "$JOURNAL_ENTRIES" | "$JR" --output="$JD/x.journal" - 2>/dev/null
t1=$(date +%s.%N)
jbytes=$(du -sb "$JD" | cut -f1)
echo "journal bench: $JOURNAL_ENTRIES entries ($((jbytes >> 20)) MiB of journal files, made in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s)"
jscan() { rm -f "$W/root/state"/log-scan.*; "$HD" nagios -t 3600 -r "$W/root" -d "$W/checks.d" jbench; }
jscan_cpu0() { taskset -c 0 bash -c "rm -f '$W/root/state'/log-scan.*; '$HD' nagios -t 3600 -r '$W/root' -d '$W/checks.d' jbench"; }
jgrep() { journalctl -D "$JD" -o cat | grep -c -i -E "$WORDS"; }
jscan >/dev/null 2>&1 || true # warm: compiled database, page cache
jgrep >/dev/null
t_jgrep=$(best "$RUNS" jgrep)
t_jone=$(best "$RUNS" jscan_cpu0)
t_jtwo=$(best "$RUNS" jscan)
jgrep_count=$(jgrep || true)
out=$(jscan || true)
jscan_count=$(sed -n "s/.*'errors'=\([0-9]*\).*/\1/p" <<<"$out")
jlines=$(sed -n "s/.*'lines'=\([0-9]*\).*/\1/p" <<<"$out")
echo "  journalctl -o cat | grep -c -i -E '$WORDS':     ${t_jgrep}s, $jgrep_count lines"
echo "  log-scan journal = yes, 1 CPU:                     ${t_jone}s, errors = $jscan_count of $jlines entries"
echo "  log-scan journal = yes, $CPUS CPUs:                    ${t_jtwo}s"
echo "  RATIO journal 1 CPU: journalctl|grep / log-scan = $(ratio "$t_jgrep" "$t_jone") (goal >= 1)"
echo "  RATIO journal $CPUS CPUs: journalctl|grep / log-scan = $(ratio "$t_jgrep" "$t_jtwo")"
[ "$jgrep_count" = "$jscan_count" ] && echo "  COUNTS AGREE (journal): $jgrep_count" || echo "  COUNTS DIFFER (journal): grep $jgrep_count, log-scan $jscan_count"

# --- a re-run after 1 MiB more entries, against a first scan of a journal of 1 MiB of entries
per=$(awk -v b="$(stat -c %s "$W/seed")" -v l="$(wc -l <"$W/seed")" 'BEGIN { printf "%d", 1048576 / (b / l) }')
rm -f "$W/root/state"/log-scan.*
"$HD" nagios -t 3600 -r "$W/root" -d "$W/checks.d" jbench >/dev/null 2>&1 || true
next=$JOURNAL_ENTRIES
jappend() {
	export_entries "$next" "$per" | "$JR" --output="$JD/x.journal" - 2>/dev/null
	next=$((next + per))
}
jrescan() { "$HD" nagios -t 3600 -r "$W/root" -d "$W/checks.d" jbench; }
t_jappend=1e9
for k in 1 2 3 4 5; do
	jappend # appending is not timed
	t=$(best 1 jrescan)
	awk -v t="$t" -v b="$t_jappend" 'BEGIN { exit !(t < b) }' && t_jappend=$t
done
mkdir -p "$W/root1/var/log/journal/0123456789abcdef0123456789abcdef" "$W/root1/state"
export_entries 0 "$per" | "$JR" --output="$W/root1/var/log/journal/0123456789abcdef0123456789abcdef/x.journal" - 2>/dev/null
cp "$W/root/state"/matcher-* "$W/root1/state/" # the compiled database, as a re-run has it
jsmall() { rm -f "$W/root1/state"/log-scan.*; "$HD" nagios -t 3600 -r "$W/root1" -d "$W/checks.d" jbench; }
t_jsmall=$(best 5 jsmall)
echo "  re-run after $per more entries (1 MiB): ${t_jappend}s; first scan of a journal of $per entries: ${t_jsmall}s"
echo "  RATIO journal re-run / 1 MiB = $(ratio "$t_jappend" "$t_jsmall") (goal about 1)"
