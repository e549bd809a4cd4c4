# interrupt_loop.sh - kill depot extract, depot unpack and esxbundle create at
# random points of their run, with SIGINT and with SIGKILL: the output
# folder is absent or exactly the reference run's, temporary folders are
# gone (SIGINT) or clearly named and removed by the next run (SIGKILL: the
# library's .NAME.depot-XXXXXX and bundle's .NAME.tmp-XXXXXX alike), and
# the input is never modified.
# SPDX-License-Identifier: BSD-2-Clause
#
# The kill points are spread over the time an uninterrupted reference run
# took, one at a random moment in each of POINTS equal slices (and a last
# slice past the end).  On a slow or loaded machine they land elsewhere in
# the run; the assertions hold wherever they land, only the coverage moves.
# Each loop ends with one line on how many kills landed before anything
# was written, while the temporary folder was being filled, and after the
# output was complete (shown when the test is run by hand, see the end).

BUNDLE=${BUNDLE:-$TOP/$BUILD/esxbundle}
# Under valgrind (VALGRIND=1) each run is some twenty times slower: fewer
# points keep the file within minutes; the times scale by themselves.
if [ -n "${VALGRIND:-}" ]; then
	POINTS=${KILL_POINTS:-3}
else
	POINTS=${KILL_POINTS:-8}
fi

# big_input: the ~50 MB depot of testdata/big/interrupt-loop.spec in $BIG,
# made once per run of the suite, and its SHA-256 as made in $BIG_SHA.
big_input() {
	BIG="$FIXTURES/interrupt-big.zip"
	if [ ! -f "$BIG" ]; then
		if ! "$PYTHON" "$TOP/tests/mkdepot.py" \
		    "$TOP/testdata/big/interrupt-loop.spec" "$BIG.tmp" >/dev/null ||
		    ! sha256sum <"$BIG.tmp" | cut -d' ' -f1 >"$BIG.sha256" ||
		    ! mv "$BIG.tmp" "$BIG"; then
			echo "  cannot make $BIG"
			return 1
		fi
	fi
	BIG_SHA=$(cat "$BIG.sha256")
}

input_unchanged() {
	[ "$(sha256sum <"$BIG" | cut -d' ' -f1)" = "$BIG_SHA" ] ||
	    fail "the input $BIG changed"
}

# launch KIND DIR: become the command under test, writing DIR, with
# SIGINT as from a terminal (exec_sigint, lib.sh).
launch() {
	case $1 in
	extract) set -- "$DEPOT" extract --vibs "$BIG" "$2" ;;
	unpack) set -- "$DEPOT" unpack --verify --metadata "$BIG" "$2" ;;
	bundle) set -- "$BUNDLE" create "$2" --datastore ds --add "$BIG" ;;
	esac
	exec_sigint "$@"
}

