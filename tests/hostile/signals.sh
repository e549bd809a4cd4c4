# signals.sh - SIGINT, SIGTERM and SIGHUP sent while a command is deep
# inside a long library call (libxml2 parsing a document at the limits, libzip
# inflating a big member, the hash of what is written): the command stops
# soon after, dies of the signal, and leaves nothing, neither the output
# folder nor a temporary ".out.depot-XXXXXX" beside it.
# SPDX-License-Identifier: BSD-2-Clause
#
# Timings are never asserted (make bench reports them); a command that
# ignored the signal would run on to completion (status 0, output
# written) or hit the hang guard, and fail the test either way.

O=dest/out
SPECS="$TOP/testdata/depots"

# interrupted SIG DELAY CMD...: CMD, sent SIG after DELAY seconds, dies
# of SIG (or exits 1 saying it was interrupted), and dest/ is empty.
# DELAY "written" sends it once a file appears in dest/, whatever the
# machine's speed (compose writes 512 MB in well under a second).
interrupted() {
	sig=$1 delay=$2
	shift 2
	rm -rf dest
	mkdir dest
	(exec_sigint timeout -s KILL 120 "$@") >"$T/out" 2>"$T/err" &
	pid=$!
	if [ "$delay" = written ]; then
		tries=0
		while [ -z "$(ls -A dest)" ] && kill -0 "$pid" 2>/dev/null &&
		    [ $tries -lt 6000 ]; do
			sleep 0.01
			tries=$((tries + 1))
		done
	else
		sleep "$delay"
	fi
	# $pid is timeout by now, which hands the signal to the command.
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
	[ "$rc" -eq "$want" ] ||
	    { fail "exit status $rc after SIG$sig, expected $want (ran: $*)"; return 1; }
	[ -z "$(ls -A dest)" ] ||
	    { fail "dest/ holds after SIG$sig: $(ls -A dest) (ran: $*)"; return 1; }
	! [ -s "$T/err" ] || expect_err "interrupted" ||
	    { echo "  (ran: $*)"; return 1; }
}

# A profile whose one element has 999,999 children, within every limit:
# some 0.3 s of CPU parsing it (libxml2, then our tree), so the signal
# comes 0.1 s in, while the depot is read (a signal before the handler is
# set kills the command as well, and leaves nothing either).
test_signal_while_parsing() {
	"$PYTHON" "$TOP/tests/hostile/mkdoc.py" doc "$SPECS/mini8.spec" \
	    wide.zip profile children --count 999999 ||
	    { fail "mkdoc failed"; return 1; }
	for sig in INT TERM HUP; do
		interrupted $sig 0.1 "$DEPOT" unpack wide.zip $O &&
		    interrupted $sig 0.1 "$DEPOT" unpack --verify wide.zip $O &&
		    interrupted $sig 0.1 "$DEPOT" extract wide.zip $O &&
		    interrupted $sig 0.1 "$DEPOT" extract --vibs wide.zip $O ||
		    return 1
	done
}

# 1 GiB of zeros beside the depot, written by unpack --all: the signal
# lands while libzip inflates it and the copy hashes and writes it.
test_signal_while_inflating() {
	mk big-member || return 1
	for sig in INT TERM HUP; do
		interrupted $sig 0.3 "$DEPOT" unpack --all big-member.bin $O &&
		    interrupted $sig 0.3 "$DEPOT" unpack --all --verify \
		    big-member.bin $O || return 1
	done
}

# compose of a 512 MB depot: the signal lands while compose writes
# OUT.zip through its temporary OUT.zip.XXXXXX (sent once that file
# appears), which must go too (the copy stops on the flag and the
# temporary file is removed, or libzip's zip_close rolls it back).
test_signal_while_composing() {
	"$PYTHON" "$TOP/tests/mkdepot.py" --bench big.zip --size-mb 512 \
	    --vibs 8 >/dev/null || { fail "mkdepot failed"; return 1; }
	for sig in INT TERM HUP; do
		interrupted $sig written "$DEPOT" compose --force \
		    --profile ESXi-8.0U3e-bench-standard --name X-new big.zip \
		    $O.zip || return 1
	done
	expect_err "dest/out.zip: interrupted; nothing was written"
}
