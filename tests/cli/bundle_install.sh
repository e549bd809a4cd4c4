# bundle_install.sh - install.sh end to end, under dash and busybox sh,
# against the fake ESXi host in tests/fakehost (esxcli, vim-cmd, vmware,
# reboot, mst, mlxfwmanager modelling host state).
# SPDX-License-Identifier: BSD-2-Clause

BUNDLE=${BUNDLE:-$TOP/$BUILD/esxbundle}
FH="$TOP/tests/fakehost"
SHELLS="dash busybox_sh"

# host [fakehost init options]: a fresh host and the environment for it.
host() {
	rm -rf "$T/host" "$T/vmfs"
	mkdir -p "$T/vmfs/volumes/datastore1/esxstage"
	"$PYTHON" "$FH/fakehost.py" init "$T/host" --version 8.0.3 \
	    --build 24414501 "$@" >/dev/null || return 1
	FAKEHOST_STATE="$T/host"
	ESXSTAGE_VMFS_ROOT="$T/vmfs/volumes"
	ESXSTAGE_DOWNLOADS="$T/host/downloads"
	PATH="$FH/bin:$PATH"
	export FAKEHOST_STATE ESXSTAGE_VMFS_ROOT ESXSTAGE_DOWNLOADS PATH
}

B="$T/vmfs/volumes/datastore1/esxstage/b1"

# make_b1 [esxbundle create options]: the bundle, made where it is uploaded.
make_b1() {
	run "$BUNDLE" create "$B" --datastore datastore1 --dir esxstage/b1 \
	    --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt" "$@"
	expect_status 0
}

