/* extract.c - depot extract and unpack, and the package tree of depot info. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../depot/outdir.h"
#include "../depot/package.h"
#include "../depot/unpack.h"
#include "../depot/sbuf.h"
#include "cmd.h"
#include "extract.h"
#include "opts.h"
#include "output.h"
#include "progress.h"
#include "verb.h"

/* Deeper trees are listed flat in JSON (the writer nests 64 levels). */
#define JSON_TREE_LEVELS 16

struct xopts {
	bool json, vibs, repack, force;
	bool verify, metadata, all;
	enum verbosity verbosity;
	char **operands;
	int noperands;
	int status; /* exit status when parsing says to stop */
};

/*
 * Options may stand anywhere, as for the other verbs.  extract takes its
 * own options and at least two operands, unpack its own and exactly two.
 */
static bool
parse_xopts(int argc, char **argv, bool extract, struct xopts *o)
{
	enum opt_does x_only = extract ? OPT_SET : OPT_NOT_FOR;
	enum opt_does unpack_only = extract ? OPT_NOT_FOR : OPT_SET;
	const struct opt table[] = {
		OPT_JSON('j', &o->json),
		{"vibs", 0, false, x_only, &o->vibs, NULL, 0},
		{"repack", 0, false, x_only, &o->repack, NULL, 0},
		{"force", 'f', false, OPT_SET, &o->force, NULL, 0},
		{"verify", 0, false, unpack_only, &o->verify, NULL, 0},
		{"metadata", 0, false, unpack_only, &o->metadata, NULL, 0},
		{"all", 0, false, unpack_only, &o->all, NULL, 0},
		OPT_VERBOSITY(&o->verbosity),
		OPT_HELP_ROW,
		OPT_END,
	};

	memset(o, 0, sizeof(*o));
	if (!opts_parse(argc, argv, table, &o->status))
		return false;
	o->operands = argv + optind;
	o->noperands = argc - optind;
	if (o->noperands < 2 || (!extract && o->noperands != 2)) {
		msg_error("%s: expected %s, got %d", argv[0], extract ?
		    "INPUT... OUTDIR" : "DEPOT.zip OUTDIR", o->noperands);
		o->status = verb_usage(argv[0], EXIT_USAGE);
		return false;
	}
	return true;
}

/* ---- describing a node -------------------------------------------------- */

static void
describe_depot(const struct package_depot_info *di, struct sbuf *sb)
{
	size_t i;

	sbuf_adds(sb, di->kind);
	for (i = 0; i < di->nvendors; i++)
		sbuf_addf(sb, "%s%s (%s)", i == 0 ? ", vendor " : ", ",
		    di->vendors[i].name, di->vendors[i].code);
	for (i = 0; i < di->nplatforms; i++)
		sbuf_addf(sb, "%s%s %s", i == 0 ? ", for " : ", ",
		    di->platforms[i].product, di->platforms[i].version);
	sbuf_addf(sb, ", %zu VIB%s", di->nvibs, di->nvibs == 1 ? "" : "s");
	if (di->nprofiles > 0)
		sbuf_addf(sb, ", %zu image profile%s", di->nprofiles,
		    di->nprofiles == 1 ? "" : "s");
}

