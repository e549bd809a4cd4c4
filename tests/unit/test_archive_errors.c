/* test_archive_errors.c - archive.c when the tar, its source, the writer's
 * disk or a compressed layer goes wrong. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../depot/archive.h"
#include "../../depot/depot_int.h"
#include "../../depot/outdir.h"
#include "unit.h"

/* A tar by tar(1) of two files: a.txt (100000 bytes of 'a') and
 * b.txt ("bee\n"), into out. */
static bool
two_file_tar(const char *name, struct sbuf *out)
{
	const char *dir = unit_dir(name);
	char path[700];

	snprintf(path, sizeof(path), "%s/two.tar", dir);
	return unit_sh("cd '%s' && head -c 100000 /dev/zero | tr '\\0' a > "
	    "a.txt && echo bee > b.txt && tar --format=ustar -cf two.tar a.txt "
	    "b.txt", dir) && unit_slurp(path, out);
}

/* A byte source over a buffer that fails with DV_EIO after fail_at. */
struct failing {
	const struct sbuf *data;
	size_t pos, fail_at;
};

static long
failing_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct failing *f = ctx;
	size_t n = f->data->len - f->pos;

	if (f->pos >= f->fail_at)
		return dv_error_set(err, DV_EIO, "the disk: cannot read: "
		    "Input/output error");
	if (n > len)
		n = len;
	if (n > f->fail_at - f->pos)
		n = f->fail_at - f->pos;
	memcpy(buf, f->data->buf + f->pos, n);
	f->pos += n;
	return (long)n;
}

/* Walk a whole tar, reading each member; the first error's code, or 0. */
static int
walk(struct tarfile *t, struct dv_error *err)
{
	struct tar_entry e;
	char buf[4096];
	long n = 0;
	int r;

	while ((r = tarfile_next(t, &e, err)) == 1)
		while ((n = tarfile_read(t, buf, sizeof(buf), err)) > 0)
			;
	return r < 0 ? r : n < 0 ? (int)n : 0;
}

void
test_tar_source_failures(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf tar = SBUF_INIT(SBUF_NOCAP);
	struct failing f = {&tar, 0, 0};
	struct byte_source src = {failing_read, &f};
	struct tarfile *t = (struct tarfile *)1;

	CHECK(u, two_file_tar("ar-source", &tar));
	/* The source's own error comes back, not libarchive's echo of it. */
	CHECK(u, unit_err(u, tarfile_open_source(&src, "two.tar", &t, &err),
	    &err, DV_EIO, "the disk: cannot read: Input/output error") &&
	    t == NULL);
	/* Failing in a member's data, and between members. */
	for (size_t at = 20000; at < tar.len; at += 40000) {
		f.pos = 0;
		f.fail_at = at;
		CHECK(u, tarfile_open_source(&src, "two.tar", &t, &err) == 0);
		CHECK(u, unit_err(u, walk(t, &err), &err, DV_EIO,
		    "the disk: cannot read: Input/output error"));
		tarfile_close(t);
	}
	f.pos = 0;
	f.fail_at = (size_t)-1;
	CHECK(u, tarfile_open_source(&src, "two.tar", &t, &err) == 0 &&
	    walk(t, &err) == 0);
	tarfile_close(t);
	sbuf_release(&tar);
}

void
test_tar_damage(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf tar = SBUF_INIT(SBUF_NOCAP);
	struct tarfile *t = NULL;
	struct tar_entry e;
	size_t second;

	CHECK(u, two_file_tar("ar-damage", &tar));
	/* b.txt's header follows a.txt's 100000 bytes, padded to 512. */
	second = 512 + (100000 + 511) / 512 * 512;
	CHECK(u, tar.len > second && memcmp(tar.buf + second, "b.txt", 5) == 0);
	tar.buf[second + 148] ^= 0x7; /* its checksum */
	CHECK(u, tarfile_open_mem(tar.buf, tar.len, "two.tar", &t, &err) == 0);
	CHECK(u, tarfile_next(t, &e, &err) == 1);
	CHECK_STR(u, e.name, "a.txt");
	CHECK(u, unit_err(u, tarfile_next(t, &e, &err), &err, DV_ETAR,
	    "two.tar: damaged after member: "));
	tarfile_close(t);
	/* Cut inside a.txt's data: tar's reason, after the member's name. */
	CHECK(u, tarfile_open_mem(tar.buf, 30000, "two.tar", &t, &err) == 0);
	CHECK(u, unit_err(u, walk(t, &err), &err, DV_ETAR, "two.tar: ") &&
	    strstr(err.msg, "Truncated input file") != NULL);
	tarfile_close(t);
	/* libarchive looks at the first block as it opens. */
	CHECK(u, unit_err(u, tarfile_open_mem("not a tar, only a line of "
	    "text\n", 31, "text.tar", &t, &err), &err, DV_ETAR, "text.tar: not "
	    "a tar archive: ") && t == NULL);
	sbuf_release(&tar);
}

