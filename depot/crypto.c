/* crypto.c - the only user of OpenSSL: digests and sig.pkcs7 checks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/opensslv.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "error.h"
#include "xalloc.h"

/*
 * A trust file is a handful of PEM certificates; anything this big is the
 * wrong file (or /dev/zero), and reading it whole would only eat memory.
 */
#define TRUST_FILE_MAX (16u << 20)

struct hash {
	EVP_MD_CTX *ctx;
	/*
	 * Set when OpenSSL refused a step.  The digest then comes out as ""
	 * so that it can never equal an expected checksum: fail closed
	 * rather than abort the whole program over one digest.
	 */
	bool failed;
};

/*
 * Trust anchors, read-only once loaded.  Only the certificate and CRL
 * lists are kept, not an X509_STORE: a store sorts and caches behind its
 * lock on lookups, so each sig_verify builds its own small store from
 * these lists and no thread ever writes to what the others read.
 */
struct sig_trust {
	STACK_OF(X509) *certs;
	STACK_OF(X509_CRL) *crls;
};

/*
 * Subject lines are one line, RFC 2253 escaping, most significant RDN
 * first, "C=US, O=VMware Inc, OU=Acceptance Signing, CN=...", values with
 * separators in double quotes ("O=\"VMware, Inc.\"").  Non-ASCII values
 * print as UTF-8 instead of \XX escapes; control characters stay escaped
 * so the line cannot be split.
 */
#define SUBJECT_FLAGS \
	(XN_FLAG_ONELINE & \
	    ~(unsigned long)(XN_FLAG_SPC_EQ | ASN1_STRFLGS_ESC_MSB))

static const EVP_MD *
hash_md(enum hash_algo algo)
{
	return algo == HASH_SHA1 ? EVP_sha1() : EVP_sha256();
}

/*
 * Describe the oldest error on this thread's OpenSSL queue (the cause;
 * later entries only say which caller gave up), then empty the queue so
 * nothing leaks into the next call.
 */
static void
ossl_reason(char *buf, size_t size)
{
	const char *data = NULL, *lib, *reason;
	unsigned long e;
	int flags = 0;
	size_t len;

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
#else
	e = ERR_get_error_line_data(NULL, NULL, &data, &flags);
#endif
	if (e == 0) {
		snprintf(buf, size, "unknown OpenSSL failure");
		ERR_clear_error();
		return;
	}
	reason = ERR_reason_error_string(e);
	lib = ERR_lib_error_string(e);
	if (reason == NULL)
		ERR_error_string_n(e, buf, size);
	else if (lib != NULL)
		snprintf(buf, size, "%s: %s", lib, reason);
	else
		snprintf(buf, size, "%s", reason);
	if (data != NULL && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
		len = strlen(buf);
		snprintf(buf + len, size - len, " (%s)", data);
	}
	ERR_clear_error();
}

/* An error return carrying OpenSSL's reason: "what: reason". */
static int
ossl_error(struct dv_error *err, int code, const char *what)
{
	char reason[256];

	ossl_reason(reason, sizeof(reason));
	return dv_error_set(err, code, "%s: %s", what, reason);
}

/*
 * PEM input is never encrypted here.  Without this callback OpenSSL's
 * default would prompt on the terminal for a passphrase when a file says
 * "Proc-Type: 4,ENCRYPTED", and a library must never do that.
 */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

struct hash *
hash_new(enum hash_algo algo)
{
	struct hash *h;

	h = xcalloc(1, sizeof(*h));
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL ||
	    EVP_DigestInit_ex(h->ctx, hash_md(algo), NULL) != 1) {
		h->failed = true;
		ERR_clear_error();
	}
	return h;
}

void
hash_update(struct hash *h, const void *data, size_t len)
{
	if (h->failed || len == 0)
		return;
	if (EVP_DigestUpdate(h->ctx, data, len) != 1) {
		h->failed = true;
		ERR_clear_error();
	}
}

