/* image_compose.c - compose an image profile and write it as a depot zip. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "crc32.h"
#include "crypto.h"
#include "depot_int.h"
#include "image.h"
#include "package.h"
#include "parse.h"
#include "platform.h"
#include "verify.h"
#include "vib.h"

void
compose_init(struct compose *c)
{
	memset(c, 0, sizeof(*c));
	image_report_init(&c->report);
}

void
compose_release(struct compose *c)
{
	if (c == NULL)
		return;
	image_release(&c->img);
	image_report_release(&c->report);
	for (size_t i = 0; i < c->depots.n; i++)
		depot_free(c->depots.v[i]);
	ptrvec_release(&c->depots);
	ptrvec_release(&c->notes);
	ptrvec_release(&c->warnings);
	arena_release(&c->arena);
	memset(c, 0, sizeof(*c));
}

static void
note(struct compose *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note(struct compose *c, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ptrvec_push(&c->notes, arena_strdup(&c->arena, sb.buf));
	sbuf_release(&sb);
}

/* ---- inputs ------------------------------------------------------------- */

struct file_src {
	FILE *fp;
	const char *path;
};

static long
file_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct file_src *f = ctx;
	size_t n = fread(buf, 1, len, f->fp);

	if (n == 0 && ferror(f->fp))
		return dv_error_errno(err, DV_EIO, "%s: cannot read", f->path);
	return (long)n;
}

/*
 * A VIB's record from its own descriptor.xml (a bare .vib, or a depot VIB
 * whose metadata is only vmware.xml's legacy form): the whole file is
 * read once for its size and SHA-256.
 */
static int
vib_from_scan(struct compose *c, const struct byte_source *src,
    const char *what, struct image_vib *iv, struct dv_error *err)
{
	struct vib_scan scan;
	struct xdoc doc = {0};
	struct depot_vib *v = NULL;
	int ret;

	vib_scan_init(&scan);
	if ((ret = vib_scan(src, what, &scan, err)) != 0)
		goto out;
	if ((ret = xml_parse(scan.descriptor.buf, scan.descriptor.len, what,
	    &doc, err)) != 0)
		goto out;
	if ((ret = parse_vib(&c->arena, doc.root, what, false, &v, err)) != 0)
		goto out;
	v->sha256 = arena_strdup(&c->arena, scan.file_sha256);
	v->packed_size = scan.file_size;
	v->has_packed_size = true;
	iv->vib = v;
	iv->descriptor = arena_strndup(&c->arena, scan.descriptor.buf,
	    scan.descriptor.len);
	iv->descriptor_len = scan.descriptor.len;
out:
	xdoc_release(&doc);
	vib_scan_release(&scan);
	return ret;
}

static int
load_vib_file(struct compose *c, const char *path, struct image_vib *iv,
    struct dv_error *err)
{
	struct file_src f = {NULL, path};
	struct byte_source src = {file_read, &f};
	int ret;

	memset(iv, 0, sizeof(*iv));
	if ((f.fp = fopen(path, "rb")) == NULL)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", path);
	ret = vib_from_scan(c, &src, path, iv, err);
	fclose(f.fp);
	iv->file = arena_strdup(&c->arena, path);
	iv->origin = iv->file;
	return ret;
}

/* A bare VIB: named .vib, or an ar archive whatever its name. */
static bool
is_vib_file(const char *path)
{
	size_t n = strlen(path);
	char magic[8];
	FILE *fp;
	bool ar;

	if (n > 4 && strcasecmp(path + n - 4, ".vib") == 0)
		return true;
	if ((fp = fopen(path, "rb")) == NULL)
		return false;
	ar = fread(magic, 1, sizeof(magic), fp) == sizeof(magic) &&
	    memcmp(magic, "!<arch>\n", 8) == 0;
	fclose(fp);
	return ar;
}

static int
open_input(struct compose *c, const char *path, struct depot **out,
    struct dv_error *err)
{
	int ret = depot_open(path, out, err);

	if (ret != 0) {
		if (err->code == DV_EWRAPPER)
			dv_error_set(err, DV_EWRAPPER, "%s: a vendor package, "
			    "not a depot: run 'depot extract %s OUTDIR' and "
			    "--add the depot or VIBs it writes", path, path);
		depot_free(*out);
		*out = NULL;
		return ret;
	}
	ptrvec_push(&c->depots, *out);
	for (size_t i = 0; i < (*out)->warnings.n; i++)
		ptrvec_push(&c->warnings, (*out)->warnings.v[i].msg);
	return 0;
}

/* The working set: one VIB per name, found by name. */
struct set {
	struct image_vib *v;
	size_t n, alloc;
};

static long
set_find(const struct set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].vib != NULL && strcmp(s->v[i].vib->name, name) == 0)
			return (long)i;
	return -1;
}

static void
set_put(struct set *s, const struct image_vib *iv)
{
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 64;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	s->v[s->n++] = *iv;
}

/* Drop the holes left by removals. */
static void
set_compact(struct set *s)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].vib != NULL)
			s->v[k++] = s->v[i];
	s->n = k;
}

/* Add one VIB of an --add: newer replaces, older needs --force. */
static void
add_vib(struct compose *c, const struct compose_opts *o, struct set *s,
    const struct image_vib *iv)
{
	const struct depot_vib *v = iv->vib;
	long at = set_find(s, v->name);
	char rel[512];
	int cmp;

	if (at >= 0) {
		const struct depot_vib *old = s->v[at].vib;
		if (strcmp(old->id, v->id) == 0)
			return;
		cmp = dv_version_cmp(v->version, old->version);
		if (cmp < 0 && !o->force) {
			image_report_add(&c->report, IMAGE_RULE_VERSION,
			    "--add %s: VIB %s is older than %s, which the "
			    "image has: drop that input, or downgrade with "
			    "--force", iv->origin, v->id, old->id);
			return;
		}
		note(c, "%s %s by %s (from %s)", cmp < 0 ? "downgraded" :
		    "replaced", old->id, v->id, iv->origin);
		s->v[at] = *iv;
	} else {
		note(c, "added %s (from %s)", v->id, iv->origin);
		set_put(s, iv);
	}
	/* What it replaces goes (esximage's obsoletes). */
	for (size_t i = 0; i < v->replaces.n; i++)
		for (size_t k = 0; k < s->n; k++) {
			const struct depot_vib *w = s->v[k].vib;
			if (w == NULL || w == v ||
			    !image_vib_satisfies(w, &v->replaces.v[i]))
				continue;
			image_relation_text(&v->replaces.v[i], rel,
			    sizeof(rel));
			note(c, "removed %s: %s replaces %s", w->id, v->id, rel);
			s->v[k].vib = NULL;
		}
	set_compact(s);
}

/* The newest VIB of each name in a depot; label names it in notes. */
static void
add_depot(struct compose *c, const struct compose_opts *o, struct set *s,
    const struct depot *d, const char *label)
{
	for (size_t i = 0; i < d->nvibs; i++) {
		struct image_vib iv = {0};
		/* d->vibs is sorted by name then version: the last wins. */
		if (i + 1 < d->nvibs && strcmp(d->vibs[i]->name,
		    d->vibs[i + 1]->name) == 0)
			continue;
		iv.vib = d->vibs[i];
		iv.depot = d;
		iv.origin = label;
		add_vib(c, o, s, &iv);
	}
}

/* A VIB an ESXi image cannot be without. */
static bool
required_vib(const struct depot_vib *v)
{
	if (strcmp(v->name, "esx-base") == 0 ||
	    strcmp(v->name, "esx-update") == 0)
		return true;
	for (size_t i = 0; i < v->npayloads; i++)
		if (strncmp(v->payloads[i].type, "boot", 4) == 0)
			return true;
	return false;
}

