#!/bin/sh
# demo.sh - build a sample ESXi 8 patch depot from its text spec, then show
# what an admin would ask esxcli on the host, answered offline.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
DEPOT="$TOP/$BUILD/depot"
out="$TOP/$BUILD/demo"
mkdir -p "$out"
zip="$out/VMware-ESXi-8.0U3e-24677879-depot.zip"
"$PYTHON" "$TOP/tests/mkdepot.py" "$TOP/testdata/depots/esxi8-full.spec" "$zip"

step() {
	printf '\n$ depot %s\n' "$*"
	"$DEPOT" "$@"
}
cd "$out"
z=$(basename "$zip")
step info "$z"
step list-profiles "$z"
step list-components "$z"
step list-vibs --profile ESXi-8.0U3e-24677879-no-tools "$z"
printf '\nThe sample depot is %s\n' "$zip"
