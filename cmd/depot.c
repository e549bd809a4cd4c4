/* depot.c - the depot command: read ESXi depots and say what is inside. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../depot/depot.h"
#include "../depot/image.h"
#include "../depot/suggest.h"
#include "../depot/verify.h"
#include "cmd.h"
#include "extract.h"
#include "fetch.h"
#include "net.h"
#include "image.h"
#include "opts.h"
#include "output.h"
#include "progress.h"

#include "verb.h"

/* Options every listing verb shares. */
struct list_opts {
	bool json;
	const char *profile;
	const char *host; /* list-vibs --host: a saved 'esxcli software vib list' */
	const char *path;
	const char *arg; /* the verb's second operand, when it has one */
	int status;	 /* exit status when parsing says to stop */
};

/*
 * Parse "VERB [--json] [--profile NAME] DEPOT.zip [ARG]"; options may
 * stand anywhere.  nargs is how many operands the verb takes.  False when
 * the verb should stop (after --help or a usage error) with o->status.
 */
static bool
parse_list_opts(int argc, char **argv, bool takes_profile, int nargs,
    struct list_opts *o)
{
	enum opt_does profile = takes_profile ? OPT_STRING : OPT_NOT_FOR;
	const struct opt table[] = {
		OPT_JSON('j', &o->json),
		{"profile", 'p', true, profile, &o->profile, NULL, 0},
		/* list-vibs alone, as --profile */
		{"host", 'H', true, profile, &o->host, NULL, 0},
		OPT_HELP_ROW,
		NET_OPTS,
		OPT_END,
	};

	memset(o, 0, sizeof(*o));
	if (!opts_parse(argc, argv, table, &o->status))
		return false;
	if (argc - optind != nargs) {
		o->status = verb_operand_count(argv, argc - optind, nargs);
		return false;
	}
	o->path = argv[optind];
	o->arg = nargs > 1 ? argv[optind + 1] : NULL;
	return true;
}

static int
open_depot(const char *path, struct depot **out)
{
	return net_open_depot(path, 0, out);
}

/* The messages of one kind, as a JSON array. */
static void
json_diags(struct dv_json *j, const char *key, const struct dv_diags *l,
    enum dv_diag_kind kind)
{
	dv_json_array_begin(j, key);
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == kind)
			dv_json_string(j, NULL, l->v[i].msg);
	dv_json_array_end(j);
}

/* The messages of one kind, joined by "; ". */
static void
print_diags(const struct dv_diags *l, enum dv_diag_kind kind)
{
	const char *sep = "";

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].kind != kind)
			continue;
		printf("%s%s", sep, l->v[i].msg);
		sep = "; ";
	}
}

static void
json_warnings(struct dv_json *j, const struct depot *d)
{
	json_diags(j, "warnings", &d->warnings, DV_DIAG_WARNING);
}

/* Times in JSON carry their zone: always UTC. */
static void
json_time(struct dv_json *j, const char *key, const struct dv_time *t)
{
	char buf[20], utc[24];

	if (!t->set) {
		dv_json_string(j, key, NULL);
		return;
	}
	dv_time_format(t, buf);
	snprintf(utc, sizeof(utc), "%sZ", buf);
	dv_json_string(j, key, utc);
}

static void
json_acceptance(struct dv_json *j, enum dv_acceptance a)
{
	dv_json_string(j, "acceptance_level",
	    a == DV_ACCEPT_UNKNOWN ? NULL : dv_acceptance_name(a));
	dv_json_string(j, "acceptance_level_display",
	    a == DV_ACCEPT_UNKNOWN ? NULL : dv_acceptance_display(a));
}

/*
 * What a listing verb shows, built before anything is printed; each verb
 * renders it by one function per format.  The JSON renderers write the
 * verb's fields inside the envelope every listing shares: "depot" first,
 * the depot's "warnings" last.
 */
struct listing {
	const char *path; /* the depot as named */
	const struct depot *d;
	const char *profile; /* list-vibs --profile, or NULL */
	const struct depot_profile *p; /* show-profile's */
	const struct depot_vib **vibs; /* list-vibs, show-profile */
	size_t nvibs;
	struct image_diff host; /* list-vibs --host: the host's VIBs (.a) */
	bool has_host;
	size_t baseimages, addons, manifests, solutions; /* info */
};

struct listing_verb {
	bool takes_profile;
	int nargs;
	bool packages; /* a vendor package is shown as a tree (info) */
	/* EXIT_OK, or the exit status after saying why not. */
	int (*build)(struct listing *l, const struct list_opts *o);
	void (*text)(const struct listing *l);
	void (*json)(const struct listing *l, struct dv_json *j);
};

static int
run_listing(int argc, char **argv, const struct listing_verb *v)
{
	struct listing l = {0};
	struct list_opts o;
	struct depot *d = NULL;
	struct dv_json j;
	int ret;

	if (!parse_list_opts(argc, argv, v->takes_profile, v->nargs, &o))
		return o.status;
	if (v->packages && cmd_is_package(o.path))
		return cmd_depot_info_package(o.path, o.json);
	/* Listings show no VIB file's size or digest: no cross-check. */
	if ((ret = net_open_depot(o.path, DEPOT_OPEN_NO_CROSSCHECK,
	    &d)) != EXIT_OK)
		return ret;
	l.path = d->path; /* a URL's token shown as <token> */
	l.d = d;
	if (v->build != NULL && (ret = v->build(&l, &o)) != EXIT_OK)
		goto out;
	if (o.json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "depot", l.path);
		v->json(&l, &j);
		json_warnings(&j, d);
		dv_json_object_end(&j);
		dv_json_finish(&j);
	} else {
		v->text(&l);
	}
	ret = EXIT_OK;
out:
	free(l.vibs);
	if (l.has_host)
		image_diff_release(&l.host);
	depot_free(d);
	return ret;
}

/* ---- list-profiles ---------------------------------------------------- */

static void
list_profiles_text(const struct listing *l)
{
	static const char *const headers[] = {"Name", "Vendor",
	    "Acceptance Level", "Creation Time", "Modification Time"};
	struct table t;
	char ct[20], mt[20];

	table_init(&t, 5, headers);
	for (size_t i = 0; i < l->d->nprofiles; i++) {
		const struct depot_profile *p = l->d->profiles[i];
		dv_time_format(&p->creation_time, ct);
		dv_time_format(&p->modification_time, mt);
		table_row(&t, (const char *const[]){p->name, p->creator,
		    dv_acceptance_display(p->acceptance), ct, mt});
	}
	table_print(&t, stdout);
	table_release(&t);
}

