/* vib.c - read a .vib in one hashing pass (layers come from archive.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "gzip.h"
#include "names.h"
#include "vib.h"
#include "xalloc.h"

#define AR_MAGIC "!<arch>\n"
#define AR_MAGIC_LEN 8
#define AR_HDR_LEN 60
#define AR_NAME_LEN 16
/* Source reads, and each layer's decompressed output, go in these. */
#define IO_BUF (256u << 10)
#define OUT_BUF (128u << 10)
/* A GNU "//" long-name table; a VIB needs none at all. */
#define LONG_NAMES_MAX (1u << 20)
/* Room for a short reason and a quoted library message. */
#define REASON_LEN ARC_REASON_LEN

/*
 * The source as a buffered stream.  Every byte the source hands over is
 * hashed once, when it arrives, so the file digest never depends on how
 * the parser below slices or skips the data.
 */
struct reader {
	const struct byte_source *src;
	struct dv_error *err;
	struct hash *sha;
	uint64_t total; /* bytes read from the source */
	unsigned char *buf;
	size_t pos, len;
	bool eof;
};

struct scan {
	struct reader r;
	const char *what;
	struct dv_error *err;
	struct sbuf longnames; /* the GNU "//" member, if any */
	unsigned char *out1;   /* gzip layer output */
	unsigned char *out2;   /* zstd layer output */
};

/*
 * One payload on its way through the layers.  The layers pull: the zstd
 * layer's callback reads the gzip layer's output, whose callback takes
 * the member's stored bytes from the ar stream.  Each byte is hashed by
 * the stage that produces it, so stored, gunzip1 and expanded digests
 * all come out of the same single pass.  A digest nobody asked for is
 * NULL and costs nothing.
 */
struct payload {
	struct scan *sc;
	struct vib_member *m;
	unsigned want;		/* VIB_WANT_* for this member */
	uint64_t left;		/* stored bytes not yet taken */
	struct hash *raw;	/* SHA-256 of the stored bytes */
	struct hash *g1;	/* SHA-256 after gzip, when zstd follows */
	struct hash *x256, *x1; /* the fully expanded bytes */
	struct gz_layer *gz;
	struct arc_layer *zs;
	bool zstd;		/* the gzip output is a zstd stream */
	uint64_t g1size;
	const unsigned char *pend; /* gzip output not yet given to zstd */
	size_t npend;
	bool l1_eof, l1_failed, l2_failed;
	char l1_err[REASON_LEN];
	char l2_err[REASON_LEN];
	int fatal; /* a scan error (source, truncation), err is filled */
};

static const char *
label(const char *what)
{
	return what != NULL ? what : "VIB";
}

/* A member name safe to print: names.c's rule, no control bytes. */
static void
printable(const char *in, size_t len, char *out, size_t size)
{
	dv_shown_buf(out, size, in, len);
}

/* A member name for a message. */
struct shown {
	char s[48];
};

static const char *
shown(struct shown *buf, const char *name)
{
	printable(name, strlen(name), buf->s, sizeof(buf->s));
	return buf->s;
}

/* ---- digests that may not be wanted -------------------------------- */

static void
feed(struct hash *h, const void *buf, size_t len)
{
	if (h != NULL)
		hash_update(h, buf, len);
}

/* The hex digest, or "" when it was not computed. */
static void
finish(struct hash *h, char out[HASH_HEX_MAX])
{
	out[0] = '\0';
	if (h != NULL)
		hash_final_hex(h, out);
}

/* ---- the buffered, hashing source ------------------------------------ */

/* Have at least want bytes buffered, fewer only at the end of the file. */
static long
reader_fill(struct reader *r, size_t want)
{
	long n;

	while (r->len - r->pos < want && !r->eof) {
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		n = r->src->read(r->src->ctx, r->buf + r->len, IO_BUF - r->len,
		    r->err);
		if (n < 0)
			return n;
		if ((size_t)n > IO_BUF - r->len)
			return dv_error_set(r->err, DV_EIO,
			    "source returned more bytes than asked for");
		if (n == 0)
			r->eof = true;
		feed(r->sha, r->buf + r->len, (size_t)n);
		r->total += (uint64_t)n;
		r->len += (size_t)n;
	}
	return (long)(r->len - r->pos);
}

