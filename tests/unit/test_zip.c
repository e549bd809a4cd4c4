/* test_zip.c - zip.c's writer and reader: error paths, code and message. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../depot/depot_int.h"
#include "../../depot/gzip.h"
#include "../../depot/outdir.h"
#include "../../depot/sbuf.h"
#include "fault.h"
#include "unit.h"

/* Whether err holds code and its message contains want. */
static bool
err_is(const struct dv_error *err, int code, const char *want)
{
	return err->code == code && strstr(err->msg, want) != NULL;
}

/* Whether the scratch folder holds a name that starts with prefix (a
 * writer's temporary file left behind). */
static bool
scratch_has(const char *prefix)
{
	DIR *d = opendir(unit_scratch());
	struct dirent *e;
	bool found = false;

	while (d != NULL && !found && (e = readdir(d)) != NULL)
		found = strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d != NULL)
		closedir(d);
	return found;
}

/* A member source over a string, which can fail where a test says. */
struct src {
	const char *data;
	size_t len, at;
	bool fail_open, fail_read;
};

static int
src_open(void *ctx, struct dv_error *err)
{
	struct src *s = ctx;

	s->at = 0;
	return s->fail_open ? dv_error_set(err, DV_EIO, "src: cannot open") :
	    0;
}

static long
src_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct src *s = ctx;

	if (s->fail_read)
		return dv_error_set(err, DV_EIO, "src: read failed");
	if (len > s->len - s->at)
		len = s->len - s->at;
	memcpy(buf, s->data + s->at, len);
	s->at += len;
	return (long)len;
}

/* Close the writer over one member from s; its result, err filled. */
static int
write_one(struct src *s, uint64_t size, struct dv_error *err)
{
	struct zip_member_source ms = {src_open, src_read, NULL, s, size, -1};
	struct zipwriter *w = NULL;
	struct sbuf out = SBUF_INIT(1 << 20);
	int ret;

	if ((ret = zipwriter_open(NULL, "mem.zip", &w, err)) != 0)
		return ret;
	if ((ret = zipwriter_add(w, "a.txt", &ms, err)) != 0) {
		zipwriter_discard(w);
		return ret;
	}
	ret = zipwriter_close(w, &out, 1 << 20, err);
	sbuf_release(&out);
	return ret;
}

/* A member source that fails, or that holds other than the size it
 * promised, fails the archive with its own error, not libzip's. */
void
test_zip_writer_sources(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct src s = {"hello", 5, 0, false, false};

	CHECK(u, write_one(&s, 5, &err) == 0);
	s.fail_open = true;
	CHECK(u, write_one(&s, 5, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "src: cannot open"));
	s.fail_open = false;
	s.fail_read = true;
	CHECK(u, write_one(&s, 5, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "src: read failed"));
	s.fail_read = false;
	CHECK(u, write_one(&s, 9, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "mem.zip: a.txt: changed while it was "
	    "read (5 bytes, 9 expected)"));
	CHECK(u, write_one(&s, 3, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "a.txt: changed while it was read"));
}

/* The writer's own refusals: an existing file, a name twice, a folder
 * that is not there, an in-memory zip over its cap. */
void
test_zip_writer_refusals(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct zipwriter *w = NULL;
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	char path[512];
	static char big[4096];

	snprintf(path, sizeof(path), "%s/exists.zip", unit_scratch());
	CHECK(u, close(open(path, O_WRONLY | O_CREAT, 0644)) == 0);
	CHECK(u, zipwriter_open(path, NULL, &w, &err) == -DV_EEXIST);
	CHECK(u, w == NULL && err_is(&err, DV_EEXIST, "cannot create"));

	CHECK(u, zipwriter_open(NULL, "twice.zip", &w, &err) == 0);
	if (w != NULL) {
		CHECK(u, zipwriter_add_mem(w, "a", "x", 1, -1, &err) == 0);
		CHECK(u, zipwriter_add_mem(w, "a", "y", 1, -1, &err) ==
		    -DV_EIO);
		CHECK(u, err_is(&err, DV_EIO, "twice.zip: a: cannot add"));
		zipwriter_discard(w);
	}

	snprintf(path, sizeof(path), "%s/no-such-dir/x.zip", unit_scratch());
	w = NULL;
	/* Its temporary file beside it is made at once: refused early. */
	CHECK(u, zipwriter_open(path, NULL, &w, &err) == -DV_EIO);
	CHECK(u, w == NULL && err_is(&err, DV_EIO,
	    "no-such-dir/x.zip: cannot create: No such file or directory"));

	/* The one fsync fails: refused, neither the zip nor its temporary
	 * file left (a crash would have left nothing either). */
	snprintf(path, sizeof(path), "%s/unsynced.zip", unit_scratch());
	w = NULL;
	CHECK(u, zipwriter_open(path, NULL, &w, &err) == 0);
	if (w != NULL) {
		CHECK(u, zipwriter_add_mem(w, "a", "x", 1, -1, &err) == 0);
		fault_arm(FAULT_FSYNC, 0, 1, EIO);
		CHECK(u, zipwriter_close(w, NULL, 0, &err) == -DV_EIO);
		CHECK(u, fault_hits(FAULT_FSYNC) == 1);
		fault_clear();
		CHECK(u, err_is(&err, DV_EIO, "unsynced.zip: cannot write: "
		    "Input/output error"));
		CHECK(u, !scratch_has("unsynced.zip"));
	}
	/* Written whole, it is there alone. */
	w = NULL;
	CHECK(u, zipwriter_open(path, NULL, &w, &err) == 0);
	if (w != NULL) {
		CHECK(u, zipwriter_add_mem(w, "a", "x", 1, -1, &err) == 0);
		CHECK(u, zipwriter_close(w, NULL, 0, &err) == 0);
		CHECK(u, access(path, F_OK) == 0 && !scratch_has("unsynced.zip."));
	}

	w = NULL;
	CHECK(u, zipwriter_open(NULL, "big.zip", &w, &err) == 0);
	if (w != NULL) {
		CHECK(u, zipwriter_add_mem(w, "big", big, sizeof(big), -1,
		    &err) == 0);
		CHECK(u, zipwriter_store_last(w, &err) == 0);
		CHECK(u, zipwriter_close(w, &out, 1024, &err) == -DV_ELIMIT);
		CHECK(u, err_is(&err, DV_ELIMIT, "big.zip: larger than 1024 "
		    "bytes"));
	}
	sbuf_release(&out);
}

