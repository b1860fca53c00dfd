# A short run of the watch bench (make bench runs the full one: a minute timed, a day of soak):
# watch sleeps while nothing is written, reads every line written at 10,000 lines a second to
# files and to the journal, and its memory stays flat over a soak in which catalogued lines run
# their checks and the evidence store sits at its bound. No timing is judged here; the CPU
# ratios are the bench's business.
. "$(dirname "$0")/lib.sh"
run env CPU_SECONDS=4 IDLE_SECONDS=2 JOURNAL_SECONDS=3 MATCH_EVERY=1 SAMPLES=40 EVIDENCE_MAX=64K \
	HD_HELPERS="$HD_HELPERS" bash "$HD_SRC/bench/bench_watch.sh" --soak 24 "$HOSTDOCTOR"
expect_rc "bench runs" 0
expect_out "idle: no wakeup" '^  IDLE WAKEUPS \(watch\) = 0$'
expect_out "files: every line read" '^  COUNTS AGREE \(file\): '
expect_out "soak: every line read" '^  COUNTS AGREE \(soak\): '
expect_out "soak: the checks ran" 'soak: ([2-9]|[1-9][0-9]+) runs of the checks'
expect_out "soak: memory flat" '^  MEMORY FLAT$'
expect_out "soak: the store at its bound" 'reports kept \(([0-9]|[1-5][0-9]|6[0-4]) KiB; bound 64K\)'
expect_out "a CPU ratio against tail -F" 'RATIO \(CPU, watch / tail -F, files\) = [0-9]+\.[0-9]+'
if [ -x /lib/systemd/systemd-journal-remote ] || [ -x /usr/lib/systemd/systemd-journal-remote ]; then
	expect_out "journal: every entry read" '^  COUNTS AGREE \(journal\): '
	expect_out "a CPU ratio against journalctl -f" 'RATIO \(CPU, watch / journalctl -f, journal\) = [0-9]+\.[0-9]+'
fi
printf '%s\n' "$OUT" | sed 's/^/# /'
finish
