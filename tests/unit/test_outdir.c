/* test_outdir.c - outdir.c: what begin refuses and recovers, commits over an OUTDIR. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../depot/outdir.h"
#include "unit.h"

static bool
err_is(const struct dv_error *err, int code, const char *want)
{
	return err->code == code && strstr(err->msg, want) != NULL;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* A fresh folder of the scratch folder for one test; NULL (a failed
 * check) when it cannot be made. */
static const char *
fresh(struct unit *u, const char *name)
{
	static char path[512];
	char cmd[1100];

	snprintf(path, sizeof(path), "%s/%s", unit_scratch(), name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", path, path);
	CHECK(u, system(cmd) == 0);
	return exists(path) ? path : NULL;
}

static void
put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* Whether path holds exactly text. */
static bool
holds(const char *path, const char *text)
{
	char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/* One file written through od; 0 or the first error. */
static int
write_file(struct outdir *od, const char *rel, const char *text,
    struct dv_error *err)
{
	int fd, ret;

	if ((ret = outdir_open_file(od, rel, false, &fd, err)) != 0)
		return ret;
	if ((ret = outdir_write(od, fd, text, strlen(text), err)) != 0) {
		(void)outdir_close_file(od, fd, err);
		return ret;
	}
	return outdir_close_file(od, fd, err);
}

/* What outdir_begin refuses: the root, a file, a missing parent, ".."
 * of a missing folder. */
void
test_outdir_begin_refusals(struct unit *u)
{
	const char *top = fresh(u, "begin");
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	char path[600];

	if (top == NULL)
		return;
	CHECK(u, outdir_begin("/", 0, &od, &err) == -DV_EPATH);
	CHECK(u, od == NULL && err_is(&err, DV_EPATH, "/: not a folder to "
	    "write into"));
	snprintf(path, sizeof(path), "%s/file", top);
	put(path, "x");
	CHECK(u, outdir_begin(path, 0, &od, &err) == -DV_EEXIST);
	CHECK(u, err_is(&err, DV_EEXIST, "file: exists and is not a folder"));
	snprintf(path, sizeof(path), "%s/no/out", top);
	CHECK(u, outdir_begin(path, 0, &od, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "cannot open its parent folder"));
	snprintf(path, sizeof(path), "%s/no/..", top);
	CHECK(u, outdir_begin(path, 0, &od, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "no/.."));
}

/* What killed runs left: an unlocked stage beside OUTDIR and one inside
 * it are removed; an old tree with no OUTDIR is put back, and removed
 * when OUTDIR is there. */
void
test_outdir_begin_recovers(struct unit *u)
{
	const char *top = fresh(u, "recover");
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	char out[600], p[700];

	if (top == NULL)
		return;
	snprintf(out, sizeof(out), "%s/out", top);
	snprintf(p, sizeof(p), "%s/.out.depot-old-Ab12Cd", top);
	CHECK(u, mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/.out.depot-old-Ab12Cd/kept", top);
	put(p, "old");
	snprintf(p, sizeof(p), "%s/.out.depot-Zz99Yy", top);
	CHECK(u, mkdir(p, 0755) == 0);
	CHECK(u, outdir_begin(out, 0, &od, &err) == 0);
	outdir_abort(od);
	snprintf(p, sizeof(p), "%s/kept", out);
	CHECK(u, holds(p, "old"));
	snprintf(p, sizeof(p), "%s/.out.depot-old-Ab12Cd", top);
	CHECK(u, !exists(p));
	snprintf(p, sizeof(p), "%s/.out.depot-Zz99Yy", top);
	CHECK(u, !exists(p));

	/* OUTDIR there: the old tree is a leftover; so is a stage in it. */
	snprintf(p, sizeof(p), "%s/.out.depot-old-Qq11Ww", top);
	CHECK(u, mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/.depot-tmp-Ee22Rr", out);
	CHECK(u, mkdir(p, 0755) == 0);
	od = NULL;
	CHECK(u, outdir_begin(out, 0, &od, &err) == 0);
	outdir_abort(od);
	snprintf(p, sizeof(p), "%s/.out.depot-old-Qq11Ww", top);
	CHECK(u, !exists(p));
	snprintf(p, sizeof(p), "%s/.depot-tmp-Ee22Rr", out);
	CHECK(u, !exists(p));
	snprintf(p, sizeof(p), "%s/kept", out);
	CHECK(u, holds(p, "old"));
}

/* An existing OUTDIR: its files and folders are carried over, a name it
 * has is refused without force and replaced with it, and with
 * OUTDIR_REPLACE nothing old is kept. */
void
test_outdir_commit_existing(struct unit *u)
{
	const char *top = fresh(u, "existing");
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	char out[600], p[700];

	if (top == NULL)
		return;
	snprintf(out, sizeof(out), "%s/out", top);
	CHECK(u, mkdir(out, 0755) == 0);
	snprintf(p, sizeof(p), "%s/a.txt", out);
	put(p, "old a");
	snprintf(p, sizeof(p), "%s/sub", out);
	CHECK(u, mkdir(p, 0750) == 0);
	snprintf(p, sizeof(p), "%s/sub/b.txt", out);
	put(p, "old b");
	snprintf(p, sizeof(p), "%s/link", out);
	CHECK(u, symlink("a.txt", p) == 0);

	CHECK(u, outdir_begin(out, 0, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, write_file(od, "a.txt", "new", &err) == -DV_EEXIST);
	CHECK(u, write_file(od, "sub/c.txt", "new c", &err) == 0);
	CHECK(u, outdir_has(od, "sub/c.txt") && !outdir_has(od, "a.txt"));
	CHECK(u, outdir_commit(od, &err) == 0);
	snprintf(p, sizeof(p), "%s/sub/c.txt", out);
	CHECK(u, holds(p, "new c"));
	snprintf(p, sizeof(p), "%s/sub/b.txt", out);
	CHECK(u, holds(p, "old b"));
	snprintf(p, sizeof(p), "%s/link", out);
	CHECK(u, holds(p, "old a"));

	od = NULL;
	CHECK(u, outdir_begin(out, OUTDIR_FORCE, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, write_file(od, "a.txt", "forced", &err) == 0);
	CHECK(u, outdir_commit(od, &err) == 0);
	snprintf(p, sizeof(p), "%s/a.txt", out);
	CHECK(u, holds(p, "forced"));
	snprintf(p, sizeof(p), "%s/sub/b.txt", out);
	CHECK(u, holds(p, "old b"));

	od = NULL;
	CHECK(u, outdir_begin(out, OUTDIR_REPLACE, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, write_file(od, "only.txt", "only", &err) == 0);
	CHECK(u, outdir_commit(od, &err) == 0);
	snprintf(p, sizeof(p), "%s/only.txt", out);
	CHECK(u, holds(p, "only"));
	snprintf(p, sizeof(p), "%s/sub", out);
	CHECK(u, !exists(p));
}

/* OUTDIR_SAME_OK: the same bytes are counted unchanged, other bytes are
 * refused; a file taken back is not committed; a reserved name is
 * written by the caller and committed. */
void
test_outdir_same_remove_reserve(struct unit *u)
{
	const char *top = fresh(u, "same");
	struct dv_error err = DV_ERROR_INIT;
	struct ptrvec names = PTRVEC_INIT;
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct outdir *od = NULL;
	char out[600], p[700];

	if (top == NULL)
		return;
	snprintf(out, sizeof(out), "%s/out", top);
	CHECK(u, mkdir(out, 0755) == 0);
	snprintf(p, sizeof(p), "%s/same.txt", out);
	put(p, "same");
	snprintf(p, sizeof(p), "%s/other.txt", out);
	put(p, "other");

	CHECK(u, outdir_begin(out, OUTDIR_SAME_OK, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, write_file(od, "other.txt", "changed", &err) == -DV_EEXIST);
	CHECK(u, err_is(&err, DV_EEXIST, "other.txt"));
	outdir_abort(od);
	snprintf(p, sizeof(p), "%s/other.txt", out);
	CHECK(u, holds(p, "other"));

	od = NULL;
	CHECK(u, outdir_begin(out, OUTDIR_SAME_OK, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, write_file(od, "same.txt", "same", &err) == 0);
	outdir_unchanged(od, &names);
	CHECK(u, names.n == 1 && strcmp(names.v[0], "same.txt") == 0);
	CHECK(u, write_file(od, "gone.txt", "gone", &err) == 0);
	CHECK(u, outdir_remove(od, "gone.txt", &err) == 0);
	CHECK(u, !outdir_has(od, "gone.txt"));
	CHECK(u, outdir_reserve(od, "lib/made.txt", &path, &err) == 0);
	put(path.buf, "made");
	CHECK(u, outdir_sync_file(od, "lib/made.txt", &err) == 0);
	CHECK(u, outdir_reserve(od, "../x", &path, &err) == -DV_EPATH);
	CHECK(u, outdir_commit(od, &err) == 0);
	snprintf(p, sizeof(p), "%s/lib/made.txt", out);
	CHECK(u, holds(p, "made"));
	snprintf(p, sizeof(p), "%s/gone.txt", out);
	CHECK(u, !exists(p));
	snprintf(p, sizeof(p), "%s/other.txt", out);
	CHECK(u, holds(p, "other"));
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	ptrvec_release(&names);
	sbuf_release(&path);
}

/* OUTDIR given as a link to a folder: the folder is filled and the link
 * stays a link. */
void
test_outdir_through_link(struct unit *u)
{
	const char *top = fresh(u, "link");
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	struct stat st;
	char real[600], link[600], p[700];

	if (top == NULL)
		return;
	snprintf(real, sizeof(real), "%s/real", top);
	snprintf(link, sizeof(link), "%s/link", top);
	CHECK(u, mkdir(real, 0755) == 0 && symlink("real", link) == 0);
	CHECK(u, outdir_begin(link, 0, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, strcmp(outdir_path(od), link) == 0);
	CHECK(u, write_file(od, "f", "through", &err) == 0);
	CHECK(u, outdir_commit(od, &err) == 0);
	snprintf(p, sizeof(p), "%s/f", real);
	CHECK(u, holds(p, "through"));
	CHECK(u, lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
}

/* Names that clash with what an existing OUTDIR holds, or with each
 * other: each refused with its reason; a name that appears in OUTDIR
 * while the run writes it fails the commit, and OUTDIR keeps it. */
void
test_outdir_name_clashes(struct unit *u)
{
	const char *top = fresh(u, "clash");
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	char out[600], p[700];

	if (top == NULL)
		return;
	snprintf(out, sizeof(out), "%s/out", top);
	CHECK(u, mkdir(out, 0755) == 0);
	snprintf(p, sizeof(p), "%s/dir", out);
	CHECK(u, mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/lnk", out);
	CHECK(u, symlink("dir", p) == 0);
	snprintf(p, sizeof(p), "%s/file", out);
	put(p, "file");

	CHECK(u, outdir_begin(out, OUTDIR_FORCE, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, write_file(od, "lnk/x", "x", &err) == -DV_EPATH);
	CHECK(u, err_is(&err, DV_EPATH, "out/lnk: is a symbolic link; not "
	    "followed"));
	CHECK(u, write_file(od, "file/x", "x", &err) == -DV_EEXIST);
	CHECK(u, err_is(&err, DV_EEXIST, "out/file: exists and is not a "
	    "folder"));
	CHECK(u, write_file(od, "dir", "x", &err) == -DV_EEXIST);
	CHECK(u, err_is(&err, DV_EEXIST, "out/dir: exists and is a folder; "
	    "not replaced"));
	CHECK(u, write_file(od, "a", "a", &err) == 0);
	CHECK(u, write_file(od, "a/b", "b", &err) == -DV_EEXIST);
	CHECK(u, err_is(&err, DV_EEXIST, "out/a: cannot be a folder: a file "
	    "of that name is written too"));
	CHECK(u, outdir_check(od, &err) == 0);
	outdir_abort(od);

	od = NULL;
	CHECK(u, outdir_begin(out, 0, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, write_file(od, "late.txt", "ours", &err) == 0);
	snprintf(p, sizeof(p), "%s/late.txt", out);
	put(p, "theirs");
	CHECK(u, outdir_commit(od, &err) == -DV_EEXIST);
	CHECK(u, err_is(&err, DV_EEXIST, "out/late.txt: already exists (it "
	    "appeared while writing)"));
	CHECK(u, holds(p, "theirs"));
}
