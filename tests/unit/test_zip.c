/* test_zip.c - zip.c's writer and reader: error paths, code and message. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	CHECK(u, zipwriter_open(path, NULL, &w, &err) == 0);
	if (w != NULL) {
		CHECK(u, zipwriter_add_mem(w, "a", "x", 1, -1, &err) == 0);
		CHECK(u, zipwriter_close(w, NULL, 0, &err) == -DV_EIO);
		CHECK(u, err_is(&err, DV_EIO, "x.zip: cannot write"));
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

/* Write path holding data; its CRC-32 into *crc. */
static void
scratch_file(struct unit *u, const char *path, const char *data,
    uint32_t *crc)
{
	FILE *fp = fopen(path, "wb");

	CHECK(u, fp != NULL && fputs(data, fp) >= 0 && fclose(fp) == 0);
	*crc = dv_crc32(0, data, strlen(data));
}

/* The in-memory members, then files stored by a copy with the CRC-32
 * given: read back whole and CRC-checked; a file whose size changed, a
 * missing file and an existing output are refused, nothing left. */
void
test_zip_close_with_files(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct zip_stored_file f[2];
	struct zipwriter *w = NULL;
	struct zipfile *zf = NULL;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	char a[512], b[512], out[512];
	uint32_t crc_a, crc_b;
	long i;

	snprintf(a, sizeof(a), "%s/a.vib", unit_scratch());
	snprintf(b, sizeof(b), "%s/b.vib", unit_scratch());
	snprintf(out, sizeof(out), "%s/with-files.zip", unit_scratch());
	(void)unlink(out);
	scratch_file(u, a, "first file's bytes", &crc_a);
	scratch_file(u, b, "second", &crc_b);
	f[0] = (struct zip_stored_file){"vib20/a/a.vib", a, 18, crc_a};
	f[1] = (struct zip_stored_file){"vib20/b/b.vib", b, 6, crc_b};

	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	if (w == NULL)
		return;
	CHECK(u, zipwriter_add_mem(w, "index.xml", "<x/>", 4, -1, &err) == 0);
	CHECK(u, zipwriter_close_with_files(w, out, f, 2, &err) == 0);
	CHECK(u, zipfile_open(out, &zf, &err) == 0);
	if (zf != NULL) {
		CHECK(u, zipfile_count(zf) == 3);
		CHECK(u, (i = zipfile_find(zf, "vib20/b/b.vib")) >= 0);
		if (i >= 0) {
			CHECK(u, zipfile_read(zf, (size_t)i, 100, &got,
			    &err) == 0);
			CHECK(u, got.len == 6 && memcmp(got.buf, "second",
			    6) == 0);
		}
		zipfile_close(zf);
	}
	sbuf_release(&got);

	/* The output exists now. */
	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	if (w != NULL) {
		CHECK(u, zipwriter_add_mem(w, "i", "x", 1, -1, &err) == 0);
		CHECK(u, zipwriter_close_with_files(w, out, f, 2, &err) ==
		    -DV_EEXIST);
		CHECK(u, err_is(&err, DV_EEXIST, "cannot create"));
		CHECK(u, access(out, F_OK) == 0);
	}
	CHECK(u, unlink(out) == 0);

	/* A file that is not the size it was checked at. */
	f[1].size = 7;
	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	if (w != NULL) {
		CHECK(u, zipwriter_add_mem(w, "i", "x", 1, -1, &err) == 0);
		CHECK(u, zipwriter_close_with_files(w, out, f, 2, &err) ==
		    -DV_EIO);
		CHECK(u, err_is(&err, DV_EIO, "b.vib: changed since it was "
		    "checked (6 bytes, 7 expected)"));
		CHECK(u, access(out, F_OK) != 0);
	}

	/* A file that is gone. */
	f[1].size = 6;
	CHECK(u, unlink(b) == 0);
	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	if (w != NULL) {
		CHECK(u, zipwriter_add_mem(w, "i", "x", 1, -1, &err) == 0);
		CHECK(u, zipwriter_close_with_files(w, out, f, 2, &err) ==
		    -DV_EIO);
		CHECK(u, err_is(&err, DV_EIO, "b.vib: cannot open"));
		CHECK(u, access(out, F_OK) != 0);
	}
}

/* zipwriter_close_with_files over the files f, after one in-memory
 * member; its result. */
static int
close_with(const char *out, const struct zip_stored_file *f, size_t n,
    struct dv_error *err)
{
	struct zipwriter *w = NULL;
	int ret;

	if ((ret = zipwriter_open(NULL, out, &w, err)) != 0)
		return ret;
	if ((ret = zipwriter_add_mem(w, "index.xml", "<x/>", 4, -1,
	    err)) != 0) {
		zipwriter_discard(w);
		return ret;
	}
	return zipwriter_close_with_files(w, out, f, n, err);
}

