/* package_depot.c - depots and bare VIBs found in a package. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <unistd.h>

#include "package_int.h"
#include "parse.h"

/* Mellanox ships two VIBs whose names confuse: say which is which. */
static const char *
vib_note(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "mft") == 0)
		return "the tools VIB";
	if (strcmp(name, "mft-oem") == 0)
		return "OEM variant, not the tools";
	return NULL;
}


/* Fill n's depot facts and one child per VIB from the opened depot d. */
int
pk_describe_depot(struct walk *w, struct package_node *n, const struct depot *d,
    const char *vib_base, struct dv_diags *warnings)
{
	struct arena *a = &w->p->arena;
	struct package_depot_info *di = &n->depot;
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct package_node *v;
	size_t i, k, m;

	di->kind = arena_strdup(a, depot_kind_name(d));
	di->nvendors = d->nvendors;
	di->vendors = arena_alloc(a, (d->nvendors + 1) * sizeof(*di->vendors));
	for (i = 0; i < d->nvendors; i++) {
		di->vendors[i].name = arena_strdup(a, d->vendors[i].name);
		di->vendors[i].code = arena_strdup(a, d->vendors[i].code);
	}
	for (i = m = 0; i < d->nmetadata; i++)
		m += d->metadata[i].platforms.n;
	di->platforms = arena_alloc(a, (m + 1) * sizeof(*di->platforms));
	for (i = 0; i < d->nmetadata; i++) {
		for (k = 0; k < d->metadata[i].platforms.n; k++) {
			const struct depot_platform *pl =
			    &d->metadata[i].platforms.v[k];
			size_t j;
			for (j = 0; j < di->nplatforms; j++)
				if (strcmp(di->platforms[j].product,
				    pl->product) == 0 && strcmp(
				    di->platforms[j].version, pl->version) == 0)
					break;
			if (j < di->nplatforms)
				continue;
			di->platforms[di->nplatforms].product =
			    arena_strdup(a, pl->product);
			di->platforms[di->nplatforms].version =
			    arena_strdup(a, pl->version);
			di->platforms[di->nplatforms++].locale =
			    arena_strdup(a, pl->locale);
		}
	}
	di->nvibs = d->nvibs;
	di->ncomponents = d->nbulletins;
	di->nprofiles = d->nprofiles;
	for (i = 0; i < d->warnings.n; i++)
		dv_diag_add(warnings, DV_DIAG_WARNING, d->warnings.v[i].code,
		    "%s", d->warnings.v[i].msg);
	for (i = 0; i < d->nvibs; i++) {
		const struct depot_vib *dv = d->vibs[i];
		sbuf_reset(&path);
		sbuf_addf(&path, "%s%s", vib_base, dv->member != NULL ?
		    dv->member : dv->relative_path != NULL ?
		    dv->relative_path : dv->id);
		v = pk_new_node(w, n, PACKAGE_VIB, dv->member != NULL ?
		    dv_base_name(dv->member) : dv->id, path.buf);
		if (v == NULL) {
			sbuf_release(&path);
			return -DV_ELIMIT;
		}
		v->size = dv->packed_size;
		pk_set_sha(w->p, v, dv->sha256);
		v->vib.id = arena_strdup(a, dv->id);
		v->vib.name = arena_strdup(a, dv->name);
		v->vib.version = arena_strdup(a, dv->version);
		v->vib.vendor = arena_strdup(a, dv->vendor);
		v->vib.acceptance = dv->acceptance;
		v->vib.in_depot = true;
		v->note = vib_note(dv->name);
	}
	sbuf_release(&path);
	return 0;
}

static int
zip_vib_open(void *ctx, const char *member, struct mstream *ms)
{
	struct cont *c = ctx;
	long i = zipfile_find(c->zip, member);

	if (i < 0)
		return -DV_EMISSING;
	memset(ms, 0, sizeof(*ms));
	ms->c = c;
	return zipstream_open(c->zip, (size_t)i, &ms->zs, c->w->err);
}

