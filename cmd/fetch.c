/* fetch.c - depot fetch, mirror and check: online depots onto this machine. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../depot/depot.h"
#include "../depot/fetch.h"
#include "../depot/json.h"
#include "../depot/mirror.h"
#include "../depot/outdir.h"
#include "cmd.h"
#include "fetch.h"
#include "net.h"
#include "opts.h"
#include "verb.h"

static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
	outdir_interrupt();
}

/* SIGINT and SIGTERM stop the downloads; what arrived is kept. */
static void
catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}

/* After an interrupt, die of the signal, as a calling script expects. */
static void
die_if_caught(void)
{
	int sig = caught;

	if (sig != 0) {
		(void)fflush(stdout);
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

/* Print the error (then die_if_caught); an exit status. */
static int
failed(const struct dv_error *err)
{
	int ret = msg_dv_error(err);

	die_if_caught();
	/* Never success: callers go on only after EXIT_OK. */
	return ret != EXIT_OK ? ret : EXIT_BAD;
}

/*
 * A download that broke off (the network, a signal) leaves state the
 * next run resumes from: say where ("what was downloaded and verified
 * is BEFORE WHERE AFTER"); other errors as they are.
 */
static int
download_failed(const struct dv_error *err, const char *before,
    const char *where, const char *after)
{
	if (err->code != DV_EINTR && err->code != DV_ENET)
		return failed(err);
	msg_error("%s; what was downloaded and verified is %s %s %s",
	    err->msg, before, where, after);
	die_if_caught();
	return dv_exit_status(err->code);
}

struct fetch_cli {
	bool json;
	const char *profile;
	int jobs;
	struct ptrvec channels; /* --add-channel URLs */
	struct ptrvec versions; /* mirror --version */
	struct ptrvec profiles; /* mirror --profile GLOB */
	const char *operands[2];
	int noperands;
	int status;
};

/*
 * Parse the options of fetch (one profile), mirror (globs) and check
 * (neither, nor the network's): one table, each row doing what the verb
 * takes or saying it is not for it, as every other verb does.
 */
static bool
parse_fetch_opts(int argc, char **argv, int nargs, struct fetch_cli *o)
{
	bool is_fetch = strcmp(argv[0], "fetch") == 0;
	bool is_mirror = strcmp(argv[0], "mirror") == 0;
	enum opt_does fetch_only = is_fetch ? OPT_LIST : OPT_NOT_FOR;
	enum opt_does mirror_only = is_mirror ? OPT_LIST : OPT_NOT_FOR;
	enum opt_does downloads = is_fetch || is_mirror ? OPT_CALL :
	    OPT_NOT_FOR;
	enum opt_does one_profile = is_fetch ? OPT_ONCE : OPT_NOT_FOR;
	const struct opt table[] = {
		OPT_JSON('j', &o->json),
		/* fetch takes one profile, mirror any number of globs */
		is_mirror ? (struct opt){"profile", 'p', true, OPT_LIST,
		    &o->profiles, NULL, 0} : (struct opt){"profile", 'p', true,
		    one_profile, &o->profile, NULL, 0},
		OPT_JOBS('J', downloads, &o->jobs, 64),
		{"add-channel", 0, true, fetch_only, &o->channels, NULL, 0},
		{"version", 0, true, mirror_only, &o->versions, NULL, 0},
		OPT_HELP_ROW,
		NET_OPTS_AS(downloads),
		OPT_END,
	};

	o->jobs = 4;
	if (!opts_parse(argc, argv, table, &o->status))
		return false;
	if (cmd_net.bad) {
		o->status = verb_usage(argv[0], EXIT_USAGE);
		return false;
	}
	if (argc - optind != nargs) {
		o->status = verb_operand_count(argv, argc - optind, nargs);
		return false;
	}
	if (is_fetch && o->profile == NULL) {
		msg_error("fetch: --profile NAME is required: which image "
		    "profile to take ('depot list-profiles URL' lists them)");
		o->status = verb_usage(argv[0], EXIT_USAGE);
		return false;
	}
	for (int i = 0; i < nargs; i++)
		o->operands[o->noperands++] = argv[optind + i];
	return true;
}

static void
release_cli(struct fetch_cli *o)
{
	ptrvec_release(&o->channels);
	ptrvec_release(&o->versions);
	ptrvec_release(&o->profiles);
}

/* Open one depot for fetch or mirror, its warnings printed. */
static int
open_source(const char *where, struct depot **out)
{
	int ret = net_open_depot(where, 0, out);

	if (ret != EXIT_OK)
		die_if_caught();
	return ret;
}

static double
mib(uint64_t n)
{
	return (double)n / (1024.0 * 1024.0);
}

int
cmd_depot_fetch(int argc, char **argv)
{
	struct fetch_cli o = {0};
	struct dv_error err = DV_ERROR_INIT;
	struct fetch_report r;
	struct fetch_opts fo;
	struct depot **depots = NULL;
	struct dv_json j;
	size_t n = 0, i;
	int ret;

	if (!parse_fetch_opts(argc, argv, 2, &o)) {
		ret = o.status;
		goto out;
	}
	/* Before any download: the output must be new. */
	if (access(o.operands[1], F_OK) == 0) {
		msg_error("%s: exists already; remove it or name another file",
		    o.operands[1]);
		ret = EXIT_BAD;
		goto out;
	}
	catch_signals();
	depots = xcalloc(o.channels.n + 2, sizeof(*depots));
	if ((ret = open_source(o.operands[0], &depots[n])) != EXIT_OK)
		goto out;
	n++;
	for (i = 0; i < o.channels.n; i++) {
		if ((ret = open_source(o.channels.v[i], &depots[n])) != EXIT_OK)
			goto out;
		n++;
	}
	fo.profile = o.profile;
	fo.out = o.operands[1];
	fo.jobs = (unsigned)o.jobs;
	fo.net = &cmd_net.opts;
	if (depot_fetch(depots, n, &fo, &r, &err) != 0) {
		ret = download_failed(&err, "kept in", r.state, "for the next "
		    "run");
		goto out;
	}
	if (o.json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "depot", depots[0]->path);
		dv_json_string(&j, "output", fo.out);
		dv_json_string(&j, "profile", r.profile->name);
		dv_json_string(&j, "profile_from", r.from->path);
		dv_json_uint(&j, "vibs", r.vibs);
		dv_json_uint(&j, "components", r.bulletins);
		dv_json_uint(&j, "base_images_and_addons", r.releases);
		dv_json_uint(&j, "downloaded", r.downloaded);
		dv_json_uint(&j, "reused", r.reused);
		dv_json_uint(&j, "vib_bytes", r.vib_bytes);
		dv_json_uint(&j, "bytes_received", r.received);
		dv_json_uint(&j, "bytes_resumed", r.resumed);
		dv_json_object_end(&j);
		dv_json_finish(&j);
	} else {
		printf("profile %s from %s\n", r.profile->name, r.from->path);
		printf("%zu VIBs (%.1f MiB): %zu downloaded (%.1f MiB received"
		    "%s), %zu verified by an earlier run\n", r.vibs,
		    mib(r.vib_bytes), r.downloaded, mib(r.received),
		    r.resumed > 0 ? ", the rest resumed" : "", r.reused);
		printf("%zu components, %zu base image%s and add-on%s; wrote "
		    "%s\n", r.bulletins, r.releases, r.releases == 1 ? "" :
		    "s", r.releases == 1 ? "" : "s", fo.out);
		printf("Use: esxcli software profile update -d %s -p %s\n",
		    fo.out, r.profile->name);
	}
	ret = EXIT_OK;
out:
	for (i = 0; i < n; i++)
		depot_free(depots[i]);
	free(depots);
	release_cli(&o);
	return ret;
}

int
cmd_depot_mirror(int argc, char **argv)
{
	struct fetch_cli o = {0};
	struct dv_error err = DV_ERROR_INIT;
	struct mirror_report r;
	struct mirror_opts mo;
	struct depot *d = NULL;
	struct dv_json j;
	int ret;

	if (!parse_fetch_opts(argc, argv, 2, &o)) {
		ret = o.status;
		goto out;
	}
	catch_signals();
	if ((ret = open_source(o.operands[0], &d)) != EXIT_OK)
		goto out;
	mo.outdir = o.operands[1];
	mo.versions = (const char *const *)o.versions.v;
	mo.nversions = o.versions.n;
	mo.profiles = (const char *const *)o.profiles.v;
	mo.nprofiles = o.profiles.n;
	mo.jobs = (unsigned)o.jobs;
	mo.net = &cmd_net.opts;
	if (depot_mirror(d, &mo, &r, &err) != 0) {
		ret = download_failed(&err, "kept, and the indexes in",
		    mo.outdir, "are the old ones: run again to finish");
		goto out;
	}
	if (o.json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "depot", d->path);
		dv_json_string(&j, "output", mo.outdir);
		dv_json_uint(&j, "metadata", r.metadata);
		dv_json_uint(&j, "vibs", r.vibs);
		dv_json_uint(&j, "downloaded", r.downloaded);
		dv_json_uint(&j, "unchanged", r.unchanged);
		dv_json_uint(&j, "bytes_received", r.received);
		dv_json_object_end(&j);
		dv_json_finish(&j);
	} else {
		printf("%zu metadata zip%s, %zu VIBs: %zu downloaded (%.1f MiB), "
		    "%zu unchanged\n", r.metadata, r.metadata == 1 ? "" : "s",
		    r.vibs, r.downloaded, mib(r.received), r.unchanged);
		printf("Serve %s and use: esxcli software sources profile list "
		    "-d http://HOST/PATH/%s\n", mo.outdir,
		    strrchr(d->path, '/') != NULL &&
		    strstr(strrchr(d->path, '/'), ".xml") != NULL ?
		    strrchr(d->path, '/') + 1 : "index.xml");
	}
	ret = EXIT_OK;
out:
	depot_free(d);
	release_cli(&o);
	return ret;
}

