/* package.c - walk a vendor download, classify it, write what installs. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "archive.h"
#include "crypto.h"
#include "depot_int.h"
#include "package.h"
#include "parse.h"
#include "vib.h"

/* Enough of a member to recognise zip, gzip, tar and ar. */
#define HEAD_LEN 512
#define COPY_BUF (256u << 10)
#define TOOL_BINARY "nvmupdaten64e"
#define TOOL_CONFIG "nvmupdate.cfg"

/* Content already met in this run, by SHA-256. */
struct seen {
	char sha256[HASH_HEX_MAX];
	char *where;  /* "INPUT!chain", for "same content as" */
	char *output; /* the name written in OUTDIR, or NULL */
};

struct walk {
	struct package *p;
	struct package_extract *x; /* NULL: only look */
	struct dv_error *err;
	struct ptrvec own_seen;
	struct ptrvec *seen;
	size_t nodes;
	uint64_t held; /* archive bytes in memory along the current chain */
	int fd;	       /* the input */
};

/* A string map for one archive's names: open addressing, never shrinks. */
struct smap {
	const char **keys;
	void **vals;
	size_t cap, n;
};

struct special;

struct centry {
	char *name; /* ".", "" components and a final "/" removed */
	bool dir;
	uint64_t size;
	unsigned mode;
	int64_t mtime;
	struct special *owner; /* the expanded depot or tool it is part of */
	struct package_node *node;
};

/* An expanded depot folder or an Intel tool folder inside one archive. */
struct special {
	enum package_kind kind;
	char *dir; /* inside the archive; "" for its root */
	struct package_node *node;
	struct ptrvec stash_names; /* expanded: metadata files, in memory */
	struct ptrvec stash_data;  /* struct sbuf * */
	uint64_t stash_total;
	struct sbuf cfg; /* tool: nvmupdate.cfg */
	bool have_cfg;
	const char *outdir; /* tool: folder written in OUTDIR */
	bool ready;	    /* its node is set up */
	bool swallowed;	    /* inside another special folder: just files */
};

/* One archive being walked: the input itself, or one held in memory. */
struct cont {
	struct walk *w;
	struct package_node *node;
	const char *chain; /* its path from the input, "" for the input */
	int depth;	   /* 1 for the input */
	bool is_tar;
	const void *mem;   /* its bytes; NULL for the input file */
	size_t len;
	struct zipfile *zip;
	struct tarfile *tar;
	struct byte_source fdsrc;
	long tar_cur;	/* the entry tarfile_next last gave */
	bool tar_used;	/* some of its data was read */
	struct centry *ents;
	size_t nents, alloc;
	struct smap names;   /* entry name -> index + 1 */
	struct smap folders; /* folder name -> node */
	struct smap specials; /* special dir -> struct special */
	struct ptrvec speclist;
	const char *stem; /* the archive's name without its extension */
};

/* One member's bytes as a stream, with its first bytes peekable. */
struct mstream {
	struct cont *c;
	size_t idx;
	struct zipstream *zs;
	unsigned char head[HEAD_LEN];
	size_t headlen, headpos;
	uint64_t got;
};

static int walk_container(struct cont *c);

/* ---- small helpers ---------------------------------------------------- */

const char *
package_kind_name(enum package_kind k)
{
	switch (k) {
	case PACKAGE_ZIP:
		return "zip";
	case PACKAGE_TAR:
		return "tar";
	case PACKAGE_FOLDER:
		return "folder";
	case PACKAGE_DEPOT:
		return "depot";
	case PACKAGE_EXPANDED:
		return "expanded-depot";
	case PACKAGE_VIB:
		return "vib";
	case PACKAGE_NVM_TOOL:
		return "nvm-tool";
	case PACKAGE_DOC:
		return "documentation";
	case PACKAGE_FILE:
		break;
	}
	return "file";
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static const char *
base_name(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash != NULL ? slash + 1 : s;
}

static bool
tar_name(const char *s)
{
	return ends_with(s, ".tar") || ends_with(s, ".tar.gz") ||
	    ends_with(s, ".tgz");
}

/* The name without .zip, .tar, .tar.gz or .tgz. */
static char *
stem_of(struct arena *a, const char *name)
{
	static const char *const exts[] = {".tar.gz", ".tgz", ".tar", ".zip"};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with(name, exts[i]) && n > strlen(exts[i]))
			return arena_strndup(a, name, n - strlen(exts[i]));
	return arena_strdup(a, name);
}

/* Names longer than this are cut in messages (one fits in dv_error). */
#define SHOWN_MAX 200

/*
 * A name for a message: control bytes shown as \xNN, and a very long
 * name cut short, so that the reason after it still fits the message.
 */
static void
add_shown(struct sbuf *sb, const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (++n > SHOWN_MAX && strlen(s) > 3) {
			sbuf_adds(sb, "...");
			return;
		}
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			sbuf_addf(sb, "\\x%02x", ch);
		else
			sbuf_addch(sb, *s);
	}
}

/* "chain!member" of a member of c, for messages, into sb. */
static const char *
member_label(const struct cont *c, const char *name, struct sbuf *sb)
{
	sbuf_reset(sb);
	if (*c->chain != '\0')
		sbuf_addf(sb, "%s!", c->chain);
	add_shown(sb, name);
	return sb->buf;
}

static char *
join_chain(struct arena *a, const char *chain, const char *name)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	char *s;

	if (*chain != '\0')
		sbuf_addf(&sb, "%s!", chain);
	sbuf_adds(&sb, name);
	s = arena_strdup(a, sb.buf);
	sbuf_release(&sb);
	return s;
}

/* ---- the string map --------------------------------------------------- */

static size_t
smap_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void *
smap_get(const struct smap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = smap_hash(key) & (m->cap - 1); m->keys[i] != NULL;
	    i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	return NULL;
}

/* key must outlive the map; an existing key gets the new value. */
static void
smap_put(struct smap *m, const char *key, void *val)
{
	struct smap old = *m;
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		m->cap = m->cap == 0 ? 64 : m->cap * 2;
		m->keys = xcalloc(m->cap, sizeof(*m->keys));
		m->vals = xcalloc(m->cap, sizeof(*m->vals));
		m->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.keys[i] != NULL)
				smap_put(m, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	for (i = smap_hash(key) & (m->cap - 1); m->keys[i] != NULL;
	    i = (i + 1) & (m->cap - 1)) {
		if (strcmp(m->keys[i], key) == 0) {
			m->vals[i] = val;
			return;
		}
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
}

static void
smap_release(struct smap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- the tree --------------------------------------------------------- */

static struct package_node *
new_node(struct walk *w, struct package_node *parent, enum package_kind kind,
    const char *name, const char *path)
{
	struct package *p = w->p;
	struct package_node *n;

	if (++w->nodes > DV_MAX_PACKAGE_ITEMS) {
		dv_error_set(w->err, DV_ELIMIT, "%s: more than %u items",
		    p->path, DV_MAX_PACKAGE_ITEMS);
		return NULL;
	}
	n = arena_alloc(&p->arena, sizeof(*n));
	n->kind = kind;
	n->name = arena_strdup(&p->arena, name);
	n->path = arena_strdup(&p->arena, path);
	n->parent = parent;
	if (parent != NULL) {
		/* Children arrays grow by doubling, in the arena. */
		if ((parent->nchildren & (parent->nchildren - 1)) == 0) {
			size_t want = parent->nchildren == 0 ? 4 :
			    parent->nchildren * 2;
			struct package_node **v = arena_alloc(&p->arena,
			    want * sizeof(*v));
			if (parent->nchildren > 0)
				memcpy(v, parent->children, parent->nchildren *
				    sizeof(*v));
			parent->children = v;
		}
		parent->children[parent->nchildren++] = n;
	}
	return n;
}

static void
set_sha(struct walk *w, struct package_node *n, const char *hex)
{
	n->sha256 = hex != NULL ? arena_strdup(&w->p->arena, hex) : NULL;
}

static struct seen *
seen_sha(struct walk *w, const char *sha)
{
	for (size_t i = 0; i < w->seen->n; i++) {
		struct seen *s = w->seen->v[i];
		if (strcmp(s->sha256, sha) == 0)
			return s;
	}
	return NULL;
}

static struct seen *
seen_output(struct walk *w, const char *output)
{
	for (size_t i = 0; i < w->seen->n; i++) {
		struct seen *s = w->seen->v[i];
		if (s->output != NULL && strcmp(s->output, output) == 0)
			return s;
	}
	return NULL;
}

static void
remember(struct walk *w, const struct package_node *n, const char *sha,
    const char *output)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	struct seen *s = xcalloc(1, sizeof(*s));

	snprintf(s->sha256, sizeof(s->sha256), "%s", sha);
	sbuf_addf(&sb, "%s%s%s", w->p->path, *n->path != '\0' ? "!" : "",
	    n->path);
	s->where = sbuf_detach(&sb, NULL);
	s->output = output != NULL ? xstrdup(output) : NULL;
	ptrvec_push(w->seen, s);
}

/* Mark n as the same content as s, which was met first. */
static void
mark_duplicate(struct walk *w, struct package_node *n, const struct seen *s)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);

	n->duplicate_of = arena_strdup(&w->p->arena, s->where);
	sbuf_addf(&sb, "same content as %s", s->output != NULL ? s->output :
	    s->where);
	n->skipped = arena_strdup(&w->p->arena, sb.buf);
	sbuf_release(&sb);
}

