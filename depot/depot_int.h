/* depot_int.h - declarations private to depot/ (never cmd/ or bundle/). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DEPOT_INT_H
#define DEPOT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "dv_limits.h"
#include "sbuf.h"
#include "xalloc.h"

/* ---- zip.c: the only user of libzip ---------------------------------- */

struct zipfile;

enum zip_entry_kind {
	ZIP_ENTRY_FILE,
	ZIP_ENTRY_DIR,
	ZIP_ENTRY_SYMLINK,
	ZIP_ENTRY_OTHER /* device, fifo, socket: never extracted */
};

struct zip_entry {
	const char *name; /* owned by the zipfile */
	uint64_t size;	  /* uncompressed size the central directory claims */
	uint64_t comp_size;
	enum zip_entry_kind kind;
	bool name_has_nul; /* the stored name is longer than its C string */
	unsigned mode;	   /* Unix permission bits, 0 when not stored */
	int64_t mtime;	   /* -1 when not stored */
};

/* Open a zip on disk; only the central directory is read. */
int zipfile_open(const char *path, struct zipfile **out, struct dv_error *err);
/* Open a zip held in memory; data must outlive the zipfile. */
int zipfile_open_mem(const void *data, size_t len, const char *label,
    struct zipfile **out, struct dv_error *err);
void zipfile_close(struct zipfile *zf);
const char *zipfile_label(const struct zipfile *zf);
size_t zipfile_count(const struct zipfile *zf);
int zipfile_entry(struct zipfile *zf, size_t i, struct zip_entry *out,
    struct dv_error *err);
/* Index of the member named exactly name, or -1. */
long zipfile_find(struct zipfile *zf, const char *name);
/*
 * Read member i whole into out, failing with DV_ELIMIT when it holds more
 * than cap bytes whatever its header claims, and DV_EZIP on a CRC or
 * inflate error.  what names the member in messages.
 */
int zipfile_read(struct zipfile *zf, size_t i, size_t cap, struct sbuf *out,
    struct dv_error *err);

struct zipstream;
int zipstream_open(struct zipfile *zf, size_t i, struct zipstream **out,
    struct dv_error *err);
/*
 * The same, for a caller whose own digest covers every byte of the member
 * (a VIB whose SHA-256 the metadata gives): a stored or deflated member is
 * then read straight from the file in big reads (inflated by gzip.c; its
 * size and CRC-32, by crc32.c, still checked), not through libzip's small
 * reads.  Other methods, encrypted members, sizes in a data descriptor,
 * and zips in memory go through libzip.
 */
int zipstream_open_covered(struct zipfile *zf, size_t i,
    struct zipstream **out, struct dv_error *err);

/* Where a stored member's bytes lie in its zip file. */
struct zip_range {
	const char *path; /* the zip file (lives as long as the zipfile) */
	uint64_t from;	  /* the first byte of the member's data */
	uint64_t size;
	uint32_t crc32;	  /* what the central directory declares */
};
/*
 * Member i, when it is stored whole (not compressed, not encrypted, its
 * sizes agreeing) in a zip opened from a file: 0 and *r filled.  -1 for
 * any other member; nothing is read or checked but the local header's
 * place.
 */
int zipfile_stored_range(struct zipfile *zf, size_t i, struct zip_range *r);
/* Bytes read (0 at the end), or a negative error code. */
long zipstream_read(struct zipstream *zs, void *buf, size_t len,
    struct dv_error *err);
void zipstream_close(struct zipstream *zs);

/*
 * The run's inflation budget (dv_limits.h): grant adds an archive file's
 * share, take counts n bytes read out of a member (DV_ELIMIT past the
 * budget), reset starts over (for a fuzzer's next input).
 */
void dv_inflate_grant(uint64_t file_bytes);
int dv_inflate_take(uint64_t n, const char *label, const char *name,
    struct dv_error *err);
void dv_inflate_reset(void);

/*
 * Writing a zip.  Members are added first and their bytes are read only
 * when the archive is written, by zipwriter_close, one member at a time,
 * in the order added: a repacked depot is never held in memory whole.
 */
struct zipwriter;

struct zip_member_source {
	/* Called once each, in this order, while the archive is written. */
	int (*open)(void *ctx, struct dv_error *err);
	long (*read)(void *ctx, void *buf, size_t len, struct dv_error *err);
	void (*close)(void *ctx);
	void *ctx;
	uint64_t size;	/* the bytes read must be exactly this many */
	int64_t mtime;	/* seconds since 1970; -1 for "now" */
};

/*
 * A new zip at path (which must not exist), or in memory (path NULL;
 * label names it in messages).  Errors: DV_EIO, DV_EEXIST.
 */
int zipwriter_open(const char *path, const char *label,
    struct zipwriter **out, struct dv_error *err);
/* Add a member; src is copied, src->ctx must live until the close. */
int zipwriter_add(struct zipwriter *w, const char *name,
    const struct zip_member_source *src, struct dv_error *err);
/* Add a member from memory; data must live until the close. */
int zipwriter_add_mem(struct zipwriter *w, const char *name,
    const void *data, size_t len, int64_t mtime, struct dv_error *err);
