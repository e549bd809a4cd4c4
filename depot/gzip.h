/* gzip.h - gzip layers and zip members' raw deflate (gzip.c wraps zlib). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_GZIP_H
#define DV_GZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* dv_crc32, the CRC the zip and http readers check, beside zlib's. */
#include "crc32.h"

/* Room for a reason such as "gzip member 2: CRC-32 mismatch". */
#define GZ_REASON_LEN 160

/*
 * Where the compressed bytes come from: point *buf at the next bytes and
 * return how many, 0 at the end, or a negative value to stop at once (the
 * caller keeps its own reason for that).  A buffer stays valid only until
 * the next call.
 */
typedef long (*gz_pull_fn)(void *ctx, const void **buf);

struct gz_layer;

/*
 * Start reading a gzip stream from pull.  Several gzip members back to
 * back are one stream, as gzip -d and Python's gzip read them; zero
 * bytes after a member are padding, as both readers allow.  With check,
 * every member's CRC-32 and length are compared with its trailer (the
 * caller leaves it off when a digest of its own covers the same bytes).
 * Returns 0, or -ENOMEM.
 */
int gz_open(gz_pull_fn pull, void *ctx, bool check, struct gz_layer **out);
/*
 * Decompressed bytes into buf: how many, 0 at the end of the last member,
 * -1 when the data is damaged (gz_error says why) or pull stopped it
 * (gz_error is NULL).
 */
long gz_read(struct gz_layer *g, void *buf, size_t len);
const char *gz_error(const struct gz_layer *g);
/*
 * Compressed bytes that belong to the stream (members and padding); at
 * the end, fewer than were pulled when something else follows it.
 */
uint64_t gz_consumed(const struct gz_layer *g);
unsigned gz_members(const struct gz_layer *g);
void gz_close(struct gz_layer *g);

/*
 * A raw deflate stream (no header, no trailer: a zip member's data),
 * inflated from input the caller reads itself, so that it can read in
 * big pieces and hold the input to a size it knows.  The caller checks
 * the output's length and CRC-32 (dv_crc32); zlib computes neither.
 */
struct gz_raw;

/* Returns 0, or -ENOMEM. */
int gz_raw_open(struct gz_raw **out);
/*
 * Inflate from *in (*avail bytes; both advanced past what was used) into
 * out, at most len bytes: how many were made, or -1 when the data is
 * damaged (gz_raw_error says why).  0 with *avail left 0 asks for more
 * input; 0 once gz_raw_ended is the end.
 */
long gz_raw_inflate(struct gz_raw *z, const void **in, size_t *avail,
    void *out, size_t len);
/* Whether the stream's last block has been inflated whole. */
bool gz_raw_ended(const struct gz_raw *z);
const char *gz_raw_error(const struct gz_raw *z);
void gz_raw_close(struct gz_raw *z);

/* zlib's CRC-32 of len bytes, continuing crc (0 to start): dv_crc32's
 * path where the CPU cannot fold, and its short heads and tails. */
uint32_t gz_crc32(uint32_t crc, const void *buf, size_t len);

#endif
