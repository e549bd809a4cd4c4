# depot_errors.sh - every error path: exit status, message, one stderr line.
# SPDX-License-Identifier: BSD-2-Clause

# bad_depot FIXTURE-OR-PATH STATUS MESSAGE: list-profiles fails just so.
bad_depot() {
	run "$DEPOT" list-profiles "$1"
	expect_status "$2" && expect_err "depot: $1: " && expect_err "$3" &&
	    expect_err_lines 1 && expect_no_out
}

test_not_a_zip() {
	echo "hello" >notzip.zip
	bad_depot notzip.zip 1 "not a zip archive"
}

test_empty_file() {
	: >empty.zip
	bad_depot empty.zip 1 "empty file, not a zip archive"
}

test_directory() {
	mkdir dir.zip
	bad_depot dir.zip 2 "is a directory"
}

test_nonexistent() {
	bad_depot missing.zip 2 "cannot open: No such file or directory"
}

test_truncated_zip() {
	f=$(fixture esxi8-full)
	head -c $(($(wc -c <"$f") / 2)) "$f" >half.zip
	bad_depot half.zip 1 "truncated or damaged zip: no end of central directory; download it again"
}

test_no_index_xml() {
	bad_depot "$(fixture err-no-index)" 1 "not a depot (no index.xml at the top); it holds 4 VIBs"
}

test_missing_vendor_index() {
	bad_depot "$(fixture err-missing-vendor-index)" 1 \
	    "vendor-index.xml: missing (named by index.xml)"
}

# A vendor index naming a missing metadata zip: tests/hostile/depot_logic.sh.

test_malformed_index() {
	bad_depot "$(fixture err-bad-index-xml)" 1 "index.xml: malformed XML: line"
}

test_malformed_vendor_index() {
	bad_depot "$(fixture err-bad-vendor-index-xml)" 1 \
	    "vendor-index.xml: malformed XML: line"
}

test_malformed_profile() {
	bad_depot "$(fixture err-bad-profile-xml)" 1 \
	    "metadata.zip: profiles/ESXi-8.0U3e-24677879-standard"
	expect_err "malformed XML"
}

test_malformed_vib_metadata() {
	bad_depot "$(fixture err-bad-vib-xml)" 1 "metadata.zip: vibs/ne1000-"
	expect_err "malformed XML: line 1: Opening and ending tag mismatch"
}

test_malformed_bulletin() {
	bad_depot "$(fixture err-bad-bulletin-xml)" 1 \
	    "metadata.zip: bulletins/Intel-ne1000_0.9.2-1vmw.803.0.0.24022510.xml: malformed XML"
}

test_bad_date() {
	bad_depot "$(fixture err-bad-date)" 1 \
	    "profile 'ESXi-8.0U3e-24677879-standard' has invalid creationtime '2025-13-99T00:00:00'"
}

test_unknown_acceptance_level() {
	bad_depot "$(fixture err-bad-acceptance)" 1 \
	    "profile 'ESXi-8.0U3e-24677879-standard' has invalid acceptance level 'gold'"
}

test_unknown_profile() {
	run "$DEPOT" show-profile "$(fixture esxi8-full)" no-such-profile
	expect_status 1 &&
	    expect_err "no image profile found with name 'no-such-profile'" &&
	    expect_err_lines 1 && expect_no_out
}

test_usage_no_command() {
	run "$DEPOT"
	expect_status 2 && expect_err "depot: no command given" &&
	    expect_err "usage: depot COMMAND"
}

test_usage_unknown_command() {
	run "$DEPOT" frobnicate x.zip
	expect_status 2 && expect_err "depot: unknown command 'frobnicate'"
}

test_usage_unknown_option() {
	run "$DEPOT" list-vibs --frob "$(fixture esxi8-full)"
	expect_status 2 && expect_err "list-vibs: unknown option '--frob'" &&
	    expect_err "usage: depot list-vibs"
}

test_usage_profile_option_where_not_taken() {
	run "$DEPOT" list-profiles --profile x "$(fixture esxi8-full)"
	expect_status 2 && expect_err "list-profiles: option '--profile' is not for this command"
}

test_usage_missing_operand() {
	run "$DEPOT" show-profile "$(fixture esxi8-full)"
	expect_status 2 && expect_err "show-profile: expected 2 operands, got 1"
}

test_help_and_version() {
	run "$DEPOT" --help
	expect_status 0 && expect_out "depot list-profiles [--json] DEPOT" &&
	    expect_out "Exit status: 0 success" || return 1
	run "$DEPOT" list-vibs --help
	expect_status 0 && expect_out "usage: depot list-vibs" || return 1
	run "$DEPOT" --version
	expect_status 0 && expect_out "depot (esxstage)"
}

# A full disk must not look like success.
test_stdout_write_error() {
	[ -w /dev/full ] || { skip "no /dev/full on this system"; return 0; }
	"$DEPOT" list-vibs "$(fixture esxi8-full)" >/dev/full 2>"$T/err"
	rc=$?
	expect_status 1 && expect_err "cannot write standard output"
}

# The manual matches the command: it lints, and names every verb.
test_man_page() {
	command -v mandoc >/dev/null 2>&1 ||
	    { skip "mandoc is not installed"; return 0; }
	run mandoc -Tlint -W warning "$TOP/depot.1"
	expect_status 0 || return 1
	for verb in $("$DEPOT" --help | sed -n 's/^  depot \([a-z-]*\).*/\1/p'); do
		grep -q "^\.Cm $verb\$" "$TOP/depot.1" ||
		    fail "depot.1 does not describe '$verb'" || return 1
	done
}

test_make_install() {
	run make -C "$TOP" --no-print-directory install BUILD="$BUILD" \
	    PREFIX=/usr DESTDIR="$T/root"
	expect_status 0 || return 1
	for f in usr/bin/depot usr/bin/esxbundle usr/share/man/man1/depot.1 \
	    usr/share/man/man1/esxbundle.1; do
		[ -f "$T/root/$f" ] || fail "make install did not write $f" ||
		    return 1
	done
	[ -x "$T/root/usr/bin/depot" ] && "$T/root/usr/bin/depot" --version |
	    grep -q "depot (esxstage)" || fail "the installed depot does not run"
}
