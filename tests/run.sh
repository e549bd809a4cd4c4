#!/bin/sh
# run.sh - build the fixtures, run the unit and CLI tests, count results.
# Ends with the line "N passed, N failed" (and ", N skipped" when any).
# SPDX-License-Identifier: BSD-2-Clause
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
DEPOT="$TOP/$BUILD/depot"
BUNDLE="$TOP/$BUILD/esxbundle"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/esxstage-test.XXXXXX")
FIXTURES="$WORK/fixtures"
SHARED="$TOP/../shared"
VALGRIND=${VALGRIND:-}
export TOP BUILD PYTHON DEPOT BUNDLE FIXTURES SHARED VALGRIND
keep=0
trap 'if [ $keep = 0 ]; then rm -rf "$WORK"; fi' EXIT INT TERM

# VALGRIND=1 (make check VALGRIND=1, or make valgrind) runs every depot and
# bundle of the shell tests, and the unit tests, under valgrind: $DEPOT and
# $BUNDLE become scripts that exec it (same pid, so signals still reach
# the program), each run writes its report to $VGLOG, and a test after
# which a report is not empty fails showing it.  The build must be without
# sanitizers.  Tests whose kill times are fixed for a native run skip.
VGLOG="$WORK/valgrind"
if [ -n "$VALGRIND" ]; then
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "run.sh: VALGRIND is set but valgrind is not installed" >&2
		exit 2
	fi
	if [ -n "${SANITIZE:-}" ]; then
		echo "run.sh: VALGRIND and SANITIZE cannot be used together" >&2
		exit 2
	fi
	# A test may run $DEPOT as another user (setpriv): it must reach
	# the wrappers, and valgrind must write its report.
	mkdir -p "$WORK/vg" "$VGLOG"
	chmod 711 "$WORK" && chmod 755 "$WORK/vg" && chmod 1777 "$VGLOG"
	vg="valgrind -q --error-exitcode=99 --leak-check=full"
	vg="$vg --errors-for-leak-kinds=definite,indirect"
	for prog in depot esxbundle unit; do
		cat >"$WORK/vg/$prog" <<EOF
#!/bin/sh
exec $vg --log-file='$VGLOG/$prog.%p' '$TOP/$BUILD/$prog' "\$@"
EOF
		chmod +x "$WORK/vg/$prog"
	done
	DEPOT="$WORK/vg/depot" BUNDLE="$WORK/vg/esxbundle"
	# The fuzz corpora too, each report in the replay's own output.
	FUZZ_REPLAY_WRAP=$vg
	export FUZZ_REPLAY_WRAP
fi

# vg_check: with VALGRIND, show and remove the reports runs left; false
# when one was not empty.
vg_check() {
	[ -n "$VALGRIND" ] || return 0
	bad=0
	for log in "$VGLOG"/*; do
		[ -f "$log" ] || continue
		if [ -s "$log" ]; then
			echo "  valgrind ($(basename "$log")):"
			sed 's/^/  | /' "$log"
			bad=1
		fi
		rm -f "$log"
	done
	return $bad
}

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

# TESTS='GLOB...' (make check TESTS=...) runs only the shell tests whose
# GROUP/NAME matches one of the globs, and the unit tests and fuzz replay
# as always: .ci/run's subset under valgrind.  ONLY='GLOB...' is the same
# without the unit tests and fuzz replay, for work on one group.
ONLY=${ONLY:-}
TESTS=${ONLY:-${TESTS:-}}

# selected NAME: NAME is one of TESTS' globs (all when TESTS is empty).
selected() {
	[ -n "$TESTS" ] || return 0
	set -f
	for glob in $TESTS; do
		case $1 in
		$glob) set +f; return 0 ;;
		esac
	done
	set +f
	return 1
}

# results_of LOG INDENT: count LOG's "ok NAME" and "FAIL NAME" lines;
# show the others, indented.
results_of() {
	while IFS= read -r line; do
		case $line in
		"ok "*) result ok "${line#ok }" ;;
		"FAIL "*) result FAIL "${line#FAIL }" ;;
		*) echo "$2$line" ;;
		esac
	done <"$1"
}

# Unit tests: one C binary, one line per test.
if [ -z "$ONLY" ]; then
	if [ -n "$VALGRIND" ]; then
		"$WORK/vg/unit" >"$WORK/unit.log" 2>&1
	else
		"$TOP/$BUILD/unit" >"$WORK/unit.log" 2>&1
	fi
	unit_rc=$?
	results_of "$WORK/unit.log" ""
	# Status 1 is a test's FAIL line; any other, or 1 with no FAIL line
	# (a sanitizer's leak report at exit), is a failure of its own.
	if [ $unit_rc -gt 1 ]; then
		result FAIL "unit (crashed with status $unit_rc)"
	elif [ $unit_rc = 1 ] && ! grep -q '^FAIL ' "$WORK/unit.log"; then
		result FAIL "unit (exited with status 1 after its tests passed: a leak report?)"
	fi
	vg_check || result FAIL "unit (valgrind)"

	# Fuzz corpora (testdata/fuzz/<target>/) replayed through each target
	# built with the ordinary compiler and flags: one line per target.
	make -s -C "$TOP" --no-print-directory fuzz-replay BUILD="$BUILD" \
	    SANITIZE="${SANITIZE:-}" >"$WORK/fuzz.log" 2>&1
	fuzz_rc=$?
	results_of "$WORK/fuzz.log" "  "
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
		selected "$group/${fn#test_}" || continue
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
		vg_check >>"$WORK/test.log" || status=99
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
