/* test_bundle_check.c - bundle_check and bundle_steps on folders and tars
 * made by sha256sum(1) and tar(1). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bundle/bundle.h"
#include "unit.h"

#define GOOD_MANIFEST                                                        \
	"{\"inputs\": [{\"name\": \"a.vib\", \"sha256\": \"%%s\"},\n"         \
	"  {\"name\": \"tool\", \"sha256\": \"x\", \"files\": []}],\n"        \
	" \"steps\": [\"install a.vib\", \"reboot\"]}\n"

/*
 * A bundle folder NAME/bundle as esxbundle create lays it out: install.sh
 * and a.vib listed in SHA256SUMS (by sha256sum), manifest.json naming
 * a.vib with its digest, files install.sh writes on the host, and
 * extra.txt, which nothing lists.  sums_extra is appended to SHA256SUMS.
 */
static const char *
bundle_folder(const char *name, const char *sums_extra)
{
	static char path[700];
	const char *top = unit_dir(name);

	snprintf(path, sizeof(path), "%s/bundle", top);
	if (mkdir(path, 0755) != 0 || !unit_write(path, "install.sh",
	    "#!/bin/sh\necho installing\n") ||
	    !unit_write(path, "a.vib", "the bytes of a VIB\n") ||
	    !unit_write(path, "extra.txt", "not listed\n") ||
	    !unit_write(path, "install.log", "written on the host\n") ||
	    !unit_sh("cd '%s' && mkdir backup && echo old > backup/x && "
	    "sha256sum install.sh a.vib > SHA256SUMS && printf '%%s' '%s' >> "
	    "SHA256SUMS && printf '" GOOD_MANIFEST "' \"$(sha256sum a.vib | "
	    "cut -c1-64)\" > manifest.json", path, sums_extra))
		return NULL;
	return path;
}

/* The tar of NAME/bundle by tar(1), as NAME/bundle.tar. */
static const char *
tar_of(const char *folder)
{
	static char path[800];

	snprintf(path, sizeof(path), "%s.tar", folder);
	if (!unit_sh("cd '%s/..' && tar -cf '%s' bundle", folder, path))
		return NULL;
	return path;
}

/* The problems of a check, one per line, in order. */
static const char *
problems(const struct bundle_report *r)
{
	static char buf[4096];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->problems.n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n",
		    r->problems.v[i].msg);
	return buf;
}

static void
check_good(struct unit *u, const char *path, bool tar)
{
	struct dv_error err = DV_ERROR_INIT;
	struct bundle_report r;
	struct ptrvec steps = {0};

	CHECK(u, path != NULL && bundle_check(path, &r, &err) == 0);
	CHECK(u, r.tar == tar && r.nfiles == 2);
	CHECK_STR(u, problems(&r), "");
	/* install.log and backup/ are install.sh's own, on the host. */
	CHECK(u, r.unlisted.n == 2);
	if (r.unlisted.n == 2) {
		CHECK_STR(u, r.unlisted.v[0], "extra.txt");
		CHECK_STR(u, r.unlisted.v[1], "manifest.json");
	}
	bundle_report_release(&r);
	CHECK(u, bundle_steps(path, &steps, &err) == 0 && steps.n == 2);
	if (steps.n == 2) {
		CHECK_STR(u, steps.v[0], "install a.vib");
		CHECK_STR(u, steps.v[1], "reboot");
	}
	for (size_t i = 0; i < steps.n; i++)
		free(steps.v[i]);
	ptrvec_release(&steps);
}

void
test_bundle_check_good(struct unit *u)
{
	const char *folder = bundle_folder("bc-good", "");

	check_good(u, folder, false);
	check_good(u, tar_of(folder), true);
}

void
test_bundle_check_sums_problems(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct bundle_report r;
	const char *folder = bundle_folder("bc-sums",
	    "\nnot a line of sha256sum\n"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "  ../outside\n"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "  gone.vib\n"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    " *extra.txt\n"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "  link.vib");

	CHECK(u, folder != NULL && unit_sh("ln -s a.vib '%s/link.vib'", folder));
	CHECK(u, bundle_check(folder, &r, &err) == 0);
	CHECK_STR(u, problems(&r),
	    "SHA256SUMS line 4: not '<sha256>  <file>'\n"
	    "SHA256SUMS line 5: unsafe file name\n"
	    "gone.vib: missing or unreadable\n"
	    "extra.txt: SHA-256 mismatch: bf429842aba1cb50ff2bb23ce99b4fbcf6045"
	    "5fd99616cb4d895926eef5c4fbc calculated, 0000000000000000000000000"
	    "000000000000000000000000000000000000000 expected\n"
	    "link.vib: missing or unreadable\n");
	CHECK(u, r.nfiles == 5 && r.problems.n > 0 &&
	    r.problems.v[0].code == DV_EFORMAT);
	bundle_report_release(&r);
}

