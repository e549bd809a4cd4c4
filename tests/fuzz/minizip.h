/* minizip.h - write a small zip by hand: stored members, CRC-32 computed. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef MINIZIP_H
#define MINIZIP_H

#include <stddef.h>
#include <stdint.h>

#include "../../depot/sbuf.h"

/*
 * Independent of libzip on purpose: fuzz_index wraps its input in a zip
 * with it, and mkzip builds seed depots with it, so what the reader sees
 * was never shaped by the library under test.  Members are stored (no
 * compression), no zip64, no extra fields; at most 65535 of them.
 */
struct minizip {
	struct sbuf out;  /* local headers and data, then the directory */
	struct sbuf cdir; /* the central directory, until minizip_finish */
	size_t count;
};

void minizip_init(struct minizip *z);
/*
 * Add a member.  mode is the Unix st_mode to record (S_IFREG | 0644 and
 * so on); 0 records none, as a zip made on DOS.
 */
void minizip_add(struct minizip *z, const char *name, const void *data,
    size_t len, unsigned mode);
/* Append the directory and its end record: the zip is z->out. */
void minizip_finish(struct minizip *z);
void minizip_release(struct minizip *z);

uint32_t minizip_crc32(const void *data, size_t len);

#endif
