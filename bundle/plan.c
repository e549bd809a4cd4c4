/* plan.c - verify a bundle's inputs and put their install steps in order. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../depot/depot.h"
#include "../depot/image.h"
#include "../depot/names.h"
#include "../depot/sbuf.h"
#include "../depot/package.h"
#include "../depot/platform.h"
#include "../depot/verify.h"
#include "bundle.h"

/* What the fit checks need of one VIB, kept after its depot is closed. */
struct plan_vib {
	char *id;
	char *name;
	char *version;
	enum dv_acceptance acceptance;
	bool unsigned_vib;
	struct depot_vib fit; /* only platforms and depends: dv_vib_fits */
};

/* The release an image profile gives the fit checks, and its level. */
struct fit_target {
	bool known;
	struct dv_esxi esxi;
	enum dv_acceptance level;
	const char *source;
};

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

static struct plan_vib *
plan_vib_new(const struct depot_vib *v)
{
	struct plan_vib *pv = xcalloc(1, sizeof(*pv));
	size_t i;

	pv->id = dup_or_empty(v->id);
	pv->name = dup_or_empty(v->name);
	pv->version = dup_or_empty(v->version);
	pv->acceptance = v->acceptance;
	pv->fit.id = pv->id;
	pv->fit.platforms.n = v->platforms.n;
	pv->fit.platforms.v = xcalloc(v->platforms.n + 1,
	    sizeof(*pv->fit.platforms.v));
	for (i = 0; i < v->platforms.n; i++) {
		pv->fit.platforms.v[i].product =
		    dup_or_empty(v->platforms.v[i].product);
		pv->fit.platforms.v[i].version =
		    dup_or_empty(v->platforms.v[i].version);
		pv->fit.platforms.v[i].locale = NULL;
	}
	pv->fit.depends.n = v->depends.n;
	pv->fit.depends.v = xcalloc(v->depends.n + 1,
	    sizeof(*pv->fit.depends.v));
	for (i = 0; i < v->depends.n; i++)
		pv->fit.depends.v[i].name = dup_or_empty(v->depends.v[i].name);
	return pv;
}

static void
plan_vib_free(struct plan_vib *pv)
{
	size_t i;

	for (i = 0; i < pv->fit.platforms.n; i++) {
		free((void *)pv->fit.platforms.v[i].product);
		free((void *)pv->fit.platforms.v[i].version);
	}
	free(pv->fit.platforms.v);
	for (i = 0; i < pv->fit.depends.n; i++)
		free((void *)pv->fit.depends.v[i].name);
	free(pv->fit.depends.v);
	free(pv->id);
	free(pv->name);
	free(pv->version);
	free(pv);
}

/*
 * The name a file gets inside the bundle: its own, when that is plain;
 * otherwise the same with every other byte made '_', so SHA256SUMS and
 * the host's busybox never meet a newline or a quote in a file name.
 */
static char *
bundle_file_name(const char *path)
{
	char *s = xstrdup(dv_base_name(path));

	for (char *p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-' || *p == '+'))
			*p = '_';
	if (*s == '.' || *s == '-')
		*s = '_';
	return s;
}

/* An item named source, whose bytes are in file, called name's base. */
static struct bundle_item *
item_new(enum bundle_item_kind kind, const char *source, const char *file,
    const char *name)
{
	struct bundle_item *it = xcalloc(1, sizeof(*it));

	it->kind = kind;
	it->source = xstrdup(source);
	it->file = xstrdup(file);
	it->name = bundle_file_name(name);
	it->lowest = DV_ACCEPT_CERTIFIED;
	return it;
}

static void
item_free(struct bundle_item *it)
{
	struct ptrvec *lists[5];

	if (it == NULL)
		return;
	for (size_t i = 0; i < it->fitvibs.n; i++)
		plan_vib_free(it->fitvibs.v[i]);
	ptrvec_release(&it->fitvibs);
	lists[0] = &it->vibs;
	lists[1] = &it->provides;
	lists[2] = &it->depends;
	lists[3] = &it->platforms;
	lists[4] = &it->files;
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		for (size_t i = 0; i < lists[k]->n; i++)
			free(lists[k]->v[i]);
		ptrvec_release(lists[k]);
	}
	free(it->source);
	free(it->file);
	free(it->name);
	free(it->profile);
	free(it->psid);
	free(it->fw_version);
	free(it);
}

static void
push_unique(struct ptrvec *pv, const char *s)
{
	for (size_t i = 0; i < pv->n; i++)
		if (strcmp(pv->v[i], s) == 0)
			return;
	ptrvec_push(pv, xstrdup(s));
}

/* What one VIB adds to its item: name, version, level, relations. */
static void
item_add_vib(struct bundle_item *it, const struct depot_vib *v)
{
	struct sbuf nv = SBUF_INIT(SBUF_NOCAP);

	sbuf_addf(&nv, "%s %s", v->name, v->version);
	push_unique(&it->vibs, nv.buf);
	sbuf_release(&nv);
	ptrvec_push(&it->fitvibs, plan_vib_new(v));
	push_unique(&it->provides, v->name);
	for (size_t i = 0; i < v->provides.n; i++)
		push_unique(&it->provides, v->provides.v[i].name);
	for (size_t i = 0; i < v->depends.n; i++)
		push_unique(&it->depends, v->depends.v[i].name);
	for (size_t i = 0; i < v->platforms.n; i++)
		if (*v->platforms.v[i].version != '\0')
			push_unique(&it->platforms, v->platforms.v[i].version);
	if (v->acceptance != DV_ACCEPT_UNKNOWN && v->acceptance < it->lowest)
		it->lowest = v->acceptance;
	if (!v->live_install)
		it->needs_reboot = true;
}

static void
note(struct bundle_plan *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct bundle_plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dv_diag_vadd(&p->notes, DV_DIAG_NOTE, 0, fmt, ap);
	va_end(ap);
}

