# fetch_list.sh - every reading command on a folder, an index.xml and a URL
# (nginx on 127.0.0.1, HTTP and HTTPS): the same answers as on the zip,
# and from a URL only indexes and metadata are downloaded.
# SPDX-License-Identifier: BSD-2-Clause

. "$TOP/tests/net/lib.sh"

P8=ESXi-8.0U3e-24677879
TOKEN=Ab12Cd34Ef56Gh78

# same_as_zip WHERE: each listing of WHERE is the zip's, byte for byte.
same_as_zip() {
	for verb in list-profiles list-vibs list-components \
	    "show-profile --json" "list-vibs --json --profile $P8-no-tools"; do
		# shellcheck disable=SC2086
		"$DEPOT" $verb "$(fixture esxi8-full)" \
		    $(case $verb in show*) echo "$P8-standard" ;; esac) \
		    >zip.out 2>zip.err || { echo "  $verb on the zip failed"; return 1; }
		# shellcheck disable=SC2086
		"$DEPOT" $verb "$1" \
		    $(case $verb in show*) echo "$P8-standard" ;; esac) \
		    >src.out 2>src.err || {
			echo "  $verb $1 failed:"; sed 's/^/  | /' src.err; return 1; }
		# --json names the depot as given.
		sed -i '/^  "depot": /d' zip.out src.out
		cmp -s zip.out src.out || {
			echo "  $verb: $1 differs from the zip:"
			diff -u zip.out src.out | sed 's/^/  | /' | head -20
			return 1
		}
	done
}

test_folder_and_index_read_like_the_zip() {
	unpacked esxi8-full e8 || return 1
	same_as_zip "$T/e8" && same_as_zip "$T/e8/index.xml" &&
	    same_as_zip "file://$T/e8/index.xml"
}

test_folder_without_index() {
	mkdir empty
	run "$DEPOT" list-profiles empty
	expect_status 1 &&
	    expect_err "depot: empty: no index.xml or vmw-depot-index.xml in this folder: not an unpacked depot" &&
	    expect_err_lines 1
}

test_folder_missing_metadata() {
	unpacked esxi8-full e8 || return 1
	rm e8/metadata.zip
	run "$DEPOT" list-vibs e8
	expect_status 1 &&
	    expect_err "depot: e8: metadata.zip: missing (named by the vendor index)"
}

