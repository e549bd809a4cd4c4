/* image.c - depot validate, compose and diff: the image verbs. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../depot/depot.h"
#include "../depot/image.h"
#include "../depot/json.h"
#include "cmd.h"
#include "image.h"
#include "verb.h"

/* Report a bad option the way the other verbs do; the usage status. */
static int
bad_option(char **argv)
{
	if (optopt != 0)
		msg_error("%s: unknown or incomplete option '-%c'", argv[0],
		    optopt);
	else
		msg_error("%s: unknown option '%s'", argv[0],
		    argv[optind - 1]);
	return verb_usage(argv[0], EXIT_USAGE);
}

static int
operand_count(char **argv, int have, int want)
{
	msg_error("%s: expected %d operand%s, got %d", argv[0], want,
	    want == 1 ? "" : "s", have);
	return verb_usage(argv[0], EXIT_USAGE);
}

/* Open a depot and print its warnings; an exit status on failure. */
static int
open_image_depot(const char *path, struct depot **out)
{
	struct dv_error err = DV_ERROR_INIT;
	int ret = depot_open(path, out, &err);

	if (ret != 0) {
		if (err.code == DV_EWRAPPER)
			msg_error("%s; run '%s extract %s OUTDIR' to unwrap it",
			    err.msg, progname, path);
		else
			msg_dv_error(&err);
		depot_free(*out);
		*out = NULL;
		return dv_exit_status(err.code);
	}
	for (size_t i = 0; i < (*out)->warnings.n; i++)
		msg_warn("%s", (*out)->warnings.v[i]);
	return EXIT_OK;
}

static void
json_problems(struct json *j, const struct image_report *r)
{
	json_array_begin(j, "problems");
	for (size_t i = 0; i < r->n; i++) {
		json_object_begin(j, NULL);
		json_string(j, "rule", image_rule_name(r->v[i].rule));
		json_string(j, "message", r->v[i].text);
		json_object_end(j);
	}
	json_array_end(j);
}

static void
print_problems(const struct image_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		printf("  %s: %s\n", image_rule_name(r->v[i].rule),
		    r->v[i].text);
}

/* ---- validate ----------------------------------------------------------- */

int
cmd_depot_validate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"profile", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct dv_error err = DV_ERROR_INIT;
	const struct depot_profile *one = NULL;
	const char *profile = NULL;
	struct depot *d = NULL;
	struct image_vib *pool = NULL;
	struct json j;
	bool json = false;
	size_t failed = 0, checked = 0;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jp:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'h':
			return verb_usage(argv[0], EXIT_OK);
		default:
			return bad_option(argv);
		}
	}
	if (argc - optind != 1)
		return operand_count(argv, argc - optind, 1);
	if ((ret = open_image_depot(argv[optind], &d)) != EXIT_OK)
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
		json_init(&j, stdout);
		json_object_begin(&j, NULL);
		json_string(&j, "depot", d->path);
		json_array_begin(&j, "profiles");
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
			json_object_begin(&j, NULL);
			json_string(&j, "name", p->name);
			json_bool(&j, "valid", r.n == 0);
			json_string(&j, "esx_version", r.esx_version);
			json_uint(&j, "vibs", img.nvibs);
			json_uint(&j, "components", img.ncomponents);
			json_problems(&j, &r);
			json_object_end(&j);
		} else {
			printf("%s: %s (ESXi %s, %zu VIB%s, %zu component%s)"
			    "\n", p->name, r.n == 0 ? "OK" : "FAILED",
			    r.esx_version != NULL ? r.esx_version : "unknown",
			    img.nvibs, img.nvibs == 1 ? "" : "s",
			    img.ncomponents, img.ncomponents == 1 ? "" : "s");
			print_problems(&r);
		}
		image_report_release(&r);
		image_release(&img);
	}
	if (json) {
		json_array_end(&j);
		json_bool(&j, "valid", failed == 0);
		json_object_end(&j);
		json_finish(&j);
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
