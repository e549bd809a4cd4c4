/* output.h - esxcli-style tables for cmd/, and depot/json.h for --json. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_OUTPUT_H
#define CMD_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../depot/json.h"
#include "../depot/xalloc.h"

/*
 * A table prints like esxcli: a header row, a row of dashes as wide as
 * each column, columns two spaces apart and as wide as their widest cell,
 * except the last, whose dashes are as wide as its header however wide
 * its values ("Modification Time": 17 dashes over 19-character times).
 */
struct table {
	size_t ncols;
	const char *const *headers;
	struct ptrvec cells; /* ncols owned strings per row */
};

void table_init(struct table *t, size_t ncols, const char *const *headers);
/* Append one row of t->ncols strings (copied; NULL prints as ""). */
void table_row(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *fp);
void table_release(struct table *t);

/* Display width of a UTF-8 string (code points; no wide-glyph tables). */
size_t utf8_width(const char *s);

#endif
