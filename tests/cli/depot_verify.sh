# depot_verify.sh - verify and show-vib: every check passes on good input
# and fails, with its own message, on each kind of damage.
# SPDX-License-Identifier: BSD-2-Clause

V8ID=VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510
trust_all() { echo --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt"; }

# damaged OPERATION: verify8 with the ne1000 VIB damaged so.
damaged() {
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture verify8)" "$1.zip" \
	    ne1000 "$1" || { echo "  mutate $1 failed"; return 1; }
	# shellcheck disable=SC2046
	run "$DEPOT" verify $(trust_all) "$1.zip"
	expect_status 1 && expect_out "$V8ID: FAILED: " &&
	    expect_err "depot: $1.zip: " && expect_err_lines 1
}

test_verify_all_good_with_trust() {
	# shellcheck disable=SC2046
	run "$DEPOT" verify $(trust_all) "$(fixture verify8)"
	expect_status 0 && expect_out "$V8ID: OK" &&
	    expect_out "VMW_bootbank_vmkusb-nic-fling_1.14-1vmw.803.0.0.75399077: OK" &&
	    expect_out "VFrontDe_bootbank_net51-r8169_6.011.00-2vft.510.0.0.799733: OK" &&
	    expect_out "6 VIBs checked, 0 failed; structure: OK; signatures: 5 signed, 1 unsigned, chains checked against --trust" &&
	    [ ! -s "$T/err" ] || fail "stderr should be empty"
}

test_verify_without_trust_says_so() {
	run "$DEPOT" verify "$(fixture verify8)"
	expect_status 0 && expect_out "trust not checked (no --trust given)"
}

# Threads change the speed, never the report (esxi8-full's 44 VIBs are
# unsigned, so each says FAILED for its level: a long, varied report).
test_verify_one_job_same_result() {
	"$DEPOT" verify --jobs 4 "$(fixture esxi8-full)" >four 2>/dev/null
	run "$DEPOT" verify --jobs 1 "$(fixture esxi8-full)"
	expect_status 1 && expect_out_file four &&
	    expect_out "44 VIBs checked, 44 failed"
}

test_verify_json() {
	# shellcheck disable=SC2046
	run "$DEPOT" verify --json $(trust_all) "$(fixture verify8)"
	expect_status 0 && "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] and d["trust_checked"], d
by = {v["id"]: v for v in d["vibs"]}
acc = by["VMW_bootbank_vmkusb-nic-fling_1.14-1vmw.803.0.0.75399077"]
assert acc["signature"]["status"] == "ok", acc
assert "Acceptance Signing" in acc["signature"]["signer"], acc
com = by["VFrontDe_bootbank_net51-r8169_6.011.00-2vft.510.0.0.799733"]
assert com["signature"]["status"] == "unsigned", com
assert d["summary"] == {"vibs": 6, "failed": 0, "signed": 5, "unsigned": 1, "untrusted": 0}
' "$T/out"
}

test_flipped_payload_byte() {
	damaged flip-payload &&
	    expect_out "payload 'ne1000' sha-256 checksum mismatch" &&
	    expect_out "sha-256 mismatch: "
}

test_flipped_descriptor_byte() {
	damaged flip-descriptor &&
	    expect_out "signature does not match descriptor.xml"
}

test_flipped_signature_byte() {
	damaged flip-signature && expect_out "signature"
}

test_wrong_packed_size() {
	damaged packed-size && expect_out "bytes, the metadata says"
}

# vmware.xml beside vibs/ is verify's cross-check of each VIB file, and
# nothing a listing shows: list-profiles does not even read it.
test_vmware_xml_cross_check() {
	damaged legacy-packed-size &&
	    expect_out "bytes, vmware.xml says" || return 1
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture verify8)" cut.zip ne1000 \
	    cut-vmware-xml || return 1
	# shellcheck disable=SC2046
	run "$DEPOT" verify $(trust_all) cut.zip
	expect_status 0 &&
	    expect_err "vmware.xml is only a cross-check here" || return 1
	run "$DEPOT" list-profiles cut.zip
	expect_status 0 && expect_out "ESXi-8.0U3e-24677879-standard" &&
	    [ ! -s "$T/err" ] || fail "stderr should be empty"
}

test_missing_payload_member() {
	damaged drop-payload &&
	    expect_out "could not find file object for payload 'ne1000'"
}

test_members_out_of_order() {
	damaged swap-first-two && expect_out "descriptor.xml was expected"
}

test_ar_size_past_end() {
	damaged grow-last-size && expect_out "runs past the end"
}

test_truncated_gzip_payload() {
	damaged truncate-payload && expect_out "payload 'ne1000'"
}

