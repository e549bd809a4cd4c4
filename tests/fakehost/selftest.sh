#!/bin/sh
# selftest.sh - end-to-end check of the fake ESXi host (tests/fakehost).
# SPDX-License-Identifier: BSD-2-Clause
#
#   sh selftest.sh           run the checks in the shell that runs this file
#   sh selftest.sh --both    run them under dash and under busybox sh
#
# Prints "ok NAME" / "FAIL NAME" / "skip NAME: why" per check and ends with
# "N passed, N failed, N skipped"; exits 0 when nothing failed.  The work
# directory is removed unless a check failed.  Real VMware depots are used
# when ../shared/real-depots exists (override with REAL_DEPOTS=DIR).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

if [ "${1:-}" = "--both" ]; then
	status=0
	for shell in dash "busybox sh"; do
		echo "=== $shell"
		$shell "$HERE/selftest.sh" || status=1
	done
	exit $status
fi

PYTHON=${PYTHON:-python3}
REAL_DEPOTS=${REAL_DEPOTS:-$TOP/../shared/real-depots}
W=$(mktemp -d "${TMPDIR:-/tmp}/fakehost-selftest.XXXXXX") || exit 1
unset FAKEHOST_FAIL FAKEHOST_FAIL_ANY FAKEHOST_FAIL_TIMES FAKEHOST_CHECK_SIGS \
	FAKEHOST_KV_LISTS FAKEHOST_DOWNLOADS
FAKEHOST_STATE="$W/state"
FAKEHOST_TMP="$W/ramtmp"
FAKEHOST_DATE=2025-05-01
PATH="$HERE/bin:$PATH"
export FAKEHOST_STATE FAKEHOST_TMP FAKEHOST_DATE PATH

pass=0 failed=0 skipped=0 rc=0

fh() { "$PYTHON" "$HERE/fakehost.py" "$@"; }
run() { "$@" >"$W/out" 2>"$W/err"; rc=$?; }
ok() { pass=$((pass + 1)); echo "ok $1"; }
skip() { skipped=$((skipped + 1)); echo "skip $1: $2"; }
bad() {
	failed=$((failed + 1))
	echo "FAIL $1: $2"
	sed -n '1,25s/^/  | /p' "$W/out"
	sed -n '1,5s/^/  stderr| /p' "$W/err"
}
# expect NAME RC TEXT...: the last run exited RC and its stdout holds every TEXT.
expect() {
	name=$1 want=$2
	shift 2
	if [ "$rc" != "$want" ]; then bad "$name" "exit status $rc, expected $want"; return 1; fi
	for text; do
		if ! grep -qF -- "$text" "$W/out"; then bad "$name" "stdout lacks: $text"; return 1; fi
	done
	ok "$name"
}
# lacks NAME TEXT...: stdout of the last run holds none of TEXT.
lacks() {
	name=$1
	shift
	for text; do
		if grep -qF -- "$text" "$W/out"; then bad "$name" "stdout has: $text"; return 1; fi
	done
	ok "$name"
}
# same NAME A B: two strings are equal.
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', expected '$3'"; fi
}
state_sum() { cksum <"$FAKEHOST_STATE/state.json"; }
key() { fh show --key "$1"; }

# Never let a real reboot (or any real tool) run.
for tool in esxcli vim-cmd vmware reboot mst mlxfwmanager nvmupdaten64e; do
	where=$(command -v "$tool")
	if [ "$where" != "$HERE/bin/$tool" ]; then
		echo "FAIL guard: $tool resolves to '$where', not the fake; refusing to run"
		exit 1
	fi
done
ok "guard: every tool resolves to tests/fakehost/bin"

# ---------------------------------------------------------------- fixtures
"$PYTHON" "$TOP/tests/mkdepot.py" "$TOP/testdata/depots/mini8.spec" "$W/mini8.zip" >"$W/out" 2>&1 ||
	{ bad "fixture mini8" "mkdepot failed"; exit 1; }
