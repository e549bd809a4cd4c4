/* unpack.c - write a depot zip out as the files of an online depot. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "depot_int.h"
#include "unpack.h"

#define COPY_BUF (256u << 10)

/* Why a member of the depot zip is written. */
enum why {
	WHY_NONE,
	WHY_INDEX,    /* index.xml or a vendor index */
	WHY_METADATA, /* a metadata zip */
	WHY_VIB
};

struct member_vib {
	const char *member;
	const struct depot_vib *vib;
};

struct unpack {
	const struct depot *d;
	struct outdir *od;
	unsigned flags;
	struct unpack_report *r;
	struct zipfile *zip;
	struct member_vib *vibs; /* sorted by member, for lookups */
	size_t nvibs;
	struct dv_error *err;
	struct ptrvec written, skipped; /* struct unpack_item * */
	char *buf;
};

static int
member_vib_cmp(const void *a, const void *b)
{
	return strcmp(((const struct member_vib *)a)->member,
	    ((const struct member_vib *)b)->member);
}

static const struct depot_vib *
vib_of(const struct unpack *u, const char *member)
{
	struct member_vib key = {member, NULL}, *found;

	found = bsearch(&key, u->vibs, u->nvibs, sizeof(*u->vibs),
	    member_vib_cmp);
	return found != NULL ? found->vib : NULL;
}

static void
note(struct unpack *u, struct ptrvec *pv, const char *name, uint64_t size,
    const char *sha, const char *reason)
{
	struct arena *a = &u->r->arena;
	struct unpack_item *it = arena_alloc(a, sizeof(*it));

	it->name = arena_strdup(a, name);
	it->size = size;
	it->sha256 = sha != NULL ? arena_strdup(a, sha) : NULL;
	it->reason = reason != NULL ? arena_strdup(a, reason) : NULL;
	ptrvec_push(pv, it);
}

static enum why
why_written(const struct unpack *u, const char *name)
{
	size_t i;

	if (strcmp(name, "index.xml") == 0)
		return WHY_INDEX;
	for (i = 0; i < u->d->nvendors; i++)
		if (strcmp(name, u->d->vendors[i].index_member) == 0)
			return WHY_INDEX;
	for (i = 0; i < u->d->nmetadata; i++)
		if (strcmp(name, u->d->metadata[i].member) == 0)
			return WHY_METADATA;
	return vib_of(u, name) != NULL ? WHY_VIB : WHY_NONE;
}

/*
 * Copy member i to OUTDIR/name in one pass, hashing it; for a VIB with
 * verify, its size and SHA-256 must be what the metadata says.
 */
static int
copy_member(struct unpack *u, size_t i, const char *name,
    const struct depot_vib *v, struct sbuf *keep)
{
	struct zipstream *zs = NULL;
	struct hash *h = hash_new(HASH_SHA256);
	char sha[HASH_HEX_MAX];
	uint64_t size = 0;
	long n;
	int fd = -1, ret, r;

	if ((ret = zipstream_open(u->zip, i, &zs, u->err)) != 0 ||
	    (ret = outdir_open_file(u->od, name, false, &fd, u->err)) != 0)
		goto out;
	while ((n = zipstream_read(zs, u->buf, COPY_BUF, u->err)) > 0) {
		hash_update(h, u->buf, (size_t)n);
		size += (uint64_t)n;
		/*
		 * With --verify a VIB is held to its metadata's size as it
		 * is written, not after: a member far bigger than that (a
		 * bomb) must not fill the disk before it is refused.
		 */
		if (v != NULL && (u->flags & UNPACK_VERIFY) != 0 &&
		    v->has_packed_size && size > v->packed_size) {
			ret = dv_error_set(u->err, DV_EDIGEST, "%s: %s: more "
			    "than %llu bytes, but the metadata says %llu",
			    u->d->path, name, (unsigned long long)v->packed_size,
			    (unsigned long long)v->packed_size);
			goto out;
		}
		if ((ret = outdir_write(u->od, fd, u->buf, (size_t)n,
		    u->err)) != 0)
			goto out;
		if (keep != NULL && sbuf_add(keep, u->buf, (size_t)n) != 0) {
			ret = dv_error_set(u->err, DV_ELIMIT, "%s: %s: metadata "
			    "zip larger than %zu bytes", u->d->path, name,
			    keep->cap);
			goto out;
		}
	}
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	r = outdir_close_file(u->od, fd, u->err);
	fd = -1;
	if ((ret = r) != 0)
		goto out;
	hash_final_hex(h, sha);
	if (v != NULL && (u->flags & UNPACK_VERIFY) != 0) {
		if (v->has_packed_size && v->packed_size != size) {
			ret = dv_error_set(u->err, DV_EDIGEST, "%s: %s: %llu "
			    "bytes, but the metadata says %llu", u->d->path,
			    name, (unsigned long long)size,
			    (unsigned long long)v->packed_size);
			goto out;
		}
		if (v->sha256 != NULL && strcmp(v->sha256, sha) != 0) {
			ret = dv_error_set(u->err, DV_EDIGEST, "%s: %s: SHA-256 "
			    "is %s, but the metadata says %s", u->d->path, name,
			    sha, v->sha256);
			goto out;
		}
		u->r->verified++;
	}
	note(u, &u->written, name, size, sha, NULL);
out:
	if (fd >= 0)
		outdir_close_file(u->od, fd, NULL);
	zipstream_close(zs);
	hash_free(h);
	return ret;
}

