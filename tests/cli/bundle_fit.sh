# bundle_fit.sh - esxbundle create's fit checks: every input against the
# hosts' ESXi release, before anything is written; --force writes and
# warns in README.txt and install.sh show.
# SPDX-License-Identifier: BSD-2-Clause

BUNDLE=${BUNDLE:-$TOP/$BUILD/esxbundle}

# create [args]: esxbundle create bdl for datastore1 with the test trust.
create() {
	run "$BUNDLE" create bdl --datastore datastore1 \
	    --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt" "$@"
}

# refused: the last create failed with status 1 and wrote nothing.
refused() {
	expect_status 1 && expect_err "nothing was written; fix" &&
	    expect_err "give --force to write the bundle anyway" || return 1
	[ ! -e bdl ] || fail "bdl was written" || return 1
	leftovers=$(ls -A | grep -F ".bdl." || true)
	[ -z "$leftovers" ] || fail "left behind: $leftovers"
}

test_component_for_a_newer_release_refused() {
	create --depot "$(fixture signed8)" --add "$(fixture fit-comp9)"
	refused &&
	    expect_err "esxbundle: $(fixture fit-comp9): is for ESXi 9.0, which does not admit ESXi 8.0.3: use the vendor's release for ESXi 8.0" &&
	    expect_err "1 problem with the inputs for ESXi 8.0.3"
}

test_vmklinux_driver_refused_on_8() {
	create --depot "$(fixture signed8)" --add "$(fixture fit-vmklinux6)"
	refused &&
	    expect_err "esxbundle: $(fixture fit-vmklinux6): the VIB ACM_bootbank_net-acme_1.2.3-1OEM.600.0.0.2494585 is a vmklinux driver (it depends on com.vmware.driverAPI-9.2.3.0), which ESXi 7.0 and later cannot load"
}

test_vmklinux_driver_fits_6() {
	create --add "$(fixture fit-vmklinux6)"
	expect_status 0 && [ -f bdl/install.sh ] || fail "not written"
}

test_two_versions_of_one_vib_refused() {
	create --add "$(fixture fit-acme8-v1)" --add "$(fixture fit-acme8-v2)"
	refused &&
	    expect_err "esxbundle: $(fixture fit-acme8-v1) and $(fixture fit-acme8-v2): both carry the VIB acme-nic, at versions 1.0.0.0-1OEM.800.1.0.20613240 and 1.1.0.0-1OEM.800.1.0.20613240"
}

test_older_than_the_profile_refused() {
	create --depot "$(fixture signed8)" --add "$(fixture fit-ne1000-old)"
	refused &&
	    expect_err "esxbundle: $(fixture fit-ne1000-old): carries the VIB ne1000 0.9.0-1vmw.800.0.0.20513097, older than the 0.9.2-1vmw.803.0.0.24022510 in the image profile of $(fixture signed8)"
}

test_disagreeing_inputs_need_esxi() {
	create --add "$(fixture fit-acme8-v1)" --add "$(fixture fit-comp9)"
	expect_status 1 &&
	    expect_err "the inputs are for different ESXi releases ($(fixture fit-acme8-v1) is for 8.0, $(fixture fit-comp9) for 9.0): give --esxi VERSION" ||
	    return 1
	[ ! -e bdl ] || fail "bdl was written" || return 1
	create --add "$(fixture fit-acme8-v1)" --esxi 9.0
	expect_status 0 || return 1
	rm -rf bdl
	create --add "$(fixture fit-acme8-v1)" --esxi 7.0U3
	refused && expect_err "is for ESXi 8.0, which does not admit ESXi 7.0.3"
}

test_esxi_must_match_the_profile() {
	create --depot "$(fixture signed8)" --esxi 7.0
	expect_status 1 &&
	    expect_err "--esxi 7.0: the image profile of $(fixture signed8) is ESXi 8.0.3" ||
	    return 1
	create --depot "$(fixture signed8)" --esxi eight
	expect_status 1 && expect_err "--esxi 'eight': not an ESXi release"
}