/* Whether out is a zip of n members whose member name holds data. */
static bool
reads_back(const char *out, size_t n, const char *name, const char *data)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	struct zipfile *zf = NULL;
	long i;
	bool ok;

	if (zipfile_open(out, &zf, &err) != 0)
		return false;
	ok = zipfile_count(zf) == n && (i = zipfile_find(zf, name)) >= 0 &&
	    zipfile_read(zf, (size_t)i, 100, &got, &err) == 0 &&
	    got.len == strlen(data) && memcmp(got.buf, data, got.len) == 0;
	zipfile_close(zf);
	sbuf_release(&got);
	return ok;
}

/*
 * The stored copy when the system says no: across file systems
 * (copy_file_range's EXDEV) the bytes go through read and write; a copy
 * or the final fsync that fails is said and leaves no output.
 */
void
test_zip_close_with_files_faults(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct zip_stored_file f;
	char a[512], out[512];
	uint32_t crc;

	snprintf(a, sizeof(a), "%s/faults.vib", unit_scratch());
	snprintf(out, sizeof(out), "%s/faults.zip", unit_scratch());
	(void)unlink(out);
	scratch_file(u, a, "stored bytes", &crc);
	f = (struct zip_stored_file){"vib20/f/f.vib", a, 12, crc};

	fault_arm(FAULT_COPY_FILE_RANGE, 0, -1, EXDEV);
	CHECK(u, close_with(out, &f, 1, &err) == 0);
	CHECK(u, fault_hits(FAULT_COPY_FILE_RANGE) > 0);
	fault_clear();
	CHECK(u, reads_back(out, 2, "vib20/f/f.vib", "stored bytes"));
	CHECK(u, unlink(out) == 0);

	fault_arm(FAULT_COPY_FILE_RANGE, 0, 1, EIO);
	CHECK(u, close_with(out, &f, 1, &err) == -DV_EIO);
	fault_clear();
	CHECK(u, err_is(&err, DV_EIO, "faults.vib: cannot copy to ") &&
	    strstr(err.msg, "faults.zip: Input/output error") != NULL);
	CHECK(u, access(out, F_OK) != 0);

	fault_arm(FAULT_FSYNC, 0, 1, EIO);
	CHECK(u, close_with(out, &f, 1, &err) == -DV_EIO);
	fault_clear();
	CHECK(u, err_is(&err, DV_EIO, "faults.zip: cannot write: "
	    "Input/output error"));
	CHECK(u, access(out, F_OK) != 0);
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
 * refused; nothing is left when the watch refuses. */
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
 * zipfile (an independent reader, CRCs checked) see every member.  The
 * other zip64 branches (a member or an offset past 4 GiB) would need a
 * 4 GiB copy: ext4 has no reflink, so copy_file_range writes the bytes.
 */
void
test_zip_close_with_files_zip64_count(struct unit *u)
{
	const size_t n = 65536 + 3;
	struct dv_error err = DV_ERROR_INIT;
	struct zip_stored_file *f = calloc(n, sizeof(*f));
	char (*names)[16] = calloc(n, sizeof(*names));
	struct zipwriter *w = NULL;
	struct zipfile *zf = NULL;
	struct sbuf got = SBUF_INIT(SBUF_NOCAP);
	char one[512], out[512], cmd[2048];
	const char *python = getenv("PYTHON");
	uint32_t crc;
	long i;

	CHECK(u, f != NULL && names != NULL);
	if (f == NULL || names == NULL)
		goto out;
	snprintf(one, sizeof(one), "%s/one.vib", unit_scratch());
	snprintf(out, sizeof(out), "%s/zip64-count.zip", unit_scratch());
	(void)unlink(out);
	scratch_file(u, one, "x", &crc);
	for (size_t k = 0; k < n; k++) {
		snprintf(names[k], sizeof(names[k]), "m/%05zu", k);
		f[k] = (struct zip_stored_file){names[k], one, 1, crc};
	}
	CHECK(u, zipwriter_open(NULL, out, &w, &err) == 0);
	if (w == NULL)
		goto out;
	CHECK(u, zipwriter_add_mem(w, "index.xml", "<x/>", 4, -1, &err) == 0);
	CHECK(u, zipwriter_close_with_files(w, out, f, n, &err) == 0);
	CHECK(u, zipfile_open(out, &zf, &err) == 0);
	if (zf != NULL) {
		CHECK(u, zipfile_count(zf) == n + 1);
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
	    "' '%s'", python != NULL ? python : "python3", n + 1, out);
	CHECK(u, system(cmd) == 0);
	(void)unlink(out);
	(void)unlink(one);
out:
	sbuf_release(&got);
	free(names);
	free(f);
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
