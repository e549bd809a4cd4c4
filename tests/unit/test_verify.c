/* test_verify.c - verify.c's verdicts: depots, one VIB, the signing rules. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>

#include "../../depot/depot.h"
#include "../../depot/verify.h"
#include "unit.h"

static struct depot *
open_fixture(struct unit *u, const char *spec)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot *d = NULL;

	if (depot_open(unit_fixture(spec), &d, &err) != 0) {
		printf("  %s\n", err.msg);
		u->failed++;
	}
	return d;
}

static struct sig_trust *
test_trust(void)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_trust *t = NULL;
	char ca[600], certified[600];
	const char *paths[] = {ca, certified};

	snprintf(ca, sizeof(ca), "%s/ca.crt", unit_keys());
	snprintf(certified, sizeof(certified), "%s/certified.crt", unit_keys());
	if (sig_trust_load(paths, 2, &t, &err) != 0)
		printf("  %s\n", err.msg);
	return t;
}

/* The first failure's message for the VIB named name, or "". */
static const char *
failure_of(const struct verify_report *r, const char *name)
{
	const struct dv_diag *f;

	for (size_t i = 0; i < r->nvibs; i++) {
		if (strcmp(r->vibs[i].meta->name, name) != 0)
			continue;
		f = dv_diags_first(&r->vibs[i].diags, DV_DIAG_FAIL);
		return f != NULL ? f->msg : "";
	}
	return "(no such VIB)";
}

void
test_verify_signed_depot(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_trust *trust = test_trust();
	struct verify_opts o = {trust, 2};
	struct verify_report r;
	struct depot *d = open_fixture(u, "verify8");

	if (d == NULL || trust == NULL)
		goto out;
	CHECK(u, depot_verify(d, &o, &r, &err) == 0);
	CHECK(u, r.failed == 0 && r.nvibs == 6 && r.trust_checked);
	CHECK(u, r.structure.n == 0);
	for (size_t i = 0; i < r.nvibs; i++)
		CHECK(u, r.vibs[i].ok && r.vibs[i].scanned);
	verify_report_release(&r);
	/* Without trust the signatures still hold, the chains are not run. */
	o.trust = NULL;
	o.jobs = 1;
	CHECK(u, depot_verify(d, &o, &r, &err) == 0 && r.failed == 0 &&
	    !r.trust_checked);
	verify_report_release(&r);
out:
	depot_free(d);
	sig_trust_free(trust);
}

/* Valid signatures that claim a level their signer may not give. */
void
test_verify_signing_rules(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_trust *trust = test_trust();
	struct verify_opts o = {trust, 1};
	struct verify_report r;
	struct depot *d = open_fixture(u, "verify-claims");

	if (d == NULL || trust == NULL)
		goto out;
	CHECK(u, depot_verify(d, &o, &r, &err) == 0 && r.failed == 3);
	CHECK(u, strstr(failure_of(&r, "ne1000"), "is not valid for the "
	    "certified level: the signer itself must be a trust anchor") !=
	    NULL);
	CHECK(u, strstr(failure_of(&r, "nvme-pcie"), "is not valid for the "
	    "partner level") != NULL);
	CHECK_STR(u, failure_of(&r, "tools-light"), "unsigned (empty "
	    "sig.pkcs7), but the acceptance level is certified");
	CHECK_STR(u, failure_of(&r, "esx-base"), "");
	verify_report_release(&r);
out:
	depot_free(d);
	sig_trust_free(trust);
}

/* A profile naming a VIB that is not there fails the structure. */
void
test_verify_structure(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct verify_opts o = {NULL, 1};
	struct verify_report r;
	const struct dv_diag *f;
	struct depot *d = open_fixture(u, "err-missing-vib");

	if (d == NULL)
		return;
	CHECK(u, depot_verify(d, &o, &r, &err) == 0);
	f = dv_diags_first(&r.structure, DV_DIAG_FAIL);
	CHECK(u, f != NULL && strstr(f->msg, ": VIBs VMW_bootbank_ghost-driver"
	    "_1.0.0-1vmw.803.0.0.24022510 cannot be found in the depot") !=
	    NULL);
	CHECK(u, r.failed == r.nvibs + dv_diags_count(&r.structure,
	    DV_DIAG_FAIL));
	verify_report_release(&r);
	depot_free(d);
}

/* Bytes from memory, so one VIB can be damaged at will. */
struct mem_source {
	const char *data;
	size_t len, pos;
};

