/* mirror.c - keep a local copy of an online depot, and check one offline. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "depot_int.h"
#include "mirror.h"
#include "outdir.h"
#include "source.h"
#include "subset.h"

#define READ_BUF (256u << 10)
#define PARTIAL_DIR ".esxstage-partial"

/* Whether the file at path has size bytes and this SHA-256. */
static bool
file_matches(const char *path, uint64_t size, const char *sha,
    char hex[HASH_HEX_MAX])
{
	struct stat st;
	struct hash *h;
	char *buf;
	ssize_t n;
	int fd;

	hex[0] = '\0';
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != size) {
		close(fd);
		return false;
	}
	h = hash_new(HASH_SHA256);
	buf = xmalloc(READ_BUF);
	while ((n = read(fd, buf, READ_BUF)) > 0)
		hash_update(h, buf, (size_t)n);
	close(fd);
	free(buf);
	hash_final_hex(h, hex);
	hash_free(h);
	return n == 0 && sha != NULL && strcmp(hex, sha) == 0;
}

/* Make the folders of member under top; a symbolic link is refused. */
static int
make_parents(const char *top, const char *member, struct dv_error *err)
{
	struct sbuf p = SBUF_INIT(SBUF_NOCAP);
	struct stat st;
	const char *s;
	int ret = 0;

	for (s = strchr(member, '/'); s != NULL; s = strchr(s + 1, '/')) {
		sbuf_reset(&p);
		sbuf_addf(&p, "%s/%.*s", top, (int)(s - member), member);
		if (lstat(p.buf, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				ret = dv_error_set(err, DV_EPATH, "%s: not a "
				    "folder (a symbolic link is not followed)",
				    p.buf);
				break;
			}
			continue;
		}
		if (mkdir(p.buf, 0755) != 0 && errno != EEXIST) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot make",
			    p.buf);
			break;
		}
	}
	sbuf_release(&p);
	return ret;
}

/* Write data as top/member: a temporary file, fsync'd, then renamed. */
static int
write_file(const char *top, const char *member, const void *data,
    size_t len, struct dv_error *err)
{
	struct sbuf tmp = SBUF_INIT(SBUF_NOCAP), dst = SBUF_INIT(SBUF_NOCAP);
	int fd = -1, ret;

	if ((ret = make_parents(top, member, err)) != 0)
		goto out;
	sbuf_addf(&tmp, "%s/" PARTIAL_DIR "/index-XXXXXX", top);
	sbuf_addf(&dst, "%s/%s", top, member);
	if ((fd = mkstemp(tmp.buf)) < 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot make", tmp.buf);
		goto out;
	}
	if ((ret = fd_write_all(fd, data, len, tmp.buf, err)) != 0)
		goto out;
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot write", tmp.buf);
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp.buf, dst.buf) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot rename to %s",
		    tmp.buf, dst.buf);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret != 0 && tmp.len > 0)
		(void)unlink(tmp.buf);
	sbuf_release(&tmp);
	sbuf_release(&dst);
	return ret;
}

static bool
version_wanted(const struct mirror_opts *o, const struct depot_metadata *md)
{
	size_t i, j, n;

	if (o->nversions == 0)
		return true;
	for (i = 0; i < md->platforms.n; i++) {
		for (j = 0; j < o->nversions; j++) {
			n = strlen(o->versions[j]);
			if (strncmp(md->platforms.v[i].version, o->versions[j],
			    n) == 0 && (md->platforms.v[i].version[n] == '\0' ||
			    md->platforms.v[i].version[n] == '.'))
				return true;
		}
	}
	return false;
}

/* Index of the metadata zip a record's source ("MZ: doc") names, or -1. */
static long
metadata_index(const struct depot *d, const char *source)
{
	const char *doc;
	const struct depot_metadata *md = metadata_of_record(d, source, &doc);

	return md == NULL ? -1 : (long)(md - d->metadata);
}

/* Position of v in d->vibs_by_id. */
static size_t
vib_index(const struct depot *d, const struct depot_vib *v)
{
	size_t lo = 0, hi = d->nvibs, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(v->id, d->vibs_by_id[mid]->id);
		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return d->nvibs;
}

static void
xml_elem(struct sbuf *sb, const char *tag, const char *text)
{
	sbuf_addf(sb, "    <%s>", tag);
	for (; text != NULL && *text != '\0'; text++) {
		if (*text == '<')
			sbuf_adds(sb, "&lt;");
		else if (*text == '>')
			sbuf_adds(sb, "&gt;");
		else if (*text == '&')
			sbuf_adds(sb, "&amp;");
		else
			sbuf_addch(sb, *text);
	}
	sbuf_addf(sb, "</%s>\n", tag);
}

