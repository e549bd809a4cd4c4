# depot_extract.sh - info on vendor packages, extract, unpack.
# SPDX-License-Identifier: BSD-2-Clause
#
# Output goes to dest/out (O): dest holds nothing else, so expect_clean can
# see that a failure left no temporary folder or partial file behind.

E=testdata/expected
MFT=Mellanox-MFT-Tools_4.18.1.14-1OEM.700.1.0.15843807_19206112
NMST=Mellanox-NATIVE-NMST_4.18.1.14-1OEM.700.1.0.15843807_19206114
FLING=ESXi670-VMKUSB-NIC-FLING-39203948-offline_bundle-16780994
INTEL=700Series_NVMUpdatePackage_v9_52
TOOL=${INTEL}_ESX
MFT_VIB=MEL_bootbank_mft_4.18.1.14-0
OEM_VIB=MEL_bootbank_mft-oem_4.18.1.14-0
INT_VIB=INT_bootbank_nvmupdaten64e_1.43.20.0-1OEM.800.1.0.20613240
O=dest/out

# truth SPEC KIND KEY: the SHA-256 the generator recorded, from its truth
# document: KIND "files" looks KEY up by path, "vibs" by VIB id.
truth() {
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
key = "path" if sys.argv[2] == "files" else "id"
hits = [x["sha256"] for x in d[sys.argv[2]] if x[key] == sys.argv[3]]
assert len(set(hits)) == 1, (sys.argv[3], hits)
print(hits[0])
' "$FIXTURES/$1.truth.json" "$2" "$3"
}

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# expect_file FILE SHA256: FILE exists with exactly that content.
expect_file() {
	[ -f "$1" ] || fail "missing: $1" || return 1
	[ "$(sha "$1")" = "$2" ] || fail "$1: SHA-256 $(sha "$1"), expected $2"
}

# expect_files DIR NAME...: DIR holds exactly these files (and folders).
expect_files() {
	dir=$1
	shift
	(cd "$dir" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) \
	    >"$T/have"
	printf '%s\n' "$@" | LC_ALL=C sort >"$T/want"
	diff -u "$T/want" "$T/have" >"$T/diff" || {
		echo "  files in $dir differ:"
		sed 's/^/  | /' "$T/diff"
		return 1
	}
}

# pkg FIXTURE NAME: the fixture copied under a real download's name (and
# the empty dest/ made for the output).
pkg() {
	mkdir -p dest
	cp "$(fixture "$1")" "$T/$2"
	echo "$2"
}

# mkspec NAME: build the wrapper spec read from stdin into NAME.bin.
mkspec() {
	cat >"$T/$1.spec"
	"$PYTHON" "$TOP/tests/mkdepot.py" "$T/$1.spec" "$T/$1.bin" \
	    >"$T/gen.log" 2>&1 || { cat "$T/gen.log"; return 1; }
}

# ---- info ------------------------------------------------------------------

test_info_mft_tree() {
	p=$(pkg wrapper-mft "$MFT-package.zip")
	run "$DEPOT" info "$p"
	expect_status 0 && expect_out_file "$TOP/$E/wrapper-mft.info"
}

test_info_intel_tree() {
	p=$(pkg wrapper-intel "$INTEL.zip")
	run "$DEPOT" info "$p"
	expect_status 0 && expect_out_file "$TOP/$E/wrapper-intel.info"
}

test_info_json_tree() {
	p=$(pkg wrapper-mft "$MFT-package.zip")
	run "$DEPOT" info --json "$p"
	expect_status 0 && "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["tree"]
assert d["input"] == sys.argv[2] and t["kind"] == "zip", t["kind"]
kinds = {c["name"]: c for c in t["children"]}
assert kinds["doc/"]["kind"] == "folder"
assert [c["kind"] for c in kinds["doc/"]["children"]] == ["documentation"] * 2
dep = kinds[sys.argv[3] + ".zip"]
assert dep["kind"] == "depot" and dep["installable"], dep
assert dep["depot"]["vendors"] == [{"name": "Mellanox", "code": "MEL"}]
assert dep["depot"]["kind"] == "component depot" and dep["depot"]["vibs"] == 2
vibs = {v["vib"]["name"]: v for v in dep["children"]}
assert vibs["mft"]["note"] == "the tools VIB"
assert vibs["mft-oem"]["note"] == "OEM variant, not the tools"
assert vibs["mft"]["vib"]["acceptance_level"] == "partner"
assert not vibs["mft"]["installable"] and vibs["mft"]["vib"]["in_depot"]
assert d["installable"] == [sys.argv[3] + ".zip"], d["installable"]
' "$T/out" "$p" "$MFT"
}