/* A member's time before 1980 or after 2107 is stored as the first or
 * last DOS time, not wrapped around. */
void
test_zip_writer_dos_times(struct unit *u)
{
	static const int64_t t[] = {0, 315532800, 99999999999LL, 4354819198LL};
	struct dv_error err = DV_ERROR_INIT;
	struct zipwriter *w = NULL;
	struct zipfile *zf = NULL;
	struct zip_entry e[4];
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	char name[2] = "a";

	CHECK(u, zipwriter_open(NULL, "times.zip", &w, &err) == 0);
	if (w == NULL)
		return;
	zipwriter_utc_times(w);
	for (size_t i = 0; i < 4; i++) {
		name[0] = (char)('a' + i);
		CHECK(u, zipwriter_add_mem(w, name, "x", 1, t[i], &err) == 0);
	}
	CHECK(u, zipwriter_close(w, &out, 1 << 20, &err) == 0);
	CHECK(u, zipfile_open_mem(out.buf, out.len, "times.zip", &zf,
	    &err) == 0);
	for (size_t i = 0; zf != NULL && i < 4; i++)
		CHECK(u, zipfile_entry(zf, i, &e[i], &err) == 0);
	if (zf != NULL) {
		CHECK(u, e[0].mtime >= 0 && e[0].mtime == e[1].mtime);
		CHECK(u, e[2].mtime > e[1].mtime && e[2].mtime == e[3].mtime);
	}
	zipfile_close(zf);
	sbuf_release(&out);
}

/* Build "stored.zip" in the scratch folder with one stored member. */
static const char *
stored_zip(struct unit *u, const char *data)
{
	static char path[512];
	struct dv_error err = DV_ERROR_INIT;
	struct zipwriter *w = NULL;

	snprintf(path, sizeof(path), "%s/stored.zip", unit_scratch());
	(void)unlink(path);
	CHECK(u, zipwriter_open(path, NULL, &w, &err) == 0);
	if (w == NULL)
		return NULL;
	CHECK(u, zipwriter_add_mem(w, "m.bin", data, strlen(data), -1,
	    &err) == 0);
	CHECK(u, zipwriter_store_last(w, &err) == 0);
	CHECK(u, zipwriter_close(w, NULL, 0, &err) == 0);
	return path;
}

/* Read member 0 of path whole through zipstream_open_covered. */
static int
read_covered(const char *path, struct sbuf *got, struct dv_error *err)
{
	struct zipfile *zf = NULL;
	struct zipstream *zs = NULL;
	char buf[7];
	long n;
	int ret;

	if ((ret = zipfile_open(path, &zf, err)) != 0)
		return ret;
	if ((ret = zipstream_open_covered(zf, 0, &zs, err)) == 0) {
		while ((n = zipstream_read(zs, buf, sizeof(buf), err)) > 0)
			(void)sbuf_add(got, buf, (size_t)n);
		ret = (int)n;
	}
	zipstream_close(zs);
	zipfile_close(zf);
	return ret;
}

/* A stored member read straight from the file: the bytes come back in
 * small reads; a flipped byte is caught by its CRC-32. */
