# fetch_get.sh - depot fetch from nginx (HTTP, HTTPS, a token, two
# channels) and from faultserver.py (drops, lies, 403/404/429/500,
# redirect loops, a wrong byte, stalls): the message, the exit status,
# nothing unverified under a final name, and resumed runs that send no
# byte twice beyond what a range restart needs.
# SPDX-License-Identifier: BSD-2-Clause

. "$TOP/tests/net/lib.sh"

STD=ESXi-8.0U3e-24677879-standard
TOKEN=Zz9Yy8Xx7Ww6Vv5
GHOST=vib20/ghost-driver/VMW_bootbank_ghost-driver_1.0.0-1vmw.803.0.0.24022510.vib
NE=vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib

# channels ROOT: main (mini8 whose -standard profile also names a VIB it
# lacks) and addon-main (which has that VIB), under ROOT/PROD/....
channels() {
	mkdir -p "$1/PROD/COMP/ESX_HOST" &&
	    unpacked err-missing-vib "$1/PROD/COMP/ESX_HOST/main" &&
	    unpacked channel-addon "$1/PROD/COMP/ESX_HOST/addon-main"
}

# fetched OUT: OUT is a depot whose -standard profile an independent
# reader finds whole, every VIB's checksum right.
fetched() {
	[ -f "$1" ] || { echo "  $1 was not written"; return 1; }
	"$PYTHON" "$TOP/tests/net/readzip.py" "$1" "$STD" >readzip.out ||
	    { echo "  readzip.py: $(cat readzip.out)"; return 1; }
	[ "$(wc -l <readzip.out)" = 5 ] || { echo "  not 5 VIBs"; return 1; }
	"$DEPOT" list-vibs --profile "$STD" "$1" >/dev/null 2>&1 ||
	    { echo "  depot cannot list $1"; return 1; }
}

# journal OUT: the state folder's resume journal, one line per VIB:
# "MEMBER KEPT STATE" (bytes in place, v verified or p partial), its
# layout checked (each VIB after its local header, in member order).
journal() {
	"$PYTHON" - ".$1.fetch" <<'PY'
import sys
lines = open(sys.argv[1] + "/journal").read().split("\n")
assert lines[0] == "esxstage fetch journal 1" and lines[-2:] == ["end", ""], lines
for line in lines[3:-2]:
    at, size, sha, member, kept, state, crc = line.split(" ")
    print(member, kept, state)
PY
}

# kept OUT MATCH: the bytes in place the journal says of the VIB MATCH.
kept() {
	journal "$1" | awk -v m="$2" '$1 ~ m {print $2}'
}

# nothing_unverified OUT: no OUT; the state folder holds only the zip
# being built and the journal, and every VIB the journal calls verified
# is what the metadata says (its SHA-256 at its offset in the zip).
nothing_unverified() {
	[ ! -e "$1" ] || { echo "  $1 exists after a failure"; return 1; }
	[ -d ".$1.fetch" ] || return 0
	for f in ".$1.fetch"/* ".$1.fetch"/.[!.]*; do
		[ -e "$f" ] || continue
		case ${f##*/} in
		out.zip | journal) ;;
		*) echo "  other files in the state folder: $f"; return 1 ;;
		esac
	done
	[ -f ".$1.fetch/journal" ] || return 0
	"$PYTHON" - ".$1.fetch" <<'PY' || return 1
import hashlib, sys
d = sys.argv[1]
lines = open(d + "/journal").read().split("\n")
data = open(d + "/out.zip", "rb").read()
for line in lines[3:-2]:
    at, size, sha, member, kept, state, crc = line.split(" ")
    at, size = int(at), int(size)
    if state == "v" and hashlib.sha256(data[at:at + size]).hexdigest() != sha:
        sys.exit(f"  {member} is called verified, and is not")
PY
}

# sent PATH: body bytes faultserver.py sent for PATH, all requests.
sent() {
	awk -v p="$1" '$1 ~ p {n += $4} END {print n + 0}' fault.log
}

size_of() {
	wc -c <"www/PROD/COMP/ESX_HOST/$1" | tr -d ' '
}