static void
remove_vib(struct compose *c, const struct compose_opts *o, struct set *s,
    const char *name)
{
	long at = set_find(s, name);
	const struct depot_vib *gone;
	char rel[512];

	if (at < 0) {
		image_report_add(&c->report, IMAGE_RULE_REMOVE, "--remove "
		    "%s: profile %s has no VIB of that name (see 'depot "
		    "list-vibs --profile %s %s')", name, o->profile,
		    o->profile, o->base);
		return;
	}
	gone = s->v[at].vib;
	if (required_vib(gone)) {
		image_report_add(&c->report, IMAGE_RULE_REMOVE, "--remove %s: "
		    "%s is one of the base image's required VIBs (the base "
		    "system and its boot modules): an ESXi image cannot be "
		    "without it", name, gone->id);
		return;
	}
	s->v[at].vib = NULL;
	/* Who needed it, and nothing else in the set satisfies them. */
	for (size_t k = 0; k < s->n; k++) {
		const struct depot_vib *w = s->v[k].vib;
		if (w == NULL)
			continue;
		for (size_t j = 0; j < w->depends.n; j++) {
			const struct depot_relation *d = &w->depends.v[j];
			bool other = false;
			if (!image_vib_satisfies(gone, d))
				continue;
			for (size_t m = 0; m < s->n && !other; m++)
				other = s->v[m].vib != NULL &&
				    image_vib_satisfies(s->v[m].vib, d);
			if (other)
				continue;
			image_relation_text(d, rel, sizeof(rel));
			image_report_add(&c->report, IMAGE_RULE_REMOVE,
			    "--remove %s: VIB %s requires %s, which only %s "
			    "provides: keep %s, or remove %s as well", name,
			    w->id, rel, gone->id, name, w->name);
		}
	}
	note(c, "removed %s", gone->id);
	set_compact(s);
}

/* ---- writing ------------------------------------------------------------ */

static void
esc(struct sbuf *sb, const char *s, bool attr)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			sbuf_adds(sb, "&amp;");
			break;
		case '<':
			sbuf_adds(sb, "&lt;");
			break;
		case '>':
			sbuf_adds(sb, "&gt;");
			break;
		case '"':
			sbuf_adds(sb, attr ? "&quot;" : "\"");
			break;
		default:
			sbuf_addch(sb, *s);
		}
	}
}

static void
elem(struct sbuf *sb, const char *tag, const char *text)
{
	sbuf_addf(sb, "<%s>", tag);
	esc(sb, text, false);
	sbuf_addf(sb, "</%s>", tag);
}

/* An element as the parser saw it: attributes, text, children. */
static void
write_node(struct sbuf *sb, const struct xnode *n)
{
	sbuf_addf(sb, "<%s", n->name);
	for (const struct xattr *a = n->attrs; a != NULL; a = a->next) {
		sbuf_addf(sb, " %s=\"", a->name);
		esc(sb, a->value, true);
		sbuf_addch(sb, '"');
	}
	if (n->children == NULL && (n->text == NULL || *n->text == '\0')) {
		sbuf_adds(sb, "/>");
		return;
	}
	sbuf_addch(sb, '>');
	esc(sb, n->text, false);
	for (const struct xnode *k = n->children; k != NULL; k = k->next)
		write_node(sb, k);
	sbuf_addf(sb, "</%s>", n->name);
}

static void
iso_time(int64_t t, int usec, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char base[64];

	gmtime_r(&tt, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (usec > 0)
		snprintf(out, len, "%s.%06d+00:00", base, usec);
	else
		snprintf(out, len, "%s+00:00", base);
}

/* Characters safe in a member name as they are. */
static bool
plain_name(const char *s)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strlen(s) > 200)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return false;
	return true;
}

/* A stable integer for a name, as VMware's writers use hash(). */
static unsigned long long
name_number(const char *s)
{
	char hex[HASH_HEX_MAX];

	hash_hex(HASH_SHA256, s, strlen(s), hex);
	hex[15] = '\0';
	return strtoull(hex, NULL, 16);
}

struct mdzip { /* a source metadata zip, read once */
	const struct depot *d;
	const char *member;
	struct sbuf bytes;
	struct zipfile *zf;
};

struct vcopy { /* one VIB being copied into the output */
	struct wctx *w;
	const struct image_vib *iv;
	const char *what;
	struct zipstream *zs;
	FILE *fp;
	struct hash *h;
	struct dv_progress *progress;
	struct readahead *ra; /* the VIB's bytes come from here, or NULL */
	size_t index;	      /* which VIB of the read-ahead */
	bool ended;	      /* its last byte was handed over */
};

struct srczip { /* one open handle per input depot, shared in turn */
	const struct depot *d;
	struct zipfile *zf;
};

struct wctx {
	struct compose *c;
	const struct compose_opts *o;
	struct mdzip *md;
	size_t nmd;
	struct srczip *src;
	size_t nsrc;
	struct dv_error *err;
};

static void
wctx_release(struct wctx *w)
{
	for (size_t i = 0; i < w->nmd; i++) {
		zipfile_close(w->md[i].zf);
		sbuf_release(&w->md[i].bytes);
	}
	free(w->md);
	for (size_t i = 0; i < w->nsrc; i++)
		zipfile_close(w->src[i].zf);
	free(w->src);
}

static int
source_zip(struct wctx *w, const struct depot *d, struct zipfile **out,
    struct dv_error *err)
{
	int ret;

	if (d == NULL) /* a bare .vib is read from its own file */
		return dv_error_set(err, DV_EMISSING, "no depot to read from");
	for (size_t i = 0; i < w->nsrc; i++)
		if (w->src[i].d == d) {
			*out = w->src[i].zf;
			return 0;
		}
	if ((ret = depot_reopen(d, out, err)) != 0)
		return ret;
	w->src = xrealloc(w->src, (w->nsrc + 1) * sizeof(*w->src));
	w->src[w->nsrc].d = d;
	w->src[w->nsrc++].zf = *out;
	return 0;
}

static int
metadata_zip(struct wctx *w, const struct depot *d, const char *member,
    struct zipfile **out, struct dv_error *err)
{
	struct zipfile *outer;
	struct mdzip *m;
	long idx;
	int ret;

	for (size_t i = 0; i < w->nmd; i++)
		if (w->md[i].d == d && strcmp(w->md[i].member, member) == 0) {
			*out = w->md[i].zf;
			return 0;
		}
	if ((ret = source_zip(w, d, &outer, err)) != 0)
		return ret;
	if ((idx = zipfile_find(outer, member)) < 0)
		return dv_error_set(err, DV_EMISSING, "%s: %s: missing",
		    d->path, member);
	w->md = xrealloc(w->md, (w->nmd + 1) * sizeof(*w->md));
	m = &w->md[w->nmd++];
	memset(m, 0, sizeof(*m));
	m->d = d;
	m->member = member;
	sbuf_init(&m->bytes, DV_MAX_METADATA_ZIP);
	if ((ret = zipfile_read(outer, (size_t)idx, DV_MAX_METADATA_ZIP,
	    &m->bytes, err)) != 0)
		return ret;
	if ((ret = zipfile_open_mem(m->bytes.buf, m->bytes.len, member,
	    &m->zf, err)) != 0)
		return ret;
	*out = m->zf;
	return 0;
}

static long
zs_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	return zipstream_read(ctx, buf, len, err);
}

/* Open a depot VIB's file for reading. */
static int
open_vib_member(struct wctx *w, const struct image_vib *iv, bool covered,
    struct zipstream **zs, struct dv_error *err)
{
	const struct depot_vib *v = iv->vib;
	struct zipfile *outer;
	long idx;
	int ret;

	*zs = NULL;
	if (iv->depot == NULL || v->member == NULL)
		return dv_error_set(err, DV_EMISSING, "%s: VIB %s has no file "
		    "in the depot", iv->origin, v->id);
	if ((ret = source_zip(w, iv->depot, &outer, err)) != 0)
		return ret;
	if ((idx = zipfile_find(outer, v->member)) < 0)
		return dv_error_set(err, DV_EMISSING, "%s: %s: missing (named "
		    "by the metadata of %s)", iv->depot->path, v->member,
		    v->id);
	/* covered: the caller checks the metadata's SHA-256 of every byte. */
	return covered ? zipstream_open_covered(outer, (size_t)idx, zs, err) :
	    zipstream_open(outer, (size_t)idx, zs, err);
}

/*
 * The VIB's own document: the vibs/ file of its metadata zip, a bare
 * VIB's descriptor.xml, or (vmware.xml only) the descriptor read from
 * the VIB itself.
 */
