/* depot.c - walk a depot (zip, folder or URL): indexes, metadata zips, model. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "depot.h"
#include "depot_int.h"
#include "parse.h"
#include "source.h"
#include "suggest.h"
#include "vib.h"

/* Kinds of things found inside a zip that is not itself a depot. */
enum depot_inner_kind {
	DEPOT_INNER_DEPOT,	  /* a zip whose root holds index.xml */
	DEPOT_INNER_EXPANDED,	  /* a folder holding index.xml */
	DEPOT_INNER_ARCHIVE,	  /* another archive, not looked into */
	DEPOT_INNER_VIB		  /* a bare .vib */
};

struct depot_inner {
	enum depot_inner_kind kind;
	const char *name;
};

/* Everything one depot_open needs while it walks. */
struct walk {
	struct depot *d;
	struct depot_source *src;
	struct zipfile *zip; /* when the source is a zip */
	struct ptrvec vibs, bulletins, profiles;
	struct ptrvec legacy; /* vmware.xml's VIB records, when vibs/ exists */
	uint64_t xml_total; /* XML bytes read from metadata zips so far */
	struct dv_error *err;
	/* What a zip that is not a depot holds, for probe_wrapper's message. */
	struct depot_inner *inner;
	size_t ninner;
};

static void
warn(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dv_diag_vadd(&w->d->warnings, DV_DIAG_WARNING, 0, fmt, ap);
	va_end(ap);
}

/* Read the depot's file name and parse it as XML. */
static int
read_outer_xml(struct walk *w, const char *name, const char *referrer,
    struct xdoc *doc)
{
	struct sbuf data = SBUF_INIT(DV_MAX_XML_BYTES);
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	int ret;

	sbuf_addf(&what, "%s: %s", w->d->path, name);
	if ((ret = source_read(w->src, name, referrer, DV_MAX_XML_BYTES,
	    &data, w->err)) != 0)
		goto out;
	ret = xml_parse(data.buf, data.len, what.buf, doc, w->err);
out:
	sbuf_release(&what);
	sbuf_release(&data);
	return ret;
}

static const char *
required_text(struct walk *w, const struct xnode *n, const char *elem,
    const char *what, int *ret)
{
	const char *s = xnode_child_text(n, elem);

	if (s == NULL)
		*ret = dv_error_set(w->err, DV_EFORMAT,
		    "%s: element <%s> was expected in <%s>, but not found",
		    what, elem, n->name);
	return s;
}

static struct depot_metadata *
metadata_node(struct walk *w, const char *member)
{
	struct depot *d = w->d;

	for (size_t i = 0; i < d->nmetadata; i++)
		if (strcmp(d->metadata[i].member, member) == 0)
			return &d->metadata[i];
	return NULL;
}

/*
 * A vendor index: every <metadata> names a metadata zip.  Entries with the
 * same resolved path are one node with several platforms, as in esximage's
 * DepotTreeNode.AddChild.
 */
static int
read_vendor_index(struct walk *w, const char *member, const char *referrer)
{
	struct depot *d = w->d;
	struct xdoc doc = {0};
	struct sbuf path = SBUF_INIT(SBUF_NOCAP), what = SBUF_INIT(SBUF_NOCAP);
	const struct xnode *m;
	struct depot_metadata *node;
	struct depot_platform *pl;
	const char *product, *version, *locale, *url;
	size_t entries = 0;
	int ret;

	if ((ret = read_outer_xml(w, member, referrer, &doc)) != 0)
		goto out;
	sbuf_addf(&what, "%s: %s", d->path, member);
	for (m = doc.root->children; m != NULL; m = m->next) {
		if (strcmp(m->name, "metadata") != 0)
			continue;
		entries++;
		ret = 0;
		product = required_text(w, m, "productId", what.buf, &ret);
		version = required_text(w, m, "version", what.buf, &ret);
		locale = required_text(w, m, "locale", what.buf, &ret);
		url = required_text(w, m, "url", what.buf, &ret);
		if (ret != 0)
			goto out;
		if (strstr(url, "://") != NULL) {
			ret = dv_error_set(w->err, DV_EFORMAT,
			    "%s: metadata url '%s' is remote; an offline depot "
			    "must hold its metadata", what.buf, url);
			goto out;
		}
		if (dv_path_join(member, url, &path) != 0) {
			ret = dv_error_set(w->err, DV_EPATH,
			    "%s: metadata url '%s' is not a safe relative path",
			    what.buf, url);
			goto out;
		}
		node = metadata_node(w, path.buf);
		if (node == NULL) {
			if (d->nmetadata >= DV_MAX_VENDORS) {
				ret = dv_error_set(w->err, DV_ELIMIT,
				    "%s: more than %u metadata zips", d->path,
				    DV_MAX_VENDORS);
				goto out;
			}
			d->metadata = xrealloc(d->metadata,
			    (d->nmetadata + 1) * sizeof(*d->metadata));
			node = &d->metadata[d->nmetadata++];
			memset(node, 0, sizeof(*node));
			node->member = arena_strdup(&d->arena, path.buf);
		}
		node->platforms.v = xrealloc(node->platforms.v,
		    (node->platforms.n + 1) * sizeof(*node->platforms.v));
		pl = &node->platforms.v[node->platforms.n++];
		pl->product = arena_strdup(&d->arena, product);
		pl->version = arena_strdup(&d->arena, version);
		pl->locale = arena_strdup(&d->arena, locale);
	}
	/*
	 * Nothing to read, so the depot lists nothing and every check of it
	 * passes: say so (index.xml naming itself as the vendor index ends
	 * here too).
	 */
	if (entries == 0)
		warn(w, "%s: lists no metadata zips; the vendor is empty",
		    what.buf);
	ret = 0;
out:
	sbuf_release(&path);
	sbuf_release(&what);
	xdoc_release(&doc);
	return ret;
}

