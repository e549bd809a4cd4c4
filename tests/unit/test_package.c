/* test_package.c - the package walk through a recording sink; tar detection. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../depot/archive.h"
#include "../../depot/depot_int.h"
#include "../../depot/outdir.h"
#include "../../depot/package.h"
#include "../../depot/vib.h"
#include "unit.h"

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

/* ---- the walk through a recording sink ----------------------------------- */

/*
 * A sink that writes nothing: it logs each call as one line, reads what
 * it is handed (through the consumer when there is one) and counts the
 * bytes, so the walk's classification is seen apart from any OUTDIR.
 */
struct rec {
	struct sbuf log;
	size_t checks;
};

static int
rec_file(void *ctx, struct package *p, struct package_node *n,
    const struct package_file *f, struct dv_error *err)
{
	struct rec *r = ctx;
	char buf[4096];
	uint64_t got = 0;
	long k;
	int ret = 0;

	(void)p;
	if (f->consume != NULL) {
		ret = f->consume(f->consume_ctx, f->src, err);
		got = n->size;
	} else if (f->src != NULL) {
		while ((k = f->src->read(f->src->ctx, buf, sizeof(buf),
		    err)) > 0)
			got += (uint64_t)k;
		ret = k < 0 ? (int)k : 0;
	} else {
		got = f->len;
	}
	sbuf_addf(&r->log, "%s %s%s%s <- %s (%llu)\n", f->dedup ? "file" :
	    "plain", f->name, f->executable ? " +x" : "",
	    f->expect_sha256 != NULL ? " sha" : "", n->path,
	    (unsigned long long)got);
	return ret;
}

static bool
rec_has(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return false;
}

static int
rec_reserve(void *ctx, const char *name, struct sbuf *path,
    struct dv_error *err)
{
	struct rec *r = ctx;

	(void)path;
	sbuf_addf(&r->log, "reserve %s\n", name);
	return dv_error_set(err, DV_EIO, "%s: the recording sink keeps no "
	    "files", name);
}

static int
rec_done(void *ctx, const char *name, struct dv_error *err)
{
	(void)ctx;
	return dv_error_set(err, DV_EIO, "%s: not reserved", name);
}

static int
rec_check(void *ctx, struct dv_error *err)
{
	(void)err;
	((struct rec *)ctx)->checks++;
	return 0;
}

static const struct package_sink_ops rec_ops = {
	rec_file, rec_has, rec_reserve, rec_done, rec_check,
};

/*
 * The generated fixture NAME.zip: from the test run's $FIXTURES, or built
 * here from testdata/depots/NAME.spec (build/unit run from the top).
 */
static bool
fixture(struct unit *u, const char *name, char *path, size_t size)
{
	const char *dir = getenv("FIXTURES"), *py = getenv("PYTHON");
	char cmd[512];
	struct stat st;

	if (dir != NULL) {
		snprintf(path, size, "%s/%s.zip", dir, name);
		if (stat(path, &st) == 0)
			return true;
	}
	snprintf(path, size, "/tmp/esxstage-unit-%ld-%s.zip", (long)getpid(),
	    name);
	snprintf(cmd, sizeof(cmd), "%s tests/mkdepot.py testdata/depots/"
	    "%s.spec %s >/dev/null", py != NULL ? py : "python3", name, path);
	if (system(cmd) != 0 || stat(path, &st) != 0) {
		printf("  cannot build the fixture %s: %s\n", name, cmd);
		u->failed++;
		return false;
	}
	return true;
}

static void
fixture_done(const char *path)
{
	if (strncmp(path, "/tmp/esxstage-unit-", 19) == 0)
		unlink(path);
}

/* The node at path ("" is the root), or NULL. */
static const struct package_node *
node_at(const struct package_node *n, const char *path)
{
	const struct package_node *hit;

	if (strcmp(n->path, path) == 0)
		return n;
	for (size_t i = 0; i < n->nchildren; i++)
		if ((hit = node_at(n->children[i], path)) != NULL)
			return hit;
	return NULL;
}