test_wrong_ca() {
	run "$DEPOT" verify --trust "$KEYS/rogueca.crt" "$(fixture verify8)"
	expect_status 1 && expect_out "$V8ID: FAILED: signer " &&
	    expect_out "is not trusted"
}

test_signer_claims_more_than_it_may() {
	# shellcheck disable=SC2046
	run "$DEPOT" verify $(trust_all) "$(fixture verify-claims)"
	expect_status 1 &&
	    expect_out "$V8ID: FAILED: signer " &&
	    expect_out "is not valid for the certified level" &&
	    expect_out "VMW_bootbank_nvme-pcie_1.2.4.11-1vmw.803.0.0.24022510: FAILED: signer" &&
	    expect_out "is not valid for the partner level" &&
	    expect_out "unsigned (empty sig.pkcs7), but the acceptance level is certified"
}

test_unreferenced_vib_is_a_warning() {
	cp "$(fixture verify8)" extra.zip
	"$PYTHON" -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "a") as z:
    z.writestr("vib20/stray/stray.vib", b"!<arch>\n")
' extra.zip
	run "$DEPOT" verify extra.zip
	expect_status 0 &&
	    expect_out "WARNING: vib20/stray/stray.vib is not referenced by any VIB metadata"
}

test_profile_naming_missing_vib_fails_verify() {
	run "$DEPOT" verify "$(fixture err-missing-vib)"
	expect_status 1 &&
	    expect_out "profile ESXi-8.0U3e-24677879-standard: VIBs VMW_bootbank_ghost-driver_1.0.0-1vmw.803.0.0.24022510 cannot be found in the depot: FAILED"
}

test_verify_usage_errors() {
	run "$DEPOT" verify --jobs 0 "$(fixture verify8)"
	expect_status 2 && expect_err "--jobs takes a number from 1 to 256" ||
	    return 1
	run "$DEPOT" verify --trust missing.pem "$(fixture verify8)"
	expect_status 2 && expect_err "missing.pem: cannot read" || return 1
	echo "not a certificate" >bad.pem
	run "$DEPOT" verify --trust bad.pem "$(fixture verify8)"
	expect_status 2 && expect_err "bad.pem: "
}

test_show_vib_from_depot() {
	run "$DEPOT" show-vib --trust "$KEYS/ca.crt" "$(fixture verify8)" \
	    vmkusb-nic-fling
	expect_status 0 &&
	    expect_out "VMW_bootbank_vmkusb-nic-fling_1.14-1vmw.803.0.0.75399077" &&
	    expect_out "   Acceptance Level: VMwareAccepted" &&
	    expect_out "   Signer: " && expect_out "Acceptance Signing" &&
	    expect_out "   Reboot Required: True" &&
	    expect_out "   Payload vmkusb-n: type vgz, size " &&
	    expect_out "      sha-256 gunzip: " &&
	    expect_out "   Verification: OK"
}

test_show_vib_from_file() {
	"$PYTHON" -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
n = [m for m in z.namelist() if "net51" in m and m.endswith(".vib")][0]
open("x.vib", "wb").write(z.read(n))
' "$(fixture verify8)"
	run "$DEPOT" show-vib --json x.vib
	expect_status 0 && "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["acceptance_level"] == "community" and d["ok"], d
assert d["signature"]["status"] == "unsigned"
assert d["payloads"][0]["name"] == "net51-r8"
' "$T/out"
}

test_show_vib_errors() {
	run "$DEPOT" show-vib "$(fixture verify8)" no-such-vib
	expect_status 1 && expect_err "no VIB with id or name 'no-such-vib'" ||
	    return 1
	run "$DEPOT" show-vib missing.vib
	expect_status 2 && expect_err "missing.vib: cannot open" || return 1
	echo "garbage" >g.vib
	run "$DEPOT" show-vib g.vib
	expect_status 1 && expect_err "depot: g.vib: " && expect_err_lines 1
}

