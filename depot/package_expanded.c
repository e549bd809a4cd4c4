/* package_expanded.c - expanded depot folders: their metadata, repacking. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include "package_int.h"

/* Keep the small files of an expanded depot: enough to read its metadata. */
int
pk_stash_member(struct cont *c, size_t i, struct special *sp)
{
	struct centry *e = &c->ents[i];
	struct sbuf *data;
	struct mstream ms;
	int ret;

	if (!dv_has_suffix(e->name, ".xml") && !dv_has_suffix(e->name, ".zip"))
		return 0;
	if ((ret = pk_ms_open(c, i, &ms)) != 0)
		return ret;
	data = xcalloc(1, sizeof(*data));
	ret = pk_ms_read_all(&ms, DV_MAX_METADATA_ZIP, data);
	pk_ms_close(&ms);
	if (ret == 0 && (sp->stash_total += data->len) >
	    DV_MAX_METADATA_TOTAL) {
		struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
		ret = dv_error_set(c->w->err, DV_ELIMIT, "%s: %s: the depot's "
		    "metadata files add up to more than %llu bytes",
		    c->w->p->path, pk_member_label(c, sp->dir, &sb),
		    (unsigned long long)DV_MAX_METADATA_TOTAL);
		sbuf_release(&sb);
	}
	if (ret != 0) {
		sbuf_release(data);
		free(data);
		return ret;
	}
	ptrvec_push(&sp->stash_names, (void *)pk_rel_to(sp, e->name));
	ptrvec_push(&sp->stash_data, data);
	return 0;
}

/* Member i of c as a zip member source, for repacking. */
struct repack_src {
	struct cont *c;
	size_t idx;
	struct mstream ms;
};

static int
repack_open(void *ctx, struct dv_error *err)
{
	struct repack_src *r = ctx;

	(void)err;
	return pk_ms_open(r->c, r->idx, &r->ms);
}

static long
repack_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct repack_src *r = ctx;
	const struct package_sink *sink = r->c->w->sink;
	int ret;

	if ((ret = sink->ops->check(sink->ctx, err)) != 0)
		return ret;
	return pk_ms_read(&r->ms, buf, len, err);
}

static void
repack_close(void *ctx)
{
	pk_ms_close(&((struct repack_src *)ctx)->ms);
}

/* With the sink's repack: the folder's files as a depot zip, streamed member by
 * member through libzip (zip.c). */
static int
repack(struct cont *c, struct special *sp, const char *name)
{
	struct walk *w = c->w;
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct zipwriter *zw = NULL;
	struct repack_src *srcs;
	struct zip_member_source ms;
	size_t i, k = 0;
	int ret;

	if ((ret = w->sink->ops->reserve(w->sink->ctx, name, &path,
	    w->err)) != 0) {
		sbuf_release(&path);
		return ret;
	}
	srcs = xcalloc(c->nents + 1, sizeof(*srcs));
	if ((ret = zipwriter_open(path.buf, NULL, &zw, w->err)) != 0)
		goto out;
	for (i = 0; i < c->nents; i++) {
		struct centry *e = &c->ents[i];
		if (e->dir || e->name == NULL || e->owner != sp)
			continue;
		srcs[k].c = c;
		srcs[k].idx = i;
		ms.open = repack_open;
		ms.read = repack_read;
		ms.close = repack_close;
		ms.ctx = &srcs[k++];
		ms.size = e->size;
		ms.mtime = e->mtime;
		if ((ret = zipwriter_add(zw, pk_rel_to(sp, e->name), &ms,
		    w->err)) != 0)
			goto out;
	}
	ret = zipwriter_close(zw, NULL, 0, w->err);
	zw = NULL;
	if (ret == 0)
		ret = w->sink->ops->done(w->sink->ctx, name, w->err);
	if (ret == 0)
		sp->node->output = arena_strdup(&w->p->arena, name);
out:
	zipwriter_discard(zw);
	free(srcs);
	sbuf_release(&path);
	return ret;
}