/* With the sink's vibs: each of the depot's VIBs as <vib-id>.vib. */
int
pk_extract_vibs(struct walk *w, struct package_node *n,
    const struct depot *d, const struct vib_reader *vr)
{
	struct sbuf name = SBUF_INIT(SBUF_NOCAP);
	struct package_file f = {0};
	struct byte_source src;
	struct mstream ms;
	size_t i;
	int ret = 0;

	for (i = 0; i < n->nchildren && i < d->nvibs; i++) {
		struct package_node *v = n->children[i];
		const struct depot_vib *dv = d->vibs[i];
		if (!w->sink->vibs) {
			pk_skip(w, v, "inside its depot; --vibs writes it "
			    "alone");
			continue;
		}
		if (dv->member == NULL) {
			pk_skip(w, v, "not in the depot (its metadata names a "
			    "remote URL)");
			continue;
		}
		if ((ret = pk_walk_check(w)) != 0)
			goto out;
		ret = vr->open(vr->ctx, dv->member, &ms);
		if (ret == -DV_EMISSING) {
			ret = dv_error_set(w->err, DV_EMISSING, "%s: %s: missing "
			    "(named by the depot's metadata)", w->p->path,
			    v->path);
			goto out;
		}
		if (ret != 0)
			goto out;
		src.read = pk_ms_read;
		src.ctx = &ms;
		sbuf_reset(&name);
		sbuf_addf(&name, "%s.vib", dv->id);
		f.name = name.buf;
		f.src = &src;
		f.dedup = true;
		f.expect_sha256 = dv->sha256;
		f.expect_size = dv->packed_size;
		f.check_size = dv->has_packed_size;
		ret = w->sink->ops->file(w->sink->ctx, w->p, v, &f, w->err);
		pk_ms_close(&ms);
		if (ret != 0)
			goto out;
	}
out:
	sbuf_release(&name);
	return ret;
}

/*
 * A depot's members obey the rules on names every archive does (names.c):
 * extract copies the depot whole, and unpack and esxcli would meet them.
 */
static int
check_members(struct walk *w, const struct package_node *n,
    struct zipfile *zf)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	struct zip_entry e;
	const char *why;
	int ret = 0;

	for (size_t i = 0; i < zipfile_count(zf); i++) {
		if ((ret = zipfile_entry(zf, i, &e, w->err)) != 0)
			break;
		if ((why = dv_zip_entry_problem(&e)) == NULL)
			continue;
		if (*n->path != '\0')
			sbuf_addf(&sb, "%s!", n->path);
		dv_shown_name(&sb, e.name);
		ret = dv_error_set(w->err, DV_EPATH, "%s: %s: %s", w->p->path,
		    sb.buf, why);
		break;
	}
	sbuf_release(&sb);
	return ret;
}

/*
 * A depot zip, in memory (mem) or the input file itself: describe it and,
 * when extracting, write it under its own name.
 */
int
pk_depot_item(struct walk *w, struct package_node *n, const void *mem,
    size_t len)
{
	struct package *p = w->p;
	struct dv_diags warnings = DV_DIAGS_INIT;
	struct sbuf label = SBUF_INIT(SBUF_NOCAP), base = SBUF_INIT(SBUF_NOCAP);
	struct depot *d = NULL;
	struct cont vc = {0};
	struct vib_reader vr = {zip_vib_open, &vc};
	struct package_file f = {0};
	struct byte_source src;
	int ret;

	sbuf_addf(&label, "%s%s%s", p->path, *n->path != '\0' ? ": " : "",
	    n->path);
	ret = mem != NULL ? depot_open_mem(mem, len, label.buf, &d, w->err) :
	    depot_open(p->path, &d, w->err);
	if (ret != 0)
		goto out;
	vc.w = w;
	vc.chain = n->path;
	ret = mem != NULL ? zipfile_open_mem(mem, len, label.buf, &vc.zip,
	    w->err) : zipfile_open(p->path, &vc.zip, w->err);
	if (ret != 0 || (ret = check_members(w, n, vc.zip)) != 0)
		goto out;
	n->kind = PACKAGE_DEPOT;
	n->installable = true;
	if (*n->path != '\0')
		sbuf_addf(&base, "%s!", n->path);
	if ((ret = pk_describe_depot(w, n, d, base.buf, &warnings)) != 0)
		goto out;
	if (w->sink == NULL)
		goto out;
	f.dedup = true;
	if (mem != NULL) {
		f.name = dv_base_name(n->name);
		f.data = mem;
		f.len = len;
	} else {
		if (lseek(w->fd, 0, SEEK_SET) != 0) {
			ret = dv_error_errno(w->err, DV_EIO, "%s: cannot read",
			    p->path);
			goto out;
		}
		src.read = pk_fd_read;
		src.ctx = w;
		f.name = dv_base_name(p->path);
		f.src = &src;
	}
	if ((ret = w->sink->ops->file(w->sink->ctx, p, n, &f, w->err)) != 0 ||
	    n->duplicate_of != NULL)
		goto out;
	ret = pk_extract_vibs(w, n, d, &vr);
out:
	/* The depot's warnings become the package's. */
	for (size_t i = 0; ret == 0 && i < warnings.n; i++)
		dv_diag_add(&p->warnings, DV_DIAG_WARNING, warnings.v[i].code,
		    "%s", warnings.v[i].msg);
	dv_diags_release(&warnings);
	zipfile_close(vc.zip);
	depot_free(d);
	sbuf_release(&label);
	sbuf_release(&base);
	return ret;
}