/* Point at up to max buffered bytes and consume them; 0 at the end. */
static long
reader_next(struct reader *r, uint64_t max, const unsigned char **p)
{
	long n;
	size_t take;

	if ((n = reader_fill(r, 1)) <= 0)
		return n;
	take = (size_t)n;
	if (take > max)
		take = (size_t)max;
	*p = r->buf + r->pos;
	r->pos += take;
	return (long)take;
}

/* Copy len bytes out; fewer only at the end of the file. */
static long
reader_read(struct reader *r, void *dst, size_t len)
{
	const unsigned char *p;
	size_t got = 0;
	long n;

	while (got < len) {
		if ((n = reader_next(r, len - got, &p)) < 0)
			return n;
		if (n == 0)
			break;
		memcpy((unsigned char *)dst + got, p, (size_t)n);
		got += (size_t)n;
	}
	return (long)got;
}

/* Where the next unconsumed byte sits in the file. */
static uint64_t
reader_offset(const struct reader *r)
{
	return r->total - (r->len - r->pos);
}

/* ---- one payload member ---------------------------------------------- */

/*
 * Take the member's next stored bytes, hashing them.  Running into the
 * end of the file is a scan error: the ar header promised more.
 */
static long
payload_take(struct payload *p, const unsigned char **buf)
{
	struct shown sn;
	long n;

	if (p->fatal != 0)
		return p->fatal;
	if (p->left == 0)
		return 0;
	if ((n = reader_next(&p->sc->r, p->left, buf)) < 0)
		return p->fatal = (int)n;
	if (n == 0)
		return p->fatal = dv_error_set(p->sc->err, DV_EVIB,
		    "%s: member '%s' runs past the end of the file "
		    "(%llu bytes claimed)", label(p->sc->what),
		    shown(&sn, p->m->name), (unsigned long long)p->m->size);
	p->left -= (uint64_t)n;
	feed(p->raw, *buf, (size_t)n);
	return n;
}