test_info_nmst_fling_hpe() {
	run "$DEPOT" info "$(fixture wrapper-nmst)"
	expect_status 0 &&
	    expect_out "  $NMST.zip: component depot, vendor Mellanox (MEL), for embeddedEsx 7.0.0, 1 VIB  [installable]" &&
	    expect_out "    README.txt: documentation" || return 1
	run "$DEPOT" info "$(fixture wrapper-fling)"
	expect_status 0 &&
	    expect_out "  $FLING.zip: offline bundle, vendor VMware (VMW), for embeddedEsx 6.*, 1 VIB  [installable]" || return 1
	run "$DEPOT" info "$(fixture wrapper-hpe-cp)"
	expect_status 0 &&
	    expect_out "  CP045678_VMw.zip: offline bundle, vendor Hewlett Packard Enterprise (HPE)" &&
	    expect_out "Installable: 1 depot" && expect_no_out_line "CP045678.xml: .*installable"
}

expect_no_out_line() {
	! grep -q -- "$1" "$T/out" || fail "stdout has: $1"
}

test_info_expanded_twice_nested() {
	run "$DEPOT" info "$(fixture wrapper-expanded)"
	expect_status 0 &&
	    expect_out "  $MFT/: expanded depot folder: component depot, vendor Mellanox (MEL), for embeddedEsx 7.0.0, 2 VIBs  [installable]" &&
	    expect_out "    $MFT_VIB.vib: VIB mft 4.18.1.14-0, vendor MEL, PartnerSupported: the tools VIB" || return 1
	run "$DEPOT" info "$(fixture wrapper-twice)"
	expect_status 0 &&
	    expect_out "    $MFT.zip: depot (same content as $(fixture wrapper-twice)!$MFT.zip)" &&
	    expect_out "Installable: 1 depot, 1 VIB" || return 1
	run "$DEPOT" info "$(fixture nest8)"
	expect_status 0 &&
	    expect_out "              nest-1.zip: patch depot with image profiles" || return 1
	run "$DEPOT" info "$(fixture wrapper-nested)"
	expect_status 0 && expect_out "Installable: 2 depots"
}

test_info_tar_gz_input() {
	p=$(pkg intel-nvm-esx "${INTEL}_ESX.tar.gz")
	run "$DEPOT" info "$p"
	expect_status 0 &&
	    expect_out "    ESXi_x64/: Intel NVM update tool 9.52 for 700Series, config 1.20.0, 2 devices, 2 NVM images  [installable]" &&
	    expect_out "      nvmupdaten64e: file: the tool" &&
	    expect_out "      nvmupdate.cfg: file: its configuration" &&
	    expect_out "      X710_4P_v9_52.bin: file: NVM image"
}

test_info_nothing_installable() {
	mkspec docs <<'EOF'
[wrapper]
[member doc/README.txt]
text = only documentation here
EOF
	run "$DEPOT" info "$T/docs.bin"
	expect_status 1 && expect_out "README.txt: documentation" &&
	    expect_err "depot: $T/docs.bin: holds no depot, VIB or NVM update tool" &&
	    expect_err_lines 1
}

# list-* keep refusing a wrapper, naming what it holds.
test_list_on_package_still_fails() {
	run "$DEPOT" list-vibs "$(fixture wrapper-mft)"
	expect_status 1 &&
	    expect_err "not a depot, but a package that holds the depot $MFT.zip" &&
	    expect_err_lines 1 && expect_no_out
}

# ---- extract ------------------------------------------------------------------

test_extract_mft() {
	p=$(pkg wrapper-mft "$MFT-package.zip")
	run "$DEPOT" extract "$p" $O
	expect_status 0 && expect_files $O "$MFT.zip" &&
	    expect_file "$O/$MFT.zip" "$(truth wrapper-mft files "$MFT.zip")" &&
	    expect_out "wrote $MFT.zip (component depot, from $p!$MFT.zip)" &&
	    expect_out "skipped $p!doc/release_notes.txt: documentation" &&
	    expect_out "skipped 2 VIBs inside $p!$MFT.zip: inside its depot; --vibs writes it alone" &&
	    expect_out "1 item written to $O" && expect_clean dest out
}