void
test_zip_stored_read(struct unit *u)
{
	const char *data = "stored bytes, read past libzip";
	const char *path = stored_zip(u, data);
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	struct sbuf all = SBUF_INIT(SBUF_NOCAP);
	char *at;
	FILE *fp;

	if (path == NULL)
		return;
	CHECK(u, read_covered(path, &got, &err) == 0);
	CHECK(u, got.len == strlen(data) && memcmp(got.buf, data,
	    got.len) == 0);
	/* Flip the member's first byte in place. */
	fp = fopen(path, "r+b");
	CHECK(u, fp != NULL);
	if (fp == NULL)
		goto out;
	for (;;) {
		char chunk[512];
		size_t n = fread(chunk, 1, sizeof(chunk), fp);

		if (n == 0)
			break;
		(void)sbuf_add(&all, chunk, n);
	}
	at = NULL;
	for (size_t i = 0; at == NULL && i + strlen(data) <= all.len; i++)
		if (memcmp(all.buf + i, data, strlen(data)) == 0)
			at = all.buf + i;
	CHECK(u, at != NULL);
	if (at != NULL) {
		CHECK(u, fseek(fp, (long)(at - all.buf), SEEK_SET) == 0);
		CHECK(u, fputc('S', fp) == 'S');
	}
	CHECK(u, fclose(fp) == 0);
	sbuf_reset(&got);
	CHECK(u, read_covered(path, &got, &err) == -DV_EZIP);
	CHECK(u, err_is(&err, DV_EZIP, "m.bin"));
	CHECK(u, strstr(err.msg, "CRC") != NULL);
out:
	sbuf_release(&got);
	sbuf_release(&all);
}

/* What zipfile_open refuses before libzip sees the file, and a member
 * over the reader's cap. */
void
test_zip_open_refusals(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct zipfile *zf = NULL;
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	char path[512];
	const char *stored;

	snprintf(path, sizeof(path), "%s/missing.zip", unit_scratch());
	CHECK(u, zipfile_open(path, &zf, &err) == -DV_EIO);
	CHECK(u, zf == NULL && err_is(&err, DV_EIO, "missing.zip: cannot "
	    "open"));
	CHECK(u, zipfile_open(unit_scratch(), &zf, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "is a directory, not a depot zip"));
	snprintf(path, sizeof(path), "%s/empty.zip", unit_scratch());
	CHECK(u, close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == 0);
	CHECK(u, zipfile_open(path, &zf, &err) == -DV_ENOTZIP);
	CHECK(u, err_is(&err, DV_ENOTZIP, "empty file, not a zip archive"));

	stored = stored_zip(u, "more than eight bytes");
	if (stored == NULL)
		return;
	CHECK(u, zipfile_open(stored, &zf, &err) == 0);
	if (zf != NULL) {
		CHECK(u, strcmp(zipfile_label(zf), stored) == 0);
		CHECK(u, zipfile_read(zf, 0, 8, &out, &err) == -DV_ELIMIT);
		CHECK(u, err_is(&err, DV_ELIMIT, "m.bin: larger than 8 "
		    "bytes"));
		CHECK(u, zipfile_read(zf, 0, 64, &out, &err) == 0);
		CHECK(u, out.len == strlen("more than eight bytes"));
		zipfile_close(zf);
	}
	sbuf_release(&out);
}

/* A new file at path, open for reading and writing; -1 on failure. */
static int
scratch_zip(const char *path)
{
	(void)unlink(path);
	return open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
}

/*
 * Two members laid out first, their bodies put in place by the caller (as
 * depot fetch downloads into them), then one from memory after them: the
 * zip reads back whole (our reader, CRC-checked), also over an earlier
 * longer file; a file open read-only, an fsync that fails, a name or
 * sizes a zip cannot hold are refused with their message.
 */