static void
layer_fail(bool *failed, char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first reason a layer gave up is the one worth reporting. */
static void
layer_fail(bool *failed, char *reason, const char *fmt, ...)
{
	va_list ap;

	if (*failed)
		return;
	*failed = true;
	va_start(ap, fmt);
	vsnprintf(reason, REASON_LEN, fmt, ap);
	va_end(ap);
}

static const char *
reason_or(const char *s, const char *fallback)
{
	return s != NULL ? s : fallback;
}

/* What the gzip layer pulls: the stored bytes. */
static long
gz_pull(void *ctx, const void **buf)
{
	struct payload *p = ctx;
	const unsigned char *q = NULL;
	long n;

	n = payload_take(p, &q);
	*buf = q;
	return n;
}

/*
 * Next chunk of gzip output into out1 at off, counted and capped; the
 * caller hashes it.  0 at the end, -1 when the layer failed.
 */
static long
l1_pull(struct payload *p, size_t off)
{
	long n;

	if (p->l1_failed || p->fatal != 0)
		return -1;
	if (p->l1_eof)
		return 0;
	n = gz_read(p->gz, p->sc->out1 + off, OUT_BUF - off);
	if (p->fatal != 0)
		return -1;
	if (n < 0) {
		layer_fail(&p->l1_failed, p->l1_err, "%s",
		    reason_or(gz_error(p->gz), "gzip data truncated or damaged"));
		return -1;
	}
	if (n == 0) {
		p->l1_eof = true;
		return 0;
	}
	if ((uint64_t)n > VIB_MAX_EXPANDED - p->g1size) {
		layer_fail(&p->l1_failed, p->l1_err, "expands past %llu bytes",
		    (unsigned long long)VIB_MAX_EXPANDED);
		return -1;
	}
	p->g1size += (uint64_t)n;
	return n;
}

/* What the zstd layer pulls: the gzip output. */
static long
zs_pull(void *ctx, const void **buf)
{
	struct payload *p = ctx;
	long n;

	if (p->npend > 0) {
		*buf = p->pend;
		n = (long)p->npend;
		p->npend = 0;
		return n;
	}
	if ((n = l1_pull(p, 0)) < 0)
		return -1;
	feed(p->g1, p->sc->out1, (size_t)n);
	*buf = p->sc->out1;
	return n;
}

/*
 * The zstd layer over the gzip output.  A scan error met while it read
 * (the source, a truncated member) is the scan's, not the layer's: it is
 * in p->fatal.
 */
static struct arc_layer *
zstd_open(struct payload *p, bool *empty)
{
	struct arc_layer *l = NULL;
	struct dv_error why = DV_ERROR_INIT;
	int r;

	r = arc_layer_open(ARC_ZSTD, zs_pull, p, &l, empty, &why);
	if (r == -ENOMEM) {
		p->fatal = dv_error_set(p->sc->err, ENOMEM,
		    "%s: out of memory", label(p->sc->what));
		return NULL;
	}
	if (p->fatal != 0) {
		arc_layer_close(l);
		return NULL;
	}
	if (r != 0) {
		layer_fail(&p->l2_failed, p->l2_err, "%s", why.msg);
		return NULL;
	}
	return l;
}

/*
 * The gzip stream must fill the member: what follows its last member
 * (and any zero padding) is not part of it.
 */
static void
gzip_check_end(struct payload *p)
{
	uint64_t used = gz_consumed(p->gz);

	if (used < p->m->size)
		layer_fail(&p->l1_failed, p->l1_err,
		    "%llu bytes after the end of the gzip stream",
		    (unsigned long long)(p->m->size - used));
}

static void
expanded_add(struct payload *p, const unsigned char *buf, size_t n)
{
	feed(p->x256, buf, n);
	feed(p->x1, buf, n);
	p->m->expanded_size += n;
}

/* The zstd layer, fed by the gzip layer whose first chunk is pending. */
static void
run_zstd(struct payload *p)
{
	long n, k;
	bool empty;

	p->zs = zstd_open(p, &empty);
	while (p->zs != NULL && !p->l2_failed && p->fatal == 0) {
		n = arc_layer_read(p->zs, p->sc->out2, OUT_BUF);
		if (p->fatal != 0)
			break;
		if (n < 0) {
			layer_fail(&p->l2_failed, p->l2_err, "zstd: %s",
			    reason_or(arc_layer_error(p->zs),
			    "zstd data damaged"));
			break;
		}
		if (n == 0) {
			/*
			 * The zstd filter reads its input to the end; having
			 * left some means it stopped on something it did not
			 * report.
			 */
			if (!p->l1_eof ||
			    (uint64_t)arc_layer_consumed(p->zs) != p->g1size)
				layer_fail(&p->l2_failed, p->l2_err,
				    "zstd data damaged");
			break;
		}
		if ((uint64_t)n > VIB_MAX_EXPANDED - p->m->expanded_size) {
			layer_fail(&p->l2_failed, p->l2_err,
			    "expands past %llu bytes",
			    (unsigned long long)VIB_MAX_EXPANDED);
			break;
		}
		expanded_add(p, p->sc->out2, (size_t)n);
	}
	arc_layer_close(p->zs);
	p->zs = NULL;
	/*
	 * The gzip layer has its own checksum (sha-256-gunzip1): see it
	 * through even when the zstd layer gave up.
	 */
	p->npend = 0;
	while (p->fatal == 0 && (k = l1_pull(p, 0)) > 0)
		feed(p->g1, p->sc->out1, (size_t)k);
}

/*
 * With check, zlib compares each gzip member's CRC-32 and length with its
 * trailer: asked for (VIB_WANT_CHECK) only when no digest covers them.
 */
static void
run_gzip(struct payload *p, bool check)
{
	static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
	long n, k;

	if (gz_open(gz_pull, p, check, &p->gz) != 0) {
		p->fatal = dv_error_set(p->sc->err, ENOMEM,
		    "%s: out of memory", label(p->sc->what));
		return;
	}
	/* Enough of the output to see a zstd frame's magic, if it is one. */
	if ((n = l1_pull(p, 0)) < 0)
		return;
	while (n > 0 && n < 4) {
		if ((k = l1_pull(p, (size_t)n)) < 0)
			return;
		if (k == 0)
			break;
		n += k;
	}
	if (n >= 4 && memcmp(p->sc->out1, zstd_magic, 4) == 0) {
		p->zstd = true;
		if ((p->want & VIB_WANT_GUNZIP1) != 0)
			p->g1 = hash_new(HASH_SHA256);
		/* x256 was started for gunzip1, which here is g1. */
		if ((p->want & VIB_WANT_SHA256) == 0) {
			hash_free(p->x256);
			p->x256 = NULL;
		}
		feed(p->g1, p->sc->out1, (size_t)n);
		p->pend = p->sc->out1;
		p->npend = (size_t)n;
		run_zstd(p);
	} else {
		/* One layer only: its output is the expanded payload. */
		while (n > 0) {
			expanded_add(p, p->sc->out1, (size_t)n);
			n = l1_pull(p, 0);
		}
	}
	if (p->fatal == 0 && p->l1_eof && !p->l1_failed)
		gzip_check_end(p);
}

/* What needs the payload decompressed. */
#define WANT_DECODE (VIB_WANT_GUNZIP1 | VIB_WANT_SHA256 | VIB_WANT_SHA1 | \
	VIB_WANT_EXPAND | VIB_WANT_CHECK)