static void
skip(struct walk *w, struct package_node *n, const char *why)
{
	if (w->x != NULL && n->skipped == NULL && n->output == NULL)
		n->skipped = arena_strdup(&w->p->arena, why);
}

/* ---- member streams ---------------------------------------------------- */

static long
fd_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct walk *w = ctx;
	ssize_t n;

	do
		n = read(w->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot read",
		    w->p->path);
	return (long)n;
}

static int
tar_open(struct cont *c)
{
	struct sbuf label = SBUF_INIT(SBUF_NOCAP);
	int ret;

	tarfile_close(c->tar);
	c->tar = NULL;
	c->tar_cur = -1;
	c->tar_used = false;
	sbuf_addf(&label, "%s%s%s", c->w->p->path, *c->chain != '\0' ? ": " :
	    "", c->chain);
	if (c->mem != NULL) {
		ret = tarfile_open_mem(c->mem, c->len, label.buf, &c->tar,
		    c->w->err);
	} else if (lseek(c->w->fd, 0, SEEK_SET) != 0) {
		ret = dv_error_errno(c->w->err, DV_EIO, "%s: cannot read",
		    c->w->p->path);
	} else {
		c->fdsrc.read = fd_read;
		c->fdsrc.ctx = c->w;
		ret = tarfile_open_source(&c->fdsrc, label.buf, &c->tar,
		    c->w->err);
	}
	sbuf_release(&label);
	return ret;
}

/* Move the tar to entry i, from the start again if it is behind us. */
static int
tar_seek(struct cont *c, size_t i)
{
	struct tar_entry te;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	int ret;

	if (c->tar == NULL || c->tar_cur > (long)i ||
	    (c->tar_cur == (long)i && c->tar_used))
		if ((ret = tar_open(c)) != 0)
			return ret;
	while (c->tar_cur < (long)i) {
		if ((ret = tarfile_next(c->tar, &te, c->w->err)) < 0)
			return ret;
		if (ret == 0) {
			ret = dv_error_set(c->w->err, DV_ETAR, "%s: %s: ends "
			    "early (it changed while it was read)",
			    c->w->p->path, member_label(c, "", &sb));
			sbuf_release(&sb);
			return ret;
		}
		c->tar_cur++;
	}
	c->tar_used = true;
	return 0;
}

static int
ms_open(struct cont *c, size_t i, struct mstream *ms)
{
	memset(ms, 0, sizeof(*ms));
	ms->c = c;
	ms->idx = i;
	if (c->is_tar)
		return tar_seek(c, i);
	return zipstream_open(c->zip, i, &ms->zs, c->w->err);
}

static long
ms_raw(struct mstream *ms, void *buf, size_t len, struct dv_error *err)
{
	if (ms->c->is_tar)
		return tarfile_read(ms->c->tar, buf, len, err);
	return zipstream_read(ms->zs, buf, len, err);
}

/* Read up to HEAD_LEN bytes ahead; they are handed out again later. */
static int
ms_peek(struct mstream *ms)
{
	long n;

	while (ms->headlen < HEAD_LEN) {
		n = ms_raw(ms, ms->head + ms->headlen, HEAD_LEN - ms->headlen,
		    ms->c->w->err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		ms->headlen += (size_t)n;
	}
	return 0;
}

static long
ms_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct mstream *ms = ctx;
	size_t k;
	long n;

	if (ms->headpos < ms->headlen) {
		k = ms->headlen - ms->headpos;
		if (k > len)
			k = len;
		memcpy(buf, ms->head + ms->headpos, k);
		ms->headpos += k;
		ms->got += k;
		return (long)k;
	}
	if ((n = ms_raw(ms, buf, len, err)) > 0)
		ms->got += (uint64_t)n;
	return n;
}

static void
ms_close(struct mstream *ms)
{
	zipstream_close(ms->zs);
	ms->zs = NULL;
}

/* The rest of a member into out, capped; what was peeked comes first. */
static int
ms_read_all(struct mstream *ms, uint64_t cap, struct sbuf *out)
{
	struct walk *w = ms->c->w;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	char *chunk = xmalloc(COPY_BUF);
	long n;
	int ret = 0;

	sbuf_release(out);
	sbuf_init(out, cap > SIZE_MAX ? SIZE_MAX : (size_t)cap);
	while ((n = ms_read(ms, chunk, COPY_BUF, w->err)) > 0) {
		if (w->x != NULL && (ret = outdir_check(w->x->out,
		    w->err)) != 0)
			goto out;
		if (sbuf_add(out, chunk, (size_t)n) != 0) {
			ret = dv_error_set(w->err, DV_ELIMIT, "%s: %s: larger "
			    "than %llu bytes, the most read into memory",
			    w->p->path, member_label(ms->c,
			    ms->c->ents[ms->idx].name, &sb),
			    (unsigned long long)cap);
			goto out;
		}
	}
	ret = n < 0 ? (int)n : 0;
out:
	free(chunk);
	sbuf_release(&sb);
	return ret;
}

/* ---- writing into OUTDIR --------------------------------------------- */

/* A source that hashes what it hands over and copies it to a file. */
struct tee {
	const struct byte_source *src;
	struct outdir *od;
	int fd; /* -1: only hash */
	struct hash *sha;
	uint64_t size;
	uint64_t limit; /* with limited: the size the metadata says */
	bool limited;
	const char *what;
};

static long
tee_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct tee *t = ctx;
	long n = t->src->read(t->src->ctx, buf, len, err);
	int ret;

	if (n <= 0)
		return n;
	if (t->sha != NULL)
		hash_update(t->sha, buf, (size_t)n);
	t->size += (uint64_t)n;
	/* Refused as soon as it is too big, not after a disk's worth. */
	if (t->limited && t->size > t->limit)
		return dv_error_set(err, DV_EDIGEST, "%s: more than the %llu "
		    "bytes the depot's metadata says", t->what,
		    (unsigned long long)t->limit);
	if (t->fd >= 0 && (ret = outdir_write(t->od, t->fd, buf, (size_t)n,
	    err)) != 0)
		return ret;
	return n;
}

/* Read a source to its end through the tee. */
static int
drain(struct tee *t, struct dv_error *err)
{
	char *buf = xmalloc(COPY_BUF);
	long n;

	while ((n = tee_read(t, buf, COPY_BUF, err)) > 0)
		;
	free(buf);
	return n < 0 ? (int)n : 0;
}

