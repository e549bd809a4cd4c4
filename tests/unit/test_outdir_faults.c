/* test_outdir_faults.c - outdir.c when the system fails it: renameat2, mkdtemp, sync. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../depot/outdir.h"
#include "fault.h"
#include "unit.h"

struct place {
	char top[512]; /* the parent folder, empty but for OUTDIR */
	char out[600]; /* OUTDIR */
};

/* A fresh top folder; OUTDIR made with a file "old" when existing. */
static bool
place_make(struct unit *u, struct place *p, const char *name, bool existing)
{
	char cmd[600], old[700];
	FILE *fp;

	snprintf(p->top, sizeof(p->top), "%s/%s", unit_scratch(), name);
	snprintf(p->out, sizeof(p->out), "%s/out", p->top);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->top);
	CHECK(u, system(cmd) == 0 && mkdir(p->top, 0755) == 0);
	if (existing) {
		snprintf(old, sizeof(old), "%s/old", p->out);
		CHECK(u, mkdir(p->out, 0755) == 0 &&
		    (fp = fopen(old, "w")) != NULL && fputs("old\n", fp) >= 0 &&
		    fclose(fp) == 0);
	}
	return access(p->top, F_OK) == 0;
}

/* The names in dir, sorted, one space apart ("" when empty, "-" when
 * it cannot be read). */
static const char *
names(const char *dir)
{
	static char buf[1024];
	struct dirent **v;
	int n;

	buf[0] = '\0';
	if ((n = scandir(dir, &v, NULL, alphasort)) < 0)
		return "-";
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") != 0 &&
		    strcmp(v[i]->d_name, "..") != 0) {
			size_t len = strlen(buf);
			snprintf(buf + len, sizeof(buf) - len, "%s%s",
			    len > 0 ? " " : "", v[i]->d_name);
		}
		free(v[i]);
	}
	free(v);
	return buf;
}

static bool
err_is(const struct dv_error *err, int code, const char *want)
{
	if (err->code == code && strstr(err->msg, want) != NULL)
		return true;
	printf("  error %d '%s', want %d '...%s...'\n", err->code, err->msg,
	    code, want);
	return false;
}

/* Begin od on p->out and write the file "new"; 0 or the first error. */
static int
begin_and_write(struct place *p, unsigned flags, struct outdir **od,
    struct dv_error *err)
{
	int fd, ret;

	if ((ret = outdir_begin(p->out, flags, od, err)) != 0)
		return ret;
	if ((ret = outdir_open_file(*od, "new", false, &fd, err)) != 0)
		return ret;
	if ((ret = outdir_write(*od, fd, "new\n", 4, err)) != 0) {
		(void)outdir_close_file(*od, fd, err);
		return ret;
	}
	return outdir_close_file(*od, fd, err);
}

/* One run into p->out with the faults armed after begin (arm called
 * then); the commit's result. */
static int
run_with(struct place *p, unsigned flags, void (*arm)(void),
    struct dv_error *err)
{
	struct outdir *od = NULL;
	int ret;

	if ((ret = begin_and_write(p, flags, &od, err)) != 0) {
		outdir_abort(od);
		return ret;
	}
	arm();
	ret = outdir_commit(od, err);
	fault_clear();
	return ret;
}

static void
no_renameat2(void)
{
	fault_arm(FAULT_RENAMEAT2, 0, -1, EINVAL);
}

static void
no_renameat2_enosys(void)
{
	fault_arm(FAULT_RENAMEAT2, 0, -1, ENOSYS);
}

/*
 * A file system without renameat2 (EINVAL, or ENOSYS from an old
 * kernel): a new OUTDIR is checked then renamed, an existing one is moved
 * aside and replaced by two renames; either way the result is whole and
 * nothing else is left beside it.
 */
void
test_outdir_without_renameat2(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct place p;
	char path[700];

	if (!place_make(u, &p, "norename-new", false))
		return;
	CHECK(u, run_with(&p, 0, no_renameat2, &err) == 0);
	CHECK(u, fault_hits(FAULT_RENAMEAT2) > 0);
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "new");

	if (!place_make(u, &p, "norename-old", true))
		return;
	CHECK(u, run_with(&p, 0, no_renameat2_enosys, &err) == 0);
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "new old");

	/* With --force-like replacing: the same two renames. */
	if (!place_make(u, &p, "norename-replace", true))
		return;
	CHECK(u, run_with(&p, OUTDIR_REPLACE, no_renameat2, &err) == 0);
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "new");

	/* OUTDIR appears while the run writes: without RENAME_NOREPLACE
	 * the check before the rename still refuses, and touches nothing. */
	if (!place_make(u, &p, "norename-appears", false))
		return;
	{
		struct outdir *od = NULL;

		CHECK(u, begin_and_write(&p, 0, &od, &err) == 0);
		CHECK(u, mkdir(p.out, 0755) == 0);
		snprintf(path, sizeof(path), "%s/theirs", p.out);
		CHECK(u, mkdir(path, 0755) == 0);
		no_renameat2();
		CHECK(u, outdir_commit(od, &err) == -DV_EEXIST);
		fault_clear();
		CHECK(u, err_is(&err, DV_EEXIST, "out: appeared while writing; "
		    "nothing was written"));
		CHECK_STR(u, names(p.top), "out");
		CHECK_STR(u, names(p.out), "theirs");
	}
}

