# outdir_inside.sh - an OUTDIR whose parent its user cannot write: staged inside OUTDIR, names moved in one by one.
# SPDX-License-Identifier: BSD-2-Clause

BUNDLE=${BUNDLE:-$TOP/$BUILD/esxbundle}

# OUTDIR exists and is the user's, its parent is read-only to them: the
# temporary folder is made inside OUTDIR, what OUTDIR held stays, the new
# files are moved in, and no temporary folder is left.
test_extract_into_outdir_of_readonly_parent() {
	as=
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null 2>&1 ||
		    { skip "running as root without setpriv"; return 0; }
		as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	fi
	d=$(mktemp -d "${TMPDIR:-/tmp}/esxstage-ro.XXXXXX")
	cp "$(fixture wrapper-mft)" "$d/pkg.zip"
	mkdir -p "$d/ro/out"
	echo old >"$d/ro/out/keep.txt"
	chmod 755 "$d" && chmod 644 "$d/pkg.zip"
	if [ -n "$as" ]; then chown -R 65534:65534 "$d/ro/out"; fi
	chmod 555 "$d/ro"
	run $as "$DEPOT" extract "$d/pkg.zip" "$d/ro/out"
	ok=0
	expect_status 0 && [ "$(cat "$d/ro/out/keep.txt")" = old ] ||
	    fail "keep.txt lost" || ok=1
	n=$(ls -A "$d/ro/out" | grep -cv '^keep.txt$' || true)
	[ "$ok" = 0 ] && [ "$n" -gt 0 ] || fail "nothing extracted" || ok=1
	left=$(ls -A "$d/ro/out" "$d/ro" | grep -F '.depot-' || true)
	[ "$ok" = 0 ] && [ -z "$left" ] || fail "left behind: $left" || ok=1
	chmod 755 "$d/ro"
	rm -rf "$d"
	return $ok
}

# The same OUTDIR cannot be replaced as a whole (esxbundle create --force
# swaps the folder): refused, and OUTDIR is as it was.
test_bundle_force_refused_when_staged_inside() {
	as=
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null 2>&1 ||
		    { skip "running as root without setpriv"; return 0; }
		as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	fi
	d=$(mktemp -d "${TMPDIR:-/tmp}/esxstage-ro.XXXXXX")
	cp "$(fixture component7)" "$d/comp.zip"
	mkdir -p "$d/ro/out"
	echo old >"$d/ro/out/keep.txt"
	chmod 755 "$d" && chmod 644 "$d/comp.zip"
	if [ -n "$as" ]; then chown -R 65534:65534 "$d/ro/out"; fi
	chmod 555 "$d/ro"
	run $as "$BUNDLE" create "$d/ro/out" --datastore ds1 --add "$d/comp.zip" \
	    --force
	ok=0
	expect_status 2 &&
	    expect_err "esxbundle: $d/ro/out: cannot be replaced as a whole: it is a mount point, or its parent folder '$d/ro' is not writable" &&
	    [ "$(ls -A "$d/ro/out")" = keep.txt ] || ok=1
	chmod 755 "$d/ro"
	rm -rf "$d"
	return $ok
}
