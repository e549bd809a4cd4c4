#!/bin/sh
# run.sh - build the fixtures, run the unit and CLI tests, count results.
# Ends with the line "N passed, N failed" (and ", N skipped" when any).
# SPDX-License-Identifier: BSD-2-Clause
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
DEPOT="$TOP/$BUILD/depot"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/esxstage-test.XXXXXX")
FIXTURES="$WORK/fixtures"
SHARED="$TOP/../shared"
export TOP BUILD PYTHON DEPOT FIXTURES SHARED
keep=0
trap 'if [ $keep = 0 ]; then rm -rf "$WORK"; fi' EXIT INT TERM

passed=0 failed=0 skipped=0
result() { # STATUS NAME [WHY]
	case $1 in
	ok) passed=$((passed + 1)); echo "ok $2" ;;
	skip) skipped=$((skipped + 1)); echo "skip $2: $3" ;;
	*) failed=$((failed + 1)); echo "FAIL $2" ;;
	esac
}

# Fixtures are generated from the text specs by code that shares nothing
# with the reader.  A spec that fails to build is a failed test.
mkdir -p "$FIXTURES"
if sh "$TOP/tests/mkkeys.sh" "$WORK/keys" >"$WORK/keys.log" 2>&1; then
	. "$WORK/keys/env"
	KEYS="$WORK/keys"
	export KEYS
else
	sed 's/^/  /' "$WORK/keys.log"
	result FAIL "fixture/keys"
fi
for spec in "$TOP"/testdata/depots/*.spec; do
	name=$(basename "$spec" .spec)
	if "$PYTHON" "$TOP/tests/mkdepot.py" "$spec" "$FIXTURES/$name.zip" \
	    --truth-out "$FIXTURES/$name.truth.json" >"$WORK/gen.log" 2>&1; then
		:
	else
		sed 's/^/  /' "$WORK/gen.log"
		result FAIL "fixture/$name"
	fi
done

# ONLY=GLOB (say ONLY='hostile_*/*') runs just the shell tests whose
# GROUP/NAME matches, without the unit tests and fuzz replay: for work on
# one group.  make check never sets it.
ONLY=${ONLY:-}

# Unit tests: one C binary, one line per test.
if [ -z "$ONLY" ]; then
	"$TOP/$BUILD/unit" >"$WORK/unit.log" 2>&1
	unit_rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) result ok "${line#ok }" ;;
		"FAIL "*) result FAIL "${line#FAIL }" ;;
		*) echo "$line" ;;
		esac
	done <"$WORK/unit.log"
	if [ $unit_rc -gt 1 ]; then
		result FAIL "unit (crashed with status $unit_rc)"
	fi

	# Fuzz corpora (testdata/fuzz/<target>/) replayed through each target
	# built with the ordinary compiler and flags: one line per target.
	make -s -C "$TOP" --no-print-directory fuzz-replay BUILD="$BUILD" \
	    SANITIZE="${SANITIZE:-}" >"$WORK/fuzz.log" 2>&1
	fuzz_rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) result ok "${line#ok }" ;;
		"FAIL "*) result FAIL "${line#FAIL }" ;;
		*) echo "  $line" ;;
		esac
	done <"$WORK/fuzz.log"
	if [ $fuzz_rc != 0 ] && ! grep -q '^FAIL ' "$WORK/fuzz.log"; then
		result FAIL "fuzz-replay (make exited $fuzz_rc)"
	fi
fi

# Shell tests: every test_* function of every tests/cli/*.sh, and of the
# hostile-input suite tests/hostile/*.sh (group names hostile_FILE).
for file in "$TOP"/tests/cli/*.sh "$TOP"/tests/hostile/*.sh; do
	[ -f "$file" ] || continue
	group=$(basename "$file" .sh)
	case $file in */tests/hostile/*) group=hostile_$group ;; esac
	for fn in $(sed -n 's/^\(test_[A-Za-z0-9_]*\)() *{*$/\1/p' "$file"); do
		case "$group/${fn#test_}" in
		${ONLY:-*}) ;;
		*) continue ;;
		esac
		T="$WORK/$group.$fn"
		mkdir -p "$T"
		(
			export T
			cd "$T" || exit 1
			. "$TOP/tests/lib.sh"
			. "$file"
			"$fn"
		) >"$WORK/test.log" 2>&1
		status=$?
		name="$group/${fn#test_}"
		if [ -f "$T/skip" ]; then
			result skip "$name" "$(cat "$T/skip")"
		elif [ $status = 0 ]; then
			result ok "$name"
			rm -rf "$T"
		else
			cat "$WORK/test.log"
			echo "  (kept $T)"
			keep=1
			result FAIL "$name"
		fi
	done
done

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed = 0 ]