cat >"$W/mlx.spec" <<'EOF'
[depot]
seed = fakehost-mlx
zip-date = 2025-01-01 00:00:00
[vendor MEL]
code = MEL
metadata = embeddedEsx 7.0.0 metadata.zip
[vib-defaults]
vendor = MEL
acceptance = partner
[vibs]
mft      4.18.1.14-0
mft-oem  4.18.1.14-0
nmst     4.18.1.14-1OEM.700.1.0.15843807
[components]
Mellanox-MFT-Tools   4.18.1.14-1OEM.700.1.0.15843807 mft mft-oem
Mellanox-NATIVE-NMST 4.18.1.14-1OEM.700.1.0.15843807 nmst
EOF
cat >"$W/acme.spec" <<'EOF'
[depot]
seed = fakehost-acme
zip-date = 2025-01-01 00:00:00
[vendor ACME]
code = ACM
metadata = embeddedEsx 8.0 metadata.zip
[vib-defaults]
vendor = ACME
acceptance = partner
[vibs]
acme-tool 1.0.0-1 live-install=true live-remove=true maintenance-mode=true
acme-comm 1.0.0-1 acceptance=community
EOF
for f in mlx acme; do
	"$PYTHON" "$TOP/tests/mkdepot.py" "$W/$f.spec" "$W/$f.zip" >"$W/out" 2>&1 ||
		{ bad "fixture $f" "mkdepot failed"; exit 1; }
done
# A standalone .vib, cut out of the generated depot.
"$PYTHON" -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = [n for n in z.namelist() if n.endswith(".vib") and "acme-tool" in n][0]
open(sys.argv[2], "wb").write(z.read(m))' "$W/acme.zip" "$W/acme-tool.vib"
ok "fixtures: mini8, mlx, acme depots and a .vib"

# ---------------------------------------------------------------- identity
fh init "$FAKEHOST_STATE" --vms-running 2 --nic MT_0000000008:16.34.1002 \
	--nic MT_0000000080:22.36.1010 --intel-nvm-version 9.20
run vmware -v
expect "vmware -v" 0 "VMware ESXi 8.0.3 build-24414501"
run vmware -l
expect "vmware -l" 0 "VMware ESXi 8.0 Update 3"
run esxcli system version get
expect "system version get" 0 "   Product: VMware ESXi" "   Version: 8.0.3" "   Build: Releasebuild-24414501" \
	"   Update: 3"
run esxcli --formatter=keyvalue system version get
expect "system version get keyvalue" 0 "VersionGet.Build.string=Releasebuild-24414501" \
	"VersionGet.Version.string=8.0.3"
run esxcli software vib list
expect "vib list table" 0 "Name  " "Acceptance Level  Install Date" "esx-base  " "8.0.3-0.0.24414501"
run esxcli software vib list --rebooting-image
if [ $rc = 0 ] && [ ! -s "$W/out" ]; then ok "no pending image: --rebooting-image prints nothing"; else
	bad "no pending image: --rebooting-image prints nothing" "rc=$rc"; fi

# ---------------------------------------------------------------- maintenance mode and VMs
run esxcli system maintenanceMode get
expect "MM get: Disabled" 0 "Disabled"
run vim-cmd vmsvc/getallvms
expect "getallvms lists 2 VMs" 0 "vm1" "vm2"
run vim-cmd vmsvc/power.getstate 1
expect "VM 1 powered on" 0 "Powered on"
before=$(state_sum)
run esxcli system maintenanceMode set --enable true --timeout 1
expect "MM waits for running VMs, then times out" 1 "2 powered-on virtual machine(s)" \
	"Operation timed out."
