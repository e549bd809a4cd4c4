# admin_hands.sh - help, version, "did you mean", manual pages, install,
# uninstall and shell completion: what an admin touches every day.
# SPDX-License-Identifier: BSD-2-Clause

test_help_command() {
	run "$DEPOT" help verify
	expect_status 0 && expect_out "usage: depot verify" &&
	    expect_out "Options:" && expect_out "  --jobs N " &&
	    expect_out "depot(1) has the details." || return 1
	run "$BUNDLE" help create
	expect_status 0 && expect_out "usage: esxbundle create" &&
	    expect_out "  --datastore NAME " || return 1
	run "$DEPOT" help
	expect_status 0 && expect_out "Commands:" || return 1
	run "$DEPOT" help verify list-vibs
	expect_status 2 && expect_no_out && expect_err_lines 1 &&
	    expect_err "depot: help: expected at most one command, got 2"
}

test_version_short_and_long() {
	for opt in -V --version; do
		run "$DEPOT" "$opt"
		expect_status 0 && expect_out "depot (esxstage) " || return 1
		run "$BUNDLE" "$opt"
		expect_status 0 && expect_out "esxbundle (esxstage) " || return 1
	done
}

test_did_you_mean_command() {
	run "$DEPOT" lsit-vibs x.zip
	expect_status 2 && expect_no_out && expect_err_lines 1 &&
	    expect_err "depot: unknown command 'lsit-vibs'; did you mean 'list-vibs'?" ||
	    return 1
	run "$BUNDLE" crate out
	expect_status 2 && expect_err_lines 1 &&
	    expect_err "esxbundle: unknown command 'crate'; did you mean 'create'?" ||
	    return 1
	run "$DEPOT" help verfy
	expect_status 2 && expect_err "did you mean 'verify'?" || return 1
	# Nothing close: the list of commands instead of a guess.
	run "$DEPOT" frobnicate
	expect_status 2 && expect_err "depot: unknown command 'frobnicate'" &&
	    expect_err "Commands:" || return 1
	grep -q "did you mean" "$T/err" && fail "guessed for frobnicate"
	return 0
}

# Every option a verb's synopsis names is described by its --help.
test_every_option_described() {
	for prog in "$DEPOT" "$BUNDLE"; do
		name=$(basename "$prog")
		for verb in $("$prog" --help |
		    sed -n "s/^  $name \([a-z-]*\).*/\1/p"); do
			"$prog" "$verb" --help >"$T/help" 2>&1 ||
			    fail "$name $verb --help failed" || return 1
			for opt in $(sed -n 1p "$T/help" |
			    grep -o -- '--[a-z][a-z-]*' | sort -u); do
				grep -q "^  \(-[a-zA-Z], \)\{0,1\}$opt\( \|$\)" "$T/help" ||
				    fail "$name $verb --help does not describe $opt" ||
				    return 1
			done
		done
	done
}

test_man_pages_lint_clean() {
	command -v mandoc >/dev/null 2>&1 ||
	    { skip "mandoc is not installed"; return 0; }
	for page in depot.1 esxbundle.1; do
		mandoc -Tlint -W style "$TOP/$page" 2>&1 |
		    grep -v 'mandoc.db\|referenced manual not found' >"$T/lint"
		[ -s "$T/lint" ] && { cat "$T/lint"; fail "$page: mandoc -Tlint"; return 1; }
		# Rendered, no stray roff escapes and balanced parentheses.
		mandoc -Tascii "$TOP/$page" | col -b >"$T/page.txt"
		grep -q '&\.' "$T/page.txt" && fail "$page renders '&.'" && return 1
		o=$(tr -cd '(' <"$T/page.txt" | wc -c)
		c=$(tr -cd ')' <"$T/page.txt" | wc -c)
		[ "$o" = "$c" ] || fail "$page: $o '(' but $c ')'" || return 1
		grep -q '\.\./shared' "$TOP/$page" &&
		    fail "$page points outside the repository" && return 1
	done
	grep -q '^\.Xr esxbundle 1' "$TOP/depot.1" &&
	    grep -q '^\.Xr depot 1' "$TOP/esxbundle.1" ||
	    fail "SEE ALSO does not name the sibling page"
}

