# fetch_mirror.sh - depot mirror from nginx and faultserver.py (refreshes
# download only what is missing or changed; indexes last, nothing
# deleted) and depot check on mirrors and unpacked depots.
# SPDX-License-Identifier: BSD-2-Clause

. "$TOP/tests/net/lib.sh"

vib_requests() {
	grep -c '\.vib 200 ' nginx/access.log
}

# edit_vmware_xml ZIP CODE: ZIP rewritten, its vmware.xml's bytes (data)
# passed through CODE, a few lines of Python.
edit_vmware_xml() {
	"$PYTHON" - "$1" "$2" <<'PY'
import io, sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w') as dst:
    for n in src.namelist():
        data = src.read(n)
        if n == 'vmware.xml':
            exec(sys.argv[2])
        dst.writestr(n, data)
open(sys.argv[1], 'wb').write(buf.getvalue())
PY
}

test_mirror_serves_like_the_source_and_refreshes_nothing() {
	mkdir www && unpacked multi-vendor www/mv || return 1
	serve_nginx "$T/www" || return 1
	url="http://127.0.0.1:$PORT/mv/index.xml"
	run "$DEPOT" mirror --jobs 2 "$url" "$T/www/copy"
	expect_status 0 && expect_out "2 metadata zips, 2 VIBs: 2 downloaded" || return 1
	run "$DEPOT" check www/copy
	expect_status 0 && expect_out "2 VIBs checked, 0 problems" || return 1
	# The mirror, served, lists what the source lists.
	"$DEPOT" list-vibs --json "$url" | sed 1,2d >a
	"$DEPOT" list-vibs --json "http://127.0.0.1:$PORT/copy/index.xml" | sed 1,2d >b
	cmp -s a b || { diff -u a b | head; return 1; }
	[ "$(vib_requests)" = 2 ] || { echo "  VIBs fetched: $(vib_requests)"; return 1; }
	# A refresh downloads no VIB; a changed one is fetched again.
	run "$DEPOT" mirror "$url" "$T/www/copy"
	expect_status 0 && expect_out "0 downloaded" && expect_out "2 unchanged" || return 1
	[ "$(vib_requests)" = 2 ] || { echo "  the refresh downloaded VIBs"; return 1; }
	f=$(find www/copy -name '*acme-nic*.vib')
	printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
	run "$DEPOT" check www/copy
	expect_status 1 && expect_out "SHA-256 is" && expect_err "1 problem" || return 1
	run "$DEPOT" mirror "$url" "$T/www/copy"
	expect_status 0 && expect_out "1 downloaded" || return 1
	run "$DEPOT" check www/copy
	expect_status 0
}

test_mirror_version_and_profile_filters() {
	mkdir www && unpacked multi-vendor www/mv && unpacked esxi8-full www/e8 || return 1
	serve_nginx "$T/www" || return 1
	run "$DEPOT" mirror --version 7.0 "http://127.0.0.1:$PORT/mv/index.xml" v7
	expect_status 0 && expect_out "1 metadata zip, 1 VIBs" || return 1
	[ -f v7/partner/acme-metadata.zip ] && [ ! -f v7/metadata.zip ] ||
	    { echo "  the wrong metadata zips"; find v7; return 1; }
	run "$DEPOT" check v7
	expect_status 0 || return 1
	run "$DEPOT" mirror --version 9.0 "http://127.0.0.1:$PORT/mv/index.xml" v9
	expect_status 1 && expect_err "no metadata zip is for the version asked for" || return 1
	[ ! -e v9 ] || { echo "  v9 was made"; return 1; }
	: >nginx/access.log
	run "$DEPOT" mirror --profile '*-no-tools' "http://127.0.0.1:$PORT/e8/index.xml" nt
	expect_status 0 && expect_out "43 VIBs: 43 downloaded" || return 1
	! grep -q tools-light nginx/access.log || { echo "  tools-light fetched"; return 1; }
	run "$DEPOT" mirror --profile 'nope*' "http://127.0.0.1:$PORT/e8/index.xml" nt
	expect_status 1 && expect_err "no image profile matches 'nope*'"
}

