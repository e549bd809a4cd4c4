#!/bin/sh
# deps.sh - install what building and testing esxstage needs, if missing.
# On Debian or Ubuntu it runs apt-get (through sudo when not root);
# elsewhere it says what to install and stops.
#   sh scripts/deps.sh          build and test (make check, make demo)
#   sh scripts/deps.sh fuzz     also clang's libFuzzer, cppcheck, clang-tidy
#   sh scripts/deps.sh valgrind also valgrind (make valgrind)
#   sh scripts/deps.sh deb      also dpkg-buildpackage, debhelper, lintian
#   sh scripts/deps.sh fuzz valgrind    both
set -eu

libs="libzip libarchive libxml-2.0 openssl zlib jansson libcurl"
tools="cc make pkg-config python3 openssl zstd busybox dash shellcheck mandoc zsh curl"
debs="build-essential pkg-config python3 openssl zstd busybox dash shellcheck mandoc zsh \
libzip-dev libarchive-dev libxml2-dev libssl-dev zlib1g-dev libjansson-dev \
libcurl4-openssl-dev curl nginx"

fuzz=no
for extra in "$@"; do
	case $extra in
	fuzz)
		fuzz=yes
		tools="$tools clang cppcheck clang-tidy"
		debs="$debs clang libclang-rt-14-dev cppcheck clang-tidy"
		;;
	valgrind)
		tools="$tools valgrind"
		debs="$debs valgrind"
		;;
	deb)
		tools="$tools dpkg-buildpackage dh lintian fakeroot"
		debs="$debs dpkg-dev debhelper lintian fakeroot"
		;;
	*)
		echo "deps: unknown extra '$extra' (fuzz, valgrind, deb)" >&2
		exit 2
		;;
	esac
done

missing=""
for t in $tools; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
# The fetch tests serve depots with nginx, which lives in /usr/sbin.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    missing="$missing nginx"
if command -v pkg-config >/dev/null 2>&1; then
	for l in $libs; do
		pkg-config --exists "$l" || missing="$missing $l"
	done
fi
if [ $fuzz = yes ] && [ -z "$missing" ] &&
    ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a \
    >/dev/null 2>&1; then
	missing=" libclang-rt"
fi
[ -z "$missing" ] && exit 0

echo "deps: missing:$missing"
if command -v apt-get >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1; then
		sudo="sudo"
	else
		echo "deps: not root and no sudo; as root run: apt-get install $debs" >&2
		exit 1
	fi
	echo "deps: installing with apt-get: $debs"
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $debs >/dev/null
	exit 0
fi
echo "deps: no apt-get here; install the development packages of" >&2
echo "deps:   libzip, libarchive, libxml2, OpenSSL, zlib, jansson and libcurl, and" >&2
echo "deps:   pkg-config, python3, openssl, zstd, busybox, dash, shellcheck, curl" >&2
echo "deps:   and nginx, then retry." >&2
exit 1
