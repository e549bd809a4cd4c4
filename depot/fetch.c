/* fetch.c - one image profile from online depots into an offline depot zip. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "depot_int.h"
#include "fetch.h"
#include "gzip.h"
#include "outdir.h"
#include "smap.h"
#include "source.h"
#include "subset.h"
#include "vib.h"

#define COPY_BUF (256u << 10)

/* One VIB of the profile: where it comes from and where it goes. */
struct pick {
	const struct depot *d;
	const struct depot_vib *v;
	char *member;  /* its path in the output zip */
	char *stored;  /* the verified file in the state folder */
	char *partial;
	char *url;
	char *named_by;
	uint32_t crc32; /* of the verified file, for its zip member */
};

struct fetch {
	struct depot *const *depots;
	size_t ndepots;
	const struct fetch_opts *o;
	struct fetch_report *r;
	struct dv_error *err;
	struct pick *picks;
	size_t npicks;
	struct sbuf state; /* the state folder */
};

/* The metadata zip a record's source ("MZ: member") names, in d. */
static const struct depot_metadata *
metadata_of(const struct depot *d, const char *source)
{
	const char *doc;

	return metadata_of_record(d, source, &doc);
}

static int
find_profile(struct fetch *f, const struct depot_profile **out,
    const struct depot **from)
{
	struct dv_error ignored = DV_ERROR_INIT;
	int ret;

	for (size_t i = 0; i < f->ndepots; i++) {
		ret = depot_find_profile(f->depots[i], f->o->profile, out,
		    &ignored);
		if (ret == -DV_EAMBIGUOUS) {
			*f->err = ignored;
			return ret;
		}
		if (ret == 0) {
			*from = f->depots[i];
			return 0;
		}
	}
	return dv_error_set(f->err, DV_ENOMATCH, "%s: no image profile named "
	    "'%s'%s; 'depot list-profiles URL' lists them", f->depots[0]->path,
	    f->o->profile, f->ndepots > 1 ? " (nor in the added channels)" :
	    "");
}

static int
pick_vibs(struct fetch *f, const struct depot_profile *p)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP), url = SBUF_INIT(SBUF_NOCAP);
	struct sbuf s = SBUF_INIT(SBUF_NOCAP);
	const struct depot_vib *v = NULL;
	const struct depot *d = NULL;
	struct pick *k;
	size_t i, j;
	int ret = 0;

	f->picks = xcalloc(p->vib_ids.n + 1, sizeof(*f->picks));
	for (i = 0; i < p->vib_ids.n; i++) {
		for (j = 0; j < f->ndepots; j++) {
			d = f->depots[j];
			if ((v = depot_find_vib(d, p->vib_ids.v[i])) != NULL)
				break;
		}
		if (v == NULL) {
			ret = dv_error_set(f->err, DV_EMISSING, "%s: profile "
			    "'%s' names the VIB %s, which %s; add the channel "
			    "that has it with --add-channel URL",
			    f->depots[0]->path, p->name, p->vib_ids.v[i],
			    f->ndepots > 1 ? "no channel given has" :
			    "this depot lacks");
			goto out;
		}
		if (v->member == NULL || v->sha256 == NULL ||
		    !v->has_packed_size) {
			ret = dv_error_set(f->err, DV_EFORMAT, "%s: %s: VIB %s "
			    "has no %s in its metadata, so it cannot be "
			    "verified as it downloads", d->path, v->source,
			    v->id, v->member == NULL ? "relative path" :
			    v->sha256 == NULL ? "SHA-256" : "packed size");
			goto out;
		}
		/* In the output the metadata zip is at the top. */
		if (dv_path_join("metadata.zip", v->relative_path, &path) != 0) {
			ret = dv_error_set(f->err, DV_EPATH, "%s: %s: VIB %s has "
			    "an unsafe relative-path", d->path, v->source,
			    v->id);
			goto out;
		}
		for (j = 0; j < f->npicks; j++) {
			if (strcmp(f->picks[j].member, path.buf) == 0) {
				ret = dv_error_set(f->err, DV_EFORMAT, "%s: VIBs "
				    "%s and %s both have the relative path %s",
				    d->path, f->picks[j].v->id, v->id,
				    path.buf);
				goto out;
			}
		}
		k = &f->picks[f->npicks++];
		k->d = d;
		k->v = v;
		k->member = xstrdup(path.buf);
		sbuf_reset(&s);
		sbuf_addf(&s, "%s/%s-%llu.vib", f->state.buf, v->sha256,
		    (unsigned long long)v->packed_size);
		k->stored = xstrdup(s.buf);
		sbuf_reset(&s);
		sbuf_addf(&s, "%s/%s-%llu.part", f->state.buf, v->sha256,
		    (unsigned long long)v->packed_size);
		k->partial = xstrdup(s.buf);
		source_member_url(d->source, v->member, &url);
		k->url = xstrdup(url.buf);
		sbuf_reset(&s);
		sbuf_addf(&s, "%s: %s", d->path, v->source);
		k->named_by = xstrdup(s.buf);
		f->r->vib_bytes += v->packed_size;
	}
