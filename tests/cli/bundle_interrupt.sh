# bundle_interrupt.sh - kill esxbundle create at random points: the folder is
# absent or complete, never half, and the input is never modified.
# SPDX-License-Identifier: BSD-2-Clause

BUNDLE=${BUNDLE:-$TOP/$BUILD/esxbundle}

# complete_or_absent DIR: DIR is missing, or every file matches SHA256SUMS.
complete_or_absent() {
	[ -e "$1" ] || return 0
	(cd "$1" && sha256sum -c SHA256SUMS >/dev/null 2>&1) ||
	    fail "$1 exists but is not complete"
}

interrupt_loop() { # SIGNAL TEMP-ALLOWED
	if [ -n "${VALGRIND:-}" ]; then
		skip "kill times fixed for a native run all land in valgrind's" \
		    "start-up (interrupt_loop.sh scales its own)"
		return 0
	fi
	"$PYTHON" "$TOP/tests/mkdepot.py" "$TOP/testdata/big/interrupt.spec" \
	    big.zip >/dev/null 2>&1 || { echo "  cannot make big.zip"; return 1; }
	before=$(sha256sum big.zip)
	i=0
	while [ $i -lt 6 ]; do
		rm -rf bdl .bdl.depot-*
		# A shell starts background jobs with SIGINT ignored, and
		# "set -m" cannot help without a terminal: env puts it back.
		env --default-signal=INT "$BUNDLE" create bdl --datastore ds \
		    --add big.zip >/dev/null 2>&1 &
		pid=$!
		# From the start of verifying to the last rename (~0.4 s).
		sleep "0.$(( (i * 7 + $$) % 40 + 10 ))"
		kill "-$1" "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		complete_or_absent bdl || return 1
		if [ "$2" = no ] && ls -A | grep -q '^\.bdl\.depot-'; then
			fail "a temporary folder was left after SIG$1"
			return 1
		fi
		i=$((i + 1))
	done
	[ "$(sha256sum big.zip)" = "$before" ] || fail "the input changed"
}

test_sigint_leaves_nothing_half() {
	interrupt_loop INT no
}

test_sigterm_leaves_nothing_half() {
	interrupt_loop TERM no
}

test_sigkill_leaves_nothing_half() {
	interrupt_loop KILL yes
}