/* Every kind of entry tar(1) writes, as tarfile_next tells them. */
void
test_tar_entry_kinds(struct unit *u)
{
	static const struct {
		const char *name;
		enum tar_entry_kind kind;
	} want[] = {
		{"k/", TAR_ENTRY_DIR},	     {"k/file", TAR_ENTRY_FILE},
		{"k/hard", TAR_ENTRY_HARDLINK}, {"k/sym", TAR_ENTRY_SYMLINK},
		{"k/fifo", TAR_ENTRY_OTHER},	     {"k/null", TAR_ENTRY_DEVICE},
	};
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf tar = SBUF_INIT(SBUF_NOCAP);
	struct tarfile *t = NULL;
	struct tar_entry e;
	const char *dir = unit_dir("ar-kinds");
	char path[700];

	snprintf(path, sizeof(path), "%s/kinds.tar", dir);
	CHECK(u, unit_sh("cd '%s' && mkdir k && echo x > k/file && ln k/file "
	    "k/hard && ln -s file k/sym && mkfifo k/fifo && mknod k/null c 1 3 "
	    "&& tar --format=ustar --no-recursion -cf kinds.tar k/ k/file k/hard "
	    "k/sym k/fifo k/null", dir) && unit_slurp(path, &tar));
	CHECK(u, tarfile_open_mem(tar.buf, tar.len, "kinds.tar", &t, &err) == 0);
	for (size_t i = 0; t != NULL && i < sizeof(want) / sizeof(want[0]);
	    i++) {
		CHECK(u, tarfile_next(t, &e, &err) == 1);
		CHECK_STR(u, e.name, want[i].name);
		CHECK(u, e.kind == want[i].kind);
	}
	CHECK(u, t != NULL && tarfile_next(t, &e, &err) == 0);
	tarfile_close(t);
	sbuf_release(&tar);
}

void
test_tar_read_limits(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sbuf tar = SBUF_INIT(SBUF_NOCAP);
	struct tarfile *t = NULL;
	struct tar_entry e;
	char buf[512];
	long n;
	int status = -1;
	pid_t pid;

	CHECK(u, two_file_tar("ar-limits", &tar));
	/* A run that has inflated nearly all it may: a.txt goes over. */
	dv_inflate_reset();
	CHECK(u, dv_inflate_take(DV_INFLATE_BASE - 1000, "earlier", "x",
	    &err) == 0);
	CHECK(u, tarfile_open_mem(tar.buf, tar.len, "two.tar", &t, &err) == 0);
	CHECK(u, tarfile_next(t, &e, &err) == 1);
	CHECK(u, tarfile_read(t, buf, sizeof(buf), &err) == 512);
	while ((n = tarfile_read(t, buf, sizeof(buf), &err)) > 0)
		;
	CHECK(u, unit_err(u, (int)n, &err, DV_ELIMIT, "two.tar: a.txt: this "
	    "run has inflated more than 4294967296 bytes out of archive "
	    "members"));
	tarfile_close(t);
	dv_inflate_reset();

	/* The interrupt flag stays up: ask it in a child of our own. */
	CHECK(u, tarfile_open_mem(tar.buf, tar.len, "two.tar", &t, &err) == 0);
	CHECK(u, tarfile_next(t, &e, &err) == 1);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		/* _exit: the parent's state is not the child's to free. */
		outdir_interrupt();
		_exit(unit_err(u, (int)tarfile_read(t, buf, sizeof(buf), &err),
		    &err, DV_EINTR, "two.tar: a.txt: interrupted; nothing was "
		    "written") ? 0 : 1);
	}
	CHECK(u, pid > 0 && waitpid(pid, &status, 0) == pid &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tarfile_close(t);
	sbuf_release(&tar);
}

/* The writer on a full disk: the write's own reason, every call after
 * it refused, nothing kept by libarchive (valgrind checks: a failing
 * write callback used to leave it in a state that leaked its buffer). */