void
test_zip_write_stored(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct zip_stored m[3] = {
		{"vib20/a/a.vib", 18, 0, NULL, 0},
		{"vib20/b/b.vib", 6, 0, NULL, 0},
		{"index.xml", 4, 0, "<x/>", 0},
	};
	struct zipfile *zf = NULL;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	char out[512], *longname;
	uint64_t end, end2;
	long i;
	int fd;

	snprintf(out, sizeof(out), "%s/stored.zip", unit_scratch());
	fd = scratch_zip(out);
	CHECK(u, fd >= 0);
	if (fd < 0)
		return;
	CHECK(u, zip_layout(m, 2, 0, &end, &err) == 0);
	CHECK(u, m[0].at == 0 && m[1].at == 30 + 13 + 18 && end == m[1].at +
	    30 + 13 + 6);
	CHECK(u, zip_layout(m + 2, 1, end, &end2, &err) == 0 &&
	    m[2].at == end);
	/* Bodies in place, garbage past the end (an earlier, longer run). */
	CHECK(u, pwrite(fd, "first file's bytes", 18, 43) == 18 &&
	    pwrite(fd, "second", 6, 43 + 18 + 43) == 6 &&
	    pwrite(fd, "stale", 5, 4000) == 5);
	m[0].crc32 = dv_crc32(0, "first file's bytes", 18);
	m[1].crc32 = dv_crc32(0, "second", 6);
	CHECK(u, zip_write_stored(fd, out, m, 3, &err) == 0);
	CHECK(u, close(fd) == 0);
	CHECK(u, zipfile_open(out, &zf, &err) == 0);
	if (zf != NULL) {
		CHECK(u, zipfile_count(zf) == 3);
		CHECK(u, (i = zipfile_find(zf, "vib20/b/b.vib")) >= 0);
		if (i >= 0)
			CHECK(u, zipfile_read(zf, (size_t)i, 100, &got,
			    &err) == 0 && got.len == 6 &&
			    memcmp(got.buf, "second", 6) == 0);
		CHECK(u, (i = zipfile_find(zf, "index.xml")) >= 0);
		if (i >= 0)
			CHECK(u, zipfile_read(zf, (size_t)i, 100, &got,
			    &err) == 0 && got.len == 4);
		zipfile_close(zf);
	}
	sbuf_release(&got);

	/* A CRC-32 that is not the bytes': the reader says so. */
	fd = open(out, O_RDWR | O_CLOEXEC);
	m[1].crc32 ^= 1;
	CHECK(u, fd >= 0 && zip_write_stored(fd, out, m, 3, &err) == 0);
	m[1].crc32 ^= 1;
	if (fd >= 0)
		close(fd);
	zf = NULL;
	CHECK(u, zipfile_open(out, &zf, &err) == 0);
	if (zf != NULL) {
		CHECK(u, (i = zipfile_find(zf, "vib20/b/b.vib")) >= 0);
		if (i >= 0)
			CHECK(u, zipfile_read(zf, (size_t)i, 100, &got,
			    &err) != 0);
		zipfile_close(zf);
	}
	sbuf_release(&got);

	/* Open read-only: the first write fails. */
	fd = open(out, O_RDONLY | O_CLOEXEC);
	CHECK(u, fd >= 0 && zip_write_stored(fd, out, m, 3, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "stored.zip: cannot write: Bad file "
	    "descriptor"));
	if (fd >= 0)
		close(fd);

	/* The one fsync fails. */
	fd = open(out, O_RDWR | O_CLOEXEC);
	fault_arm(FAULT_FSYNC, 0, 1, EIO);
	CHECK(u, fd >= 0 && zip_write_stored(fd, out, m, 3, &err) == -DV_EIO);
	fault_clear();
	CHECK(u, err_is(&err, DV_EIO, "stored.zip: cannot write: "
	    "Input/output error"));
	if (fd >= 0)
		close(fd);
	CHECK(u, unlink(out) == 0);

	/* Sizes from hostile metadata: offsets that would wrap. */
	m[0].size = UINT64_MAX - 10;
	CHECK(u, zip_layout(m, 2, 0, &end, &err) == -DV_ELIMIT);
	CHECK(u, err_is(&err, DV_ELIMIT, "vib20/a/a.vib: a zip laid out this "
	    "way would be larger than a file can be (member of "
	    "18446744073709551605 bytes at 0)"));
	m[0].size = 18;
	CHECK(u, zip_layout(m, 2, (uint64_t)INT64_MAX - 100, &end, &err) ==
	    -DV_ELIMIT);
	CHECK(u, err_is(&err, DV_ELIMIT, "vib20/b/b.vib: a zip laid out"));
	longname = malloc(70000);
	CHECK(u, longname != NULL);
	if (longname != NULL) {
		memset(longname, 'n', 69999);
		longname[69999] = '\0';
		m[0].name = longname;
		CHECK(u, zip_layout(m, 1, 0, &end, &err) == -DV_ELIMIT);
		CHECK(u, err_is(&err, DV_ELIMIT, "...: a member name longer "
		    "than a zip allows"));
		free(longname);
	}
}

/* What zipwriter_close_with_ranges told its watch. */
struct watch_log {
	uint64_t landed[2]; /* bytes of each range seen landed */
	int dones;
	bool ok;
	int verdict; /* what done answers */
};

static int
log_landed(void *ctx, size_t i, int fd, uint64_t at, uint64_t done)
{
	struct watch_log *l = ctx;
	char c;

	/* The bytes are in the output already, where it says. */
	if (i < 2 && done > 0 && pread(fd, &c, 1, (off_t)at) == 1)
		l->landed[i] = done;
	return 0;
}

static int
log_done(void *ctx, bool ok, struct dv_error *err)
{
	struct watch_log *l = ctx;

	l->dones++;
	l->ok = ok;
	if (l->verdict != 0)
		return dv_error_set(err, DV_EDIGEST, "the watch says no");
	return 0;
}

/* Stored members of one zip copied as ranges into another, the CRC-32
 * carried over: read back whole; the watch sees every byte land and has
 * the last word; a deflated member has no range; an existing output is
 * refused; nothing is left when its fsync fails or the watch refuses. */
