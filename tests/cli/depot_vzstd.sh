# depot_vzstd.sh - ESXi 9 vzstd payloads (gzip around a zstd frame):
# verify checks every level, show-vib reports them, and damage that only
# the zstd level can see is caught.
# SPDX-License-Identifier: BSD-2-Clause

VZID=VMW_bootbank_vmkusb-nic-fling_1.15-1vmw.900.0.84947163

test_vzstd_verify_ok() {
	run "$DEPOT" verify --trust "$KEYS/ca.crt" "$(fixture vzstd9)"
	expect_status 0 && expect_out "$VZID: OK" &&
	    expect_out "1 VIB checked, 0 failed; structure: OK" || return 1
	[ ! -s "$T/err" ] || fail "stderr should be empty"
}

# show-vib names the type and every checksum, and each value is what the
# test computes itself from the VIB: the stored member, the member after
# gzip (a zstd frame, by its magic), and after the zstd CLI expands it.
test_vzstd_show_vib() {
	run "$DEPOT" show-vib "$(fixture vzstd9)" vmkusb-nic-fling
	expect_status 0 &&
	    expect_out "   Payload vmkusb-n: type vzstd, size " &&
	    expect_out ", uncompressed 1191424" &&
	    expect_out "      sha-256-gunzip1: " &&
	    expect_out "      expands to 1191424 bytes" &&
	    expect_out "   Verification: OK" || return 1
	run "$DEPOT" show-vib --json "$(fixture vzstd9)" vmkusb-nic-fling
	expect_status 0 || return 1
	"$PYTHON" -c '
import gzip, hashlib, json, subprocess, sys, zipfile
d = json.load(open(sys.argv[1]))
z = zipfile.ZipFile(sys.argv[2])
vib = z.read([n for n in z.namelist() if n.endswith(".vib")][0])
assert vib[:8] == b"!<arch>\n"
members, i = {}, 8
while i < len(vib):
    if vib[i:i + 1] == b"\n":
        i += 1
        continue
    name = vib[i:i + 16].rstrip(b" ").rstrip(b"/").decode()
    size = int(vib[i + 48:i + 58])
    members[name] = vib[i + 60:i + 60 + size]
    i += 60 + size
raw = members["vmkusb-n"]
frame = gzip.decompress(raw)
assert frame[:4] == b"\x28\xb5\x2f\xfd", "not a zstd frame inside the gzip"
plain = subprocess.run(["zstd", "-d", "-c", "-q"], input=frame,
                       capture_output=True, check=True).stdout
assert d["ok"], d
[p] = d["payloads"]
assert (p["name"], p["type"], p["size"], p["uncompressed_size"]) == \
    ("vmkusb-n", "vzstd", len(raw), len(plain)), p
got = {(c["type"], c["verify_process"]): c["value"] for c in p["checksums"]}
want = {("sha-256", "gunzip"): hashlib.sha256(plain).hexdigest(),
        ("sha-256", None): hashlib.sha256(raw).hexdigest(),
        ("sha-1", "gunzip"): hashlib.sha1(plain).hexdigest(),
        ("sha-256-gunzip1", None): hashlib.sha256(frame).hexdigest()}
assert got == want, (got, want)
' "$T/out" "$(fixture vzstd9)"
}

# One byte of the zstd frame changed before gzip: the gzip layer, the
# stored payload's sha-256 and the VIB's own size and sha-256 all hold;
# sha-256-gunzip1 and zstd (its content checksum) catch it.
test_vzstd_damaged_frame() {
	run "$DEPOT" verify --trust "$KEYS/ca.crt" "$(fixture vzstd9-tampered)"
	expect_status 1 && expect_out "$VZID: FAILED: " &&
	    expect_out "payload 'vmkusb-n' sha-256-gunzip1 checksum mismatch: " &&
	    expect_out "payload 'vmkusb-n': zstd: " &&
	    expect_out "1 VIB checked, 1 failed; structure: OK" &&
	    expect_err "depot: $(fixture vzstd9-tampered): 1 check failed" &&
	    expect_err_lines 1 || return 1
	! grep -q "'vmkusb-n' sha-256 checksum mismatch\|sha-256 mismatch: \|gzip" \
	    "$T/out" || fail "a level outside zstd failed too"
}

test_vzstd_damaged_frame_show_vib() {
	run "$DEPOT" show-vib "$(fixture vzstd9-tampered)" vmkusb-nic-fling
	expect_status 1 && expect_out "   Verification: FAILED: " &&
	    expect_out "sha-256-gunzip1 checksum mismatch" &&
	    expect_err "depot: $(fixture vzstd9-tampered): " &&
	    expect_err "zstd: " && expect_err_lines 1
}