void
test_tar_writer_failures(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct tarwriter *w = NULL;
	static char block[20000];
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	/* A full disk shows when a block is written out. */
	CHECK(u, fd >= 0 && tarwriter_open(fd, "full.tar", &w, &err) == 0);
	CHECK(u, tarwriter_add_file(w, "big", sizeof(block), 0644, 0, &err) ==
	    0);
	CHECK(u, unit_err(u, tarwriter_write(w, block, sizeof(block), &err),
	    &err, DV_EIO, "full.tar: cannot write: No space left on device"));
	/* After that nothing more goes in. */
	CHECK(u, unit_err(u, tarwriter_add_dir(w, "dir", 0755, 0, &err), &err,
	    DV_EIO, "full.tar: dir: No space left on device"));
	tarwriter_abort(w);
	/* Small enough to stay in the buffer: the failure is at the end. */
	CHECK(u, tarwriter_open(fd, "full.tar", &w, &err) == 0);
	CHECK(u, tarwriter_add_file(w, "small", 5, 0644, 0, &err) == 0 &&
	    tarwriter_write(w, "hello", 5, &err) == 0);
	CHECK(u, unit_err(u, tarwriter_close(w, &err), &err, DV_EIO,
	    "full.tar: cannot finish the archive: No space left on device"));
	tarwriter_abort(NULL);
	close(fd);
}

/* Bytes for arc_layer_open, all at once. */
struct once {
	const struct sbuf *data;
	bool given;
};

static long
once_pull(void *ctx, const void **buf)
{
	struct once *o = ctx;

	if (o->given)
		return 0;
	o->given = true;
	*buf = o->data->buf;
	return (long)o->data->len;
}

/* What arc_layer makes of data: "open: why", "read: why", or the bytes
 * read (their count when there are more than 100). */
static const char *
layer_text(enum arc_filter f, const struct sbuf *data)
{
	static char text[1100];
	struct dv_error err = DV_ERROR_INIT;
	struct once o = {data, false};
	struct arc_layer *l = NULL;
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	char buf[4096];
	bool empty = false;
	long n;

	if (arc_layer_open(f, once_pull, &o, &l, &empty, &err) != 0) {
		snprintf(text, sizeof(text), "open: %s", err.msg);
		return text;
	}
	while ((n = arc_layer_read(l, buf, sizeof(buf))) > 0)
		sbuf_add(&out, buf, (size_t)n);
	if (n < 0)
		snprintf(text, sizeof(text), "read: %s", arc_layer_error(l) ?
		    arc_layer_error(l) : "(no reason)");
	else if (out.len > 100)
		snprintf(text, sizeof(text), "%zu bytes", out.len);
	else
		snprintf(text, sizeof(text), "%s", out.len ? out.buf : "");
	arc_layer_close(l);
	sbuf_release(&out);
	return text;
}

void
test_arc_layer_damage(struct unit *u)
{
	struct sbuf z = SBUF_INIT(SBUF_NOCAP), big = SBUF_INIT(SBUF_NOCAP);
	const char *dir = unit_dir("ar-layer");
	char path[700];

	snprintf(path, sizeof(path), "%s/t.zst", dir);
	CHECK(u, unit_write(dir, "t", "zstd made this\n") &&
	    unit_sh("cd '%s' && zstd -q t && seq 1 400000 > big && zstd -q "
	    "big", dir) && unit_slurp(path, &z));
	snprintf(path, sizeof(path), "%s/big.zst", dir);
	CHECK(u, unit_slurp(path, &big));
	CHECK_STR(u, layer_text(ARC_ZSTD, &z), "zstd made this\n");
	CHECK_STR(u, layer_text(ARC_ZSTD, &big), "2688895 bytes");
	/* Damage in the first block shows when the layer opens. */
	z.buf[0] ^= 0xff;
	CHECK_STR(u, layer_text(ARC_ZSTD, &z), "open: zstd: Zstd decompression "
	    "failed: Unknown frame descriptor");
	z.buf[0] ^= 0xff;
	sbuf_setlen(&z, z.len - 6);
	CHECK_STR(u, layer_text(ARC_ZSTD, &z), "open: zstd: Truncated zstd "
	    "input");
	/* Damage further in shows as it is read. */
	big.buf[big.len * 3 / 4] ^= 0x55;
	CHECK_STR(u, layer_text(ARC_ZSTD, &big), "read: Zstd decompression "
	    "failed: Restored data doesn't match checksum");
	sbuf_setlen(&big, big.len / 2);
	CHECK_STR(u, layer_text(ARC_ZSTD, &big), "read: Truncated zstd input");
	sbuf_release(&z);
	sbuf_release(&big);
}
