#!/bin/sh
# coverage.sh - line coverage per source file from a gcov build, by gcov itself.
# SPDX-License-Identifier: BSD-2-Clause
#
#   sh scripts/coverage.sh BUILD FILE.c...
#
# make coverage runs the suite on a --coverage build in BUILD, then this:
# one row per file (lines run, lines, percent), and the totals for the
# libraries (depot/ and bundle/) and for the front end (cmd/).
set -eu
build=$1
shift
for src in "$@"; do
	obj="$build/obj/$(dirname "$src")"
	# gcov names the file it read and then its summary; headers inlined
	# into the object get their own "File" blocks, which are skipped.
	gcov -n -o "$obj" "$src" 2>/dev/null | awk -v want="$src" '
	    /^File / { f = $2; gsub(/'\''/, "", f); next }
	    /^Lines executed:/ && f == want {
		split($2, a, "%"); sub(/.*:/, "", a[1])
		n = $NF; printf "%s %d %d\n", want, a[1] * n / 100 + 0.5, n
		found = 1; f = "" }
	    END { if (!found) printf "%s 0 0\n", want }'
done | awk '
	{ pct = $3 ? 100 * $2 / $3 : 0
	  printf "%-24s %6d / %-6d %6.1f%%\n", $1, $2, $3, pct
	  lib = ($1 ~ /^(depot|bundle)\//)
	  run[lib] += $2; all[lib] += $3 }
	END {
	  printf "%-24s %6d / %-6d %6.1f%%\n", "libraries (depot, bundle)",
	      run[1], all[1], all[1] ? 100 * run[1] / all[1] : 0
	  printf "%-24s %6d / %-6d %6.1f%%\n", "front end (cmd)",
	      run[0], all[0], all[0] ? 100 * run[0] / all[0] : 0 }'
