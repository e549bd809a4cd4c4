/* zip.c - the only user of libzip: list and read zip members, write zips. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "depot_int.h"
#include "gzip.h"
#include "outdir.h"

/* A local header offset not known (the central directory was not read). */
#define NO_OFFSET UINT64_MAX

struct zipfile {
	zip_t *za;
	char *label; /* what messages call this archive */
	size_t count;
	bool *nul_name; /* member i's stored name holds a NUL byte */
	uint64_t *local_at; /* member i's local header, or NO_OFFSET */
	char *path;	    /* the file, for zipstream_open_covered */
	int fd;		    /* opened on it by the first such stream */
};

struct zipstream {
	zip_file_t *zf; /* NULL: read straight from fd */
	const char *label;
	const char *name;
	uint64_t size; /* what the central directory declares */
	uint64_t got;
	int fd;
	uint64_t data_at; /* where the member's data starts in fd */
	uint32_t crc, crc_want; /* read so far; the central directory's */
	/* A deflated member read straight from fd (inflate != NULL). */
	struct gz_raw *inflate;
	unsigned char *in; /* compressed bytes read, INFLATE_IN_CHUNK */
	const void *in_next;
	size_t in_avail;
	uint64_t csize, cgot; /* compressed: declared, read so far */
	bool checked;	      /* the end and the CRC-32 were checked */
};

/*
 * Compressed bytes read from the file at a time for a deflated member:
 * libzip reads a few KiB per call; this is one pread per 256 KiB.
 */
#define INFLATE_IN_CHUNK ((size_t)256 << 10)

/* The end-of-central-directory record sits in the last 64 KiB + 22. */
#define EOCD_SPAN (65535 + 22)

/* A whole end record (22 bytes from its signature) in tail. */
static bool
has_eocd(const unsigned char *tail, size_t n)
{
	for (size_t i = n >= 22 ? n - 22 + 1 : 0; i-- > 0;)
		if (memcmp(tail + i, "PK\5\6", 4) == 0)
			return true;
	return false;
}

/*
 * libzip's "not a zip", said for what the file is (its first bytes, head,
 * and its last, tail): a zip cut short (a local header first, no end of
 * central directory anywhere: the usual broken download), a VIB, or
 * anything else.
 */
static int
not_a_zip(const unsigned char *head, size_t nhead, const unsigned char *tail,
    size_t ntail, const char *label, struct dv_error *err)
{
	if (nhead >= 4 && memcmp(head, "PK\3\4", 4) == 0 &&
	    !has_eocd(tail, ntail))
		return dv_error_set(err, DV_EZIP, "%s: truncated or damaged "
		    "zip: no end of central directory; download it again",
		    label);
	if (nhead >= 8 && memcmp(head, "!<arch>\n", 8) == 0)
		return dv_error_set(err, DV_EISVIB, "%s: a VIB (an ar "
		    "archive), not a depot zip", label);
	return dv_error_set(err, DV_ENOTZIP, "%s: not a zip archive", label);
}

/* What the bytes at both ends of an archive are, for not_a_zip. */
struct zip_ends {
	const unsigned char *head, *tail;
	size_t nhead, ntail;
};

static int
zip_open_error(int zerr, int sys, const struct zip_ends *ends,
    const char *label, struct dv_error *err)
{
	zip_error_t ze;
	int ret;

	zip_error_init_with_code(&ze, zerr);
	switch (zerr) {
	case ZIP_ER_NOZIP:
		ret = not_a_zip(ends->head, ends->nhead, ends->tail,
		    ends->ntail, label, err);
		break;
	case ZIP_ER_OPEN:
	case ZIP_ER_READ:
	case ZIP_ER_SEEK:
		errno = sys != 0 ? sys : errno;
		ret = dv_error_set(err, DV_EIO, "%s: cannot read: %s", label,
		    zip_error_strerror(&ze));
		break;
	case ZIP_ER_EXISTS:
		/* What libzip says when the directory names a member twice. */
		ret = dv_error_set(err, DV_EZIP, "%s: damaged zip archive: "
		    "two members of one name", label);
		break;
	case ZIP_ER_MEMORY:
		ret = dv_error_set(err, DV_ELIMIT, "%s: %s", label,
		    zip_error_strerror(&ze));
		break;
	default:
		ret = dv_error_set(err, DV_EZIP, "%s: damaged zip archive: %s",
		    label, zip_error_strerror(&ze));
		break;
	}
	zip_error_fini(&ze);
	return ret;
}

/* Little-endian fields of the central directory. */
static uint32_t
get16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- the central directory, read before libzip --------------------------- */

/* The archive's bytes: in memory (fd < 0), or a file read with pread. */
struct raw {
	const unsigned char *mem;
	int fd;
	uint64_t size;
};

/* Where the end record (or zip64's) puts the central directory. */
struct cd_end {
	uint64_t off, size, entries;
};

/* One central directory entry, as the scan needs it. */
struct cd_rec {
	uint64_t off, end; /* its local header, and the end of its data */
	uint64_t hash;     /* of the name, to find duplicates */
	uint32_t index;
};

