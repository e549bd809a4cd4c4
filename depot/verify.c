/* verify.c - check a depot's VIBs byte for byte against their metadata. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "depot_int.h"
#include "parse.h"
#include "source.h"
#include "verify.h"

/* A verdict's reasons: a FAIL fails the VIB, a NOTE does not. */
#define FAIL(v, ...) \
	dv_diag_add(&(v)->diags, DV_DIAG_FAIL, DV_EVIB, __VA_ARGS__)
#define NOTE(v, ...) dv_diag_add(&(v)->diags, DV_DIAG_NOTE, 0, __VA_ARGS__)

static const struct vib_member *
find_member(const struct vib_scan *s, const char *name)
{
	for (size_t i = 0; i < s->nmembers; i++)
		if (strcmp(s->members[i].name, name) == 0)
			return &s->members[i];
	return NULL;
}

/* The depot's record and the VIB's own descriptor must describe one VIB. */
static void
check_descriptor(struct verify_vib *v, const struct depot_vib *m,
    const struct depot_vib *d)
{
	size_t i, k;

	if (strcmp(m->name, d->name) != 0)
		FAIL(v, "descriptor name '%s' differs from metadata '%s'",
		    d->name, m->name);
	if (strcmp(m->version, d->version) != 0)
		FAIL(v, "descriptor version '%s' differs from metadata '%s'",
		    d->version, m->version);
	if (strcmp(m->vendor, d->vendor) != 0)
		FAIL(v, "descriptor vendor '%s' differs from metadata '%s'",
		    d->vendor, m->vendor);
	if (m->acceptance != DV_ACCEPT_UNKNOWN &&
	    m->acceptance != d->acceptance)
		FAIL(v, "descriptor acceptance level '%s' differs from "
		    "metadata '%s'", dv_acceptance_name(d->acceptance),
		    dv_acceptance_name(m->acceptance));
	if (m->npayloads == 0)
		return; /* vmware.xml records carry no payload list */
	for (i = 0; i < d->npayloads; i++) {
		for (k = 0; k < m->npayloads; k++)
			if (strcmp(d->payloads[i].name, m->payloads[k].name) == 0)
				break;
		if (k == m->npayloads)
			FAIL(v, "payload '%s' is in the descriptor but not in "
			    "the metadata", d->payloads[i].name);
		else if (d->payloads[i].size != m->payloads[k].size ||
		    strcmp(d->payloads[i].type, m->payloads[k].type) != 0)
			FAIL(v, "payload '%s' differs between descriptor and "
			    "metadata", d->payloads[i].name);
	}
	if (m->npayloads != d->npayloads)
		FAIL(v, "metadata lists %zu payloads, the descriptor %zu",
		    m->npayloads, d->npayloads);
}

/* Which digest of the scanned member a descriptor checksum speaks of. */
static const char *
digest_for(const struct depot_checksum *c, const struct vib_member *mb,
    const char **why)
{
	bool gunzip = c->verify_process != NULL &&
	    strcmp(c->verify_process, "gunzip") == 0;

	*why = NULL;
	if (c->verify_process != NULL && *c->verify_process != '\0' &&
	    !gunzip)
		return NULL; /* txt-mle and the like: not ours to check */
	if (strcmp(c->type, "sha-256-gunzip1") == 0) {
		if (!mb->gunzip1)
			*why = mb->error[0] != '\0' ? mb->error :
			    "it is not gzip data";
		return mb->sha256_gunzip1;
	}
	if (!gunzip) {
		if (strcmp(c->type, "sha-256") == 0)
			return mb->sha256;
		return NULL;
	}
	if (!mb->decompressed)
		*why = mb->error[0] != '\0' ? mb->error : "cannot decompress";
	if (strcmp(c->type, "sha-256") == 0)
		return mb->sha256_expanded;
	if (strcmp(c->type, "sha-1") == 0)
		return mb->sha1_expanded;
	return NULL;
}

/*
 * The digests check_payloads will compare for one descriptor payload,
 * as digest_for picks them, so that the scan computes those and no
 * others.  A payload no digest covers still gets its gzip CRC-32 checked.
 */
