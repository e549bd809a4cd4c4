/* fuzz_package.c - fuzz target: the vendor-package walker, extract, unpack. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../depot/depot_int.h"
#include "../../depot/outdir.h"
#include "../../depot/package.h"
#include "../../depot/unpack.h"
#include "fuzz.h"

/*
 * The input is a downloaded file: a zip, tar, tar.gz or .vib, nested as
 * deep as it likes.  package_open reads files, so the input is written
 * to a file in a private directory (on /dev/shm when there is one: the
 * output directory fsyncs every file).  Three passes, as depot info,
 * depot extract --vibs --repack and depot unpack make them: the walk
 * alone, the walk writing into an output directory, and a depot found
 * at the top unpacked.
 *
 * Properties: the tree is consistent (parents, paths, no cycles); after
 * an extract or unpack, committed or failed, the private directory holds
 * the input and at most the one output directory, no temporary
 * directory is left behind, and the output holds only regular files
 * and folders.
 */

static char base[256];	  /* BASE: the private directory */
static char deep[300];	  /* BASE/a/b: where the output goes */
static char input[320];	  /* BASE/fuzz-pkg */
static char outpath[320]; /* BASE/a/b/out */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(const char *path)
{
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
cleanup(void)
{
	if (base[0] != '\0')
		rm_tree(base);
}

static void
setup(void)
{
	const char *tmp = getenv("FUZZ_TMPDIR");

	if (base[0] != '\0')
		return;
	if (tmp == NULL)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(base, sizeof(base), "%s/esxstage-fuzz-XXXXXX", tmp);
	if (mkdtemp(base) == NULL) {
		perror(base);
		abort();
	}
	snprintf(deep, sizeof(deep), "%s/a", base);
	FUZZ_ASSERT(mkdir(deep, 0700) == 0);
	snprintf(deep, sizeof(deep), "%s/a/b", base);
	FUZZ_ASSERT(mkdir(deep, 0700) == 0);
	snprintf(input, sizeof(input), "%s/fuzz-pkg", base);
	snprintf(outpath, sizeof(outpath), "%s/out", deep);
	atexit(cleanup);
}

/* Names directly in dir, other than want1 and want2, or 0. */
static size_t
strangers(const char *dir, const char *want1, const char *want2)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	FUZZ_ASSERT((d = opendir(dir)) != NULL);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((want1 != NULL && strcmp(e->d_name, want1) == 0) ||
		    (want2 != NULL && strcmp(e->d_name, want2) == 0))
			continue;
		fprintf(stderr, "fuzz_package: unexpected %s/%s\n", dir,
		    e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static int
check_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	/* Only files and folders: no link, device or fifo was made. */
	FUZZ_ASSERT(flag == FTW_F || flag == FTW_D || flag == FTW_DP);
	FUZZ_ASSERT(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode));
	return 0;
}

/* The directory tree outside OUT is as it was; OUT holds plain files. */
static void
check_disk(void)
{
	struct stat st;

	FUZZ_ASSERT(strangers(base, "fuzz-pkg", "a") == 0);
	FUZZ_ASSERT(strangers(deep, "out", NULL) == 0);
	if (lstat(outpath, &st) == 0) {
		FUZZ_ASSERT(S_ISDIR(st.st_mode));
		FUZZ_ASSERT(nftw(outpath, check_one, 16, FTW_PHYS) == 0);
	}
	rm_tree(outpath);
}

