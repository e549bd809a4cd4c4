/* subset.c - one image's metadata documents, out of a depot's. */
/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What fetch writes for one profile and mirror --profile keeps of each
 * metadata zip: the documents themselves, byte for byte, never rebuilt
 * from the model, so whatever we do not parse (7+ elements, vendors'
 * extras) reaches esxcli as the depot had it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depot_int.h"
#include "json.h"
#include "smap.h"
#include "source.h"
#include "subset.h"

/* A metadata zip read once, kept open while the subset is made. */
struct open_md {
	const struct depot *d;
	const char *member;
	struct sbuf bytes;
	struct zipfile *zf;
};

struct subset {
	const struct subset_in *in;
	struct subset_report *r;
	struct dv_error *err;
	struct open_md *mds;
	size_t nmds;
	struct ptrvec docs;  /* struct sbuf *: bytes the writer borrows */
	struct ptrvec names; /* char *: members added */
	struct ptrvec kept;  /* const struct depot_bulletin *: kept */
	/* Looked up once per bulletin or VIB of every depot in scope: a
	 * map each, so the cost stays linear in the metadata. */
	struct smap vib_ids; /* the kept VIBs' ids */
	struct smap named;   /* bulletin ids the kept profiles list */
	struct zipwriter *w;
};

const struct depot_metadata *
metadata_of_record(const struct depot *d, const char *source,
    const char **doc)
{
	size_t n;

	*doc = NULL;
	for (size_t i = 0; source != NULL && i < d->nmetadata; i++) {
		n = strlen(d->metadata[i].member);
		if (strncmp(source, d->metadata[i].member, n) == 0 &&
		    strncmp(source + n, ": ", 2) == 0) {
			*doc = source + n + 2;
			return &d->metadata[i];
		}
	}
	return NULL;
}

/* Whether a record of d from source is one this subset takes from. */
static bool
in_scope(const struct subset *s, const struct depot *d, const char *source)
{
	const struct depot_metadata *md;
	const char *doc;

	if (s->in->metadata == NULL)
		return true;
	md = metadata_of_record(d, source, &doc);
	return d == s->in->depots[0] && md != NULL &&
	    strcmp(md->member, s->in->metadata) == 0;
}

static int
open_md(struct subset *s, const struct depot *d, const char *member,
    struct zipfile **out)
{
	struct open_md *m;
	int ret;

	for (size_t i = 0; i < s->nmds; i++)
		if (s->mds[i].d == d && strcmp(s->mds[i].member, member) == 0) {
			*out = s->mds[i].zf;
			return 0;
		}
	s->mds = xrealloc(s->mds, (s->nmds + 1) * sizeof(*s->mds));
	m = &s->mds[s->nmds++];
	m->d = d;
	m->member = member;
	sbuf_init(&m->bytes, DV_MAX_METADATA_ZIP);
	m->zf = NULL;
	if ((ret = source_read(d->source, member, "the vendor index",
	    DV_MAX_METADATA_ZIP, &m->bytes, s->err)) != 0 ||
	    (ret = zipfile_open_mem(m->bytes.buf, m->bytes.len, member,
	    &m->zf, s->err)) != 0)
		return ret;
	*out = m->zf;
	return 0;
}

/* Member name of the metadata zip md of d, read into a new buffer. */
static int
read_member(struct subset *s, const struct depot *d, const char *md,
    const char *name, struct sbuf **out)
{
	struct sbuf *doc = xmalloc(sizeof(*doc));
	struct zipfile *zf;
	long i;
	int ret;

	sbuf_init(doc, DV_MAX_XML_BYTES);
	*out = NULL;
	if ((ret = open_md(s, d, md, &zf)) != 0)
		goto out;
	if ((i = zipfile_find(zf, name)) < 0) {
		ret = dv_error_set(s->err, DV_EMISSING, "%s: %s: %s: missing",
		    d->path, md, name);
		goto out;
	}
	if ((ret = zipfile_read(zf, (size_t)i, DV_MAX_XML_BYTES, doc,
	    s->err)) != 0)
		goto out;
	ptrvec_push(&s->docs, doc);
	*out = doc;
	doc = NULL;
out:
	if (doc != NULL) {
		sbuf_release(doc);
		free(doc);
	}
	return ret;
}