test_extract_mft_vibs() {
	mkdir dest
	run "$DEPOT" extract --vibs "$(fixture wrapper-mft)" $O
	expect_status 0 &&
	    expect_files $O "$MFT.zip" "$MFT_VIB.vib" "$OEM_VIB.vib" &&
	    expect_file "$O/$MFT_VIB.vib" "$(truth wrapper-mft vibs "$MFT_VIB")" &&
	    expect_file "$O/$OEM_VIB.vib" "$(truth wrapper-mft vibs "$OEM_VIB")" &&
	    expect_file "$O/$MFT.zip" "$(truth wrapper-mft files "$MFT.zip")"
}

test_extract_nmst_fling_hpe_at_once() {
	mkdir dest
	run "$DEPOT" extract "$(fixture wrapper-nmst)" "$(fixture wrapper-fling)" \
	    "$(fixture wrapper-hpe-cp)" $O --json
	expect_status 0 &&
	    expect_files $O "$NMST.zip" "$FLING.zip" CP045678_VMw.zip &&
	    expect_file "$O/$NMST.zip" "$(truth wrapper-nmst files "$NMST.zip")" &&
	    expect_file "$O/$FLING.zip" "$(truth wrapper-fling files "$FLING.zip")" &&
	    expect_file $O/CP045678_VMw.zip \
	    "$(truth wrapper-hpe-cp files CP045678_VMw.zip)" &&
	    "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(w["name"] for w in d["written"]) == sorted(sys.argv[2:]), d
assert all(len(w["sha256"]) == 64 for w in d["written"])
assert {s["reason"] for s in d["skipped"]} >= {"documentation"}
' "$T/out" "$NMST.zip" "$FLING.zip" CP045678_VMw.zip
}

test_extract_intel() {
	p=$(pkg wrapper-intel "$INTEL.zip")
	run "$DEPOT" extract "$p" $O
	expect_status 0 &&
	    expect_files $O "$INT_VIB.vib" "$TOOL/nvmupdaten64e" \
	    "$TOOL/nvmupdate.cfg" "$TOOL/X710_4P_v9_52.bin" \
	    "$TOOL/XXV710_DA2_v9_52.bin" || return 1
	for f in nvmupdaten64e nvmupdate.cfg X710_4P_v9_52.bin \
	    XXV710_DA2_v9_52.bin; do
		expect_file "$O/$TOOL/$f" "$(truth wrapper-intel files \
		    "${INTEL}_ESX.tar.gz!700Series/ESXi_x64/$f")" || return 1
	done
	expect_file "$O/$INT_VIB.vib" "$(truth wrapper-intel files "$INT_VIB.vib")" ||
	    return 1
	[ -x "$O/$TOOL/nvmupdaten64e" ] || fail "the tool is not executable" ||
	    return 1
	expect_out "wrote $TOOL/ (Intel NVM update tool, from $p!${INTEL}_ESX.tar.gz!700Series/ESXi_x64)" &&
	    expect_out "skipped $p!${INTEL}_Linux.tar.gz!700Series/Linux_x64/nvmupdate64e: not installable"
}

test_extract_tar_gz_input() {
	p=$(pkg intel-nvm-esx "${INTEL}_ESX.tar.gz")
	run "$DEPOT" extract "$p" $O
	expect_status 0 &&
	    expect_files $O "$TOOL/nvmupdaten64e" "$TOOL/nvmupdate.cfg" \
	    "$TOOL/X710_4P_v9_52.bin" "$TOOL/XXV710_DA2_v9_52.bin" &&
	    expect_file "$O/$TOOL/nvmupdate.cfg" \
	    "$(truth intel-nvm-esx files 700Series/ESXi_x64/nvmupdate.cfg)"
}

# GNU tar, "./" names, the depot last: the listing pass leaves the reader
# past the end, so the depot's data must be read from the start again.
test_extract_depot_last_in_gnu_tar() {
	mkdir dest pkg && (cd pkg && unzip -q "$(fixture e2e-nmst-package)") &&
	    tar -czf nmst.tar.gz -C pkg ./doc "./$NMST.zip" || return 1
	run "$DEPOT" extract nmst.tar.gz $O
	expect_status 0 && expect_files $O "$NMST.zip" &&
	    cmp -s "$O/$NMST.zip" "pkg/$NMST.zip" ||
	    fail "the depot was not written byte for byte"
}

