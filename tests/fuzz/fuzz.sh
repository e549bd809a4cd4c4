#!/bin/sh
# fuzz.sh - replay seed corpora, run libFuzzer targets, probe for clang.
# SPDX-License-Identifier: BSD-2-Clause
#
#   fuzz.sh replay BUILD TARGET...       one "ok fuzz/T: N inputs" or
#                                        "FAIL fuzz/T..." line per target
#   fuzz.sh run FUZZBUILD SECONDS TARGET...
#                                        libFuzzer for SECONDS each; any
#                                        crash, leak, timeout or oom is
#                                        copied into testdata/fuzz/T/
#   fuzz.sh probe CC                     exit 0 if CC links a fuzzer
#
# Environment: FUZZ_TIMEOUT (seconds one input may take, default 25),
# FUZZ_RSS_MB (default 2560), FUZZ_ARGS (more libFuzzer options),
# FUZZ_REPLAY_WRAP (a command the replay runs each target under, split on
# spaces: tests/run.sh sets it to valgrind and its options for VALGRIND=1).
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 2

replay() {
	build=$1
	shift
	failed=0
	for t; do
		bin=$build/fuzz-replay/$t
		dir=testdata/fuzz/$t
		if [ ! -d "$dir" ]; then
			echo "FAIL fuzz/$t: no seed corpus $dir"
			failed=1
			continue
		fi
		log=$(mktemp "${TMPDIR:-/tmp}/fuzz-replay.XXXXXX")
		# A hang fails the replay instead of stopping make check.
		# shellcheck disable=SC2086
		if command -v timeout >/dev/null 2>&1; then
			timeout "${FUZZ_REPLAY_TIMEOUT:-600}" \
			    ${FUZZ_REPLAY_WRAP:-} "$bin" "$dir" >"$log" 2>&1
		else
			${FUZZ_REPLAY_WRAP:-} "$bin" "$dir" >"$log" 2>&1
		fi
		status=$?
		if [ $status = 0 ] && grep -q "^ok fuzz/$t: " "$log"; then
			grep "^ok fuzz/$t: " "$log"
		else
			sed 's/^/  /' "$log" | tail -n 40
			echo "FAIL fuzz/$t: replay exited with status $status"
			failed=1
		fi
		rm -f "$log"
	done
	return $failed
}

probe() {
	cc=$1
	dir=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-probe.XXXXXX") || return 1
	cat >"$dir/p.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; return (int)(n & 0); }
EOF
	"$cc" -fsanitize=fuzzer,address,undefined -o "$dir/p" "$dir/p.c" \
	    >/dev/null 2>&1 && "$dir/p" -runs=1 >/dev/null 2>&1
	status=$?
	rm -rf "$dir"
	return $status
}

# The number after "name:" in libFuzzer's final stats, or "?".
stat() {
	v=$(sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1)
	echo "${v:-?}"
}

run() {
	build=$1
	seconds=$2
	shift 2
	failed=0
	for t; do
		bin=$build/fuzz/$t
		corpus=$build/corpus/$t
		art=$build/artifacts/$t
		log=$build/logs/$t.log
		mkdir -p "$corpus" "$art" "$build/logs" "testdata/fuzz/$t"
		rm -f "$art"/crash-* "$art"/leak-* "$art"/timeout-* \
		    "$art"/oom-*
		dict=
		if [ -f "tests/fuzz/$t.dict" ]; then
			dict=-dict=tests/fuzz/$t.dict
		fi
		# New inputs go to the first directory (build-fuzz/corpus),
		# never into the committed seeds.
		# shellcheck disable=SC2086
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
		    "$bin" -max_total_time="$seconds" \
		    -timeout="${FUZZ_TIMEOUT:-25}" \
		    -rss_limit_mb="${FUZZ_RSS_MB:-2560}" \
		    -print_final_stats=1 -artifact_prefix="$art/" $dict \
		    ${FUZZ_ARGS:-} "$corpus" "testdata/fuzz/$t" >"$log" 2>&1
		status=$?
		found=
		for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* \
		    "$art"/oom-*; do
			[ -f "$f" ] && found="$found ${f##*/}"
		done
		runs=$(stat number_of_executed_units "$log")
		if [ $status = 0 ] && [ -z "$found" ]; then
			n=$(find "$corpus" -type f | wc -l | tr -d ' ')
			echo "ok fuzz/$t: $runs runs in ${seconds}s, corpus $n"
			continue
		fi
		failed=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*fuzz property)' \
		    "$log" | head -n 5 | sed 's/^/  /'
		for f in $found; do
			cp "$art/$f" "testdata/fuzz/$t/$f"
			echo "FAIL fuzz/$t: $f, kept as testdata/fuzz/$t/$f" \
			    "(log: $log)"
		done
		if [ -z "$found" ]; then
			echo "FAIL fuzz/$t: exited with status $status (log: $log)"
		fi
	done
	return $failed
}

case ${1:-} in
replay)
	shift
	replay "$@"
	;;
run)
	shift
	run "$@"
	;;
probe)
	shift
	probe "${1:-clang}"
	;;
*)
	echo "usage: fuzz.sh replay BUILD TARGET... | run FUZZBUILD SECONDS" \
	    "TARGET... | probe CC" >&2
	exit 2
	;;
esac