static void
describe(const struct package_node *n, struct sbuf *sb)
{
	const struct package_tool_info *t = &n->tool;
	size_t i;

	sbuf_reset(sb);
	switch (n->kind) {
	case PACKAGE_ZIP:
		sbuf_adds(sb, "zip archive");
		break;
	case PACKAGE_TAR:
		sbuf_adds(sb, "tar archive");
		break;
	case PACKAGE_FOLDER:
		sbuf_adds(sb, "folder");
		break;
	case PACKAGE_DEPOT:
		if (n->duplicate_of != NULL)
			sbuf_adds(sb, "depot");
		else
			describe_depot(&n->depot, sb);
		break;
	case PACKAGE_EXPANDED:
		sbuf_adds(sb, "expanded depot folder: ");
		describe_depot(&n->depot, sb);
		break;
	case PACKAGE_VIB:
		sbuf_addf(sb, "VIB %s %s", n->vib.name, n->vib.version);
		if (n->vib.vendor != NULL && *n->vib.vendor != '\0')
			sbuf_addf(sb, ", vendor %s", n->vib.vendor);
		if (n->vib.acceptance != DV_ACCEPT_UNKNOWN)
			sbuf_addf(sb, ", %s",
			    dv_acceptance_display(n->vib.acceptance));
		break;
	case PACKAGE_NVM_TOOL:
		sbuf_adds(sb, "Intel NVM update tool");
		if (t->version != NULL)
			sbuf_addf(sb, " %s", t->version);
		if (t->target != NULL)
			sbuf_addf(sb, " for %s", t->target);
		if (t->config_version != NULL)
			sbuf_addf(sb, ", config %s", t->config_version);
		sbuf_addf(sb, ", %zu device%s, %zu NVM image%s", t->devices,
		    t->devices == 1 ? "" : "s", t->images.n,
		    t->images.n == 1 ? "" : "s");
		for (i = 0; i < t->missing.n; i++)
			sbuf_addf(sb, "%s%s", i == 0 ? "; missing: " : ", ",
			    t->missing.v[i]);
		break;
	case PACKAGE_DOC:
		sbuf_adds(sb, "documentation");
		break;
	case PACKAGE_FILE:
		sbuf_adds(sb, "file");
		break;
	}
	if (n->note != NULL)
		sbuf_addf(sb, ": %s", n->note);
	if (n->duplicate_of != NULL)
		sbuf_addf(sb, " (same content as %s)", n->duplicate_of);
	if (n->installable && n->duplicate_of == NULL)
		sbuf_adds(sb, "  [installable]");
}

