/* source.h - where a depot's files come from: a zip, a folder or a URL. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_SOURCE_H
#define DV_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sbuf.h"

struct http_opts;
struct zipfile;

enum source_kind {
	SOURCE_ZIP, /* a depot zip on disk or in memory */
	SOURCE_DIR, /* an unpacked depot or a mirror: a folder of files */
	SOURCE_URL  /* an online depot, read over http(s) */
};

struct depot_source;

/*
 * Open where: a URL (http://, https://, file://), a folder holding
 * index.xml (or vmw-depot-index.xml), such an index file itself, or a
 * depot zip.  A URL not ending in .xml means its index.xml, as esxcli
 * takes it.  net is for URLs (NULL: no token, system CAs).  Nothing is
 * downloaded yet.  Errors: DV_EIO, DV_ENOTDEPOT, DV_ENOTZIP, DV_EZIP,
 * DV_EFORMAT (a bad token or URL).
 */
int source_open(const char *where, const struct http_opts *net,
    struct depot_source **out, struct dv_error *err);
/* A zip held in memory (mem must outlive the source). */
int source_open_mem(const void *mem, size_t len, const char *label,
    struct depot_source **out, struct dv_error *err);
void source_close(struct depot_source *s);

enum source_kind source_kind(const struct depot_source *s);
/* What messages name: the path, or the URL with the token as <token>. */
const char *source_label(const struct depot_source *s);
/* The root index's name relative to the depot's top: "index.xml" or
 * "vmw-depot-index.xml". */
const char *source_root(const struct depot_source *s);
/* The zip of a SOURCE_ZIP, else NULL. */
struct zipfile *source_zip(const struct depot_source *s);
/* Open a SOURCE_ZIP's zip again (one handle per thread).  DV_ENOTZIP
 * for a folder or URL. */
int source_reopen_zip(const struct depot_source *s, struct zipfile **out,
    struct dv_error *err);
/* Whether the root index exists (a zip without it is probed further). */
bool source_has(struct depot_source *s, const char *member);

/*
 * Read member (a checked relative path) whole into out, at most cap
 * bytes.  A URL source downloads it once and keeps the bytes.  Errors:
 * DV_EMISSING ("LABEL: member: missing (named by named_by)"), DV_ELIMIT,
 * DV_EIO, DV_EPATH, DV_EZIP, DV_ENET, DV_EDENIED.
 */
int source_read(struct depot_source *s, const char *member,
    const char *named_by, size_t cap, struct sbuf *out,
    struct dv_error *err);
/* The stored size of member when it is known without reading it (zip,
 * folder); false otherwise. */
bool source_size(struct depot_source *s, const char *member,
    uint64_t *size);
/*
 * Where member is, for a download or a direct read: a URL (which may say
 * {token}) for SOURCE_URL, file:// for SOURCE_DIR; empty for a zip.
 */
void source_member_url(const struct depot_source *s, const char *member,
    struct sbuf *out);
/*
 * Open member, a file of a folder or URL source (a VIB), for reading:
 * *fd is the folder's file, or for a URL the file downloaded into a
 * temporary folder (TMPDIR, else /tmp), checked against size and sha256
 * (both needed) as it streams and removed at once: *fd keeps it until
 * closed.  named_by says which document named it.  Errors: DV_ENOTZIP
 * (a zip source), DV_EMISSING, DV_EIO, DV_EPATH, DV_EFORMAT (no size or
 * SHA-256 to check a download against), and http_get_files' errors.
 */
int source_open_file(const struct depot_source *s, const char *member,
    uint64_t size, const char *sha256, const char *named_by, int *fd,
    struct dv_error *err);
/* The folder of a SOURCE_DIR; NULL otherwise. */
const char *source_dir(const struct depot_source *s);
/* The network options a SOURCE_URL was opened with; NULL otherwise. */
const struct http_opts *source_net(const struct depot_source *s);

#endif