static int
vib_document(struct wctx *w, struct image_vib *iv, struct xdoc *doc,
    struct dv_error *err)
{
	const struct depot_vib *v = iv->vib;
	struct sbuf text = SBUF_INIT(SBUF_NOCAP);
	struct zipfile *zf = NULL;
	struct zipstream *zs = NULL;
	size_t ml;
	long idx;
	int ret;

	if (iv->descriptor != NULL)
		return xml_parse(iv->descriptor, iv->descriptor_len,
		    iv->origin, doc, err);
	ml = v->metadata != NULL ? strlen(v->metadata) : 0;
	if (iv->depot != NULL && ml > 0 && v->source != NULL &&
	    strncmp(v->source, v->metadata,
	    ml) == 0 && strncmp(v->source + ml, ": vibs/", 7) == 0) {
		if ((ret = metadata_zip(w, iv->depot, v->metadata, &zf,
		    err)) != 0)
			return ret;
		if ((idx = zipfile_find(zf, v->source + ml + 2)) < 0)
			return dv_error_set(err, DV_EMISSING, "%s: %s: "
			    "missing", iv->depot->path, v->source);
		if ((ret = zipfile_read(zf, (size_t)idx, DV_MAX_XML_BYTES,
		    &text, err)) == 0)
			ret = xml_parse(text.buf, text.len, v->source, doc,
			    err);
		sbuf_release(&text);
		return ret;
	}
	/* Only vmware.xml describes it: its descriptor is the truth. */
	if ((ret = open_vib_member(w, iv, false, &zs, err)) == 0) {
		struct byte_source src = {zs_read, zs};
		struct sbuf what = SBUF_INIT(SBUF_NOCAP);
		struct image_vib tmp = *iv;
		sbuf_addf(&what, "%s: %s", iv->depot->path, v->member);
		if ((ret = vib_from_scan(w->c, &src, what.buf, &tmp, err)) ==
		    0) {
			/* Keep the depot's identity; take the file facts. */
			struct depot_vib *nv = (struct depot_vib *)tmp.vib;
			if (strcmp(nv->id, v->id) != 0)
				ret = dv_error_set(err, DV_EDIGEST, "%s: its "
				    "descriptor is VIB %s, but the metadata "
				    "says %s", what.buf, nv->id, v->id);
			nv->member = v->member;
			nv->metadata = v->metadata;
			nv->source = v->source;
			nv->relative_path = v->relative_path;
			iv->vib = nv;
			iv->descriptor = tmp.descriptor;
			iv->descriptor_len = tmp.descriptor_len;
			if (ret == 0)
				ret = xml_parse(iv->descriptor,
				    iv->descriptor_len, what.buf, doc, err);
		}
		sbuf_release(&what);
		zipstream_close(zs);
	}
	return ret;
}

/* Size and SHA-256 of a depot VIB whose metadata lacks them. */
static int
measure(struct wctx *w, struct image_vib *iv, struct dv_error *err)
{
	const struct depot_vib *v = iv->vib;
	struct depot_vib *nv;
	struct zipstream *zs = NULL;
	struct hash *h;
	char buf[65536], hex[HASH_HEX_MAX];
	uint64_t total = 0;
	long n;
	int ret;

	if ((ret = open_vib_member(w, iv, false, &zs, err)) != 0)
		return ret;
	h = hash_new(HASH_SHA256);
	while ((n = zipstream_read(zs, buf, sizeof(buf), err)) > 0) {
		hash_update(h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	hash_final_hex(h, hex);
	hash_free(h);
	zipstream_close(zs);
	if (n < 0)
		return (int)n;
	nv = arena_alloc(&w->c->arena, sizeof(*nv));
	*nv = *v;
	if (nv->sha256 == NULL)
		nv->sha256 = arena_strdup(&w->c->arena, hex);
	if (!nv->has_packed_size) {
		nv->packed_size = total;
		nv->has_packed_size = true;
	}
	iv->vib = nv;
	return 0;
}

static const char *
vib_path(struct wctx *w, const struct depot_vib *v)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	const char *s;

	if (plain_name(v->name) && plain_name(v->id))
		sbuf_addf(&sb, "vib20/%s/%s.vib", v->name, v->id);
	else
		sbuf_addf(&sb, "vib20/vib-%llu.vib", name_number(v->id));
	s = arena_strdup(&w->c->arena, sb.buf);
	sbuf_release(&sb);
	return s;
}

static void
vib_metadata_xml(struct sbuf *sb, const struct xnode *root,
    const struct depot_vib *v, const char *path)
{
	sbuf_addf(sb, "<%s", root->name);
	for (const struct xattr *a = root->attrs; a != NULL; a = a->next) {
		sbuf_addf(sb, " %s=\"", a->name);
		esc(sb, a->value, true);
		sbuf_addch(sb, '"');
	}
	sbuf_addch(sb, '>');
	for (const struct xnode *k = root->children; k != NULL; k = k->next)
		if (strcmp(k->name, "relative-path") != 0 &&
		    strcmp(k->name, "packed-size") != 0 &&
		    strcmp(k->name, "checksum") != 0)
			write_node(sb, k);
	elem(sb, "relative-path", path);
	sbuf_addf(sb, "<packed-size>%llu</packed-size>",
	    (unsigned long long)v->packed_size);
	sbuf_adds(sb, "<checksum checksum-type=\"sha-256\">");
	esc(sb, v->sha256, false);
	sbuf_addf(sb, "</checksum></%s>", root->name);
}

static void
bulletin_fields(struct sbuf *sb, const struct depot_bulletin *b,
    const char *when)
{
	char date[96];

	elem(sb, "id", b->id);
	elem(sb, "vendor", b->vendor);
	elem(sb, "summary", b->summary);
	elem(sb, "severity", b->severity);
	elem(sb, "category", b->category);
	elem(sb, "urgency", b->urgency);
	elem(sb, "releaseType", b->release_type);
	elem(sb, "description", b->description);
	elem(sb, "kbUrl", b->kb_url);
	elem(sb, "contact", b->contact);
	if (b->comp_name != NULL) {
		sbuf_adds(sb, "<componentNameSpec name=\"");
		esc(sb, b->comp_name, true);
		sbuf_adds(sb, "\" uiString=\"");
		esc(sb, b->comp_name_ui ? b->comp_name_ui : b->comp_name, true);
		sbuf_adds(sb, "\"/><componentVersionSpec version=\"");
		esc(sb, b->comp_version ? b->comp_version : "", true);
		sbuf_adds(sb, "\" uiString=\"");
		esc(sb, b->comp_version_ui ? b->comp_version_ui :
		    b->comp_version ? b->comp_version : "", true);
		sbuf_adds(sb, "\"/>");
	}
	if (b->release_date.set)
		iso_time(b->release_date.sec, b->release_date.usec, date,
		    sizeof(date));
	elem(sb, "releaseDate", b->release_date.set ? date : when);
	sbuf_adds(sb, "<platforms>");
	for (size_t i = 0; i < b->platforms.n; i++) {
		sbuf_adds(sb, "<softwarePlatform version=\"");
		esc(sb, b->platforms.v[i].version, true);
		sbuf_adds(sb, "\" locale=\"");
		esc(sb, b->platforms.v[i].locale, true);
		sbuf_adds(sb, "\" productLineID=\"");
		esc(sb, b->platforms.v[i].product, true);
		sbuf_adds(sb, "\"/>");
	}
	sbuf_adds(sb, "</platforms>");
}

static void
relations_xml(struct sbuf *sb, const char *tag, const char *item,
    const struct depot_relations *r)
{
	sbuf_addf(sb, "<%s>", tag);
	for (size_t i = 0; i < r->n; i++) {
		sbuf_addf(sb, "<%s name=\"", item);
		esc(sb, r->v[i].name, true);
		sbuf_addch(sb, '"');
		if (r->v[i].relation != NULL) {
			sbuf_adds(sb, " relation=\"");
			esc(sb, r->v[i].relation, true);
			sbuf_addch(sb, '"');
		}
		if (r->v[i].version != NULL) {
			sbuf_adds(sb, " version=\"");
			esc(sb, r->v[i].version, true);
			sbuf_addch(sb, '"');
		}
		sbuf_adds(sb, "/>");
	}
	sbuf_addf(sb, "</%s>", tag);
}

/* vmware.xml's legacy <vib>, for the VUM-era tools that still read it. */
static void
legacy_vib(struct sbuf *sb, const struct depot_vib *v, const char *path)
{
	sbuf_adds(sb, "<vib><vibVersion>1.4.5</vibVersion>");
	elem(sb, "vibID", v->id);
	elem(sb, "name", v->name);
	elem(sb, "version", v->version);
	elem(sb, "vendor", v->vendor);
	elem(sb, "vibType", v->type);
	elem(sb, "summary", v->summary);
	sbuf_addf(sb, "<systemReqs><maintenanceMode>%s</maintenanceMode>"
	    "<swPlatform locale=\"\" version=\"\" productLineID=\"embeddedEsx\""
	    "/></systemReqs><relationships>", v->maintenance_remove ? "true" :
	    "false");
	relations_xml(sb, "depends", "constraint", &v->depends);
	relations_xml(sb, "conflicts", "constraint", &v->conflicts);
	relations_xml(sb, "replaces", "constraint", &v->replaces);
	relations_xml(sb, "provides", "provide", &v->provides);
	sbuf_addf(sb, "<compatibleWith/></relationships><postInstall>"
	    "<rebootRequired>%s</rebootRequired><hostdRestart>false"
	    "</hostdRestart></postInstall><softwareTags>",
	    v->live_install && v->live_remove ? "false" : "true");
	for (size_t i = 0; i < v->tags.n; i++)
		elem(sb, "tag", v->tags.v[i]);
	sbuf_adds(sb, "</softwareTags><vibFile><sourceUrl></sourceUrl>");
	elem(sb, "relativePath", path);
	sbuf_addf(sb, "<packedSize>%llu</packedSize><checksum><checksumType>"
	    "sha-256</checksumType>", (unsigned long long)v->packed_size);
	elem(sb, "checksum", v->sha256);
	sbuf_adds(sb, "</checksum></vibFile></vib>");
}

/* Read a VIB into the output, hashing it; a mismatch fails the write. */
static int
vcopy_open(void *ctx, struct dv_error *err)
{
	struct vcopy *vc = ctx;

	vc->h = hash_new(HASH_SHA256);
	if (vc->iv->file != NULL) {
		if ((vc->fp = fopen(vc->iv->file, "rb")) == NULL)
			return dv_error_errno(err, DV_EIO, "%s: cannot open",
			    vc->iv->file);
		return 0;
	}
	return open_vib_member(vc->w, vc->iv, true, &vc->zs, err);
}

static long
vcopy_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct vcopy *vc = ctx;
	char hex[HASH_HEX_MAX];
	long n;

	if (vc->fp != NULL) {
		n = (long)fread(buf, 1, len, vc->fp);
		if (n == 0 && ferror(vc->fp))
			return dv_error_errno(err, DV_EIO, "%s: cannot read",
			    vc->what);
	} else {
		n = zipstream_read(vc->zs, buf, len, err);
	}
	if (n > 0) {
		hash_update(vc->h, buf, (size_t)n);
		dv_progress_bytes(vc->progress, (uint64_t)n);
	} else if (n == 0 && vc->h != NULL) {
		dv_progress_item_done(vc->progress);
		hash_final_hex(vc->h, hex);
		hash_free(vc->h);
		vc->h = NULL;
		if (strcmp(hex, vc->iv->vib->sha256) != 0)
			return dv_error_set(err, DV_EDIGEST, "%s: VIB %s "
			    "differs from its metadata (sha-256 %s, the "
			    "metadata says %s): not copied", vc->what,
			    vc->iv->vib->id, hex, vc->iv->vib->sha256);
	}
	return n;
}