# sh_run SHELL ARGS: run install.sh; output in $T/out, status in $rc.
sh_run() {
	sh=$1
	shift
	[ "$sh" = busybox_sh ] && sh="busybox sh"
	$sh "$B/install.sh" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

state() {
	"$PYTHON" "$FH/fakehost.py" show --key "$1" "$T/host"
}

mellanox_bundle() {
	"$PYTHON" "$FH/fakehost.py" fwimage "$T/fw.bin" --psid MT_0000000008 \
	    --version 16.35.2000 >/dev/null
	make_b1 --depot "$(fixture signed8)" \
	    --add "$(fixture e2e-mft-package)" --add "$(fixture e2e-nmst-package)" \
	    --firmware "mellanox:$T/fw.bin"
}

# The whole story: check, apply, reboot, apply (firmware), reboot, apply.
test_full_run_across_reboots() {
	for sh in $SHELLS; do
		host --nic MT_0000000008:16.30.1004 || return 1
		mellanox_bundle || return 1
		sh_run "$sh" check
		expect_status 0 && expect_out "All checks passed." || return 1
		sh_run "$sh" apply --yes
		expect_status 3 && expect_out "Config backed up into" &&
		    expect_out "Entered maintenance mode." &&
		    expect_out "step 1: esxcli software profile update -d $B/signed8.zip -p ESXi-8.0U3e-24677879-standard" &&
		    expect_out "the Mellanox tools are not running yet" &&
		    expect_out "A reboot is required." || return 1
		# NMST before MFT, whatever order they were given in.
		grep -n "component apply" "$T/host/calls.log" | grep -v dry-run >apply.log
		head -1 apply.log | grep -q NMST ||
		    fail "$sh: MFT was applied before NMST" || return 1
		ls "$B"/backup/configBundle-*.tgz >/dev/null ||
		    fail "no config backup in the bundle" || return 1
		reboot >/dev/null
		sh_run "$sh" apply --yes
		expect_status 3 && expect_out "step 1: already installed, skipped" &&
		    expect_out "step 3: already installed, skipped" &&
		    expect_out "step 4: flashing fw.bin" &&
		    expect_out "Restart needed for updates to take effect." ||
		    return 1
		reboot >/dev/null
		sh_run "$sh" apply --yes
		expect_status 0 && expect_out "firmware 16.35.2000 is already on the device" &&
		    expect_out "Exited maintenance mode." && expect_out "Done." &&
		    expect_out "Shift+R" || return 1
		[ "$(state maintenance_mode)" = false ] ||
		    fail "$sh: host left in maintenance mode" || return 1
		sh_run "$sh" status
		expect_status 0 && expect_out "step 1: done" &&
		    expect_out "step 3: done" || return 1
		grep -q "install.sh\|apply" "$B/install.log" ||
		    fail "nothing in install.log" || return 1
	done
}

test_rerun_after_done_changes_nothing() {
	for sh in $SHELLS; do
		host || return 1
		make_b1 --add "$(fixture e2e-nmst-package)" || return 1
		sh_run "$sh" apply --yes
		expect_status 3 || return 1
		reboot >/dev/null
		sh_run "$sh" apply --yes
		expect_status 0 || return 1
		cp "$T/host/state.json" before.json
		: >"$T/host/calls.log"
		sh_run "$sh" apply --yes
		expect_status 0 && expect_out "step 1: already installed, skipped" &&
		    expect_out "Nothing to change" || return 1
		if grep -v "dry-run\| list\| get" "$T/host/calls.log" |
		    grep -q "software .* \(install\|apply\|update\)"; then
			fail "$sh: a change was attempted"
			return 1
		fi
		cmp -s before.json "$T/host/state.json" ||
		    fail "$sh: the host changed" || return 1
	done
}

test_check_changes_nothing() {
	for sh in $SHELLS; do
		host || return 1
		make_b1 --depot "$(fixture signed8)" || return 1
		cp "$T/host/state.json" before.json
		sh_run "$sh" check
		expect_status 0 && expect_out "dry run of 'esxcli software profile update" ||
		    return 1
		cmp -s before.json "$T/host/state.json" ||
		    fail "$sh: check changed the host" || return 1
		if grep -v "dry-run" "$T/host/calls.log" |
		    grep -q "software .* \(install\|apply\|update\)\|maintenanceMode set"; then
			fail "$sh: check ran a change"
			return 1
		fi
		[ ! -d "$B/backup" ] || fail "$sh: check took a backup" || return 1
	done
}

test_corrupted_file_refused_before_any_change() {
	for sh in $SHELLS; do
		host || return 1
		make_b1 --depot "$(fixture signed8)" || return 1
		printf 'x' | dd of="$B/signed8.zip" bs=1 seek=200 conv=notrunc 2>/dev/null
		cp "$T/host/state.json" before.json
		sh_run "$sh" apply --yes
		expect_status 1 &&
		    expect_out "FAILED: SHA256SUMS does not match: a file was damaged in transfer" ||
		    return 1
		cmp -s before.json "$T/host/state.json" ||
		    fail "$sh: the host changed" || return 1
	done
}

test_refuses_to_run_from_tmp() {
	for sh in $SHELLS; do
		host || return 1
		make_b1 --depot "$(fixture signed8)" || return 1
		away="/tmp/esxstage-tmp-test.$$"
		rm -rf "$away" && cp -r "$B" "$away"
		[ "$sh" = busybox_sh ] && s="busybox sh" || s=$sh
		$s "$away/install.sh" check >"$T/out" 2>&1
		rc=$?
		rm -rf "$away"
		expect_status 1 && expect_out "which is wiped at reboot; upload the bundle to a datastore" ||
		    return 1
		mv "$B" "$T/vmfs/volumes/datastore1/elsewhere"
		$s "$T/vmfs/volumes/datastore1/elsewhere/install.sh" check >"$T/out" 2>&1
		rc=$?
		expect_status 1 && expect_out "this bundle was made for $B" || return 1
	done
}

test_acceptance_too_low() {
	for sh in $SHELLS; do
		host --acceptance VMwareCertified || return 1
		make_b1 --add "$(fixture e2e-nmst-package)" || return 1
		sh_run "$sh" check
		expect_status 1 &&
		    expect_out "acceptance level PartnerSupported is below the host's VMwareCertified" &&
		    expect_out "run: esxcli software acceptance set --level=PartnerSupported" ||
		    return 1
		sh_run "$sh" apply --yes
		expect_status 1 && expect_out "the checks above must pass first" ||
		    return 1
		[ "$(state acceptance)" = VMwareCertified ] ||
		    fail "$sh: the level changed without --set-acceptance" ||
		    return 1
		sh_run "$sh" apply --yes --set-acceptance
		expect_status 3 && expect_out "host acceptance level set to PartnerSupported" ||
		    return 1
	done
}

test_esxcli_failure_stops_everything() {
	for sh in $SHELLS; do
		host || return 1
		make_b1 --add "$(fixture e2e-nmst-package)" \
		    --add "$(fixture e2e-mft-package)" || return 1
		FAKEHOST_FAIL="NMST" sh_run "$sh" apply --yes
		expect_status 1 && expect_out "FAILED: step 1: esxcli software component apply" &&
		    expect_out "[InstallationError]" &&
		    expect_out "Nothing further was attempted." || return 1
		if grep -q "MFT" "$T/host/calls.log"; then
			fail "$sh: a later step ran"
			return 1
		fi
	done
}

# intel_package: Intel's ESX tar.gz (the intel-nvm-esx fixture) with the
# fake host's tool in place of the fixture's placeholder binary, packed
# again by GNU tar.
intel_package() {
	rm -rf intel && mkdir intel &&
	    tar -xzf "$(fixture intel-nvm-esx)" -C intel &&
	    "$PYTHON" "$FH/fakehost.py" install-nvmupdate \
	        intel/700Series/ESXi_x64 &&
	    tar -czf "$T/700Series_NVMUpdatePackage_v9_52_ESX.tar.gz" \
	        -C intel 700Series
}

# Drivers first, then the NVM update after their reboot, then its own.
test_intel_nvm_after_drivers_across_reboots() {
	for sh in $SHELLS; do
		host --intel-nvm-version 9.20 || return 1
		intel_package || return 1
		make_b1 --add "$(fixture e2e-nmst-package)" \
		    --intel-nvm "$T/700Series_NVMUpdatePackage_v9_52_ESX.tar.gz" ||
		    return 1
		sh_run "$sh" check
		expect_status 0 &&
		    expect_out "step 2: an NVM update is available; apply runs it" ||
		    return 1
		[ "$(state intel.version)" = 9.20 ] ||
		    fail "$sh: check changed the NVM" || return 1
		sh_run "$sh" apply --yes
		expect_status 3 &&
		    expect_out "step 2: the NVM update runs after the reboot the steps above need" ||
		    return 1
		[ "$(state intel.pending)" = null ] ||
		    fail "$sh: flashed before the driver's reboot" || return 1
		reboot >/dev/null
		sh_run "$sh" apply --yes
		expect_status 3 && expect_out "step 1: already installed, skipped" &&
		    expect_out "Update in progress." &&
		    expect_out "step 2: nvmupdaten64e: All operations completed successfully." &&
		    expect_out "step 2: the new NVM takes effect after a reboot" ||
		    return 1
		[ "$(state intel.pending)" = 9.52 ] ||
		    fail "$sh: no NVM update pending" || return 1
		grep -q "Update in progress" "$B/nvmupdate.log" &&
		    grep -q "<RebootRequired> 1 </RebootRequired>" \
		        "$B/nvmupdate-results.xml" ||
		    fail "$sh: no tool log or results in the bundle folder" ||
		    return 1
		reboot >/dev/null
		sh_run "$sh" apply --yes
		expect_status 0 &&
		    expect_out "step 2: the NVM is current; nothing to update" &&
		    expect_out "Exited maintenance mode." || return 1
		[ "$(state intel.version)" = 9.52 ] ||
		    fail "$sh: the NVM is not 9.52" || return 1
	done
}

# No adapter the tool can update: check says so, apply stops before
# maintenance mode, and the tool's own verdict is shown.
test_intel_nvm_no_device() {
	for sh in $SHELLS; do
		host || return 1
		intel_package || return 1
		make_b1 --intel-nvm "$T/700Series_NVMUpdatePackage_v9_52_ESX.tar.gz" ||
		    return 1
		sh_run "$sh" check
		expect_status 1 &&
		    expect_out "step 1: nvmupdaten64e cannot update this host: Device not found." ||
		    return 1
		sh_run "$sh" apply --yes
		expect_status 1 &&
		    expect_out "FAILED: step 1: the nvmupdaten64e inventory failed: Device not found." ||
		    return 1
		[ "$(state maintenance_mode)" = false ] ||
		    fail "$sh: entered maintenance mode for nothing" || return 1
	done
}

test_maintenance_mode_asks_without_yes() {
	host || return 1
	make_b1 --add "$(fixture e2e-nmst-package)" || return 1
	echo n | dash "$B/install.sh" apply >"$T/out" 2>&1
	rc=$?
	expect_status 1 && expect_out "Enter maintenance mode now? [y/N]" &&
	    expect_out "maintenance mode not confirmed; nothing was changed" ||
	    return 1
	[ "$(state maintenance_mode)" = false ] || fail "entered anyway"
}

test_usage() {
	host || return 1
	make_b1 --add "$(fixture e2e-nmst-package)" || return 1
	sh_run dash frobnicate
	expect_status 2 && expect_err "install.sh: unknown argument 'frobnicate'"
}