/* Add a document under dir/, its own name kept unless taken already. */
static int
add_doc(struct subset *s, const char *dir, const char *name,
    const struct sbuf *doc)
{
	struct sbuf member = SBUF_INIT(SBUF_NOCAP);
	const char *base = strrchr(name, '/');
	size_t tries = 0;
	bool taken;
	int ret;

	base = base != NULL ? base + 1 : name;
	do {
		sbuf_reset(&member);
		if (tries == 0)
			sbuf_addf(&member, "%s%s%s", dir, *dir ? "/" : "",
			    base);
		else
			sbuf_addf(&member, "%s%s%zu-%s", dir, *dir ? "/" : "",
			    tries, base);
		taken = false;
		for (size_t i = 0; i < s->names.n && !taken; i++)
			taken = strcmp(s->names.v[i], member.buf) == 0;
		tries++;
	} while (taken);
	ptrvec_push(&s->names, xstrdup(member.buf));
	ret = zipwriter_add_mem(s->w, member.buf, doc->buf, doc->len, -1,
	    s->err);
	sbuf_release(&member);
	return ret;
}

/* Copy the document a record's source names, under dir/. */
static int
copy_record(struct subset *s, const struct depot *d, const char *source,
    const char *dir)
{
	const char *doc;
	const struct depot_metadata *md = metadata_of_record(d, source, &doc);
	struct sbuf *bytes;
	int ret;

	if (md == NULL)
		return dv_error_set(s->err, DV_EFORMAT, "%s: %s: where this "
		    "record came from is not known", d->path,
		    source != NULL ? source : "?");
	if ((ret = read_member(s, d, md->member, doc, &bytes)) != 0)
		return ret;
	return add_doc(s, dir, doc, bytes);
}

/* Named as VMware's writer names them, "NAME-N.xml" (N: any number). */
static int
add_legacy_doc(struct subset *s, const struct depot_vib *v,
    const struct sbuf *doc)
{
	struct sbuf name = SBUF_INIT(SBUF_NOCAP);
	int ret;

	sbuf_addf(&name, "%s-0.xml", v->name);
	ret = add_doc(s, "vibs", name.buf, doc);
	sbuf_release(&name);
	return ret;
}

static int
add_vibs(struct subset *s)
{
	const struct depot_vib *v;
	const struct depot *d;
	const char *doc;
	struct sbuf *bytes;
	int ret;

	for (size_t i = 0; i < s->in->nvibs; i++) {
		v = s->in->vibs[i];
		for (size_t k = 0; k < s->in->ndepots; k++) {
			d = s->in->depots[k];
			if (depot_find_vib(d, v->id) != v || !in_scope(s, d,
			    v->source))
				continue;
			if (metadata_of_record(d, v->source, &doc) == NULL ||
			    strcmp(doc, "vmware.xml") != 0) {
				if ((ret = copy_record(s, d, v->source,
				    "vibs")) != 0)
					return ret;
				break;
			}
			/* The mirror's trimmed vmware.xml describes it. */
			if (s->in->vmware_xml != NULL)
				break;
			/* Only vmware.xml describes it: esxcli needs vibs/. */
			if (s->in->legacy_doc == NULL)
				return dv_error_set(s->err, DV_EFORMAT, "%s: %s: "
				    "VIB %s is described only in vmware.xml",
				    d->path, v->source, v->id);
			bytes = xmalloc(sizeof(*bytes));
			sbuf_init(bytes, DV_MAX_XML_BYTES);
			ptrvec_push(&s->docs, bytes);
			if ((ret = s->in->legacy_doc(s->in->ctx, v, bytes,
			    s->err)) != 0 ||
			    (ret = add_legacy_doc(s, v, bytes)) != 0)
				return ret;
			break;
		}
	}
	return 0;
}

