/* test_depot.c - depot.c's open paths: depots, wrappers, errors, VIB files. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>

#include "../../depot/archive.h"
#include "../../depot/crypto.h"
#include "../../depot/depot.h"
#include "../../depot/sbuf.h"
#include "../../depot/vib.h"
#include "unit.h"

/* depot_open's code for a fixture; *out must be NULL whenever it fails. */
static int
open_code(struct unit *u, const char *spec, struct dv_error *err)
{
	struct depot *d = (struct depot *)1;
	int ret = depot_open(unit_fixture(spec), &d, err);

	if (ret != 0)
		CHECK(u, d == NULL && err->code == -ret && err->msg[0] != '\0');
	depot_free(d);
	return -ret;
}

void
test_depot_open_model(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	const struct depot_profile *p = NULL;
	struct depot *d = NULL;

	if (depot_open(unit_fixture("mini8"), &d, &err) != 0) {
		printf("  %s\n", err.msg);
		u->failed++;
		return;
	}
	CHECK(u, d->nvendors == 1 && d->nmetadata == 1);
	CHECK(u, d->nvibs == 4 && d->nprofiles == 2 && d->nbulletins == 3);
	CHECK_STR(u, d->vibs[0]->name, "esx-base");
	CHECK(u, depot_find_vib(d, d->vibs[2]->id) == d->vibs[2]);
	CHECK(u, depot_find_vib(d, "VMW_bootbank_none_1.0") == NULL);
	CHECK_STR(u, depot_kind_name(d), "patch depot with image profiles");
	CHECK(u, depot_find_profile(d, d->profiles[0]->name, &p, &err) == 0 &&
	    p == d->profiles[0]);
	p = d->profiles[0];
	CHECK(u, depot_find_profile(d, "nonesuch", &p, &err) == -DV_ENOMATCH &&
	    p == NULL);
	CHECK(u, d->warnings.n == 0);
	depot_free(d);
}

void
test_depot_open_mem(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot *d = NULL;
	struct sbuf data = SBUF_INIT(SBUF_NOCAP);
	char buf[65536];
	FILE *fp = fopen(unit_fixture("component7"), "rb");
	size_t n;

	CHECK(u, fp != NULL);
	if (fp == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&data, buf, n);
	fclose(fp);
	CHECK(u, depot_open_mem(data.buf, data.len, "c7", &d, &err) == 0);
	if (d != NULL) {
		CHECK_STR(u, d->path, "c7");
		CHECK_STR(u, depot_kind_name(d), "component depot");
	}
	depot_free(d);
	d = (struct depot *)1;
	CHECK(u, depot_open_mem(data.buf, 10, "cut", &d, &err) != 0 &&
	    d == NULL);
	sbuf_release(&data);
}

/* A vendor package fails with DV_EWRAPPER and hands back nothing. */
void
test_depot_open_wrapper(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;

	CHECK(u, open_code(u, "wrapper-fling", &err) == DV_EWRAPPER);
	CHECK(u, strstr(err.msg, ": not a depot, but a package that holds "
	    "the depot ESXi670-VMKUSB-NIC-FLING") != NULL);
	CHECK(u, open_code(u, "wrapper-expanded", &err) == DV_EWRAPPER);
	CHECK(u, strstr(err.msg, "holds the depot Mellanox-MFT-Tools") != NULL);
	CHECK(u, open_code(u, "nest8", &err) == DV_EWRAPPER);
	CHECK(u, strstr(err.msg, "it holds the archive wrap.zip") != NULL);
	CHECK(u, open_code(u, "err-no-index", &err) == DV_EWRAPPER);
	CHECK(u, strstr(err.msg, "it holds 4 VIBs: ") != NULL &&
	    strstr(err.msg, " and 2 more") != NULL);
}