test_fetch_two_channels_https_token_json() {
	channels "www/$TOKEN" || return 1
	serve_nginx "$T/www" tls || return 1
	base="https://127.0.0.1:$PORT/{token}/PROD/COMP/ESX_HOST"
	printf '%s\n' "$TOKEN" >tok && chmod 600 tok
	run "$DEPOT" fetch --json --token-file tok --cacert "$T/ca/ca.crt" \
	    --jobs 3 --profile "$STD" --add-channel "$base/addon-main/index.xml" \
	    "$base/main/index.xml" out.zip
	expect_status 0 && expect_out '"vibs": 5' &&
	    expect_out "\"depot\": \"https://127.0.0.1:$PORT/<token>/PROD" &&
	    fetched out.zip || return 1
	[ ! -e .out.zip.fetch ] || { echo "  the state folder stayed"; return 1; }
	# Each VIB was asked for once, and only the profile's.
	n=$(grep -c '\.vib 200 ' nginx/access.log)
	[ "$n" = 5 ] || { echo "  $n VIB downloads for 5 VIBs"; return 1; }
	# The token is in no output and no file written.
	"$PYTHON" - "$TOKEN" out.zip <<'PY' || return 1
import sys, zipfile, io
tok = sys.argv[1].encode()
def walk(data, name):
    if tok in data:
        sys.exit(f"  the token is in {name}")
    if data[:2] == b"PK":
        z = zipfile.ZipFile(io.BytesIO(data))
        for m in z.namelist():
            walk(z.read(m), f"{name}!{m}")
walk(open(sys.argv[2], "rb").read(), sys.argv[2])
PY
	! grep -rl "$TOKEN" out err readzip.out . --exclude-dir=www \
	    --exclude-dir=nginx --exclude=tok || { echo "  the token was shown"; return 1; }
}

test_fetch_http_plain_and_compose_like_a_depot() {
	channels www || return 1
	serve_nginx "$T/www" || return 1
	base="http://127.0.0.1:$PORT/PROD/COMP/ESX_HOST"
	run "$DEPOT" fetch --profile "$STD" --add-channel "$base/addon-main" \
	    "$base/main/index.xml" o.zip
	expect_status 0 && expect_out "5 VIBs" &&
	    expect_out "Use: esxcli software profile update -d o.zip -p $STD" &&
	    fetched o.zip || return 1
	run "$DEPOT" info o.zip
	expect_status 0 && expect_out "VIBs:        5" && expect_out "Profiles:    1"
}

test_fetch_missing_channel_names_the_vib() {
	channels www || return 1
	serve_nginx "$T/www" || return 1
	run "$DEPOT" fetch --profile "$STD" \
	    "http://127.0.0.1:$PORT/PROD/COMP/ESX_HOST/main/index.xml" o.zip
	expect_status 1 &&
	    expect_err "names the VIB VMW_bootbank_ghost-driver_1.0.0-1vmw.803.0.0.24022510, which this depot lacks; add the channel that has it with --add-channel URL" &&
	    nothing_unverified o.zip || return 1
	! grep -q '\.vib ' nginx/access.log || { echo "  VIBs were downloaded"; return 1; }
	run "$DEPOT" fetch --profile nope \
	    "http://127.0.0.1:$PORT/PROD/COMP/ESX_HOST/main/index.xml" o.zip
	expect_status 1 && expect_err "no image profile named 'nope'"
}

test_fetch_usage() {
	run "$DEPOT" fetch http://127.0.0.1:9/index.xml o.zip
	expect_status 2 && expect_err "fetch: --profile NAME is required" || return 1
	touch o.zip
	run "$DEPOT" fetch --profile x http://127.0.0.1:9/index.xml o.zip
	expect_status 1 && expect_err "o.zip: exists already" || return 1
	run "$DEPOT" fetch --profile x --jobs 0 http://127.0.0.1:9/index.xml p.zip
	expect_status 2 && expect_err "fetch: --jobs takes a number from 1 to 64"
}

