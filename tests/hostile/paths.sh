# paths.sh - hostile member names and member kinds: each refuses the whole
# input, naming the member, and writes nothing anywhere.
# SPDX-License-Identifier: BSD-2-Clause
#
# Each case is built by tests/hostile/mkarchive.py (hand-built zip bytes,
# tarfile for tar) in every form where it makes sense: a zip or tar package
# holding a good depot and the hostile member, the same member inside a
# nested zip or tar.gz of a package, a depot zip carrying it (refused by
# `depot unpack` and `depot extract` alike), and such a depot inside a
# package.  The older spec-built cases (tests/mkdepot.py wrappers),
# moved here from tests/cli/depot_extract.sh, run beside them.

O=dest/out

mkspec() {
	cat >"$T/$1.spec"
	"$PYTHON" "$TOP/tests/mkdepot.py" "$T/$1.spec" "$T/$1.bin" \
	    >"$T/gen.log" 2>&1 || { cat "$T/gen.log"; return 1; }
}

# chain FORM: what leads to the hostile member in a package of that form.
chain() {
	case $1 in
	nested-zip) echo 'pkg/inner.zip!' ;;
	nested-tgz) echo 'pkg/inner.tar.gz!' ;;
	nested-depot) echo 'pkg/depot.zip!' ;;
	*) echo ;;
	esac
}

# paths CASE WHAT FORM...: each form of CASE is refused by extract and
# info (packages) or unpack --all and extract (a depot), the message
# ending in WHAT ("member: reason").
paths() {
	case=$1 what=$2
	shift 2
	for form in "$@"; do
		mk "$case.$form" || return 1
		f=$case.$form.bin
		if [ "$form" = depot ]; then
			refused_in_dest 1 "depot: $f: $what" "$DEPOT" unpack --all "$f" $O ||
			    { echo "  (unpack $f)"; return 1; }
			refused_in_dest 1 "depot: $f: $what" "$DEPOT" extract "$f" $O ||
			    { echo "  (extract $f)"; return 1; }
			continue
		fi
		refused_in_dest 1 "depot: $f: $(chain "$form")$what" \
		    "$DEPOT" extract "$f" $O || { echo "  (extract $f)"; return 1; }
		refused_in_dest 1 "depot: $f: $(chain "$form")$what" "$DEPOT" info "$f" ||
		    { echo "  (info $f)"; return 1; }
	done
}

ALL="zip tar tgz nested-zip nested-tgz depot"

test_dotdot() {
	paths dotdot "../../x: '..' in the member name" $ALL nested-depot &&
	    hostile dd zip "../evil.txt: '..' in the member name" \
	    '[member ../evil.txt]' 'text = x' &&
	    hostile dd-tar tar "a/../../evil.txt: '..' in the member name" \
	    '[member a/../../evil.txt]' 'text = x'
}

test_absolute_path() {
	paths abs "/abs: absolute path" $ALL &&
	    hostile abs zip "/etc/evil.txt: absolute path" \
	    '[member /etc/evil.txt]' 'text = x' &&
	    hostile abs-tar tar.gz "/etc/evil.txt: absolute path" \
	    '[member /etc/evil.txt]' 'text = x'
}

test_drive_letter() {
	paths drive 'C:\x: drive letter in the member name' $ALL &&
	    hostile drive zip "C:/evil.txt: drive letter in the member name" \
	    '[member C:/evil.txt]' 'text = x'
}

test_backslash_dotdot() {
	paths backslash 'a\..\..\x: backslash in the member name' $ALL &&
	    hostile bs zip 'a\..\evil.txt: backslash in the member name' \
	    '[member a\..\evil.txt]' 'text = x'
}

# "./././x.txt" is "x.txt": harmless, and read as that; but beside an
# "x.txt" it is the same name twice.  unpack writes names only as the
# zip spells them, so it refuses the "." components (outdir.c).
test_dot_components() {
	for form in zip tar tgz nested-zip nested-tgz; do
		mk dotslash.$form || return 1
		rm -rf dest
		mkdir dest
		snap before
		run "$DEPOT" extract dotslash.$form.bin $O
		snap after
		expect_status 0 && expect_clean dest out &&
		    expect_clean $O good.zip &&
		    expect_out "skipped dotslash.$form.bin!$(chain $form)x.txt: documentation" &&
		    cmp -s "$(fixture mini8)" $O/good.zip ||
		    fail "good.zip differs" || return 1
		diff -u before.snap after.snap || return 1
	done
	paths dotslash-dup "./././x.txt: the member name appears twice" \
	    tar tgz nested-tgz zip nested-zip || return 1
	mk dotslash.depot || return 1
	refused_in_dest 1 "depot: $O: cannot write './././x.txt': '.' component" \
	    "$DEPOT" unpack --all dotslash.depot.bin $O
}