/* Walk fixture name through a recording sink into *out; the log in r->log. */
static int
walk_recorded(struct unit *u, const char *name, bool vibs, bool repack,
    struct rec *r, struct package **out, struct dv_error *err)
{
	struct package_sink sink = {&rec_ops, r, vibs, repack, NULL};
	char path[256];
	int ret;

	*out = NULL;
	sbuf_init(&r->log, SBUF_NOCAP);
	r->checks = 0;
	if (!fixture(u, name, path, sizeof(path)))
		return -DV_EIO;
	ret = package_open(path, &sink, out, err);
	fixture_done(path);
	return ret;
}

#define INTEL "700Series_NVMUpdatePackage_v9_52"
#define INT_VIB "INT_bootbank_nvmupdaten64e_1.43.20.0-1OEM.800.1.0.20613240"

void
test_walk_intel_tool(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct package *p = NULL;
	struct rec r;
	const struct package_node *n;

	CHECK(u, walk_recorded(u, "wrapper-intel", false, false, &r, &p,
	    &err) == 0);
	if (p == NULL)
		goto out;
	/* The tool's files under a folder named after its tar; the cfg is
	 * handed over from memory, the binary executable.  Sizes are the
	 * generator's (tests/mkdepot.py --truth). */
	CHECK_STR(u, r.log.buf,
	    "plain " INTEL "_ESX/nvmupdaten64e +x <- " INTEL "_ESX.tar.gz!"
	    "700Series/ESXi_x64/nvmupdaten64e (24000)\n"
	    "plain " INTEL "_ESX/nvmupdate.cfg <- " INTEL "_ESX.tar.gz!"
	    "700Series/ESXi_x64/nvmupdate.cfg (609)\n"
	    "plain " INTEL "_ESX/X710_4P_v9_52.bin <- " INTEL "_ESX.tar.gz!"
	    "700Series/ESXi_x64/X710_4P_v9_52.bin (16384)\n"
	    "plain " INTEL "_ESX/XXV710_DA2_v9_52.bin <- " INTEL "_ESX.tar.gz!"
	    "700Series/ESXi_x64/XXV710_DA2_v9_52.bin (16384)\n"
	    "file " INT_VIB ".vib <- " INT_VIB ".vib (4484)\n");
	CHECK(u, r.checks > 0);
	n = node_at(p->root, INTEL "_ESX.tar.gz!700Series/ESXi_x64");
	CHECK(u, n != NULL && n->kind == PACKAGE_NVM_TOOL && n->installable);
	if (n != NULL && n->kind == PACKAGE_NVM_TOOL) {
		CHECK_STR(u, n->tool.version, "9.52");
		CHECK_STR(u, n->tool.target, "700Series");
		CHECK_STR(u, n->tool.config_version, "1.20.0");
		CHECK(u, n->tool.devices == 2 && n->tool.images.n == 2 &&
		    n->tool.missing.n == 0);
		CHECK_STR(u, n->output, INTEL "_ESX/");
	}
	/* The Linux build is no ESXi tool: files, not installable. */
	n = node_at(p->root, INTEL "_Linux.tar.gz!700Series/Linux_x64");
	CHECK(u, n != NULL && n->kind == PACKAGE_FOLDER && !n->installable);
	n = node_at(p->root, INTEL "_Linux.tar.gz!700Series/Linux_x64/"
	    "nvmupdate64e");
	CHECK(u, n != NULL && n->kind == PACKAGE_FILE);
	CHECK_STR(u, n != NULL ? n->skipped : NULL, "not installable");
	n = node_at(p->root, "Release_Notes.txt");
	CHECK(u, n != NULL && n->kind == PACKAGE_DOC);
	n = node_at(p->root, INT_VIB ".vib");
	CHECK(u, n != NULL && n->kind == PACKAGE_VIB && n->installable &&
	    n->sha256 != NULL && n->duplicate_of == NULL);
out:
	package_free(p);
	sbuf_release(&r.log);
}