static void
mark_unsigned(struct bundle_item *it, const char *id)
{
	for (size_t i = 0; i < it->fitvibs.n; i++) {
		struct plan_vib *pv = it->fitvibs.v[i];
		if (strcmp(pv->id, id) == 0)
			pv->unsigned_vib = true;
	}
}

/*
 * Every check of `depot verify` must hold before a depot is bundled.  It
 * is made while bundle_write copies the depot (a side task, run by
 * verify's own workers), so that the depot is read from the disk once
 * and the copy's digest overlaps verify's; a depot that fails leaves
 * nothing written.
 */
int
bundle_verify_input(const struct bundle_opts *o, struct bundle_item *it,
    int jobs, const struct bundle_side *side, struct dv_error *err)
{
	struct verify_opts vo = {.trust = o->trust, .jobs = jobs,
	    .side = side->run, .side_ctx = side->ctx, .nside = side->n};
	const struct dv_diag *first;
	struct verify_report r;
	struct depot *d = NULL;
	int ret;

	if (!it->verify) {
		for (size_t i = 0; i < side->n; i++)
			if ((ret = side->run(side->ctx, i, err)) != 0)
				return ret;
		return 0;
	}
	if ((ret = depot_open(it->file, &d, err)) != 0)
		return ret;
	if ((ret = depot_verify(d, &vo, &r, err)) != 0) {
		depot_free(d);
		return ret;
	}
	ret = 0;
	if ((first = dv_diags_first(&r.structure, DV_DIAG_FAIL)) != NULL) {
		ret = dv_error_set(err, first->code, "%s: %s", it->source,
		    first->msg);
		goto out;
	}
	for (size_t i = 0; i < r.nvibs; i++) {
		first = dv_diags_first(&r.vibs[i].diags, DV_DIAG_FAIL);
		if (first != NULL) {
			ret = dv_error_set(err, first->code, "%s: %s: %s",
			    it->source, r.vibs[i].meta->id, first->msg);
			goto out;
		}
		if (r.vibs[i].sig.status == SIG_UNSIGNED) {
			it->has_unsigned = true;
			mark_unsigned(it, r.vibs[i].meta->id);
		}
	}
out:
	verify_report_release(&r);
	depot_free(d);
	return ret;
}

static void
depot_platforms(const struct depot *d, struct bundle_item *it)
{
	for (size_t i = 0; i < d->nmetadata; i++)
		for (size_t k = 0; k < d->metadata[i].platforms.n; k++)
			if (*d->metadata[i].platforms.v[k].version != '\0')
				push_unique(&it->platforms,
				    d->metadata[i].platforms.v[k].version);
}

/*
 * No single -standard profile to default to: name what there is, and say
 * what a depot without profiles (a component or driver depot) is for.
 */
static int
no_standard_profile(const struct depot *d, const char *path, size_t n,
    struct dv_error *err)
{
	struct sbuf names = SBUF_INIT(SBUF_NOCAP);
	int ret;

	if (d->nprofiles == 0)
		return dv_error_set(err, DV_ENOMATCH, "%s: a component depot "
		    "with no image profile; give it with --add, not --depot",
		    path);
	for (size_t i = 0; i < d->nprofiles; i++) {
		const char *name = d->profiles[i]->name;
		size_t len = strlen(name);

		if (n == 0 || (len > 9 && strcmp(name + len - 9,
		    "-standard") == 0))
			sbuf_addf(&names, "%s%s", names.len ? ", " : "", name);
	}
	ret = dv_error_set(err, DV_ENOMATCH, "%s: %s %s; choose one with "
	    "--profile", path, n == 0 ? "no -standard image profile among" :
	    "more than one -standard image profile:", names.buf);
	sbuf_release(&names);
	return ret;
}

static int
plan_profile_depot(const struct bundle_opts *o, struct bundle_plan *p,
    struct fit_target *t, struct dv_error *err)
{
	const struct depot_profile *prof = NULL;
	struct bundle_item *it = NULL;
	struct depot *d = NULL;
	size_t i, n;
	int ret;

	if ((ret = depot_open(o->depot, &d, err)) != 0)
		goto out;
	if (o->profile != NULL) {
		if ((ret = depot_find_profile(d, o->profile, &prof, err)) != 0)
			goto out;
	} else {
		for (i = n = 0; i < d->nprofiles; i++) {
			size_t len = strlen(d->profiles[i]->name);
			if (len > 9 && strcmp(d->profiles[i]->name + len - 9,
			    "-standard") == 0) {
				prof = d->profiles[i];
				n++;
			}
		}
		if (n != 1) {
			ret = no_standard_profile(d, o->depot, n, err);
			goto out;
		}
	}
	if (prof->missing_vib_ids.n > 0) {
		ret = dv_error_set(err, DV_ENOMATCH, "%s: VIBs %s from image "
		    "profile '%s' cannot be found in metadata", o->depot,
		    prof->missing_vib_ids.v[0], prof->name);
		goto out;
	}
	it = item_new(ITEM_PROFILE, o->depot, o->depot, o->depot);
	it->profile = xstrdup(prof->name);
	for (i = 0; i < prof->vib_ids.n; i++)
		item_add_vib(it, depot_find_vib(d, prof->vib_ids.v[i]));
	/* The host checks the profile's level and each VIB's. */
	if (prof->acceptance < it->lowest)
		it->lowest = prof->acceptance;
	it->needs_reboot = true;
	/* A patch depot is for what its vendor index says, not its VIBs. */
	for (i = 0; i < it->platforms.n; i++)
		free(it->platforms.v[i]);
	it->platforms.n = 0;
	depot_platforms(d, it);
	it->verify = true; /* while bundle_write copies it */
	note(p, "%s: image profile %s (%zu VIBs)", it->name, prof->name,
	    prof->vib_ids.n);
	t->known = dv_profile_esxi(d, prof, &t->esxi) == 0;
	t->level = prof->acceptance;
	t->source = o->depot;
	ptrvec_push(&p->items, it);
	it = NULL;
out:
	item_free(it);
	depot_free(d);
	return ret;
}