static unsigned
payload_digests(const struct depot_payload *p)
{
	const struct depot_checksum *c;
	unsigned want = p->uncompressed_size != 0 ? VIB_WANT_EXPAND : 0;
	bool gunzip;

	for (size_t k = 0; k < p->nchecksums; k++) {
		c = &p->checksums[k];
		gunzip = c->verify_process != NULL &&
		    strcmp(c->verify_process, "gunzip") == 0;
		if (c->verify_process != NULL && *c->verify_process != '\0' &&
		    !gunzip)
			continue;
		if (strcmp(c->type, "sha-256-gunzip1") == 0)
			want |= VIB_WANT_GUNZIP1;
		else if (strcmp(c->type, "sha-256") == 0)
			want |= gunzip ? VIB_WANT_SHA256 : VIB_WANT_RAW;
		else if (gunzip && strcmp(c->type, "sha-1") == 0)
			want |= VIB_WANT_SHA1;
	}
	if ((want & ~VIB_WANT_EXPAND) == 0)
		want |= VIB_WANT_CHECK;
	return want;
}

/*
 * descriptor.xml, parsed once: by the scan's first payload (which comes
 * after it in every VIB), or after the scan when it has no payload.
 */
struct descriptor_parse {
	struct verify_vib *v;
	const char *what;
	bool file_checked; /* a whole-VIB sha-256 is compared */
	bool tried;
	struct xdoc doc;
	struct dv_error err; /* why it did not parse */
};

static void
parse_descriptor(struct descriptor_parse *dp, const struct sbuf *desc)
{
	struct sbuf label = SBUF_INIT(SBUF_NOCAP);

	dp->tried = true;
	sbuf_addf(&label, "%s: descriptor.xml", dp->what);
	if (xml_parse(desc->buf, desc->len, label.buf, &dp->doc,
	    &dp->err) != 0 || parse_vib(&dp->v->arena, dp->doc.root,
	    label.buf, false, &dp->v->descriptor, &dp->err) != 0)
		dp->v->descriptor = NULL;
	sbuf_release(&label);
}

/* vib_want.payload: what the descriptor lists for the member name. */
static unsigned
wanted_digests(void *ctx, const struct sbuf *descriptor, const char *name)
{
	struct descriptor_parse *dp = ctx;
	const struct depot_vib *d;
	unsigned want = 0;

	if (!dp->tried)
		parse_descriptor(dp, descriptor);
	if ((d = dp->v->descriptor) == NULL)
		return 0; /* nothing will be compared */
	for (size_t i = 0; i < d->npayloads; i++)
		if (strcmp(d->payloads[i].name, name) == 0)
			want |= payload_digests(&d->payloads[i]);
	/*
	 * Digests of the expanded bytes leave each gzip member's trailer
	 * (CRC-32 and length) unseen, and gunzip on the host refuses a
	 * changed one: unless a digest covers the stored bytes (the
	 * payload's own sha-256 or the whole VIB's), zlib checks them.
	 */
	if (want != 0 && (want & VIB_WANT_RAW) == 0 && !dp->file_checked)
		want |= VIB_WANT_CHECK;
	return want;
}

