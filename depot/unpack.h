/* unpack.h - a depot zip written out as the files of an online depot. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_UNPACK_H
#define DV_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "depot.h"
#include "error.h"
#include "outdir.h"
#include "xalloc.h"

enum unpack_flags {
	UNPACK_VERIFY = 1 << 0,	  /* check each VIB's size and SHA-256 */
	UNPACK_METADATA = 1 << 1, /* also expand each metadata zip beside it */
	UNPACK_ALL = 1 << 2	  /* also members no metadata names */
};

struct unpack_item {
	const char *name; /* relative path written, or the member skipped */
	uint64_t size;
	const char *sha256; /* written files only */
	const char *reason; /* skipped members only */
};

struct unpack_report {
	struct arena arena;
	struct unpack_item *written;
	size_t nwritten;
	struct unpack_item *skipped;
	size_t nskipped;
	size_t verified; /* VIBs checked against their metadata */
};

/*
 * Write the depot d (opened with depot_open) into out: index.xml, the
 * vendor indexes, the metadata zips and every VIB at its relative path,
 * so that out is an online depot a web server can serve.  Members no
 * metadata names are reported in r->skipped unless UNPACK_ALL.
 * Errors: DV_EMISSING (a VIB file the metadata names is absent),
 * DV_EDIGEST (UNPACK_VERIFY: a VIB's size or SHA-256 differs), DV_EPATH,
 * DV_EZIP, DV_ELIMIT, DV_EEXIST, DV_EINTR, DV_EIO; r is then empty and
 * holds no memory.
 */
int depot_unpack(const struct depot *d, struct outdir *out, unsigned flags,
    struct unpack_report *r, struct dv_error *err);
void unpack_report_release(struct unpack_report *r);

#endif
