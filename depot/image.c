/* image.c - the image model: a profile's VIBs, versions and relations. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "parse.h"

static int
image_vib_cmp(const void *a, const void *b)
{
	const struct depot_vib *x = ((const struct image_vib *)a)->vib;
	const struct depot_vib *y = ((const struct image_vib *)b)->vib;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = dv_version_cmp(x->version, y->version);
	return c != 0 ? c : strcmp(x->id, y->id);
}

/* Bulletins of the catalog depots whose VIBs are all in the image. */
static void
find_components(struct image *img)
{
	const char **ids = xmalloc((img->nvibs + 1) * sizeof(*ids));
	struct ptrvec comps = PTRVEC_INIT;
	size_t i, k, j;

	for (i = 0; i < img->nvibs; i++)
		ids[i] = img->vibs[i].vib->id;
	qsort(ids, img->nvibs, sizeof(*ids), dv_strptr_cmp);
	for (k = 0; k < img->ndepots; k++) {
		const struct depot *d = img->depots[k];
		for (i = 0; i < d->nbulletins; i++) {
			const struct depot_bulletin *b = d->bulletins[i];
			bool whole = b->vib_ids.n > 0, dup = false;
			for (j = 0; j < b->vib_ids.n && whole; j++)
				whole = bsearch(&b->vib_ids.v[j], ids,
				    img->nvibs, sizeof(*ids),
				    dv_strptr_cmp) != NULL;
			for (j = 0; j < comps.n && whole && !dup; j++)
				dup = strcmp(((const struct depot_bulletin *)
				    comps.v[j])->id, b->id) == 0;
			if (whole && !dup)
				ptrvec_push(&comps, (void *)b);
		}
	}
	img->components = arena_alloc(&img->arena,
	    (comps.n + 1) * sizeof(*img->components));
	for (i = 0; i < comps.n; i++)
		img->components[i] = comps.v[i];
	img->ncomponents = comps.n;
	ptrvec_release(&comps);
	free(ids);
}

static void
set_depots(struct image *img, const struct depot *const *depots, size_t n)
{
	const struct depot **v = arena_alloc(&img->arena,
	    (n + 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = depots[i];
	img->depots = v;
	img->ndepots = n;
}

void
image_from_profile(struct image *img, const struct depot *d,
    const struct depot_profile *p)
{
	struct ptrvec missing = PTRVEC_INIT;
	size_t i, k = 0;

	memset(img, 0, sizeof(*img));
	img->name = p->name;
	img->creator = p->creator;
	img->description = p->description;
	img->acceptance = p->acceptance;
	img->profile = p;
	img->origin = d->path;
	img->vibs = arena_alloc(&img->arena,
	    (p->vib_ids.n + 1) * sizeof(*img->vibs));
	for (i = 0; i < p->vib_ids.n; i++) {
		const struct depot_vib *v = depot_find_vib(d, p->vib_ids.v[i]);
		if (v == NULL) {
			ptrvec_push(&missing, (void *)p->vib_ids.v[i]);
			continue;
		}
		img->vibs[k].vib = v;
		img->vibs[k].depot = d;
		img->vibs[k].origin = d->path;
		k++;
	}
	img->nvibs = k;
	qsort(img->vibs, k, sizeof(*img->vibs), image_vib_cmp);
	img->missing.n = missing.n;
	img->missing.v = arena_alloc(&img->arena,
	    (missing.n + 1) * sizeof(char *));
	for (i = 0; i < missing.n; i++)
		img->missing.v[i] = missing.v[i];
	ptrvec_release(&missing);
	set_depots(img, &d, 1);
	find_components(img);
}

void
image_from_vibs(struct image *img, const struct image_vib *vibs, size_t n,
    const struct depot *const *depots, size_t ndepots)
{
	memset(img, 0, sizeof(*img));
	img->vibs = arena_alloc(&img->arena, (n + 1) * sizeof(*img->vibs));
	memcpy(img->vibs, vibs, n * sizeof(*vibs));
	img->nvibs = n;
	img->missing.v = arena_alloc(&img->arena, sizeof(char *));
	qsort(img->vibs, n, sizeof(*img->vibs), image_vib_cmp);
	set_depots(img, depots, ndepots);
	find_components(img);
}

void
image_release(struct image *img)
{
	if (img == NULL)
		return;
	arena_release(&img->arena);
	memset(img, 0, sizeof(*img));
}

const struct image_vib *
image_find_name(const struct image *img, const char *name)
{
	size_t lo = 0, hi = img->nvibs;

	/* Sorted by name: the first of a run of equal names. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(img->vibs[mid].vib->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < img->nvibs && strcmp(img->vibs[lo].vib->name, name) == 0 ?
	    &img->vibs[lo] : NULL;
}

const char *
image_esx_version(const struct image *img, char *out, size_t outlen)
{
	const struct image_vib *base = image_find_name(img, "esx-base");
	size_t n;

	if (base == NULL || outlen == 0)
		return NULL;
	n = strcspn(base->vib->version, "-");
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, base->vib->version, n);
	out[n] = '\0';
	return out;
}

/* The version part of "1.2.3-rel" into buf. */
static const char *
version_part(const char *v, char *buf, size_t len)
{
	size_t n = strcspn(v, "-");

	if (n >= len)
		n = len - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return buf;
}

bool
image_relation_holds(const char *have, const char *relation,
    const char *version)
{
	char a[128], b[128];
	int c;

	if (relation == NULL || *relation == '\0' || version == NULL)
		return true;
	if (have == NULL)
		return false;
	/* A side without a release compares by version alone. */
	if (strchr(version, '-') == NULL || strchr(have, '-') == NULL)
		c = dv_version_cmp(version_part(have, a, sizeof(a)),
		    version_part(version, b, sizeof(b)));
	else
		c = dv_version_cmp(have, version);
	if (strcmp(relation, "<<") == 0)
		return c < 0;
	if (strcmp(relation, "<=") == 0)
		return c <= 0;
	if (strcmp(relation, "=") == 0)
		return c == 0;
	if (strcmp(relation, ">=") == 0)
		return c >= 0;
	if (strcmp(relation, ">>") == 0)
		return c > 0;
	return false; /* an unknown relation is never met */
}

bool
image_vib_satisfies(const struct depot_vib *v, const struct depot_relation *c)
{
	if (strcmp(v->name, c->name) == 0 &&
	    image_relation_holds(v->version, c->relation, c->version))
		return true;
	for (size_t i = 0; i < v->provides.n; i++) {
		const struct depot_relation *p = &v->provides.v[i];
		if (strcmp(p->name, c->name) != 0)
			continue;
		/* An unversioned provide meets only unversioned needs. */
		if (c->relation == NULL || *c->relation == '\0' ||
		    (p->version != NULL && image_relation_holds(p->version,
		    c->relation, c->version)))
			return true;
	}
	return false;
}

void
image_relation_text(const struct depot_relation *c, char *out, size_t outlen)
{
	if (c->relation != NULL && *c->relation != '\0' && c->version != NULL)
		snprintf(out, outlen, "%s %s %s", c->name, c->relation,
		    c->version);
	else
		snprintf(out, outlen, "%s", c->name);
}