/* Components a kept profile lists, or whose VIBs are all kept. */
static int
add_bulletins(struct subset *s)
{
	const struct depot_bulletin *b;
	const struct depot *d;
	const char *doc;
	bool all, named;
	int ret;

	for (size_t k = 0; k < s->in->ndepots; k++) {
		d = s->in->depots[k];
		for (size_t i = 0; i < d->nbulletins; i++) {
			b = d->bulletins[i];
			if (!in_scope(s, d, b->source))
				continue;
			all = b->vib_ids.n > 0;
			for (size_t j = 0; j < b->vib_ids.n && all; j++)
				all = smap_get(&s->vib_ids, b->vib_ids.v[j]) !=
				    NULL;
			named = smap_get(&s->named, b->id) != NULL;
			if (!all && !named)
				continue;
			/* vmware.xml's bulletins: the aggregate is left out. */
			if (metadata_of_record(d, b->source, &doc) == NULL ||
			    strcmp(doc, "vmware.xml") == 0)
				continue;
			if ((ret = copy_record(s, d, b->source,
			    "bulletins")) != 0)
				return ret;
			ptrvec_push(&s->kept, (void *)b);
			s->r->bulletins++;
		}
	}
	return 0;
}

/* json "components": {name: version}, each one a kept component. */
static int
component_kept(void *ctx, const char *name, const struct dv_json_value *val)
{
	const struct subset *s = ctx;
	const char *version = dv_json_str(val);
	const struct depot_bulletin *b;

	for (size_t i = 0; version != NULL && i < s->kept.n; i++) {
		b = s->kept.v[i];
		if (b->comp_name != NULL && b->comp_version != NULL &&
		    strcmp(b->comp_name, name) == 0 &&
		    strcmp(b->comp_version, version) == 0)
			return 0;
	}
	return 1;
}

static int
count_member(void *ctx, const char *name, const struct dv_json_value *val)
{
	(void)name;
	(void)val;
	(*(size_t *)ctx)++;
	return 0;
}

/* Whether a release unit's JSON names components, all of them kept. */
static bool
release_kept(struct subset *s, const struct sbuf *doc, const char *what)
{
	struct dv_error ignored = DV_ERROR_INIT;
	struct dv_json_value *root = NULL;
	const struct dv_json_value *comps;
	size_t n = 0;
	bool kept;

	/* An unreadable one describes nothing we can vouch for. */
	if (dv_json_parse(doc->buf, doc->len, what, &root, &ignored) != 0)
		return false;
	comps = dv_json_get(root, "components");
	(void)dv_json_each(comps, count_member, &n);
	kept = n > 0 && dv_json_each(comps, component_kept, s) == 0;
	dv_json_free(root);
	return kept;
}

/*
 * Base images, add-ons, manifests and solutions (ESXi 7+): files directly
 * under those folders of each metadata zip in scope, kept when every
 * component they name is kept, so the image they describe is whole.
 */
static int
add_releases(struct subset *s)
{
	static const char *const dirs[] = {"baseimages", "addons",
	    "manifests", "solutions"};
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	const struct depot *d;
	struct zip_entry e;
	struct zipfile *zf;
	struct sbuf *doc;
	const char *slash;
	size_t n;
	int ret = 0;

	for (size_t k = 0; k < s->in->ndepots; k++) {
		d = s->in->depots[k];
		for (size_t m = 0; m < d->nmetadata; m++) {
			if (s->in->metadata != NULL && (k > 0 || strcmp(
			    d->metadata[m].member, s->in->metadata) != 0))
				continue;
			if (d->metadata[m].baseimages + d->metadata[m].addons +
			    d->metadata[m].manifests +
			    d->metadata[m].solutions == 0)
				continue;
			if ((ret = open_md(s, d, d->metadata[m].member,
			    &zf)) != 0)
				goto out;
			for (size_t i = 0; i < zipfile_count(zf); i++) {
				if ((ret = zipfile_entry(zf, i, &e,
				    s->err)) != 0)
					goto out;
				slash = strchr(e.name, '/');
				if (e.kind != ZIP_ENTRY_FILE || slash == NULL ||
				    strchr(slash + 1, '/') != NULL ||
				    slash[1] == '\0')
					continue;
				n = (size_t)(slash - e.name);
				for (size_t j = 0; j < 4; j++) {
					if (strlen(dirs[j]) != n ||
					    strncmp(e.name, dirs[j], n) != 0)
						continue;
					if ((ret = read_member(s, d,
					    d->metadata[m].member, e.name,
					    &doc)) != 0)
						goto out;
					sbuf_reset(&what);
					sbuf_addf(&what, "%s: %s: %s", d->path,
					    d->metadata[m].member, e.name);
					if (!release_kept(s, doc, what.buf))
						continue;
					if ((ret = add_doc(s, dirs[j], e.name,
					    doc)) != 0)
						goto out;
					s->r->releases++;
				}
			}
		}
	}
out:
	sbuf_release(&what);
	return ret;
}

