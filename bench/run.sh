# Benchmarks: runs every bench/bench_*.sh against the hostdoctor binary given (make bench).
# Usage: bash bench/run.sh build/hostdoctor
set -u
HOSTDOCTOR=$(realpath "${1:?usage: bench/run.sh PATH/TO/hostdoctor}")
export HOSTDOCTOR
export HD_HELPERS="${HD_HELPERS:-$(dirname "$HOSTDOCTOR")/tests/helpers}"
rc=0
for b in "$(dirname "$0")"/bench_*.sh; do
	echo "== $(basename "$b" .sh)"
	bash "$b" || rc=1
done
exit $rc