/* Control bytes never reach the terminal, even from hostile names. */
static void
put_clean(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void
print_tree(const struct package_node *n, int level, struct sbuf *sb)
{
	describe(n, sb);
	printf("%*s", 2 * level, "");
	put_clean(n->name);
	printf(": ");
	put_clean(sb->buf);
	putchar('\n');
	for (size_t i = 0; i < n->nchildren; i++)
		print_tree(n->children[i], level + 1, sb);
}

/* "Installable: 1 depot, 2 VIBs", naming only what there is. */
static void
print_counts(const struct package_counts *c, const char *path)
{
	const size_t counts[4] = {c->depots, c->expanded, c->vibs, c->tools};
	static const char *const what[4][2] = {
		{"depot", "depots"},
		{"expanded depot folder", "expanded depot folders"},
		{"VIB", "VIBs"},
		{"NVM update tool", "NVM update tools"},
	};
	const char *sep = "Installable: ";

	for (int i = 0; i < 4; i++) {
		if (counts[i] == 0)
			continue;
		printf("%s%zu %s", sep, counts[i], what[i][counts[i] != 1]);
		sep = ", ";
	}
	if (*sep == ',')
		printf("\nRun '%s extract %s OUTDIR' to write them.\n",
		    progname, path);
}

/* ---- JSON ---------------------------------------------------------------- */

static void
json_depot_info(struct dv_json *j, const struct package_depot_info *di)
{
	dv_json_object_begin(j, "depot");
	dv_json_string(j, "kind", di->kind);
	dv_json_array_begin(j, "vendors");
	for (size_t i = 0; i < di->nvendors; i++) {
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "name", di->vendors[i].name);
		dv_json_string(j, "code", di->vendors[i].code);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
	dv_json_array_begin(j, "platforms");
	for (size_t i = 0; i < di->nplatforms; i++) {
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "product", di->platforms[i].product);
		dv_json_string(j, "version", di->platforms[i].version);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
	dv_json_uint(j, "vibs", di->nvibs);
	dv_json_uint(j, "components", di->ncomponents);
	dv_json_uint(j, "profiles", di->nprofiles);
	dv_json_object_end(j);
}

/* A node's own fields, without its children. */
static void
json_fields(struct dv_json *j, const struct package_node *n)
{
	dv_json_string(j, "name", n->name);
	dv_json_string(j, "path", n->path);
	dv_json_string(j, "kind", package_kind_name(n->kind));
	dv_json_uint(j, "size", n->size);
	dv_json_string(j, "sha256", n->sha256);
	dv_json_bool(j, "installable", n->installable);
	dv_json_string(j, "note", n->note);
	dv_json_string(j, "duplicate_of", n->duplicate_of);
	if ((n->kind == PACKAGE_DEPOT && n->depot.kind != NULL) ||
	    n->kind == PACKAGE_EXPANDED)
		json_depot_info(j, &n->depot);
	if (n->kind == PACKAGE_VIB) {
		dv_json_object_begin(j, "vib");
		dv_json_string(j, "id", n->vib.id);
		dv_json_string(j, "name", n->vib.name);
		dv_json_string(j, "version", n->vib.version);
		dv_json_string(j, "vendor", n->vib.vendor);
		dv_json_string(j, "acceptance_level",
		    n->vib.acceptance == DV_ACCEPT_UNKNOWN ? NULL :
		    dv_acceptance_name(n->vib.acceptance));
		dv_json_string(j, "acceptance_level_display",
		    n->vib.acceptance == DV_ACCEPT_UNKNOWN ? NULL :
		    dv_acceptance_display(n->vib.acceptance));
		dv_json_bool(j, "in_depot", n->vib.in_depot);
		dv_json_object_end(j);
	}
	if (n->kind == PACKAGE_NVM_TOOL) {
		dv_json_object_begin(j, "tool");
		dv_json_string(j, "version", n->tool.version);
		dv_json_string(j, "target", n->tool.target);
		dv_json_string(j, "config_version", n->tool.config_version);
		dv_json_uint(j, "devices", n->tool.devices);
		dv_json_strings(j, "images", n->tool.images.v,
		    n->tool.images.n);
		dv_json_strings(j, "missing_images", n->tool.missing.v,
		    n->tool.missing.n);
		dv_json_object_end(j);
	}
}

static void json_node(struct dv_json *j, const struct package_node *n,
    int level);

/* Below JSON_TREE_LEVELS, every descendant in one flat list. */
static void
json_flat(struct dv_json *j, const struct package_node *n)
{
	for (size_t i = 0; i < n->nchildren; i++) {
		dv_json_object_begin(j, NULL);
		json_fields(j, n->children[i]);
		dv_json_array_begin(j, "children");
		dv_json_array_end(j);
		dv_json_object_end(j);
		json_flat(j, n->children[i]);
	}
}

static void
json_node(struct dv_json *j, const struct package_node *n, int level)
{
	dv_json_object_begin(j, level == 0 ? "tree" : NULL);
	json_fields(j, n);
	dv_json_array_begin(j, "children");
	if (level + 1 < JSON_TREE_LEVELS) {
		for (size_t i = 0; i < n->nchildren; i++)
			json_node(j, n->children[i], level + 1);
	} else {
		json_flat(j, n);
	}
	dv_json_array_end(j);
	dv_json_object_end(j);
}

static void
json_installable(struct dv_json *j, const struct package_node *n)
{
	if (n->installable && n->duplicate_of == NULL)
		dv_json_string(j, NULL, n->path);
	for (size_t i = 0; i < n->nchildren; i++)
		json_installable(j, n->children[i]);
}

/* ---- info --------------------------------------------------------------- */

bool
cmd_is_package(const char *path)
{
	return package_is_package(path);
}

int
cmd_depot_info_package(const char *path, bool json)
{
	struct dv_error err = DV_ERROR_INIT;
	struct package *p = NULL;
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	struct dv_json j;
	struct package_counts counts = {0};

	if (package_open(path, NULL, &p, &err) != 0)
		return msg_dv_error(&err);
	for (size_t i = 0; i < p->warnings.n; i++)
		msg_warn("%s", p->warnings.v[i].msg);
	package_count_installable(p->root, &counts);
	if (json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "input", path);
		json_node(&j, p->root, 0);
		dv_json_array_begin(&j, "installable");
		json_installable(&j, p->root);
		dv_json_array_end(&j);
		dv_json_array_begin(&j, "warnings");
		for (size_t i = 0; i < p->warnings.n; i++)
			dv_json_string(&j, NULL, p->warnings.v[i].msg);
		dv_json_array_end(&j);
		dv_json_object_end(&j);
		dv_json_finish(&j);
	} else {
		print_tree(p->root, 0, &sb);
		print_counts(&counts, path);
	}
	sbuf_release(&sb);
	package_free(p);
	if (counts.depots + counts.expanded + counts.vibs + counts.tools == 0) {
		msg_error("%s: holds no depot, VIB or NVM update tool", path);
		return EXIT_BAD;
	}
	return EXIT_OK;
}

