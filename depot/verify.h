/* verify.h - check every byte of a depot against its metadata. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_VERIFY_H
#define DV_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"
#include "depot.h"
#include "progress.h"
#include "sbuf.h"
#include "vib.h"

struct verify_opts {
	const struct sig_trust *trust; /* NULL: signatures, not the chain */
	int jobs;		       /* worker threads, at least 1 */
	struct dv_progress *progress;  /* counted as VIBs are read, or NULL */
	/*
	 * nside tasks the workers run beside the VIBs, taken first and in
	 * order (so the longest goes first): side(side_ctx, i, err) for i
	 * from 0.  bundle create copies the depot file while its VIBs are
	 * checked, so that each byte comes from the disk once and the copy
	 * overlaps the digests, and checks its smaller inputs on the same
	 * threads.  A task's error stops depot_verify and is returned.
	 */
	int (*side)(void *ctx, size_t i, struct dv_error *err);
	void *side_ctx;
	size_t nside;
};

/* The verdict on one VIB, and what was read to reach it. */
struct verify_vib {
	const struct depot_vib *meta; /* the depot's record; NULL: bare .vib */
	bool scanned;		      /* the file was found and read */
	bool ok;
	/* Why it FAILED (DV_DIAG_FAIL), and notes that do not fail it. */
	struct dv_diags diags;
	struct sig_result sig;
	/* Kept only when verify_vib_run is asked to (show-vib). */
	struct vib_scan scan;
	struct arena arena;
	struct depot_vib *descriptor; /* descriptor.xml parsed, or NULL */
};

/* Ready v for verify_vib_run; meta is the depot's record or NULL. */
void verify_vib_init(struct verify_vib *v, const struct depot_vib *meta);
/*
 * Read one VIB from src and check it against v->meta.  what names it in messages.  With keep, the scan and
 * the parsed descriptor stay in v for the caller.
 */
void verify_vib_run(struct verify_vib *v, const struct byte_source *src,
    const char *what, const struct sig_trust *trust, bool keep);
void verify_vib_release(struct verify_vib *v);

struct verify_report {
	struct verify_vib *vibs; /* in the depot's order (by name) */
	size_t nvibs;
	/* The depot's structure: failures and warnings, in that order. */
	struct dv_diags structure;
	size_t failed;		/* VIBs and structure items that failed */
	bool trust_checked;
};

/*
 * Verify the depot d: structure (every profile's and bulletin's VIBs
 * exist, every VIB file exists, no VIB file is unreferenced), then each
 * VIB in one streaming pass: packed-size and SHA-256 against the metadata
 * (and vmware.xml), the ar container, the descriptor against the
 * metadata, every payload size and checksum, and the signature with the
 * acceptance-level rule.  Bad content is a verdict in out, not an error;
 * the return value is non-zero only when verifying could not run (the
 * depot cannot be reopened: DV_EIO, DV_EZIP).
 */
int depot_verify(const struct depot *d, const struct verify_opts *o,
    struct verify_report *out, struct dv_error *err);
void verify_report_release(struct verify_report *r);

#endif