/* A depot (file or inner zip in memory) as one component or depot item. */
static int
plan_depot(struct bundle_plan *p, struct depot *d, struct bundle_item *it,
    struct dv_error *err)
{
	it->kind = ITEM_DEPOT;
	for (size_t i = 0; i < d->nbulletins; i++)
		if (d->bulletins[i]->comp_name != NULL)
			it->kind = ITEM_COMPONENT;
	for (size_t i = 0; i < d->nvibs; i++)
		item_add_vib(it, d->vibs[i]);
	depot_platforms(d, it);
	/* A component states its releases too (a 9.0 one says 9.0). */
	for (size_t i = 0; i < d->nbulletins; i++)
		for (size_t k = 0; k < d->bulletins[i]->platforms.n; k++)
			if (*d->bulletins[i]->platforms.v[k].version != '\0')
				push_unique(&it->platforms,
				    d->bulletins[i]->platforms.v[k].version);
	if (d->nvibs == 0)
		return dv_error_set(err, DV_ENOMATCH, "%s: holds no VIBs",
		    it->source);
	it->verify = true; /* while bundle_write copies it */
	note(p, "%s: %s with %zu VIB%s", it->name, it->kind == ITEM_COMPONENT ?
	    "component depot" : "offline bundle", d->nvibs,
	    d->nvibs == 1 ? "" : "s");
	ptrvec_push(&p->items, it);
	return 0;
}

/* A bare VIB: verified in one pass, as `depot verify` does. */
static int
plan_vib(const struct bundle_opts *o, struct bundle_plan *p,
    const char *source, const char *file, const char *name,
    struct dv_error *err)
{
	struct bundle_item *it = NULL;
	struct byte_source src;
	const struct dv_diag *first;
	struct verify_vib v;
	FILE *fp;
	int ret = 0;

	if ((fp = fopen(file, "rb")) == NULL)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", source);
	verify_vib_init(&v, NULL);
	src = byte_source_of_file(fp);
	verify_vib_run(&v, &src, source, o->trust, true);
	fclose(fp);
	first = dv_diags_first(&v.diags, DV_DIAG_FAIL);
	if (first != NULL || v.descriptor == NULL) {
		ret = dv_error_set(err, DV_EVIB, "%s: %s", source,
		    first != NULL ? first->msg : "no descriptor");
		goto out;
	}
	it = item_new(ITEM_VIB, source, file, name);
	item_add_vib(it, v.descriptor);
	it->has_unsigned = v.sig.status == SIG_UNSIGNED;
	if (it->has_unsigned)
		mark_unsigned(it, v.descriptor->id);
	note(p, "%s: VIB %s, %s", it->name, v.descriptor->id,
	    dv_acceptance_display(v.descriptor->acceptance));
	ptrvec_push(&p->items, it);
out:
	verify_vib_release(&v);
	return ret;
}

/* A depot zip: its VIBs, verified, as one component or depot step. */
static int
plan_depot_file(struct bundle_plan *p, const char *source, const char *file,
    const char *name, struct dv_error *err)
{
	struct bundle_item *it;
	struct depot *d = NULL;
	int ret;

	if ((ret = depot_open(file, &d, err)) != 0)
		return ret;
	it = item_new(ITEM_DEPOT, source, file, name);
	if ((ret = plan_depot(p, d, it, err)) != 0)
		item_free(it);
	depot_free(d);
	return ret;
}

/* The Intel NVM update tool folder, with the files extract wrote in it. */
static int
plan_intel_tool(struct bundle_plan *p, const char *path, const char *stage,
    const struct package_node *tool, const struct ptrvec *outputs,
    struct dv_error *err)
{
	const struct package_tool_info *t = &tool->tool;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP), source = SBUF_INIT(SBUF_NOCAP);
	struct bundle_item *it;
	size_t prefix = strlen(t->folder);
	int ret;

	sbuf_addf(&source, "%s%s%s", path, *tool->path ? "!" : "", tool->path);
	if (t->missing.n > 0) {
		ret = dv_error_set(err, DV_EMISSING, "%s: nvmupdate.cfg names "
		    "the NVM image %s, which the package does not hold",
		    source.buf, t->missing.v[0]);
		sbuf_release(&source);
		return ret;
	}
	sbuf_addf(&sb, "%s/%s", stage, t->folder);
	it = item_new(ITEM_INTEL, source.buf, sb.buf, t->folder);
	sbuf_release(&source);
	for (size_t i = 0; i < outputs->n; i++) {
		const char *out = outputs->v[i];
		if (strncmp(out, t->folder, prefix) == 0 && out[prefix] == '/')
			ptrvec_push(&it->files, xstrdup(out + prefix + 1));
	}
	it->fw_version = xstrdup(t->version != NULL ? t->version : "");
	it->needs_reboot = true;
	sbuf_release(&sb);
	note(p, "%s/: Intel NVM update tool%s%s for %s, %zu NVM image%s",
	    it->name, *it->fw_version ? " " : "", it->fw_version,
	    t->target != NULL ? t->target : "its adapters", t->images.n,
	    t->images.n == 1 ? "" : "s");
	ptrvec_push(&p->items, it);
	return 0;
}

/* Installable nodes of a package tree and every file written, in order. */
static void
gather(const struct package_node *n, struct ptrvec *installable,
    struct ptrvec *outputs)
{
	if (n->installable && n->output != NULL)
		ptrvec_push(installable, (void *)n);
	if (n->output != NULL && !n->installable)
		ptrvec_push(outputs, (void *)n->output);
	for (size_t i = 0; i < n->nchildren; i++)
		gather(n->children[i], installable, outputs);
}