# The real VMware VIBs verify with the signer each sig.pkcs7 carries as
# the trust anchor, and fail after any one-byte change.
test_real_depots_verify() {
	[ -d "$SHARED/real-depots" ] ||
	    { skip "../shared/real-depots is absent (a user's clone)"; return 0; }
	for z in "$SHARED"/real-depots/*.zip; do
		b=$(basename "$z" .zip)
		"$PYTHON" - "$z" "$b.sig" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
vib = [n for n in z.namelist() if n.endswith(".vib")][0]
d = z.read(vib); i = 8
while i < len(d):
    if d[i:i+1] == b"\n": i += 1; continue
    name = d[i:i+16].strip().rstrip(b"/"); size = int(d[i+48:i+58])
    if name == b"sig.pkcs7": open(sys.argv[2], "wb").write(d[i+60:i+60+size])
    i += 60 + size
PY
		set -- verify
		if [ -s "$b.sig" ]; then
			openssl pkcs7 -in "$b.sig" -print_certs -out "$b.pem" ||
			    return 1
			set -- verify --trust "$b.pem"
		fi
		run "$DEPOT" "$@" "$z"
		expect_status 0 || return 1
		"$PYTHON" "$TOP/tests/mutate.py" "$z" bad.zip .vib flip-payload
		run "$DEPOT" "$@" bad.zip
		expect_status 1 && expect_out "FAILED: " || return 1
	done
}

# ---- gzip members back to back (issue 15, defect 3) ----------------------

# Payloads of several gzip members, which gzip -d and Python's gzip read
# as one stream, every checksum matching: valid, so never "corrupt".
test_multi_member_gzip_verifies() {
	run "$DEPOT" verify "$(fixture gzip-members)"
	expect_status 0 &&
	    expect_out "VMW_bootbank_gz-two_1.0-1: OK" &&
	    expect_out "VMW_bootbank_gz-empty_1.0-1: OK" &&
	    expect_out "VMW_bootbank_gz-tiny_1.0-1: OK" &&
	    expect_out "VMW_bootbank_gz-padded_1.0-1: OK" &&
	    expect_out "VMW_bootbank_gz-rawonly_1.0-1: OK" &&
	    expect_out "VMW_bootbank_gz-nosums_1.0-1: OK" &&
	    expect_out "6 VIBs checked, 0 failed" &&
	    ! grep -q "CRC\|gzip" "$T/out" ||
	    fail "a valid multi-member payload was called damaged"
}

# The same through the other readers of a VIB: show-vib and bundle create.
test_multi_member_gzip_show_vib_and_bundle() {
	run "$DEPOT" show-vib "$(fixture gzip-members)" gz-two
	expect_status 0 && expect_out "expands to 200000 bytes" &&
	    expect_out "Verification: OK" || return 1
	run "$DEPOT" show-vib "$(fixture gzip-members)" gz-empty
	expect_status 0 && expect_out "expands to 150000 bytes" &&
	    expect_out "Verification: OK" || return 1
	run "$BUNDLE" create bdl --datastore ds1 --add "$(fixture gzip-members)"
	expect_status 0 && [ -f bdl/gzip-members.zip ] ||
	    fail "bundle create refused valid multi-member payloads"
}

# Damage only the gzip layer can see is still named, member and all: a
# spoilt CRC-32 in member 2 where no digest covers the payload, and bytes
# that are not gzip after the last member.
test_multi_member_gzip_damage_named() {
	run "$DEPOT" verify "$(fixture gzip-members-bad)"
	expect_status 1 &&
	    expect_out "VMW_bootbank_gz-badcrc_1.0-1: FAILED: payload 'gz-badcr': gzip member 2: CRC-32 mismatch" &&
	    expect_out "VMW_bootbank_gz-garbage_1.0-1: FAILED: payload 'gz-garba': 4 bytes after the end of the gzip stream" &&
	    expect_out "VMW_bootbank_gz-two_1.0-1: OK" &&
	    expect_out "VMW_bootbank_gz-trailer_1.0-1: OK" &&
	    expect_out "9 VIBs checked, 2 failed" &&
	    expect_err "depot: $(fixture gzip-members-bad): 2 checks failed" ||
	    return 1
	run "$DEPOT" show-vib "$(fixture gzip-members-bad)" gz-badcrc
	expect_status 1 &&
	    expect_err "gz-badcrc_1.0-1.vib: payload 'gz-badcr': gzip member 2: CRC-32 mismatch"
}

# Digests of the expanded bytes alone leave a gzip trailer unseen: with no
# sha-256 of the whole VIB in the metadata either, zlib checks the CRC-32,
# so a changed trailer fails as gunzip on the host would.
test_gzip_trailer_checked_when_nothing_covers_it() {
	"$PYTHON" "$TOP/tests/mutate.py" "$(fixture gzip-members-bad)" \
	    nosum.zip gz-trailer drop-file-sha256 || return 1
	run "$DEPOT" verify nosum.zip
	expect_status 1 &&
	    expect_out "VMW_bootbank_gz-trailer_1.0-1: FAILED: payload 'gz-trail': gzip: CRC-32 mismatch" &&
	    expect_out "VMW_bootbank_gz-two_1.0-1: OK" &&
	    expect_err "depot: nosum.zip: 3 checks failed"
}
