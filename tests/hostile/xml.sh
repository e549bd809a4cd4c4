# xml.sh - hostile XML in every document a depot carries: entity bombs,
# external entities and DTDs, huge text, deep nesting, bad encodings; and
# the harmless oddities (a BOM, CRLF line ends) that must still list.
# SPDX-License-Identifier: BSD-2-Clause
#
# Each depot is built by tests/hostile/mkdoc.py around one hostile
# document, everything else in it consistent, so only that document can
# make the reader fail.  Places: index.xml, vendor-index.xml, a VIB's,
# a bulletin's and a profile's metadata, and descriptor.xml in a .vib.

MK="$TOP/tests/hostile/mkdoc.py"
SPECS="$TOP/testdata/depots"
MARK=ESXSTAGE-SECRET-MARKER-7f3a
PLACES="index vendor-index vib bulletin profile"

# The member each place names in messages.
member() {
	case $1 in
	index) echo "index.xml: " ;;
	vendor-index) echo "vendor-index.xml: " ;;
	vib) echo "metadata.zip: vibs/ne1000-" ;;
	bulletin) echo "metadata.zip: bulletins/Intel-ne1000_0.9.2-1vmw.803.0.0.24022510.xml: " ;;
	profile) echo "metadata.zip: profiles/ESXi-8.0U3e-24677879-standard" ;;
	esac
}

# mkdoc SPEC PLACE KIND [OPTIONS]: build in/PLACE-KIND.zip (or .vib for
# the place vibfile) and print its path.
mkdoc() {
	spec=$1 place=$2 kind=$3
	shift 3
	ext=zip
	[ "$place" = vibfile ] && ext=vib
	mkdir -p in
	"$PYTHON" "$MK" doc "$SPECS/$spec.spec" "in/$place-$kind.$ext" \
	    "$place" "$kind" "$@" >"$T/gen.log" 2>&1 ||
	    { cat "$T/gen.log"; echo "  mkdoc $place $kind failed"; return 1; }
	echo "in/$place-$kind.$ext"
}

# A file whose contents must never come out: an external entity names it.
secret() {
	echo "$MARK" >"$T/secret.txt"
}

expect_no_marker() {
	! grep -qF "$MARK" "$T/out" "$T/err" ||
	    fail "the contents of secret.txt came out"
}

# refused FILE MESSAGE...: listing and unpacking FILE both fail with exit
# status 1 and the one line "depot: FILE: MESSAGE..." (each MESSAGE a
# part of it, in order of appearance), writing nothing.
refused() {
	f=$1
	shift
	run "$DEPOT" list-vibs "$f"
	expect_status 1 && expect_err_lines 1 && expect_no_out &&
	    expect_err "depot: $f: $1" && expect_no_marker || return 1
	for part in "$@"; do
		expect_err "$part" || return 1
	done
	mkdir -p dest
	snapshot before
	run "$DEPOT" unpack "$f" dest/out
	expect_status 1 && expect_err_lines 1 && expect_err "depot: $f: $1" &&
	    expect_no_marker && expect_nothing_written
}

# refused_everywhere KIND MESSAGE [OPTIONS]: KIND in each place of
# $PLACES is refused with MESSAGE.
refused_everywhere() {
	kind=$1 msg=$2
	shift 2
	for place in $PLACES; do
		f=$(mkdoc mini8 "$place" "$kind" "$@") &&
		    refused "$f" "$(member "$place")" "$msg" || return 1
	done
}

# descriptor_refused KIND MESSAGE [OPTIONS]: KIND in descriptor.xml is
# refused by show-vib on the bare .vib and fails verify in a depot.
descriptor_refused() {
	kind=$1 msg=$2
	shift 2
	f=$(mkdoc verify8 vibfile "$kind" "$@") || return 1
	run "$DEPOT" show-vib --trust "$KEYS/ca.crt" "$f"
	expect_status 1 && expect_err_lines 1 && expect_no_out &&
	    expect_err "depot: $f: descriptor.xml" && expect_err "$msg" &&
	    expect_no_marker || return 1
	f=$(mkdoc verify8 descriptor "$kind" "$@") || return 1
	run "$DEPOT" verify --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt" "$f"
	expect_status 1 && expect_err_lines 1 &&
	    expect_err "depot: $f: 1 check failed" &&
	    expect_out "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510: FAILED: $f: vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib: descriptor.xml" &&
	    expect_out "$msg" && expect_out "6 VIBs checked, 1 failed" &&
	    expect_no_marker
}