run vim-cmd hostsvc/maintenance_mode_enter
expect "vim-cmd MM enter times out while VMs run" 1 "vim.fault.Timedout"
same "refused MM changes nothing" "$(state_sum)" "$before"
run vim-cmd vmsvc/power.off 1
run vim-cmd vmsvc/power.shutdown 2
run vim-cmd vmsvc/power.getstate 2
expect "VM 2 powered off" 0 "Powered off"
run esxcli system maintenanceMode set -e true
expect "MM enter once VMs are off" 0
run esxcli system maintenanceMode get
expect "MM get: Enabled" 0 "Enabled"
run esxcli system maintenanceMode set --enable=true
expect "MM enter twice is an error" 1 "already enabled"
run vim-cmd vmsvc/power.on 1
expect "no power-on in MM" 1 "vim.fault.InvalidState"
run vim-cmd hostsvc/maintenance_mode_exit
expect "vim-cmd MM exit" 0
run esxcli system maintenanceMode set --enable false
expect "MM exit when not in MM is an error" 1 "already disabled"
run esxcli system shutdown reboot -r test
expect "shutdown reboot needs MM" 1 "Maintenance mode must be enabled"
same "shutdown reboot without MM did not boot" "$(key boot_count)" "0"
run esxcli system maintenanceMode set -e true

# ---------------------------------------------------------------- identity, vSAN
run esxcli --formatter=keyvalue system hostname get
expect "hostname get keyvalue" 0 "FullHostname.HostName.string=fakehost"
run esxcli system uuid get
expect "uuid get" 0 "-"
run esxcli vsan cluster get
expect "not a vSAN member" 1 "Virtual SAN Clustering is not enabled on this host"

# ---------------------------------------------------------------- config backup
run vim-cmd hostsvc/firmware/sync_config
expect "sync_config" 0
run vim-cmd hostsvc/firmware/backup_config
expect "backup_config" 0 "Bundle can be downloaded at : http://*/downloads/" "/configBundle-fakehost.tgz"
bundle=$(sed -n 's|^Bundle can be downloaded at : http://\*/downloads/||p' "$W/out")
if tar tzf "$FAKEHOST_STATE/downloads/$bundle" 2>/dev/null | grep -q Manifest.txt; then
	ok "backup bundle is a tgz under \$FAKEHOST_STATE/downloads"
else bad "backup bundle is a tgz under \$FAKEHOST_STATE/downloads" "$bundle"; fi

# ---------------------------------------------------------------- depot errors, dry run, injection
run esxcli software profile update -d mini8.zip -p ESXi-8.0U3e-24677879-standard
expect "relative -d fails like esxcli" 1 " [MetadataDownloadError]" \
	"Could not download from depot at zip:/var/log/vmware/mini8.zip?index.xml, skipping" \
	" Please refer to the log file for more details."
run esxcli software vib install -d "$W/nope.zip"
expect "missing depot" 1 " [MetadataDownloadError]" "No such file or directory: '$W/nope.zip'"
run esxcli software profile update -d "$W/mini8.zip" -p no-such-profile
expect "unknown profile" 1 " [NoMatchError]" "No image profile found with name 'no-such-profile'"
run esxcli software profile update -d "$W/mini8.zip"
expect "profile update without -p" 1 "Error: Missing required parameter -p|--profile"
run esxcli software vib install -d "$W/mini8.zip" -n no-such-vib
expect "unknown -n" 1 "No VIB matching VIB search specification 'no-such-vib'."
run esxcli software vib install -v acme-tool.vib
expect "relative -v" 1 " [VibDownloadError]" "unknown url type"

before=$(state_sum)
run esxcli --formatter=keyvalue software profile update -d "$W/mini8.zip" \
	-p ESXi-8.0U3e-24677879-standard --dry-run
expect "profile dry-run (keyvalue)" 0 \
	"InstallationResult.Message.string=Dryrun only, host not changed. The following installers will be applied: [BootBankInstaller]" \
	"InstallationResult.RebootRequired.boolean=true" \
	"InstallationResult.VIBsInstalled.string[] = VMware_bootbank_esx-base_8.0.3-0.55.24677879" \
	"InstallationResult.VIBsRemoved.string[] = VMware_bootbank_esx-base_8.0.3-0.0.24414501"