static void
list_profiles_json(const struct listing *l, struct dv_json *j)
{
	dv_json_array_begin(j, "profiles");
	for (size_t i = 0; i < l->d->nprofiles; i++) {
		const struct depot_profile *p = l->d->profiles[i];
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "name", p->name);
		dv_json_string(j, "vendor", p->creator);
		json_acceptance(j, p->acceptance);
		json_time(j, "creation_time", &p->creation_time);
		json_time(j, "modification_time", &p->modification_time);
		dv_json_string(j, "profile_id", p->profile_id);
		dv_json_uint(j, "serialno", p->serialno);
		dv_json_bool(j, "readonly", p->readonly);
		dv_json_string(j, "description", p->description);
		dv_json_strings(j, "vib_ids", p->vib_ids.v, p->vib_ids.n);
		dv_json_strings(j, "component_ids", p->bulletin_ids.v,
		    p->bulletin_ids.n);
		dv_json_strings(j, "missing_vib_ids", p->missing_vib_ids.v,
		    p->missing_vib_ids.n);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
}

static int
cmd_depot_list_profiles(int argc, char **argv)
{
	static const struct listing_verb v = {false, 1, false, NULL,
	    list_profiles_text, list_profiles_json};

	return run_listing(argc, argv, &v);
}

/* ---- list-vibs -------------------------------------------------------- */

static void
json_relations(struct dv_json *j, const char *key,
    const struct depot_relations *r)
{
	dv_json_array_begin(j, key);
	for (size_t i = 0; i < r->n; i++) {
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "name", r->v[i].name);
		dv_json_string(j, "relation", r->v[i].relation);
		dv_json_string(j, "version", r->v[i].version);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
}

static void
json_platforms(struct dv_json *j, const char *key,
    const struct depot_platforms *p)
{
	dv_json_array_begin(j, key);
	for (size_t i = 0; i < p->n; i++) {
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "product", p->v[i].product);
		dv_json_string(j, "version", p->v[i].version);
		dv_json_string(j, "locale", p->v[i].locale);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
}

static void
json_vib(struct dv_json *j, const struct depot_vib *v)
{
	dv_json_object_begin(j, NULL);
	dv_json_string(j, "id", v->id);
	dv_json_string(j, "name", v->name);
	dv_json_string(j, "version", v->version);
	dv_json_string(j, "vendor", v->vendor);
	dv_json_string(j, "type", v->type);
	json_acceptance(j, v->acceptance);
	json_time(j, "release_date", &v->release_date);
	dv_json_string(j, "summary", v->summary);
	dv_json_string(j, "relative_path", v->relative_path);
	dv_json_string(j, "member", v->member);
	if (v->has_packed_size)
		dv_json_uint(j, "packed_size", v->packed_size);
	else
		dv_json_string(j, "packed_size", NULL);
	dv_json_string(j, "sha256", v->sha256);
	dv_json_bool(j, "maintenance_mode", v->maintenance_install);
	dv_json_bool(j, "live_install_allowed", v->live_install);
	dv_json_bool(j, "live_remove_allowed", v->live_remove);
	dv_json_bool(j, "stateless_ready", v->stateless_ready);
	json_relations(j, "depends", &v->depends);
	json_relations(j, "provides", &v->provides);
	json_platforms(j, "platforms", &v->platforms);
	dv_json_object_end(j);
}

/* The VIBs a profile names, all present, sorted as the depot sorts them. */
static int
profile_vibs(struct listing *l, const char *name)
{
	struct dv_error err = DV_ERROR_INIT;
	const struct depot *d = l->d;
	const struct depot_profile *p;
	size_t k = 0;

	if (depot_find_profile(d, name, &p, &err) != 0)
		return msg_dv_error(&err);
	if (p->missing_vib_ids.n > 0) {
		msg_error("%s: VIBs %s%s from image profile '%s' cannot be "
		    "found in metadata", d->path, p->missing_vib_ids.v[0],
		    p->missing_vib_ids.n > 1 ? " and others" : "", p->name);
		return EXIT_BAD;
	}
	l->vibs = xmalloc((d->nvibs + 1) * sizeof(*l->vibs));
	for (size_t i = 0; i < d->nvibs; i++) {
		for (size_t m = 0; m < p->vib_ids.n; m++) {
			if (strcmp(d->vibs[i]->id, p->vib_ids.v[m]) == 0) {
				l->vibs[k++] = d->vibs[i];
				break;
			}
		}
	}
	l->nvibs = k;
	l->p = p;
	return EXIT_OK;
}

/*
 * esxcli's Status column: what installing v would do to a host with the
 * VIBs of side (sorted by name), as 'sources vib list' says it.
 */
static const char *
host_status(const struct diff_side *side, const struct depot_vib *v)
{
	size_t lo = 0, hi = side->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->name, side->v[mid].name);

		if (c == 0) {
			c = dv_version_cmp(v->version, side->v[mid].version);
			return c > 0 ? "Update" : c < 0 ? "Downgrade" :
			    "Installed";
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return "New";
}

static int
list_vibs_build(struct listing *l, const struct list_opts *o)
{
	if (o->host != NULL) {
		struct dv_error err = DV_ERROR_INIT;

		image_diff_init(&l->host);
		l->has_host = true;
		if (image_diff_host(&l->host, &l->host.a, o->host, &err) != 0)
			return msg_dv_error(&err);
	}
	l->profile = o->profile;
	if (o->profile != NULL)
		return profile_vibs(l, o->profile);
	l->vibs = xmalloc((l->d->nvibs + 1) * sizeof(*l->vibs));
	memcpy(l->vibs, l->d->vibs, l->d->nvibs * sizeof(*l->vibs));
	l->nvibs = l->d->nvibs;
	return EXIT_OK;
}

static void
list_vibs_text(const struct listing *l)
{
	static const char *const headers[] = {"Name", "Version", "Vendor",
	    "Creation Date", "Acceptance Level", "Status"};
	struct table t;
	char date[20];

	/* Status, as esxcli has it, only against a host's VIB list. */
	table_init(&t, l->has_host ? 6 : 5, headers);
	for (size_t i = 0; i < l->nvibs; i++) {
		const struct depot_vib *v = l->vibs[i];
		dv_time_format(&v->release_date, date);
		date[10] = '\0';
		table_row(&t, (const char *const[]){v->name, v->version,
		    v->vendor, date, dv_acceptance_display(v->acceptance),
		    l->has_host ? host_status(&l->host.a, v) : NULL});
	}
	table_print(&t, stdout);
	table_release(&t);
}