static void
check_payloads(struct verify_vib *v, const struct depot_vib *d,
    const struct vib_scan *s)
{
	const struct depot_payload *p;
	const struct depot_checksum *c;
	const struct vib_member *mb;
	const char *got, *why;
	bool has_sha256, said_why, compared;
	size_t i, k;

	for (i = 0; i < d->npayloads; i++) {
		p = &d->payloads[i];
		mb = find_member(s, p->name);
		if (mb == NULL) {
			FAIL(v, "could not find file object for payload '%s'",
			    p->name);
			continue;
		}
		if (mb->size != p->size)
			FAIL(v, "payload '%s' is %llu bytes, the descriptor says "
			    "%llu", p->name, (unsigned long long)mb->size,
			    (unsigned long long)p->size);
		if (p->uncompressed_size != 0 && mb->decompressed &&
		    mb->expanded_size != p->uncompressed_size)
			FAIL(v, "payload '%s' expands to %llu bytes, the "
			    "descriptor says %llu", p->name,
			    (unsigned long long)mb->expanded_size,
			    (unsigned long long)p->uncompressed_size);
		has_sha256 = said_why = compared = false;
		for (k = 0; k < p->nchecksums; k++) {
			c = &p->checksums[k];
			got = digest_for(c, mb, &why);
			if (strcmp(c->type, "sha-256") == 0 ||
			    strcmp(c->type, "sha-256-gunzip1") == 0)
				has_sha256 = true;
			compared |= got != NULL;
			if (got == NULL) {
				NOTE(v, "payload '%s': %s%s%s checksum not "
				    "checked", p->name, c->type,
				    c->verify_process ? " " : "",
				    c->verify_process ? c->verify_process : "");
			} else if (why != NULL) {
				/* One reason stops every digest past it. */
				if (!said_why)
					FAIL(v, "payload '%s': %s", p->name,
					    why);
				said_why = true;
			} else if (strcmp(got, c->value) != 0) {
				FAIL(v, "payload '%s' %s%s%s checksum mismatch: "
				    "%s calculated, %s expected", p->name,
				    c->type, c->verify_process ? " " : "",
				    c->verify_process ? c->verify_process : "",
				    got, c->value);
			}
		}
		/*
		 * Damage no digest spoke of: a payload with no digest (its gzip
		 * CRC-32s were the check), or an uncompressed-size that could
		 * not be checked.
		 */
		if (!said_why && mb->error[0] != '\0' &&
		    (!compared || p->uncompressed_size != 0))
			FAIL(v, "payload '%s': %s", p->name, mb->error);
		if (!has_sha256)
			NOTE(v, "payload '%s' has no sha-256 checksum, which "
			    "ESXi 8 and later refuse", p->name);
	}
	for (i = 0; i < s->nmembers; i++) {
		for (k = 0; k < d->npayloads; k++)
			if (strcmp(s->members[i].name, d->payloads[k].name) == 0)
				break;
		if (k == d->npayloads) {
			char shown[sizeof(s->members[i].name)];
			/* The name is the file's; keep control bytes out. */
			for (k = 0; k < sizeof(shown); k++)
				shown[k] = (unsigned char)s->members[i].name[k] <
				    0x20 && s->members[i].name[k] != '\0' ? '?' :
				    s->members[i].name[k];
			shown[sizeof(shown) - 1] = '\0';
			FAIL(v, "member '%s' is not a payload of the descriptor",
			    shown);
		}
	}
}

static bool
is_acceptance_signer(const struct sig_result *r)
{
	return strcasecmp(r->org, "VMware Inc") == 0 &&
	    strcasecmp(r->org_unit, "Acceptance Signing") == 0;
}

/*
 * ESXi's rule (vib-and-workflow.md B.2): certified VIBs are checked
 * against vmware.cert, which holds the signer itself; accepted needs
 * VMware's acceptance-signing signer, partner must not be it; community
 * signatures are not checked at all.
 */
