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
	ESXSTAGE_VMFS_ROOT="$T/vmfs/volumes"
	ESXSTAGE_SECUREBOOT="$FH/bin/secureBoot.py"
	case $PATH in "$FH/bin:"*) ;; *) PATH="$FH/bin:$PATH" ;; esac
	export ESXSTAGE_VMFS_ROOT ESXSTAGE_SECUREBOOT PATH
	use_host "$T/host"
}

# use_host DIR: the next install.sh runs on the fake host whose state is
# in DIR (several fake hosts may share the one datastore folder).
use_host() {
	FAKEHOST_STATE=$1
	ESXSTAGE_DOWNLOADS="$1/downloads"
	ESXSTAGE_VPXA_CFG="$1/etc/vmware/vpxa/vpxa.cfg"
	ESXSTAGE_BOOTBANK="$1/bootbank"
	export FAKEHOST_STATE ESXSTAGE_DOWNLOADS ESXSTAGE_VPXA_CFG ESXSTAGE_BOOTBANK
}

# second_host DIR [fakehost init options]: another fake host beside the
# first, which keeps the datastore.
second_host() {
	d=$1
	shift
	rm -rf "$d"
	"$PYTHON" "$FH/fakehost.py" init "$d" --version 8.0.3 --build 24414501 \
	    "$@" >/dev/null
}

# mutations: the calls of the fake host that change something (real
# installs, maintenance mode, the acceptance level, backups, power).
mutations() {
	grep -v -e '--dry-run' "${1:-$T/host}/calls.log" | grep -E \
	    'software (vib (install|update|remove)|component apply|profile update)|maintenanceMode set|acceptance set|backup_config|sync_config|power\.(on|off|shutdown|reset)|system shutdown|^boot=[0-9]+ rc=[0-9]+ reboot|nvmupdaten64e .*-u|mlxfwmanager .*-u' || true
}

