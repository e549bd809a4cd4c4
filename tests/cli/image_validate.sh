# image_validate.sh - depot validate: one passing and one failing profile
# per esximage rule (testdata/depots/img-rules.spec), messages and status.
# SPDX-License-Identifier: BSD-2-Clause

# bad PROFILE RULE TEXT: validating PROFILE fails with one problem line
# "  RULE: ...TEXT...", and the one-line summary on stderr.
bad() {
	run "$DEPOT" validate --profile "$1" "$(fixture img-rules)"
	expect_status 1 && expect_out "$1: FAILED" &&
	    expect_out "  $2: " && expect_out "$3" &&
	    expect_err "1 of 1 image profile does not validate"
}

# good PROFILE: validating PROFILE succeeds, no problem line.
good() {
	run "$DEPOT" validate --profile "$1" "$(fixture img-rules)"
	expect_status 0 && expect_out "$1: OK (ESXi 8.0.3" &&
	    ! grep -q '^  ' "$T/out" || fail "problems listed"
}

test_every_profile_of_a_valid_depot() {
	run "$DEPOT" validate "$(fixture mini8)"
	expect_status 0 &&
	    expect_out "ESXi-8.0U3e-24677879-standard: OK (ESXi 8.0.3, 4 VIBs, 3 components)" &&
	    expect_out "ESXi-8.0U3e-24677879-no-tools: OK (ESXi 8.0.3, 3 VIBs, 2 components)"
}

test_full_depot_valid() {
	run "$DEPOT" validate "$(fixture esxi8-full)"
	expect_status 0 && expect_out "standard: OK (ESXi 8.0.3, 44 VIBs, 30 components)"
}

test_good_profile() {
	good good
}

test_good_acceptance() {
	good good-acceptance
}

test_good_replaces() {
	good good-replaces
}

test_depends_unmet() {
	bad bad-depends depends "VIB VMware_bootbank_needs-old-api_1.0-1 requires vmkapi_2_1_0_0, but the requirement cannot be satisfied within the ImageProfile: add a VIB that provides vmkapi_2_1_0_0, or remove needs-old-api"
}

test_depends_version() {
	bad bad-depends-version depends "requires esx-base >= 9.0, but the requirement cannot be satisfied" &&
	    expect_out "requires com.example.api >= 3.0, but"
}

test_depends_offer() {
	bad bad-depends-offer depends "requires extra-lib, but the requirement cannot be satisfied within the ImageProfile. However, additional VIB VMware_bootbank_extra-lib_1.0-1 from $(fixture img-rules) can satisfy this requirement"
}

test_conflicts() {
	bad bad-conflicts conflicts "VIB VMware_bootbank_fights-ne1000_1.0-1 conflicts with VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510"
}

test_replaces() {
	bad bad-replaces replaces "VIB VMware_bootbank_ne1000-ng_1.0-1 replaces VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510 (ne1000 << 1.0), which is still in the ImageProfile: remove ne1000"
}

test_two_versions() {
	bad bad-two-versions two-versions "are two versions of ne1000, and an image holds one: remove VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510"
}

test_platform() {
	bad bad-platform platform "VIB VMware_bootbank_drv9_1.0-1vmw.900.0.0.1 does not fit this ESXi 8.0.3 image: it is for ESXi 9.0" &&
	    expect_out "VMware_bootbank_vmklinux-nic_1.0-1 does not fit this ESXi 8.0.3 image: it is a vmklinux driver" &&
	    expect_out "VMware_bootbank_drv-dpu_1.0-1 does not fit"
}

test_checksum() {
	bad bad-checksum sha256-gunzip "In ImageProfile bad-checksum, the payload(s) in VIB VMware_bootbank_no-gunzip_1.0-1 does not have sha-256 gunzip checksum."
}

