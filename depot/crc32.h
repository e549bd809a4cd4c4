/* crc32.h - the zip/gzip CRC-32 at memory speed (crc32.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_CRC32_H
#define DV_CRC32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The CRC-32 of zip and gzip (reflected polynomial 0xEDB88320, inverted
 * in and out) of len bytes, continuing crc (0 to start): the same value
 * as zlib's crc32().  Folded with PCLMULQDQ where the CPU has it, else
 * zlib's; any length, any alignment, safe from several threads.
 */
uint32_t dv_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * For the unit tests: whether dv_crc32 may use the PCLMULQDQ path
 * (default: yes, when the CPU has it), so both paths get checked on a
 * machine that has it.  Returns the previous setting.  Not for use while
 * other threads compute CRCs.
 */
bool dv_crc32_allow_clmul(bool allow);

/* Whether dv_crc32 uses the PCLMULQDQ path now. */
bool dv_crc32_uses_clmul(void);

#endif