static void
sync_fails(void)
{
	fault_arm(FAULT_SYNCFS, 0, 1, EIO);
}

static void
second_sync_fails(void)
{
	fault_arm(FAULT_SYNCFS, 1, 1, EIO);
}

static void
dir_sync_fails(void)
{
	fault_arm(FAULT_FSYNC, 0, -1, EIO);
}

/*
 * A disk that cannot sync: before anything is renamed the run fails and
 * leaves OUTDIR as it was (absent, or its old files alone); when only the
 * parent folder's sync after the rename fails, the error is said and
 * OUTDIR is whole.
 */
void
test_outdir_sync_failures(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct place p;

	if (!place_make(u, &p, "sync-new", false))
		return;
	CHECK(u, run_with(&p, 0, sync_fails, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "cannot sync: Input/output error"));
	CHECK_STR(u, names(p.top), "");

	/* The stage's own sync, before the swap, of an existing OUTDIR. */
	if (!place_make(u, &p, "sync-swap", true))
		return;
	CHECK(u, run_with(&p, 0, second_sync_fails, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "out: cannot sync: Input/output "
	    "error"));
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "old");

	/* The rename is done, its folder's sync fails: said, OUTDIR whole. */
	if (!place_make(u, &p, "sync-dir", false))
		return;
	CHECK(u, run_with(&p, 0, dir_sync_fails, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "out: cannot sync: Input/output "
	    "error"));
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "new");
}

static void
old_aside_fails(void)
{
	/* The swap's fallback: no exchange, then no folder for the old
	 * tree. */
	fault_arm(FAULT_RENAMEAT2, 0, -1, EOPNOTSUPP);
	fault_arm(FAULT_MKDTEMP, 0, 1, ENOSPC);
}

static void
second_rename_fails(void)
{
	/* The old tree moved aside, then the stage cannot take its place:
	 * the old tree is put back. */
	fault_arm(FAULT_RENAMEAT2, 0, -1, EINVAL);
	fault_arm(FAULT_RENAMEAT, 1, 1, EIO);
}

static void
exchange_fails(void)
{
	fault_arm(FAULT_RENAMEAT2, 0, 1, EIO);
}

/*
 * The temporary folders cannot be made (a full disk): begin fails and
 * leaves nothing; a parent that may not be written (EACCES) stages inside
 * the existing OUTDIR instead; the swap's failures leave the old OUTDIR
 * whole and nothing beside it.
 */
void
test_outdir_stage_failures(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	struct place p;

	if (!place_make(u, &p, "mkdtemp-new", false))
		return;
	fault_arm(FAULT_MKDTEMP, 0, -1, ENOSPC);
	CHECK(u, outdir_begin(p.out, 0, &od, &err) == -DV_EIO);
	fault_clear();
	CHECK(u, od == NULL);
	CHECK(u, err_is(&err, DV_EIO, "out: cannot make a temporary folder "
	    "in '"));
	CHECK(u, strstr(err.msg, "No space left on device") != NULL);
	CHECK_STR(u, names(p.top), "");

	/* EACCES beside OUTDIR: staged inside it, names moved one by one. */
	if (!place_make(u, &p, "mkdtemp-inside", true))
		return;
	fault_arm(FAULT_MKDTEMP, 0, 1, EACCES);
	CHECK(u, begin_and_write(&p, 0, &od, &err) == 0);
	fault_clear();
	CHECK(u, outdir_commit(od, &err) == 0);
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "new old");
	/* ... which cannot replace OUTDIR as a whole: refused at begin. */
	fault_arm(FAULT_MKDTEMP, 0, 1, EACCES);
	CHECK(u, outdir_begin(p.out, OUTDIR_REPLACE, &od, &err) == -DV_EIO);
	fault_clear();
	CHECK(u, od == NULL && err_is(&err, DV_EIO, "out: cannot be replaced "
	    "as a whole"));
	CHECK_STR(u, names(p.out), "new old");
	/* Inside too the disk is full: said, nothing left. */
	fault_arm(FAULT_MKDTEMP, 0, -1, EACCES);
	CHECK(u, outdir_begin(p.out, 0, &od, &err) == -DV_EIO);
	fault_clear();
	CHECK(u, od == NULL && err_is(&err, DV_EIO, "cannot make a temporary "
	    "folder in '"));
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "new old");

	if (!place_make(u, &p, "swap-aside", true))
		return;
	CHECK(u, run_with(&p, 0, old_aside_fails, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "out: cannot move the old folder aside: "
	    "No space left on device"));
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "old");

	if (!place_make(u, &p, "swap-rename", true))
		return;
	CHECK(u, run_with(&p, 0, second_rename_fails, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "' to it: Input/output error"));
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "old");

	if (!place_make(u, &p, "swap-exchange", true))
		return;
	CHECK(u, run_with(&p, 0, exchange_fails, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "' into its place: Input/output error"));
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "old");
}

