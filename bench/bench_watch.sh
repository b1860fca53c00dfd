#!/bin/bash
# watch bench: the CPU hostdoctor watch takes to follow log files written at 10,000 lines a
# second with no catalogued line, against an idle `tail -F` of the same files run beside it (and
# for the journal, against `journalctl -f` of the same journal); the wakeups of both while nothing
# is written; the memory of watch over a soak with a catalogued line now and then (its checks run,
# evidence is kept, the store stays at its bound): it must stay flat. One run; the writer is
# tests/helpers/hdt_logwriter (one write(2) per line, as a daemon that does not buffer its log).
# Usage: bench/bench_watch.sh [--soak SECONDS] [HOSTDOCTOR]
#   --soak SECONDS      length of the soak (default 86400: a day; the test suite runs a short one)
#   RATE=10000          lines a second
#   FILES=2             log files, written in turns
#   CPU_SECONDS=60      the timed part of the file phase
#   IDLE_SECONDS=10     the quiet part
#   JOURNAL_SECONDS=30  the journal phase (0: none)
#   MATCH_EVERY=30      seconds between two catalogued lines during the soak (no hold-off: each
#                       one runs the checks of its cause and leaves a report)
#   SAMPLES=100         memory samples over the soak
#   EVIDENCE_MAX=256K   the evidence store's bound during the soak
# Everything lives under /tmp and is removed at the end.
set -eu
SOAK=${SOAK:-86400}
while [ $# -gt 0 ]; do
	case $1 in
	--soak) SOAK=$2; shift 2 ;;
	--soak=*) SOAK=${1#--soak=}; shift ;;
	*) break ;;
	esac