static int
scan_payload(struct scan *sc, struct vib_member *m, unsigned want)
{
	struct payload p;
	const unsigned char *buf;
	long n;
	bool gzip, decode;

	memset(&p, 0, sizeof(p));
	p.sc = sc;
	p.m = m;
	p.want = want;
	p.left = m->size;
	if ((n = reader_fill(&sc->r, 2)) < 0) {
		p.fatal = (int)n;
		goto out;
	}
	gzip = m->size >= 2 && n >= 2 && sc->r.buf[sc->r.pos] == 0x1f &&
	    sc->r.buf[sc->r.pos + 1] == 0x8b;
	decode = gzip && (want & WANT_DECODE) != 0;
	/* Not compressed: the stored bytes are the expanded ones. */
	if ((want & VIB_WANT_RAW) != 0 ||
	    (!gzip && (want & VIB_WANT_SHA256) != 0))
		p.raw = hash_new(HASH_SHA256);
	if ((want & VIB_WANT_SHA1) != 0 && (decode || !gzip))
		p.x1 = hash_new(HASH_SHA1);
	if (decode && (want & (VIB_WANT_SHA256 | VIB_WANT_GUNZIP1)) != 0)
		p.x256 = hash_new(HASH_SHA256);
	if (decode)
		run_gzip(&p, (want & VIB_WANT_CHECK) != 0);
	/*
	 * Whatever the gzip layer left (all of a stored member, or the rest
	 * of a damaged one) still belongs to the stored digest, and the next
	 * ar header comes only after it.
	 */
	while ((n = payload_take(&p, &buf)) > 0) {
		if (!gzip) {
			feed(p.x1, buf, (size_t)n);
			m->expanded_size += (uint64_t)n;
		}
	}
	if (p.fatal != 0)
		goto out;
	finish(p.raw, m->sha256);
	if (!gzip) {
		memcpy(m->sha256_expanded, m->sha256, sizeof(m->sha256));
		finish(p.x1, m->sha1_expanded);
		m->decompressed = true;
		goto out;
	}
	if (!decode)
		goto out; /* nothing asked for needs the inside */
	if (p.l1_failed) {
		snprintf(m->error, sizeof(m->error), "%s", p.l1_err);
		m->expanded_size = 0;
		goto out;
	}
	m->gunzip1 = true;
	m->gunzip1_size = p.g1size;
	if (p.zstd && p.l2_failed) {
		snprintf(m->error, sizeof(m->error), "%s", p.l2_err);
		finish(p.g1, m->sha256_gunzip1);
		m->expanded_size = 0;
		goto out;
	}
	finish(p.x256, m->sha256_expanded);
	finish(p.x1, m->sha1_expanded);
	if (p.zstd)
		finish(p.g1, m->sha256_gunzip1);
	else
		memcpy(m->sha256_gunzip1, m->sha256_expanded,
		    sizeof(m->sha256_gunzip1));
	m->decompressed = true;
out:
	arc_layer_close(p.zs);
	gz_close(p.gz);
	hash_free(p.raw);
	hash_free(p.g1);
	hash_free(p.x256);
	hash_free(p.x1);
	return p.fatal;
}

/* ---- the ar container ------------------------------------------------ */

struct ar_header {
	uint64_t offset; /* of the header in the file */
	uint64_t size;
	char name[AR_NAME_LEN + 1];
	bool symtab;	/* "/": GNU symbol table, ignored */
	bool longnames; /* "//": GNU long-name table */
};

