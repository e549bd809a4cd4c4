# demo_readme.sh - make demo's signed sample, then every example of
# README.md as written: the "sh demo" blocks in the demo folder, the
# "sh host" block on a fake ESXi host from the bundle's datastore folder.
# SPDX-License-Identifier: BSD-2-Clause

# commands LANG: the commands of README.md's "```sh LANG" blocks, one a
# line, with "\" continuations joined.
commands() {
	awk -v want="\`\`\`sh $1" '
	$0 == want { on = 1; next }
	/^```/ { on = 0 }
	on {
		line = line $0
		if (line ~ /\\$/) { sub(/\\$/, "", line); next }
		if (line ~ /[^ \t]/) print line
		line = ""
	}' "$TOP/README.md"
}

test_readme_examples_run_as_written() {
	bin=$(dirname "$DEPOT")
	DEMO="$T/demo" BUILD=$BUILD PYTHON=$PYTHON sh "$TOP/scripts/demo.sh" \
	    >demo.log 2>&1 || { cat demo.log; fail "make demo's script failed"; return 1; }
	grep -qF -- "--trust $T/demo/demo-trust.pem" demo.log ||
	    fail "demo does not print the --trust file" || return 1
	commands demo >demo.cmds
	[ "$(wc -l <demo.cmds)" -ge 12 ] || fail "too few examples found" ||
	    return 1
	while IFS= read -r cmd; do
		(cd "$T/demo" && PATH="$bin:$PATH" sh -c "$cmd") >"$T/out" 2>"$T/err"
		rc=$?
		[ $rc = 0 ] || fail "README example failed ($rc): $cmd" || return 1
	done <demo.cmds
	# The host part, from the folder the bundle was made for.
	ds="$T/vmfs/volumes/datastore1/esxstage"
	mkdir -p "$ds" && cp -R "$T/demo/host7" "$ds/host7" || return 1
	"$PYTHON" "$TOP/tests/fakehost/fakehost.py" init "$T/host" \
	    --hostname esx07 >/dev/null || return 1
	FAKEHOST_STATE="$T/host" ESXSTAGE_VMFS_ROOT="$T/vmfs/volumes"
	ESXSTAGE_DOWNLOADS="$T/host/downloads"
	ESXSTAGE_SECUREBOOT="$TOP/tests/fakehost/bin/secureBoot.py"
	ESXSTAGE_BOOTBANK="$T/host/bootbank"
	ESXSTAGE_VPXA_CFG="$T/host/etc/vmware/vpxa/vpxa.cfg"
	export FAKEHOST_STATE ESXSTAGE_VMFS_ROOT ESXSTAGE_DOWNLOADS \
	    ESXSTAGE_SECUREBOOT ESXSTAGE_BOOTBANK ESXSTAGE_VPXA_CFG
	commands host >host.cmds
	[ "$(wc -l <host.cmds)" -ge 3 ] || fail "no host examples found" ||
	    return 1
	while IFS= read -r cmd; do
		(cd "$ds/host7" && PATH="$TOP/tests/fakehost/bin:$PATH" \
		    sh -c "$cmd") >"$T/out" 2>"$T/err" </dev/null
		rc=$?
		# apply documents exit status 3: reboot, then apply again.
		case $rc:$cmd in
		0:* | 3:*apply*) ;;
		*) fail "README host example failed ($rc): $cmd"; return 1 ;;
		esac
	done <host.cmds
}
