/* package_special.c - find expanded depots and tool folders in an archive. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include "package_int.h"

static struct special *
add_special(struct cont *c, enum package_kind kind, const char *dir)
{
	struct special *sp = smap_get(&c->specials, dir);

	if (sp != NULL)
		return sp;
	sp = xcalloc(1, sizeof(*sp));
	sp->kind = kind;
	sp->dir = xstrdup(dir);
	sbuf_init(&sp->cfg, DV_MAX_TOOL_CFG);
	smap_put(&c->specials, sp->dir, sp);
	ptrvec_push(&c->speclist, sp);
	return sp;
}

/* The special folder that name lies in (the outermost), or NULL. */
static struct special *
owner_of(struct cont *c, const char *name)
{
	char *dir = xstrdup(name), *slash;
	struct special *sp = NULL, *found = NULL;

	while ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((sp = smap_get(&c->specials, dir)) != NULL)
			found = sp;
	}
	if ((sp = smap_get(&c->specials, "")) != NULL)
		found = sp;
	free(dir);
	return found;
}

static const char *
entry_name(void *ctx, size_t i)
{
	const struct centry *e = &((const struct cont *)ctx)->ents[i];

	return e->dir ? NULL : e->name;
}

/*
 * An expanded depot is a folder holding index.xml, a vendor index and a
 * metadata zip; the Intel tool is a folder holding nvmupdaten64e and
 * nvmupdate.cfg.  The outermost wins:
 * a depot's own files are not looked at one by one.
 */
void
pk_find_specials(struct cont *c)
{
	struct sbuf cfg = SBUF_INIT(SBUF_NOCAP);
	bool *depot = dv_depot_folders(entry_name, c, c->nents);
	size_t i, dirlen;
	const char *base;

	for (i = 0; i < c->nents; i++) {
		const struct centry *e = &c->ents[i];
		if (e->dir || e->name == NULL)
			continue;
		base = dv_base_name(e->name);
		dirlen = (size_t)(base - e->name);
		dirlen = dirlen > 0 ? dirlen - 1 : 0;
		if (strcmp(base, "index.xml") == 0) {
			char *dir = xstrndup(e->name, dirlen);
			if (depot[i])
				add_special(c, PACKAGE_EXPANDED, dir);
			free(dir);
		} else if (strcmp(base, TOOL_BINARY) == 0) {
			sbuf_reset(&cfg);
			sbuf_add(&cfg, e->name, dirlen);
			sbuf_addf(&cfg, "%s%s", dirlen > 0 ? "/" : "",
			    TOOL_CONFIG);
			if (smap_get(&c->names, cfg.buf) != NULL) {
				char *dir = xstrndup(e->name, dirlen);
				add_special(c, PACKAGE_NVM_TOOL, dir);
				free(dir);
			}
		}
	}
	sbuf_release(&cfg);
	free(depot);
	/* A special folder inside another belongs to the outer one. */
	for (i = 0; i < c->nents; i++) {
		struct centry *e = &c->ents[i];
		if (e->name != NULL)
			e->owner = owner_of(c, e->name);
	}
	for (i = 0; i < c->speclist.n; i++) {
		struct special *sp = c->speclist.v[i];
		struct special *o = *sp->dir != '\0' ? owner_of(c, sp->dir) :
		    NULL;
		/* Inside another: it is just files of the outer one. */
		if (o != NULL && o != sp)
			sp->swallowed = true;
	}
}

/* The name a tool folder is written under: its package's. */
static const char *
tool_outdir(struct cont *c, struct special *sp)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	size_t tools = 0, i;
	const char *s;

	for (i = 0; i < c->speclist.n; i++) {
		struct special *o = c->speclist.v[i];
		if (o->kind == PACKAGE_NVM_TOOL && !o->swallowed)
			tools++;
	}
	sbuf_adds(&sb, c->stem);
	/* Two tools in one archive: tell them apart by their folder. */
	if (tools > 1 && *sp->dir != '\0') {
		sbuf_addch(&sb, '_');
		for (s = sp->dir; *s != '\0'; s++)
			sbuf_addch(&sb, *s == '/' ? '_' : *s);
	}
	s = arena_strdup(&c->w->p->arena, sb.buf);
	sbuf_release(&sb);
	return s;
}

/* The node standing for a special folder ("" is the archive itself). */
struct package_node *
pk_special_node(struct cont *c, struct special *sp)
{
	if (sp->ready)
		return sp->node;
	if (*sp->dir == '\0') {
		sp->node = c->node;
		c->node->kind = sp->kind;
	} else {
		sp->node = pk_folder_node(c, sp->dir);
	}
	sp->ready = sp->node != NULL;
	if (sp->node != NULL && sp->kind == PACKAGE_NVM_TOOL) {
		sp->node->installable = true;
		sp->outdir = tool_outdir(c, sp);
		sp->node->tool.folder = sp->outdir;
	}
	return sp->node;
}

/* A name relative to a special folder. */
const char *
pk_rel_to(const struct special *sp, const char *name)
{
	size_t n = strlen(sp->dir);

	return n == 0 ? name : name + n + 1;
}
