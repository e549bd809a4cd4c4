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
/*
 * The counts below are checked by a linear scan of the document before
 * libxml2 sees it (xml.c): libxml2 2.9 compares each attribute with every
 * other of its element, and looks each name up among the namespace
 * declarations in scope, so unbounded counts cost quadratic time.  Real
 * depot documents have at most 4 attributes on an element and no
 * namespace declarations; a vibList with 100,000 VIBs has 100,000
 * children; the real depots' longest name is 20 bytes and their longest
 * attribute value 32.
 */
/* Attributes (namespace declarations included) on one element. */
#define DV_MAX_XML_ATTRS 64u
/* Attributes in one document (libxml2 and our tree: ~350 bytes each). */
#define DV_MAX_XML_DOC_ATTRS 200000u
/* xmlns declarations on one element, and in one document. */
#define DV_MAX_XML_NS 8u
#define DV_MAX_XML_DOC_NS 32u
/* Child elements of one element. */
#define DV_MAX_XML_CHILDREN 1000000u
/* Text nodes, comments, CDATA sections and processing instructions. */
#define DV_MAX_XML_TEXTS 2000000u
/* Bytes of one attribute value, and of one element or attribute name. */
#define DV_MAX_XML_ATTR_BYTES (1u << 20)
#define DV_MAX_XML_NAME_BYTES 1024u
/* A metadata zip, which is read into memory. */
#define DV_MAX_METADATA_ZIP (256u << 20)
/* All XML read out of the metadata zips of one depot, added up (vmware.xml
 * too), checked first by the sizes each zip declares. */
#define DV_MAX_METADATA_TOTAL (1024ull << 20)
/*
 * Members in one zip archive, and bytes of its central directory.  libzip
 * holds about 330 bytes per member and twice the directory's bytes; with
 * these two limits the worst archive allowed stays under 256 MiB (a real
 * depot has some thousand members and a directory under 1 MiB).
 */
#define DV_MAX_ZIP_ENTRIES 500000u
#define DV_MAX_ZIP_CD (32u << 20)
/*
 * All bytes read out of zip and tar members in one run, at any depth of
 * nesting: this base, plus this many times the size of each zip file
 * opened (a depot's VIBs are compressed already, so a real run reads
 * about as many bytes as it was given).
 */
#define DV_INFLATE_BASE (4ull << 30)
#define DV_INFLATE_RATIO 16u
/* <vendor> entries in index.xml and <metadata> entries per vendor index. */
#define DV_MAX_VENDORS 4096u
/* An inner zip read into memory to see whether it is a depot. */
#define DV_MAX_INNER_ZIP (512u << 20)

/* ---- a .vib (vib.c) --------------------------------------------------- */

/* The members held in memory; payloads are only ever streamed. */
#define VIB_MAX_DESCRIPTOR (16u << 20)
#define VIB_MAX_SIGNATURE (1u << 20)
/* Members in one .vib. */
#define VIB_MAX_MEMBERS 4096u
/*
 * A payload that inflates past this is refused (a decompression bomb).
 * Tests build vib.c with a smaller value.
 */
#ifndef VIB_MAX_EXPANDED
#define VIB_MAX_EXPANDED (64ull << 30)
#endif

/* ---- vendor packages (package_*.c, unpack.c) and tar archives ------- */

/*
 * Archives nested in one another, the file given counting as the first:
 * a vendor package holding a depot is 2, Intel's zip holding a tar.gz
 * holding the tool is 2 as well; real downloads stop at 3 or 4.
 */
#define DV_MAX_NESTING 8
/* Members in one tar archive. */
#define DV_MAX_TAR_ENTRIES 1000000u
/*
 * An archive inside an archive is read into memory (libzip needs to seek,
 * and nothing is ever unpacked next to the user's files).  A full ESXi
 * image depot, the largest thing a vendor wraps, is under 1 GiB.
 */
#define DV_MAX_INNER_ARCHIVE (1024ull << 20)
/* All archives held in memory at once along one chain of nesting. */
#define DV_MAX_INNER_TOTAL (2048ull << 20)
/* Items (files, folders, VIBs of depots) in one package's tree. */
#define DV_MAX_PACKAGE_ITEMS 1000000u
/* Bytes of one member name. */
#define DV_MAX_NAME_BYTES 4096u
/* An nvmupdate.cfg, read to say what the Intel tool updates. */
#define DV_MAX_TOOL_CFG (4u << 20)

#endif
