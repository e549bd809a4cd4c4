/* bundle.c - the bundle command: assemble, check and describe bundles. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bundle/bundle.h"
#include "../depot/depot.h"
#include "../depot/sbuf.h"
#include "cmd.h"
#include "verb.h"


static void
on_signal(int sig)
{
	(void)sig;
	bundle_stop = 1;
	outdir_interrupt(); /* a vendor package being unwrapped */
}

/*
 * SIGINT and SIGTERM make bundle_write stop at the next chunk and remove
 * its temporary folder.  A signal ignored when we started (a background
 * job of a script) stays ignored.
 */
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

static int
cmd_bundle_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"datastore", required_argument, NULL, 'd'},
		{"dir", required_argument, NULL, 'D'},
		{"depot", required_argument, NULL, 'p'},
		{"profile", required_argument, NULL, 'P'},
		{"add", required_argument, NULL, 'a'},
		{"firmware", required_argument, NULL, 'f'},
		{"intel-nvm", required_argument, NULL, 'I'},
		{"trust", required_argument, NULL, 't'},
		{"jobs", required_argument, NULL, 'j'},
		{"tar", no_argument, NULL, 'T'},
		{"force", no_argument, NULL, 'F'},
		{"compose", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dv_error err = DV_ERROR_INIT;
	struct ptrvec adds = PTRVEC_INIT, fw = PTRVEC_INIT, trusts = PTRVEC_INIT;
	struct sbuf dir = SBUF_INIT(SBUF_NOCAP);
	struct bundle_opts o = {0};
	struct bundle_plan plan = {0};
	struct sig_trust *trust = NULL;
	const char *slash;
	long n;
	char *end;
	int c, ret;

	catch_signals();
	o.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o.jobs < 1)
		o.jobs = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:D:p:P:a:f:I:t:j:TFC:h", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd': o.datastore = optarg; break;
		case 'D': o.dir = optarg; break;
		case 'p': o.depot = optarg; break;
		case 'P': o.profile = optarg; break;
		case 'a': ptrvec_push(&adds, optarg); break;
		case 'f': ptrvec_push(&fw, optarg); break;
		case 'I':
			if (o.intel_nvm != NULL) {
				msg_error("create: --intel-nvm is given once");
				ret = verb_usage(argv[0], EXIT_USAGE);
				goto out;
			}
			o.intel_nvm = optarg;
			break;
		case 't': ptrvec_push(&trusts, optarg); break;
		case 'T': o.tar = true; break;
		case 'F': o.force = true; break;
		case 'C': o.compose = optarg; break;
		case 'j':
			errno = 0;
			/* getopt_long sets optarg for "j:"; the analyzer thinks
			 * not, having seen --intel-nvm's compared with NULL. */
			/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
			n = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || n < 1 || n > 256) {
				msg_error("create: --jobs takes a number from 1 "
				    "to 256");
				ret = verb_usage(argv[0], EXIT_USAGE);
				goto out;
			}
			o.jobs = (int)n;
			break;
		case 'h':
			ret = verb_usage(argv[0], EXIT_OK);
			goto out;
		default:
			ret = verb_option_error(argv, longopts,
			    "d:D:p:P:a:f:I:t:j:TFh");
			goto out;
		}
	}
	if (argc - optind != 1) {
		msg_error("create: expected 1 operand (OUTDIR), got %d",
		    argc - optind);
		ret = verb_usage(argv[0], EXIT_USAGE);
		goto out;
	}
	o.outdir = argv[optind];
	if (o.datastore == NULL || *o.datastore == '\0' ||
	    strchr(o.datastore, '/') != NULL) {
		msg_error("create: --datastore NAME is required (the datastore "
		    "the folder will be uploaded to, without '/')");
		ret = EXIT_USAGE;
		goto out;
	}
	if (o.compose != NULL && (o.depot == NULL || o.profile == NULL ||
	    *o.compose == '\0' || *o.compose == '.' ||
	    strchr(o.compose, '/') != NULL || strlen(o.compose) > 80)) {
		msg_error("create: --compose NEW-NAME needs --depot and "
		    "--profile, and a name of 1 to 80 characters without '/' "
		    "that does not start with '.'");
		ret = EXIT_USAGE;
		goto out;
	}
	if (o.profile != NULL && o.depot == NULL) {
		msg_error("create: --profile needs --depot");
		ret = EXIT_USAGE;
		goto out;
	}
	if (o.depot == NULL && adds.n == 0 && fw.n == 0 &&
	    o.intel_nvm == NULL) {
		msg_error("create: nothing to bundle: give --depot, --add, "
		    "--firmware or --intel-nvm");
		ret = EXIT_USAGE;
		goto out;
	}
	if (o.dir == NULL) {
		/* Default: esxstage/<OUTDIR's name> on the datastore. */
		slash = strrchr(o.outdir, '/');
		sbuf_addf(&dir, "esxstage/%s", slash != NULL && slash[1] ?
		    slash + 1 : o.outdir);
		o.dir = dir.buf;
	}
	if (*o.dir == '/' || strstr(o.dir, "..") != NULL) {
		msg_error("create: --dir '%s' must be a folder relative to the "
		    "datastore, without '..'", o.dir);
		ret = EXIT_USAGE;
		goto out;
	}
	if (trusts.n > 0 && sig_trust_load((const char *const *)trusts.v,
	    trusts.n, &trust, &err) != 0) {
		ret = msg_dv_error(&err);
		goto out;
	}
	o.adds = (const char *const *)adds.v;
	o.nadds = adds.n;
	o.firmware = (const char *const *)fw.v;
	o.nfirmware = fw.n;
	o.trust = trust;
	if (bundle_plan_make(&o, &plan, &err) != 0) {
		ret = msg_dv_error(&err);
		goto out;
	}
	if (bundle_write(&o, &plan, &err) != 0) {
		ret = msg_dv_error(&err);
		goto out;
	}
	for (size_t i = 0; i < plan.notes.n; i++)
		printf("  %s\n", plan.notes.v[i].msg);
	printf("Bundle written to %s (%zu step%s) for /vmfs/volumes/%s/%s\n",
	    o.outdir, plan.items.n, plan.items.n == 1 ? "" : "s", o.datastore,
	    o.dir);
	if (o.tar)
		printf("Single file: %s.tar\n", o.outdir);
	printf("Next: upload it there, then in the ESXi shell run "
	    "'sh install.sh check'.\n");
	ret = EXIT_OK;
