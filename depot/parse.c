/* parse.c - VIB, bulletin and image profile documents into model records. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "depot.h"
#include "depot_int.h"
#include "parse.h"

static const char *
dup_or_null(struct arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

static const char *
dup_or_empty(struct arena *a, const char *s)
{
	return arena_strdup(a, s != NULL ? s : "");
}

static int
parse_bool(const char *s, bool dflt, bool *out, struct dv_error *err,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int
parse_u64(const char *s, uint64_t *out, struct dv_error *err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * esximage's ParseXsdBoolean: 0/false/1/true, case-insensitive, and dflt
 * when the text is absent or empty.  Bad text is DV_EFORMAT with the
 * caller's message, which names the record and the field.
 */
static int
parse_bool(const char *s, bool dflt, bool *out, struct dv_error *err,
    const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (s == NULL || *s == '\0') {
		*out = dflt;
		return 0;
	}
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0) {
		*out = false;
		return 0;
	}
	va_start(ap, fmt);
	ret = dv_error_vset(err, DV_EFORMAT, fmt, ap);
	va_end(ap);
	return ret;
}

/* A non-negative decimal integer, as Python's int() takes it. */
static int
parse_u64(const char *s, uint64_t *out, struct dv_error *err,
    const char *fmt, ...)
{
	char *end = NULL;
	va_list ap;
	int ret;

	if (s != NULL) {
		while (isspace((unsigned char)*s))
			s++;
		if (isdigit((unsigned char)*s)) {
			errno = 0;
			*out = strtoull(s, &end, 10);
			while (isspace((unsigned char)*end))
				end++;
			if (errno == 0 && *end == '\0')
				return 0;
		}
	}
	va_start(ap, fmt);
	ret = dv_error_vset(err, DV_EFORMAT, fmt, ap);
	va_end(ap);
	return ret;
}

static size_t
count_children(const struct xnode *n, const char *name)
{
	const struct xnode *c;
	size_t k = 0;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (name == NULL || strcmp(c->name, name) == 0)
			k++;
	return k;
}

/* The text of every child named name (of parent), in order. */
static void
text_list(struct arena *a, const struct xnode *parent, const char *name,
    struct dv_strlist *out)
{
	const struct xnode *c;
	size_t k = 0;

	out->n = count_children(parent, name);
	out->v = arena_alloc(a, (out->n + 1) * sizeof(*out->v));
	for (c = parent != NULL ? parent->children : NULL; c != NULL;
	    c = c->next)
		if (strcmp(c->name, name) == 0)
			out->v[k++] = arena_strdup(a, c->text);
}

static void
platform_list(struct arena *a, const struct xnode *parent, const char *name,
    struct depot_platforms *out)
{
	const struct xnode *c;
	size_t k = 0;

	out->n = count_children(parent, name);
	out->v = arena_alloc(a, (out->n + 1) * sizeof(*out->v));
	for (c = parent != NULL ? parent->children : NULL; c != NULL;
	    c = c->next) {
		if (strcmp(c->name, name) != 0)
			continue;
		out->v[k].product = dup_or_empty(a,
		    xnode_attr(c, "productLineID"));
		out->v[k].version = dup_or_empty(a, xnode_attr(c, "version"));
		out->v[k].locale = dup_or_empty(a, xnode_attr(c, "locale"));
		k++;
	}
}

static void
relation_list(struct arena *a, const struct xnode *rels, const char *which,
    const char *item, struct depot_relations *out)
{
	const struct xnode *parent = xnode_child(rels, which), *c;
	size_t k = 0;

	out->n = count_children(parent, item);
	out->v = arena_alloc(a, (out->n + 1) * sizeof(*out->v));
	for (c = parent != NULL ? parent->children : NULL; c != NULL;
	    c = c->next) {
		if (strcmp(c->name, item) != 0)
			continue;
		out->v[k].name = dup_or_empty(a, xnode_attr(c, "name"));
		out->v[k].relation = dup_or_null(a, xnode_attr(c, "relation"));
		out->v[k].version = dup_or_null(a, xnode_attr(c, "version"));
		k++;
	}
}

