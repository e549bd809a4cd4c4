/* image.c - depot validate, compose and diff: the image verbs. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../depot/crypto.h"
#include "../depot/depot.h"
#include "../depot/image.h"
#include "../depot/json.h"
#include "../depot/sbuf.h"
#include "cmd.h"
#include "image.h"
#include "net.h"
#include "opts.h"
#include "progress.h"
#include "verb.h"

static void
json_problems(struct dv_json *j, const struct image_report *r)
{
	dv_json_array_begin(j, "problems");
	for (size_t i = 0; i < r->n; i++) {
		dv_json_object_begin(j, NULL);
		dv_json_string(j, "rule", image_rule_name(r->v[i].rule));
		dv_json_string(j, "message", r->v[i].text);
		dv_json_object_end(j);
	}
	dv_json_array_end(j);
}

/* Lines of one rule compose prints before it sums up the rest. */
#define PROBLEMS_PER_RULE 10

/*
 * Problems as "  RULE: TEXT" on stdout, or "NAME: RULE: TEXT" warnings
 * (name not NULL).  A big depot missing one dependency has a line per
 * VIB: unless all, each rule shows its first lines, then one "... and N
 * more" line after its last (compose's --json and -v list them all).
 */
static void
print_problems(const struct image_report *r, const char *name,
    bool all)
{
	size_t total[IMAGE_RULE_COUNT] = {0}, seen[IMAGE_RULE_COUNT] = {0};

	for (size_t i = 0; i < r->n; i++)
		total[r->v[i].rule]++;
	for (size_t i = 0; i < r->n; i++) {
		enum image_rule rule = r->v[i].rule;
		const char *rn = image_rule_name(rule);
		size_t more = total[rule] - PROBLEMS_PER_RULE;

		if (all || seen[rule]++ < PROBLEMS_PER_RULE) {
			if (name != NULL)
				msg_warn("%s: %s: %s", name, rn, r->v[i].text);
			else
				printf("  %s: %s\n", rn, r->v[i].text);
		} else if (seen[rule] == total[rule] && name != NULL) {
			msg_warn("%s: %s: ... and %zu more like these "
			    "(--verbose lists them all)", name, rn, more);
		} else if (seen[rule] == total[rule]) {
			printf("  %s: ... and %zu more like these (--verbose "
			    "lists them all)\n", rn, more);
		}
	}
}

/* ---- validate ----------------------------------------------------------- */

int
cmd_depot_validate(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	const struct depot_profile *one = NULL;
	const char *profile = NULL;
	struct depot *d = NULL;
	struct image_vib *pool = NULL;
	struct dv_json j;
	bool json = false;
	size_t failed = 0, checked = 0;
	int ret;
	const struct opt table[] = {
		OPT_JSON('j', &json),
		{"profile", 'p', true, OPT_STRING, &profile, NULL, 0},
		OPT_HELP_ROW,
		NET_OPTS,
		OPT_END,
	};

	if (!opts_parse(argc, argv, table, &ret))
		return ret;
	if (argc - optind != 1)
		return verb_operand_count(argv, argc - optind, 1);
	if ((ret = net_open_depot(argv[optind], 0, &d)) != EXIT_OK)
		return ret;
	if (profile != NULL &&
	    depot_find_profile(d, profile, &one, &err) != 0) {
		ret = msg_dv_error(&err);
		goto out;
	}
	if (profile == NULL && d->nprofiles == 0) {
		msg_error("%s: no image profiles to validate (a component or "
		    "bundle depot: compose one with '%s compose')", d->path,
		    progname);
		ret = EXIT_BAD;
		goto out;
	}
	/* Every VIB of the depot may be offered for an unmet dependency. */
	pool = xcalloc(d->nvibs + 1, sizeof(*pool));
	for (size_t i = 0; i < d->nvibs; i++) {
		pool[i].vib = d->vibs[i];
		pool[i].depot = d;
		pool[i].origin = d->path;
	}
	if (json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "depot", d->path);
		dv_json_array_begin(&j, "profiles");
	}
	for (size_t i = 0; i < d->nprofiles; i++) {
		const struct depot_profile *p = d->profiles[i];
		struct image img;
		struct image_report r;
		if (one != NULL && p != one)
			continue;
		image_from_profile(&img, d, p);
		image_report_init(&r);
		image_validate(&img, pool, d->nvibs, &r);
		checked++;
		failed += r.n > 0;
		if (json) {
			dv_json_object_begin(&j, NULL);
			dv_json_string(&j, "name", p->name);
			dv_json_bool(&j, "valid", r.n == 0);
			dv_json_string(&j, "esx_version", r.esx_version);
			dv_json_uint(&j, "vibs", img.nvibs);
			dv_json_uint(&j, "components", img.ncomponents);
			json_problems(&j, &r);
			dv_json_object_end(&j);
		} else {
			printf("%s: %s (ESXi %s, %zu VIB%s, %zu component%s)"
			    "\n", p->name, r.n == 0 ? "OK" : "FAILED",
			    r.esx_version != NULL ? r.esx_version : "unknown",
			    img.nvibs, img.nvibs == 1 ? "" : "s",
			    img.ncomponents, img.ncomponents == 1 ? "" : "s");
			print_problems(&r, NULL, true);
		}
		image_report_release(&r);
		image_release(&img);
	}
	if (json) {
		dv_json_array_end(&j);
		dv_json_bool(&j, "valid", failed == 0);
		dv_json_object_end(&j);
		dv_json_finish(&j);
	}
	ret = EXIT_OK;
	if (failed > 0) {
		msg_error("%s: %zu of %zu image profile%s do%s not validate",
		    d->path, failed, checked, checked == 1 ? "" : "s",
		    failed == 1 ? "es" : "");
		ret = EXIT_BAD;
	}