same "dry-run changes nothing" "$(state_sum)" "$before"
FAKEHOST_FAIL="profile update" run esxcli software profile update -d "$W/mini8.zip" \
	-p ESXi-8.0U3e-24677879-standard
expect "failure injection" 1 " [InstallationError]" \
	" Injected failure for: esxcli software profile update -d $W/mini8.zip -p ESXi-8.0U3e-24677879-standard"
same "injected failure changes nothing" "$(state_sum)" "$before"
FAKEHOST_FAIL_ANY=backup_config FAKEHOST_FAIL_TIMES=1 run vim-cmd hostsvc/firmware/backup_config
expect "FAIL_ANY + FAIL_TIMES: first call fails" 1 "Injected failure"
FAKEHOST_FAIL_ANY=backup_config FAKEHOST_FAIL_TIMES=1 run vim-cmd hostsvc/firmware/backup_config
expect "FAIL_ANY + FAIL_TIMES: second call passes" 0 "Bundle can be downloaded"

# ---------------------------------------------------------------- profile update, pending image, reboot
run esxcli software profile update -d "$W/mini8.zip" -p ESXi-8.0U3e-24677879-standard
expect "profile update (table)" 0 "Update Result" \
	"   Message: The update completed successfully, but the system needs to be rebooted for the changes to be effective." \
	"   Reboot Required: true" "   VIBs Skipped: VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510"
run esxcli software vib get -n esx-base
expect "running image unchanged before reboot" 0 "   Version: 8.0.3-0.0.24414501"
run esxcli software vib list --rebooting-image
expect "pending image has the update" 0 "8.0.3-0.55.24677879"
run esxcli software profile get --rebooting-image
expect "pending profile name" 0 "(Updated) ESXi-8.0U3e-24677879-standard"
run esxcli software profile update -d "$W/mini8.zip" -p ESXi-8.0U3e-24677879-standard
expect "again: already in the pending image" 0 "Host was not updated, no changes required." \
	"   Reboot Required: false"
run esxcli --formatter=keyvalue software profile update -d "$W/mini8.zip" \
	-p ESXi-8.0U3e-24677879-standard --dry-run
expect "dry-run with nothing to do" 0 "The following installers will be applied: []" \
	"InstallationResult.RebootRequired.boolean=false" "InstallationResult.VIBsInstalled.string[] = "
mkdir -p "$FAKEHOST_TMP/sub" && touch "$FAKEHOST_TMP/staged.zip" "$FAKEHOST_TMP/sub/x"
run esxcli system shutdown reboot -r "apply patch"
expect "esxcli system shutdown reboot in MM" 0
same "boot counter" "$(key boot_count)" "1"
same "reboot wipes FAKEHOST_TMP" "$(ls -A "$FAKEHOST_TMP")" ""
same "reboot keeps maintenance mode" "$(key maintenance_mode)" "true"
run vmware -v
expect "new build after reboot" 0 "VMware ESXi 8.0.3 build-24677879"
run esxcli software vib get -n esx-base
expect "running image is the pending one" 0 "   Version: 8.0.3-0.55.24677879"
run esxcli software vib list --rebooting-image
same "no pending image after reboot" "$(cat "$W/out")" ""
run esxcli software profile update -d "$W/mini8.zip" -p ESXi-8.0U3e-24677879-standard
expect "re-run after reboot: Host was not updated" 0 "Host was not updated, no changes required."
run esxcli software component list
expect "component list" 0 "Display Name" "ESXi  " "8.0.3-0.55.24677879"

# ---------------------------------------------------------------- acceptance levels
run esxcli software vib install -d "$W/acme.zip" -n acme-comm
expect "community VIB on a PartnerSupported host" 1 " [AcceptanceConfigError]" \
	"VIB ACME_bootbank_acme-comm_1.0.0-1's acceptance level is community, which is not compliant with the ImageProfile acceptance level partner"