test_extract_expanded_needs_repack() {
	mkdir dest
	run "$DEPOT" extract "$(fixture wrapper-expanded)" $O
	expect_status 1 &&
	    expect_err "nothing to extract: an expanded depot folder is written only with --repack" &&
	    expect_err_lines 1 && expect_no_out && expect_clean dest
}

test_extract_expanded_repack() {
	mkdir dest
	run "$DEPOT" extract --repack --vibs "$(fixture wrapper-expanded)" $O
	expect_status 0 &&
	    expect_files $O "$MFT.zip" "$MFT_VIB.vib" "$OEM_VIB.vib" &&
	    expect_out "wrote $MFT.zip (depot zip repacked from an expanded folder" &&
	    expect_file "$O/$MFT_VIB.vib" "$(truth wrapper-expanded vibs "$MFT_VIB")" ||
	    return 1
	# The repacked zip holds the folder's files, byte for byte.
	"$PYTHON" -c '
import json, sys, zipfile, hashlib
t = json.load(open(sys.argv[1]))
want = {f["path"].split("/", 1)[1]: f["sha256"] for f in t["files"]
        if f["path"].startswith(sys.argv[3] + "/")}
z = zipfile.ZipFile(sys.argv[2])
have = {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}
assert have == want, (sorted(have), sorted(want))
' "$FIXTURES/wrapper-expanded.truth.json" "$O/$MFT.zip" "$MFT" || return 1
	run "$DEPOT" list-vibs "$O/$MFT.zip"
	expect_status 0 && expect_out "mft-oem  4.18.1.14-0"
}

test_extract_same_depot_twice() {
	mkdir dest
	run "$DEPOT" extract --vibs "$(fixture wrapper-twice)" $O
	expect_status 0 &&
	    expect_files $O "$MFT.zip" "$MFT_VIB.vib" "$OEM_VIB.vib" &&
	    expect_file "$O/$MFT.zip" "$(truth wrapper-twice files "$MFT.zip")" &&
	    expect_out "skipped $(fixture wrapper-twice)!copy/$MFT.zip: same content as $MFT.zip" &&
	    expect_out "skipped $(fixture wrapper-twice)!$MFT_VIB.vib: same content as $MFT_VIB.vib"
}

# The same content in two inputs is written once.
test_extract_duplicate_across_inputs() {
	mkdir dest
	run "$DEPOT" extract "$(fixture wrapper-mft)" "$(fixture wrapper-twice)" $O
	expect_status 0 && expect_files $O "$MFT.zip" "$MFT_VIB.vib" &&
	    expect_out "skipped $(fixture wrapper-twice)!$MFT.zip: same content as $MFT.zip"
}

test_extract_nest8() {
	mkdir dest
	run "$DEPOT" extract "$(fixture nest8)" $O
	expect_status 0 && expect_files $O nest-1.zip &&
	    expect_file $O/nest-1.zip "$(truth nest8 files \
	    'wrap.zip!nest-6.zip!nest-5.zip!nest-4.zip!nest-3.zip!nest-2.zip!nest-1.zip')"
}

test_extract_plain_depot_and_vib() {
	mkdir dest
	cp "$(fixture mini8)" mini8.zip
	run "$DEPOT" extract mini8.zip $O
	expect_status 0 && expect_files $O mini8.zip &&
	    expect_file $O/mini8.zip "$(sha mini8.zip)" || return 1
	"$PYTHON" -c '
import sys, zipfile
open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))
' "$(fixture wrapper-intel)" "$INT_VIB.vib"
	run "$DEPOT" extract "$INT_VIB.vib" dest/vib
	expect_status 0 && expect_files dest/vib "$INT_VIB.vib" &&
	    expect_file "dest/vib/$INT_VIB.vib" "$(sha "$INT_VIB.vib")"
}