static void
vcopy_close(void *ctx)
{
	struct vcopy *vc = ctx;

	zipstream_close(vc->zs);
	vc->zs = NULL;
	if (vc->fp != NULL)
		fclose(vc->fp);
	vc->fp = NULL;
	hash_free(vc->h);
	vc->h = NULL;
}

/*
 * The copy's reading half on a thread of its own: each VIB read, hashed
 * and checked against its metadata (vcopy_read) a few chunks ahead of
 * libzip, which CRCs and writes them on the calling thread, so the two
 * halves share two cores.  The chunks pass through a ring of RA_SLOTS
 * buffers: memory stays bounded whatever the VIBs' sizes.
 */
#define RA_SLOTS 4
#define RA_CHUNK (1u << 20)

struct ra_slot {
	char *buf;
	size_t len;	      /* bytes in buf */
	size_t index;	      /* of which VIB */
	bool end;	      /* the VIB's end: ret says how it went */
	int ret;
	struct dv_error err;
};

struct readahead {
	struct vcopy *vc; /* the VIBs, in the order libzip writes them */
	size_t n;
	pthread_mutex_t lock;
	pthread_cond_t moved; /* a slot was filled or emptied, or stop */
	struct ra_slot slot[RA_SLOTS];
	size_t filled, taken; /* slots counted since the start */
	size_t off;	      /* handed over of the slot being taken */
	bool stop;	      /* the writer is done or gave up */
};

/* The next slot to fill; NULL once the writer stopped. */
static struct ra_slot *
ra_free_slot(struct readahead *ra)
{
	struct ra_slot *sl = NULL;

	pthread_mutex_lock(&ra->lock);
	while (!ra->stop && ra->filled - ra->taken == RA_SLOTS)
		pthread_cond_wait(&ra->moved, &ra->lock);
	if (!ra->stop)
		sl = &ra->slot[ra->filled % RA_SLOTS];
	pthread_mutex_unlock(&ra->lock);
	return sl;
}

static void
ra_publish(struct readahead *ra)
{
	pthread_mutex_lock(&ra->lock);
	ra->filled++;
	pthread_cond_broadcast(&ra->moved);
	pthread_mutex_unlock(&ra->lock);
}

static void *
ra_reader(void *arg)
{
	struct readahead *ra = arg;
	struct ra_slot *sl;
	long n = 0;

	for (size_t i = 0; i < ra->n && n >= 0; i++) {
		struct vcopy *vc = &ra->vc[i];
		struct dv_error err = DV_ERROR_INIT;
		int ret = vcopy_open(vc, &err);

		do {
			if ((sl = ra_free_slot(ra)) == NULL) {
				vcopy_close(vc);
				return NULL;
			}
			memset(&sl->err, 0, sizeof(sl->err));
			if (ret != 0) {
				n = ret;
				sl->err = err;
			} else {
				n = vcopy_read(vc, sl->buf, RA_CHUNK, &sl->err);
			}
			sl->index = i;
			sl->len = n > 0 ? (size_t)n : 0;
			sl->end = n <= 0;
			sl->ret = n < 0 ? (int)n : 0;
			ra_publish(ra);
		} while (n > 0);
		vcopy_close(vc);
	}
	return NULL;
}

/* Without a read-ahead (no thread could start), vcopy_* do it all. */
static int
ra_open(void *ctx, struct dv_error *err)
{
	struct vcopy *vc = ctx;

	return vc->ra == NULL ? vcopy_open(vc, err) : 0;
}

/* Hand libzip the next bytes of VIB vc->index from the ring. */
static long
ra_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct vcopy *vc = ctx;
	struct readahead *ra = vc->ra;
	struct ra_slot *sl;
	size_t k;

	if (ra == NULL)
		return vcopy_read(vc, buf, len, err);
	if (vc->ended)
		return 0;
	pthread_mutex_lock(&ra->lock);
	while (ra->filled == ra->taken)
		pthread_cond_wait(&ra->moved, &ra->lock);
	pthread_mutex_unlock(&ra->lock);
	sl = &ra->slot[ra->taken % RA_SLOTS];
	if (sl->index != vc->index)
		return dv_error_set(err, DV_EIO, "%s: VIB %s read out of "
		    "order", vc->what, vc->iv->vib->id);
	if (sl->end && sl->ret != 0) {
		/* The reader stopped there: the slot is never taken. */
		*err = sl->err;
		return sl->ret;
	}
	k = sl->len - ra->off < len ? sl->len - ra->off : len;
	memcpy(buf, sl->buf + ra->off, k);
	ra->off += k;
	if (ra->off == sl->len) {
		vc->ended = sl->end;
		ra->off = 0;
		pthread_mutex_lock(&ra->lock);
		ra->taken++;
		pthread_cond_broadcast(&ra->moved);
		pthread_mutex_unlock(&ra->lock);
	}
	return (long)k;
}