void
hash_final_hex(struct hash *h, char out[HASH_HEX_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t i;

	out[0] = '\0';
	if (h->failed)
		return;
	if (EVP_DigestFinal_ex(h->ctx, md, &mdlen) != 1 ||
	    (size_t)mdlen * 2 >= HASH_HEX_MAX) {
		h->failed = true;
		ERR_clear_error();
		return;
	}
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[2 * (size_t)mdlen] = '\0';
}

void
hash_free(struct hash *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

void
hash_hex(enum hash_algo algo, const void *data, size_t len,
    char out[HASH_HEX_MAX])
{
	struct hash *h;

	h = hash_new(algo);
	hash_update(h, data, len);
	hash_final_hex(h, out);
	hash_free(h);
}

/* Read a whole trust file; DV_EIO with errno when it cannot be read. */
static int
read_trust_file(const char *path, char **bufp, size_t *lenp,
    struct dv_error *err)
{
	FILE *fp = NULL;
	char *buf = NULL;
	size_t len = 0, alloc = 0, n;
	int ret;

	fp = fopen(path, "r");
	if (fp == NULL)
		return dv_error_errno(err, DV_EIO, "%s: cannot read", path);
	for (;;) {
		if (len == alloc) {
			if (alloc >= TRUST_FILE_MAX) {
				ret = dv_error_set(err, DV_ESIG,
				    "%s: over %u MiB, not a certificate file",
				    path, TRUST_FILE_MAX >> 20);
				goto out;
			}
			alloc = alloc == 0 ? 8192 : alloc * 2;
			buf = xrealloc(buf, alloc);
		}
		n = fread(buf + len, 1, alloc - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot read", path);
		goto out;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	fclose(fp);
	return ret;
}

/*
 * Whether the text ends inside a PEM block: a "-----" after the last
 * "-----END ...-----" line.  OpenSSL takes a block cut off at its start
 * ("-----BEGIN CERT") for the end of the file and quietly drops it, so a
 * trust file cut short would lose its last certificates without a word.
 */
static bool
pem_truncated(const char *buf, size_t len)
{
	static const char end[] = "-----END ", dashes[] = "-----";
	const char *p = buf, *q, *last = NULL;

	while ((q = memmem(p, len - (size_t)(p - buf), end, sizeof(end) - 1))
	    != NULL) {
		last = q;
		p = q + sizeof(end) - 1;
	}
	if (last != NULL) {
		p = last + sizeof(end) - 1;
		q = memmem(p, len - (size_t)(p - buf), dashes,
		    sizeof(dashes) - 1);
		if (q == NULL)
			return true;
		p = q + sizeof(dashes) - 1;
	}
	return memmem(p, len - (size_t)(p - buf), dashes,
	    sizeof(dashes) - 1) != NULL;
}

/* Add every certificate and CRL of one PEM file to t. */
static int
trust_add_file(struct sig_trust *t, const char *path, struct dv_error *err)
{
	STACK_OF(X509_INFO) *infos = NULL;
	X509_INFO *xi;
	BIO *bio = NULL;
	char *buf = NULL;
	size_t len = 0;
	int i, ncerts = 0, ncrls = 0, ret;

	ret = read_trust_file(path, &buf, &len, err);
	if (ret != 0)
		return ret;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio == NULL) {
		ret = ossl_error(err, DV_ESIG, path);
		goto out;
	}
	infos = PEM_X509_INFO_read_bio(bio, NULL, no_passphrase, NULL);
	if (infos == NULL) {
		ret = ossl_error(err, DV_ESIG, path);
		goto out;
	}
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		xi = sk_X509_INFO_value(infos, i);
		if (xi->x509 != NULL) {
			/*
			 * Fill the certificate's cached extension data now,
			 * while only this thread can see it, so verifying
			 * threads later only read it.
			 */
			(void)X509_get_extension_flags(xi->x509);
			if (sk_X509_push(t->certs, xi->x509) <= 0) {
				ret = ossl_error(err, DV_ESIG, path);
				goto out;
			}
			xi->x509 = NULL;
			ncerts++;
		}
		if (xi->crl != NULL) {
			/*
			 * OpenSSL sorts the revoked list on the first
			 * lookup; do it here for the same reason.
			 */
			sk_X509_REVOKED_sort(X509_CRL_get_REVOKED(xi->crl));
			if (sk_X509_CRL_push(t->crls, xi->crl) <= 0) {
				ret = ossl_error(err, DV_ESIG, path);
				goto out;
			}
			xi->crl = NULL;
			ncrls++;
		}
	}
	/* vmpartner.crl may come as its own file beside vmpartner.cert. */
	if (ncerts == 0 && ncrls == 0) {
		ret = dv_error_set(err, DV_ESIG,
		    "%s: no certificate or CRL in file", path);
		goto out;
	}
	if (pem_truncated(buf, len)) {
		ret = dv_error_set(err, DV_ESIG,
		    "%s: ends inside a PEM block (the file is cut short)",
		    path);
		goto out;
	}
	ret = 0;
out:
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(bio);
	free(buf);
	ERR_clear_error();
	return ret;
}

int
sig_trust_load(const char *const *paths, size_t n, struct sig_trust **out,
    struct dv_error *err)
{
	struct sig_trust *t = NULL;
	size_t i;
	int ret;

	*out = NULL;
	ERR_clear_error();
	t = xcalloc(1, sizeof(*t));
	t->certs = sk_X509_new_null();
	t->crls = sk_X509_CRL_new_null();
	if (t->certs == NULL || t->crls == NULL) {
		ret = ossl_error(err, DV_ESIG, "trust store");
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = trust_add_file(t, paths[i], err);
		if (ret != 0)
			goto out;
	}
	if (sk_X509_num(t->certs) == 0) {
		ret = dv_error_set(err, DV_ESIG,
		    "no certificate in the trust files (only CRLs)");
		goto out;
	}
	*out = t;
	t = NULL;
	ret = 0;
out:
	sig_trust_free(t);
	ERR_clear_error();
	return ret;
}

void
sig_trust_free(struct sig_trust *t)
{
	if (t == NULL)
		return;
	sk_X509_pop_free(t->certs, X509_free);
	sk_X509_CRL_pop_free(t->crls, X509_CRL_free);
	free(t);
}

/* Copy len bytes as a string, cutting at a UTF-8 boundary if too long. */
static void
copy_text(char *dst, size_t size, const char *src, size_t len)
{
	size_t n;

	n = len;
	if (n > size - 1) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * The first name entry of type nid, as UTF-8.  Control characters become
 * '?': the value is printed on one line and compared as text, and an
 * embedded NUL must not shorten it into something it is not.
 */
static void
name_field(const X509_NAME *name, int nid, char *dst, size_t size)
{
	const X509_NAME_ENTRY *ne;
	unsigned char *utf8 = NULL;
	size_t i;
	int idx, len;

	dst[0] = '\0';
	idx = X509_NAME_get_index_by_NID(name, nid, -1);
	if (idx < 0)
		return;
	ne = X509_NAME_get_entry(name, idx);
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(ne));
	if (len < 0) {
		/* Unreadable: leave "", which matches no policy. */
		ERR_clear_error();
		return;
	}
	copy_text(dst, size, (const char *)utf8, (size_t)len);
	for (i = 0; dst[i] != '\0'; i++) {
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
	}
	OPENSSL_free(utf8);
}

/* A name as one display line "C=US, O=..., CN=..." ("" if it fails). */
static void
name_line(const X509_NAME *name, char *dst, size_t cap)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;

	dst[0] = '\0';
	/* Only a display string; no verdict uses it. */
	if (bio != NULL && X509_NAME_print_ex(bio, name, 0, SUBJECT_FLAGS) >= 0 &&
	    (len = BIO_get_mem_data(bio, &data)) > 0)
		copy_text(dst, cap, data, (size_t)len);
	BIO_free(bio);
	ERR_clear_error();
}

/* Fill subject, org and org_unit from the signer certificate. */
static void
describe_signer(X509 *signer, struct sig_result *res)
{
	const X509_NAME *name = X509_get_subject_name(signer);

	name_field(name, NID_organizationName, res->org, sizeof(res->org));
	name_field(name, NID_organizationalUnitName, res->org_unit,
	    sizeof(res->org_unit));
	name_line(name, res->subject, sizeof(res->subject));
}

/*
 * Which certificate --trust lacks, when the chain stopped for want of an
 * anchor: the issuer of the last certificate found, or the self-signed
 * root the chain reached without trusting it.
 */
static void
wanted_anchor(X509_STORE_CTX *ctx, int verr, struct sig_result *res)
{
	X509 *at = X509_STORE_CTX_get_current_cert(ctx);

	if (at == NULL)
		return;
	if (verr == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    verr == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT)
		name_line(X509_get_issuer_name(at), res->anchor_wanted,
		    sizeof(res->anchor_wanted));
	else if (verr == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
	    verr == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
		name_line(X509_get_subject_name(at), res->anchor_wanted,
		    sizeof(res->anchor_wanted));
}

/* The verdict: set status and, printf-style, the detail. */
static void
verdict(struct sig_result *res, enum sig_status status, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
verdict(struct sig_result *res, enum sig_status status, const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
}

/*
 * Step 2: the signer certificate must chain to the trust, as ESXi's
 * VibSign checks it: purpose "any" (the accepted signer has EKU
 * codeSigning only, which the S/MIME default would refuse), validity
 * times ignored (VMware keeps shipping VIBs signed by the expired
 * accepted signer), the certificates carried in the PKCS#7 as
 * intermediates, and CRLs when the trust has any.
 */
/*
 * Like ESXi, which pairs vmpartner.cert with vmpartner.crl but checks
 * certified VIBs against vmware.cert alone: revocation is checked, for
 * the whole chain, when the trust holds a CRL by the signer's issuer.
 */
static unsigned long
crl_flags(const struct sig_trust *trust, X509 *signer)
{
	X509_NAME *issuer = X509_get_issuer_name(signer);

	for (int i = 0; i < sk_X509_CRL_num(trust->crls); i++)
		if (X509_NAME_cmp(X509_CRL_get_issuer(sk_X509_CRL_value(
		    trust->crls, i)), issuer) == 0)
			return X509_V_FLAG_CRL_CHECK |
			    X509_V_FLAG_CRL_CHECK_ALL;
	return 0;
}

/*
 * Purpose "any" lets the chain through whatever the signer certificate
 * says it is for, as ESXi does; but a signer whose own extensions forbid
 * signing was never meant to sign anything (a TLS server certificate, a
 * key-encipherment key) and is refused.  Real VIB signers either carry no
 * such extensions (VMware Certified VIB Signing) or allow digital
 * signatures and code signing (VMware Accepted VIB Signing).  NULL when
 * the certificate may sign, else why not.
 */
static const char *
signer_purpose_problem(X509 *signer)
{
	uint32_t ku = X509_get_key_usage(signer);
	uint32_t xku = X509_get_extended_key_usage(signer);

	if ((ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
		return "its key usage does not allow digital signatures";
	if ((xku & (XKU_CODE_SIGN | XKU_SMIME | XKU_ANYEKU)) == 0)
		return "its extended key usage allows neither code signing "
		    "nor S/MIME";
	return NULL;
}

/*
 * X509_V_FLAG_PARTIAL_CHAIN: any certificate given with --trust is an
 * anchor, so a signer certificate (as sig.pkcs7 carries it) can be
 * trusted directly even when it is not a self-signed root.
 */
static int
check_chain(PKCS7 *p7, X509 *signer, const struct sig_trust *trust,
    struct sig_result *res, struct dv_error *err)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	STACK_OF(X509) *chain;
	const char *purpose;
	char reason[200];
	int i, n, ret, vret, verr;

	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	if (store == NULL || ctx == NULL) {
		ret = ossl_error(err, DV_ESIG, "certificate store");
		goto out;
	}
	for (i = 0; i < sk_X509_num(trust->certs); i++) {
		if (X509_STORE_add_cert(store,
		    sk_X509_value(trust->certs, i)) != 1) {
			ret = ossl_error(err, DV_ESIG, "certificate store");
			goto out;
		}
	}
	for (i = 0; i < sk_X509_CRL_num(trust->crls); i++) {
		if (X509_STORE_add_crl(store,
		    sk_X509_CRL_value(trust->crls, i)) != 1) {
			ret = ossl_error(err, DV_ESIG, "certificate store");
			goto out;
		}
	}
	if (X509_STORE_CTX_init(ctx, store, signer, p7->d.sign->cert) != 1) {
		ret = ossl_error(err, DV_ESIG, "certificate store");
		goto out;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	if (X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_ANY) != 1 ||
	    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME |
	    X509_V_FLAG_PARTIAL_CHAIN | crl_flags(trust, signer)) != 1) {
		ret = ossl_error(err, DV_ESIG, "certificate store");
		goto out;
	}
	res->chain_checked = true;
	vret = X509_verify_cert(ctx);
	if (vret == 1 && (purpose = signer_purpose_problem(signer)) != NULL) {
		verdict(res, SIG_UNTRUSTED, "signer certificate: %s", purpose);
	} else if (vret == 1) {
		/*
		 * The verified chain ends at the trust anchor; when that is
		 * the signer itself (like "VMware Certified VIB Signing" in
		 * vmware.cert) the caller's certified-level rule holds.
		 */
		chain = X509_STORE_CTX_get0_chain(ctx);
		n = sk_X509_num(chain);
		res->signer_is_anchor = n > 0 &&
		    X509_cmp(sk_X509_value(chain, n - 1), signer) == 0;
	} else {
		verr = X509_STORE_CTX_get_error(ctx);
		if (verr != X509_V_OK) {
			verdict(res, SIG_UNTRUSTED,
			    "certificate chain: %s (at depth %d)",
			    X509_verify_cert_error_string(verr),
			    X509_STORE_CTX_get_error_depth(ctx));
			wanted_anchor(ctx, verr, res);
		} else {
			/* No verdict reason: fail closed with OpenSSL's. */
			ossl_reason(reason, sizeof(reason));
			verdict(res, SIG_UNTRUSTED, "certificate chain: %s",
			    reason);
		}
	}
	ret = 0;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ret;
}

int
sig_verify(const void *sig, size_t siglen, const void *content, size_t len,
    const struct sig_trust *trust, struct sig_result *res,
    struct dv_error *err)
{
	STACK_OF(PKCS7_SIGNER_INFO) *sinfos;
	STACK_OF(X509) *signers = NULL;
	PKCS7 *p7 = NULL;
	BIO *sbio = NULL, *cbio = NULL;
	X509 *signer;
	char reason[200];
	int ret, n;

	memset(res, 0, sizeof(*res));
	/* Never leave SIG_OK (or the zero value) behind on an error. */
	res->status = SIG_MALFORMED;
	ERR_clear_error();
	if ((sig == NULL && siglen != 0) || (content == NULL && len != 0)) {
		ret = dv_error_set(err, DV_ESIG, "sig_verify: no data");
		goto out;
	}
	if (siglen == 0) {
		res->status = SIG_UNSIGNED;
		ret = 0;
		goto out;
	}
	/* BIO lengths are ints; neither member comes near (see vib.h). */
	if (siglen > INT_MAX) {
		verdict(res, SIG_MALFORMED, "signature too large");
		ret = 0;
		goto out;
	}
	if (len > INT_MAX) {
		ret = dv_error_set(err, DV_ELIMIT,
		    "signed content of %zu bytes is too large to check", len);
		goto out;
	}

	sbio = BIO_new_mem_buf(sig, (int)siglen);
	/* A zero-length BIO_new_mem_buf needs a non-NULL buffer. */
	cbio = BIO_new_mem_buf(len == 0 ? "" : content, (int)len);
	if (sbio == NULL || cbio == NULL) {
		ret = ossl_error(err, DV_ESIG, "sig_verify");
		goto out;
	}
	/* Only PEM "PKCS7", as ESXi reads it; "BEGIN CMS" is refused. */
	p7 = PEM_read_bio_PKCS7(sbio, NULL, no_passphrase, NULL);
	if (p7 == NULL) {
		ossl_reason(reason, sizeof(reason));
		verdict(res, SIG_MALFORMED, "not a PEM PKCS#7: %s", reason);
		ret = 0;
		goto out;
	}
	if (!PKCS7_type_is_signed(p7) || p7->d.sign == NULL) {
		verdict(res, SIG_MALFORMED, "PKCS#7 type %s, not SignedData",
		    OBJ_nid2ln(OBJ_obj2nid(p7->type)));
		ret = 0;
		goto out;
	}
	if (!PKCS7_get_detached(p7)) {
		verdict(res, SIG_MALFORMED,
		    "PKCS#7 carries its own content, not a detached signature");
		ret = 0;
		goto out;
	}
	sinfos = PKCS7_get_signer_info(p7);
	n = sinfos == NULL ? 0 : sk_PKCS7_SIGNER_INFO_num(sinfos);
	if (n != 1) {
		verdict(res, SIG_MALFORMED, "%d signers, expected exactly one",
		    n);
		ret = 0;
		goto out;
	}
	signers = PKCS7_get0_signers(p7, NULL, 0);
	if (signers == NULL || sk_X509_num(signers) != 1) {
		ossl_reason(reason, sizeof(reason));
		verdict(res, SIG_MALFORMED,
		    "signer certificate not in the signature: %s", reason);
		ret = 0;
		goto out;
	}
	signer = sk_X509_value(signers, 0);
	describe_signer(signer, res);

	/*
	 * Step 1, always: the signature and the messageDigest attribute over
	 * the exact content bytes, no chain (so "tampered" and "untrusted"
	 * stay apart).
	 */
	if (PKCS7_verify(p7, NULL, NULL, cbio, NULL,
	    PKCS7_NOVERIFY | PKCS7_BINARY) != 1) {
		ossl_reason(reason, sizeof(reason));
		verdict(res, SIG_DIGEST_MISMATCH,
		    "signature does not match the signed content: %s", reason);
		ret = 0;
		goto out;
	}
	res->status = SIG_OK;
	ret = 0;
	if (trust != NULL)
		ret = check_chain(p7, signer, trust, res, err);
out:
	if (ret != 0) {
		res->status = SIG_MALFORMED;
		res->chain_checked = false;
		res->signer_is_anchor = false;
		if (err != NULL)
			copy_text(res->detail, sizeof(res->detail), err->msg,
			    strlen(err->msg));
	}
	sk_X509_free(signers);
	PKCS7_free(p7);
	BIO_free(sbio);
	BIO_free(cbio);
	ERR_clear_error();
	return ret;
}