# An expanded depot inside a tar.gz: the tar is read again, front to back,
# to repack it and to write its VIBs.
test_extract_expanded_in_tar() {
	mkdir dest
	mkspec tgz <<SPEC
[wrapper]
format = tar.gz
directory-entries = yes
[member pkg/readme.txt]
text = see the folder
[member pkg/$MFT]
spec = $TOP/testdata/depots/mft-depot.spec
expand = yes
SPEC
	run "$DEPOT" info tgz.bin
	expect_status 0 &&
	    expect_out "    $MFT/: expanded depot folder: component depot" ||
	    return 1
	run "$DEPOT" extract --repack --vibs tgz.bin $O
	expect_status 0 &&
	    expect_files $O "$MFT.zip" "$MFT_VIB.vib" "$OEM_VIB.vib" &&
	    expect_file "$O/$OEM_VIB.vib" "$(truth wrapper-mft vibs "$OEM_VIB")" ||
	    return 1
	run "$DEPOT" list-vibs "$O/$MFT.zip"
	expect_status 0 && expect_out "mft      4.18.1.14-0"
}

# A folder that merely holds an index.xml is no depot.
test_index_xml_alone_is_not_a_depot() {
	mkspec help <<SPEC
[wrapper]
[member help/index.xml]
text = <toc/>
[member $MFT.zip]
spec = $TOP/testdata/depots/mft-depot.spec
SPEC
	run "$DEPOT" info help.bin
	expect_status 0 && expect_out "    index.xml: file" &&
	    expect_out "Installable: 1 depot"
}

test_info_bare_vib() {
	"$PYTHON" -c '
import sys, zipfile
open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))
' "$(fixture wrapper-intel)" "$INT_VIB.vib"
	run "$DEPOT" info "$INT_VIB.vib"
	expect_status 0 &&
	    expect_out "$INT_VIB.vib: VIB nvmupdaten64e 1.43.20.0-1OEM.800.1.0.20613240, vendor INT, CommunitySupported  [installable]"
}

# ---- extract: failures leave nothing behind ---------------------------------

test_extract_nesting_too_deep() {
	mkdir dest
	run "$DEPOT" extract "$(fixture nest10)" $O
	expect_status 1 &&
	    expect_err "depot: $(fixture nest10): wrap.zip!nest-8.zip!nest-7.zip!nest-6.zip!nest-5.zip!nest-4.zip!nest-3.zip!nest-2.zip: archives nested more than 8 deep" &&
	    expect_err_lines 1 && expect_no_out && expect_clean dest || return 1
	run "$DEPOT" info "$(fixture nest10)"
	expect_status 1 && expect_err "archives nested more than 8 deep" &&
	    expect_no_out
}

test_extract_refuses_existing_name() {
	mkdir -p $O
	echo old >"$O/$MFT.zip"
	echo mine >$O/keep.txt
	run "$DEPOT" extract --vibs "$(fixture wrapper-mft)" $O
	expect_status 1 &&
	    expect_err "depot: $O/$MFT.zip: already exists; --force replaces it" &&
	    expect_err_lines 1 && expect_no_out &&
	    expect_files $O "$MFT.zip" keep.txt && expect_clean dest out ||
	    return 1
	[ "$(cat "$O/$MFT.zip")" = old ] || fail "$O/$MFT.zip was changed" ||
	    return 1
	run "$DEPOT" extract --vibs --force "$(fixture wrapper-mft)" $O
	expect_status 0 &&
	    expect_files $O "$MFT.zip" "$MFT_VIB.vib" "$OEM_VIB.vib" keep.txt &&
	    expect_file "$O/$MFT.zip" "$(truth wrapper-mft files "$MFT.zip")" &&
	    expect_clean dest out || return 1
	[ "$(cat $O/keep.txt)" = mine ] || fail "keep.txt changed"
}

# Extracting again into the same OUTDIR finds the same bytes there: they
# are left as they are and said to be unchanged, not refused.
test_extract_again_unchanged() {
	mkdir dest
	run "$DEPOT" extract --vibs "$(fixture wrapper-mft)" $O
	expect_status 0 || return 1
	echo mine >$O/keep.txt
	ls -li $O >before
	run "$DEPOT" extract --vibs "$(fixture wrapper-mft)" $O
	expect_status 0 && expect_out "unchanged $MFT.zip (" &&
	    expect_out "unchanged $MFT_VIB.vib (" &&
	    expect_out "3 items written to $O (3 unchanged)" && [ ! -s "$T/err" ] &&
	    expect_files $O "$MFT.zip" "$MFT_VIB.vib" "$OEM_VIB.vib" keep.txt &&
	    expect_file "$O/$MFT.zip" "$(truth wrapper-mft files "$MFT.zip")" &&
	    expect_clean dest out || return 1
	run "$DEPOT" extract --json --vibs "$(fixture wrapper-mft)" $O
	expect_status 0 && "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["written"] and all(w["unchanged"] for w in d["written"]), d
' "$T/out" || fail "--json does not say unchanged" || return 1
	# One VIB changed: refused, and nothing else moves.
	echo other >"$O/$MFT_VIB.vib"
	run "$DEPOT" extract --vibs "$(fixture wrapper-mft)" $O
	expect_status 1 &&
	    expect_err "depot: $O/$MFT_VIB.vib: already exists; --force replaces it" &&
	    expect_err_lines 1 && expect_no_out && expect_clean dest out ||
	    return 1
	[ "$(cat "$O/$MFT_VIB.vib")" = other ] || fail "the VIB was replaced"
}

