/* verb.c - dispatch a command's verbs from its table; usage texts. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../depot/depot.h"
#include "../depot/suggest.h"
#include "../depot/version.h"
#include "cmd.h"
#include "verb.h"

static const struct command *current;

static const struct verb *
find_verb(const char *name)
{
	for (size_t i = 0; current != NULL && i < current->nverbs; i++)
		if (strcmp(current->verbs[i].name, name) == 0)
			return &current->verbs[i];
	return NULL;
}

int
verb_usage(const char *verb, int status)
{
	const struct verb *v = find_verb(verb);
	FILE *fp = status == 0 ? stdout : stderr;

	if (v == NULL)
		return status;
	fprintf(fp, "usage: %s %s\n", progname, v->synopsis);
	if (status == 0) {
		fprintf(fp, "\n%s\n", v->summary);
		if (v->options != NULL)
			fprintf(fp, "\nOptions:\n%s", v->options);
		fprintf(fp, "\n%s(1) has the details.\n", progname);
	}
	return status;
}

static int
usage(int status)
{
	FILE *fp = status == 0 ? stdout : stderr;

	fprintf(fp, "usage: %s COMMAND [OPTIONS] ...\n\nCommands:\n",
	    progname);
	for (size_t i = 0; i < current->nverbs; i++)
		fprintf(fp, "  %s %s\n", progname, current->verbs[i].synopsis);
	fprintf(fp, "\n%s", current->footer);
	return status;
}

int
verb_option_error(char **argv, const struct option *longopts,
    const char *optstring)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	const char *verb = argv[0];

	if (strncmp(arg, "--", 2) == 0) {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		const char *names[64];
		size_t n = 0;

		for (const struct option *o = longopts; o->name != NULL; o++) {
			if (strlen(o->name) == len &&
			    strncmp(o->name, name, len) == 0) {
				if (o->has_arg == no_argument && eq != NULL)
					msg_error("%s: option '--%s' takes no "
					    "value", verb, o->name);
				else
					msg_error("%s: option '--%s' needs a "
					    "value", verb, o->name);
				return verb_usage(verb, EXIT_USAGE);
			}
			if (n < 64)
				names[n++] = o->name;
		}
		char typed[DV_SUGGEST_MAXLEN + 1];
		const char *near = NULL;

		if (len <= DV_SUGGEST_MAXLEN) {
			memcpy(typed, name, len);
			typed[len] = '\0';
			near = dv_suggest(typed, names, n);
		}
		if (near != NULL)
			msg_error("%s: unknown option '%.*s'; did you mean "
			    "'--%s'?", verb, (int)(len + 2), arg, near);
		else
			msg_error("%s: unknown option '%.*s'", verb,
			    (int)(len + 2), arg);
		return verb_usage(verb, EXIT_USAGE);
	}
	const char *spec = optopt != 0 ? strchr(optstring, optopt) : NULL;

	if (spec != NULL && spec[1] == ':')
		msg_error("%s: option '-%c' needs a value", verb, optopt);
	else if (optopt != 0)
		msg_error("%s: unknown option '-%c'", verb, optopt);
	else
		msg_error("%s: unknown option '%s'", verb, arg);
	return verb_usage(verb, EXIT_USAGE);
}

int
verb_not_for(char **argv, const char *name)
{
	msg_error("%s: option '--%s' is not for this command", argv[0], name);
	return verb_usage(argv[0], EXIT_USAGE);
}

int
verb_operand_count(char **argv, int have, int want)
{
	msg_error("%s: expected %d operand%s, got %d", argv[0], want,
	    want == 1 ? "" : "s", have);
	return verb_usage(argv[0], EXIT_USAGE);
}

/* "unknown command", with the likely one when it is a typo. */
static int
unknown_verb(const char *name)
{
	const char *names[64];
	size_t n = 0;
	const char *near;

	for (size_t i = 0; i < current->nverbs && n < 64; i++)
		names[n++] = current->verbs[i].name;
	near = dv_suggest(name, names, n);
	if (near != NULL) {
		msg_error("unknown command '%s'; did you mean '%s'?", name,
		    near);
		return EXIT_USAGE;
	}
	msg_error("unknown command '%s'", name);
	return usage(EXIT_USAGE);
}

/* "PROG help [COMMAND]": the general help, or one command's. */
static int
help(int argc, char **argv)
{
	if (argc < 2)
		return msg_finish_stdout(usage(EXIT_OK));
	if (argc > 2) {
		msg_error("help: expected at most one command, got %d",
		    argc - 1);
		return EXIT_USAGE;
	}
	if (find_verb(argv[1]) == NULL)
		return unknown_verb(argv[1]);
	return msg_finish_stdout(verb_usage(argv[1], EXIT_OK));
}

int
command_main(const struct command *cmd, int argc, char **argv)
{
	const struct verb *v;

	current = cmd;
	msg_init(argv[0]);
	/*
	 * Without TZ, glibc looks at /etc/localtime again at each local time
	 * conversion, and libzip converts every member's date: two system
	 * calls per member.  ":/etc/localtime" is the same zone, read once.
	 */
	if (getenv("TZ") == NULL)
		setenv("TZ", ":/etc/localtime", 1);
	depot_library_init();
	if (argc < 2) {
		msg_error("no command given");
		return usage(EXIT_USAGE);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return msg_finish_stdout(usage(EXIT_OK));
	if (strcmp(argv[1], "help") == 0)
		return help(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("%s (esxstage) %s\n", progname, ESXSTAGE_VERSION);
		return msg_finish_stdout(EXIT_OK);
	}
	if ((v = find_verb(argv[1])) == NULL)
		return unknown_verb(argv[1]);
	return msg_finish_stdout(v->fn(argc - 1, argv + 1));
}