void
test_zip_close_with_ranges(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct zipwriter *w = NULL;
	struct zipfile *src = NULL, *zf = NULL;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	struct zip_range r[2];
	struct watch_log log = {{0, 0}, 0, false, 0};
	struct zip_range_watch watch = {log_landed, log_done, &log};
	const char *names[2] = {"vib20/a/a.vib", "vib20/b/b.vib"};
	char in[512], out[512];
	long i;

	snprintf(in, sizeof(in), "%s/ranges-src.zip", unit_scratch());
	snprintf(out, sizeof(out), "%s/ranges-out.zip", unit_scratch());
	(void)unlink(in);
	(void)unlink(out);
	CHECK(u, zipwriter_open(in, NULL, &w, &err) == 0);
	if (w == NULL)
		return;
	CHECK(u, zipwriter_add_mem(w, "a", "first member's bytes", 20, -1,
	    &err) == 0 && zipwriter_store_last(w, &err) == 0);
	CHECK(u, zipwriter_add_mem(w, "deflated", "zzzzzzzzzzzzzzzzzzzzzzz",
	    23, -1, &err) == 0);
	CHECK(u, zipwriter_add_mem(w, "b", "second", 6, -1, &err) == 0 &&
	    zipwriter_store_last(w, &err) == 0);
	CHECK(u, zipwriter_close(w, NULL, 0, &err) == 0);
	CHECK(u, zipfile_open(in, &src, &err) == 0);
	if (src == NULL)
		return;
	CHECK(u, zipfile_stored_range(src, 0, &r[0]) == 0 && r[0].size == 20);
	CHECK(u, zipfile_stored_range(src, 1, &r[1]) == -1);
	CHECK(u, zipfile_stored_range(src, 2, &r[1]) == 0 && r[1].size == 6);
	CHECK(u, zipfile_stored_range(src, 3, &r[1]) == -1);
	CHECK(u, zipfile_stored_range(src, 2, &r[1]) == 0);

	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	CHECK(u, w != NULL && zipwriter_add_mem(w, "index.xml", "<x/>", 4,
	    -1, &err) == 0);
	CHECK(u, zipwriter_close_with_ranges(w, out, names, r, 2, 1700000000,
	    &watch, &err) == 0);
	CHECK(u, log.dones == 1 && log.ok && log.landed[0] == 20 &&
	    log.landed[1] == 6);
	CHECK(u, zipfile_open(out, &zf, &err) == 0);
	if (zf != NULL) {
		CHECK(u, zipfile_count(zf) == 3);
		CHECK(u, (i = zipfile_find(zf, "vib20/a/a.vib")) >= 0);
		/* zipfile_read checks the CRC-32 the header carries. */
		CHECK(u, i >= 0 && zipfile_read(zf, (size_t)i, 100, &got,
		    &err) == 0 && got.len == 20 &&
		    memcmp(got.buf, "first member's bytes", 20) == 0);
		zipfile_close(zf);
	}
	sbuf_release(&got);

	/* The output exists now: refused, left alone. */
	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	CHECK(u, w != NULL && zipwriter_add_mem(w, "i", "x", 1, -1, &err) ==
	    0);
	CHECK(u, zipwriter_close_with_ranges(w, out, names, r, 2, 0, &watch,
	    &err) == -DV_EEXIST);
	CHECK(u, err_is(&err, DV_EEXIST, "cannot create"));
	CHECK(u, log.dones == 2 && !log.ok && access(out, F_OK) == 0);
	CHECK(u, unlink(out) == 0);

	/* Its fsync fails: refused, neither it nor its temporary left. */
	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	CHECK(u, w != NULL && zipwriter_add_mem(w, "i", "x", 1, -1, &err) ==
	    0);
	fault_arm(FAULT_FSYNC, 0, 1, EIO);
	CHECK(u, zipwriter_close_with_ranges(w, out, names, r, 2, 0, &watch,
	    &err) == -DV_EIO);
	CHECK(u, fault_hits(FAULT_FSYNC) == 1);
	fault_clear();
	CHECK(u, err_is(&err, DV_EIO, "ranges-out.zip: cannot write"));
	CHECK(u, !scratch_has("ranges-out.zip"));

	/* The watch refuses what it saw: its error, nothing left. */
	log.verdict = 1;
	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	CHECK(u, w != NULL && zipwriter_add_mem(w, "i", "x", 1, -1, &err) ==
	    0);
	CHECK(u, zipwriter_close_with_ranges(w, out, names, r, 2, 0, &watch,
	    &err) == -DV_EDIGEST);
	CHECK(u, err_is(&err, DV_EDIGEST, "the watch says no"));
	CHECK(u, access(out, F_OK) != 0);
	zipfile_close(src);
}