out:
	bundle_plan_release(&plan);
	sig_trust_free(trust);
	ptrvec_release(&adds);
	ptrvec_release(&fw);
	ptrvec_release(&trusts);
	sbuf_release(&dir);
	return ret;
}

static int
one_dir_operand(int argc, char **argv, const char **dir, int *status)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		*status = verb_usage(argv[0], EXIT_OK);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		msg_error("%s: expected 1 operand (the bundle folder)",
		    argv[0]);
		*status = verb_usage(argv[0], EXIT_USAGE);
		return 0;
	}
	*dir = argv[1];
	return 1;
}

static int
cmd_bundle_verify(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct dv_diags problems = DV_DIAGS_INIT;
	const char *dir;
	size_t nfiles;
	int ret;

	if (!one_dir_operand(argc, argv, &dir, &ret))
		return ret;
	if (bundle_check(dir, &problems, &nfiles, &err) != 0) {
		ret = msg_dv_error(&err);
		goto out;
	}
	if (problems.n > 0) {
		for (size_t i = 0; i < problems.n; i++)
			printf("%s\n", problems.v[i].msg);
		msg_error("%s: FAILED: the bundle does not match its "
		    "SHA256SUMS", dir);
		ret = EXIT_BAD;
		goto out;
	}
	printf("%s: OK (%zu files match SHA256SUMS)\n", dir, nfiles);
	ret = EXIT_OK;
out:
	dv_diags_release(&problems);
	return ret;
}

static int
cmd_bundle_show(int argc, char **argv)
{
	struct dv_error err = DV_ERROR_INIT;
	struct ptrvec steps = PTRVEC_INIT;
	const char *dir;
	int ret;

	if (!one_dir_operand(argc, argv, &dir, &ret))
		return ret;
	if (bundle_steps(dir, &steps, &err) != 0) {
		ret = msg_dv_error(&err);
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
	ret = EXIT_OK;
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
	    "VERSION]]... [--intel-nvm PACKAGE] [--trust CA.pem]... [--jobs N] "
	    "[--tar] [--force] [--compose NEW-NAME]",
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
	    "  --trust CA.pem    trust anchors for the signature checks\n"
	    "  --jobs N          verify with N threads\n"
	    "  --tar             also write OUTDIR.tar for a single-file transfer\n"
	    "  --force           replace an existing OUTDIR\n"
	    "  --compose NEW-NAME\n"
	    "                    compose --profile of --depot and every --add into\n"
	    "                    one depot (depot compose) and ship it as one\n"
	    "                    profile update, one reboot\n"
	    "  -h, --help        describe this command\n"},
	{"verify", cmd_bundle_verify, "verify OUTDIR",
	    "Check every file of a bundle against its SHA256SUMS.",
	    "  -h, --help        describe this command\n"},
	{"show", cmd_bundle_show, "show OUTDIR",
	    "Print the bundle's plan, step by step, in plain words.",
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