# A symbolic link, then a file "through" it: refused at the link, before
# anything is written (a writer that followed it would land in $T).
test_symlink_then_file() {
	paths symlink "link: is a symbolic link" $ALL &&
	    paths symlink-abs "link: is a symbolic link" $ALL &&
	    hostile sym zip "link: is a symbolic link" \
	    '[member link]' 'type = symlink' 'target = /etc/passwd' &&
	    hostile sym-tar tar.gz "link: is a symbolic link" \
	    '[member link]' 'type = symlink' 'target = ../../etc/passwd'
}

# Zip has no hard links.
test_hardlink() {
	paths hardlink "hard: is a hard link" tar tgz nested-tgz &&
	    hostile hard tar "hard: is a hard link" \
	    '[member hard]' 'type = hardlink' 'target = good.zip'
}

test_device() {
	paths device "dev/null: is a device or special file" zip nested-zip \
	    depot &&
	    paths device "dev/null: is a device file" tar tgz nested-tgz &&
	    paths blockdev "dev/sda: is a device or special file" zip depot &&
	    paths blockdev "dev/sda: is a device file" tar nested-tgz &&
	    paths fifo "fifo: is a device or special file" zip nested-zip &&
	    paths fifo "fifo: is a fifo or other special file" tgz nested-tgz &&
	    hostile dev tar.gz "dev/null: is a device file" \
	    '[member dev/null]' 'type = device' &&
	    hostile dev-zip zip "dev/null: is a device or special file" \
	    '[member dev/null]' 'type = device' &&
	    hostile fifo tar "fifo: is a fifo or other special file" \
	    '[member fifo]' 'type = fifo'
}

# A NUL byte can only be in a zip name (in tar it ends the name field).
# libzip cuts names at it; the central directory's lengths show it.
test_nul_byte() {
	for form in zip nested-zip; do
		mk nul.$form || return 1
		refused_in_dest 1 "depot: nul.$form.bin: $(chain $form)evil.vib" \
		    "$DEPOT" extract nul.$form.bin $O &&
		    expect_err ".txt: NUL byte in the member name" || return 1
	done
	mk nul.depot &&
	    refused_in_dest 1 "depot: nul.depot.bin: evil.vib" \
	    "$DEPOT" unpack --all nul.depot.bin $O &&
	    expect_err ".txt: NUL byte in the member name" &&
	    hostile nul zip ".txt: NUL byte in the member name" \
	    '[member evil.vib\x00.txt]' 'text = x' 'name-escapes = yes'
}

# The central directory found where libzip finds it: behind zip64 end
# records whose plain end record holds real values, and with junk before
# the end record (both once hid the NUL from the check).
test_nul_byte_zip64_and_junk() {
	for c in zip64-nul junk-nul; do
		mk $c || return 1
		refused_in_dest 1 "depot: $c.bin: evil.vib" "$DEPOT" extract $c.bin $O &&
		    expect_err ".txt: NUL byte in the member name" || return 1
	done
}

test_newline_and_control() {
	paths newline 'evil\x0a.txt: control character in the member name' \
	    $ALL &&
	    hostile ctl tar.gz 'evil\x1b[31m.txt: control character in the member name' \
	    '[member evil\x1b[31m.txt]' 'text = x' 'name-escapes = yes'
}

# Invalid UTF-8 is no danger in itself: zip names are read as CP437 (what
# a zip without the UTF-8 flag holds), tar names as their bytes, and JSON
# shows them with U+FFFD.  A package with such a document extracts.  (A
# CP437 name used to be taken for one holding a NUL byte.)
test_invalid_utf8() {
	for form in zip tar tgz nested-zip nested-tgz; do
		mk badutf8.$form || return 1
		rm -rf dest
		mkdir dest
		run "$DEPOT" extract badutf8.$form.bin $O
		expect_status 0 && expect_clean dest out &&
		    expect_clean $O good.zip && expect_out "1 item written" ||
		    return 1
		run "$DEPOT" info --json badutf8.$form.bin
		expect_status 0 && "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["installable"] == ["good.zip"], d["installable"]
' "$T/out" || return 1
	done
	mk badutf8.depot || return 1
	run "$DEPOT" unpack --all badutf8.depot.bin $O
	expect_status 0 && [ "$(find $O -name 'caf*.txt' | wc -l)" -eq 1 ] ||
	    fail "badutf8: not written"
}