static int
read_index(struct walk *w)
{
	struct depot *d = w->d;
	struct xdoc doc = {0};
	struct sbuf path = SBUF_INIT(SBUF_NOCAP), ref = SBUF_INIT(SBUF_NOCAP);
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	const struct xnode *v;
	const char *name, *code, *indexfile, *relpath;
	struct depot_vendor *vd;
	size_t i;
	int ret;

	const char *root = source_root(w->src);

	if ((ret = read_outer_xml(w, root, "the depot", &doc)) != 0)
		goto out;
	sbuf_addf(&what, "%s: %s", d->path, root);
	/* esximage does not check the root tag: it finds <vendor> children. */
	for (v = doc.root->children; v != NULL; v = v->next) {
		if (strcmp(v->name, "vendor") != 0)
			continue;
		ret = 0;
		name = required_text(w, v, "name", what.buf, &ret);
		code = required_text(w, v, "code", what.buf, &ret);
		indexfile = required_text(w, v, "indexfile", what.buf, &ret);
		relpath = required_text(w, v, "relativePath", what.buf, &ret);
		if (ret != 0)
			goto out;
		if (d->nvendors >= DV_MAX_VENDORS) {
			ret = dv_error_set(w->err, DV_ELIMIT,
			    "%s: more than %u vendors", what.buf,
			    DV_MAX_VENDORS);
			goto out;
		}
		sbuf_reset(&ref);
		if (*relpath != '\0') {
			sbuf_adds(&ref, relpath);
			while (ref.len > 0 && ref.buf[ref.len - 1] == '/')
				sbuf_setlen(&ref, ref.len - 1);
			sbuf_addch(&ref, '/');
		}
		sbuf_adds(&ref, indexfile);
		if (dv_path_join(root, ref.buf, &path) != 0) {
			ret = dv_error_set(w->err, DV_EPATH,
			    "%s: vendor index '%s' is not a safe relative path",
			    what.buf, ref.buf);
			goto out;
		}
		d->vendors = xrealloc(d->vendors,
		    (d->nvendors + 1) * sizeof(*d->vendors));
		vd = &d->vendors[d->nvendors++];
		vd->name = arena_strdup(&d->arena, name);
		vd->code = arena_strdup(&d->arena, code);
		vd->index_member = arena_strdup(&d->arena, path.buf);
	}
	if (d->nvendors == 0)
		warn(w, "%s: lists no vendors; the depot is empty", what.buf);
	for (i = 0; i < d->nvendors; i++) {
		if (!depot_vendor_index_first(d, i))
			continue;
		if ((ret = read_vendor_index(w, d->vendors[i].index_member,
		    root)) != 0)
			goto out;
	}
	ret = 0;
out:
	sbuf_release(&path);
	sbuf_release(&ref);
	sbuf_release(&what);
	xdoc_release(&doc);
	return ret;
}

/* The directory part of a member name ("" at the root). */
static size_t
dirname_len(const char *name)
{
	const char *s = strrchr(name, '/');

	return s != NULL ? (size_t)(s - name) : 0;
}

static bool
in_dir(const char *name, const char *dir)
{
	size_t n = strlen(dir);

	return dirname_len(name) == n && strncmp(name, dir, n) == 0;
}

/* "metadata.zip: vibs/x.xml": where a record came from, for messages. */
static const char *
source_name(struct walk *w, const struct depot_metadata *md, const char *name)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	const char *s;

	sbuf_addf(&sb, "%s: %s", md->member, name);
	s = arena_strdup(&w->d->arena, sb.buf);
	sbuf_release(&sb);
	return s;
}

/*
 * "vib20//x/./y.vib" names vib20/x/y.vib (empty and "." components are
 * dropped, as URLs are read).  When the zip has no such member but one
 * named exactly as written, say so, rather than leave a later "missing"
 * to puzzle over a member that is plainly there.
 */
static void
noncanonical_member(struct walk *w, const struct depot_metadata *md,
    const struct depot_vib *v, const char *what)
{
	struct sbuf raw = SBUF_INIT(SBUF_NOCAP);
	const char *slash = strrchr(md->member, '/');

	if (w->zip == NULL || zipfile_find(w->zip, v->member) >= 0)
		return;
	if (slash != NULL)
		sbuf_add(&raw, md->member, (size_t)(slash - md->member) + 1);
	sbuf_adds(&raw, v->relative_path);
	if (strcmp(raw.buf, v->member) != 0 && zipfile_find(w->zip,
	    raw.buf) >= 0)
		warn(w, "%s: VIB '%s': its relative-path '%s' has empty or "
		    "\".\" path components, so it names %s, which the zip "
		    "does not hold; the zip's member is named as written, "
		    "which depots never do", what, v->id, v->relative_path,
		    v->member);
	sbuf_release(&raw);
}

/* A VIB's relative-path resolves against its metadata zip's own path. */
static int
resolve_vib(struct walk *w, struct depot_metadata *md, struct depot_vib *v,
    const char *what)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	int ret = 0;

	v->metadata = md->member;
	if (v->relative_path == NULL || *v->relative_path == '\0') {
		warn(w, "%s: VIB '%s' has no relative-path", what, v->id);
	} else if (strstr(v->relative_path, "://") != NULL) {
		/* esximage's UrlJoin keeps absolute URLs; we only note it. */
		v->member = NULL;
	} else if (dv_path_join(md->member, v->relative_path, &path) != 0) {
		ret = dv_error_set(w->err, DV_EPATH,
		    "%s: VIB '%s' has an unsafe relative-path '%s'", what,
		    v->id, v->relative_path);
	} else {
		v->member = arena_strdup(&w->d->arena, path.buf);
		noncanonical_member(w, md, v, what);
	}
	sbuf_release(&path);
	return ret;
}

static int
metadata_total_error(struct walk *w, struct dv_error *err)
{
	return dv_error_set(err, DV_ELIMIT, "%s: metadata documents add up "
	    "to more than %llu bytes", w->d->path,
	    (unsigned long long)DV_MAX_METADATA_TOTAL);
}

/*
 * Read one XML document of a metadata zip into data, counted against
 * DV_MAX_METADATA_TOTAL with every other one of the depot (vmware.xml
 * too): the total read_metadata_zip checked by the sizes the zip
 * declares, here by the bytes a zip that lies gives.
 */