run esxcli software acceptance get
expect "acceptance get" 0 "PartnerSupported"
run esxcli software acceptance set --level=CommunitySupported
expect "acceptance set lower" 0 "Host acceptance level changed to 'CommunitySupported'."
run esxcli software vib install -d "$W/acme.zip" -n acme-comm
expect "community VIB after lowering the level" 0 "VIBs Installed: ACME_bootbank_acme-comm_1.0.0-1"
run esxcli software acceptance set --level=PartnerSupported
expect "cannot raise above installed VIBs" 1 " [AcceptanceConfigError]" \
	"Unable to set acceptance level of partner due to installed VIBs ACME_bootbank_acme-comm_1.0.0-1 having a lower acceptance level."
run esxcli software acceptance set --level=partnersupported
expect "level is case-sensitive" 1 "Invalid data constraint for parameter 'level'"

# ---------------------------------------------------------------- live installs and maintenance mode
# (the community VIB above made a pending image; installs stack onto it until a reboot)
run reboot
run esxcli system maintenanceMode set -e false
run esxcli software vib install -v "$W/acme-tool.vib"
expect "live VIB needing MM, host not in MM" 1 " [MaintenanceModeError]" \
	" Maintenance mode is not enabled or could not be determined."
run esxcli software vib install -v "$W/acme-tool.vib" --dry-run
expect "dry-run of a live install" 0 "[BootBankInstaller, LiveImageInstaller]" "Reboot Required: false"
run esxcli software vib install -v "$W/acme-tool.vib" --maintenance-mode
expect "live install with --maintenance-mode (-v)" 0 "   Message: Operation finished successfully." \
	"   Reboot Required: false" "VIBs Installed: ACME_bootbank_acme-tool_1.0.0-1"
run esxcli software vib list
expect "live install lands in the running image" 0 "acme-tool"

# ---------------------------------------------------------------- Mellanox gating and flashing
run mlxfwmanager --query
if [ $rc = 127 ] && grep -qF "mlxfwmanager: not found" "$W/err"; then ok "mlxfwmanager absent without mft"; else
	bad "mlxfwmanager absent without mft" "rc=$rc"; fi
run esxcli software vib install -d "$W/mlx.zip" -n mft
expect "install mft" 0 "Reboot Required: true" "MEL_bootbank_mft_4.18.1.14-0"
run mst status
same "mst still absent until reboot" "$rc" "127"
run reboot
expect "reboot" 0
run mst start
expect "mst start without nmst" 1 "mst driver is not loaded"
run mlxfwmanager --query
expect "mlxfwmanager without nmst" 1 "-E- No devices found or specified, mst might be stopped"
run esxcli software vib install -d "$W/mlx.zip" -n nmst
expect "install nmst" 0 "Reboot Required: true"
run reboot
run mst start
expect "mst start with nmst" 0
run mst status
expect "mst status lists devices" 0 "mt4119_pciconf0" "mt4125_pciconf0"
run mlxfwmanager --query
expect "mlxfwmanager --query" 0 "Device Type:      ConnectX5" "PSID:             MT_0000000008" \
	"FW             16.34.1002"
fh fwimage "$W/fw-cx5.bin" --psid MT_0000000008 --version 16.35.2000
fh fwimage "$W/fw-other.bin" --psid MT_0000009999 --version 16.35.2000
before=$(state_sum)
run mlxfwmanager -u -i "$W/fw-other.bin" -y
expect "flash: PSID mismatch" 1 "-E- No matching devices found" "No matching image found"
same "PSID mismatch changes nothing" "$(state_sum)" "$before"
run mlxfwmanager -u -i "$W/fw-cx5.bin" </dev/null
expect "flash without -y asks and aborts on EOF" 1 "Perform FW update? [y/N]" "Aborted"
run mlxfwmanager -u -i "$W/fw-cx5.bin" -y
expect "flash: PSID match" 0 "Status:           Update required" "Restart needed for updates to take effect."
same "firmware pending" "$(key nics.0.pending_fw)" "16.35.2000"
same "running firmware unchanged before reboot" "$(key nics.0.fw)" "16.34.1002"
run reboot
same "firmware active after reboot" "$(key nics.0.fw)" "16.35.2000"
run esxcli network nic list
expect "nic list" 0 "nmlx5_core" "i40en"