/* With --metadata: the metadata zip's members beside it, in <stem>/. */
static int
expand_metadata(struct unpack *u, const char *member, const struct sbuf *data)
{
	struct zipfile *mz = NULL;
	struct zip_entry e;
	struct sbuf label = SBUF_INIT(SBUF_NOCAP), out = SBUF_INIT(SBUF_NOCAP);
	struct sbuf body = SBUF_INIT(DV_MAX_XML_BYTES);
	const char *why;
	size_t i, stem = strlen(member);
	int fd = -1, ret;

	if (stem > 4 && strcasecmp(member + stem - 4, ".zip") == 0)
		stem -= 4;
	sbuf_addf(&label, "%s: %s", u->d->path, member);
	if ((ret = zipfile_open_mem(data->buf, data->len, label.buf, &mz,
	    u->err)) != 0)
		goto out;
	for (i = 0; i < zipfile_count(mz); i++) {
		if ((ret = zipfile_entry(mz, i, &e, u->err)) != 0)
			goto out;
		if ((why = dv_zip_entry_problem(&e)) != NULL) {
			sbuf_reset(&out);
			dv_shown_name(&out, e.name);
			ret = dv_error_set(u->err, DV_EPATH, "%s: %s: %s",
			    label.buf, out.buf, why);
			goto out;
		}
		if (e.kind == ZIP_ENTRY_DIR)
			continue;
		sbuf_reset(&out);
		sbuf_add(&out, member, stem);
		sbuf_addf(&out, "/%s", e.name);
		if ((ret = zipfile_read(mz, i, DV_MAX_XML_BYTES, &body,
		    u->err)) != 0 ||
		    (ret = outdir_open_file(u->od, out.buf, false, &fd,
		    u->err)) != 0 ||
		    (ret = outdir_write(u->od, fd, body.buf, body.len,
		    u->err)) != 0)
			goto out;
		ret = outdir_close_file(u->od, fd, u->err);
		fd = -1;
		if (ret != 0)
			goto out;
		note(u, &u->written, out.buf, body.len, NULL, NULL);
	}
out:
	if (fd >= 0)
		outdir_close_file(u->od, fd, NULL);
	zipfile_close(mz);
	sbuf_release(&label);
	sbuf_release(&out);
	sbuf_release(&body);
	return ret;
}

/*
 * Checks that cost nothing and run with or without --verify: two VIBs
 * written to one path, or a VIB at the path of the index, a vendor index
 * or a metadata zip, would leave a depot whose VIBs are not there; a VIB
 * whose size in the central directory is not its metadata's is not the
 * file the metadata describes.
 */
static int
cheap_checks(struct unpack *u)
{
	const struct depot *d = u->d;
	const struct depot_vib *v, *w;
	struct zip_entry e;
	size_t i, k;
	long idx;
	int ret;

	for (k = 0; k < u->nvibs; k++) {
		v = u->vibs[k].vib;
		if (k + 1 < u->nvibs && strcmp(u->vibs[k].member,
		    u->vibs[k + 1].member) == 0 &&
		    strcmp(v->id, (w = u->vibs[k + 1].vib)->id) != 0)
			return dv_error_set(u->err, DV_EFORMAT, "%s: %s: the "
			    "relative path of two VIBs, %s and %s; each VIB "
			    "needs a file of its own", d->path,
			    u->vibs[k].member, v->id, w->id);
		for (i = 0; i < d->nvendors; i++)
			if (strcmp(u->vibs[k].member,
			    d->vendors[i].index_member) == 0)
				break;
		if (strcmp(u->vibs[k].member, "index.xml") == 0 ||
		    i < d->nvendors)
			return dv_error_set(u->err, DV_EFORMAT, "%s: %s: VIB "
			    "%s's relative path is the path of an index file",
			    d->path, u->vibs[k].member, v->id);
		for (i = 0; i < d->nmetadata; i++)
			if (strcmp(u->vibs[k].member, d->metadata[i].member) ==
			    0)
				return dv_error_set(u->err, DV_EFORMAT, "%s: %s: "
				    "VIB %s's relative path is the path of a "
				    "metadata zip", d->path, u->vibs[k].member,
				    v->id);
		if (!v->has_packed_size ||
		    (idx = zipfile_find(u->zip, u->vibs[k].member)) < 0)
			continue;
		if ((ret = zipfile_entry(u->zip, (size_t)idx, &e,
		    u->err)) != 0)
			return ret;
		if (e.size != v->packed_size)
			return dv_error_set(u->err, DV_EDIGEST, "%s: %s: %llu "
			    "bytes in the zip's directory, but the metadata "
			    "says %llu", d->path, u->vibs[k].member,
			    (unsigned long long)e.size,
			    (unsigned long long)v->packed_size);
	}
	return 0;
}