/*
 * A vendor package (zip, tar.gz, folders, nesting): unwrapped as `depot
 * extract --repack` would, into a staging folder beside OUTDIR, and each
 * depot and VIB it holds added and verified from there.  With intel, the
 * package is the one named by --intel-nvm: its NVM update tool is what
 * is wanted, and the rest is left out.
 */
static int
plan_package(const struct bundle_opts *o, struct bundle_plan *p,
    const char *path, bool intel, struct dv_error *err)
{
	struct ptrvec installable = PTRVEC_INIT, outputs = PTRVEC_INIT;
	const struct package_node *tool = NULL;
	struct sbuf staged = SBUF_INIT(SBUF_NOCAP), source = SBUF_INIT(SBUF_NOCAP);
	struct package_extract x;
	struct package_sink sink;
	struct package *pkg = NULL;
	struct outdir *stage = NULL;
	size_t added = 0, tools = 0, others = 0;
	int ret;

	if ((ret = outdir_begin(o->outdir, OUTDIR_FORCE, &stage, err)) != 0)
		return ret;
	ptrvec_push(&p->stages, stage);
	package_extract_init(&x, stage, false, true);
	package_sink_outdir(&sink, &x);
	if ((ret = package_open(path, &sink, &pkg, err)) != 0)
		goto out;
	gather(pkg->root, &installable, &outputs);
	for (size_t i = 0; i < installable.n; i++) {
		const struct package_node *n = installable.v[i];

		sbuf_reset(&source);
		sbuf_addf(&source, "%s%s%s", path, *n->path ? "!" : "",
		    n->path);
		if (n->kind == PACKAGE_NVM_TOOL) {
			tools++;
			tool = n;
			continue;
		}
		if (intel) {
			others++;
			continue;
		}
		sbuf_reset(&staged);
		sbuf_addf(&staged, "%s/%s", outdir_stage_path(stage),
		    n->output);
		if (n->kind == PACKAGE_VIB)
			ret = plan_vib(o, p, source.buf, staged.buf,
			    n->output, err);
		else
			ret = plan_depot_file(p, source.buf, staged.buf,
			    n->output, err);
		if (ret != 0)
			goto out;
		note(p, "%s: from the package %s", plan_item(p,
		    p->items.n - 1)->name, dv_base_name(path));
		added++;
	}
	if (intel) {
		if (tools != 1) {
			ret = dv_error_set(err, DV_ENOMATCH, "%s: %s; see 'depot "
			    "info %s'", path, tools == 0 ? "holds no Intel NVM "
			    "update tool (nvmupdaten64e with its nvmupdate.cfg)"
			    : "holds more than one Intel NVM update tool", path);
			goto out;
		}
		ret = plan_intel_tool(p, path, outdir_stage_path(stage), tool,
		    &outputs, err);
		if (ret == 0 && others > 0)
			note(p, "%s: %zu other installable item%s left out; "
			    "give %s with --add for those", dv_base_name(path),
			    others, others == 1 ? "" : "s", dv_base_name(path));
		goto out;
	}
	if (added == 0)
		ret = dv_error_set(err, DV_ENOMATCH, "%s: %s; see 'depot info "
		    "%s'", path, tools > 0 ? "holds only the Intel NVM update "
		    "tool: give it with --intel-nvm" : "a package that holds "
		    "no depot or VIB", path);
	else if (tools > 0)
		note(p, "%s: also holds the Intel NVM update tool; give it with "
		    "--intel-nvm to update the NICs", dv_base_name(path));
out:
	package_free(pkg);
	package_extract_release(&x);
	ptrvec_release(&installable);
	ptrvec_release(&outputs);
	sbuf_release(&staged);
	sbuf_release(&source);
	return ret;
}

/*
 * --compose: the base profile and every --add composed into one depot in
 * a staging folder, as 'depot compose' does (vendor packages unwrapped by
 * the package walk), and planned as one profile update: one transaction
 * and one reboot instead of one install per input.
 */
static int
plan_composed(const struct bundle_opts *o, struct bundle_plan *p,
    struct fit_target *t, struct dv_error *err)
{
	struct compose_opts co = {0};
	struct compose c;
	struct bundle_opts one = *o;
	struct sbuf out = SBUF_INIT(SBUF_NOCAP), unwrap = SBUF_INIT(SBUF_NOCAP);
	struct outdir *stage = NULL;
	int ret;

	compose_init(&c);
	if (o->depot == NULL || o->profile == NULL)
		return dv_error_set(err, DV_ENOMATCH, "--compose %s needs "
		    "--depot and --profile: the base it starts from",
		    o->compose);
	if ((ret = outdir_begin(o->outdir, OUTDIR_FORCE, &stage, err)) != 0)
		return ret;
	ptrvec_push(&p->stages, stage);
	sbuf_addf(&out, "%s/%s.zip", outdir_stage_path(stage), o->compose);
	co.base = o->depot;
	co.profile = o->profile;
	co.name = o->compose;
	co.adds = o->adds;
	co.nadds = o->nadds;
	co.trust = o->trust;
	co.epoch = -1;
	/* Not inside the stage: its folder is locked while the run lives. */
	sbuf_addf(&unwrap, "%s.compose", o->outdir);
	co.unwrap = unwrap.buf;
	if ((ret = image_compose(&co, out.buf, &c, err)) != 0)
		goto out;
	if (!c.written) {
		ret = dv_error_set(err, DV_EFORMAT, "--compose %s: the image "
		    "does not validate (%zu problem%s), first: %s; 'depot "
		    "compose' lists them all", o->compose, c.report.n,
		    c.report.n == 1 ? "" : "s", c.report.v[0].text);
		goto out;
	}
	one.depot = out.buf;
	one.profile = o->compose;
	if ((ret = plan_profile_depot(&one, p, t, err)) != 0)
		goto out;
	note(p, "%s: image profile %s composed from %s of %s and %zu "
	    "input%s: one profile update and one reboot instead of one "
	    "install each", plan_item(p, p->items.n - 1)->name, o->compose,
	    o->profile, dv_base_name(o->depot), o->nadds,
	    o->nadds == 1 ? "" : "s");
out:
	compose_release(&c);
	sbuf_release(&out);
	sbuf_release(&unwrap);
	return ret;
}