test_install_and_uninstall() {
	run make -C "$TOP" --no-print-directory install BUILD="$BUILD" \
	    PREFIX=/usr DESTDIR="$T/root"
	expect_status 0 || return 1
	for f in usr/bin/depot usr/bin/esxbundle usr/share/man/man1/depot.1 \
	    usr/share/man/man1/esxbundle.1 \
	    usr/share/bash-completion/completions/depot \
	    usr/share/bash-completion/completions/esxbundle \
	    usr/share/zsh/vendor-completions/_depot; do
		[ -f "$T/root/$f" ] || fail "make install did not write $f" ||
		    return 1
	done
	# Nothing installed belongs to a Debian package already.
	if command -v dpkg >/dev/null 2>&1; then
		(cd "$T/root" && find . -type f | sed 's/^\.//') >"$T/files"
		while read -r f; do
			if dpkg -S "$f" >/dev/null 2>&1; then
				fail "$f belongs to $(dpkg -S "$f" 2>/dev/null)"
				return 1
			fi
		done <"$T/files"
	fi
	run make -C "$TOP" --no-print-directory uninstall BUILD="$BUILD" \
	    PREFIX=/usr DESTDIR="$T/root"
	expect_status 0 || return 1
	left=$(find "$T/root" -type f)
	[ -z "$left" ] || fail "make uninstall left: $left"
}

# bash completion, driven as bash does: COMP_WORDS in, COMPREPLY out.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    PATH="$BINDIR:$PATH" _esxstage; printf "%s\n" "${COMPREPLY[@]}"' \
	    complete "$TOP/completion/depot.bash" "$@" >"$T/out" 2>"$T/err"
}

test_bash_completion() {
	command -v bash >/dev/null 2>&1 || { skip "bash is not installed"; return 0; }
	BINDIR=$T/bin
	export BINDIR
	mkdir -p "$BINDIR"
	ln -s "$DEPOT" "$BINDIR/depot"
	ln -s "$BUNDLE" "$BINDIR/esxbundle"
	complete_words depot list-
	expect_out "list-profiles" && expect_out "list-components" || return 1
	complete_words depot verify --j
	expect_out "--jobs" && expect_out "--json" || return 1
	complete_words esxbundle create out --dat
	expect_out "--datastore" || return 1
	d=$(fixture esxi8-full)
	complete_words depot list-vibs "$d" --profile ""
	"$DEPOT" list-profiles "$d" | awk 'NR > 2 { print $1 }' >"$T/want"
	[ -s "$T/want" ] || fail "the fixture has no profiles" || return 1
	sort "$T/out" | diff -u "$T/want" - || fail "profile names" || return 1
	complete_words depot show-profile "$d" ""
	sort "$T/out" | diff -u "$T/want" - || fail "show-profile's operand" ||
	    return 1
	# An unpacked depot (or a mirror) on the line: its profiles too.
	"$DEPOT" unpack "$d" "$T/e8" >/dev/null || return 1
	complete_words depot validate "$T/e8" --profile ""
	sort "$T/out" | diff -u "$T/want" - || fail "a folder's profiles"
}

test_zsh_completion_parses() {
	command -v zsh >/dev/null 2>&1 || { skip "zsh is not installed"; return 0; }
	run zsh -n "$TOP/completion/_depot"
	expect_status 0
}