static size_t
check_tree(const struct package_node *n, const struct package_node *parent,
    int depth)
{
	size_t count = 1;

	FUZZ_ASSERT(depth < 10000);
	FUZZ_ASSERT(n->parent == parent);
	FUZZ_ASSERT(n->name != NULL && n->path != NULL);
	(void)strlen(n->name);
	(void)strlen(n->path);
	(void)strlen(package_kind_name(n->kind));
	if (n->sha256 != NULL)
		FUZZ_ASSERT(strlen(n->sha256) == 64);
	if (n->note != NULL)
		(void)strlen(n->note);
	if (n->duplicate_of != NULL)
		(void)strlen(n->duplicate_of);
	if (n->output != NULL) {
		/* Whatever extract wrote has a safe relative name. */
		FUZZ_ASSERT(dv_member_problem(n->output) == NULL);
	}
	if (n->skipped != NULL)
		(void)strlen(n->skipped);
	if (n->kind == PACKAGE_DEPOT || n->kind == PACKAGE_EXPANDED) {
		if (n->depot.kind != NULL)
			(void)strlen(n->depot.kind);
		for (size_t i = 0; i < n->depot.nvendors; i++) {
			(void)strlen(n->depot.vendors[i].name);
			(void)strlen(n->depot.vendors[i].code);
		}
	}
	if (n->kind == PACKAGE_VIB && n->vib.id != NULL)
		(void)strlen(n->vib.id);
	for (size_t i = 0; i < n->nchildren; i++)
		count += check_tree(n->children[i], n, depth + 1);
	return count;
}

static void
walk(void)
{
	struct dv_error err = DV_ERROR_INIT;
	struct package *p = NULL;

	(void)package_is_package(input);
	if (package_open(input, NULL, &p, &err) == 0) {
		FUZZ_ASSERT(p != NULL && p->root != NULL);
		FUZZ_ASSERT(check_tree(p->root, NULL, 0) <=
		    DV_MAX_PACKAGE_ITEMS + 1);
		for (size_t i = 0; i < p->warnings.n; i++)
			(void)strlen(p->warnings.v[i].msg);
	} else {
		FUZZ_ASSERT(p == NULL && err.code != 0 && err.msg[0] != '\0');
	}
	package_free(p);
}

static void
extract(void)
{
	struct dv_error err = DV_ERROR_INIT;
	struct package_extract x;
	struct package_sink sink;
	struct package *p = NULL;
	struct outdir *od = NULL;

	if (outdir_begin(outpath, 0, &od, &err) != 0) {
		fprintf(stderr, "fuzz_package: %s\n", err.msg);
		abort();
	}
	package_extract_init(&x, od, true, true);
	package_sink_outdir(&sink, &x);
	if (package_open(input, &sink, &p, &err) == 0) {
		check_tree(p->root, NULL, 0);
		if (outdir_count(od) > 0)
			(void)outdir_commit(od, &err);
		else
			outdir_abort(od);
	} else {
		outdir_abort(od);
	}
	package_extract_release(&x);
	package_free(p);
	check_disk();
}

static void
unpack(void)
{
	struct dv_error err = DV_ERROR_INIT;
	struct unpack_report r;
	struct outdir *od = NULL;
	struct depot *d = NULL;

	if (depot_open(input, &d, &err) != 0)
		return;
	if (outdir_begin(outpath, 0, &od, &err) != 0) {
		fprintf(stderr, "fuzz_package: %s\n", err.msg);
		abort();
	}
	memset(&r, 0, sizeof(r));
	if (depot_unpack(d, od, UNPACK_VERIFY | UNPACK_METADATA | UNPACK_ALL,
	    &r, &err) == 0) {
		for (size_t i = 0; i < r.nwritten; i++)
			FUZZ_ASSERT(dv_member_problem(r.written[i].name) ==
			    NULL);
		(void)outdir_commit(od, &err);
	} else {
		outdir_abort(od);
	}
	unpack_report_release(&r);
	depot_free(d);
	check_disk();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp;

	fuzz_init();
	setup();
	FUZZ_ASSERT((fp = fopen(input, "wb")) != NULL);
	FUZZ_ASSERT(size == 0 || fwrite(data, 1, size, fp) == size);
	FUZZ_ASSERT(fclose(fp) == 0);
	walk();
	extract();
	unpack();
	return 0;
}