static void
check_signature(struct verify_vib *v, const struct vib_scan *s,
    enum dv_acceptance level, const struct sig_trust *trust)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_result *r = &v->sig;

	if (sig_verify(s->signature.buf, s->signature.len, s->descriptor.buf,
	    s->descriptor.len, trust, r, &err) != 0) {
		FAIL(v, "signature: %s", err.msg);
		return;
	}
	switch (r->status) {
	case SIG_UNSIGNED:
		if (level != DV_ACCEPT_COMMUNITY)
			FAIL(v, "unsigned (empty sig.pkcs7), but the acceptance "
			    "level is %s", dv_acceptance_name(level));
		return;
	case SIG_MALFORMED:
		FAIL(v, "signature: malformed sig.pkcs7: %s", r->detail);
		return;
	case SIG_DIGEST_MISMATCH:
		FAIL(v, "signature does not match descriptor.xml: %s",
		    r->detail);
		return;
	case SIG_UNTRUSTED:
		if (level == DV_ACCEPT_COMMUNITY)
			NOTE(v, "signer not trusted (%s), not needed for "
			    "community level", r->detail);
		else if (r->anchor_wanted[0] != '\0')
			FAIL(v, "signer %s is not trusted: %s; give --trust a "
			    "PEM file holding the certificate of %s",
			    r->subject, r->detail, r->anchor_wanted);
		else
			FAIL(v, "signer %s is not trusted: %s", r->subject,
			    r->detail);
		return;
	case SIG_OK:
		break;
	}
	if (trust == NULL)
		return;
	if (level == DV_ACCEPT_CERTIFIED && !r->signer_is_anchor)
		FAIL(v, "signer %s is not valid for the certified level: the "
		    "signer itself must be a trust anchor", r->subject);
	else if (level == DV_ACCEPT_ACCEPTED && !is_acceptance_signer(r))
		FAIL(v, "signer %s is not valid for the accepted level: it "
		    "needs O=VMware Inc, OU=Acceptance Signing", r->subject);
	else if (level == DV_ACCEPT_PARTNER && is_acceptance_signer(r))
		FAIL(v, "signer %s is not valid for the partner level",
		    r->subject);
}

void
verify_vib_init(struct verify_vib *v, const struct depot_vib *meta)
{
	memset(v, 0, sizeof(*v));
	v->meta = meta;
	vib_scan_init(&v->scan);
}

void
verify_vib_run(struct verify_vib *v, const struct byte_source *src,
    const char *what, const struct sig_trust *trust, bool keep)
{
	const struct depot_vib *m = v->meta;
	struct dv_error err = DV_ERROR_INIT;
	struct descriptor_parse dp = {0};
	struct vib_want want = {0};

	dp.v = v;
	dp.what = what;
	/* The whole file's digest: when a record gives it, or to show it. */
	dp.file_checked = m != NULL && (m->sha256 != NULL ||
	    (m->has_legacy && m->legacy_sha256 != NULL));
	want.file_sha256 = m == NULL || keep || dp.file_checked;
	want.payload = wanted_digests;
	want.ctx = &dp;
	if (vib_scan_want(src, what, &want, &v->scan, &err) != 0) {
		FAIL(v, "%s", err.msg);
		v->descriptor = NULL;
		goto out;
	}
	v->scanned = true;
	if (m != NULL && m->has_packed_size &&
	    m->packed_size != v->scan.file_size)
		FAIL(v, "size is %llu bytes, the metadata says %llu",
		    (unsigned long long)v->scan.file_size,
		    (unsigned long long)m->packed_size);
	if (m != NULL && m->sha256 != NULL &&
	    strcmp(m->sha256, v->scan.file_sha256) != 0)
		FAIL(v, "sha-256 mismatch: %s calculated, %s expected",
		    v->scan.file_sha256, m->sha256);
	if (m != NULL && m->has_legacy) {
		if (m->legacy_packed_size != v->scan.file_size)
			FAIL(v, "size is %llu bytes, vmware.xml says %llu",
			    (unsigned long long)v->scan.file_size,
			    (unsigned long long)m->legacy_packed_size);
		if (m->legacy_sha256 != NULL &&
		    strcmp(m->legacy_sha256, v->scan.file_sha256) != 0)
			FAIL(v, "sha-256 differs from vmware.xml's %s",
			    m->legacy_sha256);
	}
	if (m != NULL && m->sha256 == NULL && !m->has_legacy)
		NOTE(v, "the metadata gives no sha-256 for the whole VIB");
	if (!dp.tried)
		parse_descriptor(&dp, &v->scan.descriptor);
	if (v->descriptor == NULL) {
		FAIL(v, "%s", dp.err.msg);
	} else {
		if (m != NULL)
			check_descriptor(v, m, v->descriptor);
		check_payloads(v, v->descriptor, &v->scan);
	}
	check_signature(v, &v->scan, v->descriptor != NULL ?
	    v->descriptor->acceptance : m != NULL ? m->acceptance :
	    DV_ACCEPT_COMMUNITY, trust);
out:
	v->ok = dv_diags_first(&v->diags, DV_DIAG_FAIL) == NULL;
	xdoc_release(&dp.doc);
	if (!keep) {
		vib_scan_release(&v->scan);
		arena_release(&v->arena);
		v->descriptor = NULL;
	}
}

