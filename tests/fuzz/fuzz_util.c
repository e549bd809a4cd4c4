/* fuzz_util.c - setup, a chunked memory source and the depot walker. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../depot/depot_int.h"
#include "../../depot/json.h"
#include "../../depot/verify.h"
#include "fuzz.h"

void
fuzz_init(void)
{
	static bool done;

	/* Each input is a run of its own: a fresh inflation budget. */
	dv_inflate_reset();
	if (!done) {
		xml_library_init();
		done = true;
	}
}

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz property broken: %s\n", file, line, what);
	fflush(stderr);
	abort();
}

/* ---- a memory byte_source -------------------------------------------- */

static long
mem_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	struct fuzz_mem *m = ctx;
	size_t n = m->size - m->pos;

	(void)err;
	if (n > len)
		n = len;
	if (m->chunk != 0 && n > m->chunk)
		n = m->chunk;
	if (n > 0)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (long)n;
}

void
fuzz_mem_source(struct fuzz_mem *m, const uint8_t *data, size_t size,
    size_t chunk, struct byte_source *src)
{
	m->data = data;
	m->size = size;
	m->pos = 0;
	m->chunk = chunk;
	src->read = mem_read;
	src->ctx = m;
}

/* ---- a strict JSON checker (RFC 8259, UTF-8) ------------------------- */

struct jp {
	const unsigned char *p, *end;
	int depth;
};

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool
jp_lit(struct jp *j, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n) != 0)
		return false;
	j->p += n;
	return true;
}

/* One UTF-8 sequence: shortest form, no surrogates, at most U+10FFFF. */
static bool
jp_utf8(struct jp *j)
{
	unsigned c = *j->p, cp;
	size_t n, i;

	if (c < 0x80) {
		j->p++;
		return true;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return false;
	if ((size_t)(j->end - j->p) < n)
		return false;
	for (i = 1; i < n; i++) {
		if ((j->p[i] & 0xc0) != 0x80)
			return false;
		cp = (cp << 6) | (j->p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return false;
	j->p += n;
	return true;
}

static bool
jp_string(struct jp *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return false;
		if (*j->p == '\\') {
			j->p++;
			if (j->p >= j->end)
				return false;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (j->p + i >= j->end ||
					    strchr("0123456789abcdefABCDEF",
					    j->p[i]) == NULL || j->p[i] == 0)
						return false;
				j->p += 5;
			} else if (strchr("\"\\/bfnrt", *j->p) != NULL &&
			    *j->p != 0) {
				j->p++;
			} else {
				return false;
			}
		} else if (!jp_utf8(j)) {
			return false;
		}
	}
	if (j->p >= j->end)
		return false;
	j->p++;
	return true;
}

static bool
jp_number(struct jp *j)
{
	const unsigned char *s = j->p;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return false;
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return false;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static bool jp_value(struct jp *j);

static bool
jp_container(struct jp *j, char close, bool object)
{
	bool first = true;

	j->p++;
	if (++j->depth > 200)
		return false;
	for (;;) {
		jp_ws(j);
		if (j->p < j->end && *j->p == close && first) {
			j->p++;
			break;
		}
		if (object) {
			if (!jp_string(j))
				return false;
			jp_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return false;
			j->p++;
		}
		if (!jp_value(j))
			return false;
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			first = false;
			jp_ws(j);
			if (j->p < j->end && *j->p == close)
				return false;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			break;
		}
		return false;
	}
	j->depth--;
	return true;
}

static bool
jp_value(struct jp *j)
{
	jp_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
		return jp_container(j, '}', true);
	case '[':
		return jp_container(j, ']', false);
	case '"':
		return jp_string(j);
	case 't':
		return jp_lit(j, "true");
	case 'f':
		return jp_lit(j, "false");
	case 'n':
		return jp_lit(j, "null");
	default:
		return jp_number(j);
	}
}

bool
fuzz_json_valid(const char *buf, size_t len)
{
	struct jp j;

	j.p = (const unsigned char *)buf;
	j.end = j.p + len;
	j.depth = 0;
	if (!jp_value(&j))
		return false;
	jp_ws(&j);
	return j.p == j.end;
}

/* ---- the depot walker ------------------------------------------------ */

/*
 * Read every byte of a string the model hands out, so AddressSanitizer
 * sees a dangling or unterminated one, and fold it into a sum the
 * compiler cannot drop.
 */
static volatile size_t sink;

static void
touch(const char *s)
{
	if (s != NULL)
		sink += strlen(s);
}

static void
touch_time(const struct dv_time *t)
{
	char buf[20];

	dv_time_format(t, buf);
	FUZZ_ASSERT(strlen(buf) < sizeof(buf));
	sink += strlen(buf);
}

