# bundle_create.sh - esxbundle create/verify/show on the workstation side.
# SPDX-License-Identifier: BSD-2-Clause

BUNDLE=${BUNDLE:-$TOP/$BUILD/esxbundle}
trust() { echo --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt"; }

# nothing_written DIR: no DIR, and no temporary folder left beside it
# (.DIR.depot-*: its own stage, or where vendor packages were unwrapped).
nothing_written() {
	[ ! -e "$1" ] || fail "$1 exists" || return 1
	leftovers=$(ls -A . | grep -F ".$1." || true)
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

# show reads manifest.json as JSON, not as text laid out one way: the
# same document re-indented with its keys in another order reads the same.
test_show_reads_reformatted_manifest() {
	make_bundle bdl
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[1], "w").write(json.dumps(dict(reversed(list(d.items()))),
    indent="\t", separators=(" ,", " : ")))' bdl/manifest.json ||
	    fail "cannot rewrite manifest.json" || return 1
	head -c 40 bdl/manifest.json | grep -q '^{' || return 1
	run "$BUNDLE" show bdl
	expect_status 0 &&
	    expect_out "1. update the host to image profile ESXi-8.0U3e-24677879-standard from verify8.zip"
}

# A manifest.json that is not JSON, or has no steps, is refused with where.
test_show_refuses_malformed_manifest() {
	make_bundle bdl
	printf '{\n  "tool": "x",\n  "steps": [\n    "a",,\n  ]\n}\n' \
	    >bdl/manifest.json
	run "$BUNDLE" show bdl
	expect_status 1 &&
	    expect_err "esxbundle: bdl/manifest.json: line 4 column 9: " &&
	    expect_err_lines 1 && expect_no_out || return 1
	printf '{"steps": {"a": 1}}' >bdl/manifest.json
	run "$BUNDLE" show bdl
	expect_status 1 &&
	    expect_err "esxbundle: bdl/manifest.json: no \"steps\" list" ||
	    return 1
	printf '{"steps": ["a", 2]}' >bdl/manifest.json
	run "$BUNDLE" show bdl
	expect_status 1 &&
	    expect_err "esxbundle: bdl/manifest.json: step 2 is not a string" ||
	    return 1
	printf '{"steps": [], "steps": ["a"]}' >bdl/manifest.json
	run "$BUNDLE" show bdl
	expect_status 1 && expect_err "duplicate object key"
}

test_verify_catches_damage() {
	make_bundle bdl
	printf 'x' | dd of=bdl/verify8.zip bs=1 seek=100 conv=notrunc 2>/dev/null
	run "$BUNDLE" verify bdl
	expect_status 1 && expect_out "verify8.zip: SHA-256 mismatch" &&
	    expect_err "esxbundle: bdl: FAILED: the bundle does not match its SHA256SUMS" &&
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

# The tar is libarchive's: busybox tar (what an admin may have) lists and
# extracts it; its entries carry the files' times, not 1970.
test_tar_busybox_and_mtimes() {
	make_bundle bdl --tar
	expect_status 0 || return 1
	busybox tar -tvf bdl.tar >list || fail "busybox tar cannot list" ||
	    return 1
	grep -q ' bdl/install.sh$' list && grep -q ' bdl/$' list ||
	    fail "the listing lacks bdl/ or bdl/install.sh: $(cat list)" ||
	    return 1
	year=$(date +%Y)
	[ "$(grep -c " $year-" list)" = "$(wc -l <list)" ] ||
	    fail "entries not dated $year: $(cat list)" || return 1
	mkdir x && busybox tar -xf bdl.tar -C x ||
	    fail "busybox tar cannot extract" || return 1
	if ! (cd x/bdl && busybox sha256sum -c SHA256SUMS >/dev/null) ||
	    [ ! -x x/bdl/install.sh ]; then
		fail "busybox's extraction differs"
	fi
}

test_tar_source_date_epoch() {
	SOURCE_DATE_EPOCH=1700000000 make_bundle bdl --tar
	expect_status 0 || return 1
	busybox tar -tvf bdl.tar >list || return 1
	[ "$(grep -c ' 2023-11-14 ' list)" = "$(wc -l <list)" ] ||
	    fail "entries not dated SOURCE_DATE_EPOCH: $(cat list)"
}

# verify and show take the tar they made as well as the folder.
test_verify_and_show_tar() {
	make_bundle bdl --tar
	expect_status 0 || return 1
	rm -rf bdl
	run "$BUNDLE" verify bdl.tar
	expect_status 0 && expect_out "bdl.tar: OK (4 files match SHA256SUMS)" ||
	    return 1
	run "$BUNDLE" show bdl.tar
	expect_status 0 &&
	    expect_out "1. update the host to image profile ESXi-8.0U3e-24677879-standard from verify8.zip" ||
	    return 1
	# A damaged byte in a file inside the tar: the check finds it.
	off=$(grep -abo 'esxstage bundle for' bdl.tar | head -1 | cut -d: -f1)
	[ -n "$off" ] || fail "README.txt not found in the tar" || return 1
	printf 'X' | dd of=bdl.tar bs=1 seek="$off" conv=notrunc 2>/dev/null
	run "$BUNDLE" verify bdl.tar
	expect_status 1 && expect_out "README.txt: SHA-256 mismatch" &&
	    expect_err "esxbundle: bdl.tar: FAILED: the bundle does not match its SHA256SUMS" ||
	    return 1
	# Not a tar at all.
	echo junk >junk.tar
	run "$BUNDLE" verify junk.tar
	expect_status 1 && expect_err "esxbundle: junk.tar: " && expect_no_out
}

# A file in the folder that SHA256SUMS does not list is reported; the
# files install.sh itself writes on the host are not.
test_verify_reports_unlisted_files() {
	make_bundle bdl
	echo x >bdl/stray.txt
	mkdir bdl/sub && echo y >bdl/sub/more.bin
	echo log >bdl/install.log
	mkdir bdl/backup && echo z >bdl/backup/configBundle-1.tgz
	run "$BUNDLE" verify bdl
	expect_status 1 && expect_out "stray.txt: not in SHA256SUMS" &&
	    expect_out "sub/more.bin: not in SHA256SUMS" &&
	    expect_err "esxbundle: bdl: FAILED: 2 files are not in SHA256SUMS" &&
	    expect_err_lines 1 || return 1
	! grep -q "install.log\|backup" "$T/out" ||
	    fail "host-written files reported" || return 1
	rm -rf bdl/stray.txt bdl/sub
	run "$BUNDLE" verify bdl
	expect_status 0 && expect_out "bdl: OK (4 files match SHA256SUMS)"
}

# manifest.json is checked too: JSON, and its inputs in SHA256SUMS.
test_verify_checks_manifest() {
	make_bundle bdl
	sed 's/"sha256": "[0-9a-f]*"/"sha256": "00"/' bdl/manifest.json >m &&
	    cp m bdl/manifest.json
	(cd bdl && grep -v ' manifest.json$' SHA256SUMS >s &&
	    sha256sum manifest.json >>s && mv s SHA256SUMS)
	run "$BUNDLE" verify bdl
	expect_status 1 &&
	    expect_out "manifest.json: input verify8.zip: SHA-256 00 recorded" ||
	    return 1
	printf '{"inputs": [' >bdl/manifest.json
	run "$BUNDLE" verify bdl
	expect_status 1 && expect_out "manifest.json: line 1 column 12: "
}

test_verify_show_json() {
	make_bundle bdl
	echo x >bdl/stray.txt
	run "$BUNDLE" verify --json bdl
	expect_status 1 && expect_err_lines 1 || return 1
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d == {"bundle": "bdl", "ok": False, "files": 4, "problems": [],
    "not_in_sha256sums": ["stray.txt"]}, d' "$T/out" ||
	    fail "verify --json: $(cat "$T/out")" || return 1
	run "$BUNDLE" show --json bdl
	expect_status 0 || return 1
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["bundle"] == "bdl" and len(d["steps"]) == 1, d
assert d["steps"][0].startswith("update the host to image profile"), d
' "$T/out" || fail "show --json: $(cat "$T/out")"
}

# manifest.json names each input by its file name, never by where it was
# on the workstation; one file given to --add twice is bundled once.
test_manifest_names_and_twice_added() {
	cp "$(fixture verify8)" v8.zip
	# shellcheck disable=SC2046
	run "$BUNDLE" create bdl --datastore ds --add "$PWD/v8.zip" \
	    --add ./v8.zip $(trust)
	expect_status 0 &&
	    expect_out "./v8.zip: given to --add more than once; bundled once" &&
	    expect_out "Bundle written to bdl (1 step)" || return 1
	! grep -qF "$PWD" bdl/manifest.json ||
	    fail "manifest.json records $PWD" || return 1
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert [i["source"] for i in d["inputs"]] == ["v8.zip"], d["inputs"]
' bdl/manifest.json || return 1
	[ "$(grep -c ' v8.zip$' bdl/SHA256SUMS)" = 1 ] || fail "two copies"
}

test_create_json() {
	make_bundle bdl --tar --json
	expect_status 0 && [ -f bdl.tar ] || return 1
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["bundle"] == "bdl" and d["tar"] == "bdl.tar", d
assert d["datastore"] == "datastore1" and d["dir"] == "esxstage/bdl", d
assert [(i["name"], i["kind"]) for i in d["items"]] == \
    [("verify8.zip", "profile-depot")], d
assert len(d["items"][0]["sha256"]) == 64 and len(d["notes"]) == 1, d
' "$T/out" || fail "create --json: $(cat "$T/out")"
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
	    expect_err "esxbundle: bad.zip: VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510: " &&
	    expect_err_lines 1 && nothing_written bdl
}

# A depot and a component are verified and copied at once (the component
# beside the depot's VIBs, on one of the --jobs threads): SHA256SUMS lists
# the bytes bundled in the plan's order, whatever finished first.
test_depot_and_component_at_once() {
	for jobs in 1 2 3; do
		rm -rf "bdl$jobs"
		# shellcheck disable=SC2046
		run "$BUNDLE" create "bdl$jobs" --datastore ds1 --jobs "$jobs" \
		    --depot "$(fixture signed8)" --add "$(fixture fit-acme8-v1)" \
		    $(trust)
		expect_status 0 && expect_out "(2 steps)" || return 1
		"$PYTHON" -c '
import hashlib, sys
d = sys.argv[1]
lines = open(d + "/SHA256SUMS").read().splitlines()
names = [l.split("  ", 1)[1] for l in lines]
assert names[:2] == ["signed8.zip", "fit-acme8-v1.zip"], names
for l in lines:
    want, name = l.split("  ", 1)
    got = hashlib.sha256(open(d + "/" + name, "rb").read()).hexdigest()
    assert got == want, (name, got, want)
' "bdl$jobs" || fail "bdl$jobs/SHA256SUMS is wrong" || return 1
		cmp -s "$(fixture fit-acme8-v1)" "bdl$jobs/fit-acme8-v1.zip" ||
		    fail "the component's copy differs" || return 1
	done
}

# A tampered component checked beside a good depot is refused with its
# reason; with the depot tampered too, the plan's first input (the
# depot) is the one named, however the threads ran.
test_bad_component_beside_depot_refused() {
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture fit-acme8-v1)" badc.zip \
	    acme-nic flip-payload || return 1
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture signed8)" badd.zip \
	    ne1000 flip-payload || return 1
	for jobs in 1 2; do
		# shellcheck disable=SC2046
		run "$BUNDLE" create bdl --datastore ds1 --jobs "$jobs" \
		    --depot "$(fixture signed8)" --add badc.zip $(trust)
		expect_status 1 &&
		    expect_err "esxbundle: badc.zip: ACM_bootbank_acme-nic_1.0.0.0-1OEM.800.1.0.20613240: " &&
		    expect_err_lines 1 && nothing_written bdl || return 1
		# shellcheck disable=SC2046
		run "$BUNDLE" create bdl --datastore ds1 --jobs "$jobs" \
		    --depot badd.zip --add badc.zip $(trust)
		expect_status 1 &&
		    expect_err "esxbundle: badd.zip: VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510: " &&
		    expect_err_lines 1 && nothing_written bdl || return 1
	done
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
	expect_status 2 && expect_err "esxbundle: unknown command 'frob'" || return 1
	run "$BUNDLE" verify
	expect_status 2 && expect_err "verify: expected 1 operand" || return 1
	run "$BUNDLE" verify nowhere
	expect_status 2 && expect_err "nowhere: cannot open" || return 1
	run "$BUNDLE" verify --frob bdl
	expect_status 2 && expect_err "verify: unknown option '--frob'" || return 1
	# verify and show parse options as create and depot's verbs do.
	run "$BUNDLE" show --jsn bdl
	expect_status 2 && expect_err "esxbundle: show: unknown option '--jsn'; did you mean '--json'?" &&
	    expect_err "usage: esxbundle show [--json] BUNDLE" || return 1
	run "$BUNDLE" show -x bdl
	expect_status 2 && expect_err "esxbundle: show: unknown option '-x'" || return 1
	run "$BUNDLE" verify --json=yes bdl
	expect_status 2 && expect_err "esxbundle: verify: option '--json' takes no value" || return 1
	run "$BUNDLE" show bdl other
	expect_status 2 && expect_err "esxbundle: show: expected 1 operand (the bundle folder, or its tar), got 2" || return 1
	run "$BUNDLE" show --help
	expect_status 0 && expect_out "usage: esxbundle show [--json] BUNDLE"
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

# A vendor package as a tar.gz, made by GNU tar, inside a zip made by
# Python: unwrapped as `depot extract` would, its depot bundled.
test_add_package_nested_tar_gz() {
	mkdir pkg && (cd pkg && unzip -q "$(fixture e2e-nmst-package)") &&
	    tar -czf nmst.tar.gz -C pkg . &&
	    "$PYTHON" -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.write(sys.argv[2], "NMST/" + sys.argv[2])' outer.zip nmst.tar.gz ||
	    fail "cannot build the package" || return 1
	# shellcheck disable=SC2046
	run "$BUNDLE" create bdl --datastore ds1 --add outer.zip $(trust)
	expect_status 0 &&
	    expect_out "Mellanox-NATIVE-NMST_4.18.1.14-1OEM.700.1.0.15843807_19206114.zip: from the package outer.zip" ||
	    return 1
	(cd bdl && sha256sum -c SHA256SUMS >/dev/null) ||
	    fail "sha256sum -c fails" || return 1
	grep -q '"source": "outer.zip!NMST/nmst.tar.gz!' bdl/manifest.json ||
	    fail "manifest.json does not say where the depot came from" ||
	    return 1
	[ -z "$(ls -A . | grep -F '.bdl.' || true)" ] ||
	    fail "a staging folder was left: $(ls -A .)"
}

# A bad depot deep in a package is named by its chain; nothing written.
test_add_package_bad_depot_inside() {
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture verify8)" bad.zip ne1000 \
	    flip-payload
	mkdir pkg && cp bad.zip pkg/ && tar -czf pkg.tar.gz -C pkg . ||
	    return 1
	# shellcheck disable=SC2046
	run "$BUNDLE" create bdl --datastore ds1 --add pkg.tar.gz $(trust)
	expect_status 1 &&
	    expect_err "esxbundle: pkg.tar.gz!bad.zip: VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510: " &&
	    expect_err_lines 1 && nothing_written bdl
}

