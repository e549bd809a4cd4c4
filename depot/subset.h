/* subset.h - one image's metadata documents, out of a depot's. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_SUBSET_H
#define DV_SUBSET_H

#include <stddef.h>

#include "depot.h"
#include "error.h"
#include "sbuf.h"
#include "smap.h"
#include "xalloc.h"

/* What to keep, and where the documents come from. */
struct subset_in {
	struct depot *const *depots; /* the channels; records come from any */
	size_t ndepots;
	/*
	 * Only the records of this metadata zip of depots[0] (mirror: one
	 * zip rewritten in place), with its vendor-index.xml copied; NULL:
	 * every metadata zip of every depot (fetch: one zip of them all).
	 */
	const char *metadata;
	const struct depot_profile *const *profiles; /* kept whole */
	size_t nprofiles;
	const struct depot_vib *const *vibs; /* kept: their vibs/ documents */
	size_t nvibs;
	/*
	 * The vibs/ document of a kept VIB that only vmware.xml describes
	 * (no vibs/ in its metadata zip); NULL refuses such a VIB.
	 */
	int (*legacy_doc)(void *ctx, const struct depot_vib *v,
	    struct sbuf *out, struct dv_error *err);
	void *ctx;
	/*
	 * Mirror, a zip whose VIBs only vmware.xml describes: that document
	 * as vmware_xml_trim made it, written as the zip's vmware.xml; it
	 * describes the kept VIBs (legacy_doc is not used).
	 */
	const struct sbuf *vmware_xml;
};

struct subset_report {
	size_t bulletins; /* components kept */
	size_t releases;  /* base images, add-ons, manifests, solutions */
};

/*
 * Write a metadata zip (into out, at most DV_MAX_METADATA_ZIP bytes)
 * holding the kept profiles and VIBs' documents as they are, the
 * components a kept profile lists or whose VIBs are all kept, and the
 * base images, add-ons, manifests and solutions (ESXi 7+) whose
 * components are all kept components.  vmware.xml is left out (esxcli
 * and PowerCLI do not read it beside vibs/) unless in->vmware_xml gives
 * it.  Errors: DV_EMISSING, DV_EFORMAT,
 * DV_ELIMIT, DV_EZIP, DV_EIO and the sources' download errors.
 */
int metadata_subset(const struct subset_in *in, struct sbuf *out,
    struct subset_report *r, struct dv_error *err);

/*
 * vmware.xml of d's metadata zip member (the legacy aggregate, read when
 * the zip has no vibs/), cut down to the <bulletin>s whose id is in named
 * or that hold a VIB whose id is in wanted, into out; the rest of the
 * document byte for byte.  vmware.xml describes a VIB only inside its
 * bulletins, and a bulletin is kept whole (it is a component), so every
 * VIB the kept bulletins hold is needed: their ids are pushed onto more
 * (char *, the caller frees them).  Errors: DV_EMISSING, DV_EFORMAT (a
 * document whose bulletins cannot be cut out byte for byte), DV_ELIMIT,
 * DV_EZIP and the sources' download errors.
 */
int vmware_xml_trim(const struct depot *d, const char *member,
    const struct smap *named, const struct smap *wanted, struct sbuf *out,
    struct ptrvec *more, struct dv_error *err);

/*
 * The metadata zip a record's source ("MZ: doc") names in d, and the
 * document's name inside it (*doc); NULL when it names none.
 */
const struct depot_metadata *metadata_of_record(const struct depot *d,
    const char *source, const char **doc);

#endif