# hostdir [STATE]: the folder install.sh keeps for the fake host.
hostdir() {
	ls -d "$B"/hosts/*-"$("$PYTHON" "$FH/fakehost.py" show --key uuid \
	    "${1:-$T/host}" | cut -d- -f1)"
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
		expect_status 3 && expect_out "Config backed up to" &&
		    expect_out "Entered maintenance mode." &&
		    expect_out "step 1: esxcli software profile update -d $B/signed8.zip -p ESXi-8.0U3e-24677879-standard" &&
		    expect_out "the Mellanox tools are not running yet" &&
		    expect_out "A reboot is required." || return 1
		# NMST before MFT, whatever order they were given in.
		grep -n "component apply" "$T/host/calls.log" | grep -v dry-run >apply.log
		head -1 apply.log | grep -q NMST ||
		    fail "$sh: MFT was applied before NMST" || return 1
		ls "$(hostdir)"/configBundle-fakehost-24414501-*.tgz >/dev/null ||
		    fail "no config backup in the host's folder" || return 1
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
		    expect_out "Exited maintenance mode." && expect_out "Done on fakehost." &&
		    expect_out "Shift+R" || return 1
		[ "$(state maintenance_mode)" = false ] ||
		    fail "$sh: host left in maintenance mode" || return 1
		sh_run "$sh" status
		expect_status 0 && expect_out "step 1: done" &&
		    expect_out "step 3: done" || return 1
		grep -q "install.sh apply" "$(hostdir)/install.log" ||
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
		! ls "$B"/hosts/*/configBundle-* >/dev/null 2>&1 ||
		    fail "$sh: check took a backup" || return 1
		[ -z "$(mutations)" ] || fail "$sh: check changed the host" ||
		    return 1
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
		expect_status 3 &&
		    expect_out "lowering the host acceptance level from VMwareCertified to PartnerSupported." &&
		    expect_out "This is permanent" &&
		    expect_out "host acceptance level set to PartnerSupported" ||
		    return 1
		# Said before it was done.
		said=$(grep -n "This is permanent" "$T/out" | cut -d: -f1)
		done_=$(grep -n "host acceptance level set" "$T/out" | cut -d: -f1)
		[ "$said" -lt "$done_" ] || fail "$sh: said after the change" ||
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
		grep -q "Update in progress" "$(hostdir)/nvmupdate.log" &&
		    grep -q "<RebootRequired> 1 </RebootRequired>" \
		        "$(hostdir)/nvmupdate-results.xml" &&
		    grep -q "fakehost .*<RebootRequired> 1 </RebootRequired>" \
		        "$(hostdir)/install.log" ||
		    fail "$sh: no tool log or results in the host's folder" ||
		    return 1
		[ ! -e "$B/nvmupdate.log" ] && [ ! -e "$B/install.log" ] ||
		    fail "$sh: wrote outside the host's folder" || return 1
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

# Two hosts run one bundle folder, interleaved, across their reboots: each
# has its own log and 0600 backup, neither skips a step because of the
# other, and each leaves maintenance mode only if it entered it (host B
# was put in it by hand and stays in it).
test_two_hosts_share_one_folder() {
	for sh in $SHELLS; do
		host --hostname esx01 || return 1
		second_host "$T/hostb" --hostname esx02 --maintenance-mode on ||
		    return 1
		make_b1 --depot "$(fixture signed8)" \
		    --add "$(fixture e2e-nmst-package)" || return 1
		use_host "$T/host"
		sh_run "$sh" apply --yes
		expect_status 3 && expect_out "Entered maintenance mode." ||
		    return 1
		use_host "$T/hostb"
		sh_run "$sh" apply --yes
		expect_status 3 && expect_out "Config backed up to" &&
		    expect_out "step 1: esxcli software profile update" ||
		    return 1
		grep -q "Entered maintenance mode" "$T/out" &&
		    { fail "$sh: B entered a maintenance mode it was in"; return 1; }
		reboot >/dev/null
		use_host "$T/host"
		reboot >/dev/null
		sh_run "$sh" apply --yes
		expect_status 0 && expect_out "Exited maintenance mode." &&
		    expect_out "Done on esx01." || return 1
		use_host "$T/hostb"
		sh_run "$sh" apply --yes
		expect_status 0 &&
		    expect_out "The host stays in maintenance mode: it was in it before" &&
		    expect_out "Done on esx02." || return 1
		[ "$(state maintenance_mode)" = false ] &&
		    [ "$("$PYTHON" "$FH/fakehost.py" show --key maintenance_mode "$T/hostb")" = true ] ||
		    fail "$sh: wrong maintenance modes at the end" || return 1
		for s in "$T/host" "$T/hostb"; do
			d=$(hostdir "$s")
			name=$("$PYTHON" "$FH/fakehost.py" show --key hostname "$s")
			grep -c "profile update .*--dry-run\|profile update -d" \
			    "$s/calls.log" >/dev/null ||
			    fail "$sh: $name skipped the profile update" || return 1
			set -- "$d"/configBundle-"$name"-24414501-*.tgz
			[ -f "$1" ] || fail "$sh: $name has no backup" || return 1
			[ "$(stat -c %a "$1")" = 600 ] ||
			    fail "$sh: $name's backup is not 0600" || return 1
			[ -s "$d/install.log" ] ||
			    fail "$sh: $name has no log" || return 1
			if grep -v "^[0-9TZ:-]* $name " "$d/install.log" | grep -q .; then
				fail "$sh: a log line of $name lacks its name"
				return 1
			fi
			[ ! -e "$d/entered-maintenance-mode" ] ||
			    fail "$sh: $name's mark was left" || return 1
			[ ! -d "$d/lock" ] || fail "$sh: $name's lock was left" ||
			    return 1
		done
		[ "$(ls "$B/hosts" | wc -l)" = 2 ] ||
		    fail "$sh: expected two host folders" || return 1
		(cd "$B" && sha256sum -c SHA256SUMS >/dev/null) ||
		    fail "$sh: a shared file changed" || return 1
	done
}

# check_blocked SHELL TEXT: check prints TEXT, exits 1, changes nothing.
check_blocked() {
	sh_run "$1" check
	expect_status 1 && expect_out "$2" &&
	    expect_out "Some checks failed; fix them before 'apply'." || return 1
	[ -z "$(mutations)" ] || fail "$1: check changed the host:
$(mutations)"
}

test_check_reports_running_vms() {
	for sh in $SHELLS; do
		host --vms-running 2 --vms-stopped 1 || return 1
		make_b1 --depot "$(fixture signed8)" || return 1
		check_blocked "$sh" "BLOCKER: virtual machines are running (vm1, vm2): shut them down or migrate them, or give --allow-running-vms" ||
		    return 1
		expect_out "Maintenance mode: off; apply enters it" || return 1
		# Every blocker is listed, not only the first.
		expect_out "vSAN: this host is not in a vSAN cluster." &&
		    expect_out "Secure Boot: off." || return 1
	done
}

test_check_reports_vsan() {
	for sh in $SHELLS; do
		host --vsan esx02,esx03 || return 1
		make_b1 --depot "$(fixture signed8)" || return 1
		check_blocked "$sh" "BLOCKER: this host is in a vSAN cluster: maintenance mode would use --vsanmode ensureObjectAccessibility (the default" ||
		    return 1
		sh_run "$sh" check --vsanmode evacuateAllData
		expect_status 0 &&
		    expect_out "vSAN: this host is in a vSAN cluster; maintenance mode uses --vsanmode evacuateAllData." ||
		    return 1
		sh_run "$sh" apply --yes --vsanmode ensureObjectAccessibility
		expect_status 3 || return 1
		grep -q "maintenanceMode set --enable true --timeout 1800 --vsanmode ensureObjectAccessibility" \
		    "$T/host/calls.log" || fail "$sh: no vsanmode given" ||
		    return 1
	done
}

test_check_reports_secure_boot_and_community_vib() {
	for sh in $SHELLS; do
		host --secure-boot on --acceptance CommunitySupported || return 1
		make_b1 --add "$(fixture fit-community8)" || return 1
		check_blocked "$sh" "BLOCKER: step 1 holds an unsigned or CommunitySupported VIB, and UEFI Secure" ||
		    return 1
		expect_out "Secure Boot: on; unsigned and CommunitySupported VIBs are refused." ||
		    return 1
		sh_run "$sh" apply --yes
		expect_status 1 && expect_out "step 1: the checks above must pass first" ||
		    return 1
		[ "$(state maintenance_mode)" = false ] ||
		    fail "$sh: entered maintenance mode" || return 1
	done
}

test_check_reports_too_little_space() {
	for sh in $SHELLS; do
		host --datastore-free-kb 1000 || return 1
		make_b1 --depot "$(fixture signed8)" || return 1
		check_blocked "$sh" "BLOCKER: the datastore has 1000 KB free; this host's config backup, log and firmware tool copy need about 65536 KB" ||
		    return 1
		host --bootbank-free-kb 10 || return 1
		make_b1 --depot "$(fixture signed8)" || return 1
		check_blocked "$sh" "BLOCKER: the boot bank ($T/host/bootbank) has 10 KB free; the new VIBs need" ||
		    return 1
	done
}

test_check_warns_vcenter() {
	host --vcenter 192.0.2.50 || return 1
	make_b1 --depot "$(fixture signed8)" || return 1
	sh_run dash check
	expect_status 0 &&
	    expect_out "WARNING: vCenter 192.0.2.50 manages this host. If its cluster's image is managed by vLCM"
}

test_apply_refuses_running_vms() {
	for sh in $SHELLS; do
		host --vms-running 1 || return 1
		make_b1 --depot "$(fixture signed8)" || return 1
		cp "$T/host/state.json" before.json
		sh_run "$sh" apply --yes
		expect_status 1 &&
		    expect_out "BLOCKER: virtual machines are running (vm1)" &&
		    expect_out "FAILED: the blockers above must be cleared first; nothing was changed" ||
		    return 1
		cmp -s before.json "$T/host/state.json" &&
		    [ -z "$(mutations)" ] ||
		    fail "$sh: the host changed" || return 1
		# Allowed: maintenance mode waits, here for a timeout.
		sh_run "$sh" apply --yes --allow-running-vms --timeout 1
		expect_status 1 &&
		    expect_out "Entering maintenance mode: waiting up to 1 seconds for the running VMs (vm1)" &&
		    expect_out "FAILED: cannot enter maintenance mode (it waited up to 1 seconds)" &&
		    expect_out "Operation timed out." || return 1
		# ...and here for the VM, powered off from another shell.
		(sleep 2; vim-cmd vmsvc/power.off 1 >/dev/null) &
		sh_run "$sh" apply --yes --allow-running-vms --timeout 60
		wait
		expect_status 3 && expect_out "Entered maintenance mode." ||
		    return 1
	done
}

test_lock_refuses_a_second_run() {
	host || return 1
	make_b1 --depot "$(fixture signed8)" || return 1
	sh_run dash check
	d=$(hostdir)
	mkdir "$d/lock"
	sleep 300 &
	pid=$!
	up=$(esxcli system stats uptime get)
	printf 'host=fakehost pid=%s uptime=%s\n' "$pid" "${up%??????}" >"$d/lock/owner"
	sh_run dash apply --yes
	kill "$pid"
	expect_status 1 &&
	    expect_out "FAILED: another install.sh is running on this host (host=fakehost pid=$pid" ||
	    return 1
	[ -z "$(mutations)" ] || fail "changed the host" || return 1
	# After a reboot the same lock is stale.
	reboot >/dev/null
	sh_run dash apply --yes
	expect_status 3 && expect_out "Taking over a stale lock (host=fakehost pid=$pid" ||
	    return 1
	[ ! -d "$d/lock" ] || fail "the lock was left"
}

# Real esxcli output shapes: keyvalue lists with spaces round "=", every
# field spaced, or none; the same run works with each.
test_keyvalue_spacing_forms() {
	for form in lists all none; do
		host || return 1
		make_b1 --add "$(fixture e2e-nmst-package)" || return 1
		FAKEHOST_KV_SPACES=$form sh_run dash apply --yes
		expect_status 3 &&
		    expect_out "The update completed successfully, but the system needs to be rebooted" ||
		    { echo "  (FAKEHOST_KV_SPACES=$form)"; return 1; }
	done
}

test_unreadable_esxcli_answer_stops() {
	host || return 1
	make_b1 --add "$(fixture e2e-nmst-package)" || return 1
	# An answer without the field install.sh reads: it says so, never
	# guesses "no reboot needed".
	"$PYTHON" - "$T/host/state.json" <<'PY'
import json, sys
p = sys.argv[1]
st = json.load(open(p))
st['hostname'] = ''
json.dump(st, open(p, 'w'))
PY
	sh_run dash check
	expect_status 1 &&
	    expect_out "FAILED: cannot read esxcli's answer to 'esxcli --formatter=keyvalue system hostname get' (an empty HostName). It was:" &&
	    expect_out "FullHostname.HostName.string=" || return 1
}

# The 8.0 table result: Reboot Required after the lists, and DPU Results.
test_fakehost_8_result_table() {
	host || return 1
	make_b1 --add "$(fixture e2e-nmst-package)" || return 1
	esxcli system maintenanceMode set --enable true >/dev/null
	esxcli software component apply -d \
	    "$B/Mellanox-NATIVE-NMST_4.18.1.14-1OEM.700.1.0.15843807_19206114.zip" \
	    >"$T/out"
	rc=$?
	expect_status 0 || return 1
	awk '{ sub(/:.*/, ""); sub(/^ */, ""); print }' "$T/out" >order
	printf '%s\n' "Installation Result" Message "Components Installed" \
	    "Components Removed" "Components Skipped" "VIBs Installed" \
	    "VIBs Removed" "VIBs Skipped" "Reboot Required" "DPU Results" >want
	diff -u want order || fail "not the 8.0 order"
}

# intel_only EXTRA-ENV...: a bundle of only the Intel tool on a host with
# an adapter at 9.20, then apply under the given environment.
intel_only() {
	host --intel-nvm-version 9.20 || return 1
	intel_package || return 1
	make_b1 --intel-nvm "$T/700Series_NVMUpdatePackage_v9_52_ESX.tar.gz" ||
	    return 1
	env "$@" dash "$B/install.sh" apply --yes >"$T/out" 2>"$T/err"
	rc=$?
}

test_intel_exit_0_succeeds() {
	intel_only FAKEHOST_NVM_EXIT=0 || return 1
	expect_status 3 &&
	    expect_out "step 1: nvmupdaten64e: All operations completed successfully." &&
	    expect_out "step 1: the new NVM takes effect after a reboot" || return 1
	[ "$(state intel.pending)" = 9.52 ] || fail "no NVM pending"
}

test_intel_exit_14_with_results_succeeds() {
	intel_only FAKEHOST_NVM_EXIT=14 || return 1
	expect_status 3 &&
	    expect_out "step 1: nvmupdaten64e ended with exit status 14; its results XML shows the outcome" &&
	    expect_out "step 1: the new NVM takes effect after a reboot" || return 1
}

test_intel_exit_19_without_results_stops() {
	intel_only FAKEHOST_NVM_EXIT=19 FAKEHOST_NVM_XML=none || return 1
	expect_status 1 &&
	    expect_out "FAILED: step 1: nvmupdaten64e ended with exit status 19 and its results XML" &&
	    expect_out "does not show the outcome" || return 1
	grep -q "no results XML was written" "$(hostdir)/install.log" ||
	    fail "the missing XML is not logged"
}

test_intel_exit_1_stops() {
	intel_only FAKEHOST_NVM_EXIT=1 || return 1
	expect_status 1 &&
	    expect_out "FAILED: step 1: nvmupdaten64e failed: All operations completed successfully. (exit status 1;" ||
	    return 1
	grep -q "Exited maintenance mode" "$T/out" &&
	    { fail "carried on after the failure"; return 1; }
	return 0
}

test_intel_unknown_exit_stops() {
	intel_only FAKEHOST_NVM_EXIT=7 || return 1
	expect_status 1 &&
	    expect_out "FAILED: step 1: nvmupdaten64e failed: All operations completed successfully. (exit status 7;" ||
	    return 1
}

test_intel_inventory_without_next_update_stops() {
	intel_only FAKEHOST_NVM_XML=no-next || return 1
	expect_status 1 &&
	    expect_out "has no NextUpdateAvailable, so whether an update is due cannot be told; nothing was flashed" ||
	    return 1
	[ "$(state intel.pending)" = null ] || fail "flashed anyway" || return 1
	[ "$(state maintenance_mode)" = false ] ||
	    fail "entered maintenance mode" || return 1
}

test_show_says_many_hosts() {
	host || return 1
	make_b1 --depot "$(fixture signed8)" || return 1
	sh_run dash show
	expect_status 0 &&
	    expect_out "One bundle may serve many hosts, one after another or at the same time" &&
	    expect_out "(checked for ESXi 8.0.3)" || return 1
	grep -q "Many hosts, one bundle" "$B/README.txt" ||
	    fail "README.txt does not say so"
}

test_shellcheck_clean() {
	host || return 1
	make_b1 --depot "$(fixture signed8)" --add "$(fixture e2e-nmst-package)" ||
	    return 1
	shellcheck -s sh "$B/install.sh" || fail "shellcheck"
}
