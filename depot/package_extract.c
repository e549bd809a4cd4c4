/* package_extract.c - one extract run: vendor packages into an OUTDIR. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>

#include "package.h"

/* Whether n or something below it is of kind k. */
static bool
has_kind(const struct package_node *n, enum package_kind k)
{
	if (n->kind == k)
		return true;
	for (size_t i = 0; i < n->nchildren; i++)
		if (has_kind(n->children[i], k))
			return true;
	return false;
}

void
package_count_installable(const struct package_node *n,
    struct package_counts *c)
{
	if (n->installable && n->duplicate_of == NULL) {
		if (n->kind == PACKAGE_DEPOT)
			c->depots++;
		else if (n->kind == PACKAGE_EXPANDED)
			c->expanded++;
		else if (n->kind == PACKAGE_VIB)
			c->vibs++;
		else if (n->kind == PACKAGE_NVM_TOOL)
			c->tools++;
	}
	for (size_t i = 0; i < n->nchildren; i++)
		package_count_installable(n->children[i], c);
}

/*
 * The walk of every input, in order, through one OUTDIR sink; a run that
 * would write nothing is an error that says what would help.
 */
static int
extract_all(struct outdir *od, const char *const *inputs, size_t n,
    unsigned flags, struct package **pkgs, size_t *done, struct dv_error *err)
{
	struct package_extract x;
	struct package_sink sink;
	bool expanded = false;
	size_t i;
	int ret = 0;

	package_extract_init(&x, od, (flags & PACKAGE_EXTRACT_VIBS) != 0,
	    (flags & PACKAGE_EXTRACT_REPACK) != 0);
	package_sink_outdir(&sink, &x);
	for (i = 0; i < n; i++) {
		if ((ret = package_open(inputs[i], &sink, &pkgs[i], err)) != 0)
			goto out;
		*done = i + 1;
	}
	if (outdir_count(od) == 0) {
		for (i = 0; i < n; i++)
			expanded = expanded || has_kind(pkgs[i]->root,
			    PACKAGE_EXPANDED);
		ret = dv_error_set(err, DV_ENOMATCH, "%s%s: nothing to extract: "
		    "%s", inputs[0], n > 1 ? " and the others" : "",
		    expanded ? "an expanded depot folder is written only with "
		    "--repack" : "no depot, VIB or NVM update tool found");
	}
out:
	package_extract_release(&x);
	return ret;
}

int
package_extract_run(const char *outdir, const char *const *inputs, size_t n,
    unsigned flags, struct package ***out, struct ptrvec *unchanged,
    struct dv_error *err)
{
	struct package **pkgs = xcalloc(n + 1, sizeof(*pkgs));
	struct outdir *od = NULL;
	size_t done = 0;
	int ret;

	*out = NULL;
	/* Extracting again into the same OUTDIR finds the same bytes. */
	if ((ret = outdir_begin(outdir, (flags & PACKAGE_EXTRACT_FORCE) != 0 ?
	    OUTDIR_FORCE : OUTDIR_SAME_OK, &od, err)) != 0)
		goto out;
	if ((ret = extract_all(od, inputs, n, flags, pkgs, &done, err)) != 0)
		goto out;
	if (unchanged != NULL)
		outdir_unchanged(od, unchanged);
	ret = outdir_commit(od, err);
	od = NULL;
out:
	outdir_abort(od);
	if (ret != 0) {
		package_free_all(pkgs, done);
		return ret;
	}
	*out = pkgs;
	return 0;
}

void
package_free_all(struct package **pkgs, size_t n)
{
	if (pkgs == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		package_free(pkgs[i]);
	free(pkgs);
}
