# signatures.sh - verify --trust against signatures made to mislead: an
# untrusted CA, a signature over another descriptor, a cut trust file, a
# signer certificate used for what it is not for, and the shapes of
# sig.pkcs7 met in the wild (vib-and-workflow.md B).
# SPDX-License-Identifier: BSD-2-Clause
#
# Each depot is verify8 with only the ne1000 VIB's signature made the
# hostile way (tests/hostile/mkdoc.py sig): the VIB's size and SHA-256 in
# the metadata match, so only the signature check can catch it.

MK="$TOP/tests/hostile/mkdoc.py"
SPECS="$TOP/testdata/depots"
NE=VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0.24022510

# signed MODE: in/MODE.zip, with ne1000 signed the MODE way.
signed() {
	mkdir -p in
	"$PYTHON" "$MK" sig "$SPECS/verify8.spec" "in/$1.zip" "$1" "$KEYS" \
	    >"$T/gen.log" 2>&1 ||
	    { cat "$T/gen.log"; echo "  mkdoc sig $1 failed"; return 1; }
}

# verify_ne MODE STATUS TEXT [TRUST...]: verify in/MODE.zip with the
# test CA and certified signer as anchors (or TRUST...); exit STATUS,
# ne1000's line starts with TEXT, every other VIB is OK.
verify_ne() {
	mode=$1 status=$2 text=$3
	shift 3
	[ $# -gt 0 ] || set -- --trust "$KEYS/ca.crt" --trust "$KEYS/certified.crt"
	run "$DEPOT" verify "$@" "in/$mode.zip"
	expect_status "$status" && expect_out "$NE: $text" || return 1
	if [ "$status" = 0 ]; then
		expect_out "6 VIBs checked, 0 failed" &&
		    { [ ! -s "$T/err" ] || fail "stderr is not empty"; }
	else
		expect_out "6 VIBs checked, 1 failed" &&
		    expect_err "depot: in/$mode.zip: 1 check failed" &&
		    expect_err_lines 1
	fi
}

# A control: the same build with a good partner signature passes, so the
# cases below fail for their signature alone.
test_control_partner_signature_passes() {
	signed partner && verify_ne partner 0 OK
}

test_valid_signature_by_untrusted_ca() {
	signed rogue &&
	    verify_ne rogue 1 "FAILED: signer C=US, O=Rogue Corp, CN=Rogue VIB Signing is not trusted: certificate chain: unable to get local issuer certificate" ||
	    return 1
	# It names the certificate --trust lacks.
	expect_out "(at depth 0); give --trust a PEM file holding the certificate of C=US, O=esxstage test, CN=esxstage rogueca root" ||
	    return 1
	# Carrying its own root in the signature does not make it trusted.
	signed rogue-with-root &&
	    verify_ne rogue-with-root 1 "FAILED: signer C=US, O=Rogue Corp, CN=Rogue VIB Signing is not trusted: certificate chain: self-signed certificate in certificate chain" &&
	    expect_out "; give --trust a PEM file holding the certificate of C=US, O=esxstage test, CN=esxstage rogueca root"
}

# A trusted partner's genuine signature, made over an edited descriptor:
# the metadata matches the file, the signature does not match its bytes.
test_signature_over_different_descriptor() {
	signed other-descriptor &&
	    verify_ne other-descriptor 1 "FAILED: signature does not match descriptor.xml: " &&
	    expect_out "digest failure" || return 1
	run "$DEPOT" show-vib --trust "$KEYS/ca.crt" in/other-descriptor.zip ne1000
	expect_status 1 && expect_err_lines 1 &&
	    expect_err "depot: in/other-descriptor.zip: vib20/ne1000/$NE.vib: signature does not match descriptor.xml" &&
	    expect_out "   Verification: FAILED: "
}

# trust_refused FILE MESSAGE: --trust FILE stops verify before it reads
# the depot: exit 1, one line naming FILE, nothing on stdout.
trust_refused() {
	run "$DEPOT" verify --trust "$KEYS/certified.crt" --trust "$1" \
	    "$(fixture verify8)"
	expect_status 2 && expect_no_out && expect_err_lines 1 &&
	    expect_err "depot: $1: $2"
}

test_truncated_pem_trust_file() {
	n=$(wc -c <"$KEYS/ca.crt")
	head -c $((n / 2)) "$KEYS/ca.crt" >half.pem
	cat "$KEYS/certified.crt" half.pem >second-half.pem
	sed '$d' "$KEYS/ca.crt" >no-end-line.pem
	sed -n '1,5p;$p' "$KEYS/ca.crt" >lines-cut.pem
	# Cut just after (or in) the second BEGIN line: OpenSSL alone reads
	# the first certificate and calls the rest the end of the file.
	{ cat "$KEYS/certified.crt"; printf -- '-----BEGIN CERT'; } >after-begin.pem
	{ cat "$KEYS/certified.crt"; printf -- '-----BE'; } >in-begin.pem
	trust_refused half.pem "PEM routines: bad end line" &&
	    trust_refused second-half.pem "PEM routines: bad end line" &&
	    trust_refused no-end-line.pem "PEM routines: bad end line" &&
	    trust_refused lines-cut.pem "asn1 encoding routines" &&
	    trust_refused after-begin.pem "ends inside a PEM block (the file is cut short)" &&
	    trust_refused in-begin.pem "ends inside a PEM block (the file is cut short)" ||
	    return 1
	# The whole file, with a comment after it, is fine.
	{ cat "$KEYS/ca.crt" "$KEYS/certified.crt"; echo '# end'; } >whole.pem
	run "$DEPOT" verify --trust whole.pem "$(fixture verify8)"
	expect_status 0 && expect_out "6 VIBs checked, 0 failed"
}

# A TLS server certificate (key usage keyEncipherment, extended key usage
# serverAuth) issued by the trusted CA signs a partner VIB: the chain
# verifies with purpose "any", the certificate itself forbids signing.
test_signer_certificate_outside_its_purpose() {
	signed wrong-purpose &&
	    verify_ne wrong-purpose 1 "FAILED: signer C=US, O=Example Partner Corp, CN=Example TLS Server is not trusted: signer certificate: its key usage does not allow digital signatures"
}

# A genuine partner (a signer, CA:FALSE) issues itself a certificate and
# signs with that: a leaf is no CA.
test_leaf_certificate_used_as_ca() {
	signed leaf-as-ca &&
	    verify_ne leaf-as-ca 1 "FAILED: signer CN=Issued by a leaf, O=Example Partner Corp is not trusted: certificate chain: invalid CA certificate (at depth 1)"
}

# VMware's accepted signer expired in 2022 and its VIBs still install:
# certificate times are not enforced, as on ESXi.
test_expired_signer_is_accepted() {
	signed expired && verify_ne expired 0 OK
}

# ESXi reads sig.pkcs7 with PEM_read_bio_PKCS7: "BEGIN CMS" (openssl cms
# -sign) and DER are not signatures to it.
test_cms_and_der_signatures_refused() {
	signed cms &&
	    verify_ne cms 1 "FAILED: signature: malformed sig.pkcs7: not a PEM PKCS#7: PEM routines: no start line" &&
	    signed der &&
	    verify_ne der 1 "FAILED: signature: malformed sig.pkcs7: not a PEM PKCS#7: "
}

# The content carried inside the signature is never what is checked.
test_signature_with_embedded_content_refused() {
	signed attached &&
	    verify_ne attached 1 "FAILED: signature: malformed sig.pkcs7: PKCS#7 carries its own content, not a detached signature"
}

test_signature_without_signer_certificate() {
	signed no-certs &&
	    verify_ne no-certs 1 "FAILED: signature: malformed sig.pkcs7: signer certificate not in the signature: "
}

# A second signer (here the rogue one) cannot ride along with a good one.
test_two_signers_refused() {
	signed two-signers &&
	    verify_ne two-signers 1 "FAILED: signature: malformed sig.pkcs7: 2 signers, expected exactly one"
}

# ESXi pairs vmpartner.cert with vmpartner.crl: a revoked partner signer
# fails, and a CRL revoking nobody changes nothing.
test_revoked_signer() {
	signed partner || return 1
	"$PYTHON" "$MK" crl "$KEYS" none.crl || return 1
	"$PYTHON" "$MK" crl "$KEYS" revoked.crl "$KEYS/partner.crt" || return 1
	verify_ne partner 0 OK --trust "$KEYS/ca.crt" --trust none.crl \
	    --trust "$KEYS/certified.crt" &&
	    verify_ne partner 1 "FAILED: signer C=US, O=Example Partner Corp, CN=Example Partner VIB Signing is not trusted: certificate chain: certificate revoked" \
	    --trust "$KEYS/ca.crt" --trust revoked.crl --trust "$KEYS/certified.crt"
}