out:
	sbuf_release(&path);
	sbuf_release(&url);
	sbuf_release(&s);
	return ret;
}

/*
 * A file kept from an earlier run: not synced, so it is hashed again
 * (SHA-256 and CRC-32 in one pass) before it is trusted.  False when it
 * is not the file; it is then removed and fetched again.
 */
static int
kept_file_ok(struct fetch *f, struct pick *k, bool *ok)
{
	char hex[HASH_HEX_MAX];
	struct hash *h = NULL;
	uint32_t crc = 0;
	uint64_t total = 0;
	char *buf = NULL;
	ssize_t n;
	int fd, ret = 0;

	*ok = false;
	fd = open(k->stored, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	h = hash_new(HASH_SHA256);
	buf = xmalloc(COPY_BUF);
	for (;;) {
		if (outdir_interrupted()) {
			ret = dv_error_set(f->err, DV_EINTR, "interrupted");
			goto out;
		}
		n = read(fd, buf, COPY_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = dv_error_errno(f->err, DV_EIO, "%s: cannot read",
			    k->stored);
			goto out;
		}
		if (n == 0)
			break;
		hash_update(h, buf, (size_t)n);
		crc = dv_crc32(crc, buf, (size_t)n);
		total += (uint64_t)n;
	}
	hash_final_hex(h, hex);
	if (total == k->v->packed_size && strcmp(hex, k->v->sha256) == 0) {
		k->crc32 = crc;
		*ok = true;
	} else {
		(void)unlink(k->stored);
	}
out:
	close(fd);
	hash_free(h);
	free(buf);
	return ret;
}

/*
 * Download what the state folder does not hold verified yet.  The state
 * file is named by SHA-256 and size, so VIBs of the same bytes share one:
 * it is downloaded once (two transfers into one .part would race).
 */
static int
download(struct fetch *f)
{
	struct http_file *files = xcalloc(f->npicks + 1, sizeof(*files));
	struct pick **which = xcalloc(f->npicks + 1, sizeof(*which));
	struct smap first = SMAP_INIT; /* state file -> the pick that has it */
	struct http *h = NULL;
	struct pick *same;
	struct stat st;
	size_t n = 0, i;
	bool ok;
	int ret;

	for (i = 0; i < f->npicks; i++) {
		struct pick *k = &f->picks[i];
		if (smap_get(&first, k->stored) != NULL)
			continue;
		smap_put(&first, k->stored, k);
		if (stat(k->stored, &st) == 0 &&
		    (uint64_t)st.st_size == k->v->packed_size) {
			if ((ret = kept_file_ok(f, k, &ok)) != 0)
				goto out;
			if (ok) {
				f->r->reused++;
				continue;
			}
		}
		files[n].url = k->url;
		files[n].named_by = k->named_by;
		files[n].partial = k->partial;
		files[n].path = k->stored;
		files[n].size = k->v->packed_size;
		files[n].sha256 = k->v->sha256;
		files[n].want_crc32 = true;
		which[n] = k;
		n++;
	}
	f->r->downloaded = n;
	if (n == 0) {
		ret = 0;
		goto out;
	}
	if ((ret = http_open(f->o->net, &h, f->err)) != 0)
		goto out;
	ret = http_get_files(h, files, n, f->o->jobs, f->err);
	for (i = 0; i < n; i++) {
		f->r->received += files[i].received;
		f->r->resumed += files[i].resumed_at;
		which[i]->crc32 = files[i].crc32;
	}
	for (i = 0; i < f->npicks; i++) {
		same = smap_get(&first, f->picks[i].stored);
		if (same != &f->picks[i])
			f->picks[i].crc32 = same->crc32;
	}
out:
	smap_release(&first);
	http_close(h);
	free(files);
	free(which);
	return ret;
}

static void
xml_text(struct sbuf *sb, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '<': sbuf_adds(sb, "&lt;"); break;
		case '>': sbuf_adds(sb, "&gt;"); break;
		case '&': sbuf_adds(sb, "&amp;"); break;
		default: sbuf_addch(sb, *s); break;
		}
	}
}

