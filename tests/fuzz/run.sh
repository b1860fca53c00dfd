#!/bin/bash
# Run libFuzzer harnesses one after the other, each from its seed corpus (tests/fuzz/corpus/NAME)
# with its dictionary (NAME.dict) and options (NAME.options: libFuzzer flags, one a line, and
# ASAN_OPTIONS+=... for the sanitizer), on one CPU (-jobs=1 is implied).
#   run.sh [--seconds N | --runs N] [--seed N] [--work DIR] [--fresh] [--keep-going] HARNESS...
# --seed fixes libFuzzer's random seed (the ctest smoke uses one, so a run there is repeatable).
# New inputs go to WORK/NAME/corpus (the tree's seeds are only read), crashes to WORK/NAME/.
# Fails at the first harness that finds a crash, a leak, a timeout or an out-of-memory (with
# --keep-going: after all of them), and prints the input that did it. One line per harness is appended to WORK/summary.txt.
set -u
here=$(cd "$(dirname "$0")" && pwd)
limit=(-max_total_time=10)
work=${TMPDIR:-/tmp}/hostdoctor-fuzz
seed=()
fresh=0
keep_going=0
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) limit=(-max_total_time="$2"); shift 2 ;;
	--runs) limit=(-runs="$2"); shift 2 ;;
	--seed) seed=(-seed="$2"); shift 2 ;;
	--work) work=$2; shift 2 ;;
	--fresh) fresh=1; shift ;;
	--keep-going) keep_going=1; shift ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: run.sh [--seconds N|--runs N] [--work DIR] [--fresh] HARNESS..." >&2; exit 2; }
mkdir -p "$work"

# Leaks are failures; a harness never forks, so the default LSan set-up works.
# An allocation above 1 GiB fails (NULL) as it does in a check's child under its memory limit
# (RLIMIT_AS, core/runner.c): what a library makes of the failure is fuzzed, not the limit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:max_allocation_size_mb=1024:handle_abort=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#fuzz_}
	dir=$work/$name
	[ "$fresh" = 1 ] && rm -rf "$dir"
	mkdir -p "$dir/corpus"
	args=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1
		-artifact_prefix="$dir/" "${limit[@]}" "${seed[@]}")
	[ -f "$here/$name.dict" ] && args+=(-dict="$here/$name.dict")
	asan=$ASAN_OPTIONS
	if [ -f "$here/$name.options" ]; then
		while read -r opt; do
			case $opt in
			'' | '#'*) ;;
			ASAN_OPTIONS+=*) asan=$asan:${opt#ASAN_OPTIONS+=} ;;
			*) args+=("$opt") ;;
			esac
		done <"$here/$name.options"
	fi
	seeds=()
	[ -d "$here/corpus/$name" ] && seeds=("$here/corpus/$name")
	start=$(date +%s)
	ASAN_OPTIONS=$asan "$bin" "${args[@]}" "$dir/corpus" "${seeds[@]}" >"$dir.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$dir.log" | tail -1 | cut -d' ' -f2)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$dir.log" | tail -1)
	if [ $rc -ne 0 ]; then
		echo "FAIL $name: libFuzzer exit status $rc after ${runs:-?} runs ($dir.log)"
		grep -E 'ERROR: |SUMMARY: |Test unit written|==[0-9]+== ?ERROR|runtime error' "$dir.log" | head -20
		# the input itself, so a failure seen only in a log can be replayed: base64 -d >IN; HARNESS IN
		for unit in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*; do
			[ -f "$unit" ] || continue
			echo "input $(basename "$unit") ($(stat -c %s "$unit") bytes, base64):"
			head -c 4096 "$unit" | base64 -w 76
		done
		echo "FAIL $name ${runs:-?} runs ${secs}s status $rc" >>"$work/summary.txt"
		status=1
		[ $keep_going = 1 ] || break
		continue
	fi
	printf '%-20s %10s runs in %5s s, %5s edges, peak RSS %5s MB: no crash, leak, timeout or OOM\n' \
		"$name" "${runs:-?}" "$secs" "${cov:-?}" "${rss:-?}" | tee -a "$work/summary.txt"
done
exit $status