/*
 * A vendor index with only the <metadata> entries whose zips are kept
 * (with --version); out is the document to write.
 */
static int
filter_vendor_index(struct depot *d, const char *member, const bool *keep,
    const struct sbuf *raw, struct sbuf *out, struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP), what = SBUF_INIT(SBUF_NOCAP);
	struct xdoc doc = {0};
	const struct xnode *m, *c;
	size_t i;
	int ret;

	sbuf_addf(&what, "%s: %s", d->path, member);
	if ((ret = xml_parse(raw->buf, raw->len, what.buf, &doc, err)) != 0)
		goto out;
	sbuf_adds(out, "<metaList>\n");
	for (m = doc.root->children; m != NULL; m = m->next) {
		const char *url = xnode_child_text(m, "url");
		if (strcmp(m->name, "metadata") != 0 || url == NULL ||
		    dv_path_join(member, url, &path) != 0)
			continue;
		for (i = 0; i < d->nmetadata; i++)
			if (strcmp(d->metadata[i].member, path.buf) == 0)
				break;
		if (i == d->nmetadata || !keep[i])
			continue;
		sbuf_adds(out, "  <metadata>\n");
		xml_elem(out, "productId", xnode_child_text(m, "productId"));
		xml_elem(out, "version", xnode_child_text(m, "version"));
		xml_elem(out, "locale", xnode_child_text(m, "locale"));
		xml_elem(out, "url", url);
		for (c = m->children; c != NULL; c = c->next)
			if (strcmp(c->name, "channelName") == 0)
				xml_elem(out, "channelName", c->text);
		sbuf_adds(out, "  </metadata>\n");
	}
	sbuf_adds(out, "</metaList>\n");
out:
	xdoc_release(&doc);
	sbuf_release(&path);
	sbuf_release(&what);
	return ret;
}

/*
 * With --profile, metadata zip i rewritten to hold only the kept
 * profiles, their VIBs' documents, and the components, base images and
 * add-ons wholly inside them, so esxcli pointed at the mirror offers
 * only what is there.  A zip left with nothing is not kept.  A zip whose
 * VIBs only vmware.xml describes keeps that document as legacy_plan cut
 * it (vmware_xml).
 */
static int
subset_zip(struct depot *d, const struct mirror_opts *o, size_t i,
    const bool *want, const struct sbuf *vmware_xml, bool *keep,
    struct mirror_report *r, struct sbuf *out, struct dv_error *err)
{
	const struct depot_metadata *md = &d->metadata[i];
	const struct depot_profile **profiles = xcalloc(d->nprofiles + 1,
	    sizeof(*profiles));
	const struct depot_vib **vibs = xcalloc(d->nvibs + 1, sizeof(*vibs));
	struct subset_report sr;
	struct subset_in in;
	size_t np = 0, nv = 0;
	long mi;
	int ret = 0;

	for (size_t k = 0; k < d->nprofiles; k++) {
		mi = metadata_index(d, d->profiles[k]->source);
		for (size_t j = 0; mi == (long)i && j < o->nprofiles; j++) {
			if (fnmatch(o->profiles[j], d->profiles[k]->name,
			    0) == 0) {
				profiles[np++] = d->profiles[k];
				break;
			}
		}
	}
	for (size_t k = 0; k < d->nvibs; k++)
		if (want[k] && metadata_index(d, d->vibs_by_id[k]->source) ==
		    (long)i)
			vibs[nv++] = d->vibs_by_id[k];
	if (np == 0 && nv == 0) {
		keep[i] = false;
		r->metadata--;
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.depots = &d;
	in.ndepots = 1;
	in.metadata = md->member;
	in.profiles = profiles;
	in.nprofiles = np;
	in.vibs = vibs;
	in.nvibs = nv;
	in.vmware_xml = md->used_vmware_xml ? vmware_xml : NULL;
	ret = metadata_subset(&in, out, &sr, err);
out:
	free(profiles);
	free(vibs);
	return ret;
}

/* The indexes and metadata zips, written once every VIB is in place. */
static int
write_indexes(struct depot *d, const struct mirror_opts *o,
    const bool *want, const struct sbuf *vmware_xml, bool *keep,
    struct mirror_report *r, struct dv_error *err)
{
	struct sbuf data = SBUF_INIT(SBUF_NOCAP), doc = SBUF_INIT(SBUF_NOCAP);
	size_t i;
	int ret = 0;

