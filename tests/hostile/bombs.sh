# bombs.sh - archive bombs, lying headers and damaged archives: each is
# refused fast with one line naming the member, or (the honest zip64
# depot) works; nothing is left behind.
# SPDX-License-Identifier: BSD-2-Clause
#
# Cases are built by tests/hostile/mkarchive.py around the mini8 depot.
# A 10 GiB member is ~10 MB of deflate (1 MiB of zeros, fully flushed,
# repeated); every command runs under `timeout`, so a reader that tried
# to inflate it all fails the test instead of hanging the suite.
#
# Design choices, as an admin would expect them: a member that is merely
# big is fine where it is only looked at (a 10 GiB file beside a depot
# is skipped after its first bytes); an archive inside another is read
# into memory only up to 1 GiB, judged by its declared size before a byte
# is read; a header's size is a promise (more data than it declares is a
# damaged zip, never read further); a VIB is held to its metadata's size
# while it is written, so a bomb never fills the disk first.

O=dest/out
VIB=vib20/esx-base/VMware_bootbank_esx-base_8.0.3-0.55.24677879.vib
VIBID=VMware_bootbank_esx-base_8.0.3-0.55.24677879
VIBSIZE=3442
TMO=${TMO:-60} # seconds a command may take (refused_in_dest too)

# written CMD...: exits 0 with nothing on stderr; dest/ holds only out.
written() {
	rm -rf dest
	mkdir dest
	snap before
	run timeout "$TMO" "$@"
	snap after
	expect_status 0 && [ ! -s "$T/err" ] && expect_clean dest out &&
	    snap_unchanged || { fail "(ran: $*)"; return 1; }
}

# everywhere STATUS MESSAGE FILE: info, list-profiles, list-vibs, verify,
# extract and unpack --verify all fail so on FILE (a depot).
everywhere() {
	for v in info list-profiles list-vibs verify; do
		refused_in_dest "$1" "$2" "$DEPOT" $v "$3" || return 1
	done
	refused_in_dest "$1" "$2" "$DEPOT" extract "$3" $O &&
	    refused_in_dest "$1" "$2" "$DEPOT" unpack --verify "$3" $O
}

# ---- nesting ------------------------------------------------------------

# 42.zip: 16 copies at each of 5 levels, a 1 GiB file and the depot at the
# bottom: 16^5 GiB if unpacked.  Copies are the same bytes, met once.
test_nest42() {
	mk nest42 || return 1
	written "$DEPOT" extract nest42.bin $O &&
	    expect_clean $O good.zip && cmp -s "$(fixture mini8)" $O/good.zip &&
	    expect_out "same content as" &&
	    expect_out "lvl1-0.zip!lvl2-0.zip!lvl3-0.zip!lvl4-0.zip!lvl5-0.zip!0.dll: not installable" &&
	    expect_out "1 item written" || return 1
	run timeout "$TMO" "$DEPOT" info nest42.bin
	expect_status 0 && expect_out "Installable: 1 depot"
}

# 4 copies at each of 11 levels: refused at the ninth, whatever the width.
test_deep_and_wide() {
	mk deep-wide || return 1
	chain='lvl1-0.zip!lvl2-0.zip!lvl3-0.zip!lvl4-0.zip!lvl5-0.zip!lvl6-0.zip!lvl7-0.zip!lvl8-0.zip'
	refused_in_dest 1 "depot: deep-wide.bin: $chain: archives nested more than 8 deep" \
	    "$DEPOT" extract deep-wide.bin $O &&
	    refused_in_dest 1 "depot: deep-wide.bin: $chain: archives nested more than 8 deep" \
	    "$DEPOT" info deep-wide.bin
}

# ---- a 10 GiB member ----------------------------------------------------

# Beside a depot, only its first bytes are read: skipped, quickly.
test_bomb_member_beside_depot() {
	mk bomb-bin || return 1
	written "$DEPOT" extract bomb-bin.bin $O &&
	    expect_clean $O good.zip &&
	    expect_out "skipped bomb-bin.bin!zeros.bin: not installable"
}