static bool
raw_read(const struct raw *r, uint64_t off, void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t n;

	if (off > r->size || len > r->size - off)
		return false;
	if (r->fd < 0) {
		memcpy(buf, r->mem + off, len);
		return true;
	}
	while (len > 0) {
		n = pread(r->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return true;
}

/* A member name for a message: control bytes as \xNN, cut at 200. */
static const char *
cd_name(const unsigned char *name, size_t len, struct sbuf *sb)
{
	sbuf_reset(sb);
	for (size_t i = 0; i < len; i++) {
		if (i == 200) {
			sbuf_adds(sb, "...");
			break;
		}
		if (name[i] < 0x20 || name[i] == 0x7f)
			sbuf_addf(sb, "\\x%02x", name[i]);
		else
			sbuf_addch(sb, (char)name[i]);
	}
	return sb->buf;
}

/*
 * Find the end record where libzip finds it (the last one in the final
 * 64 KiB), and the zip64 end record when its locator stands before it.
 * 1: found, into *e; 0: no end record (libzip will say why); < 0: a
 * zip64 field that points nowhere, refused.
 */
static int
find_end(const struct raw *r, const char *label, struct cd_end *e,
    struct dv_error *err)
{
	unsigned char tail[65557], loc[20], rec[56];
	uint64_t eocd, z64;
	size_t n, i;
	long at = -1;

	n = r->size < sizeof(tail) ? (size_t)r->size : sizeof(tail);
	if (n < 22 || !raw_read(r, r->size - n, tail, n))
		return 0;
	for (i = n - 22 + 1; i-- > 0;)
		if (get32(tail + i) == 0x06054b50) {
			at = (long)i;
			break;
		}
	if (at < 0)
		return 0;
	eocd = r->size - n + (uint64_t)at;
	e->entries = get16(tail + at + 10);
	e->size = get32(tail + at + 12);
	e->off = get32(tail + at + 16);
	if (eocd < 20 || !raw_read(r, eocd - 20, loc, 20) ||
	    get32(loc) != 0x07064b50)
		return 1;
	z64 = get64(loc + 8);
	if (!raw_read(r, z64, rec, 56))
		return dv_error_set(err, DV_EZIP, "%s: damaged zip archive: "
		    "the zip64 locator's offset of the zip64 end record, %llu, "
		    "is past the end of the file (%llu bytes)", label,
		    (unsigned long long)z64, (unsigned long long)r->size);
	if (get32(rec) != 0x06064b50)
		return dv_error_set(err, DV_EZIP, "%s: damaged zip archive: "
		    "the zip64 locator's offset of the zip64 end record, %llu, "
		    "does not point at one", label, (unsigned long long)z64);
	e->entries = get64(rec + 32);
	e->size = get64(rec + 40);
	e->off = get64(rec + 48);
	return 1;
}

/*
 * The sizes and offset of the entry at p (len bytes with its name and
 * extra field): the zip64 extra field replaces those set to all ones.
 * The name of a field that should be there and is not, or NULL.
 */
static const char *
cd_fields(const unsigned char *p, uint64_t *csize, uint64_t *off)
{
	uint32_t nlen = get16(p + 28), xlen = get16(p + 30), id, dlen;
	const unsigned char *x = p + 46 + nlen, *xend = x + xlen, *d;
	bool want_u = get32(p + 24) == 0xffffffff;

	*csize = get32(p + 20);
	*off = get32(p + 42);
	if (!want_u && *csize != 0xffffffff && *off != 0xffffffff)
		return NULL;
	for (; xend - x >= 4; x += 4 + dlen) {
		id = get16(x);
		dlen = get16(x + 2);
		if (dlen > (size_t)(xend - x - 4))
			break;
		if (id != 0x0001)
			continue;
		d = x + 4;
		if (want_u) {
			if (dlen < 8)
				return "uncompressed size";
			d += 8;
			dlen -= 8;
		}
		if (*csize == 0xffffffff) {
			if (dlen < 8)
				return "compressed size";
			*csize = get64(d);
			d += 8;
			dlen -= 8;
		}
		if (*off == 0xffffffff) {
			if (dlen < 8)
				return "local header offset";
			*off = get64(d);
		}
		return NULL;
	}
	return want_u ? "uncompressed size" : *csize == 0xffffffff ?
	    "compressed size" : "local header offset";
}

/* By key, then by place in the directory: qsort's order is then fixed. */
static int
rec_cmp(uint64_t kx, uint64_t ky, const struct cd_rec *x,
    const struct cd_rec *y)
{
	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int
rec_by_off(const void *a, const void *b)
{
	const struct cd_rec *x = a, *y = b;

	return rec_cmp(x->off, y->off, x, y);
}

static int
rec_by_hash(const void *a, const void *b)
{
	const struct cd_rec *x = a, *y = b;

	return rec_cmp(x->hash, y->hash, x, y);
}

static uint64_t
name_hash(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (len-- > 0)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

/* What the scan keeps: each member's start in cd, for messages. */
struct cd_scan {
	unsigned char *cd;
	uint64_t *at; /* offset in cd of entry i */
	struct cd_rec *recs;
	size_t n;
};

static const char *
scan_name(const struct cd_scan *sc, size_t i, struct sbuf *sb)
{
	const unsigned char *p = sc->cd + sc->at[i];

	return cd_name(p + 46, get16(p + 28), sb);
}

/* One entry: its header's fields against the archive around it. */
static int
scan_entry(const struct raw *r, struct cd_scan *sc, size_t i,
    const struct cd_end *e, const char *label, bool *nul,
    struct dv_error *err)
{
	const unsigned char *p = sc->cd + sc->at[i];
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	unsigned char lh[30];
	uint32_t nlen = get16(p + 28), flags = get16(p + 8);
	uint32_t method = get16(p + 10);
	uint64_t csize, off, data;
	const char *missing;
	int ret = 0;

	*nul = memchr(p + 46, '\0', nlen) != NULL;
	if ((flags & 1) != 0 || method == 99) {
		ret = dv_error_set(err, DV_EZIP, "%s: %s: encrypted member, "
		    "which depots never have", label, scan_name(sc, i, &sb));
		goto out;
	}
	if ((missing = cd_fields(p, &csize, &off)) != NULL) {
		ret = dv_error_set(err, DV_EZIP, "%s: %s: damaged zip archive: "
		    "its zip64 extra field lacks the %s", label,
		    scan_name(sc, i, &sb), missing);
		goto out;
	}
	if (off >= e->off || e->off - off < 30 || !raw_read(r, off, lh, 30) ||
	    get32(lh) != 0x04034b50) {
		ret = dv_error_set(err, DV_EZIP, "%s: %s: damaged zip archive: "
		    "no local header at the offset its central directory entry "
		    "gives (%llu%s)", label, scan_name(sc, i, &sb),
		    (unsigned long long)off, off >= r->size ?
		    ", past the end of the file" : off >= e->off ?
		    ", inside the central directory" : "");
		goto out;
	}
	data = off + 30 + get16(lh + 26) + get16(lh + 28);
	if (data > e->off || csize > e->off - data) {
		ret = dv_error_set(err, DV_EZIP, "%s: %s: damaged zip archive: "
		    "its compressed size, %llu bytes, runs past the %s", label,
		    scan_name(sc, i, &sb), (unsigned long long)csize,
		    data + csize > r->size || data + csize < data ?
		    "end of the file" : "start of the central directory");
		goto out;
	}
	sc->recs[i].off = off;
	sc->recs[i].end = data + csize;
	sc->recs[i].hash = name_hash(p + 46, nlen);
	sc->recs[i].index = (uint32_t)i;
out:
	sbuf_release(&sb);
	return ret;
}

/* Two members whose bytes overlap, or two of one name: refused. */
static int
scan_pairs(struct cd_scan *sc, const char *label, struct dv_error *err)
{
	struct sbuf a = SBUF_INIT(SBUF_NOCAP), b = SBUF_INIT(SBUF_NOCAP);
	const unsigned char *x, *y;
	size_t k;
	int ret = 0;

	/*
	 * Each member's data must end before the next local header starts,
	 * as Python's zipfile (3.12) insists: overlapping members let a
	 * small archive inflate one block of data many times over.
	 */
	qsort(sc->recs, sc->n, sizeof(*sc->recs), rec_by_off);
	for (k = 0; k + 1 < sc->n; k++)
		if (sc->recs[k].end > sc->recs[k + 1].off) {
			ret = dv_error_set(err, DV_EZIP, "%s: %s: overlaps the "
			    "member %s, as the members of a zip bomb do; "
			    "refused", label, scan_name(sc,
			    sc->recs[k].index, &a), scan_name(sc,
			    sc->recs[k + 1].index, &b));
			goto out;
		}
	qsort(sc->recs, sc->n, sizeof(*sc->recs), rec_by_hash);
	for (k = 0; k + 1 < sc->n; k++) {
		if (sc->recs[k].hash != sc->recs[k + 1].hash)
			continue;
		x = sc->cd + sc->at[sc->recs[k].index];
		y = sc->cd + sc->at[sc->recs[k + 1].index];
		if (get16(x + 28) == get16(y + 28) &&
		    memcmp(x + 46, y + 46, get16(x + 28)) == 0) {
			ret = dv_error_set(err, DV_EZIP, "%s: two members named "
			    "%s", label, scan_name(sc, sc->recs[k].index, &a));
			goto out;
		}
	}
out:
	sbuf_release(&a);
	sbuf_release(&b);
	return ret;
}

/*
 * Read the central directory before libzip does, and refuse what libzip
 * would misname or not see: more members or a bigger directory than the
 * limits (libzip would hold it all), encrypted members, fields that point
 * outside the archive, overlapping members, two members of one name.  It
 * also notes NUL bytes in names, which libzip's C strings cut off.
 * *nul_names (malloc'd, one per member) is set when the directory could
 * be read; when it could not, libzip is left to say why.
 */
static int
scan_central_directory(const struct raw *r, const char *label,
    bool **nul_names, uint64_t **local_at, size_t *count,
    struct dv_error *err)
{
	struct cd_scan sc = {0};
	struct cd_end e;
	uint64_t pos, *at = NULL;
	size_t i;
	bool *nul = NULL;
	int ret;

	*nul_names = NULL;
	*local_at = NULL;
	if ((ret = find_end(r, label, &e, err)) <= 0)
		return ret;
	ret = 0;
	if (e.entries > DV_MAX_ZIP_ENTRIES)
		return dv_error_set(err, DV_ELIMIT, "%s: more than %u members",
		    label, DV_MAX_ZIP_ENTRIES);
	if (e.size > DV_MAX_ZIP_CD)
		return dv_error_set(err, DV_ELIMIT, "%s: central directory of "
		    "%llu bytes, more than the %u allowed", label,
		    (unsigned long long)e.size, DV_MAX_ZIP_CD);
	sc.cd = xmalloc((size_t)e.size + 1);
	if (!raw_read(r, e.off, sc.cd, (size_t)e.size))
		goto out; /* libzip says where it is not */
	sc.n = (size_t)e.entries;
	sc.at = xcalloc(sc.n + 1, sizeof(*sc.at));
	sc.recs = xcalloc(sc.n + 1, sizeof(*sc.recs));
	nul = xcalloc(sc.n + 1, sizeof(*nul));
	at = xcalloc(sc.n + 1, sizeof(*at));
	for (pos = 0, i = 0; i < sc.n; i++) {
		if (pos + 46 > e.size || get32(sc.cd + pos) != 0x02014b50 ||
		    pos + 46 + get16(sc.cd + pos + 28) +
		    get16(sc.cd + pos + 30) + get16(sc.cd + pos + 32) > e.size)
			goto out;
		sc.at[i] = pos;
		if ((i & 0xffff) == 0 && outdir_interrupted()) {
			ret = dv_error_set(err, DV_EINTR, "%s: interrupted; "
			    "nothing was written", label);
			goto out;
		}
		if ((ret = scan_entry(r, &sc, i, &e, label, &nul[i],
		    err)) != 0)
			goto out;
		at[i] = sc.recs[i].off;
		pos += 46 + (uint64_t)get16(sc.cd + pos + 28) +
		    get16(sc.cd + pos + 30) + get16(sc.cd + pos + 32);
	}
	if ((ret = scan_pairs(&sc, label, err)) != 0)
		goto out;
	*nul_names = nul;
	*local_at = at;
	*count = sc.n;
	nul = NULL;
	at = NULL;
out:
	free(nul);
	free(at);
	free(sc.cd);
	free(sc.at);
	free(sc.recs);
	return ret;
}

static int
zipfile_setup(zip_t *za, const char *label, bool *nul_names,
    uint64_t *local_at, size_t count, struct zipfile **out,
    struct dv_error *err)
{
	struct zipfile *zf;
	zip_int64_t n = zip_get_num_entries(za, 0);

	/*
	 * libzip, opened with ZIP_CHECKCONS, accepted the directory the scan
	 * could not read: refuse rather than trust names it could not check
	 * (this does not happen to an honest archive).
	 */
	if (nul_names == NULL || n < 0 || (uint64_t)n != count) {
		zip_discard(za);
		free(nul_names);
		free(local_at);
		return dv_error_set(err, DV_EZIP, "%s: damaged zip archive: "
		    "its central directory cannot be read", label);
	}
	zf = xcalloc(1, sizeof(*zf));
	zf->za = za;
	zf->label = xstrdup(label);
	zf->count = count;
	zf->nul_name = nul_names;
	zf->local_at = local_at;
	zf->fd = -1;
	*out = zf;
	return 0;
}

/* zip_open_error for a file: read its two ends first. */
static int
zip_open_error_file(int zerr, int sys, const char *path,
    const struct stat *st, struct dv_error *err)
{
	unsigned char head[8], *tail = xmalloc(EOCD_SPAN);
	struct zip_ends ends = {head, tail, 0, 0};
	FILE *fp = fopen(path, "rb");
	off_t from = st->st_size > EOCD_SPAN ? st->st_size - EOCD_SPAN : 0;
	int ret;

	if (fp != NULL) {
		ends.nhead = fread(head, 1, sizeof(head), fp);
		if (fseeko(fp, from, SEEK_SET) == 0)
			ends.ntail = fread(tail, 1, EOCD_SPAN, fp);
		fclose(fp);
	}
	ret = zip_open_error(zerr, sys, &ends, path, err);
	free(tail);
	return ret;
}

int
zipfile_open(const char *path, struct zipfile **out, struct dv_error *err)
{
	struct stat st;
	struct raw r = {NULL, -1, 0};
	bool *nul = NULL;
	uint64_t *local_at = NULL;
	size_t count = 0;
	zip_t *za;
	int zerr = 0, ret;

	*out = NULL;
	if ((r.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(r.fd, &st) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = dv_error_set(err, DV_EIO,
		    "%s: is a directory, not a depot zip", path);
		goto out;
	}
	if (st.st_size == 0) {
		ret = dv_error_set(err, DV_ENOTZIP,
		    "%s: empty file, not a zip archive", path);
		goto out;
	}
	r.size = (uint64_t)st.st_size;
	if (S_ISREG(st.st_mode))
		dv_inflate_grant(r.size);
	if ((ret = scan_central_directory(&r, path, &nul, &local_at, &count,
	    err)) != 0)
		goto out;
	/*
	 * ZIP_CHECKCONS: each local header must agree with the central
	 * directory (name, sizes, CRC, method), as Python's zipfile, which
	 * esxcli reads depots with, insists; otherwise two readers could see
	 * two different archives in one file.
	 */
	za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (za == NULL) {
		ret = zip_open_error_file(zerr, errno, path, &st, err);
		goto out;
	}
	ret = zipfile_setup(za, path, nul, local_at, count, out, err);
	nul = NULL;
	local_at = NULL;
	if (ret == 0)
		(*out)->path = xstrdup(path);
out:
	free(nul);
	free(local_at);
	if (r.fd >= 0)
		close(r.fd);
	return ret;
}

int
zipfile_open_mem(const void *data, size_t len, const char *label,
    struct zipfile **out, struct dv_error *err)
{
	struct raw r = {data, -1, len};
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	bool *nul = NULL;
	uint64_t *local_at = NULL;
	size_t count = 0;
	int ret;

	*out = NULL;
	if (len == 0)
		return dv_error_set(err, DV_ENOTZIP,
		    "%s: empty file, not a zip archive", label);
	if ((ret = scan_central_directory(&r, label, &nul, &local_at, &count,
	    err)) != 0)
		return ret;
	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	if (src == NULL) {
		zip_error_fini(&ze);
		free(nul);
		free(local_at);
		return dv_error_set(err, DV_EZIP, "%s: cannot read zip", label);
	}
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (za == NULL) {
		struct zip_ends ends = {data, (const unsigned char *)data +
		    (len > EOCD_SPAN ? len - EOCD_SPAN : 0), len,
		    len > EOCD_SPAN ? EOCD_SPAN : len};

		ret = zip_open_error(zip_error_code_zip(&ze), 0, &ends, label,
		    err);
		zip_source_free(src);
		zip_error_fini(&ze);
		free(nul);
		free(local_at);
		return ret;
	}
	zip_error_fini(&ze);
	return zipfile_setup(za, label, nul, local_at, count, out, err);
}

void
zipfile_close(struct zipfile *zf)
{
	if (zf == NULL)
		return;
	zip_discard(zf->za);
	if (zf->fd >= 0)
		close(zf->fd);
	free(zf->path);
	free(zf->label);
	free(zf->nul_name);
	free(zf->local_at);
	free(zf);
}

const char *
zipfile_label(const struct zipfile *zf)
{
	return zf->label;
}

size_t
zipfile_count(const struct zipfile *zf)
{
	return zf->count;
}

int
zipfile_entry(struct zipfile *zf, size_t i, struct zip_entry *out,
    struct dv_error *err)
{
	zip_stat_t st;
	zip_uint8_t opsys;
	zip_uint32_t attr;
	unsigned mode;
	size_t len;

	memset(out, 0, sizeof(*out));
	zip_stat_init(&st);
	if (zip_stat_index(zf->za, i, 0, &st) != 0 ||
	    (st.valid & ZIP_STAT_NAME) == 0)
		return dv_error_set(err, DV_EZIP, "%s: member %zu: %s",
		    zf->label, i, zip_strerror(zf->za));
	out->name = st.name;
	out->size = st.size;
	out->comp_size = st.comp_size;
	out->mtime = (st.valid & ZIP_STAT_MTIME) != 0 ? (int64_t)st.mtime : -1;
	len = strlen(st.name);
	out->kind = len > 0 && st.name[len - 1] == '/' ? ZIP_ENTRY_DIR :
	    ZIP_ENTRY_FILE;
	/*
	 * A NUL inside the stored name would let two names look alike.  (The
	 * raw name's length says nothing: libzip turns a CP437 name into
	 * longer UTF-8, and cuts both at a NUL.)
	 */
	out->name_has_nul = zf->nul_name[i];
	if (zip_file_get_external_attributes(zf->za, i, 0, &opsys, &attr) ==
	    0 && opsys == ZIP_OPSYS_UNIX) {
		mode = attr >> 16;
		out->mode = mode & 07777;
		/* Many writers store permissions without the type bits. */
		if ((mode & S_IFMT) == 0)
			;
		else if (S_ISLNK(mode))
			out->kind = ZIP_ENTRY_SYMLINK;
		else if (S_ISDIR(mode))
			out->kind = ZIP_ENTRY_DIR;
		else if (!S_ISREG(mode))
			out->kind = ZIP_ENTRY_OTHER;
	}
	return 0;
}

long
zipfile_find(struct zipfile *zf, const char *name)
{
	zip_int64_t i = zip_name_locate(zf->za, name, 0);

	return i < 0 ? -1 : (long)i;
}

int
zipstream_open(struct zipfile *zf, size_t i, struct zipstream **out,
    struct dv_error *err)
{
	struct zipstream *zs;
	zip_stat_t st;
	zip_file_t *f;

	*out = NULL;
	zip_stat_init(&st);
	if (zip_stat_index(zf->za, i, 0, &st) != 0 ||
	    (st.valid & ZIP_STAT_SIZE) == 0)
		return dv_error_set(err, DV_EZIP, "%s: member %zu: %s",
		    zf->label, i, zip_strerror(zf->za));
	f = zip_fopen_index(zf->za, i, 0);
	if (f == NULL)
		return dv_error_set(err, DV_EZIP, "%s: %s: cannot read: %s",
		    zf->label, zip_get_name(zf->za, i, 0),
		    zip_strerror(zf->za));
	zs = xcalloc(1, sizeof(*zs));
	zs->zf = f;
	zs->label = zf->label;
	zs->name = zip_get_name(zf->za, i, 0);
	zs->size = st.size;
	*out = zs;
	return 0;
}

/*
 * General purpose flags that leave a deflated member to libzip: encrypted
 * (bit 0, strong encryption bit 6, a masked local header bit 13) or its
 * sizes in a data descriptor after the data (bit 3).  Unusual in a depot;
 * libzip knows them, and this reader need not.
 */
#define LH_FLAGS_LIBZIP (1u << 0 | 1u << 3 | 1u << 6 | 1u << 13)

/*
 * Member i's data in its zip file: its central directory entry as libzip
 * read it, where its data starts and the general purpose flags, read from
 * its local header (which ZIP_CHECKCONS has held to the central
 * directory).  -1 for a zip in memory, an encrypted member, or a local
 * header that cannot be read.
 */
static int
member_data_at(struct zipfile *zf, size_t i, zip_stat_t *st, uint64_t *at,
    unsigned *flags)
{
	unsigned char lh[30];
	uint64_t lh_at;
	const zip_uint64_t need = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE |
	    ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD | ZIP_STAT_CRC;

	zip_stat_init(st);
	if (zf->path == NULL || i >= zf->count ||
	    zip_stat_index(zf->za, i, 0, st) != 0 ||
	    (st->valid & need) != need ||
	    st->encryption_method != ZIP_EM_NONE)
		return -1;
	lh_at = zf->local_at[i];
	if (lh_at == NO_OFFSET ||
	    lh_at > UINT64_MAX - 30 - 2 * (uint64_t)65535)
		return -1;
	if (zf->fd < 0)
		zf->fd = open(zf->path, O_RDONLY | O_CLOEXEC);
	if (zf->fd < 0 || pread(zf->fd, lh, sizeof(lh), (off_t)lh_at) !=
	    (ssize_t)sizeof(lh) || get32(lh) != 0x04034b50)
		return -1;
	*at = lh_at + sizeof(lh) + get16(lh + 26) + get16(lh + 28);
	*flags = get16(lh + 6);
	return 0;
}

int
zipfile_stored_range(struct zipfile *zf, size_t i, struct zip_range *r)
{
	zip_stat_t st;
	uint64_t at;
	unsigned flags;

	if (member_data_at(zf, i, &st, &at, &flags) != 0 ||
	    st.comp_method != ZIP_CM_STORE || st.comp_size != st.size)
		return -1;
	r->path = zf->path;
	r->from = at;
	r->size = st.size;
	r->crc32 = st.crc;
	return 0;
}

int
zipstream_open_covered(struct zipfile *zf, size_t i, struct zipstream **out,
    struct dv_error *err)
{
	struct zipstream *zs;
	zip_stat_t st;
	uint64_t at;
	unsigned flags;

	*out = NULL;
	if (member_data_at(zf, i, &st, &at, &flags) != 0 ||
	    (st.comp_method == ZIP_CM_STORE ? st.comp_size != st.size :
	    st.comp_method != ZIP_CM_DEFLATE ||
	    (flags & LH_FLAGS_LIBZIP) != 0))
		return zipstream_open(zf, i, out, err);
	zs = xcalloc(1, sizeof(*zs));
	/*
	 * Deflated: inflated here from big reads of its compressed bytes,
	 * with crc32.c's CRC-32, not libzip's small reads and zlib's CRC.
	 */
	if (st.comp_method == ZIP_CM_DEFLATE) {
		if (gz_raw_open(&zs->inflate) != 0) {
			free(zs);
			return dv_error_set(err, ENOMEM, "%s: %s: out of "
			    "memory", zf->label, zip_get_name(zf->za, i, 0));
		}
		zs->in = xmalloc(INFLATE_IN_CHUNK);
		zs->csize = st.comp_size;
	}
	zs->label = zf->label;
	zs->name = zip_get_name(zf->za, i, 0);
	zs->size = st.size;
	zs->fd = zf->fd;
	zs->data_at = at;
	zs->crc_want = st.crc;
	*out = zs;
	return 0;
}

/*
 * The refusals of every read path: fewer bytes than the header declares,
 * more, a CRC-32 other than it declares (as libzip words the last).
 */
static int
member_short(const struct zipstream *zs, struct dv_error *err)
{
	return dv_error_set(err, DV_EZIP, "%s: %s: damaged zip archive: %llu "
	    "bytes, but its header declares %llu", zs->label, zs->name,
	    (unsigned long long)zs->got, (unsigned long long)zs->size);
}

static int
member_long(const struct zipstream *zs, struct dv_error *err)
{
	return dv_error_set(err, DV_EZIP, "%s: %s: damaged zip archive: more "
	    "data than the %llu bytes its header declares", zs->label,
	    zs->name, (unsigned long long)zs->size);
}

static int
member_crc_error(const struct zipstream *zs, struct dv_error *err)
{
	return dv_error_set(err, DV_EZIP, "%s: %s: CRC error", zs->label,
	    zs->name);
}

/* pread, again when a signal cut it short before it read anything. */
static ssize_t
pread_retry(int fd, void *buf, size_t len, uint64_t at)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)at);
	while (n < 0 && errno == EINTR);
	return n;
}

/* A stored member straight from the file, held to its declared size. */
static long
stored_read(struct zipstream *zs, void *buf, size_t len, struct dv_error *err)
{
	ssize_t n;

	if (len > zs->size - zs->got)
		len = (size_t)(zs->size - zs->got);
	if (len == 0)
		return 0;
	n = pread_retry(zs->fd, buf, len, zs->data_at + zs->got);
	if (n < 0)
		return dv_error_errno(err, DV_EIO, "%s: %s: cannot read",
		    zs->label, zs->name);
	if (n == 0)
		return member_short(zs, err);
	zs->got += (uint64_t)n;
	/*
	 * The metadata's SHA-256 covers these bytes too, but esxcli's
	 * zipfile refuses a member whose CRC-32 is wrong, so verify must
	 * as well: its CRC (crc32.c) costs a fraction of the SHA-256.
	 */
	zs->crc = dv_crc32(zs->crc, buf, (size_t)n);
	if (zs->got == zs->size && zs->crc != zs->crc_want)
		return member_crc_error(zs, err);
	return (long)n;
}

/*
 * Up to len (> 0) bytes of a deflated member inflated into out: how many,
 * 0 at the end of its deflate stream, or an error code.  The input is
 * held to the member's compressed size: a stream that needs more is
 * damaged.  Bytes after the stream's end, within that size, are left
 * unread, as libzip and Python's zipfile (esxcli's reader) leave them:
 * what a reader sees is the same, and the member's digest covers it.
 */
static long
inflate_some(struct zipstream *zs, void *out, size_t len,
    struct dv_error *err)
{
	size_t want;
	ssize_t r;
	long n;

	for (;;) {
		if (gz_raw_ended(zs->inflate))
			return 0;
		if (zs->in_avail == 0 && zs->cgot < zs->csize) {
			/* Deflate can use input and make nothing (empty
			 * blocks): stop here too when asked to. */
			if (outdir_interrupted())
				return dv_error_set(err, DV_EINTR, "%s: %s: "
				    "interrupted; nothing was written",
				    zs->label, zs->name);
			want = zs->csize - zs->cgot < INFLATE_IN_CHUNK ?
			    (size_t)(zs->csize - zs->cgot) : INFLATE_IN_CHUNK;
			r = pread_retry(zs->fd, zs->in, want,
			    zs->data_at + zs->cgot);
			if (r < 0)
				return dv_error_errno(err, DV_EIO, "%s: %s: "
				    "cannot read", zs->label, zs->name);
			if (r == 0)
				return dv_error_set(err, DV_EZIP, "%s: %s: "
				    "damaged zip archive: the file ends inside "
				    "its compressed data", zs->label,
				    zs->name);
			zs->cgot += (uint64_t)r;
			zs->in_next = zs->in;
			zs->in_avail = (size_t)r;
		}
		n = gz_raw_inflate(zs->inflate, &zs->in_next, &zs->in_avail,
		    out, len);
		if (n < 0)
			return dv_error_set(err, DV_EZIP, "%s: %s: damaged zip "
			    "archive: deflate data: %s", zs->label, zs->name,
			    gz_raw_error(zs->inflate));
		if (n > 0)
			return n;
		/* Nothing made: zlib used all the input it had. */
		if (!gz_raw_ended(zs->inflate) && zs->cgot == zs->csize)
			return dv_error_set(err, DV_EZIP, "%s: %s: damaged zip "
			    "archive: its deflate data runs past its "
			    "compressed size, %llu bytes", zs->label, zs->name,
			    (unsigned long long)zs->csize);
	}
}

/*
 * A deflated member straight from the file, held to its declared size
 * both ways (as zipstream_read holds libzip's output), its CRC-32 by
 * crc32.c.  The end is checked when the last declared byte is made, so
 * a reader that stops there has had every check.
 */
static long
inflated_read(struct zipstream *zs, void *buf, size_t len,
    struct dv_error *err)
{
	unsigned char probe;
	long n, more;

	if (len > zs->size - zs->got)
		len = (size_t)(zs->size - zs->got);
	n = len > 0 ? inflate_some(zs, buf, len, err) : 0;
	if (n < 0)
		return n;
	if (n == 0 && zs->got < zs->size)
		return member_short(zs, err);
	zs->got += (uint64_t)n;
	zs->crc = dv_crc32(zs->crc, buf, (size_t)n);
	if (zs->got < zs->size || zs->checked)
		return n;
	/* One byte more than declared is enough to refuse: no bomb runs. */
	if ((more = inflate_some(zs, &probe, 1, err)) < 0)
		return more;
	if (more > 0)
		return member_long(zs, err);
	if (zs->crc != zs->crc_want)
		return member_crc_error(zs, err);
	zs->checked = true;
	return n;
}

long
zipstream_read(struct zipstream *zs, void *buf, size_t len,
    struct dv_error *err)
{
	zip_int64_t n;
	int ret;

	if (outdir_interrupted())
		return dv_error_set(err, DV_EINTR, "%s: %s: interrupted; "
		    "nothing was written", zs->label, zs->name);
	if (zs->zf == NULL) {
		if (len == 0)
			return 0;
		n = zs->inflate != NULL ? inflated_read(zs, buf, len, err) :
		    stored_read(zs, buf, len, err);
		if (n > 0 && (ret = dv_inflate_take((uint64_t)n, zs->label,
		    zs->name, err)) != 0)
			return ret;
		return (long)n;
	}
	n = zip_fread(zs->zf, buf, len);
	if (n < 0)
		return dv_error_set(err, DV_EZIP, "%s: %s: %s", zs->label,
		    zs->name, zip_file_strerror(zs->zf));
	if ((ret = dv_inflate_take((uint64_t)n, zs->label, zs->name,
	    err)) != 0)
		return ret;
	/*
	 * libzip inflates what the data holds, whatever size the headers
	 * declare: hold the member to its declared size, so that a header
	 * that lies cannot make a small member a bomb, and no reader sees
	 * bytes another (Python's zipfile stops at the size) would not.
	 */
	zs->got += (uint64_t)n;
	if (zs->got > zs->size)
		return member_long(zs, err);
	if (n == 0 && len > 0 && zs->got != zs->size)
		return member_short(zs, err);
	return (long)n;
}

void
zipstream_close(struct zipstream *zs)
{
	if (zs == NULL)
		return;
	if (zs->zf != NULL)
		zip_fclose(zs->zf);
	gz_raw_close(zs->inflate);
	free(zs->in);
	free(zs);
}

int
zipfile_read(struct zipfile *zf, size_t i, size_t cap, struct sbuf *out,
    struct dv_error *err)
{
	struct zipstream *zs = NULL;
	char chunk[65536];
	long n;
	int ret;

	sbuf_release(out);
	sbuf_init(out, cap);
	if ((ret = zipstream_open(zf, i, &zs, err)) != 0)
		return ret;
	while ((n = zipstream_read(zs, chunk, sizeof(chunk), err)) > 0) {
		/* The cap holds whatever size the header claims. */
		if (sbuf_add(out, chunk, (size_t)n) != 0) {
			ret = dv_error_set(err, DV_ELIMIT,
			    "%s: %s: larger than %zu bytes", zf->label,
			    zs->name, cap);
			goto out;
		}
	}
	ret = n < 0 ? (int)n : 0;
out:
	zipstream_close(zs);
	return ret;
}

/* ---- the run's inflation budget ------------------------------------------ */

/*
 * Every byte read out of a zip or tar member, at any depth of nesting,
 * counts against one budget for the whole run (threads of verify too):
 * DV_INFLATE_BASE plus DV_INFLATE_RATIO times each archive file opened.
 */
static _Atomic uint64_t inflate_granted = DV_INFLATE_BASE;
static _Atomic uint64_t inflate_used;

void
dv_inflate_grant(uint64_t file_bytes)
{
	uint64_t add = file_bytes > UINT64_MAX / 4 / DV_INFLATE_RATIO ?
	    UINT64_MAX / 4 : file_bytes * DV_INFLATE_RATIO;

	if (atomic_load(&inflate_granted) < UINT64_MAX / 2)
		atomic_fetch_add(&inflate_granted, add);
}

int
dv_inflate_take(uint64_t n, const char *label, const char *name,
    struct dv_error *err)
{
	uint64_t used = atomic_fetch_add(&inflate_used, n) + n;
	uint64_t granted = atomic_load(&inflate_granted);

	if (used <= granted)
		return 0;
	return dv_error_set(err, DV_ELIMIT, "%s: %s: this run has inflated "
	    "more than %llu bytes out of archive members (%u times the "
	    "archives given, and %llu bytes more); refused as a "
	    "decompression bomb", label, name, (unsigned long long)granted,
	    DV_INFLATE_RATIO, (unsigned long long)DV_INFLATE_BASE);
}

void
dv_inflate_reset(void)
{
	atomic_store(&inflate_granted, DV_INFLATE_BASE);
	atomic_store(&inflate_used, 0);
}

/* ---- writing ------------------------------------------------------------ */

/* A new file beside path, PATH.XXXXXX, open for reading and writing. */
static int
temp_beside(const char *path, struct sbuf *tmp, struct dv_error *err)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned long long seed = (unsigned long long)getpid() << 20 ^
	    (unsigned long long)time(NULL) ^ (uintptr_t)tmp;
	int fd = -1;

	for (int tries = 0; tries < 100 && fd < 0; tries++) {
		sbuf_reset(tmp);
		sbuf_addf(tmp, "%s.", path);
		for (int k = 0; k < 6; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			sbuf_addch(tmp, digits[(seed >> 33) % 36]);
		}
		fd = open(tmp->buf, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot create", path);
	return fd;
}

/* tmp becomes path too, never replacing a path that exists: a hard link,
 * or where the file system has none (FAT on a USB stick) a rename once
 * path is seen not to exist. */
static int
put_in_place(const char *tmp, const char *path, struct dv_error *err)
{
	struct stat st;

	if (link(tmp, path) == 0)
		return 0;
	if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
		return dv_error_errno(err, errno == EEXIST ? DV_EEXIST : DV_EIO,
		    "%s: cannot create", path);
	if (lstat(path, &st) == 0) {
		errno = EEXIST;
		return dv_error_errno(err, DV_EEXIST, "%s: cannot create",
		    path);
	}
	if (rename(tmp, path) != 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot create", path);
	return 0;
}

/*
 * The written tmp becomes path, durably: its bytes synced, then linked
 * into place (never replacing what is there), the folder synced.  A
 * crash leaves path whole or absent, never a torn zip under its name.
 * tmp is removed whatever happens.
 */
static int
settle_in_place(int fd, const char *tmp, const char *path,
    struct dv_error *err)
{
	int ret = 0;

	if (fsync(fd) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot write", path);
	if (close(fd) != 0 && ret == 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot write", path);
	if (ret == 0)
		ret = put_in_place(tmp, path, err);
	(void)unlink(tmp);
	if (ret == 0)
		ret = dv_sync_parent(path, err);
	return ret;
}

struct zipwriter {
	zip_t *za;
	zip_source_t *mem; /* the in-memory archive, kept past zip_close */
	char *label;
	char *path;	     /* a file's final name; libzip writes tmp */
	char *tmp;
	bool utc;	     /* member times as UTC DOS times */
	zip_int64_t last;    /* the member added last */
	struct dv_error first; /* the first error a member source met */
	bool failed;
};

/* One member's bytes, handed to libzip as a function source. */
struct wsource {
	struct zipwriter *w;
	struct zip_member_source src;
	char *name;
	uint64_t done;
	zip_error_t ze;
};

static zip_int64_t
wsource_fail(struct wsource *ws, int zerr, const struct dv_error *e)
{
	if (!ws->w->failed && e != NULL && e->code != 0) {
		ws->w->first = *e;
		ws->w->failed = true;
	}
	zip_error_set(&ws->ze, zerr, 0);
	return -1;
}

static zip_int64_t
wsource_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct wsource *ws = ud;
	struct dv_error e = DV_ERROR_INIT;
	zip_stat_t *st;
	long n;

	switch (cmd) {
	case ZIP_SOURCE_SUPPORTS:
		return ZIP_SOURCE_SUPPORTS_READABLE;
	case ZIP_SOURCE_OPEN:
		ws->done = 0;
		if (ws->src.open != NULL && ws->src.open(ws->src.ctx, &e) != 0)
			return wsource_fail(ws, ZIP_ER_OPEN, &e);
		return 0;
	case ZIP_SOURCE_READ:
		/* Stopping here makes zip_close fail, and libzip then
		 * removes its temporary OUT.zip.XXXXXX itself. */
		if (outdir_interrupted()) {
			dv_error_set(&e, DV_EINTR, "%s: interrupted; nothing "
			    "was written", ws->w->label);
			return wsource_fail(ws, ZIP_ER_READ, &e);
		}
		if (len > (zip_uint64_t)LONG_MAX)
			len = LONG_MAX;
		n = ws->src.read(ws->src.ctx, data, (size_t)len, &e);
		if (n < 0)
			return wsource_fail(ws, ZIP_ER_READ, &e);
		ws->done += (uint64_t)n;
		/* The size was promised in the stat; hold the source to it. */
		if (ws->done > ws->src.size || (n == 0 &&
		    ws->done != ws->src.size)) {
			dv_error_set(&e, DV_EIO, "%s: %s: changed while it was "
			    "read (%llu bytes, %llu expected)", ws->w->label,
			    ws->name, (unsigned long long)ws->done,
			    (unsigned long long)ws->src.size);
			return wsource_fail(ws, ZIP_ER_READ, &e);
		}
		return n;
	case ZIP_SOURCE_CLOSE:
		if (ws->src.close != NULL)
			ws->src.close(ws->src.ctx);
		return 0;
	case ZIP_SOURCE_STAT:
		if (len < sizeof(*st))
			return wsource_fail(ws, ZIP_ER_INVAL, NULL);
		st = data;
		zip_stat_init(st);
		st->size = ws->src.size;
		st->valid |= ZIP_STAT_SIZE;
		if (ws->src.mtime >= 0) {
			st->mtime = (time_t)ws->src.mtime;
			st->valid |= ZIP_STAT_MTIME;
		}
		return sizeof(*st);
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&ws->ze, data, len);
	case ZIP_SOURCE_FREE:
		zip_error_fini(&ws->ze);
		free(ws->name);
		free(ws);
		return 0;
	default:
		zip_error_set(&ws->ze, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

int
zipwriter_open(const char *path, const char *label, struct zipwriter **out,
    struct dv_error *err)
{
	struct sbuf tmp = SBUF_INIT(SBUF_NOCAP);
	struct zipwriter *w;
	struct stat st;
	zip_error_t ze;
	int zerr = 0, fd;

	*out = NULL;
	w = xcalloc(1, sizeof(*w));
	w->label = xstrdup(path != NULL ? path : label);
	if (path != NULL) {
		/* As ZIP_EXCL, but libzip writes PATH.XXXXXX (its rename
		 * would replace whatever path is by then, unsynced), which
		 * zipwriter_close settles in place. */
		if (lstat(path, &st) == 0) {
			errno = EEXIST;
			dv_error_errno(err, DV_EEXIST, "%s: cannot create",
			    path);
			goto fail;
		}
		if ((fd = temp_beside(path, &tmp, err)) < 0)
			goto fail;
		close(fd);
		w->path = xstrdup(path);
		w->tmp = xstrdup(tmp.buf);
		w->za = zip_open(w->tmp, ZIP_TRUNCATE, &zerr);
		if (w->za == NULL) {
			zip_error_init_with_code(&ze, zerr);
			errno = zip_error_code_system(&ze);
			dv_error_set(err, DV_EIO, "%s: cannot create: %s", path,
			    zip_error_strerror(&ze));
			zip_error_fini(&ze);
			goto fail;
		}
	} else {
		zip_error_init(&ze);
		w->mem = zip_source_buffer_create(NULL, 0, 0, &ze);
		if (w->mem != NULL) {
			/* Kept past zip_close, which writes into it. */
			zip_source_keep(w->mem);
			w->za = zip_open_from_source(w->mem, ZIP_TRUNCATE, &ze);
		}
		if (w->za == NULL) {
			dv_error_set(err, DV_EIO, "%s: cannot create: %s",
			    label, zip_error_strerror(&ze));
			zip_error_fini(&ze);
			goto fail;
		}
		zip_error_fini(&ze);
	}
	*out = w;
	sbuf_release(&tmp);
	return 0;
fail:
	if (w->mem != NULL)
		zip_source_free(w->mem);
	if (w->tmp != NULL)
		(void)unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w->label);
	free(w);
	sbuf_release(&tmp);
	return err != NULL ? -err->code : -DV_EIO;
}

/* Name, date and Unix attributes of a member just added. */
/* A DOS date and time (two-second steps, 1980 to 2107) read as UTC. */
static void
dos_time_utc(int64_t t, zip_uint16_t *dtime, zip_uint16_t *ddate)
{
	int64_t days, secs, y, m, doy, mp;

	if (t < 315532800) /* 1980-01-01, the first DOS date */
		t = 315532800;
	if (t > 4354819198LL) /* 2107-12-31T23:59:58 */
		t = 4354819198LL;
	days = t / 86400;
	secs = t % 86400;
	/* Civil date from days since 1970 (Howard Hinnant's algorithm). */
	days += 719468;
	y = days / 146097;
	doy = days - y * 146097;
	mp = (doy - doy / 1460 + doy / 36524 - doy / 146096) / 365;
	y = mp + y * 400;
	doy = doy - (365 * mp + mp / 4 - mp / 100);
	mp = (5 * doy + 2) / 153;
	days = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	*ddate = (zip_uint16_t)(((y - 1980) << 9) | (m << 5) | days);
	*dtime = (zip_uint16_t)(((secs / 3600) << 11) |
	    (((secs / 60) % 60) << 5) | ((secs % 60) / 2));
}

static int
member_setup(struct zipwriter *w, zip_int64_t idx, const char *name,
    int64_t mtime, struct dv_error *err)
{
	zip_uint16_t dtime, ddate;

	w->last = idx;
	if (mtime >= 0 && w->utc) {
		dos_time_utc(mtime, &dtime, &ddate);
		if (zip_file_set_dostime(w->za, (zip_uint64_t)idx, dtime,
		    ddate, 0) != 0)
			return dv_error_set(err, DV_EIO, "%s: %s: %s",
			    w->label, name, zip_strerror(w->za));
	} else if (mtime >= 0 && zip_file_set_mtime(w->za, (zip_uint64_t)idx,
	    (time_t)mtime, 0) != 0)
		return dv_error_set(err, DV_EIO, "%s: %s: %s", w->label, name,
		    zip_strerror(w->za));
	if (zip_file_set_external_attributes(w->za, (zip_uint64_t)idx, 0,
	    ZIP_OPSYS_UNIX, (zip_uint32_t)(S_IFREG | 0644) << 16) != 0)
		return dv_error_set(err, DV_EIO, "%s: %s: %s", w->label, name,
		    zip_strerror(w->za));
	return 0;
}

/* Add zs as the member name (on failure zs is freed, and what it owns). */
static int
add_source(struct zipwriter *w, const char *name, zip_source_t *zs,
    int64_t mtime, struct dv_error *err)
{
	zip_int64_t idx = zip_file_add(w->za, name, zs, ZIP_FL_ENC_UTF_8);

	if (idx < 0) {
		zip_source_free(zs);
		return dv_error_set(err, DV_EIO, "%s: %s: cannot add: %s",
		    w->label, name, zip_strerror(w->za));
	}
	return member_setup(w, idx, name, mtime, err);
}

int
zipwriter_add(struct zipwriter *w, const char *name,
    const struct zip_member_source *src, struct dv_error *err)
{
	struct wsource *ws;
	zip_source_t *zs;

	ws = xcalloc(1, sizeof(*ws));
	ws->w = w;
	ws->src = *src;
	ws->name = xstrdup(name);
	zip_error_init(&ws->ze);
	zs = zip_source_function(w->za, wsource_cb, ws);
	if (zs == NULL) {
		zip_error_fini(&ws->ze);
		free(ws->name);
		free(ws);
		return dv_error_set(err, DV_EIO, "%s: %s: %s", w->label, name,
		    zip_strerror(w->za));
	}
	return add_source(w, name, zs, src->mtime, err);
}

int
zipwriter_add_mem(struct zipwriter *w, const char *name, const void *data,
    size_t len, int64_t mtime, struct dv_error *err)
{
	zip_source_t *zs;

	zs = zip_source_buffer(w->za, len > 0 ? data : "", len, 0);
	if (zs == NULL)
		return dv_error_set(err, DV_EIO, "%s: %s: %s", w->label, name,
		    zip_strerror(w->za));
	return add_source(w, name, zs, mtime, err);
}

/* Copy the finished in-memory archive out of its buffer source. */
static int
mem_result(struct zipwriter *w, struct sbuf *out, size_t cap,
    struct dv_error *err)
{
	zip_stat_t st;
	zip_int64_t n;
	int ret = 0;

	sbuf_release(out);
	sbuf_init(out, cap);
	zip_stat_init(&st);
	if (zip_source_stat(w->mem, &st) != 0 || zip_source_open(w->mem) != 0)
		return dv_error_set(err, DV_EIO, "%s: cannot read back: %s",
		    w->label, zip_error_strerror(zip_source_error(w->mem)));
	if ((st.valid & ZIP_STAT_SIZE) != 0 && st.size > cap) {
		ret = dv_error_set(err, DV_ELIMIT, "%s: larger than %zu bytes",
		    w->label, cap);
		goto out;
	}
	if ((ret = sbuf_grow(out, (size_t)st.size)) != 0) {
		ret = dv_error_set(err, DV_ELIMIT, "%s: larger than %zu bytes",
		    w->label, cap);
		goto out;
	}
	n = zip_source_read(w->mem, out->buf, st.size);
	if (n < 0 || (zip_uint64_t)n != st.size) {
		ret = dv_error_set(err, DV_EIO, "%s: cannot read back",
		    w->label);
		goto out;
	}
	sbuf_setlen(out, (size_t)n);
out:
	zip_source_close(w->mem);
	return ret;
}

int
zipwriter_close(struct zipwriter *w, struct sbuf *out, size_t cap,
    struct dv_error *err)
{
	int ret = 0, fd;

	if (zip_close(w->za) != 0) {
		/* A signal may reach a member source's helper thread first
		 * and surface as its read error: say what happened. */
		if (outdir_interrupted()) {
			ret = dv_error_set(err, DV_EINTR, "%s: interrupted; "
			    "nothing was written", w->label);
		} else if (w->failed) {
			if (err != NULL)
				*err = w->first;
			ret = -w->first.code;
		} else {
			ret = dv_error_set(err, DV_EIO, "%s: cannot write: %s",
			    w->label, zip_strerror(w->za));
		}
		zip_discard(w->za);
		w->za = NULL;
		goto out;
	}
	w->za = NULL;
	if (w->mem != NULL)
		ret = mem_result(w, out, cap, err);
	else if ((fd = open(w->tmp, O_RDONLY | O_CLOEXEC)) < 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot write", w->label);
	else
		ret = settle_in_place(fd, w->tmp, w->path, err);
out:
	if (w->mem != NULL)
		zip_source_free(w->mem);
	if (w->tmp != NULL)
		(void)unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w->label);
	free(w);
	return ret;
}

void
zipwriter_utc_times(struct zipwriter *w)
{
	w->utc = true;
}

int
zipwriter_store_last(struct zipwriter *w, struct dv_error *err)
{
	if (zip_set_file_compression(w->za, (zip_uint64_t)w->last,
	    ZIP_CM_STORE, 0) != 0)
		return dv_error_set(err, DV_EIO, "%s: %s", w->label,
		    zip_strerror(w->za));
	return 0;
}

void
zipwriter_discard(struct zipwriter *w)
{
	if (w == NULL)
		return;
	if (w->za != NULL)
		zip_discard(w->za);
	if (w->mem != NULL)
		zip_source_free(w->mem);
	if (w->tmp != NULL)
		(void)unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w->label);
	free(w);
}

/* ---- stored members laid out in advance, bodies put in place by others - */

static void
put16(struct sbuf *sb, uint32_t v)
{
	sbuf_addch(sb, (char)(v & 0xff));
	sbuf_addch(sb, (char)(v >> 8 & 0xff));
}

static void
put32(struct sbuf *sb, uint32_t v)
{
	put16(sb, v & 0xffff);
	put16(sb, v >> 16);
}

static void
put64(struct sbuf *sb, uint64_t v)
{
	put32(sb, (uint32_t)(v & 0xffffffffu));
	put32(sb, (uint32_t)(v >> 32));
}

/* The time now as a DOS time and date, in local time as libzip writes. */
static void
dos_now(uint32_t *dtime, uint32_t *ddate)
{
	time_t t = time(NULL);
	struct tm tm;

	*dtime = 0;
	*ddate = 1 << 5 | 1; /* 1980-01-01 */
	if (localtime_r(&t, &tm) == NULL || tm.tm_year < 80)
		return;
	*ddate = (uint32_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 |
	    tm.tm_mday);
	*dtime = (uint32_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
}

static bool
name_is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* A stored member's local header: the CRC and size known, zip64 when its
 * size needs it. */
static void
local_header(struct sbuf *lh, const char *name, uint64_t size, uint32_t crc,
    uint32_t dtime, uint32_t ddate, uint64_t off)
{
	bool big = size >= 0xffffffffu;
	size_t namelen = strlen(name);

	put32(lh, 0x04034b50);
	put16(lh, big || off >= 0xffffffffu ? 45 : 20);
	put16(lh, name_is_ascii(name) ? 0 : 1u << 11);
	put16(lh, 0); /* stored */
	put16(lh, dtime);
	put16(lh, ddate);
	put32(lh, crc);
	put32(lh, big ? 0xffffffffu : (uint32_t)size);
	put32(lh, big ? 0xffffffffu : (uint32_t)size);
	put16(lh, (uint32_t)namelen);
	put16(lh, big ? 20 : 0);
	sbuf_add(lh, name, namelen);
	if (big) {
		put16(lh, 1); /* the zip64 extra field */
		put16(lh, 16);
		put64(lh, size);
		put64(lh, size);
	}
}

/* Its central directory entry, the local header being at off. */
static void
central_entry(struct sbuf *cd, const char *name, uint64_t size, uint32_t crc,
    uint32_t dtime, uint32_t ddate, uint64_t off)
{
	bool big = size >= 0xffffffffu, far = off >= 0xffffffffu;
	uint32_t need = big || far ? 45 : 20;
	size_t namelen = strlen(name);

	put32(cd, 0x02014b50);
	put16(cd, 3u << 8 | need); /* made on Unix */
	put16(cd, need);
	put16(cd, name_is_ascii(name) ? 0 : 1u << 11);
	put16(cd, 0);
	put16(cd, dtime);
	put16(cd, ddate);
	put32(cd, crc);
	put32(cd, big || far ? 0xffffffffu : (uint32_t)size);
	put32(cd, big || far ? 0xffffffffu : (uint32_t)size);
	put16(cd, (uint32_t)namelen);
	put16(cd, big || far ? 28 : 0);
	put16(cd, 0); /* comment */
	put16(cd, 0); /* disk */
	put16(cd, 0); /* internal attributes */
	put32(cd, (uint32_t)(S_IFREG | 0644) << 16);
	put32(cd, big || far ? 0xffffffffu : (uint32_t)off);
	sbuf_add(cd, name, namelen);
	if (big || far) {
		put16(cd, 1);
		put16(cd, 24);
		put64(cd, size);
		put64(cd, size);
		put64(cd, off);
	}
}

/* The end records: zip64 ones too when a count or offset needs them. */
static void
end_records(struct sbuf *sb, uint64_t entries, uint64_t cd_at,
    uint64_t cd_len)
{
	uint64_t end64_at = cd_at + cd_len;

	if (entries >= 0xffff || cd_at >= 0xffffffffu ||
	    cd_len >= 0xffffffffu) {
		put32(sb, 0x06064b50);
		put64(sb, 44);
		put16(sb, 3u << 8 | 45);
		put16(sb, 45);
		put32(sb, 0);
		put32(sb, 0);
		put64(sb, entries);
		put64(sb, entries);
		put64(sb, cd_len);
		put64(sb, cd_at);
		put32(sb, 0x07064b50);
		put32(sb, 0);
		put64(sb, end64_at);
		put32(sb, 1);
	}
	put32(sb, 0x06054b50);
	put16(sb, 0);
	put16(sb, 0);
	put16(sb, entries >= 0xffff ? 0xffff : (uint32_t)entries);
	put16(sb, entries >= 0xffff ? 0xffff : (uint32_t)entries);
	put32(sb, cd_len >= 0xffffffffu ? 0xffffffffu : (uint32_t)cd_len);
	put32(sb, cd_at >= 0xffffffffu ? 0xffffffffu : (uint32_t)cd_at);
	put16(sb, 0);
}

/*
 * Close the in-memory w into head: its members are head's first *off
 * bytes, *cd receives its central directory (to extend), *entries their
 * count.
 */
static int
close_head(struct zipwriter *w, const char *path, struct sbuf *head,
    struct sbuf *cd, uint64_t *entries, uint64_t *off, struct dv_error *err)
{
	const unsigned char *e;
	int ret;

	if ((ret = zipwriter_close(w, head, SBUF_NOCAP, err)) != 0)
		return ret;
	/* libzip's in-memory zip: small, no comment, no zip64. */
	e = (const unsigned char *)head->buf +
	    (head->len < 22 ? 0 : head->len - 22);
	if (head->len < 22 || get32(e) != 0x06054b50 || get16(e + 20) != 0 ||
	    get32(e + 16) + (uint64_t)get32(e + 12) != head->len - 22)
		return dv_error_set(err, DV_EIO, "%s: libzip wrote an end "
		    "record this writer does not extend", path);
	*entries = get16(e + 10);
	*off = get32(e + 16);
	sbuf_add(cd, head->buf + *off, (size_t)get32(e + 12));
	return 0;
}

uint64_t
zip_stored_header_len(const char *name, uint64_t size)
{
	return 30 + (uint64_t)strlen(name) + (size >= 0xffffffffu ? 20 : 0);
}

int
zip_layout(struct zip_stored *m, size_t n, uint64_t start, uint64_t *end,
    struct dv_error *err)
{
	uint64_t off = start, lh;

	for (size_t i = 0; i < n; i++) {
		if (strlen(m[i].name) > 0xffff)
			return dv_error_set(err, DV_ELIMIT, "%.200s...: a member "
			    "name longer than a zip allows", m[i].name);
		lh = zip_stored_header_len(m[i].name, m[i].size);
		/* Sizes come from metadata nobody checked: no wrap, and every
		 * offset one a file can have. */
		if (off > (uint64_t)INT64_MAX - lh ||
		    m[i].size > (uint64_t)INT64_MAX - lh - off)
			return dv_error_set(err, DV_ELIMIT, "%s: a zip laid out "
			    "this way would be larger than a file can be "
			    "(member of %llu bytes at %llu)", m[i].name,
			    (unsigned long long)m[i].size,
			    (unsigned long long)off);
		m[i].at = off;
		off += lh + m[i].size;
	}
	*end = off;
	return 0;
}

int
zip_write_stored(int fd, const char *path, struct zip_stored *m, size_t n,
    struct dv_error *err)
{
	struct sbuf lh = SBUF_INIT(SBUF_NOCAP), cd = SBUF_INIT(SBUF_NOCAP);
	uint64_t end = 0, data_at, cd_len;
	uint32_t dtime, ddate;
	int ret = 0;

	dos_now(&dtime, &ddate);
	for (size_t i = 0; i < n; i++) {
		if (outdir_interrupted()) {
			ret = dv_error_set(err, DV_EINTR, "%s: interrupted",
			    path);
			goto out;
		}
		if (m[i].data != NULL)
			m[i].crc32 = dv_crc32(0, m[i].data, (size_t)m[i].size);
		sbuf_reset(&lh);
		local_header(&lh, m[i].name, m[i].size, m[i].crc32, dtime,
		    ddate, m[i].at);
		data_at = m[i].at + lh.len;
		if ((ret = fd_pwrite_all(fd, lh.buf, lh.len, m[i].at, path,
		    err)) != 0 || (m[i].data != NULL &&
		    (ret = fd_pwrite_all(fd, m[i].data, (size_t)m[i].size,
		    data_at, path, err)) != 0))
			goto out;
		central_entry(&cd, m[i].name, m[i].size, m[i].crc32, dtime,
		    ddate, m[i].at);
		if (data_at + m[i].size > end)
			end = data_at + m[i].size;
	}
	cd_len = cd.len;
	end_records(&cd, n, end, cd_len);
	if ((ret = fd_pwrite_all(fd, cd.buf, cd.len, end, path, err)) != 0)
		goto out;
	/* An earlier run's file may be longer: the end records end it. */
	if (ftruncate(fd, (off_t)(end + cd.len)) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot resize", path);
		goto out;
	}
	/* The one durable commit: the caller renames it into place. */
	if (fsync(fd) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot write", path);
out:
	sbuf_release(&lh);
	sbuf_release(&cd);
	return ret;
}

/* ---- stored members copied from ranges of other zips --------------------- */

/* Bytes per copy step: between steps the watch hears of them and an
 * interrupt is noticed. */
#define RANGE_STEP ((size_t)8 << 20)

/* The range r's bytes to out (its file position), step by step, telling
 * the watch; in the kernel where it can, else through a buffer. */
static int
copy_range(int in, int out, const struct zip_range *r, size_t i,
    uint64_t data_at, const char *path, const struct zip_range_watch *watch,
    bool *stopped, struct dv_error *err)
{
	off_t from = (off_t)r->from;
	uint64_t done = 0;
#ifdef __linux__
	bool kernel = true;
#else
	bool kernel = false;
#endif
	char *buf = NULL;
	ssize_t n = 0;
	int ret = 0;

	while (done < r->size && ret == 0) {
		size_t step = r->size - done < RANGE_STEP ?
		    (size_t)(r->size - done) : RANGE_STEP;

		if (outdir_interrupted()) {
			ret = dv_error_set(err, DV_EINTR, "%s: interrupted; "
			    "nothing was written", path);
			break;
		}
#ifdef __linux__
		if (kernel) {
			n = copy_file_range(in, &from, out, NULL, step, 0);
			if (n < 0 && done == 0 && (errno == EXDEV ||
			    errno == ENOSYS || errno == EINVAL ||
			    errno == EOPNOTSUPP)) {
				kernel = false; /* another file system, an old
						 * kernel */
				continue;
			}
		}
#endif
		if (!kernel) {
			if (buf == NULL)
				buf = xmalloc(RANGE_STEP);
			n = pread(in, buf, step, from);
			if (n > 0 && (ret = fd_write_all(out, buf, (size_t)n,
			    path, err)) != 0)
				break;
			if (n > 0)
				from += n;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = dv_error_errno(err, DV_EIO, "%s: cannot copy to "
			    "%s", r->path, path);
		else if (n == 0)
			ret = dv_error_set(err, DV_EIO, "%s: %llu bytes short "
			    "of the member its central directory declares",
			    r->path, (unsigned long long)(r->size - done));
		else
			done += (uint64_t)n;
		if (ret == 0 && watch->landed(watch->ctx, i, out, data_at,
		    done) != 0) {
			*stopped = true;
			ret = dv_error_set(err, DV_EIO, "%s: the check of "
			    "what was copied stopped it", path);
		}
	}
	free(buf);
	return ret;
}

int
zipwriter_close_with_ranges(struct zipwriter *w, const char *path,
    const char *const *names, const struct zip_range *r, size_t n,
    int64_t mtime, const struct zip_range_watch *watch,
    struct dv_error *err)
{
	struct sbuf head = SBUF_INIT(SBUF_NOCAP), cd = SBUF_INIT(SBUF_NOCAP);
	struct sbuf lh = SBUF_INIT(SBUF_NOCAP), tmp = SBUF_INIT(SBUF_NOCAP);
	struct dv_error werr = DV_ERROR_INIT;
	const char *in_path = NULL;
	uint64_t entries = 0, cd_len, off = 0;
	zip_uint16_t dtime, ddate;
	struct stat st;
	bool stopped = false;
	int fd = -1, in = -1, ret, wret;

	dos_time_utc(mtime, &dtime, &ddate);
	if ((ret = close_head(w, path, &head, &cd, &entries, &off, err)) != 0)
		goto out;
	/* As libzip's ZIP_EXCL: an output that exists is never replaced
	 * (and the link below holds to that whatever happens meanwhile). */
	if (lstat(path, &st) == 0) {
		errno = EEXIST;
		ret = dv_error_errno(err, DV_EEXIST, "%s: cannot create", path);
		goto out;
	}
	if ((fd = temp_beside(path, &tmp, err)) < 0) {
		ret = fd;
		goto out;
	}
	if ((ret = fd_write_all(fd, head.buf, (size_t)off, path, err)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (in_path == NULL || strcmp(in_path, r[i].path) != 0) {
			if (in >= 0)
				close(in);
			in_path = r[i].path;
			if ((in = open(in_path, O_RDONLY | O_CLOEXEC)) < 0) {
				ret = dv_error_errno(err, DV_EIO, "%s: cannot "
				    "open", in_path);
				goto out;
			}
		}
		sbuf_reset(&lh);
		local_header(&lh, names[i], r[i].size, r[i].crc32, dtime, ddate,
		    off);
		if ((ret = fd_write_all(fd, lh.buf, lh.len, path, err)) != 0 ||
		    (ret = copy_range(in, fd, &r[i], i, off + lh.len, path,
		    watch, &stopped, err)) != 0)
			goto out;
#ifdef __linux__
		/* Start writing it back now: the fsync at the end waits less. */
		(void)sync_file_range(fd, (off_t)off, (off_t)(lh.len +
		    r[i].size), SYNC_FILE_RANGE_WRITE);
#endif
		central_entry(&cd, names[i], r[i].size, r[i].crc32, dtime,
		    ddate, off);
		off += lh.len + r[i].size;
	}
	cd_len = cd.len;
	end_records(&cd, entries + n, off, cd_len);
	ret = fd_write_all(fd, cd.buf, cd.len, path, err);
out:
	/* The watch says last whether the bytes it saw were right; its
	 * verdict explains a copy it stopped. */
	wret = watch->done(watch->ctx, ret == 0, &werr);
	if (wret != 0 && (ret == 0 || stopped)) {
		if (err != NULL)
			*err = werr;
		ret = wret;
	}
	if (fd >= 0 && ret == 0) {
		ret = settle_in_place(fd, tmp.buf, path, err);
	} else if (fd >= 0) {
		close(fd);
		(void)unlink(tmp.buf); /* with the bytes */
	}
	if (in >= 0)
		close(in);
	sbuf_release(&head);
	sbuf_release(&cd);
	sbuf_release(&lh);
	sbuf_release(&tmp);
	return ret;
}