# ---------------------------------------------------------------- Intel NVM update
run nvmupdaten64e -v
same "nvmupdaten64e is not on the host PATH" "$rc" "127"
PKG="$W/700Series/ESXi_x64"
fh install-nvmupdate "$PKG"
printf 'CURRENT FAMILY: 1.0.0\nCONFIG VERSION: 1.20.0\nNVM_VERSION=9.50\nDEVICE=1572\n' >"$PKG/nvmupdate.cfg"
run sh -c 'cd "$1" && ./nvmupdaten64e -v' sh "$PKG"
expect "bundled tool -v" 0 "Intel(R) Ethernet NVM Update Tool"
run sh -c 'cd "$1" && ./nvmupdaten64e -u -l "$1/upd.log" -o "$1/res.xml" -c nvmupdate.cfg' sh "$PKG"
expect "NVM update" 0 "successful" "Reboot is required to complete the update process." \
	"Tool execution completed with the following status: All operations completed successfully."
if grep -q "<RebootRequired> 1 </RebootRequired>" "$PKG/res.xml" && [ -s "$PKG/upd.log" ]; then
	ok "NVM update wrote log and results XML"; else bad "NVM update wrote log and results XML" "files"; fi
same "NVM version pending" "$(key intel.pending)" "9.50"
run reboot
same "NVM version active after reboot" "$(key intel.version)" "9.50"
run sh -c 'cd "$1" && ./nvmupdaten64e -u -l "$1/upd.log" -o "$1/res2.xml" -c nvmupdate.cfg' sh "$PKG"
expect "NVM already current" 0 "Update not" \
	"Tool execution completed with the following status: All operations completed successfully."
lacks "NVM already current: no reboot asked" "Reboot is required"
# Intel's own nvmupdate.cfg layout (as in testdata/depots/intel-nvm-esx.spec).
PKG2="$W/pkg2/700Series/ESXi_x64"
fh install-nvmupdate "$PKG2"
cat >"$PKG2/nvmupdate.cfg" <<'EOF'
CURRENT FAMILY: 1.0.0
CONFIG VERSION: 1.20.0

; Intel(R) Ethernet Network Adapter XXV710-DA2
BEGIN DEVICE
DEVICENAME: Intel(R) Ethernet Network Adapter XXV710-DA2
VENDOR: 8086
DEVICE: 158B
NVM IMAGE: XXV710_DA2_v9_60.bin
EEPID: 8000F2B7
END DEVICE

; Intel(R) Ethernet Converged Network Adapter X710-4
BEGIN DEVICE
DEVICENAME: Intel(R) Ethernet Converged Network Adapter X710-4
VENDOR: 8086
DEVICE: 1572
NVM IMAGE: X710_4P_v9_52.bin
EEPID: 8000F2A1
RESET TYPE: REBOOT
END DEVICE
EOF
run sh -c 'cd "$1" && ./nvmupdaten64e -u -l upd.log -o res.xml -c nvmupdate.cfg' sh "$PKG2"
expect "Intel cfg layout: named image missing" 1 "Failed to open NVM image file."
head -c 4096 /dev/zero >"$PKG2/X710_4P_v9_52.bin"
run sh -c 'cd "$1" && ./nvmupdaten64e -u -l upd.log -o res.xml -c nvmupdate.cfg' sh "$PKG2"
expect "Intel cfg layout: update to the image's version" 0 "9.52(9.34)" "Reboot is required"
same "Intel cfg layout: EEPID becomes the eetrack id" "$(key intel.pending_eetrack)" "8000F2A1"