	for (i = 0; i < d->nmetadata; i++) {
		if (!keep[i])
			continue;
		if (o->nprofiles > 0) {
			sbuf_reset(&data);
			data.cap = DV_MAX_METADATA_ZIP;
			if ((ret = subset_zip(d, o, i, want, &vmware_xml[i],
			    keep, r, &data, err)) != 0)
				goto out;
			if (!keep[i])
				continue;
		} else if ((ret = source_read(d->source, d->metadata[i].member,
		    "the vendor index", DV_MAX_METADATA_ZIP, &data,
		    err)) != 0) {
			goto out;
		}
		if ((ret = write_file(o->outdir, d->metadata[i].member,
		    data.buf, data.len, err)) != 0)
			goto out;
	}
	for (i = 0; i < d->nvendors; i++) {
		if (!depot_vendor_index_first(d, i))
			continue;
		if ((ret = source_read(d->source, d->vendors[i].index_member,
		    source_root(d->source), DV_MAX_XML_BYTES, &data, err)) != 0)
			goto out;
		sbuf_reset(&doc);
		if (o->nversions > 0 || o->nprofiles > 0) {
			if ((ret = filter_vendor_index(d,
			    d->vendors[i].index_member, keep, &data, &doc,
			    err)) != 0)
				goto out;
		} else {
			sbuf_add(&doc, data.buf, data.len);
		}
		if ((ret = write_file(o->outdir, d->vendors[i].index_member,
		    doc.buf, doc.len, err)) != 0)
			goto out;
		r->indexes++;
	}
	/* Last: until now a web server still serves the old, whole depot. */
	if ((ret = source_read(d->source, source_root(d->source), "the depot",
	    DV_MAX_XML_BYTES, &data, err)) != 0 ||
	    (ret = write_file(o->outdir, source_root(d->source), data.buf,
	    data.len, err)) != 0)
		goto out;
	r->indexes++;
out:
	sbuf_release(&data);
	sbuf_release(&doc);
	return ret;
}

/*
 * With --profile, each kept zip whose VIBs only vmware.xml describes
 * (old bundles: no vibs/ documents) gets its vmware.xml cut down to the
 * bulletins the kept profiles name or that hold a wanted VIB, into
 * vmware_xml[i]; every VIB those bulletins hold becomes wanted, since
 * the document describes it.  Bulletins are kept whole: one cut out of
 * a bulletin would be a component the vendor never made.  Every zip is
 * cut against the VIBs wanted before any was cut, so the order of the
 * zips does not matter.
 */
static int
legacy_plan(struct depot *d, const struct mirror_opts *o, const bool *keep,
    const struct depot_profile *const *kept, size_t nkept, bool *want,
    struct sbuf *vmware_xml, struct dv_error *err)
{
	struct smap named = SMAP_INIT, wanted = SMAP_INIT;
	struct ptrvec more = PTRVEC_INIT;
	const struct depot_vib *v;
	int ret = 0;