out:
	free(pool);
	depot_free(d);
	return ret;
}

/* ---- compose ------------------------------------------------------------ */

/* SOURCE_DATE_EPOCH (reproducible-builds.org), or -1 when unset. */
static int
source_date_epoch(int64_t *out)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	*out = -1;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 4354819198LL) {
		msg_error("SOURCE_DATE_EPOCH: '%s' is not a time in seconds "
		    "since 1970 (1980 to 2107)", s);
		return -1;
	}
	*out = v;
	return 0;
}

static void
compose_json(const struct compose *c, const char *out)
{
	struct dv_json j;

	dv_json_init(&j, stdout);
	dv_json_object_begin(&j, NULL);
	dv_json_string(&j, "output", out);
	dv_json_bool(&j, "written", c->written);
	dv_json_object_begin(&j, "profile");
	dv_json_string(&j, "name", c->img.name);
	dv_json_string(&j, "creator", c->img.creator);
	dv_json_string(&j, "profile_id", c->profile_id);
	dv_json_string(&j, "acceptance_level",
	    dv_acceptance_name(c->img.acceptance));
	dv_json_string(&j, "esx_version", c->report.esx_version);
	dv_json_array_begin(&j, "vibs");
	for (size_t i = 0; i < c->img.nvibs; i++)
		dv_json_string(&j, NULL, c->img.vibs[i].vib->id);
	dv_json_array_end(&j);
	dv_json_array_begin(&j, "components");
	for (size_t i = 0; i < c->img.ncomponents; i++)
		dv_json_string(&j, NULL, c->img.components[i]->id);
	dv_json_array_end(&j);
	dv_json_object_end(&j);
	dv_json_array_begin(&j, "changes");
	for (size_t i = 0; i < c->notes.n; i++)
		dv_json_string(&j, NULL, c->notes.v[i]);
	dv_json_array_end(&j);
	dv_json_uint(&j, "vib_bytes", c->bytes);
	json_problems(&j, &c->report);
	dv_json_object_end(&j);
	dv_json_finish(&j);
}

/* --acceptance LEVEL of compose. */
static int
compose_acceptance(char **argv, const struct opt *opt, const char *value)
{
	struct compose_opts *o = opt->to;

	if (dv_acceptance_parse(value, &o->acceptance) != 0) {
		msg_error("%s: --acceptance must be certified, accepted, "
		    "partner or community, not '%s'", argv[0], value);
		return verb_usage(argv[0], EXIT_USAGE);
	}
	o->acceptance_set = true;
	return EXIT_OK;
}