# mirror --profile keeps only those profiles' metadata: the mirror's
# metadata zip holds the profile, its VIBs', components and add-on (not
# the base image, whose VM-Tools it lacks), so served it lists and
# validates as the source does for that profile, and check finds it whole.
test_mirror_profile_rewrites_metadata() {
	mkdir www && unpacked esxi8-full www/e8 || return 1
	serve_nginx "$T/www" || return 1
	src="http://127.0.0.1:$PORT/e8/index.xml"
	P=ESXi-8.0U3e-24677879-no-tools
	run "$DEPOT" mirror --profile '*-no-tools' "$src" "$T/www/nt"
	expect_status 0 && expect_out "1 metadata zip, 43 VIBs: 43 downloaded" || return 1
	run "$DEPOT" check www/nt
	expect_status 0 && expect_out "43 VIBs checked, 0 problems" || return 1
	mirror="http://127.0.0.1:$PORT/nt/index.xml"
	run "$DEPOT" list-profiles "$mirror"
	expect_status 0 && expect_out "$P" || return 1
	! grep -q -- "-standard" out || { echo "  -standard is still offered"; return 1; }
	run "$DEPOT" info "$mirror"
	expect_out "VIBs:        43" && expect_out "Base images: 0" &&
	    expect_out "Add-ons:     1" || return 1
	for verb in "validate --profile" "list-vibs --profile" "show-profile"; do
		# shellcheck disable=SC2086
		"$DEPOT" $verb "$P" "$src" 2>&1 | sed "s|$src|X|g" >a
		# shellcheck disable=SC2086
		"$DEPOT" $verb "$P" "$mirror" 2>&1 | sed "s|$mirror|X|g" >b
		cmp -s a b || { echo "  $verb differs:"; diff -u a b | head; return 1; }
	done
	# A refresh with another profile: the first one's VIBs stay on disk
	# (nothing is deleted), the metadata now offers only -standard.
	run "$DEPOT" mirror --profile '*-standard' "$src" "$T/www/nt"
	expect_status 0 && expect_out "44 VIBs: 1 downloaded" && expect_out "43 unchanged" || return 1
	run "$DEPOT" list-profiles www/nt
	expect_out "ESXi-8.0U3e-24677879-standard" || return 1
	! grep -q -- "-no-tools" out || { echo "  -no-tools is still offered"; return 1; }
}