# An archive inside another is read into memory: refused by its size.
test_bomb_inner_archive() {
	mk bomb-inner || return 1
	m="depot: bomb-inner.bin: zeros.zip: 10737418240 bytes; an archive inside another is read into memory, up to 1073741824 bytes"
	refused_in_dest 1 "$m" "$DEPOT" extract bomb-inner.bin $O &&
	    refused_in_dest 1 "$m" "$DEPOT" info bomb-inner.bin
}

# Both headers say 1 MiB: reading stops at the 1 MiB (not at 1 GiB).
test_bomb_inner_archive_headers_lie() {
	mk bomb-inner-lies || return 1
	m="depot: bomb-inner-lies.bin: zeros.zip: damaged zip archive: more data than the 1048576 bytes its header declares"
	refused_in_dest 1 "$m" "$DEPOT" extract bomb-inner-lies.bin $O &&
	    refused_in_dest 1 "$m" "$DEPOT" info bomb-inner-lies.bin
}

test_bomb_bare_vib() {
	mk bomb-vib || return 1
	refused_in_dest 1 "depot: bomb-vib.bin: zeros.vib: not a valid ar file" \
	    "$DEPOT" extract bomb-vib.bin $O
}

# A depot whose VIB is 10 GiB of zeros: listing reads only metadata;
# verify says the VIB is bad; unpack --verify and extract --vibs stop at
# the metadata's size instead of writing 10 GiB first.
test_bomb_vib_in_depot() {
	mk bomb-depot-vib || return 1
	run "$DEPOT" list-vibs "$(fixture mini8)"
	cp "$T/out" want-vibs
	run timeout "$TMO" "$DEPOT" list-vibs bomb-depot-vib.bin
	expect_status 0 && expect_out_file want-vibs || return 1
	run timeout "$TMO" "$DEPOT" verify bomb-depot-vib.bin
	expect_status 1 &&
	    expect_out "$VIBID: FAILED: bomb-depot-vib.bin: $VIB: not a valid ar file" ||
	    return 1
	# The zip's directory already gives the bomb's size: unpack refuses
	# it before a byte is read, with --verify or not.
	refused_in_dest 1 "depot: bomb-depot-vib.bin: $VIB: 10737418240 bytes in the zip's directory, but the metadata says $VIBSIZE" \
	    "$DEPOT" unpack --verify bomb-depot-vib.bin $O &&
	    refused_in_dest 1 "depot: bomb-depot-vib.bin: $VIB: 10737418240 bytes in the zip's directory, but the metadata says $VIBSIZE" \
	    "$DEPOT" unpack bomb-depot-vib.bin $O &&
	    refused_in_dest 1 "depot: bomb-depot-vib.bin: $VIB: more than the $VIBSIZE bytes the depot's metadata says" \
	    "$DEPOT" extract --vibs bomb-depot-vib.bin $O
}

# The same with both headers claiming the metadata's size: even a plain
# unpack (no --verify) stops where the header's size ends.
test_bomb_vib_in_depot_headers_lie() {
	mk bomb-depot-vib-lies || return 1
	m="depot: bomb-depot-vib-lies.bin: $VIB: damaged zip archive: more data than the $VIBSIZE bytes its header declares"
	refused_in_dest 1 "$m" "$DEPOT" unpack bomb-depot-vib-lies.bin $O &&
	    refused_in_dest 1 "$m" "$DEPOT" extract --vibs bomb-depot-vib-lies.bin $O &&
	    run timeout "$TMO" "$DEPOT" verify bomb-depot-vib-lies.bin &&
	    expect_status 1 && expect_out "$VIBID: FAILED: ${m#depot: }"
}

test_bomb_metadata_zip() {
	mk bomb-depot-meta || return 1
	everywhere 1 "depot: bomb-depot-meta.bin: metadata.zip: metadata zip larger than 268435456 bytes" \
	    bomb-depot-meta.bin
}

# Metadata whose documents declare more than 1 GiB together, vmware.xml
# counted: refused before a byte is inflated.  Under the limit (a small
# vmware.xml) the same zip is read, and its first bulletin is no XML.
test_bomb_metadata_documents_total() {
	mk bomb-meta-total && mk bomb-meta-total-under || return 1
	everywhere 1 "depot: bomb-meta-total.bin: metadata documents add up to more than 1073741824 bytes" \
	    bomb-meta-total.bin || return 1
	run timeout "$TMO" "$DEPOT" info bomb-meta-total-under.bin
	expect_status 1 && expect_err "bulletins/bomb00.xml" || return 1
	grep -q "add up to" "$T/err" && fail "under the limit, refused by it"
	return 0
}