/* Python's strip(' \0'), which is what esximage applies to each field. */
static void
strip_field(const unsigned char *f, size_t len, size_t *start, size_t *end)
{
	size_t s = 0, e = len;

	while (s < e && (f[s] == ' ' || f[s] == '\0'))
		s++;
	while (e > s && (f[e - 1] == ' ' || f[e - 1] == '\0'))
		e--;
	*start = s;
	*end = e;
}

static int
parse_size(struct scan *sc, const unsigned char *f, struct ar_header *h)
{
	char field[32];
	size_t s, e, i;
	uint64_t v = 0;

	strip_field(f, 10, &s, &e);
	for (i = s; i < e; i++) {
		if (f[i] < '0' || f[i] > '9' ||
		    v > (UINT64_MAX - (uint64_t)(f[i] - '0')) / 10) {
			printable((const char *)f, 10, field, sizeof(field));
			return dv_error_set(sc->err, DV_EVIB,
			    "%s: member header at offset %llu: invalid size "
			    "field '%s'", label(sc->what),
			    (unsigned long long)h->offset, field);
		}
		v = v * 10 + (uint64_t)(f[i] - '0');
	}
	h->size = v;
	return 0;
}

/* esximage's GNU "/NNN": a name from the "//" table, up to "\n". */
static int
long_name(struct scan *sc, const char *ref, size_t reflen, struct ar_header *h,
    const char **name, size_t *len)
{
	const char *tab = sc->longnames.buf, *nl;
	char field[40];
	uint64_t off = 0;
	size_t i;

	printable(ref, reflen, field, sizeof(field));
	for (i = 1; i < reflen; i++) {
		if (ref[i] < '0' || ref[i] > '9' || off > LONG_NAMES_MAX)
			return dv_error_set(sc->err, DV_EVIB,
			    "%s: member header at offset %llu: unsupported "
			    "member name '%s'", label(sc->what),
			    (unsigned long long)h->offset, field);
		off = off * 10 + (uint64_t)(ref[i] - '0');
	}
	if (off >= sc->longnames.len)
		return dv_error_set(sc->err, DV_EVIB,
		    "%s: member header at offset %llu: long name '%s' is not "
		    "in the name table", label(sc->what),
		    (unsigned long long)h->offset, field);
	*name = tab + off;
	nl = memchr(*name, '\n', sc->longnames.len - (size_t)off);
	*len = nl != NULL ? (size_t)(nl - *name) :
	    sc->longnames.len - (size_t)off;
	return 0;
}

static int
parse_name(struct scan *sc, const unsigned char *f, struct ar_header *h)
{
	const char *name = (const char *)f;
	char field[40];
	size_t s, e, len;
	int ret;

	strip_field(f, AR_NAME_LEN, &s, &e);
	name += s;
	len = e - s;
	if (len == 1 && name[0] == '/') {
		h->symtab = true;
		return 0;
	}
	if (len == 2 && name[0] == '/' && name[1] == '/') {
		h->longnames = true;
		return 0;
	}
	if (len > 1 && name[0] == '/' &&
	    (ret = long_name(sc, name, len, h, &name, &len)) != 0)
		return ret;
	/* GNU ar ends names with "/"; esximage drops it. */
	if (len > 0 && name[len - 1] == '/')
		len--;
	printable(name, len, field, sizeof(field));
	if (memchr(name, '\0', len) != NULL)
		return dv_error_set(sc->err, DV_EVIB,
		    "%s: member header at offset %llu: member name '%s' "
		    "holds a NUL byte", label(sc->what),
		    (unsigned long long)h->offset, field);
	if (len > AR_NAME_LEN)
		return dv_error_set(sc->err, DV_EVIB,
		    "%s: member header at offset %llu: member name '%s' is "
		    "longer than %d characters", label(sc->what),
		    (unsigned long long)h->offset, field, AR_NAME_LEN);
	memcpy(h->name, name, len);
	h->name[len] = '\0';
	return 0;
}

/*
 * Read the next header as esximage does: one byte first, which is
 * padding when it is "\n" and else the header's first byte.  *end is set
 * at a clean end of file (possibly after that one pad byte).
 */