static int
plan_add(const struct bundle_opts *o, struct bundle_plan *p,
    const char *path, struct dv_error *err)
{
	size_t n = strlen(path);

	if (n > 4 && strcasecmp(path + n - 4, ".vib") == 0)
		return plan_vib(o, p, path, path, path, err);
	if (package_is_package(path))
		return plan_package(o, p, path, false, err);
	return plan_depot_file(p, path, path, path, err);
}

/*
 * A Mellanox image: "mellanox:FILE" or "mellanox:FILE:PSID:VERSION".
 * Without PSID and version they are read from a "PSID=... VERSION=..."
 * text the image carries; the host's mlxfwmanager has the last word.
 */
static int
plan_firmware(struct bundle_plan *p, const char *spec, struct dv_error *err)
{
	char *copy = NULL, *file, *psid = NULL, *ver = NULL, *colon;
	char head[4096], *q;
	struct bundle_item *it;
	size_t n;
	FILE *fp;
	int ret = 0;

	if (strncmp(spec, "mellanox:", 9) != 0)
		return dv_error_set(err, DV_EFORMAT, "--firmware '%s': expected "
		    "mellanox:FILE[:PSID:VERSION]", spec);
	copy = xstrdup(spec + 9);
	file = copy;
	if ((colon = strchr(file, ':')) != NULL) {
		*colon = '\0';
		psid = colon + 1;
		if ((colon = strchr(psid, ':')) == NULL) {
			ret = dv_error_set(err, DV_EFORMAT, "--firmware '%s': "
			    "give both PSID and VERSION", spec);
			goto out;
		}
		*colon = '\0';
		ver = colon + 1;
	}
	if ((fp = fopen(file, "rb")) == NULL) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", file);
		goto out;
	}
	n = fread(head, 1, sizeof(head) - 1, fp);
	fclose(fp);
	head[n] = '\0';
	it = item_new(ITEM_MELLANOX, file, file, file);
	if (psid == NULL && (q = strstr(head, "PSID=")) != NULL)
		it->psid = xstrndup(q + 5, strcspn(q + 5, " \t\r\n"));
	else if (psid != NULL)
		it->psid = xstrdup(psid);
	if (ver == NULL && (q = strstr(head, "VERSION=")) != NULL)
		it->fw_version = xstrndup(q + 8, strcspn(q + 8, " \t\r\n"));
	else if (ver != NULL)
		it->fw_version = xstrdup(ver);
	if (it->psid == NULL || it->fw_version == NULL || *it->psid == '\0' ||
	    *it->fw_version == '\0') {
		ret = dv_error_set(err, DV_EFORMAT, "%s: cannot read the "
		    "image's PSID and version; give them as "
		    "mellanox:FILE:PSID:VERSION", file);
		item_free(it);
		goto out;
	}
	note(p, "%s: Mellanox firmware %s for PSID %s", it->name,
	    it->fw_version, it->psid);
	ptrvec_push(&p->items, it);
out:
	free(copy);
	return ret;
}

static bool
provides(const struct bundle_item *it, const char *name)
{
	for (size_t i = 0; i < it->provides.n; i++)
		if (strcmp(it->provides.v[i], name) == 0)
			return true;
	return false;
}

/* Does a need something b provides? */
static bool
needs(const struct bundle_item *a, const struct bundle_item *b)
{
	if (a == b)
		return false;
	for (size_t i = 0; i < a->depends.n; i++)
		if (provides(b, a->depends.v[i]))
			return true;
	return false;
}

/*
 * Kahn's algorithm, stable: among the items whose needs are met, the one
 * given first goes first.  What is left at the end is a cycle.
 */
int
bundle_order(struct bundle_item **items, size_t n, struct dv_error *err)
{
	struct bundle_item **out;
	struct sbuf cycle = SBUF_INIT(SBUF_NOCAP);
	size_t placed = 0, i, k;
	bool ready, *done;
	int ret = 0;

	if (n == 0) /* items may be NULL: a bundle of firmware only */
		return 0;
	out = xcalloc(n, sizeof(*out));
	done = xcalloc(n, sizeof(*done));

	while (placed < n) {
		for (i = 0; i < n; i++) {
			if (done[i])
				continue;
			ready = true;
			for (k = 0; k < n && ready; k++)
				if (!done[k] && needs(items[i], items[k]))
					ready = false;
			if (ready)
				break;
		}
		if (i == n) {
			for (i = 0; i < n; i++)
				if (!done[i])
					sbuf_addf(&cycle, "%s%s",
					    cycle.len ? ", " : "",
					    items[i]->name);
			ret = dv_error_set(err, DV_EFORMAT, "dependency cycle "
			    "between %s", cycle.buf);
			goto out;
		}
		done[i] = true;
		out[placed++] = items[i];
	}
	memcpy(items, out, n * sizeof(*items));
out:
	free(out);
	free(done);
	sbuf_release(&cycle);
	return ret;
}

/* What bundle_write and install.sh put in the folder themselves. */
static const char *const reserved[] = {
	"SHA256SUMS", "manifest.json", "README.txt", "install.sh", "hosts",
	"install.log", "backup", "nvmupdate.log", "nvmupdate-results.xml",
	"nvmupdate-inventory.xml",
};