void
verify_vib_release(struct verify_vib *v)
{
	dv_diags_release(&v->diags);
	vib_scan_release(&v->scan);
	arena_release(&v->arena);
	v->descriptor = NULL;
}

/* ---- the depot: structure, then every VIB over worker threads ------- */

struct worker_pool {
	const struct depot *d;
	const struct verify_opts *o;
	struct verify_report *r;
	atomic_size_t next;
	size_t ntasks;	       /* the side tasks, then the VIBs */
	size_t *order;	       /* VIB indexes, the largest file first */
	atomic_int error;      /* first error code, or 0 */
	struct dv_error err;   /* set by the worker that set error */
	pthread_mutex_t lock;
};

/* A VIB read from the depot zip, counted for the progress line. */
struct counted_stream {
	struct zipstream *zs;
	const struct byte_source *file; /* an unpacked depot's, else NULL */
	struct dv_progress *progress;
};

static long
zip_source_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct counted_stream *cs = ctx;
	long n = cs->file != NULL ? cs->file->read(cs->file->ctx, buf, len,
	    err) : zipstream_read(cs->zs, buf, len, err);

	if (n > 0)
		dv_progress_bytes(cs->progress, (uint64_t)n);
	return n;
}

/* A VIB of an unpacked depot (a folder: no zip handle). */
static void
verify_in_folder(struct worker_pool *pool, struct verify_vib *v)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot_vib_file *f = NULL;
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);

	if (v->meta->member == NULL) {
		FAIL(v, v->meta->relative_path == NULL ? "no relative-path" :
		    "relative-path '%s' is a remote URL, not in the depot",
		    v->meta->relative_path);
	} else if (depot_open_vib(pool->d, v->meta, &f, &err) != 0) {
		if (err.code == DV_EMISSING)
			FAIL(v, "file %s is missing", v->meta->member);
		else
			FAIL(v, "%s", err.msg);
	} else {
		struct counted_stream cs = {NULL, depot_vib_file_source(f),
		    pool->o->progress};
		struct byte_source src = {zip_source_read, &cs};
		sbuf_addf(&what, "%s: %s", pool->d->path, v->meta->member);
		verify_vib_run(v, &src, what.buf, pool->o->trust, false);
	}
	v->ok = dv_diags_first(&v->diags, DV_DIAG_FAIL) == NULL;
	dv_progress_item_done(pool->o->progress);
	depot_vib_file_close(f);
	sbuf_release(&what);
}

static void
verify_in_zip(struct worker_pool *pool, struct zipfile *zip,
    struct verify_vib *v)
{
	const struct depot_vib *m = v->meta;
	struct dv_error err = DV_ERROR_INIT;
	struct zipstream *zs = NULL;
	struct counted_stream cs = {NULL, NULL, NULL};
	struct byte_source src;
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	long idx;

	if (m->member == NULL) {
		FAIL(v, m->relative_path == NULL ? "no relative-path" :
		    "relative-path '%s' is a remote URL, not in the depot",
		    m->relative_path);
		goto out;
	}
	idx = zipfile_find(zip, m->member);
	if (idx < 0) {
		FAIL(v, "file %s is missing", m->member);
		goto out;
	}
	/* The metadata's SHA-256 is the check of the zip member's bytes. */
	if ((m->sha256 != NULL || (m->has_legacy && m->legacy_sha256 != NULL) ?
	    zipstream_open_covered(zip, (size_t)idx, &zs, &err) :
	    zipstream_open(zip, (size_t)idx, &zs, &err)) != 0) {
		FAIL(v, "%s", err.msg);
		goto out;
	}
	sbuf_addf(&what, "%s: %s", pool->d->path, m->member);
	cs.zs = zs;
	cs.progress = pool->o->progress;
	src.read = zip_source_read;
	src.ctx = &cs;
	verify_vib_run(v, &src, what.buf, pool->o->trust, false);
out:
	v->ok = dv_diags_first(&v->diags, DV_DIAG_FAIL) == NULL;
	dv_progress_item_done(pool->o->progress);
	zipstream_close(zs);
	sbuf_release(&what);
}