/*
 * An OUTDIR that is a mount point (/dev/shm, a tmpfs apart from /dev)
 * cannot be renamed: staged inside it, its names moved in one by one,
 * and OUTDIR_REPLACE refused.  Skipped where /dev/shm is no mount point.
 */
void
test_outdir_mount_point(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	struct stat shm, dev;
	char rel[64], path[128];
	int fd;

	if (stat("/dev/shm", &shm) != 0 || stat("/dev", &dev) != 0 ||
	    shm.st_dev == dev.st_dev || access("/dev/shm", W_OK) != 0) {
		printf("  (skipped: /dev/shm is not a mount point we may "
		    "write)\n");
		return;
	}
	CHECK(u, outdir_begin("/dev/shm", OUTDIR_REPLACE, &od, &err) ==
	    -DV_EIO);
	CHECK(u, od == NULL && err_is(&err, DV_EIO, "/dev/shm: cannot be "
	    "replaced as a whole: it is a mount point"));
	snprintf(rel, sizeof(rel), "esxstage-unit-%ld", (long)getpid());
	snprintf(path, sizeof(path), "/dev/shm/%s", rel);
	CHECK(u, outdir_begin("/dev/shm", 0, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, outdir_open_file(od, rel, false, &fd, &err) == 0 &&
	    outdir_write(od, fd, "x\n", 2, &err) == 0 &&
	    outdir_close_file(od, fd, &err) == 0);
	CHECK(u, access(path, F_OK) != 0);
	CHECK(u, outdir_commit(od, &err) == 0);
	CHECK(u, access(path, F_OK) == 0);
	CHECK(u, strstr(names("/dev/shm"), ".depot-tmp-") == NULL);
	(void)unlink(path);
}

/* copy_file_range failing for another reason than "cannot here": said,
 * and the run leaves nothing. */
void
test_outdir_copy_fails(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	struct place p;
	char src[700], buf[16];
	size_t n = 1;
	FILE *fp;
	int fd, in;

	if (!place_make(u, &p, "copy-fails", false))
		return;
	snprintf(src, sizeof(src), "%s/src", p.top);
	CHECK(u, (fp = fopen(src, "w")) != NULL && fputs("bytes\n", fp) >= 0 &&
	    fclose(fp) == 0);
	if ((in = open(src, O_RDONLY)) < 0) {
		CHECK(u, !"open src");
		return;
	}
	CHECK(u, outdir_begin(p.out, 0, &od, &err) == 0);
	if (od == NULL) {
		close(in);
		return;
	}
	CHECK(u, outdir_open_file(od, "copy", false, &fd, &err) == 0);
	fault_arm(FAULT_COPY_FILE_RANGE, 0, 1, EIO);
	CHECK(u, outdir_copy(od, fd, in, buf, sizeof(buf), &n, &err) ==
	    -DV_EIO);
	fault_clear();
	CHECK(u, n == 0 && err_is(&err, DV_EIO, "out/copy: cannot copy into "
	    "it: Input/output error"));
	outdir_abort(od);
	close(in);
	CHECK_STR(u, names(p.top), "src");
}

static void
no_hard_links(void)
{
	/* Another user's file under protected_hardlinks: EPERM. */
	fault_arm(FAULT_LINKAT, 0, -1, EPERM);
}

/*
 * What an existing OUTDIR holds is carried into the new tree by copy
 * where it cannot be linked; an OUTDIR removed while the run writes is
 * made anew; a file still open at commit is refused, nothing written.
 */
void
test_outdir_commit_corners(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct outdir *od = NULL;
	struct place p;
	char cmd[700], old[700];
	int fd;

	if (!place_make(u, &p, "corner-copy", true))
		return;
	CHECK(u, run_with(&p, 0, no_hard_links, &err) == 0);
	CHECK(u, fault_hits(FAULT_LINKAT) > 0);
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "new old");
	snprintf(old, sizeof(old), "%s/old", p.out);
	{
		FILE *fp = fopen(old, "r");
		char buf[8] = "";

		CHECK(u, fp != NULL && fgets(buf, sizeof(buf), fp) != NULL &&
		    strcmp(buf, "old\n") == 0);
		if (fp != NULL)
			fclose(fp);
	}

	if (!place_make(u, &p, "corner-gone", true))
		return;
	CHECK(u, begin_and_write(&p, 0, &od, &err) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p.out);
	CHECK(u, system(cmd) == 0);
	CHECK(u, outdir_commit(od, &err) == 0);
	CHECK_STR(u, names(p.top), "out");
	CHECK_STR(u, names(p.out), "new");

	if (!place_make(u, &p, "corner-open", false))
		return;
	CHECK(u, outdir_begin(p.out, 0, &od, &err) == 0);
	if (od == NULL)
		return;
	CHECK(u, outdir_open_file(od, "open", false, &fd, &err) == 0);
	CHECK(u, outdir_commit(od, &err) == -DV_EIO);
	CHECK(u, err_is(&err, DV_EIO, "out/open: still open at commit"));
	CHECK_STR(u, names(p.top), "");
}
