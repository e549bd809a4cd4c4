/* bundle.h - assemble a verified upload bundle and its install script. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef BUNDLE_H
#define BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../depot/crypto.h"
#include "../depot/depot.h"
#include "../depot/outdir.h"
#include "../depot/sbuf.h"

enum bundle_item_kind {
	ITEM_PROFILE,	/* a patch depot and the profile to update to */
	ITEM_COMPONENT, /* a 7.0+ component depot: component apply */
	ITEM_DEPOT,	/* an offline bundle: vib install -d */
	ITEM_VIB,	/* a bare .vib: vib install -v */
	ITEM_MELLANOX,	/* a Mellanox firmware image for mlxfwmanager */
	ITEM_INTEL,	/* Intel's NVM update tool folder: nvmupdaten64e */
};

/* One thing the bundle carries and the step that installs it. */
struct bundle_item {
	enum bundle_item_kind kind;
	char *source;	/* the input as named: a path, or "PACKAGE!inner.zip" */
	char *file;	/* where its bytes are: the input, or a staged copy */
	char *name;	/* its file (ITEM_INTEL: folder) name in the bundle */
	char *profile;	/* ITEM_PROFILE: the image profile */
	enum dv_acceptance lowest; /* lowest acceptance level of its VIBs */
	bool has_unsigned;
	struct ptrvec vibs;	 /* "name version" of the VIBs it installs */
	struct ptrvec provides;	 /* VIB names and provided names */
	struct ptrvec depends;	 /* names its VIBs depend on */
	struct ptrvec platforms; /* versions it is built for: "8.0", "6.*" */
	char *psid;		 /* ITEM_MELLANOX */
	char *fw_version;	 /* ITEM_MELLANOX; ITEM_INTEL: "9.52" or "" */
	struct ptrvec files;	 /* ITEM_INTEL: the folder's file names */
	struct ptrvec fitvibs;	 /* struct plan_vib *: what fit checks read */
	uint64_t size;
	char sha256[HASH_HEX_MAX];
	bool needs_reboot;
	bool verify; /* a depot: verified as bundle_write copies it */
};

struct bundle_opts {
	const char *outdir;
	const char *datastore;
	const char *dir;     /* folder on the datastore; default from outdir */
	const char *depot;   /* patch depot, or NULL */
	const char *profile; /* NULL: the depot's one -standard profile */
	const char *const *adds;
	size_t nadds;
	const char *const *firmware; /* "mellanox:FILE" */
	size_t nfirmware;
	const char *intel_nvm; /* Intel's NVM update package, or NULL */
	const char *esxi;      /* --esxi: the hosts' release, or NULL */
	/* --compose NEW-NAME: depot's profile plus the adds composed into
	 * one depot (depot compose), shipped as one profile update. */
	const char *compose;
	const struct sig_trust *trust;
	bool tar;
	bool force;
	int jobs;	     /* 1 to BUNDLE_MAX_JOBS */
};

struct bundle_plan {
	struct ptrvec items; /* struct bundle_item *, in install order */
	struct dv_diags notes; /* what an admin should know (DV_DIAG_NOTE) */
	/* Vendor packages are unwrapped beside OUTDIR, one struct outdir *
	 * each, as `depot extract` would; bundle_plan_release removes them. */
	struct ptrvec stages;
	/* Why an input does not fit the hosts ("INPUT: why", DV_EFIT); with
	 * force the bundle is written and these repeated as warnings. */
	struct dv_diags misfits;
	char esxi[32]; /* the release the inputs were checked against, or "" */
};

/* The kind as manifest.json and --json name it: "profile-depot", ... */
const char *bundle_kind_name(enum bundle_item_kind kind);

static inline struct bundle_item *
plan_item(const struct bundle_plan *p, size_t i)
{
	return p->items.v[i];
}

/* --jobs runs at most this many verifications at once. */
#define BUNDLE_MAX_JOBS 256

/*
 * Check the options of `esxbundle create` and fill in the defaults (dir:
 * esxstage/<OUTDIR's name>, kept in dir_buf).  Each refusal is a usage
 * error, DV_EFORMAT with the message: no --datastore or one with '/',
 * --profile without --depot, nothing to bundle, --jobs out of range, a
 * --dir that is absolute or has "..".
 */