/*
 * More members than a plain end record counts (65,535): the zip64 end
 * record and its locator are written, and both our reader and Python's
 * zipfile (an independent reader, CRCs checked) see every member.
 */
void
test_zip_write_stored_zip64_count(struct unit *u)
{
	const size_t n = 65536 + 3;
	struct dv_error err = DV_ERROR_INIT;
	struct zip_stored *m = calloc(n, sizeof(*m));
	char (*names)[16] = calloc(n, sizeof(*names));
	struct zipfile *zf = NULL;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	char out[512], cmd[2048];
	const char *python = getenv("PYTHON");
	uint64_t end;
	long i;
	int fd = -1;

	CHECK(u, m != NULL && names != NULL);
	if (m == NULL || names == NULL)
		goto out;
	snprintf(out, sizeof(out), "%s/zip64-count.zip", unit_scratch());
	for (size_t k = 0; k < n; k++) {
		snprintf(names[k], sizeof(names[k]), "m/%05zu", k);
		m[k] = (struct zip_stored){names[k], 1, 0, "x", 0};
	}
	fd = scratch_zip(out);
	CHECK(u, fd >= 0 && zip_layout(m, n, 0, &end, &err) == 0 &&
	    zip_write_stored(fd, out, m, n, &err) == 0);
	if (fd >= 0)
		close(fd);
	CHECK(u, zipfile_open(out, &zf, &err) == 0);
	if (zf != NULL) {
		CHECK(u, zipfile_count(zf) == n);
		CHECK(u, (i = zipfile_find(zf, "m/65538")) >= 0);
		if (i >= 0)
			CHECK(u, zipfile_read(zf, (size_t)i, 10, &got,
			    &err) == 0 && got.len == 1 && got.buf[0] == 'x');
		zipfile_close(zf);
	}
	snprintf(cmd, sizeof(cmd), "'%s' -c 'import sys, zipfile\n"
	    "z = zipfile.ZipFile(sys.argv[1])\n"
	    "assert len(z.infolist()) == %zu, len(z.infolist())\n"
	    "assert z.testzip() is None\n"
	    "assert z.read(\"m/65538\") == b\"x\"\n"
	    "d = open(sys.argv[1], \"rb\").read()\n"
	    "assert d.find(b\"PK\\x06\\x06\") > 0, \"no zip64 end record\"\n"
	    "' '%s'", python != NULL ? python : "python3", n, out);
	CHECK(u, system(cmd) == 0);
	(void)unlink(out);
out:
	sbuf_release(&got);
	free(names);
	free(m);
}

/* The CRC-32 of len zero bytes (a hole's). */
static uint32_t
crc_of_zeros(uint64_t len)
{
	static const char zeros[1 << 20];
	uint32_t crc = 0;

	while (len > 0) {
		size_t k = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		crc = dv_crc32(crc, zeros, k);
		len -= k;
	}
	return crc;
}

/*
 * The other zip64 branches: a member of 4 GiB and more (zip64 sizes in
 * its local header and central entry) and one after it (its offset past
 * 4 GiB), the big one's body a hole in a sparse file, so no 4 GiB is
 * written.  Read back by our reader (sizes) and by Python's zipfile
 * (sizes and header offsets, not the 4 GiB of zeros).  Skipped where the
 * file system keeps no holes.
 */
void
test_zip_write_stored_zip64_big(struct unit *u)
{
	const uint64_t big = ((uint64_t)4 << 30) + 1;
	struct dv_error err = DV_ERROR_INIT;
	struct zip_stored m[2] = {
		{"vib20/big/big.vib", big, 0, NULL, 0},
		{"index.xml", 4, 0, "<x/>", 0},
	};
	struct zipfile *zf = NULL;
	struct zip_entry e;
	struct stat st;
	char out[512], cmd[2048];
	const char *python = getenv("PYTHON");
	uint64_t end;
	long i;
	int fd;

	snprintf(out, sizeof(out), "%s/zip64-big.zip", unit_scratch());
	fd = scratch_zip(out);
	CHECK(u, fd >= 0);
	if (fd < 0)
		return;
	CHECK(u, zip_layout(m, 2, 0, &end, &err) == 0);
	CHECK(u, m[1].at == 30 + 17 + 20 + big);
	if (ftruncate(fd, (off_t)end) != 0 || fstat(fd, &st) != 0 ||
	    (uint64_t)st.st_blocks * 512 >= big) {
		printf("  (skipped: %s keeps no sparse file of 4 GiB)\n",
		    unit_scratch());
		goto out;
	}
	m[0].crc32 = crc_of_zeros(big);
	CHECK(u, zip_write_stored(fd, out, m, 2, &err) == 0);
	CHECK(u, fstat(fd, &st) == 0 && (uint64_t)st.st_blocks * 512 <
	    ((uint64_t)1 << 20));
	CHECK(u, zipfile_open(out, &zf, &err) == 0);
	if (zf != NULL) {
		CHECK(u, zipfile_count(zf) == 2);
		CHECK(u, (i = zipfile_find(zf, "vib20/big/big.vib")) >= 0);
		if (i >= 0)
			CHECK(u, zipfile_entry(zf, (size_t)i, &e, &err) == 0 &&
			    e.size == big);
		CHECK(u, (i = zipfile_find(zf, "index.xml")) >= 0);
		if (i >= 0)
			CHECK(u, zipfile_entry(zf, (size_t)i, &e, &err) == 0 &&
			    e.size == 4);
		zipfile_close(zf);
	}
	snprintf(cmd, sizeof(cmd), "'%s' -c 'import sys, zipfile\n"
	    "z = zipfile.ZipFile(sys.argv[1])\n"
	    "b, s = z.infolist()\n"
	    "assert (b.filename, b.file_size, b.compress_size, b.header_offset)"
	    " == (\"vib20/big/big.vib\", %llu, %llu, 0), b\n"
	    "assert (s.file_size, s.header_offset) == (4, %llu), s\n"
	    "assert z.read(\"index.xml\") == b\"<x/>\"\n"
	    "' '%s'", python != NULL ? python : "python3",
	    (unsigned long long)big, (unsigned long long)big,
	    (unsigned long long)m[1].at, out);
	CHECK(u, system(cmd) == 0);
out:
	close(fd);
	(void)unlink(out);
}