/* A byte span of a document: [start, end). */
struct span {
	size_t start, end;
};

/* Append a span to *v (*n of them), growing it by doubling. */
static void
push_span(struct span **v, size_t *n, size_t start, size_t end)
{
	/* A power of two exactly when full: grow to twice as many. */
	if (*n == 0 || (*n & (*n - 1)) == 0)
		*v = xrealloc(*v, (*n == 0 ? 1 : 2 * *n) * sizeof(**v));
	(*v)[(*n)++] = (struct span){start, end};
}

/* Position of the first s at or after i in p[0..len), or len. */
static size_t
find_str(const char *p, size_t len, size_t i, const char *s)
{
	size_t n = strlen(s);

	for (; i + n <= len; i++)
		if (memcmp(p + i, s, n) == 0)
			return i;
	return len;
}

static bool
is_blank(const char *p, size_t from, size_t to)
{
	for (; from < to; from++)
		if (p[from] != ' ' && p[from] != '\t' && p[from] != '\r' &&
		    p[from] != '\n')
			return false;
	return true;
}

/*
 * The spans of the root element's <bulletin> children in a document
 * xml_parse accepted, each with the blank text before it (so cutting one
 * leaves the others' lines as they were).  Comments, CDATA, processing
 * instructions and quoted attribute values are skipped, not searched.
 * False when the bytes do not scan as ASCII-compatible markup (UTF-16):
 * the caller then refuses rather than guess.
 */
static bool
bulletin_spans(const char *p, size_t len, struct span **out, size_t *n)
{
	static const struct {
		const char *open, *close;
	} skipped[] = {
		{"<!--", "-->"}, {"<![CDATA[", "]]>"}, {"<?", "?>"}, {"<!", ">"},
	};
	size_t i = 0, after = 0, depth = 0, open_at = 0, e, name, k;
	bool in_bulletin = false, self;
	char quote;

	*out = NULL;
	*n = 0;
	while ((i = find_str(p, len, i, "<")) < len) {
		for (k = 0; k < sizeof(skipped) / sizeof(skipped[0]); k++)
			if (strncmp(p + i, skipped[k].open,
			    strlen(skipped[k].open)) == 0)
				break;
		if (k < sizeof(skipped) / sizeof(skipped[0])) {
			e = find_str(p, len, i + strlen(skipped[k].open),
			    skipped[k].close);
			if (e == len)
				return false;
			i = after = e + strlen(skipped[k].close);
			continue;
		}
		if (i + 1 < len && p[i + 1] == '/') {
			if ((e = find_str(p, len, i, ">")) == len || depth == 0)
				return false;
			depth--;
			if (in_bulletin && depth == 1) {
				push_span(out, n, open_at, e + 1);
				in_bulletin = false;
			}
			i = after = e + 1;
			continue;
		}
		/* A start tag: its name, then '>' outside quoted values. */
		for (name = i + 1; name < len && strchr(" \t\r\n/>",
		    p[name]) == NULL; name++)
			;
		quote = 0;
		for (e = name; e < len && (quote != 0 || p[e] != '>'); e++)
			if (quote == 0 && (p[e] == '"' || p[e] == '\''))
				quote = p[e];
			else if (quote != 0 && p[e] == quote)
				quote = 0;
		if (e == len)
			return false;
		self = p[e - 1] == '/';
		if (depth == 1 && name - i - 1 == 8 &&
		    memcmp(p + i + 1, "bulletin", 8) == 0) {
			open_at = is_blank(p, after, i) ? after : i;
			if (self)
				push_span(out, n, open_at, e + 1);
			else
				in_bulletin = true;
		}
		if (!self)
			depth++;
		i = after = e + 1;
	}
	return depth == 0;
}