void
test_bundle_check_manifest_problems(struct unit *u)
{
	static const struct {
		const char *json, *problems;
	} cases[] = {
		{"{\"inputs\": 1", "manifest.json"},
		{"{\"steps\": []}", "manifest.json: no \"inputs\" list\n"},
		{"{\"inputs\": [{\"name\": \"a.vib\"}, {\"sha256\": \"0\"},\n"
		    "{\"name\": \"extra.txt\", \"sha256\": \"0\"},\n"
		    "{\"name\": \"install.sh\", \"sha256\": \"0\"}]}",
		    "manifest.json: input 1 has no name or sha256\n"
		    "manifest.json: input 2 has no name or sha256\n"
		    "manifest.json: input extra.txt is not in SHA256SUMS\n"
		    "manifest.json: input install.sh: SHA-256 0 recorded, "},
	};
	struct dv_error err = DV_ERROR_INIT;
	struct bundle_report r;
	const char *folder = bundle_folder("bc-manifest", "");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(u, unit_write(folder, "manifest.json", cases[i].json));
		CHECK(u, bundle_check(folder, &r, &err) == 0);
		if (strncmp(problems(&r), cases[i].problems,
		    strlen(cases[i].problems)) != 0) {
			printf("  case %zu: '%s'\n", i, problems(&r));
			u->failed++;
		}
		bundle_report_release(&r);
	}
	CHECK(u, unit_sh("rm '%s/manifest.json' '%s/install.sh' && sed -i "
	    "/install.sh/d '%s/SHA256SUMS'", folder, folder, folder));
	CHECK(u, bundle_check(folder, &r, &err) == 0);
	CHECK_STR(u, problems(&r), "SHA256SUMS does not list install.sh\n"
	    "manifest.json: missing\n");
	bundle_report_release(&r);
}

/* bundle_check's and bundle_steps' refusal of path, both. */
static void
both_refuse(struct unit *u, const char *path, int code, const char *check_msg,
    const char *steps_msg)
{
	struct dv_error err = DV_ERROR_INIT;
	struct bundle_report r;
	struct ptrvec steps = {0};

	CHECK(u, unit_err(u, bundle_check(path, &r, &err), &err, code,
	    check_msg) && r.problems.n == 0 && r.unlisted.n == 0);
	CHECK(u, unit_err(u, bundle_steps(path, &steps, &err), &err, code,
	    steps_msg) && steps.n == 0);
}

void
test_bundle_check_refusals(struct unit *u)
{
	const char *folder = bundle_folder("bc-refuse", ""), *tar;
	char deep[900], big[900];

	both_refuse(u, "/nonexistent/bundle", DV_EIO, "/nonexistent/bundle: "
	    "cannot open: No such file or directory", "cannot open");
	/* Deeper than any bundle esxbundle makes. */
	snprintf(deep, sizeof(deep), "%s/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/"
	    "16/17", folder);
	CHECK(u, unit_sh("mkdir -p '%s'", deep));
	both_refuse(u, folder, DV_ELIMIT, "bundle/1/2/3/4/5/6/7/8/9/10/11/12/"
	    "13/14/15/16/17: folders nested deeper than 16", "nested deeper");
	CHECK(u, unit_sh("rm -r '%s/1'", folder));
	/* Our own small files are a few KiB; a huge one is not ours. */
	snprintf(big, sizeof(big), "%s/SHA256SUMS", folder);
	CHECK(u, truncate(big, (1 << 20) + 1) == 0);
	both_refuse(u, folder, DV_ELIMIT, "bundle/SHA256SUMS: larger than "
	    "1048576 bytes; not made by esxbundle create", "larger than");
	tar = tar_of(folder);
	both_refuse(u, tar, DV_ELIMIT, "bundle.tar: SHA256SUMS: larger than "
	    "1048576 bytes; not made by esxbundle create", "larger than");
	CHECK(u, unit_sh("rm '%s' '%s' '%s/manifest.json'", big, tar, folder));
	both_refuse(u, folder, DV_EIO, "bundle/SHA256SUMS: no SHA256SUMS; not "
	    "a bundle made by esxbundle create", "bundle/manifest.json: cannot "
	    "open: No such file or directory");
	tar = tar_of(folder);
	both_refuse(u, tar, DV_EIO, "bundle.tar: no SHA256SUMS; not a bundle "
	    "made by esxbundle create", "bundle.tar: manifest.json: cannot "
	    "open: No such file or directory");
}