DTD_REFUSED="has a DTD, which depot files never have; refused"

test_billion_laughs() {
	refused_everywhere laughs "$DTD_REFUSED" &&
	    descriptor_refused laughs "$DTD_REFUSED"
}

# In UTF-16 the DOCTYPE is past the byte-level prolog scan: libxml2 itself
# must stop at "<!DOCTYPE", before the first entity is declared.
test_billion_laughs_utf16() {
	refused_everywhere laughs16 "$DTD_REFUSED" &&
	    descriptor_refused laughs16 "$DTD_REFUSED"
}

test_external_entity_local_file() {
	secret
	refused_everywhere xxe-file "$DTD_REFUSED" --file "$T/secret.txt" &&
	    refused_everywhere xxe-file16 "$DTD_REFUSED" --file "$T/secret.txt" &&
	    descriptor_refused xxe-file "$DTD_REFUSED" --file "$T/secret.txt" &&
	    descriptor_refused xxe-file16 "$DTD_REFUSED" --file "$T/secret.txt"
}

# An external DTD and entity on a URL that a listener of ours answers:
# nothing may connect to it.
test_external_entity_url() {
	"$PYTHON" "$MK" listen port conn.log &
	lpid=$!
	n=0
	while [ ! -s port ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -s port ] || { kill "$lpid"; fail "the listener did not start"; return 1; }
	url="http://127.0.0.1:$(cat port)"
	refused_everywhere xxe-url "$DTD_REFUSED" --url "$url" &&
	    descriptor_refused xxe-url "$DTD_REFUSED" --url "$url"
	status=$?
	# A fetch would have been made before the command exited; give the
	# listener's accept loop (one second per turn) time to log it.
	sleep 2
	kill "$lpid"
	wait "$lpid" 2>/dev/null
	[ $status = 0 ] || return 1
	[ ! -s conn.log ] || fail "the depot reader connected: $(cat conn.log)"
}

# A plain internal subset with a default attribute: still a DTD.
test_dtd() {
	refused_everywhere dtd "$DTD_REFUSED" &&
	    descriptor_refused dtd "$DTD_REFUSED"
}

# XInclude is never processed: the element is ignored, the file unread.
test_xinclude_is_inert() {
	secret
	f=$(mkdoc mini8 profile xinclude --file "$T/secret.txt") || return 1
	run "$DEPOT" list-profiles "$f"
	expect_status 0 && expect_out "ESXi-8.0U3e-24677879-standard " &&
	    expect_no_marker && { [ ! -s "$T/err" ] || fail "stderr is not empty"; }
}

# limits FILE: the last measure says it ran fast and small: the numbers
# are for the plain build; sanitizers slow it down and add shadow memory.
within() {
	read -r secs kb <"$T/m.txt"
	max_s=$1 max_kb=$2
	# Under valgrind the numbers are its own (VALGRIND=1, tests/run.sh).
	if [ -n "${VALGRIND:-}" ]; then
		echo "  measured under valgrind: $secs s, $kb KB (not checked)"
		return 0
	fi
	case ${SANITIZE:-} in
	*address*) max_s=$((max_s * 4)) max_kb=$((max_kb * 4)) ;;
	esac
	echo "  measured: $secs s, $kb KB (limit $max_s s, $max_kb KB)"
	awk -v s="$secs" -v m="$max_s" 'BEGIN { exit !(s < m) }' ||
	    fail "took $secs s, more than $max_s" || return 1
	[ "$kb" -lt "$max_kb" ] || fail "used $kb KB, more than $max_kb KB"
}

