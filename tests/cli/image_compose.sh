# image_compose.sh - depot compose: round trip, adds, removes, refusals,
# reproducible bytes, and the composed depot read back by an independent
# reader (tests/readdepot.py).
# SPDX-License-Identifier: BSD-2-Clause

STD=ESXi-8.0U3e-24677879-standard

# compose ARGS...: depot compose onto img-base8's -standard profile.
compose() {
	run "$DEPOT" compose --profile "$STD" "$(fixture img-base8)" "$@"
}

# readback OUT NAME: the independent reader finds the chain whole, every
# VIB's size and SHA-256 as the metadata says; NAME's VIB ids in $T/ids.
readback() {
	"$PYTHON" "$TOP/tests/readdepot.py" "$1" --profile "$2" >"$T/ids" \
	    2>"$T/rerr" || { cat "$T/rerr"; fail "readdepot.py refused $1"; }
}

test_round_trip() {
	compose --name same out.zip
	expect_status 0 && expect_out "wrote out.zip: image profile same (ESXi 8.0.3, 4 VIBs, 3 components, acceptance partner" || return 1
	readback out.zip same || return 1
	"$PYTHON" -c '
import json, sys
t = json.load(open(sys.argv[1]))
p = [p for p in t["profiles"] if p["name"] == sys.argv[2]][0]
print("\n".join(sorted(p["vib_ids"])))' \
	    "$FIXTURES/img-base8.truth.json" "$STD" >want
	diff -u want "$T/ids" || fail "the VIB set changed"
}

# testzip OUT: Python's zipfile reads every member back, CRCs matching.
testzip() {
	"$PYTHON" -c 'import sys, zipfile
bad = zipfile.ZipFile(sys.argv[1]).testzip()
sys.exit("bad member %s" % bad if bad else 0)' "$1" ||
	    fail "zipfile.testzip refused $1"
}

# VIBs stored in the source zip (as VMware stores them) are copied by the
# kernel and checked read back from the output; deflated ones (img-base8)
# go through libzip: both outputs read back whole, with the same VIBs.
test_stored_vibs_copied() {
	compose --name same deflated.zip && expect_status 0 || return 1
	readback deflated.zip same && mv "$T/ids" deflated.ids &&
	    testzip deflated.zip || return 1
	run "$DEPOT" compose --profile "$STD" "$(fixture img-base8-stored)" 	    --name same a.zip
	expect_status 0 && expect_out "wrote a.zip: image profile same (ESXi 8.0.3, 4 VIBs, 3 components" || return 1
	readback a.zip same && testzip a.zip || return 1
	diff -u deflated.ids "$T/ids" || fail "the VIB set differs"
	TZ=Pacific/Kiritimati "$DEPOT" compose --profile "$STD" \
	    "$(fixture img-base8-stored)" --name same b.zip >/dev/null ||
	    fail "TZ run"
	cmp a.zip b.zip || fail "not byte-identical"
	[ -z "$(ls -A . | grep '\.zip\.' || true)" ] || fail "a temporary file was left"
}

# A stored VIB whose bytes differ from its SHA-256, and one whose zip CRC
# is wrong (the bytes right): each refused, nothing written.
test_stored_vib_refused() {
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture img-base8-stored)" bad.zip \
	    ne1000 flip-payload || fail "mutate failed" || return 1
	run "$DEPOT" compose --profile "$STD" bad.zip --name x out.zip
	expect_status 1 &&
	    expect_err "VIB VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510 differs from its metadata (sha-256 " &&
	    expect_err "): not copied" && expect_err_lines 1 &&
	    [ -z "$(ls -A . | grep -v -e '^bad.zip$' -e '^err$' -e '^out$' ||
	    true)" ] || fail "something was written beside bad.zip" || return 1
	mk crc-vib-stored img-base8 || return 1
	run "$DEPOT" compose --profile "$STD" "$T/crc-vib-stored.bin" \
	    --name x out.zip
	expect_status 1 && expect_err ": CRC error" && expect_err_lines 1 &&
	    [ ! -e out.zip ] &&
	    [ -z "$(ls -A . | grep '^out\.zip' || true)" ] ||
	    fail "refused untidily"
}

