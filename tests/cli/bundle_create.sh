# bundle_create.sh - bundle create/verify/show on the workstation side.
# SPDX-License-Identifier: BSD-2-Clause

BUNDLE="$TOP/$BUILD/bundle"
trust() { echo --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt"; }

# nothing_written DIR: no DIR, and no temporary folder left beside it.
nothing_written() {
	[ ! -e "$1" ] || fail "$1 exists" || return 1
	leftovers=$(ls -A . | grep -F ".$1.tmp-" || true)
	[ -z "$leftovers" ] || fail "left behind: $leftovers"
}

make_bundle() { # OUTDIR [more args]
	out=$1
	shift
	# shellcheck disable=SC2046
	run "$BUNDLE" create "$out" --datastore datastore1 \
	    --depot "$(fixture verify8)" $(trust) "$@"
}

test_create_writes_everything() {
	make_bundle bdl
	expect_status 0 && expect_out "Bundle written to bdl (1 step)" &&
	    expect_out "image profile ESXi-8.0U3e-24677879-standard (6 VIBs)" ||
	    return 1
	for f in verify8.zip SHA256SUMS manifest.json install.sh README.txt; do
		[ -f "bdl/$f" ] || fail "bdl/$f missing" || return 1
	done
	[ -x bdl/install.sh ] || fail "install.sh not executable" || return 1
	(cd bdl && sha256sum -c SHA256SUMS >/dev/null) ||
	    fail "sha256sum -c fails" || return 1
	(cd bdl && busybox sha256sum -c SHA256SUMS >/dev/null) ||
	    fail "busybox sha256sum -c fails" || return 1
	shellcheck -s sh bdl/install.sh || fail "shellcheck" || return 1
	"$PYTHON" -m json.tool bdl/manifest.json >/dev/null ||
	    fail "manifest.json is not JSON" || return 1
	grep -q "/vmfs/volumes/datastore1/esxstage/bdl" bdl/README.txt ||
	    fail "README.txt does not say where to upload"
}

test_verify_and_show() {
	make_bundle bdl
	run "$BUNDLE" verify bdl
	expect_status 0 && expect_out "bdl: OK (4 files match SHA256SUMS)" ||
	    return 1
	run "$BUNDLE" show bdl
	expect_status 0 &&
	    expect_out "1. update the host to image profile ESXi-8.0U3e-24677879-standard from verify8.zip"
}

test_verify_catches_damage() {
	make_bundle bdl
	printf 'x' | dd of=bdl/verify8.zip bs=1 seek=100 conv=notrunc 2>/dev/null
	run "$BUNDLE" verify bdl
	expect_status 1 && expect_out "verify8.zip: SHA-256 mismatch" &&
	    expect_err "bundle: bdl: FAILED: the bundle does not match its SHA256SUMS" &&
	    expect_err_lines 1
}

test_tar() {
	make_bundle bdl --tar
	expect_status 0 && expect_out "Single file: bdl.tar" || return 1
	mkdir x && tar -xf bdl.tar -C x || fail "tar cannot read bdl.tar" ||
	    return 1
	(cd x/bdl && sha256sum -c SHA256SUMS >/dev/null) ||
	    fail "the tar's files do not match"
}

test_existing_outdir_refused_then_forced() {
	mkdir bdl && echo old >bdl/old.txt
	make_bundle bdl
	expect_status 1 && expect_err "bdl: already exists; give --force" ||
	    return 1
	[ -f bdl/old.txt ] || fail "the old folder was touched" || return 1
	make_bundle bdl --force
	expect_status 0 && [ ! -e bdl/old.txt ] && [ -f bdl/install.sh ] ||
	    fail "--force did not replace the folder" || return 1
	[ -z "$(ls -A . | grep -F '.bdl.old-' || true)" ] ||
	    fail "the old folder was left beside it"
}

test_bad_input_writes_nothing() {
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture verify8)" bad.zip ne1000 \
	    flip-payload
	# shellcheck disable=SC2046
	run "$BUNDLE" create bdl --datastore datastore1 --depot bad.zip $(trust)
	expect_status 1 &&
	    expect_err "bundle: bad.zip: VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510: " &&
	    expect_err_lines 1 && nothing_written bdl
}

test_unsigned_certified_refused() {
	run "$BUNDLE" create bdl --datastore ds1 --add "$(fixture component7)"
	expect_status 1 &&
	    expect_err "unsigned (empty sig.pkcs7), but the acceptance level is certified" &&
	    nothing_written bdl
}

test_unknown_profile() {
	make_bundle bdl --profile nope
	expect_status 1 && expect_err "no image profile found with name 'nope'" &&
	    nothing_written bdl
}

test_usage_errors() {
	run "$BUNDLE" create bdl --depot "$(fixture verify8)"
	expect_status 2 && expect_err "--datastore NAME is required" || return 1
	run "$BUNDLE" create bdl --datastore ds1
	expect_status 2 && expect_err "nothing to bundle" || return 1
	run "$BUNDLE" create bdl --datastore ds1 --profile x --add y.vib
	expect_status 2 && expect_err "--profile needs --depot" || return 1
	run "$BUNDLE" create bdl --datastore ds1 --dir ../x --add y.vib
	expect_status 2 && expect_err "must be a folder relative to the datastore" ||
	    return 1
	run "$BUNDLE" frob
	expect_status 2 && expect_err "bundle: unknown command 'frob'" || return 1
	run "$BUNDLE" verify
	expect_status 2 && expect_err "verify: expected 1 operand" || return 1
	run "$BUNDLE" verify nowhere
	expect_status 2 && expect_err "nowhere/SHA256SUMS: cannot open"
}

# Hostile names cannot break or inject into install.sh: file names are
# made plain in the bundle, and every value in the script is quoted.
test_hostile_names() {
	name=$(printf 'odd $(touch PWNED) `id` it'"'"'s\n.zip')
	cp "$(fixture verify8)" "$name"
	ds='data store'"'"'1 $(touch PWNED2)'
	# shellcheck disable=SC2046
	run "$BUNDLE" create bdl --datastore "$ds" --dir 'a b/"c"' \
	    --depot "$name" $(trust)
	expect_status 0 || return 1
	shellcheck -s sh bdl/install.sh || fail "shellcheck" || return 1
	for shell in dash "busybox sh"; do
		$shell bdl/install.sh show >show.out 2>&1
		grep -qF "/vmfs/volumes/$ds/a b/\"c\"" show.out ||
		    fail "$shell: the datastore path did not survive" ||
		    return 1
		grep -qF "odd___touch_PWNED___id__it_s_.zip" show.out ||
		    fail "$shell: the file name is not the plain one" ||
		    return 1
	done
	[ ! -e PWNED ] && [ ! -e PWNED2 ] && [ ! -e bdl/PWNED ] ||
	    fail "a name was executed"
}

test_man_page() {
	command -v mandoc >/dev/null 2>&1 ||
	    { skip "mandoc is not installed"; return 0; }
	run mandoc -Tlint -W warning "$TOP/bundle.1"
	expect_status 0 || return 1
	for verb in $("$BUNDLE" --help | sed -n 's/^  bundle \([a-z-]*\).*/\1/p'); do
		grep -q "^\.Cm $verb\$" "$TOP/bundle.1" ||
		    fail "bundle.1 does not describe '$verb'" || return 1
	done
}
