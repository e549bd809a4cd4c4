# depot_list.sh - listings on generated depots: goldens and generator truth.
# SPDX-License-Identifier: BSD-2-Clause

E=testdata/expected
P8=ESXi-8.0U3e-24677879
truth() { echo "$FIXTURES/$1.truth.json"; }

test_list_profiles_table() {
	run "$DEPOT" list-profiles "$(fixture esxi8-full)"
	expect_status 0 && expect_out_file "$TOP/$E/esxi8-full.list-profiles"
}

test_list_vibs_table() {
	run "$DEPOT" list-vibs "$(fixture esxi8-full)"
	expect_status 0 && expect_out_file "$TOP/$E/esxi8-full.list-vibs"
}

test_list_vibs_of_profile() {
	# Options may follow the operand, as in the issue's examples.
	run "$DEPOT" list-vibs "$(fixture esxi8-full)" --profile "$P8-no-tools"
	expect_status 0 &&
	    expect_out_file "$TOP/$E/esxi8-full.list-vibs-no-tools"
}

test_list_components_table() {
	run "$DEPOT" list-components "$(fixture esxi8-full)"
	expect_status 0 &&
	    expect_out_file "$TOP/$E/esxi8-full.list-components"
}

test_show_profile() {
	run "$DEPOT" show-profile "$(fixture esxi8-full)" "$P8-no-tools"
	expect_status 0 &&
	    expect_out_file "$TOP/$E/esxi8-full.show-profile-no-tools"
}

test_info() {
	cp "$(fixture esxi8-full)" e.zip
	run "$DEPOT" info e.zip
	expect_status 0 && expect_out_file "$TOP/$E/esxi8-full.info"
}

# The JSON of every listing agrees with what the generator says it built.
test_json_matches_truth() {
	for spec in esxi8-full esxi6-bundle vib2zip component7 multi-vendor; do
		for kind in vibs profiles components; do
			"$DEPOT" "list-$kind" --json "$(fixture $spec)" \
			    >"$spec.$kind.json" || { echo "  $spec $kind"; return 1; }
			"$PYTHON" "$TOP/tests/truthcheck.py" "$(truth $spec)" \
			    "$kind" "$spec.$kind.json" >"$spec.$kind.log" || {
				echo "  $spec $kind:"; cat "$spec.$kind.log"
				return 1
			}
		done
	done
}

test_json_is_one_document() {
	for verb in list-profiles list-vibs list-components info; do
		run "$DEPOT" "$verb" --json "$(fixture esxi8-full)"
		expect_status 0 || return 1
		"$PYTHON" -m json.tool "$T/out" >/dev/null ||
		    fail "$verb --json is not one JSON document" || return 1
	done
	run "$DEPOT" show-profile --json "$(fixture esxi8-full)" "$P8-standard"
	expect_status 0 && "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == sys.argv[2] and d["acceptance_level"] == "partner"
assert d["acceptance_level_display"] == "PartnerSupported"
assert len(d["vibs"]) == 44 and d["creation_time"].endswith("Z")
' "$T/out" "$P8-standard"
}

# Offsets in dates are converted to UTC, as esxcli prints them.
test_times_in_utc() {
	run "$DEPOT" list-profiles --json "$(fixture esxi8-full)"
	expect_status 0 && expect_out '"modification_time": "2025-04-10T04:00:00Z"'
}

test_vib2zip_bundle() {
	run "$DEPOT" info "$(fixture vib2zip)"
	expect_status 0 &&
	    expect_out "Metadata:    VFrontDe-net51-r8169-6.011.00-2vft.510.0.0.799733-metadata.zip" &&
	    expect_out "embeddedEsx 6.0.0, embeddedEsx 5.5.0" &&
	    expect_out "VIBs:        1" || return 1
	run "$DEPOT" list-vibs --json "$(fixture vib2zip)"
	expect_status 0 &&
	    expect_out '"member": "net51-r8169-6.011.00-2vft.510.0.0.799733.x86_64.vib"' &&
	    expect_out '"acceptance_level_display": "CommunitySupported"'
}

test_esxi6_plain_bulletin() {
	run "$DEPOT" list-components --json "$(fixture esxi6-bundle)"
	expect_status 0 && expect_out '"is_component": false' &&
	    expect_out '"name": "ESXi670-VMKUSB-NIC-FLING-39203948"'
}

test_no_profiles_prints_header_only() {
	run "$DEPOT" list-profiles "$(fixture component7)"
	expect_status 0 && [ "$(wc -l <"$T/out")" -eq 2 ] ||
	    fail "expected only the two header lines"
}

test_profile_missing_vib_listed_with_warning() {
	run "$DEPOT" list-profiles "$(fixture err-missing-vib)"
	expect_status 0 && expect_out "$P8-standard" &&
	    expect_err "warning:" &&
	    expect_err "profile '$P8-standard' names 1 VIB not in the depot: VMW_bootbank_ghost-driver" &&
	    expect_err_lines 1
}

test_show_profile_missing_vib_fails() {
	run "$DEPOT" show-profile "$(fixture err-missing-vib)" "$P8-standard"
	expect_status 1 &&
	    expect_err "VIBs VMW_bootbank_ghost-driver_1.0.0-1vmw.803.0.0.24022510 from image profile '$P8-standard' cannot be found in metadata" &&
	    expect_no_out
}

test_duplicate_profile_higher_serialno_wins() {
	run "$DEPOT" list-profiles --json "$(fixture dup-profiles)"
	expect_status 0 && "$PYTHON" -c '
import json, sys
ps = json.load(open(sys.argv[1]))["profiles"]
std = [p for p in ps if p["name"].endswith("-standard")]
assert len(std) == 1 and std[0]["serialno"] == 2, std
nt = [p for p in ps if p["name"].endswith("-no-tools")]
assert len(nt) == 2, "same name, different ids: both kept"
' "$T/out"
}

# Two profiles with one name: tests/hostile/depot_logic.sh.

test_duplicate_vibs_merge() {
	run "$DEPOT" list-vibs --json "$(fixture dup-vibs)"
	expect_status 0 && "$PYTHON" -c '
import json, sys
ids = [v["id"] for v in json.load(open(sys.argv[1]))["vibs"]]
assert len(ids) == len(set(ids)), ids
' "$T/out"
}

test_wrapper_names_inner_depot() {
	run "$DEPOT" list-profiles "$(fixture wrapper-fling)"
	expect_status 1 &&
	    expect_err "not a depot, but a package that holds the depot ESXi670-VMKUSB-NIC-FLING-39203948-offline_bundle-16780994.zip" &&
	    expect_err "run 'depot extract" && expect_err_lines 1 && expect_no_out
}

test_wrapper_with_folder() {
	run "$DEPOT" list-vibs "$(fixture wrapper-nested)"
	expect_status 1 &&
	    expect_err "holds the depot Example-Package/Net-Community-Driver_1.2.7.0-1vmw.700.1.0.15843807_19480755.zip" &&
	    expect_err_lines 1
}