void
test_bundle_check_hostile_tars(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct bundle_report r;
	const char *folder = bundle_folder("bc-tars", ""), *tar;
	char path[900];

	/* A link in the tar is listed, so it shows as not in SHA256SUMS. */
	CHECK(u, unit_sh("ln -s /etc/passwd '%s/passwd'", folder));
	tar = tar_of(folder);
	CHECK(u, bundle_check(tar, &r, &err) == 0 && r.unlisted.n == 3);
	if (r.unlisted.n == 3)
		CHECK_STR(u, r.unlisted.v[2], "passwd");
	bundle_report_release(&r);
	/* Every member is under the one top folder, never beside or above. */
	CHECK(u, unit_sh("cd '%s/..' && echo x > beside && tar -rf '%s' beside",
	    folder, tar));
	both_refuse(u, tar, DV_ETAR, "bundle.tar: 'beside' is not inside the "
	    "bundle's folder 'bundle/'; not made by esxbundle create",
	    "'beside' is not inside");
	CHECK(u, unit_sh("cd '%s/..' && tar -cf '%s' -P bundle/install.sh "
	    "bundle/../beside", folder, tar));
	both_refuse(u, tar, DV_ETAR, "'bundle/../beside' is not inside the "
	    "bundle's folder 'bundle/'", "is not inside");
	/* Cut inside a file's data: tar's own reason, after the name. */
	CHECK(u, unit_sh("cd '%s/..' && head -c 100000 /dev/zero | tr '\\0' x > "
	    "bundle/a.vib && tar -cf '%s' bundle && truncate -s 30000 '%s'",
	    folder, tar, tar));
	CHECK(u, bundle_check(tar, &r, &err) == -DV_ETAR &&
	    strstr(err.msg, "bundle.tar: bundle/a.vib: ") != NULL);
	/* Not a tar at all. */
	snprintf(path, sizeof(path), "%s/../garbage.tar", folder);
	CHECK(u, unit_write(folder, "../garbage.tar", "no tar header here, "
	    "only text, and less than a block of it\n"));
	both_refuse(u, path, DV_ETAR, "garbage.tar: not a tar archive",
	    "not a tar archive");
}

void
test_bundle_check_limits(struct unit *u)
{
	const char *folder = bundle_folder("bc-many", "");
	char many[800], name[32];
	int dirfd, fd, made = 0;

	/* Neither a folder nor a regular file (a tar): a device. */
	both_refuse(u, "/dev/null", DV_EIO, "/dev/null: cannot open: Not a "
	    "directory", "/dev/null: cannot open");
	/* More files than any bundle has (the Intel tool's: a few
	 * hundred), as empty files in one folder. */
	snprintf(many, sizeof(many), "%s/many", folder);
	CHECK(u, mkdir(many, 0755) == 0);
	dirfd = open(many, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; dirfd >= 0 && i < 100000; i++) {
		snprintf(name, sizeof(name), "%d", i);
		if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0644)) >= 0 && close(fd) == 0)
			made++;
	}
	CHECK(u, made == 100000 && close(dirfd) == 0);
	both_refuse(u, folder, DV_ELIMIT, "bc-many/bundle: more than 100000 "
	    "files", "more than 100000 files");
	CHECK(u, unit_sh("rm -rf '%s'", many));
}

/* bundle_steps' refusal of a manifest.json holding json. */
static void
steps_refuse(struct unit *u, const char *folder, const char *json,
    const char *want)
{
	struct dv_error err = DV_ERROR_INIT;
	struct ptrvec steps = {0};

	CHECK(u, unit_write(folder, "manifest.json", json));
	CHECK(u, unit_err(u, bundle_steps(folder, &steps, &err), &err,
	    DV_EFORMAT, want) && steps.n == 0);
	ptrvec_release(&steps);
}

void
test_bundle_steps_refusals(struct unit *u)
{
	const char *folder = bundle_folder("bc-steps", "");

	steps_refuse(u, folder, "{\"inputs\": []}", "bundle/manifest.json: "
	    "no \"steps\" list (not made by esxbundle create, or damaged)");
	/* The steps read before the bad one are not handed out. */
	steps_refuse(u, folder, "{\"steps\": [\"reboot\", 2]}",
	    "bundle/manifest.json: step 2 is not a string");
	steps_refuse(u, folder, "{\"steps\": [", "bundle/manifest.json: "
	    "line 1 column ");
}
