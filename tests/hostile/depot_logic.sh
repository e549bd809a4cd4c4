# depot_logic.sh - depots whose references are hostile: paths that climb
# out, metadata that points at itself or at nothing, a profile with
# 100,000 VIBs, duplicate profiles, a descriptor that contradicts the
# metadata.
# SPDX-License-Identifier: BSD-2-Clause

MK="$TOP/tests/hostile/mkdoc.py"
SPECS="$TOP/testdata/depots"
P8=ESXi-8.0U3e-24677879
NE=VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510

# mkspec NAME [LINE...]: in/NAME.zip from mini8.spec plus the LINEs.
mkspec() {
	name=$1
	shift
	mkdir -p in
	mini8_with "in/$name.zip" "$@"
}

# vendor_index URL: a vendor index whose one metadata entry is URL.
vendor_index() {
	printf '%s\n' '<metaList>' '  <metadata>' \
	    '    <productId>embeddedEsx</productId>' '    <version>8.0</version>' \
	    '    <locale></locale>' "    <url>$1</url>" \
	    '    <channelName>default</channelName>' '  </metadata>' '</metaList>'
}

# refused FILE STATUS MESSAGE: list-vibs, verify and unpack all fail with
# STATUS and the one line "depot: FILE: MESSAGE", and write nothing.
refused() {
	for cmd in list-vibs verify unpack; do
		mkdir -p dest
		snapshot before
		set -- "$1" "$2" "$3"
		if [ $cmd = unpack ]; then
			run "$DEPOT" unpack "$1" dest/out
		else
			run "$DEPOT" "$cmd" "$1"
		fi
		expect_status "$2" && expect_err_lines 1 && expect_no_out &&
		    expect_err "depot: $1: $3" && expect_nothing_written ||
		    { echo "  (depot $cmd)"; return 1; }
	done
}

test_relative_path_escapes() {
	mkspec vib '[vib ne1000]' 'relative-path = ../../etc/esxstage-escape.vib' &&
	    refused in/vib.zip 1 "metadata.zip: vibs/ne1000-7542450411358667142.xml: VIB '$NE' has an unsafe relative-path '../../etc/esxstage-escape.vib'" &&
	    mkspec vendor '[vendor VMware]' 'relative-path = ../..' &&
	    refused in/vendor.zip 1 "index.xml: vendor index '../../vendor-index.xml' is not a safe relative path" &&
	    mkspec meta '[vendor VMware]' \
	    'metadata = embeddedEsx 8.0 ../../metadata.zip' &&
	    refused in/meta.zip 1 "vendor-index.xml: metadata url '../../metadata.zip' is not a safe relative path" &&
	    mkspec abs '[vib ne1000]' 'relative-path = /etc/esxstage-escape.vib' &&
	    refused in/abs.zip 1 "metadata.zip: vibs/ne1000-7542450411358667142.xml: VIB '$NE' has an unsafe relative-path '/etc/esxstage-escape.vib'"
}

# The vendor index names itself, or index.xml, as its metadata zip; or
# index.xml names itself as the vendor index.  Each is read once, as what
# it is not, and the walk ends.
test_metadata_zip_references_itself() {
	mkspec self '[override]' 'replace vendor-index.xml <<EOF' \
	    "$(vendor_index vendor-index.xml)" EOF &&
	    refused in/self.zip 1 "vendor-index.xml: not a zip archive" &&
	    mkspec index '[override]' 'replace vendor-index.xml <<EOF' \
	    "$(vendor_index index.xml)" EOF &&
	    refused in/index.zip 1 "index.xml: not a zip archive" || return 1
	# index.xml as its own vendor index: no metadata, which is said.
	mkspec loop '[override]' 'replace index.xml <<EOF' \
	    '<vendorList><vendor><name>VMware</name><code>VMW</code>' \
	    '<indexfile>index.xml</indexfile><patchUrl></patchUrl>' \
	    '<relativePath></relativePath></vendor></vendorList>' EOF &&
	    run "$DEPOT" list-vibs in/loop.zip
	expect_status 0 && expect_err_lines 1 &&
	    expect_err "depot: warning: in/loop.zip: index.xml: lists no metadata zips; the vendor is empty" &&
	    [ "$(wc -l <"$T/out")" -eq 2 ] || fail "expected only the headers" ||
	    return 1
	# The same metadata zip named twice, once as ./metadata.zip: read
	# as one, every VIB listed once.
	mkspec twice '[vendor VMware]' 'metadata += embeddedEsx 8.0 ./metadata.zip' &&
	    run "$DEPOT" list-vibs in/twice.zip
	expect_status 0 && [ ! -s "$T/err" ] &&
	    "$DEPOT" list-vibs "$(fixture mini8)" | diff -u - "$T/out" ||
	    fail "metadata.zip named twice does not list as once"
}

# Moved here from cli/depot_errors.sh (test_missing_metadata_zip), with
# the unpack and verify checks and a name that is not the usual one.
test_vendor_index_names_missing_file() {
	refused "$(fixture err-missing-metadata)" 1 \
	    "metadata.zip: missing (named by the vendor index)" &&
	    mkspec miss '[override]' 'replace vendor-index.xml <<EOF' \
	    "$(vendor_index no-such-metadata.zip)" EOF &&
	    refused in/miss.zip 1 \
	    "no-such-metadata.zip: missing (named by the vendor index)"
}

