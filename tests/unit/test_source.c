/* test_source.c - source.c: folders, file:// URLs, reads and their refusals. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../depot/depot_int.h"
#include "../../depot/http.h"
#include "../../depot/source.h"
#include "fault.h"
#include "unit.h"

/* A folder holding an index file and a few members that go wrong. */
static const char *
depot_folder(const char *name, const char *index)
{
	const char *dir = unit_dir(name);
	char path[700], target[700];

	if (!unit_write(dir, index, "<vendorList/>\n") ||
	    !unit_write(dir, "ten.txt", "0123456789") ||
	    !unit_write(dir, "empty.txt", ""))
		return NULL;
	snprintf(path, sizeof(path), "%s/folder.vib", dir);
	if (mkdir(path, 0755) != 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/link.vib", dir);
	snprintf(target, sizeof(target), "%s/ten.txt", dir);
	if (symlink(target, path) != 0)
		return NULL;
	return dir;
}

/* source_open's code; the source is kept in *s when it opened. */
static int
open_where(const char *where, struct depot_source **s, struct dv_error *err)
{
	*s = (struct depot_source *)1;
	return source_open(where, NULL, s, err);
}

void
test_source_folder_forms(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s;
	char where[800];
	const char *dir = depot_folder("src-forms", "index.xml");
	const char *vmw = depot_folder("src-vmw", "vmw-depot-index.xml");
	const char *bare = unit_dir("src-bare");
	struct sbuf url = SBUF_INIT(SBUF_NOCAP);

	CHECK(u, dir != NULL && vmw != NULL);
	/* A folder given with trailing slashes is the folder. */
	snprintf(where, sizeof(where), "%s///", dir);
	CHECK(u, open_where(where, &s, &err) == 0);
	CHECK(u, source_kind(s) == SOURCE_DIR && source_zip(s) == NULL &&
	    source_net(s) == NULL);
	CHECK_STR(u, source_dir(s), dir);
	CHECK_STR(u, source_root(s), "index.xml");
	CHECK_STR(u, source_label(s), where);
	source_member_url(s, "vib20/a b.vib", &url);
	snprintf(where, sizeof(where), "file://%s/vib20/a%%20b.vib", dir);
	CHECK_STR(u, url.buf, where);
	source_close(s);

	/* Without index.xml, the older vmw-depot-index.xml is the root. */
	CHECK(u, open_where(vmw, &s, &err) == 0);
	CHECK_STR(u, source_root(s), "vmw-depot-index.xml");
	source_close(s);

	/* An index file names its folder and itself as the root. */
	snprintf(where, sizeof(where), "%s/vmw-depot-index.xml", vmw);
	CHECK(u, open_where(where, &s, &err) == 0);
	CHECK_STR(u, source_dir(s), vmw);
	CHECK_STR(u, source_root(s), "vmw-depot-index.xml");
	source_close(s);

	CHECK(u, unit_err(u, open_where(bare, &s, &err), &err, DV_ENOTDEPOT,
	    "src-bare: no index.xml or vmw-depot-index.xml in this folder: "
	    "not an unpacked depot") && s == NULL);
	sbuf_release(&url);
}

void
test_source_relative_folder(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s = NULL;
	struct sbuf url = SBUF_INIT(SBUF_NOCAP);
	char *cwd = getcwd(NULL, 0), want[1200];
	const char *dir = depot_folder("src-rel", "index.xml");

	/* From inside the scratch folder: "src-rel/index.xml" and a bare
	 * "index.xml" in the folder itself. */
	CHECK(u, dir != NULL && cwd != NULL && chdir(unit_scratch()) == 0);
	CHECK(u, open_where("src-rel/index.xml", &s, &err) == 0);
	CHECK_STR(u, source_dir(s), "src-rel");
	source_member_url(s, "x.vib", &url);
	snprintf(want, sizeof(want), "file://%s/x.vib", dir);
	CHECK_STR(u, url.buf, want);
	source_close(s);
	CHECK(u, chdir("src-rel") == 0);
	CHECK(u, open_where("index.xml", &s, &err) == 0);
	CHECK_STR(u, source_dir(s), ".");
	CHECK_STR(u, source_root(s), "index.xml");
	source_close(s);
	CHECK(u, cwd != NULL && chdir(cwd) == 0);
	free(cwd);
	sbuf_release(&url);
}

void
test_source_file_urls(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s;
	char where[900];
	const char *dir = depot_folder("src url dir", "index.xml");

	CHECK(u, dir != NULL);
	/* The path is percent-decoded; localhost is this machine. */
	snprintf(where, sizeof(where), "file://localhost%s", dir);
	for (char *p = strchr(where, ' '); p != NULL; p = strchr(p, ' ')) {
		memmove(p + 3, p + 1, strlen(p + 1) + 1);
		memcpy(p, "%20", 3);
	}
	CHECK(u, open_where(where, &s, &err) == 0);
	CHECK_STR(u, source_dir(s), dir);
	CHECK_STR(u, source_label(s), where);
	source_close(s);

	CHECK(u, unit_err(u, open_where("file://server/depot/index.xml", &s,
	    &err), &err, DV_EFORMAT, "file://server/depot/index.xml: a "
	    "file:// URL must name a local absolute path") && s == NULL);
	CHECK(u, unit_err(u, open_where("file:///depot%zz/index.xml", &s,
	    &err), &err, DV_EFORMAT, "file:///depot%zz/index.xml: bad "
	    "percent-escape") && s == NULL);
	/* %00 would cut the path short where the kernel reads it. */
	CHECK(u, unit_err(u, open_where("file:///depot%00/index.xml", &s,
	    &err), &err, DV_EFORMAT, "bad percent-escape") && s == NULL);
	CHECK(u, unit_err(u, open_where("file:///depot%g1", &s, &err), &err,
	    DV_EFORMAT, "bad percent-escape") && s == NULL);
}

void
test_source_zip_named_folder(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s;
	const char *top = unit_dir("src-zipdir"), *zip = unit_dir("src-zipdir/"
	    "depot.zip");
	char where[700];

	/* A folder named *.zip is a zip that went wrong, even with an
	 * index.xml in it: the zip reader says what it is. */
	CHECK(u, top != NULL && unit_write(zip, "index.xml", "<x/>"));
	snprintf(where, sizeof(where), "%s", zip);
	CHECK(u, open_where(where, &s, &err) < 0 && s == NULL &&
	    strstr(err.msg, "depot.zip") != NULL);
	CHECK(u, err.code != DV_ENOTDEPOT);
}

void
test_source_folder_reads(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s = NULL;
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	const char *dir = depot_folder("src-reads", "index.xml");
	uint64_t size = 0;

	CHECK(u, dir != NULL && open_where(dir, &s, &err) == 0);
	if (s == NULL)
		return;
	CHECK(u, source_read(s, "ten.txt", "index.xml", 100, &out, &err) == 0);
	CHECK(u, out.len == 10 && memcmp(out.buf, "0123456789", 10) == 0);
	CHECK(u, source_read(s, "empty.txt", "index.xml", 100, &out, &err) ==
	    0 && out.len == 0);
	/* The cap is the most a member may hold: exactly cap bytes pass. */
	CHECK(u, source_read(s, "ten.txt", "index.xml", 10, &out, &err) == 0 &&
	    out.len == 10);
	CHECK(u, unit_err(u, source_read(s, "ten.txt", "index.xml", 9, &out,
	    &err), &err, DV_ELIMIT, "src-reads: ten.txt: larger than 9 bytes"));
	CHECK(u, unit_err(u, source_read(s, "gone.xml", "vendor-index.xml",
	    100, &out, &err), &err, DV_EMISSING, "src-reads: gone.xml: missing "
	    "(named by vendor-index.xml)"));
	CHECK(u, unit_err(u, source_read(s, "folder.vib", "index.xml", 100,
	    &out, &err), &err, DV_EPATH, "folder.vib: not a regular file"));
	/* A link is never followed out of the depot. */
	CHECK(u, unit_err(u, source_read(s, "link.vib", "index.xml", 100, &out,
	    &err), &err, DV_EIO, "link.vib: cannot open: Too many levels of "
	    "symbolic links"));

	CHECK(u, source_has(s, "ten.txt") && !source_has(s, "gone.xml") &&
	    !source_has(s, "folder.vib"));
	CHECK(u, source_size(s, "ten.txt", &size) && size == 10);
	size = 7;
	CHECK(u, !source_size(s, "link.vib", &size) && size == 7);
	CHECK(u, !source_size(s, "folder.vib", &size) &&
	    !source_size(s, "gone.xml", &size));
	source_close(s);
	sbuf_release(&out);
}

void
test_source_folder_files(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s = NULL;
	struct zipfile *z = (struct zipfile *)1;
	const char *dir = depot_folder("src-files", "index.xml");
	char buf[16];
	int fd = 0;

	CHECK(u, dir != NULL && open_where(dir, &s, &err) == 0);
	if (s == NULL)
		return;
	CHECK(u, source_open_file(s, "ten.txt", 10, NULL, "index.xml", &fd,
	    &err) == 0 && fd >= 0);
	CHECK(u, fd >= 0 && read(fd, buf, sizeof(buf)) == 10 && close(fd) == 0);
	CHECK(u, unit_err(u, source_open_file(s, "vib20/gone.vib", 1, NULL,
	    "vib20-bulletin.xml", &fd, &err), &err, DV_EMISSING,
	    "src-files: vib20/gone.vib: the VIB file is missing (named by "
	    "vib20-bulletin.xml)") && fd == -1);
	CHECK(u, unit_err(u, source_open_file(s, "folder.vib", 1, NULL, "x",
	    &fd, &err), &err, DV_EPATH, "src-files: folder.vib: not a regular "
	    "file") && fd == -1);
	CHECK(u, unit_err(u, source_open_file(s, "link.vib", 1, NULL, "x", &fd,
	    &err), &err, DV_EIO, "src-files: link.vib: cannot open: Too many "
	    "levels of symbolic links") && fd == -1);
	/* Only a zip opens as a zip again. */
	CHECK(u, unit_err(u, source_reopen_zip(s, &z, &err), &err, DV_ENOTZIP,
	    "src-files: not a depot zip: this command reads a depot zip; "
	    "'depot verify' and 'depot check' read an unpacked depot") &&
	    z == NULL);
	source_close(s);
}

void
test_source_zip_reads(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s = NULL, *m = NULL;
	struct zipfile *z = NULL;
	struct sbuf data = SBUF_INIT(SBUF_NOCAP), out = SBUF_INIT(SBUF_NOCAP);
	const char *path = unit_fixture("mini8");
	uint64_t size = 0;
	int fd = 0;

	CHECK(u, unit_slurp(path, &data));
	CHECK(u, open_where(path, &s, &err) == 0);
	CHECK(u, source_open_mem(data.buf, data.len, "in memory", &m, &err) ==
	    0);
	if (s == NULL || m == NULL)
		goto out;
	CHECK(u, source_kind(m) == SOURCE_ZIP && source_zip(m) != NULL);
	CHECK(u, source_dir(s) == NULL && source_net(s) == NULL);
	CHECK(u, source_size(s, "index.xml", &size) && size > 0);
	CHECK(u, source_read(m, "index.xml", "the zip", 1 << 20, &out, &err) ==
	    0 && out.len == size);
	CHECK(u, !source_size(s, "nothing.xml", &size));
	CHECK(u, source_has(m, "index.xml") && !source_has(m, "nothing.xml"));
	CHECK(u, unit_err(u, source_read(m, "nothing.xml", "index.xml", 100,
	    &out, &err), &err, DV_EMISSING, "in memory: nothing.xml: missing "
	    "(named by index.xml)"));
	/* A zip's member is read through the zip, never as a file. */
	CHECK(u, unit_err(u, source_open_file(s, "index.xml", 1, NULL, "x",
	    &fd, &err), &err, DV_ENOTZIP, "index.xml: not a folder or URL") &&
	    fd == -1);
	/* One zip handle per thread: on disk and in memory alike. */
	CHECK(u, source_reopen_zip(m, &z, &err) == 0 && z != NULL);
	zipfile_close(z);
	z = NULL;
	CHECK(u, source_reopen_zip(s, &z, &err) == 0 && z != NULL);
	zipfile_close(z);
	sbuf_reset(&out);
	source_member_url(s, "index.xml", &out);
	CHECK(u, out.len == 0);
	source_close(m);
	CHECK(u, unit_err(u, source_open_mem("PK", 2, "two bytes", &m, &err),
	    &err, DV_ENOTZIP, "two bytes") && m == NULL);
out:
	source_close(s);
	source_close(m);
	sbuf_release(&data);
	sbuf_release(&out);
}

/* An online depot at a port where nothing listens. */
#define NOBODY "http://127.0.0.1:9/depot"

void
test_source_url_forms(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s = NULL;
	struct sbuf url = SBUF_INIT(SBUF_NOCAP), out = SBUF_INIT(SBUF_NOCAP);

	/* As esxcli: a URL that names no .xml means its index.xml. */
	CHECK(u, open_where(NOBODY, &s, &err) == 0);
	CHECK(u, source_kind(s) == SOURCE_URL && source_net(s) != NULL &&
	    source_dir(s) == NULL);
	CHECK_STR(u, source_root(s), "index.xml");
	source_member_url(s, "vib20/a b.vib", &url);
	CHECK_STR(u, url.buf, NOBODY "/vib20/a%20b.vib");
	/* Whether it is there is for the download to find out. */
	CHECK(u, source_has(s, "anything.xml") &&
	    !source_size(s, "index.xml", &(uint64_t){0}));
	CHECK(u, unit_err(u, source_read(s, "index.xml", "the command line",
	    100, &out, &err), &err, DV_ENET, "127.0.0.1:9"));
	source_close(s);

	CHECK(u, open_where(NOBODY "/", &s, &err) == 0);
	source_member_url(s, "index.xml", &url);
	CHECK_STR(u, url.buf, NOBODY "/index.xml");
	source_close(s);

	CHECK(u, open_where(NOBODY "/sub/vmw-depot-index.XML", &s, &err) == 0);
	CHECK_STR(u, source_root(s), "vmw-depot-index.XML");
	source_member_url(s, "vendor-index.xml", &url);
	CHECK_STR(u, url.buf, NOBODY "/sub/vendor-index.xml");
	source_close(s);

	CHECK(u, unit_err(u, open_where(NOBODY "/{token}/index.xml", &s, &err),
	    &err, DV_EFORMAT, "the URL says {token}, but no download token was "
	    "given") && s == NULL);
	sbuf_release(&url);
	sbuf_release(&out);
}

/* The names in TMPDIR that a download left behind ("" when none). */
static bool
tmp_is_empty(const char *tmp)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", tmp);
	return system(cmd) == 0;
}

