# interrupt_loop.sh - kill depot extract, depot unpack and esxbundle create at
# random points of their run, with SIGINT and with SIGKILL: the output
# folder is absent or exactly the reference run's (or, written into an
# existing folder with --force, exactly the old or exactly the new tree),
# temporary folders are gone (SIGINT) or clearly named and removed by the
# next run (SIGKILL: .NAME.depot-XXXXXX, for all three), and the input is
# never modified.
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

# launch KIND DIR [ARG...]: become the command under test, writing DIR, with
# SIGINT as from a terminal (exec_sigint, lib.sh).
launch() {
	kind=$1 dir=$2
	shift 2
	case $kind in
	extract) set -- "$DEPOT" extract --vibs "$@" "$BIG" "$dir" ;;
	unpack) set -- "$DEPOT" unpack --verify --metadata "$@" "$BIG" "$dir" ;;
	bundle) set -- "$BUNDLE" create "$dir" --datastore ds --add "$BIG" "$@" ;;
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
# run removes (depot/outdir.c: .NAME.depot-XXXXXX, and .NAME.depot-old-XXXXXX
# where a file system cannot swap two folders in one step).
temps() {
	find dest -mindepth 1 -maxdepth 1 -name ".$1.depot-*" |
	    sed 's|^dest/||' | LC_ALL=C sort
}

# A temporary folder SIGKILL may leave: the name mkdtemp gave, a folder.
temp_ok() { # NAME TEMP
	echo "$2" | grep -q "^\\.$1\\.depot-\(old-\)\{0,1\}[A-Za-z0-9]\{6\}\$" &&
	    [ -d "dest/$2" ] && [ ! -L "dest/$2" ]
}

