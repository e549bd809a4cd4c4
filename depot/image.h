/* image.h - an image profile as the set of VIBs a host ends up with. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_IMAGE_H
#define DV_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto.h"
#include "depot.h"
#include "progress.h"
#include "error.h"
#include "xalloc.h"

/*
 * One VIB of an image, and where its bytes are: a member of an opened
 * depot (depot set), or a bare .vib file on disk (file set).
 */
struct image_vib {
	const struct depot_vib *vib;
	const struct depot *depot; /* NULL for a bare .vib */
	const char *file;	   /* a bare .vib's path, else NULL */
	const char *descriptor;	   /* a bare .vib's descriptor.xml text */
	size_t descriptor_len;
	const char *origin; /* the input it came from, for messages */
};

/*
 * The resolved image: the VIBs a profile names (or a composition
 * produces), sorted by name then version, and the components whose VIBs
 * are all there.  Everything is owned by arena, or by the depots the
 * VIBs point into, which must outlive the image.
 */
struct image {
	struct arena arena;
	const char *name;
	const char *creator;
	const char *description;
	enum dv_acceptance acceptance;
	struct image_vib *vibs;
	size_t nvibs;
	const struct depot_bulletin **components; /* whole ones, by name */
	size_t ncomponents;
	struct dv_strlist missing; /* VIB ids named but not in the depot */
	/* Where components are looked up: the depots the VIBs came from. */
	const struct depot *const *depots;
	size_t ndepots;
	const struct depot_profile *profile; /* the one it was read from */
	const char *origin;		     /* its depot's path */
};

/* The image profile p of depot d.  Never fails: missing VIBs are noted. */
void image_from_profile(struct image *img, const struct depot *d,
    const struct depot_profile *p);
/*
 * An image of the given VIBs (copied); components are taken from the
 * bulletins of the given depots whose VIBs are all in the image.
 */
void image_from_vibs(struct image *img, const struct image_vib *vibs,
    size_t n, const struct depot *const *depots, size_t ndepots);
void image_release(struct image *img);

/* The VIB of that name in img, or NULL (the first when there are two). */
const struct image_vib *image_find_name(const struct image *img,
    const char *name);

/*
 * The ESXi version the image is for, "8.0.3", from its esx-base VIB
 * (esximage's own reading of the image's platform), or NULL when it has
 * none.  out holds at least 32 bytes.
 */
const char *image_esx_version(const struct image *img, char *out,
    size_t outlen);

/*
 * Whether a VIB of version have satisfies "relation version" (<<, <=, =,
 * >=, >>; relation NULL: any version does).  A constraint's version
 * without a release ("8.0.0") compares with the version part alone, as
 * esximage's VibVersion does when one side has no release.
 */
bool image_relation_holds(const char *have, const char *relation,
    const char *version);
/* Whether VIB v satisfies the constraint c by its name or a provides. */
bool image_vib_satisfies(const struct depot_vib *v,
    const struct depot_relation *c);
/* "name >= 1.2" or "name" into out (at most outlen bytes). */
void image_relation_text(const struct depot_relation *c, char *out,
    size_t outlen);

/* ---- validation (image_validate.c) -------------------------------------- */

enum image_rule {
	IMAGE_RULE_MISSING,    /* the profile names a VIB the depot lacks */
	IMAGE_RULE_BASE,       /* no esx-base: not a bootable ESXi image */
	IMAGE_RULE_DEPENDS,    /* a depends constraint unmet */
	IMAGE_RULE_CONFLICTS,  /* a conflicts constraint holds */
	IMAGE_RULE_TWO_VERSIONS, /* two versions of one VIB name */
	IMAGE_RULE_REPLACES,   /* a VIB another one replaces is still there */
	IMAGE_RULE_PLATFORM,   /* a VIB does not fit the ESXi version */
	IMAGE_RULE_CHECKSUM,   /* 8.0+: a payload lacks its sha-256 gunzip */
	IMAGE_RULE_FILES,      /* two non-overlay VIBs claim one file */
	IMAGE_RULE_ACCEPTANCE, /* the profile's level is above a VIB's */
	IMAGE_RULE_COMPONENT,  /* 7.0+: a component only partly there */
	IMAGE_RULE_REMOVE,     /* compose: removing what must stay */
	IMAGE_RULE_VERSION,    /* compose: an --add older than what is there */
	IMAGE_RULE_SIGNATURE,  /* compose --trust: a VIB's signature */
	IMAGE_RULE_COUNT
};

/* "missing-vib", "depends" and so on: the names --json uses. */
const char *image_rule_name(enum image_rule r);

struct image_problem {
	enum image_rule rule;
	const char *text; /* one line, esximage's words and what fixes it */
};

struct image_report {
	struct arena arena;
	struct image_problem *v;
	size_t n, alloc;
	const char *esx_version; /* what the platform checks used, or NULL */
};