/*
 * Start writing n's content as name: *fd is -1 when name was written
 * already in this run (the content then only gets hashed, and finish
 * decides whether it is the same).
 */
static int
emit_open(struct walk *w, const char *name, bool executable, int *fd)
{
	*fd = -1;
	if (outdir_has(w->x->out, name))
		return 0;
	return outdir_open_file(w->x->out, name, executable, fd, w->err);
}

/*
 * The content of n is hashed as sha: keep it as name, or take it back as
 * a duplicate of something written before.  A name already taken by
 * different content is an error: two things would claim one file.
 */
static int
emit_finish(struct walk *w, struct package_node *n, const char *name,
    int fd, const char *sha)
{
	struct seen *s = seen_sha(w, sha), *o;
	int ret;

	if (fd >= 0 && (ret = outdir_close_file(w->x->out, fd, w->err)) != 0)
		return ret;
	if (fd < 0 && (s == NULL || s->output == NULL ||
	    strcmp(s->output, name) != 0)) {
		o = seen_output(w, name);
		return dv_error_set(w->err, DV_EEXIST, "%s: %s: would be "
		    "written as '%s', which %s already is (different content)",
		    w->p->path, n->path, name, o != NULL ? o->where :
		    "another item");
	}
	if (s != NULL && s->output != NULL) {
		if (fd >= 0 && (ret = outdir_remove(w->x->out, name,
		    w->err)) != 0)
			return ret;
		mark_duplicate(w, n, s);
		return 0;
	}
	n->output = arena_strdup(&w->p->arena, name);
	remember(w, n, sha, name);
	return 0;
}

/* Write bytes already in memory (their SHA-256 known) as name. */
static int
emit_mem(struct walk *w, struct package_node *n, const char *name,
    const void *data, size_t len)
{
	struct seen *s = seen_sha(w, n->sha256);
	int fd, ret;

	if (s != NULL && s->output != NULL) {
		mark_duplicate(w, n, s);
		return 0;
	}
	if ((ret = emit_open(w, name, false, &fd)) != 0)
		return ret;
	if (fd >= 0 && (ret = outdir_write(w->x->out, fd, data, len,
	    w->err)) != 0) {
		outdir_close_file(w->x->out, fd, NULL);
		return ret;
	}
	return emit_finish(w, n, name, fd, n->sha256);
}

/* Stream src to name, hashing; expect (when not NULL) is its SHA-256. */
static int
emit_stream(struct walk *w, struct package_node *n, const char *name,
    const struct byte_source *src, bool executable, const char *expect,
    uint64_t expect_size, bool check_size)
{
	struct tee t = {0};
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	struct seen *s;
	char sha[HASH_HEX_MAX];
	int fd = -1, ret;

	if (expect != NULL && (s = seen_sha(w, expect)) != NULL &&
	    s->output != NULL) {
		mark_duplicate(w, n, s);
		return 0;
	}
	if ((ret = emit_open(w, name, executable, &fd)) != 0)
		return ret;
	t.src = src;
	t.od = w->x->out;
	t.fd = fd;
	t.sha = hash_new(HASH_SHA256);
	t.limited = check_size;
	t.limit = expect_size;
	sbuf_addf(&what, "%s: %s", w->p->path, n->path);
	t.what = what.buf;
	ret = drain(&t, w->err);
	sbuf_release(&what);
	hash_final_hex(t.sha, sha);
	hash_free(t.sha);
	if (ret == 0 && ((expect != NULL && strcmp(expect, sha) != 0) ||
	    (check_size && t.size != expect_size)))
		ret = dv_error_set(w->err, DV_EDIGEST, "%s: %s: %llu bytes "
		    "with SHA-256 %s, but the depot's metadata says %llu bytes "
		    "with %s", w->p->path, n->path,
		    (unsigned long long)t.size, sha,
		    (unsigned long long)expect_size,
		    expect != NULL ? expect : "no checksum");
	if (ret != 0) {
		if (fd >= 0)
			outdir_close_file(w->x->out, fd, NULL);
		return ret;
	}
	if (n->sha256 == NULL)
		set_sha(w, n, sha);
	return emit_finish(w, n, name, fd, sha);
}

/* ---- depots ----------------------------------------------------------- */

/* Mellanox ships two VIBs whose names confuse: say which is which. */
static const char *
vib_note(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "mft") == 0)
		return "the tools VIB";
	if (strcmp(name, "mft-oem") == 0)
		return "OEM variant, not the tools";
	return NULL;
}

static void
add_warning(struct walk *w, struct ptrvec *pv, const char *s)
{
	ptrvec_push(pv, arena_strdup(&w->p->arena, s));
}

/* Fill n's depot facts and one child per VIB from the opened depot d. */
static int
describe_depot(struct walk *w, struct package_node *n, const struct depot *d,
    const char *vib_base, struct ptrvec *warnings)
{
	struct arena *a = &w->p->arena;
	struct package_depot_info *di = &n->depot;
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct package_node *v;
	size_t i, k, m;

	di->kind = arena_strdup(a, depot_kind_name(d));
	di->nvendors = d->nvendors;
	di->vendors = arena_alloc(a, (d->nvendors + 1) * sizeof(*di->vendors));
	for (i = 0; i < d->nvendors; i++) {
		di->vendors[i].name = arena_strdup(a, d->vendors[i].name);
		di->vendors[i].code = arena_strdup(a, d->vendors[i].code);
	}
	for (i = m = 0; i < d->nmetadata; i++)
		m += d->metadata[i].platforms.n;
	di->platforms = arena_alloc(a, (m + 1) * sizeof(*di->platforms));
	for (i = 0; i < d->nmetadata; i++) {
		for (k = 0; k < d->metadata[i].platforms.n; k++) {
			const struct depot_platform *pl =
			    &d->metadata[i].platforms.v[k];
			size_t j;
			for (j = 0; j < di->nplatforms; j++)
				if (strcmp(di->platforms[j].product,
				    pl->product) == 0 && strcmp(
				    di->platforms[j].version, pl->version) == 0)
					break;
			if (j < di->nplatforms)
				continue;
			di->platforms[di->nplatforms].product =
			    arena_strdup(a, pl->product);
			di->platforms[di->nplatforms].version =
			    arena_strdup(a, pl->version);
			di->platforms[di->nplatforms++].locale =
			    arena_strdup(a, pl->locale);
		}
	}
	di->nvibs = d->nvibs;
	di->ncomponents = d->nbulletins;
	di->nprofiles = d->nprofiles;
	for (i = 0; i < d->warnings.n; i++)
		add_warning(w, warnings, d->warnings.v[i].msg);
	for (i = 0; i < d->nvibs; i++) {
		const struct depot_vib *dv = d->vibs[i];
		sbuf_reset(&path);
		sbuf_addf(&path, "%s%s", vib_base, dv->member != NULL ?
		    dv->member : dv->relative_path != NULL ?
		    dv->relative_path : dv->id);
		v = new_node(w, n, PACKAGE_VIB, dv->member != NULL ?
		    base_name(dv->member) : dv->id, path.buf);
		if (v == NULL) {
			sbuf_release(&path);
			return -DV_ELIMIT;
		}
		v->size = dv->packed_size;
		set_sha(w, v, dv->sha256);
		v->vib.id = arena_strdup(a, dv->id);
		v->vib.name = arena_strdup(a, dv->name);
		v->vib.version = arena_strdup(a, dv->version);
		v->vib.vendor = arena_strdup(a, dv->vendor);
		v->vib.acceptance = dv->acceptance;
		v->vib.in_depot = true;
		v->note = vib_note(dv->name);
	}
	sbuf_release(&path);
	return 0;
}

/* Where the VIBs of a depot are read from, for extract --vibs. */
struct vib_reader {
	int (*open)(void *ctx, const char *member, struct mstream *ms);
	void *ctx;
};

