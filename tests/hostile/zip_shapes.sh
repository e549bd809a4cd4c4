# zip_shapes.sh - zips whose directory no honest writer makes: members
# whose bytes overlap (the zip bomb that inflates one kernel many times),
# encrypted members, two members of one name, zip64 fields and sizes
# that point outside the file, more members or a bigger directory than
# the limits; and depots whose VIB paths collide, which unpack refuses
# with or without --verify.  Each is refused with one line naming the
# member and what is wrong with it, and nothing is written.
# SPDX-License-Identifier: BSD-2-Clause
#
# Archives come from tests/hostile/mkarchive.py (bytes built by hand)
# around the mini8 depot, or from tests/mkdepot.py specs.

O=dest/out
SPECS="$TOP/testdata/depots"
VIB=vib20/esx-base/VMware_bootbank_esx-base_8.0.3-0.55.24677879.vib
NE=VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510
NEVIB=vib20/ne1000/$NE.vib

# everywhere STATUS MESSAGE FILE: every command that reads a depot fails
# so on FILE, and extract and unpack write nothing.
everywhere() {
	for v in info list-profiles list-vibs list-components verify; do
		refused_in_dest "$1" "$2" "$DEPOT" $v "$3" || return 1
	done
	refused_in_dest "$1" "$2" "$DEPOT" show-vib "$3" ne1000 &&
	    refused_in_dest "$1" "$2" "$DEPOT" extract "$3" $O &&
	    refused_in_dest "$1" "$2" "$DEPOT" extract --vibs "$3" $O &&
	    refused_in_dest "$1" "$2" "$DEPOT" unpack "$3" $O &&
	    refused_in_dest "$1" "$2" "$DEPOT" unpack --verify "$3" $O
}

# first_of_each ZIP: keep only the first member of each name (Python's
# zipfile writes a second one when asked, with a warning).
first_of_each() {
	"$PYTHON" - "$1" <<'EOF'
import sys, zipfile
src = sys.argv[1]
with zipfile.ZipFile(src) as z:
    seen, keep = set(), []
    for i in z.infolist():
        if i.filename not in seen:
            seen.add(i.filename)
            keep.append((i, z.read(i)))
with zipfile.ZipFile(src + ".tmp", "w") as out:
    for i, data in keep:
        out.writestr(i, data)
import os
os.replace(src + ".tmp", src)
EOF
}

# ---- overlapping members ---------------------------------------------------

OVERLAP="junk/0000.bin: overlaps the member junk/0001.bin, as the members of a zip bomb do; refused"

# Each member holds the next whole (stored), or quotes the next one's
# header and runs on into its data (deflate), down to a 1 MiB kernel:
# 600 of those inflate to 600 MiB from 85 KB.  Python's zipfile (3.12)
# refuses both; every command here refuses them before a byte is inflated.
test_overlapping_members() {
	for shape in nested quoted; do
		for n in 2 30 600; do
			mk overlap-$shape-$n && everywhere 1 \
			    "depot: overlap-$shape-$n.bin: $OVERLAP" \
			    overlap-$shape-$n.bin || return 1
		done
	done
}

# The same inside a vendor package: the inner depot is refused by name.
test_overlapping_members_inside_a_package() {
	mk overlap-quoted-30 || return 1
	mkdir -p pkg
	cp overlap-quoted-30.bin pkg/depot.zip
	"$PYTHON" -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED)
z.write(sys.argv[2], "pkg/depot.zip")
z.writestr("pkg/README.txt", "read me\n")' outer.zip pkg/depot.zip
	refused_in_dest 1 "depot: outer.zip: pkg/depot.zip: $OVERLAP" \
	    "$DEPOT" extract outer.zip $O &&
	    refused_in_dest 1 "depot: outer.zip: pkg/depot.zip: $OVERLAP" \
	    "$DEPOT" info outer.zip
}

# ---- encrypted members, duplicate names ------------------------------------

test_encrypted_members() {
	for kind in trad aes; do
		mk encrypted-$kind && everywhere 1 "depot: encrypted-$kind.bin: index.xml: encrypted member, which depots never have" \
		    encrypted-$kind.bin || return 1
	done
}

test_two_members_of_one_name() {
	mk dup-index &&
	    everywhere 1 "depot: dup-index.bin: two members named index.xml" \
	    dup-index.bin || return 1
	# The mini8 depot with a second member at esx-base's path.
	"$PYTHON" -W ignore -c 'import shutil, sys, zipfile
shutil.copy(sys.argv[1], "dupvib.zip")
with zipfile.ZipFile("dupvib.zip", "a") as z:
    z.writestr(sys.argv[2], "a second VIB of one name\n")' \
	    "$(fixture mini8)" "$VIB" &&
	    everywhere 1 "depot: dupvib.zip: two members named $VIB" dupvib.zip
}

# ---- fields that point outside the archive ---------------------------------

test_zip64_fields_that_point_nowhere() {
	mk zip64-locator-past-end && mk zip64-locator-wrong &&
	    mk zip64-offset-past-end || return 1
	everywhere 1 "depot: zip64-locator-past-end.bin: damaged zip archive: the zip64 locator's offset of the zip64 end record" \
	    zip64-locator-past-end.bin &&
	    expect_err "is past the end of the file" &&
	    everywhere 1 "depot: zip64-locator-wrong.bin: damaged zip archive: the zip64 locator's offset of the zip64 end record, 0, does not point at one" \
	    zip64-locator-wrong.bin &&
	    everywhere 1 "depot: zip64-offset-past-end.bin: index.xml: damaged zip archive: no local header at the offset its central directory entry gives (1099511627776, past the end of the file)" \
	    zip64-offset-past-end.bin
}