/* vmware.xml's <bulletin> b holds a VIB in wanted, or has one. */
static bool
holds_wanted(const struct xnode *b, const struct smap *wanted)
{
	const struct xnode *vl = xnode_child(b, "vibList");
	const char *id;

	for (const struct xnode *v = vl ? vl->children : NULL; v != NULL;
	    v = v->next)
		if (strcmp(v->name, "vib") == 0 &&
		    (id = xnode_child_text(v, "vibID")) != NULL &&
		    smap_get(wanted, id) != NULL)
			return true;
	return false;
}

static size_t
count_bulletins(const struct xnode *root)
{
	size_t n = 0;

	for (const struct xnode *b = root->children; b != NULL; b = b->next)
		n += strcmp(b->name, "bulletin") == 0;
	return n;
}

/* One message for both checks: the second only guards the first. */
static int
cannot_cut(const char *what, struct dv_error *err)
{
	return dv_error_set(err, DV_EFORMAT, "%s: its bulletins cannot be cut "
	    "out byte for byte (not UTF-8 markup?); mirror this depot "
	    "without --profile", what);
}

int
vmware_xml_trim(const struct depot *d, const char *member,
    const struct smap *named, const struct smap *wanted, struct sbuf *out,
    struct ptrvec *more, struct dv_error *err)
{
	struct sbuf zip = SBUF_INIT(DV_MAX_METADATA_ZIP);
	struct sbuf doc = SBUF_INIT(DV_MAX_XML_BYTES);
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	struct xdoc x = {0}, y = {0};
	struct zipfile *zf = NULL;
	struct span *spans = NULL;
	struct ptrvec kept = PTRVEC_INIT; /* const char *: ids, in order */
	const struct xnode *b, *vl;
	const char *id;
	size_t n = 0, k = 0, from = 0, at;
	bool keep;
	long i;
	int ret;

	sbuf_addf(&what, "%s: %s: vmware.xml", d->path, member);
	if ((ret = source_read(d->source, member, "the vendor index",
	    DV_MAX_METADATA_ZIP, &zip, err)) != 0 ||
	    (ret = zipfile_open_mem(zip.buf, zip.len, member, &zf, err)) != 0)
		goto out;
	if ((i = zipfile_find(zf, "vmware.xml")) < 0) {
		ret = dv_error_set(err, DV_EMISSING, "%s: missing", what.buf);
		goto out;
	}
	if ((ret = zipfile_read(zf, (size_t)i, DV_MAX_XML_BYTES, &doc,
	    err)) != 0 ||
	    (ret = xml_parse(doc.buf, doc.len, what.buf, &x, err)) != 0)
		goto out;
	if (!bulletin_spans(doc.buf, doc.len, &spans, &n) ||
	    n != count_bulletins(x.root)) {
		ret = cannot_cut(what.buf, err);
		goto out;
	}
	/* n bulletins and n spans, checked above: the k-th is the k-th. */
	for (b = x.root->children; b != NULL && k < n; b = b->next) {
		if (strcmp(b->name, "bulletin") != 0)
			continue;
		id = xnode_child_text(b, "id");
		keep = (id != NULL && smap_get(named, id) != NULL) ||
		    holds_wanted(b, wanted);
		if (keep) {
			ptrvec_push(&kept, (void *)(id != NULL ? id : ""));
			vl = xnode_child(b, "vibList");
			for (const struct xnode *v = vl ? vl->children : NULL;
			    v != NULL; v = v->next)
				if (strcmp(v->name, "vib") == 0 &&
				    xnode_child_text(v, "vibID") != NULL)
					ptrvec_push(more, xstrdup(
					    xnode_child_text(v, "vibID")));
		} else {
			at = spans[k].start;
			sbuf_add(out, doc.buf + from, at - from);
			from = spans[k].end;
		}
		k++;
	}
	sbuf_add(out, doc.buf + from, doc.len - from);
	/* What was cut must be exactly the bulletins dropped. */
	if ((ret = xml_parse(out->buf, out->len, what.buf, &y, err)) != 0)
		goto out;
	k = 0;
	for (b = y.root->children; b != NULL; b = b->next) {
		if (strcmp(b->name, "bulletin") != 0)
			continue;
		id = xnode_child_text(b, "id");
		if (k >= kept.n || strcmp(id != NULL ? id : "",
		    kept.v[k]) != 0)
			break;
		k++;
	}
	if (b != NULL || k != kept.n) {
		ret = cannot_cut(what.buf, err);
		goto out;
	}
out:
	if (ret != 0)
		sbuf_reset(out);
	zipfile_close(zf);
	xdoc_release(&x);
	xdoc_release(&y);
	free(spans);
	ptrvec_release(&kept);
	sbuf_release(&zip);
	sbuf_release(&doc);
	sbuf_release(&what);
	return ret;
}