static int
zip_vib_open(void *ctx, const char *member, struct mstream *ms)
{
	struct cont *c = ctx;
	long i = zipfile_find(c->zip, member);

	if (i < 0)
		return -DV_EMISSING;
	memset(ms, 0, sizeof(*ms));
	ms->c = c;
	return zipstream_open(c->zip, (size_t)i, &ms->zs, c->w->err);
}

/* With --vibs: each of the depot's VIBs as <vib-id>.vib. */
static int
extract_vibs(struct walk *w, struct package_node *n,
    const struct depot *d, const struct vib_reader *vr)
{
	struct sbuf name = SBUF_INIT(SBUF_NOCAP);
	struct byte_source src;
	struct mstream ms;
	size_t i;
	int ret = 0;

	for (i = 0; i < n->nchildren && i < d->nvibs; i++) {
		struct package_node *v = n->children[i];
		const struct depot_vib *dv = d->vibs[i];
		if (!w->x->vibs) {
			skip(w, v, "inside its depot; --vibs writes it alone");
			continue;
		}
		if (dv->member == NULL) {
			skip(w, v, "not in the depot (its metadata names a "
			    "remote URL)");
			continue;
		}
		if ((ret = outdir_check(w->x->out, w->err)) != 0)
			goto out;
		ret = vr->open(vr->ctx, dv->member, &ms);
		if (ret == -DV_EMISSING) {
			ret = dv_error_set(w->err, DV_EMISSING, "%s: %s: missing "
			    "(named by the depot's metadata)", w->p->path,
			    v->path);
			goto out;
		}
		if (ret != 0)
			goto out;
		src.read = ms_read;
		src.ctx = &ms;
		sbuf_reset(&name);
		sbuf_addf(&name, "%s.vib", dv->id);
		ret = emit_stream(w, v, name.buf, &src, false, dv->sha256,
		    dv->packed_size, dv->has_packed_size);
		ms_close(&ms);
		if (ret != 0)
			goto out;
	}
out:
	sbuf_release(&name);
	return ret;
}

/*
 * A depot zip, in memory (mem) or the input file itself: describe it and,
 * when extracting, write it under its own name.
 */
static int
depot_item(struct walk *w, struct package_node *n, const void *mem,
    size_t len)
{
	struct package *p = w->p;
	struct ptrvec warnings = PTRVEC_INIT;
	struct sbuf label = SBUF_INIT(SBUF_NOCAP), base = SBUF_INIT(SBUF_NOCAP);
	struct depot *d = NULL;
	struct cont vc = {0};
	struct vib_reader vr = {zip_vib_open, &vc};
	struct byte_source src;
	int ret;

	sbuf_addf(&label, "%s%s%s", p->path, *n->path != '\0' ? ": " : "",
	    n->path);
	ret = mem != NULL ? depot_open_mem(mem, len, label.buf, &d, w->err) :
	    depot_open(p->path, &d, w->err);
	if (ret != 0)
		goto out;
	n->kind = PACKAGE_DEPOT;
	n->installable = true;
	if (*n->path != '\0')
		sbuf_addf(&base, "%s!", n->path);
	if ((ret = describe_depot(w, n, d, base.buf, &warnings)) != 0)
		goto out;
	if (w->x == NULL)
		goto out;
	if (mem != NULL) {
		ret = emit_mem(w, n, base_name(n->name), mem, len);
	} else {
		if (lseek(w->fd, 0, SEEK_SET) != 0) {
			ret = dv_error_errno(w->err, DV_EIO, "%s: cannot read",
			    p->path);
			goto out;
		}
		src.read = fd_read;
		src.ctx = w;
		ret = emit_stream(w, n, base_name(p->path), &src, false, NULL,
		    0, false);
	}
	if (ret != 0 || n->duplicate_of != NULL)
		goto out;
	vc.w = w;
	vc.chain = n->path;
	ret = mem != NULL ? zipfile_open_mem(mem, len, label.buf, &vc.zip,
	    w->err) : zipfile_open(p->path, &vc.zip, w->err);
	if (ret == 0)
		ret = extract_vibs(w, n, d, &vr);
out:
	if (ret == 0) {
		/* The depot's warnings become the package's. */
		size_t old = p->warnings.n;
		const char **v = arena_alloc(&p->arena, (old + warnings.n + 1) *
		    sizeof(*v));
		if (old > 0)
			memcpy(v, p->warnings.v, old * sizeof(*v));
		for (size_t i = 0; i < warnings.n; i++)
			v[old + i] = warnings.v[i];
		p->warnings.v = v;
		p->warnings.n = old + warnings.n;
	}
	ptrvec_release(&warnings);
	zipfile_close(vc.zip);
	depot_free(d);
	sbuf_release(&label);
	sbuf_release(&base);
	return ret;
}

/* ---- bare VIBs ---------------------------------------------------------- */

/*
 * A .vib found in an archive (or given): scanned in one pass for its id,
 * version and acceptance level, and when extracting copied as it goes.
 */
static int
vib_item(struct walk *w, struct package_node *n, const struct byte_source *src,
    const char *outname)
{
	struct package *p = w->p;
	struct vib_scan scan;
	struct tee t = {0};
	struct byte_source tsrc = {tee_read, &t};
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	struct xdoc doc = {0};
	struct depot_vib *v = NULL;
	struct seen *s;
	int fd = -1, ret;

	vib_scan_init(&scan);
	sbuf_addf(&what, "%s%s%s", p->path, *n->path != '\0' ? ": " : "",
	    n->path);
	if (w->x != NULL && (ret = emit_open(w, outname, false, &fd)) != 0)
		goto out;
	t.src = src;
	t.od = w->x != NULL ? w->x->out : NULL;
	t.fd = fd;
	/* vib_scan hashes the whole file itself. */
	if ((ret = vib_scan(&tsrc, what.buf, &scan, w->err)) != 0)
		goto out;
	sbuf_addf(&what, ": descriptor.xml");
	if ((ret = xml_parse(scan.descriptor.buf, scan.descriptor.len,
	    what.buf, &doc, w->err)) != 0 ||
	    (ret = parse_vib(&p->arena, doc.root, what.buf, false, &v,
	    w->err)) != 0)
		goto out;
	n->kind = PACKAGE_VIB;
	n->installable = true;
	n->size = scan.file_size;
	set_sha(w, n, scan.file_sha256);
	n->vib.id = v->id;
	n->vib.name = v->name;
	n->vib.version = v->version;
	n->vib.vendor = v->vendor;
	n->vib.acceptance = v->acceptance;
	n->note = vib_note(v->name);
	if (w->x != NULL) {
		ret = emit_finish(w, n, outname, fd, scan.file_sha256);
		fd = -1;
	} else if ((s = seen_sha(w, n->sha256)) != NULL) {
		n->duplicate_of = arena_strdup(&p->arena, s->where);
	} else {
		remember(w, n, n->sha256, NULL);
	}
out:
	if (fd >= 0)
		outdir_close_file(w->x->out, fd, NULL);
	xdoc_release(&doc);
	vib_scan_release(&scan);
	sbuf_release(&what);
	return ret;
}

/* ---- member names ------------------------------------------------------ */

const char *
dv_member_problem(const char *name)
{
	const char *p, *e;

	if (*name == '\0')
		return "empty member name";
	if (strlen(name) > DV_MAX_NAME_BYTES)
		return "member name too long";
	if (name[0] == '/')
		return "absolute path";
	if (((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' &&
	    name[0] <= 'z')) && name[1] == ':')
		return "drive letter in the member name";
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "control character in the member name";
		if (*p == '\\')
			return "backslash in the member name";
	}
	for (p = name; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e - p == 2 && p[0] == '.' && p[1] == '.')
			return "'..' in the member name";
	}
	return NULL;
}