test_intel_nvm_bundle() {
	# shellcheck disable=SC2046
	run "$BUNDLE" create bdl --datastore ds1 --tar \
	    --intel-nvm "$(fixture wrapper-intel)" $(trust)
	expect_status 0 &&
	    expect_out "700Series_NVMUpdatePackage_v9_52_ESX/: Intel NVM update tool 9.52 for 700Series, 2 NVM images" &&
	    expect_out "1 other installable item left out" || return 1
	d=bdl/700Series_NVMUpdatePackage_v9_52_ESX
	for f in nvmupdaten64e nvmupdate.cfg X710_4P_v9_52.bin \
	    XXV710_DA2_v9_52.bin; do
		grep -q "  700Series_NVMUpdatePackage_v9_52_ESX/$f\$" \
		    bdl/SHA256SUMS || fail "SHA256SUMS lacks $f" || return 1
	done
	[ -x "$d/nvmupdaten64e" ] || fail "the tool is not executable" ||
	    return 1
	(cd bdl && busybox sha256sum -c SHA256SUMS >/dev/null) ||
	    fail "busybox sha256sum -c fails" || return 1
	run "$BUNDLE" verify bdl
	expect_status 0 && expect_out "bdl: OK (7 files match SHA256SUMS)" ||
	    return 1
	run "$BUNDLE" show bdl
	expect_status 0 &&
	    expect_out "1. update the Intel NICs' NVM to 9.52 with the tool in 700Series_NVMUpdatePackage_v9_52_ESX/ (nvmupdaten64e -u)" ||
	    return 1
	grep -q '"kind": "intel-nvm-tool"' bdl/manifest.json ||
	    fail "manifest.json lacks the tool" || return 1
	tar -tvf bdl.tar >tar.list || return 1
	grep -q '^drwx.* bdl/700Series_NVMUpdatePackage_v9_52_ESX/$' tar.list &&
	    grep -q '^-rwxr-xr-x.* bdl/700Series_NVMUpdatePackage_v9_52_ESX/nvmupdaten64e$' tar.list ||
	    fail "the tar lacks the tool folder or its mode: $(cat tar.list)" ||
	    return 1
	shellcheck -s sh bdl/install.sh || fail "shellcheck"
	# A damaged image is caught like any other file.
	printf 'x' | dd of="$d/X710_4P_v9_52.bin" bs=1 seek=10 conv=notrunc \
	    2>/dev/null
	run "$BUNDLE" verify bdl
	expect_status 1 &&
	    expect_out "700Series_NVMUpdatePackage_v9_52_ESX/X710_4P_v9_52.bin: SHA-256 mismatch"
}