/*
 * Write the archive and free w.  For an in-memory zip, out receives the
 * bytes (cap is its limit).  The first error a member source met is the
 * one returned; else DV_EIO with libzip's reason.
 */
int zipwriter_close(struct zipwriter *w, struct sbuf *out, size_t cap,
    struct dv_error *err);
/* Give up: nothing is written. */
void zipwriter_discard(struct zipwriter *w);
/*
 * Reproducible output: member times given from now on are stored as UTC
 * wall-clock DOS times (libzip would use the local time zone, so one
 * input would give other bytes in another zone).
 */
void zipwriter_utc_times(struct zipwriter *w);
/* Store the member added last without compressing it (a VIB's payloads
 * are compressed already). */
int zipwriter_store_last(struct zipwriter *w, struct dv_error *err);

/*
 * A stored member of a zip whose layout is fixed before its bytes exist,
 * so that they can be put in their place as they arrive (depot fetch
 * downloads each VIB straight into the zip).  Readers go by the central
 * directory, so the members may be in any order.
 */
struct zip_stored {
	const char *name;
	uint64_t size;
	uint32_t crc32;	  /* of its bytes; found here when data is set */
	const void *data; /* its bytes, written by zip_write_stored; NULL:
			     they are in the file already */
	uint64_t at;	  /* its local header's offset, from zip_layout */
};
/* How many bytes of a stored member come before its data: its local
 * header (30 + the name, + 20 for the zip64 sizes of a big member). */
uint64_t zip_stored_header_len(const char *name, uint64_t size);
/*
 * Lay out m[0..n) one after another from offset start: each m[i].at set,
 * *end the offset after the last one's bytes.  Errors: DV_ELIMIT (a name
 * longer than a zip allows; offsets past what a file can hold).
 */
int zip_layout(struct zip_stored *m, size_t n, uint64_t start,
    uint64_t *end, struct dv_error *err);
/*
 * Finish the zip in fd (opened for writing by the caller; path names it
 * in messages) laid out by zip_layout: each member's local header (with
 * its CRC-32), the bytes of those given in memory, then one central
 * directory for all and the end records (zip64 where counts, sizes or
 * offsets need it) after the furthest member; the file ends there; one
 * fsync.  The caller checks and renames it.  Errors: DV_EIO, DV_EINTR.
 */
int zip_write_stored(int fd, const char *path, struct zip_stored *m,
    size_t n, struct dv_error *err);

/*
 * What the caller of zipwriter_close_with_ranges checks of the bytes
 * copied.  landed: member i's data starts at offset at of fd (the output,
 * open for reading too) and its first done bytes are there (called as
 * they land, in order); nonzero stops the copy.  done: called once at the
 * end, ok false when the copy failed or stopped; its nonzero return
 * (the check's own error, in err) fails the write.
 */
struct zip_range_watch {
	int (*landed)(void *ctx, size_t i, int fd, uint64_t at,
	    uint64_t done);
	int (*done)(void *ctx, bool ok, struct dv_error *err);
	void *ctx;
};
/*
 * Close the in-memory w into a new zip at path (which must not exist):
 * w's members, then stored members named names[i] whose bytes are the
 * ranges r[i] of other zips, copied in the kernel (copy_file_range) with
 * the CRC-32 each range's zip declares, times mtime as UTC DOS times; then
 * one central directory.  Written as PATH.XXXXXX beside it and linked into
 * place only when watch->done agrees: on failure or an interrupt nothing
 * is left.  Errors: DV_EIO, DV_EEXIST, DV_EINTR, or watch's own.
 */
int zipwriter_close_with_ranges(struct zipwriter *w, const char *path,
    const char *const *names, const struct zip_range *r, size_t n,
    int64_t mtime, const struct zip_range_watch *watch,
    struct dv_error *err);

struct depot;
/* Open the depot's zip again (one handle per thread: libzip's are not
 * shared). */
int depot_reopen(const struct depot *d, struct zipfile **out,
    struct dv_error *err);

/* ---- xml.c: the only user of libxml2 --------------------------------- */

struct xattr {
	const char *name;
	const char *value;
	struct xattr *next;
};

struct xnode {
	const char *name;
	const char *text; /* direct text and CDATA, whitespace-stripped */
	struct xattr *attrs;
	struct xnode *children;
	struct xnode *next;
};

struct xdoc {
	struct arena arena;
	struct xnode *root;
};

/*
 * Parse one untrusted document.  DTDs are refused outright (no depot file
 * has one, and they are how entity bombs and external entities get in);
 * the network is never used; size, depth and node count are capped.
 * what names the document in messages ("FILE: member").
 */
int xml_parse(const char *data, size_t len, const char *what,
    struct xdoc *doc, struct dv_error *err);
void xdoc_release(struct xdoc *doc);
void xml_library_init(void);

const struct xnode *xnode_child(const struct xnode *n, const char *name);
/* Text of the named child, or NULL when there is no such child. */
const char *xnode_child_text(const struct xnode *n, const char *name);
const char *xnode_attr(const struct xnode *n, const char *name);

/* ---- date.c ----------------------------------------------------------- */

struct dv_time;
/* Parse an xsd:dateTime the way esximage does; convert to UTC. */
int dv_time_parse(const char *s, struct dv_time *out);

/* Member names and paths: names.h. */
#include "names.h"

#endif
