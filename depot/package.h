/* package.h - what a vendor download holds; extract it, unpack a depot. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_PACKAGE_H
#define DV_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "depot.h"
#include "error.h"
#include "outdir.h"
#include "xalloc.h"

/*
 * A vendor download is a tree: zips, tars and folders inside one another,
 * down to the things an admin installs.  package_open walks it once,
 * front to back, reading inner archives in memory (never unpacking them
 * next to the user's files), and classifies every item.  Member names are
 * hostile: an absolute path, a ".." component, a backslash, a drive
 * letter, a control character, a link or a device refuses the whole
 * input with the member named.  Limits: dv_limits.h (DV_MAX_NESTING and
 * the DV_MAX_INNER_* sizes).
 */
enum package_kind {
	PACKAGE_ZIP,	   /* a zip that is not a depot: looked into */
	PACKAGE_TAR,	   /* a tar, tar.gz or tgz: looked into */
	PACKAGE_FOLDER,	   /* a folder inside an archive */
	PACKAGE_DEPOT,	   /* a depot zip: bundle, component or patch depot */
	PACKAGE_EXPANDED,  /* a folder (or a tar) holding a depot's files */
	PACKAGE_VIB,	   /* a bare .vib, or one of a depot's VIBs */
	PACKAGE_NVM_TOOL,  /* Intel NVM update tool: nvmupdaten64e + cfg */
	PACKAGE_DOC,	   /* doc/, *.txt, *.pdf, *.html, *.md */
	PACKAGE_FILE	   /* anything else */
};

/* "zip", "tar", "folder", "depot", "expanded-depot", "vib", "nvm-tool",
 * "documentation", "file". */
const char *package_kind_name(enum package_kind k);

struct package_depot_info {
	const char *kind; /* "offline bundle", "component depot", ... */
	struct depot_vendor *vendors;
	size_t nvendors;
	struct depot_platform *platforms; /* distinct product and version */
	size_t nplatforms;
	size_t nvibs, ncomponents, nprofiles;
};

struct package_vib_info {
	const char *id, *name, *version, *vendor;
	enum dv_acceptance acceptance;
	bool in_depot; /* one of a depot's VIBs: extract writes it with vibs */
};

struct package_tool_info {
	const char *version;	    /* "9.52", from the package name; or NULL */
	const char *target;	    /* "700Series"; or NULL */
	const char *config_version; /* its cfg's "CONFIG VERSION:", or NULL */
	size_t devices;		    /* its BEGIN DEVICE blocks */
	struct dv_strlist images;   /* its NVM IMAGE: names */
	struct dv_strlist missing;  /* of those, the ones not in the folder */
	const char *folder;	    /* the output folder extract writes */
};

struct package_node {
	enum package_kind kind;
	const char *name; /* last path component; folders end in "/" */
	const char *path; /* from the input: "a.zip!doc/x.txt"; "" at the top */
	uint64_t size;	  /* 0 for folders */
	const char *sha256; /* lower-case hex, NULL when not read */
	/*
	 * Something an admin installs or runs: a depot zip, a bare VIB, the
	 * Intel tool, an expanded depot (once repacked).  VIBs inside a depot
	 * are not marked: the depot is what is installed.
	 */
	bool installable;
	const char *note;	  /* "the tools VIB" and the like, or NULL */
	const char *duplicate_of; /* path of an earlier item, same SHA-256 */
	/* Filled when extracting: what was written, or why not. */
	const char *output;  /* name in OUTDIR */
	const char *skipped; /* reason it was not written */
	struct package_depot_info depot;  /* DEPOT, EXPANDED */
	struct package_vib_info vib;	  /* VIB */
	struct package_tool_info tool;	  /* NVM_TOOL */
	struct package_node *parent;
	struct package_node **children;
	size_t nchildren;
};

struct package {
	struct arena arena; /* owns the tree and its strings */
	const char *path;   /* the input as given */
	struct package_node *root;
	struct dv_strlist warnings; /* from depots inside; never fatal */
};

/*
 * One extract run, shared by all its inputs so that identical content
 * found in two of them is written once.  out must be begun; the caller
 * commits or aborts it.
 */
struct package_extract {
	struct outdir *out;
	bool vibs;   /* also each depot's VIBs, as <vib-id>.vib */
	bool repack; /* expanded depot folders, as a depot zip */
	/* Private: what was written, by SHA-256. */
	struct ptrvec seen;
};

void package_extract_init(struct package_extract *x, struct outdir *out,
    bool vibs, bool repack);
void package_extract_release(struct package_extract *x);

/*
 * Walk the file at path (a zip, a .tar/.tar.gz/.tgz, or a .vib) and build
 * its tree; with x, write each installable thing into x->out as the walk
 * goes: each depot zip byte for byte under its own name, each bare VIB
 * as found, the Intel tool as a folder named after its package, with
 * x->vibs each depot VIB as <vib-id>.vib, with x->repack each expanded
 * depot as <folder>.zip.  Errors: DV_EIO, DV_ENOTZIP, DV_EZIP, DV_ETAR,
 * DV_EPATH (a hostile member), DV_ELIMIT (nesting, sizes), DV_EVIB, the
 * depot reader's errors for a depot inside, DV_EDIGEST (a VIB differs
 * from its depot's metadata), DV_EEXIST and DV_EINTR from the output.
 * On failure *out is NULL.
 */
int package_open(const char *path, struct package_extract *x,
    struct package **out, struct dv_error *err);
void package_free(struct package *p);

/*
 * Whether path looks like a vendor package rather than a depot: a tar
 * or tar.gz, a zip without index.xml at its root, or a bare VIB.  False
 * when it cannot be read (the depot reader then says why).
 */
bool package_is_package(const char *path);

/* ---- unpack: a depot zip as the files of an online depot ------------- */

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
 * DV_EZIP, DV_ELIMIT, DV_EEXIST, DV_EINTR, DV_EIO.
 */
int depot_unpack(const struct depot *d, struct outdir *out, unsigned flags,
    struct unpack_report *r, struct dv_error *err);
void unpack_report_release(struct unpack_report *r);

#endif