static void
touch_list(const struct dv_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		touch(l->v[i]);
}

static void
touch_platforms(const struct depot_platforms *p)
{
	for (size_t i = 0; i < p->n; i++) {
		touch(p->v[i].product);
		touch(p->v[i].version);
		touch(p->v[i].locale);
	}
}

static void
touch_relations(const struct depot_relations *r)
{
	for (size_t i = 0; i < r->n; i++) {
		touch(r->v[i].name);
		touch(r->v[i].relation);
		touch(r->v[i].version);
	}
}

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static void
json_vib(struct dv_json *j, const struct depot_vib *v)
{
	dv_json_object_begin(j, NULL);
	dv_json_string(j, "id", v->id);
	dv_json_string(j, "name", v->name);
	dv_json_string(j, "version", v->version);
	dv_json_string(j, "vendor", v->vendor);
	dv_json_string(j, "summary", v->summary);
	dv_json_string(j, "acceptance", dv_acceptance_name(v->acceptance));
	dv_json_string(j, "member", v->member);
	dv_json_uint(j, "packed-size", v->packed_size);
	dv_json_bool(j, "live-install", v->live_install);
	dv_json_array_begin(j, "tags");
	for (size_t i = 0; i < v->tags.n; i++)
		dv_json_string(j, NULL, v->tags.v[i]);
	dv_json_array_end(j);
	dv_json_object_end(j);
}

void
fuzz_touch_vib(const struct depot_vib *v)
{
	touch(v->id);
	touch(v->name);
	touch(v->version);
	touch(v->vendor);
	touch(v->type);
	touch(v->summary);
	touch(v->description);
	touch(dv_acceptance_name(v->acceptance));
	touch(dv_acceptance_display(v->acceptance));
	touch_time(&v->release_date);
	touch_relations(&v->depends);
	touch_relations(&v->conflicts);
	touch_relations(&v->replaces);
	touch_relations(&v->provides);
	touch_platforms(&v->platforms);
	touch_list(&v->tags);
	for (size_t i = 0; i < v->npayloads; i++) {
		const struct depot_payload *p = &v->payloads[i];
		touch(p->name);
		touch(p->type);
		for (size_t k = 0; k < p->nchecksums; k++) {
			touch(p->checksums[k].type);
			touch(p->checksums[k].verify_process);
			touch(p->checksums[k].value);
		}
	}
	touch(v->relative_path);
	touch(v->member);
	touch(v->metadata);
	touch(v->source);
	touch(v->sha256);
	touch(v->legacy_sha256);
}

void
fuzz_touch_bulletin(const struct depot_bulletin *b)
{
	touch(b->id);
	touch(b->vendor);
	touch(b->summary);
	touch(b->description);
	touch(b->severity);
	touch(b->category);
	touch(b->urgency);
	touch(b->release_type);
	touch(b->kb_url);
	touch(b->contact);
	touch(b->comp_name);
	touch(b->comp_name_ui);
	touch(b->comp_version);
	touch(b->comp_version_ui);
	touch_time(&b->release_date);
	touch_platforms(&b->platforms);
	touch_list(&b->vib_ids);
	touch(b->source);
}

void
fuzz_touch_profile(const struct depot_profile *p)
{
	touch(p->name);
	touch(p->creator);
	touch(p->profile_id);
	touch(p->description);
	touch_time(&p->creation_time);
	touch_time(&p->modification_time);
	touch(dv_acceptance_name(p->acceptance));
	touch_list(&p->vib_ids);
	touch_list(&p->bulletin_ids);
	touch_list(&p->missing_vib_ids);
	touch(p->source);
}

static void
walk_vib(const struct depot *d, const struct depot_vib *v)
{
	const struct depot_vib *found;

	fuzz_touch_vib(v);
	/* Every VIB listed can be found again by its id. */
	if (v->id != NULL) {
		found = depot_find_vib(d, v->id);
		FUZZ_ASSERT(found != NULL);
		FUZZ_ASSERT(strcmp(found->id, v->id) == 0);
	}
	/* The member a VIB resolves to never leaves the zip. */
	if (v->member != NULL)
		FUZZ_ASSERT(dv_path_check(v->member) == 0);
	if (v->version != NULL)
		FUZZ_ASSERT(dv_version_cmp(v->version, v->version) == 0);
}