test_files() {
	bad bad-files file-conflict "File path of '/usr/lib/vmware/shared.so' is claimed by multiple non-overlay VIBs: {'VMware_bootbank_claims-a_1.0-1', 'VMware_bootbank_claims-b_1.0-1'}"
}

test_acceptance() {
	bad bad-acceptance acceptance "VIB VMware_bootbank_community-tool_1.0-1's acceptance level is community, which is not compliant with the ImageProfile acceptance level partner"
}

test_component() {
	bad bad-component component "Profile bad-component is missing component(s) Example-Two which are necesary and removing them is prohibited: it holds VMware_bootbank_two-part-a_1.0-1 of component Example-Two 1.0-1 but not VMware_bootbank_two-part-b_1.0-1"
}

test_missing_vib() {
	bad bad-missing missing-vib "VIBs VMW_bootbank_gone_1.0-1 from image profile 'bad-missing' cannot be found in metadata"
}

test_no_base() {
	bad bad-base base "ImageProfile bad-base has no esx-base VIB"
}

test_json() {
	run "$DEPOT" validate --json --profile bad-files "$(fixture img-rules)"
	expect_status 1 && expect_out '"valid": false' &&
	    expect_out '"rule": "file-conflict"' &&
	    "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["profiles"][0]["name"] == "bad-files"' "$T/out" ||
	    fail "not the JSON expected"
}

test_all_profiles_counted() {
	run "$DEPOT" validate "$(fixture img-rules)"
	expect_status 1 && expect_err "15 of 18 image profiles do not validate"
}

test_unknown_profile() {
	run "$DEPOT" validate --profile nope "$(fixture mini8)"
	expect_status 1 && expect_err "nope" && expect_no_out
}

test_no_profiles() {
	run "$DEPOT" validate "$(fixture component7)"
	expect_status 1 && expect_err "no image profiles to validate" &&
	    expect_err_lines 1
}

test_usage() {
	run "$DEPOT" validate
	expect_status 2 && expect_err "expected 1 operand, got 0"
	run "$DEPOT" validate --bogus x.zip
	expect_status 2 && expect_err "unknown option '--bogus'"
}

test_not_a_depot() {
	echo hello >x.zip
	run "$DEPOT" validate x.zip
	expect_status 1 && expect_err "not a zip archive" && expect_err_lines 1
}

# ---- hostile input: bounded time and memory -----------------------------

# measured MAX_S MAX_KB CMD...: run CMD (status in $rc) and fail when it
# took MAX_S seconds or MAX_KB of memory or more (sanitizers: more).
measured() {
	max_s=$1 max_kb=$2
	shift 2
	case ${SANITIZE:-} in
	*address*) max_s=$((max_s * 6)) max_kb=$((max_kb * 4)) ;;
	esac
	run "$PYTHON" "$TOP/tests/hostile/mkdoc.py" measure "$T/m.txt" "$@"
	read -r secs kb <"$T/m.txt"
	[ -n "${VALGRIND:-}" ] && return 0
	awk -v s="$secs" -v m="$max_s" 'BEGIN { exit !(s < m) }' &&
	    [ "$kb" -lt "$max_kb" ] ||
	    fail "$*: $secs s and $kb KB (limits $max_s s, $max_kb KB)"
}

# A profile naming 100,000 VIB ids (4 real, the rest missing): every
# missing one is one line, found in bounded time and memory.
test_hostile_100000_vib_ids() {
	"$PYTHON" "$TOP/tests/hostile/mkdoc.py" profile \
	    "$TOP/testdata/depots/mini8.spec" big.zip 100000 || return 1
	measured 20 300000 "$DEPOT" validate --profile \
	    ESXi-8.0U3e-24677879-standard big.zip || return 1
	expect_status 1 && [ "$(grep -c '^  missing-vib: ' "$T/out")" = 99996 ] ||
	    fail "not 99,996 missing-vib lines"
}

