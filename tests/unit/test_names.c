/* test_names.c - the rules on hostile names (names.c), one test a rule. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>

#include "../../depot/archive.h"
#include "../../depot/depot_int.h"
#include "../../depot/names.h"
#include "unit.h"

void
test_member_names(struct unit *u)
{
	char longname[DV_MAX_NAME_BYTES + 2];

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
	CHECK_STR(u, dv_member_problem("../x"), "'..' in the member name");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_STR(u, dv_member_problem(longname), "member name too long");
	longname[DV_MAX_NAME_BYTES] = '\0';
	CHECK(u, dv_member_problem(longname) == NULL);
}

void
test_out_path_rules(struct unit *u)
{
	CHECK(u, dv_out_path_problem("vibs/a.vib") == NULL);
	CHECK(u, dv_out_path_problem("a..b/.c") == NULL);
	CHECK_STR(u, dv_out_path_problem(""), "empty member name");
	CHECK_STR(u, dv_out_path_problem("C:x"),
	    "drive letter in the member name");
	CHECK_STR(u, dv_out_path_problem("a/../b"), "'..' in the member name");
	CHECK_STR(u, dv_out_path_problem("a//b"), "empty path component");
	CHECK_STR(u, dv_out_path_problem("./x"), "'.' component");
	CHECK_STR(u, dv_out_path_problem("a/."), "'.' component");
	/* A member name may carry "." and a folder's "/"; an output may not. */
	CHECK(u, dv_member_problem("./x/") == NULL);
}

void
test_path_check(struct unit *u)
{
	CHECK(u, dv_path_check("vib20/x/y.vib") == 0);
	CHECK(u, dv_path_check("a..b") == 0);
	CHECK(u, dv_path_check("") == -DV_EPATH);
	CHECK(u, dv_path_check("/x") == -DV_EPATH);
	CHECK(u, dv_path_check("../x") == -DV_EPATH);
	CHECK(u, dv_path_check("a/../x") == -DV_EPATH);
	CHECK(u, dv_path_check("a\\x") == -DV_EPATH);
	/* Stricter than a member name: no scheme or drive in a reference. */
	CHECK(u, dv_path_check("http://h/x") == -DV_EPATH);
	CHECK(u, dv_path_check("a\nb") == -DV_EPATH);
	CHECK(u, dv_path_check("a\177b") == -DV_EPATH);
}

void
test_shown_name(struct unit *u)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	char longname[DV_SHOWN_MAX + 10];

	dv_shown_name(&sb, "plain/name.vib");
	CHECK_STR(u, sb.buf, "plain/name.vib");
	sbuf_reset(&sb);
	dv_shown_name(&sb, "a\033[31mb\nc\177");
	CHECK_STR(u, sb.buf, "a\\x1b[31mb\\x0ac\\x7f");
	/* A long name is cut so the reason after it still fits. */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	sbuf_reset(&sb);
	dv_shown_name(&sb, longname);
	CHECK(u, sb.len == DV_SHOWN_MAX + 3 &&
	    strcmp(sb.buf + DV_SHOWN_MAX, "...") == 0);
	/* Just over the cut, but the tail is no longer than "...": kept. */
	longname[DV_SHOWN_MAX + 3] = '\0';
	sbuf_reset(&sb);
	dv_shown_name(&sb, longname);
	CHECK(u, sb.len == DV_SHOWN_MAX + 3 && sb.buf[DV_SHOWN_MAX] == 'x');
	sbuf_release(&sb);
}

void
test_suffix_and_base(struct unit *u)
{
	CHECK(u, dv_has_suffix("x.ZIP", ".zip"));
	CHECK(u, dv_has_suffix(".vib", ".vib"));
	CHECK(u, !dv_has_suffix("vib", ".vib"));
	CHECK(u, !dv_has_suffix("x.zip.txt", ".zip"));
	CHECK_STR(u, dv_base_name("a/b/c.vib"), "c.vib");
	CHECK_STR(u, dv_base_name("c.vib"), "c.vib");
	CHECK_STR(u, dv_base_name("a/"), "");
}

void
test_entry_problems(struct unit *u)
{
	struct zip_entry ze = {"ok/file.vib", 1, 1, ZIP_ENTRY_FILE, false, 0,
	    -1};
	struct tar_entry te = {"ok/file.vib", TAR_ENTRY_FILE, 1, 0644, 0};

	CHECK(u, dv_zip_entry_problem(&ze) == NULL);
	ze.kind = ZIP_ENTRY_DIR;
	CHECK(u, dv_zip_entry_problem(&ze) == NULL);
	ze.kind = ZIP_ENTRY_SYMLINK;
	CHECK_STR(u, dv_zip_entry_problem(&ze), "is a symbolic link");
	ze.kind = ZIP_ENTRY_OTHER;
	CHECK_STR(u, dv_zip_entry_problem(&ze), "is a device or special file");
	/* The name is judged first, and a NUL inside it before all. */
	ze.name = "../x";
	CHECK_STR(u, dv_zip_entry_problem(&ze), "'..' in the member name");
	ze.name_has_nul = true;
	CHECK_STR(u, dv_zip_entry_problem(&ze), "NUL byte in the member name");
	CHECK(u, dv_tar_entry_problem(&te) == NULL);
	te.kind = TAR_ENTRY_HARDLINK;
	CHECK_STR(u, dv_tar_entry_problem(&te), "is a hard link");
	te.kind = TAR_ENTRY_DEVICE;
	CHECK_STR(u, dv_tar_entry_problem(&te), "is a device file");
	te.kind = TAR_ENTRY_OTHER;
	CHECK_STR(u, dv_tar_entry_problem(&te),
	    "is a fifo or other special file");
	te.name = "/etc/passwd";
	CHECK_STR(u, dv_tar_entry_problem(&te), "absolute path");
}

static const char *
name_at(void *ctx, size_t i)
{
	return ((const char *const *)ctx)[i];
}

void
test_depot_folders(struct unit *u)
{
	static const char *const names[] = {
		"help/index.xml",		/* 0: a help folder, no depot */
		"help/style.css",
		"dep/index.xml",		/* 2: a depot */
		"dep/vendor-index.xml",
		"dep/metadata/metadata.zip",
		"half/index.xml",		/* 5: no metadata zip */
		"half/vendor-index.xml",
		NULL,				/* 7: a folder */
		"index.xml",			/* 8: the root: all of it */
		"zipless/index.xml",		/* 9: zip beside, not below */
		"zipless/v.xml",
	};
	size_t n = sizeof(names) / sizeof(names[0]);
	bool *yes = dv_depot_folders(name_at, (void *)names, n);

	for (size_t i = 0; i < n; i++)
		CHECK(u, yes[i] == (i == 2 || i == 8));
	free(yes);
}
