/* package_cont.c - one archive of a package: its listing, member streams. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "package_int.h"

/* ---- member streams ---------------------------------------------------- */

long
pk_fd_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct walk *w = ctx;
	ssize_t n;

	do
		n = read(w->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot read",
		    w->p->path);
	return (long)n;
}

static int
tar_open(struct cont *c)
{
	struct sbuf label = SBUF_INIT(SBUF_NOCAP);
	int ret;

	tarfile_close(c->tar);
	c->tar = NULL;
	c->tar_cur = -1;
	c->tar_used = false;
	sbuf_addf(&label, "%s%s%s", c->w->p->path, *c->chain != '\0' ? ": " :
	    "", c->chain);
	if (c->mem != NULL) {
		ret = tarfile_open_mem(c->mem, c->len, label.buf, &c->tar,
		    c->w->err);
	} else if (lseek(c->w->fd, 0, SEEK_SET) != 0) {
		ret = dv_error_errno(c->w->err, DV_EIO, "%s: cannot read",
		    c->w->p->path);
	} else {
		c->fdsrc.read = pk_fd_read;
		c->fdsrc.ctx = c->w;
		ret = tarfile_open_source(&c->fdsrc, label.buf, &c->tar,
		    c->w->err);
	}
	sbuf_release(&label);
	return ret;
}

/* Move the tar to entry i, from the start again if it is behind us. */
static int
tar_seek(struct cont *c, size_t i)
{
	struct tar_entry te;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	int ret;

	if (c->tar == NULL || c->tar_cur > (long)i ||
	    (c->tar_cur == (long)i && c->tar_used))
		if ((ret = tar_open(c)) != 0)
			return ret;
	while (c->tar_cur < (long)i) {
		if ((ret = tarfile_next(c->tar, &te, c->w->err)) < 0)
			return ret;
		if (ret == 0) {
			ret = dv_error_set(c->w->err, DV_ETAR, "%s: %s: ends "
			    "early (it changed while it was read)",
			    c->w->p->path, pk_member_label(c, "", &sb));
			sbuf_release(&sb);
			return ret;
		}
		c->tar_cur++;
	}
	c->tar_used = true;
	return 0;
}

int
pk_ms_open(struct cont *c, size_t i, struct mstream *ms)
{
	memset(ms, 0, sizeof(*ms));
	ms->c = c;
	ms->idx = i;
	if (c->is_tar)
		return tar_seek(c, i);
	return zipstream_open(c->zip, i, &ms->zs, c->w->err);
}

static long
ms_raw(struct mstream *ms, void *buf, size_t len, struct dv_error *err)
{
	if (ms->c->is_tar)
		return tarfile_read(ms->c->tar, buf, len, err);
	return zipstream_read(ms->zs, buf, len, err);
}

/* Read up to HEAD_LEN bytes ahead; they are handed out again later. */
int
pk_ms_peek(struct mstream *ms)
{
	long n;

	while (ms->headlen < HEAD_LEN) {
		n = ms_raw(ms, ms->head + ms->headlen, HEAD_LEN - ms->headlen,
		    ms->c->w->err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		ms->headlen += (size_t)n;
	}
	return 0;
}

long
pk_ms_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct mstream *ms = ctx;
	size_t k;
	long n;

	if (ms->headpos < ms->headlen) {
		k = ms->headlen - ms->headpos;
		if (k > len)
			k = len;
		memcpy(buf, ms->head + ms->headpos, k);
		ms->headpos += k;
		ms->got += k;
		return (long)k;
	}
	if ((n = ms_raw(ms, buf, len, err)) > 0)
		ms->got += (uint64_t)n;
	return n;
}

void
pk_ms_close(struct mstream *ms)
{
	zipstream_close(ms->zs);
	ms->zs = NULL;
}

/* The rest of a member into out, capped; what was peeked comes first. */
int
pk_ms_read_all(struct mstream *ms, uint64_t cap, struct sbuf *out)
{
	struct walk *w = ms->c->w;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	char *chunk = xmalloc(COPY_BUF);
	long n;
	int ret = 0;

	sbuf_release(out);
	sbuf_init(out, cap > SIZE_MAX ? SIZE_MAX : (size_t)cap);
	while ((n = pk_ms_read(ms, chunk, COPY_BUF, w->err)) > 0) {
		if ((ret = pk_walk_check(w)) != 0)
			goto out;
		if (sbuf_add(out, chunk, (size_t)n) != 0) {
			ret = dv_error_set(w->err, DV_ELIMIT, "%s: %s: larger "
			    "than %llu bytes, the most read into memory",
			    w->p->path, pk_member_label(ms->c,
			    ms->c->ents[ms->idx].name, &sb),
			    (unsigned long long)cap);
			goto out;
		}
	}
	ret = n < 0 ? (int)n : 0;
out:
	free(chunk);
	sbuf_release(&sb);
	return ret;
}