# A refresh that fails leaves the old indexes: what a server serves
# from the mirror stays whole.
test_mirror_failed_refresh_keeps_old_indexes() {
	mkdir www && unpacked mini8 www/m || return 1
	printf '[{"match": "ne1000", "mode": "status", "code": 500, "times": -1}]\n' >rules.json
	"$DEPOT" unpack "$(fixture mini8)" copy >/dev/null || return 1
	rm copy/vib20/ne1000/*.vib
	printf '<vendorList/>\n' >copy/index.xml
	cp copy/index.xml old-index.xml
	serve_faults "$T/www" rules.json || return 1
	run "$DEPOT" mirror --retries 1 "http://127.0.0.1:$PORT/m/index.xml" copy
	expect_status 2 && expect_err "HTTP 500 from the server; gave up after 2 tries" &&
	    expect_err "the indexes in copy are the old ones" || return 1
	cmp -s old-index.xml copy/index.xml || { echo "  index.xml changed"; return 1; }
	[ "$(find copy -name '*.vib' | wc -l)" = 3 ] || { echo "  files were deleted"; return 1; }
}

test_check_problems() {
	unpacked mini8 m || return 1
	rm m/vib20/tools-light/*.vib
	f=$(echo m/vib20/esx-base/*.vib)
	printf 'X' | dd of="$f" bs=1 seek=10 conv=notrunc 2>/dev/null
	echo more >>m/vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib
	cp m/metadata.zip m/vib20/stale-metadata.zip
	run "$DEPOT" check --json m
	expect_status 1 && expect_out '"ok": false' || return 1
	run "$DEPOT" check m/index.xml
	expect_status 1 && expect_out "4 VIBs checked, 4 problems" &&
	    expect_out "vib20/tools-light/VMware_bootbank_tools-light_12.5.0.24276846-24677879.vib: missing (VIB VMware_bootbank_tools-light_12.5.0.24276846-24677879, named by metadata.zip: vibs/" &&
	    expect_out "vib20/esx-base/VMware_bootbank_esx-base_8.0.3-0.55.24677879.vib: SHA-256 is" &&
	    expect_out "vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib: " &&
	    expect_out "vib20/stale-metadata.zip: a zip no vendor index names" &&
	    expect_err "depot: m/index.xml: 4 problems" || return 1
	rm m/metadata.zip
	run "$DEPOT" check m
	expect_status 1 && expect_err "depot: m: metadata.zip: missing (named by the vendor index)"
}

test_check_usage() {
	run "$DEPOT" check http://127.0.0.1:9/index.xml
	expect_status 2 && expect_err "check reads a folder on this machine" || return 1
	run "$DEPOT" check "$(fixture mini8)"
	expect_status 1 && expect_err "not a folder: check reads a mirror or an unpacked depot" || return 1
	run "$DEPOT" check --profile x m
	expect_status 2 && expect_err "check: option '--profile' is not for this command"
}

# mirror over HTTPS with a token: the mirror works, and the token is in no
# output, no message and no file written (the test greps them all).
test_mirror_token_never_written() {
	TOKEN=Qq1Ww2Ee3Rr4
	mkdir -p "www/$TOKEN/PROD/COMP/ESX_HOST" &&
	    unpacked mini8 "www/$TOKEN/PROD/COMP/ESX_HOST/main" || return 1
	serve_nginx "$T/www" tls || return 1
	printf '%s\n' "$TOKEN" >tok && chmod 600 tok
	url="https://127.0.0.1:$PORT/{token}/PROD/COMP/ESX_HOST/main/index.xml"
	run "$DEPOT" mirror --json --cacert "$T/ca/ca.crt" --token-file tok \
	    --profile '*-no-tools' "$url" copy
	expect_status 0 && expect_out '"depot": "https://127.0.0.1:' &&
	    expect_out '/<token>/PROD/COMP/ESX_HOST/main/index.xml"' || return 1
	run "$DEPOT" check copy
	expect_status 0 || return 1
	cat out err >seen
	run "$DEPOT" mirror --cacert "$T/ca/ca.crt" --token-file tok \
	    "$url" copy
	expect_status 0 && expect_out "1 downloaded" || return 1
	cat out err >>seen
	! grep -rl "$TOKEN" seen copy || { echo "  the token was written"; return 1; }
}

# A metadata zip left with nothing for the profiles asked for is not kept,
# and its vendor index no longer names it.
test_mirror_profile_drops_an_empty_zip() {
	mkdir www && unpacked mirror-two-zips www/d || return 1
	serve_nginx "$T/www" || return 1
	run "$DEPOT" mirror --profile only-ne1000 "http://127.0.0.1:$PORT/d/index.xml" mm
	expect_status 0 && expect_out "1 metadata zip, 1 VIBs: 1 downloaded" || return 1
	[ -f mm/metadata.zip ] && [ ! -e mm/partner/acme-metadata.zip ] &&
	    ! grep -q acme-metadata mm/partner/vendor-index.xml ||
	    { echo "  partner/acme-metadata.zip kept"; find mm; return 1; }
	run "$DEPOT" check mm
	expect_status 0 && expect_out "1 VIBs checked, 0 problems"
}

# A metadata zip whose VIBs only vmware.xml describes (an old bundle's: no
# vibs/, no bulletins/): mirror --profile cuts vmware.xml down to the
# bulletins the profile needs, each whole (ACME-acme-nic holds acme-cim
# too, so it comes along), the rest of the document byte for byte;
# ACME-tool and its VIB are left out, and a profile needing nothing of
# the zip drops it.
test_mirror_profile_cuts_vmware_xml() {
	mkdir www && unpacked mirror-legacy www/d || return 1
	serve_nginx "$T/www" || return 1
	src="http://127.0.0.1:$PORT/d/index.xml"
	run "$DEPOT" mirror --profile with-acme "$src" "$T/www/mm"
	expect_status 0 && expect_out "2 metadata zips, 3 VIBs: 3 downloaded" || return 1
	! grep -q acme-tool nginx/access.log && [ ! -e www/mm/partner/vib20/acme-tool ] ||
	    { echo "  acme-tool was fetched"; return 1; }
	run "$DEPOT" check www/mm
	expect_status 0 && expect_out "3 VIBs checked, 0 problems" || return 1
	"$PYTHON" - www/d/partner/acme-metadata.zip www/mm/partner/acme-metadata.zip <<'PY' || return 1
import re, sys, zipfile
old = zipfile.ZipFile(sys.argv[1]).read('vmware.xml').decode()
z = zipfile.ZipFile(sys.argv[2])
assert sorted(z.namelist()) == ['vendor-index.xml', 'vmware.xml'], z.namelist()
new = z.read('vmware.xml').decode()
cut = re.search(r'\n  <bulletin>\n    <id>ACME-tool_.*?</bulletin>', old, re.S)
assert cut and 'ACME-acme-nic' not in cut.group(0), 'no ACME-tool bulletin'
if new != old.replace(cut.group(0), ''):
    sys.exit('  vmware.xml is not the source\'s less the ACME-tool bulletin')
PY
	mirror="http://127.0.0.1:$PORT/mm/index.xml"
	run "$DEPOT" list-profiles "$mirror"
	expect_status 0 && expect_out "with-acme" || return 1
	! grep -q only-ne1000 out || { echo "  only-ne1000 is still offered"; return 1; }
	run "$DEPOT" list-vibs "$mirror"
	expect_status 0 && expect_out "acme-nic" && expect_out "acme-cim" || return 1
	! grep -q acme-tool out || { echo "  acme-tool is still listed"; return 1; }
	"$DEPOT" show-profile with-acme "$src" 2>&1 | sed "s|$src|X|g" >a
	"$DEPOT" show-profile with-acme "$mirror" 2>&1 | sed "s|$mirror|X|g" >b
	cmp -s a b || { echo "  show-profile differs:"; diff -u a b | head; return 1; }
	# only-ne1000 needs nothing of the partner zip: it is not kept.
	run "$DEPOT" mirror --profile only-ne1000 "$src" mo
	expect_status 0 && expect_out "1 metadata zip, 1 VIBs: 1 downloaded" || return 1
	[ ! -e mo/partner/acme-metadata.zip ] || { echo "  the partner zip was kept"; return 1; }
	run "$DEPOT" check mo
	expect_status 0 && expect_out "1 VIBs checked, 0 problems"
}

# Markup that looks like a bulletin but is not one (a comment, CDATA, a
# processing instruction, an attribute value with '>'): the cut skips it,
# and only the ACME-tool bulletin leaves vmware.xml.
test_mirror_profile_cut_skips_markup_that_looks_like_bulletins() {
	unpacked mirror-legacy d || return 1
	edit_vmware_xml d/partner/acme-metadata.zip '
t = data.decode()
for old, new in (
        ("<metadataResponse>", "<metadataResponse>\n  <!-- <bulletin><id>x</id></bulletin> -->"),
        ("<summary>", "<summary><![CDATA[a </bulletin> <bulletin x=\">\">]]>"),
        ("<releaseDate>", "<?pi <bulletin>?><releaseDate>"),
        ("<componentNameSpec ", "<componentNameSpec x=\"a>b\" ")):
    assert old in t, old
    t = t.replace(old, new, 1)
data = t.encode()' || return 1
	run "$DEPOT" mirror --profile with-acme d mm
	expect_status 0 && expect_out "2 metadata zips, 3 VIBs: 3 downloaded" || return 1
	run "$DEPOT" check mm
	expect_status 0 && expect_out "3 VIBs checked, 0 problems" || return 1
	"$PYTHON" - d/partner/acme-metadata.zip mm/partner/acme-metadata.zip <<'PY'
import re, sys, zipfile
old = zipfile.ZipFile(sys.argv[1]).read('vmware.xml').decode()
new = zipfile.ZipFile(sys.argv[2]).read('vmware.xml').decode()
cut = re.search(r'\n  <bulletin>\n    <id>ACME-tool_.*?\n  </bulletin>', old, re.S)
if not cut or new != old.replace(cut.group(0), ''):
    sys.exit('  vmware.xml is not the source\'s less the ACME-tool bulletin')
PY
}

# A vmware.xml whose bulletins cannot be found byte for byte (here UTF-16,
# which the XML reader takes): mirror --profile refuses it before writing
# anything, and says how to mirror it anyway.
test_mirror_profile_refuses_uncuttable_vmware_xml() {
	mkdir www && unpacked mirror-legacy www/d || return 1
	edit_vmware_xml www/d/partner/acme-metadata.zip '
data = ("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n" +
        data.decode()).encode("utf-16")' || return 1
	serve_nginx "$T/www" || return 1
	src="http://127.0.0.1:$PORT/d/index.xml"
	run "$DEPOT" list-vibs "$src"
	expect_status 0 && expect_out "acme-tool" || return 1
	run "$DEPOT" mirror --profile with-acme "$src" mm
	expect_status 1 &&
	    expect_err "depot: $src: partner/acme-metadata.zip: vmware.xml: its bulletins cannot be cut out byte for byte (not UTF-8 markup?); mirror this depot without --profile" || return 1
	[ ! -e mm ] || { echo "  mm was made"; return 1; }
	run "$DEPOT" mirror "$src" mm
	expect_status 0 && expect_out "4 VIBs: 4 downloaded"
}

# fetch, mirror and check parse their options from one table, as every
# other verb: the same words for an unknown option (with the likely one),
# a missing or unwanted value, and an option of another verb; each a
# usage error before any request.
test_fetch_mirror_check_option_errors() {
	u=http://127.0.0.1:9/index.xml
	run "$DEPOT" fetch --frob --profile x "$u" o.zip
	expect_status 2 && expect_err_lines 2 && expect_err "depot: fetch: unknown option '--frob'" &&
	    expect_err "usage: depot fetch " || return 1
	run "$DEPOT" mirror --verison 8.0 "$u" m
	expect_status 2 && expect_err "depot: mirror: unknown option '--verison'; did you mean '--version'?" || return 1
	run "$DEPOT" fetch "$u" o.zip --profile
	expect_status 2 && expect_err "depot: fetch: option '--profile' needs a value" || return 1
	run "$DEPOT" mirror "$u" m -J
	expect_status 2 && expect_err "depot: mirror: option '-J' needs a value" || return 1
	run "$DEPOT" fetch -x --profile x "$u" o.zip
	expect_status 2 && expect_err "depot: fetch: unknown option '-x'" || return 1
	run "$DEPOT" mirror --insecure=yes "$u" m
	expect_status 2 && expect_err "depot: mirror: option '--insecure' takes no value" || return 1
	run "$DEPOT" mirror --add-channel "$u" "$u" m
	expect_status 2 && expect_err "depot: mirror: option '--add-channel' is not for this command" || return 1
	run "$DEPOT" fetch --version 8.0 --profile x "$u" o.zip
	expect_status 2 && expect_err "depot: fetch: option '--version' is not for this command" || return 1
	run "$DEPOT" check --cacert ca.crt m
	expect_status 2 && expect_err "depot: check: option '--cacert' is not for this command" || return 1
	run "$DEPOT" check -J 2 m
	expect_status 2 && expect_err "depot: check: option '-J' is not for this command" || return 1
	run "$DEPOT" fetch --profile a -p b "$u" o.zip
	expect_status 2 && expect_err "depot: fetch: --profile is given once" || return 1
	run "$DEPOT" mirror --jobs 65 "$u" m
	expect_status 2 && expect_err "depot: mirror: --jobs takes a number from 1 to 64" || return 1
	run "$DEPOT" mirror "$u"
	expect_status 2 && expect_err "depot: mirror: expected 2 operands, got 1" || return 1
	[ ! -e m ] && [ ! -e o.zip ] || { echo "  something was written"; return 1; }
	# Options may stand anywhere, and the short ones are those of the
	# other verbs: -p, -J, -j.
	run "$DEPOT" check m -j
	expect_status 2 && expect_err "depot: m: cannot open" || return 1
	run "$DEPOT" fetch --help
	expect_status 0 && expect_out "--add-channel URL" && expect_out "--retries N"
}