int
cmd_depot_compose(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	enum verbosity verbosity = VERBOSITY_NORMAL;
	struct compose_opts o;
	struct progress progress;
	struct compose c;
	struct sig_trust *trust = NULL;
	struct ptrvec adds = PTRVEC_INIT, removes = PTRVEC_INIT;
	struct ptrvec trusts = PTRVEC_INIT;
	bool json = false;
	int ret;
	const struct opt table[] = {
		OPT_JSON('j', &json),
		{"profile", 'p', true, OPT_STRING, &o.profile, NULL, 0},
		{"name", 'n', true, OPT_STRING, &o.name, NULL, 0},
		{"vendor", 'V', true, OPT_STRING, &o.vendor, NULL, 0},
		{"description", 'D', true, OPT_STRING, &o.description, NULL, 0},
		{"add", 'a', true, OPT_LIST, &adds, NULL, 0},
		{"remove", 'r', true, OPT_LIST, &removes, NULL, 0},
		{"acceptance", 'A', true, OPT_CALL, &o, compose_acceptance, 0},
		{"force", 'f', false, OPT_SET, &o.force, NULL, 0},
		{"trust", 't', true, OPT_LIST, &trusts, NULL, 0},
		OPT_VERBOSITY(&verbosity),
		OPT_HELP_ROW,
		OPT_END,
	};

	memset(&o, 0, sizeof(o));
	compose_init(&c);
	if (!opts_parse(argc, argv, table, &ret))
		goto out;
	if (argc - optind != 2) {
		ret = verb_operand_count(argv, argc - optind, 2);
		goto out;
	}
	for (size_t i = 0; i <= adds.n; i++) {
		const char *in = i < adds.n ? adds.v[i] : argv[optind];
		if (http_is_url(in) && strncasecmp(in, "file://", 7) != 0) {
			/* Composing reads every VIB: they are fetched first. */
			msg_error("%s: %s: compose reads the VIBs themselves, "
			    "not from an online depot; take the profile first "
			    "with '%s fetch URL OUT.zip --profile NAME', then "
			    "compose from OUT.zip", argv[0], in, progname);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (o.profile == NULL || o.name == NULL) {
		msg_error("%s: --profile and --name are required", argv[0]);
		ret = verb_usage(argv[0], EXIT_USAGE);
		goto out;
	}
	/* The schema's limits: a longer name or vendor would not load. */
	if (strlen(o.name) > 80 || *o.name == '\0' || (o.vendor != NULL &&
	    (strlen(o.vendor) > 40 || *o.vendor == '\0')) ||
	    (o.description != NULL && strlen(o.description) > 2048)) {
		msg_error("%s: --name takes 1 to 80 characters, --vendor 1 to "
		    "40, --description up to 2048 (imageprofile.rng)",
		    argv[0]);
		ret = verb_usage(argv[0], EXIT_USAGE);
		goto out;
	}
	if (source_date_epoch(&o.epoch) != 0) {
		ret = EXIT_USAGE;
		goto out;
	}
	if (trusts.n > 0) {
		if (sig_trust_load((const char *const *)trusts.v, trusts.n,
		    &trust, &err) != 0) {
			ret = msg_dv_error(&err);
			goto out;
		}
		o.trust = trust;
	}
	o.base = argv[optind];
	o.adds = (const char *const *)adds.v;
	o.nadds = adds.n;
	o.removes = (const char *const *)removes.v;
	o.nremoves = removes.n;
	verbose_reading(verbosity, argv[0], "", o.base);
	for (size_t i = 0; i < o.nadds; i++)
		verbose_reading(verbosity, argv[0], "--add", o.adds[i]);
	progress_start(&progress, "compose", "VIBs",
	    verbosity == VERBOSITY_QUIET);
	o.progress = &progress.counters;
	msg_catch_signals();
	ret = image_compose(&o, argv[optind + 1], &c, &err);
	progress_stop(&progress);
	msg_restore_signals();
	for (size_t i = 0; i < c.warnings.n; i++)
		msg_warn("%s", (const char *)c.warnings.v[i]);
	if (ret != 0) {
		ret = msg_fail(&err);
		goto out;
	}
	if (json) {
		compose_json(&c, argv[optind + 1]);
	} else {
		/* -q: the problems and the "wrote" summary, not the notes. */
		for (size_t i = 0; i < c.notes.n &&
		    verbosity != VERBOSITY_QUIET; i++)
			printf("%s\n", (const char *)c.notes.v[i]);
		if (!c.written)
			print_problems(&c.report, NULL,
			    verbosity == VERBOSITY_VERBOSE);
	}
	if (!c.written) {
		msg_error("%s: not written: image profile %s does not validate "
		    "(%zu problem%s); fix them, or write it anyway with "
		    "--force", argv[optind + 1], o.name, c.report.n,
		    c.report.n == 1 ? "" : "s");
		ret = EXIT_BAD;
		goto out;
	}
	print_problems(&c.report, o.name,
	    verbosity == VERBOSITY_VERBOSE);
	if (!json)
		printf("wrote %s: image profile %s (ESXi %s, %zu VIB%s, %zu "
		    "component%s, acceptance %s, profile ID %s)\n",
		    argv[optind + 1], c.img.name, c.report.esx_version ?
		    c.report.esx_version : "unknown", c.img.nvibs,
		    c.img.nvibs == 1 ? "" : "s", c.img.ncomponents,
		    c.img.ncomponents == 1 ? "" : "s",
		    dv_acceptance_name(c.img.acceptance), c.profile_id);
	ret = EXIT_OK;
out:
	compose_release(&c);
	sig_trust_free(trust);
	ptrvec_release(&adds);
	ptrvec_release(&removes);
	ptrvec_release(&trusts);
	return ret;
}

/* ---- diff --------------------------------------------------------------- */

/*
 * "DEPOT[:PROFILE]": the file as given when it exists, else split at the
 * last ':'.  DEPOT may be a zip, a folder or a URL.  Without a profile
 * the depot must hold exactly one.
 */
static int
diff_open(const char *arg, struct ptrvec *depots, struct image *img,
    struct sbuf *label)
{
	struct dv_error err = DV_ERROR_INIT;
	const struct depot_profile *p = NULL;
	const char *colon = strrchr(arg, ':');
	char *path = NULL;
	const char *profile = NULL;
	struct depot *d = NULL;
	FILE *fp;
	int ret;

	/* A URL's port ("http://h:8080/x") is not a profile: names have no /. */
	if (colon != NULL && strchr(colon, '/') != NULL)
		colon = NULL;
	if (colon != NULL && (fp = fopen(arg, "rb")) == NULL) {
		path = xstrndup(arg, (size_t)(colon - arg));
		profile = colon + 1;
	} else {
		if (colon != NULL)
			fclose(fp);
		path = xstrdup(arg);
	}
	if ((ret = net_open_depot(path, 0, &d)) != EXIT_OK)
		goto out;
	ptrvec_push(depots, d);
	if (profile != NULL) {
		if (depot_find_profile(d, profile, &p, &err) != 0) {
			ret = msg_dv_error(&err);
			goto out;
		}
	} else if (d->nprofiles == 1) {
		p = d->profiles[0];
	} else {
		msg_error("%s: %zu image profiles: name one as %s:PROFILE",
		    path, d->nprofiles, path);
		ret = d->nprofiles == 0 ? EXIT_BAD : EXIT_USAGE;
		goto out;
	}
	image_from_profile(img, d, p);
	sbuf_addf(label, "%s:%s", path, p->name);
	ret = EXIT_OK;
out:
	free(path);
	return ret;
}

static void
diff_json_side(struct dv_json *j, const char *key, const struct diff_side *s)
{
	dv_json_object_begin(j, key);
	dv_json_string(j, "source", s->label);
	dv_json_string(j, "esx_version", s->esx_version);
	dv_json_string(j, "acceptance_level", dv_acceptance_name(s->acceptance));
	dv_json_uint(j, "vibs", s->n);
	dv_json_object_end(j);
}

static void
diff_json(const struct image_diff *d)
{
	struct dv_json j;

	dv_json_init(&j, stdout);
	dv_json_object_begin(&j, NULL);
	diff_json_side(&j, "a", &d->a);
	diff_json_side(&j, "b", &d->b);
	for (int k = DIFF_ADDED; k <= DIFF_DOWNGRADED; k++) {
		dv_json_array_begin(&j, image_diff_kind_name(k));
		for (size_t i = 0; i < d->n; i++) {
			const struct diff_entry *e = &d->v[i];
			if ((int)e->kind != k)
				continue;
			dv_json_object_begin(&j, NULL);
			dv_json_string(&j, "name", e->name);
			dv_json_string(&j, "from", e->a ? e->a->version : NULL);
			dv_json_string(&j, "to", e->b ? e->b->version : NULL);
			dv_json_string(&j, "id", e->b && e->b->id ? e->b->id :
			    e->a ? e->a->id : NULL);
			dv_json_object_end(&j);
		}
		dv_json_array_end(&j);
	}
	dv_json_uint(&j, "unchanged", d->unchanged);
	dv_json_object_end(&j);
	dv_json_finish(&j);
}

static void
diff_text(const struct image_diff *d, bool host)
{
	printf("A: %s (ESXi %s, %zu VIBs, %s)\n", d->a.label,
	    d->a.esx_version ? d->a.esx_version : "unknown", d->a.n,
	    dv_acceptance_name(d->a.acceptance));
	printf("B: %s (ESXi %s, %zu VIBs, %s)\n", d->b.label,
	    d->b.esx_version ? d->b.esx_version : "unknown", d->b.n,
	    dv_acceptance_name(d->b.acceptance));
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_entry *e = &d->v[i];
		switch (e->kind) {
		case DIFF_ADDED:
			printf("added: %s %s%s\n", e->name, e->b->version,
			    host ? " (to install)" : "");
			break;
		case DIFF_REMOVED:
			printf("removed: %s %s%s\n", e->name, e->a->version,
			    host ? " (on the host only: 'profile update' "
			    "keeps it)" : "");
			break;
		case DIFF_UPGRADED:
			printf("upgraded: %s %s -> %s\n", e->name,
			    e->a->version, e->b->version);
			break;
		case DIFF_DOWNGRADED:
			printf("downgraded: %s %s -> %s%s\n", e->name,
			    e->a->version, e->b->version, host ? " ('profile "
			    "update' skips it unless --allow-downgrades)" : "");
			break;
		}
	}
	printf("unchanged: %zu VIB%s\n", d->unchanged,
	    d->unchanged == 1 ? "" : "s");
	if (d->a.acceptance != d->b.acceptance)
		printf("acceptance: %s -> %s\n",
		    dv_acceptance_name(d->a.acceptance),
		    dv_acceptance_name(d->b.acceptance));
	if ((d->a.esx_version == NULL) != (d->b.esx_version == NULL) ||
	    (d->a.esx_version != NULL &&
	    strcmp(d->a.esx_version, d->b.esx_version) != 0))
		printf("platform: ESXi %s -> %s\n", d->a.esx_version ?
		    d->a.esx_version : "unknown", d->b.esx_version ?
		    d->b.esx_version : "unknown");
}

int
cmd_depot_diff(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct ptrvec depots = PTRVEC_INIT;
	struct image ia, ib;
	struct image_diff d;
	struct sbuf la = SBUF_INIT(SBUF_NOCAP), lb = SBUF_INIT(SBUF_NOCAP);
	const char *host = NULL;
	char va[32], vb[32];
	bool json = false;
	int ret, want;
	const struct opt table[] = {
		OPT_JSON('j', &json),
		{"host", 'H', true, OPT_STRING, &host, NULL, 0},
		OPT_HELP_ROW,
		NET_OPTS,
		OPT_END,
	};

	memset(&ia, 0, sizeof(ia));
	memset(&ib, 0, sizeof(ib));
	image_diff_init(&d);
	if (!opts_parse(argc, argv, table, &ret))
		return ret;
	want = host != NULL ? 1 : 2;
	if (argc - optind != want)
		return verb_operand_count(argv, argc - optind, want);
	if (host != NULL) {
		/* The host is A (what is there), the profile B (what comes). */
		if (image_diff_host(&d, &d.a, host, &err) != 0) {
			ret = msg_dv_error(&err);
			goto out;
		}
		if ((ret = diff_open(argv[optind], &depots, &ib, &lb)) !=
		    EXIT_OK)
			goto out;
		image_diff_side(&d, &d.b, &ib, image_esx_version(&ib, vb,
		    sizeof(vb)), lb.buf);
	} else {
		if ((ret = diff_open(argv[optind], &depots, &ia, &la)) !=
		    EXIT_OK ||
		    (ret = diff_open(argv[optind + 1], &depots, &ib, &lb)) !=
		    EXIT_OK)
			goto out;
		image_diff_side(&d, &d.a, &ia, image_esx_version(&ia, va,
		    sizeof(va)), la.buf);
		image_diff_side(&d, &d.b, &ib, image_esx_version(&ib, vb,
		    sizeof(vb)), lb.buf);
	}
	image_diff_run(&d);
	if (json)
		diff_json(&d);
	else
		diff_text(&d, host != NULL);
	ret = EXIT_OK;
out:
	image_diff_release(&d);
	image_release(&ia);
	image_release(&ib);
	for (size_t i = 0; i < depots.n; i++)
		depot_free(depots.v[i]);
	ptrvec_release(&depots);
	sbuf_release(&la);
	sbuf_release(&lb);
	return ret;
}
