# image_diff.sh - depot diff: two profiles, two depots, a host's saved
# 'esxcli software vib list' (host-output.md's format), errors.
# SPDX-License-Identifier: BSD-2-Clause

STD=ESXi-8.0U3e-24677879-standard

# A host on 8.0.2 with an old ne1000, the Mellanox tools and the base.
host_list() {
	cat >host.txt <<'HOST'
Name                           Version                                Vendor  Acceptance Level  Install Date
-----------------------------  -------------------------------------  ------  ----------------  ------------
esx-base                       8.0.2-0.0.22380479                     VMware  VMwareCertified   2024-01-10
esx-update                     8.0.3-0.55.24677879                    VMware  VMwareCertified   2024-01-10
ne1000                         0.9.3-1vmw.803.0.0.24022510            VMW     PartnerSupported  2024-01-10
mft                            4.18.1.14-0                            MEL     PartnerSupported  2022-03-13
HOST
}

test_two_profiles_of_one_depot() {
	d=$(fixture mini8)
	run "$DEPOT" diff "$d:$STD" "$d:ESXi-8.0U3e-24677879-no-tools"
	expect_status 0 &&
	    expect_out "A: $d:$STD (ESXi 8.0.3, 4 VIBs, partner)" &&
	    expect_out "removed: tools-light 12.5.0.24276846-24677879" &&
	    expect_out "unchanged: 3 VIBs" || return 1
	grep -q '^acceptance:' "$T/out" && fail "no acceptance change" || return 0
}

test_base_and_composed() {
	"$DEPOT" compose --profile "$STD" --name plus \
	    --add "$(fixture img-addon)" "$(fixture img-base8)" out.zip >/dev/null ||
	    fail "compose"
	run "$DEPOT" diff "$(fixture img-base8):$STD" out.zip
	expect_status 0 &&
	    expect_out "added: exa-nic 2.1.0.0-1OEM.800.1.0.20613240" &&
	    expect_out "added: exa-tools 2.1.0-1" &&
	    expect_out "upgraded: ne1000 0.9.2-1vmw.803.0.0.24022510 -> 0.9.3-1vmw.803.0.0.24022510" &&
	    expect_out "unchanged: 3 VIBs" &&
	    expect_out "acceptance: partner -> community"
}

test_downgrade_and_platform() {
	"$DEPOT" compose --profile "$STD" --name old --force \
	    --add "$(fixture img-old)" "$(fixture img-base8)" old.zip >/dev/null 2>&1 ||
	    fail "compose"
	run "$DEPOT" diff "$(fixture img-base8):$STD" old.zip
	expect_status 0 &&
	    expect_out "downgraded: ne1000 0.9.2-1vmw.803.0.0.24022510 -> 0.9.1-1vmw.803.0.0.24022510"
}

test_host() {
	host_list
	run "$DEPOT" diff "$(fixture mini8):$STD" --host host.txt
	expect_status 0 &&
	    expect_out "A: host.txt (ESXi 8.0.2, 4 VIBs, partner)" &&
	    expect_out "added: tools-light 12.5.0.24276846-24677879 (to install)" &&
	    expect_out "removed: mft 4.18.1.14-0 (on the host only: 'profile update' keeps it)" &&
	    expect_out "upgraded: esx-base 8.0.2-0.0.22380479 -> 8.0.3-0.55.24677879" &&
	    expect_out "downgraded: ne1000 0.9.3-1vmw.803.0.0.24022510 -> 0.9.2-1vmw.803.0.0.24022510 ('profile update' skips it unless --allow-downgrades)" &&
	    expect_out "unchanged: 1 VIB" &&
	    expect_out "platform: ESXi 8.0.2 -> 8.0.3"
}

test_host_json() {
	host_list
	run "$DEPOT" diff --json "$(fixture mini8):$STD" --host host.txt
	expect_status 0 || return 1
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["a"]["esx_version"] == "8.0.2" and d["b"]["esx_version"] == "8.0.3", d
assert [x["name"] for x in d["added"]] == ["tools-light"], d
assert [x["name"] for x in d["removed"]] == ["mft"], d
assert d["upgraded"][0]["from"] == "8.0.2-0.0.22380479", d
assert d["unchanged"] == 1, d' "$T/out" || fail "JSON"
}

test_host_bad_list() {
	echo "hello world" >bad.txt
	run "$DEPOT" diff "$(fixture mini8):$STD" --host bad.txt
	expect_status 1 && expect_err "bad.txt: line 1: expected the header of 'esxcli software vib list'" &&
	    expect_err_lines 1 || return 1
	host_list
	echo "broken-row 1.0" >>host.txt
	run "$DEPOT" diff "$(fixture mini8):$STD" --host host.txt
	expect_status 1 && expect_err "host.txt: line 7: expected NAME VERSION VENDOR ACCEPTANCE [INSTALL-DATE], got 2 columns" || return 1
	host_list
	echo "x 1.0 V Gold 2024-01-01" >>host.txt
	run "$DEPOT" diff "$(fixture mini8):$STD" --host host.txt
	expect_status 1 && expect_err "unknown acceptance level 'Gold'" || return 1
	run "$DEPOT" diff "$(fixture mini8):$STD" --host missing.txt
	expect_status 2 && expect_err "missing.txt: cannot open"
}

test_profile_needed() {
	run "$DEPOT" diff "$(fixture mini8)" "$(fixture mini8)"
	expect_status 2 && expect_err "2 image profiles: name one as" &&
	    expect_err_lines 1
}

test_unknown_profile() {
	run "$DEPOT" diff "$(fixture mini8):nope" "$(fixture mini8):$STD"
	expect_status 1 && expect_err "nope"
}

test_usage() {
	run "$DEPOT" diff "$(fixture mini8):$STD"
	expect_status 2 && expect_err "expected 2 operands, got 1" || return 1
	run "$DEPOT" diff a b --host c d
	expect_status 2 && expect_err "expected 1 operand, got 3"
}
