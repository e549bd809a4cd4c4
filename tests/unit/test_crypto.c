/* test_crypto.c - digests, trust files, PKCS#7 verdicts (openssl-made keys). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../depot/crypto.h"
#include "../../depot/sbuf.h"
#include "unit.h"

static const char content[] = "<vib version=\"5.0\"><name>x</name></vib>\n";

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (fp != NULL) {
		fwrite(data, 1, len, fp);
		fclose(fp);
	}
}

static void
read_file(const char *path, struct sbuf *out)
{
	char buf[4096];
	FILE *fp = fopen(path, "rb");
	size_t n;

	sbuf_reset(out);
	if (fp == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(out, buf, n);
	fclose(fp);
}

/* sig.pkcs7 for content, made by the openssl CLI as mkdepot.py makes it. */
static void
sign(const char *signer, struct sbuf *sig)
{
	char in[600], out[600], cmd[3000];
	const char *keys = unit_keys();

	snprintf(in, sizeof(in), "%s/descriptor.xml", unit_scratch());
	snprintf(out, sizeof(out), "%s/sig.pkcs7", unit_scratch());
	write_file(in, content, sizeof(content) - 1);
	snprintf(cmd, sizeof(cmd), "openssl smime -sign -binary -md sha256 "
	    "-nosmimecap -outform PEM -in '%s' -out '%s' -signer '%s/%s.crt' "
	    "-inkey '%s/%s.key'", in, out, keys, signer, keys, signer);
	sbuf_reset(sig);
	if (system(cmd) == 0)
		read_file(out, sig);
}

/* content encrypted to the accepted signer: PKCS#7 EnvelopedData. */
static void
envelope(struct sbuf *out)
{
	char in[600], path[600], cmd[3000];

	snprintf(in, sizeof(in), "%s/descriptor.xml", unit_scratch());
	snprintf(path, sizeof(path), "%s/enveloped.pem", unit_scratch());
	snprintf(cmd, sizeof(cmd), "openssl smime -encrypt -binary -aes256 "
	    "-outform PEM -in '%s' -out '%s' '%s/accepted.crt'", in, path,
	    unit_keys());
	sbuf_reset(out);
	if (system(cmd) == 0)
		read_file(path, out);
}

static struct sig_trust *
trust_of(const char *name)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_trust *t = NULL;
	char path[600];
	const char *paths[] = {path};

	snprintf(path, sizeof(path), "%s/%s.crt", unit_keys(), name);
	if (sig_trust_load(paths, 1, &t, &err) != 0)
		printf("  %s\n", err.msg);
	return t;
}

