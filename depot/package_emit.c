/* package_emit.c - the OUTDIR sink: what the package walk hands it, written. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "package_int.h"

/* A source that hashes what it hands over and copies it to a file. */
struct tee {
	const struct byte_source *src;
	struct outdir *od;
	int fd; /* -1: only hash */
	struct hash *sha;
	uint64_t size;
	uint64_t limit; /* with limited: the size the metadata says */
	bool limited;
	const char *what;
};

static long
tee_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct tee *t = ctx;
	long n = t->src->read(t->src->ctx, buf, len, err);
	int ret;

	if (n <= 0)
		return n;
	if (t->sha != NULL)
		hash_update(t->sha, buf, (size_t)n);
	t->size += (uint64_t)n;
	/* Refused as soon as it is too big, not after a disk's worth. */
	if (t->limited && t->size > t->limit)
		return dv_error_set(err, DV_EDIGEST, "%s: more than the %llu "
		    "bytes the depot's metadata says", t->what,
		    (unsigned long long)t->limit);
	if (t->fd >= 0 && (ret = outdir_write(t->od, t->fd, buf, (size_t)n,
	    err)) != 0)
		return ret;
	return n;
}

/* Read a source to its end through the tee. */
static int
drain(struct tee *t, struct dv_error *err)
{
	char *buf = xmalloc(COPY_BUF);
	long n;

	while ((n = tee_read(t, buf, COPY_BUF, err)) > 0)
		;
	free(buf);
	return n < 0 ? (int)n : 0;
}

/*
 * Start writing n's content as name: *fd is -1 when name was written
 * already in this run (the content then only gets hashed, and finish
 * decides whether it is the same).
 */
static int
emit_open(struct package_extract *x, const char *name, bool executable,
    int *fd, struct dv_error *err)
{
	*fd = -1;
	if (outdir_has(x->out, name))
		return 0;
	return outdir_open_file(x->out, name, executable, fd, err);
}

/*
 * The content of n is hashed as sha: keep it as name, or take it back as
 * a duplicate of something written before.  A name already taken by
 * different content is an error: two things would claim one file.
 */
static int
emit_finish(struct package_extract *x, struct package *p,
    struct package_node *n, const char *name, int fd, const char *sha,
    struct dv_error *err)
{
	struct seen *s = pk_seen_sha(&x->seen, sha), *o;
	int ret;

	if (fd >= 0 && (ret = outdir_close_file(x->out, fd, err)) != 0)
		return ret;
	if (fd < 0 && (s == NULL || s->output == NULL ||
	    strcmp(s->output, name) != 0)) {
		o = pk_seen_output(&x->seen, name);
		return dv_error_set(err, DV_EEXIST, "%s: %s: would be "
		    "written as '%s', which %s already is (different content)",
		    p->path, n->path, name, o != NULL ? o->where :
		    "another item");
	}
	if (s != NULL && s->output != NULL) {
		if (fd >= 0 && (ret = outdir_remove(x->out, name, err)) != 0)
			return ret;
		pk_mark_duplicate(p, n, s);
		return 0;
	}
	n->output = arena_strdup(&p->arena, name);
	pk_remember(&x->seen, p, n, sha, name);
	return 0;
}

/* Write bytes already in memory (their SHA-256 known) as name. */
static int
emit_mem(struct package_extract *x, struct package *p, struct package_node *n,
    const struct package_file *f, struct dv_error *err)
{
	struct seen *s = pk_seen_sha(&x->seen, n->sha256);
	int fd, ret;

	if (s != NULL && s->output != NULL) {
		pk_mark_duplicate(p, n, s);
		return 0;
	}
	if ((ret = emit_open(x, f->name, f->executable, &fd, err)) != 0)
		return ret;
	if (fd >= 0 && (ret = outdir_write(x->out, fd, f->data, f->len,
	    err)) != 0) {
		outdir_close_file(x->out, fd, NULL);
		return ret;
	}
	return emit_finish(x, p, n, f->name, fd, n->sha256, err);
}

/*
 * Stream f's source to its name, hashing; f's expect_sha256 (when not
 * NULL) and expect_size (with check_size) are what it must match.
 */
static int
emit_stream(struct package_extract *x, struct package *p,
    struct package_node *n, const struct package_file *f,
    struct dv_error *err)
{
	struct tee t = {0};
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	struct seen *s;
	char sha[HASH_HEX_MAX];
	int fd = -1, ret;