int
cmd_depot_check(int argc, char **argv)
{
	struct fetch_cli o = {0};
	struct dv_error err = DV_ERROR_INIT;
	struct check_report r = {0};
	struct depot *d = NULL;
	struct dv_json j;
	int ret;

	if (!parse_fetch_opts(argc, argv, 1, &o)) {
		ret = o.status;
		goto out;
	}
	if (http_is_url(o.operands[0]) &&
	    strncmp(o.operands[0], "file://", 7) != 0) {
		msg_error("%s: check reads a folder on this machine; 'depot "
		    "mirror' copies an online depot first", o.operands[0]);
		ret = EXIT_USAGE;
		goto out;
	}
	if ((ret = open_source(o.operands[0], &d)) != EXIT_OK)
		goto out;
	if (depot_check(d, &r, &err) != 0) {
		ret = failed(&err);
		goto out;
	}
	if (o.json) {
		dv_json_init(&j, stdout);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "depot", d->path);
		dv_json_uint(&j, "vibs", r.vibs);
		dv_json_array_begin(&j, "problems");
		for (size_t i = 0; i < r.problems.n; i++)
			dv_json_string(&j, NULL, r.problems.v[i].msg);
		dv_json_array_end(&j);
		dv_json_bool(&j, "ok", r.problems.n == 0);
		dv_json_object_end(&j);
		dv_json_finish(&j);
	} else {
		for (size_t i = 0; i < r.problems.n; i++)
			printf("%s\n", r.problems.v[i].msg);
		printf("%zu VIBs checked, %zu problem%s\n", r.vibs,
		    r.problems.n, r.problems.n == 1 ? "" : "s");
	}
	ret = EXIT_OK;
	if (r.problems.n > 0) {
		msg_error("%s: %zu problem%s", d->path, r.problems.n,
		    r.problems.n == 1 ? "" : "s");
		ret = EXIT_BAD;
	}
out:
	check_report_release(&r);
	depot_free(d);
	release_cli(&o);
	return ret;
}