/* The name without "." and empty components; NULL when nothing is left. */
static char *
normalize(const char *name, bool *dir)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	const char *p, *e;

	*dir = name[strlen(name) - 1] == '/';
	for (p = name; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p || (e - p == 1 && p[0] == '.'))
			continue;
		if (sb.len > 0)
			sbuf_addch(&sb, '/');
		sbuf_add(&sb, p, (size_t)(e - p));
	}
	if (sb.len == 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb, NULL);
}

static int
refuse(struct cont *c, const char *raw, const char *why)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	int ret;

	ret = dv_error_set(c->w->err, DV_EPATH, "%s: %s: %s", c->w->p->path,
	    member_label(c, raw, &sb), why);
	sbuf_release(&sb);
	return ret;
}

/* Check one listed member and keep it. */
static int
add_entry(struct cont *c, const char *raw, bool nul, const char *kind_problem,
    bool dir, uint64_t size, unsigned mode, int64_t mtime)
{
	const char *why = nul ? "NUL byte in the member name" :
	    dv_member_problem(raw);
	struct centry *e;
	uintptr_t k;
	char *name;
	bool isdir;

	if (why == NULL)
		why = kind_problem;
	if (why != NULL)
		return refuse(c, raw, why);
	/* NULL for "./", the archive's own root: kept, so that entry k is
	 * always member k of the zip and the k-th header of the tar. */
	name = normalize(raw, &isdir);
	if (name != NULL && (k = (uintptr_t)smap_get(&c->names, name)) != 0) {
		/* A folder listed twice is harmless; a file is not. */
		if ((dir || isdir) && c->ents[k - 1].dir) {
			free(name);
			name = NULL;
		} else {
			free(name);
			return refuse(c, raw, "the member name appears twice");
		}
	}
	if (c->nents == c->alloc) {
		c->alloc = c->alloc == 0 ? 64 : c->alloc * 2;
		c->ents = xrealloc(c->ents, c->alloc * sizeof(*c->ents));
	}
	e = &c->ents[c->nents++];
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->dir = dir || isdir;
	e->size = size;
	e->mode = mode;
	e->mtime = mtime;
	if (name != NULL)
		smap_put(&c->names, e->name, (void *)(uintptr_t)c->nents);
	return 0;
}

static int
list_zip(struct cont *c)
{
	struct zip_entry ze;
	size_t i;
	int ret;

	for (i = 0; i < zipfile_count(c->zip); i++) {
		if ((ret = zipfile_entry(c->zip, i, &ze, c->w->err)) != 0 ||
		    (ret = add_entry(c, ze.name, ze.name_has_nul,
		    ze.kind == ZIP_ENTRY_SYMLINK ? "is a symbolic link" :
		    ze.kind == ZIP_ENTRY_OTHER ? "is a device or special file" :
		    NULL, ze.kind == ZIP_ENTRY_DIR, ze.size, ze.mode,
		    ze.mtime)) != 0)
			return ret;
	}
	return 0;
}

static int
list_tar(struct cont *c)
{
	static const char *const problems[] = {
		[TAR_ENTRY_FILE] = NULL,
		[TAR_ENTRY_DIR] = NULL,
		[TAR_ENTRY_SYMLINK] = "is a symbolic link",
		[TAR_ENTRY_HARDLINK] = "is a hard link",
		[TAR_ENTRY_DEVICE] = "is a device file",
		[TAR_ENTRY_OTHER] = "is a fifo or other special file",
	};
	struct tar_entry te;
	int ret;

	if ((ret = tar_open(c)) != 0)
		return ret;
	while ((ret = tarfile_next(c->tar, &te, c->w->err)) == 1) {
		c->tar_cur++;
		if ((ret = add_entry(c, te.name, false, problems[te.kind],
		    te.kind == TAR_ENTRY_DIR, te.size, te.mode, te.mtime)) != 0)
			return ret;
	}
	/* The reader is past the end now: the last entry's data is gone,
	 * so reading it means starting again (tar_seek). */
	c->tar_used = true;
	return ret;
}

/* ---- folders and special folders -------------------------------------- */

/* The node of folder dir ("" is the archive itself), made on first use. */
static struct package_node *
folder_node(struct cont *c, const char *dir)
{
	struct sbuf shown = SBUF_INIT(SBUF_NOCAP);
	struct package_node *n, *parent;
	struct special *sp;
	char *up, *path;
	const char *slash;

	if (*dir == '\0')
		return c->node;
	if ((n = smap_get(&c->folders, dir)) != NULL)
		return n;
	slash = strrchr(dir, '/');
	up = slash != NULL ? xstrndup(dir, (size_t)(slash - dir)) : xstrdup("");
	parent = folder_node(c, up);
	free(up);
	if (parent == NULL)
		return NULL;
	sp = smap_get(&c->specials, dir);
	if (sp != NULL && sp->swallowed)
		sp = NULL;
	path = join_chain(&c->w->p->arena, c->chain, dir);
	sbuf_addf(&shown, "%s/", base_name(dir));
	n = new_node(c->w, parent, sp != NULL ? sp->kind : PACKAGE_FOLDER,
	    shown.buf, path);
	sbuf_release(&shown);
	if (n == NULL)
		return NULL;
	/* The key lives as long as the map: the node's path ends in it. */
	smap_put(&c->folders, n->path + strlen(n->path) - strlen(dir), n);
	if (sp != NULL)
		sp->node = n;
	return n;
}

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

/* Whether name lies in folder dir ("" is the archive's root). */
static bool
under(const char *name, const char *dir)
{
	size_t n = strlen(dir);

	return n == 0 || (strncmp(name, dir, n) == 0 && name[n] == '/');
}

/*
 * Beside index.xml, a depot has a vendor index (another .xml) and a
 * metadata zip somewhere below: a help folder's index.xml does not.
 */
static bool
looks_like_depot(const struct cont *c, const char *dir)
{
	bool xml = false, zip = false;

	for (size_t i = 0; i < c->nents && !(xml && zip); i++) {
		const struct centry *e = &c->ents[i];
		if (e->dir || e->name == NULL || !under(e->name, dir))
			continue;
		if (ends_with(e->name, ".zip"))
			zip = true;
		else if (ends_with(e->name, ".xml") &&
		    strcmp(base_name(e->name), "index.xml") != 0)
			xml = true;
	}
	return xml && zip;
}

/*
 * An expanded depot is a folder holding index.xml, a vendor index and a
 * metadata zip; the Intel tool is a folder holding nvmupdaten64e and
 * nvmupdate.cfg.  The outermost wins:
 * a depot's own files are not looked at one by one.
 */