test_twice_byte_identical() {
	compose --name twice a.zip && expect_status 0 || return 1
	compose --name twice b.zip && expect_status 0 || return 1
	TZ=Pacific/Kiritimati "$DEPOT" compose --profile "$STD" \
	    "$(fixture img-base8)" --name twice c.zip >/dev/null || fail "TZ run"
	cmp a.zip b.zip && cmp a.zip c.zip || fail "not byte-identical"
}

test_source_date_epoch() {
	SOURCE_DATE_EPOCH=1700000000 "$DEPOT" compose --profile "$STD" \
	    "$(fixture img-base8)" --name epoch a.zip >/dev/null || fail "compose"
	run "$DEPOT" list-profiles a.zip
	expect_out "2023-11-14T22:13:20  2023-11-14T22:13:20" || return 1
	unzip -l a.zip | grep -q "2023-11-14 22:13 *index.xml" ||
	    fail "zip times are not SOURCE_DATE_EPOCH"
	run env SOURCE_DATE_EPOCH=soon "$DEPOT" compose --profile "$STD" \
	    "$(fixture img-base8)" --name epoch b.zip
	expect_status 2 && expect_err "SOURCE_DATE_EPOCH: 'soon' is not a time"
}

test_profile_id_from_content() {
	compose --name one a.zip >/dev/null && compose --name two b.zip || return 1
	"$PYTHON" "$TOP/tests/readdepot.py" a.zip >a.json &&
	    "$PYTHON" "$TOP/tests/readdepot.py" b.zip >b.json || fail "read"
	id1=$(sed -n 's/.*"profile_id": "\(.*\)".*/\1/p' a.json)
	id2=$(sed -n 's/.*"profile_id": "\(.*\)".*/\1/p' b.json)
	[ ${#id1} = 32 ] && [ "$id1" != "$id2" ] || fail "ids $id1 $id2"
}

test_add_component_depot() {
	compose --name plus --vendor "Example Corp" --add "$(fixture img-addon)" out.zip
	expect_status 0 &&
	    expect_out "added EXA_bootbank_exa-nic_2.1.0.0-1OEM.800.1.0.20613240" &&
	    expect_out "replaced VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510 by VMW_bootbank_ne1000_0.9.3-1vmw.803.0.0.24022510" &&
	    expect_out "acceptance community" || return 1
	readback out.zip plus || return 1
	grep -qx "EXA_bootbank_exa-tools_2.1.0-1" "$T/ids" &&
	    ! grep -q "ne1000_0.9.2" "$T/ids" || fail "wrong VIB set"
	run "$DEPOT" list-profiles out.zip
	expect_out "plus  Example Corp  CommunitySupported" || return 1
	run "$DEPOT" validate out.zip
	expect_status 0 && expect_out "plus: OK (ESXi 8.0.3, 6 VIBs, 5 components)"
	run "$DEPOT" list-components out.zip
	expect_out "Intel-ne1000" && expect_out "0.9.3-1vmw"
}

test_add_bare_vib() {
	"$PYTHON" "$TOP/tests/mkdepot.py" --vib "$TOP/testdata/depots/img-addon.spec" \
	    exa-nic exa-nic.vib || fail "mkdepot --vib"
	compose --name bare --add exa-nic.vib out.zip
	expect_status 0 && expect_out "added EXA_bootbank_exa-nic_2.1.0.0-1OEM.800.1.0.20613240 (from exa-nic.vib)" || return 1
	readback out.zip bare || return 1
	grep -qx "EXA_bootbank_exa-nic_2.1.0.0-1OEM.800.1.0.20613240" "$T/ids" ||
	    fail "the bare VIB is missing"
	unzip -p out.zip vib20/exa-nic/EXA_bootbank_exa-nic_2.1.0.0-1OEM.800.1.0.20613240.vib |
	    cmp - exa-nic.vib || fail "not copied byte for byte"
}

test_dependency_offer_names_the_input() {
	"$PYTHON" "$TOP/tests/mkdepot.py" --vib "$TOP/testdata/depots/img-addon.spec" \
	    exa-tools exa-tools.vib || fail "mkdepot --vib"
	compose --name t --add exa-tools.vib out.zip
	expect_status 1 && expect_out "depends: VIB EXA_bootbank_exa-tools_2.1.0-1 requires exa-nic >= 2.0, but the requirement cannot be satisfied within the ImageProfile" &&
	    expect_err "out.zip: not written: image profile t does not validate (1 problem)" || return 1
	[ ! -e out.zip ] || fail "out.zip written"
}

# Twelve VIBs missing one dependency: ten lines of that rule, then one
# line for the rest; -v and --json list all twelve; --force warns alike.
test_problems_summed_up_per_rule() {
	{
		sed -n '1,/^\[vibs\]/p' "$TOP/testdata/depots/img-addon.spec"
		for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
			echo "tool$i 1.0-1 depends=gone-driver"
		done
		echo "[bulletin-defaults]"
		echo "vendor = Example"
		echo "release-date = 2025-05-01T00:00:00+00:00"
		echo "platform = 8.0 embeddedEsx"
		echo "[components]"
		for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
			echo "EXA-tool$i 1.0-1 tool$i"
		done
	} >twelve.spec
	"$PYTHON" "$TOP/tests/mkdepot.py" twelve.spec twelve.zip >/dev/null ||
	    fail "mkdepot twelve.spec" || return 1
	compose --name t --add twelve.zip out.zip
	expect_status 1 &&
	    expect_err "out.zip: not written: image profile t does not validate (12 problems)" &&
	    expect_out "depends: VIB EXA_bootbank_tool10_1.0-1 requires gone-driver" &&
	    expect_out "  depends: ... and 2 more like these (--verbose lists them all)" ||
	    return 1
	[ "$(grep -c 'requires gone-driver' "$T/out")" = 10 ] ||
	    fail "not ten lines of the rule" || return 1
	grep -q tool11 "$T/out" && fail "tool11 listed" && return 1
	[ ! -e out.zip ] || fail "out.zip written" || return 1
	compose --name t -v --add twelve.zip out.zip
	expect_status 1 && expect_out "EXA_bootbank_tool12_1.0-1 requires" ||
	    return 1
	grep -q 'more like these' "$T/out" && fail "-v summed up" && return 1
	compose --name t --json --add twelve.zip out.zip
	expect_status 1 || return 1
	"$PYTHON" -c '
import json, sys
p = json.load(open(sys.argv[1]))["problems"]
sys.exit(0 if len(p) == 12 and all(x["rule"] == "depends" for x in p) else 1)' 	    "$T/out" || fail "--json lacks problems" || return 1
	compose --name t --force --add twelve.zip out.zip
	expect_status 0 &&
	    expect_err "depot: warning: t: depends: ... and 2 more like these (--verbose lists them all)" ||
	    return 1
	[ "$(grep -c 'requires gone-driver' "$T/err")" = 10 ] ||
	    fail "not ten warnings of the rule"
}

test_older_refused_then_forced() {
	compose --name old --add "$(fixture img-old)" out.zip
	expect_status 1 && expect_out "older-version: --add $(fixture img-old): VIB VMW_bootbank_ne1000_0.9.1-1vmw.803.0.0.24022510 is older than VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510" || return 1
	[ ! -e out.zip ] || fail "out.zip written"
	compose --name old --force --add "$(fixture img-old)" out.zip
	expect_status 0 && expect_out "downgraded VMW_bootbank_ne1000_0.9.2" || return 1
	# The partial Intel-ne1000 component is gone, not half there.
	readback out.zip old && grep -q "ne1000_0.9.1" "$T/ids" || fail "not downgraded"
}

test_newer_platform_refused() {
	compose --name next --add "$(fixture img-next)" out.zip
	expect_status 1 && expect_out "platform: VIB VMW_bootbank_next-nic_1.0.0-1vmw.900.0.0.24755229 does not fit this ESXi 8.0.3 image: it is for ESXi 9.0" &&
	    expect_err "not written"
}

test_remove() {
	compose --name lean --remove tools-light out.zip
	expect_status 0 && expect_out "removed VMware_bootbank_tools-light_12.5.0.24276846-24677879" || return 1
	readback out.zip lean && ! grep -q tools-light "$T/ids" || fail "still there"
	expect_out "3 VIBs, 2 components"
}

test_remove_required() {
	compose --name x --remove esx-base out.zip
	expect_status 1 && expect_out "remove: --remove esx-base: VMware_bootbank_esx-base_8.0.3-0.55.24677879 is one of the base image's required VIBs"
}

test_remove_depended_on() {
	compose --name x --add "$(fixture img-addon)" --remove exa-nic out.zip
	expect_status 1 && expect_out "remove: --remove exa-nic: VIB EXA_bootbank_exa-tools_2.1.0-1 requires exa-nic >= 2.0, which only EXA_bootbank_exa-nic_2.1.0.0-1OEM.800.1.0.20613240 provides: keep exa-nic, or remove exa-tools as well"
}

test_remove_partial_component() {
	compose --name x --remove esx-update out.zip
	expect_status 1 && expect_out "esx-update"
	compose --name x --add "$(fixture img-addon)" --remove exa-tools out.zip
	expect_status 0 || return 1
	rm -f out.zip
	run "$DEPOT" compose --profile two-part "$(fixture img-compose-parts)" \
	    --name x --remove part-b out.zip
	expect_status 1 && expect_out "component: Profile x is missing component(s) Two-Part which are necesary and removing them is prohibited"
}

test_remove_unknown() {
	compose --name x --remove nope out.zip
	expect_status 1 && expect_out "--remove nope: profile $STD has no VIB of that name"
}

test_acceptance() {
	compose --name x --acceptance certified out.zip
	expect_status 1 && expect_out "VIB VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510's acceptance level is partner, which is not compliant with the ImageProfile acceptance level certified" || return 1
	compose --name x --acceptance community out.zip
	expect_status 0 && expect_out "acceptance community"
}

test_force_writes_and_warns() {
	compose --name x --acceptance certified --force out.zip
	expect_status 0 && expect_err "depot: warning: x: acceptance: VIB VMW_bootbank_ne1000" &&
	    [ -s out.zip ] || fail "not written"
}

test_output_exists() {
	: >out.zip
	compose --name x out.zip
	expect_status 1 && expect_err "out.zip: cannot create" && [ ! -s out.zip ]
}

# A VIB whose bytes differ from the metadata's SHA-256 is found while it
# is copied (on the read-ahead thread) and nothing is written.
test_tampered_vib_not_copied() {
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture img-base8)" bad.zip ne1000 \
	    flip-payload || fail "mutate failed" || return 1
	run "$DEPOT" compose --profile "$STD" bad.zip --name x out.zip
	expect_status 1 &&
	    expect_err "VIB VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510 differs from its metadata (sha-256 " &&
	    expect_err "): not copied" && expect_err_lines 1 &&
	    [ -z "$(ls -A . | grep -v -e '^bad.zip$' -e '^err$' -e '^out$' ||
	    true)" ] || fail "something was written beside bad.zip"
}

# Vendor packages are unwrapped by the package walk (as depot extract
# does) into a temporary folder beside OUT.zip, removed afterwards.
test_vendor_package_add() {
	compose --name mel --add "$(fixture e2e-nmst-package)" \
	    --add "$(fixture e2e-mft-package)" out.zip
	expect_status 0 &&
	    expect_out "(from $(fixture e2e-mft-package)!Mellanox-MFT-Tools_4.18.1.14-1OEM.700.1.0.15843807_19206112.zip)" ||
	    return 1
	readback out.zip mel && grep -q '_mft_' "$T/ids" &&
	    grep -q '_nmst_' "$T/ids" || fail "the package's VIBs are missing" ||
	    return 1
	ls -A | grep -q depot- && fail "a temporary folder was left" || return 0
}

test_vendor_package_base_refused() {
	run "$DEPOT" compose --profile x --name y "$(fixture e2e-mft-package)" out.zip
	expect_status 1 && expect_err "a vendor package, not a depot with image profiles: run 'depot extract" &&
	    expect_err_lines 1 && [ ! -e out.zip ]
}

test_package_without_vibs() {
	compose --name x --add "$(fixture intel-nvm-esx)" out.zip
	expect_status 1 && expect_err "a package that holds no depot or VIB" &&
	    [ ! -e out.zip ] && ! ls -A | grep -q depot-
}

test_missing_base_vib() {
	run "$DEPOT" compose --profile bad-missing "$(fixture img-rules)" --name x out.zip
	expect_status 1 && expect_out "missing-vib: VIBs VMW_bootbank_gone_1.0-1 from image profile 'bad-missing' cannot be found in metadata"
}

test_usage() {
	run "$DEPOT" compose "$(fixture img-base8)" out.zip --name x
	expect_status 2 && expect_err "--profile and --name are required" || return 1
	compose --name x --acceptance gold out.zip
	expect_status 2 && expect_err "--acceptance must be certified, accepted, partner or community, not 'gold'" || return 1
	compose --name "$(printf '%081d' 0)" out.zip
	expect_status 2 && expect_err "--name takes 1 to 80 characters" || return 1
	compose --name x
	expect_status 2 && expect_err "expected 2 operands, got 1"
}

test_unknown_profile() {
	run "$DEPOT" compose --profile nope --name x "$(fixture img-base8)" out.zip
	expect_status 1 && expect_err "nope" && [ ! -e out.zip ]
}

test_json() {
	compose --json --name j --add "$(fixture img-addon)" out.zip
	expect_status 0 || return 1
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["written"] and d["profile"]["name"] == "j", d
assert len(d["profile"]["vibs"]) == 6 and d["problems"] == [], d
assert any("replaced" in c for c in d["changes"]), d' "$T/out" || fail "JSON"
}

# The four real depots onto a generated 8.0 base: added where their
# platform allows, refused with the reason where it does not.
test_real_depots() {
	real=$SHARED/real-depots
	[ -d "$real" ] || { skip "no ../shared/real-depots"; return 0; }
	compose --name real80 --add "$real/ESXi80U3-VMKUSB-NIC-FLING-75399077-component-24052746.zip" a.zip
	expect_status 0 && readback a.zip real80 &&
	    grep -q vmkusb-nic-fling_1.14 "$T/ids" || return 1
	compose --name real70 --add "$real/Net-Community-Driver_1.2.7.0-1vmw.700.1.0.15843807_19480755.zip" b.zip
	expect_status 0 && readback b.zip real70 &&
	    grep -q net-community "$T/ids" || return 1
	compose --name real67 --add "$real/ESXi670-VMKUSB-NIC-FLING-39203948-offline_bundle-16780994.zip" c.zip
	expect_status 1 && expect_out "requires vmkapi_incompat_2_5_0_0, but the requirement cannot be satisfied within the ImageProfile" || return 1
	compose --name real51 --add "$real/net51-r8169-6.011.00-2vft.510.0.0.799733-offline_bundle.zip" d.zip
	expect_status 1 && expect_out "is a vmklinux driver (it depends on com.vmware.driverAPI-9.2.1.0)" &&
	    expect_out "does not have sha-256 gunzip checksum"
}

test_trust() {
	[ -n "${KEYS:-}" ] || { skip "no test keys"; return 0; }
	run "$DEPOT" compose --profile "$STD" --name signed \
	    --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt" \
	    "$(fixture signed8)" ok.zip
	expect_status 0 && expect_out "wrote ok.zip" || return 1
	run "$DEPOT" compose --profile "$STD" --name signed \
	    --trust "$KEYS/rogueca.crt" "$(fixture signed8)" bad.zip
	expect_status 1 && expect_out "signature: VIB VMware_bootbank_esx-base_8.0.3-0.55.24677879 (from $(fixture signed8)) fails verification" &&
	    [ ! -e bad.zip ] || return 1
	# An unsigned certified VIB fails even a good trust.
	compose --name x --trust "$KEYS/ca.crt" out.zip
	expect_status 1 && expect_out "unsigned"
}

# --add of every hostile archive of tests/hostile (built around mini8):
# each is refused in one line, or handled (its VIBs are mini8's, which the
# base has already), in bounded time; nothing half-written is left.
test_hostile_adds() {
	for c in $("$PYTHON" "$TOP/tests/hostile/mkarchive.py" --list); do
		"$PYTHON" "$TOP/tests/hostile/mkarchive.py" "$c" "$T/h.bin" \
		    --depot "$(fixture mini8)" 2>/dev/null || continue
		rm -f out.zip
		run timeout 120 "$DEPOT" compose --profile "$STD" --name x \
		    --add "$T/h.bin" "$(fixture img-base8)" out.zip
		case $rc in
		0)
			readback out.zip x || { fail "$c: bad output"; return 1; } ;;
		1)
			expect_err_lines 1 && [ ! -e out.zip ] &&
			    ! ls "$T" | grep -q '^out\.zip\.' ||
			    { fail "$c: refused untidily"; return 1; } ;;
		*)
			fail "$c: exit status $rc"
			return 1 ;;
		esac
		rm -f "$T/h.bin"
	done
}

