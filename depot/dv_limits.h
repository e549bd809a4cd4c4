/* dv_limits.h - every size, count and depth limit on untrusted input. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_LIMITS_H
#define DV_LIMITS_H

/*
 * Each limit is far above what any real depot needs (the full ESXi 8 patch
 * depot's metadata zip is a few MB with some thousand members) and far
 * below what would hurt a workstation.  depot.1 documents them.
 */

/* One XML document (index, vendor index, profile, bulletin, VIB metadata). */
#define DV_MAX_XML_BYTES (64u << 20)
/* Element nesting; real documents are at most about 8 deep. */
#define DV_MAX_XML_DEPTH 64
/* Elements in one document; a profile with 100,000 VIBs needs 200,001. */
#define DV_MAX_XML_NODES 2000000u
/* A metadata zip, which is read into memory. */
#define DV_MAX_METADATA_ZIP (256u << 20)
/* All XML read out of the metadata zips of one depot, added up. */
#define DV_MAX_METADATA_TOTAL (1024ull << 20)
/* Members in one zip archive. */
#define DV_MAX_ZIP_ENTRIES 1000000u
/* <vendor> entries in index.xml and <metadata> entries per vendor index. */
#define DV_MAX_VENDORS 4096u
/* An inner zip read into memory to see whether it is a depot. */
#define DV_MAX_INNER_ZIP (512u << 20)

#endif