/* "8.0" of a declared platform, or false for "6.*", "" and the like. */
static bool
declared_release(const char *v, char out[32])
{
	struct dv_esxi e;
	char plain[32];
	size_t n = strcspn(v, "-");

	/* "7.0.0" and "8.0" are releases; "6.*" is a range. */
	if (n >= sizeof(plain))
		return false;
	memcpy(plain, v, n);
	plain[n] = '\0';
	if (dv_esxi_parse(plain, &e) != 0)
		return false;
	snprintf(out, 32, "%d.%d", e.major, e.minor);
	return true;
}

/*
 * With no profile and no --esxi, the release every input declares, if
 * they agree; DV_EFIT names two that disagree.  known is false when no
 * input declares any release.
 */
static int
infer_release(const struct bundle_plan *p, struct dv_esxi *out, bool *known,
    struct dv_error *err)
{
	char first[32] = "", rel[32];
	const char *first_src = NULL;

	*known = false;
	for (size_t i = 0; i < p->items.n; i++) {
		const struct bundle_item *it = plan_item(p, i);
		for (size_t k = 0; k < it->platforms.n; k++) {
			if (!declared_release(it->platforms.v[k], rel))
				continue;
			if (first_src == NULL) {
				snprintf(first, sizeof(first), "%s", rel);
				first_src = it->source;
			} else if (strcmp(first, rel) != 0) {
				return dv_error_set(err, DV_EFIT, "the inputs "
				    "are for different ESXi releases (%s is for "
				    "%s, %s for %s): give --esxi VERSION, the "
				    "release of the hosts", first_src, first,
				    it->source, rel);
			}
		}
	}
	if (first_src != NULL) {
		(void)dv_esxi_parse(first, out);
		*known = true;
	}
	return 0;
}

/* Whether one of an input's declared platforms covers the release. */
static bool
item_platforms_fit(const struct bundle_item *it, const struct dv_esxi *e)
{
	if (it->platforms.n == 0)
		return true;
	for (size_t k = 0; k < it->platforms.n; k++)
		if (dv_platform_covers(it->platforms.v[k], e))
			return true;
	return false;
}

struct vib_at {
	const struct plan_vib *vib;
	const struct bundle_item *item;
};

static int
vib_at_cmp(const void *a, const void *b)
{
	const struct vib_at *x = a, *y = b;

	return strcmp(x->vib->name, y->vib->name);
}

/*
 * One VIB name at two versions: two added inputs that disagree, or an
 * added input older than the image profile's (a newer one replaces the
 * profile's, as a driver update should).  Sorted by name, so the cost
 * is n log n in the VIBs.
 */
static void
fit_versions(struct bundle_plan *p)
{
	struct vib_at *all;
	size_t n = 0, i, k;

	for (i = 0; i < p->items.n; i++)
		n += plan_item(p, i)->fitvibs.n;
	if (n == 0)
		return;
	all = xcalloc(n, sizeof(*all));
	n = 0;
	for (i = 0; i < p->items.n; i++)
		for (k = 0; k < plan_item(p, i)->fitvibs.n; k++) {
			all[n].vib = plan_item(p, i)->fitvibs.v[k];
			all[n++].item = plan_item(p, i);
		}
	qsort(all, n, sizeof(*all), vib_at_cmp);
	for (i = 0; i < n; i = k) {
		for (k = i + 1; k < n && strcmp(all[k].vib->name,
		    all[i].vib->name) == 0; k++) {
			const struct vib_at *a = &all[i], *b = &all[k];
			if (a->item == b->item ||
			    strcmp(a->vib->version, b->vib->version) == 0)
				continue;
			if (b->item->kind == ITEM_PROFILE) {
				const struct vib_at *t = a;
				a = b;
				b = t;
			}
			if (a->item->kind != ITEM_PROFILE)
				dv_diag_add(&p->misfits, DV_DIAG_FAIL, DV_EFIT,
				    "%s and %s: both carry the VIB %s, at "
				    "versions %s and %s: keep the input with "
				    "the version the hosts should run",
				    a->item->source, b->item->source,
				    a->vib->name, a->vib->version,
				    b->vib->version);
			else if (dv_version_cmp(b->vib->version,
			    a->vib->version) < 0)
				dv_diag_add(&p->misfits, DV_DIAG_FAIL, DV_EFIT,
				    "%s: carries the VIB %s %s, older "
				    "than the %s in the image profile of %s: "
				    "the host would refuse the downgrade; drop "
				    "the input or take its newer release",
				    b->item->source, b->vib->name,
				    b->vib->version, a->vib->version,
				    a->item->source);
		}
	}
	free(all);
}

/* The rules fit_image takes: those the checks above do not make. */
static bool
image_rule_is_new(enum image_rule r)
{
	return r == IMAGE_RULE_MISSING || r == IMAGE_RULE_BASE ||
	    r == IMAGE_RULE_DEPENDS || r == IMAGE_RULE_CONFLICTS ||
	    r == IMAGE_RULE_REPLACES || r == IMAGE_RULE_CHECKSUM ||
	    r == IMAGE_RULE_FILES || r == IMAGE_RULE_COMPONENT;
}

/*
 * The image the hosts will have after the bundle: the --depot profile
 * with every depot and VIB of the bundle installed on it, validated as
 * esximage validates it (a composition that writes nothing), so that
 * what esxcli would refuse on the host is refused here.  VIBs already on
 * a host that neither carries are not known here.  --compose validated
 * its image already; without --depot there is no image to check.  Only
 * the problems, not the notes and warnings of the composition (the
 * inputs' warnings were the plan's already).
 */
static int
fit_image(const struct bundle_opts *o, struct bundle_plan *p,
    struct dv_error *err)
{
	struct compose_opts co = {0};
	struct ptrvec adds = PTRVEC_INIT;
	const struct bundle_item *base = NULL;
	struct compose c;
	int ret;