# The fake ESXi host (tests/fakehost) reads the composed depot's metadata
# itself: it lists the profile, and a dry-run profile update takes it; a
# saved vib list from the same host diffs against it.
test_fake_host_dry_run() {
	"$PYTHON" "$TOP/tests/mkdepot.py" --vib "$TOP/testdata/depots/img-addon.spec" \
	    exa-nic exa-nic.vib || fail "mkdepot --vib"
	compose --name custom-nic --add exa-nic.vib "$T/out.zip"
	expect_status 0 || return 1
	FAKEHOST_STATE="$T/host"
	export FAKEHOST_STATE
	"$PYTHON" "$TOP/tests/fakehost/fakehost.py" init "$T/host" \
	    --version 8.0.3 --build 24414501 >/dev/null || fail "fakehost init"
	run "$TOP/tests/fakehost/bin/esxcli" software sources profile list -d "$T/out.zip"
	expect_status 0 && expect_out "custom-nic  VMware, Inc.  PartnerSupported" || return 1
	run "$TOP/tests/fakehost/bin/esxcli" software profile update -d "$T/out.zip" \
	    -p custom-nic --dry-run
	expect_status 0 && expect_out "EXA_bootbank_exa-nic_2.1.0.0-1OEM.800.1.0.20613240" || return 1
	"$TOP/tests/fakehost/bin/esxcli" software vib list >viblist.txt || fail "vib list"
	run "$DEPOT" diff "$T/out.zip:custom-nic" --host viblist.txt
	expect_status 0 && expect_out "added: exa-nic 2.1.0.0-1OEM.800.1.0.20613240 (to install)"
}

