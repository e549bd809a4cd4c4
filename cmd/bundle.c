/* bundle.c - the bundle command: assemble, check and describe bundles. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bundle/bundle.h"
#include "../depot/depot.h"
#include "../depot/json.h"
#include "../depot/outdir.h"
#include "../depot/sbuf.h"
#include "cmd.h"
#include "opts.h"
#include "progress.h"
#include "verb.h"


static void
json_diags(struct dv_json *j, const char *key, const struct dv_diags *l)
{
	dv_json_array_begin(j, key);
	for (size_t i = 0; i < l->n; i++)
		dv_json_string(j, NULL, l->v[i].msg);
	dv_json_array_end(j);
}

/* -q: the summary line alone (warnings went to stderr). */
static void
create_text(const struct bundle_opts *o, const struct bundle_plan *plan,
    bool quiet)
{
	for (size_t i = 0; i < plan->notes.n && !quiet; i++)
		printf("  %s\n", plan->notes.v[i].msg);
	printf("Bundle written to %s (%zu step%s) for /vmfs/volumes/%s/%s\n",
	    o->outdir, plan->items.n, plan->items.n == 1 ? "" : "s",
	    o->datastore, o->dir);
	if (quiet)
		return;
	if (o->tar)
		printf("Single file: %s.tar\n", o->outdir);
	printf("Next: upload it there, then in the ESXi shell run "
	    "'sh install.sh check'.\n");
}

/* --verbose: each input, before the plan reads it. */
static void
create_say_what(const struct bundle_opts *o, enum verbosity v)
{
	if (v != VERBOSITY_VERBOSE)
		return;
	if (o->depot != NULL)
		verbose_reading(v, "create", "--depot", o->depot);
	for (size_t i = 0; i < o->nadds; i++)
		verbose_reading(v, "create", "--add", o->adds[i]);
	for (size_t i = 0; i < o->nfirmware; i++)
		fprintf(stderr, "%s: create: reading --firmware %s\n",
		    progname, o->firmware[i]);
	if (o->intel_nvm != NULL)
		verbose_reading(v, "create", "--intel-nvm", o->intel_nvm);
	fprintf(stderr, "%s: create: writing %s for /vmfs/volumes/%s/%s\n",
	    progname, o->outdir, o->datastore, o->dir);
}

static void
create_json(const struct bundle_opts *o, const struct bundle_plan *plan)
{
	struct sbuf tar = SBUF_INIT(SBUF_NOCAP);
	struct dv_json j;

	sbuf_addf(&tar, "%s.tar", o->outdir);
	dv_json_init(&j, stdout);
	dv_json_object_begin(&j, NULL);
	dv_json_string(&j, "bundle", o->outdir);
	dv_json_string(&j, "tar", o->tar ? tar.buf : NULL);
	dv_json_string(&j, "datastore", o->datastore);
	dv_json_string(&j, "dir", o->dir);
	dv_json_array_begin(&j, "items");
	for (size_t i = 0; i < plan->items.n; i++) {
		const struct bundle_item *it = plan_item(plan, i);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "name", it->name);
		dv_json_string(&j, "kind", bundle_kind_name(it->kind));
		dv_json_uint(&j, "size", it->size);
		dv_json_string(&j, "sha256", it->kind == ITEM_INTEL ? NULL :
		    it->sha256);
		dv_json_object_end(&j);
	}
	dv_json_array_end(&j);
	json_diags(&j, "notes", &plan->notes);
	dv_json_object_end(&j);
	dv_json_finish(&j);
	sbuf_release(&tar);
}

/* --jobs of create: out of range is bundle_opts_check's to say (0). */
static int
create_jobs(char **argv, const struct opt *opt, const char *value)
{
	char *end;
	long n;

	(void)argv;
	errno = 0;
	n = strtol(value, &end, 10);
	*(int *)opt->to = errno != 0 || *end != '\0' || n < 1 ||
	    n > BUNDLE_MAX_JOBS ? 0 : (int)n;
	return EXIT_OK;
}

