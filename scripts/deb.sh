#!/bin/sh
# deb.sh - build the Debian package from a clean copy of the tree, check it
# with lintian (errors are fatal), install it, run it, and remove it again.
#   sh scripts/deb.sh [OUTDIR]    the .deb is left in OUTDIR (default build/deb)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
work=$(mktemp -d "${TMPDIR:-/tmp}/esxstage-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# dpkg-buildpackage writes beside the source folder: build in a copy of
# the tracked files, so the tree and its build/ stay as they were.
mkdir "$work/esxstage"
(cd "$top" && git ls-files -co --exclude-standard -z | grep -zv '^build' |
    xargs -0 tar -cf -) | tar -xf - -C "$work/esxstage"
(cd "$work/esxstage" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) ||
    { tail -30 "$work/build.log" >&2; echo "deb: dpkg-buildpackage failed" >&2; exit 1; }
deb=$(ls "$work"/esxstage_*.deb)
echo "deb: built $(basename "$deb")"

# lintian: errors fail the build; warnings are shown.  (As root it says
# so first, which is no finding.)
st=0
lintian --fail-on error "$deb" >"$work/lintian.log" 2>&1 || st=$?
grep -v '^running with root privileges' "$work/lintian.log" || true
[ $st = 0 ] || { echo "deb: lintian reports errors" >&2; exit 1; }
echo "deb: lintian passed with no errors"

# Installed for real, it runs; then it goes again, leaving nothing.
if [ "$(id -u)" = 0 ]; then
	dpkg -i "$deb" >/dev/null
	/usr/bin/depot --version
	/usr/bin/esxbundle --version
	dpkg -r esxstage >/dev/null
	[ ! -e /usr/bin/depot ] || { echo "deb: dpkg -r left /usr/bin/depot" >&2; exit 1; }
	echo "deb: installed, ran and removed"
else
	dpkg -x "$deb" "$work/root"
	"$work/root/usr/bin/depot" --version
	echo "deb: not root: unpacked with dpkg -x and ran from there"
fi
mkdir -p "$out"
cp "$deb" "$out/"
echo "deb: $out/$(basename "$deb")"
