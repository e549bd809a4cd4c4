# lib.sh - helpers for the CLI tests; sourced by tests/run.sh.
# SPDX-License-Identifier: BSD-2-Clause
#
# Each test is a shell function test_NAME in tests/cli/*.sh.  It runs in
# its own subshell with $T a fresh directory, and returns non-zero on
# failure after saying why.  Helpers:
#   run CMD...            run CMD; stdout in $T/out, stderr in $T/err, $rc
#   expect_status N       the last run exited N
#   expect_err TEXT       stderr contains TEXT (fixed string)
#   expect_err_lines N    stderr has exactly N lines
#   expect_out TEXT       stdout contains TEXT
#   expect_out_file FILE  stdout is exactly FILE (diff -u shown)
#   expect_no_out         stdout is empty
#   fixture NAME          path of the generated fixture NAME.zip
#   skip WHY              end the test as skipped

run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	return 0
}

fail() {
	echo "  $*"
	echo "  --- stdout:"; sed -n '1,20s/^/  | /p' "$T/out" 2>/dev/null
	echo "  --- stderr:"; sed -n '1,20s/^/  | /p' "$T/err" 2>/dev/null
	return 1
}

expect_status() {
	[ "$rc" = "$1" ] || fail "exit status $rc, expected $1"
}

expect_err() {
	grep -qF -- "$1" "$T/err" || fail "stderr lacks: $1"
}

expect_err_lines() {
	n=$(wc -l <"$T/err")
	[ "$n" -eq "$1" ] || fail "stderr has $n lines, expected $1"
}

expect_out() {
	grep -qF -- "$1" "$T/out" || fail "stdout lacks: $1"
}

expect_no_out() {
	[ ! -s "$T/out" ] || fail "stdout is not empty"
}

expect_out_file() {
	diff -u "$1" "$T/out" >"$T/diff" || {
		echo "  stdout differs from $1:"
		sed 's/^/  | /' "$T/diff"
		return 1
	}
}

fixture() {
	echo "$FIXTURES/$1.zip"
}

skip() {
	echo "$*" >"$T/skip"
	return 0
}