void
test_hash_digests(struct unit *u)
{
	char hex[HASH_HEX_MAX], again[HASH_HEX_MAX];
	struct hash *h;

	hash_hex(HASH_SHA256, "abc", 3, hex);
	CHECK_STR(u, hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	hash_hex(HASH_SHA1, "abc", 3, hex);
	CHECK_STR(u, hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	hash_hex(HASH_SHA256, content, sizeof(content) - 1, hex);
	h = hash_new(HASH_SHA256);
	for (size_t i = 0; i < sizeof(content) - 1; i += 7)
		hash_update(h, content + i, sizeof(content) - 1 - i < 7 ?
		    sizeof(content) - 1 - i : 7);
	hash_final_hex(h, again);
	hash_free(h);
	CHECK_STR(u, again, hex);
}

void
test_trust_files(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_trust *t = (struct sig_trust *)1;
	char path[600], cut[600];
	const char *paths[] = {path};
	struct sbuf pem = SBUF_INIT(SBUF_NOCAP);

	snprintf(path, sizeof(path), "%s/ca.crt", unit_keys());
	CHECK(u, sig_trust_load(paths, 1, &t, &err) == 0 && t != NULL);
	sig_trust_free(t);
	/* A file with no certificate, and one cut inside its PEM block. */
	snprintf(path, sizeof(path), "%s/empty.pem", unit_scratch());
	write_file(path, "hello\n", 6);
	t = (struct sig_trust *)1;
	CHECK(u, sig_trust_load(paths, 1, &t, &err) == -DV_ESIG && t == NULL);
	CHECK(u, strstr(err.msg, "no certificate or CRL in file") != NULL);
	snprintf(cut, sizeof(cut), "%s/ca.crt", unit_keys());
	read_file(cut, &pem);
	snprintf(path, sizeof(path), "%s/cut.pem", unit_scratch());
	write_file(path, pem.buf, pem.len / 2);
	t = (struct sig_trust *)1;
	CHECK(u, sig_trust_load(paths, 1, &t, &err) == -DV_ESIG && t == NULL);
	snprintf(path, sizeof(path), "%s/none.pem", unit_scratch());
	t = (struct sig_trust *)1;
	CHECK(u, sig_trust_load(paths, 1, &t, &err) == -DV_EIO && t == NULL);
	/* A folder: it opens, and reading it fails. */
	snprintf(path, sizeof(path), "%s", unit_scratch());
	t = (struct sig_trust *)1;
	CHECK(u, sig_trust_load(paths, 1, &t, &err) == -DV_EIO && t == NULL);
	CHECK(u, strstr(err.msg, ": cannot read: Is a directory") != NULL);
	/* Over 16 MiB (sparse: no disk used): not read to its end. */
	snprintf(path, sizeof(path), "%s/huge.pem", unit_scratch());
	write_file(path, "x", 1);
	CHECK(u, truncate(path, (off_t)(16u << 20) + 1) == 0);
	t = (struct sig_trust *)1;
	CHECK(u, sig_trust_load(paths, 1, &t, &err) == -DV_ESIG && t == NULL);
	CHECK(u, strstr(err.msg, "huge.pem: over 16 MiB, not a certificate "
	    "file") != NULL);
	(void)unlink(path);
	sbuf_release(&pem);
}

void
test_sig_verify_verdicts(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_result res;
	struct sbuf sig = SBUF_INIT(SBUF_NOCAP);
	struct sig_trust *ca = trust_of("ca");
	struct sig_trust *certified = trust_of("certified");
	char other[] = "<vib version=\"5.0\"><name>y</name></vib>\n";

	sign("accepted", &sig);
	CHECK(u, sig.len > 0);
	/* Signature and digest only, then the chain to the test root. */
	CHECK(u, sig_verify(sig.buf, sig.len, content, sizeof(content) - 1,
	    NULL, &res, &err) == 0 && res.status == SIG_OK &&
	    !res.chain_checked);
	CHECK_STR(u, res.org_unit, "Acceptance Signing");
	CHECK(u, strstr(res.subject, "CN=Test Accepted VIB Signing") != NULL);
	CHECK(u, sig_verify(sig.buf, sig.len, content, sizeof(content) - 1,
	    ca, &res, &err) == 0 && res.status == SIG_OK && res.chain_checked &&
	    !res.signer_is_anchor);
	/* Other bytes: the digest does not match. */
	CHECK(u, sig_verify(sig.buf, sig.len, other, sizeof(other) - 1, NULL,
	    &res, &err) == 0 && res.status == SIG_DIGEST_MISMATCH);
	/* The wrong anchor, and a signer from an untrusted root. */
	CHECK(u, sig_verify(sig.buf, sig.len, content, sizeof(content) - 1,
	    certified, &res, &err) == 0 && res.status == SIG_UNTRUSTED);
	CHECK(u, strstr(res.detail, "certificate chain: ") != NULL);
	sign("rogue", &sig);
	CHECK(u, sig_verify(sig.buf, sig.len, content, sizeof(content) - 1,
	    ca, &res, &err) == 0 && res.status == SIG_UNTRUSTED);
	/* A self-signed signer trusted as itself. */
	sign("certified", &sig);
	CHECK(u, sig_verify(sig.buf, sig.len, content, sizeof(content) - 1,
	    certified, &res, &err) == 0 && res.status == SIG_OK &&
	    res.signer_is_anchor);
	/* A server certificate may not sign code. */
	sign("wrongpurpose", &sig);
	CHECK(u, sig_verify(sig.buf, sig.len, content, sizeof(content) - 1,
	    ca, &res, &err) == 0 && res.status == SIG_UNTRUSTED);
	CHECK(u, strstr(res.detail, "signer certificate: ") != NULL);
	/* Not PKCS#7 at all, cut short, and no signature. */
	CHECK(u, sig_verify("junk", 4, content, sizeof(content) - 1, NULL,
	    &res, &err) == 0 && res.status == SIG_MALFORMED);
	CHECK(u, sig_verify(sig.buf, sig.len / 2, content, sizeof(content) - 1,
	    NULL, &res, &err) == 0 && res.status == SIG_MALFORMED);
	CHECK(u, sig_verify("", 0, content, sizeof(content) - 1, NULL, &res,
	    &err) == 0 && res.status == SIG_UNSIGNED);
	/* An encrypted PKCS#7 is well formed, but not a signature. */
	envelope(&sig);
	CHECK(u, sig.len > 0 && sig_verify(sig.buf, sig.len, content,
	    sizeof(content) - 1, NULL, &res, &err) == 0 &&
	    res.status == SIG_MALFORMED);
	CHECK(u, strstr(res.detail, "not SignedData") != NULL);
	/* No bytes behind a length is the caller's mistake, not a verdict. */
	CHECK(u, sig_verify(NULL, 5, content, sizeof(content) - 1, NULL, &res,
	    &err) == -DV_ESIG && res.status == SIG_MALFORMED);
	sig_trust_free(ca);
	sig_trust_free(certified);
	sbuf_release(&sig);
}