static long
mem_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct mem_source *m = ctx;

	(void)err;
	if (len > m->len - m->pos)
		len = m->len - m->pos;
	memcpy(buf, m->data + m->pos, len);
	m->pos += len;
	return (long)len;
}

static void
read_vib(const struct depot *d, const struct depot_vib *x, struct sbuf *out)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_vib_file *f = NULL;
	const struct byte_source *src;
	char buf[4096];
	long n;

	if (depot_open_vib(d, x, &f, &err) != 0)
		return;
	src = depot_vib_file_source(f);
	while ((n = src->read(src->ctx, buf, sizeof(buf), &err)) > 0)
		sbuf_add(out, buf, (size_t)n);
	depot_vib_file_close(f);
}

/* verify_vib_run on x's bytes (flipped at flip unless 0) against meta. */
static const char *
run_one(struct verify_vib *v, const struct sbuf *bytes, size_t flip,
    const struct depot_vib *meta, const struct sig_trust *trust)
{
	static struct sbuf copy = SBUF_INIT(SBUF_NOCAP);
	struct mem_source m;
	struct byte_source src = {mem_read, &m};
	const struct dv_diag *f;

	sbuf_reset(&copy);
	sbuf_add(&copy, bytes->buf, bytes->len);
	if (flip != 0)
		copy.buf[flip] ^= 0x55;
	m.data = copy.buf;
	m.len = copy.len;
	m.pos = 0;
	verify_vib_init(v, meta);
	verify_vib_run(v, &src, "one.vib", trust, true);
	f = dv_diags_first(&v->diags, DV_DIAG_FAIL);
	return f != NULL ? f->msg : "";
}

void
test_verify_one_vib(struct unit *u)
{
	struct sig_trust *trust = test_trust();
	struct sbuf bytes = SBUF_INIT(SBUF_NOCAP);
	struct depot_vib meta;
	struct verify_vib v;
	const struct dv_diag *note;
	struct depot *d = open_fixture(u, "signed8");

	if (d == NULL || trust == NULL)
		goto out;
	read_vib(d, d->vibs[0], &bytes);
	CHECK(u, bytes.len > 0 && bytes.len == d->vibs[0]->packed_size);
	/* As the depot describes it, and as a bare VIB. */
	CHECK_STR(u, run_one(&v, &bytes, 0, d->vibs[0], trust), "");
	CHECK(u, v.ok && v.descriptor != NULL && v.sig.status == SIG_OK);
	verify_vib_release(&v);
	CHECK_STR(u, run_one(&v, &bytes, 0, NULL, trust), "");
	CHECK_STR(u, v.descriptor->name, d->vibs[0]->name);
	verify_vib_release(&v);
	/* The metadata disagrees with the file. */
	meta = *d->vibs[0];
	meta.sha256 = "0000000000000000000000000000000000000000000000000000"
	    "000000000000";
	CHECK(u, strstr(run_one(&v, &bytes, 0, &meta, trust),
	    "sha-256 mismatch: ") != NULL);
	verify_vib_release(&v);
	meta = *d->vibs[0];
	meta.packed_size++;
	CHECK(u, strstr(run_one(&v, &bytes, 0, &meta, trust), "size is ") !=
	    NULL);
	verify_vib_release(&v);
	meta = *d->vibs[0];
	meta.version = "0.0.1";
	CHECK(u, strstr(run_one(&v, &bytes, 0, &meta, trust),
	    "descriptor version '") != NULL);
	verify_vib_release(&v);
	/* No whole-file digest in the metadata: a note, not a failure. */
	meta = *d->vibs[0];
	meta.sha256 = NULL;
	meta.has_legacy = false;
	CHECK_STR(u, run_one(&v, &bytes, 0, &meta, trust), "");
	note = dv_diags_first(&v.diags, DV_DIAG_NOTE);
	CHECK(u, v.ok && note != NULL && strcmp(note->msg, "the metadata "
	    "gives no sha-256 for the whole VIB") == 0);
	verify_vib_release(&v);
	/* Damaged bytes near the end (a payload) and cut short. */
	CHECK(u, strcmp(run_one(&v, &bytes, bytes.len - 40, NULL, trust), "") !=
	    0 && !v.ok);
	verify_vib_release(&v);
	bytes.len /= 2;
	CHECK(u, strcmp(run_one(&v, &bytes, 0, NULL, trust), "") != 0 &&
	    !v.scanned && v.descriptor == NULL);
	verify_vib_release(&v);
out:
	sbuf_release(&bytes);
	depot_free(d);
	sig_trust_free(trust);
}
