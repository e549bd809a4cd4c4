/* package_tree.c - the package tree: nodes, labels, content met before. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "package_int.h"


bool
pk_tar_name(const char *s)
{
	return dv_has_suffix(s, ".tar") || dv_has_suffix(s, ".tar.gz") ||
	    dv_has_suffix(s, ".tgz");
}

/* The name without .zip, .tar, .tar.gz or .tgz. */
char *
pk_stem_of(struct arena *a, const char *name)
{
	static const char *const exts[] = {".tar.gz", ".tgz", ".tar", ".zip"};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (dv_has_suffix(name, exts[i]) && n > strlen(exts[i]))
			return arena_strndup(a, name, n - strlen(exts[i]));
	return arena_strdup(a, name);
}

/* "chain!member" of a member of c, for messages, into sb. */
const char *
pk_member_label(const struct cont *c, const char *name, struct sbuf *sb)
{
	sbuf_reset(sb);
	if (*c->chain != '\0')
		sbuf_addf(sb, "%s!", c->chain);
	dv_shown_name(sb, name);
	return sb->buf;
}

char *
pk_join_chain(struct arena *a, const char *chain, const char *name)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	char *s;

	if (*chain != '\0')
		sbuf_addf(&sb, "%s!", chain);
	sbuf_adds(&sb, name);
	s = arena_strdup(a, sb.buf);
	sbuf_release(&sb);
	return s;
}


struct package_node *
pk_new_node(struct walk *w, struct package_node *parent, enum package_kind kind,
    const char *name, const char *path)
{
	struct package *p = w->p;
	struct package_node *n;

	if (++w->nodes > DV_MAX_PACKAGE_ITEMS) {
		dv_error_set(w->err, DV_ELIMIT, "%s: more than %u items",
		    p->path, DV_MAX_PACKAGE_ITEMS);
		return NULL;
	}
	n = arena_alloc(&p->arena, sizeof(*n));
	n->kind = kind;
	n->name = arena_strdup(&p->arena, name);
	n->path = arena_strdup(&p->arena, path);
	n->parent = parent;
	if (parent != NULL) {
		/* Children arrays grow by doubling, in the arena. */
		if ((parent->nchildren & (parent->nchildren - 1)) == 0) {
			size_t want = parent->nchildren == 0 ? 4 :
			    parent->nchildren * 2;
			struct package_node **v = arena_alloc(&p->arena,
			    want * sizeof(*v));
			if (parent->nchildren > 0)
				memcpy(v, parent->children, parent->nchildren *
				    sizeof(*v));
			parent->children = v;
		}
		parent->children[parent->nchildren++] = n;
	}
	return n;
}

void
pk_set_sha(struct package *p, struct package_node *n, const char *hex)
{
	n->sha256 = hex != NULL ? arena_strdup(&p->arena, hex) : NULL;
}

struct seen *
pk_seen_sha(const struct ptrvec *seen, const char *sha)
{
	for (size_t i = 0; i < seen->n; i++) {
		struct seen *s = seen->v[i];
		if (strcmp(s->sha256, sha) == 0)
			return s;
	}
	return NULL;
}

struct seen *
pk_seen_output(const struct ptrvec *seen, const char *output)
{
	for (size_t i = 0; i < seen->n; i++) {
		struct seen *s = seen->v[i];
		if (s->output != NULL && strcmp(s->output, output) == 0)
			return s;
	}
	return NULL;
}

void
pk_remember(struct ptrvec *seen, const struct package *p,
    const struct package_node *n, const char *sha, const char *output)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	struct seen *s = xcalloc(1, sizeof(*s));

	snprintf(s->sha256, sizeof(s->sha256), "%s", sha);
	sbuf_addf(&sb, "%s%s%s", p->path, *n->path != '\0' ? "!" : "",
	    n->path);
	s->where = sbuf_detach(&sb, NULL);
	s->output = output != NULL ? xstrdup(output) : NULL;
	ptrvec_push(seen, s);
}

/* Mark n as the same content as s, which was met first. */
void
pk_mark_duplicate(struct package *p, struct package_node *n,
    const struct seen *s)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);

	n->duplicate_of = arena_strdup(&p->arena, s->where);
	sbuf_addf(&sb, "same content as %s", s->output != NULL ? s->output :
	    s->where);
	n->skipped = arena_strdup(&p->arena, sb.buf);
	sbuf_release(&sb);
}

/* Why n is not written; only a walk with a sink writes anything. */
void
pk_skip(struct walk *w, struct package_node *n, const char *why)
{
	if (w->sink != NULL && n->skipped == NULL && n->output == NULL)
		n->skipped = arena_strdup(&w->p->arena, why);
}


/* The node of folder dir ("" is the archive itself), made on first use. */
struct package_node *
pk_folder_node(struct cont *c, const char *dir)
{
	struct sbuf shown = SBUF_INIT(SBUF_NOCAP);
	struct package_node *n, *parent;
	struct special *sp;
	char *up, *path;
	const char *slash;

	if (*dir == '\0')
		return c->node;
	if ((n = smap_get(&c->folders, dir)) != NULL)
		return n;
	slash = strrchr(dir, '/');
	up = slash != NULL ? xstrndup(dir, (size_t)(slash - dir)) : xstrdup("");
	parent = pk_folder_node(c, up);
	free(up);
	if (parent == NULL)
		return NULL;
	sp = smap_get(&c->specials, dir);
	if (sp != NULL && sp->swallowed)
		sp = NULL;
	path = pk_join_chain(&c->w->p->arena, c->chain, dir);
	sbuf_addf(&shown, "%s/", dv_base_name(dir));
	n = pk_new_node(c->w, parent, sp != NULL ? sp->kind : PACKAGE_FOLDER,
	    shown.buf, path);
	sbuf_release(&shown);
	if (n == NULL)
		return NULL;
	/* The key lives as long as the map: the node's path ends in it. */
	smap_put(&c->folders, n->path + strlen(n->path) - strlen(dir), n);
	if (sp != NULL)
		sp->node = n;
	return n;
}


void
pk_seen_release(struct ptrvec *seen)
{
	for (size_t i = 0; i < seen->n; i++) {
		struct seen *s = seen->v[i];
		free(s->where);
		free(s->output);
		free(s);
	}
	ptrvec_release(seen);
}