static int
read_header(struct scan *sc, struct ar_header *h, bool *end)
{
	unsigned char hb[AR_HDR_LEN];
	long n;
	int ret;

	memset(h, 0, sizeof(*h));
	*end = false;
	h->offset = reader_offset(&sc->r);
	if ((n = reader_read(&sc->r, hb, 1)) < 0)
		return (int)n;
	if (n == 0) {
		*end = true;
		return 0;
	}
	if (hb[0] == '\n') {
		h->offset++;
		if ((n = reader_read(&sc->r, hb, AR_HDR_LEN)) < 0)
			return (int)n;
		if (n == 0) {
			*end = true;
			return 0;
		}
	} else {
		if ((n = reader_read(&sc->r, hb + 1, AR_HDR_LEN - 1)) < 0)
			return (int)n;
		n++;
	}
	if (n < AR_HDR_LEN)
		return dv_error_set(sc->err, DV_EVIB,
		    "%s: unexpected EOF in the member header at offset %llu",
		    label(sc->what), (unsigned long long)h->offset);
	if (hb[58] != '`' || hb[59] != '\n')
		return dv_error_set(sc->err, DV_EVIB,
		    "%s: unexpected file magic in the member header at offset "
		    "%llu", label(sc->what), (unsigned long long)h->offset);
	/* mtime, uid, gid and mode mean nothing to a VIB: not checked. */
	if ((ret = parse_size(sc, hb + 48, h)) != 0)
		return ret;
	return parse_name(sc, hb, h);
}

static int
past_end(struct scan *sc, const char *name, uint64_t size)
{
	struct shown sn;

	return dv_error_set(sc->err, DV_EVIB, "%s: member '%s' runs past the "
	    "end of the file (%llu bytes claimed)", label(sc->what),
	    shown(&sn, name), (unsigned long long)size);
}

/* A member's data into sb (NULL: skip it), capped by the sbuf. */
static int
read_member(struct scan *sc, const char *name, uint64_t size, struct sbuf *sb)
{
	const unsigned char *p;
	uint64_t left = size;
	long n;

	while (left > 0) {
		if ((n = reader_next(&sc->r, left, &p)) < 0)
			return (int)n;
		if (n == 0)
			return past_end(sc, name, size);
		if (sb != NULL && sbuf_add(sb, p, (size_t)n) != 0)
			return dv_error_set(sc->err, DV_ELIMIT,
			    "%s: member '%s' is larger than %zu bytes",
			    label(sc->what), name, sb->cap);
		left -= (uint64_t)n;
	}
	return 0;
}

static int
read_small(struct scan *sc, const struct ar_header *h, struct sbuf *sb)
{
	if (h->size > sb->cap)
		return dv_error_set(sc->err, DV_ELIMIT, "%s: %s is %llu bytes, "
		    "more than the %zu allowed", label(sc->what), h->name,
		    (unsigned long long)h->size, sb->cap);
	return read_member(sc, h->name, h->size, sb);
}

static int
add_payload(struct scan *sc, const struct ar_header *h,
    const struct vib_want *want, struct vib_scan *out, size_t *alloc)
{
	struct vib_member *m;
	struct shown sn;
	size_t i;

	for (i = 0; i < out->nmembers; i++)
		if (strcmp(out->members[i].name, h->name) == 0)
			return dv_error_set(sc->err, DV_EVIB,
			    "%s: duplicate member '%s'", label(sc->what),
			    shown(&sn, h->name));
	if (out->nmembers == VIB_MAX_MEMBERS)
		return dv_error_set(sc->err, DV_ELIMIT,
		    "%s: more than %u payload members", label(sc->what),
		    VIB_MAX_MEMBERS);
	if (out->nmembers == *alloc) {
		*alloc = *alloc == 0 ? 8 : *alloc * 2;
		out->members = xrealloc(out->members,
		    *alloc * sizeof(*out->members));
	}
	m = &out->members[out->nmembers++];
	memset(m, 0, sizeof(*m));
	memcpy(m->name, h->name, sizeof(m->name));
	m->size = h->size;
	return scan_payload(sc, m, want == NULL ? VIB_WANT_ALL :
	    want->payload == NULL ? 0 : want->payload(want->ctx,
	    &out->descriptor, m->name));
}