/* The first error of any worker is the pool's. */
static void
pool_fail(struct worker_pool *pool, const struct dv_error *err)
{
	pthread_mutex_lock(&pool->lock);
	if (atomic_load(&pool->error) == 0) {
		pool->err = *err;
		atomic_store(&pool->error, err->code != 0 ? err->code : DV_EIO);
	}
	pthread_mutex_unlock(&pool->lock);
}

static void
side_task(struct worker_pool *pool, size_t i)
{
	struct dv_error err = DV_ERROR_INIT;

	if (pool->o->side(pool->o->side_ctx, i, &err) != 0)
		pool_fail(pool, &err);
}

static void *
worker(void *arg)
{
	struct worker_pool *pool = arg;
	struct dv_error err = DV_ERROR_INIT;
	struct zipfile *zip = NULL;
	size_t i;

	/* libzip handles are not shared between threads: one each. */
	if (source_kind(pool->d->source) == SOURCE_ZIP &&
	    depot_reopen(pool->d, &zip, &err) != 0) {
		pool_fail(pool, &err);
		return NULL;
	}
	/* The side tasks are tasks 0 to nside - 1, VIB i is nside + i. */
	while ((i = atomic_fetch_add(&pool->next, 1)) < pool->ntasks &&
	    atomic_load(&pool->error) == 0) {
		if (i < pool->o->nside)
			side_task(pool, i);
		else if (zip == NULL)
			verify_in_folder(pool, &pool->r->vibs[
			    pool->order[i - pool->o->nside]]);
		else
			verify_in_zip(pool, zip, &pool->r->vibs[
			    pool->order[i - pool->o->nside]]);
	}
	zipfile_close(zip);
	return NULL;
}