static void
xml_elem(struct sbuf *sb, const char *indent, const char *tag,
    const char *text)
{
	sbuf_addf(sb, "%s<%s>", indent, tag);
	xml_text(sb, text);
	sbuf_addf(sb, "</%s>\n", tag);
}

/* The output's index.xml and vendor-index.xml: one vendor, one zip. */
static void
make_indexes(const struct depot *from, const struct depot_metadata *md,
    struct sbuf *index, struct sbuf *vendor)
{
	const struct depot_vendor *vd = from->nvendors > 0 ?
	    &from->vendors[0] : NULL;

	sbuf_adds(index, "<vendorList>\n  <vendor>\n");
	xml_elem(index, "    ", "name", vd != NULL ? vd->name : "VMware");
	xml_elem(index, "    ", "code", vd != NULL ? vd->code : "VMW");
	xml_elem(index, "    ", "indexfile", "vendor-index.xml");
	xml_elem(index, "    ", "patchUrl", "");
	xml_elem(index, "    ", "relativePath", "");
	sbuf_adds(index, "    <content>\n");
	xml_elem(index, "      ", "name", "VMware ESX");
	xml_elem(index, "      ", "type",
	    "http://www.vmware.com/depotmanagement/esx");
	sbuf_adds(index, "    </content>\n  </vendor>\n</vendorList>\n");

	sbuf_adds(vendor, "<metaList>\n");
	for (size_t i = 0; md != NULL && i < md->platforms.n; i++) {
		sbuf_adds(vendor, "  <metadata>\n");
		xml_elem(vendor, "    ", "productId", md->platforms.v[i].product);
		xml_elem(vendor, "    ", "version", md->platforms.v[i].version);
		xml_elem(vendor, "    ", "locale", md->platforms.v[i].locale);
		xml_elem(vendor, "    ", "url", "metadata.zip");
		xml_elem(vendor, "    ", "channelName", "default");
		sbuf_adds(vendor, "  </metadata>\n");
	}
	sbuf_adds(vendor, "</metaList>\n");
}

/*
 * The vibs/ document of a VIB only vmware.xml describes: its own
 * descriptor.xml (read from the verified download) with the three depot
 * fields added, as esxcli needs them; the rest of it byte for byte.
 */
static int
legacy_vib_doc(void *ctx, const struct depot_vib *v, struct sbuf *out,
    struct dv_error *err)
{
	const struct fetch *f = ctx;
	const struct pick *k = NULL;
	struct vib_scan scan;
	struct xdoc doc = {0};
	struct byte_source src;
	const char *end, *name, *version;
	FILE *fp = NULL;
	int ret;

	vib_scan_init(&scan);
	for (size_t i = 0; i < f->npicks && k == NULL; i++)
		if (f->picks[i].v == v)
			k = &f->picks[i];
	if (k == NULL)
		return dv_error_set(err, DV_EFORMAT, "%s: VIB %s is not one "
		    "fetched", v->source, v->id);
	if ((fp = fopen(k->stored, "rb")) == NULL) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", k->stored);
		goto out;
	}
	src = byte_source_of_file(fp);
	if ((ret = vib_scan(&src, k->url, &scan, err)) != 0 ||
	    (ret = xml_parse(scan.descriptor.buf, scan.descriptor.len,
	    k->url, &doc, err)) != 0)
		goto out;
	name = xnode_child_text(doc.root, "name");
	version = xnode_child_text(doc.root, "version");
	end = NULL;
	for (const char *p = scan.descriptor.buf; (p = strstr(p,
	    "</vib>")) != NULL; p++)
		end = p;
	if (strcmp(doc.root->name, "vib") != 0 || end == NULL ||
	    name == NULL || version == NULL || strcmp(name, v->name) != 0 ||
	    strcmp(version, v->version) != 0 ||
	    xnode_child(doc.root, "relative-path") != NULL ||
	    xnode_child(doc.root, "packed-size") != NULL ||
	    xnode_child(doc.root, "checksum") != NULL) {
		ret = dv_error_set(err, DV_EFORMAT, "%s: its descriptor.xml is "
		    "not VIB %s's as vmware.xml describes it", k->url, v->id);
		goto out;
	}
	sbuf_add(out, scan.descriptor.buf,
	    (size_t)(end - scan.descriptor.buf));
	sbuf_addf(out, "<relative-path>");
	xml_text(out, v->relative_path);
	sbuf_addf(out, "</relative-path><packed-size>%llu</packed-size>"
	    "<checksum checksum-type=\"sha-256\">%s</checksum>",
	    (unsigned long long)v->packed_size, v->sha256);
	sbuf_adds(out, end);
