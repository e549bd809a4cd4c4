/* archive.c - the only user of libarchive: decompression, tar in and out. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive.h"
#include "depot_int.h"
#include "dv_limits.h"
#include "outdir.h"
#include "xalloc.h"

/* Reads from a byte source go through a buffer of this size. */
#define SOURCE_BUF (256u << 10)

static const char *
reason_or(struct archive *a, const char *fallback)
{
	const char *s = a != NULL ? archive_error_string(a) : NULL;

	return s != NULL && *s != '\0' ? s : fallback;
}

/* ---- decompression layers -------------------------------------------- */

struct arc_layer {
	struct archive *a;
	arc_pull_fn pull;
	void *ctx;
	bool empty;
};

/* libarchive's read callback: whatever the caller's pull hands over. */
static la_ssize_t
layer_read_cb(struct archive *a, void *ctx, const void **buf)
{
	struct arc_layer *l = ctx;
	long n;

	(void)a;
	*buf = NULL;
	n = l->pull(l->ctx, buf);
	return n < 0 ? ARCHIVE_FATAL : (la_ssize_t)n;
}

/*
 * A reader for one layer: exactly the filter given (appended, so
 * libarchive does not go looking for further layers on its own), then
 * the raw format, and the empty format so that a stream that inflates
 * to nothing is an empty entry rather than "unrecognized format".
 */
int
arc_layer_open(enum arc_filter f, arc_pull_fn pull, void *ctx,
    struct arc_layer **out, bool *empty, struct dv_error *err)
{
	const char *name = f == ARC_GZIP ? "gzip" : "zstd";
	struct archive_entry *entry;
	struct arc_layer *l;
	char reason[ARC_REASON_LEN] = "";
	char early[ARC_REASON_LEN - 8]; /* room for "gzip: " before it */
	int r;

	*out = NULL;
	*empty = false;
	l = xcalloc(1, sizeof(*l));
	l->pull = pull;
	l->ctx = ctx;
	if ((l->a = archive_read_new()) == NULL) {
		free(l);
		return dv_error_set(err, ENOMEM, "out of memory");
	}
	/* ARCHIVE_WARN here means "an external program": refused. */
	if (archive_read_append_filter(l->a, f == ARC_GZIP ?
	    ARCHIVE_FILTER_GZIP : ARCHIVE_FILTER_ZSTD) != ARCHIVE_OK) {
		snprintf(reason, ARC_REASON_LEN, "%s decompression is not "
		    "available (%s)", name, reason_or(l->a,
		    "no library support"));
		goto fail;
	}
	if (archive_read_support_format_raw(l->a) != ARCHIVE_OK ||
	    archive_read_support_format_empty(l->a) != ARCHIVE_OK) {
		snprintf(reason, ARC_REASON_LEN, "%s: %s", name,
		    reason_or(l->a, "cannot set up the reader"));
		goto fail;
	}
	r = archive_read_open(l->a, l, NULL, layer_read_cb, NULL);
	/*
	 * Opening already reads: a stream damaged in its first block shows
	 * only here, as the next call clears the message and reports an
	 * empty entry.
	 */
	snprintf(early, sizeof(early), "%s", reason_or(l->a, ""));
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(l->a, &entry);
	if (r == ARCHIVE_EOF && early[0] != '\0') {
		snprintf(reason, ARC_REASON_LEN, "%s: %s", name, early);
		goto fail;
	}
	if (r != ARCHIVE_OK && r != ARCHIVE_EOF) {
		snprintf(reason, ARC_REASON_LEN, "%s: %s", name, reason_or(l->a,
		    early[0] != '\0' ? early : "damaged data"));
		goto fail;
	}
	/* The empty format's entry has no data to ask for. */
	l->empty = *empty = r == ARCHIVE_EOF;
	*out = l;
	return 0;
fail:
	archive_read_free(l->a);
	free(l);
	return dv_error_set(err, DV_EVIB, "%s", reason);
}