# tree_sum DIR: every path in DIR with its type and mode, then the SHA-256
# of every file.
tree_sum() {
	(cd "$1" && find . -printf '%y %m %p\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# temps NAME: the temporary folders of runs into dest/NAME, which the next
# run removes: the library's (depot/outdir.c: .NAME.depot-XXXXXX) and
# bundle's own (.NAME.tmp-XXXXXX, made by outdir_make_temp).
temps() {
	find dest -mindepth 1 -maxdepth 1 \( -name ".$1.depot-*" -o \
	    -name ".$1.tmp-*" \) | sed 's|^dest/||' | LC_ALL=C sort
}

# A temporary folder SIGKILL may leave: the name mkdtemp gave, a folder.
temp_ok() { # NAME TEMP
	echo "$2" | grep -q "^\\.$1\\.\(depot\|tmp\)-[A-Za-z0-9]\{6\}\$" &&
	    [ -d "dest/$2" ] && [ ! -L "dest/$2" ]
}

# Exit statuses a run killed by SIG may end with, besides 0 (it had
# finished): 130 or 137 when killed by the signal itself (before the
# handlers were in place, or SIGKILL); bundle reports an interrupt as a
# failed run (1), depot dies of the signal after cleaning up.
status_ok() { # KIND SIG STATUS
	case $2:$1:$3 in
	*:*:0 | INT:*:130 | KILL:*:137 | INT:bundle:1) return 0 ;;
	esac
	return 1
}

kill_loop() { # KIND SIGNAL NAME
	kind=$1 sig=$2 name=$3
	big_input || return 1
	mkdir ref dest
	t0=$(now_ms)
	(launch "$kind" "ref/$name") >"$T/out" 2>"$T/err"
	rc=$?
	t1=$(now_ms)
	expect_status 0 || return 1
	tree_sum "ref/$name" >ref.sum
	ref_ms=$((t1 - t0))
	early=0 writing=0 late=0 caught=0 i=0
	while [ $i -le "$POINTS" ]; do
		rnd=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		at=$(((i * ref_ms + rnd % (ref_ms + 1)) / POINTS))
		temps "$name" >before.tmps
		(launch "$kind" "dest/$name") >"$T/out" 2>"$T/err" &
		pid=$!
		sleep "$((at / 1000)).$(printf %03d $((at % 1000)))"
		temps "$name" >at.tmps
		kill "-$sig" "$pid" 2>/dev/null
		wait "$pid"
		rc=$?
		status_ok "$kind" "$sig" "$rc" ||
		    fail "SIG$sig after ${at} ms: exit status $rc" || return 1
		if [ -e "dest/$name" ]; then
			tree_sum "dest/$name" >dest.sum
			diff -u ref.sum dest.sum >"$T/diff" || {
				echo "  SIG$sig after ${at} ms: dest/$name is" \
				    "not the reference output:"
				sed 's/^/  | /' "$T/diff"
				return 1
			}
			late=$((late + 1))
			rm -rf "dest/$name"
		else
			[ "$rc" != 0 ] ||
			    fail "SIG$sig after ${at} ms: exit 0 but" \
			    "dest/$name is missing" || return 1
			# Killed by the signal it says nothing; caught, one line.
			if [ -s "$T/err" ]; then
				expect_err_lines 1 && expect_err "interrupted" ||
				    return 1
				caught=$((caught + 1))
			fi
			if grep -qvxFf before.tmps at.tmps; then
				writing=$((writing + 1))
			else
				early=$((early + 1))
			fi
		fi
		temps "$name" >after.tmps
		if [ "$sig" = KILL ]; then
			while IFS= read -r tmp; do
				temp_ok "$name" "$tmp" ||
				    fail "SIGKILL left '$tmp'" || return 1
			done <after.tmps
			# Each run removes what earlier ones left before it
			# makes its own: at most one of each kind remains.
			if [ "$(grep -c '\.depot-' after.tmps)" -gt 1 ] ||
			    [ "$(grep -c '\.tmp-' after.tmps)" -gt 1 ]; then
				fail "more than one temporary folder:" \
				    "$(cat after.tmps)" || return 1
			fi
		elif [ -s after.tmps ]; then
			fail "SIG$sig after ${at} ms left $(cat after.tmps)"
			return 1
		fi
		[ -z "$(find dest -mindepth 1 -maxdepth 1 ! -name '.*')" ] ||
		    fail "unexpected files in dest:" "$(ls -A dest)" || return 1
		i=$((i + 1))
	done
	echo "$kind SIG$sig, reference run ${ref_ms} ms: $early early," \
	    "$writing while writing, $late after the end;" \
	    "$caught cleaned up and said so"
	# After SIGKILL: the next uninterrupted run succeeds, writes the
	# reference output and removes every leftover of the killed runs.
	(launch "$kind" "dest/$name") >"$T/out" 2>"$T/err"
	rc=$?
	expect_status 0 || return 1
	tree_sum "dest/$name" >dest.sum
	diff -u ref.sum dest.sum >"$T/diff" ||
	    fail "the run after the kills wrote another output" || return 1
	temps "$name" >final.tmps
	[ ! -s final.tmps ] ||
	    fail "leftovers not removed:" "$(cat final.tmps)" || return 1
	input_unchanged
}

test_extract_sigint() {
	kill_loop extract INT xo
}

test_extract_sigkill() {
	kill_loop extract KILL xo
}

test_unpack_sigint() {
	kill_loop unpack INT uo
}

test_unpack_sigkill() {
	kill_loop unpack KILL uo
}

test_bundle_sigint() {
	kill_loop bundle INT bdl
}

test_bundle_sigkill() {
	kill_loop bundle KILL bdl
}

# The leftover of a killed run is removed by the next run into the same
# OUTDIR, unless a run still holds it locked (it is alive); folders of
# other OUTDIRs and names mkdtemp does not make are left alone.
test_stale_temp_removed_unless_locked() {
	mkdir dest dest/.uo.depot-Ab12Cd dest/.uo.depot-Lk34Mn \
	    dest/.uo.depot-short dest/.vo.depot-Ab12Cd
	echo x >dest/.uo.depot-Ab12Cd/vib.part
	exec 9<dest/.uo.depot-Lk34Mn
	flock -n 9 || { exec 9<&-; fail "cannot lock"; return 1; }
	run "$DEPOT" unpack "$(fixture mini8)" dest/uo
	exec 9<&-
	expect_status 0 || return 1
	find dest -mindepth 1 -maxdepth 1 | sed 's|^dest/||' | LC_ALL=C sort \
	    >have
	printf '%s\n' .uo.depot-Lk34Mn .uo.depot-short .vo.depot-Ab12Cd uo |
	    LC_ALL=C sort >want
	diff -u want have >"$T/diff" || {
		echo "  dest holds:"
		sed 's/^/  | /' "$T/diff"
		return 1
	}
	# Unlocked now: the next run into uo removes it, even one that fails.
	run "$DEPOT" unpack "$(fixture mini8)" dest/uo
	expect_status 1 && expect_err "already exists" || return 1
	[ ! -e dest/.uo.depot-Lk34Mn ] || fail "the unlocked leftover stayed"
}

# By hand, to see where the kills landed (run.sh shows a test's output only
# when it fails), from the top folder after make:
#   T=$(mktemp -d) FIXTURES=$(mktemp -d) TOP=$PWD BUILD=build PYTHON=python3 \
#   DEPOT=$PWD/build/depot sh -c 'cd "$T" && . "$TOP/tests/lib.sh" &&
#   . "$TOP/tests/cli/interrupt_loop.sh" && test_unpack_sigkill'