test_bomb_index_xml() {
	mk bomb-depot-index || return 1
	everywhere 1 "depot: bomb-depot-index.bin: index.xml: larger than 67108864 bytes" \
	    bomb-depot-index.bin
}

# ---- headers that lie -----------------------------------------------------

# The central directory says index.xml is 10 bytes, or 1000 more than it
# is (the local header tells the truth); its VIB's compressed size runs
# past the end of the file.
test_central_directory_lies_about_sizes() {
	mk cd-size-small && mk cd-size-large && mk cd-csize-past-end ||
	    return 1
	everywhere 1 "depot: cd-size-small.bin: damaged zip archive: Zip archive inconsistent" \
	    cd-size-small.bin &&
	    everywhere 1 "depot: cd-size-large.bin: damaged zip archive: Zip archive inconsistent" \
	    cd-size-large.bin &&
	    everywhere 1 "depot: cd-csize-past-end.bin: $VIB: damaged zip archive: its compressed size, 4294967040 bytes, runs past the end of the file" \
	    cd-csize-past-end.bin
}

# A local header naming index.xml "../../evil.xml", or with other sizes:
# Python's zipfile (esxcli) refuses such a zip, so it is never "fine".
test_local_header_disagrees() {
	mk local-name && mk local-size || return 1
	everywhere 1 "depot: local-name.bin: damaged zip archive: Zip archive inconsistent" \
	    local-name.bin &&
	    everywhere 1 "depot: local-size.bin: damaged zip archive: Zip archive inconsistent" \
	    local-size.bin
}

# ---- CRC, truncation ------------------------------------------------------

test_crc_mismatch() {
	mk crc-index && mk crc-vib && mk crc-inner || return 1
	everywhere 1 "depot: crc-index.bin: index.xml: CRC error" crc-index.bin ||
	    return 1
	run "$DEPOT" list-profiles crc-vib.bin
	expect_status 0 || return 1
	run timeout "$TMO" "$DEPOT" verify crc-vib.bin
	expect_status 1 &&
	    expect_out "$VIBID: FAILED: crc-vib.bin: $VIB: CRC error" || return 1
	# Stored, read straight from the file past libzip: checked all the same.
	mk crc-vib-stored || return 1
	run timeout "$TMO" "$DEPOT" verify crc-vib-stored.bin
	expect_status 1 &&
	    expect_out "$VIBID: FAILED: crc-vib-stored.bin: $VIB: CRC error" ||
	    return 1
	refused_in_dest 1 "depot: crc-vib.bin: $VIB: CRC error" \
	    "$DEPOT" unpack crc-vib.bin $O &&
	    refused_in_dest 1 "depot: crc-inner.bin: good.zip: CRC error" \
	    "$DEPOT" extract crc-inner.bin $O &&
	    refused_in_dest 1 "depot: crc-inner.bin: good.zip: CRC error" \
	    "$DEPOT" info crc-inner.bin
}

test_truncated_zip() {
	mk truncated-end && mk truncated-inner && mk truncated-member ||
	    return 1
	for v in info list-profiles list-vibs verify; do
		refused_in_dest 1 "depot: truncated-end.bin: truncated or damaged zip: no end of central directory; download it again" \
		    "$DEPOT" $v truncated-end.bin || return 1
	done
	refused_in_dest 1 "depot: truncated-end.bin: truncated or damaged zip: no end of central directory; download it again" \
	    "$DEPOT" extract truncated-end.bin $O &&
	    refused_in_dest 1 "depot: truncated-end.bin: truncated or damaged zip: no end of central directory; download it again" \
	    "$DEPOT" unpack truncated-end.bin $O &&
	    refused_in_dest 1 "depot: truncated-inner.bin: cut.zip: truncated or damaged zip: no end of central directory; download it again" \
	    "$DEPOT" extract truncated-inner.bin $O &&
	    everywhere 1 "depot: truncated-member.bin: damaged zip archive: Zip archive inconsistent" \
	    truncated-member.bin
}

# ---- zip64: an honest depot written with zip64 records works ---------------