long
arc_layer_read(struct arc_layer *l, void *buf, size_t len)
{
	la_ssize_t n;

	if (l->empty)
		return 0;
	n = archive_read_data(l->a, buf, len);
	return n < 0 ? -1 : (long)n;
}

const char *
arc_layer_error(struct arc_layer *l)
{
	const char *s = archive_error_string(l->a);

	return s != NULL && *s != '\0' ? s : NULL;
}

int64_t
arc_layer_consumed(struct arc_layer *l)
{
	return (int64_t)archive_filter_bytes(l->a, -1);
}

void
arc_layer_close(struct arc_layer *l)
{
	if (l == NULL)
		return;
	archive_read_free(l->a);
	free(l);
}

/* ---- tar --------------------------------------------------------------- */

struct tarfile {
	struct archive *a;
	char *label;
	const struct byte_source *src;
	struct dv_error saved;	  /* the source's error, kept for the caller */
	bool src_failed;
	unsigned char *buf;
	size_t entries;
	char *name; /* the current entry's name, as handed out */
};

static la_ssize_t
tar_read_cb(struct archive *a, void *ctx, const void **buf)
{
	struct tarfile *t = ctx;
	long n;

	(void)a;
	*buf = t->buf;
	n = t->src->read(t->src->ctx, t->buf, SOURCE_BUF, &t->saved);
	if (n < 0) {
		t->src_failed = true;
		return ARCHIVE_FATAL;
	}
	return (la_ssize_t)n;
}

/*
 * The error to hand back: the source's own when it is why libarchive
 * stopped, else what libarchive says about the archive.
 */
static int
tar_error(struct tarfile *t, struct dv_error *err, const char *what)
{
	if (t->src_failed && t->saved.code != 0) {
		if (err != NULL)
			*err = t->saved;
		return -t->saved.code;
	}
	return dv_error_set(err, DV_ETAR, "%s: %s: %s", t->label, what,
	    reason_or(t->a, "damaged data"));
}

static int
tar_setup(const char *label, struct tarfile **out, struct dv_error *err)
{
	struct tarfile *t;

	*out = NULL;
	t = xcalloc(1, sizeof(*t));
	t->label = xstrdup(label);
	if ((t->a = archive_read_new()) == NULL) {
		free(t->label);
		free(t);
		return dv_error_set(err, ENOMEM, "%s: out of memory", label);
	}
	/*
	 * Plain tar and gzip only, both inside the library: the filter
	 * answers ARCHIVE_WARN when it would run an external gzip.
	 */
	if (archive_read_support_filter_gzip(t->a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(t->a) != ARCHIVE_OK) {
		dv_error_set(err, DV_ETAR, "%s: tar reading is not available: %s",
		    label, reason_or(t->a, "no library support"));
		tarfile_close(t);
		return -DV_ETAR;
	}
	*out = t;
	return 0;
}

int
tarfile_open_mem(const void *data, size_t len, const char *label,
    struct tarfile **out, struct dv_error *err)
{
	struct tarfile *t;
	int ret;

	*out = NULL;
	if ((ret = tar_setup(label, &t, err)) != 0)
		return ret;
	if (archive_read_open_memory(t->a, data, len) != ARCHIVE_OK) {
		ret = tar_error(t, err, "not a tar archive");
		tarfile_close(t);
		return ret;
	}
	*out = t;
	return 0;
}

int
tarfile_open_source(const struct byte_source *src, const char *label,
    struct tarfile **out, struct dv_error *err)
{
	struct tarfile *t;
	int ret;

	*out = NULL;
	if ((ret = tar_setup(label, &t, err)) != 0)
		return ret;
	t->src = src;
	t->buf = xmalloc(SOURCE_BUF);
	if (archive_read_open(t->a, t, NULL, tar_read_cb, NULL) !=
	    ARCHIVE_OK) {
		ret = tar_error(t, err, "not a tar archive");
		tarfile_close(t);
		return ret;
	}
	*out = t;
	return 0;
}

static enum tar_entry_kind
entry_kind(struct archive_entry *ae)
{
	if (archive_entry_hardlink(ae) != NULL)
		return TAR_ENTRY_HARDLINK;
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		return TAR_ENTRY_FILE;
	case AE_IFDIR:
		return TAR_ENTRY_DIR;
	case AE_IFLNK:
		return TAR_ENTRY_SYMLINK;
	case AE_IFCHR:
	case AE_IFBLK:
		return TAR_ENTRY_DEVICE;
	default:
		return TAR_ENTRY_OTHER;
	}
}