/* ---- deflated members read past libzip ----------------------------------- */

/* tests/hostile/mkarchive.py's CASE (a zip built by hand with zlib) into
 * the scratch folder; its path, or NULL. */
static const char *
hand_zip(struct unit *u, const char *c)
{
	static char path[4][512];
	static int next;
	const char *python = getenv("PYTHON"), *top = getenv("TOP");
	char *p = path[next++ % 4], cmd[2048];

	snprintf(p, sizeof(path[0]), "%s/%s.zip", unit_scratch(), c);
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/hostile/mkarchive.py' '%s' "
	    "'%s'", python != NULL ? python : "python3",
	    top != NULL ? top : ".", c, p);
	CHECK(u, system(cmd) == 0);
	return access(p, R_OK) == 0 ? p : NULL;
}

/* Member 0 of path read whole in reads of chunk bytes, past libzip
 * (covered) or through it. */
static int
read_member(const char *path, bool covered, size_t chunk, struct sbuf *got,
    struct dv_error *err)
{
	struct zipfile *zf = NULL;
	struct zipstream *zs = NULL;
	char *buf = malloc(chunk);
	long n = 0;
	int ret;

	sbuf_reset(got);
	if (buf == NULL)
		return -ENOMEM;
	if ((ret = zipfile_open(path, &zf, err)) != 0)
		goto out;
	if ((ret = covered ? zipstream_open_covered(zf, 0, &zs, err) :
	    zipstream_open(zf, 0, &zs, err)) != 0)
		goto out;
	while ((n = zipstream_read(zs, buf, chunk, err)) > 0)
		(void)sbuf_add(got, buf, (size_t)n);
	ret = (int)n;
out:
	zipstream_close(zs);
	zipfile_close(zf);
	free(buf);
	return ret;
}

/* What Python's zipfile reads as member m.bin of path. */
static void
python_read(struct unit *u, const char *path, struct sbuf *want)
{
	const char *python = getenv("PYTHON");
	char cmd[2048], out[600], chunk[65536];
	size_t n;
	FILE *fp;

	snprintf(out, sizeof(out), "%s.plain", path);
	snprintf(cmd, sizeof(cmd), "'%s' -c 'import sys, zipfile\n"
	    "open(sys.argv[2], \"wb\").write("
	    "zipfile.ZipFile(sys.argv[1]).read(\"m.bin\"))\n' '%s' '%s'",
	    python != NULL ? python : "python3", path, out);
	CHECK(u, system(cmd) == 0);
	sbuf_reset(want);
	if ((fp = fopen(out, "rb")) == NULL) {
		CHECK(u, fp != NULL);
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		(void)sbuf_add(want, chunk, n);
	fclose(fp);
}

/* A deflated member, longer than one compressed read, comes back as
 * Python's zipfile reads it, in small reads and big, past libzip and
 * through it; bytes after the deflate stream's end within its compressed
 * size are left unread, as both readers leave them.  (A member with a
 * data descriptor goes to libzip: the same bytes.) */
void
test_zip_deflated_read(struct unit *u)
{
	static const char *const cases[] = {"deflated-good",
	    "deflated-trailing", "deflated-descriptor"};
	static const size_t chunks[] = {7, 65536, 1 << 20};
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	struct sbuf want = SBUF_INIT(SBUF_NOCAP);
	const char *path;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		if ((path = hand_zip(u, cases[c])) == NULL)
			continue;
		python_read(u, path, &want);
		CHECK(u, want.len == 766600);
		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]);
		    k++) {
			CHECK(u, read_member(path, true, chunks[k], &got,
			    &err) == 0);
			CHECK(u, got.len == want.len && memcmp(got.buf,
			    want.buf, got.len) == 0);
		}
		CHECK(u, read_member(path, false, 65536, &got, &err) == 0);
		CHECK(u, got.len == want.len && memcmp(got.buf, want.buf,
		    got.len) == 0);
	}
	sbuf_release(&got);
	sbuf_release(&want);
}

