/* fetch.c - one image profile from online depots into an offline depot zip. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
/* The resume journal's first line: another says another format. */
#define JOURNAL_MAGIC "esxstage fetch journal 1"
/* The three small members written after the VIBs. */
#define SMALL_MEMBERS 3

/* One VIB of the profile: where it comes from and where it goes. */
struct pick {
	const struct depot *d;
	const struct depot_vib *v;
	char *member;  /* its path in the output zip */
	char *url;
	char *named_by;
	/* The first pick of the same SHA-256 and size: it downloads, this
	 * one is copied from its region; NULL when this is the first. */
	const struct pick *same;
	uint64_t data_at;   /* where its bytes start in the zip */
	uint64_t kept;	    /* bytes in place, from its start */
	bool verified;	    /* all of them, hashed this run */
	uint32_t crc32;	    /* of the verified bytes, for its zip member */
};

struct fetch {
	struct depot *const *depots;
	size_t ndepots;
	const struct fetch_opts *o;
	struct fetch_report *r;
	struct dv_error *err;
	struct pick *picks;
	size_t npicks;
	struct sbuf state;   /* the state folder */
	struct sbuf zip;     /* the zip being built, in it */
	struct sbuf journal; /* what the next run resumes from, in it */
	/* The members: the VIBs first (laid out before any download), then
	 * SMALL_MEMBERS whose content depends on the downloads. */
	struct zip_stored *members;
	uint64_t vibs_end;
	int fd;		     /* on zip, while it is built */
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
	struct smap first = SMAP_INIT; /* SHA-256 -> the first pick of it */
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
		/* Two VIBs of one SHA-256 but two sizes cannot both be
		 * right: each is fetched, and the digest refuses one. */
		k->same = smap_get(&first, v->sha256);
		if (k->same != NULL && k->same->v->packed_size !=
		    v->packed_size)
			k->same = NULL;
		else if (k->same == NULL)
			smap_put(&first, v->sha256, k);
		source_member_url(d->source, v->member, &url);
		k->url = xstrdup(url.buf);
		sbuf_reset(&s);
		sbuf_addf(&s, "%s: %s", d->path, v->source);
		k->named_by = xstrdup(s.buf);
		f->r->vib_bytes += v->packed_size;
	}
out:
	smap_release(&first);
	sbuf_release(&path);
	sbuf_release(&url);
	sbuf_release(&s);
	return ret;
}

/* Lay the VIBs out in the zip: each one's place known before any byte. */
static int
lay_out(struct fetch *f)
{
	int ret;

	f->members = xcalloc(f->npicks + SMALL_MEMBERS + 1,
	    sizeof(*f->members));
	for (size_t i = 0; i < f->npicks; i++) {
		f->members[i].name = f->picks[i].member;
		f->members[i].size = f->picks[i].v->packed_size;
	}
	if ((ret = zip_layout(f->members, f->npicks, 0, &f->vibs_end,
	    f->err)) != 0)
		return ret;
	for (size_t i = 0; i < f->npicks; i++)
		f->picks[i].data_at = f->members[i].at +
		    zip_stored_header_len(f->members[i].name,
		    f->members[i].size);
	return 0;
}

/* s with control bytes, spaces and '%' as %XX: one word of a line. */
static void
put_word(struct sbuf *sb, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= ' ' || *p == '%' || *p == 0x7f)
			sbuf_addf(sb, "%%%02X", *p);
		else
			sbuf_addch(sb, (char)*p);
	}
}

/* The part of pick i's journal line the layout fixes. */
static void
journal_layout(const struct fetch *f, size_t i, struct sbuf *sb)
{
	const struct pick *k = &f->picks[i];

	sbuf_addf(sb, "%llu %llu ", (unsigned long long)k->data_at,
	    (unsigned long long)k->v->packed_size);
	put_word(sb, k->v->sha256);
	sbuf_addch(sb, ' ');
	put_word(sb, k->member);
}

