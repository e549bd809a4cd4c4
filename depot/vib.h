/* vib.h - read a .vib (ar archive) in one streaming pass (vib.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_VIB_H
#define DV_VIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto.h"
#include "dv_limits.h"
#include "error.h"
#include "sbuf.h"

/* Where the VIB's bytes come from: a zip member stream, or a file. */
struct byte_source {
	/* Bytes read (0 at the end) or a negative error code, err filled. */
	long (*read)(void *ctx, void *buf, size_t len, struct dv_error *err);
	void *ctx;
};

/* A byte source over an open stdio stream (a bare .vib on disk). */
struct byte_source byte_source_of_file(FILE *fp);

/* VIB_MAX_DESCRIPTOR and the other caps on a VIB are in dv_limits.h. */

/* What one pass learned about one payload member. */
struct vib_member {
	char name[17];	      /* ar name, GNU "/" stripped */
	uint64_t size;	      /* stored bytes */
	char sha256[HASH_HEX_MAX]; /* of the stored bytes */
	/* After removing one gzip layer (only when the member is gzip). */
	bool gunzip1;
	uint64_t gunzip1_size;
	char sha256_gunzip1[HASH_HEX_MAX];
	/*
	 * After removing every compression layer found (gzip, then zstd
	 * inside it); equal to the stored bytes when not compressed.
	 */
	bool decompressed; /* false: a layer was damaged, see error */
	uint64_t expanded_size;
	char sha256_expanded[HASH_HEX_MAX];
	char sha1_expanded[HASH_HEX_MAX];
	char error[256]; /* e.g. "gzip data truncated" */
};

struct vib_scan {
	struct sbuf descriptor; /* the descriptor.xml member, verbatim */
	struct sbuf signature;	/* the sig.pkcs7 member, verbatim */
	struct vib_member *members; /* payload members, in file order */
	size_t nmembers;
	uint64_t file_size;	       /* every byte read from the source */
	char file_sha256[HASH_HEX_MAX]; /* of those bytes */
};

void vib_scan_init(struct vib_scan *s);
void vib_scan_release(struct vib_scan *s);

/*
 * Read a whole VIB from src in one pass: the ar members as esximage reads
 * them (vib-and-workflow.md A.1: magic, descriptor.xml first, sig.pkcs7
 * second, GNU "name/" accepted, one "\n" pad byte, lenient numeric
 * fields, sizes checked against what is left), hashing the whole file and
 * each payload as stored, after one gzip layer, and fully decompressed,
 * while the bytes go by (gzip members back to back are one stream, as
 * gzip -d and esximage's Python read them).  what names the VIB in
 * messages.
 * Errors: DV_EVIB (not a valid VIB container, with esximage's reason),
 * DV_ELIMIT, or whatever src->read returns.  A damaged payload stream is
 * not an error of the scan: it is reported in that member's error.
 */
int vib_scan(const struct byte_source *src, const char *what,
    struct vib_scan *out, struct dv_error *err);

/* Which digests of one payload member to compute (vib_want.payload). */
#define VIB_WANT_RAW 0x01u	/* sha256: the stored bytes */
#define VIB_WANT_GUNZIP1 0x02u	/* sha256_gunzip1 */
#define VIB_WANT_SHA256 0x04u	/* sha256_expanded */
#define VIB_WANT_SHA1 0x08u	/* sha1_expanded */
#define VIB_WANT_EXPAND 0x10u	/* expanded_size: decompress it */
/*
 * Decompress it and check each gzip member's CRC-32 and length: for a
 * member no digest covers, or whose trailers none does (only digests of
 * the expanded bytes, none of the stored ones).  Otherwise the digests
 * are the check, and gzip's own is left to them.
 */
#define VIB_WANT_CHECK 0x20u
#define VIB_WANT_ALL 0x1fu

/*
 * What to compute.  payload is called at each payload member, after
 * descriptor.xml (passed in) was read, and returns the VIB_WANT_* bits
 * for it; a NULL payload asks for none (the member is only read past).
 * Digests not asked for are left "".
 */
struct vib_want {
	bool file_sha256;
	unsigned (*payload)(void *ctx, const struct sbuf *descriptor,
	    const char *name);
	void *ctx;
};

/* vib_scan computing only what want asks for; NULL asks for everything. */
int vib_scan_want(const struct byte_source *src, const char *what,
    const struct vib_want *want, struct vib_scan *out, struct dv_error *err);

#endif