static int
cmd_bundle_create(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct ptrvec adds = PTRVEC_INIT, fw = PTRVEC_INIT, trusts = PTRVEC_INIT;
	struct sbuf dir = SBUF_INIT(SBUF_NOCAP);
	struct bundle_opts o = {0};
	struct bundle_plan plan = {0};
	struct progress progress;
	struct sig_trust *trust = NULL;
	enum verbosity verbosity = VERBOSITY_NORMAL;
	bool json = false, planned;
	int ret;
	const struct opt table[] = {
		{"datastore", 'd', true, OPT_STRING, &o.datastore, NULL, 0},
		{"dir", 'D', true, OPT_STRING, &o.dir, NULL, 0},
		{"depot", 'p', true, OPT_STRING, &o.depot, NULL, 0},
		{"profile", 'P', true, OPT_STRING, &o.profile, NULL, 0},
		{"add", 'a', true, OPT_LIST, &adds, NULL, 0},
		{"firmware", 'f', true, OPT_LIST, &fw, NULL, 0},
		{"intel-nvm", 'I', true, OPT_ONCE, &o.intel_nvm, NULL, 0},
		{"esxi", 'E', true, OPT_STRING, &o.esxi, NULL, 0},
		{"trust", 't', true, OPT_LIST, &trusts, NULL, 0},
		{"jobs", 'j', true, OPT_CALL, &o.jobs, create_jobs, 0},
		{"tar", 'T', false, OPT_SET, &o.tar, NULL, 0},
		{"force", 'F', false, OPT_SET, &o.force, NULL, 0},
		{"compose", 'C', true, OPT_STRING, &o.compose, NULL, 0},
		OPT_JSON('J', &json),
		OPT_VERBOSITY(&verbosity),
		OPT_HELP_ROW,
		OPT_END,
	};

	msg_catch_signals();
	o.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o.jobs < 1)
		o.jobs = 1;
	if (o.jobs > BUNDLE_MAX_JOBS)
		o.jobs = BUNDLE_MAX_JOBS;
	if (!opts_parse(argc, argv, table, &ret))
		goto out;
	if (argc - optind != 1) {
		msg_error("create: expected 1 operand (OUTDIR), got %d",
		    argc - optind);
		ret = verb_usage(argv[0], EXIT_USAGE);
		goto out;
	}
	o.outdir = argv[optind];
	o.adds = (const char *const *)adds.v;
	o.nadds = adds.n;
	o.firmware = (const char *const *)fw.v;
	o.nfirmware = fw.n;
	if (bundle_opts_check(&o, &dir, &err) != 0) {
		msg_error("create: %s", err.msg);
		ret = EXIT_USAGE;
		goto out;
	}
	/* An unusable --trust file is a usage error, as a missing one. */
	if (trusts.n > 0 && sig_trust_load((const char *const *)trusts.v,
	    trusts.n, &trust, &err) != 0) {
		msg_dv_error(&err);
		ret = EXIT_USAGE;
		goto out;
	}
	o.trust = trust;
	create_say_what(&o, verbosity);
	progress_start(&progress, "create", "files",
	    verbosity == VERBOSITY_QUIET);
	outdir_count_into(&progress.counters);
	ret = bundle_plan_make(&o, &plan, &err);
	planned = ret == 0;
	if (ret == 0)
		ret = bundle_write(&o, &plan, &err);
	outdir_count_into(NULL);
	progress_stop(&progress);
	/* The fit problems: what stopped the plan, or --force let through. */
	for (size_t i = 0; i < plan.misfits.n; i++) {
		if (planned)
			msg_warn("%s (written anyway: --force)",
			    plan.misfits.v[i].msg);
		else
			msg_error("%s", plan.misfits.v[i].msg);
	}
	if (ret != 0) {
		bundle_plan_release(&plan);
		ret = msg_fail(&err);
		goto out;
	}
	msg_restore_signals();
	if (json)
		create_json(&o, &plan);
	else
		create_text(&o, &plan, verbosity == VERBOSITY_QUIET);
	ret = EXIT_OK;