/* Where an expanded depot's VIBs are: files of its folder. */
struct folder_ref {
	struct cont *c;
	struct special *sp;
};

static int
folder_vib_open(void *ctx, const char *member, struct mstream *ms)
{
	struct folder_ref *ref = ctx;
	struct special *sp = ref->sp;
	struct cont *c = ref->c;
	struct sbuf name = SBUF_INIT(SBUF_NOCAP);
	uintptr_t i;

	sbuf_addf(&name, "%s%s%s", sp->dir, *sp->dir != '\0' ? "/" : "",
	    member);
	i = (uintptr_t)smap_get(&c->names, name.buf);
	sbuf_release(&name);
	if (i == 0 || c->ents[i - 1].dir)
		return -DV_EMISSING;
	return pk_ms_open(c, (size_t)(i - 1), ms);
}

/*
 * The stashed metadata as a small zip in memory, read by the depot
 * reader, says what the folder holds; extract rebuilds nothing unless
 * asked to repack.
 */
int
pk_finish_expanded(struct cont *c, struct special *sp)
{
	struct walk *w = c->w;
	struct package *p = w->p;
	struct sbuf label = SBUF_INIT(SBUF_NOCAP), zip = SBUF_INIT(0);
	struct sbuf base = SBUF_INIT(SBUF_NOCAP), name = SBUF_INIT(SBUF_NOCAP);
	struct dv_diags warnings = DV_DIAGS_INIT;
	struct zipwriter *zw = NULL;
	struct depot *d = NULL;
	struct folder_ref ref = {c, sp};
	struct vib_reader vr = {folder_vib_open, &ref};
	size_t i;
	int ret;

	sbuf_addf(&label, "%s%s%s", p->path, *sp->node->path != '\0' ?
	    ": " : "", sp->node->path);
	if ((ret = zipwriter_open(NULL, label.buf, &zw, w->err)) != 0)
		goto out;
	for (i = 0; i < sp->stash_names.n; i++) {
		struct sbuf *data = sp->stash_data.v[i];
		if ((ret = zipwriter_add_mem(zw, sp->stash_names.v[i],
		    data->buf, data->len, -1, w->err)) != 0)
			goto out;
	}
	ret = zipwriter_close(zw, &zip, DV_MAX_INNER_ARCHIVE, w->err);
	zw = NULL;
	if (ret != 0)
		goto out;
	if ((ret = depot_open_mem(zip.buf, zip.len, label.buf, &d,
	    w->err)) != 0)
		goto out;
	sp->node->installable = true;
	sbuf_addf(&base, "%s%s", sp->node->path, *sp->node->path != '\0' ?
	    (*sp->dir != '\0' ? "/" : "!") : "");
	if ((ret = pk_describe_depot(w, sp->node, d, base.buf, &warnings)) != 0)
		goto out;
	if (w->sink == NULL)
		goto out;
	if (w->sink->repack) {
		sbuf_addf(&name, "%s.zip", *sp->dir != '\0' ?
		    dv_base_name(sp->dir) : c->stem);
		if (w->sink->ops->has(w->sink->ctx, name.buf)) {
			/* The vendor's own zip of it came first: keep that. */
			pk_skip(w, sp->node, "a depot zip of that name is "
			    "written from another item already");
		} else if ((ret = repack(c, sp, name.buf)) != 0) {
			goto out;
		}
	} else {
		pk_skip(w, sp->node, "an expanded depot folder; --repack "
		    "writes it as a depot zip");
	}
	ret = pk_extract_vibs(w, sp->node, d, &vr);
out:
	/*
	 * Warnings of a metadata-only copy would be about files that are
	 * in the folder but not in the copy: not worth repeating.
	 */
	dv_diags_release(&warnings);
	zipwriter_discard(zw);
	depot_free(d);
	sbuf_release(&zip);
	sbuf_release(&label);
	sbuf_release(&base);
	sbuf_release(&name);
	return ret;
}
