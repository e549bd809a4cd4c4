/* parse.h - XML documents of a metadata zip into model records. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_PARSE_H
#define DV_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "depot.h"
#include "depot_int.h"

/*
 * Each parser reads one document (root) and allocates the record and all
 * its strings from a.  what names the document in messages.  Errors are
 * DV_EFORMAT with esximage's reason, naming the document and the record.
 */
/* depot_form: also read relative-path, packed-size and the whole-VIB sum. */
int parse_vib(struct arena *a, const struct xnode *root, const char *what,
    bool depot_form, struct depot_vib **out, struct dv_error *err);
int parse_legacy_vib(struct arena *a, const struct xnode *vib,
    const char *what, struct depot_vib **out, struct dv_error *err);
int parse_bulletin(struct arena *a, const struct xnode *root,
    const char *what, struct depot_bulletin **out, struct dv_error *err);
int parse_profile(struct arena *a, const struct xnode *root, const char *what,
    struct depot_profile **out, struct dv_error *err);

/* qsort comparator for arrays of C strings. */
int dv_strptr_cmp(const void *a, const void *b);

#endif
