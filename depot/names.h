/* names.h - one home for the rules on hostile names and their display. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_NAMES_H
#define DV_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/*
 * Every name that comes from an archive, a depot's metadata or a
 * command line is hostile until one of these says otherwise; every
 * command refuses the same names the same way.
 */

/*
 * Why an archive member's stored name may not be used: an empty name,
 * an absolute path, a drive letter, a backslash, a control character, a
 * ".." component, or more than DV_MAX_NAME_BYTES; NULL when it is fine.
 * The text reads "absolute path" and so on.
 */
const char *dv_member_problem(const char *name);

/*
 * Why rel may not be created below an output folder: dv_member_problem's
 * rules, and no empty or "." component (the file must land under exactly
 * the name checked); NULL when it is fine.
 */
const char *dv_out_path_problem(const char *rel);
/* 0 when name is a safe relative member path, else -DV_EPATH. */
int dv_path_check(const char *name);

/*
 * Join a reference found in member base onto base's directory inside the
 * same zip (esximage's UrlJoin for zip: URLs), refusing absolute paths,
 * ".." components, backslashes and control characters.  Result in out.
 */
int dv_path_join(const char *base, const char *ref, struct sbuf *out);

struct zip_entry;
struct tar_entry;

/*
 * Why an archive entry may not be unpacked or walked: its name's problem
 * (dv_member_problem, or a NUL byte inside a zip name), else its kind (a
 * link, a device, a fifo); NULL for a plain file or folder.
 */
const char *dv_zip_entry_problem(const struct zip_entry *e);
const char *dv_tar_entry_problem(const struct tar_entry *e);

struct zipfile;

/*
 * The one rule for a depot zip (depot.c, package_*.c): index.xml at its
 * root, where esxcli reads it.
 */
bool dv_zip_is_depot(struct zipfile *zf);

/*
 * The one rule for an expanded depot (depot.c, package_*.c): a folder
 * ("" for the root) of an archive holding index.xml, and a vendor index
 * (another .xml) and a metadata zip at or below it; a help folder's
 * index.xml is not a depot.  name(ctx, i) is the name of member i of n,
 * or NULL for a folder or a member to pass over.  Returns n flags (free
 * them): flag i says member i is the index.xml of such a folder.  Linear
 * in the names' length.
 */
bool *dv_depot_folders(const char *(*name)(void *ctx, size_t i), void *ctx,
    size_t n);

/*
 * A name for a message, appended to sb: control bytes shown as \xNN, and
 * a name longer than DV_SHOWN_MAX cut short with "...", so that the
 * reason after it still fits in a struct dv_error.
 */
#define DV_SHOWN_MAX 200
void dv_shown_name(struct sbuf *sb, const char *s);
/* The same for len bytes of in, into out (size >= 4), cut with "..." to
 * fit: for fixed-size fields of binary headers. */
void dv_shown_buf(char *out, size_t size, const char *in, size_t len);

/* Whether s ends in suffix, ignoring ASCII case. */
bool dv_has_suffix(const char *s, const char *suffix);
/* The last "/"-separated component of path (a pointer into it). */
const char *dv_base_name(const char *path);

#endif