# verify and show-vib read an unpacked depot's VIBs as a zip's.
test_verify_and_show_vib_on_folder_as_on_zip() {
	unpacked mini8 m || return 1
	"$DEPOT" verify --json "$(fixture mini8)" | sed '/"depot": /d' >zip.json
	run "$DEPOT" verify --json m
	expect_status 1 || return 1
	sed '/"depot": /d' out >dir.json
	cmp -s zip.json dir.json || { diff -u zip.json dir.json | head -20; return 1; }
	"$DEPOT" show-vib "$(fixture mini8)" ne1000 >zip.out 2>/dev/null
	run "$DEPOT" show-vib m ne1000
	expect_status 1 && expect_out_file zip.out || return 1
	run "$DEPOT" show-vib m
	expect_status 2 && expect_err "show-vib: m is a depot of 4 VIBs: name one" || return 1
	# A VIB file gone, or changed: verify says which, as on a zip.
	rm m/vib20/ne1000/*.vib
	f=$(echo m/vib20/esx-base/*.vib)
	printf 'X' | dd of="$f" bs=1 seek=2500 conv=notrunc 2>/dev/null
	run "$DEPOT" verify m
	expect_status 1 &&
	    expect_out "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510: FAILED: file vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib is missing" &&
	    expect_out "VMware_bootbank_esx-base_8.0.3-0.55.24677879: FAILED: sha-256 mismatch: " &&
	    expect_err "depot: m: 4 checks failed" || return 1
	run "$DEPOT" show-vib m ne1000
	expect_status 1 && expect_err "depot: m: vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib: the VIB file is missing"
}

# verify of a URL would download everything: refused before any request.
test_verify_url_refused() {
	mkdir www && unpacked mini8 www/m || return 1
	serve_nginx "$T/www" || return 1
	run "$DEPOT" verify "http://127.0.0.1:$PORT/m/index.xml"
	expect_status 2 &&
	    expect_err "verify reads every VIB, which from an online depot means downloading all of it; copy it first with 'depot mirror URL DIR'" &&
	    expect_err_lines 1 || return 1
	[ ! -s nginx/access.log ] || { echo "  requests were made"; return 1; }
	run "$DEPOT" verify --token-file x "http://127.0.0.1:$PORT/m/index.xml"
	expect_status 2 && expect_err "option '--token-file' is not for this command"
}

# show-vib of a URL downloads that one VIB, checked as it arrives.
test_show_vib_url_downloads_one_vib() {
	mkdir www && unpacked mini8 www/m || return 1
	serve_nginx "$T/www" || return 1
	"$DEPOT" show-vib --json "$(fixture mini8)" ne1000 >zip.json 2>/dev/null
	mkdir tmp
	run env TMPDIR="$T/tmp" "$DEPOT" show-vib --json \
	    "http://127.0.0.1:$PORT/m/index.xml" ne1000
	expect_status 1 && expect_out_file zip.json &&
	    expect_err "warning: downloading vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib (0.0 MiB) to read it" ||
	    return 1
	[ "$(grep -c '\.vib ' nginx/access.log)" = 1 ] ||
	    { echo "  not one VIB request:"; cat nginx/access.log; return 1; }
	[ -z "$(ls -A tmp)" ] || { echo "  left in TMPDIR: $(ls -A tmp)"; return 1; }
	run "$DEPOT" show-vib "http://127.0.0.1:$PORT/m/index.xml"
	expect_status 2 && expect_err "is a depot of 4 VIBs"
}

test_show_vib_url_wrong_bytes_refused() {
	mkdir www && unpacked mini8 www/m || return 1
	printf '[{"match": "ne1000", "mode": "wrongbyte", "offset": 100, "times": -1}]\n' >rules.json
	serve_faults "$T/www" rules.json || return 1
	mkdir tmp
	run env TMPDIR="$T/tmp" "$DEPOT" show-vib "http://127.0.0.1:$PORT/m/index.xml" ne1000
	expect_status 1 && expect_err "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib: SHA-256 is" &&
	    expect_err "refused" && expect_no_out || return 1
	[ -z "$(ls -A tmp)" ] || { echo "  left in TMPDIR: $(ls -A tmp)"; return 1; }
}

# validate and diff take a URL and a folder, reading only metadata;
# compose refuses a URL and says to fetch first.
test_image_verbs_on_url_and_folder() {
	mkdir www && unpacked esxi8-full www/e8 || return 1
	serve_nginx "$T/www" || return 1
	url="http://127.0.0.1:$PORT/e8/index.xml"
	"$DEPOT" validate "$(fixture esxi8-full)" >zip.out 2>&1
	zrc=$?
	for where in "$url" www/e8; do
		run "$DEPOT" validate "$where"
		expect_status $zrc && expect_out_file zip.out || return 1
	done
	"$DEPOT" diff "$(fixture esxi8-full):$P8-standard" \
	    "$(fixture esxi8-full):$P8-no-tools" >zip.out 2>&1
	run "$DEPOT" diff "$url:$P8-standard" "www/e8:$P8-no-tools"
	expect_status 0 || return 1
	sed "s|$url|Z|g; s|www/e8|Z|g" out >a
	sed "s|$(fixture esxi8-full)|Z|g" zip.out >b
	cmp -s a b || { diff -u b a | head; return 1; }
	! grep -q '\.vib ' nginx/access.log || { echo "  a VIB was fetched"; return 1; }
	run "$DEPOT" compose --profile "$P8-standard" --name x "$url" c.zip
	expect_status 2 &&
	    expect_err "compose: $url: compose reads the VIBs themselves, not from an online depot; take the profile first with 'depot fetch URL OUT.zip --profile NAME'" &&
	    [ ! -e c.zip ]
}

test_url_lists_like_the_zip_and_fetches_only_metadata() {
	mkdir -p www/depots && unpacked esxi8-full www/depots/e8 || return 1
	serve_nginx "$T/www" || return 1
	same_as_zip "http://127.0.0.1:$PORT/depots/e8/index.xml" || return 1
	run "$DEPOT" info "http://127.0.0.1:$PORT/depots/e8"
	expect_status 0 && expect_out "Profiles:    2" || return 1
	# The access log: only indexes and the metadata zip, never a VIB.
	awk '{print $1}' nginx/access.log | sort -u >fetched
	printf '%s\n' /depots/e8/index.xml /depots/e8/metadata.zip \
	    /depots/e8/vendor-index.xml >want
	diff -u want fetched || { echo "  the server was asked for more"; return 1; }
	# The metadata zip is downloaded once per command.
	n=$(grep -c 'metadata.zip 200' nginx/access.log)
	[ "$n" = 6 ] || { echo "  metadata.zip fetched $n times for 6 commands"; return 1; }
}

test_url_two_vendors_relative_paths() {
	mkdir www && unpacked multi-vendor www/mv || return 1
	serve_nginx "$T/www" || return 1
	"$DEPOT" list-vibs --json "$(fixture multi-vendor)" >zip.json &&
	run "$DEPOT" list-vibs --json "http://127.0.0.1:$PORT/mv/index.xml"
	expect_status 0 || return 1
	sed "s|\"$(fixture multi-vendor)\"|X|" zip.json >a
	sed "s|\"http://127.0.0.1:$PORT/mv/index.xml\"|X|" out >b
	cmp -s a b || { diff -u a b | head; return 1; }
	grep -q '^/mv/partner/acme-metadata.zip 200' nginx/access.log ||
	    { echo "  partner/acme-metadata.zip not fetched"; return 1; }
}

test_url_https_with_cacert() {
	mkdir www && unpacked mini8 www/m || return 1
	serve_nginx "$T/www" tls || return 1
	run "$DEPOT" list-profiles "https://127.0.0.1:$PORT/m/index.xml"
	expect_status 2 && expect_err "TLS failed" &&
	    expect_err "give its CA with --cacert FILE" && expect_err_lines 1 ||
	    return 1
	run "$DEPOT" list-profiles --cacert "$T/ca/ca.crt" \
	    "https://127.0.0.1:$PORT/m/index.xml"
	expect_status 0 || return 1
	"$DEPOT" list-profiles "$(fixture mini8)" >want
	expect_out_file want || return 1
	run "$DEPOT" list-profiles --insecure "https://127.0.0.1:$PORT/m/index.xml"
	expect_status 0 && expect_err "warning: --insecure: TLS certificates are not checked"
}

# HTTPS through a CONNECT proxy (connectproxy.py) to nginx with a
# throwaway CA: without --cacert the TLS failure is named with the proxy
# in use; with it the depot lists through the proxy; with no_proxy
# covering the host the proxy sees no request at all.
test_url_https_through_proxy() {
	mkdir www && unpacked mini8 www/m || return 1
	serve_nginx "$T/www" tls || return 1
	serve_proxy || return 1
	url="https://127.0.0.1:$PORT/m/index.xml"
	proxy="http://127.0.0.1:$PROXY_PORT"
	run env -u SSL_CERT_FILE -u SSL_CERT_DIR -u CURL_CA_BUNDLE \
	    -u all_proxy -u ALL_PROXY https_proxy="$proxy" no_proxy= NO_PROXY= \
	    "$DEPOT" list-profiles "$url"
	expect_status 2 &&
	    expect_err "depot: $url: TLS failed (through the proxy $proxy from https_proxy): " &&
	    expect_err "; when a site proxy inspects TLS, give its CA with --cacert FILE" &&
	    expect_err_lines 1 || return 1
	grep -qx "CONNECT 127.0.0.1:$PORT HTTP/1.1" proxy.log ||
	    { echo "  the proxy was not asked:"; cat proxy.log; return 1; }
	[ ! -s nginx/access.log ] || { echo "  a request got through:"; cat nginx/access.log; return 1; }
	run env https_proxy="$proxy" no_proxy= NO_PROXY= \
	    "$DEPOT" list-profiles --cacert "$T/ca/ca.crt" "$url"
	expect_status 0 || return 1
	"$DEPOT" list-profiles "$(fixture mini8)" >want
	expect_out_file want || return 1
	[ "$(grep -c "^CONNECT 127.0.0.1:$PORT " proxy.log)" -ge 2 ] &&
	    grep -q '^/m/index.xml 200 ' nginx/access.log ||
	    { echo "  not fetched through the proxy"; cat proxy.log; return 1; }
	: >proxy.log
	: >nginx/access.log
	run env https_proxy="$proxy" no_proxy=127.0.0.1 NO_PROXY= \
	    "$DEPOT" list-profiles --cacert "$T/ca/ca.crt" "$url"
	expect_status 0 && expect_out_file want || return 1
	[ ! -s proxy.log ] || { echo "  no_proxy was not honoured:"; cat proxy.log; return 1; }
	grep -q '^/m/index.xml 200 ' nginx/access.log || { echo "  nginx was not asked"; return 1; }
}

# The token: from a file only its owner reads, or ESXSTAGE_TOKEN; put
# where the URL says {token}; never shown anywhere.
test_url_token_never_shown() {
	mkdir -p "www/$TOKEN/PROD/COMP/ESX_HOST" &&
	    unpacked esxi8-full "www/$TOKEN/PROD/COMP/ESX_HOST/main" || return 1
	serve_nginx "$T/www" tls || return 1
	url="https://127.0.0.1:$PORT/{token}/PROD/COMP/ESX_HOST/main/index.xml"
	printf '%s\n' "$TOKEN" >tok && chmod 600 tok
	net="--cacert $T/ca/ca.crt"
	for verb in list-profiles list-vibs list-components info \
	    "list-profiles --json" "info --json" "list-vibs --json"; do
		# shellcheck disable=SC2086
		"$DEPOT" $verb $net --token-file tok "$url" >>all.out 2>>all.err ||
		    { echo "  $verb failed"; cat all.err; return 1; }
	done
	# shellcheck disable=SC2086
	ESXSTAGE_TOKEN=$TOKEN "$DEPOT" info --json $net "$url" >>all.out 2>>all.err ||
	    { echo "  ESXSTAGE_TOKEN failed"; return 1; }
	grep -q '"depot": "https://127.0.0.1:[0-9]*/<token>/PROD' all.out ||
	    { echo "  --json does not show <token>"; return 1; }
	# A wrong token and a 403: the message, still no token.
	rm -rf "www/$TOKEN"
	# shellcheck disable=SC2086
	run "$DEPOT" list-profiles $net --token-file tok "$url"
	cat out >>all.out; cat err >>all.err
	expect_status 1 || return 1
	grep -rl "$TOKEN" all.out all.err ./*.json nginx/error.log 2>/dev/null &&
	    { echo "  the token was shown"; return 1; }
	return 0
}

test_token_refused_before_any_request() {
	mkdir www && serve_nginx "$T/www" || return 1
	url="http://127.0.0.1:$PORT/{token}/index.xml"
	printf '%s\n' "$TOKEN" >tok && chmod 644 tok
	run "$DEPOT" list-profiles --token-file tok "$url"
	expect_status 2 && expect_err "tok: the token file may be read by other users (mode 0644); make it yours alone: chmod 600 tok" || return 1
	printf 'not-a-token!\n' >bad && chmod 600 bad
	run "$DEPOT" list-profiles --token-file bad "$url"
	expect_status 1 && expect_err "bad: the download token is not valid: it must be letters and digits only" || return 1
	run env ESXSTAGE_TOKEN=123456789012345678901234567890123 "$DEPOT" list-profiles "$url"
	expect_status 1 && expect_err "ESXSTAGE_TOKEN: the download token is not valid: it must be 1 to 32 letters and digits, not 33" || return 1
	run env -u ESXSTAGE_TOKEN "$DEPOT" list-profiles "$url"
	expect_status 1 && expect_err "the URL says {token}, but no download token was given" || return 1
	chmod 600 tok
	run "$DEPOT" list-profiles --insecure --token-file tok "$url"
	expect_status 1 && expect_err "--insecure together with a download token over http:// is refused" || return 1
	[ ! -s nginx/access.log ] || { echo "  requests were made:"; cat nginx/access.log; return 1; }
}

test_url_not_found_and_refused() {
	mkdir -p www/m && unpacked mini8 www/m/d || return 1
	serve_nginx "$T/www" || return 1
	run "$DEPOT" list-profiles "http://127.0.0.1:$PORT/nothing/index.xml"
	expect_status 1 &&
	    expect_err "depot: http://127.0.0.1:$PORT/nothing/index.xml: not found on the server (HTTP 404) (named by the depot)" || return 1
	rm www/m/d/vendor-index.xml
	run "$DEPOT" list-profiles "http://127.0.0.1:$PORT/m/d/index.xml"
	expect_status 1 && expect_err "vendor-index.xml: not found on the server (HTTP 404) (named by http://127.0.0.1:$PORT/m/d/index.xml)"
}

test_url_cannot_connect() {
	port=$(free_port)
	run "$DEPOT" list-profiles "http://127.0.0.1:$port/index.xml"
	expect_status 2 && expect_err "cannot connect" && expect_err_lines 1
}

# https_proxy is used (and named in the message); no_proxy is honoured;
# credentials in the proxy URL are not shown.
test_url_proxy_named_and_no_proxy_honoured() {
	mkdir www && unpacked mini8 www/m || return 1
	serve_nginx "$T/www" || return 1
	dead=$(free_port)
	run env http_proxy="http://user:pw@127.0.0.1:$dead" no_proxy= NO_PROXY= \
	    "$DEPOT" list-profiles "http://127.0.0.1:$PORT/m/index.xml"
	expect_status 2 &&
	    expect_err "cannot connect (through the proxy http://127.0.0.1:$dead from http_proxy)" || return 1
	! grep -q 'pw@' err || { echo "  the proxy password was shown"; return 1; }
	run env http_proxy="http://127.0.0.1:$dead" no_proxy=127.0.0.1 \
	    "$DEPOT" list-profiles "http://127.0.0.1:$PORT/m/index.xml"
	expect_status 0
}

# DNS failures say so, and name the proxy in use when there is one (.invalid
# never resolves, RFC 6761).
test_url_dns_failures_named() {
	run env -u https_proxy -u HTTPS_PROXY -u all_proxy -u ALL_PROXY \
	    "$DEPOT" list-profiles --retries 1 "https://depot.example.invalid/main/index.xml"
	expect_status 2 &&
	    expect_err "depot: https://depot.example.invalid/main/index.xml: cannot resolve the host name (DNS)" &&
	    expect_err_lines 1 || return 1
	run env https_proxy=http://proxy.example.invalid:3128 no_proxy= NO_PROXY= \
	    "$DEPOT" list-profiles --retries 1 "https://127.0.0.1:9/index.xml"
	expect_status 2 &&
	    expect_err "cannot resolve the proxy (through the proxy http://proxy.example.invalid:3128 from https_proxy)"
}

# SIGTERM while show-vib downloads its VIB: the command dies of the signal
# and leaves nothing in TMPDIR.
test_show_vib_url_interrupted_leaves_nothing() {
	mkdir www tmp && unpacked mini8 www/m || return 1
	printf '[{"match": "ne1000", "mode": "stall", "after": 700, "secs": 30}]\n' >rules.json
	serve_faults "$T/www" rules.json || return 1
	TMPDIR="$T/tmp" "$DEPOT" show-vib --stall-timeout 20 \
	    "http://127.0.0.1:$PORT/m/index.xml" ne1000 >out 2>err &
	pid=$!
	fault_logged 'ne1000.* 0 200 700' $pid || return 1
	kill -TERM $pid
	wait $pid
	rc=$?
	expect_status 143 && expect_err "interrupted" && expect_no_out || return 1
	[ -z "$(ls -A tmp)" ] || { echo "  left in TMPDIR: $(ls -A tmp)"; return 1; }
}

# show-vib's refusals on a URL and a folder: no SHA-256 in the metadata to
# check the download against, a TMPDIR that cannot hold it, a VIB path
# that is a folder.
test_show_vib_refusals() {
	mkdir www && unpacked mini8 www/m || return 1
	ne=vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510.vib
	cp -R www/m m2
	"$PYTHON" - www/m "$ne" <<'PY' || return 1
import hashlib, io, os, sys, zipfile
top, vib = sys.argv[1:]
sha = hashlib.sha256(open(os.path.join(top, vib), 'rb').read()).hexdigest()
mzp = os.path.join(top, 'metadata.zip')
src = zipfile.ZipFile(mzp)
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w') as dst:
    for n in src.namelist():
        data = src.read(n)
        if n.startswith('vibs/'):
            data = data.replace(b'<checksum checksum-type="sha-256">%s</checksum>' % sha.encode(), b'')
        dst.writestr(n, data)
open(mzp, 'wb').write(buf.getvalue())
PY
	serve_nginx "$T/www" || return 1
	run "$DEPOT" show-vib "http://127.0.0.1:$PORT/m/index.xml" ne1000
	expect_status 1 &&
	    expect_err "$ne: the metadata gives no size or SHA-256 to check its download against" || return 1
	run env TMPDIR="$T/none" "$DEPOT" show-vib "http://127.0.0.1:$PORT/m/index.xml" esx-base
	expect_status 2 && expect_err "$T/none/esxstage-vib." && expect_err ": cannot make" || return 1
	! grep -q '\.vib ' nginx/access.log || { echo "  a VIB was fetched"; return 1; }
	rm m2/$ne && mkdir m2/$ne
	run "$DEPOT" show-vib m2 ne1000
	expect_status 1 && expect_err "depot: m2: $ne: not a regular file" || return 1
	run "$DEPOT" verify m2
	expect_status 1 && expect_out "VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510: FAILED: m2: $ne: not a regular file"
}