done
HD=${1:-${HOSTDOCTOR:-build/hostdoctor}}
HD=$(readlink -f "$HD")
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$HERE/..
HELPERS=${HD_HELPERS:-$(dirname "$HD")/tests/helpers}
WRITER=$HELPERS/hdt_logwriter
RATE=${RATE:-10000}
FILES=${FILES:-2}
CPU_SECONDS=${CPU_SECONDS:-60}
IDLE_SECONDS=${IDLE_SECONDS:-10}
JOURNAL_SECONDS=${JOURNAL_SECONDS:-30}
MATCH_EVERY=${MATCH_EVERY:-30}
SAMPLES=${SAMPLES:-100}
EVIDENCE_MAX=${EVIDENCE_MAX:-256K}
JR=/lib/systemd/systemd-journal-remote
[ -x "$JR" ] || JR=/usr/lib/systemd/systemd-journal-remote
W=$(mktemp -d /tmp/hostdoctor-bench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
[ -x "$WRITER" ] || { echo "no $WRITER: build the tests' helpers (cmake --build build)"; exit 1; }

cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
wakeups() { awk '/^(non)?voluntary_ctxt_switches/ {n += $2} END {print n}' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
pct() { awk -v ns="$1" -v s="$2" 'BEGIN {printf "%.2f", ns / (s * 1e9) * 100}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "inf"}'; }
textfile_lines() { sed -n 's/^hostdoctor_watch_lines_total //p' "$1" 2>/dev/null; }
wait_lines() { # wait_lines TEXTFILE N: until watch says it read N lines (at most 20 s)
	local i
	for i in $(seq 200); do [ "$(textfile_lines "$1")" = "$2" ] && return 0; sleep 0.1; done
	return 1
}
wait_ready() {
	local i
	for i in $(seq 300); do grep -qs "ready: " "$1" && return 0; sleep 0.1; done
	echo "watch did not start:"; cat "$1"; exit 1
}

echo "  machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
echo "  $RATE lines/s into $FILES files; timed ${CPU_SECONDS} s; soak ${SOAK} s"

# ---- files: the gateway's checks and a log-scan check of the files ----
mkdir -p "$W/checks.d" "$W/state" "$W/logs"
cp "$SRC/checks.d/50-fsigk.conf" "$W/checks.d/"
cat >"$W/checks.d/90-bench.conf" <<EOF
[bench-log]
probe     = log-scan
path      = $W/logs/*.log
state_dir = $W/state
catalog   = $SRC/catalog
EOF
LOGS=()
for i in $(seq "$FILES"); do LOGS+=("$W/logs/app$i.log"); : >"$W/logs/app$i.log"; done
# no hold-off: every catalogued line of the soak runs the checks and leaves a report
"$HD" watch -d "$W/checks.d" --state-dir "$W/state" --textfile "$W/w.prom" --evidence-max "$EVIDENCE_MAX" \
	--hold-off 0 2>"$W/watch.log" &
WP=$!
PIDS+=("$WP")
wait_ready "$W/watch.log"
tail -q -n 0 -F "${LOGS[@]}" >/dev/null 2>&1 &
TP=$!
PIDS+=("$TP")
sleep 1

# quiet: both should sleep in the kernel
w0=$(wakeups "$WP") t0=$(wakeups "$TP") wc0=$(cpu_ns "$WP") tc0=$(cpu_ns "$TP")
sleep "$IDLE_SECONDS"
echo "  idle ${IDLE_SECONDS} s: watch $(($(wakeups "$WP") - w0)) wakeups, $(($(cpu_ns "$WP") - wc0)) ns CPU; tail -F $(($(wakeups "$TP") - t0)) wakeups, $(($(cpu_ns "$TP") - tc0)) ns CPU"
echo "  IDLE WAKEUPS (watch) = $(($(wakeups "$WP") - w0))"

# loaded: RATE lines a second, none catalogued; the middle of the run is timed
before=$(textfile_lines "$W/w.prom")
"$WRITER" --rate "$RATE" --seconds $((CPU_SECONDS + 4)) "${LOGS[@]}" 2>"$W/writer.out" &
GP=$!
PIDS+=("$GP")
sleep 2
wc0=$(cpu_ns "$WP") tc0=$(cpu_ns "$TP") ww0=$(wakeups "$WP") tw0=$(wakeups "$TP")
rss0=$(rss_kb "$WP")
s0=$(date +%s.%N)
sleep "$CPU_SECONDS"
wc1=$(cpu_ns "$WP") tc1=$(cpu_ns "$TP") ww1=$(wakeups "$WP") tw1=$(wakeups "$TP")
s1=$(date +%s.%N)
wait "$GP"
el=$(awk -v a="$s0" -v b="$s1" 'BEGIN {print b - a}')
written=$(sed -n 's/^wrote \([0-9]*\) lines.*/\1/p' "$W/writer.out")
if wait_lines "$W/w.prom" $((before + written)); then
	echo "  COUNTS AGREE (file): $written lines written, $written read"
else
	echo "  COUNTS DIFFER (file): $written written, $(( $(textfile_lines "$W/w.prom") - before )) read"
fi
echo "  watch:   $(pct $((wc1 - wc0)) "$el")% of one CPU, $(( (ww1 - ww0) )) wakeups, RSS $(rss_kb "$WP") KiB"
echo "  tail -F: $(pct $((tc1 - tc0)) "$el")% of one CPU, $(( (tw1 - tw0) )) wakeups, RSS $(rss_kb "$TP") KiB"
echo "  CPU (watch, $RATE lines/s, files) = $(pct $((wc1 - wc0)) "$el")% of one CPU"
echo "  RATIO (CPU, watch / tail -F, files) = $(ratio $((wc1 - wc0)) $((tc1 - tc0)))"

# soak: the same rate with a catalogued line every MATCH_EVERY s; memory sampled
MATCH="CRITICAL [http:main.c:1289] bind=Address already in use(98) (addr=0.0.0.0, port=9080). # Please check whether other service(mail/web server,etc...) is already running on port 9080."
before=$(textfile_lines "$W/w.prom")
"$WRITER" --rate "$RATE" --seconds "$SOAK" --match-every "$MATCH_EVERY" --match "$MATCH" "${LOGS[@]}" \
	2>"$W/writer.out" &
GP=$!
PIDS+=("$GP")
step=$(awk -v s="$SOAK" -v n="$SAMPLES" 'BEGIN {v = s / n; if (v < 0.5) v = 0.5; print v}')
: >"$W/rss"
while kill -0 "$GP" 2>/dev/null; do
	echo "$(rss_kb "$WP") $(rss_kb "$TP")" >>"$W/rss"
	sleep "$step"
done
wait "$GP"
written=$(sed -n 's/^wrote \([0-9]*\) lines, \([0-9]*\) matches/\1/p' "$W/writer.out")
matches=$(sed -n 's/^wrote [0-9]* lines, \([0-9]*\) matches/\1/p' "$W/writer.out")
if wait_lines "$W/w.prom" $((before + written)); then
	echo "  COUNTS AGREE (soak): $written lines, $matches catalogued"
else
	echo "  COUNTS DIFFER (soak): $written written, $(( $(textfile_lines "$W/w.prom") - before )) read"
fi
runs=$(sed -n 's/^hostdoctor_watch_checks_runs_total{entry="fsigk-bind-address-in-use",product="fsigk"} //p' "$W/w.prom")
echo "  soak: ${runs:-0} runs of the checks, $(ls "$W/state/evidence" | wc -l) reports kept ($(($(cat "$W/state/evidence/"*.json 2>/dev/null | wc -c) / 1024)) KiB; bound $EVIDENCE_MAX)"
# flat: the largest RSS of the last quarter against that of the second (the first is warm-up)
awk -v n="$(wc -l <"$W/rss")" '
	{ r[NR] = $1; t[NR] = $2 }
	END {
		q = int(n / 4); if (q < 1) q = 1
		for (i = q + 1; i <= 2 * q && i <= n; i++) if (r[i] > a) a = r[i]
		for (i = n - q + 1; i <= n; i++) if (r[i] > b) b = r[i]
		for (i = 1; i <= n; i++) { if (r[i] > m) m = r[i]; if (t[i] > tm) tm = t[i] }
		printf "  memory (watch): %d samples, RSS first %d KiB, after warm-up %d KiB, at the end %d KiB, at most %d KiB; tail -F at most %d KiB\n", n, r[1], a, b, m, tm
		printf "  MEMORY GROWTH (watch, soak) = %d KiB\n", b - a
		printf "  RATIO (RSS, watch / tail -F) = %.2f\n", (tm > 0 ? m / tm : 0)
		if (b - a <= 256) print "  MEMORY FLAT"; else print "  MEMORY GROWS"
	}' "$W/rss"
kill -TERM "$WP" "$TP"
wait "$WP" "$TP" 2>/dev/null || true

# ---- the journal: written through systemd-journal-remote, read by watch and journalctl -f ----
if [ "$JOURNAL_SECONDS" -gt 0 ] && [ -x "$JR" ]; then
	J=$W/jroot
	mkdir -p "$J/var/log/journal" "$W/jchecks.d"
	cat >"$W/jchecks.d/90-bench.conf" <<EOF
[bench-journal]
probe     = log-scan
journal   = yes
state_dir = /state
catalog   = $SRC/catalog
EOF
	"$WRITER" --rate 10 --seconds 0.2 --export 2>/dev/null | "$JR" --output="$J/var/log/journal/b.journal" - 2>/dev/null
	"$HD" watch -r "$J" -d "$W/jchecks.d" --state-dir "$W/jstate" --textfile "$W/j.prom" 2>"$W/jwatch.log" &
	WP=$!
	PIDS+=("$WP")
	wait_ready "$W/jwatch.log"
	journalctl -q -f -n 0 -o cat -D "$J/var/log/journal" >/dev/null 2>&1 &
	TP=$!
	PIDS+=("$TP")
	sleep 1
	before=$(textfile_lines "$W/j.prom")
	("$WRITER" --rate "$RATE" --seconds $((JOURNAL_SECONDS + 4)) --export 2>"$W/writer.out" |
		"$JR" --output="$J/var/log/journal/b.journal" - 2>/dev/null) &
	GP=$!
	PIDS+=("$GP")
	sleep 2
	wc0=$(cpu_ns "$WP") tc0=$(cpu_ns "$TP")
	s0=$(date +%s.%N)
	sleep "$JOURNAL_SECONDS"
	wc1=$(cpu_ns "$WP") tc1=$(cpu_ns "$TP")
	s1=$(date +%s.%N)
	wait "$GP"
	el=$(awk -v a="$s0" -v b="$s1" 'BEGIN {print b - a}')
	written=$(sed -n 's/^wrote \([0-9]*\) lines.*/\1/p' "$W/writer.out")
	if wait_lines "$W/j.prom" $((before + written)); then
		echo "  COUNTS AGREE (journal): $written entries written, $written read"
	else
		echo "  COUNTS DIFFER (journal): $written written, $(( $(textfile_lines "$W/j.prom") - before )) read"
	fi
	echo "  watch:         $(pct $((wc1 - wc0)) "$el")% of one CPU, RSS $(rss_kb "$WP") KiB"
	echo "  journalctl -f: $(pct $((tc1 - tc0)) "$el")% of one CPU, RSS $(rss_kb "$TP") KiB"
	echo "  CPU (watch, $RATE entries/s, journal) = $(pct $((wc1 - wc0)) "$el")% of one CPU"
	echo "  RATIO (CPU, watch / journalctl -f, journal) = $(ratio $((wc1 - wc0)) $((tc1 - tc0)))"
fi