# faults RULES-JSON: serve the two channels through faultserver.py.
faults() {
	channels www || return 1
	printf '%s\n' "$1" >rules.json
	serve_faults "$T/www" rules.json || return 1
	base="http://127.0.0.1:$PORT/PROD/COMP/ESX_HOST"
}

# fetch_faulty [OPTIONS]: fetch the -standard profile through the faults.
fetch_faulty() {
	run "$DEPOT" fetch --retries 3 --stall-timeout 1 --profile "$STD" \
	    --add-channel "$base/addon-main/index.xml" "$@" \
	    "$base/main/index.xml" o.zip
}

test_fault_drop_mid_body_resumes() {
	faults '[{"match": "ghost-driver", "mode": "drop", "after": 1000, "times": 2}]' || return 1
	fetch_faulty
	expect_status 0 && fetched o.zip || return 1
	# Three requests, from 0, 1000 and 2000: no byte sent twice.
	[ "$(grep -c ghost-driver fault.log)" = 3 ] &&
	    grep -q 'ghost-driver.* 1000 206 1000' fault.log &&
	    [ "$(sent ghost-driver)" = "$(size_of "addon-main/$GHOST")" ] ||
	    { echo "  requests:"; cat fault.log; return 1; }
}

test_fault_interrupted_run_resumes_next_run() {
	faults '[{"match": "ghost-driver", "mode": "drop", "after": 1000, "times": 2}]' || return 1
	fetch_faulty --retries 1
	expect_status 2 && expect_err "the connection broke, 2 times" &&
	    expect_err "kept in .o.zip.fetch for the next run" &&
	    nothing_unverified o.zip || return 1
	[ "$(kept o.zip ghost-driver)" = 2000 ] || { echo "  partial not kept"; journal o.zip; return 1; }
	fetch_faulty
	expect_status 0 && fetched o.zip || return 1
	grep -q 'ghost-driver.* 2000 206 ' fault.log &&
	    [ "$(sent ghost-driver)" = "$(size_of "addon-main/$GHOST")" ] ||
	    { echo "  requests:"; cat fault.log; return 1; }
	# The other VIBs were verified by the first run: not asked for again.
	[ "$(grep -c ne1000 fault.log)" = 1 ] || { echo "  ne1000 fetched twice"; return 1; }
}

# A VIB verified by an earlier run is not synced: its region of the zip
# is hashed again, and one that is not what the journal says is fetched
# again, not stored.
test_fault_kept_vib_damaged_is_fetched_again() {
	faults '[{"match": "ghost-driver", "mode": "drop", "after": 1000, "times": 2}]' || return 1
	fetch_faulty --retries 1
	expect_status 2 || return 1
	journal o.zip | grep -q "ne1000.* v$" || { echo "  ne1000 was not kept"; return 1; }
	at=$(awk '/ne1000/ {print $1}' .o.zip.fetch/journal)
	# Same size, one byte changed.
	printf 'X' | dd of=.o.zip.fetch/out.zip bs=1 seek=$((at + 100)) \
	    conv=notrunc 2>/dev/null
	fetch_faulty
	expect_status 0 && fetched o.zip &&
	    expect_out "2 downloaded" &&
	    expect_out "3 verified by an earlier run" || return 1
	[ "$(grep -c ne1000 fault.log)" = 2 ] ||
	    { echo "  the damaged ne1000 was not fetched again"; cat fault.log; return 1; }
}

# --jobs overlaps transfers: the server answers the first three VIB
# requests only once all three are open at once (else, after 5 s, 504;
# the client waits longer than that for a first byte).
test_jobs_overlap_transfers() {
	faults '[{"match": ".vib", "mode": "together", "n": 3, "times": 3, "secs": 5}]' || return 1
	fetch_faulty --retries 1 --stall-timeout 30 --jobs 3
	expect_status 0 && fetched o.zip || return 1
	! grep -q ' 504 ' fault.log || { echo "  not open at once:"; cat fault.log; return 1; }
}

test_fault_length_lies() {
	faults '[{"match": "ghost-driver", "mode": "long", "extra": 500},
	    {"match": "ne1000", "mode": "short", "less": 300}]' || return 1
	fetch_faulty
	expect_status 0 && fetched o.zip || return 1
	[ "$(sent ghost-driver)" = "$(size_of "addon-main/$GHOST")" ] &&
	    [ "$(sent ne1000)" = "$(size_of "main/$NE")" ] ||
	    { echo "  requests:"; cat fault.log; return 1; }
}