out:
	msg_restore_signals();
	bundle_plan_release(&plan);
	sig_trust_free(trust);
	ptrvec_release(&adds);
	ptrvec_release(&fw);
	ptrvec_release(&trusts);
	sbuf_release(&dir);
	return ret;
}

/* "[--json] BUNDLE": 1 with *path and *json set, or 0 with *status. */
static int
bundle_operand(int argc, char **argv, const char **path, bool *json,
    int *status)
{
	const struct opt table[] = {
		OPT_JSON(0, json),
		OPT_HELP_ROW,
		OPT_END,
	};

	*json = false;
	if (!opts_parse(argc, argv, table, status))
		return 0;
	if (argc - optind != 1) {
		msg_error("%s: expected 1 operand (the bundle folder, or its "
		    "tar), got %d", argv[0], argc - optind);
		*status = verb_usage(argv[0], EXIT_USAGE);
		return 0;
	}
	*path = argv[optind];
	return 1;
}

static void
verify_json(const char *path, const struct bundle_report *r)
{
	struct dv_json j;

	dv_json_init(&j, stdout);
	dv_json_object_begin(&j, NULL);
	dv_json_string(&j, "bundle", path);
	dv_json_bool(&j, "ok", r->problems.n == 0 && r->unlisted.n == 0);
	dv_json_uint(&j, "files", r->nfiles);
	json_diags(&j, "problems", &r->problems);
	dv_json_strings(&j, "not_in_sha256sums",
	    (const char *const *)r->unlisted.v, r->unlisted.n);
	dv_json_object_end(&j);
	dv_json_finish(&j);
}

static void
verify_text(const char *path, const struct bundle_report *r)
{
	size_t i;

	for (i = 0; i < r->problems.n; i++)
		printf("%s\n", r->problems.v[i].msg);
	for (i = 0; i < r->unlisted.n; i++)
		printf("%s: not in SHA256SUMS\n", (char *)r->unlisted.v[i]);
	if (r->problems.n == 0 && r->unlisted.n == 0)
		printf("%s: OK (%zu files match SHA256SUMS)\n", path,
		    r->nfiles);
}

static int
cmd_bundle_verify(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct bundle_report r;
	const char *path;
	bool json;
	int ret;

	if (!bundle_operand(argc, argv, &path, &json, &ret))
		return ret;
	msg_catch_signals();
	ret = bundle_check(path, &r, &err);
	msg_restore_signals();
	if (ret != 0)
		return msg_fail(&err);
	if (json)
		verify_json(path, &r);
	else
		verify_text(path, &r);
	ret = EXIT_OK;
	if (r.problems.n > 0) {
		msg_error("%s: FAILED: the bundle does not match its "
		    "SHA256SUMS", path);
		ret = EXIT_BAD;
	} else if (r.unlisted.n > 0) {
		msg_error("%s: FAILED: %zu file%s not in SHA256SUMS", path,
		    r.unlisted.n, r.unlisted.n == 1 ? " is" : "s are");
		ret = EXIT_BAD;
	}
	bundle_report_release(&r);
	return ret;
}

