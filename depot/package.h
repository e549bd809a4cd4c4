/* package.h - what a vendor download holds: the walk, its tree, its sink. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_PACKAGE_H
#define DV_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "depot.h"
#include "error.h"
#include "outdir.h"
#include "sbuf.h"
#include "xalloc.h"

struct byte_source;

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
	struct dv_diags warnings; /* DV_DIAG_WARNINGs of depots inside */
};

/* ---- the sink: what the walk does with what installs ------------------- */

/*
 * One thing the walk hands a sink to keep.  The content comes from src
 * (read to its end) or, when src is NULL, from data and len.
 */
struct package_file {
	const char *name; /* in the output: "x.zip", "tool/nvmupdate.cfg" */
	const struct byte_source *src;
	const void *data;
	size_t len;
	bool executable;
	/*
	 * true: whole content (a depot zip, a VIB), written once a run by its
	 * SHA-256 (n->sha256 when data is given); a second copy becomes a
	 * duplicate of the first.  false: a file of a folder (the Intel
	 * tool), written under its name as it is.
	 */
	bool dedup;
	/* From a depot's metadata: the SHA-256 (or NULL) and size to check. */
	const char *expect_sha256;
	uint64_t expect_size;
	bool check_size;
	/*
	 * When not NULL, the sink reads src only through consume, which
	 * reads it to its end (a VIB's one-pass scan) and sets n->sha256.
	 */
	int (*consume)(void *ctx, const struct byte_source *src,
	    struct dv_error *err);
	void *consume_ctx;
};

/*
 * What the walk does with each thing that installs; a NULL sink only
 * looks (depot info).  Shaped after apk-tools' struct apk_extract_ops:
 * the walk classifies and streams, the sink decides what is written.
 * Each op returns 0 or a negative error code with err filled.
 */
struct package_sink_ops {
	/* Keep f's content for n; set n->output, or n->skipped or
	 * n->duplicate_of when it is not written. */
	int (*file)(void *ctx, struct package *p, struct package_node *n,
	    const struct package_file *f, struct dv_error *err);
	/* Whether name is written already in this run. */
	bool (*has)(void *ctx, const char *name);
	/* For a writer given a path (a repacked depot zip): a path to write
	 * name at, then done once it is complete. */
	int (*reserve)(void *ctx, const char *name, struct sbuf *path,
	    struct dv_error *err);
	int (*done)(void *ctx, const char *name, struct dv_error *err);
	/* Called between members and chunks: 0, or DV_EINTR to stop. */
	int (*check)(void *ctx, struct dv_error *err);
};

struct package_sink {
	const struct package_sink_ops *ops;
	void *ctx;
	bool vibs;   /* also each depot's VIBs, as <vib-id>.vib */
	bool repack; /* expanded depot folders, as <folder>.zip */
	/* Content met in the run, shared by its inputs (private to the
	 * walk and the sink); NULL: each input has its own. */
	struct ptrvec *seen;
};

/*
 * The OUTDIR sink: one extract run into out, shared by all its inputs so
 * that identical content found in two of them is written once.  out must
 * be begun; the caller commits or aborts it.  package_sink_outdir points
 * sink at x.
 */
struct package_extract {
	struct outdir *out;
	bool vibs, repack;
	struct ptrvec seen; /* private: what was written, by SHA-256 */
};

void package_extract_init(struct package_extract *x, struct outdir *out,
    bool vibs, bool repack);
void package_extract_release(struct package_extract *x);
void package_sink_outdir(struct package_sink *sink,
    struct package_extract *x);

/*
 * Walk the file at path (a zip, a .tar/.tar.gz/.tgz, or a .vib) and build
 * its tree; with a sink, hand it each installable thing as the walk goes:
 * each depot zip under its own name, each bare VIB as found, the Intel
 * tool's files under a folder named after its package, with sink->vibs
 * each depot VIB as <vib-id>.vib, with sink->repack each expanded depot
 * as <folder>.zip.  Errors: DV_EIO, DV_ENOTZIP, DV_EZIP, DV_ETAR,
 * DV_EPATH (a hostile member), DV_ELIMIT (nesting, sizes), DV_EVIB, the
 * depot reader's errors for a depot inside, DV_EDIGEST (a VIB differs
 * from its depot's metadata), and the sink's errors (the OUTDIR sink:
 * DV_EEXIST and DV_EINTR).  On failure *out is NULL.
 */
int package_open(const char *path, const struct package_sink *sink,
    struct package **out, struct dv_error *err);
void package_free(struct package *p);

/* ---- depot extract: the whole run --------------------------------------- */

enum package_extract_flags {
	PACKAGE_EXTRACT_VIBS = 1 << 0,	 /* also each depot's VIBs */
	PACKAGE_EXTRACT_REPACK = 1 << 1, /* expanded depots as depot zips */
	PACKAGE_EXTRACT_FORCE = 1 << 2	 /* OUTDIR's names may be replaced */
};

/*
 * Walk each of the n inputs into the output folder outdir through one
 * OUTDIR sink (identical content is written once across them), then
 * commit it: all of it appears, or on any error nothing does.  A run that
 * finds nothing to write is refused with DV_ENOMATCH, saying whether
 * --repack would help.  Without PACKAGE_EXTRACT_FORCE a name OUTDIR has
 * already is refused unless the file there has the same bytes: then it
 * is left as it is and its name goes into unchanged (xstrdup'd; NULL
 * when not wanted).  *out receives the n trees (package_free_all), NULL
 * on failure.  Errors: package_open's, outdir_begin's and
 * outdir_commit's (DV_EINTR when interrupted), DV_ENOMATCH.
 */
int package_extract_run(const char *outdir, const char *const *inputs,
    size_t n, unsigned flags, struct package ***out, struct ptrvec *unchanged,
    struct dv_error *err);
void package_free_all(struct package **pkgs, size_t n);

/* What installs in a tree, by kind; duplicates are not counted. */
struct package_counts {
	size_t depots, expanded, vibs, tools;
};

void package_count_installable(const struct package_node *n,
    struct package_counts *c);

/*
 * Whether path looks like a vendor package rather than a depot: a tar
 * or tar.gz, a zip without index.xml at its root, or a bare VIB.  False
 * when it cannot be read (the depot reader then says why).
 */
bool package_is_package(const char *path);

#endif