#define MFT "Mellanox-MFT-Tools_4.18.1.14-1OEM.700.1.0.15843807_19206112"

void
test_walk_expanded_depot(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct package *p = NULL;
	struct rec r;
	const struct package_node *n;

	CHECK(u, walk_recorded(u, "wrapper-expanded", true, false, &r, &p,
	    &err) == 0);
	if (p == NULL)
		goto out;
	/* Without repack the folder is not written; with vibs each VIB is
	 * streamed from the folder, checked against the metadata. */
	CHECK_STR(u, r.log.buf,
	    "file MEL_bootbank_mft_4.18.1.14-0.vib sha <- " MFT
	    "/vib20/mft/MEL_bootbank_mft_4.18.1.14-0.vib (4468)\n"
	    "file MEL_bootbank_mft-oem_4.18.1.14-0.vib sha <- " MFT
	    "/vib20/mft-oem/MEL_bootbank_mft-oem_4.18.1.14-0.vib (4484)\n");
	n = node_at(p->root, MFT);
	CHECK(u, n != NULL && n->kind == PACKAGE_EXPANDED && n->installable);
	if (n != NULL && n->kind == PACKAGE_EXPANDED) {
		CHECK_STR(u, n->depot.kind, "component depot");
		CHECK(u, n->depot.nvibs == 2 && n->nchildren >= 2);
		CHECK_STR(u, n->skipped, "an expanded depot folder; --repack "
		    "writes it as a depot zip");
	}
	n = node_at(p->root, "doc/README.txt");
	CHECK(u, n != NULL && n->kind == PACKAGE_DOC);
out:
	package_free(p);
	sbuf_release(&r.log);
	/* With repack the sink is asked for a path to write a zip at; its
	 * refusal is the walk's error, and no tree is left. */
	CHECK(u, walk_recorded(u, "wrapper-expanded", false, true, &r, &p,
	    &err) == -DV_EIO && p == NULL);
	CHECK_STR(u, r.log.buf, "reserve " MFT ".zip\n");
	CHECK_STR(u, err.msg, MFT ".zip: the recording sink keeps no files");
	sbuf_release(&r.log);
}

void
test_walk_nested_duplicate(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct package *p = NULL;
	struct rec r;
	const struct package_node *n;

	CHECK(u, walk_recorded(u, "wrapper-twice", false, false, &r, &p,
	    &err) == 0);
	if (p == NULL)
		goto out;
	/* The copy is never handed to the sink: the walk knows it by its
	 * SHA-256 and says which item it repeats. */
	CHECK_STR(u, r.log.buf,
	    "file " MFT ".zip <- " MFT ".zip (12114)\n"
	    "file MEL_bootbank_mft_4.18.1.14-0.vib <- "
	    "MEL_bootbank_mft_4.18.1.14-0.vib (4468)\n");
	n = node_at(p->root, "copy/" MFT ".zip");
	CHECK(u, n != NULL && n->kind == PACKAGE_DEPOT);
	CHECK(u, n != NULL && n->duplicate_of != NULL &&
	    strstr(n->duplicate_of, "!" MFT ".zip") != NULL);
	CHECK(u, n != NULL && n->skipped != NULL &&
	    strncmp(n->skipped, "same content as ", 16) == 0);
	n = node_at(p->root, MFT ".zip");
	CHECK(u, n != NULL && n->kind == PACKAGE_DEPOT &&
	    n->duplicate_of == NULL);
	/* Its VIBs stay inside it without vibs. */
	CHECK(u, n != NULL && n->nchildren == 2 && n->children[0]->skipped !=
	    NULL && strcmp(n->children[0]->skipped, "inside its depot; "
	    "--vibs writes it alone") == 0);
out:
	package_free(p);
	sbuf_release(&r.log);
}