static int
read_metadata_doc(struct walk *w, struct zipfile *mz, size_t idx,
    struct sbuf *data, struct dv_error *err)
{
	int ret;

	if ((ret = zipfile_read(mz, idx, DV_MAX_XML_BYTES, data, err)) != 0)
		return ret;
	w->xml_total += data->len;
	if (w->xml_total > DV_MAX_METADATA_TOTAL)
		return metadata_total_error(w, err);
	return 0;
}

static int
read_vmware_xml(struct walk *w, struct depot_metadata *md,
    struct zipfile *mz, long idx, bool want_vibs, bool want_bulletins,
    const char *label, struct dv_error *err)
{
	struct sbuf data = SBUF_INIT(DV_MAX_XML_BYTES);
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	struct xdoc doc = {0};
	const struct xnode *b, *v;
	struct depot_vib *vib;
	struct depot_bulletin *bul;
	int ret;

	sbuf_addf(&what, "%s: vmware.xml", label);
	if ((ret = read_metadata_doc(w, mz, (size_t)idx, &data, err)) != 0 ||
	    (ret = xml_parse(data.buf, data.len, what.buf, &doc, err)) != 0)
		goto out;
	for (b = doc.root->children; b != NULL; b = b->next) {
		if (strcmp(b->name, "bulletin") != 0)
			continue;
		if (want_bulletins) {
			if ((ret = parse_bulletin(&w->d->arena, b, what.buf,
			    &bul, err)) != 0)
				goto out;
			bul->source = source_name(w, md, "vmware.xml");
			ptrvec_push(&w->bulletins, bul);
			md->bulletins++;
		}
		for (v = xnode_child(b, "vibList") ? xnode_child(b,
		    "vibList")->children : NULL; v != NULL; v = v->next) {
			if (strcmp(v->name, "vib") != 0)
				continue;
			if ((ret = parse_legacy_vib(&w->d->arena, v, what.buf,
			    &vib, err)) != 0)
				goto out;
			if (!want_vibs) {
				/* Only its size and digest, for verify. */
				ptrvec_push(&w->legacy, vib);
				continue;
			}
			if ((ret = resolve_vib(w, md, vib, what.buf)) != 0)
				goto out;
			vib->source = source_name(w, md, "vmware.xml");
			ptrvec_push(&w->vibs, vib);
			md->vibs++;
		}
	}
	md->used_vmware_xml = want_vibs;
out:
	xdoc_release(&doc);
	sbuf_release(&data);
	sbuf_release(&what);
	return ret;
}

static int
read_metadata_entry(struct walk *w, struct depot_metadata *md,
    struct zipfile *mz, size_t i, const char *name, const char *label)
{
	struct sbuf data = SBUF_INIT(DV_MAX_XML_BYTES);
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	struct xdoc doc = {0};
	struct depot_vib *vib;
	struct depot_bulletin *bul;
	struct depot_profile *prof;
	int ret;

	sbuf_addf(&what, "%s: %s", label, name);
	if ((ret = read_metadata_doc(w, mz, i, &data, w->err)) != 0)
		goto out;
	if ((ret = xml_parse(data.buf, data.len, what.buf, &doc, w->err)) != 0)
		goto out;
	if (in_dir(name, "vibs")) {
		if ((ret = parse_vib(&w->d->arena, doc.root, what.buf, true,
		    &vib, w->err)) != 0 ||
		    (ret = resolve_vib(w, md, vib, what.buf)) != 0)
			goto out;
		vib->source = source_name(w, md, name);
		ptrvec_push(&w->vibs, vib);
		md->vibs++;
	} else if (in_dir(name, "bulletins")) {
		if ((ret = parse_bulletin(&w->d->arena, doc.root, what.buf,
		    &bul, w->err)) != 0)
			goto out;
		bul->source = source_name(w, md, name);
		ptrvec_push(&w->bulletins, bul);
		md->bulletins++;
	} else {
		if ((ret = parse_profile(&w->d->arena, doc.root, what.buf,
		    &prof, w->err)) != 0)
			goto out;
		prof->source = source_name(w, md, name);
		ptrvec_push(&w->profiles, prof);
		md->profiles++;
	}
out:
	xdoc_release(&doc);
	sbuf_release(&data);
	sbuf_release(&what);
	return ret;
}

/*
 * A metadata zip, read into memory (it is small, and libzip needs to seek).
 * As in esximage's ReadMetadataZip only files directly under vibs/,
 * bulletins/ and profiles/ are documents, whatever their names; vmware.xml
 * is the legacy aggregate used only when there is no vibs/; the ESXi 7+
 * directories are counted, their JSON shapes being unconfirmed.
 */