out:
	if (fp != NULL)
		fclose(fp);
	xdoc_release(&doc);
	vib_scan_release(&scan);
	return ret;
}

/*
 * The metadata zip: the profile, its VIBs' documents, their components,
 * and the base images and add-ons wholly inside them.
 */
static int
make_metadata(struct fetch *f, const struct depot_profile *p,
    struct sbuf *out)
{
	const struct depot_vib **vibs = xcalloc(f->npicks + 1,
	    sizeof(*vibs));
	struct subset_report sr;
	struct subset_in in;
	int ret;

	for (size_t i = 0; i < f->npicks; i++)
		vibs[i] = f->picks[i].v;
	memset(&in, 0, sizeof(in));
	in.depots = f->depots;
	in.ndepots = f->ndepots;
	in.profiles = &p;
	in.nprofiles = 1;
	in.vibs = vibs;
	in.nvibs = f->npicks;
	in.legacy_doc = legacy_vib_doc;
	in.ctx = f;
	ret = metadata_subset(&in, out, &sr, f->err);
	f->r->bulletins = sr.bulletins;
	f->r->releases = sr.releases;
	free(vibs);
	return ret;
}

/*
 * The output zip: indexes and metadata, then each verified VIB stored as
 * it is, its CRC-32 the one found while it downloaded: no second read.
 * It is a second write, though (copy_file_range; ext4 cannot reflink):
 * measured on the 1 GB bench, about a fifth of fetch's time, plus the
 * state folder's unlinks.  Downloading straight into the zip would save
 * it, but the state folder of verified <sha256>-<size>.vib files and .part
 * files is what resume stands on (each kept file hashed again before it
 * is trusted); writing into the zip needs a resume journal and spilling
 * to that folder on failure, not done yet.
 */
static int
write_zip(struct fetch *f, const struct depot_profile *p,
    const struct depot *from, const char *tmp)
{
	struct sbuf index = SBUF_INIT(SBUF_NOCAP), vendor = SBUF_INIT(SBUF_NOCAP);
	struct sbuf meta = SBUF_INIT(DV_MAX_METADATA_ZIP);
	struct zip_stored_file *files = xcalloc(f->npicks + 1, sizeof(*files));
	struct zipwriter *w = NULL;
	int ret;

	make_indexes(from, metadata_of(from, p->source), &index, &vendor);
	if ((ret = make_metadata(f, p, &meta)) != 0)
		goto out;
	(void)unlink(tmp);
	if ((ret = zipwriter_open(NULL, tmp, &w, f->err)) != 0)
		goto out;
	if ((ret = zipwriter_add_mem(w, "index.xml", index.buf, index.len, -1,
	    f->err)) != 0 ||
	    (ret = zipwriter_add_mem(w, "vendor-index.xml", vendor.buf,
	    vendor.len, -1, f->err)) != 0 ||
	    (ret = zipwriter_add_mem(w, "metadata.zip", meta.buf, meta.len, -1,
	    f->err)) != 0)
		goto out;
	for (size_t i = 0; i < f->npicks; i++) {
		files[i].name = f->picks[i].member;
		files[i].path = f->picks[i].stored;
		files[i].size = f->picks[i].v->packed_size;
		files[i].crc32 = f->picks[i].crc32;
	}
	ret = zipwriter_close_with_files(w, tmp, files, f->npicks, f->err);
	w = NULL;
out:
	zipwriter_discard(w);
	free(files);
	sbuf_release(&index);
	sbuf_release(&vendor);
	sbuf_release(&meta);
	return ret;
}