# depot list-profiles against a table a real 7.0 host printed for the same
# depot (../shared/reference/host-output.md, kept in testdata/expected):
# byte for byte, header and dashes included.  esxcli's row order is dict
# order, so the data rows of both sides are sorted before comparing.
test_list_profiles_as_esxcli_prints() {
	real=$TOP/testdata/expected/esxi7-u3k.esxcli-profile-list
	ref=$SHARED/reference/host-output.md
	if [ -f "$ref" ]; then
		# The kept copy is the reference's table, unchanged.
		awk '/^`esxcli software sources profile list -d/ { f = 1 }
		    f && /^```$/ { if (n++) exit; next } f && n' "$ref" >"$T/ref"
		diff -u "$T/ref" "$real" || fail "kept table differs from $ref" ||
		    return 1
	fi
	run "$DEPOT" list-profiles "$(fixture esxi7-u3k-listing)"
	expect_status 0 || return 1
	sorted() { sed -n 1,2p "$1"; sed -n '3,$p' "$1" | sort; }
	sorted "$real" >"$T/want"
	sorted "$T/out" >"$T/got"
	diff -u "$T/want" "$T/got" || fail "not esxcli's table"
}

# Each option mistake is named in the user's words, with the usage after.
test_option_mistakes_named() {
	d=$(fixture mini8)
	run "$DEPOT" list-vibs --json=yes "$d"
	expect_status 2 && expect_no_out &&
	    expect_err "depot: list-vibs: option '--json' takes no value" &&
	    expect_err "usage: depot list-vibs" || return 1
	run "$DEPOT" verify "$d" --jobs
	expect_status 2 &&
	    expect_err "depot: verify: option '--jobs' needs a value" || return 1
	run "$DEPOT" list-vibs --porfile=x "$d"
	expect_status 2 && expect_err "depot: list-vibs: unknown option '--porfile'; did you mean '--profile'?" ||
	    return 1
	run "$DEPOT" show-vib --jobs 2 "$d" x
	expect_status 2 &&
	    expect_err "depot: show-vib: option '--jobs' is not for this command" ||
	    return 1
	run "$DEPOT" list-vibs -Z "$d"
	expect_status 2 && expect_err "depot: list-vibs: unknown option '-Z'" ||
	    return 1
	run "$BUNDLE" create bdl --tar=1
	expect_status 2 && expect_err "esxbundle: create: option '--tar' takes no value" ||
	    return 1
	run "$DEPOT" extract --vibs=yes a b
	expect_status 2 && expect_err "depot: extract: option '--vibs' takes no value"
}

# A short option that is not the verb's is named as typed (it once named
# --json for -p, or the word before -vq); the long form names itself.
test_not_for_named_as_typed() {
	d=$(fixture mini8)
	run "$DEPOT" info -p x "$d"
	expect_status 2 && expect_err_lines 2 &&
	    expect_err "depot: info: option '-p' is not for this command" &&
	    expect_err "usage: depot info" || return 1
	run "$DEPOT" list-profiles "$d" -Hhost.txt
	expect_status 2 &&
	    expect_err "depot: list-profiles: option '-H' is not for this command" ||
	    return 1
	run "$DEPOT" show-vib "$d" -vq x
	expect_status 2 &&
	    expect_err "depot: show-vib: option '-v' is not for this command" ||
	    return 1
	run "$DEPOT" show-vib --verbose "$d" x
	expect_status 2 &&
	    expect_err "depot: show-vib: option '--verbose' is not for this command" ||
	    return 1
	run "$DEPOT" show-vib -J 2 "$d" x
	expect_status 2 &&
	    expect_err "depot: show-vib: option '-J' is not for this command" ||
	    return 1
	run "$DEPOT" unpack --repack "$d" dest
	expect_status 2 &&
	    expect_err "depot: unpack: option '--repack' is not for this command" ||
	    return 1
	[ ! -e dest ] || fail "unpack wrote dest"
}

# Values given either way, options anywhere, the last one of a kind wins,
# and -- ends the options.
test_option_forms() {
	d=$(fixture mini8)
	run "$DEPOT" list-vibs "$d" --profile=nope --json
	expect_status 1 && expect_err "nope" || return 1
	cp "$T/err" long.err
	run "$DEPOT" list-vibs -jpnope "$d"
	expect_status 1 && cmp -s long.err "$T/err" ||
	    fail "-jpnope is not --json --profile=nope" || return 1
	run "$DEPOT" list-vibs --profile other -p nope "$d"
	expect_status 1 && cmp -s long.err "$T/err" ||
	    fail "the last --profile did not win" || return 1
	run "$DEPOT" verify --jobs=0 "$d"
	expect_status 2 &&
	    expect_err "depot: verify: --jobs takes a number from 1 to 256" ||
	    return 1
	run "$DEPOT" verify -J1 -J 2 --jobs 3 -q "$(fixture verify8)"
	expect_status 0 && expect_out "VIBs checked, 0 failed" || return 1
	run "$DEPOT" list-profiles -- --json
	expect_status 2 && expect_err "depot: --json: " || return 1
	run "$DEPOT" compose --acceptance=bogus -p a -n b "$d" out.zip
	expect_status 2 &&
	    expect_err "depot: compose: --acceptance must be certified, accepted, partner or community, not 'bogus'" ||
	    return 1
	run "$BUNDLE" create --intel-nvm a -Ib --datastore ds1 bdl
	expect_status 2 &&
	    expect_err "esxbundle: create: --intel-nvm is given once" || return 1
	[ ! -e bdl ] && [ ! -e out.zip ] || fail "wrote output"
}

# verify -q: failures and the summary only; -v: what it reads, first.
test_verify_quiet_and_verbose() {
	d=$(fixture verify8)
	run "$DEPOT" verify -q "$d"
	expect_status 0 && expect_out "VIBs checked, 0 failed" || return 1
	grep -q ': OK$' "$T/out" && fail "-q printed OK lines" && return 1
	[ "$(wc -l <"$T/out")" = 1 ] || fail "-q printed more than the summary" ||
	    return 1
	run "$DEPOT" verify --verbose "$d"
	expect_status 0 && expect_out ": OK" &&
	    expect_err "depot: verify: reading $d: " &&
	    expect_err "trust not checked (no --trust)" || return 1
	# A failure still shows under -q, with its reason.
	run "$DEPOT" verify -q "$(fixture mini8)"
	expect_status 1 && expect_out ": FAILED: unsigned" &&
	    expect_out "VIBs checked" || return 1
	run "$DEPOT" show-vib -q "$d" x
	expect_status 2 &&
	    expect_err "depot: show-vib: option '-q' is not for this command"
}

# Progress on stderr when it is a terminal (script(1) gives it one), never
# in a pipe or a file.
test_verify_progress_only_on_a_terminal() {
	command -v script >/dev/null 2>&1 ||
	    { skip "script(1) is not installed"; return 0; }
	d=$(fixture verify8)
	TERM=xterm script -qec "'$DEPOT' verify '$d'" /dev/null >"$T/tty" 2>&1
	grep -q "depot: verify: [0-9]*/[0-9]* VIBs, .* MiB/s" "$T/tty" ||
	    fail "no progress line on a terminal" || return 1
	tr -d '\r' <"$T/tty" | grep -q 'VIBs checked, 0 failed' ||
	    fail "the summary is missing on a terminal" || return 1
	run "$DEPOT" verify "$d"
	expect_status 0 || return 1
	grep -q "$(printf '\r')" "$T/err" "$T/out" && fail "progress in a pipe" &&
	    return 1
	grep -q "MiB/s" "$T/err" && fail "progress in a pipe" && return 1
	# -q asks for no progress either.
	TERM=xterm script -qec "'$DEPOT' verify -q '$d'" /dev/null >"$T/tty" 2>&1
	grep -q "MiB/s" "$T/tty" && fail "progress under -q"
	return 0
}

# The mistakes an admin makes with files, each answered with what to do.
test_file_mistakes_get_help() {
	d=$(fixture mini8)
	# A VIB given to a listing.
	"$DEPOT" extract --vibs "$d" vibs >/dev/null 2>&1 || fail "extract" ||
	    return 1
	v=$(ls vibs/*esx-base*.vib)
	run "$DEPOT" list-vibs "$v"
	expect_status 1 && expect_err_lines 1 && expect_no_out &&
	    expect_err "depot: $v: a VIB (an ar archive), not a depot zip; run 'depot show-vib $v' to see it" ||
	    return 1
	# An unpacked depot given to a command that needs a zip: what reads
	# it as it is, and how to make a zip of it (which then works).
	"$DEPOT" unpack "$d" u >/dev/null || fail "unpack" || return 1
	for cmd in "unpack u u2" "compose --profile ESXi-8.0U3e-24677879-no-tools --name X u x.zip"; do
		# shellcheck disable=SC2086 # the words are the command's
		run "$DEPOT" $cmd
		expect_status 1 && expect_err_lines 1 && expect_no_out &&
		    expect_err "depot: u: not a depot zip: this command reads a depot zip; 'depot verify' and 'depot check' read an unpacked depot or a mirror as it is, and 'depot fetch file:///PATH/index.xml OUT.zip --profile NAME' makes a zip of one of its images" ||
		    return 1
		! [ -e u2 ] && ! [ -e x.zip ] || fail "output after refusal" ||
		    return 1
	done
	run "$DEPOT" fetch --profile "ESXi-8.0U3e-24677879-no-tools" "file://$PWD/u/index.xml" f.zip
	expect_status 0 || return 1
	run "$DEPOT" compose --profile "ESXi-8.0U3e-24677879-no-tools" --name X f.zip x.zip
	expect_status 0 || return 1
	# show-vib on a depot with no VIB named: usage, and what it holds.
	run "$DEPOT" show-vib "$d"
	expect_status 2 && expect_no_out &&
	    expect_err "depot: show-vib: $d is a depot of 4 VIBs: name one of them after it (id or name):" &&
	    expect_err "  VMware_bootbank_esx-base_8.0.3-0.55.24677879" || return 1
	# A typo in a VIB or profile name.
	run "$DEPOT" show-vib "$d" esx-bsae
	expect_status 1 &&
	    expect_err "no VIB with id or name 'esx-bsae'; did you mean 'esx-base'?" ||
	    return 1
	run "$DEPOT" show-vib "$d" nothing-like-it
	expect_status 1 &&
	    expect_err "no VIB with id or name 'nothing-like-it'; 'depot list-vibs $d' lists them" ||
	    return 1
	run "$DEPOT" show-profile "$d" ESXi-8.0U3e-24677879-standrad
	expect_status 1 && expect_err_lines 1 &&
	    expect_err "no image profile found with name 'ESXi-8.0U3e-24677879-standrad'; did you mean 'ESXi-8.0U3e-24677879-standard'?" ||
	    return 1
	# A download cut short, read directly and inside a package.
	head -c 3000 "$d" >cut.zip
	for verb in list-profiles info verify; do
		run "$DEPOT" $verb cut.zip
		expect_status 1 && expect_err_lines 1 &&
		    expect_err "depot: cut.zip: truncated or damaged zip: no end of central directory; download it again" ||
		    return 1
	done
	# A --trust file that cannot be used is a usage error, as a missing one.
	echo "not a certificate" >junk.pem
	run "$DEPOT" verify --trust junk.pem "$d"
	expect_status 2 && expect_err "depot: junk.pem: " || return 1
	run "$DEPOT" verify --trust missing.pem "$d"
	expect_status 2 && expect_err "depot: missing.pem: cannot read"
}

# esxbundle --depot with a depot that has no single -standard profile.
test_bundle_depot_profile_help() {
	run "$BUNDLE" create bdl --datastore ds1 --depot "$(fixture component7)"
	expect_status 1 && expect_err_lines 1 &&
	    expect_err "a component depot with no image profile; give it with --add, not --depot" ||
	    return 1
	[ ! -e bdl ] || fail "wrote bdl" || return 1
	# Two -standard profiles: both named.
	cat >two.spec <<SPEC
include $TOP/testdata/depots/mini8.spec

[profile ESXi-8.0U3f-24677880-standard]
profile-id = 2a1b2c3d4e5f60718293a4b5c6d7e8f9
creation-time = 2025-05-10T00:00:00+00:00
description = A second standard image
vibs = *
bulletins = *
SPEC
	"$PYTHON" "$TOP/tests/mkdepot.py" two.spec two.zip >/dev/null ||
	    fail "mkdepot" || return 1
	run "$BUNDLE" create bdl --datastore ds1 --depot two.zip
	expect_status 1 && expect_err_lines 1 &&
	    expect_err "esxbundle: two.zip: more than one -standard image profile: ESXi-8.0U3e-24677879-standard, ESXi-8.0U3f-24677880-standard; choose one with --profile" ||
	    return 1
	[ ! -e bdl ] || fail "wrote bdl"
}

# list-components: the acceptance level, the lowest of the component's VIBs.
test_list_components_acceptance() {
	d=$(fixture esxi8-full)
	run "$DEPOT" list-components "$d"
	expect_status 0 || return 1
	head -1 "$T/out" | grep -q '  Release Date  Acceptance Level$' ||
	    fail "no Acceptance Level column" || return 1
	grep -q '^Broadcom-bnxt-Net-RoCE .* PartnerSupported$' "$T/out" ||
	    fail "bnxt's partner VIBs make a PartnerSupported component" ||
	    return 1
	grep -q '^Broadcom-ELX-lpfc .* VMwareCertified$' "$T/out" ||
	    fail "lpfc is certified" || return 1
	run "$DEPOT" list-components --json "$d"
	expect_status 0 && expect_out '"acceptance": "partner"'
}

# extract, unpack, compose and esxbundle create show what they wrote on a
# terminal, and nothing in a pipe.
test_writers_progress_only_on_a_terminal() {
	command -v script >/dev/null 2>&1 ||
	    { skip "script(1) is not installed"; return 0; }
	d=$(fixture mini8)
	TERM=xterm script -qec "'$DEPOT' unpack '$d' u1" /dev/null >"$T/tty" 2>&1
	grep -q "depot: unpack: [0-9]* files, .* MiB written, .* MiB/s" "$T/tty" ||
	    fail "no progress line from unpack on a terminal" || return 1
	TERM=xterm script -qec "'$DEPOT' extract --vibs '$d' x1" /dev/null >"$T/tty" 2>&1
	grep -q "depot: extract: [0-9]* files, .* MiB written" "$T/tty" ||
	    fail "no progress line from extract on a terminal" || return 1
	TERM=xterm script -qec "'$BUNDLE' create b1 --datastore ds1 --add '$(fixture component7)' --force" \
	    /dev/null >"$T/tty" 2>&1
	grep -q "esxbundle: create: [0-9]* files, .* MiB written" "$T/tty" ||
	    fail "no progress line from esxbundle create on a terminal" ||
	    return 1
	TERM=xterm script -qec "'$DEPOT' compose --profile ESXi-8.0U3e-24677879-standard --name c1 '$(fixture img-base8)' c1.zip" \
	    /dev/null >"$T/tty" 2>&1
	grep -q "depot: compose: [0-9]*/[0-9]* VIBs, .* MiB, .* MiB/s" "$T/tty" ||
	    fail "no progress line from compose on a terminal" || return 1
	[ -f c1.zip ] || fail "compose wrote nothing" || return 1
	run "$DEPOT" unpack "$d" u2
	expect_status 0 || return 1
	grep -q "MiB written" "$T/err" "$T/out" && fail "progress in a pipe" &&
	    return 1
	[ -f u1/index.xml ] && [ -f u2/index.xml ] || fail "unpack wrote nothing"
}

test_bundle_option_mistakes_named() {
	run "$BUNDLE" create bdl --datastore ds1/../x --add "$(fixture component7)"
	expect_status 2 && expect_err_lines 1 &&
	    expect_err "esxbundle: create: --datastore 'ds1/../x' is a path: give the datastore's name alone, and the folder on it with --dir" ||
	    return 1
	echo "not a certificate" >junk.pem
	run "$BUNDLE" create bdl --datastore ds1 --trust junk.pem \
	    --add "$(fixture component7)"
	expect_status 2 && expect_err "esxbundle: junk.pem: " || return 1
	[ ! -e bdl ] || fail "wrote bdl"
}

# list-vibs --host: esxcli's Status column against a host's saved VIB list.
test_list_vibs_host_status() {
	cat >host.txt <<'HOST'
Name                           Version                                Vendor  Acceptance Level  Install Date
-----------------------------  -------------------------------------  ------  ----------------  ------------
esx-base                       8.0.3-0.35.24280767                    VMware  VMwareCertified   2024-10-01
ne1000                         0.9.2-1vmw.803.0.0.24022510            VMW     PartnerSupported  2024-10-01
tools-light                    13.0.0.24276846-24677879               VMware  VMwareCertified   2024-10-01
HOST
	d=$(fixture mini8)
	run "$DEPOT" list-vibs --host host.txt "$d"
	expect_status 0 || return 1
	head -1 "$T/out" | grep -q '  Acceptance Level  Status$' ||
	    fail "no Status column" || return 1
	for want in "esx-base .* Update" "esx-update .* New" \
	    "ne1000 .* Installed" "tools-light .* Downgrade"; do
		grep -q "^$want\$" "$T/out" || fail "no row '$want'" || return 1
	done
	run "$DEPOT" list-vibs --json --host host.txt "$d"
	expect_status 0 &&
	    expect_out '"VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510": "Installed"' ||
	    return 1
	# Without --host, esxcli's table less the Status it cannot know.
	run "$DEPOT" list-vibs "$d"
	head -1 "$T/out" | grep -q 'Status' && fail "Status without a host" &&
	    return 1
	echo "garbage" >bad.txt
	run "$DEPOT" list-vibs --host bad.txt "$d"
	expect_status 1 && expect_err_lines 1 && expect_no_out &&
	    expect_err "depot: bad.txt: line 1: expected the header of 'esxcli software vib list'" ||
	    return 1
	run "$DEPOT" list-vibs --host missing.txt "$d"
	expect_status 2 && expect_err "depot: missing.txt: cannot open" || return 1
	run "$DEPOT" list-profiles --host host.txt "$d"
	expect_status 2 &&
	    expect_err "depot: list-profiles: option '--host' is not for this command"
}

# ---- -q and -v on the long verbs ----------------------------------------
# Quiet: on stdout the failures and the summary line alone (no per-item
# line, note or hint), on stderr errors and warnings as always, and no
# progress.  Verbose: first, on stderr, what is read.  Both: usage, exit 2.

STD8=ESXi-8.0U3e-24677879-standard

# long_verb VERB OPTION: run VERB with OPTION (-q, -v, ...) on a fixture,
# writing into res/ (res.zip for compose).
long_verb() {
	verb=$1
	shift
	case $verb in
	verify) run "$DEPOT" verify "$@" "$(fixture verify8)" ;;
	unpack) run "$DEPOT" unpack "$@" "$(fixture mini8)" res ;;
	extract) run "$DEPOT" extract "$@" --vibs "$(fixture mini8)" res ;;
	compose) run "$DEPOT" compose "$@" --profile "$STD8" --name c1 \
	    "$(fixture img-base8)" res.zip ;;
	create) run "$BUNDLE" create "$@" res --datastore ds1 --tar \
	    --depot "$(fixture verify8)" --trust "$KEYS/ca.crt" \
	    --trust "$KEYS/certified.crt" ;;
	esac
}

test_quiet_prints_the_summary_alone() {
	long_verb unpack -q
	expect_status 0 && expect_err_lines 0 || return 1
	echo "7 files written to res" >want
	expect_out_file want || return 1
	rm -rf res
	long_verb extract --quiet
	expect_status 0 && expect_err_lines 0 || return 1
	echo "5 items written to res" >want
	expect_out_file want || return 1
	# Again into the same OUTDIR: "unchanged" is in the summary only.
	long_verb extract -q
	echo "5 items written to res (5 unchanged)" >want
	expect_status 0 && expect_out_file want || return 1
	long_verb compose -q
	expect_status 0 && expect_err_lines 0 &&
	    expect_out "wrote res.zip: image profile c1 (ESXi 8.0.3, 4 VIBs" ||
	    return 1
	[ "$(wc -l <"$T/out")" = 1 ] || fail "compose -q: more than one line" ||
	    return 1
	rm -rf res
	long_verb create -q
	expect_status 0 && expect_err_lines 0 || return 1
	echo "Bundle written to res (1 step) for /vmfs/volumes/ds1/esxstage/res" >want
	expect_out_file want || return 1
	[ -f res.tar ] && [ -f res/install.sh ] || fail "create -q wrote less"
}

# Quiet keeps what went wrong and the warnings that change the outcome.
test_quiet_keeps_failures_and_warnings() {
	head -c 3000 "$(fixture mini8)" >cut.zip
	for verb in unpack extract; do
		run "$DEPOT" "$verb" -q cut.zip res
		expect_status 1 && expect_no_out && expect_err_lines 1 &&
		    expect_err "depot: cut.zip: truncated or damaged zip: no end of central directory; download it again" ||
		    return 1
		[ ! -e res ] || fail "$verb -q wrote res" || return 1
	done
	"$PYTHON" "$TOP/tests/mkdepot.py" --vib "$TOP/testdata/depots/img-addon.spec" \
	    exa-tools exa-tools.vib || fail "mkdepot --vib" || return 1
	run "$DEPOT" compose -q --profile "$STD8" --name t --add exa-tools.vib \
	    "$(fixture img-base8)" res.zip
	expect_status 1 &&
	    expect_out "  depends: VIB EXA_bootbank_exa-tools_2.1.0-1 requires exa-nic >= 2.0" &&
	    expect_err "depot: res.zip: not written: image profile t does not validate (1 problem)" ||
	    return 1
	[ ! -e res.zip ] || fail "compose -q wrote res.zip" || return 1
	# --force lets a misfit through: the warning stays under -q.
	run "$BUNDLE" create -q bdl --datastore ds1 --depot "$(fixture signed8)" \
	    --add "$(fixture fit-comp9)" --trust "$KEYS/ca.crt" \
	    --trust "$KEYS/certified.crt" --force
	expect_status 0 && expect_err_lines 1 &&
	    expect_err "esxbundle: warning: $(fixture fit-comp9): is for ESXi 9.0" &&
	    expect_err "(written anyway: --force)" || return 1
	echo "Bundle written to bdl (2 steps) for /vmfs/volumes/ds1/esxstage/bdl" >want
	expect_out_file want
}

test_verbose_says_what_it_reads() {
	d=$(fixture mini8)
	long_verb unpack -v
	expect_status 0 && expect_err_lines 1 &&
	    expect_err "depot: unpack: reading $d: 4 VIBs, 1 metadata zip; writing res" &&
	    expect_out "wrote index.xml" &&
	    expect_out "Serve it and use: esxcli" || return 1
	rm -rf res
	run "$DEPOT" extract --verbose "$d" "$(fixture component7)" res
	expect_status 0 && expect_err_lines 2 &&
	    expect_err "depot: extract: reading $d (" &&
	    expect_err "depot: extract: reading $(fixture component7) (" &&
	    expect_out "wrote component7.zip (component depot" || return 1
	run "$DEPOT" compose -v --profile "$STD8" --name t \
	    --add "$(fixture component7)" "$(fixture img-base8)" c.zip
	expect_err "depot: compose: reading $(fixture img-base8) (" &&
	    expect_err "depot: compose: reading --add $(fixture component7) (" ||
	    return 1
	rm -rf res
	long_verb create -v
	expect_status 0 && expect_err_lines 2 &&
	    expect_err "esxbundle: create: reading --depot $(fixture verify8) (" &&
	    expect_err "esxbundle: create: writing res for /vmfs/volumes/ds1/esxstage/res" &&
	    expect_out "Next: upload it there" || return 1
	# A size in KiB or MiB, not "0.0 MiB" for a small file.
	grep -q "(0\.0 MiB)" "$T/err" && fail "a size of 0.0 MiB" && return 1
	return 0
}

test_quiet_and_verbose_exclude_each_other() {
	for verb in verify unpack extract compose create; do
		for pair in "-q -v" "--verbose --quiet" "-qv" "-q --verbose"; do
			# shellcheck disable=SC2086
			long_verb "$verb" $pair
			prog=depot
			[ "$verb" = create ] && prog=esxbundle
			expect_status 2 && expect_no_out && expect_err_lines 2 &&
			    expect_err "$prog: $verb: -q/--quiet and -v/--verbose cannot be used together" &&
			    expect_err "usage: $prog $verb " ||
			    { echo "  ($verb $pair)"; return 1; }
			[ ! -e res ] && [ ! -e res.zip ] ||
			    fail "$verb $pair wrote something" || return 1
		done
		# Given twice, one of them is no mistake.
		long_verb "$verb" -q -q
		expect_status 0 || { echo "  ($verb -q -q)"; return 1; }
		rm -rf res res.zip res.tar
	done
}

test_quiet_and_verbose_described() {
	for verb in verify unpack extract compose; do
		run "$DEPOT" help "$verb"
		expect_status 0 && expect_out "usage: depot $verb [--json] [-q|-v] " &&
		    expect_out "  -q, --quiet       print only failures and the summary; no progress" &&
		    expect_out "  -v, --verbose     say what is read before reading it" ||
		    return 1
	done
	run "$BUNDLE" create --help
	expect_status 0 && expect_out "  -q, --quiet " &&
	    expect_out "  -v, --verbose " || return 1
	for page in depot.1 esxbundle.1; do
		grep -q '^\.It Fl q , Fl -quiet$' "$TOP/$page" ||
		    fail "$page does not describe -q" || return 1
	done
	command -v bash >/dev/null 2>&1 || return 0
	BINDIR=$T/bin
	export BINDIR
	mkdir -p "$BINDIR"
	ln -s "$DEPOT" "$BINDIR/depot"
	ln -s "$BUNDLE" "$BINDIR/esxbundle"
	complete_words depot unpack --qu
	expect_out "--quiet" || return 1
	complete_words esxbundle create res --verb
	expect_out "--verbose"
}

# On a terminal: -q draws no progress line, -v draws it after saying what
# it reads; in a pipe -v draws none either.
test_quiet_and_verbose_on_a_terminal() {
	command -v script >/dev/null 2>&1 ||
	    { skip "script(1) is not installed"; return 0; }
	for verb in verify unpack extract compose create; do
		case $verb in
		verify) line="VIBs, .* MiB/s" ;;
		compose) line="compose: [0-9]*/[0-9]* VIBs, .* MiB/s" ;;
		*) line="$verb: [0-9]* files, .* MiB written" ;;
		esac
		# long_verb's command line, as text for script(1).
		case $verb in
		verify) c="'$DEPOT' verify OPT '$(fixture verify8)'" ;;
		unpack) c="'$DEPOT' unpack OPT '$(fixture mini8)' res" ;;
		extract) c="'$DEPOT' extract OPT --vibs '$(fixture mini8)' res" ;;
		compose) c="'$DEPOT' compose OPT --profile $STD8 --name c1 '$(fixture img-base8)' res.zip" ;;
		create) c="'$BUNDLE' create OPT res --datastore ds1 --depot '$(fixture verify8)' --trust '$KEYS/ca.crt' --trust '$KEYS/certified.crt'" ;;
		esac
		TERM=xterm script -qec "$(echo "$c" | sed 's/OPT/-q/')" /dev/null \
		    >"$T/tty" 2>&1
		grep -q "MiB/s\|MiB written" "$T/tty" &&
		    fail "$verb -q drew progress" && return 1
		tr -d '\r' <"$T/tty" | grep -q "written\|checked\|^wrote" ||
		    fail "$verb -q: no summary on a terminal" || return 1
		rm -rf res res.zip res.tar
		TERM=xterm script -qec "$(echo "$c" | sed 's/OPT/-v/')" /dev/null \
		    >"$T/tty" 2>&1
		grep -q "$line" "$T/tty" ||
		    fail "$verb -v drew no progress on a terminal" || return 1
		grep -q ": reading " "$T/tty" ||
		    fail "$verb -v said nothing on a terminal" || return 1
		rm -rf res res.zip res.tar
		long_verb "$verb" -v
		expect_status 0 || return 1
		grep -q "MiB/s\|MiB written\|$(printf '\r')" "$T/err" &&
		    fail "$verb -v: progress in a pipe" && return 1
		rm -rf res res.zip res.tar
	done
	return 0
}