test_community_vib_with_certified_profile_refused() {
	create --depot "$(fixture fit-certified8)" --add "$(fixture fit-community8)"
	refused &&
	    expect_err "the VIB CMT_bootbank_net-community-x_1.0.0-1cmt.800 is CommunitySupported, but the image profile of $(fixture fit-certified8) is VMwareCertified"
}

test_force_writes_and_warns() {
	create --depot "$(fixture signed8)" --add "$(fixture fit-comp9)" \
	    --add "$(fixture fit-vmklinux6)" --force
	expect_status 0 &&
	    expect_err "esxbundle: warning: $(fixture fit-comp9): is for ESXi 9.0" &&
	    expect_err "(written anyway: --force)" || return 1
	grep -q "^WARNINGS: made with --force despite these problems:" bdl/README.txt &&
	    grep -qF "WARNING: $(fixture fit-comp9): is for ESXi 9.0" bdl/README.txt &&
	    grep -qF "is a vmklinux driver" bdl/README.txt ||
	    fail "README.txt does not warn" || return 1
	sh bdl/install.sh show >"$T/out" 2>&1
	rc=$?
	expect_status 0 && expect_out "Made with --force despite these problems:" &&
	    expect_out "WARNING: $(fixture fit-comp9): is for ESXi 9.0" ||
	    return 1
	shellcheck -s sh bdl/install.sh || fail "shellcheck"
}

test_fitting_bundle_has_no_warnings() {
	create --depot "$(fixture signed8)" --add "$(fixture fit-acme8-v2)"
	expect_status 0 && ! grep -q WARNING bdl/README.txt &&
	    grep -q "Checked to fit ESXi 8.0.3." bdl/README.txt ||
	    fail "README.txt wrong"
}

# The image the hosts will have after the bundle (the profile with every
# input installed) is validated as esximage validates it: a VIB whose
# dependency neither the profile nor another input carries is refused in
# esximage's words before anything is written, as esxcli would refuse it.
test_unmet_dependency_refused() {
	# Unsigned, so CommunitySupported, as exa-tools is already.
	printf 'include %s\n[vib exa-nic]\nacceptance = community\n' \
	    "$TOP/testdata/depots/img-addon.spec" >addon.spec
	for v in exa-tools exa-nic; do
		"$PYTHON" "$TOP/tests/mkdepot.py" --vib addon.spec "$v" "$v.vib" ||
		    fail "mkdepot --vib $v" || return 1
	done
	create --depot "$(fixture signed8)" --add exa-tools.vib
	refused && expect_err_lines 2 && expect_no_out &&
	    expect_err "esxbundle: ESXi-8.0U3e-24677879-standard with the bundle's inputs: depends: VIB EXA_bootbank_exa-tools_2.1.0-1 requires exa-nic >= 2.0, but the requirement cannot be satisfied within the ImageProfile: add a VIB that provides exa-nic, or remove exa-tools" &&
	    expect_err "esxbundle: 1 problem with the inputs for ESXi 8.0.3: nothing was written; fix it, or give --force" ||
	    return 1
	# With what it depends on beside it, the image validates.
	create --depot "$(fixture signed8)" --add exa-tools.vib --add exa-nic.vib
	expect_status 0 && expect_out "Bundle written to bdl (3 steps)" || return 1
	rm -rf bdl
	# --force writes it, and the problem is a warning there.
	create --depot "$(fixture signed8)" --add exa-tools.vib --force
	expect_status 0 &&
	    expect_err "esxbundle: warning: ESXi-8.0U3e-24677879-standard with the bundle's inputs: depends: VIB EXA_bootbank_exa-tools_2.1.0-1 requires exa-nic >= 2.0" &&
	    expect_err "(written anyway: --force)" || return 1
	grep -qF "requires exa-nic >= 2.0" bdl/README.txt ||
	    fail "README.txt does not warn"
}