test_zip64_depot() {
	mk zip64-depot || return 1
	mkdir a b
	cp "$(fixture mini8)" a/d.zip
	cp zip64-depot.bin b/d.zip
	cmp -s a/d.zip b/d.zip && { fail "not rewritten"; return 1; }
	for v in list-profiles list-vibs list-components info; do
		(cd a && "$DEPOT" $v d.zip) >want 2>&1
		run sh -c "cd b && exec \"\$0\" $v d.zip" "$DEPOT"
		expect_status 0 && expect_out_file want || return 1
	done
	written "$DEPOT" unpack --verify b/d.zip $O &&
	    expect_out "7 files written to $O; 4 VIBs verified" || return 1
	"$PYTHON" -c '
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if not n.endswith("/"):
        assert open(os.path.join(sys.argv[2], n), "rb").read() == z.read(n), n
' b/d.zip $O || return 1
	written "$DEPOT" extract b/d.zip $O && cmp -s b/d.zip $O/d.zip ||
	    fail "extract did not copy the zip64 depot byte for byte" || return 1
	# Signed: verify says all is well, as for the original.
	mk zip64-depot verify8 || return 1
	run timeout "$TMO" "$DEPOT" verify --trust "$KEYS/ca.crt" \
	    --trust "$KEYS/certified.crt" zip64-depot.bin
	expect_status 0 &&
	    expect_out "6 VIBs checked, 0 failed; structure: OK; signatures: 5 signed, 1 unsigned"
}

# ---- ar -----------------------------------------------------------------

# An ar member claiming 9,999,999,999 bytes: in a bare VIB, in a package,
# in a depot.
test_ar_member_past_end() {
	mk ar-past-end-vib && mk ar-past-end-pkg && mk ar-past-end-depot ||
	    return 1
	m="depot: ar-past-end-vib.bin: member 'esx-base' runs past the end of the file (9999999999 bytes claimed)"
	refused_in_dest 1 "$m" "$DEPOT" extract ar-past-end-vib.bin $O &&
	    refused_in_dest 1 "$m" "$DEPOT" info ar-past-end-vib.bin &&
	    refused_in_dest 1 "$m" "$DEPOT" show-vib ar-past-end-vib.bin || return 1
	m="depot: ar-past-end-pkg.bin: $VIBID.vib: descriptor.xml is 9999999999 bytes, more than the 16777216 allowed"
	refused_in_dest 1 "$m" "$DEPOT" extract ar-past-end-pkg.bin $O &&
	    refused_in_dest 1 "$m" "$DEPOT" info ar-past-end-pkg.bin || return 1
	run timeout "$TMO" "$DEPOT" verify ar-past-end-depot.bin
	expect_status 1 &&
	    expect_out "$VIBID: FAILED: ar-past-end-depot.bin: $VIB: descriptor.xml is 9999999999 bytes, more than the 16777216 allowed" ||
	    return 1
	refused_in_dest 1 "depot: ar-past-end-depot.bin: $VIB: SHA-256 is " \
	    "$DEPOT" unpack --verify ar-past-end-depot.bin $O &&
	    refused_in_dest 1 "depot: ar-past-end-depot.bin: $VIB: $VIBSIZE bytes with SHA-256 " \
	    "$DEPOT" extract --vibs ar-past-end-depot.bin $O
}

# ---- gzip -----------------------------------------------------------------

# A tar.gz cut in half, one whose deflate stream never ends (no final
# block, no trailer), and one cut inside the last of many members.
test_gzip_never_ends() {
	for c in tgz-truncated tgz-never-ends tgz-multi-truncated; do
		mk $c || return 1
		refused_in_dest 1 "depot: $c.bin: not a tar archive: truncated gzip input" \
		    "$DEPOT" extract $c.bin $O &&
		    refused_in_dest 1 "depot: $c.bin: not a tar archive: truncated gzip input" \
		    "$DEPOT" info $c.bin || return 1
	done
}

# One gzip member per 512 bytes of tar is valid.  (The depot is the tar's
# last member and nothing before it is read: the reader, past the end
# after listing, must start over for it.)
test_gzip_many_members() {
	mk tgz-multi || return 1
	written "$DEPOT" extract tgz-multi.bin $O && expect_clean $O good.zip &&
	    cmp -s "$(fixture mini8)" $O/good.zip ||
	    fail "good.zip differs" || return 1
}