	for (size_t k = 0; k < nkept; k++)
		for (size_t j = 0; j < kept[k]->bulletin_ids.n; j++)
			smap_put(&named, kept[k]->bulletin_ids.v[j],
			    (void *)kept[k]);
	for (size_t i = 0; i < d->nvibs; i++)
		if (want[i])
			smap_put(&wanted, d->vibs_by_id[i]->id,
			    (void *)d->vibs_by_id[i]);
	for (size_t i = 0; i < d->nmetadata && o->nprofiles > 0; i++) {
		if (!keep[i] || !d->metadata[i].used_vmware_xml)
			continue;
		if ((ret = vmware_xml_trim(d, d->metadata[i].member, &named,
		    &wanted, &vmware_xml[i], &more, err)) != 0)
			goto out;
	}
	for (size_t i = 0; i < more.n; i++)
		if ((v = depot_find_vib(d, more.v[i])) != NULL)
			want[vib_index(d, v)] = true;
out:
	for (size_t i = 0; i < more.n; i++)
		free(more.v[i]);
	ptrvec_release(&more);
	smap_release(&named);
	smap_release(&wanted);
	return ret;
}

int
depot_mirror(struct depot *d, const struct mirror_opts *o,
    struct mirror_report *r, struct dv_error *err)
{
	bool *keep = xcalloc(d->nmetadata + 1, sizeof(*keep));
	bool *want = xcalloc(d->nvibs + 1, sizeof(*want));
	struct sbuf *vmware_xml = xcalloc(d->nmetadata + 1,
	    sizeof(*vmware_xml));
	const struct depot_profile **kept = xcalloc(d->nprofiles + 1,
	    sizeof(*kept));
	size_t nkept = 0;
	struct http_file *files = xcalloc(d->nvibs + 1, sizeof(*files));
	struct ptrvec strs = PTRVEC_INIT;
	struct sbuf s = SBUF_INIT(SBUF_NOCAP);
	char hex[HASH_HEX_MAX];
	struct http *h = NULL;
	const struct depot_vib *v;
	size_t i, j, n = 0;
	long mi;
	int ret;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < d->nmetadata; i++)
		sbuf_init(&vmware_xml[i], DV_MAX_XML_BYTES);
	if (source_kind(d->source) != SOURCE_URL &&
	    source_kind(d->source) != SOURCE_DIR) {
		ret = dv_error_set(err, DV_EFORMAT, "%s: a depot zip; mirror "
		    "copies an online depot (a URL); 'depot unpack' writes a "
		    "zip's files", d->path);
		goto out;
	}
	for (i = 0; i < d->nmetadata; i++)
		if ((keep[i] = version_wanted(o, &d->metadata[i])))
			r->metadata++;
	if (r->metadata == 0) {
		ret = dv_error_set(err, DV_ENOMATCH, "%s: no metadata zip is "
		    "for the version%s asked for", d->path, o->nversions > 1 ?
		    "s" : "");
		goto out;
	}
	for (j = 0; j < o->nprofiles; j++) {
		size_t matched = 0;
		for (i = 0; i < d->nprofiles; i++) {
			const struct depot_profile *p = d->profiles[i];
			mi = metadata_index(d, p->source);
			if (fnmatch(o->profiles[j], p->name, 0) != 0 ||
			    mi < 0 || !keep[mi])
				continue;
			matched++;
			kept[nkept++] = p;
			for (size_t k = 0; k < p->vib_ids.n; k++)
				if ((v = depot_find_vib(d, p->vib_ids.v[k])))
					want[vib_index(d, v)] = true;
		}
		if (matched == 0) {
			ret = dv_error_set(err, DV_ENOMATCH, "%s: no image "
			    "profile matches '%s'%s", d->path, o->profiles[j],
			    o->nversions > 0 ? " in the versions asked for" :
			    "");
			goto out;
		}
	}
	if ((ret = legacy_plan(d, o, keep, kept, nkept, want, vmware_xml,
	    err)) != 0)
		goto out;
	sbuf_addf(&s, "%s/" PARTIAL_DIR, o->outdir);
	if ((mkdir(o->outdir, 0755) != 0 && errno != EEXIST) ||
	    (mkdir(s.buf, 0700) != 0 && errno != EEXIST)) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot make", s.buf);
		goto out;
	}
	for (i = 0; i < d->nvibs; i++) {
		v = d->vibs_by_id[i];
		mi = metadata_index(d, v->source);
		if (mi < 0 || !keep[mi] || (o->nprofiles > 0 && !want[i]))
			continue;
		if (v->member == NULL || v->sha256 == NULL ||
		    !v->has_packed_size) {
			ret = dv_error_set(err, DV_EFORMAT, "%s: %s: VIB %s has "
			    "no relative path, SHA-256 or packed size; it "
			    "cannot be verified", d->path, v->source, v->id);
			goto out;
		}
		r->vibs++;
		sbuf_reset(&s);
		sbuf_addf(&s, "%s/%s", o->outdir, v->member);
		if (file_matches(s.buf, v->packed_size, v->sha256, hex)) {
			r->unchanged++;
			continue;
		}
		if ((ret = make_parents(o->outdir, v->member, err)) != 0)
			goto out;
		files[n].path = xstrdup(s.buf);
		sbuf_reset(&s);
		sbuf_addf(&s, "%s/" PARTIAL_DIR "/%s.part", o->outdir,
		    v->sha256);
		files[n].partial = xstrdup(s.buf);
		source_member_url(d->source, v->member, &s);
		files[n].url = xstrdup(s.buf);
		sbuf_reset(&s);
		sbuf_addf(&s, "%s: %s", d->path, v->source);
		files[n].named_by = xstrdup(s.buf);
		files[n].size = v->packed_size;
		files[n].sha256 = v->sha256;
		ptrvec_push(&strs, (void *)files[n].path);
		ptrvec_push(&strs, (void *)files[n].partial);
		ptrvec_push(&strs, (void *)files[n].url);
		ptrvec_push(&strs, (void *)files[n].named_by);
		n++;
	}
	r->downloaded = n;
	if (n > 0) {
		if ((ret = http_open(o->net, &h, err)) != 0)
			goto out;
		ret = http_get_files(h, files, n, o->jobs, err);
		for (i = 0; i < n; i++)
			r->received += files[i].received;
		if (ret != 0)
			goto out;
	}
	ret = write_indexes(d, o, want, vmware_xml, keep, r, err);
	if (ret == 0) {
		sbuf_reset(&s);
		sbuf_addf(&s, "%s/" PARTIAL_DIR, o->outdir);
		(void)rmdir(s.buf); /* kept while it holds partials */
	}