int
tarfile_next(struct tarfile *t, struct tar_entry *e, struct dv_error *err)
{
	struct archive_entry *ae;
	const char *name;
	int r;

	memset(e, 0, sizeof(*e));
	r = archive_read_next_header(t->a, &ae);
	if (r == ARCHIVE_EOF)
		return 0;
	/* A warning is a name in another charset and the like: go on. */
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return tar_error(t, err, t->entries == 0 ?
		    "not a tar archive" : "damaged after member");
	if (++t->entries > DV_MAX_TAR_ENTRIES)
		return dv_error_set(err, DV_ELIMIT, "%s: more than %u members",
		    t->label, DV_MAX_TAR_ENTRIES);
	name = archive_entry_pathname(ae);
	if (name == NULL)
		name = archive_entry_pathname_utf8(ae);
	if (name == NULL)
		return dv_error_set(err, DV_ETAR,
		    "%s: member %zu: its name cannot be read", t->label,
		    t->entries);
	free(t->name);
	t->name = xstrdup(name);
	e->name = t->name;
	e->kind = entry_kind(ae);
	e->size = archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0 ?
	    (uint64_t)archive_entry_size(ae) : 0;
	e->mode = (unsigned)archive_entry_perm(ae);
	e->mtime = (int64_t)archive_entry_mtime(ae);
	return 1;
}

long
tarfile_read(struct tarfile *t, void *buf, size_t len, struct dv_error *err)
{
	const char *name = t->name != NULL ? t->name : "data";
	la_ssize_t n;
	int ret;

	if (outdir_interrupted())
		return dv_error_set(err, DV_EINTR, "%s: %s: interrupted; "
		    "nothing was written", t->label, name);
	n = archive_read_data(t->a, buf, len);
	if (n < 0)
		return tar_error(t, err, name);
	if ((ret = dv_inflate_take((uint64_t)n, t->label, name, err)) != 0)
		return ret;
	return (long)n;
}

void
tarfile_close(struct tarfile *t)
{
	if (t == NULL)
		return;
	archive_read_free(t->a);
	free(t->label);
	free(t->buf);
	free(t->name);
	free(t);
}

/* ---- writing a tar ---------------------------------------------------- */

struct tarwriter {
	struct archive *a;
	struct archive_entry *e;
	char *label;
	int fd;
	int failed;	      /* errno of a write to fd that failed, or 0 */
};

/*
 * libarchive's blocks to fd.  A failed write is kept in t->werr and the
 * block reported written: a write callback's failure puts libarchive in
 * its fatal state, in which archive_write_free no longer frees the
 * writer's buffer (valgrind saw it on a full disk).  Nothing more is
 * written after it, and every call reports it.
 */
static la_ssize_t
tar_put(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct tarwriter *t = ctx;
	struct dv_error werr = DV_ERROR_INIT;

	(void)a;
	if (t->failed == 0 && fd_write_all(t->fd, buf, len, t->label,
	    &werr) != 0)
		t->failed = werr.sys_errno != 0 ? werr.sys_errno : EIO;
	return (la_ssize_t)len;
}