test_fault_transient_status_retried() {
	faults '[{"match": "ghost-driver", "mode": "status", "code": 500, "times": 2},
	    {"match": "ne1000", "mode": "status", "code": 429},
	    {"match": "vendor-index.xml", "mode": "status", "code": 503}]' || return 1
	fetch_faulty
	expect_status 0 && fetched o.zip
}

test_fault_500_gives_up() {
	faults '[{"match": "ghost-driver", "mode": "status", "code": 500, "times": -1}]' || return 1
	fetch_faulty --retries 2
	expect_status 2 && expect_err "$GHOST: HTTP 500 from the server; gave up after 3 tries" &&
	    nothing_unverified o.zip
}

test_fault_429_gives_up() {
	faults '[{"match": "ne1000", "mode": "status", "code": 429, "times": -1}]' || return 1
	fetch_faulty --retries 1
	expect_status 2 && expect_err "the server kept answering HTTP 429 (too many requests); gave up after 2 tries" &&
	    nothing_unverified o.zip
}

test_fault_403_token() {
	faults '[{"match": "ghost-driver", "mode": "status", "code": 403, "times": -1}]' || return 1
	fetch_faulty
	expect_status 1 && expect_err "HTTP 403: access refused; if this depot needs a download token" &&
	    nothing_unverified o.zip || return 1
	printf '%s\n' "$TOKEN" >tok && chmod 600 tok
	fetch_faulty --token-file tok
	expect_status 1 &&
	    expect_err "$GHOST: HTTP 403: the download token is missing, wrong or not entitled for this channel" &&
	    nothing_unverified o.zip
}

test_fault_404_names_the_index() {
	faults '[{"match": "ghost-driver", "mode": "status", "code": 404, "times": -1}]' || return 1
	fetch_faulty
	expect_status 1 &&
	    expect_err "$GHOST: not found on the server (HTTP 404) (named by $base/addon-main/index.xml: addon-metadata.zip: vibs/" &&
	    nothing_unverified o.zip
}

test_fault_redirect_loop() {
	faults '[{"match": "ne1000", "mode": "loop", "times": -1}]' || return 1
	fetch_faulty
	expect_status 2 && expect_err "$NE: more than 8 redirects (a redirect loop?)" &&
	    nothing_unverified o.zip
}

test_fault_wrong_byte_retried_once() {
	faults '[{"match": "ne1000", "mode": "wrongbyte", "offset": 100}]' || return 1
	fetch_faulty
	expect_status 0 && fetched o.zip || return 1
	# Discarded and fetched again whole: twice the size, no more.
	size=$(size_of "main/$NE")
	[ "$(sent ne1000)" = $((size * 2)) ] || { echo "  requests:"; cat fault.log; return 1; }
}

test_fault_wrong_byte_twice_refused() {
	faults '[{"match": "ne1000", "mode": "wrongbyte", "offset": 100, "times": -1}]' || return 1
	fetch_faulty
	expect_status 1 && expect_err "$NE: SHA-256 is " &&
	    expect_err "it was discarded, fetched again and was wrong again: refused" &&
	    nothing_unverified o.zip || return 1
	journal o.zip | grep -q "ne1000.* 0 p$" ||
	    { echo "  the bad download was kept"; journal o.zip; return 1; }
}

test_fault_stall_resumes() {
	faults '[{"match": "ghost-driver", "mode": "stall", "after": 700, "secs": 30}]' || return 1
	fetch_faulty
	expect_status 0 && fetched o.zip || return 1
	grep -q 'ghost-driver.* 700 206 ' fault.log &&
	    [ "$(sent ghost-driver)" = "$(size_of "addon-main/$GHOST")" ] ||
	    { echo "  requests:"; cat fault.log; return 1; }
}