/* ---- extract ------------------------------------------------------------ */

static const char *
kind_words(const struct package_node *n)
{
	switch (n->kind) {
	case PACKAGE_DEPOT:
		return n->depot.kind != NULL ? n->depot.kind : "depot";
	case PACKAGE_EXPANDED:
		return "depot zip repacked from an expanded folder";
	case PACKAGE_VIB:
		return "VIB";
	case PACKAGE_NVM_TOOL:
		return "Intel NVM update tool";
	default:
		return package_kind_name(n->kind);
	}
}

static void
from(const struct package *p, const struct package_node *n, struct sbuf *sb)
{
	sbuf_reset(sb);
	sbuf_adds(sb, p->path);
	if (*n->path != '\0')
		sbuf_addf(sb, "!%s", n->path);
}

/* VIBs of one depot all skipped for one reason: said once. */
static bool
same_skip(const struct package_node *n)
{
	if (n->nchildren < 2 || n->children[0]->kind != PACKAGE_VIB ||
	    !n->children[0]->vib.in_depot || n->children[0]->skipped == NULL)
		return false;
	for (size_t i = 1; i < n->nchildren; i++)
		if (n->children[i]->skipped == NULL ||
		    strcmp(n->children[i]->skipped,
		    n->children[0]->skipped) != 0)
			return false;
	return true;
}

/* Names the run found in OUTDIR with the same bytes (outdir_unchanged),
 * for the report of the run. */
static const struct ptrvec *report_unchanged;

static bool
unchanged(const char *output)
{
	for (size_t i = 0; report_unchanged != NULL &&
	    i < report_unchanged->n; i++)
		if (strcmp(report_unchanged->v[i], output) == 0)
			return true;
	return false;
}

static void
text_written(const struct package *p, const struct package_node *n,
    struct sbuf *sb)
{
	if (n->output != NULL && n->parent != NULL &&
	    n->parent->kind == PACKAGE_NVM_TOOL)
		return; /* the tool's folder says it */
	if (n->output != NULL) {
		from(p, n, sb);
		printf("%s ", unchanged(n->output) ? "unchanged" : "wrote");
		put_clean(n->output);
		printf(" (%s, from ", kind_words(n));
		put_clean(sb->buf);
		printf(")\n");
	}
	for (size_t i = 0; i < n->nchildren; i++)
		text_written(p, n->children[i], sb);
}

static void
text_skipped(const struct package *p, const struct package_node *n,
    struct sbuf *sb)
{
	if (same_skip(n)) {
		from(p, n, sb);
		printf("skipped %zu VIBs inside ", n->nchildren);
		put_clean(sb->buf);
		printf(": ");
		put_clean(n->children[0]->skipped);
		putchar('\n');
		return;
	}
	if (n->skipped != NULL) {
		from(p, n, sb);
		printf("skipped ");
		put_clean(sb->buf);
		printf(": ");
		put_clean(n->skipped);
		putchar('\n');
	}
	for (size_t i = 0; i < n->nchildren; i++)
		text_skipped(p, n->children[i], sb);
}

static void
json_written(struct dv_json *j, const struct package *p,
    const struct package_node *n, struct sbuf *sb)
{
	if (n->output != NULL) {
		from(p, n, sb);
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "name", n->output);
		dv_json_string(j, "kind", package_kind_name(n->kind));
		dv_json_string(j, "from", sb->buf);
		dv_json_uint(j, "size", n->size);
		dv_json_string(j, "sha256", n->sha256);
		dv_json_bool(j, "unchanged", unchanged(n->output));
		dv_json_object_end(j);
	}
	for (size_t i = 0; i < n->nchildren; i++)
		json_written(j, p, n->children[i], sb);
}

static void
json_skipped(struct dv_json *j, const struct package *p,
    const struct package_node *n, struct sbuf *sb)
{
	if (n->skipped != NULL) {
		from(p, n, sb);
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "from", sb->buf);
		dv_json_string(j, "kind", package_kind_name(n->kind));
		dv_json_string(j, "reason", n->skipped);
		dv_json_string(j, "duplicate_of", n->duplicate_of);
		dv_json_object_end(j);
	}
	for (size_t i = 0; i < n->nchildren; i++)
		json_skipped(j, p, n->children[i], sb);
}