	for (size_t i = 0; i < p->items.n; i++) {
		const struct bundle_item *it = plan_item(p, i);
		if (it->kind == ITEM_PROFILE)
			base = it;
		else if (it->kind == ITEM_COMPONENT || it->kind == ITEM_DEPOT ||
		    it->kind == ITEM_VIB)
			ptrvec_push(&adds, it->file);
	}
	if (base == NULL || o->compose != NULL) {
		ptrvec_release(&adds);
		return 0;
	}
	compose_init(&c);
	co.base = base->file;
	co.profile = base->profile;
	co.name = base->profile;
	co.adds = (const char *const *)adds.v;
	co.nadds = adds.n;
	co.epoch = -1;
	ret = image_compose(&co, NULL, &c, err);
	for (size_t i = 0; ret == 0 && i < c.report.n; i++)
		if (image_rule_is_new(c.report.v[i].rule))
			dv_diag_add(&p->misfits, DV_DIAG_FAIL, DV_EFIT,
			    "%s with the bundle's inputs: %s: %s",
			    base->profile, image_rule_name(c.report.v[i].rule),
			    c.report.v[i].text);
	compose_release(&c);
	ptrvec_release(&adds);
	return ret;
}

/*
 * The checks the workstation can make before anything is written: that
 * every input fits the hosts' release and that the inputs agree.  Each
 * problem is a line of p->misfits.
 */
static int
plan_fit(const struct bundle_opts *o, struct bundle_plan *p,
    const struct fit_target *t, struct dv_error *err)
{
	struct dv_esxi e, given;
	char want[32], reason[512];
	bool known = t->known;
	int ret;

	e = t->esxi;
	if (o->esxi != NULL && dv_esxi_parse(o->esxi, &given) != 0)
		return dv_error_set(err, DV_EFIT, "--esxi '%s': not an ESXi "
		    "release; write it as 8.0 or 8.0.3 (8.0U3 also works)",
		    o->esxi);
	if (o->esxi != NULL && known && (given.major != e.major ||
	    given.minor != e.minor)) {
		dv_esxi_format(&e, want);
		return dv_error_set(err, DV_EFIT, "--esxi %s: the image profile "
		    "of %s is ESXi %s; leave --esxi out or give the profile's "
		    "release", o->esxi, t->source, want);
	}
	if (!known && o->esxi != NULL) {
		e = given;
		known = true;
	}
	if (!known && (ret = infer_release(p, &e, &known, err)) != 0)
		return ret;
	fit_versions(p);
	if (known) {
		dv_esxi_format(&e, p->esxi);
		for (size_t i = 0; i < p->items.n; i++) {
			const struct bundle_item *it = plan_item(p, i);
			bool item_ok = item_platforms_fit(it, &e);

			if (!item_ok) {
				struct sbuf list = SBUF_INIT(SBUF_NOCAP);
				for (size_t k = 0; k < it->platforms.n; k++)
					sbuf_addf(&list, "%s%s", k ? ", " : "",
					    (char *)it->platforms.v[k]);
				dv_diag_add(&p->misfits, DV_DIAG_FAIL, DV_EFIT,
				    "%s: is for ESXi %s, which does not admit "
				    "ESXi %s: use the vendor's release for "
				    "ESXi %d.%d",
				    it->source, list.buf, p->esxi, e.major,
				    e.minor);
				sbuf_release(&list);
			}
			for (size_t k = 0; k < it->fitvibs.n; k++) {
				struct plan_vib *pv = it->fitvibs.v[k];
				struct depot_vib v = pv->fit;

				/* Said once for the input, not per VIB. */
				if (!item_ok)
					v.platforms.n = 0;
				if (!dv_vib_fits(&v, &e, reason,
				    sizeof(reason)))
					dv_diag_add(&p->misfits,
					    DV_DIAG_FAIL, DV_EFIT,
					    "%s: the VIB %s %s", it->source,
					    pv->id, reason);
			}
		}
	}
	if (t->level >= DV_ACCEPT_ACCEPTED)
		for (size_t i = 0; i < p->items.n; i++) {
			const struct bundle_item *it = plan_item(p, i);
			if (it->kind == ITEM_PROFILE)
				continue;
			for (size_t k = 0; k < it->fitvibs.n; k++) {
				struct plan_vib *pv = it->fitvibs.v[k];
				if (!pv->unsigned_vib &&
				    pv->acceptance != DV_ACCEPT_COMMUNITY)
					continue;
				dv_diag_add(&p->misfits, DV_DIAG_FAIL, DV_EFIT,
				    "%s: the VIB %s is %s, but the image "
				    "profile of %s is %s: the host must drop to "
				    "CommunitySupported for it, and a host with "
				    "Secure Boot refuses it; use a signed release",
				    it->source, pv->id, pv->unsigned_vib ?
				    "unsigned" : "CommunitySupported",
				    t->source, dv_acceptance_display(t->level));
			}
		}
	if (!known && p->items.n > 0)
		note(p, "no ESXi release to check the inputs against: give "
		    "--esxi VERSION to check that they fit the hosts");
	/* Inputs that fit the release, only: a misfit is named alone, not
	 * again as the unmet dependency it also makes. */
	if (p->misfits.n == 0 && (ret = fit_image(o, p, err)) != 0)
		return ret;
	if (p->misfits.n == 0 || o->force)
		return 0;
	return dv_error_set(err, DV_EFIT, "%zu problem%s with the inputs%s%s: "
	    "nothing was written; fix %s, or give --force to write the bundle "
	    "anyway (README.txt and 'install.sh show' then repeat %s as "
	    "warnings)", p->misfits.n, p->misfits.n == 1 ? "" : "s",
	    *p->esxi ? " for ESXi " : "", p->esxi,
	    p->misfits.n == 1 ? "it" : "them",
	    p->misfits.n == 1 ? "it" : "them");
}