test_fault_stall_gives_up() {
	faults '[{"match": "ghost-driver", "mode": "stall", "after": 0, "secs": 30, "times": -1}]' || return 1
	fetch_faulty --retries 1
	expect_status 2 && expect_err "$GHOST: no data for 1 seconds, 2 times" &&
	    nothing_unverified o.zip
}

# stalled_fetch: a fetch in the background (its pid in pid) whose
# ghost-driver download stalls after 1500 bytes; returns once it has.
stalled_fetch() {
	faults '[{"match": "ghost-driver", "mode": "stall", "after": 1500, "secs": 30}]' || return 1
	"$DEPOT" fetch --stall-timeout 20 --profile "$STD" \
	    --add-channel "$base/addon-main/index.xml" "$base/main/index.xml" \
	    o.zip >out 2>err &
	pid=$!
	fault_logged 'ghost-driver.* 0 200 1500' $pid
}

# SIGTERM in the middle of a body: what arrived is kept, the command dies
# of the signal, and the next run resumes from the kept partial.
test_sigterm_keeps_partial_next_run_resumes() {
	stalled_fetch || return 1
	sleep 0.5
	kill -TERM $pid
	wait $pid
	rc=$?
	expect_status 143 && expect_err "interrupted; what was downloaded and verified is kept in .o.zip.fetch for the next run" &&
	    nothing_unverified o.zip || return 1
	[ "$(kept o.zip ghost-driver)" = 1500 ] ||
	    { echo "  the partial was not kept"; journal o.zip; return 1; }
	fetch_faulty
	expect_status 0 && fetched o.zip || return 1
	grep -q 'ghost-driver.* 1500 206 ' fault.log &&
	    [ "$(sent ghost-driver)" = "$(size_of "addon-main/$GHOST")" ] ||
	    { echo "  requests:"; cat fault.log; return 1; }
}

# kill -9 mid-run: no journal is written at the stop, so the last one
# (written as each VIB was verified) is older than the data: the stalled
# VIB's 1500 bytes in place are not in it.  The next run trusts only what
# it hashes again, fetches that VIB whole and writes the right bytes.
test_kill9_resumes_from_older_journal() {
	stalled_fetch || return 1
	i=0
	until [ "$(journal o.zip 2>/dev/null | grep -c ' v$')" = 4 ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "  4 VIBs never journaled"; kill $pid; return 1; }
		sleep 0.1
	done
	kill -KILL $pid
	wait $pid
	rc=$?
	expect_status 137 && nothing_unverified o.zip || return 1
	[ "$(kept o.zip ghost-driver)" = 0 ] || { echo "  journal:"; journal o.zip; return 1; }
	fetch_faulty
	expect_status 0 && fetched o.zip &&
	    expect_out "1 downloaded" && expect_out "4 verified by an earlier run" || return 1
	[ "$(sent ghost-driver)" = $(($(size_of "addon-main/$GHOST") + 1500)) ] &&
	    [ "$(grep -c ne1000 fault.log)" = 1 ] ||
	    { echo "  requests:"; cat fault.log; return 1; }
}

# interrupted_state: a run that stops with 4 VIBs verified and 2000 bytes
# of ghost-driver in place, its state folder saved as saved/.
interrupted_state() {
	faults '[{"match": "ghost-driver", "mode": "drop", "after": 1000, "times": 2}]' || return 1
	fetch_faulty --retries 1
	expect_status 2 && [ "$(kept o.zip ghost-driver)" = 2000 ] || return 1
	cp -a .o.zip.fetch saved
}

# fetch_over_damage SED-SCRIPT...: the saved state, its journal edited
# by each script in turn; each run ignores it (downloads all five again,
# trusts nothing) and writes the right zip.
fetch_over_damage() {
	for script in "$@"; do
		rm -rf .o.zip.fetch o.zip && cp -a saved .o.zip.fetch || return 1
		if [ "$script" = binary ]; then
			head -c 3000 /dev/urandom >.o.zip.fetch/journal
		elif [ "$script" = huge ]; then
			"$PYTHON" -c 'import sys; sys.stdout.write("x" * (1 << 22))' \
			    >>.o.zip.fetch/journal
		else
			sed -i "$script" .o.zip.fetch/journal
		fi
		fetch_faulty
		expect_status 0 && fetched o.zip &&
		    expect_out "5 downloaded" &&
		    expect_out "0 verified by an earlier run" ||
		    { echo "  after: $script"; return 1; }
	done
}