static void
find_specials(struct cont *c)
{
	struct sbuf cfg = SBUF_INIT(SBUF_NOCAP);
	size_t i, dirlen;
	const char *base;

	for (i = 0; i < c->nents; i++) {
		const struct centry *e = &c->ents[i];
		if (e->dir || e->name == NULL)
			continue;
		base = base_name(e->name);
		dirlen = (size_t)(base - e->name);
		dirlen = dirlen > 0 ? dirlen - 1 : 0;
		if (strcmp(base, "index.xml") == 0) {
			char *dir = xstrndup(e->name, dirlen);
			if (looks_like_depot(c, dir))
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
static struct package_node *
special_node(struct cont *c, struct special *sp)
{
	if (sp->ready)
		return sp->node;
	if (*sp->dir == '\0') {
		sp->node = c->node;
		c->node->kind = sp->kind;
	} else {
		sp->node = folder_node(c, sp->dir);
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
static const char *
rel_to(const struct special *sp, const char *name)
{
	size_t n = strlen(sp->dir);

	return n == 0 ? name : name + n + 1;
}

/* ---- the Intel tool --------------------------------------------------- */

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
static void
finish_tool(struct cont *c, struct special *sp)
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
		    base_name(w->p->path) : up->name);
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
	if (w->x != NULL) {
		struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
		sbuf_addf(&sb, "%s/", sp->outdir);
		sp->node->output = arena_strdup(a, sb.buf);
		sbuf_release(&sb);
	}
	ptrvec_release(&images);
	ptrvec_release(&missing);
	sbuf_release(&img);
}

/* One file of the tool's folder: a child node, written into its folder. */
static int
tool_member(struct cont *c, size_t i, struct special *sp)
{
	struct walk *w = c->w;
	struct centry *e = &c->ents[i];
	const char *rel = rel_to(sp, e->name);
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	struct byte_source src;
	struct tee t = {0};
	struct mstream ms;
	char sha[HASH_HEX_MAX];
	bool is_cfg = strcmp(rel, TOOL_CONFIG) == 0;
	int ret, r;

	e->node = new_node(w, sp->node, PACKAGE_FILE, rel,
	    join_chain(&w->p->arena, c->chain, e->name));
	if (e->node == NULL)
		return -DV_ELIMIT;
	e->node->size = e->size;
	if (strcmp(rel, TOOL_BINARY) == 0)
		e->node->note = "the tool";
	else if (is_cfg)
		e->node->note = "its configuration";
	else if (ends_with(rel, ".bin"))
		e->node->note = "NVM image";
	if (!is_cfg && w->x == NULL)
		return 0;
	if ((ret = ms_open(c, i, &ms)) != 0)
		return ret;
	t.fd = -1;
	if (is_cfg) {
		/* Read whole to say what it updates; written from memory. */
		ret = ms_read_all(&ms, DV_MAX_TOOL_CFG, &sp->cfg);
		sp->have_cfg = ret == 0;
		ms_close(&ms);
		if (ret != 0 || w->x == NULL)
			goto out;
		memset(&ms, 0, sizeof(ms));
	}
	sbuf_addf(&out, "%s/%s", sp->outdir, rel);
	t.od = w->x->out;
	t.sha = hash_new(HASH_SHA256);
	if ((ret = outdir_open_file(w->x->out, out.buf, strcmp(rel,
	    TOOL_BINARY) == 0 || (e->mode & 0111) != 0, &t.fd, w->err)) != 0)
		goto out;
	if (is_cfg) {
		hash_update(t.sha, sp->cfg.buf, sp->cfg.len);
		ret = outdir_write(w->x->out, t.fd, sp->cfg.buf, sp->cfg.len,
		    w->err);
	} else {
		src.read = ms_read;
		src.ctx = &ms;
		t.src = &src;
		ret = drain(&t, w->err);
	}
	r = outdir_close_file(w->x->out, t.fd, w->err);
	if (ret == 0)
		ret = r;
	if (ret == 0) {
		hash_final_hex(t.sha, sha);
		set_sha(w, e->node, sha);
		e->node->output = arena_strdup(&w->p->arena, out.buf);
	}
out:
	if (!is_cfg)
		ms_close(&ms);
	hash_free(t.sha);
	sbuf_release(&out);
	return ret;
}

/* ---- expanded depots -------------------------------------------------- */

/* Keep the small files of an expanded depot: enough to read its metadata. */
static int
stash_member(struct cont *c, size_t i, struct special *sp)
{
	struct centry *e = &c->ents[i];
	struct sbuf *data;
	struct mstream ms;
	int ret;

	if (!ends_with(e->name, ".xml") && !ends_with(e->name, ".zip"))
		return 0;
	if ((ret = ms_open(c, i, &ms)) != 0)
		return ret;
	data = xcalloc(1, sizeof(*data));
	ret = ms_read_all(&ms, DV_MAX_METADATA_ZIP, data);
	ms_close(&ms);
	if (ret == 0 && (sp->stash_total += data->len) >
	    DV_MAX_METADATA_TOTAL) {
		struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
		ret = dv_error_set(c->w->err, DV_ELIMIT, "%s: %s: the depot's "
		    "metadata files add up to more than %llu bytes",
		    c->w->p->path, member_label(c, sp->dir, &sb),
		    (unsigned long long)DV_MAX_METADATA_TOTAL);
		sbuf_release(&sb);
	}
	if (ret != 0) {
		sbuf_release(data);
		free(data);
		return ret;
	}
	ptrvec_push(&sp->stash_names, (void *)rel_to(sp, e->name));
	ptrvec_push(&sp->stash_data, data);
	return 0;
}

/* Member i of c as a zip member source, for repacking. */
struct repack_src {
	struct cont *c;
	size_t idx;
	struct mstream ms;
};

static int
repack_open(void *ctx, struct dv_error *err)
{
	struct repack_src *r = ctx;

	(void)err;
	return ms_open(r->c, r->idx, &r->ms);
}

static long
repack_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct repack_src *r = ctx;
	int ret;

	if ((ret = outdir_check(r->c->w->x->out, err)) != 0)
		return ret;
	return ms_read(&r->ms, buf, len, err);
}

static void
repack_close(void *ctx)
{
	ms_close(&((struct repack_src *)ctx)->ms);
}

/* With --repack: the folder's files as a depot zip, streamed member by
 * member through libzip (zip.c). */
static int
repack(struct cont *c, struct special *sp, const char *name)
{
	struct walk *w = c->w;
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct zipwriter *zw = NULL;
	struct repack_src *srcs;
	struct zip_member_source ms;
	size_t i, k = 0;
	int ret;

	if ((ret = outdir_reserve(w->x->out, name, &path, w->err)) != 0) {
		sbuf_release(&path);
		return ret;
	}
	srcs = xcalloc(c->nents + 1, sizeof(*srcs));
	if ((ret = zipwriter_open(path.buf, NULL, &zw, w->err)) != 0)
		goto out;
	for (i = 0; i < c->nents; i++) {
		struct centry *e = &c->ents[i];
		if (e->dir || e->name == NULL || e->owner != sp)
			continue;
		srcs[k].c = c;
		srcs[k].idx = i;
		ms.open = repack_open;
		ms.read = repack_read;
		ms.close = repack_close;
		ms.ctx = &srcs[k++];
		ms.size = e->size;
		ms.mtime = e->mtime;
		if ((ret = zipwriter_add(zw, rel_to(sp, e->name), &ms,
		    w->err)) != 0)
			goto out;
	}
	ret = zipwriter_close(zw, NULL, 0, w->err);
	zw = NULL;
	if (ret == 0)
		ret = outdir_sync_file(w->x->out, name, w->err);
	if (ret == 0)
		sp->node->output = arena_strdup(&w->p->arena, name);
out:
	zipwriter_discard(zw);
	free(srcs);
	sbuf_release(&path);
	return ret;
}

/* Where an expanded depot's VIBs are: files of its folder. */
struct folder_ref {
	struct cont *c;
	struct special *sp;
};

static int
folder_vib_open(void *ctx, const char *member, struct mstream *ms)
{
	struct folder_ref *ref = ctx;
	struct special *sp = ref->sp;
	struct cont *c = ref->c;
	struct sbuf name = SBUF_INIT(SBUF_NOCAP);
	uintptr_t i;

	sbuf_addf(&name, "%s%s%s", sp->dir, *sp->dir != '\0' ? "/" : "",
	    member);
	i = (uintptr_t)smap_get(&c->names, name.buf);
	sbuf_release(&name);
	if (i == 0 || c->ents[i - 1].dir)
		return -DV_EMISSING;
	return ms_open(c, (size_t)(i - 1), ms);
}

/*
 * The stashed metadata as a small zip in memory, read by the depot
 * reader, says what the folder holds; extract rebuilds nothing unless
 * asked to repack.
 */
static int
finish_expanded(struct cont *c, struct special *sp)
{
	struct walk *w = c->w;
	struct package *p = w->p;
	struct sbuf label = SBUF_INIT(SBUF_NOCAP), zip = SBUF_INIT(0);
	struct sbuf base = SBUF_INIT(SBUF_NOCAP), name = SBUF_INIT(SBUF_NOCAP);
	struct ptrvec warnings = PTRVEC_INIT;
	struct zipwriter *zw = NULL;
	struct depot *d = NULL;
	struct folder_ref ref = {c, sp};
	struct vib_reader vr = {folder_vib_open, &ref};
	size_t i;
	int ret;

	sbuf_addf(&label, "%s%s%s", p->path, *sp->node->path != '\0' ?
	    ": " : "", sp->node->path);
	if ((ret = zipwriter_open(NULL, label.buf, &zw, w->err)) != 0)
		goto out;
	for (i = 0; i < sp->stash_names.n; i++) {
		struct sbuf *data = sp->stash_data.v[i];
		if ((ret = zipwriter_add_mem(zw, sp->stash_names.v[i],
		    data->buf, data->len, -1, w->err)) != 0)
			goto out;
	}
	ret = zipwriter_close(zw, &zip, DV_MAX_INNER_ARCHIVE, w->err);
	zw = NULL;
	if (ret != 0)
		goto out;
	if ((ret = depot_open_mem(zip.buf, zip.len, label.buf, &d,
	    w->err)) != 0)
		goto out;
	sp->node->installable = true;
	sbuf_addf(&base, "%s%s", sp->node->path, *sp->node->path != '\0' ?
	    (*sp->dir != '\0' ? "/" : "!") : "");
	if ((ret = describe_depot(w, sp->node, d, base.buf, &warnings)) != 0)
		goto out;
	if (w->x == NULL)
		goto out;
	if (w->x->repack) {
		sbuf_addf(&name, "%s.zip", *sp->dir != '\0' ?
		    base_name(sp->dir) : c->stem);
		if (outdir_has(w->x->out, name.buf)) {
			/* The vendor's own zip of it came first: keep that. */
			skip(w, sp->node, "a depot zip of that name is written "
			    "from another item already");
		} else if ((ret = repack(c, sp, name.buf)) != 0) {
			goto out;
		}
	} else {
		skip(w, sp->node, "an expanded depot folder; --repack writes "
		    "it as a depot zip");
	}
	ret = extract_vibs(w, sp->node, d, &vr);
out:
	/*
	 * Warnings of a metadata-only copy would be about files that are
	 * in the folder but not in the copy: not worth repeating.
	 */
	ptrvec_release(&warnings);
	zipwriter_discard(zw);
	depot_free(d);
	sbuf_release(&zip);
	sbuf_release(&label);
	sbuf_release(&base);
	sbuf_release(&name);
	return ret;
}

/* ---- members ------------------------------------------------------------ */

static bool
doc_name(const char *name)
{
	static const char *const exts[] = {".txt", ".pdf", ".html", ".htm",
	    ".md"};
	const char *p, *e;

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with(name, exts[i]))
			return true;
	/* Any folder called doc or docs on the way. */
	for (p = name; (e = strchr(p, '/')) != NULL; p = e + 1)
		if ((e - p == 3 && strncasecmp(p, "doc", 3) == 0) ||
		    (e - p == 4 && strncasecmp(p, "docs", 4) == 0))
			return true;
	return false;
}

static bool
zip_magic(const unsigned char *p, size_t n)
{
	return n >= 4 && p[0] == 'P' && p[1] == 'K' && ((p[2] == 3 &&
	    p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

static bool
gzip_magic(const unsigned char *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/*
 * An archive inside c: read it into memory (within the caps), and either
 * describe it as a depot or walk it in turn.  ms has its head peeked.
 */
static int
archive_member(struct cont *c, size_t i, struct mstream *ms)
{
	struct walk *w = c->w;
	struct centry *e = &c->ents[i];
	struct package_node *n = e->node;
	struct sbuf data = SBUF_INIT(0), lbl = SBUF_INIT(SBUF_NOCAP);
	struct zipfile *zf = NULL;
	struct cont child = {0};
	struct seen *s;
	char sha[HASH_HEX_MAX];
	uint64_t room;
	bool is_zip, depot, counted = false;
	int ret;

	if (c->depth + 1 > DV_MAX_NESTING) {
		ret = dv_error_set(w->err, DV_ELIMIT, "%s: %s: archives nested "
		    "more than %d deep", w->p->path, n->path, DV_MAX_NESTING);
		goto out;
	}
	room = DV_MAX_INNER_TOTAL - w->held;
	if (room > DV_MAX_INNER_ARCHIVE)
		room = DV_MAX_INNER_ARCHIVE;
	if (e->size > room) {
		ret = dv_error_set(w->err, DV_ELIMIT, "%s: %s: %llu bytes; an "
		    "archive inside another is read into memory, up to %llu "
		    "bytes", w->p->path, n->path, (unsigned long long)e->size,
		    (unsigned long long)room);
		goto out;
	}
	if ((ret = ms_read_all(ms, room, &data)) != 0)
		goto out;
	w->held += data.len;
	counted = true;
	hash_hex(HASH_SHA256, data.buf, data.len, sha);
	set_sha(w, n, sha);
	n->size = data.len;
	is_zip = zip_magic((unsigned char *)data.buf, data.len);
	if (!is_zip && !gzip_magic((unsigned char *)data.buf, data.len) &&
	    !arc_is_tar_header((unsigned char *)data.buf, data.len)) {
		ret = dv_error_set(w->err, tar_name(e->name) ? DV_ETAR :
		    DV_ENOTZIP, "%s: %s: not a %s archive", w->p->path,
		    n->path, tar_name(e->name) ? "tar" : "zip");
		goto out;
	}
	sbuf_addf(&lbl, "%s: %s", w->p->path, n->path);
	depot = false;
	if (is_zip) {
		if ((ret = zipfile_open_mem(data.buf, data.len, lbl.buf, &zf,
		    w->err)) != 0)
			goto out;
		depot = zipfile_find(zf, "index.xml") >= 0;
	}
	n->kind = depot ? PACKAGE_DEPOT : is_zip ? PACKAGE_ZIP : PACKAGE_TAR;
	if ((s = seen_sha(w, sha)) != NULL) {
		/* The same bytes met before: said once, written once. */
		mark_duplicate(w, n, s);
		if (w->x == NULL)
			n->skipped = NULL;
		ret = 0;
		goto out;
	}
	if (depot) {
		zipfile_close(zf);
		zf = NULL;
		ret = depot_item(w, n, data.buf, data.len);
		if (ret == 0 && n->output == NULL && w->x == NULL)
			remember(w, n, sha, NULL);
		goto out;
	}
	remember(w, n, sha, NULL);
	child.w = w;
	child.node = n;
	child.chain = n->path;
	child.depth = c->depth + 1;
	child.is_tar = !is_zip;
	child.mem = data.buf;
	child.len = data.len;
	child.zip = zf;
	zf = NULL;
	child.stem = stem_of(&w->p->arena, base_name(e->name));
	ret = walk_container(&child);
out:
	if (counted)
		w->held -= data.len;
	zipfile_close(zf);
	sbuf_release(&data);
	sbuf_release(&lbl);
	return ret;
}

/* One member that belongs to no special folder. */
static int
plain_member(struct cont *c, size_t i)
{
	struct walk *w = c->w;
	struct centry *e = &c->ents[i];
	struct package_node *n = e->node;
	struct byte_source src;
	struct mstream ms;
	int ret;

	if (ends_with(e->name, ".vib")) {
		if ((ret = ms_open(c, i, &ms)) != 0)
			return ret;
		src.read = ms_read;
		src.ctx = &ms;
		ret = vib_item(w, n, &src, base_name(e->name));
		ms_close(&ms);
		return ret;
	}
	if (!ends_with(e->name, ".zip") && !tar_name(e->name) &&
	    (doc_name(e->name) || e->size < 4)) {
		n->kind = doc_name(e->name) ? PACKAGE_DOC : PACKAGE_FILE;
		skip(w, n, n->kind == PACKAGE_DOC ? "documentation" :
		    "not installable");
		return 0;
	}
	if ((ret = ms_open(c, i, &ms)) != 0)
		return ret;
	if ((ret = ms_peek(&ms)) != 0)
		goto out;
	if (ends_with(e->name, ".zip") || tar_name(e->name) ||
	    zip_magic(ms.head, ms.headlen) ||
	    arc_is_tar_header(ms.head, ms.headlen)) {
		ret = archive_member(c, i, &ms);
		goto out;
	}
	n->kind = PACKAGE_FILE;
	skip(w, n, "not installable");
out:
	ms_close(&ms);
	return ret;
}

static void
cont_release(struct cont *c)
{
	for (size_t i = 0; i < c->nents; i++)
		free(c->ents[i].name);
	free(c->ents);
	for (size_t i = 0; i < c->speclist.n; i++) {
		struct special *sp = c->speclist.v[i];
		for (size_t k = 0; k < sp->stash_data.n; k++) {
			sbuf_release(sp->stash_data.v[k]);
			free(sp->stash_data.v[k]);
		}
		ptrvec_release(&sp->stash_data);
		ptrvec_release(&sp->stash_names);
		sbuf_release(&sp->cfg);
		free(sp->dir);
		free(sp);
	}
	ptrvec_release(&c->speclist);
	smap_release(&c->names);
	smap_release(&c->folders);
	smap_release(&c->specials);
	tarfile_close(c->tar);
	zipfile_close(c->zip);
}

/*
 * One archive: list every member and refuse the archive on a hostile
 * one before reading anything, find the special folders, then read the
 * members front to back (a tar can be read no other way).
 */
static int
walk_container(struct cont *c)
{
	struct walk *w = c->w;
	struct special *sp;
	struct package_node *parent;
	char *dir;
	size_t i;
	int ret;

	c->tar_cur = -1;
	if ((ret = c->is_tar ? list_tar(c) : list_zip(c)) != 0)
		goto out;
	find_specials(c);
	for (i = 0; i < c->nents; i++) {
		struct centry *e = &c->ents[i];
		if (e->name == NULL)
			continue;
		if (w->x != NULL && (ret = outdir_check(w->x->out,
		    w->err)) != 0)
			goto out;
		if ((sp = e->owner) != NULL) {
			if (special_node(c, sp) == NULL) {
				ret = -DV_ELIMIT;
				goto out;
			}
			if (e->dir)
				continue;
			ret = sp->kind == PACKAGE_NVM_TOOL ?
			    tool_member(c, i, sp) : stash_member(c, i, sp);
			if (ret != 0)
				goto out;
			continue;
		}
		if (e->dir) {
			if (folder_node(c, e->name) == NULL) {
				ret = -DV_ELIMIT;
				goto out;
			}
			continue;
		}
		dir = xstrndup(e->name, (size_t)(base_name(e->name) - e->name));
		if (*dir != '\0')
			dir[strlen(dir) - 1] = '\0'; /* the "/" */
		parent = folder_node(c, dir);
		free(dir);
		if (parent == NULL || (e->node = new_node(w, parent,
		    PACKAGE_FILE, base_name(e->name), join_chain(&w->p->arena,
		    c->chain, e->name))) == NULL) {
			ret = -DV_ELIMIT;
			goto out;
		}
		e->node->size = e->size;
		if ((ret = plain_member(c, i)) != 0)
			goto out;
	}
	for (i = 0; i < c->speclist.n; i++) {
		sp = c->speclist.v[i];
		if (!sp->ready || sp->swallowed)
			continue;
		ret = sp->kind == PACKAGE_EXPANDED ? finish_expanded(c, sp) :
		    (finish_tool(c, sp), 0);
		if (ret != 0)
			goto out;
	}
out:
	cont_release(c);
	return ret;
}

/* ---- the input ---------------------------------------------------------- */

void
package_extract_init(struct package_extract *x, struct outdir *out,
    bool vibs, bool repack)
{
	memset(x, 0, sizeof(*x));
	x->out = out;
	x->vibs = vibs;
	x->repack = repack;
}

void
package_extract_release(struct package_extract *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->seen.n; i++) {
		struct seen *s = x->seen.v[i];
		free(s->where);
		free(s->output);
		free(s);
	}
	ptrvec_release(&x->seen);
}

void
package_free(struct package *p)
{
	if (p == NULL)
		return;
	arena_release(&p->arena);
	free(p);
}

/* The first bytes of the file, to tell zip, tar, tar.gz and VIB apart. */
static int
read_head(struct walk *w, unsigned char *head, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < HEAD_LEN) {
		n = pread(w->fd, head + *len, HEAD_LEN - *len, (off_t)*len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dv_error_errno(w->err, DV_EIO, "%s: cannot read",
			    w->p->path);
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return 0;
}

int
package_open(const char *path, struct package_extract *x,
    struct package **out, struct dv_error *err)
{
	struct walk w = {0};
	struct package *p;
	struct cont c = {0};
	struct stat st;
	struct byte_source src;
	unsigned char head[HEAD_LEN];
	size_t headlen;
	int ret;

	*out = NULL;
	p = xcalloc(1, sizeof(*p));
	p->path = arena_strdup(&p->arena, path);
	p->warnings.v = arena_alloc(&p->arena, sizeof(char *));
	w.p = p;
	w.x = x;
	w.err = err;
	w.seen = x != NULL ? &x->seen : &w.own_seen;
	w.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w.fd < 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", path);
		goto out;
	}
	if (fstat(w.fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? dv_error_set(err, DV_EIO,
		    "%s: is a directory, not a zip, tar or VIB file", path) :
		    dv_error_errno(err, DV_EIO, "%s: cannot read", path);
		goto out;
	}
	if ((p->root = new_node(&w, NULL, PACKAGE_FILE, base_name(path),
	    "")) == NULL) {
		ret = -DV_ELIMIT;
		goto out;
	}
	p->root->size = (uint64_t)st.st_size;
	if ((ret = read_head(&w, head, &headlen)) != 0)
		goto out;
	c.w = &w;
	c.node = p->root;
	c.chain = "";
	c.depth = 1;
	c.stem = stem_of(&p->arena, base_name(path));
	if (gzip_magic(head, headlen) || arc_is_tar_header(head, headlen)) {
		p->root->kind = PACKAGE_TAR;
		c.is_tar = true;
		ret = walk_container(&c);
	} else if (headlen >= 8 && memcmp(head, "!<arch>\n", 8) == 0) {
		src.read = fd_read;
		src.ctx = &w;
		ret = vib_item(&w, p->root, &src, base_name(path));
	} else if ((ret = zipfile_open(path, &c.zip, err)) != 0) {
		if (ret == -DV_ENOTZIP && st.st_size > 0)
			ret = dv_error_set(err, DV_ENOTZIP, "%s: not a zip, tar "
			    "or VIB file", path);
	} else if (zipfile_find(c.zip, "index.xml") >= 0) {
		zipfile_close(c.zip);
		c.zip = NULL;
		ret = depot_item(&w, p->root, NULL, 0);
	} else {
		p->root->kind = PACKAGE_ZIP;
		ret = walk_container(&c);
	}
out:
	if (w.fd >= 0)
		close(w.fd);
	for (size_t i = 0; i < w.own_seen.n; i++) {
		struct seen *s = w.own_seen.v[i];
		free(s->where);
		free(s->output);
		free(s);
	}
	ptrvec_release(&w.own_seen);
	if (ret != 0) {
		package_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

bool
package_is_package(const char *path)
{
	struct dv_error ignored = DV_ERROR_INIT;
	struct zipfile *zf = NULL;
	unsigned char head[HEAD_LEN];
	ssize_t n;
	bool yes = false;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n <= 0)
		return false;
	if (gzip_magic(head, (size_t)n) || arc_is_tar_header(head,
	    (size_t)n) || (n >= 8 && memcmp(head, "!<arch>\n", 8) == 0))
		return true;
	if (zipfile_open(path, &zf, &ignored) == 0)
		yes = zipfile_find(zf, "index.xml") < 0;
	zipfile_close(zf);
	return yes;
}