# esxbundle create --compose: the patch and both Mellanox packages become
# one composed depot and one profile update step; the plan says so, and
# install.sh applies it on the fake host in one reboot.
test_bundle_compose() {
	[ -n "${KEYS:-}" ] || { skip "no test keys"; return 0; }
	mkdir -p vmfs/volumes/ds/esxstage
	B=$T/vmfs/volumes/ds/esxstage/b1
	run "${BUNDLE:-$TOP/$BUILD/esxbundle}" create "$B" --datastore ds --dir esxstage/b1 \
	    --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt" \
	    --depot "$(fixture signed8)" --profile "$STD" \
	    --add "$(fixture e2e-nmst-package)" --add "$(fixture e2e-mft-package)" \
	    --compose ESXi-8.0U3e-mellanox
	expect_status 0 &&
	    expect_out "ESXi-8.0U3e-mellanox.zip: image profile ESXi-8.0U3e-mellanox composed from $STD of signed8.zip and 2 inputs: one profile update and one reboot instead of one install each" ||
	    return 1
	[ -f "$B/ESXi-8.0U3e-mellanox.zip" ] || fail "no composed depot in the bundle" || return 1
	run "${BUNDLE:-$TOP/$BUILD/esxbundle}" show "$B"
	expect_status 0 &&
	    expect_out "1. update the host to image profile ESXi-8.0U3e-mellanox from ESXi-8.0U3e-mellanox.zip (esxcli software profile update)" &&
	    ! grep -q '^  2\. install' "$T/out" || fail "more than one step" || return 1
	readback "$B/ESXi-8.0U3e-mellanox.zip" ESXi-8.0U3e-mellanox || return 1
	grep -q '_mft_' "$T/ids" && grep -q '_nmst_' "$T/ids" ||
	    fail "the Mellanox VIBs are not in the profile" || return 1
	grep -c 'profile update\|component apply\|vib install' "$B/install.sh" >/dev/null
	FAKEHOST_STATE="$T/host" ESXSTAGE_VMFS_ROOT="$T/vmfs/volumes" \
	    ESXSTAGE_DOWNLOADS="$T/host/downloads" PATH="$TOP/tests/fakehost/bin:$PATH"
	export FAKEHOST_STATE ESXSTAGE_VMFS_ROOT ESXSTAGE_DOWNLOADS PATH
	"$PYTHON" "$TOP/tests/fakehost/fakehost.py" init "$T/host" --version 8.0.3 \
	    --build 24414501 >/dev/null || fail "fakehost init" || return 1
	run sh "$B/install.sh" apply --yes
	[ "$rc" = 3 ] || [ "$rc" = 0 ] || fail "install.sh apply exited $rc" || return 1
	grep -c 'software profile update' "$T/host/calls.log" | grep -qx 1 &&
	    ! grep -q 'software component apply\|software vib install' "$T/host/calls.log" ||
	    fail "not one profile update"
}

