/* mirror.h - keep a local copy of an online depot, and check one offline. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_MIRROR_H
#define DV_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "depot.h"
#include "error.h"
#include "http.h"
#include "xalloc.h"

struct mirror_opts {
	const char *outdir;
	const char *const *versions; /* platform versions to keep; none: all */
	size_t nversions;
	const char *const *profiles; /* profile name globs; none: every VIB */
	size_t nprofiles;
	unsigned jobs;
	const struct http_opts *net;
};

struct mirror_report {
	size_t metadata;     /* metadata zips kept */
	size_t vibs;	     /* VIBs wanted */
	size_t downloaded;   /* missing or changed, fetched now */
	size_t unchanged;    /* already there, SHA-256 right */
	uint64_t received;   /* VIB bytes from the network */
	size_t indexes;	     /* index files written */
};

/*
 * Make or refresh o->outdir from the online depot d (opened from a URL):
 * the same relative paths, so any web server serves it as a depot.  Only
 * the metadata zips of o->versions (a platform version equal to one, or
 * starting with it and a dot) and the VIBs of the profiles matching
 * o->profiles are kept.  A VIB already there with the right size and
 * SHA-256 is not downloaded; the others are, o->jobs at a time, into
 * OUTDIR/.esxstage-partial, and renamed to their place once verified.
 * Only when every VIB is in place are the metadata zips, vendor indexes
 * and at last the root index written (each to a temporary name, then
 * renamed).  Nothing is deleted.  Errors: as depot_fetch.
 */
int depot_mirror(struct depot *d, const struct mirror_opts *o,
    struct mirror_report *r, struct dv_error *err);

/* What depot_check found. */
struct check_report {
	size_t vibs;		  /* VIB files checked */
	struct dv_diags problems; /* DV_DIAG_FAILs: "MEMBER: what is wrong" */
};

/*
 * Check a mirror or an unpacked depot d (opened from its folder) against
 * its own metadata: every VIB file there with its size and SHA-256, and
 * no metadata zip in the folder that no vendor index names.  Problems go
 * into r; the return value is an error only when checking could not run.
 */
int depot_check(const struct depot *d, struct check_report *r,
    struct dv_error *err);
void check_report_release(struct check_report *r);

#endif