/* Damaged deflated members: refused past libzip with the code libzip's
 * path gives, and the same message where there is one to share. */
void
test_zip_deflated_damaged(struct unit *u)
{
	static const struct {
		const char *c, *msg;
		bool same; /* libzip's path says the same */
	} cases[] = {
		/* (The compressed size depends on zlib's version.) */
		{"deflated-truncated", "m.bin: damaged zip archive: its deflate "
		    "data runs past its compressed size, ", false},
		{"deflated-damaged", "m.bin: damaged zip archive: deflate data: "
		    "invalid block type", false},
		{"deflated-size-small", "m.bin: damaged zip archive: more data "
		    "than the 765600 bytes its header declares", true},
		{"deflated-size-large", "m.bin: damaged zip archive: 766600 "
		    "bytes, but its header declares 767600", true},
		{"deflated-crc", "m.bin: CRC error", true},
	};
	static const size_t chunks[] = {7, 65536, 1 << 20};
	struct dv_error err = DV_ERROR_INIT, lz = DV_ERROR_INIT;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	const char *path;
	int ret;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		if ((path = hand_zip(u, cases[c].c)) == NULL)
			continue;
		for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]);
		    k++) {
			ret = read_member(path, true, chunks[k], &got, &err);
			CHECK(u, ret == -DV_EZIP);
			CHECK(u, err_is(&err, DV_EZIP, cases[c].msg));
			if (ret != -DV_EZIP || !err_is(&err, DV_EZIP,
			    cases[c].msg))
				printf("  %s: %d %s\n", cases[c].c, ret,
				    err.msg);
		}
		CHECK(u, read_member(path, false, 65536, &got, &lz) ==
		    -DV_EZIP);
		CHECK(u, !cases[c].same || strcmp(lz.msg, err.msg) == 0);
	}
	sbuf_release(&got);
}

/* An honest 64 MiB member of zeros (64 KiB of deflate), read when the
 * run's inflation budget has less than that left: refused as a bomb. */
void
test_zip_deflated_bomb(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	const char *path = hand_zip(u, "deflated-bomb");
	struct zipfile *zf = NULL;
	struct zipstream *zs = NULL;
	char buf[65536];
	struct stat st;
	long n = 0;

	if (path == NULL || stat(path, &st) != 0)
		return;
	CHECK(u, read_member(path, true, sizeof(buf), &got, &err) == 0);
	CHECK(u, got.len == 64u << 20);
	dv_inflate_reset();
	CHECK(u, zipfile_open(path, &zf, &err) == 0);
	if (zf == NULL)
		goto out;
	/* The budget is the base and a share of the file just opened:
	 * leave 32 MiB of it. */
	CHECK(u, dv_inflate_take(DV_INFLATE_BASE + DV_INFLATE_RATIO *
	    (uint64_t)st.st_size - (32u << 20), "t", "t", &err) == 0);
	CHECK(u, zipstream_open_covered(zf, 0, &zs, &err) == 0);
	while (zs != NULL && (n = zipstream_read(zs, buf, sizeof(buf),
	    &err)) > 0)
		;
	CHECK(u, n == -DV_ELIMIT);
	CHECK(u, err_is(&err, DV_ELIMIT, "m.bin: this run has inflated more "
	    "than ") && strstr(err.msg, "refused as a decompression bomb"));
out:
	zipstream_close(zs);
	zipfile_close(zf);
	dv_inflate_reset();
	sbuf_release(&got);
}

/* Interrupted (the flag cmd/ sets on a signal) between two reads of a
 * deflated member: DV_EINTR.  In a child: the flag never clears. */
void
test_zip_deflated_interrupted(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	const char *path = hand_zip(u, "deflated-good");
	struct zipfile *zf = NULL;
	struct zipstream *zs = NULL;
	char buf[4096];
	int status = -1;
	pid_t pid;

	if (path == NULL)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		bool ok = zipfile_open(path, &zf, &err) == 0 &&
		    zipstream_open_covered(zf, 0, &zs, &err) == 0 &&
		    zipstream_read(zs, buf, sizeof(buf), &err) == 4096;

		outdir_interrupt();
		ok = ok && zipstream_read(zs, buf, sizeof(buf), &err) ==
		    -DV_EINTR && err_is(&err, DV_EINTR, "m.bin: interrupted; "
		    "nothing was written");
		_exit(ok ? 0 : 1);
	}
	CHECK(u, pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(u, WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