static size_t
count_written(const struct package_node *n, bool files)
{
	size_t k = n->output != NULL && (files || n->parent == NULL ||
	    n->parent->kind != PACKAGE_NVM_TOOL) ? 1 : 0;

	for (size_t i = 0; i < n->nchildren; i++)
		k += count_written(n->children[i], files);
	return k;
}

/* -q: the summary line alone; warnings went to stderr before. */
static void
extract_report(struct package **pkgs, size_t n, const char *outdir,
    const struct ptrvec *same, bool json, bool quiet)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	struct dv_json j;
	size_t i, k = 0;

	report_unchanged = same;
	if (json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "outdir", outdir);
		dv_json_array_begin(&j, "inputs");
		for (i = 0; i < n; i++)
			dv_json_string(&j, NULL, pkgs[i]->path);
		dv_json_array_end(&j);
		dv_json_array_begin(&j, "written");
		for (i = 0; i < n; i++)
			json_written(&j, pkgs[i], pkgs[i]->root, &sb);
		dv_json_array_end(&j);
		dv_json_array_begin(&j, "skipped");
		for (i = 0; i < n; i++)
			json_skipped(&j, pkgs[i], pkgs[i]->root, &sb);
		dv_json_array_end(&j);
		dv_json_array_begin(&j, "warnings");
		for (i = 0; i < n; i++)
			for (size_t w = 0; w < pkgs[i]->warnings.n; w++)
				dv_json_string(&j, NULL,
				    pkgs[i]->warnings.v[w].msg);
		dv_json_array_end(&j);
		dv_json_object_end(&j);
		dv_json_finish(&j);
	} else {
		for (i = 0; i < n && !quiet; i++)
			text_written(pkgs[i], pkgs[i]->root, &sb);
		for (i = 0; i < n && !quiet; i++)
			text_skipped(pkgs[i], pkgs[i]->root, &sb);
		for (i = 0; i < n; i++)
			k += count_written(pkgs[i]->root, false);
		printf("%zu item%s written to ", k, k == 1 ? "" : "s");
		put_clean(outdir);
		if (same->n > 0)
			printf(" (%zu unchanged)", same->n);
		putchar('\n');
	}
	sbuf_release(&sb);
}

int
cmd_depot_extract(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct ptrvec same = PTRVEC_INIT;
	struct package **pkgs = NULL;
	struct progress progress;
	struct xopts o;
	const char *outdir;
	size_t n;
	int ret;

	if (!parse_xopts(argc, argv, true, &o))
		return o.status;
	outdir = o.operands[o.noperands - 1];
	n = (size_t)o.noperands - 1;
	for (size_t i = 0; i < n; i++)
		verbose_reading(o.verbosity, argv[0], "", o.operands[i]);
	msg_catch_signals();
	progress_start(&progress, "extract", "files",
	    o.verbosity == VERBOSITY_QUIET);
	outdir_count_into(&progress.counters);
	ret = package_extract_run(outdir, (const char *const *)o.operands, n,
	    (o.vibs ? PACKAGE_EXTRACT_VIBS : 0) |
	    (o.repack ? PACKAGE_EXTRACT_REPACK : 0) |
	    (o.force ? PACKAGE_EXTRACT_FORCE : 0), &pkgs, &same, &err);
	outdir_count_into(NULL);
	progress_stop(&progress);
	msg_restore_signals();
	if (ret != 0) {
		ret = msg_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t w = 0; w < pkgs[i]->warnings.n; w++)
			msg_warn("%s", pkgs[i]->warnings.v[w].msg);
	extract_report(pkgs, n, outdir, &same, o.json,
	    o.verbosity == VERBOSITY_QUIET);
	package_free_all(pkgs, n);
	ret = EXIT_OK;
out:
	for (size_t i = 0; i < same.n; i++)
		free(same.v[i]);
	ptrvec_release(&same);
	return ret;
}

/* ---- unpack ------------------------------------------------------------- */