static int
read_metadata_zip(struct walk *w, struct depot_metadata *md)
{
	static const struct {
		const char *dir;
		size_t off;
	} counted[] = {
		{"baseimages", offsetof(struct depot_metadata, baseimages)},
		{"addons", offsetof(struct depot_metadata, addons)},
		{"manifests", offsetof(struct depot_metadata, manifests)},
		{"solutions", offsetof(struct depot_metadata, solutions)},
	};
	struct sbuf data = SBUF_INIT(DV_MAX_METADATA_ZIP);
	struct sbuf label = SBUF_INIT(SBUF_NOCAP);
	struct zipfile *mz = NULL;
	struct zip_entry e;
	long vmware_xml = -1;
	uint64_t size, declared = 0, vmware_size = 0;
	bool have_vibs = false, have_bulletins = false, counted_dir;
	size_t i, k;
	int ret;

	sbuf_addf(&label, "%s: %s", w->d->path, md->member);
	if (source_size(w->src, md->member, &size) &&
	    size > DV_MAX_METADATA_ZIP) {
		ret = dv_error_set(w->err, DV_ELIMIT,
		    "%s: metadata zip larger than %u bytes", label.buf,
		    DV_MAX_METADATA_ZIP);
		goto out;
	}
	if ((ret = source_read(w->src, md->member, "the vendor index",
	    DV_MAX_METADATA_ZIP, &data, w->err)) != 0)
		goto out;
	if (data.len < 22) {
		ret = dv_error_set(w->err, DV_EFORMAT,
		    "%s: metadata zip is empty or truncated (%zu bytes)",
		    label.buf, data.len);
		goto out;
	}
	if ((ret = zipfile_open_mem(data.buf, data.len, label.buf, &mz,
	    w->err)) != 0)
		goto out;
	for (i = 0; i < zipfile_count(mz); i++) {
		if ((ret = zipfile_entry(mz, i, &e, w->err)) != 0)
			goto out;
		if (e.kind == ZIP_ENTRY_DIR)
			continue;
		if (in_dir(e.name, "vibs"))
			have_vibs = true;
		else if (in_dir(e.name, "bulletins"))
			have_bulletins = true;
		/* Each size capped, so that the sum cannot wrap. */
		size = e.size > DV_MAX_METADATA_TOTAL ?
		    DV_MAX_METADATA_TOTAL + 1 : e.size;
		if (strcmp(e.name, "vmware.xml") == 0)
			vmware_size = size;
		else if (in_dir(e.name, "vibs") ||
		    in_dir(e.name, "bulletins") || in_dir(e.name, "profiles"))
			declared += size;
	}
	/*
	 * The documents the zip declares, vmware.xml among them when it is
	 * read as one (a cross-check is counted as it is read): refused
	 * before a byte is inflated.
	 */
	if (have_vibs)
		vmware_size = 0;
	if (w->xml_total + declared + vmware_size > DV_MAX_METADATA_TOTAL) {
		ret = metadata_total_error(w, w->err);
		goto out;
	}
	for (i = 0; i < zipfile_count(mz); i++) {
		if ((ret = zipfile_entry(mz, i, &e, w->err)) != 0)
			goto out;
		if (e.kind == ZIP_ENTRY_DIR)
			continue;
		if (e.kind != ZIP_ENTRY_FILE || e.name_has_nul) {
			ret = dv_error_set(w->err, DV_EPATH,
			    "%s: %s: not a regular file", label.buf, e.name);
			goto out;
		}
		if (in_dir(e.name, "vibs") || in_dir(e.name, "bulletins") ||
		    in_dir(e.name, "profiles")) {
			if ((ret = read_metadata_entry(w, md, mz, i, e.name,
			    label.buf)) != 0)
				goto out;
			continue;
		}
		if (strcmp(e.name, "vmware.xml") == 0) {
			vmware_xml = (long)i;
			continue;
		}
		counted_dir = false;
		for (k = 0; k < sizeof(counted) / sizeof(counted[0]); k++) {
			if (strncmp(e.name, counted[k].dir,
			    strlen(counted[k].dir)) == 0 &&
			    e.name[strlen(counted[k].dir)] == '/') {
				(*(size_t *)((char *)md + counted[k].off))++;
				counted_dir = true;
			}
		}
		if (!counted_dir && strcmp(e.name, "vendor-index.xml") != 0)
			md->other++;
	}
	if (vmware_xml >= 0 && !have_vibs) {
		ret = read_vmware_xml(w, md, mz, vmware_xml, true,
		    !have_bulletins, label.buf, w->err);
	} else if (vmware_xml >= 0 &&
	    (w->d->open_flags & DEPOT_OPEN_NO_CROSSCHECK) == 0) {
		/* Read only for verify's cross-check; esxcli ignores it. */
		struct dv_error ignored = DV_ERROR_INIT;
		if (read_vmware_xml(w, md, mz, vmware_xml, false, false,
		    label.buf, &ignored) != 0)
			warn(w, "%s (ignored: vmware.xml is only a cross-check "
			    "here)", ignored.msg);
		ret = 0;
	}
out:
	zipfile_close(mz);
	sbuf_release(&data);
	sbuf_release(&label);
	return ret;
}

static int
vib_id_cmp(const void *a, const void *b)
{
	const struct depot_vib *x = *(const struct depot_vib *const *)a;
	const struct depot_vib *y = *(const struct depot_vib *const *)b;

	return strcmp(x->id, y->id);
}

static int
vib_name_cmp(const void *a, const void *b)
{
	const struct depot_vib *x = *(const struct depot_vib *const *)a;
	const struct depot_vib *y = *(const struct depot_vib *const *)b;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = dv_version_cmp(x->version, y->version);
	return c != 0 ? c : strcmp(x->id, y->id);
}

static int
time_cmp(const struct dv_time *a, const struct dv_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return a->usec < b->usec ? -1 : a->usec > b->usec;
}

