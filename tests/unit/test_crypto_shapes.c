/* test_crypto_shapes.c - crypto.c on signatures and trust files of odd
 * shapes, all made by the openssl CLI. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../depot/crypto.h"
#include "unit.h"

static const char signed_text[] = "<vib><name>shapes</name></vib>\n";

/* A folder of keys for this file: CA and signers from mkkeys.sh, the
 * content to sign, and a config for extra certificates. */
static const char *
shapes_dir(void)
{
	static const char *dir;

	if (dir != NULL)
		return dir;
	dir = unit_dir("crypto-shapes");
	if (!unit_write(dir, "content", signed_text) ||
	    !unit_write(dir, "ext.cnf", "[smime]\nbasicConstraints = CA:FALSE\n"
	    "keyUsage = critical, digitalSignature\nextendedKeyUsage = "
	    "serverAuth\n"))
		return NULL;
	return dir;
}

/* A signer NAME with subject subj issued by the test CA, extensions ext
 * of ext.cnf ("" for none). */
static bool
make_signer(const char *name, const char *subj, const char *ext)
{
	const char *keys = unit_keys();

	return unit_sh("cd '%s' && openssl req -new -newkey rsa:2048 -nodes "
	    "-keyout %s.key -subj \"%s\" -utf8 -out %s.csr 2>/dev/null && "
	    "openssl x509 -req -in %s.csr -CA '%s/ca.crt' -CAkey '%s/ca.key' "
	    "-CAcreateserial -days 3650 %s%s -out %s.crt 2>/dev/null",
	    shapes_dir(), name, subj, name, name, keys, keys,
	    *ext ? "-extfile ext.cnf -extensions " : "", ext, name);
}

/* sig.pkcs7 of the content by openssl smime -sign with args, into sig. */
static bool
smime_sign(const char *args, struct sbuf *sig)
{
	char path[700];

	sbuf_reset(sig);
	snprintf(path, sizeof(path), "%s/sig.pkcs7", shapes_dir());
	return unit_sh("cd '%s' && K='%s' && openssl smime -sign -binary -md "
	    "sha256 -nosmimecap -outform PEM -in content -out sig.pkcs7 %s",
	    shapes_dir(), unit_keys(), args) && unit_slurp(path, sig);
}

/* The verdict on sig over the content, against the test CA when ca. */
static const struct sig_result *
verdict_of(struct unit *u, const struct sbuf *sig, bool ca)
{
	static struct sig_result res;
	struct dv_error err = DV_ERROR_INIT;
	struct sig_trust *t = NULL;
	char path[600];
	const char *paths[] = {path};

	snprintf(path, sizeof(path), "%s/ca.crt", unit_keys());
	CHECK(u, !ca || sig_trust_load(paths, 1, &t, &err) == 0);
	CHECK(u, sig_verify(sig->buf, sig->len, signed_text,
	    sizeof(signed_text) - 1, t, &res, &err) == 0);
	sig_trust_free(t);
	return &res;
}

void
test_sig_verify_shapes(struct unit *u)
{
	struct sbuf sig = SBUF_INIT(SBUF_NOCAP);
	const struct sig_result *r;

	CHECK(u, shapes_dir() != NULL);
	/* ESXi reads a detached signature over the descriptor only. */
	CHECK(u, smime_sign("-nodetach -signer $K/accepted.crt -inkey "
	    "$K/accepted.key", &sig));
	r = verdict_of(u, &sig, false);
	CHECK(u, r->status == SIG_MALFORMED);
	CHECK_STR(u, r->detail, "PKCS#7 carries its own content, not a "
	    "detached signature");
	CHECK(u, smime_sign("-signer $K/accepted.crt -inkey $K/accepted.key "
	    "-signer $K/partner.crt -inkey $K/partner.key", &sig));
	r = verdict_of(u, &sig, false);
	CHECK(u, r->status == SIG_MALFORMED);
	CHECK_STR(u, r->detail, "2 signers, expected exactly one");
	/* Without the signer's certificate there is nothing to check. */
	CHECK(u, smime_sign("-nocerts -signer $K/accepted.crt -inkey "
	    "$K/accepted.key", &sig));
	r = verdict_of(u, &sig, false);
	CHECK(u, r->status == SIG_MALFORMED &&
	    strncmp(r->detail, "signer certificate not in the signature: ",
	    41) == 0);
	/* A signer allowed digital signatures, but only for TLS servers. */
	CHECK(u, make_signer("tls", "/C=US/O=TLS Corp/CN=TLS", "smime"));
	CHECK(u, smime_sign("-signer tls.crt -inkey tls.key", &sig));
	r = verdict_of(u, &sig, true);
	CHECK(u, r->status == SIG_UNTRUSTED && r->chain_checked);
	CHECK_STR(u, r->detail, "signer certificate: its extended key usage "
	    "allows neither code signing nor S/MIME");
	sbuf_release(&sig);
}