static void
list_vibs_json(const struct listing *l, struct dv_json *j)
{
	dv_json_string(j, "profile", l->profile);
	dv_json_array_begin(j, "vibs");
	for (size_t i = 0; i < l->nvibs; i++)
		json_vib(j, l->vibs[i]);
	dv_json_array_end(j);
	if (l->has_host) { /* by VIB id: what installing it would do */
		dv_json_object_begin(j, "host_status");
		for (size_t i = 0; i < l->nvibs; i++)
			dv_json_string(j, l->vibs[i]->id,
			    host_status(&l->host.a, l->vibs[i]));
		dv_json_object_end(j);
	}
}

static int
cmd_depot_list_vibs(int argc, char **argv)
{
	static const struct listing_verb v = {true, 1, false,
	    list_vibs_build, list_vibs_text, list_vibs_json};

	return run_listing(argc, argv, &v);
}

/* ---- list-components -------------------------------------------------- */

static const char *
component_name(const struct depot_bulletin *b)
{
	return b->comp_name != NULL && *b->comp_name != '\0' ? b->comp_name :
	    b->id;
}

static void
list_components_text(const struct listing *l)
{
	static const char *const headers[] = {"Name", "Version", "Vendor",
	    "Release Date", "Acceptance Level"};
	struct table t;
	char date[20];

	table_init(&t, 5, headers);
	for (size_t i = 0; i < l->d->nbulletins; i++) {
		const struct depot_bulletin *b = l->d->bulletins[i];
		dv_time_format(&b->release_date, date);
		date[10] = '\0';
		table_row(&t, (const char *const[]){component_name(b),
		    b->comp_version ? b->comp_version : "", b->vendor, date,
		    dv_acceptance_display(depot_bulletin_acceptance(l->d,
		    b))});
	}
	table_print(&t, stdout);
	table_release(&t);
}

static void
list_components_json(const struct listing *l, struct dv_json *j)
{
	dv_json_array_begin(j, "components");
	for (size_t i = 0; i < l->d->nbulletins; i++) {
		const struct depot_bulletin *b = l->d->bulletins[i];
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "id", b->id);
		dv_json_string(j, "name", component_name(b));
		dv_json_string(j, "name_display", b->comp_name_ui ?
		    b->comp_name_ui : component_name(b));
		dv_json_string(j, "version", b->comp_version ? b->comp_version :
		    "");
		dv_json_string(j, "version_display", b->comp_version_ui ?
		    b->comp_version_ui : "");
		dv_json_string(j, "vendor", b->vendor);
		json_time(j, "release_date", &b->release_date);
		dv_json_string(j, "summary", b->summary);
		dv_json_string(j, "release_type", b->release_type);
		dv_json_string(j, "acceptance", dv_acceptance_name(
		    depot_bulletin_acceptance(l->d, b)));
		dv_json_bool(j, "is_component", b->comp_name != NULL);
		json_platforms(j, "platforms", &b->platforms);
		dv_json_strings(j, "vib_ids", b->vib_ids.v, b->vib_ids.n);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
}

static int
cmd_depot_list_components(int argc, char **argv)
{
	static const struct listing_verb v = {false, 1, false, NULL,
	    list_components_text, list_components_json};

	return run_listing(argc, argv, &v);
}

/* ---- show-profile ----------------------------------------------------- */

/* Print text word-wrapped under an indent, as esxcli does descriptions. */
static void
print_wrapped(const char *text, int indent, int width)
{
	const char *p = text, *w;
	int col = 0;
	size_t len;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\n') {
			if (col > 0)
				putchar('\n');
			col = 0;
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		for (w = p; *w != '\0' && *w != ' ' && *w != '\t' &&
		    *w != '\n' && *w != '\r'; w++)
			;
		len = (size_t)(w - p);
		if (col > 0 && col + 1 + (int)len > width) {
			putchar('\n');
			col = 0;
		}
		if (col == 0)
			col = printf("%*s", indent, "");
		else
			col += printf(" ");
		col += printf("%.*s", (int)len, p);
		p = w;
	}
	if (col > 0)
		putchar('\n');
}

static int
show_profile_build(struct listing *l, const struct list_opts *o)
{
	return profile_vibs(l, o->arg);
}

static void
show_profile_text(const struct listing *l)
{
	const struct depot_profile *p = l->p;
	char ct[20], mt[20];

	if (p == NULL) /* show_profile_build found it, or we never get here */
		return;

	dv_time_format(&p->creation_time, ct);
	dv_time_format(&p->modification_time, mt);
	printf("   Name: %s\n", p->name);
	printf("   Vendor: %s\n", p->creator);
	printf("   Acceptance Level: %s\n",
	    dv_acceptance_display(p->acceptance));
	printf("   Creation Time: %s\n", ct);
	printf("   Modification Time: %s\n", mt);
	printf("   Stateless Ready: %s\n",
	    depot_profile_stateless_ready(l->d, p) ? "True" : "False");
	printf("   Description:\n");
	print_wrapped(p->description, 6, 78);
	printf("   VIBs: ");
	for (size_t i = 0; i < l->nvibs; i++)
		printf("%s%s %s", i ? ", " : "", l->vibs[i]->name,
		    l->vibs[i]->version);
	printf("\n");
	if (p->bulletin_ids.n > 0) {
		printf("   Components: ");
		for (size_t i = 0; i < p->bulletin_ids.n; i++)
			printf("%s%s", i ? ", " : "", p->bulletin_ids.v[i]);
		printf("\n");
	}
}

static void
show_profile_json(const struct listing *l, struct dv_json *j)
{
	const struct depot_profile *p = l->p;

	if (p == NULL) /* as in show_profile_text */
		return;

	dv_json_string(j, "name", p->name);
	dv_json_string(j, "vendor", p->creator);
	json_acceptance(j, p->acceptance);
	json_time(j, "creation_time", &p->creation_time);
	json_time(j, "modification_time", &p->modification_time);
	dv_json_bool(j, "stateless_ready", depot_profile_stateless_ready(l->d,
	    p));
	dv_json_string(j, "profile_id", p->profile_id);
	dv_json_uint(j, "serialno", p->serialno);
	dv_json_bool(j, "readonly", p->readonly);
	dv_json_string(j, "description", p->description);
	dv_json_array_begin(j, "vibs");
	for (size_t i = 0; i < l->nvibs; i++)
		json_vib(j, l->vibs[i]);
	dv_json_array_end(j);
	dv_json_strings(j, "component_ids", p->bulletin_ids.v,
	    p->bulletin_ids.n);
}

