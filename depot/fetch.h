/* fetch.h - one image profile from online depots into an offline depot zip. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_FETCH_H
#define DV_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "depot.h"
#include "error.h"
#include "http.h"

struct fetch_opts {
	const char *profile;	    /* the image profile's name */
	const char *out;	    /* OUT.zip; must not exist */
	unsigned jobs;		    /* parallel downloads */
	const struct http_opts *net;
};

struct fetch_report {
	const struct depot_profile *profile;
	const struct depot *from;   /* the depot the profile came from */
	size_t vibs;		    /* VIBs the profile names */
	size_t bulletins;	    /* components written with them */
	size_t releases;	    /* base images and add-ons wholly inside */
	size_t downloaded;	    /* VIBs fetched (whole or the rest) */
	size_t reused;		    /* VIBs verified by an earlier run */
	uint64_t vib_bytes;	    /* their sizes added up */
	uint64_t received;	    /* VIB bytes taken from the network now */
	uint64_t resumed;	    /* bytes in place of partly fetched VIBs
				       reused */
	char state[4096];	    /* where a stopped run's state stays */
};

/*
 * Write o->out: an offline depot zip holding the image profile o->profile
 * found in depots[0..n) (the first is the main channel, the others added
 * channels; the profile and each of its VIBs come from the first depot
 * that has them), exactly its VIBs, their metadata documents and the
 * components whose VIBs it holds.  The depots must be URLs or folders.
 * VIBs are downloaded o->jobs at a time straight into their places in
 * the zip being built in a state folder beside o->out (".OUT.zip.fetch/
 * out.zip"), each verified against its size and SHA-256 as it streams;
 * a journal there lets an interrupted run's next one resume (each hint
 * hashed again before it is trusted).  The zip is finished, synced once,
 * read back as a depot, and only then renamed to o->out; the state
 * folder is removed.  Errors: DV_EEXIST,
 * DV_ENOMATCH, DV_EAMBIGUOUS, DV_EMISSING, DV_EFORMAT, DV_EDIGEST,
 * DV_ENET, DV_EDENIED, DV_EIO, DV_EINTR.
 */
int depot_fetch(struct depot *const *depots, size_t n,
    const struct fetch_opts *o, struct fetch_report *r,
    struct dv_error *err);

#endif
