/* image_diff.c - compare two images, or an image and a host's VIB list. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depot_int.h"
#include "image.h"

void
image_diff_init(struct image_diff *d)
{
	memset(d, 0, sizeof(*d));
}

void
image_diff_release(struct image_diff *d)
{
	if (d == NULL)
		return;
	free(d->a.v);
	free(d->b.v);
	free(d->v);
	arena_release(&d->arena);
	memset(d, 0, sizeof(*d));
}

const char *
image_diff_kind_name(enum diff_kind k)
{
	static const char *const names[] = {"added", "removed", "upgraded",
	    "downgraded"};

	return names[k];
}

static int
dvib_cmp(const void *x, const void *y)
{
	const struct diff_vib *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	return c != 0 ? c : dv_version_cmp(a->version, b->version);
}

void
image_diff_side(struct image_diff *d, struct diff_side *side,
    const struct image *img, const char *esx_version, const char *label)
{
	side->label = arena_strdup(&d->arena, label);
	side->esx_version = esx_version != NULL ?
	    arena_strdup(&d->arena, esx_version) : NULL;
	side->acceptance = img->acceptance;
	side->v = xcalloc(img->nvibs + 1, sizeof(*side->v));
	for (size_t i = 0; i < img->nvibs; i++) {
		const struct depot_vib *v = img->vibs[i].vib;
		side->v[i] = (struct diff_vib){v->name, v->version, v->id,
		    v->acceptance};
	}
	side->n = img->nvibs;
}

/* esxcli's display names of the acceptance levels. */
static int
display_acceptance(const char *s, enum dv_acceptance *out)
{
	static const struct {
		const char *name;
		enum dv_acceptance level;
	} map[] = {
		{"VMwareCertified", DV_ACCEPT_CERTIFIED},
		{"VMwareAccepted", DV_ACCEPT_ACCEPTED},
		{"PartnerSupported", DV_ACCEPT_PARTNER},
		{"CommunitySupported", DV_ACCEPT_COMMUNITY},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s, map[i].name) == 0) {
			*out = map[i].level;
			return 0;
		}
	return dv_acceptance_parse(s, out);
}

/*
 * Split line (modified) into whitespace-separated words: at most max into
 * w (their number returned), and *total the number there are.
 */
static size_t
words(char *line, char **w, size_t max, size_t *total)
{
	size_t n = 0;

	*total = 0;
	for (;;) {
		line += strspn(line, " \t");
		if (*line == '\0')
			return n;
		if (n < max)
			w[n++] = line;
		(*total)++;
		line += strcspn(line, " \t");
		if (*line != '\0')
			*line++ = '\0';
	}
}

