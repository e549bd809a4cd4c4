# bundle_inputs.sh - esxbundle create with a bare VIB or Mellanox firmware: each input and its refusals.
# SPDX-License-Identifier: BSD-2-Clause

BUNDLE=${BUNDLE:-$TOP/$BUILD/esxbundle}

# x.vib: the community net51 VIB of the verify8 depot, as a file of its own.
bare_vib() {
	"$PYTHON" -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
n = [m for m in z.namelist() if "net51" in m and m.endswith(".vib")][0]
open("x.vib", "wb").write(z.read(n))
' "$(fixture verify8)"
}

# A bare VIB is verified while it is planned, bundled as a step of its
# own, and marked unsigned in manifest.json.
test_add_bare_vib() {
	bare_vib || return 1
	run "$BUNDLE" create bdl --datastore ds1 --add x.vib
	expect_status 0 && expect_out "Bundle written to bdl (1 step)" &&
	    expect_out "x.vib: VIB VFrontDe_bootbank_net51-r8169_6.011.00-2vft.510.0.0.799733, CommunitySupported" ||
	    return 1
	cmp -s x.vib bdl/x.vib || fail "bdl/x.vib is not x.vib" || return 1
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d["inputs"] if s["kind"] == "vib"]
assert len(s) == 1 and s[0]["has_unsigned_vibs"], d
' bdl/manifest.json || fail "manifest.json has no unsigned VIB step"
}

# A VIB that cannot be read, or is not a VIB, is refused before anything
# is written, naming the file.
test_add_bad_vib_refused() {
	run "$BUNDLE" create bdl --datastore ds1 --add missing.vib
	expect_status 2 && expect_err "esxbundle: missing.vib: cannot open" &&
	    expect_err_lines 1 && [ ! -e bdl ] || fail "bdl written" ||
	    return 1
	echo "garbage" >g.vib
	run "$BUNDLE" create bdl --datastore ds1 --add g.vib
	expect_status 1 && expect_err "esxbundle: g.vib: " &&
	    expect_err_lines 1 && [ ! -e bdl ] || fail "bdl written"
}

# Firmware with its PSID and version given, or read from the image.
test_firmware_psid_and_version() {
	printf 'MT_0000000001 PSID=MT_0000000008 VERSION=16.35.2000\n' >fw.bin
	run "$BUNDLE" create bdl --datastore ds1 --firmware mellanox:fw.bin
	expect_status 0 &&
	    expect_out "fw.bin: Mellanox firmware 16.35.2000 for PSID MT_0000000008" ||
	    return 1
	run "$BUNDLE" create bdl2 --datastore ds1 \
	    --firmware mellanox:fw.bin:MT_0000000009:16.35.4030
	expect_status 0 &&
	    expect_out "fw.bin: Mellanox firmware 16.35.4030 for PSID MT_0000000009"
}

# Each malformed --firmware is refused with what to give instead.
test_firmware_refusals() {
	printf 'no identity here\n' >fw.bin
	run "$BUNDLE" create bdl --datastore ds1 --firmware intel:fw.bin
	expect_status 1 &&
	    expect_err "esxbundle: --firmware 'intel:fw.bin': expected mellanox:FILE[:PSID:VERSION]" ||
	    return 1
	run "$BUNDLE" create bdl --datastore ds1 --firmware mellanox:fw.bin:MT_1
	expect_status 1 &&
	    expect_err "esxbundle: --firmware 'mellanox:fw.bin:MT_1': give both PSID and VERSION" ||
	    return 1
	run "$BUNDLE" create bdl --datastore ds1 --firmware mellanox:none.bin
	expect_status 2 && expect_err "esxbundle: none.bin: cannot open" ||
	    return 1
	run "$BUNDLE" create bdl --datastore ds1 --firmware mellanox:fw.bin
	expect_status 1 &&
	    expect_err "esxbundle: fw.bin: cannot read the image's PSID and version; give them as mellanox:FILE:PSID:VERSION" &&
	    [ ! -e bdl ] || fail "bdl written"
}

# Options bundle_opts_check refuses before any input is read.
test_option_refusals() {
	run "$BUNDLE" create bdl --datastore ds1 --depot d.zip --profile p \
	    --compose .hidden
	expect_status 2 &&
	    expect_err "--compose NEW-NAME needs --depot and --profile, and a name of 1 to 80 characters without '/' that does not start with '.'" ||
	    return 1
	run "$BUNDLE" create bdl --datastore ds1 --add x.zip --jobs 0
	expect_status 2 && expect_err "--jobs takes a number from 1 to 256"
}