/* ---- the listing: every member checked before anything is read ------- */

/* The name without "." and empty components; NULL when nothing is left. */
static char *
normalize(const char *name, bool *dir)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	const char *p, *e;

	*dir = name[strlen(name) - 1] == '/';
	for (p = name; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p || (e - p == 1 && p[0] == '.'))
			continue;
		if (sb.len > 0)
			sbuf_addch(&sb, '/');
		sbuf_add(&sb, p, (size_t)(e - p));
	}
	if (sb.len == 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

static int
refuse(struct cont *c, const char *raw, const char *why)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	int ret;

	ret = dv_error_set(c->w->err, DV_EPATH, "%s: %s: %s", c->w->p->path,
	    pk_member_label(c, raw, &sb), why);
	sbuf_release(&sb);
	return ret;
}

/* Keep one listed member; why (names.c) refuses the whole archive. */
static int
add_entry(struct cont *c, const char *raw, const char *why, bool dir,
    uint64_t size, unsigned mode, int64_t mtime)
{
	struct centry *e;
	uintptr_t k;
	char *name;
	bool isdir;

	if (why != NULL)
		return refuse(c, raw, why);
	/* NULL for "./", the archive's own root: kept, so that entry k is
	 * always member k of the zip and the k-th header of the tar. */
	name = normalize(raw, &isdir);
	if (name != NULL && (k = (uintptr_t)smap_get(&c->names, name)) != 0) {
		/* A folder listed twice is harmless; a file is not. */
		if ((dir || isdir) && c->ents[k - 1].dir) {
			free(name);
			name = NULL;
		} else {
			free(name);
			return refuse(c, raw, "the member name appears twice");
		}
	}
	if (c->nents == c->alloc) {
		c->alloc = c->alloc == 0 ? 64 : c->alloc * 2;
		c->ents = xrealloc(c->ents, c->alloc * sizeof(*c->ents));
	}
	e = &c->ents[c->nents++];
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->dir = dir || isdir;
	e->size = size;
	e->mode = mode;
	e->mtime = mtime;
	if (name != NULL)
		smap_put(&c->names, e->name, (void *)(uintptr_t)c->nents);
	return 0;
}

int
pk_list_zip(struct cont *c)
{
	struct zip_entry ze;
	size_t i;
	int ret;

	for (i = 0; i < zipfile_count(c->zip); i++) {
		if ((ret = zipfile_entry(c->zip, i, &ze, c->w->err)) != 0 ||
		    (ret = add_entry(c, ze.name, dv_zip_entry_problem(&ze),
		    ze.kind == ZIP_ENTRY_DIR, ze.size, ze.mode,
		    ze.mtime)) != 0)
			return ret;
	}
	return 0;
}

int
pk_list_tar(struct cont *c)
{
	struct tar_entry te;
	int ret;

	if ((ret = tar_open(c)) != 0)
		return ret;
	while ((ret = tarfile_next(c->tar, &te, c->w->err)) == 1) {
		c->tar_cur++;
		if ((ret = add_entry(c, te.name, dv_tar_entry_problem(&te),
		    te.kind == TAR_ENTRY_DIR, te.size, te.mode, te.mtime)) != 0)
			return ret;
	}
	/* The reader is past the end now: the last entry's data is gone,
	 * so reading it means starting again (tar_seek). */
	c->tar_used = true;
	return ret;
}


void
pk_cont_release(struct cont *c)
{
	for (size_t i = 0; i < c->nents; i++)
		free(c->ents[i].name);
	free(c->ents);
	for (size_t i = 0; i < c->speclist.n; i++) {
		struct special *sp = c->speclist.v[i];
		for (size_t k = 0; k < sp->stash_data.n; k++) {
			sbuf_release(sp->stash_data.v[k]);
			free(sp->stash_data.v[k]);
		}
		ptrvec_release(&sp->stash_data);
		ptrvec_release(&sp->stash_names);
		sbuf_release(&sp->cfg);
		free(sp->dir);
		free(sp);
	}
	ptrvec_release(&c->speclist);
	smap_release(&c->names);
	smap_release(&c->folders);
	smap_release(&c->specials);
	tarfile_close(c->tar);
	zipfile_close(c->zip);
}