# An existing OUTDIR gains new names only; what it holds is left alone.
test_extract_into_existing_outdir() {
	mkdir -p $O
	echo mine >$O/notes.txt
	run "$DEPOT" extract "$(fixture wrapper-nmst)" $O
	expect_status 0 && expect_files $O "$NMST.zip" notes.txt &&
	    expect_clean dest out || return 1
	[ "$(cat $O/notes.txt)" = mine ] || fail "notes.txt changed"
}

# A link inside OUTDIR is never followed out of it.
test_extract_no_write_through_link() {
	mkdir -p $O elsewhere
	ln -s ../../elsewhere "$O/$TOOL"
	run "$DEPOT" extract "$(fixture wrapper-intel)" $O
	expect_status 1 && expect_err "$O/$TOOL: is a symbolic link; not followed" &&
	    expect_err_lines 1 && expect_clean elsewhere && expect_clean dest out
}

test_extract_unwritable_parent() {
	: >plainfile
	run "$DEPOT" extract "$(fixture wrapper-mft)" plainfile/out
	expect_status 2 &&
	    expect_err "depot: plainfile/out: cannot open its parent folder 'plainfile': Not a directory" &&
	    expect_err_lines 1 || return 1
	# A read-only parent; as root only an unprivileged user notices.
	as=
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null 2>&1 ||
		    { skip "running as root without setpriv"; return 0; }
		as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	fi
	d=$(mktemp -d "${TMPDIR:-/tmp}/esxstage-ro.XXXXXX")
	cp "$(fixture wrapper-mft)" "$d/pkg.zip"
	mkdir "$d/ro"
	chmod 755 "$d" && chmod 555 "$d/ro" && chmod 644 "$d/pkg.zip"
	run $as "$DEPOT" extract "$d/pkg.zip" "$d/ro/out"
	ok=0
	expect_status 2 &&
	    expect_err "depot: $d/ro/out: cannot make a temporary folder in '$d/ro': Permission denied" &&
	    expect_err_lines 1 && expect_clean "$d/ro" || ok=1
	chmod 755 "$d/ro"
	rm -rf "$d"
	return $ok
}

test_extract_usage() {
	mkdir dest
	run "$DEPOT" extract only-one
	expect_status 2 && expect_err "extract: expected INPUT... OUTDIR, got 1" &&
	    expect_err "usage: depot extract [--json] [-q|-v] [--vibs]" || return 1
	run "$DEPOT" extract --verify a b
	expect_status 2 && expect_err "extract: option '--verify' is not for this command" ||
	    return 1
	run "$DEPOT" extract --help
	expect_status 0 && expect_out "usage: depot extract" || return 1
	run "$DEPOT" extract missing.zip $O
	expect_status 2 &&
	    expect_err "depot: missing.zip: cannot open: No such file or directory" &&
	    expect_err_lines 1 && expect_clean dest || return 1
	echo "not an archive" >junk.bin
	run "$DEPOT" extract junk.bin $O
	expect_status 1 && expect_err "depot: junk.bin: not a zip, tar or VIB file" &&
	    expect_clean dest
}

# SIGINT while writing: the run stops at the next file and removes its
# temporary folder; OUTDIR is then absent (or complete, when the run
# finished first).  Job control makes SIGINT reach the background job as
# it would from a terminal.
test_extract_sigint() {
	mkdir dest
	"$PYTHON" "$TOP/tests/mkdepot.py" --bench big.zip --size-mb 96 \
	    --vibs 6 >/dev/null || return 1
	# A shell starts background jobs with SIGINT ignored, and "set -m"
	# cannot help without a terminal: env puts the default back.
	env --default-signal=INT "$DEPOT" extract --vibs big.zip $O \
	    >"$T/out" 2>"$T/err" &
	pid=$!
	n=0
	while [ $n -lt 500 ] && ! ls -A dest | grep -q '^\.out\.depot-'; do
		sleep 0.01
		n=$((n + 1))
	done
	kill -INT $pid 2>/dev/null
	wait $pid
	rc=$?
	case $rc in
	0)
		[ "$(ls $O | wc -l)" -eq 7 ] && [ -f $O/big.zip ] ||
		    fail "$O is not complete" || return 1
		expect_clean dest out
		;;
	130)
		expect_err "interrupted" && expect_clean dest
		;;
	*)
		fail "exit status $rc"
		;;
	esac
}