static int
cmd_depot_show_profile(int argc, char **argv)
{
	static const struct listing_verb v = {false, 2, false,
	    show_profile_build, show_profile_text, show_profile_json};

	return run_listing(argc, argv, &v);
}

/* ---- info ------------------------------------------------------------- */

static int
info_build(struct listing *l, const struct list_opts *o)
{
	(void)o;
	for (size_t i = 0; i < l->d->nmetadata; i++) {
		l->baseimages += l->d->metadata[i].baseimages;
		l->addons += l->d->metadata[i].addons;
		l->manifests += l->d->metadata[i].manifests;
		l->solutions += l->d->metadata[i].solutions;
	}
	return EXIT_OK;
}

static void
info_text(const struct listing *l)
{
	const struct depot *d = l->d;

	printf("Depot:       %s\n", l->path);
	printf("Kind:        %s\n", depot_kind_name(d));
	for (size_t i = 0; i < d->nvendors; i++)
		printf("Vendor:      %s (code %s)\n", d->vendors[i].name,
		    d->vendors[i].code);
	for (size_t i = 0; i < d->nmetadata; i++) {
		const struct depot_metadata *m = &d->metadata[i];
		printf("Metadata:    %s%s\n", m->member,
		    m->used_vmware_xml ? " (VIBs from vmware.xml)" : "");
		printf("Platforms:  ");
		for (size_t k = 0; k < m->platforms.n; k++)
			printf(" %s %s%s", m->platforms.v[k].product,
			    m->platforms.v[k].version,
			    k + 1 < m->platforms.n ? "," : "");
		printf("\n");
	}
	printf("VIBs:        %zu\n", d->nvibs);
	printf("Components:  %zu\n", d->nbulletins);
	if (l->baseimages || l->addons || l->manifests || l->solutions)
		printf("Base images: %zu\nAdd-ons:     %zu\n"
		    "Manifests:   %zu\nSolutions:   %zu\n", l->baseimages,
		    l->addons, l->manifests, l->solutions);
	printf("Profiles:    %zu\n", d->nprofiles);
	for (size_t i = 0; i < d->nprofiles; i++)
		printf("  %s\n", d->profiles[i]->name);
}

static void
info_json(const struct listing *l, struct dv_json *j)
{
	const struct depot *d = l->d;

	dv_json_string(j, "kind", depot_kind_name(d));
	dv_json_array_begin(j, "vendors");
	for (size_t i = 0; i < d->nvendors; i++) {
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "name", d->vendors[i].name);
		dv_json_string(j, "code", d->vendors[i].code);
		dv_json_string(j, "index", d->vendors[i].index_member);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
	dv_json_array_begin(j, "metadata");
	for (size_t i = 0; i < d->nmetadata; i++) {
		const struct depot_metadata *m = &d->metadata[i];
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "path", m->member);
		json_platforms(j, "platforms", &m->platforms);
		dv_json_uint(j, "vibs", m->vibs);
		dv_json_uint(j, "bulletins", m->bulletins);
		dv_json_uint(j, "profiles", m->profiles);
		dv_json_uint(j, "baseimages", m->baseimages);
		dv_json_uint(j, "addons", m->addons);
		dv_json_uint(j, "manifests", m->manifests);
		dv_json_uint(j, "solutions", m->solutions);
		dv_json_uint(j, "other_files", m->other);
		dv_json_bool(j, "vibs_from_vmware_xml", m->used_vmware_xml);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
	dv_json_uint(j, "vibs", d->nvibs);
	dv_json_uint(j, "components", d->nbulletins);
	dv_json_uint(j, "baseimages", l->baseimages);
	dv_json_uint(j, "addons", l->addons);
	dv_json_uint(j, "manifests", l->manifests);
	dv_json_uint(j, "solutions", l->solutions);
	dv_json_array_begin(j, "profiles");
	for (size_t i = 0; i < d->nprofiles; i++)
		dv_json_string(j, NULL, d->profiles[i]->name);
	dv_json_array_end(j);
}

static int
cmd_depot_info(int argc, char **argv)
{
	static const struct listing_verb v = {false, 1, true, info_build,
	    info_text, info_json};

	return run_listing(argc, argv, &v);
}

/* Options of verify and show-vib. */
struct check_opts {
	bool json;
	enum verbosity verbosity; /* verify's -q or -v */
	int jobs;
	struct ptrvec trust_paths;
	char **operands;
	int noperands;
	int status; /* exit status when parsing says to stop */
};

static bool
parse_check_opts(int argc, char **argv, bool takes_jobs, int min, int max,
    struct check_opts *o)
{
	/* verify's alone: -q, -v and --jobs */
	enum opt_does verify_only = takes_jobs ? OPT_CALL : OPT_NOT_FOR;
	const struct opt table[] = {
		OPT_JSON('j', &o->json),
		{"trust", 't', true, OPT_LIST, &o->trust_paths, NULL, 0},
		OPT_JOBS('J', verify_only, &o->jobs, 256),
		{"quiet", 'q', false, verify_only, &o->verbosity,
		    opts_verbosity, 'q'},
		{"verbose", 'v', false, verify_only, &o->verbosity,
		    opts_verbosity, 'v'},
		OPT_HELP_ROW,
		/* show-vib's alone: it may download one VIB */
		NET_OPTS_AS(takes_jobs ? OPT_NOT_FOR : OPT_CALL),
		OPT_END,
	};
	long n;

	memset(o, 0, sizeof(*o));
	n = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = n > 0 ? (int)(n > 256 ? 256 : n) : 1;
	if (!opts_parse(argc, argv, table, &o->status))
		return false;
	o->noperands = argc - optind;
	o->operands = argv + optind;
	if (o->noperands < min || o->noperands > max) {
		msg_error("%s: expected %d operand%s, got %d", argv[0], min,
		    min == 1 && max == 1 ? "" : "s", o->noperands);
		o->status = verb_usage(argv[0], EXIT_USAGE);
		return false;
	}
	return true;
}