static void
ra_close(void *ctx)
{
	struct vcopy *vc = ctx;

	if (vc->ra == NULL)
		vcopy_close(vc);
}

static void
ra_start(struct readahead *ra, struct vcopy *vc, size_t n, pthread_t *thread,
    bool *started)
{
	memset(ra, 0, sizeof(*ra));
	ra->vc = vc;
	ra->n = n;
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->moved, NULL);
	for (size_t i = 0; i < RA_SLOTS; i++)
		ra->slot[i].buf = xmalloc(RA_CHUNK);
	for (size_t i = 0; i < n; i++) {
		vc[i].ra = ra;
		vc[i].index = i;
	}
	/* Without a thread the ring would never fill: read as before. */
	*started = pthread_create(thread, NULL, ra_reader, ra) == 0;
	for (size_t i = 0; i < n && !*started; i++)
		vc[i].ra = NULL;
}

static void
ra_finish(struct readahead *ra, pthread_t thread, bool started)
{
	if (started) {
		pthread_mutex_lock(&ra->lock);
		ra->stop = true;
		pthread_cond_broadcast(&ra->moved);
		pthread_mutex_unlock(&ra->lock);
		pthread_join(thread, NULL);
	}
	for (size_t i = 0; i < RA_SLOTS; i++)
		free(ra->slot[i].buf);
	pthread_cond_destroy(&ra->moved);
	pthread_mutex_destroy(&ra->lock);
}

/*
 * The fast copy: every VIB a stored member of a source zip is copied by
 * the kernel (zipwriter_close_with_ranges), range by range, and this
 * thread reads each back from the output as it lands (from the page
 * cache: one more read of the bytes, no second copy through user space)
 * and checks it against the metadata's SHA-256 and the CRC-32 its header
 * was given.  What is checked is what was written.  The SHA-256 costs
 * more than the copy, so RC_THREADS checkers take the VIBs in turn.
 */
#define RC_CHUNK ((size_t)1 << 20)
#define RC_THREADS 2

struct rcheck {
	struct vcopy *vc; /* what each VIB is called, its metadata */
	const struct zip_range *r;
	size_t n;
	uint64_t *at; /* where each VIB's data starts in the output */
	pthread_mutex_t lock;
	pthread_cond_t moved; /* bytes landed, or the writer ended */
	size_t cur;	      /* VIBs before cur landed whole, */
	uint64_t cur_done;    /* and this many bytes of VIB cur */
	int fd;
	bool ended, ok;	      /* the writer is done; how it went */
	bool failed;	      /* a VIB differs: ret and err say how */
	size_t failed_at;     /* which: the first in order is reported */
	int ret;
	struct dv_error err;
	size_t checked;	      /* VIBs found right */
	struct rc_worker {
		struct rcheck *rc;
		size_t first; /* checks VIBs first, first + RC_THREADS, ... */
		pthread_t thread;
		bool started;
	} worker[RC_THREADS];
};

static int
rc_landed(void *ctx, size_t i, int fd, uint64_t at, uint64_t done)
{
	struct rcheck *rc = ctx;
	bool failed;

	pthread_mutex_lock(&rc->lock);
	rc->fd = fd;
	rc->at[i] = at;
	rc->cur = i;
	rc->cur_done = done;
	failed = rc->failed;
	pthread_cond_broadcast(&rc->moved);
	pthread_mutex_unlock(&rc->lock);
	return failed ? -1 : 0;
}

/* Bytes of VIB k landed beyond got (0: the writer gave up first). */
static uint64_t
rc_wait(struct rcheck *rc, size_t k, uint64_t got, int *fd, uint64_t *at)
{
	uint64_t avail = 0;

	pthread_mutex_lock(&rc->lock);
	for (;;) {
		avail = rc->cur > k ? rc->r[k].size : rc->cur == k ?
		    rc->cur_done : 0;
		if (avail > got || rc->ended)
			break;
		pthread_cond_wait(&rc->moved, &rc->lock);
	}
	*fd = rc->fd;
	*at = rc->at[k];
	pthread_mutex_unlock(&rc->lock);
	return avail > got ? avail - got : 0;
}

/* VIB k's verdict: ret < 0 a mismatch (in *e), 0 right, 1 not seen. */
static void
rc_verdict(struct rcheck *rc, size_t k, int ret, const struct dv_error *e)
{
	pthread_mutex_lock(&rc->lock);
	if (ret < 0 && (!rc->failed || k < rc->failed_at)) {
		rc->failed = true;
		rc->failed_at = k;
		rc->ret = ret;
		rc->err = *e;
	}
	rc->checked += ret == 0;
	pthread_mutex_unlock(&rc->lock);
}

/* One VIB read back and checked: 0, 1 when the writer gave up, or the
 * error (in *e). */