# mkmeta OUT N: a depot of metadata only (validate reads no VIB file):
# N VIBs in a dependency ring (each needs the next, the last the first),
# each providing "loop" and the next one's name (a provides loop), all
# claiming one file and conflicting with a name nobody has, one profile
# holding them all and esx-base.  Names and versions at the schema's
# limits (35 characters).
mkmeta() {
	"$PYTHON" - "$1" "$2" <<'PY'
import io, sys, zipfile
out, n = sys.argv[1], int(sys.argv[2])
def name(i):
    return ('v%06d-' % i).ljust(35, 'x')
ver = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0-1.0.0'[:35]
meta = io.BytesIO()
with zipfile.ZipFile(meta, 'w') as m:
    ids = []
    for i in range(n):
        nxt = name((i + 1) % n)
        doc = ('<vib version="5.0"><type>bootbank</type><name>%s</name>'
               '<version>%s</version><vendor>HOS</vendor>'
               '<relative-path>vib20/%d.vib</relative-path><packed-size>1</packed-size>'
               '<relationships><depends><constraint name="%s" relation="&gt;=" version="1.0"/>'
               '</depends><conflicts><constraint name="nobody"/></conflicts><replaces/>'
               '<provides><provide name="loop" version="%d"/><provide name="%s"/></provides>'
               '<compatibleWith/></relationships><system-requires><softwarePlatform '
               'version="8.0" locale="" productLineID="embeddedEsx"/></system-requires>'
               '<file-list><file>usr/lib/shared.so</file></file-list>'
               '<acceptance-level>partner</acceptance-level><payloads><payload name="p" '
               'type="vgz" size="1"><checksum checksum-type="sha-256" verify-process="gunzip">'
               '00</checksum></payload></payloads></vib>') % (name(i), ver, i, nxt, i, nxt)
        m.writestr('vibs/%d.xml' % i, doc)
        ids.append('HOS_bootbank_%s_%s' % (name(i), ver))
    m.writestr('vibs/base.xml', '<vib version="5.0"><type>bootbank</type><name>esx-base</name>'
               '<version>8.0.3-0.1</version><vendor>VMware</vendor><relative-path>b.vib'
               '</relative-path><packed-size>1</packed-size><acceptance-level>certified'
               '</acceptance-level><payloads/></vib>')
    ids.append('VMware_bootbank_esx-base_8.0.3-0.1')
    m.writestr('profiles/p', '<imageprofile><name>%s</name><creator>%s</creator>'
               '<readonly>true</readonly><viblist>%s</viblist><acceptancelevel>partner'
               '</acceptancelevel></imageprofile>' % ('P' * 80, 'C' * 40,
               ''.join('<vib><vib-id>%s</vib-id></vib>' % i for i in ids)))
with zipfile.ZipFile(out, 'w') as z:
    z.writestr('index.xml', '<vendorList><vendor><name>H</name><code>HOS</code>'
               '<indexfile>vendor-index.xml</indexfile><relativePath></relativePath>'
               '</vendor></vendorList>')
    z.writestr('vendor-index.xml', '<metaList><metadata><productId>embeddedEsx</productId>'
               '<version>8.0</version><locale></locale><url>metadata.zip</url></metadata>'
               '</metaList>')
    z.writestr('metadata.zip', meta.getvalue())
PY
}

test_hostile_cycles_loops_and_shared_file() {
	mkmeta ring.zip 20000 || fail "mkmeta"
	measured 30 400000 "$DEPOT" validate ring.zip || return 1
	# The ring and the provides loop are all satisfied; the one file is
	# claimed by 20,000 VIBs: one line, ten names shown.
	expect_status 1 && expect_out "$(printf 'P%.0s' $(seq 80)): FAILED (ESXi 8.0.3, 20001 VIBs" &&
	    [ "$(grep -c '^  ' "$T/out")" = 1 ] &&
	    expect_out "file-conflict: File path of '/usr/lib/shared.so' is claimed by multiple non-overlay VIBs" &&
	    expect_out ", and 19990 more}"
}
