/* image_validate.c - esximage's image profile checks, each explained. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "parse.h"
#include "platform.h"
#include "sbuf.h"

/* A VIB named in a problem: at most this many, then "and N more". */
#define NAMES_SHOWN 10

static const char *const rule_names[IMAGE_RULE_COUNT] = {
	[IMAGE_RULE_MISSING] = "missing-vib",
	[IMAGE_RULE_BASE] = "base",
	[IMAGE_RULE_DEPENDS] = "depends",
	[IMAGE_RULE_CONFLICTS] = "conflicts",
	[IMAGE_RULE_TWO_VERSIONS] = "two-versions",
	[IMAGE_RULE_REPLACES] = "replaces",
	[IMAGE_RULE_PLATFORM] = "platform",
	[IMAGE_RULE_CHECKSUM] = "sha256-gunzip",
	[IMAGE_RULE_FILES] = "file-conflict",
	[IMAGE_RULE_ACCEPTANCE] = "acceptance",
	[IMAGE_RULE_COMPONENT] = "component",
	[IMAGE_RULE_REMOVE] = "remove",
	[IMAGE_RULE_VERSION] = "older-version",
	[IMAGE_RULE_SIGNATURE] = "signature",
};

const char *
image_rule_name(enum image_rule r)
{
	return r < IMAGE_RULE_COUNT ? rule_names[r] : "";
}

void
image_report_init(struct image_report *r)
{
	memset(r, 0, sizeof(*r));
}

void
image_report_release(struct image_report *r)
{
	if (r == NULL)
		return;
	free(r->v);
	arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}

void
image_report_add(struct image_report *r, enum image_rule rule,
    const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	/* One line, whatever names the metadata holds. */
	for (size_t i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] < 0x20 || sb.buf[i] == 0x7f)
			sb.buf[i] = '?';
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 16;
		r->v = xrealloc(r->v, r->alloc * sizeof(*r->v));
	}
	r->v[r->n].rule = rule;
	r->v[r->n].text = arena_strdup(&r->arena, sb.buf);
	r->n++;
	sbuf_release(&sb);
}

/*
 * What satisfies a constraint, by name: every VIB under its own name and
 * under each name it provides.  Sorted by name, then unversioned provides
 * first, then by version, so that the entries meeting "name REL version"
 * are one contiguous run found by binary search: no constraint costs more
 * than a logarithm, however many VIBs share a name.
 */
struct cand {
	const char *name;
	const char *version; /* NULL: an unversioned provide */
	size_t vib;	     /* index into the VIB array indexed */
};

struct index {
	struct cand *v;
	size_t n;
};

/* Compare versions as image_relation_holds does. */
static int
rel_cmp(const char *have, const char *want)
{
	char a[128], b[128];
	size_t na, nb;

	if (strchr(want, '-') != NULL && strchr(have, '-') != NULL)
		return dv_version_cmp(have, want);
	na = strcspn(have, "-");
	nb = strcspn(want, "-");
	if (na >= sizeof(a))
		na = sizeof(a) - 1;
	if (nb >= sizeof(b))
		nb = sizeof(b) - 1;
	memcpy(a, have, na);
	a[na] = '\0';
	memcpy(b, want, nb);
	b[nb] = '\0';
	return dv_version_cmp(a, b);
}

static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c != 0)
		return c;
	if ((a->version == NULL) != (b->version == NULL))
		return a->version == NULL ? -1 : 1;
	if (a->version != NULL && (c = dv_version_cmp(a->version,
	    b->version)) != 0)
		return c;
	return a->vib < b->vib ? -1 : a->vib > b->vib;
}

static void
index_build(struct index *ix, const struct image_vib *vibs, size_t n)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		total += 1 + vibs[i].vib->provides.n;
	ix->v = xmalloc((total + 1) * sizeof(*ix->v));
	for (size_t i = 0; i < n; i++) {
		const struct depot_vib *v = vibs[i].vib;
		ix->v[k++] = (struct cand){v->name, v->version, i};
		for (size_t j = 0; j < v->provides.n; j++)
			ix->v[k++] = (struct cand){v->provides.v[j].name,
			    v->provides.v[j].version, i};
	}
	ix->n = k;
	qsort(ix->v, k, sizeof(*ix->v), cand_cmp);
}

