#!/bin/sh
# bench.sh - run the benchmarks; figures only, never pass/fail.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
"${PYTHON:-python3}" "$TOP/scripts/bench.py"
exec "${PYTHON:-python3}" "$TOP/scripts/bench_fetch.py"