static bool
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
strlist_eq(const struct dv_strlist *a, const struct dv_strlist *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/*
 * What a merge rule says about the entry that follows one with an equal key:
 * folded into the kept one, or kept beside it (a profile without an id).
 */
enum fold { FOLDED, KEPT_APART };

/*
 * The three collections merge the same way: sort by key, then hand each
 * entry whose key equals the one kept before it to the collection's own
 * rule, which folds it in (possibly replacing the kept entry), keeps it
 * apart, or refuses the pair with an error.
 */
static int
fold_equal_keys(struct walk *w, struct ptrvec *pv,
    int (*cmp)(const void *, const void *),
    int (*rule)(struct walk *, void **kept, void *next, enum fold *how))
{
	size_t i, out = 0;
	enum fold how;
	int ret;

	if (pv->n > 1)
		qsort(pv->v, pv->n, sizeof(*pv->v), cmp);
	for (i = 0; i < pv->n; i++) {
		if (out == 0 || cmp(&pv->v[out - 1], &pv->v[i]) != 0) {
			pv->v[out++] = pv->v[i];
			continue;
		}
		if ((ret = rule(w, &pv->v[out - 1], pv->v[i], &how)) != 0)
			return ret;
		if (how == KEPT_APART)
			pv->v[out++] = pv->v[i];
	}
	pv->n = out;
	return 0;
}

/*
 * esximage's VibCollection.AddVib merges equal ids: the attributes that
 * make the VIB what it is must agree, and the newer release date decides
 * where the file is fetched from.
 */
static int
merge_vib(struct walk *w, void **kept, void *next, enum fold *how)
{
	struct depot_vib *a = *kept, *b = next;
	char x[32], y[32];
	const char *attr = NULL, *va = NULL, *vb = NULL;

	*how = FOLDED;
	if (a->acceptance != b->acceptance) {
		attr = "acceptance-level";
		va = dv_acceptance_name(a->acceptance);
		vb = dv_acceptance_name(b->acceptance);
	} else if (a->sha256 != NULL && b->sha256 != NULL &&
	    strcmp(a->sha256, b->sha256) != 0) {
		attr = "checksum";
		va = a->sha256;
		vb = b->sha256;
	} else if (a->has_packed_size && b->has_packed_size &&
	    a->packed_size != b->packed_size) {
		attr = "packed-size";
		snprintf(x, sizeof(x), "%llu",
		    (unsigned long long)a->packed_size);
		snprintf(y, sizeof(y), "%llu",
		    (unsigned long long)b->packed_size);
		va = x;
		vb = y;
	} else if (a->npayloads != b->npayloads) {
		attr = "payloads";
		va = vb = "";
	}
	if (attr != NULL)
		return dv_error_set(w->err, DV_EFORMAT,
		    "%s: cannot merge VIBs %s (%s, %s) with unequal %s "
		    "attributes: (%s, %s)", w->d->path, a->id,
		    a->source, b->source, attr, va, vb);
	if (time_cmp(&b->release_date, &a->release_date) > 0)
		*kept = b;
	return 0;
}

static int
bulletin_id_cmp(const void *a, const void *b)
{
	const struct depot_bulletin *x = *(const struct depot_bulletin *const *)a;
	const struct depot_bulletin *y = *(const struct depot_bulletin *const *)b;

	return strcmp(x->id, y->id);
}

static const char *
bulletin_name(const struct depot_bulletin *b)
{
	return b->comp_name != NULL && *b->comp_name != '\0' ? b->comp_name :
	    b->id;
}

static int
bulletin_name_cmp(const void *a, const void *b)
{
	const struct depot_bulletin *x = *(const struct depot_bulletin *const *)a;
	const struct depot_bulletin *y = *(const struct depot_bulletin *const *)b;
	int c = strcmp(bulletin_name(x), bulletin_name(y));

	if (c == 0 && x->comp_version != NULL && y->comp_version != NULL)
		c = dv_version_cmp(x->comp_version, y->comp_version);
	return c != 0 ? c : strcmp(x->id, y->id);
}

/* Bulletin.__add__: the newer releaseDate wins; equal dates must agree. */
static int
merge_bulletin(struct walk *w, void **kept, void *next, enum fold *how)
{
	struct depot_bulletin *a = *kept, *b = next;
	int c = time_cmp(&b->release_date, &a->release_date);

	*how = FOLDED;
	if (c > 0) {
		*kept = b;
	} else if (c == 0) {
		if (!str_eq(a->vendor, b->vendor) ||
		    !str_eq(a->summary, b->summary) ||
		    !str_eq(a->comp_name, b->comp_name) ||
		    !str_eq(a->comp_version, b->comp_version))
			return dv_error_set(w->err, DV_EFORMAT,
			    "%s: duplicate definitions of bulletin %s "
			    "(%s, %s) with unequal attributes",
			    w->d->path, a->id, a->source, b->source);
		if (!strlist_eq(&a->vib_ids, &b->vib_ids))
			return dv_error_set(w->err, DV_EFORMAT,
			    "%s: duplicate definitions of bulletin %s "
			    "(%s, %s) with unequal VIB lists",
			    w->d->path, a->id, a->source, b->source);
	}
	return 0;
}

static int
profile_id_cmp(const void *a, const void *b)
{
	const struct depot_profile *x = *(const struct depot_profile *const *)a;
	const struct depot_profile *y = *(const struct depot_profile *const *)b;

	/* Profiles without an id sort last and never merge. */
	if (x->profile_id == NULL || y->profile_id == NULL)
		return (x->profile_id == NULL) - (y->profile_id == NULL);
	return strcmp(x->profile_id, y->profile_id);
}

static int
profile_name_cmp(const void *a, const void *b)
{
	const struct depot_profile *x = *(const struct depot_profile *const *)a;
	const struct depot_profile *y = *(const struct depot_profile *const *)b;
	int c = strcmp(x->name, y->name);

	if (c == 0)
		c = strcmp(x->profile_id ? x->profile_id : "",
		    y->profile_id ? y->profile_id : "");
	return c;
}

/* ImageProfile.__add__: the higher serialno wins; equal ones must agree. */
static int
merge_profile(struct walk *w, void **kept, void *next, enum fold *how)
{
	struct depot_profile *a = *kept, *b = next;
	const char *attr;

	/* Two profiles without an id sort equal but never merge. */
	*how = a->profile_id == NULL ? KEPT_APART : FOLDED;
	if (*how == KEPT_APART)
		return 0;
	if (b->serialno != a->serialno) {
		if (b->serialno > a->serialno)
			*kept = b;
		return 0;
	}
	attr = !str_eq(a->name, b->name) ? "name" :
	    !str_eq(a->creator, b->creator) ? "creator" :
	    a->acceptance != b->acceptance ? "acceptancelevel" :
	    !strlist_eq(&a->vib_ids, &b->vib_ids) ? "viblist" : NULL;
	if (attr != NULL)
		return dv_error_set(w->err, DV_EFORMAT,
		    "%s: image profiles %s and %s (id %s) have unequal "
		    "values of the '%s' attribute", w->d->path,
		    a->source, b->source, a->profile_id, attr);
	return 0;
}

bool
depot_vendor_index_first(const struct depot *d, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(d->vendors[j].index_member,
		    d->vendors[i].index_member) == 0)
			return false;
	return true;
}