static void
structure_failure(struct verify_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
structure_failure(struct verify_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dv_diag_vadd(&r->structure, DV_DIAG_FAIL, DV_EMISSING, fmt, ap);
	va_end(ap);
	r->failed++;
}

/* Profiles and bulletins name only VIBs that exist; no VIB file is loose. */
static int
check_structure(const struct depot *d, struct verify_report *r,
    struct dv_error *err)
{
	struct zipfile *zip = NULL;
	struct zip_entry e;
	struct sbuf list = SBUF_INIT(SBUF_NOCAP);
	size_t i, j, n;
	bool used;
	int ret;

	for (i = 0; i < d->nprofiles; i++) {
		const struct depot_profile *p = d->profiles[i];
		if (p->missing_vib_ids.n == 0)
			continue;
		sbuf_reset(&list);
		/* Five ids say enough; a hostile profile may name 100,000. */
		for (j = 0; j < p->missing_vib_ids.n && j < 5; j++)
			sbuf_addf(&list, "%s%s", j ? ", " : "",
			    p->missing_vib_ids.v[j]);
		if (p->missing_vib_ids.n > 5)
			sbuf_addf(&list, " and %zu more",
			    p->missing_vib_ids.n - 5);
		structure_failure(r, "profile %s: VIBs %s cannot be found in "
		    "the depot", p->name, list.buf);
	}
	for (i = 0; i < d->nbulletins; i++) {
		const struct depot_bulletin *b = d->bulletins[i];
		sbuf_reset(&list);
		for (j = n = 0; j < b->vib_ids.n; j++)
			if (depot_find_vib(d, b->vib_ids.v[j]) == NULL)
				sbuf_addf(&list, "%s%s", n++ ? ", " : "",
				    b->vib_ids.v[j]);
		if (n > 0)
			structure_failure(r, "component %s: VIBs %s cannot be "
			    "found in the depot", b->id, list.buf);
	}
	/* A folder's loose files are 'depot check''s to list. */
	if (source_kind(d->source) != SOURCE_ZIP) {
		ret = 0;
		goto out;
	}
	if ((ret = depot_reopen(d, &zip, err)) != 0)
		goto out;
	for (i = 0; i < zipfile_count(zip); i++) {
		if ((ret = zipfile_entry(zip, i, &e, err)) != 0)
			goto out;
		if (e.kind != ZIP_ENTRY_FILE || !dv_has_suffix(e.name, ".vib"))
			continue;
		used = false;
		for (j = 0; j < d->nvibs && !used; j++)
			used = d->vibs[j]->member != NULL &&
			    strcmp(d->vibs[j]->member, e.name) == 0;
		if (!used)
			dv_diag_add(&r->structure, DV_DIAG_WARNING, 0, "%s is "
			    "not referenced by any VIB metadata", e.name);
	}
	ret = 0;
out:
	zipfile_close(zip);
	sbuf_release(&list);
	return ret;
}

struct by_size {
	uint64_t size;
	size_t index;
};

static int
by_size_cmp(const void *a, const void *b)
{
	const struct by_size *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * The order the workers take the VIBs in: largest first (by the size the
 * metadata gives), so that the last VIB to start is a small one and the
 * jobs end together, not one big VIB alone on one core at the end.
 */
static size_t *
largest_first(const struct depot *d)
{
	struct by_size *s = xcalloc(d->nvibs + 1, sizeof(*s));
	size_t *order = xcalloc(d->nvibs + 1, sizeof(*order));
	size_t i;

	for (i = 0; i < d->nvibs; i++) {
		s[i].size = d->vibs[i]->packed_size;
		s[i].index = i;
	}
	if (d->nvibs > 1)
		qsort(s, d->nvibs, sizeof(*s), by_size_cmp);
	for (i = 0; i < d->nvibs; i++)
		order[i] = s[i].index;
	free(s);
	return order;
}

int
depot_verify(const struct depot *d, const struct verify_opts *o,
    struct verify_report *r, struct dv_error *err)
{
	struct worker_pool pool;
	pthread_t *threads = NULL;
	int jobs, started = 0, ret;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->trust_checked = o->trust != NULL;
	r->nvibs = d->nvibs;
	r->vibs = xcalloc(d->nvibs + 1, sizeof(*r->vibs));
	for (i = 0; i < d->nvibs; i++)
		verify_vib_init(&r->vibs[i], d->vibs[i]);
	if ((ret = check_structure(d, r, err)) != 0)
		return ret;
	for (i = 0; i < d->nvibs && o->progress != NULL; i++)
		dv_progress_plan(o->progress, 1, d->vibs[i]->packed_size);
	memset(&pool, 0, sizeof(pool));
	pool.d = d;
	pool.o = o;
	pool.r = r;
	atomic_init(&pool.next, 0);
	pool.ntasks = d->nvibs + o->nside;
	pool.order = largest_first(d);
	atomic_init(&pool.error, 0);
	pthread_mutex_init(&pool.lock, NULL);
	jobs = o->jobs < 1 ? 1 : o->jobs;
	if ((size_t)jobs > pool.ntasks)
		jobs = pool.ntasks > 0 ? (int)pool.ntasks : 1;
	threads = xcalloc((size_t)jobs, sizeof(*threads));
	for (int t = 1; t < jobs; t++)
		if (pthread_create(&threads[t], NULL, worker, &pool) == 0)
			started = t;
		else
			break;
	worker(&pool); /* the calling thread works too */
	for (int t = 1; t <= started; t++)
		pthread_join(threads[t], NULL);
	free(threads);
	free(pool.order);
	pthread_mutex_destroy(&pool.lock);
	if (atomic_load(&pool.error) != 0) {
		*err = pool.err;
		return -pool.err.code;
	}
	for (i = 0; i < r->nvibs; i++)
		if (!r->vibs[i].ok)
			r->failed++;
	return 0;
}

void
verify_report_release(struct verify_report *r)
{
	for (size_t i = 0; i < r->nvibs; i++)
		verify_vib_release(&r->vibs[i]);
	free(r->vibs);
	dv_diags_release(&r->structure);
	memset(r, 0, sizeof(*r));
}