void image_report_init(struct image_report *r);
void image_report_release(struct image_report *r);
void image_report_add(struct image_report *r, enum image_rule rule,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Check img as esximage checks an image profile (image-builders.md,
 * depot-format.md §11): each problem one line in r.  pool holds other
 * VIBs the user has at hand (the base depot, the --add inputs): when one
 * of them would satisfy an unmet dependency, the line says so.  Cost:
 * O(n log n) in the VIBs, relations and files; nothing is traversed
 * transitively, so dependency cycles and provides loops cost nothing.
 */
void image_validate(const struct image *img, const struct image_vib *pool,
    size_t npool, struct image_report *r);

/* ---- composition (image_compose.c) ---------------------------------- */

struct compose_opts {
	const char *base;	 /* BASE.zip */
	const char *profile;	 /* BASE-PROFILE */
	const char *name;	 /* NEW-NAME */
	const char *vendor;	 /* creator; NULL: the base profile's */
	const char *description; /* NULL: says what was done */
	bool acceptance_set;
	enum dv_acceptance acceptance;
	const char *const *adds; /* depot or component zips, bare .vibs */
	size_t nadds;
	const char *const *removes; /* VIB names */
	size_t nremoves;
	bool force;    /* write even when the image does not validate */
	int64_t epoch; /* SOURCE_DATE_EPOCH, or -1: the base profile's time */
	/* When set, every VIB is verified as 'depot verify' does (one more
	 * read of each) and a failure is an IMAGE_RULE_SIGNATURE problem. */
	const struct sig_trust *trust;
	/* Where vendor packages are unwrapped (an outdir path whose
	 * temporary folder is used and removed); NULL: beside out. */
	const char *unwrap;
	/* Counted as VIBs are copied into the output, or NULL. */
	struct dv_progress *progress;
};

/*
 * What a composition did: its inputs (owned), the image, the problems
 * validation found, and notes ("VIB X replaces Y") for the caller.
 */
struct compose {
	struct arena arena;
	struct ptrvec depots; /* struct depot *, [0] the base */
	struct image img;
	struct image_report report;
	struct ptrvec notes;	/* const char *, in arena */
	struct ptrvec warnings; /* from the depots read; const char * */
	const char *profile_id;
	bool written;
	uint64_t bytes; /* of VIBs copied */
};

void compose_init(struct compose *c);
void compose_release(struct compose *c);

/*
 * Compose o->name from o->profile of o->base with o->adds added and
 * o->removes removed, validate it, and, when it validates (or with
 * o->force), write out: a complete depot with index.xml,
 * vendor-index.xml, one metadata.zip and every VIB copied byte for byte
 * (checked against its metadata's size and SHA-256 as it is copied).
 * The bytes depend only on the inputs and options: members in a fixed
 * order, every time o->epoch (or the base profile's modification time)
 * as UTC, the profile ID a digest of the content.  out must not exist;
 * it appears whole or not at all (libzip writes a temporary file beside
 * it and renames it); out NULL composes and validates, writing nothing.  A composition that does not validate is not an
 * error: c->written stays false and c->report says why.  Errors: the
 * depot reader's for any input, DV_ENOMATCH (profile, --remove),
 * DV_EVIB (a bare .vib), DV_EWRAPPER (a vendor package), DV_EDIGEST (a
 * VIB differs from its metadata), DV_EEXIST, DV_EIO.
 */
int image_compose(const struct compose_opts *o, const char *out,
    struct compose *c, struct dv_error *err);

/* ---- comparison (image_diff.c) ---------------------------------------- */

/* One side of a comparison: a profile's VIBs, or a host's. */
struct diff_vib {
	const char *name, *version, *id; /* id NULL for a host's row */
	enum dv_acceptance acceptance;
};

struct diff_side {
	const char *label;	 /* "A.zip:PROFILE" or "host VIBLIST.txt" */
	const char *esx_version; /* from esx-base; NULL when unknown */
	enum dv_acceptance acceptance; /* the profile's, or the host's lowest */
	struct diff_vib *v;	 /* sorted by name */
	size_t n;
};

enum diff_kind { DIFF_ADDED, DIFF_REMOVED, DIFF_UPGRADED, DIFF_DOWNGRADED };

struct diff_entry {
	enum diff_kind kind;
	const char *name;
	const struct diff_vib *a, *b; /* NULL on the side it is absent */
};

struct image_diff {
	struct arena arena; /* owns the sides' records and the entries */
	struct diff_side a, b;
	struct diff_entry *v; /* by kind, then name */
	size_t n;
	size_t unchanged;
};

void image_diff_init(struct image_diff *d);
void image_diff_release(struct image_diff *d);
/* Fill side (d->a or d->b) from an image; label is copied. */
void image_diff_side(struct image_diff *d, struct diff_side *side,
    const struct image *img, const char *esx_version, const char *label);
/*
 * Fill side from the saved output of 'esxcli software vib list'
 * (host-output.md): a header row starting "Name", a row of dashes, then
 * NAME VERSION VENDOR ACCEPTANCE [INSTALL-DATE] per VIB.  At most
 * DIFF_MAX_HOST_BYTES are read.  Errors: DV_EIO, DV_ELIMIT, DV_EFORMAT
 * (naming the line).
 */
#define DIFF_MAX_HOST_BYTES (16u << 20)
int image_diff_host(struct image_diff *d, struct diff_side *side,
    const char *path, struct dv_error *err);
/* Compare d->a with d->b by VIB name into d->v and d->unchanged. */
void image_diff_run(struct image_diff *d);
const char *image_diff_kind_name(enum diff_kind k);

#endif