const struct depot_vib *
depot_find_vib(const struct depot *d, const char *id)
{
	size_t lo = 0, hi = d->nvibs, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(id, d->vibs_by_id[mid]->id);
		if (c == 0)
			return d->vibs_by_id[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* What vmware.xml says of each whole VIB file, beside the vibs/ records. */
static void
attach_legacy(struct walk *w)
{
	const struct depot_vib *found;
	struct depot_vib *lv, *v;

	for (size_t i = 0; i < w->legacy.n; i++) {
		lv = w->legacy.v[i];
		found = depot_find_vib(w->d, lv->id);
		if (found == NULL || !lv->has_packed_size)
			continue;
		v = (struct depot_vib *)found;
		v->has_legacy = true;
		v->legacy_packed_size = lv->packed_size;
		v->legacy_sha256 = lv->sha256;
	}
}

/* Note which VIBs each profile and bulletin names but the depot lacks. */
static void
check_references(struct walk *w)
{
	struct depot *d = w->d;
	struct depot_profile *p;
	struct depot_bulletin *b;
	struct sbuf list = SBUF_INIT(SBUF_NOCAP);
	size_t i, j, k;

	for (i = 0; i < d->nprofiles; i++) {
		p = d->profiles[i];
		p->missing_vib_ids.v = arena_alloc(&d->arena,
		    (p->vib_ids.n + 1) * sizeof(char *));
		sbuf_reset(&list);
		for (j = k = 0; j < p->vib_ids.n; j++) {
			if (depot_find_vib(d, p->vib_ids.v[j]) != NULL)
				continue;
			p->missing_vib_ids.v[k++] = p->vib_ids.v[j];
			if (k <= 5)
				sbuf_addf(&list, "%s%s", k > 1 ? ", " : "",
				    p->vib_ids.v[j]);
		}
		p->missing_vib_ids.n = k;
		if (k > 0)
			warn(w, "%s: %s: profile '%s' names %zu VIB%s not in "
			    "the depot: %s%s", d->path, p->source, p->name, k,
			    k > 1 ? "s" : "", list.buf, k > 5 ? ", ..." : "");
	}
	for (i = 0; i < d->nbulletins; i++) {
		b = d->bulletins[i];
		for (j = k = 0; j < b->vib_ids.n; j++)
			if (depot_find_vib(d, b->vib_ids.v[j]) == NULL)
				k++;
		if (k > 0)
			warn(w, "%s: %s: bulletin '%s' names %zu VIB%s not in "
			    "the depot", d->path, b->source, b->id, k,
			    k > 1 ? "s" : "");
	}
	sbuf_release(&list);
}

static void
add_inner(struct walk *w, enum depot_inner_kind kind, const char *name,
    size_t len)
{
	w->inner = xrealloc(w->inner, (w->ninner + 1) * sizeof(*w->inner));
	w->inner[w->ninner].kind = kind;
	w->inner[w->ninner].name = arena_strndup(&w->d->arena, name, len);
	w->ninner++;
}

/* Whether inner zip member i of the outer zip has index.xml at its root. */
static bool
inner_zip_is_depot(struct walk *w, size_t i)
{
	struct sbuf data = SBUF_INIT(DV_MAX_INNER_ZIP);
	struct dv_error ignored = DV_ERROR_INIT;
	struct zipfile *iz = NULL;
	bool yes = false;

	if (zipfile_read(w->zip, i, DV_MAX_INNER_ZIP, &data, &ignored) == 0 &&
	    zipfile_open_mem(data.buf, data.len, "inner", &iz, &ignored) == 0)
		yes = dv_zip_is_depot(iz);
	zipfile_close(iz);
	sbuf_release(&data);
	return yes;
}

/* "a, b and 3 more" for the inner items of one kind. */
static size_t
list_inner(const struct walk *w, bool (*want)(enum depot_inner_kind),
    struct sbuf *out)
{
	size_t i, n = 0;

	for (i = 0; i < w->ninner; i++) {
		if (!want(w->inner[i].kind))
			continue;
		if (n < 2)
			sbuf_addf(out, "%s%s", n ? ", " : "", w->inner[i].name);
		n++;
	}
	if (n > 2)
		sbuf_addf(out, " and %zu more", n - 2);
	return n;
}

static bool
is_depot_kind(enum depot_inner_kind k)
{
	return k == DEPOT_INNER_DEPOT || k == DEPOT_INNER_EXPANDED;
}

static bool
is_vib_kind(enum depot_inner_kind k)
{
	return k == DEPOT_INNER_VIB;
}

static bool
is_archive_kind(enum depot_inner_kind k)
{
	return k == DEPOT_INNER_ARCHIVE;
}

/* The name of file member i of the walk's zip, or NULL. */
static const char *
file_member(void *ctx, size_t i)
{
	struct dv_error ignored = DV_ERROR_INIT;
	struct walk *w = ctx;
	struct zip_entry e;

	if (zipfile_entry(w->zip, i, &e, &ignored) != 0 ||
	    e.kind != ZIP_ENTRY_FILE || e.name_has_nul)
		return NULL;
	return e.name;
}

/*
 * No index.xml at the top.  A vendor download that wraps a depot is the
 * usual reason (the fling zips, Mellanox and HPE packages), so say what is
 * inside instead of only "not a depot": depots first, since they are what
 * esxcli wants, then bare VIBs, then archives that may hold either.
 */
static int
probe_wrapper(struct walk *w)
{
	struct depot *d = w->d;
	struct sbuf list = SBUF_INIT(SBUF_NOCAP);
	struct zip_entry e;
	bool *depot = dv_depot_folders(file_member, w,
	    zipfile_count(w->zip));
	size_t i, n;
	int ret;

	for (i = 0; i < zipfile_count(w->zip); i++) {
		if ((ret = zipfile_entry(w->zip, i, &e, w->err)) != 0)
			goto out;
		if (e.kind != ZIP_ENTRY_FILE)
			continue;
		/* The same rule as the package walk's (names.c). */
		if (dv_has_suffix(e.name, "/index.xml")) {
			if (depot[i])
				add_inner(w, DEPOT_INNER_EXPANDED, e.name,
				    strlen(e.name) - strlen("index.xml"));
		} else if (dv_has_suffix(e.name, ".zip"))
			add_inner(w, inner_zip_is_depot(w, i) ?
			    DEPOT_INNER_DEPOT : DEPOT_INNER_ARCHIVE, e.name,
			    strlen(e.name));
		else if (dv_has_suffix(e.name, ".tar.gz") ||
		    dv_has_suffix(e.name, ".tgz") || dv_has_suffix(e.name, ".tar"))
			add_inner(w, DEPOT_INNER_ARCHIVE, e.name,
			    strlen(e.name));
		else if (dv_has_suffix(e.name, ".vib"))
			add_inner(w, DEPOT_INNER_VIB, e.name, strlen(e.name));
	}
	if ((n = list_inner(w, is_depot_kind, &list)) > 0)
		ret = dv_error_set(w->err, DV_EWRAPPER,
		    "%s: not a depot, but a package that holds the depot%s %s",
		    d->path, n > 1 ? "s" : "", list.buf);
	else if ((n = list_inner(w, is_vib_kind, &list)) > 0)
		ret = dv_error_set(w->err, DV_EWRAPPER,
		    "%s: not a depot (no index.xml at the top); it holds %zu "
		    "VIB%s: %s", d->path, n, n > 1 ? "s" : "", list.buf);
	else if ((n = list_inner(w, is_archive_kind, &list)) > 0)
		ret = dv_error_set(w->err, DV_EWRAPPER,
		    "%s: not a depot (no index.xml at the top); it holds the "
		    "archive%s %s", d->path, n > 1 ? "s" : "", list.buf);
	else
		ret = dv_error_set(w->err, DV_ENOTDEPOT,
		    "%s: no index.xml at the top: not an ESXi depot", d->path);
out:
	free(depot);
	sbuf_release(&list);
	return ret;
}

static int
depot_read(struct depot *d, struct dv_error *err)
{
	struct walk w = {0};
	size_t i;
	int ret;

	w.d = d;
	w.src = d->source;
	w.zip = source_zip(d->source);
	w.err = err;
	/* A zip without index.xml at its root: say what it holds. */
	if (w.zip != NULL && !dv_zip_is_depot(w.zip)) {
		ret = probe_wrapper(&w);
		goto out;
	}
	if ((ret = read_index(&w)) != 0)
		goto out;
	for (i = 0; i < d->nmetadata; i++)
		if ((ret = read_metadata_zip(&w, &d->metadata[i])) != 0)
			goto out;
	if ((ret = fold_equal_keys(&w, &w.vibs, vib_id_cmp,
	    merge_vib)) != 0 ||
	    (ret = fold_equal_keys(&w, &w.bulletins, bulletin_id_cmp,
	    merge_bulletin)) != 0 ||
	    (ret = fold_equal_keys(&w, &w.profiles, profile_id_cmp,
	    merge_profile)) != 0)
		goto out;
	d->nvibs = w.vibs.n;
	d->vibs = xmalloc((d->nvibs + 1) * sizeof(*d->vibs));
	d->vibs_by_id = xmalloc((d->nvibs + 1) * sizeof(*d->vibs));
	if (d->nvibs != 0) {
		memcpy(d->vibs_by_id, w.vibs.v, d->nvibs * sizeof(*d->vibs));
		memcpy(d->vibs, w.vibs.v, d->nvibs * sizeof(*d->vibs));
	}
	if (d->nvibs > 1)
		qsort(d->vibs, d->nvibs, sizeof(*d->vibs), vib_name_cmp);
	d->nbulletins = w.bulletins.n;
	d->bulletins = (struct depot_bulletin **)w.bulletins.v;
	w.bulletins.v = NULL;
	if (d->nbulletins > 1)
		qsort(d->bulletins, d->nbulletins, sizeof(*d->bulletins),
		    bulletin_name_cmp);
	d->nprofiles = w.profiles.n;
	d->profiles = (struct depot_profile **)w.profiles.v;
	w.profiles.v = NULL;
	if (d->nprofiles > 1)
		qsort(d->profiles, d->nprofiles, sizeof(*d->profiles),
		    profile_name_cmp);
	attach_legacy(&w);
	check_references(&w);
	ret = 0;
out:
	ptrvec_release(&w.legacy);
	ptrvec_release(&w.vibs);
	ptrvec_release(&w.bulletins);
	ptrvec_release(&w.profiles);
	free(w.inner);
	return ret;
}

/* On failure *out is NULL, and d is freed. */
static int
depot_finish_open(struct depot *d, struct depot **out, struct dv_error *err)
{
	int ret = depot_read(d, err);

	if (ret != 0) {
		depot_free(d);
		d = NULL;
	}
	*out = d;
	return ret;
}

int
depot_open_net(const char *where, const struct http_opts *net,
    struct depot **out, struct dv_error *err)
{
	return depot_open_flags(where, net, 0, out, err);
}

int
depot_open_flags(const char *where, const struct http_opts *net,
    unsigned flags, struct depot **out, struct dv_error *err)
{
	struct depot_source *src;
	struct depot *d;
	int ret;

	*out = NULL;
	if ((ret = source_open(where, net, &src, err)) != 0)
		return ret;
	d = xcalloc(1, sizeof(*d));
	d->source = src;
	d->open_flags = flags;
	d->path = arena_strdup(&d->arena, source_label(src));
	return depot_finish_open(d, out, err);
}

int
depot_open(const char *path, struct depot **out, struct dv_error *err)
{
	return depot_open_net(path, NULL, out, err);
}

int
depot_open_mem(const void *mem, size_t len, const char *label,
    struct depot **out, struct dv_error *err)
{
	struct depot_source *src;
	struct depot *d;
	int ret;

	*out = NULL;
	if ((ret = source_open_mem(mem, len, label, &src, err)) != 0)
		return ret;
	d = xcalloc(1, sizeof(*d));
	d->source = src;
	d->path = arena_strdup(&d->arena, label);
	d->mem = mem;
	d->memlen = len;
	return depot_finish_open(d, out, err);
}

int
depot_reopen(const struct depot *d, struct zipfile **out,
    struct dv_error *err)
{
	return source_reopen_zip(d->source, out, err);
}

void
depot_library_init(void)
{
	xml_library_init();
}

struct depot_vib_file {
	struct zipfile *zip;
	struct zipstream *zs;
	FILE *fp; /* a folder's file, or a URL's downloaded */
	struct byte_source src;
};

/* A VIB of an unpacked depot or an online one (downloaded, verified). */
static int
open_vib_file(const struct depot *d, const struct depot_vib *v,
    struct depot_vib_file *f, struct dv_error *err)
{
	struct sbuf named_by = SBUF_INIT(SBUF_NOCAP);
	int fd = -1, ret;

	if (v->member == NULL)
		return dv_error_set(err, DV_EMISSING, "%s: %s: the VIB file is "
		    "missing", d->path, v->id);
	sbuf_addf(&named_by, "%s: %s", d->path, v->source != NULL ?
	    v->source : v->id);
	ret = source_open_file(d->source, v->member, v->packed_size,
	    v->has_packed_size ? v->sha256 : NULL, named_by.buf, &fd, err);
	sbuf_release(&named_by);
	if (ret != 0)
		return ret;
	if ((f->fp = fdopen(fd, "rb")) == NULL) {
		close(fd);
		return dv_error_errno(err, DV_EIO, "%s: %s: cannot open",
		    d->path, v->member);
	}
	f->src = byte_source_of_file(f->fp);
	return 0;
}

static long
vib_file_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	return zipstream_read(ctx, buf, len, err);
}

int
depot_open_vib(const struct depot *d, const struct depot_vib *v,
    struct depot_vib_file **out, struct dv_error *err)
{
	struct depot_vib_file *f = xcalloc(1, sizeof(*f));
	long idx;
	int ret;

	*out = NULL;
	if (source_kind(d->source) != SOURCE_ZIP) {
		if ((ret = open_vib_file(d, v, f, err)) == 0) {
			*out = f;
			f = NULL;
		}
		goto out;
	}
	if ((ret = depot_reopen(d, &f->zip, err)) != 0)
		goto out;
	if (v->member == NULL || (idx = zipfile_find(f->zip, v->member)) < 0) {
		ret = dv_error_set(err, DV_EMISSING,
		    "%s: %s: the VIB file is missing", d->path,
		    v->member != NULL ? v->member : v->id);
		goto out;
	}
	if ((ret = zipstream_open(f->zip, (size_t)idx, &f->zs, err)) != 0)
		goto out;
	f->src.read = vib_file_read;
	f->src.ctx = f->zs;
	*out = f;
	f = NULL;
out:
	depot_vib_file_close(f);
	return ret;
}

const struct byte_source *
depot_vib_file_source(const struct depot_vib_file *f)
{
	return &f->src;
}

void
depot_vib_file_close(struct depot_vib_file *f)
{
	if (f == NULL)
		return;
	zipstream_close(f->zs);
	zipfile_close(f->zip);
	if (f->fp != NULL)
		fclose(f->fp);
	free(f);
}

void
depot_free(struct depot *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->nmetadata; i++)
		free(d->metadata[i].platforms.v);
	free(d->metadata);
	free(d->vendors);
	free(d->vibs);
	free(d->vibs_by_id);
	free(d->bulletins);
	free(d->profiles);
	dv_diags_release(&d->warnings);
	source_close(d->source);
	arena_release(&d->arena);
	free(d);
}