out:
	http_close(h);
	for (i = 0; i < strs.n; i++)
		free(strs.v[i]);
	ptrvec_release(&strs);
	sbuf_release(&s);
	free(files);
	free(keep);
	free(want);
	for (i = 0; i < d->nmetadata; i++)
		sbuf_release(&vmware_xml[i]);
	free(vmware_xml);
	free(kept);
	return ret;
}

static bool
is_metadata(const struct depot *d, const char *rel)
{
	for (size_t i = 0; i < d->nmetadata; i++)
		if (strcmp(d->metadata[i].member, rel) == 0)
			return true;
	return false;
}

/* Every *.zip under dir (relative rel) that no vendor index names. */
static void
find_unreferenced(const struct depot *d, const char *top, const char *rel,
    unsigned depth, struct check_report *r)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP), sub = SBUF_INIT(SBUF_NOCAP);
	struct dirent *e;
	struct stat st;
	DIR *dir;
	size_t n;

	sbuf_addf(&path, "%s%s%s", top, *rel ? "/" : "", rel);
	if (depth > 32 || (dir = opendir(path.buf)) == NULL) {
		sbuf_release(&path);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") ==
		    0 || strcmp(e->d_name, PARTIAL_DIR) == 0)
			continue;
		sbuf_reset(&sub);
		sbuf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		sbuf_reset(&path);
		sbuf_addf(&path, "%s/%s", top, sub.buf);
		if (lstat(path.buf, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			find_unreferenced(d, top, sub.buf, depth + 1, r);
			continue;
		}
		n = strlen(e->d_name);
		if (S_ISREG(st.st_mode) && n > 4 &&
		    strcasecmp(e->d_name + n - 4, ".zip") == 0 &&
		    !is_metadata(d, sub.buf))
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EFORMAT,
			    "%s: a zip no vendor index names", sub.buf);
	}
	closedir(dir);
	sbuf_release(&path);
	sbuf_release(&sub);
}

int
depot_check(const struct depot *d, struct check_report *r,
    struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	char hex[HASH_HEX_MAX];
	const char *top = source_dir(d->source);
	const struct depot_vib *v;
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (top == NULL)
		return dv_error_set(err, DV_EFORMAT, "%s: not a folder: check "
		    "reads a mirror or an unpacked depot ('depot verify' reads "
		    "a depot zip)", d->path);
	for (size_t i = 0; i < d->nvibs; i++) {
		v = d->vibs[i];
		if (v->member == NULL)
			continue;
		r->vibs++;
		sbuf_reset(&path);
		sbuf_addf(&path, "%s/%s", top, v->member);
		if (lstat(path.buf, &st) != 0 || !S_ISREG(st.st_mode)) {
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EMISSING,
			    "%s: missing (VIB %s, named by %s)",
			    v->member, v->id, v->source);
			continue;
		}
		if (v->has_packed_size && (uint64_t)st.st_size !=
		    v->packed_size) {
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EDIGEST,
			    "%s: %llu bytes, but %s says %llu",
			    v->member, (unsigned long long)st.st_size,
			    v->source, (unsigned long long)v->packed_size);
			continue;
		}
		if (v->sha256 == NULL) {
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EFORMAT,
			    "%s: %s gives no SHA-256; not checked",
			    v->member, v->source);
			continue;
		}
		if (!file_matches(path.buf, (uint64_t)st.st_size, v->sha256,
		    hex))
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EDIGEST,
			    "%s: SHA-256 is %s, but %s says %s",
			    v->member, hex, v->source, v->sha256);
	}
	find_unreferenced(d, top, "", 0, r);
	sbuf_release(&path);
	return 0;
}

void
check_report_release(struct check_report *r)
{
	dv_diags_release(&r->problems);
}
