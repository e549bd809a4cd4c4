/* output.c - esxcli-style tables and a small JSON writer. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include "output.h"

size_t
utf8_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

void
table_init(struct table *t, size_t ncols, const char *const *headers)
{
	t->ncols = ncols;
	t->headers = headers;
	t->cells = (struct ptrvec)PTRVEC_INIT;
}

void
table_row(struct table *t, const char *const *cells)
{
	for (size_t i = 0; i < t->ncols; i++)
		ptrvec_push(&t->cells, xstrdup(cells[i] != NULL ? cells[i] : ""));
}

static void
print_cell(FILE *fp, const char *s, size_t width, bool last)
{
	size_t w = utf8_width(s);

	fputs(s, fp);
	if (last)
		return;
	for (; w < width + 2; w++)
		fputc(' ', fp);
}

void
table_print(const struct table *t, FILE *fp)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));
	size_t rows = t->cells.n / t->ncols, r, c, w;

	for (c = 0; c < t->ncols; c++)
		width[c] = utf8_width(t->headers[c]);
	/* esxcli sizes the last column by its header alone: its values
	 * run past the dashes, and nothing pads them. */
	for (r = 0; r < rows; r++)
		for (c = 0; c + 1 < t->ncols; c++) {
			w = utf8_width(t->cells.v[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (c = 0; c < t->ncols; c++)
		print_cell(fp, t->headers[c], width[c], c + 1 == t->ncols);
	fputc('\n', fp);
	for (c = 0; c < t->ncols; c++) {
		for (w = 0; w < width[c]; w++)
			fputc('-', fp);
		if (c + 1 < t->ncols)
			fputs("  ", fp);
	}
	fputc('\n', fp);
	for (r = 0; r < rows; r++) {
		for (c = 0; c < t->ncols; c++)
			print_cell(fp, t->cells.v[r * t->ncols + c], width[c],
			    c + 1 == t->ncols);
		fputc('\n', fp);
	}
	free(width);
}

void
table_release(struct table *t)
{
	for (size_t i = 0; i < t->cells.n; i++)
		free(t->cells.v[i]);
	ptrvec_release(&t->cells);
}
