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
#   expect_clean DIR N... DIR holds exactly the entries N...
#   snapshot before, then expect_nothing_written: nothing appeared under
#                         $T outside an empty dest/
#   mk CASE [FIXTURE]     tests/hostile/mkarchive.py's CASE as $T/CASE.bin
#   snap NAME             paths under $T outside dest/out, into $T/NAME.snap
#   refused_in_dest S M CMD...  CMD fails with status S and the one line M,
#                         leaving dest/ empty and $T otherwise unchanged

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

# expect_clean DIR NAME...: DIR holds exactly these entries: nothing was
# left behind (no temporary directory, no partial output).
expect_clean() {
	dir=$1
	shift
	ls -A "$dir" | LC_ALL=C sort >"$T/have"
	printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort >"$T/want"
	diff -u "$T/want" "$T/have" >"$T/diff" || {
		echo "  $dir holds something else:"
		sed 's/^/  | /' "$T/diff"
		return 1
	}
}

# snapshot NAME: every path under $T but dest/ and the harness's own
# files, into $T/NAME, for expect_nothing_written.
snapshot() {
	(cd "$T" && find . -path ./dest -prune -o -print | grep -v \
	    -e '^\./out$' -e '^\./err$' -e '^\./before$' -e '^\./after$' |
	    LC_ALL=C sort) >"$T/$1"
}

# expect_nothing_written: dest/ is empty (no OUTDIR, no temporary folder
# beside it) and nothing appeared under $T since "snapshot before".
expect_nothing_written() {
	[ -z "$(ls -A "$T/dest")" ] ||
	    fail "dest/ holds: $(ls -A "$T/dest")" || return 1
	snapshot after
	diff -u "$T/before" "$T/after" >"$T/diff" || {
		echo "  files appeared outside the output directory:"
		sed 's/^/  | /' "$T/diff"
		return 1
	}
}

# mk CASE [FIXTURE]: tests/hostile/mkarchive.py's CASE around the depot
# FIXTURE (mini8) as $T/CASE.bin.
mk() {
	"$PYTHON" "$TOP/tests/hostile/mkarchive.py" "$1" "$T/$1.bin" \
	    --depot "$(fixture "${2:-mini8}")" || fail "mkarchive.py $1 failed"
}

# snap NAME: every path under $T but the output folder's contents and the
# test's own scratch files (out, err, the snapshots, have/want/diff), into
# $T/NAME.snap; compare two with diff to see what was written outside.
snap() {
	(cd "$T" && find . -path ./dest/out -prune -o -path ./out -prune \
	    -o -path ./err -prune -o -name '*.snap' -prune -o -path ./have \
	    -prune -o -path ./want -prune -o -path ./diff -prune -o -print |
	    LC_ALL=C sort) >"$T/$1.snap"
}

# refused_in_dest STATUS MESSAGE CMD...: CMD, run (under timeout $TMO,
# 60 s by default) with an empty dest/, exits STATUS with MESSAGE as its
# one stderr line and nothing on stdout; dest/ is empty again (no OUTDIR,
# no temporary folder) and nothing else under $T changed (snap).
refused_in_dest() {
	status=$1 msg=$2
	shift 2
	rm -rf dest
	mkdir dest
	snap before
	run timeout "${TMO:-60}" "$@"
	snap after
	expect_status "$status" && expect_err "$msg" && expect_err_lines 1 &&
	    expect_no_out && expect_clean dest && snap_unchanged ||
	    { echo "  (ran: $*)"; return 1; }
}

# snap_unchanged: "snap before" and "snap after" list the same paths.
snap_unchanged() {
	diff -u "$T/before.snap" "$T/after.snap" >"$T/diff" || {
		echo "  written outside the output folder:"
		sed 's/^/  | /' "$T/diff"
		return 1
	}
}

# mini8_with OUT [LINE...]: the depot OUT from testdata/depots/mini8.spec
# plus the spec LINEs (tests/mkdepot.py; @FILE names are read from $T).
mini8_with() {
	out=$1
	shift
	{
		echo "include $TOP/testdata/depots/mini8.spec"
		printf '%s\n' "$@"
	} >"$T/$(basename "$out").spec"
	"$PYTHON" "$TOP/tests/mkdepot.py" "$T/$(basename "$out").spec" "$out" \
	    >"$T/gen.log" 2>&1 ||
	    { cat "$T/gen.log"; echo "  mkdepot $out failed"; return 1; }
}

# exec_sigint CMD...: become CMD with SIGINT as from a terminal.  A shell
# starts background jobs with SIGINT ignored, and "set -m" cannot help
# without a terminal ("can't access tty; job control turned off"), so the
# default is put back on exec.
exec_sigint() {
	if env --default-signal=INT true 2>/dev/null; then
		exec env --default-signal=INT "$@"
	fi
	exec "$PYTHON" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$@"
}