int
bundle_opts_check(struct bundle_opts *o, struct sbuf *dir,
    struct dv_error *err)
{
	const char *slash;

	if (o->datastore == NULL || *o->datastore == '\0')
		return dv_error_set(err, DV_EFORMAT, "--datastore NAME is "
		    "required (the datastore the folder will be uploaded to, "
		    "without '/')");
	if (strchr(o->datastore, '/') != NULL)
		return dv_error_set(err, DV_EFORMAT, "--datastore '%s' is a "
		    "path: give the datastore's name alone, and the folder on "
		    "it with --dir", o->datastore);
	if (o->profile != NULL && o->depot == NULL)
		return dv_error_set(err, DV_EFORMAT, "--profile needs --depot");
	if (o->compose != NULL && (o->depot == NULL || o->profile == NULL ||
	    *o->compose == '\0' || *o->compose == '.' ||
	    strchr(o->compose, '/') != NULL || strlen(o->compose) > 80))
		return dv_error_set(err, DV_EFORMAT, "--compose NEW-NAME needs "
		    "--depot and --profile, and a name of 1 to 80 characters "
		    "without '/' that does not start with '.'");
	if (o->depot == NULL && o->nadds == 0 && o->nfirmware == 0 &&
	    o->intel_nvm == NULL)
		return dv_error_set(err, DV_EFORMAT, "nothing to bundle: give "
		    "--depot, --add, --firmware or --intel-nvm");
	if (o->jobs < 1 || o->jobs > BUNDLE_MAX_JOBS)
		return dv_error_set(err, DV_EFORMAT, "--jobs takes a number "
		    "from 1 to %d", BUNDLE_MAX_JOBS);
	if (o->dir == NULL) {
		/* Default: esxstage/<OUTDIR's name> on the datastore. */
		slash = strrchr(o->outdir, '/');
		sbuf_reset(dir);
		sbuf_addf(dir, "esxstage/%s", slash != NULL && slash[1] ?
		    slash + 1 : o->outdir);
		o->dir = dir->buf;
	}
	/* The same rule as for names inside a depot: relative, no "..". */
	if (dv_path_check(o->dir) != 0)
		return dv_error_set(err, DV_EFORMAT, "--dir '%s' must be a "
		    "folder relative to the datastore, without '..'", o->dir);
	return 0;
}

/* Whether --add number i names the file an earlier --add named. */
static bool
added_before(const struct bundle_opts *o, size_t i)
{
	struct stat a, b;

	if (stat(o->adds[i], &a) != 0)
		return false;
	for (size_t k = 0; k < i; k++)
		if (stat(o->adds[k], &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return true;
	return false;
}

int
bundle_plan_make(const struct bundle_opts *o, struct bundle_plan *p,
    struct dv_error *err)
{
	struct fit_target target = {false, {0, 0, -1}, DV_ACCEPT_UNKNOWN, NULL};
	struct bundle_item **v;
	size_t i, k, first;
	int ret;

	memset(p, 0, sizeof(*p));
	/* Before the long part: bundle_write checks again at the end. */
	if (!o->force && access(o->outdir, F_OK) == 0)
		return dv_error_set(err, DV_EEXIST, "%s: already exists; give "
		    "--force to replace it", o->outdir);
	if (o->compose != NULL) {
		if ((ret = plan_composed(o, p, &target, err)) != 0)
			return ret;
	} else if (o->depot != NULL &&
	    (ret = plan_profile_depot(o, p, &target, err)) != 0) {
		return ret;
	}
	first = p->items.n;
	for (i = 0; o->compose == NULL && i < o->nadds; i++) {
		if ((ret = outdir_check(NULL, err)) != 0)
			return ret;
		if (added_before(o, i)) {
			note(p, "%s: given to --add more than once; bundled "
			    "once", o->adds[i]);
			continue;
		}
		if ((ret = plan_add(o, p, o->adds[i], err)) != 0)
			return ret;
	}
	v = (struct bundle_item **)p->items.v;
	if ((ret = bundle_order(v + first, p->items.n - first, err)) != 0)
		return ret;
	for (i = 0; i < o->nfirmware; i++)
		if ((ret = plan_firmware(p, o->firmware[i], err)) != 0)
			return ret;
	/* Last: the NICs are flashed once their drivers are in place. */
	if (o->intel_nvm != NULL &&
	    (ret = plan_package(o, p, o->intel_nvm, true, err)) != 0)
		return ret;
	/* Two inputs must not land on one name in the bundle, nor on a
	 * name the bundle or install.sh uses itself. */
	v = (struct bundle_item **)p->items.v;
	for (i = 0; i < p->items.n; i++) {
		for (k = 0; k < sizeof(reserved) / sizeof(reserved[0]); k++)
			if (strcmp(v[i]->name, reserved[k]) == 0)
				return dv_error_set(err, DV_EFORMAT, "%s: would "
				    "be '%s' in the bundle, a name the bundle "
				    "uses itself; rename it", v[i]->source,
				    v[i]->name);
		for (k = 0; k < i; k++)
			if (strcmp(v[i]->name, v[k]->name) == 0)
				return dv_error_set(err, DV_EFORMAT, "%s and %s "
				    "would both be '%s' in the bundle",
				    v[k]->source, v[i]->source, v[i]->name);
	}
	return plan_fit(o, p, &target, err);
}

void
bundle_plan_release(struct bundle_plan *p)
{
	for (size_t i = 0; i < p->items.n; i++)
		item_free(plan_item(p, i));
	ptrvec_release(&p->items);
	dv_diags_release(&p->notes);
	dv_diags_release(&p->misfits);
	for (size_t i = 0; i < p->stages.n; i++)
		outdir_abort(p->stages.v[i]);
	ptrvec_release(&p->stages);
	memset(p, 0, sizeof(*p));
}