test_intel_nvm_errors() {
	run "$BUNDLE" create bdl --datastore ds1 \
	    --intel-nvm "$(fixture e2e-nmst-package)"
	expect_status 1 &&
	    expect_err "esxbundle: $(fixture e2e-nmst-package): holds no Intel NVM update tool (nvmupdaten64e with its nvmupdate.cfg); see 'depot info" &&
	    expect_err_lines 1 && nothing_written bdl || return 1
	run "$BUNDLE" create bdl --datastore ds1 --add "$(fixture intel-nvm-esx)"
	expect_status 1 &&
	    expect_err "holds only the Intel NVM update tool: give it with --intel-nvm" &&
	    expect_err_lines 1 && nothing_written bdl || return 1
	run "$BUNDLE" create bdl --datastore ds1 --intel-nvm a --intel-nvm b
	expect_status 2 && expect_err "--intel-nvm is given once" || return 1
	# The cfg names an image the package lacks.
	mkdir -p t/700Series/ESXi_x64 && tar -xzf "$(fixture intel-nvm-esx)" -C t &&
	    rm t/700Series/ESXi_x64/XXV710_DA2_v9_52.bin &&
	    tar -czf nvm.tar.gz -C t 700Series || return 1
	run "$BUNDLE" create bdl --datastore ds1 --intel-nvm nvm.tar.gz
	expect_status 1 &&
	    expect_err "esxbundle: nvm.tar.gz!700Series/ESXi_x64: nvmupdate.cfg names the NVM image XXV710_DA2_v9_52.bin, which the package does not hold" &&
	    expect_err_lines 1 && nothing_written bdl
}

# An input cannot take a name the bundle uses itself.
test_reserved_name_refused() {
	cp "$(fixture verify8)" manifest.json
	# shellcheck disable=SC2046
	run "$BUNDLE" create bdl --datastore ds1 --add manifest.json $(trust)
	expect_status 1 &&
	    expect_err "esxbundle: manifest.json: would be 'manifest.json' in the bundle, a name the bundle uses itself; rename it" &&
	    expect_err_lines 1 && nothing_written bdl
}

test_man_page() {
	command -v mandoc >/dev/null 2>&1 ||
	    { skip "mandoc is not installed"; return 0; }
	run mandoc -Tlint -W warning "$TOP/esxbundle.1"
	expect_status 0 || return 1
	for verb in $("$BUNDLE" --help | sed -n 's/^  bundle \([a-z-]*\).*/\1/p'); do
		grep -q "^\.Cm $verb\$" "$TOP/esxbundle.1" ||
		    fail "esxbundle.1 does not describe '$verb'" || return 1
	done
}
