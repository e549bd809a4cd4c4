/* package_walk.c - the package walk: each archive's members, front to back. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "package_int.h"

static bool
doc_name(const char *name)
{
	static const char *const exts[] = {".txt", ".pdf", ".html", ".htm",
	    ".md"};
	const char *p, *e;

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (dv_has_suffix(name, exts[i]))
			return true;
	/* Any folder called doc or docs on the way. */
	for (p = name; (e = strchr(p, '/')) != NULL; p = e + 1)
		if ((e - p == 3 && strncasecmp(p, "doc", 3) == 0) ||
		    (e - p == 4 && strncasecmp(p, "docs", 4) == 0))
			return true;
	return false;
}

bool
pk_zip_magic(const unsigned char *p, size_t n)
{
	return n >= 4 && p[0] == 'P' && p[1] == 'K' && ((p[2] == 3 &&
	    p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

bool
pk_gzip_magic(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/*
 * An archive inside c: read it into memory (within the caps), and either
 * describe it as a depot or walk it in turn.  ms has its head peeked.
 */
static int
archive_member(struct cont *c, size_t i, struct mstream *ms)
{
	struct walk *w = c->w;
	struct centry *e = &c->ents[i];
	struct package_node *n = e->node;
	struct sbuf data = SBUF_INIT(0), lbl = SBUF_INIT(SBUF_NOCAP);
	struct zipfile *zf = NULL;
	struct cont child = {0};
	struct seen *s;
	char sha[HASH_HEX_MAX];
	uint64_t room;
	bool is_zip, depot, counted = false;
	int ret;

	if (c->depth + 1 > DV_MAX_NESTING) {
		ret = dv_error_set(w->err, DV_ELIMIT, "%s: %s: archives nested "
		    "more than %d deep", w->p->path, n->path, DV_MAX_NESTING);
		goto out;
	}
	room = DV_MAX_INNER_TOTAL - w->held;
	if (room > DV_MAX_INNER_ARCHIVE)
		room = DV_MAX_INNER_ARCHIVE;
	if (e->size > room) {
		ret = dv_error_set(w->err, DV_ELIMIT, "%s: %s: %llu bytes; an "
		    "archive inside another is read into memory, up to %llu "
		    "bytes", w->p->path, n->path, (unsigned long long)e->size,
		    (unsigned long long)room);
		goto out;
	}
	if ((ret = pk_ms_read_all(ms, room, &data)) != 0)
		goto out;
	w->held += data.len;
	counted = true;
	hash_hex(HASH_SHA256, data.buf, data.len, sha);
	pk_set_sha(w->p, n, sha);
	n->size = data.len;
	is_zip = pk_zip_magic((unsigned char *)data.buf, data.len);
	if (!is_zip && !pk_gzip_magic((unsigned char *)data.buf, data.len) &&
	    !arc_is_tar_header((unsigned char *)data.buf, data.len)) {
		ret = dv_error_set(w->err, pk_tar_name(e->name) ? DV_ETAR :
		    DV_ENOTZIP, "%s: %s: not a %s archive", w->p->path,
		    n->path, pk_tar_name(e->name) ? "tar" : "zip");
		goto out;
	}
	sbuf_addf(&lbl, "%s: %s", w->p->path, n->path);
	depot = false;
	if (is_zip) {
		if ((ret = zipfile_open_mem(data.buf, data.len, lbl.buf, &zf,
		    w->err)) != 0)
			goto out;
		depot = dv_zip_is_depot(zf);
	}
	n->kind = depot ? PACKAGE_DEPOT : is_zip ? PACKAGE_ZIP : PACKAGE_TAR;
	if ((s = pk_seen_sha(w->seen, sha)) != NULL) {
		/* The same bytes met before: said once, written once. */
		pk_mark_duplicate(w->p, n, s);
		if (w->sink == NULL)
			n->skipped = NULL;
		ret = 0;
		goto out;
	}
	if (depot) {
		zipfile_close(zf);
		zf = NULL;
		ret = pk_depot_item(w, n, data.buf, data.len);
		/* A sink that wrote it, or found it written, remembered it. */
		if (ret == 0 && n->output == NULL && n->duplicate_of == NULL)
			pk_remember(w->seen, w->p, n, sha, NULL);
		goto out;
	}
	pk_remember(w->seen, w->p, n, sha, NULL);
	child.w = w;
	child.node = n;
	child.chain = n->path;
	child.depth = c->depth + 1;
	child.is_tar = !is_zip;
	child.mem = data.buf;
	child.len = data.len;
	child.zip = zf;
	zf = NULL;
	child.stem = pk_stem_of(&w->p->arena, dv_base_name(e->name));
	ret = pk_walk_container(&child);
out:
	if (counted)
		w->held -= data.len;
	zipfile_close(zf);
	sbuf_release(&data);
	sbuf_release(&lbl);
	return ret;
}

/* One member that belongs to no special folder. */
static int
plain_member(struct cont *c, size_t i)
{
	struct walk *w = c->w;
	struct centry *e = &c->ents[i];
	struct package_node *n = e->node;
	struct byte_source src;
	struct mstream ms;
	int ret;

	if (dv_has_suffix(e->name, ".vib")) {
		if ((ret = pk_ms_open(c, i, &ms)) != 0)
			return ret;
		src.read = pk_ms_read;
		src.ctx = &ms;
		ret = pk_vib_item(w, n, &src, dv_base_name(e->name));
		pk_ms_close(&ms);
		return ret;
	}
	if (!dv_has_suffix(e->name, ".zip") && !pk_tar_name(e->name) &&
	    (doc_name(e->name) || e->size < 4)) {
		n->kind = doc_name(e->name) ? PACKAGE_DOC : PACKAGE_FILE;
		pk_skip(w, n, n->kind == PACKAGE_DOC ? "documentation" :
		    "not installable");
		return 0;
	}
	if ((ret = pk_ms_open(c, i, &ms)) != 0)
		return ret;
	if ((ret = pk_ms_peek(&ms)) != 0)
		goto out;
	if (dv_has_suffix(e->name, ".zip") || pk_tar_name(e->name) ||
	    pk_zip_magic(ms.head, ms.headlen) ||
	    arc_is_tar_header(ms.head, ms.headlen)) {
		ret = archive_member(c, i, &ms);
		goto out;
	}
	n->kind = PACKAGE_FILE;
	pk_skip(w, n, "not installable");
out:
	pk_ms_close(&ms);
	return ret;
}

/* Between members: whether the sink (if any) wants the walk stopped. */
int
pk_walk_check(struct walk *w)
{
	if (w->sink == NULL)
		return 0;
	return w->sink->ops->check(w->sink->ctx, w->err);
}

/*
 * One archive: list every member and refuse the archive on a hostile
 * one before reading anything, find the special folders, then read the
 * members front to back (a tar can be read no other way).
 */
int
pk_walk_container(struct cont *c)
{
	struct walk *w = c->w;
	struct special *sp;
	struct package_node *parent;
	char *dir;
	size_t i;
	int ret;

	c->tar_cur = -1;
	if ((ret = c->is_tar ? pk_list_tar(c) : pk_list_zip(c)) != 0)
		goto out;
	pk_find_specials(c);
	for (i = 0; i < c->nents; i++) {
		struct centry *e = &c->ents[i];
		if (e->name == NULL)
			continue;
		if ((ret = pk_walk_check(w)) != 0)
			goto out;
		if ((sp = e->owner) != NULL) {
			if (pk_special_node(c, sp) == NULL) {
				ret = -DV_ELIMIT;
				goto out;
			}
			if (e->dir)
				continue;
			ret = sp->kind == PACKAGE_NVM_TOOL ?
			    pk_tool_member(c, i, sp) :
			    pk_stash_member(c, i, sp);
			if (ret != 0)
				goto out;
			continue;
		}
		if (e->dir) {
			if (pk_folder_node(c, e->name) == NULL) {
				ret = -DV_ELIMIT;
				goto out;
			}
			continue;
		}
		dir = xstrndup(e->name,
		    (size_t)(dv_base_name(e->name) - e->name));
		if (*dir != '\0')
			dir[strlen(dir) - 1] = '\0'; /* the "/" */
		parent = pk_folder_node(c, dir);
		free(dir);
		if (parent == NULL || (e->node = pk_new_node(w, parent,
		    PACKAGE_FILE, dv_base_name(e->name),
		    pk_join_chain(&w->p->arena, c->chain, e->name))) == NULL) {
			ret = -DV_ELIMIT;
			goto out;
		}
		e->node->size = e->size;
		if ((ret = plain_member(c, i)) != 0)
			goto out;
	}
	for (i = 0; i < c->speclist.n; i++) {
		sp = c->speclist.v[i];
		if (!sp->ready || sp->swallowed)
			continue;
		ret = sp->kind == PACKAGE_EXPANDED ? pk_finish_expanded(c, sp) :
		    (pk_finish_tool(c, sp), 0);
		if (ret != 0)
			goto out;
	}
out:
	pk_cont_release(c);
	return ret;
}