test_stored_member_larger_than_the_file() {
	mk stored-past-end &&
	    everywhere 1 "depot: stored-past-end.bin: index.xml: damaged zip archive: its compressed size, 52428800 bytes, runs past the end of the file" \
	    stored-past-end.bin
}

# ---- the limits on the directory --------------------------------------------

# manyzip OUT N NAMELEN: a real zip of N members (an empty depot's
# index.xml, then empty files) with names of NAMELEN bytes.
manyzip() {
	"$PYTHON" "$TOP/tests/hostile/mkarchive.py" "members-$2-$3" "$1" ||
	    fail "mkarchive members-$2-$3 failed"
}

test_more_members_than_the_limit() {
	manyzip many.zip 500001 8 &&
	    refused_in_dest 1 "depot: many.zip: more than 500000 members" \
	    "$DEPOT" list-vibs many.zip &&
	    refused_in_dest 1 "depot: many.zip: more than 500000 members" \
	    "$DEPOT" extract many.zip $O
}

test_central_directory_larger_than_the_limit() {
	manyzip bigcd.zip 8400 4000 &&
	    refused_in_dest 1 "depot: bigcd.zip: central directory of 33982409 bytes, more than the 33554432 allowed" \
	    "$DEPOT" info bigcd.zip &&
	    manyzip okcd.zip 2000 4000 &&
	    run "$DEPOT" list-vibs okcd.zip &&
	    expect_status 0 &&
	    expect_err "okcd.zip: index.xml: lists no vendors; the depot is empty"
}

# ---- unpack: VIB paths that collide, with or without --verify --------------

# unpack_refused FILE MESSAGE: unpack, and unpack --verify, refuse FILE.
unpack_refused() {
	refused_in_dest 1 "depot: $1: $2" "$DEPOT" unpack "$1" $O &&
	    refused_in_dest 1 "depot: $1: $2" "$DEPOT" unpack --verify "$1" $O
}

# ne1000's relative path is index.xml, and the zip holds only the index
# there: an unpacked depot would have no ne1000 VIB.
test_unpack_vib_at_the_index_path() {
	mini8_with atindex.zip '[vib ne1000]' 'relative-path = index.xml' &&
	    first_of_each atindex.zip &&
	    unpack_refused atindex.zip "index.xml: VIB $NE's relative path is the path of an index file" &&
	    mini8_with atvindex.zip '[vib ne1000]' 'relative-path = vendor-index.xml' &&
	    first_of_each atvindex.zip &&
	    unpack_refused atvindex.zip "vendor-index.xml: VIB $NE's relative path is the path of an index file" &&
	    mini8_with atmeta.zip '[vib ne1000]' 'relative-path = metadata.zip' &&
	    first_of_each atmeta.zip &&
	    unpack_refused atmeta.zip "metadata.zip: VIB $NE's relative path is the path of a metadata zip"
}

# ne1000's metadata gives esx-base's relative path (its own file stays in
# the zip, named by nothing).
test_unpack_two_vibs_at_one_path() {
	"$PYTHON" "$TOP/tests/hostile/mkdoc.py" doc "$SPECS/mini8.spec" \
	    twovibs.zip vib replace --replace "$NEVIB" "$VIB" ||
	    { fail "mkdoc failed"; return 1; }
	unpack_refused twovibs.zip "$VIB: the relative path of two VIBs" &&
	    expect_err "each VIB needs a file of its own"
}

# The zip's directory already says the VIB is not the metadata's.
test_unpack_size_contradicts_the_metadata() {
	mini8_with short.zip '[override]' "replace $NEVIB <<EOF" 'not the VIB' EOF &&
	    unpack_refused short.zip "$NEVIB: 12 bytes in the zip's directory, but the metadata says" ||
	    return 1
	head -c 100000 /dev/zero >"$T/long.bin"
	mini8_with long.zip '[override]' "replace $NEVIB @long.bin" &&
	    unpack_refused long.zip "$NEVIB: 100000 bytes in the zip's directory, but the metadata says"
}

# ---- a member path with empty components --------------------------------------

# The metadata's relative path vib20//ne1000///ne.vib names
# vib20/ne1000/ne.vib; the zip holds the member under the name as
# written.  Every command says what is wrong with the name.
test_relative_path_with_empty_components() {
	mini8_with empty.zip '[vib ne1000]' 'relative-path = vib20//ne1000///ne.vib' ||
	    return 1
	run "$DEPOT" list-vibs empty.zip
	expect_status 0 && expect_err_lines 1 &&
	    expect_err "depot: warning: empty.zip: metadata.zip: vibs/" &&
	    expect_err "VIB '$NE': its relative-path 'vib20//ne1000///ne.vib' has empty or \".\" path components, so it names vib20/ne1000/ne.vib, which the zip does not hold; the zip's member is named as written" ||
	    return 1
	run "$DEPOT" verify empty.zip
	expect_status 1 && expect_err "has empty or \".\" path components" &&
	    expect_out "$NE: FAILED: file vib20/ne1000/ne.vib is missing"
}