static int
write_error(struct tarwriter *t, struct dv_error *err, const char *what)
{
	return dv_error_set(err, DV_EIO, "%s: %s: %s", t->label, what,
	    t->failed != 0 ? strerror(t->failed) :
	    reason_or(t->a, "write error"));
}

int
tarwriter_open(int fd, const char *label, struct tarwriter **out,
    struct dv_error *err)
{
	struct tarwriter *t = xcalloc(1, sizeof(*t));
	int ret;

	*out = NULL;
	t->label = xstrdup(label);
	t->fd = fd;
	if ((t->a = archive_write_new()) == NULL ||
	    (t->e = archive_entry_new()) == NULL)
		xalloc_oom();
	/* pax_restricted: plain ustar unless a name or size needs more. */
	if (archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(t->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(t->a, 1) != ARCHIVE_OK ||
	    archive_write_open2(t->a, t, NULL, tar_put, NULL, NULL) !=
	    ARCHIVE_OK) {
		ret = write_error(t, err, "cannot start the archive");
		tarwriter_abort(t);
		return ret;
	}
	*out = t;
	return 0;
}

static int
add_header(struct tarwriter *t, const char *name, unsigned type,
    uint64_t size, unsigned mode, int64_t mtime, struct dv_error *err)
{
	archive_entry_clear(t->e);
	archive_entry_set_pathname(t->e, name);
	archive_entry_set_filetype(t->e, type);
	archive_entry_set_perm(t->e, mode & 07777);
	archive_entry_set_size(t->e, (la_int64_t)size);
	archive_entry_set_mtime(t->e, (time_t)mtime, 0);
	archive_entry_set_uid(t->e, 0);
	archive_entry_set_gid(t->e, 0);
	if (archive_write_header(t->a, t->e) != ARCHIVE_OK || t->failed != 0)
		return write_error(t, err, name);
	return 0;
}

int
tarwriter_add_dir(struct tarwriter *t, const char *name, unsigned mode,
    int64_t mtime, struct dv_error *err)
{
	return add_header(t, name, AE_IFDIR, 0, mode, mtime, err);
}

int
tarwriter_add_file(struct tarwriter *t, const char *name, uint64_t size,
    unsigned mode, int64_t mtime, struct dv_error *err)
{
	return add_header(t, name, AE_IFREG, size, mode, mtime, err);
}

int
tarwriter_write(struct tarwriter *t, const void *buf, size_t len,
    struct dv_error *err)
{
	la_ssize_t n = archive_write_data(t->a, buf, len);

	if (n < 0 || (size_t)n != len || t->failed != 0)
		return write_error(t, err, "cannot write");
	return 0;
}

int
tarwriter_close(struct tarwriter *t, struct dv_error *err)
{
	int ret = 0;

	if (archive_write_close(t->a) != ARCHIVE_OK || t->failed != 0)
		ret = write_error(t, err, "cannot finish the archive");
	tarwriter_abort(t);
	return ret;
}

void
tarwriter_abort(struct tarwriter *t)
{
	if (t == NULL)
		return;
	archive_entry_free(t->e);
	archive_write_free(t->a);
	free(t->label);
	free(t);
}

/* A v7/ustar header's checksum field against the header's own bytes. */
bool
arc_is_tar_header(const unsigned char *p, size_t len)
{
	unsigned long want = 0, sum = 0;
	size_t i;
	bool digits = false;

	if (len < 512)
		return false;
	if (memcmp(p + 257, "ustar", 5) == 0)
		return true;
	for (i = 148; i < 156; i++) {
		if (p[i] >= '0' && p[i] <= '7') {
			want = want * 8 + (unsigned long)(p[i] - '0');
			digits = true;
		} else if (p[i] != ' ' && p[i] != '\0') {
			return false;
		} else if (digits) {
			break;
		}
	}
	if (!digits || p[0] == '\0')
		return false;
	for (i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : p[i];
	return sum == want;
}
