#!/bin/sh
# run_fuzz.sh BUILDDIR SECONDS [TARGET...] — run the libFuzzer targets of a
# build configured with --enable-fuzz, each for SECONDS, one after the
# other (`make fuzz`, `make fuzz-quick` and run_quick.sh call it).
#
#   seeds      BUILDDIR/tests/fuzz/seeds/     rebuilt each run (make_seeds.sh)
#   corpus     BUILDDIR/tests/fuzz/corpus/T/  kept: later runs go on from it
#   crashes    BUILDDIR/tests/fuzz/crashes/   T-crash-…, T-leak-…, T-timeout-…
#   logs       BUILDDIR/tests/fuzz/logs/T.log
#   summary    BUILDDIR/tests/fuzz/summary.txt, one line per target run
#
# FUZZ_RUNS=N stops each target after N executions instead (SECONDS then
# only bounds the run): the way to reach a set number of executions.
# Prints one line per target ("ok T: N executions in S s (R/s)" or "FAIL
# T: …" with the reproducer's path and the sanitizer's report) and exits 1
# when any target crashed, leaked, timed out on an input or did not finish.
# Reproduce a failure with:  BUILDDIR/tests/fuzz/T REPRODUCER
set -u
B=$(cd "$1" && pwd)
SECS=$2
shift 2
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
F=$B/tests/fuzz
TARGETS=${*:-"fuzz_datexpr fuzz_conf fuzz_card fuzz_put fuzz_apply fuzz_wire
fuzz_import_tomsk_order fuzz_import_tomsk_letter fuzz_import_tomsk_page
fuzz_import_tomsk_news fuzz_import_tomsk_cards fuzz_import_chelyabinsk_roadmap"}
# leaks are bugs too; a report must end the run, not scroll by
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

mkdir -p "$F/corpus" "$F/crashes" "$F/logs"
if ! sh "$top_srcdir/tests/fuzz/make_seeds.sh" "$B" "$F/seeds" >"$F/logs/seeds.log" 2>&1; then
	echo "FAIL make_seeds.sh: see $F/logs/seeds.log"
	cat "$F/logs/seeds.log"
	exit 1
fi

fails=0
for t in $TARGETS; do
	case $t in
	fuzz_import_*) seeds=$F/seeds/fuzz_import dict=$top_srcdir/tests/fuzz/dict/import.dict ;;
	*) seeds=$F/seeds/$t dict=$top_srcdir/tests/fuzz/dict/$t.dict ;;
	esac
	[ -f "$dict" ] && dictopt="-dict=$dict" || dictopt=
	log=$F/logs/$t.log
	mkdir -p "$F/corpus/$t"
	if [ ! -x "$F/$t" ]; then
		echo "FAIL $t: $F/$t not built (configure with --enable-fuzz CC=clang-14, then make)"
		fails=$((fails + 1))
		continue
	fi
	before=$(ls "$F/crashes" | wc -l)
	# the target stops itself after SECS; timeout only catches a wedge
	timeout -k 10 $((SECS + 120)) "$F/$t" -max_total_time="$SECS" -timeout=25 \
		${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
		-rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$F/crashes/$t-" \
		$dictopt "$F/corpus/$t" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	line="$t: ${execs:-?} executions in ${secs:-$SECS} s (${rate:-?}/s, ${cov:-cov: ?}, peak RSS ${rss:-?} MB)"
	if [ "$rc" -eq 0 ] && [ "$(ls "$F/crashes" | wc -l)" -eq "$before" ]; then
		echo "ok $line"
		echo "$(date -u +%FT%TZ) ok $line" >>"$F/summary.txt"
		continue
	fi
	fails=$((fails + 1))
	repro=$(ls -t "$F/crashes/$t-"* 2>/dev/null | head -1)
	[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && why="did not finish (killed by timeout)" || why="exit $rc"
	echo "FAIL $line: $why"
	echo "$(date -u +%FT%TZ) FAIL $line: $why ${repro:-}" >>"$F/summary.txt"
	if [ -n "$repro" ]; then
		echo "   reproducer: $repro"
		echo "   reproduce:  $F/$t $repro"
	fi
	echo "   log: $log"
	grep -E -A 25 '^==[0-9]+==ERROR|runtime error|^==[0-9]+== ERROR|deadly signal|ALARM' "$log" |
		head -40 | sed 's/^/   | /'
done
[ "$fails" -eq 0 ]