# ---- unpack ------------------------------------------------------------------

# The written tree is exactly the members the metadata names, byte for byte.
test_unpack_tree() {
	mkdir dest
	cp "$(fixture mini8)" d.zip
	run "$DEPOT" unpack --verify d.zip $O
	expect_status 0 && expect_out "7 files written to $O; 4 VIBs verified" &&
	    expect_clean dest out || return 1
	"$PYTHON" -c '
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = [n for n in z.namelist() if not n.endswith("/")]
have = sorted(os.path.relpath(os.path.join(r, f), sys.argv[2])
              for r, _, fs in os.walk(sys.argv[2]) for f in fs)
assert have == sorted(names), (have, names)
for n in names:
    assert open(os.path.join(sys.argv[2], n), "rb").read() == z.read(n), n
' d.zip $O
}

test_unpack_vib2zip_layout() {
	mkdir dest
	run "$DEPOT" unpack --verify "$(fixture vib2zip)" $O
	expect_status 0 &&
	    expect_files $O index.xml vendor-index.xml \
	    VFrontDe-net51-r8169-6.011.00-2vft.510.0.0.799733-metadata.zip \
	    net51-r8169-6.011.00-2vft.510.0.0.799733.x86_64.vib
}

test_unpack_metadata() {
	mkdir dest
	run "$DEPOT" unpack --metadata "$(fixture mini8)" $O
	expect_status 0 && [ -f $O/metadata/vmware.xml ] &&
	    [ -f $O/metadata/vendor-index.xml ] &&
	    ls $O/metadata/profiles | grep -q "ESXi-8.0U3e-24677879-standard" ||
	    fail "metadata not expanded"
}

test_unpack_verify_catches_tampered_vib() {
	mkdir dest
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture mini8)" bad.zip ne1000 \
	    flip-payload || return 1
	run "$DEPOT" unpack --verify bad.zip $O
	expect_status 1 &&
	    expect_err "depot: bad.zip: vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib: SHA-256 is " &&
	    expect_err "but the metadata says" && expect_err_lines 1 &&
	    expect_no_out && expect_clean dest || return 1
	# Without --verify the bytes are copied as they are.
	run "$DEPOT" unpack bad.zip $O
	expect_status 0
}

test_unpack_all_and_unreferenced() {
	mkdir dest
	cp "$(fixture mini8)" d.zip
	"$PYTHON" -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "a") as z:
    z.writestr("extra/notes.txt", "not named by the metadata\n")
' d.zip
	run "$DEPOT" unpack d.zip $O
	expect_status 0 &&
	    expect_out "skipped extra/notes.txt: not named by the depot's metadata; --all writes it" &&
	    [ ! -e $O/extra ] || fail "extra/ was written" || return 1
	run "$DEPOT" unpack --all d.zip dest/all
	expect_status 0 && [ -f dest/all/extra/notes.txt ] ||
	    fail "--all did not write extra/notes.txt"
}

test_unpack_errors() {
	mkdir dest
	run "$DEPOT" unpack "$(fixture wrapper-mft)" $O
	expect_status 1 && expect_err "run 'depot extract" &&
	    expect_err_lines 1 && expect_clean dest || return 1
	run "$DEPOT" unpack "$(fixture mini8)" $O
	expect_status 0 || return 1
	run "$DEPOT" unpack "$(fixture mini8)" $O
	expect_status 1 &&
	    expect_err "$O/index.xml: already exists; --force replaces it" &&
	    expect_clean dest out || return 1
	run "$DEPOT" unpack --force "$(fixture mini8)" $O
	expect_status 0 || return 1
	run "$DEPOT" unpack --vibs "$(fixture mini8)" $O
	expect_status 2 && expect_err "unpack: option '--vibs' is not for this command"
}