static int
rc_check_one(struct rcheck *rc, size_t k, char *buf, struct dv_error *e)
{
	struct vcopy *vc = &rc->vc[k];
	struct hash *h = hash_new(HASH_SHA256);
	char hex[HASH_HEX_MAX];
	uint64_t got = 0, more, at;
	uint32_t crc = 0;
	ssize_t n;
	int fd, ret = 0;

	while (got < rc->r[k].size && ret == 0) {
		if ((more = rc_wait(rc, k, got, &fd, &at)) == 0) {
			ret = 1;
			break;
		}
		n = pread(fd, buf, more < RC_CHUNK ? (size_t)more : RC_CHUNK,
		    (off_t)(at + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = dv_error_errno(e, DV_EIO, "%s: cannot read back "
			    "what was written", vc->what);
			break;
		}
		hash_update(h, buf, (size_t)n);
		crc = dv_crc32(crc, buf, (size_t)n);
		dv_progress_bytes(vc->progress, (uint64_t)n);
		got += (uint64_t)n;
	}
	hash_final_hex(h, hex);
	hash_free(h);
	if (ret != 0)
		return ret;
	dv_progress_item_done(vc->progress);
	if (strcmp(hex, vc->iv->vib->sha256) != 0)
		return dv_error_set(e, DV_EDIGEST, "%s: VIB %s differs from "
		    "its metadata (sha-256 %s, the metadata says %s): not "
		    "copied", vc->what, vc->iv->vib->id, hex,
		    vc->iv->vib->sha256);
	/* As the zip reader does: esxcli's zipfile refuses a bad CRC. */
	if (crc != rc->r[k].crc32)
		return dv_error_set(e, DV_EZIP, "%s: %s: CRC error",
		    rc->r[k].path, vc->what);
	return 0;
}

static void *
rc_thread(void *arg)
{
	struct rc_worker *wk = arg;
	char *buf = xmalloc(RC_CHUNK);
	int ret = 0;

	for (size_t k = wk->first; k < wk->rc->n && ret == 0;
	    k += RC_THREADS) {
		struct dv_error e = DV_ERROR_INIT;
		ret = rc_check_one(wk->rc, k, buf, &e);
		rc_verdict(wk->rc, k, ret, &e);
	}
	free(buf);
	return NULL;
}

static int
rc_done(void *ctx, bool ok, struct dv_error *err)
{
	struct rcheck *rc = ctx;

	pthread_mutex_lock(&rc->lock);
	rc->ended = true;
	rc->ok = ok;
	pthread_cond_broadcast(&rc->moved);
	pthread_mutex_unlock(&rc->lock);
	for (size_t t = 0; t < RC_THREADS; t++)
		if (rc->worker[t].started)
			pthread_join(rc->worker[t].thread, NULL);
	if (rc->failed) {
		*err = rc->err;
		return rc->ret;
	}
	if (ok && rc->checked != rc->n)
		return dv_error_set(err, DV_EIO, "%s: the copy of VIB %zu of "
		    "%zu was not checked", rc->vc[0].what, rc->checked + 1,
		    rc->n);
	return 0;
}

/*
 * Each VIB's range in its source zip, when every VIB is a stored member
 * of one whose size the metadata agrees with: true and r filled.  A bare
 * .vib, a compressed member (rare: VIBs are compressed already), or a
 * size that disagrees goes the way of zipwriter_add instead, whose
 * reader says what is wrong.
 */
static bool
stored_ranges(struct wctx *w, const struct image *img, struct zip_range *r)
{
	for (size_t i = 0; i < img->nvibs; i++) {
		const struct image_vib *iv = &img->vibs[i];
		struct dv_error e = DV_ERROR_INIT;
		struct zipfile *zf;
		long idx;

		if (iv->file != NULL || iv->depot == NULL ||
		    iv->vib->member == NULL ||
		    source_zip(w, iv->depot, &zf, &e) != 0 ||
		    (idx = zipfile_find(zf, iv->vib->member)) < 0 ||
		    zipfile_stored_range(zf, (size_t)idx, &r[i]) != 0 ||
		    r[i].size != iv->vib->packed_size)
			return false;
	}
	return true;
}

/* The VIBs' ranges copied into the output that zw's members begin, each
 * checked as it lands; zw is freed. */
static int
copy_ranges(struct zipwriter *zw, const char *out,
    const char *const *paths, const struct zip_range *r, struct vcopy *vc,
    size_t n, int64_t when, struct dv_error *err)
{
	struct rcheck rc;
	struct zip_range_watch watch = {rc_landed, rc_done, &rc};
	bool started = true;
	int ret;

	memset(&rc, 0, sizeof(rc));
	rc.vc = vc;
	rc.r = r;
	rc.n = n;
	rc.at = xcalloc(n + 1, sizeof(*rc.at));
	rc.fd = -1;
	pthread_mutex_init(&rc.lock, NULL);
	pthread_cond_init(&rc.moved, NULL);
	for (size_t t = 0; t < RC_THREADS; t++) {
		rc.worker[t].rc = &rc;
		rc.worker[t].first = t;
		rc.worker[t].started = pthread_create(&rc.worker[t].thread,
		    NULL, rc_thread, &rc.worker[t]) == 0;
		started = started && rc.worker[t].started;
	}
	if (!started) {
		rc_done(&rc, false, err);
		zipwriter_discard(zw);
		ret = dv_error_set(err, DV_EIO, "%s: cannot start the thread "
		    "that checks the copy", out);
		goto out;
	}
	ret = zipwriter_close_with_ranges(zw, out, paths, r, n, when, &watch,
	    err);
out:
	free(rc.at);
	pthread_cond_destroy(&rc.moved);
	pthread_mutex_destroy(&rc.lock);
	return ret;
}

static const char *
vendor_code(const struct depot *base)
{
	if (base->nvendors > 0 && base->vendors[0].code != NULL &&
	    plain_name(base->vendors[0].code))
		return base->vendors[0].code;
	return "VMW";
}

static int
write_depot(struct wctx *w, const char *out, int64_t when,
    struct dv_error *err)
{
	struct compose *c = w->c;
	const struct image *img = &c->img;
	const struct depot *base = c->depots.v[0];
	struct sbuf index = SBUF_INIT(SBUF_NOCAP), vindex = SBUF_INIT(SBUF_NOCAP);
	struct sbuf vmw = SBUF_INIT(SBUF_NOCAP), prof = SBUF_INIT(SBUF_NOCAP);
	struct sbuf mdz = SBUF_INIT(SBUF_NOCAP), tmp = SBUF_INIT(SBUF_NOCAP);
	struct sbuf *docs = xcalloc(img->nvibs + img->ncomponents + 1,
	    sizeof(*docs));
	const char **paths = xcalloc(img->nvibs + 1, sizeof(*paths));
	struct vcopy *vc = xcalloc(img->nvibs + 1, sizeof(*vc));
	struct zip_range *ranges = xcalloc(img->nvibs + 1, sizeof(*ranges));
	bool fast;
	struct readahead ra;
	pthread_t ra_thread;
	bool ra_started;
	struct zipwriter *mw = NULL, *zw = NULL;
	struct dv_esxi esxi;
	char ts[96], ver[32], pv[32];
	size_t i, nd = 0;
	int ret;

	iso_time(when, 0, ts, sizeof(ts));
	if (image_esx_version(img, ver, sizeof(ver)) != NULL &&
	    dv_esxi_parse(ver, &esxi) == 0)
		snprintf(pv, sizeof(pv), "%d.%d", esxi.major, esxi.minor);
	else
		snprintf(pv, sizeof(pv), "%s", base->nmetadata > 0 &&
		    base->metadata[0].platforms.n > 0 ?
		    base->metadata[0].platforms.v[0].version : "");
	/* index.xml and vendor-index.xml, as VMware's depots have them. */
	sbuf_adds(&index, "<vendorList><vendor>");
	elem(&index, "name", img->creator);
	elem(&index, "code", vendor_code(base));
	sbuf_adds(&index, "<indexfile>vendor-index.xml</indexfile><patchUrl>"
	    "</patchUrl><relativePath></relativePath><content><name>VMware "
	    "ESX</name><type>http://www.vmware.com/depotmanagement/esx</type>"
	    "</content></vendor></vendorList>\n");
	sbuf_adds(&vindex, "<metaList><metadata><productId>embeddedEsx"
	    "</productId>");
	elem(&vindex, "version", pv);
	sbuf_adds(&vindex, "<locale></locale><url>metadata.zip</url>"
	    "<channelName>default</channelName></metadata></metaList>\n");

	/* Each VIB's document, its facts, its path. */
	for (i = 0; i < img->nvibs; i++) {
		struct image_vib *iv = &img->vibs[i];
		struct xdoc doc = {0};
		if (iv->descriptor == NULL && (iv->vib->sha256 == NULL ||
		    !iv->vib->has_packed_size) && (ret = measure(w, iv,
		    err)) != 0)
			goto out;
		if ((ret = vib_document(w, iv, &doc, err)) != 0)
			goto out;
		paths[i] = vib_path(w, iv->vib);
		sbuf_init(&docs[nd], SBUF_NOCAP);
		vib_metadata_xml(&docs[nd++], doc.root, iv->vib, paths[i]);
		xdoc_release(&doc);
	}
	/* vmware.xml: one bulletin per component, VIBs expanded. */
	sbuf_adds(&vmw, "<metadataResponse><version>3.0</version>");
	snprintf(ts + 19, sizeof(ts) - 19, ".000000");
	elem(&vmw, "timestamp", ts);
	iso_time(when, 0, ts, sizeof(ts));
	for (i = 0; i < img->ncomponents; i++) {
		const struct depot_bulletin *b = img->components[i];
		sbuf_adds(&vmw, "<bulletin>");
		bulletin_fields(&vmw, b, ts);
		sbuf_adds(&vmw, "<vibList>");
		for (size_t k = 0; k < b->vib_ids.n; k++)
			for (size_t m = 0; m < img->nvibs; m++)
				if (strcmp(img->vibs[m].vib->id,
				    b->vib_ids.v[k]) == 0)
					legacy_vib(&vmw, img->vibs[m].vib,
					    paths[m]);
		sbuf_adds(&vmw, "</vibList></bulletin>");
	}
	sbuf_adds(&vmw, "</metadataResponse>\n");
	/* The profile. */
	sbuf_adds(&prof, "<imageprofile>");
	elem(&prof, "name", img->name);
	elem(&prof, "creator", img->creator);
	elem(&prof, "profileID", c->profile_id);
	elem(&prof, "creationtime", ts);
	elem(&prof, "modifiedtime", ts);
	sbuf_adds(&prof, "<serialno>0</serialno>");
	elem(&prof, "description", img->description);
	sbuf_adds(&prof, "<readonly>true</readonly><viblist>");
	for (i = 0; i < img->nvibs; i++) {
		sbuf_adds(&prof, "<vib>");
		elem(&prof, "vib-id", img->vibs[i].vib->id);
		sbuf_adds(&prof, "</vib>");
	}
	sbuf_adds(&prof, "</viblist>");
	elem(&prof, "acceptancelevel", dv_acceptance_name(img->acceptance));
	sbuf_adds(&prof, "<bulletinlist>");
	for (i = 0; i < img->ncomponents; i++)
		elem(&prof, "bulletin-id", img->components[i]->id);
	sbuf_adds(&prof, "</bulletinlist></imageprofile>\n");

	/* metadata.zip, in memory, members in a fixed order. */
	if ((ret = zipwriter_open(NULL, "metadata.zip", &mw, err)) != 0)
		goto out;
	zipwriter_utc_times(mw);
	if ((ret = zipwriter_add_mem(mw, "vendor-index.xml", vindex.buf,
	    vindex.len, when, err)) != 0 ||
	    (ret = zipwriter_add_mem(mw, "vmware.xml", vmw.buf, vmw.len, when,
	    err)) != 0)
		goto out;
	for (i = 0; i < img->ncomponents; i++) {
		const struct depot_bulletin *b = img->components[i];
		struct sbuf *sb = &docs[nd++];
		sbuf_init(sb, SBUF_NOCAP);
		sbuf_adds(sb, "<bulletin>");
		bulletin_fields(sb, b, ts);
		sbuf_adds(sb, "<vibList>");
		for (size_t k = 0; k < b->vib_ids.n; k++)
			elem(sb, "vibID", b->vib_ids.v[k]);
		sbuf_adds(sb, "</vibList></bulletin>\n");
		sbuf_reset(&tmp);
		if (plain_name(b->id))
			sbuf_addf(&tmp, "bulletins/%s.xml", b->id);
		else
			sbuf_addf(&tmp, "bulletins/bulletin-%llu.xml",
			    name_number(b->id));
		if ((ret = zipwriter_add_mem(mw, tmp.buf, sb->buf, sb->len,
		    when, err)) != 0)
			goto out;
	}
	for (i = 0; i < img->nvibs; i++) {
		const struct depot_vib *v = img->vibs[i].vib;
		sbuf_reset(&tmp);
		sbuf_addf(&tmp, "vibs/%s-%llu.xml", plain_name(v->name) ?
		    v->name : "vib", name_number(v->id));
		if ((ret = zipwriter_add_mem(mw, tmp.buf, docs[i].buf,
		    docs[i].len, when, err)) != 0)
			goto out;
	}
	sbuf_reset(&tmp);
	sbuf_adds(&tmp, "profiles/");
	for (const char *p = img->name; *p != '\0' && tmp.len < 59; p++) {
		if (plain_name((char[]){*p, '\0'}))
			sbuf_addch(&tmp, *p);
		else
			sbuf_addf(&tmp, "%%%02X", (unsigned char)*p);
	}
	sbuf_addf(&tmp, "%llu", name_number(c->profile_id));
	if ((ret = zipwriter_add_mem(mw, tmp.buf, prof.buf, prof.len, when,
	    err)) != 0)
		goto out;
	ret = zipwriter_close(mw, &mdz, DV_MAX_METADATA_ZIP, err);
	mw = NULL;
	if (ret != 0)
		goto out;

	/* The depot: index, vendor index, metadata, then every VIB; in
	 * memory first when the kernel copies the VIBs after it. */
	fast = stored_ranges(w, img, ranges);
	if ((ret = zipwriter_open(fast ? NULL : out, out, &zw, err)) != 0)
		goto out;
	zipwriter_utc_times(zw);
	if ((ret = zipwriter_add_mem(zw, "index.xml", index.buf, index.len,
	    when, err)) != 0 ||
	    (ret = zipwriter_add_mem(zw, "vendor-index.xml", vindex.buf,
	    vindex.len, when, err)) != 0 ||
	    (ret = zipwriter_add_mem(zw, "metadata.zip", mdz.buf, mdz.len,
	    when, err)) != 0)
		goto out;
	for (i = 0; i < img->nvibs; i++) {
		vc[i].w = w;
		vc[i].iv = &img->vibs[i];
		vc[i].progress = w->o->progress;
		dv_progress_plan(w->o->progress, 1, img->vibs[i].vib->packed_size);
		vc[i].what = img->vibs[i].file != NULL ? img->vibs[i].file :
		    arena_strdup(&c->arena, img->vibs[i].vib->member ?
		    img->vibs[i].vib->member : img->vibs[i].vib->id);
		c->bytes += img->vibs[i].vib->packed_size;
	}
	if (fast) {
		ret = copy_ranges(zw, out, paths, ranges, vc, img->nvibs, when,
		    err);
		zw = NULL;
		goto out;
	}
	for (i = 0; i < img->nvibs; i++) {
		struct zip_member_source ms;
		ms.open = ra_open;
		ms.read = ra_read;
		ms.close = ra_close;
		ms.ctx = &vc[i];
		ms.size = img->vibs[i].vib->packed_size;
		ms.mtime = when;
		if ((ret = zipwriter_add(zw, paths[i], &ms, err)) != 0 ||
		    (ret = zipwriter_store_last(zw, err)) != 0)
			goto out;
	}
	ra_start(&ra, vc, img->nvibs, &ra_thread, &ra_started);
	ret = zipwriter_close(zw, NULL, 0, err);
	zw = NULL;
	ra_finish(&ra, ra_thread, ra_started);
out:
	zipwriter_discard(mw);
	zipwriter_discard(zw);
	for (i = 0; i < nd; i++)
		sbuf_release(&docs[i]);
	free(docs);
	free(paths);
	free(vc);
	free(ranges);
	sbuf_release(&index);
	sbuf_release(&vindex);
	sbuf_release(&vmw);
	sbuf_release(&prof);
	sbuf_release(&mdz);
	sbuf_release(&tmp);
	return ret;
}

/* With --trust: each VIB read and checked as 'depot verify' checks it. */
static int
check_signatures(struct wctx *w, struct dv_error *err)
{
	struct compose *c = w->c;

	for (size_t i = 0; i < c->img.nvibs; i++) {
		struct image_vib *iv = &c->img.vibs[i];
		struct vcopy vc = {0};
		struct byte_source src = {vcopy_read, &vc};
		struct verify_vib v;
		int ret;
		/* The whole-file facts the copy checks come from the metadata. */
		if (iv->descriptor == NULL && (iv->vib->sha256 == NULL ||
		    !iv->vib->has_packed_size) && (ret = measure(w, iv,
		    err)) != 0)
			return ret;
		vc.w = w;
		vc.iv = iv;
		vc.what = iv->file != NULL ? iv->file : iv->vib->id;
		if ((ret = vcopy_open(&vc, err)) != 0) {
			vcopy_close(&vc);
			return ret;
		}
		verify_vib_init(&v, iv->descriptor == NULL ? iv->vib : NULL);
		verify_vib_run(&v, &src, vc.what, w->o->trust, false);
		vcopy_close(&vc);
		if (!v.ok) {
			const struct dv_diag *why = dv_diags_first(&v.diags,
			    DV_DIAG_FAIL);
			image_report_add(&c->report, IMAGE_RULE_SIGNATURE,
			    "VIB %s (from %s) fails verification: %s; drop "
			    "it, or check --trust", iv->vib->id, iv->origin,
			    why != NULL ? why->msg : "see 'depot verify'");
		}
		verify_vib_release(&v);
	}
	return 0;
}

/* The installable nodes of a package tree that compose can take. */
static void
package_inputs(const struct package_node *n, struct ptrvec *out)
{
	if (n->installable && n->output != NULL &&
	    (n->kind == PACKAGE_VIB || n->kind == PACKAGE_DEPOT ||
	    n->kind == PACKAGE_EXPANDED))
		ptrvec_push(out, (void *)n);
	for (size_t i = 0; i < n->nchildren; i++)
		package_inputs(n->children[i], out);
}

/*
 * One --add.  A vendor package is unwrapped as 'depot extract --repack'
 * would (the package walk), into a temporary folder beside OUT.zip that
 * lives until the depot is written; each depot and VIB in it is added.
 */
static int
add_input(struct compose *c, const struct compose_opts *o, struct set *s,
    const char *path, const char *out, struct outdir **stage,
    struct dv_error *err)
{
	struct ptrvec nodes = PTRVEC_INIT;
	struct sbuf file = SBUF_INIT(SBUF_NOCAP), label = SBUF_INIT(SBUF_NOCAP);
	struct package_extract x;
	struct package_sink sink;
	struct package *pkg = NULL;
	struct image_vib iv;
	struct depot *d = NULL;
	int ret = 0;

	if (is_vib_file(path)) {
		if ((ret = load_vib_file(c, path, &iv, err)) == 0)
			add_vib(c, o, s, &iv);
		return ret;
	}
	if (!package_is_package(path)) {
		if ((ret = open_input(c, path, &d, err)) != 0)
			return ret;
		if (d->nvibs == 0)
			return dv_error_set(err, DV_ENOMATCH, "--add %s: the "
			    "depot holds no VIB", path);
		add_depot(c, o, s, d, d->path);
		return 0;
	}
	if (*stage == NULL && (ret = outdir_begin(o->unwrap != NULL ?
	    o->unwrap : out, OUTDIR_FORCE, stage, err)) != 0)
		return ret;
	package_extract_init(&x, *stage, false, true);
	package_sink_outdir(&sink, &x);
	if ((ret = package_open(path, &sink, &pkg, err)) != 0)
		goto out;
	package_inputs(pkg->root, &nodes);
	if (nodes.n == 0) {
		ret = dv_error_set(err, DV_ENOMATCH, "--add %s: a package that "
		    "holds no depot or VIB (see 'depot info %s')", path, path);
		goto out;
	}
	for (size_t i = 0; i < nodes.n && ret == 0; i++) {
		const struct package_node *n = nodes.v[i];
		sbuf_reset(&file);
		sbuf_addf(&file, "%s/%s", outdir_stage_path(*stage), n->output);
		sbuf_reset(&label);
		sbuf_addf(&label, "%s!%s", path, n->path);
		if (n->kind == PACKAGE_VIB) {
			if ((ret = load_vib_file(c, file.buf, &iv, err)) == 0) {
				iv.origin = arena_strdup(&c->arena, label.buf);
				add_vib(c, o, s, &iv);
			}
		} else if ((ret = open_input(c, file.buf, &d, err)) == 0) {
			add_depot(c, o, s, d, arena_strdup(&c->arena,
			    label.buf));
		}
	}
out:
	package_free(pkg);
	package_extract_release(&x);
	ptrvec_release(&nodes);
	sbuf_release(&file);
	sbuf_release(&label);
	return ret;
}

/* ---- compose ------------------------------------------------------------ */

/* The profile ID: a digest of what the profile is, not a random one. */
static const char *
content_id(struct compose *c)
{
	struct hash *h = hash_new(HASH_SHA256);
	char hex[HASH_HEX_MAX];
	const struct image *img = &c->img;

	hash_update(h, img->name, strlen(img->name) + 1);
	hash_update(h, img->creator, strlen(img->creator) + 1);
	for (size_t i = 0; i < img->nvibs; i++)
		hash_update(h, img->vibs[i].vib->id,
		    strlen(img->vibs[i].vib->id) + 1);
	hash_final_hex(h, hex);
	hash_free(h);
	hex[32] = '\0';
	return arena_strdup(&c->arena, hex);
}

int
image_compose(const struct compose_opts *o, const char *out,
    struct compose *c, struct dv_error *err)
{
	const struct depot_profile *bp;
	struct depot *base = NULL;
	struct outdir *stage = NULL;
	struct image bimg;
	struct set s = {0};
	struct image_vib *pool = NULL;
	struct sbuf desc = SBUF_INIT(SBUF_NOCAP);
	struct wctx w;
	size_t npool = 0, i;
	int64_t when;
	int ret;

	memset(&w, 0, sizeof(w));
	memset(&bimg, 0, sizeof(bimg));
	if (package_is_package(o->base)) {
		ret = dv_error_set(err, DV_EWRAPPER, "%s: a vendor package, "
		    "not a depot with image profiles: run 'depot extract %s "
		    "OUTDIR' for the depot it holds", o->base, o->base);
		goto out;
	}
	if ((ret = open_input(c, o->base, &base, err)) != 0)
		goto out;
	if ((ret = depot_find_profile(base, o->profile, &bp, err)) != 0)
		goto out;
	image_from_profile(&bimg, base, bp);
	for (i = 0; i < bimg.missing.n; i++)
		image_report_add(&c->report, IMAGE_RULE_MISSING, "VIBs %s from "
		    "image profile '%s' cannot be found in metadata: %s lacks "
		    "that VIB; --add it, or --remove %s", bimg.missing.v[i],
		    bp->name, o->base, bimg.missing.v[i]);
	for (i = 0; i < bimg.nvibs; i++)
		set_put(&s, &bimg.vibs[i]);
	for (i = 0; i < o->nadds; i++)
		if ((ret = add_input(c, o, &s, o->adds[i], out, &stage,
		    err)) != 0)
			goto out;
	for (i = 0; i < o->nremoves; i++)
		remove_vib(c, o, &s, o->removes[i]);
	/*
	 * A VIB only vmware.xml describes has no acceptance level, platform,
	 * files or payload checksums there: read its own descriptor before
	 * validating, so that every rule sees the whole VIB.
	 */
	w.c = c;
	w.o = o;
	w.err = err;
	for (i = 0; i < s.n; i++) {
		const struct depot_vib *v = s.v[i].vib;
		struct xdoc doc = {0};
		size_t ml = v->metadata != NULL ? strlen(v->metadata) : 0;
		if (s.v[i].descriptor != NULL || (ml > 0 && v->source != NULL &&
		    strncmp(v->source, v->metadata, ml) == 0 &&
		    strncmp(v->source + ml, ": vibs/", 7) == 0))
			continue;
		ret = vib_document(&w, &s.v[i], &doc, err);
		xdoc_release(&doc);
		if (ret != 0)
			goto out;
	}

	image_from_vibs(&c->img, s.v, s.n, (const struct depot *const *)
	    c->depots.v, c->depots.n);
	c->img.name = o->name;
	c->img.creator = o->vendor != NULL ? o->vendor : bp->creator;
	c->img.origin = o->base;
	if (o->description != NULL) {
		c->img.description = o->description;
	} else {
		sbuf_addf(&desc, "%s, composed from %s", o->name, bp->name);
		if (o->nadds > 0 || o->nremoves > 0)
			sbuf_addf(&desc, " with %zu input%s added and %zu VIB%s "
			    "removed", o->nadds, o->nadds == 1 ? "" : "s",
			    o->nremoves, o->nremoves == 1 ? "" : "s");
		c->img.description = arena_strdup(&c->arena, desc.buf);
	}
	/* The lowest level of its VIBs, unless asked (then checked). */
	c->img.acceptance = DV_ACCEPT_CERTIFIED;
	for (i = 0; i < c->img.nvibs; i++)
		if (c->img.vibs[i].vib->acceptance != DV_ACCEPT_UNKNOWN &&
		    c->img.vibs[i].vib->acceptance < c->img.acceptance)
			c->img.acceptance = c->img.vibs[i].vib->acceptance;
	if (o->acceptance_set)
		c->img.acceptance = o->acceptance;

	/* Everything the inputs hold may be offered for a dependency. */
	for (i = 0; i < c->depots.n; i++)
		npool += ((struct depot *)c->depots.v[i])->nvibs;
	pool = xcalloc(npool + o->nadds + 1, sizeof(*pool));
	npool = 0;
	for (i = 0; i < c->depots.n; i++) {
		const struct depot *dd = c->depots.v[i];
		for (size_t k = 0; k < dd->nvibs; k++) {
			pool[npool].vib = dd->vibs[k];
			pool[npool].depot = dd;
			pool[npool++].origin = dd->path;
		}
	}
	image_validate(&c->img, pool, npool, &c->report);
	if (o->trust != NULL && (ret = check_signatures(&w, err)) != 0)
		goto out;
	/* out NULL: the checks alone (esxbundle create's fit checks). */
	if (out == NULL || (c->report.n > 0 && !o->force)) {
		ret = 0;
		goto out;
	}
	c->profile_id = content_id(c);
	when = o->epoch >= 0 ? o->epoch : bp->modification_time.set ?
	    bp->modification_time.sec : bp->creation_time.set ?
	    bp->creation_time.sec : 315532800;
	if ((ret = write_depot(&w, out, when, err)) == 0)
		c->written = true;
out:
	wctx_release(&w);
	/* The unwrapped packages were needed until the depot was written. */
	outdir_abort(stage);
	image_release(&bimg);
	free(s.v);
	free(pool);
	sbuf_release(&desc);
	return ret;
}