test_journal_of_another_layout_is_ignored() {
	interrupted_state || return 1
	fetch_over_damage "s/^profile .*/profile ESXi-8.0U3e-24677879-no-tools/" \
	    "/ne1000/s/^[0-9]*/10727/" \
	    "/ne1000/s/ [0-9a-f]\{64\} / $(printf '%064d' 0) /" \
	    "s/^vibs 5/vibs 4/"
	# The stale bytes of the ignored state are written over, not kept.
	[ "$(sent ne1000)" = $(($(size_of "main/$NE") * 5)) ] ||
	    { echo "  requests:"; cat fault.log; return 1; }
}

test_damaged_journal_is_ignored() {
	interrupted_state || return 1
	fetch_over_damage binary huge '$d' '1s/1$/2/' \
	    "/ghost-driver/s/ 2000 p / 99999999999999999999999 p /" \
	    "/ghost-driver/s/ 2000 p / 4459 p /" \
	    "/ne1000/s/ v / x /" "/ne1000/s/ [0-9]* v / 3 v /" \
	    "/ne1000/s/ \([0-9a-f]\{8\}\)$/ \1 extra/"
}

# The zip being built cannot be opened: said, nothing downloaded.  A
# journal that cannot be written costs only a later run's resume: the
# run goes on and writes the right zip.
test_state_zip_unusable_journal_unwritable() {
	channels www || return 1
	serve_nginx "$T/www" || return 1
	base="http://127.0.0.1:$PORT/PROD/COMP/ESX_HOST"
	mkdir -p .o.zip.fetch/out.zip
	run "$DEPOT" fetch --profile "$STD" --add-channel "$base/addon-main" \
	    "$base/main/index.xml" o.zip
	expect_status 2 && expect_err ".o.zip.fetch/out.zip: cannot open: Is a directory" &&
	    [ ! -e o.zip ] || return 1
	! grep -q '\.vib ' nginx/access.log || { echo "  VIBs were downloaded"; return 1; }
	rmdir .o.zip.fetch/out.zip && mkdir .o.zip.fetch/journal.tmp
	run "$DEPOT" fetch --profile "$STD" --add-channel "$base/addon-main" \
	    "$base/main/index.xml" o.zip
	expect_status 0 && expect_out "5 downloaded" && fetched o.zip
}

# The fetched depot composes like any depot, and the independent reader
# of the compose tests (tests/readdepot.py) reads both back whole.
test_fetch_then_compose_reads_back() {
	channels www || return 1
	serve_nginx "$T/www" || return 1
	base="http://127.0.0.1:$PORT/PROD/COMP/ESX_HOST"
	run "$DEPOT" fetch --profile "$STD" --add-channel "$base/addon-main" \
	    "$base/main/index.xml" o.zip
	expect_status 0 && fetched o.zip || return 1
	cut -d' ' -f1 readzip.out | sort >want
	"$PYTHON" "$TOP/tests/readdepot.py" o.zip --profile "$STD" >got 2>rerr ||
	    { cat rerr; echo "  readdepot.py refused o.zip"; return 1; }
	diff -u want got || { echo "  o.zip: another VIB set"; return 1; }
	run "$DEPOT" compose --profile "$STD" --name fetched-less \
	    --remove ghost-driver o.zip c.zip
	expect_status 0 && expect_out "wrote c.zip: image profile fetched-less" ||
	    return 1
	"$PYTHON" "$TOP/tests/readdepot.py" c.zip --profile fetched-less >got \
	    2>rerr || { cat rerr; echo "  readdepot.py refused c.zip"; return 1; }
	grep -v ghost-driver want | diff -u - got ||
	    { echo "  c.zip: not the fetched VIBs less ghost-driver"; return 1; }
}