# 100 MiB of text in one node: refused at the 64 MiB document limit
# (DV_MAX_XML_BYTES) while it is read, long before it is all inflated.
test_huge_text_node() {
	for place in index vib profile; do
		f=$(mkdoc mini8 "$place" bigtext) || return 1
		run "$PYTHON" "$MK" measure "$T/m.txt" "$DEPOT" list-vibs "$f"
		expect_status 1 && expect_err_lines 1 && expect_no_out &&
		    expect_err "depot: $f: $(member "$place")" &&
		    expect_err ": larger than 67108864 bytes" &&
		    within 10 150000 || return 1
	done
	f=$(mkdoc verify8 vibfile bigtext) || return 1
	run "$PYTHON" "$MK" measure "$T/m.txt" "$DEPOT" show-vib "$f"
	expect_status 1 && expect_err_lines 1 && expect_no_out &&
	    expect_err "depot: $f: descriptor.xml is 104858" &&
	    expect_err "bytes, more than the 16777216 allowed" &&
	    within 10 60000
}

# 100,000 levels and 70 both stop at the reader's 64, found by the scan
# before libxml2 (whose own limit is 256).
test_deep_nesting() {
	refused_everywhere deep "elements nested deeper than 64" &&
	    refused_everywhere deep-limit "elements nested deeper than 64" &&
	    descriptor_refused deep "elements nested deeper than 64" &&
	    descriptor_refused deep-limit "elements nested deeper than 64"
}

ENC_REFUSED="which depot files never use (they are UTF-8)"

test_invalid_encoding_declaration() {
	refused_everywhere bad-encoding \
	    "declares the encoding x-no-such-encoding, $ENC_REFUSED" &&
	    descriptor_refused bad-encoding \
	    "declares the encoding x-no-such-encoding, $ENC_REFUSED"
}

# Encodings in which markup is not ASCII would hide it from the scan that
# counts attributes: refused by name.  UTF-16 (scanned in its own units)
# and the ASCII supersets are read.
test_encodings_that_hide_markup() {
	for enc in UTF-7 IBM037 UTF-16 UCS-4; do
		refused_everywhere declared "declares the encoding $enc, \
$ENC_REFUSED" --encoding "$enc" || return 1
	done
	refused_everywhere ebcdic "in EBCDIC, which depot files never are" &&
	    descriptor_refused ebcdic "in EBCDIC, which depot files never are"
}

test_ascii_supersets_are_read() {
	accepted declared --encoding ISO-8859-1 &&
	    accepted declared --encoding windows-1252 &&
	    accepted declared --encoding us-ascii
}

# ---- counts whose cost libxml2 2.9 makes quadratic (dv_limits.h) --------

# refused_sizes PLACE KIND MESSAGE N...: KIND of each size N in PLACE is
# refused with MESSAGE.
refused_sizes() {
	place=$1 kind=$2 msg=$3
	shift 3
	for n in "$@"; do
		f=$(mkdoc mini8 "$place" "$kind" --count "$n") &&
		    refused "$f" "$(member "$place")" "$msg" || return 1
	done
}

ATTRS_MSG="an element with more than 64 attributes"

test_many_attributes_on_one_element() {
	refused_everywhere attrs "$ATTRS_MSG" --count 65 &&
	    refused_sizes vendor-index attrs "line 3: $ATTRS_MSG" \
	    100 10000 1000000 &&
	    descriptor_refused attrs "$ATTRS_MSG" --count 5000 &&
	    refused_everywhere attrs "$ATTRS_MSG" --count 20000 --utf16
}

test_64_attributes_are_read() {
	accepted attrs --count 64 && accepted attrs --count 64 --utf16
}

NS_MSG="an element with more than 8 namespace declarations"

test_many_namespace_declarations() {
	refused_everywhere nsdecl "$NS_MSG" --count 9 &&
	    refused_sizes index nsdecl "$NS_MSG" 100 10000 300000 &&
	    descriptor_refused nsdecl "$NS_MSG" --count 100000 &&
	    refused_everywhere nsdecl "$NS_MSG" --count 1000 --utf16 &&
	    refused_everywhere manyns \
	    "more than 32 namespace declarations in the document" --count 33 &&
	    refused_sizes profile manyns "namespace declarations in the document" \
	    1000 100000
}