static void
walk_verify(const struct depot *d)
{
	struct verify_opts o = {NULL, 1};
	struct verify_report r;
	struct dv_error err = DV_ERROR_INIT;

	if (depot_verify(d, &o, &r, &err) != 0)
		touch(err.msg);
	for (size_t i = 0; i < r.nvibs; i++) {
		for (size_t k = 0; k < r.vibs[i].diags.n; k++)
			touch(r.vibs[i].diags.v[k].msg);
		touch(r.vibs[i].sig.subject);
		touch(r.vibs[i].sig.detail);
		/* A verdict of "ok" is never given with a problem listed. */
		FUZZ_ASSERT(r.vibs[i].ok == (dv_diags_count(&r.vibs[i].diags,
		    DV_DIAG_FAIL) == 0));
	}
	for (size_t i = 0; i < r.structure.n; i++)
		touch(r.structure.v[i].msg);
	verify_report_release(&r);
}

void
fuzz_walk_depot(const struct depot *d)
{
	struct dv_error err = DV_ERROR_INIT;
	const struct depot_profile *p;
	char *json = NULL;
	size_t jsonlen = 0, i;
	struct dv_json j;
	FILE *fp;
	int ret;

	touch(d->path);
	for (i = 0; i < d->warnings.n; i++)
		touch(d->warnings.v[i].msg);
	for (i = 0; i < d->nvendors; i++) {
		touch(d->vendors[i].name);
		touch(d->vendors[i].code);
		touch(d->vendors[i].index_member);
		FUZZ_ASSERT(dv_path_check(d->vendors[i].index_member) == 0);
	}
	for (i = 0; i < d->nmetadata; i++) {
		touch(d->metadata[i].member);
		touch_platforms(&d->metadata[i].platforms);
		FUZZ_ASSERT(dv_path_check(d->metadata[i].member) == 0);
	}
	for (i = 0; i < d->nvibs; i++) {
		walk_vib(d, d->vibs[i]);
		walk_vib(d, d->vibs_by_id[i]);
		if (i > 0) {
			const char *a = d->vibs[i - 1]->version;
			const char *b = d->vibs[i]->version;
			/* The version order is a total order: antisymmetric. */
			if (a != NULL && b != NULL)
				FUZZ_ASSERT(sign(dv_version_cmp(a, b)) ==
				    -sign(dv_version_cmp(b, a)));
		}
	}
	for (i = 0; i < d->nbulletins; i++) {
		const struct depot_bulletin *b = d->bulletins[i];
		fuzz_touch_bulletin(b);
		for (size_t k = 0; k < b->vib_ids.n; k++)
			touch(depot_find_vib(d, b->vib_ids.v[k]) != NULL ?
			    "found" : NULL);
	}
	for (i = 0; i < d->nprofiles; i++) {
		p = d->profiles[i];
		fuzz_touch_profile(p);
		(void)depot_profile_stateless_ready(d, p);
		/* A listed profile's name finds it, or says it is ambiguous. */
		if (p->name != NULL) {
			const struct depot_profile *q = NULL;
			ret = depot_find_profile(d, p->name, &q, &err);
			FUZZ_ASSERT(ret == 0 || ret == -DV_EAMBIGUOUS);
			if (ret == 0) {
				FUZZ_ASSERT(q != NULL);
				FUZZ_ASSERT(strcmp(q->name, p->name) == 0);
			}
		}
	}
	ret = depot_find_profile(d, "no such profile \x01", &p, &err);
	FUZZ_ASSERT(ret != 0);

	/* The model as JSON, as "depot info --json" writes it. */
	if ((fp = open_memstream(&json, &jsonlen)) != NULL) {
		dv_json_init(&j, fp);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "path", d->path);
		dv_json_array_begin(&j, "vendors");
		for (i = 0; i < d->nvendors; i++) {
			dv_json_object_begin(&j, NULL);
			dv_json_string(&j, "name", d->vendors[i].name);
			dv_json_string(&j, "code", d->vendors[i].code);
			dv_json_object_end(&j);
		}
		dv_json_array_end(&j);
		dv_json_array_begin(&j, "vibs");
		for (i = 0; i < d->nvibs; i++)
			json_vib(&j, d->vibs[i]);
		dv_json_array_end(&j);
		dv_json_array_begin(&j, "profiles");
		for (i = 0; i < d->nprofiles; i++)
			dv_json_string(&j, NULL, d->profiles[i]->name);
		dv_json_array_end(&j);
		dv_json_array_begin(&j, "warnings");
		for (i = 0; i < d->warnings.n; i++)
			dv_json_string(&j, NULL, d->warnings.v[i].msg);
		dv_json_array_end(&j);
		dv_json_object_end(&j);
		dv_json_finish(&j);
		fclose(fp);
		FUZZ_ASSERT(fuzz_json_valid(json, jsonlen));
		free(json);
	}

	walk_verify(d);
}
