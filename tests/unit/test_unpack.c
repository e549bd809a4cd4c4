/* test_unpack.c - depot_unpack when the disk fails it at every write, and
 * on depots whose VIBs are elsewhere or missing. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../depot/depot.h"
#include "../../depot/unpack.h"
#include "fault.h"
#include "unit.h"

/* A failure for depot_unpack alone (not outdir_begin or the commit):
 * call fails once, after skip calls, with err (skip < 0: none fails).
 * calls and hits are filled in. */
struct plan {
	enum fault_call call;
	int skip, err, calls, hits;
};

/* Unpack d into a fresh TOP/out; the code.  *nwritten is how many files
 * the report lists.  Whatever happens, TOP then holds only OUTDIR when it
 * succeeded and nothing when it failed, and a failed unpack's report is
 * empty: *clean says so. */
static int
unpack_into(const struct depot *d, const char *name, unsigned flags,
    struct plan *p, size_t *nwritten, bool *clean, struct dv_error *err)
{
	struct unpack_report r = {0};
	struct outdir *od = NULL;
	const char *top = unit_dir(name);
	char out[700];
	bool empty = true;
	int ret;

	snprintf(out, sizeof(out), "%s/out", top);
	*nwritten = 0;
	if ((ret = outdir_begin(out, 0, &od, err)) == 0) {
		if (p != NULL)
			fault_arm(p->call, p->skip < 0 ? 0 : p->skip,
			    p->skip < 0 ? 0 : 1, p->err);
		ret = depot_unpack(d, od, flags, &r, err);
		empty = r.nwritten == 0 && r.nskipped == 0 &&
		    r.arena.head == NULL;
		if (p != NULL) {
			p->calls = fault_calls(p->call);
			p->hits = fault_hits(p->call);
			fault_clear();
		}
	}
	if (ret == 0) {
		*nwritten = r.nwritten;
		unpack_report_release(&r);
		ret = outdir_commit(od, err);
	} else {
		outdir_abort(od);
	}
	*clean = unit_sh(ret == 0 ? "test \"$(ls -A '%s')\" = out" :
	    "test -z \"$(ls -A '%s')\"", top) && (ret == 0 || empty);
	return ret;
}

/* Every write (or close) that depot_unpack makes, from the first'th on,
 * fails once, in turn: each run fails naming OUTDIR's file and the
 * system's reason, and leaves nothing.  How many runs there were. */
static int
fail_each(struct unit *u, const struct depot *d, unsigned flags,
    enum fault_call call, int first, const char *why)
{
	struct dv_error err = DV_ERROR_INIT;
	struct plan p = {call, -1, call == FAULT_WRITE ? ENOSPC : EIO, 0, 0};
	size_t n;
	bool clean;
	int calls, ret;

	CHECK(u, unpack_into(d, "unpack-count", flags, &p, &n, &clean, &err) ==
	    0 && clean);
	calls = p.calls;
	for (p.skip = first; p.skip < calls; p.skip++) {
		ret = unpack_into(d, "unpack-fail", flags, &p, &n, &clean, &err);
		if (ret != -DV_EIO || !clean || p.hits != 1 ||
		    strstr(err.msg, "unpack-fail/out/") == NULL ||
		    strstr(err.msg, why) == NULL) {
			printf("  call %d: %d, %s\n", p.skip, ret, err.msg);
			u->failed++;
		}
	}
	return calls - first;
}

void
test_unpack_disk_failures(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot *d = NULL;
	size_t n;
	bool clean;

	CHECK(u, depot_open(unit_fixture("mini8"), &d, &err) == 0);
	if (d == NULL)
		return;
	CHECK(u, unpack_into(d, "unpack-plain", UNPACK_VERIFY, NULL, &n,
	    &clean, &err) == 0 && clean && n == 7);
	CHECK(u, unpack_into(d, "unpack-meta", UNPACK_METADATA, NULL, &n,
	    &clean, &err) == 0 && clean && n == 18);
	/* With the metadata expanded, files of both kinds are written. */
	CHECK(u, fail_each(u, d, UNPACK_METADATA, FAULT_WRITE, 0, ": cannot "
	    "write: No space left on device") == 18);
	/* The first close is of the depot zip, only read. */
	CHECK(u, fail_each(u, d, UNPACK_METADATA | UNPACK_VERIFY, FAULT_CLOSE,
	    1, ": cannot write: Input/output error") == 18);
	depot_free(d);
}

/* mini8 with the spec lines extra added, built by mkdepot.py. */
static const char *
mini8_with(const char *name, const char *extra)
{
	static char zip[700];
	const char *dir = unit_dir(name), *top = getenv("TOP");
	char abs[PATH_MAX];
	const char *python = getenv("PYTHON");
	char spec[PATH_MAX + 400];

	/* The spec is in the scratch folder: include mini8 by its full path. */
	if (realpath(top != NULL ? top : ".", abs) == NULL)
		return NULL;
	snprintf(spec, sizeof(spec), "include %s/testdata/depots/mini8.spec\n"
	    "%s\n", abs, extra);
	snprintf(zip, sizeof(zip), "%s/%s.zip", dir, name);
	if (!unit_write(dir, "variant.spec", spec) || !unit_sh("'%s' "
	    "'%s/tests/mkdepot.py' '%s/variant.spec' '%s' >/dev/null",
	    python != NULL ? python : "python3", top != NULL ? top : ".", dir,
	    zip))
		return NULL;
	return zip;
}

/* A VIB whose relative path is a URL is the host's to fetch: listed as
 * skipped, with why.  A VIB the zip lacks stops the unpack before a
 * file is written. */
void
test_unpack_vibs_elsewhere(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct unpack_report r;
	struct outdir *od = NULL;
	struct depot *d = NULL;
	const char *zip = mini8_with("unpack-remote", "[vib ne1000]\n"
	    "relative-path = https://vibs.example.com/ne1000.vib");
	char out[700];
	size_t n;
	bool clean;

	snprintf(out, sizeof(out), "%s/out", unit_dir("unpack-remote-out"));
	CHECK(u, zip != NULL && depot_open(zip, &d, &err) == 0);
	if (d != NULL) {
		CHECK(u, outdir_begin(out, 0, &od, &err) == 0 &&
		    depot_unpack(d, od, 0, &r, &err) == 0);
		CHECK(u, r.nwritten == 6 && r.nskipped == 1);
		if (r.nskipped == 1) {
			CHECK_STR(u, r.skipped[0].name,
			    "https://vibs.example.com/ne1000.vib");
			CHECK_STR(u, r.skipped[0].reason, "a remote URL, not a "
			    "file of the depot");
		}
		unpack_report_release(&r);
		outdir_abort(od);
		depot_free(d);
		d = NULL;
	}
	zip = mini8_with("unpack-gone", "[override]\ndelete vib20/ne1000/*");
	CHECK(u, zip != NULL && depot_open(zip, &d, &err) == 0);
	if (d != NULL) {
		CHECK(u, unit_err(u, unpack_into(d, "unpack-missing", 0, NULL,
		    &n, &clean, &err), &err, DV_EMISSING, "unpack-gone.zip: "
		    "vib20/ne1000/VMW_bootbank_ne1000_0.9.2-1vmw.803.0.0."
		    "24022510.vib: missing (named by ") && clean);
		depot_free(d);
	}
}
