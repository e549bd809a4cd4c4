/* package_nvm.c - the Intel NVM update tool: its folder, its cfg, its files. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>

#include "package_int.h"

/* "700Series_NVMUpdatePackage_v9_52_ESX" -> target and version. */
static void
tool_from_name(struct walk *w, struct package_tool_info *t, const char *s)
{
	const char *k = strstr(s, "_NVMUpdatePackage"), *v;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);

	if (k == NULL)
		return;
	if (t->target == NULL && k > s)
		t->target = arena_strndup(&w->p->arena, s, (size_t)(k - s));
	v = strstr(k, "_v");
	if (t->version == NULL && v != NULL && v[2] >= '0' && v[2] <= '9') {
		for (v += 2; *v != '\0'; v++) {
			if ((*v >= '0' && *v <= '9') || *v == 'x' || *v == 'X')
				sbuf_addch(&sb, *v);
			else if (*v == '_' && ((v[1] >= '0' && v[1] <= '9') ||
			    v[1] == 'x' || v[1] == 'X'))
				sbuf_addch(&sb, '.');
			else
				break;
		}
		t->version = arena_strdup(&w->p->arena, sb.buf);
	}
	sbuf_release(&sb);
}

static char *
trimmed(struct arena *a, const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

/*
 * What nvmupdate.cfg says: its CONFIG VERSION, its BEGIN DEVICE blocks
 * and the NVM IMAGE files they name (which should lie beside it).
 */
void
pk_finish_tool(struct cont *c, struct special *sp)
{
	struct walk *w = c->w;
	struct arena *a = &w->p->arena;
	struct package_tool_info *t = &sp->node->tool;
	struct ptrvec images = PTRVEC_INIT, missing = PTRVEC_INIT;
	const struct package_node *up;
	const char *line, *end, *colon;
	struct sbuf img = SBUF_INIT(SBUF_NOCAP);
	size_t i, len;

	/* From the tool's own folder (a ready special has its node) up. */
	up = sp->node;
	do
		tool_from_name(w, t, up->parent == NULL ?
		    dv_base_name(w->p->path) : up->name);
	while ((up = up->parent) != NULL);
	if (t->target == NULL && *sp->dir != '\0' && strchr(sp->dir, '/'))
		t->target = arena_strndup(a, sp->dir,
		    (size_t)(strchr(sp->dir, '/') - sp->dir));
	for (line = sp->cfg.buf; sp->have_cfg && *line != '\0';
	    line = *end != '\0' ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		len = (size_t)(end - line);
		colon = memchr(line, ':', len);
		if (len >= 12 && strncmp(line, "BEGIN DEVICE", 12) == 0) {
			t->devices++;
		} else if (colon != NULL && colon - line == 14 &&
		    strncmp(line, "CONFIG VERSION", 14) == 0) {
			t->config_version = trimmed(a, colon + 1,
			    (size_t)(end - colon - 1));
		} else if (colon != NULL && colon - line == 9 &&
		    strncmp(line, "NVM IMAGE", 9) == 0) {
			char *name = trimmed(a, colon + 1,
			    (size_t)(end - colon - 1));
			for (i = 0; i < images.n; i++)
				if (strcmp(images.v[i], name) == 0)
					break;
			if (*name == '\0' || i < images.n)
				continue;
			ptrvec_push(&images, name);
			sbuf_reset(&img);
			sbuf_addf(&img, "%s%s%s", sp->dir, *sp->dir != '\0' ?
			    "/" : "", name);
			if (smap_get(&c->names, img.buf) == NULL)
				ptrvec_push(&missing, name);
		}
	}
	t->images.n = images.n;
	t->images.v = arena_alloc(a, (images.n + 1) * sizeof(char *));
	for (i = 0; i < images.n; i++)
		t->images.v[i] = images.v[i];
	t->missing.n = missing.n;
	t->missing.v = arena_alloc(a, (missing.n + 1) * sizeof(char *));
	for (i = 0; i < missing.n; i++)
		t->missing.v[i] = missing.v[i];
	if (w->sink != NULL) {
		/* Its files are written under this folder (pk_tool_member). */
		struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
		sbuf_addf(&sb, "%s/", sp->outdir);
		sp->node->output = arena_strdup(a, sb.buf);
		sbuf_release(&sb);
	}
	ptrvec_release(&images);
	ptrvec_release(&missing);
	sbuf_release(&img);
}

/* One file of the tool's folder: a child node, handed to the sink. */
int
pk_tool_member(struct cont *c, size_t i, struct special *sp)
{
	struct walk *w = c->w;
	struct centry *e = &c->ents[i];
	const char *rel = pk_rel_to(sp, e->name);
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	struct package_file f = {0};
	struct byte_source src;
	struct mstream ms;
	bool is_cfg = strcmp(rel, TOOL_CONFIG) == 0;
	int ret;

	e->node = pk_new_node(w, sp->node, PACKAGE_FILE, rel,
	    pk_join_chain(&w->p->arena, c->chain, e->name));
	if (e->node == NULL)
		return -DV_ELIMIT;
	e->node->size = e->size;
	if (strcmp(rel, TOOL_BINARY) == 0)
		e->node->note = "the tool";
	else if (is_cfg)
		e->node->note = "its configuration";
	else if (dv_has_suffix(rel, ".bin"))
		e->node->note = "NVM image";
	if (!is_cfg && w->sink == NULL)
		return 0;
	if ((ret = pk_ms_open(c, i, &ms)) != 0)
		return ret;
	if (is_cfg) {
		/* Read whole to say what it updates; written from memory. */
		ret = pk_ms_read_all(&ms, DV_MAX_TOOL_CFG, &sp->cfg);
		sp->have_cfg = ret == 0;
		pk_ms_close(&ms);
		if (ret != 0 || w->sink == NULL)
			goto out;
		f.data = sp->cfg.buf;
		f.len = sp->cfg.len;
	} else {
		src.read = pk_ms_read;
		src.ctx = &ms;
		f.src = &src;
	}
	sbuf_addf(&out, "%s/%s", sp->outdir, rel);
	f.name = out.buf;
	f.executable = strcmp(rel, TOOL_BINARY) == 0 || (e->mode & 0111) != 0;
	ret = w->sink->ops->file(w->sink->ctx, w->p, e->node, &f, w->err);
	if (!is_cfg)
		pk_ms_close(&ms);
out:
	sbuf_release(&out);
	return ret;
}