static bool
has_profile(const struct depot *d, const struct depot_profile *p)
{
	for (size_t i = 0; i < d->nprofiles; i++)
		if (d->profiles[i] == p)
			return true;
	return false;
}

int
metadata_subset(const struct subset_in *in, struct sbuf *out,
    struct subset_report *r, struct dv_error *err)
{
	struct subset s;
	struct sbuf *vi;
	int ret;

	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(*r));
	s.in = in;
	s.r = r;
	s.err = err;
	for (size_t i = 0; i < in->nvibs; i++)
		smap_put(&s.vib_ids, in->vibs[i]->id, (void *)in->vibs[i]);
	for (size_t i = 0; i < in->nprofiles; i++)
		for (size_t k = 0; k < in->profiles[i]->bulletin_ids.n; k++)
			smap_put(&s.named, in->profiles[i]->bulletin_ids.v[k],
			    (void *)in->profiles[i]);
	if ((ret = zipwriter_open(NULL, in->metadata != NULL ? in->metadata :
	    "metadata.zip", &s.w, err)) != 0)
		goto out;
	/* A mirror's zip keeps its copy of the vendor index, as VMware's. */
	if (in->metadata != NULL) {
		struct zipfile *zf;
		if ((ret = open_md(&s, in->depots[0], in->metadata, &zf)) != 0)
			goto out;
		if (zipfile_find(zf, "vendor-index.xml") >= 0 &&
		    ((ret = read_member(&s, in->depots[0], in->metadata,
		    "vendor-index.xml", &vi)) != 0 ||
		    (ret = add_doc(&s, "", "vendor-index.xml", vi)) != 0))
			goto out;
	}
	if (in->vmware_xml != NULL &&
	    (ret = add_doc(&s, "", "vmware.xml", in->vmware_xml)) != 0)
		goto out;
	for (size_t i = 0; i < in->nprofiles; i++) {
		for (size_t k = 0; k < in->ndepots; k++) {
			const struct depot *d = in->depots[k];
			if (!has_profile(d, in->profiles[i]) ||
			    !in_scope(&s, d, in->profiles[i]->source))
				continue;
			if ((ret = copy_record(&s, d, in->profiles[i]->source,
			    "profiles")) != 0)
				goto out;
			break;
		}
	}
	if ((ret = add_vibs(&s)) != 0 || (ret = add_bulletins(&s)) != 0 ||
	    (ret = add_releases(&s)) != 0)
		goto out;
	ret = zipwriter_close(s.w, out, DV_MAX_METADATA_ZIP, err);
	s.w = NULL;
out:
	zipwriter_discard(s.w);
	for (size_t i = 0; i < s.nmds; i++) {
		zipfile_close(s.mds[i].zf);
		sbuf_release(&s.mds[i].bytes);
	}
	free(s.mds);
	for (size_t i = 0; i < s.docs.n; i++) {
		sbuf_release(s.docs.v[i]);
		free(s.docs.v[i]);
	}
	ptrvec_release(&s.docs);
	for (size_t i = 0; i < s.names.n; i++)
		free(s.names.v[i]);
	ptrvec_release(&s.names);
	ptrvec_release(&s.kept);
	smap_release(&s.vib_ids);
	smap_release(&s.named);
	return ret;
}