static bool
is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return len == 0 || i == len;
}

static const char *
lower_hex(struct arena *a, const char *s)
{
	char *p = arena_strdup(a, s);

	for (char *q = p; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

static int
parse_payloads(struct arena *a, const struct xnode *root, const char *what,
    const char *vibname, struct depot_vib *v, struct dv_error *err)
{
	const struct xnode *pl = xnode_child(root, "payloads"), *p, *c;
	struct depot_payload *py;
	size_t k = 0, j, i;
	int ret;
	const char *s;

	v->npayloads = count_children(pl, "payload");
	v->payloads = arena_alloc(a, (v->npayloads + 1) * sizeof(*v->payloads));
	for (p = pl != NULL ? pl->children : NULL; p != NULL; p = p->next) {
		if (strcmp(p->name, "payload") != 0)
			continue;
		py = &v->payloads[k];
		py->name = dup_or_empty(a, xnode_attr(p, "name"));
		py->type = dup_or_empty(a, xnode_attr(p, "type"));
		for (i = 0; i < k; i++)
			if (strcmp(v->payloads[i].name, py->name) == 0)
				return dv_error_set(err, DV_EFORMAT,
				    "%s: VIB '%s' has duplicate payload name '%s'",
				    what, vibname, py->name);
		s = xnode_attr(p, "size");
		if ((ret = parse_u64(s, &py->size, err, "%s: VIB '%s' payload "
		    "'%s' has invalid size '%s'", what, vibname, py->name,
		    s != NULL ? s : "")) != 0)
			return ret;
		s = xnode_attr(p, "uncompressed-size");
		if (s != NULL && (ret = parse_u64(s, &py->uncompressed_size,
		    err, "%s: VIB '%s' payload '%s' has invalid "
		    "uncompressed-size '%s'", what, vibname, py->name, s)) != 0)
			return ret;
		py->nchecksums = count_children(p, "checksum");
		py->checksums = arena_alloc(a,
		    (py->nchecksums + 1) * sizeof(*py->checksums));
		j = 0;
		for (c = p->children; c != NULL; c = c->next) {
			if (strcmp(c->name, "checksum") != 0)
				continue;
			if (!is_hex(c->text, 0) || *c->text == '\0')
				return dv_error_set(err, DV_EFORMAT,
				    "%s: VIB '%s' payload '%s' has a checksum "
				    "that is not hex", what, vibname, py->name);
			py->checksums[j].type = dup_or_empty(a,
			    xnode_attr(c, "checksum-type"));
			py->checksums[j].verify_process = dup_or_null(a,
			    xnode_attr(c, "verify-process"));
			py->checksums[j].value = lower_hex(a, c->text);
			j++;
		}
		k++;
	}
	return 0;
}

/*
 * The maintenance-mode element: boolean text, or on-install/on-remove
 * attributes that refine it (vib20-common.rng).
 */
static int
parse_maintenance(const struct xnode *sr, struct depot_vib *v,
    const char *what, const char *name, struct dv_error *err)
{
	static const char bad[] = "%s: VIB '%s' has invalid maintenance-mode";
	const struct xnode *mm = xnode_child(sr, "maintenance-mode");
	bool both = false;
	int ret;

	if (mm == NULL) {
		v->maintenance_install = v->maintenance_remove = false;
		return 0;
	}
	if ((ret = parse_bool(mm->text, true, &both, err, bad, what,
	    name)) != 0 ||
	    (ret = parse_bool(xnode_attr(mm, "on-install"), both,
	    &v->maintenance_install, err, bad, what, name)) != 0 ||
	    (ret = parse_bool(xnode_attr(mm, "on-remove"), both,
	    &v->maintenance_remove, err, bad, what, name)) != 0)
		return ret;
	return 0;
}

int
parse_vib(struct arena *a, const struct xnode *root, const char *what,
    bool depot_form, struct depot_vib **out, struct dv_error *err)
{
	static const struct {
		const char *elem;
		size_t off;
		bool dflt;
	} flags[] = {
		{"live-install-allowed", offsetof(struct depot_vib, live_install), false},
		{"live-remove-allowed", offsetof(struct depot_vib, live_remove), false},
		{"stateless-ready", offsetof(struct depot_vib, stateless_ready), false},
		{"overlay", offsetof(struct depot_vib, overlay), false},
		{"cimom-restart", offsetof(struct depot_vib, cimom_restart), false},
	};
	struct depot_vib *v;
	const struct xnode *rels, *sr, *ck;
	const char *s, *name;
	struct sbuf id = SBUF_INIT(SBUF_NOCAP);
	int ret;

	*out = NULL;
	if (strcmp(root->name, "vib") != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: root element is <%s>, expected <vib>", what,
		    root->name);
	name = xnode_child_text(root, "name");
	if (name == NULL || *name == '\0')
		return dv_error_set(err, DV_EFORMAT, "%s: missing VIB name",
		    what);
	v = arena_alloc(a, sizeof(*v));
	v->name = arena_strdup(a, name);
	s = xnode_child_text(root, "version");
	if (s == NULL || *s == '\0' || strchr(s, '-') != strrchr(s, '-'))
		return dv_error_set(err, DV_EFORMAT,
		    "%s: VIB '%s': could not parse '%s' to a VIB version", what,
		    name, s != NULL ? s : "");
	v->version = arena_strdup(a, s);
	v->vendor = dup_or_empty(a, xnode_child_text(root, "vendor"));
	s = xnode_child_text(root, "type");
	v->type = arena_strdup(a, s != NULL && *s != '\0' ? s : "bootbank");
	if (strcmp(v->type, "bootbank") != 0 && strcmp(v->type, "meta") != 0 &&
	    strcmp(v->type, "locker") != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: VIB '%s' has invalid type '%s'", what, name, v->type);
	sbuf_addf(&id, "%s_%s_%s_%s", v->vendor, v->type, v->name, v->version);
	v->id = arena_strdup(a, id.buf);
	sbuf_release(&id);
	v->summary = dup_or_empty(a, xnode_child_text(root, "summary"));
	v->description = dup_or_empty(a, xnode_child_text(root, "description"));
	s = xnode_child_text(root, "acceptance-level");
	if (s == NULL || *s == '\0')
		v->acceptance = DV_ACCEPT_COMMUNITY;
	else if (dv_acceptance_parse(s, &v->acceptance) != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: VIB '%s' has invalid acceptance level '%s'", what,
		    name, s);
	s = xnode_child_text(root, "release-date");
	if (s != NULL && *s != '\0' && dv_time_parse(s, &v->release_date) != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: VIB '%s' has invalid release-date '%s'", what, name, s);
	rels = xnode_child(root, "relationships");
	relation_list(a, rels, "depends", "constraint", &v->depends);
	relation_list(a, rels, "conflicts", "constraint", &v->conflicts);
	relation_list(a, rels, "replaces", "constraint", &v->replaces);
	relation_list(a, rels, "provides", "provide", &v->provides);
	sr = xnode_child(root, "system-requires");
	if ((ret = parse_maintenance(sr, v, what, name, err)) != 0)
		return ret;
	platform_list(a, sr, "softwarePlatform", &v->platforms);
	text_list(a, xnode_child(root, "software-tags"), "tag", &v->tags);
	text_list(a, xnode_child(root, "file-list"), "file", &v->files);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		s = xnode_child_text(root, flags[i].elem);
		if ((ret = parse_bool(s, flags[i].dflt,
		    (bool *)((char *)v + flags[i].off), err,
		    "%s: VIB '%s' has invalid %s '%s'", what, name,
		    flags[i].elem, s)) != 0)
			return ret;
	}
	if ((ret = parse_payloads(a, root, what, name, v, err)) != 0)
		return ret;
	if (depot_form) {
		v->relative_path = dup_or_null(a,
		    xnode_child_text(root, "relative-path"));
		s = xnode_child_text(root, "packed-size");
		if (s != NULL) {
			if ((ret = parse_u64(s, &v->packed_size, err,
			    "%s: VIB '%s' has invalid packed-size: %s",
			    what, name, s)) != 0)
				return ret;
			v->has_packed_size = true;
		}
		ck = xnode_child(root, "checksum");
		s = xnode_attr(ck, "checksum-type");
		if (ck != NULL && (s == NULL || strcmp(s, "sha-256") == 0)) {
			if (!is_hex(ck->text, 64))
				return dv_error_set(err, DV_EFORMAT,
				    "%s: VIB '%s' has an invalid sha-256 '%s'",
				    what, name, ck->text);
			v->sha256 = lower_hex(a, ck->text);
		}
	}
	*out = v;
	return 0;
}

/*
 * One <vib> of vmware.xml's legacy <vibList>: fewer fields, other names
 * (vibID, vibType, vibFile/relativePath), and no acceptance level.
 */
int
parse_legacy_vib(struct arena *a, const struct xnode *n, const char *what,
    struct depot_vib **out, struct dv_error *err)
{
	const struct xnode *file = xnode_child(n, "vibFile"), *ck;
	struct depot_vib *v;
	struct dv_error hint = DV_ERROR_INIT;
	const char *s, *name = xnode_child_text(n, "name");

	*out = NULL;
	if (name == NULL || *name == '\0')
		return dv_error_set(err, DV_EFORMAT, "%s: missing VIB name",
		    what);
	v = arena_alloc(a, sizeof(*v));
	v->name = arena_strdup(a, name);
	v->version = dup_or_empty(a, xnode_child_text(n, "version"));
	v->vendor = dup_or_empty(a, xnode_child_text(n, "vendor"));
	s = xnode_child_text(n, "vibType");
	v->type = arena_strdup(a, s != NULL && *s != '\0' ? s : "bootbank");
	s = xnode_child_text(n, "vibID");
	if (s == NULL || *s == '\0')
		return dv_error_set(err, DV_EFORMAT,
		    "%s: VIB '%s' has no vibID", what, name);
	v->id = arena_strdup(a, s);
	v->summary = dup_or_empty(a, xnode_child_text(n, "summary"));
	v->description = arena_strdup(a, "");
	v->acceptance = DV_ACCEPT_UNKNOWN;
	v->payloads = arena_alloc(a, sizeof(*v->payloads));
	relation_list(a, xnode_child(n, "relationships"), "depends",
	    "constraint", &v->depends);
	relation_list(a, NULL, "conflicts", "constraint", &v->conflicts);
	relation_list(a, NULL, "replaces", "constraint", &v->replaces);
	relation_list(a, xnode_child(n, "relationships"), "provides",
	    "provide", &v->provides);
	platform_list(a, NULL, "softwarePlatform", &v->platforms);
	text_list(a, xnode_child(n, "softwareTags"), "tag", &v->tags);
	v->relative_path = dup_or_null(a, xnode_child_text(file,
	    "relativePath"));
	/* The legacy record's size is only a hint: a bad one is left out. */
	s = xnode_child_text(file, "packedSize");
	if (s != NULL && parse_u64(s, &v->packed_size, &hint,
	    "%s: VIB '%s' has invalid packedSize '%s'", what, v->id, s) == 0)
		v->has_packed_size = true;
	ck = xnode_child(file, "checksum");
	s = xnode_child_text(ck, "checksumType");
	if (s != NULL && strcmp(s, "sha-256") == 0 &&
	    is_hex(xnode_child_text(ck, "checksum"), 64))
		v->sha256 = lower_hex(a, xnode_child_text(ck, "checksum"));
	*out = v;
	return 0;
}

int
parse_bulletin(struct arena *a, const struct xnode *root, const char *what,
    struct depot_bulletin **out, struct dv_error *err)
{
	const struct xnode *spec, *vl, *c;
	struct depot_bulletin *b;
	const char *s, *id = xnode_child_text(root, "id");
	size_t k = 0;

	*out = NULL;
	if (strcmp(root->name, "bulletin") != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: root element is <%s>, expected <bulletin>", what,
		    root->name);
	if (id == NULL || *id == '\0')
		return dv_error_set(err, DV_EFORMAT, "%s: bulletin has no <id>",
		    what);
	b = arena_alloc(a, sizeof(*b));
	b->id = arena_strdup(a, id);
	b->vendor = dup_or_empty(a, xnode_child_text(root, "vendor"));
	b->summary = dup_or_empty(a, xnode_child_text(root, "summary"));
	b->description = dup_or_empty(a, xnode_child_text(root, "description"));
	b->severity = dup_or_empty(a, xnode_child_text(root, "severity"));
	b->category = dup_or_empty(a, xnode_child_text(root, "category"));
	b->urgency = dup_or_empty(a, xnode_child_text(root, "urgency"));
	b->release_type = dup_or_empty(a, xnode_child_text(root, "releaseType"));
	s = xnode_child_text(root, "kbUrl");
	b->kb_url = dup_or_empty(a, s != NULL ? s :
	    xnode_child_text(root, "kburl"));
	b->contact = dup_or_empty(a, xnode_child_text(root, "contact"));
	spec = xnode_child(root, "componentNameSpec");
	if (spec != NULL) {
		b->comp_name = dup_or_empty(a, xnode_attr(spec, "name"));
		b->comp_name_ui = dup_or_empty(a, xnode_attr(spec, "uiString"));
	}
	spec = xnode_child(root, "componentVersionSpec");
	if (spec != NULL) {
		b->comp_version = dup_or_empty(a, xnode_attr(spec, "version"));
		b->comp_version_ui = dup_or_empty(a,
		    xnode_attr(spec, "uiString"));
	}
	s = xnode_child_text(root, "releaseDate");
	if (s != NULL && *s != '\0' && dv_time_parse(s, &b->release_date) != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: bulletin '%s' has invalid releaseDate '%s'", what, id,
		    s);
	platform_list(a, xnode_child(root, "platforms"), "softwarePlatform",
	    &b->platforms);
	/* vibList/vibID, or vmware.xml's vibList/vib/vibID. */
	vl = xnode_child(root, "vibList");
	b->vib_ids.n = count_children(vl, NULL);
	b->vib_ids.v = arena_alloc(a, (b->vib_ids.n + 1) * sizeof(char *));
	for (c = vl != NULL ? vl->children : NULL; c != NULL; c = c->next) {
		if (strcmp(c->name, "vibID") == 0)
			b->vib_ids.v[k++] = arena_strdup(a, c->text);
		else if (strcmp(c->name, "vib") == 0 &&
		    xnode_child_text(c, "vibID") != NULL)
			b->vib_ids.v[k++] = arena_strdup(a,
			    xnode_child_text(c, "vibID"));
	}
	b->vib_ids.n = k;
	*out = b;
	return 0;
}

static int
strlist_has_dup(const struct dv_strlist *l, const char **dup)
{
	/* Sorting a copy keeps a hostile 100,000-VIB profile fast. */
	const char **v;
	size_t i;
	int found = 0;

	if (l->n < 2)
		return 0;
	v = xmalloc(l->n * sizeof(*v));
	memcpy(v, l->v, l->n * sizeof(*v));
	qsort(v, l->n, sizeof(*v), dv_strptr_cmp);
	for (i = 1; i < l->n && !found; i++)
		if (strcmp(v[i - 1], v[i]) == 0) {
			*dup = v[i];
			found = 1;
		}
	free(v);
	return found;
}

int
dv_strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
parse_profile(struct arena *a, const struct xnode *root, const char *what,
    struct depot_profile **out, struct dv_error *err)
{
	const struct xnode *vl, *c;
	struct depot_profile *p;
	const char *s, *dup, *name = xnode_child_text(root, "name");
	size_t k = 0;
	int ret;

	*out = NULL;
	if (strcmp(root->name, "imageprofile") != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: root element is <%s>, expected <imageprofile>", what,
		    root->name);
	if (name == NULL || *name == '\0')
		return dv_error_set(err, DV_EFORMAT, "%s: missing profile name",
		    what);
	p = arena_alloc(a, sizeof(*p));
	p->name = arena_strdup(a, name);
	s = xnode_child_text(root, "creator");
	if (s == NULL || *s == '\0')
		return dv_error_set(err, DV_EFORMAT,
		    "%s: profile '%s': missing profile creator", what, name);
	p->creator = arena_strdup(a, s);
	s = xnode_child_text(root, "profileID");
	p->profile_id = s != NULL && *s != '\0' ? arena_strdup(a, s) : NULL;
	p->description = dup_or_empty(a, xnode_child_text(root, "description"));
	s = xnode_child_text(root, "creationtime");
	if (s != NULL && *s != '\0' && dv_time_parse(s, &p->creation_time) != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: profile '%s' has invalid creationtime '%s'", what,
		    name, s);
	s = xnode_child_text(root, "modifiedtime");
	if (s != NULL && *s != '\0') {
		if (dv_time_parse(s, &p->modification_time) != 0)
			return dv_error_set(err, DV_EFORMAT,
			    "%s: profile '%s' has invalid modifiedtime '%s'",
			    what, name, s);
	} else {
		p->modification_time = p->creation_time;
	}
	s = xnode_child_text(root, "serialno");
	if (s != NULL && *s != '\0' && (ret = parse_u64(s, &p->serialno, err,
	    "%s: profile '%s' has invalid serialno '%s'", what, name, s)) != 0)
		return ret;
	s = xnode_child_text(root, "readonly");
	if ((ret = parse_bool(s, false, &p->readonly, err,
	    "%s: profile '%s': could not parse readonly '%s'", what, name,
	    s)) != 0)
		return ret;
	/* esximage refuses a missing or empty level as well as a bad one. */
	s = xnode_child_text(root, "acceptancelevel");
	if (s == NULL || dv_acceptance_parse(s, &p->acceptance) != 0)
		return dv_error_set(err, DV_EFORMAT,
		    "%s: profile '%s' has invalid acceptance level '%s'", what,
		    name, s != NULL ? s : "");
	vl = xnode_child(root, "viblist");
	p->vib_ids.n = count_children(vl, "vib");
	p->vib_ids.v = arena_alloc(a, (p->vib_ids.n + 1) * sizeof(char *));
	for (c = vl != NULL ? vl->children : NULL; c != NULL; c = c->next) {
		if (strcmp(c->name, "vib") != 0)
			continue;
		s = xnode_child_text(c, "vib-id");
		if (s == NULL || *s == '\0')
			return dv_error_set(err, DV_EFORMAT,
			    "%s: profile '%s' has a <vib> without <vib-id>",
			    what, name);
		p->vib_ids.v[k++] = arena_strdup(a, s);
	}
	if (strlist_has_dup(&p->vib_ids, &dup))
		return dv_error_set(err, DV_EFORMAT,
		    "%s: profile '%s' has duplicated vib-ids in viblist (%s)",
		    what, name, dup);
	text_list(a, xnode_child(root, "bulletinlist"), "bulletin-id",
	    &p->bulletin_ids);
	*out = p;
	return 0;
}
