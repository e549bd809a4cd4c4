/* verb.c - dispatch a command's verbs from its table; usage texts. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <string.h>

#include "../depot/depot.h"
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
	if (status == 0)
		fprintf(fp, "%s\n", v->summary);
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
command_main(const struct command *cmd, int argc, char **argv)
{
	const struct verb *v;

	current = cmd;
	msg_init(argv[0]);
	depot_library_init();
	if (argc < 2) {
		msg_error("no command given");
		return usage(EXIT_USAGE);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return msg_finish_stdout(usage(EXIT_OK));
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s (esxstage) %s\n", progname, ESXSTAGE_VERSION);
		return msg_finish_stdout(EXIT_OK);
	}
	if ((v = find_verb(argv[1])) == NULL) {
		msg_error("unknown command '%s'", argv[1]);
		return usage(EXIT_USAGE);
	}
	return msg_finish_stdout(v->fn(argc - 1, argv + 1));
}