/* -q: the summary line alone, as extract_report. */
static void
unpack_report(const struct unpack_report *r, const char *depot,
    const char *outdir, const struct xopts *o)
{
	struct dv_json j;
	size_t i;

	if (o->json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "depot", depot);
		dv_json_string(&j, "outdir", outdir);
		dv_json_array_begin(&j, "written");
		for (i = 0; i < r->nwritten; i++) {
			dv_json_object_begin(&j, NULL);
			dv_json_string(&j, "name", r->written[i].name);
			dv_json_uint(&j, "size", r->written[i].size);
			dv_json_string(&j, "sha256", r->written[i].sha256);
			dv_json_object_end(&j);
		}
		dv_json_array_end(&j);
		dv_json_array_begin(&j, "skipped");
		for (i = 0; i < r->nskipped; i++) {
			dv_json_object_begin(&j, NULL);
			dv_json_string(&j, "name", r->skipped[i].name);
			dv_json_uint(&j, "size", r->skipped[i].size);
			dv_json_string(&j, "reason", r->skipped[i].reason);
			dv_json_object_end(&j);
		}
		dv_json_array_end(&j);
		dv_json_uint(&j, "verified", r->verified);
		dv_json_object_end(&j);
		dv_json_finish(&j);
		return;
	}
	for (i = 0; i < r->nwritten && o->verbosity != VERBOSITY_QUIET; i++) {
		printf("wrote ");
		put_clean(r->written[i].name);
		putchar('\n');
	}
	for (i = 0; i < r->nskipped && o->verbosity != VERBOSITY_QUIET; i++) {
		printf("skipped ");
		put_clean(r->skipped[i].name);
		printf(": %s\n", r->skipped[i].reason);
	}
	printf("%zu file%s written to ", r->nwritten,
	    r->nwritten == 1 ? "" : "s");
	put_clean(outdir);
	if (o->verify)
		printf("; %zu VIB%s verified", r->verified,
		    r->verified == 1 ? "" : "s");
	putchar('\n');
	if (o->verbosity != VERBOSITY_QUIET)
		printf("Serve it and use: esxcli software sources profile "
		    "list -d http://HOST/PATH/index.xml\n");
}

int
cmd_depot_unpack(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct unpack_report r;
	struct depot *d = NULL;
	struct outdir *od = NULL;
	struct progress progress;
	struct xopts o;
	unsigned flags;
	int ret;

	memset(&r, 0, sizeof(r));
	if (!parse_xopts(argc, argv, false, &o))
		return o.status;
	if (depot_open(o.operands[0], &d, &err) != 0) {
		if (err.code == DV_EWRAPPER)
			msg_error("%s; run '%s extract %s OUTDIR' first",
			    err.msg, progname, o.operands[0]);
		else
			msg_dv_error(&err);
		depot_free(d);
		return dv_exit_status(err.code);
	}
	for (size_t i = 0; i < d->warnings.n; i++)
		msg_warn("%s", d->warnings.v[i].msg);
	flags = (o.verify ? UNPACK_VERIFY : 0) |
	    (o.metadata ? UNPACK_METADATA : 0) | (o.all ? UNPACK_ALL : 0);
	if (o.verbosity == VERBOSITY_VERBOSE)
		fprintf(stderr, "%s: unpack: reading %s: %zu VIB%s, %zu "
		    "metadata zip%s; writing %s%s\n", progname, d->path,
		    d->nvibs, d->nvibs == 1 ? "" : "s", d->nmetadata,
		    d->nmetadata == 1 ? "" : "s", o.operands[1], o.verify ?
		    ", each VIB checked against the metadata" : "");
	msg_catch_signals();
	progress_start(&progress, "unpack", "files",
	    o.verbosity == VERBOSITY_QUIET);
	outdir_count_into(&progress.counters);
	if (outdir_begin(o.operands[1], o.force ? OUTDIR_FORCE : 0, &od,
	    &err) != 0 || depot_unpack(d, od, flags, &r, &err) != 0)
		goto fail;
	ret = outdir_commit(od, &err);
	od = NULL;
	if (ret != 0)
		goto fail;
	outdir_count_into(NULL);
	progress_stop(&progress);
	msg_restore_signals();
	unpack_report(&r, o.operands[0], o.operands[1], &o);
	ret = EXIT_OK;
	goto out;
fail:
	outdir_count_into(NULL);
	progress_stop(&progress);
	outdir_abort(od);
	msg_restore_signals();
	ret = msg_fail(&err);
out:
	unpack_report_release(&r);
	depot_free(d);
	return ret;
}