static int
check_order(struct scan *sc, size_t index, const struct ar_header *h)
{
	struct shown sn;

	if (index == 0 && strcmp(h->name, "debian-binary") == 0)
		return dv_error_set(sc->err, DV_EVIB,
		    "%s: this VIB is a ESX 4.x VIB and is not supported",
		    label(sc->what));
	if (index == 0 && strcmp(h->name, "descriptor.xml") != 0)
		return dv_error_set(sc->err, DV_EVIB,
		    "%s: unsupported format: the first member found was '%s', "
		    "but descriptor.xml was expected", label(sc->what),
		    shown(&sn, h->name));
	if (index == 1 && strcmp(h->name, "sig.pkcs7") != 0)
		return dv_error_set(sc->err, DV_EVIB,
		    "%s: expected second member of VIB file to be sig.pkcs7, "
		    "but found '%s' instead", label(sc->what),
		    shown(&sn, h->name));
	return 0;
}

void
vib_scan_init(struct vib_scan *s)
{
	memset(s, 0, sizeof(*s));
	sbuf_init(&s->descriptor, VIB_MAX_DESCRIPTOR);
	sbuf_init(&s->signature, VIB_MAX_SIGNATURE);
}

void
vib_scan_release(struct vib_scan *s)
{
	if (s == NULL)
		return;
	sbuf_release(&s->descriptor);
	sbuf_release(&s->signature);
	free(s->members);
	vib_scan_init(s);
}

int
vib_scan(const struct byte_source *src, const char *what,
    struct vib_scan *out, struct dv_error *err)
{
	return vib_scan_want(src, what, NULL, out, err);
}

int
vib_scan_want(const struct byte_source *src, const char *what,
    const struct vib_want *want, struct vib_scan *out, struct dv_error *err)
{
	struct scan *sc;
	struct ar_header h;
	char magic[AR_MAGIC_LEN];
	size_t index = 0, alloc = 0;
	bool end;
	long n;
	int ret = 0;

	vib_scan_release(out);
	sc = xcalloc(1, sizeof(*sc));
	sc->what = what;
	sc->err = err;
	sc->r.src = src;
	sc->r.err = err;
	if (want == NULL || want->file_sha256)
		sc->r.sha = hash_new(HASH_SHA256);
	sc->r.buf = xmalloc(IO_BUF);
	sc->out1 = xmalloc(OUT_BUF);
	sc->out2 = xmalloc(OUT_BUF);
	sbuf_init(&sc->longnames, LONG_NAMES_MAX);

	if ((n = reader_read(&sc->r, magic, sizeof(magic))) < 0) {
		ret = (int)n;
		goto out;
	}
	if (n < AR_MAGIC_LEN) {
		ret = dv_error_set(err, DV_EVIB, "%s: VIB archive is too short",
		    label(what));
		goto out;
	}
	if (memcmp(magic, AR_MAGIC, AR_MAGIC_LEN) != 0) {
		ret = dv_error_set(err, DV_EVIB, "%s: not a valid ar file",
		    label(what));
		goto out;
	}
	for (;;) {
		if ((ret = read_header(sc, &h, &end)) != 0)
			goto out;
		if (end)
			break;
		if (h.symtab) {
			ret = read_member(sc, "/", h.size, NULL);
		} else if (h.longnames) {
			sbuf_reset(&sc->longnames);
			ret = read_member(sc, "//", h.size, &sc->longnames);
		} else if ((ret = check_order(sc, index, &h)) == 0) {
			if (index == 0)
				ret = read_small(sc, &h, &out->descriptor);
			else if (index == 1)
				ret = read_small(sc, &h, &out->signature);
			else
				ret = add_payload(sc, &h, want, out, &alloc);
			index++;
		}
		if (ret != 0)
			goto out;
	}
	if (index < 2) {
		ret = dv_error_set(err, DV_EVIB, "%s: VIB archive is too short: "
		    "it ends before the %s member", label(what),
		    index == 0 ? "descriptor.xml" : "sig.pkcs7");
		goto out;
	}
	out->file_size = sc->r.total;
	finish(sc->r.sha, out->file_sha256);
out:
	if (ret != 0)
		vib_scan_release(out);
	hash_free(sc->r.sha);
	sbuf_release(&sc->longnames);
	free(sc->r.buf);
	free(sc->out1);
	free(sc->out2);
	free(sc);
	return ret;
}

static long
file_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	size_t n = fread(buf, 1, len, ctx);

	if (n == 0 && ferror(ctx))
		return dv_error_errno(err, DV_EIO, "read error");
	return (long)n;
}

struct byte_source
byte_source_of_file(FILE *fp)
{
	struct byte_source src = {file_read, fp};

	return src;
}