test_bundle_compose_refused() {
	B=$T/b2
	run "${BUNDLE:-$TOP/$BUILD/esxbundle}" create "$B" --datastore ds \
	    --depot "$(fixture img-base8)" --profile "$STD" \
	    --add "$(fixture img-next)" --compose x
	expect_status 1 && expect_err "--compose x: the image does not validate (1 problem), first: VIB VMW_bootbank_next-nic_1.0.0-1vmw.900.0.0.24755229 does not fit this ESXi 8.0.3 image" &&
	    expect_err_lines 1 && [ ! -e "$B" ] || return 1
	run "${BUNDLE:-$TOP/$BUILD/esxbundle}" create "$B" --datastore ds \
	    --depot "$(fixture img-base8)" --compose x
	expect_status 2 && expect_err "--compose NEW-NAME needs --depot and --profile"
}

# An input whose metadata has no vibs/ (vmware.xml only): each VIB's own
# descriptor gives what validation and the new vibs/ documents need.
test_add_legacy_metadata() {
	compose --name lg --add "$(fixture img-legacy)" out.zip
	expect_status 0 && expect_out "acceptance community" || return 1
	readback out.zip lg && grep -qx "EXA_bootbank_exa-tools_2.1.0-1" "$T/ids" ||
	    fail "VIB set"
	run "$DEPOT" validate out.zip
	expect_status 0
}
