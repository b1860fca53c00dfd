# A small run of the log-scan bench (make bench runs the full one, 1 GiB and 1 million journal
# entries): the script works, and its counts agree with grep's and journalctl's. No timing is
# judged here; the ratios are the bench's business.
. "$(dirname "$0")/lib.sh"

if [ ! -x /lib/systemd/systemd-journal-remote ] && [ ! -x /usr/lib/systemd/systemd-journal-remote ]; then
	not_ok "systemd-journal-remote missing (make deps installs it)"
	finish
fi
run env SIZE_MB=8 JOURNAL_ENTRIES=3000 RUNS=1 bash "$HD_SRC/bench/bench_logscan.sh" "$HOSTDOCTOR"
expect_rc "bench runs" 0
expect_out "file counts agree with grep" '^  COUNTS AGREE \(file\): [0-9]+$'
expect_out "journal counts agree with journalctl | grep" '^  COUNTS AGREE \(journal\): [0-9]+$'
for r in "file 1 CPU" "file 2 CPUs|file 1 CPUs" "file re-run" "journal 1 CPU" "journal re-run"; do
	expect_out "a ratio for $r" "RATIO ($r)[^=]*= [0-9]+\.[0-9]+"
done
finish