int bundle_opts_check(struct bundle_opts *o, struct sbuf *dir_buf,
    struct dv_error *err);

/*
 * Read every input, and order the steps: the profile update,
 * then components and VIBs so that what provides comes before what
 * depends on it, then Mellanox firmware, then the Intel NVM update.
 * A file given to --add twice is bundled once, with a note.
 * Nothing is written but the staging folder for vendor packages, which
 * bundle_plan_release removes.  Errors name the input: DV_EEXIST (OUTDIR
 * exists, without force), DV_EIO, DV_ENOMATCH, DV_EAMBIGUOUS, DV_EFORMAT
 * (a dependency cycle), any error of depot_open or package_open, and a
 * failed verification (DV_EVIB) of a bare VIB.  A depot's VIBs are
 * verified while bundle_write copies it (bundle_verify_input).  Then the
 * fit checks against the hosts' release (the profile's, else opts->esxi,
 * else the one all inputs declare): each input's platforms, vmklinux
 * drivers on 7.0+, one VIB name at two versions, unsigned or community
 * VIBs beside a certified or accepted profile.  Each problem is a line in
 * plan->misfits; without force any fails the plan with DV_EFIT (nothing
 * written), as do inputs that declare several releases when opts->esxi
 * is not given.
 */
int bundle_plan_make(const struct bundle_opts *o, struct bundle_plan *plan,
    struct dv_error *err);
/* Tasks run beside a depot's verification (verify.h's side tasks). */
struct bundle_side {
	int (*run)(void *ctx, size_t i, struct dv_error *err);
	void *ctx;
	size_t n;
};
/*
 * Run the side tasks (the copy of it->file, first, and other inputs')
 * and, for a depot, every check of `depot verify` beside them, on jobs
 * threads; a file that is not verified runs them one after another.
 * Errors: a side task's, depot_open's, DV_EVIB naming the first failure.
 */
int bundle_verify_input(const struct bundle_opts *o, struct bundle_item *it,
    int jobs, const struct bundle_side *side, struct dv_error *err);
void bundle_plan_release(struct bundle_plan *plan);

/* Order items so providers come first; DV_EFORMAT names a cycle. */
int bundle_order(struct bundle_item **items, size_t n, struct dv_error *err);

/* Append s to sb quoted for POSIX sh: '...' with ' as '\''. */
void sh_quote(struct sbuf *sb, const char *s);

/* The whole install.sh for a plan. */
void bundle_script(const struct bundle_opts *o, const struct bundle_plan *p,
    struct sbuf *out);

/*
 * Write the bundle: the items, SHA256SUMS, manifest.json, install.sh and
 * README.txt, through depot/outdir.h, so OUTDIR appears (or, with
 * opts->force, replaces the old one) whole or not at all; then
 * OUTDIR.tar with opts->tar.  An existing OUTDIR is refused (DV_EEXIST)
 * unless opts->force.  Stops with DV_EINTR when outdir_interrupted().
 */
int bundle_write(const struct bundle_opts *o, const struct bundle_plan *p,
    struct dv_error *err);

/* What bundle_check found (check.c). */
struct bundle_report {
	bool tar;		/* it was the tar of a bundle */
	size_t nfiles;		/* files SHA256SUMS lists */
	struct dv_diags problems; /* DV_DIAG_FAILs: "NAME: what is wrong" */
	struct ptrvec unlisted; /* files present but not in SHA256SUMS, other
				 * than those install.sh writes on the host */
};

/*
 * Check a bundle folder, or the tar esxbundle create --tar made of one:
 * every file against SHA256SUMS, manifest.json (read as JSON) against
 * SHA256SUMS, and what is there that SHA256SUMS does not list.  Returns
 * 0 when the check ran (the bundle is good when r has no problems and
 * nothing unlisted); DV_EIO (no SHA256SUMS), DV_ETAR, DV_ELIMIT, DV_EINTR.
 */
int bundle_check(const char *path, struct bundle_report *r,
    struct dv_error *err);
void bundle_report_release(struct bundle_report *r);

/* The steps of a bundle (folder or tar) in plain words, from its
 * manifest.json.  Errors: those of bundle_check, DV_EFORMAT. */
int bundle_steps(const char *path, struct ptrvec *out, struct dv_error *err);

#endif