static void
index_release(struct index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

/*
 * The first entry at or after lo whose (name, version) is not before
 * (name, want): with strict, the first one after it.  want NULL: the
 * first of the name's versioned entries.
 */
static size_t
bound(const struct index *ix, size_t lo, size_t hi, const char *want,
    bool strict)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cand *c = &ix->v[mid];
		int d;
		if (c->version == NULL)
			d = -1;
		else if (want == NULL)
			d = 1;
		else
			d = rel_cmp(c->version, want);
		if (d < 0 || (strict && d == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The run of entries that satisfy c: [*lo, *hi). */
static void
index_match(const struct index *ix, const struct depot_relation *c,
    size_t *lo, size_t *hi)
{
	size_t a = 0, b = ix->n, first, vfirst;

	/* The name's run. */
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (strcmp(ix->v[mid].name, c->name) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	first = a;
	b = ix->n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (strcmp(ix->v[mid].name, c->name) <= 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = first;
	*hi = a;
	if (c->relation == NULL || *c->relation == '\0' || c->version == NULL)
		return;
	/* Versioned: only entries with a version, in range. */
	vfirst = bound(ix, first, *hi, NULL, false);
	if (strcmp(c->relation, ">=") == 0) {
		*lo = bound(ix, vfirst, *hi, c->version, false);
	} else if (strcmp(c->relation, ">>") == 0) {
		*lo = bound(ix, vfirst, *hi, c->version, true);
	} else if (strcmp(c->relation, "<=") == 0) {
		*lo = vfirst;
		*hi = bound(ix, vfirst, *hi, c->version, true);
	} else if (strcmp(c->relation, "<<") == 0) {
		*lo = vfirst;
		*hi = bound(ix, vfirst, *hi, c->version, false);
	} else if (strcmp(c->relation, "=") == 0) {
		*lo = bound(ix, vfirst, *hi, c->version, false);
		*hi = bound(ix, *lo, *hi, c->version, true);
	} else {
		*lo = *hi; /* an unknown relation is never met */
	}
}

/* An entry of the run that is not VIB self, or -1. */
static long
other_than(const struct index *ix, size_t lo, size_t hi, size_t self)
{
	for (size_t i = lo; i < hi; i++)
		if (ix->v[i].vib != self)
			return (long)i;
	return -1;
}

struct ctx {
	const struct image *img;
	const char *pname; /* the profile's name in messages */
	struct image_report *r;
	struct index ix;
	const struct image_vib *pool;
	size_t npool;
	struct index pool_ix;
	struct dv_esxi esxi; /* the image's release; major 0: unknown */
	int major;
};

static void
check_missing(struct ctx *c)
{
	for (size_t i = 0; i < c->img->missing.n; i++)
		image_report_add(c->r, IMAGE_RULE_MISSING,
		    "VIBs %s from image profile '%s' cannot be found in "
		    "metadata: the depot lacks that VIB; add it (compose "
		    "--add) or drop it from the profile (compose --remove)",
		    c->img->missing.v[i], c->pname);
}

static void
check_base(struct ctx *c)
{
	if (image_find_name(c->img, "esx-base") != NULL)
		return;
	image_report_add(c->r, IMAGE_RULE_BASE, "ImageProfile %s has no "
	    "esx-base VIB: an ESXi image needs the base system and a "
	    "bootable kernel; start from a VMware base profile (compose "
	    "BASE.zip --profile ESXi-...-standard)", c->pname);
}

/* Which pool VIB (not in the image) would satisfy d, or NULL. */
static const struct image_vib *
pool_offer(struct ctx *c, const struct depot_relation *d)
{
	size_t lo, hi;

	index_match(&c->pool_ix, d, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct image_vib *p = &c->pool[c->pool_ix.v[i].vib];
		const struct image_vib *have = image_find_name(c->img,
		    p->vib->name);
		/* A VIB already in the image at that version is no offer. */
		if (have == NULL || strcmp(have->vib->id, p->vib->id) != 0)
			return p;
	}
	return NULL;
}

static void
check_relations(struct ctx *c)
{
	char rel[512];
	size_t lo, hi;
	long o;

	for (size_t i = 0; i < c->img->nvibs; i++) {
		const struct depot_vib *v = c->img->vibs[i].vib;
		for (size_t j = 0; j < v->depends.n; j++) {
			const struct depot_relation *d = &v->depends.v[j];
			const struct image_vib *p;
			index_match(&c->ix, d, &lo, &hi);
			if (lo < hi)
				continue;
			image_relation_text(d, rel, sizeof(rel));
			p = pool_offer(c, d);
			if (p != NULL)
				image_report_add(c->r, IMAGE_RULE_DEPENDS,
				    "VIB %s requires %s, but the requirement "
				    "cannot be satisfied within the "
				    "ImageProfile. However, additional VIB %s "
				    "from %s can satisfy this requirement: "
				    "add it to the image", v->id, rel,
				    p->vib->id, p->origin);
			else
				image_report_add(c->r, IMAGE_RULE_DEPENDS,
				    "VIB %s requires %s, but the requirement "
				    "cannot be satisfied within the "
				    "ImageProfile: add a VIB that provides %s, "
				    "or remove %s", v->id, rel, d->name,
				    v->name);
		}
		for (size_t j = 0; j < v->conflicts.n; j++) {
			index_match(&c->ix, &v->conflicts.v[j], &lo, &hi);
			if ((o = other_than(&c->ix, lo, hi, i)) < 0)
				continue;
			image_relation_text(&v->conflicts.v[j], rel,
			    sizeof(rel));
			image_report_add(c->r, IMAGE_RULE_CONFLICTS,
			    "VIB %s conflicts with %s (it declares a conflict "
			    "with %s): remove one of them",
			    v->id, c->img->vibs[c->ix.v[o].vib].vib->id, rel);
		}
		for (size_t j = 0; j < v->replaces.n; j++) {
			index_match(&c->ix, &v->replaces.v[j], &lo, &hi);
			if ((o = other_than(&c->ix, lo, hi, i)) < 0)
				continue;
			image_relation_text(&v->replaces.v[j], rel,
			    sizeof(rel));
			image_report_add(c->r, IMAGE_RULE_REPLACES,
			    "VIB %s replaces %s (%s), which is still in the "
			    "ImageProfile: remove %s", v->id,
			    c->img->vibs[c->ix.v[o].vib].vib->id, rel,
			    c->img->vibs[c->ix.v[o].vib].vib->name);
		}
	}
}

static void
check_two_versions(struct ctx *c)
{
	for (size_t i = 1; i < c->img->nvibs; i++) {
		const struct depot_vib *a = c->img->vibs[i - 1].vib;
		const struct depot_vib *b = c->img->vibs[i].vib;
		if (strcmp(a->name, b->name) != 0)
			continue;
		image_report_add(c->r, IMAGE_RULE_TWO_VERSIONS,
		    "VIBs %s and %s are two versions of %s, and an image "
		    "holds one: remove %s (the older)", a->id, b->id, a->name,
		    a->id);
	}
}

static void
check_platform(struct ctx *c)
{
	char why[512];

	if (c->major == 0)
		return;
	for (size_t i = 0; i < c->img->nvibs; i++) {
		const struct depot_vib *v = c->img->vibs[i].vib;
		if (dv_vib_fits(v, &c->esxi, why, sizeof(why)))
			continue;
		image_report_add(c->r, IMAGE_RULE_PLATFORM, "VIB %s does not "
		    "fit this ESXi %s image: it %s", v->id, c->r->esx_version,
		    why);
	}
}

/* Payloads whose integrity esximage 8.0 checks after decompression. */
static bool
compressed_payload(const char *type)
{
	static const char *const types[] = {"vgz", "tgz", "vzstd",
	    "installer_vgz"};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

static void
check_checksums(struct ctx *c)
{
	if (c->major < 8)
		return;
	for (size_t i = 0; i < c->img->nvibs; i++) {
		const struct depot_vib *v = c->img->vibs[i].vib;
		bool bad = false;
		for (size_t j = 0; j < v->npayloads && !bad; j++) {
			const struct depot_payload *p = &v->payloads[j];
			bool has = false;
			if (!compressed_payload(p->type))
				continue;
			for (size_t k = 0; k < p->nchecksums && !has; k++) {
				const struct depot_checksum *s =
				    &p->checksums[k];
				has = (strcmp(s->type, "sha-256") == 0 &&
				    s->verify_process != NULL &&
				    strcmp(s->verify_process, "gunzip") == 0) ||
				    strcmp(s->type, "sha-256-gunzip1") == 0;
			}
			bad = !has;
		}
		if (bad)
			image_report_add(c->r, IMAGE_RULE_CHECKSUM,
			    "In ImageProfile %s, the payload(s) in VIB %s does "
			    "not have sha-256 gunzip checksum. This will "
			    "prevent VIB security verification and secure "
			    "boot from functioning properly. Please remove "
			    "this VIB or please check with your vendor for a "
			    "replacement of this VIB", c->pname, v->id);
	}
}

struct claim {
	const char *product;
	const char *path; /* without its leading '/' */
	size_t vib;
};

static int
claim_cmp(const void *x, const void *y)
{
	const struct claim *a = x, *b = y;
	int c = strcmp(a->product, b->product);

	if (c == 0)
		c = strcmp(a->path, b->path);
	return c != 0 ? c : (a->vib < b->vib ? -1 : a->vib > b->vib);
}

/* The products a VIB is for: its softwarePlatforms, else embeddedEsx. */
static size_t
vib_products(const struct depot_vib *v, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < v->platforms.n && n < max; i++) {
		const char *p = v->platforms.v[i].product;
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(out[k], p) == 0;
		if (!seen && *p != '\0')
			out[n++] = p;
	}
	if (n == 0)
		out[n++] = "embeddedEsx";
	return n;
}

static void
check_files(struct ctx *c)
{
	struct claim *cl;
	const char *prod[8];
	size_t total = 0, n = 0, i, j;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);

	for (i = 0; i < c->img->nvibs; i++)
		if (!c->img->vibs[i].vib->overlay)
			total += c->img->vibs[i].vib->files.n * 8;
	cl = xmalloc((total + 1) * sizeof(*cl));
	for (i = 0; i < c->img->nvibs; i++) {
		const struct depot_vib *v = c->img->vibs[i].vib;
		size_t np;
		if (v->overlay)
			continue;
		np = vib_products(v, prod, 8);
		for (j = 0; j < v->files.n; j++)
			for (size_t k = 0; k < np; k++) {
				const char *f = v->files.v[j];
				while (*f == '/')
					f++;
				cl[n++] = (struct claim){prod[k], f, i};
			}
	}
	qsort(cl, n, sizeof(*cl), claim_cmp);
	for (i = 0; i < n; i = j) {
		size_t vibs = 1;
		for (j = i + 1; j < n && strcmp(cl[j].product, cl[i].product) ==
		    0 && strcmp(cl[j].path, cl[i].path) == 0; j++)
			if (cl[j].vib != cl[j - 1].vib)
				vibs++;
		if (vibs < 2)
			continue;
		sbuf_reset(&sb);
		for (size_t k = i, shown = 0; k < j; k++) {
			if (k > i && cl[k].vib == cl[k - 1].vib)
				continue;
			if (shown == NAMES_SHOWN) {
				sbuf_addf(&sb, ", and %zu more",
				    vibs - NAMES_SHOWN);
				break;
			}
			sbuf_addf(&sb, "%s'%s'", shown ? ", " : "",
			    c->img->vibs[cl[k].vib].vib->id);
			shown++;
		}
		image_report_add(c->r, IMAGE_RULE_FILES, "File path of '/%s' "
		    "is claimed by multiple non-overlay VIBs: {%s}: keep one "
		    "of them", cl[i].path, sb.buf);
	}
	sbuf_release(&sb);
	free(cl);
}

static void
check_acceptance(struct ctx *c)
{
	enum dv_acceptance want = c->img->acceptance;

	if (want == DV_ACCEPT_UNKNOWN)
		return;
	for (size_t i = 0; i < c->img->nvibs; i++) {
		const struct depot_vib *v = c->img->vibs[i].vib;
		if (v->acceptance == DV_ACCEPT_UNKNOWN || v->acceptance >= want)
			continue;
		image_report_add(c->r, IMAGE_RULE_ACCEPTANCE,
		    "VIB %s's acceptance level is %s, which is not compliant "
		    "with the ImageProfile acceptance level %s: lower the "
		    "profile's level to %s (compose --acceptance %s), or "
		    "remove %s", v->id, dv_acceptance_name(v->acceptance),
		    dv_acceptance_name(want), dv_acceptance_name(v->acceptance),
		    dv_acceptance_name(v->acceptance), v->name);
	}
}

static bool
in_image(const char **ids, size_t n, const char *id)
{
	return bsearch(&id, ids, n, sizeof(*ids), dv_strptr_cmp) != NULL;
}

static bool
component_whole(const struct image *img, const char *name)
{
	for (size_t i = 0; i < img->ncomponents; i++)
		if (img->components[i]->comp_name != NULL &&
		    strcmp(img->components[i]->comp_name, name) == 0)
			return true;
	return false;
}

static void
check_components(struct ctx *c)
{
	const struct image *img = c->img;
	const char **ids;
	struct sbuf have = SBUF_INIT(SBUF_NOCAP), lack = SBUF_INIT(SBUF_NOCAP);
	struct ptrvec seen = PTRVEC_INIT;

	if (c->major < 7)
		return;
	ids = xmalloc((img->nvibs + 1) * sizeof(*ids));
	for (size_t i = 0; i < img->nvibs; i++)
		ids[i] = img->vibs[i].vib->id;
	qsort(ids, img->nvibs, sizeof(*ids), dv_strptr_cmp);
	for (size_t k = 0; k < img->ndepots; k++) {
		const struct depot *d = img->depots[k];
		for (size_t i = 0; i < d->nbulletins; i++) {
			const struct depot_bulletin *b = d->bulletins[i];
			size_t in = 0, nh = 0, nl = 0;
			bool dup = false;
			if (b->comp_name == NULL)
				continue;
			for (size_t j = 0; j < b->vib_ids.n; j++)
				in += in_image(ids, img->nvibs,
				    b->vib_ids.v[j]);
			if (in == 0 || in == b->vib_ids.n ||
			    component_whole(img, b->comp_name))
				continue;
			for (size_t j = 0; j < seen.n && !dup; j++)
				dup = strcmp(seen.v[j], b->id) == 0;
			if (dup)
				continue;
			ptrvec_push(&seen, (void *)b->id);
			sbuf_reset(&have);
			sbuf_reset(&lack);
			for (size_t j = 0; j < b->vib_ids.n; j++) {
				const char *id = b->vib_ids.v[j];
				if (in_image(ids, img->nvibs, id)) {
					if (nh++ < NAMES_SHOWN)
						sbuf_addf(&have, "%s%s",
						    nh > 1 ? ", " : "", id);
				} else if (nl++ < NAMES_SHOWN) {
					sbuf_addf(&lack, "%s%s",
					    nl > 1 ? ", " : "", id);
				}
			}
			image_report_add(c->r, IMAGE_RULE_COMPONENT,
			    "Profile %s is missing component(s) %s which are "
			    "necesary and removing them is prohibited: it "
			    "holds %s of component %s %s but not %s%s. Please "
			    "ensure that these components are fully installed "
			    "or overridden without partial VIB replacement or "
			    "removal: add the whole component, or remove all "
			    "of its VIBs", c->pname, b->comp_name, have.buf,
			    b->comp_name, b->comp_version ? b->comp_version :
			    b->id, lack.buf, nl > NAMES_SHOWN ? " and more" :
			    "");
		}
	}
	ptrvec_release(&seen);
	sbuf_release(&have);
	sbuf_release(&lack);
	free(ids);
}

void
image_validate(const struct image *img, const struct image_vib *pool,
    size_t npool, struct image_report *r)
{
	struct ctx c;
	char ver[32];

	memset(&c, 0, sizeof(c));
	c.img = img;
	c.pname = img->name != NULL ? img->name : "(new)";
	c.r = r;
	c.pool = pool;
	c.npool = npool;
	if (image_esx_version(img, ver, sizeof(ver)) != NULL &&
	    dv_esxi_parse(ver, &c.esxi) == 0) {
		c.major = c.esxi.major;
		r->esx_version = arena_strdup(&r->arena, ver);
	}
	index_build(&c.ix, img->vibs, img->nvibs);
	index_build(&c.pool_ix, pool, npool);
	check_missing(&c);
	check_base(&c);
	check_relations(&c);
	check_two_versions(&c);
	check_platform(&c);
	check_checksums(&c);
	check_files(&c);
	check_acceptance(&c);
	check_components(&c);
	index_release(&c.ix);
	index_release(&c.pool_ix);
}