void
test_sig_verify_signer_names(struct unit *u)
{
	struct sbuf sig = SBUF_INIT(SBUF_NOCAP), subj = SBUF_INIT(SBUF_NOCAP);
	const struct sig_result *r;
	size_t len;

	/* A control character cannot split the line a name is shown on. */
	CHECK(u, make_signer("ctl", "/C=US/O=Evil\001Corp/OU=Line\nTwo/CN=x",
	    ""));
	CHECK(u, smime_sign("-signer ctl.crt -inkey ctl.key", &sig));
	r = verdict_of(u, &sig, false);
	CHECK(u, r->status == SIG_OK);
	CHECK_STR(u, r->org, "Evil?Corp");
	CHECK_STR(u, r->org_unit, "Line?Two");
	CHECK(u, strchr(r->subject, '\n') == NULL);
	/* A name longer than the room is cut between UTF-8 characters,
	 * wherever the room ends: after a whole one or inside one. */
	for (int odd = 0; odd < 2; odd++) {
		sbuf_reset(&subj);
		sbuf_adds(&subj, odd ? "/C=US/O=Longe" : "/C=US/O=Long");
		for (int i = 0; i < 14; i++)
			sbuf_adds(&subj, "/OU=\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			    "\xc3\xa9\xc3\xa9");
		sbuf_adds(&subj, "/CN=y");
		CHECK(u, make_signer("long", subj.buf, ""));
		CHECK(u, smime_sign("-signer long.crt -inkey long.key", &sig));
		r = verdict_of(u, &sig, false);
		len = strlen(r->subject);
		/* Room for 511 bytes: with "Longe" the 511th is the first
		 * half of an e-acute, and it goes too. */
		CHECK(u, r->status == SIG_OK && len == sizeof(r->subject) -
		    1 - (size_t)odd);
		CHECK(u, len > 0 &&
		    ((unsigned char)r->subject[len - 1] & 0xc0) != 0xc0);
		CHECK(u, strncmp(r->subject, odd ? "C=US, O=Longe, OU=\xc3\xa9" :
		    "C=US, O=Long, OU=\xc3\xa9", odd ? 20 : 19) == 0);
	}
	sbuf_release(&sig);
	sbuf_release(&subj);
}

void
test_sig_verify_limits(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_result res;
	/* Neither is read: the lengths are refused first. */
	static const char sig[] = "-----BEGIN PKCS7-----";

	CHECK(u, sig_verify(sig, (size_t)INT_MAX + 1, signed_text,
	    sizeof(signed_text) - 1, NULL, &res, &err) == 0 &&
	    res.status == SIG_MALFORMED);
	CHECK_STR(u, res.detail, "signature too large");
	CHECK(u, unit_err(u, sig_verify(sig, sizeof(sig) - 1, signed_text,
	    (size_t)INT_MAX + 1, NULL, &res, &err), &err, DV_ELIMIT, "signed "
	    "content of 2147483648 bytes is too large to check"));
	/* The error is the verdict's detail too, never SIG_OK. */
	CHECK(u, res.status == SIG_MALFORMED && !res.chain_checked);
	CHECK_STR(u, res.detail, "signed content of 2147483648 bytes is too "
	    "large to check");
}

/* sig_trust_load of the files (in the shapes folder) named. */
static int
load(const char *a, const char *b, struct dv_error *err)
{
	struct sig_trust *t = (struct sig_trust *)1;
	char pa[700], pb[700];
	const char *paths[] = {pa, pb};
	int ret;

	snprintf(pa, sizeof(pa), "%s/%s", shapes_dir(), a);
	snprintf(pb, sizeof(pb), "%s/%s", shapes_dir(), b != NULL ? b : "");
	ret = sig_trust_load(paths, b != NULL ? 2 : 1, &t, err);
	if (ret != 0 && t != NULL)
		ret = -1; /* out-param left set */
	sig_trust_free(t);
	return ret;
}

void
test_trust_file_shapes(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	const char *dir = shapes_dir();

	/* A certificate said to be encrypted is refused, never asked a
	 * passphrase for (stdin is the terminal's when run by hand). */
	CHECK(u, unit_sh("cd '%s' && sed '1a Proc-Type: 4,ENCRYPTED\\nDEK-Info: "
	    "AES-256-CBC,00112233445566778899AABBCCDDEEFF\\n' '%s/ca.crt' > "
	    "enc.pem", dir, unit_keys()));
	CHECK(u, unit_err(u, load("enc.pem", NULL, &err), &err, DV_ESIG,
	    "enc.pem: "));
	/* Cut inside the last END line. */
	CHECK(u, unit_sh("cd '%s' && head -c -8 '%s/ca.crt' > cut-end.pem",
	    dir, unit_keys()));
	CHECK(u, load("cut-end.pem", NULL, &err) < 0 && err.code == DV_ESIG &&
	    strstr(err.msg, "cut-end.pem") != NULL);
	/* A second certificate cut inside its BEGIN line, which OpenSSL
	 * alone would take for the end of the file. */
	CHECK(u, unit_sh("cd '%s' && cat '%s/ca.crt' > cut-second.pem && "
	    "head -c 15 '%s/accepted.crt' >> cut-second.pem", dir, unit_keys(),
	    unit_keys()));
	CHECK(u, unit_err(u, load("cut-second.pem", NULL, &err), &err, DV_ESIG,
	    "cut-second.pem: ends inside a PEM block (the file is cut short)"));
	/* A CRL alone trusts nothing. */
	CHECK(u, unit_sh("cd '%s' && printf '[ca]\\ndefault_ca = d\\n[d]\\n"
	    "database = index.txt\\ncrlnumber = crlnumber\\ndefault_md = "
	    "sha256\\ndefault_crl_days = 30\\n' > ca.cnf && : > index.txt && "
	    "echo 01 > crlnumber && openssl ca -batch -config ca.cnf -keyfile "
	    "'%s/ca.key' -cert '%s/ca.crt' -gencrl -out ca.crl 2>/dev/null",
	    dir, unit_keys(), unit_keys()));
	CHECK(u, unit_err(u, load("ca.crl", NULL, &err), &err, DV_ESIG,
	    "no certificate in the trust files (only CRLs)"));
	CHECK(u, unit_sh("cp '%s/ca.crt' '%s/ca.pem'", unit_keys(), dir));
	CHECK(u, load("ca.pem", "ca.crl", &err) == 0);
	CHECK(u, unit_err(u, load("ca.pem", "nothing.pem", &err), &err, DV_EIO,
	    "nothing.pem: cannot read: No such file or directory"));
}

void
test_sig_verify_revoked(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_trust *t = NULL;
	struct sig_result res;
	struct sbuf sig = SBUF_INIT(SBUF_NOCAP);
	char ca[700], crl[700];
	const char *paths[] = {ca, crl};

	/* The test CA revokes a signer of its own making. */
	CHECK(u, make_signer("revoked", "/C=US/O=Gone Corp/CN=Gone", ""));
	CHECK(u, unit_sh("cd '%s' && : > index.txt && openssl ca -batch "
	    "-config ca.cnf -keyfile '%s/ca.key' -cert '%s/ca.crt' -revoke "
	    "revoked.crt 2>/dev/null && openssl ca -batch -config ca.cnf "
	    "-keyfile '%s/ca.key' -cert '%s/ca.crt' -gencrl -out revoked.crl "
	    "2>/dev/null", shapes_dir(), unit_keys(), unit_keys(), unit_keys(),
	    unit_keys()));
	snprintf(ca, sizeof(ca), "%s/ca.crt", unit_keys());
	snprintf(crl, sizeof(crl), "%s/revoked.crl", shapes_dir());
	CHECK(u, sig_trust_load(paths, 2, &t, &err) == 0);
	CHECK(u, smime_sign("-signer revoked.crt -inkey revoked.key", &sig));
	CHECK(u, sig_verify(sig.buf, sig.len, signed_text,
	    sizeof(signed_text) - 1, t, &res, &err) == 0);
	CHECK(u, res.status == SIG_UNTRUSTED);
	CHECK_STR(u, res.detail, "certificate chain: certificate revoked (at "
	    "depth 0)");
	/* The CRL's other certificates still pass. */
	CHECK(u, smime_sign("-signer $K/accepted.crt -inkey $K/accepted.key",
	    &sig));
	CHECK(u, sig_verify(sig.buf, sig.len, signed_text,
	    sizeof(signed_text) - 1, t, &res, &err) == 0 &&
	    res.status == SIG_OK && res.chain_checked);
	sig_trust_free(t);
	sbuf_release(&sig);
}
