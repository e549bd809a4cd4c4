/* archive.h - decompression layers, tar reading and writing (archive.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_ARCHIVE_H
#define DV_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sbuf.h"
#include "vib.h"

/* ---- decompression layers -------------------------------------------- */

enum arc_filter {
	ARC_GZIP,
	ARC_ZSTD
};

/* Room for a layer's reason: a short text and a quoted library message. */
#define ARC_REASON_LEN 200

/*
 * Where a layer's compressed input comes from: point *buf at the next
 * bytes and return how many, 0 at the end, or a negative value to stop
 * the layer at once (the caller keeps its own reason for that).
 */
typedef long (*arc_pull_fn)(void *ctx, const void **buf);

struct arc_layer;

/*
 * Start removing exactly one compression layer, filter f, from what pull
 * hands over; an external helper program is never accepted.  Opening
 * already reads the first block.  Returns 0 with *out ready (*empty when
 * the stream decompresses to nothing at all); -DV_EVIB when the layer
 * failed, with err's message the reason ("gzip: ...", empty when pull
 * stopped it), which the caller puts after its own subject; -ENOMEM.
 */
int arc_layer_open(enum arc_filter f, arc_pull_fn pull, void *ctx,
    struct arc_layer **out, bool *empty, struct dv_error *err);
/*
 * Decompressed bytes into buf: how many, 0 at the end, -1 on damaged
 * data (then arc_layer_error says what the library saw, or NULL).
 */
long arc_layer_read(struct arc_layer *l, void *buf, size_t len);
const char *arc_layer_error(struct arc_layer *l);
/* Compressed bytes the layer has taken from pull so far (<= 0: none). */
int64_t arc_layer_consumed(struct arc_layer *l);
void arc_layer_close(struct arc_layer *l);

/* ---- tar, tar.gz and tgz archives ------------------------------------ */

enum tar_entry_kind {
	TAR_ENTRY_FILE,
	TAR_ENTRY_DIR,
	TAR_ENTRY_SYMLINK,
	TAR_ENTRY_HARDLINK,
	TAR_ENTRY_DEVICE, /* character or block device */
	TAR_ENTRY_OTHER   /* fifo, socket: never extracted either */
};

struct tar_entry {
	const char *name; /* owned by the tarfile, valid until the next call */
	enum tar_entry_kind kind;
	uint64_t size;	  /* bytes of data that follow (0 for links, dirs) */
	unsigned mode;	  /* permission bits */
	int64_t mtime;
};

struct tarfile;

/*
 * Open a tar archive, plain or gzip-compressed, held in memory (data
 * must outlive the tarfile) or read once, front to back, from src.
 * label names the archive in messages.  Errors: DV_ETAR, -ENOMEM.
 */
int tarfile_open_mem(const void *data, size_t len, const char *label,
    struct tarfile **out, struct dv_error *err);
int tarfile_open_source(const struct byte_source *src, const char *label,
    struct tarfile **out, struct dv_error *err);
/*
 * The next entry's header: 1 with *e filled, 0 at the end of the archive,
 * or a negative error (DV_ETAR, DV_ELIMIT past DV_MAX_TAR_ENTRIES, or
 * what the source returned).  The data of the entry before is skipped.
 */
int tarfile_next(struct tarfile *t, struct tar_entry *e, struct dv_error *err);
/* The current entry's data: bytes read, 0 at its end, or an error. */
long tarfile_read(struct tarfile *t, void *buf, size_t len,
    struct dv_error *err);
void tarfile_close(struct tarfile *t);

/* ---- writing a tar ---------------------------------------------------- */

struct tarwriter;

/*
 * Start a tar (POSIX ustar, with pax headers only for what ustar cannot
 * hold) written to fd, which stays the caller's; label names it in
 * messages.  Entries belong to uid/gid 0.  Errors: DV_EIO.
 */
int tarwriter_open(int fd, const char *label, struct tarwriter **out,
    struct dv_error *err);
/* A folder entry (name without the trailing slash). */
int tarwriter_add_dir(struct tarwriter *t, const char *name, unsigned mode,
    int64_t mtime, struct dv_error *err);
/* A file's header; then exactly size bytes through tarwriter_write. */
int tarwriter_add_file(struct tarwriter *t, const char *name, uint64_t size,
    unsigned mode, int64_t mtime, struct dv_error *err);
int tarwriter_write(struct tarwriter *t, const void *buf, size_t len,
    struct dv_error *err);
/* Write the end of the archive and free t.  Errors: DV_EIO. */
int tarwriter_close(struct tarwriter *t, struct dv_error *err);
/* Free t without finishing (the caller removes the file); NULL is fine. */
void tarwriter_abort(struct tarwriter *t);

/*
 * Whether the first bytes of a file look like a tar header (the "ustar"
 * magic, or a v7 header whose checksum adds up); len should be 512.
 */
bool arc_is_tar_header(const unsigned char *p, size_t len);

#endif