# Two members of one name: which one a reader takes differs (libzip the
# first, Python's zipfile, as esxcli uses, the last), so a zip holding
# them is damaged (libzip's consistency check), a tar refused by name.
test_duplicate_names() {
	paths dup "twice.txt: the member name appears twice" tar tgz \
	    nested-tgz &&
	    paths dup "two members named twice.txt" zip depot &&
	    mk dup.nested-zip &&
	    refused_in_dest 1 "depot: dup.nested-zip.bin: pkg/inner.zip: two members named twice.txt" \
	    "$DEPOT" extract dup.nested-zip.bin $O
}

# 4,097 bytes: one more than PATH_MAX (with its NUL) and DV_MAX_NAME_BYTES.
test_name_longer_than_path_max() {
	long=$("$PYTHON" -c 'print("d/" * 2000 + "x" * 97)')
	[ ${#long} = 4097 ] || fail "long name is ${#long} bytes" || return 1
	# The message shows its first 200 bytes, so the reason still fits.
	paths long "$(echo "$long" | cut -c1-200)...: member name too long" $ALL
}

# ---- cases built by tests/mkdepot.py (from tests/cli/depot_extract.sh) ----

# hostile NAME FORMAT WHAT SECTION-LINES...: a package with one bad member
# next to a good depot is refused whole, naming the member; nothing is left.
# WHAT is "member: reason" as the message ends.
hostile() {
	name=$1 fmt=$2 what=$3
	shift 3
	{
		printf '[wrapper]\nformat = %s\n\n' "$fmt"
		printf '[member good.zip]\nspec = %s\n\n' \
		    "$TOP/testdata/depots/mini8.spec"
		printf '%s\n' "$@"
	} | mkspec "$name" || return 1
	refused_in_dest 1 "depot: $name.bin: " "$DEPOT" extract "$name.bin" $O &&
	    expect_err "$what"
}

# A hostile name deep inside is named with the chain that leads to it.
test_hostile_inside_inner_tar() {
	mkspec inner <<'SPEC'
[wrapper]
format = tar.gz
[member ok.txt]
text = fine
[member ../../escape.txt]
text = x
SPEC
	mkspec outer <<SPEC
[wrapper]
[member pkg/inner.tar.gz]
file = $T/inner.bin
SPEC
	run "$DEPOT" info outer.bin
	expect_status 1 &&
	    expect_err "depot: outer.bin: pkg/inner.tar.gz!../../escape.txt: '..' in the member name" &&
	    expect_err_lines 1 && expect_no_out
}

# ---- unpack --metadata: the members of the metadata zip ----------------------

# unpack copies metadata.zip whole; --metadata also writes its members
# under metadata/, where ../evil.xml would land in OUTDIR's own top:
# refused, naming the zip and the member, and nothing written.
test_unpack_metadata_member_dotdot() {
	mini8_with evilmeta.zip '[override]' \
	    'add metadata.zip!../evil.xml <<EOF' '<x/>' EOF || return 1
	refused_in_dest 1 "depot: evilmeta.zip: metadata.zip: ../evil.xml: '..' in the member name" \
	    "$DEPOT" unpack --metadata evilmeta.zip $O || return 1
	run "$DEPOT" unpack evilmeta.zip $O
	expect_status 0 && expect_out "7 files written to $O" && [ ! -e dest/evil.xml ] ||
	    fail "unpack without --metadata did not copy the zip whole"
}

# A folder entry in the metadata zip is no file: nothing is made of it.
test_unpack_metadata_folder_entry() {
	mini8_with dirmeta.zip '[override]' 'add metadata.zip!notes/ <<EOF' EOF ||
	    return 1
	mkdir dest
	run "$DEPOT" unpack --metadata dirmeta.zip $O
	expect_status 0 && expect_out "18 files written to $O" &&
	    [ -f $O/metadata/vmware.xml ] && [ ! -e $O/metadata/notes ] ||
	    fail "the folder entry notes/ was written"
}