static int
cmd_bundle_show(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct ptrvec steps = PTRVEC_INIT;
	struct dv_json j;
	const char *path;
	bool json;
	int ret;

	if (!bundle_operand(argc, argv, &path, &json, &ret))
		return ret;
	if (bundle_steps(path, &steps, &err) != 0) {
		ret = msg_dv_error(&err);
		goto out;
	}
	ret = EXIT_OK;
	if (json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "bundle", path);
		dv_json_strings(&j, "steps",
		    (const char *const *)steps.v, steps.n);
		dv_json_object_end(&j);
		dv_json_finish(&j);
		goto out;
	}
	printf("On the host, 'sh install.sh apply' will:\n");
	printf("  0. check every file against SHA256SUMS, the host version, "
	    "acceptance\n     level and free space; back up the host config; "
	    "enter maintenance mode\n");
	for (size_t i = 0; i < steps.n; i++)
		printf("  %zu. %s\n", i + 1, (char *)steps.v[i]);
	printf("  %zu. reboot if a step needs it, then continue after "
	    "'sh install.sh apply'\n     again; exit maintenance mode when "
	    "everything is done\n", steps.n + 1);
out:
	for (size_t i = 0; i < steps.n; i++)
		free(steps.v[i]);
	ptrvec_release(&steps);
	return ret;
}

static const struct verb verbs[] = {
	{"create", cmd_bundle_create,
	    "create OUTDIR --datastore NAME [--dir PATH] [--depot DEPOT.zip "
	    "[--profile NAME]] [--add FILE]... [--firmware mellanox:FILE[:PSID:"
	    "VERSION]]... [--intel-nvm PACKAGE] [--esxi VERSION] [--trust CA.pem]"
	    "... [--jobs N] [--tar] [--force] [--json] [-q|-v] [--compose NEW-NAME]",
	    "Verify the inputs and write a bundle folder with install.sh.",
	    "  --datastore NAME  the datastore the folder will be uploaded to\n"
	    "  --dir PATH        the folder on it (default esxstage/OUTDIR's name)\n"
	    "  --depot DEPOT.zip a patch depot, applied as a profile update\n"
	    "  --profile NAME    its image profile (default: the one -standard)\n"
	    "  --add FILE        a component zip, offline bundle, .vib or vendor\n"
	    "                    package (unwrapped); may be given more than once\n"
	    "  --firmware mellanox:FILE[:PSID:VERSION]\n"
	    "                    a Mellanox firmware image for mlxfwmanager\n"
	    "  --intel-nvm PACKAGE\n"
	    "                    Intel's NVM update package (_ESX.tar.gz), run last\n"
	    "  --esxi VERSION    the hosts' ESXi release (8.0, 8.0U3) for the fit\n"
	    "                    checks, when there is no --depot to tell it\n"
	    "  --trust CA.pem    trust anchors for the signature checks\n"
	    "  --jobs N          verify with N threads\n"
	    "  --tar             also write OUTDIR.tar for a single-file transfer\n"
	    "  --force           replace an existing OUTDIR (whole, in one step);\n"
	    "                    write the bundle even when inputs do not fit the\n"
	    "                    hosts (README.txt and install.sh show warn)\n"
	    "  --json            print the result as one JSON document\n"
	    VERBOSITY_HELP
	    "  --compose NEW-NAME\n"
	    "                    compose --profile of --depot and every --add into\n"
	    "                    one depot (depot compose) and ship it as one\n"
	    "                    profile update, one reboot\n"
	    "  -h, --help        describe this command\n"},
	{"verify", cmd_bundle_verify, "verify [--json] BUNDLE",
	    "Check a bundle folder, or its tar, against its SHA256SUMS.",
	    "  --json            print the result as one JSON document\n"
	    "  -h, --help        describe this command\n"},
	{"show", cmd_bundle_show, "show [--json] BUNDLE",
	    "Print the bundle's plan, step by step, in plain words.",
	    "  --json            print the steps as one JSON document\n"
	    "  -h, --help        describe this command\n"},
};

int
main(int argc, char **argv)
{
	static const struct command bundle = {verbs,
	    sizeof(verbs) / sizeof(verbs[0]),
	    "'esxbundle COMMAND --help' describes one command; esxbundle(1) has the "
	    "details.\n\nExit status: 0 success; 1 an input or the bundle is "
	    "bad; 2 usage or I/O error.\n"};

	return command_main(&bundle, argc, argv);
}