/* ---- bare VIBs ---------------------------------------------------------- */

/* One bare VIB being read: the node it fills. */
struct vib_read {
	struct walk *w;
	struct package_node *n;
};

/*
 * Read a VIB in one pass for its id, version and acceptance level (a
 * sink copies it as it goes); vib_scan hashes the whole file itself.
 */
static int
vib_consume(void *ctx, const struct byte_source *src, struct dv_error *err)
{
	struct vib_read *r = ctx;
	struct package *p = r->w->p;
	struct package_node *n = r->n;
	struct vib_scan scan;
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	struct xdoc doc = {0};
	struct depot_vib *v = NULL;
	int ret;

	vib_scan_init(&scan);
	sbuf_addf(&what, "%s%s%s", p->path, *n->path != '\0' ? ": " : "",
	    n->path);
	if ((ret = vib_scan(src, what.buf, &scan, err)) != 0)
		goto out;
	sbuf_addf(&what, ": descriptor.xml");
	if ((ret = xml_parse(scan.descriptor.buf, scan.descriptor.len,
	    what.buf, &doc, err)) != 0 ||
	    (ret = parse_vib(&p->arena, doc.root, what.buf, false, &v,
	    err)) != 0)
		goto out;
	n->kind = PACKAGE_VIB;
	n->installable = true;
	n->size = scan.file_size;
	pk_set_sha(p, n, scan.file_sha256);
	n->vib.id = v->id;
	n->vib.name = v->name;
	n->vib.version = v->version;
	n->vib.vendor = v->vendor;
	n->vib.acceptance = v->acceptance;
	n->note = vib_note(v->name);
out:
	xdoc_release(&doc);
	vib_scan_release(&scan);
	sbuf_release(&what);
	return ret;
}

/*
 * A .vib found in an archive (or given): classified in one pass, and
 * handed to the sink (if any) as outname while it is read.
 */
int
pk_vib_item(struct walk *w, struct package_node *n,
    const struct byte_source *src, const char *outname)
{
	struct vib_read r = {w, n};
	struct package_file f = {0};
	struct seen *s;
	int ret;

	if (w->sink != NULL) {
		f.name = outname;
		f.src = src;
		f.dedup = true;
		f.consume = vib_consume;
		f.consume_ctx = &r;
		ret = w->sink->ops->file(w->sink->ctx, w->p, n, &f, w->err);
		/* A sink that wrote it, or found it written, remembered it. */
		if (ret != 0 || n->output != NULL || n->duplicate_of != NULL)
			return ret;
	} else if ((ret = vib_consume(&r, src, w->err)) != 0) {
		return ret;
	}
	if ((s = pk_seen_sha(w->seen, n->sha256)) != NULL)
		n->duplicate_of = arena_strdup(&w->p->arena, s->where);
	else
		pk_remember(w->seen, w->p, n, n->sha256, NULL);
	return 0;
}