# ---------------------------------------------------------------- calls.log
mark=$(wc -l <"$FAKEHOST_STATE/calls.log")
run esxcli software vib install -d "$W/mini8.zip" --dry-run
run esxcli --formatter=keyvalue software component apply -d "$W/mlx.zip" --dry-run
changes=$(sed -n "$((mark + 1)),\$p" "$FAKEHOST_STATE/calls.log" |
	grep -E ' esxcli .*software (vib (install|update|remove)|component apply|profile update)' |
	grep -cv -- '--dry-run')
same "calls.log: only --dry-run commands since mark" "$changes" "0"
if grep -q "^boot=0 rc=1 esxcli system maintenanceMode set --enable true --timeout 1\$" "$FAKEHOST_STATE/calls.log"; then
	ok "calls.log records boot, rc and argv"; else bad "calls.log records boot, rc and argv" "format"; fi

# ---------------------------------------------------------------- secure boot
fh init "$FAKEHOST_STATE" --secure-boot on --acceptance CommunitySupported
run esxcli software vib install -d "$W/acme.zip" -n acme-comm --no-sig-check
expect "secure boot: --no-sig-check cannot skip" 1 \
	"UEFI Secure Boot enabled: Cannot skip signature checks."

# ---------------------------------------------------------------- real VMware depots
if [ -d "$REAL_DEPOTS" ]; then
	fh init "$FAKEHOST_STATE"
	NC="$REAL_DEPOTS/Net-Community-Driver_1.2.7.0-1vmw.700.1.0.15843807_19480755.zip"
	FL="$REAL_DEPOTS/ESXi80U3-VMKUSB-NIC-FLING-75399077-component-24052746.zip"
	R8="$REAL_DEPOTS/net51-r8169-6.011.00-2vft.510.0.0.799733-offline_bundle.zip"
	F6="$REAL_DEPOTS/ESXi670-VMKUSB-NIC-FLING-39203948-offline_bundle-16780994.zip"
	run esxcli --formatter=keyvalue software component apply -d "$NC"
	expect "real: Net-Community live component apply" 0 \
		"InstallationResult.Message.string=Operation finished successfully." \
		"InstallationResult.RebootRequired.boolean=false" \
		"InstallationResult.ComponentsInstalled.string[] = Net-Community-Driver_1.2.7.0-1vmw.700.1.0.15843807"
	run esxcli software component apply -d "$NC"
	expect "real: Net-Community again" 0 "Host was not updated, no changes required."
	run esxcli --formatter=keyvalue software vib install -d "$FL"
	expect "real: 8.0U3 fling needs reboot" 0 "InstallationResult.RebootRequired.boolean=true" \
		"InstallationResult.VIBsInstalled.string[] = VMW_bootbank_vmkusb-nic-fling_1.14-1vmw.803.0.0.75399077"
	run esxcli software vib install -d "$R8"
	expect "real: community bundle refused" 1 " [AcceptanceConfigError]" "acceptance level is community"
	run esxcli software vib install -d "$R8" --no-sig-check
	expect "real: community bundle with --no-sig-check" 0 "Reboot Required: true"
	run esxcli software sources vib list -d "$F6"
	expect "real: 6.7 offline bundle readable" 0 "vmkusb-nic-fling" "VMwareAccepted"
	"$PYTHON" -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = [n for n in z.namelist() if n.endswith(".vib")][0]
open(sys.argv[2], "wb").write(z.read(m))' "$NC" "$W/net-community.vib"
	fh init "$FAKEHOST_STATE"
	run esxcli software vib install -v "$W/net-community.vib"
	expect "real: -v install of a real VIB (live)" 0 "Operation finished successfully." \
		"VIBs Installed: VMW_bootbank_net-community_1.2.7.0-1vmw.700.1.0.15843807"
else
	skip "real depots" "$REAL_DEPOTS not found"
fi

echo "$pass passed, $failed failed, $skipped skipped"
if [ $failed = 0 ]; then
	rm -rf "$W"
	exit 0
fi
echo "(work directory kept: $W)"
exit 1