enum dv_acceptance
depot_bulletin_acceptance(const struct depot *d,
    const struct depot_bulletin *b)
{
	enum dv_acceptance lowest = DV_ACCEPT_UNKNOWN;

	for (size_t i = 0; i < b->vib_ids.n; i++) {
		const struct depot_vib *v = depot_find_vib(d, b->vib_ids.v[i]);

		if (v == NULL || v->acceptance == DV_ACCEPT_UNKNOWN)
			return DV_ACCEPT_UNKNOWN;
		if (i == 0 || v->acceptance < lowest)
			lowest = v->acceptance;
	}
	return lowest;
}

int
depot_find_profile(const struct depot *d, const char *name,
    const struct depot_profile **out, struct dv_error *err)
{
	const struct depot_profile *found = NULL;
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < d->nprofiles; i++) {
		if (strcmp(d->profiles[i]->name, name) == 0) {
			found = d->profiles[i];
			n++;
		}
	}
	if (n == 0) {
		const char *near = NULL;
		const char **names = xcalloc(d->nprofiles + 1, sizeof(*names));

		for (size_t i = 0; i < d->nprofiles; i++)
			names[i] = d->profiles[i]->name;
		near = dv_suggest(name, names, d->nprofiles);
		free(names);
		if (near != NULL)
			return dv_error_set(err, DV_ENOMATCH, "%s: no image "
			    "profile found with name '%s'; did you mean '%s'?",
			    d->path, name, near);
		return dv_error_set(err, DV_ENOMATCH,
		    "%s: no image profile found with name '%s'", d->path, name);
	}
	if (n > 1)
		return dv_error_set(err, DV_EAMBIGUOUS,
		    "%s: more than one image profile found with name '%s'",
		    d->path, name);
	*out = found;
	return 0;
}

bool
depot_profile_stateless_ready(const struct depot *d,
    const struct depot_profile *p)
{
	const struct depot_vib *v;

	for (size_t i = 0; i < p->vib_ids.n; i++) {
		v = depot_find_vib(d, p->vib_ids.v[i]);
		if (v == NULL || !v->stateless_ready)
			return false;
	}
	return true;
}

const char *
depot_kind_name(const struct depot *d)
{
	if (d->nprofiles > 0)
		return "patch depot with image profiles";
	for (size_t i = 0; i < d->nbulletins; i++)
		if (d->bulletins[i]->comp_name != NULL)
			return "component depot";
	return "offline bundle";
}