/* The journal's lines before the VIBs'. */
static void
journal_head(const struct fetch *f, struct sbuf *sb)
{
	sbuf_adds(sb, JOURNAL_MAGIC "\nprofile ");
	put_word(sb, f->o->profile);
	sbuf_addf(sb, "\nvibs %zu\n", f->npicks);
}

/*
 * Write the resume journal: the layout (profile, each VIB's offset, size,
 * SHA-256 and member) and, for each VIB, the bytes in place and whether
 * they were verified (with their CRC-32).  A temporary file renamed over
 * the last one, so a reader sees one whole journal or the one before,
 * never half of each; not synced, as nothing it says is trusted unhashed
 * (a journal older than the data, or lost, costs only downloads).  A
 * copied VIB is copied again by each run: it says no bytes of it.
 */
static int
journal_write(const struct fetch *f, struct dv_error *err)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP), tmp = SBUF_INIT(SBUF_NOCAP);
	int fd = -1, ret;

	journal_head(f, &sb);
	for (size_t i = 0; i < f->npicks; i++) {
		const struct pick *k = &f->picks[i];
		journal_layout(f, i, &sb);
		sbuf_addf(&sb, " %llu %c %08x\n", k->same != NULL ? 0ull :
		    (unsigned long long)k->kept, k->same == NULL &&
		    k->verified ? 'v' : 'p', (unsigned)k->crc32);
	}
	sbuf_adds(&sb, "end\n");
	sbuf_addf(&tmp, "%s.tmp", f->journal.buf);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot create",
		    tmp.buf);
		goto out;
	}
	if ((ret = fd_write_all(fd, sb.buf, sb.len, tmp.buf, err)) != 0)
		goto out;
	ret = close(fd);
	fd = -1;
	if (ret != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot write",
		    tmp.buf);
		goto out;
	}
	if (rename(tmp.buf, f->journal.buf) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot rename to %s",
		    tmp.buf, f->journal.buf);
out:
	if (fd >= 0)
		close(fd);
	sbuf_release(&sb);
	sbuf_release(&tmp);
	return ret;
}

/* One journal line's own part, "KEPT STATE CRC": false when malformed or
 * not possible for k (more bytes than it has, verified but not whole). */
