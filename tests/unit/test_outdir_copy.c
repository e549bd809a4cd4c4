/* test_outdir_copy.c - outdir_copy: the kernel's copy and the fallback. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../depot/outdir.h"
#include "unit.h"

/* Copy all of in into od as name; true when the file and every buffer
 * handed back hold want. */
static bool
copy_all(struct unit *u, struct outdir *od, const char *name, int in,
    const char *want, size_t len)
{
	struct dv_error err = DV_ERROR_INIT;
	char buf[7], seen[64];
	size_t n, got = 0;
	int fd;

	if (outdir_open_file(od, name, false, &fd, &err) != 0)
		return false;
	/* A buffer smaller than the file: the copy goes in several parts. */
	do {
		CHECK(u, outdir_copy(od, fd, in, buf, sizeof(buf), &n,
		    &err) == 0);
		if (n > sizeof(buf) || got + n > sizeof(seen))
			break;
		memcpy(seen + got, buf, n);
		got += n;
	} while (n > 0);
	CHECK(u, outdir_close_file(od, fd, &err) == 0);
	return got == len && memcmp(seen, want, len) == 0;
}

void
test_outdir_copy(struct unit *u)
{
	static const char text[] = "forty-two bytes of a file to be copied\n";
	char tmpl[] = "/tmp/esxstage-unit.XXXXXX", path[64], src[64];
	char back[64], name[96];
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	int in = -1, p[2] = {-1, -1}, fd;
	ssize_t n;

	if (mkdtemp(tmpl) == NULL) {
		CHECK(u, !"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/out", tmpl);
	snprintf(src, sizeof(src), "%s/src", tmpl);
	fd = open(src, O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(u, fd >= 0 && write(fd, text, strlen(text)) ==
	    (ssize_t)strlen(text));
	if (fd >= 0)
		close(fd);
	CHECK(u, outdir_begin(path, 0, &od, &err) == 0);
	if (od == NULL)
		goto out;
	/* A regular file: the kernel copies, the bytes are read back. */
	in = open(src, O_RDONLY);
	CHECK(u, copy_all(u, od, "kernel", in, text, strlen(text)));
	/* A pipe: copy_file_range refuses it, read and write instead. */
	CHECK(u, pipe(p) == 0);
	CHECK(u, write(p[1], text, strlen(text)) == (ssize_t)strlen(text));
	close(p[1]);
	CHECK(u, copy_all(u, od, "piped", p[0], text, strlen(text)));
	close(p[0]);
	CHECK(u, outdir_commit(od, &err) == 0);
	snprintf(name, sizeof(name), "%s/piped", path);
	fd = open(name, O_RDONLY);
	n = fd >= 0 ? read(fd, back, sizeof(back)) : -1;
	CHECK(u, n == (ssize_t)strlen(text) && memcmp(back, text,
	    (size_t)n) == 0);
	if (fd >= 0)
		close(fd);
out:
	if (in >= 0)
		close(in);
	snprintf(name, sizeof(name), "%s/kernel", path);
	unlink(name);
	snprintf(name, sizeof(name), "%s/piped", path);
	unlink(name);
	rmdir(path);
	unlink(src);
	CHECK(u, rmdir(tmpl) == 0);
}