# A profile naming 100,000 VIB ids (its 4 real ones, then made-up ones):
# within every limit (200,001 elements of 2,000,000), it lists, fast and
# in bounded memory, warning of the missing ones; the commands that need
# every VIB present fail naming the first.
test_profile_with_100000_vibs() {
	mkdir -p in
	"$PYTHON" "$MK" profile "$SPECS/mini8.spec" in/big.zip 100000 || return 1
	max_s=10 max_kb=200000
	case ${SANITIZE:-} in
	*address*) max_s=60 max_kb=800000 ;;
	esac
	for cmd in list-profiles info list-vibs-profile show-profile verify; do
		case $cmd in
		list-vibs-profile) set -- list-vibs --profile "$P8-standard" in/big.zip ;;
		show-profile) set -- show-profile in/big.zip "$P8-standard" ;;
		*) set -- "$cmd" in/big.zip ;;
		esac
		run "$PYTHON" "$MK" measure "$T/m.txt" "$DEPOT" "$@"
		read -r secs kb <"$T/m.txt"
		# Under valgrind the numbers are its own (tests/run.sh).
		if [ -z "${VALGRIND:-}" ]; then
			awk -v s="$secs" -v m="$max_s" \
			    'BEGIN { exit !(s < m) }' &&
			    [ "$kb" -lt "$max_kb" ] ||
			    fail "$cmd: $secs s and $kb KB (limits $max_s s," \
			    "$max_kb KB)" || return 1
		fi
		case $cmd in
		list-profiles | info)
			expect_status 0 && expect_out "$P8-standard" &&
			    expect_err_lines 1 &&
			    expect_err "profile '$P8-standard' names 99996 VIBs not in the depot: HOS_bootbank_ghost-000000_1.0-1, " ;;
		verify)
			expect_status 1 &&
			    expect_out "profile $P8-standard: VIBs HOS_bootbank_ghost-000000_1.0-1, " &&
			    expect_out "HOS_bootbank_ghost-000004_1.0-1 and 99991 more cannot be found in the depot: FAILED" &&
			    expect_out "4 VIBs checked" &&
			    expect_err "depot: in/big.zip: " && expect_err "checks failed" ;;
		*)
			expect_status 1 && expect_no_out &&
			    expect_err "depot: in/big.zip: VIBs HOS_bootbank_ghost-000000_1.0-1 and others from image profile '$P8-standard' cannot be found in metadata" ;;
		esac || { echo "  (depot $cmd)"; return 1; }
	done
}

# Moved here from cli/depot_list.sh (test_duplicate_profile_name_is_ambiguous),
# with list-vibs --profile, and one profile id twice at one serial number
# with different VIB lists, which cannot both be right.
test_duplicate_profile_names() {
	run "$DEPOT" show-profile "$(fixture dup-profiles)" "$P8-no-tools"
	expect_status 1 &&
	    expect_err "more than one image profile found with name '$P8-no-tools'" &&
	    expect_err_lines 1 || return 1
	run "$DEPOT" list-vibs --profile "$P8-no-tools" "$(fixture dup-profiles)"
	expect_status 1 && expect_no_out && expect_err_lines 1 &&
	    expect_err "depot: $(fixture dup-profiles): more than one image profile found with name '$P8-no-tools'" ||
	    return 1
	mkspec same '[profile again]' "name = $P8-standard" \
	    'profile-id = 0a1b2c3d4e5f60718293a4b5c6d7e8f9' \
	    'creation-time = 2025-04-10T00:00:00+00:00' 'vibs = * !ne1000' &&
	    refused in/same.zip 1 "image profiles metadata.zip: profiles/"
	expect_err "(id 0a1b2c3d4e5f60718293a4b5c6d7e8f9) have unequal values of the 'viblist' attribute"
}

# The descriptor inside the .vib says something else than the metadata,
# with every size and checksum consistent and the descriptor signed as
# it is: only the comparison can catch it.
test_descriptor_disagrees_with_metadata() {
	mkdir -p in
	for change in \
	    '<version>0.9.2-1vmw.803.0.0.24022510</version>|<version>9.9.9-1vmw.803.0.0.24022510</version>|descriptor version '"'"'9.9.9-1vmw.803.0.0.24022510'"'"' differs from metadata '"'"'0.9.2-1vmw.803.0.0.24022510'"'" \
	    '<name>ne1000</name>|<name>ne1000-evil</name>|descriptor name '"'"'ne1000-evil'"'"' differs from metadata '"'"'ne1000'"'" \
	    '<vendor>VMW</vendor>|<vendor>VMware</vendor>|descriptor vendor '"'"'VMware'"'"' differs from metadata '"'"'VMW'"'" \
	    '<acceptance-level>partner</acceptance-level>|<acceptance-level>accepted</acceptance-level>|descriptor acceptance level '"'"'accepted'"'"' differs from metadata '"'"'partner'"'"; do
		from=${change%%|*} rest=${change#*|}
		to=${rest%%|*} msg=${rest#*|}
		"$PYTHON" "$MK" doc "$SPECS/verify8.spec" in/d.zip descriptor \
		    replace --replace "$from" "$to" || return 1
		run "$DEPOT" verify --trust "$KEYS/ca.crt" \
		    --trust "$KEYS/certified.crt" in/d.zip
		expect_status 1 && expect_err_lines 1 &&
		    expect_err "depot: in/d.zip: " &&
		    expect_out "$NE: FAILED: $msg" &&
		    expect_out "6 VIBs checked, 1 failed" || return 1
		# The same VIB as a bare file has no metadata to contradict.
		run "$DEPOT" show-vib --trust "$KEYS/ca.crt" in/d.zip ne1000
		expect_status 1 && expect_err "$msg" || return 1
	done
}