# seed DIR: the folder as it was before a --force run into it: a file of
# its own, one in a subfolder, a link, and old bytes under $REPL, a name
# the run writes (none for esxbundle, which replaces the folder whole).
seed() {
	mkdir -p "$1/own"
	echo keep >"$1/keep.txt"
	echo old >"$1/own/old.txt"
	ln -s keep.txt "$1/link"
	if [ -n "$REPL" ]; then
		mkdir -p "$(dirname "$1/$REPL")"
		echo old >"$1/$REPL"
	fi
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

kill_loop() { # KIND SIGNAL NAME [existing]
	kind=$1 sig=$2 name=$3 existing=${4:-}
	big_input || return 1
	mkdir ref dest
	force=""
	if [ -n "$existing" ]; then
		# The names a run writes, from a run into a new folder.
		(launch "$kind" "ref/new") >"$T/out" 2>"$T/err"
		rc=$?
		expect_status 0 || return 1
		REPL=""
		[ "$kind" = bundle ] || REPL=$(cd ref/new && find . -type f |
		    LC_ALL=C sort | head -1 | sed 's|^\./||')
		rm -rf ref/new
		seed "ref/$name"
		tree_sum "ref/$name" >old.sum
		force=--force
	fi
	t0=$(now_ms)
	(launch "$kind" "ref/$name" $force) >"$T/out" 2>"$T/err"
	rc=$?
	t1=$(now_ms)
	expect_status 0 || return 1
	tree_sum "ref/$name" >ref.sum
	if [ -n "$existing" ]; then
		cmp -s ref.sum old.sum && fail "the --force run changed nothing"
		grep -q ' ./keep.txt$' ref.sum
		[ $? = "$([ "$kind" = bundle ] && echo 1 || echo 0)" ] ||
		    fail "keep.txt kept or dropped wrongly" || return 1
	fi
	ref_ms=$((t1 - t0))
	early=0 writing=0 late=0 caught=0 i=0
	while [ $i -le "$POINTS" ]; do
		rnd=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		at=$(((i * ref_ms + rnd % (ref_ms + 1)) / POINTS))
		[ -z "$existing" ] || { rm -rf "dest/$name" && seed "dest/$name"; }
		temps "$name" >before.tmps
		(launch "$kind" "dest/$name" $force) >"$T/out" 2>"$T/err" &
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
		else
			: >dest.sum
		fi
		if [ -e "dest/$name" ] && cmp -s ref.sum dest.sum; then
			late=$((late + 1))
			rm -rf "dest/$name"
		elif [ -n "$existing" ] && [ ! -e "dest/$name" ]; then
			fail "SIG$sig after ${at} ms: the existing dest/$name" \
			    "is gone"
			return 1
		elif [ -e "dest/$name" ] && { [ -z "$existing" ] ||
		    ! cmp -s old.sum dest.sum; }; then
			diff -u ref.sum dest.sum >"$T/diff"
			echo "  SIG$sig after ${at} ms: dest/$name is neither" \
			    "the old nor the reference output:"
			sed 's/^/  | /' "$T/diff"
			return 1
		else
			[ "$rc" != 0 ] ||
			    fail "SIG$sig after ${at} ms: exit 0 but" \
			    "dest/$name is not the reference output" || return 1
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
			# makes its own: at most one remains (two just after a
			# swap: the new stage's, and the old tree's).
			if [ "$(grep -c . after.tmps)" -gt 2 ]; then
				fail "more than two temporary folders:" \
				    "$(cat after.tmps)" || return 1
			fi
		elif [ -s after.tmps ]; then
			fail "SIG$sig after ${at} ms left $(cat after.tmps)"
			return 1
		fi
		[ -z "$(find dest -mindepth 1 -maxdepth 1 ! -name '.*' \
		    ! -name "$name")" ] ||
		    fail "unexpected files in dest:" "$(ls -A dest)" || return 1
		i=$((i + 1))
	done
	echo "$kind SIG$sig${existing:+ into an existing folder}, reference" \
	    "run ${ref_ms} ms: $early early, $writing while writing, $late" \
	    "after the end; $caught cleaned up and said so"
	# After SIGKILL: the next uninterrupted run succeeds, writes the
	# reference output and removes every leftover of the killed runs.
	rm -rf "dest/$name"
	[ -z "$existing" ] || seed "dest/$name"
	(launch "$kind" "dest/$name" $force) >"$T/out" 2>"$T/err"
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

# Into an existing folder with --force: all old or all new, never half
# (depot/outdir.c swaps the whole new tree in with one rename).
test_extract_sigkill_existing() {
	kill_loop extract KILL xo existing
}

test_unpack_sigkill_existing() {
	kill_loop unpack KILL uo existing
}

test_unpack_sigint_existing() {
	kill_loop unpack INT uo existing
}

test_bundle_sigkill_existing() {
	kill_loop bundle KILL bdl existing
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

# Where a file system cannot exchange two folders, outdir swaps with two
# renames; a run killed between them leaves no OUTDIR and the old tree at
# .NAME.depot-old-XXXXXX.  The next run puts it back before anything else
# (so OUTDIR is all old again), and removes such a folder when OUTDIR is
# there (the kill came after the second rename).
test_old_tree_put_back_or_removed() {
	mkdir dest dest/.uo.depot-old-Ab12Cd
	echo mine >dest/.uo.depot-old-Ab12Cd/keep.txt
	run "$DEPOT" unpack "$(fixture mini8)" dest/uo
	expect_status 0 || return 1
	[ "$(cat dest/uo/keep.txt)" = mine ] && [ -f dest/uo/index.xml ] ||
	    fail "the old tree was not put back as dest/uo" || return 1
	[ -z "$(temps uo)" ] || fail "left: $(temps uo)" || return 1
	mkdir dest/.uo.depot-old-Cd34Ef
	echo stale >dest/.uo.depot-old-Cd34Ef/keep.txt
	run "$DEPOT" unpack --force "$(fixture mini8)" dest/uo
	expect_status 0 || return 1
	if [ "$(cat dest/uo/keep.txt)" != mine ] || [ -n "$(temps uo)" ]; then
		fail "the leftover old tree was not removed: $(temps uo)"
	fi
}

# By hand, to see where the kills landed (run.sh shows a test's output only
# when it fails), from the top folder after make:
#   T=$(mktemp -d) FIXTURES=$(mktemp -d) TOP=$PWD BUILD=build PYTHON=python3 \
#   DEPOT=$PWD/build/depot sh -c 'cd "$T" && . "$TOP/tests/lib.sh" &&
#   . "$TOP/tests/cli/interrupt_loop.sh" && test_unpack_sigkill'