	if (f->expect_sha256 != NULL && (s = pk_seen_sha(&x->seen,
	    f->expect_sha256)) != NULL && s->output != NULL) {
		pk_mark_duplicate(p, n, s);
		return 0;
	}
	if ((ret = emit_open(x, f->name, f->executable, &fd, err)) != 0)
		return ret;
	t.src = f->src;
	t.od = x->out;
	t.fd = fd;
	t.sha = hash_new(HASH_SHA256);
	t.limited = f->check_size;
	t.limit = f->expect_size;
	sbuf_addf(&what, "%s: %s", p->path, n->path);
	t.what = what.buf;
	ret = drain(&t, err);
	sbuf_release(&what);
	hash_final_hex(t.sha, sha);
	hash_free(t.sha);
	if (ret == 0 && ((f->expect_sha256 != NULL &&
	    strcmp(f->expect_sha256, sha) != 0) ||
	    (f->check_size && t.size != f->expect_size)))
		ret = dv_error_set(err, DV_EDIGEST, "%s: %s: %llu bytes "
		    "with SHA-256 %s, but the depot's metadata says %llu bytes "
		    "with %s", p->path, n->path,
		    (unsigned long long)t.size, sha,
		    (unsigned long long)f->expect_size,
		    f->expect_sha256 != NULL ? f->expect_sha256 :
		    "no checksum");
	if (ret != 0) {
		if (fd >= 0)
			outdir_close_file(x->out, fd, NULL);
		return ret;
	}
	if (n->sha256 == NULL)
		pk_set_sha(p, n, sha);
	return emit_finish(x, p, n, f->name, fd, sha, err);
}

/*
 * Copy f's source as its consumer reads it (a VIB's one-pass scan, which
 * hashes the file itself and sets n->sha256).
 */
static int
emit_consumed(struct package_extract *x, struct package *p,
    struct package_node *n, const struct package_file *f,
    struct dv_error *err)
{
	struct tee t = {0};
	struct byte_source tsrc = {tee_read, &t};
	int fd = -1, ret;

	if ((ret = emit_open(x, f->name, f->executable, &fd, err)) != 0)
		return ret;
	t.src = f->src;
	t.od = x->out;
	t.fd = fd;
	if ((ret = f->consume(f->consume_ctx, &tsrc, err)) != 0) {
		if (fd >= 0)
			outdir_close_file(x->out, fd, NULL);
		return ret;
	}
	return emit_finish(x, p, n, f->name, fd, n->sha256, err);
}

/* A file of a folder (the Intel tool's): written under its name as it is. */
static int
emit_plain(struct package_extract *x, struct package *p,
    struct package_node *n, const struct package_file *f,
    struct dv_error *err)
{
	struct tee t = {0};
	char sha[HASH_HEX_MAX];
	int ret, r;

	t.od = x->out;
	t.fd = -1;
	t.sha = hash_new(HASH_SHA256);
	if ((ret = outdir_open_file(x->out, f->name, f->executable, &t.fd,
	    err)) != 0)
		goto out;
	if (f->src == NULL) {
		hash_update(t.sha, f->data, f->len);
		ret = outdir_write(x->out, t.fd, f->data, f->len, err);
	} else {
		t.src = f->src;
		ret = drain(&t, err);
	}
	r = outdir_close_file(x->out, t.fd, err);
	if (ret == 0)
		ret = r;
	if (ret == 0) {
		hash_final_hex(t.sha, sha);
		pk_set_sha(p, n, sha);
		n->output = arena_strdup(&p->arena, f->name);
	}
out:
	hash_free(t.sha);
	return ret;
}

/* ---- the sink's operations -------------------------------------------- */

static int
outdir_sink_file(void *ctx, struct package *p, struct package_node *n,
    const struct package_file *f, struct dv_error *err)
{
	struct package_extract *x = ctx;

	if (!f->dedup)
		return emit_plain(x, p, n, f, err);
	if (f->src == NULL)
		return emit_mem(x, p, n, f, err);
	if (f->consume != NULL)
		return emit_consumed(x, p, n, f, err);
	return emit_stream(x, p, n, f, err);
}

static bool
outdir_sink_has(void *ctx, const char *name)
{
	return outdir_has(((struct package_extract *)ctx)->out, name);
}

static int
outdir_sink_reserve(void *ctx, const char *name, struct sbuf *path,
    struct dv_error *err)
{
	return outdir_reserve(((struct package_extract *)ctx)->out, name, path,
	    err);
}

static int
outdir_sink_done(void *ctx, const char *name, struct dv_error *err)
{
	return outdir_sync_file(((struct package_extract *)ctx)->out, name,
	    err);
}

static int
outdir_sink_check(void *ctx, struct dv_error *err)
{
	return outdir_check(((struct package_extract *)ctx)->out, err);
}

static const struct package_sink_ops outdir_sink_ops = {
	.file = outdir_sink_file,
	.has = outdir_sink_has,
	.reserve = outdir_sink_reserve,
	.done = outdir_sink_done,
	.check = outdir_sink_check,
};

void
package_extract_init(struct package_extract *x, struct outdir *out,
    bool vibs, bool repack)
{
	memset(x, 0, sizeof(*x));
	x->out = out;
	x->vibs = vibs;
	x->repack = repack;
}

void
package_extract_release(struct package_extract *x)
{
	if (x == NULL)
		return;
	pk_seen_release(&x->seen);
}

void
package_sink_outdir(struct package_sink *sink, struct package_extract *x)
{
	memset(sink, 0, sizeof(*sink));
	sink->ops = &outdir_sink_ops;
	sink->ctx = x;
	sink->vibs = x->vibs;
	sink->repack = x->repack;
	sink->seen = &x->seen;
}