static bool
journal_state(const char *p, const struct pick *k, uint64_t *kept,
    bool *verified, uint32_t *crc)
{
	uint64_t n = 0;
	size_t digits = 0;
	uint32_t c = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (n > (UINT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (digits == 0 || *p++ != ' ' || (*p != 'v' && *p != 'p') ||
	    p[1] != ' ' || n > k->v->packed_size)
		return false;
	*verified = *p == 'v';
	if (*verified && n != k->v->packed_size)
		return false;
	for (p += 2, digits = 0; digits < 8; p++, digits++) {
		if (*p >= '0' && *p <= '9')
			c = c << 4 | (uint32_t)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			c = c << 4 | (uint32_t)(*p - 'a' + 10);
		else
			return false;
	}
	if (*p != '\0')
		return false;
	*kept = n;
	*crc = c;
	return true;
}

/* What a journal says of one VIB, taken only once all of it is read. */
struct hint {
	uint64_t kept;
	uint32_t crc;
	bool verified;
};

/*
 * Read the journal an earlier run left: true when it is whole and of
 * this run's layout, each VIB's hints then set (kept, verified, crc32).
 * Anything else (none, another profile or layout, damage) is ignored:
 * the run starts over.  It is read whole, but no larger than this
 * layout's journal can be: memory bounded by the metadata.
 */
static bool
journal_read(struct fetch *f)
{
	struct sbuf want = SBUF_INIT(SBUF_NOCAP), got = SBUF_INIT(SBUF_NOCAP);
	struct hint *h = xcalloc(f->npicks + 1, sizeof(*h));
	char *line, *next;
	size_t i, cap, len = 0;
	bool ok = false;
	ssize_t n = 0;
	int fd;

	journal_head(f, &want);
	cap = want.len + 8;
	for (i = 0; i < f->npicks; i++) {
		sbuf_reset(&want);
		journal_layout(f, i, &want);
		cap += want.len + 40; /* " KEPT S CRC\n": 20 + 12 */
	}
	fd = open(f->journal.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		goto out;
	sbuf_grow(&got, cap + 1);
	while (len <= cap) {
		n = read(fd, got.buf + len, cap + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0 || len > cap || memchr(got.buf, '\0', len) != NULL)
		goto out;
	sbuf_setlen(&got, len);
	sbuf_reset(&want);
	journal_head(f, &want);
	if (strncmp(got.buf, want.buf, want.len) != 0)
		goto out;
	line = got.buf + want.len;
	for (i = 0; i < f->npicks; i++) {
		if ((next = strchr(line, '\n')) == NULL)
			goto out;
		*next++ = '\0';
		sbuf_reset(&want);
		journal_layout(f, i, &want);
		sbuf_addch(&want, ' ');
		if (strncmp(line, want.buf, want.len) != 0 ||
		    !journal_state(line + want.len, &f->picks[i], &h[i].kept,
		    &h[i].verified, &h[i].crc))
			goto out;
		line = next;
	}
	if (strcmp(line, "end\n") != 0)
		goto out;
	/* Whole and this layout's: its hints are taken (and checked). */
	for (i = 0; i < f->npicks; i++) {
		if (f->picks[i].same != NULL)
			continue;
		f->picks[i].kept = h[i].kept;
		f->picks[i].verified = h[i].verified;
		f->picks[i].crc32 = h[i].crc;
	}
	ok = true;
out:
	free(h);
	sbuf_release(&want);
	sbuf_release(&got);
	return ok;
}

/*
 * A VIB the journal says was verified: the zip is not synced until the
 * end, so its region is hashed again (SHA-256 and CRC-32 in one pass)
 * before it is trusted.  Not its bytes: it is fetched again, whole.
 */
static int
verify_kept(struct fetch *f, struct pick *k)
{
	char hex[HASH_HEX_MAX];
	struct hash *h = hash_new(HASH_SHA256);
	char *buf = xmalloc(COPY_BUF);
	uint64_t done = 0, left = k->v->packed_size;
	uint32_t crc = 0;
	ssize_t n;
	int ret = 0;

	while (left > 0) {
		if (outdir_interrupted()) {
			ret = dv_error_set(f->err, DV_EINTR, "interrupted");
			goto out;
		}
		n = pread(f->fd, buf, left < COPY_BUF ? (size_t)left : COPY_BUF,
		    (off_t)(k->data_at + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = dv_error_errno(f->err, DV_EIO, "%s: cannot read",
			    f->zip.buf);
			goto out;
		}
		if (n == 0)
			break; /* shorter: not verified after all */
		hash_update(h, buf, (size_t)n);
		crc = dv_crc32(crc, buf, (size_t)n);
		done += (uint64_t)n;
		left -= (uint64_t)n;
	}
	hash_final_hex(h, hex);
	k->verified = left == 0 && strcmp(hex, k->v->sha256) == 0;
	k->crc32 = k->verified ? crc : 0;
	if (!k->verified)
		k->kept = 0;
out:
	hash_free(h);
	free(buf);
	return ret;
}

/* The downloads under way: which pick each file is. */
struct batch {
	struct fetch *f;
	struct http_file *files;
	struct pick **which;
};

/*
 * http_get_files' word that a VIB is verified: journaled at once, so a
 * run killed later (kill -9: no journal at the stop) loses none of it.
 * A journal that cannot be written costs only a later run's downloads:
 * the run goes on.
 */
static void
downloaded_one(void *ctx, const struct http_file *file)
{
	struct batch *b = ctx;
	struct pick *k = b->which[file - b->files];
	struct dv_error ignored = DV_ERROR_INIT;

	k->kept = file->in_place;
	k->verified = true;
	k->crc32 = file->crc32;
	(void)journal_write(b->f, &ignored);
}

/*
 * Download what the zip does not hold verified yet, each VIB straight
 * into its region.  VIBs of the same bytes are downloaded once, by the
 * first pick of them; the others are copied from its region after
 * (copy_same), as two transfers into one region would race.
 */
static int
download(struct fetch *f)
{
	struct batch b = {f, xcalloc(f->npicks + 1, sizeof(*b.files)),
	    xcalloc(f->npicks + 1, sizeof(*b.which))};
	struct http *h = NULL;
	size_t n = 0, i;
	int ret;

	for (i = 0; i < f->npicks; i++) {
		struct pick *k = &f->picks[i];
		if (k->same != NULL)
			continue;
		if (k->verified) {
			if ((ret = verify_kept(f, k)) != 0)
				goto out;
			if (k->verified) {
				f->r->reused++;
				continue;
			}
		}
		b.files[n].url = k->url;
		b.files[n].named_by = k->named_by;
		b.files[n].into_fd = true;
		b.files[n].fd = f->fd;
		b.files[n].at = k->data_at;
		b.files[n].kept = k->kept;
		b.files[n].size = k->v->packed_size;
		b.files[n].sha256 = k->v->sha256;
		b.files[n].want_crc32 = true;
		b.files[n].verified = downloaded_one;
		b.files[n].ctx = &b;
		b.which[n] = k;
		n++;
	}
	f->r->downloaded = n;
	if (n == 0) {
		ret = 0;
		goto out;
	}
	if ((ret = http_open(f->o->net, &h, f->err)) != 0)
		goto out;
	ret = http_get_files(h, b.files, n, f->o->jobs, f->err);
	for (i = 0; i < n; i++) {
		f->r->received += b.files[i].received;
		f->r->resumed += b.files[i].resumed_at;
		b.which[i]->kept = b.files[i].in_place;
		b.which[i]->verified = b.files[i].code == 0 &&
		    b.files[i].in_place == b.files[i].size;
		b.which[i]->crc32 = b.which[i]->verified ? b.files[i].crc32 : 0;
	}
out:
	http_close(h);
	free(b.files);
	free(b.which);
	return ret;
}

/* Each VIB of bytes fetched for another pick: its region copied (in the
 * kernel where it can be), its CRC-32 that one's. */
static int
copy_same(struct fetch *f)
{
	char *buf = NULL;
	ssize_t n;
	int ret = 0;

	for (size_t i = 0; i < f->npicks && ret == 0; i++) {
		struct pick *k = &f->picks[i];
		uint64_t done = 0, size = k->v->packed_size;
#ifdef __linux__
		bool kernel = true;
#else
		bool kernel = false;
#endif
		if (k->same == NULL)
			continue;
		while (done < size && ret == 0) {
			size_t step = size - done < COPY_BUF ?
			    (size_t)(size - done) : COPY_BUF;
			loff_t from = (loff_t)(k->same->data_at + done);
			loff_t to = (loff_t)(k->data_at + done);

			if (outdir_interrupted()) {
				ret = dv_error_set(f->err, DV_EINTR,
				    "interrupted");
				break;
			}
			n = -1;
#ifdef __linux__
			if (kernel) {
				n = copy_file_range(f->fd, &from, f->fd, &to,
				    step, 0);
				if (n < 0 && (errno == EXDEV || errno == ENOSYS ||
				    errno == EINVAL || errno == EOPNOTSUPP)) {
					kernel = false;
					continue;
				}
			}
#endif
			if (!kernel) {
				if (buf == NULL)
					buf = xmalloc(COPY_BUF);
				n = pread(f->fd, buf, step, (off_t)from);
				if (n > 0 && (ret = fd_pwrite_all(f->fd, buf,
				    (size_t)n, (uint64_t)to, f->zip.buf,
				    f->err)) != 0)
					break;
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n == 0)
				errno = EIO; /* shorter than laid out */
			if (n <= 0)
				ret = dv_error_errno(f->err, DV_EIO, "%s: cannot "
				    "copy %s within it", f->zip.buf, k->member);
			else
				done += (uint64_t)n;
		}
		k->crc32 = k->same->crc32;
		k->verified = ret == 0;
	}
	free(buf);
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

/* A VIB's region of the zip being built, read as a byte source. */
struct region {
	int fd;
	uint64_t at, left;
	const char *path;
};

static long
region_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct region *r = ctx;
	ssize_t n;

	if (len > r->left)
		len = (size_t)r->left;
	if (len > LONG_MAX)
		len = LONG_MAX;
	if (len == 0)
		return 0;
	do
		n = pread(r->fd, buf, len, (off_t)r->at);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot read", r->path);
	if (n == 0)
		return dv_error_set(err, DV_EIO, "%s: shorter than laid out",
		    r->path);
	r->at += (uint64_t)n;
	r->left -= (uint64_t)n;
	return (long)n;
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
	struct byte_source src = {region_read, NULL};
	struct region reg;
	const char *end, *name, *version;
	int ret;

	vib_scan_init(&scan);
	for (size_t i = 0; i < f->npicks && k == NULL; i++)
		if (f->picks[i].v == v)
			k = &f->picks[i];
	if (k == NULL)
		return dv_error_set(err, DV_EFORMAT, "%s: VIB %s is not one "
		    "fetched", v->source, v->id);
	reg = (struct region){f->fd, k->data_at, k->v->packed_size,
	    f->zip.buf};
	src.ctx = &reg;
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
 * The output zip, written once: each VIB was downloaded straight into its
 * place (lay_out fixed every VIB's offset before any download: stored,
 * its local header 30 bytes + its name (+ 20 for zip64) before its
 * bytes), so a VIB's bytes reach the disk once, not once into a state
 * file and again into the zip.  After them come the members whose content
 * depends on the downloads (index.xml, vendor-index.xml, metadata.zip:
 * legacy_vib_doc reads a downloaded descriptor.xml), stored too; then
 * each local header with the CRC-32 found while its VIB downloaded (no
 * second read), the central directory and the end records, and one
 * fsync.  Readers go by the central directory, so the VIBs coming first
 * is no matter to esxcli's Python zipfile or to ours.  Resume stands on
 * the journal beside it: a hint, each region it calls verified hashed
 * again before it is trusted.
 */
static int
write_zip(struct fetch *f, const struct depot_profile *p,
    const struct depot *from)
{
	struct sbuf index = SBUF_INIT(SBUF_NOCAP), vendor = SBUF_INIT(SBUF_NOCAP);
	struct sbuf meta = SBUF_INIT(DV_MAX_METADATA_ZIP);
	struct zip_stored *small = f->members + f->npicks;
	uint64_t end;
	int ret;

	make_indexes(from, metadata_of(from, p->source), &index, &vendor);
	if ((ret = make_metadata(f, p, &meta)) != 0)
		goto out;
	small[0] = (struct zip_stored){"index.xml", index.len, 0, index.buf,
	    0};
	small[1] = (struct zip_stored){"vendor-index.xml", vendor.len, 0,
	    vendor.buf, 0};
	small[2] = (struct zip_stored){"metadata.zip", meta.len, 0, meta.buf,
	    0};
	for (size_t i = 0; i < f->npicks; i++)
		f->members[i].crc32 = f->picks[i].crc32;
	if ((ret = zip_layout(small, SMALL_MEMBERS, f->vibs_end, &end,
	    f->err)) != 0 ||
	    (ret = zip_write_stored(f->fd, f->zip.buf, f->members,
	    f->npicks + SMALL_MEMBERS, f->err)) != 0)
		goto out;
	ret = close(f->fd) != 0 ? dv_error_errno(f->err, DV_EIO, "%s: cannot "
	    "write", f->zip.buf) : 0;
	f->fd = -1;
out:
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

/* The state folder's own files; another's (an older version's) stay. */
static void
remove_state(struct fetch *f)
{
	struct sbuf tmp = SBUF_INIT(SBUF_NOCAP);

	sbuf_addf(&tmp, "%s.tmp", f->journal.buf);
	(void)unlink(f->journal.buf);
	(void)unlink(tmp.buf);
	(void)rmdir(f->state.buf);
	sbuf_release(&tmp);
}

/*
 * The zip being built, at the journal's word: as it left it when the
 * journal is this layout's, else emptied (another profile's, or damage:
 * start over).
 */
static int
open_zip(struct fetch *f)
{
	bool resume;

	f->fd = open(f->zip.buf, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (f->fd < 0)
		return dv_error_errno(f->err, DV_EIO, "%s: cannot open",
		    f->zip.buf);
	resume = journal_read(f);
	if (!resume && ftruncate(f->fd, 0) != 0)
		return dv_error_errno(f->err, DV_EIO, "%s: cannot resize",
		    f->zip.buf);
	return 0;
}

int
depot_fetch(struct depot *const *depots, size_t n,
    const struct fetch_opts *o, struct fetch_report *r,
    struct dv_error *err)
{
	struct fetch f = {depots, n, o, r, err, NULL, 0,
	    SBUF_INIT(SBUF_NOCAP), SBUF_INIT(SBUF_NOCAP),
	    SBUF_INIT(SBUF_NOCAP), NULL, 0, -1};
	struct dv_error ignored = DV_ERROR_INIT;
	const struct depot_profile *p = NULL;
	const struct depot *from = NULL;
	const char *base = strrchr(o->out, '/');
	bool laid_out = false;
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
	sbuf_addf(&f.zip, "%s/out.zip", f.state.buf);
	sbuf_addf(&f.journal, "%s/journal", f.state.buf);
	snprintf(r->state, sizeof(r->state), "%s", f.state.buf);
	if (mkdir(f.state.buf, 0700) != 0 && errno != EEXIST) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot make", f.state.buf);
		goto out;
	}
	if ((ret = find_profile(&f, &p, &from)) != 0 ||
	    (ret = pick_vibs(&f, p)) != 0 ||
	    (ret = lay_out(&f)) != 0 ||
	    (ret = open_zip(&f)) != 0)
		goto out;
	laid_out = true;
	r->profile = p;
	r->from = from;
	r->vibs = f.npicks;
	if ((ret = download(&f)) != 0 ||
	    (ret = copy_same(&f)) != 0 ||
	    (ret = write_zip(&f, p, from)) != 0 ||
	    (ret = check_written(&f, f.zip.buf)) != 0)
		goto out;
	if (rename(f.zip.buf, o->out) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot rename to %s",
		    f.zip.buf, o->out);
		goto out;
	}
	if ((ret = sync_dir_of(o->out, err)) != 0)
		goto out;
	remove_state(&f);
	ret = 0;
out:
	/* Stopped (an error, a signal): what is in place is journaled for
	 * the next run, whose own error this is not. */
	if (ret != 0 && laid_out)
		(void)journal_write(&f, &ignored);
	if (f.fd >= 0)
		close(f.fd);
	for (i = 0; i < f.npicks; i++) {
		free(f.picks[i].member);
		free(f.picks[i].url);
		free(f.picks[i].named_by);
	}
	free(f.picks);
	free(f.members);
	sbuf_release(&f.state);
	sbuf_release(&f.zip);
	sbuf_release(&f.journal);
	return ret;
}
