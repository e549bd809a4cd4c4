/* test_package.c - member-name rules, tar detection, the output folder. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <stdlib.h>
#include <unistd.h>

#include "../../depot/archive.h"
#include "../../depot/depot_int.h"
#include "../../depot/outdir.h"
#include "unit.h"

void
test_member_names(struct unit *u)
{
	CHECK(u, dv_member_problem("doc/README.txt") == NULL);
	CHECK(u, dv_member_problem("./700Series/ESXi_x64/") == NULL);
	CHECK(u, dv_member_problem("a..b/c..") == NULL);
	CHECK_STR(u, dv_member_problem(""), "empty member name");
	CHECK_STR(u, dv_member_problem("/etc/passwd"), "absolute path");
	CHECK_STR(u, dv_member_problem("C:/x"),
	    "drive letter in the member name");
	CHECK_STR(u, dv_member_problem("a\\b"), "backslash in the member name");
	CHECK_STR(u, dv_member_problem("a\033[1m"),
	    "control character in the member name");
	CHECK_STR(u, dv_member_problem("a/../../b"), "'..' in the member name");
	CHECK_STR(u, dv_member_problem(".."), "'..' in the member name");
	CHECK_STR(u, dv_member_problem("a/.."), "'..' in the member name");
}

void
test_tar_header_detect(struct unit *u)
{
	unsigned char h[512];
	unsigned long sum = 0;

	memset(h, 0, sizeof(h));
	CHECK(u, !arc_is_tar_header(h, sizeof(h)));
	memcpy(h + 257, "ustar", 5);
	CHECK(u, arc_is_tar_header(h, sizeof(h)));
	CHECK(u, !arc_is_tar_header(h, 100));
	/* A v7 header: no magic, but a checksum that adds up. */
	memset(h, 0, sizeof(h));
	memcpy(h, "file.txt", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06lo", sum);
	CHECK(u, arc_is_tar_header(h, sizeof(h)));
	h[0] = 'g';
	CHECK(u, !arc_is_tar_header(h, sizeof(h)));
}

void
test_outdir_rules(struct unit *u)
{
	char tmpl[] = "/tmp/esxstage-unit.XXXXXX", path[64], probe[96];
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	struct stat st;
	int fd;

	if (mkdtemp(tmpl) == NULL) {
		CHECK(u, !"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/out", tmpl);
	CHECK(u, outdir_begin(path, 0, &od, &err) == 0);
	if (od == NULL)
		goto out;
	CHECK(u, outdir_open_file(od, "../x", false, &fd, &err) == -DV_EPATH);
	CHECK(u, outdir_open_file(od, "a//b", false, &fd, &err) == -DV_EPATH);
	CHECK(u, outdir_open_file(od, "/x", false, &fd, &err) == -DV_EPATH);
	CHECK(u, outdir_open_file(od, "./x", false, &fd, &err) == -DV_EPATH);
	CHECK(u, outdir_open_file(od, "dir/f", false, &fd, &err) == 0);
	CHECK(u, outdir_write(od, fd, "hi\n", 3, &err) == 0);
	CHECK(u, outdir_close_file(od, fd, &err) == 0);
	CHECK(u, outdir_open_file(od, "dir/f", false, &fd, &err) ==
	    -DV_EEXIST);
	CHECK(u, outdir_open_file(od, "dir", false, &fd, &err) == -DV_EEXIST);
	/* Nothing shows in OUTDIR until the commit. */
	CHECK(u, stat(path, &st) != 0);
	CHECK(u, outdir_commit(od, &err) == 0);
	snprintf(probe, sizeof(probe), "%s/dir/f", path);
	CHECK(u, stat(probe, &st) == 0 && st.st_size == 3);
	/* An existing OUTDIR: a name it holds is refused without force. */
	od = NULL;
	CHECK(u, outdir_begin(path, 0, &od, &err) == 0);
	if (od != NULL) {
		CHECK(u, outdir_open_file(od, "dir/f", false, &fd, &err) ==
		    -DV_EEXIST);
		CHECK(u, outdir_open_file(od, "g", false, &fd, &err) == 0);
		CHECK(u, outdir_close_file(od, fd, &err) == 0);
		outdir_abort(od);
	}
	snprintf(probe, sizeof(probe), "%s/g", path);
	CHECK(u, stat(probe, &st) != 0);
out:
	snprintf(probe, sizeof(probe), "%s/dir/f", path);
	unlink(probe);
	snprintf(probe, sizeof(probe), "%s/dir", path);
	rmdir(probe);
	rmdir(path);
	/* Only an empty folder is left: no temporary folder behind. */
	CHECK(u, rmdir(tmpl) == 0);
}
