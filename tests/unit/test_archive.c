/* test_archive.c - the tar writer, read back by the tar reader. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../depot/archive.h"
#include "../../depot/xalloc.h"
#include "unit.h"

/* A folder, a file with a name past ustar's 100 bytes, and an empty file
 * come back with their names, kinds, sizes, modes, times and bytes. */
void
test_tar_write_read(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct tarwriter *w = NULL;
	struct tarfile *t = NULL;
	struct tar_entry e;
	char path[] = "/tmp/unit-tar-XXXXXX", buf[64], *data = NULL;
	const char *longname = "top/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bin";
	long size, n;
	FILE *fp;
	int fd = mkstemp(path);

	CHECK(u, fd >= 0);
	CHECK(u, tarwriter_open(fd, path, &w, &err) == 0);
	CHECK(u, tarwriter_add_dir(w, "top", 0755, 1700000000, &err) == 0);
	CHECK(u, tarwriter_add_file(w, longname, 5, 0644, 1700000001,
	    &err) == 0);
	CHECK(u, tarwriter_write(w, "hello", 5, &err) == 0);
	CHECK(u, tarwriter_add_file(w, "top/empty", 0, 0755, 1700000002,
	    &err) == 0);
	CHECK(u, tarwriter_close(w, &err) == 0);
	close(fd);

	fp = fopen(path, "rb");
	CHECK(u, fp != NULL && fseek(fp, 0, SEEK_END) == 0);
	size = ftell(fp);
	CHECK(u, size > 0 && size % 512 == 0);
	data = xmalloc((size_t)size);
	rewind(fp);
	CHECK(u, fread(data, 1, (size_t)size, fp) == (size_t)size);
	fclose(fp);
	unlink(path);
	CHECK(u, arc_is_tar_header((unsigned char *)data, 512));

	CHECK(u, tarfile_open_mem(data, (size_t)size, "t", &t, &err) == 0);
	CHECK(u, tarfile_next(t, &e, &err) == 1);
	CHECK_STR(u, e.name, "top/");
	CHECK(u, e.kind == TAR_ENTRY_DIR && e.mtime == 1700000000);
	CHECK(u, tarfile_next(t, &e, &err) == 1);
	CHECK_STR(u, e.name, longname);
	CHECK(u, e.kind == TAR_ENTRY_FILE && e.size == 5 && e.mode == 0644);
	n = tarfile_read(t, buf, sizeof(buf), &err);
	CHECK(u, n == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK(u, tarfile_next(t, &e, &err) == 1);
	CHECK_STR(u, e.name, "top/empty");
	CHECK(u, e.size == 0 && e.mode == 0755 && e.mtime == 1700000002);
	CHECK(u, tarfile_next(t, &e, &err) == 0);
	tarfile_close(t);
	free(data);
}