void
test_source_url_download_refusals(struct unit *u)
{
	static const char sha[] = "0000000000000000000000000000000000000000"
	    "000000000000000000000000";
	struct dv_error err = DV_ERROR_INIT;
	struct depot_source *s = NULL;
	const char *tmp = unit_dir("src-tmp");
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	int fd = 0;

	CHECK(u, open_where(NOBODY "/index.xml", &s, &err) == 0);
	if (s == NULL)
		return;
	setenv("TMPDIR", tmp, 1);
	/* A download is checked as it streams, so it needs both. */
	CHECK(u, unit_err(u, source_open_file(s, "vib20/x.vib", 10, NULL,
	    "vib20-bulletin.xml", &fd, &err), &err, DV_EFORMAT, NOBODY
	    "/index.xml: vib20/x.vib: the metadata gives no size or SHA-256 "
	    "to check its download against") && fd == -1);
	fault_arm(FAULT_MKDTEMP, 0, 1, ENOSPC);
	CHECK(u, unit_err(u, source_open_file(s, "vib20/x.vib", 10, sha, "x",
	    &fd, &err), &err, DV_EIO, "src-tmp/esxstage-vib.XXXXXX: cannot "
	    "make: No space left on device") && fd == -1);
	CHECK(u, fault_hits(FAULT_MKDTEMP) == 1);
	fault_clear();
	/* A failed download leaves nothing in TMPDIR. */
	CHECK(u, unit_err(u, source_open_file(s, "vib20/x.vib", 10, sha,
	    "vib20-bulletin.xml", &fd, &err), &err, DV_ENET, "127.0.0.1:9") &&
	    fd == -1);
	CHECK(u, tmp_is_empty(tmp));
	if (old != NULL)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	source_close(s);
}
