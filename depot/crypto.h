/* crypto.h - digests and PKCS#7 signature checks (crypto.c wraps OpenSSL). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_CRYPTO_H
#define DV_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum hash_algo {
	HASH_SHA256,
	HASH_SHA1,
};

#define HASH_HEX_MAX 65 /* SHA-256 in hex plus NUL */

/* An incremental digest.  hash_new never fails (out of memory aborts). */
struct hash;
struct hash *hash_new(enum hash_algo algo);
void hash_update(struct hash *h, const void *data, size_t len);
/* Finish into lower-case hex; the hash may then only be freed. */
void hash_final_hex(struct hash *h, char out[HASH_HEX_MAX]);
void hash_free(struct hash *h);
/* One-shot convenience. */
void hash_hex(enum hash_algo algo, const void *data, size_t len,
    char out[HASH_HEX_MAX]);

/*
 * Trust anchors for signature checks: one or more PEM files, each holding
 * CA certificates and optionally CRLs (when any CRL is loaded, CRLs are
 * checked for the whole chain).  Errors: DV_EIO (cannot read a file),
 * DV_ESIG (a file holds no certificate, or a PEM block does not parse).
 * A loaded trust is read-only and may be shared by threads.
 */
struct sig_trust;
int sig_trust_load(const char *const *paths, size_t n,
    struct sig_trust **out, struct dv_error *err);
void sig_trust_free(struct sig_trust *t);

enum sig_status {
	SIG_UNSIGNED,	     /* sig.pkcs7 is empty */
	SIG_OK,		     /* digest matches; chain trusted when asked */
	SIG_MALFORMED,	     /* not a PEM PKCS#7 SignedData we can read */
	SIG_DIGEST_MISMATCH, /* signature does not cover these bytes */
	SIG_UNTRUSTED,	     /* digest fine, chain does not verify */
};

struct sig_result {
	enum sig_status status;
	bool chain_checked; /* a trust was given and the chain was checked */
	char subject[512];  /* signer, one line "C=US, O=..., CN=..." */
	char org[128];	    /* signer subject O= ("" if none) */
	char org_unit[128]; /* signer subject OU= ("" if none) */
	bool signer_is_anchor; /* the signer certificate is itself trusted */
	char detail[256];   /* why, for anything but SIG_OK/SIG_UNSIGNED */
	/* SIG_UNTRUSTED for want of an anchor: the subject of the
	 * certificate that --trust would need, else "". */
	char anchor_wanted[512];
};

/*
 * Check a detached PEM PKCS#7 (sig.pkcs7) over content (descriptor.xml,
 * byte for byte).  Like ESXi: signer certificate time not enforced,
 * purpose "any", chain to trust (when trust is NULL only the signature
 * and digest are checked).  The verdict is in res; the return value is
 * 0, or an error code only when checking could not be attempted.
 */
int sig_verify(const void *sig, size_t siglen, const void *content,
    size_t len, const struct sig_trust *trust, struct sig_result *res,
    struct dv_error *err);

#endif