void
test_depot_open_errors(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot *d = (struct depot *)1;

	CHECK(u, open_code(u, "err-missing-metadata", &err) == DV_EMISSING);
	CHECK(u, strstr(err.msg, "metadata.zip: missing (named by the vendor "
	    "index)") != NULL);
	CHECK(u, open_code(u, "err-missing-vendor-index", &err) == DV_EMISSING);
	CHECK(u, open_code(u, "err-bad-index-xml", &err) == DV_EXML);
	CHECK(u, open_code(u, "err-bad-vib-xml", &err) == DV_EXML);
	CHECK(u, open_code(u, "err-bad-date", &err) == DV_EFORMAT);
	CHECK(u, open_code(u, "err-bad-acceptance", &err) == DV_EFORMAT);
	CHECK(u, depot_open("/nonexistent/x.zip", &d, &err) == -DV_EIO &&
	    d == NULL);
	d = (struct depot *)1;
	/* A folder is read as an unpacked depot (source.c). */
	CHECK(u, depot_open("/", &d, &err) == -DV_ENOTDEPOT && d == NULL);
	CHECK(u, strstr(err.msg, "not an unpacked depot") != NULL);
}

/* A profile naming a VIB the depot lacks is a warning, not a failure. */
void
test_depot_open_warnings(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	const struct depot_profile *p = NULL;
	struct depot *d = NULL;

	CHECK(u, depot_open(unit_fixture("err-missing-vib"), &d, &err) == 0);
	if (d == NULL)
		return;
	CHECK(u, d->warnings.n == 1 &&
	    strstr(d->warnings.v[0].msg, "names 1 VIB not in the depot") !=
	    NULL);
	depot_free(d);
	d = NULL;
	CHECK(u, depot_open(unit_fixture("dup-profiles"), &d, &err) == 0);
	if (d == NULL)
		return;
	/* Two profiles with different ids share this name. */
	p = d->profiles[0];
	CHECK(u, depot_find_profile(d, "ESXi-8.0U3e-24677879-no-tools", &p,
	    &err) == -DV_EAMBIGUOUS && p == NULL);
	CHECK(u, strstr(err.msg, "more than one image profile") != NULL);
	depot_free(d);
}

static long
read_all(const struct byte_source *src, struct dv_error *err)
{
	char buf[4096];
	long n, total = 0;

	while ((n = src->read(src->ctx, buf, sizeof(buf), err)) > 0)
		total += n;
	return n < 0 ? n : total;
}

void
test_depot_open_vib(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_vib_file *f = (struct depot_vib_file *)1;
	struct depot_vib ghost;
	struct depot *d = NULL;

	if (depot_open(unit_fixture("mini8"), &d, &err) != 0) {
		printf("  %s\n", err.msg);
		u->failed++;
		return;
	}
	CHECK(u, depot_open_vib(d, d->vibs[0], &f, &err) == 0 && f != NULL);
	if (f != NULL)
		CHECK(u, read_all(depot_vib_file_source(f), &err) ==
		    (long)d->vibs[0]->packed_size);
	depot_vib_file_close(f);
	ghost = *d->vibs[0];
	ghost.member = "vib20/ghost.vib";
	f = (struct depot_vib_file *)1;
	CHECK(u, depot_open_vib(d, &ghost, &f, &err) == -DV_EMISSING &&
	    f == NULL);
	CHECK(u, strstr(err.msg, ": vib20/ghost.vib: the VIB file is missing")
	    != NULL);
	ghost.member = NULL;
	f = (struct depot_vib_file *)1;
	CHECK(u, depot_open_vib(d, &ghost, &f, &err) == -DV_EMISSING &&
	    f == NULL);
	CHECK(u, strstr(err.msg, ghost.id) != NULL);
	depot_free(d);
}

/* Every opener leaves its out-parameter NULL when it fails. */
void
test_out_params_null(struct unit *u)
{
	static const char junk[] = "this is neither a zip nor a tar archive";
	const char *const missing[] = {"/nonexistent/ca.pem"};
	struct dv_error err = DV_ERROR_INIT;
	struct tarfile *t = (struct tarfile *)1;
	struct sig_trust *trust = (struct sig_trust *)1;
	struct depot *d = (struct depot *)1;

	CHECK(u, tarfile_open_mem(junk, sizeof(junk), "junk", &t, &err) != 0 &&
	    t == NULL);
	CHECK(u, sig_trust_load(missing, 1, &trust, &err) == -DV_EIO &&
	    trust == NULL);
	CHECK(u, depot_open_mem(junk, sizeof(junk), "junk", &d, &err) ==
	    -DV_ENOTZIP && d == NULL);
}