static int
load_trust(struct check_opts *o, struct sig_trust **out)
{
	struct dv_error err = DV_ERROR_INIT;

	*out = NULL;
	if (o->trust_paths.n == 0)
		return EXIT_OK;
	/* A --trust file that is missing or unusable is the same mistake,
	 * in an option: usage, exit 2, either way. */
	if (sig_trust_load((const char *const *)o->trust_paths.v,
	    o->trust_paths.n, out, &err) != 0) {
		msg_dv_error(&err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static const char *
sig_status_name(enum sig_status s)
{
	switch (s) {
	case SIG_UNSIGNED:
		return "unsigned";
	case SIG_OK:
		return "ok";
	case SIG_MALFORMED:
		return "malformed";
	case SIG_DIGEST_MISMATCH:
		return "digest-mismatch";
	case SIG_UNTRUSTED:
		return "untrusted";
	}
	return "unknown";
}

static void
json_signature(struct dv_json *j, const struct verify_vib *v)
{
	dv_json_object_begin(j, "signature");
	dv_json_string(j, "status", v->scanned ? sig_status_name(v->sig.status) :
	    NULL);
	dv_json_string(j, "signer", v->sig.subject[0] != '\0' ? v->sig.subject :
	    NULL);
	dv_json_bool(j, "chain_checked", v->sig.chain_checked);
	dv_json_string(j, "detail", v->sig.detail[0] != '\0' ? v->sig.detail :
	    NULL);
	dv_json_object_end(j);
}

/* --verbose: what verify is about to read, on stderr. */
static void
verify_say_what(const struct depot *d, const struct check_opts *o)
{
	uint64_t bytes = 0;

	for (size_t i = 0; i < d->nvibs; i++)
		bytes += d->vibs[i]->packed_size;
	fprintf(stderr, "%s: verify: reading %s: %zu VIB%s, %.1f MiB, with "
	    "%d job%s; trust %s\n", progname, d->path, d->nvibs,
	    d->nvibs == 1 ? "" : "s", (double)bytes / 1048576.0, o->jobs,
	    o->jobs == 1 ? "" : "s", o->trust_paths.n > 0 ?
	    "checked against --trust" : "not checked (no --trust)");
}

/* ---- verify ----------------------------------------------------------- */

/* What verify shows: the report and the signature counts. */
struct verify_result {
	const struct depot *d;
	struct verify_report r;
	size_t signed_n, unsigned_n, untrusted_n;
	size_t structure_failed;
	bool quiet; /* -q: the failures and the summary only */
};

static void
verify_text(const struct verify_result *vr)
{
	const struct verify_report *r = &vr->r;

	for (size_t i = 0; i < r->structure.n; i++)
		if (r->structure.v[i].kind == DV_DIAG_FAIL)
			printf("%s: FAILED\n", r->structure.v[i].msg);
	for (size_t i = 0; i < r->structure.n && !vr->quiet; i++)
		if (r->structure.v[i].kind == DV_DIAG_WARNING)
			printf("WARNING: %s\n", r->structure.v[i].msg);
	for (size_t i = 0; i < r->nvibs; i++) {
		const struct verify_vib *v = &r->vibs[i];
		if (vr->quiet && v->ok)
			continue;
		printf("%s: %s", v->meta->id, v->ok ? "OK" : "FAILED: ");
		if (!v->ok)
			print_diags(&v->diags, DV_DIAG_FAIL);
		if (dv_diags_first(&v->diags, DV_DIAG_NOTE) != NULL) {
			fputs(" (note: ", stdout);
			print_diags(&v->diags, DV_DIAG_NOTE);
			putchar(')');
		}
		putchar('\n');
	}
	printf("%zu VIB%s checked, %zu failed; structure: %s; "
	    "signatures: %zu signed", r->nvibs, r->nvibs == 1 ? "" : "s",
	    r->failed - vr->structure_failed,
	    vr->structure_failed ? "FAILED" : "OK", vr->signed_n);
	if (vr->untrusted_n > 0)
		printf(" (%zu not trusted)", vr->untrusted_n);
	printf(", %zu unsigned, %s\n", vr->unsigned_n, r->trust_checked ?
	    "chains checked against --trust" :
	    "trust not checked (no --trust given)");
}

static void
verify_json(const struct verify_result *vr)
{
	const struct verify_report *r = &vr->r;
	struct dv_json j;

	dv_json_init(&j, stdout);
	dv_json_object_begin(&j, NULL);
	dv_json_string(&j, "depot", vr->d->path);
	dv_json_bool(&j, "ok", r->failed == 0);
	dv_json_bool(&j, "trust_checked", r->trust_checked);
	dv_json_object_begin(&j, "structure");
	json_diags(&j, "failures", &r->structure, DV_DIAG_FAIL);
	json_diags(&j, "warnings", &r->structure, DV_DIAG_WARNING);
	dv_json_object_end(&j);
	dv_json_array_begin(&j, "vibs");
	for (size_t i = 0; i < r->nvibs; i++) {
		const struct verify_vib *v = &r->vibs[i];
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "id", v->meta->id);
		dv_json_string(&j, "member", v->meta->member);
		dv_json_bool(&j, "ok", v->ok);
		json_diags(&j, "problems", &v->diags, DV_DIAG_FAIL);
		json_diags(&j, "notes", &v->diags, DV_DIAG_NOTE);
		json_signature(&j, v);
		dv_json_object_end(&j);
	}
	dv_json_array_end(&j);
	dv_json_object_begin(&j, "summary");
	dv_json_uint(&j, "vibs", r->nvibs);
	dv_json_uint(&j, "failed", r->failed);
	dv_json_uint(&j, "signed", vr->signed_n);
	dv_json_uint(&j, "unsigned", vr->unsigned_n);
	dv_json_uint(&j, "untrusted", vr->untrusted_n);
	dv_json_object_end(&j);
	json_warnings(&j, vr->d);
	dv_json_object_end(&j);
	dv_json_finish(&j);
}

static int
cmd_depot_verify(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct verify_result vr = {0};
	struct verify_opts vo = {0};
	struct sig_trust *trust = NULL;
	struct progress progress;
	struct check_opts o;
	struct depot *d = NULL;
	int ret;

	if (!parse_check_opts(argc, argv, true, 1, 1, &o))
		return o.status;
	if (http_is_url(o.operands[0]) &&
	    strncasecmp(o.operands[0], "file://", 7) != 0) {
		/* Every VIB would be downloaded, then thrown away. */
		msg_error("verify: %s: verify reads every VIB, which from an "
		    "online depot means downloading all of it; copy it first "
		    "with '%s mirror URL DIR' (each VIB is checked as it "
		    "arrives), then run '%s verify DIR'", o.operands[0],
		    progname, progname);
		ret = EXIT_USAGE;
		goto out;
	}
	if ((ret = load_trust(&o, &trust)) != EXIT_OK)
		goto out;
	if ((ret = open_depot(o.operands[0], &d)) != EXIT_OK)
		goto out;
	vo.trust = trust;
	vo.jobs = o.jobs;
	if (o.verbosity == VERBOSITY_VERBOSE)
		verify_say_what(d, &o);
	progress_start(&progress, "verify", "VIBs",
	    o.verbosity == VERBOSITY_QUIET);
	vo.progress = &progress.counters;
	ret = depot_verify(d, &vo, &vr.r, &err);
	progress_stop(&progress);
	if (ret != 0) {
		ret = msg_dv_error(&err);
		goto out;
	}
	vr.d = d;
	vr.quiet = o.verbosity == VERBOSITY_QUIET;
	vr.structure_failed = dv_diags_count(&vr.r.structure, DV_DIAG_FAIL);
	/* A signature that is there counts as signed, trusted or not;
	 * untrusted ones are counted again, apart. */
	for (size_t i = 0; i < vr.r.nvibs; i++) {
		const struct verify_vib *v = &vr.r.vibs[i];

		if (!v->scanned)
			continue;
		if (v->sig.status == SIG_UNSIGNED)
			vr.unsigned_n++;
		else if (v->sig.status == SIG_OK ||
		    v->sig.status == SIG_UNTRUSTED)
			vr.signed_n++;
		if (v->sig.status == SIG_UNTRUSTED)
			vr.untrusted_n++;
	}
	if (o.json)
		verify_json(&vr);
	else
		verify_text(&vr);
	ret = vr.r.failed == 0 ? EXIT_OK : EXIT_BAD;
	if (ret != EXIT_OK)
		msg_error("%s: %zu check%s failed", d->path, vr.r.failed,
		    vr.r.failed == 1 ? "" : "s");
out:
	verify_report_release(&vr.r);
	depot_free(d);
	sig_trust_free(trust);
	ptrvec_release(&o.trust_paths);
	return ret;
}

/* A depot's VIB by id, or by name when exactly one VIB has it. */
static int
find_vib(const struct depot *d, const char *key, const struct depot_vib **out)
{
	const struct depot_vib *found = depot_find_vib(d, key);
	size_t n = 0;

	*out = NULL;
	if (found != NULL) {
		*out = found;
		return EXIT_OK;
	}
	for (size_t i = 0; i < d->nvibs; i++) {
		if (strcmp(d->vibs[i]->name, key) == 0) {
			found = d->vibs[i];
			n++;
		}
	}
	if (n == 0) {
		const char **names = xcalloc(d->nvibs + 1, sizeof(*names));
		const char *near;

		for (size_t i = 0; i < d->nvibs; i++)
			names[i] = d->vibs[i]->name;
		near = dv_suggest(key, names, d->nvibs);
		free(names);
		if (near != NULL)
			msg_error("%s: no VIB with id or name '%s'; did you "
			    "mean '%s'?", d->path, key, near);
		else
			msg_error("%s: no VIB with id or name '%s'; '%s "
			    "list-vibs %s' lists them", d->path, key, progname,
			    d->path);
		return EXIT_BAD;
	}
	if (n > 1) {
		msg_error("%s: %zu VIBs are named '%s'; give the VIB id",
		    d->path, n, key);
		return EXIT_BAD;
	}
	*out = found;
	return EXIT_OK;
}

static void
print_relations(const char *label, const struct depot_relations *r)
{
	printf("   %s: ", label);
	for (size_t i = 0; i < r->n; i++) {
		printf("%s%s", i ? ", " : "", r->v[i].name);
		if (r->v[i].relation != NULL && r->v[i].version != NULL)
			printf(" %s %s", r->v[i].relation, r->v[i].version);
		else if (r->v[i].version != NULL)
			printf(" = %s", r->v[i].version);
	}
	putchar('\n');
}

static const char *
tf(bool b)
{
	return b ? "True" : "False";
}

static void
show_vib_text(const struct verify_vib *v, const struct depot_vib *x,
    bool trust_checked)
{
	const struct vib_member *mb;
	char date[20];

	dv_time_format(&x->release_date, date);
	printf("%s\n", x->id);
	printf("   Name: %s\n   Version: %s\n   Type: %s\n   Vendor: %s\n",
	    x->name, x->version, x->type, x->vendor);
	printf("   Acceptance Level: %s\n",
	    dv_acceptance_display(x->acceptance));
	printf("   Summary: %s\n", x->summary);
	printf("   Description: %s\n", x->description);
	printf("   Creation Date: %.10s\n", date);
	print_relations("Depends", &x->depends);
	print_relations("Conflicts", &x->conflicts);
	print_relations("Replaces", &x->replaces);
	print_relations("Provides", &x->provides);
	printf("   Maintenance Mode Required: %s\n",
	    tf(x->maintenance_install));
	printf("   Live Install Allowed: %s\n   Live Remove Allowed: %s\n",
	    tf(x->live_install), tf(x->live_remove));
	printf("   Stateless Ready: %s\n   Overlay: %s\n",
	    tf(x->stateless_ready), tf(x->overlay));
	printf("   Platforms: ");
	for (size_t i = 0; i < x->platforms.n; i++)
		printf("%s%s %s", i ? ", " : "", x->platforms.v[i].product,
		    x->platforms.v[i].version);
	printf("\n   Tags: ");
	for (size_t i = 0; i < x->tags.n; i++)
		printf("%s%s", i ? ", " : "", x->tags.v[i]);
	printf("\n   Payloads: ");
	for (size_t i = 0; i < x->npayloads; i++)
		printf("%s%s", i ? ", " : "", x->payloads[i].name);
	putchar('\n');
	for (size_t i = 0; i < x->npayloads; i++) {
		const struct depot_payload *p = &x->payloads[i];
		printf("   Payload %s: type %s, size %llu", p->name, p->type,
		    (unsigned long long)p->size);
		if (p->uncompressed_size != 0)
			printf(", uncompressed %llu",
			    (unsigned long long)p->uncompressed_size);
		putchar('\n');
		for (size_t k = 0; k < p->nchecksums; k++)
			printf("      %s%s%s: %s\n", p->checksums[k].type,
			    p->checksums[k].verify_process ? " " : "",
			    p->checksums[k].verify_process ?
			    p->checksums[k].verify_process : "",
			    p->checksums[k].value);
		mb = NULL;
		for (size_t k = 0; k < v->scan.nmembers; k++)
			if (strcmp(v->scan.members[k].name, p->name) == 0)
				mb = &v->scan.members[k];
		if (mb != NULL && mb->decompressed)
			printf("      expands to %llu bytes\n",
			    (unsigned long long)mb->expanded_size);
	}
	printf("   Signer: %s\n", v->sig.status == SIG_UNSIGNED ?
	    "(unsigned)" : v->sig.subject[0] ? v->sig.subject : "(unknown)");
	printf("   Reboot Required: %s\n", tf(!x->live_install));
	printf("   File: %llu bytes, sha-256 %s\n",
	    (unsigned long long)v->scan.file_size, v->scan.file_sha256);
	printf("   Verification: %s", v->ok ? "OK" : "FAILED: ");
	if (!v->ok)
		print_diags(&v->diags, DV_DIAG_FAIL);
	else if (!trust_checked && v->sig.status != SIG_UNSIGNED)
		fputs(" (signature and checksums; the signer is not checked "
		    "without --trust)", stdout);
	putchar('\n');
}

static void
show_vib_json(const struct verify_vib *v, const struct depot_vib *x)
{
	struct dv_json j;

	dv_json_init(&j, stdout);
	dv_json_object_begin(&j, NULL);
	dv_json_string(&j, "id", x->id);
	dv_json_string(&j, "name", x->name);
	dv_json_string(&j, "version", x->version);
	dv_json_string(&j, "vendor", x->vendor);
	dv_json_string(&j, "type", x->type);
	json_acceptance(&j, x->acceptance);
	dv_json_string(&j, "summary", x->summary);
	dv_json_string(&j, "description", x->description);
	json_time(&j, "release_date", &x->release_date);
	json_relations(&j, "depends", &x->depends);
	json_relations(&j, "conflicts", &x->conflicts);
	json_relations(&j, "replaces", &x->replaces);
	json_relations(&j, "provides", &x->provides);
	dv_json_bool(&j, "maintenance_mode", x->maintenance_install);
	dv_json_bool(&j, "live_install_allowed", x->live_install);
	dv_json_bool(&j, "live_remove_allowed", x->live_remove);
	dv_json_bool(&j, "stateless_ready", x->stateless_ready);
	dv_json_bool(&j, "reboot_required", !x->live_install);
	json_platforms(&j, "platforms", &x->platforms);
	dv_json_array_begin(&j, "payloads");
	for (size_t i = 0; i < x->npayloads; i++) {
		const struct depot_payload *p = &x->payloads[i];
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "name", p->name);
		dv_json_string(&j, "type", p->type);
		dv_json_uint(&j, "size", p->size);
		dv_json_uint(&j, "uncompressed_size", p->uncompressed_size);
		dv_json_array_begin(&j, "checksums");
		for (size_t k = 0; k < p->nchecksums; k++) {
			dv_json_object_begin(&j, NULL);
			dv_json_string(&j, "type", p->checksums[k].type);
			dv_json_string(&j, "verify_process",
			    p->checksums[k].verify_process);
			dv_json_string(&j, "value", p->checksums[k].value);
			dv_json_object_end(&j);
		}
		dv_json_array_end(&j);
		dv_json_object_end(&j);
	}
	dv_json_array_end(&j);
	dv_json_uint(&j, "file_size", v->scan.file_size);
	dv_json_string(&j, "file_sha256", v->scan.file_sha256);
	json_signature(&j, v);
	dv_json_bool(&j, "ok", v->ok);
	json_diags(&j, "problems", &v->diags, DV_DIAG_FAIL);
	json_diags(&j, "notes", &v->diags, DV_DIAG_NOTE);
	dv_json_object_end(&j);
	dv_json_finish(&j);
}

/* A zip starts with a local header or, empty, an end record. */
static bool
looks_like_zip(const char *path)
{
	unsigned char magic[4];
	FILE *fp = fopen(path, "rb");
	bool zip;

	if (fp == NULL)
		return false;
	zip = fread(magic, 1, 4, fp) == 4 && magic[0] == 'P' &&
	    magic[1] == 'K' && ((magic[2] == 3 && magic[3] == 4) ||
	    (magic[2] == 5 && magic[3] == 6));
	fclose(fp);
	return zip;
}

static bool
is_folder(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "show-vib DEPOT.zip" alone: say so, and list the VIBs it could be. */
static int
show_vib_needs_a_name(const char *path)
{
	struct depot *d = NULL;
	int ret = open_depot(path, &d);

	if (ret != EXIT_OK)
		return ret;
	msg_error("show-vib: %s is a depot of %zu VIB%s: name one of them "
	    "after it (id or name):", path, d->nvibs, d->nvibs == 1 ? "" : "s");
	for (size_t i = 0; i < d->nvibs; i++)
		fprintf(stderr, "  %s\n", d->vibs[i]->id);
	depot_free(d);
	return EXIT_USAGE;
}

static int
cmd_depot_show_vib(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct sig_trust *trust = NULL;
	struct verify_vib v;
	struct check_opts o;
	struct depot *d = NULL;
	struct depot_vib_file *vf = NULL;
	const struct depot_vib *meta = NULL;
	const struct dv_diag *first;
	struct byte_source src;
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	FILE *fp = NULL;
	int ret;

	verify_vib_init(&v, NULL);
	if (!parse_check_opts(argc, argv, false, 1, 2, &o)) {
		ret = o.status;
		goto out;
	}
	if ((ret = load_trust(&o, &trust)) != EXIT_OK)
		goto out;
	if (o.noperands == 1 && (looks_like_zip(o.operands[0]) ||
	    http_is_url(o.operands[0]) || is_folder(o.operands[0]))) {
		ret = show_vib_needs_a_name(o.operands[0]);
		goto out;
	}
	if (o.noperands == 1) {
		fp = fopen(o.operands[0], "rb");
		if (fp == NULL) {
			msg_error("%s: cannot open: %s", o.operands[0],
			    strerror(errno));
			ret = EXIT_USAGE;
			goto out;
		}
		sbuf_adds(&what, o.operands[0]);
		src = byte_source_of_file(fp);
	} else {
		if ((ret = open_depot(o.operands[0], &d)) != EXIT_OK ||
		    (ret = find_vib(d, o.operands[1], &meta)) != EXIT_OK)
			goto out;
		if (http_is_url(o.operands[0]) &&
		    strncasecmp(o.operands[0], "file://", 7) != 0) {
			msg_warn("downloading %s (%.1f MiB) to read it; it is "
			    "checked against the metadata as it arrives and "
			    "not kept", meta->member != NULL ? meta->member :
			    meta->id, (double)meta->packed_size /
			    (1024.0 * 1024.0));
			/* A signal stops the download; its file is removed. */
			msg_catch_signals();
		}
		ret = depot_open_vib(d, meta, &vf, &err);
		msg_restore_signals();
		if (ret != 0) {
			ret = msg_fail(&err);
			goto out;
		}
		sbuf_addf(&what, "%s: %s", d->path, meta->member);
		src = *depot_vib_file_source(vf);
	}
	v.meta = meta;
	verify_vib_run(&v, &src, what.buf, trust, true);
	first = dv_diags_first(&v.diags, DV_DIAG_FAIL);
	if (v.descriptor == NULL) {
		msg_error("%s", first != NULL ? first->msg : what.buf);
		ret = EXIT_BAD;
		goto out;
	}
	if (o.json)
		show_vib_json(&v, v.descriptor);
	else
		show_vib_text(&v, v.descriptor, trust != NULL);
	ret = EXIT_OK;
	if (!v.ok) {
		msg_error("%s: %s", what.buf, first->msg);
		ret = EXIT_BAD;
	}
out:
	verify_vib_release(&v);
	depot_vib_file_close(vf);
	depot_free(d);
	if (fp != NULL)
		fclose(fp);
	sig_trust_free(trust);
	ptrvec_release(&o.trust_paths);
	sbuf_release(&what);
	return ret;
}

static const struct verb verbs[] = {
	{"list-profiles", cmd_depot_list_profiles,
	    "list-profiles [--json] DEPOT",
	    "List the image profiles, as 'esxcli software sources profile "
	    "list' does.",
	    "  --json            one JSON document on stdout instead of a table\n"
	    NET_HELP
	    "  -h, --help        describe this command\n"},
	{"list-vibs", cmd_depot_list_vibs,
	    "list-vibs [--json] [--profile NAME] [--host VIBLIST.txt] DEPOT",
	    "List the VIBs, or those of one image profile.",
	    "  --profile NAME    only the VIBs of image profile NAME\n"
	    "  --host VIBLIST.txt\n"
	    "                    add esxcli's Status column (New, Update,\n"
	    "                    Downgrade, Installed) against a host's saved\n"
	    "                    'esxcli software vib list'\n"
	    "  --json            one JSON document on stdout instead of a table\n"
	    NET_HELP
	    "  -h, --help        describe this command\n"},
	{"list-components", cmd_depot_list_components,
	    "list-components [--json] DEPOT",
	    "List the components (bulletins).",
	    "  --json            one JSON document on stdout instead of a table\n"
	    NET_HELP
	    "  -h, --help        describe this command\n"},
	{"show-profile", cmd_depot_show_profile,
	    "show-profile [--json] DEPOT NAME",
	    "Show one image profile, as 'esxcli software sources profile "
	    "get' does.",
	    "  --json            one JSON document on stdout instead of a table\n"
	    NET_HELP
	    "  -h, --help        describe this command\n"},
	{"info", cmd_depot_info, "info [--json] DEPOT | PACKAGE",
	    "Say what the file is: vendors, platforms, counts, profiles; "
	    "for a vendor package, the tree of what it holds.",
	    "  --json            one JSON document on stdout instead of a table\n"
	    NET_HELP
	    "  -h, --help        describe this command\n"},
	{"verify", cmd_depot_verify,
	    "verify [--json] [-q|-v] [--trust CA.pem]... [--jobs N] DEPOT",
	    "Check every VIB: sizes, SHA-256, the ar container, the "
	    "descriptor, payload checksums, signatures.",
	    "  --trust CA.pem    trust anchors (PEM certificates and CRLs) for the\n"
	    "                    signature check; may be given more than once\n"
	    "  --jobs N          check N VIBs at a time (1 to 256; default: the\n"
	    "                    number of processors)\n"
	    VERBOSITY_HELP
	    "  --json            one JSON document on stdout instead of a table\n"
	    "  -h, --help        describe this command\n"},
	{"show-vib", cmd_depot_show_vib,
	    "show-vib [--json] [--trust CA.pem]... FILE.vib | DEPOT VIB",
	    "Show one VIB's descriptor, as 'esxcli software sources vib get' "
	    "does, and check it.",
	    "  --trust CA.pem    trust anchors (PEM certificates and CRLs) for the\n"
	    "                    signature check; may be given more than once\n"
	    "  --json            one JSON document on stdout instead of a table\n"
	    NET_HELP
	    "  -h, --help        describe this command\n"},
	{"extract", cmd_depot_extract, EXTRACT_SYNOPSIS, EXTRACT_SUMMARY,
	    "  --vibs            also write each depot's VIBs as VIB-ID.vib,\n"
	    "                    checked against the metadata as they are written\n"
	    "  --repack          write each expanded depot folder as a depot zip\n"
	    "  --force           replace files of the same name in an existing\n"
	    "                    OUTDIR\n"
	    VERBOSITY_HELP
	    "  --json            one JSON document on stdout instead of a table\n"
	    "  -h, --help        describe this command\n"},
	{"unpack", cmd_depot_unpack, UNPACK_SYNOPSIS, UNPACK_SUMMARY,
	    "  --verify          check each VIB's size and SHA-256 against the\n"
	    "                    metadata while writing\n"
	    "  --metadata        also write each metadata zip's documents, expanded\n"
	    "  --all             also write the members no metadata names\n"
	    "  --force           replace files of the same name in an existing\n"
	    "                    OUTDIR\n"
	    VERBOSITY_HELP
	    "  --json            one JSON document on stdout instead of a table\n"
	    "  -h, --help        describe this command\n"},
	{"fetch", cmd_depot_fetch, FETCH_SYNOPSIS, FETCH_SUMMARY, FETCH_HELP},
	{"mirror", cmd_depot_mirror, MIRROR_SYNOPSIS, MIRROR_SUMMARY,
	    MIRROR_HELP},
	{"check", cmd_depot_check, CHECK_SYNOPSIS, CHECK_SUMMARY, CHECK_HELP},
	{"validate", cmd_depot_validate, VALIDATE_SYNOPSIS, VALIDATE_SUMMARY,
	    VALIDATE_OPTIONS},
	{"compose", cmd_depot_compose, COMPOSE_SYNOPSIS, COMPOSE_SUMMARY,
	    COMPOSE_OPTIONS},
	{"diff", cmd_depot_diff, DIFF_SYNOPSIS, DIFF_SUMMARY, DIFF_OPTIONS},
};

int
main(int argc, char **argv)
{
	static const struct command depot = {verbs,
	    sizeof(verbs) / sizeof(verbs[0]),
	    "Every listing takes --json for one JSON document on stdout.\n"
	    "'depot COMMAND --help' describes one command; depot(1) has the "
	    "details.\n\nExit status: 0 success; 1 the depot is bad or nothing "
	    "matched; 2 usage or I/O error.\n"};

	return command_main(&depot, argc, argv);
}