test_8_namespace_declarations_are_read() {
	accepted nsdecl --count 8
}

test_attributes_in_the_document() {
	refused_sizes vib manyattrs "more than 200000 attributes in the document" \
	    200004 2000000 &&
	    accepted manyattrs --count 4000
}

test_children_of_one_element() {
	refused_sizes vendor-index children \
	    "an element with more than 1000000 child elements" 1000001 &&
	    accepted children --count 1000
}

test_text_nodes() {
	refused_sizes bulletin texts "more than 2000000 text nodes, comments \
and processing instructions" 1000001 3000000 &&
	    accepted texts --count 1000
}

test_long_attribute_value() {
	refused_sizes index longvalue "attribute value longer than 1048576 \
characters" 1048577 5000000 &&
	    accepted longvalue --count 1048576
}

test_long_names() {
	refused_everywhere longname "element name longer than 1024 characters" \
	    --count 1025 &&
	    refused_sizes profile longname "element name longer than 1024" \
	    100000 2000000 &&
	    refused_everywhere longattrname \
	    "attribute name longer than 1024 characters" --count 1025 &&
	    descriptor_refused longattrname "attribute name longer than 1024" \
	    --count 1000000 &&
	    accepted longname --count 1024 && accepted longattrname --count 1024
}

# same_listing FILE: every listing of FILE is what the unchanged mini8
# gives (both copied to one name, so the outputs can be compared).
same_listing() {
	rm -rf a b
	mkdir a b
	cp "$(fixture mini8)" a/d.zip
	cp "$1" b/d.zip
	for cmd in info list-vibs list-components list-profiles \
	    "show-profile d.zip ESXi-8.0U3e-24677879-standard"; do
		# shellcheck disable=SC2086
		case $cmd in
		show-*) (cd a && "$DEPOT" $cmd) >want 2>&1 &&
		    (cd b && "$DEPOT" $cmd) >have 2>&1 ;;
		*) (cd a && "$DEPOT" $cmd d.zip) >want 2>&1 &&
		    (cd b && "$DEPOT" $cmd d.zip) >have 2>&1 ;;
		esac || { fail "$cmd failed on $1: $(cat have)"; return 1; }
		diff -u want have >"$T/diff" || {
			echo "  $cmd lists $1 differently:"
			sed 's/^/  | /' "$T/diff"
			return 1
		}
	done
}

# accepted KIND [OPTIONS]: KIND in every place lists exactly as the plain depot, and
# in descriptor.xml (signed after the change) verifies and shows the same.
accepted() {
	kind=$1
	shift
	for place in $PLACES; do
		f=$(mkdoc mini8 "$place" "$kind" "$@") && same_listing "$f" ||
		    return 1
	done
	f=$(mkdoc verify8 descriptor "$kind" "$@") || return 1
	run "$DEPOT" verify --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt" "$f"
	expect_status 0 && expect_out "6 VIBs checked, 0 failed" &&
	    [ ! -s "$T/err" ] || fail "verify failed on $1 in descriptor.xml" ||
	    return 1
	"$DEPOT" show-vib "$(fixture verify8)" ne1000 | grep -v '^   File: ' >want
	"$DEPOT" show-vib "$f" ne1000 | grep -v '^   File: ' >have
	diff -u want have >"$T/diff" || {
		echo "  show-vib differs with $1 in descriptor.xml:"
		sed 's/^/  | /' "$T/diff"
		return 1
	}
	# The test can fail: the hostile file really differs from the plain.
	! cmp -s "$f" "$(fixture verify8)" || fail "mkdoc changed nothing"
}

test_utf8_bom_is_accepted() {
	accepted bom
}

test_crlf_line_ends_are_accepted() {
	accepted crlf
}

test_bom_and_crlf_together_are_accepted() {
	accepted bom-crlf
}
