#!/bin/sh
# bench.sh - run the benchmarks; figures only, never pass/fail.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
"${PYTHON:-python3}" "$TOP/scripts/bench.py"
"${PYTHON:-python3}" "$TOP/scripts/bench_fetch.py"
# Each hostile input shape at three sizes, and refused past its limit.
exec "${PYTHON:-python3}" "$TOP/scripts/bench_cost.py"