int
image_diff_host(struct image_diff *d, struct diff_side *side,
    const char *path, struct dv_error *err)
{
	struct sbuf text = SBUF_INIT(DIFF_MAX_HOST_BYTES);
	struct ptrvec rows = PTRVEC_INIT;
	char chunk[65536], *line, *next, *w[8] = {NULL};
	size_t n, lineno = 0, nw, total;
	enum dv_acceptance lowest = DV_ACCEPT_CERTIFIED;
	bool header = false, dashes = false;
	FILE *fp;
	int ret = 0;

	if ((fp = fopen(path, "rb")) == NULL)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (sbuf_add(&text, chunk, n) != 0) {
			ret = dv_error_set(err, DV_ELIMIT, "%s: larger than %u "
			    "bytes: not a saved 'esxcli software vib list'",
			    path, DIFF_MAX_HOST_BYTES);
			goto out;
		}
	if (ferror(fp)) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot read", path);
		goto out;
	}
	if (memchr(text.buf, '\0', text.len) != NULL) {
		ret = dv_error_set(err, DV_EFORMAT, "%s: binary data, not a "
		    "saved 'esxcli software vib list'", path);
		goto out;
	}
	for (line = text.buf; line != NULL && *line != '\0'; line = next) {
		struct diff_vib *v;
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		nw = words(line, w, 8, &total);
		if (nw == 0 || w[0] == NULL)
			continue;
		if (!header) {
			if (nw < 2 || w[1] == NULL ||
			    strcmp(w[0], "Name") != 0 ||
			    strcmp(w[1], "Version") != 0) {
				ret = dv_error_set(err, DV_EFORMAT, "%s: line "
				    "%zu: expected the header of 'esxcli "
				    "software vib list' (Name  Version  Vendor "
				    "...)", path, lineno);
				goto out;
			}
			header = true;
			continue;
		}
		if (!dashes && w[0][0] == '-') {
			dashes = true;
			continue;
		}
		if (total < 4 || total > 5) {
			ret = dv_error_set(err, DV_EFORMAT, "%s: line %zu: "
			    "expected NAME VERSION VENDOR ACCEPTANCE "
			    "[INSTALL-DATE], got %zu columns", path, lineno,
			    total);
			goto out;
		}
		v = arena_alloc(&d->arena, sizeof(*v));
		v->name = arena_strdup(&d->arena, w[0]);
		v->version = arena_strdup(&d->arena, w[1]);
		if (display_acceptance(w[3], &v->acceptance) != 0) {
			ret = dv_error_set(err, DV_EFORMAT, "%s: line %zu: "
			    "unknown acceptance level '%s'", path, lineno,
			    w[3]);
			goto out;
		}
		if (v->acceptance < lowest)
			lowest = v->acceptance;
		ptrvec_push(&rows, v);
	}
	if (!header) {
		ret = dv_error_set(err, DV_EFORMAT, "%s: empty: not a saved "
		    "'esxcli software vib list'", path);
		goto out;
	}
	side->label = arena_strdup(&d->arena, path);
	side->acceptance = lowest;
	side->v = xcalloc(rows.n + 1, sizeof(*side->v));
	for (size_t i = 0; i < rows.n; i++) {
		const struct diff_vib *v = rows.v[i];
		side->v[i] = *v;
		if (strcmp(v->name, "esx-base") == 0)
			side->esx_version = arena_strndup(&d->arena,
			    v->version, strcspn(v->version, "-"));
	}
	side->n = rows.n;
	qsort(side->v, side->n, sizeof(*side->v), dvib_cmp);
out:
	fclose(fp);
	ptrvec_release(&rows);
	sbuf_release(&text);
	return ret;
}

static int
entry_cmp(const void *x, const void *y)
{
	const struct diff_entry *a = x, *b = y;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->name, b->name);
}

static void
push(struct image_diff *d, size_t *alloc, enum diff_kind kind,
    const struct diff_vib *a, const struct diff_vib *b)
{
	if (d->n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 32;
		d->v = xrealloc(d->v, *alloc * sizeof(*d->v));
	}
	d->v[d->n++] = (struct diff_entry){kind, a ? a->name : b->name, a, b};
}

void
image_diff_run(struct image_diff *d)
{
	size_t i = 0, k = 0, alloc = 0;

	qsort(d->a.v, d->a.n, sizeof(*d->a.v), dvib_cmp);
	qsort(d->b.v, d->b.n, sizeof(*d->b.v), dvib_cmp);
	/* Two versions of a name on one side: each is its own row. */
	while (i < d->a.n || k < d->b.n) {
		const struct diff_vib *a = i < d->a.n ? &d->a.v[i] : NULL;
		const struct diff_vib *b = k < d->b.n ? &d->b.v[k] : NULL;
		int c = a == NULL ? 1 : b == NULL ? -1 :
		    strcmp(a->name, b->name);
		if (c < 0) {
			push(d, &alloc, DIFF_REMOVED, a, NULL);
			i++;
		} else if (c > 0) {
			push(d, &alloc, DIFF_ADDED, NULL, b);
			k++;
		} else {
			c = dv_version_cmp(a->version, b->version);
			if (c < 0)
				push(d, &alloc, DIFF_UPGRADED, a, b);
			else if (c > 0)
				push(d, &alloc, DIFF_DOWNGRADED, a, b);
			else
				d->unchanged++;
			i++;
			k++;
		}
	}
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), entry_cmp);
}