/* Read the written zip back as a depot: the profile and all its VIBs. */
static int
check_written(struct fetch *f, const char *tmp)
{
	struct depot *d = NULL;
	const struct depot_profile *p;
	int ret;

	if ((ret = depot_open(tmp, &d, f->err)) != 0 ||
	    (ret = depot_find_profile(d, f->o->profile, &p, f->err)) != 0)
		goto out;
	if (p->missing_vib_ids.n != 0 || d->nvibs != f->npicks)
		ret = dv_error_set(f->err, DV_EFORMAT, "%s: read back, it holds "
		    "%zu VIBs for the profile's %zu", tmp, d->nvibs, f->npicks);
out:
	depot_free(d);
	return ret;
}

/* The rename made durable: the folder that holds path, synced. */
static int
sync_dir_of(const char *path, struct dv_error *err)
{
	const char *slash = strrchr(path, '/');
	struct sbuf dir = SBUF_INIT(SBUF_NOCAP);
	int fd, ret = 0;

	if (slash == NULL)
		sbuf_adds(&dir, ".");
	else if (slash == path)
		sbuf_adds(&dir, "/");
	else
		sbuf_add(&dir, path, (size_t)(slash - path));
	fd = open(dir.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot sync", dir.buf);
	if (fd >= 0)
		close(fd);
	sbuf_release(&dir);
	return ret;
}

static void
remove_state(struct fetch *f)
{
	for (size_t i = 0; i < f->npicks; i++) {
		(void)unlink(f->picks[i].stored);
		(void)unlink(f->picks[i].partial);
	}
	(void)rmdir(f->state.buf);
}

int
depot_fetch(struct depot *const *depots, size_t n,
    const struct fetch_opts *o, struct fetch_report *r,
    struct dv_error *err)
{
	struct fetch f = {depots, n, o, r, err, NULL, 0,
	    SBUF_INIT(SBUF_NOCAP)};
	struct sbuf tmp = SBUF_INIT(SBUF_NOCAP);
	const struct depot_profile *p = NULL;
	const struct depot *from = NULL;
	const char *base = strrchr(o->out, '/');
	struct stat st;
	size_t i;
	int ret;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		if (source_kind(depots[i]->source) == SOURCE_ZIP) {
			ret = dv_error_set(err, DV_EFORMAT, "%s: a depot zip; "
			    "fetch reads an online depot (a URL) or an unpacked "
			    "one", depots[i]->path);
			goto out;
		}
	}
	if (lstat(o->out, &st) == 0) {
		ret = dv_error_set(err, DV_EEXIST, "%s: exists already; remove "
		    "it or name another file", o->out);
		goto out;
	}
	/* The state folder sits beside OUT.zip: renames stay in one fs. */
	if (base != NULL)
		sbuf_addf(&f.state, "%.*s/.%s.fetch", (int)(base - o->out),
		    o->out, base + 1);
	else
		sbuf_addf(&f.state, ".%s.fetch", o->out);
	snprintf(r->state, sizeof(r->state), "%s", f.state.buf);
	if (mkdir(f.state.buf, 0700) != 0 && errno != EEXIST) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot make", f.state.buf);
		goto out;
	}
	if ((ret = find_profile(&f, &p, &from)) != 0 ||
	    (ret = pick_vibs(&f, p)) != 0)
		goto out;
	r->profile = p;
	r->from = from;
	r->vibs = f.npicks;
	if ((ret = download(&f)) != 0)
		goto out;
	sbuf_addf(&tmp, "%s/out.zip", f.state.buf);
	if ((ret = write_zip(&f, p, from, tmp.buf)) != 0 ||
	    (ret = check_written(&f, tmp.buf)) != 0)
		goto out;
	if (rename(tmp.buf, o->out) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot rename to %s",
		    tmp.buf, o->out);
		goto out;
	}
	if ((ret = sync_dir_of(o->out, err)) != 0)
		goto out;
	remove_state(&f);
	ret = 0;
out:
	if (ret != 0 && tmp.len > 0)
		(void)unlink(tmp.buf);
	for (i = 0; i < f.npicks; i++) {
		free(f.picks[i].member);
		free(f.picks[i].stored);
		free(f.picks[i].partial);
		free(f.picks[i].url);
		free(f.picks[i].named_by);
	}
	free(f.picks);
	sbuf_release(&f.state);
	sbuf_release(&tmp);
	return ret;
}
