#!/bin/sh
# demo.sh - build a signed sample ESXi 8 patch depot, two Mellanox packages
# and an Intel NVM update package from their text specs, with a throwaway
# CA made by the openssl CLI (tests/mkkeys.sh), then show what an admin
# would ask esxcli on the host, answered offline.  Every example of
# README.md runs as written in the output folder (a test checks it).
#   DEMO=DIR sh scripts/demo.sh     (default: build/demo, made afresh)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
DEPOT="$TOP/$BUILD/depot"
out=${DEMO:-$TOP/$BUILD/demo}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The throwaway CA and signers; the depot's VIBs are signed with them, so
# 'depot verify' and 'esxbundle create' check real signatures.
sh "$TOP/tests/mkkeys.sh" "$out/keys" >/dev/null
# shellcheck disable=SC1091
. "$out/keys/env"
cat "$out/keys/ca.crt" "$out/keys/certified.crt" >"$out/demo-trust.pem"

gen() { # SPEC NAME
	"$PYTHON" "$TOP/tests/mkdepot.py" "$TOP/testdata/depots/$1.spec" \
	    "$out/$2" >/dev/null
}
gen esxi8-full-signed VMware-ESXi-8.0U3e-24677879-depot.zip
gen e2e-nmst-package \
    Mellanox-NATIVE-NMST_4.18.1.14-1OEM.700.1.0.15843807_19206114-package.zip
gen e2e-mft-package \
    Mellanox-MFT-Tools_4.18.1.14-1OEM.700.1.0.15843807_19206112-package.zip
gen intel-nvm-esx 700Series_NVMUpdatePackage_v9_52_ESX.tar.gz

step() {
	printf '\n$ depot %s\n' "$*"
	"$DEPOT" "$@"
}
cd "$out"
z=VMware-ESXi-8.0U3e-24677879-depot.zip
step info "$z"
step list-profiles "$z"
step list-components "$z"
step list-vibs --profile ESXi-8.0U3e-24677879-no-tools "$z"
printf '\nThe sample (signed by a throwaway CA) is in %s:\n' "$out"
printf '  %s\n' "$z" \
    Mellanox-NATIVE-NMST_4.18.1.14-1OEM.700.1.0.15843807_19206114-package.zip \
    Mellanox-MFT-Tools_4.18.1.14-1OEM.700.1.0.15843807_19206112-package.zip \
    700Series_NVMUpdatePackage_v9_52_ESX.tar.gz
printf 'Give its CA to verify and esxbundle as: --trust %s/demo-trust.pem\n' \
    "$out"
printf 'README.md'"'"'s examples run as written from there (build/ on PATH).\n'