static void
finish_list(struct unpack *u, struct ptrvec *pv, struct unpack_item **out,
    size_t *n)
{
	*n = pv->n;
	*out = arena_alloc(&u->r->arena, (pv->n + 1) * sizeof(**out));
	for (size_t i = 0; i < pv->n; i++)
		(*out)[i] = *(struct unpack_item *)pv->v[i];
}

int
depot_unpack(const struct depot *d, struct outdir *od, unsigned flags,
    struct unpack_report *r, struct dv_error *err)
{
	struct unpack u = {0};
	struct zip_entry e;
	struct sbuf meta = SBUF_INIT(DV_MAX_METADATA_ZIP);
	const char *why;
	size_t i, k;
	enum why w;
	int ret;

	memset(r, 0, sizeof(*r));
	u.d = d;
	u.od = od;
	u.flags = flags;
	u.r = r;
	u.err = err;
	u.buf = xmalloc(COPY_BUF);
	u.vibs = xcalloc(d->nvibs + 1, sizeof(*u.vibs));
	for (i = 0; i < d->nvibs; i++) {
		if (d->vibs[i]->member != NULL) {
			u.vibs[u.nvibs].member = d->vibs[i]->member;
			u.vibs[u.nvibs++].vib = d->vibs[i];
		} else if (d->vibs[i]->relative_path != NULL) {
			/* Hosts fetch it from there themselves. */
			note(&u, &u.skipped, d->vibs[i]->relative_path, 0, NULL,
			    "a remote URL, not a file of the depot");
		}
	}
	qsort(u.vibs, u.nvibs, sizeof(*u.vibs), member_vib_cmp);
	if ((ret = depot_reopen(d, &u.zip, err)) != 0)
		goto out;
	/* Every file the metadata names must be there before any is copied. */
	for (k = 0; k < u.nvibs; k++)
		if (zipfile_find(u.zip, u.vibs[k].member) < 0) {
			ret = dv_error_set(err, DV_EMISSING, "%s: %s: missing "
			    "(named by %s)", d->path, u.vibs[k].member,
			    u.vibs[k].vib->source != NULL ?
			    u.vibs[k].vib->source : "the metadata");
			goto out;
		}
	if ((ret = cheap_checks(&u)) != 0)
		goto out;
	for (i = 0; i < zipfile_count(u.zip); i++) {
		if ((ret = zipfile_entry(u.zip, i, &e, err)) != 0)
			goto out;
		if ((why = dv_zip_entry_problem(&e)) != NULL) {
			struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
			dv_shown_name(&sb, e.name);
			ret = dv_error_set(err, DV_EPATH, "%s: %s: %s", d->path,
			    sb.buf, why);
			sbuf_release(&sb);
			goto out;
		}
	}
	for (i = 0; i < zipfile_count(u.zip); i++) {
		if ((ret = zipfile_entry(u.zip, i, &e, err)) != 0)
			goto out;
		if (e.kind == ZIP_ENTRY_DIR)
			continue;
		w = why_written(&u, e.name);
		if (w == WHY_NONE && (flags & UNPACK_ALL) == 0) {
			note(&u, &u.skipped, e.name, e.size, NULL,
			    "not named by the depot's metadata; --all writes "
			    "it");
			continue;
		}
		sbuf_reset(&meta);
		if ((ret = copy_member(&u, i, e.name, w == WHY_VIB ?
		    vib_of(&u, e.name) : NULL, w == WHY_METADATA &&
		    (flags & UNPACK_METADATA) != 0 ? &meta : NULL)) != 0)
			goto out;
		if (w == WHY_METADATA && (flags & UNPACK_METADATA) != 0 &&
		    (ret = expand_metadata(&u, e.name, &meta)) != 0)
			goto out;
	}
	finish_list(&u, &u.written, &r->written, &r->nwritten);
	finish_list(&u, &u.skipped, &r->skipped, &r->nskipped);
out:
	/* A failed unpack reports nothing: r holds no memory then. */
	if (ret != 0)
		unpack_report_release(r);
	ptrvec_release(&u.written);
	ptrvec_release(&u.skipped);
	zipfile_close(u.zip);
	sbuf_release(&meta);
	free(u.vibs);
	free(u.buf);
	return ret;
}

void
unpack_report_release(struct unpack_report *r)
{
	if (r == NULL)
		return;
	arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}