# An ESXi 8 depot's base image and add-on travel with the profile when all
# their components do: the fetched zip validates and lists as the source
# does for that profile.
test_fetch_keeps_base_image_and_addon() {
	mkdir www && unpacked esxi8-full www/e8 || return 1
	serve_nginx "$T/www" || return 1
	url="http://127.0.0.1:$PORT/e8/index.xml"
	P8=ESXi-8.0U3e-24677879
	run "$DEPOT" fetch --json --profile "$P8-standard" "$url" std.zip
	expect_status 0 && expect_out '"base_images_and_addons": 2' || return 1
	run "$DEPOT" info std.zip
	expect_out "Base images: 1" && expect_out "Add-ons:     1" || return 1
	for verb in "validate --profile" "list-vibs --profile" "show-profile"; do
		# shellcheck disable=SC2086
		"$DEPOT" $verb "$P8-standard" "$(fixture esxi8-full)" >a 2>&1
		# shellcheck disable=SC2086
		"$DEPOT" $verb "$P8-standard" std.zip >b 2>&1
		sed -i "s|$(fixture esxi8-full)|X|g" a && sed -i "s|std.zip|X|g" b
		cmp -s a b || { echo "  $verb differs:"; diff -u a b | head; return 1; }
	done
	# -no-tools lacks VM-Tools, which the base image names: only the add-on.
	run "$DEPOT" fetch --profile "$P8-no-tools" "$url" nt.zip
	expect_status 0 && expect_out "29 components, 1 base image and add-on; wrote nt.zip" || return 1
	run "$DEPOT" info nt.zip
	expect_out "Base images: 0" && expect_out "Add-ons:     1"
}

# A channel whose metadata has no vibs/ (only vmware.xml, as old bundles):
# fetch writes the VIB's vibs/ document from its own descriptor.xml.
test_fetch_vmware_xml_only_channel() {
	mkdir -p www/PROD/COMP/ESX_HOST &&
	    unpacked err-missing-vib www/PROD/COMP/ESX_HOST/main &&
	    unpacked channel-legacy www/PROD/COMP/ESX_HOST/addon-main || return 1
	serve_nginx "$T/www" || return 1
	base="http://127.0.0.1:$PORT/PROD/COMP/ESX_HOST"
	run "$DEPOT" fetch --profile "$STD" --add-channel "$base/addon-main" \
	    "$base/main/index.xml" o.zip
	expect_status 0 && fetched o.zip || return 1
	grep -q "^VMW_bootbank_ghost-driver_1.0.0-1vmw.803.0.0.24022510 " readzip.out ||
	    { echo "  ghost-driver not read back"; return 1; }
	run "$DEPOT" show-vib --json o.zip ghost-driver
	expect_out '"name": "ghost-driver"' || return 1
	# A VIB file that is not what vmware.xml describes: refused.
	f=www/PROD/COMP/ESX_HOST/addon-main/$GHOST
	"$PYTHON" - www/PROD/COMP/ESX_HOST/addon-main "$GHOST" \
	    "www/PROD/COMP/ESX_HOST/main/$NE" <<'PY' || return 1
import hashlib, io, os, sys, zipfile
top, ghost, other = sys.argv[1:]
old = open(os.path.join(top, ghost), 'rb').read()
new = open(other, 'rb').read()
mzp = os.path.join(top, 'addon-metadata.zip')
src = zipfile.ZipFile(mzp)
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w') as dst:
    for n in src.namelist():
        data = src.read(n)
        if n == 'vmware.xml':
            data = data.replace(hashlib.sha256(old).hexdigest().encode(),
                                hashlib.sha256(new).hexdigest().encode())
            data = data.replace(b'>%d<' % len(old), b'>%d<' % len(new))
        dst.writestr(n, data)
open(mzp, 'wb').write(buf.getvalue())
open(os.path.join(top, ghost), 'wb').write(new)
PY
	run "$DEPOT" fetch --profile "$STD" --add-channel "$base/addon-main" \
	    "$base/main/index.xml" p.zip
	expect_status 1 &&
	    expect_err "$GHOST: its descriptor.xml is not VIB VMW_bootbank_ghost-driver_1.0.0-1vmw.803.0.0.24022510's as vmware.xml describes it" &&
	    nothing_unverified p.zip
}
