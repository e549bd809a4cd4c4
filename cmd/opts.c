/* opts.c - parse a verb's option table with getopt_long. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../depot/xalloc.h"
#include "cmd.h"
#include "opts.h"
#include "progress.h"
#include "verb.h"

/* Rows per table; the largest (esxbundle create) has 18. */
#define OPTS_MAX 32
/* getopt_long returns OPTS_LONG + row for a long option, above any
 * short letter, so the row is known without searching. */
#define OPTS_LONG 0x100

/* "VERB: option '--NAME' (or '-L') is not for this command", as typed. */
static int
not_for(char **argv, const struct opt *o, bool as_long)
{
	if (as_long)
		return verb_not_for(argv, o->name);
	msg_error("%s: option '-%c' is not for this command", argv[0],
	    o->letter);
	return verb_usage(argv[0], EXIT_USAGE);
}

static int
take(char **argv, const struct opt *o, bool as_long, const char *value)
{
	switch (o->does) {
	case OPT_SET:
		*(bool *)o->to = true;
		return EXIT_OK;
	case OPT_STRING:
		*(const char **)o->to = value;
		return EXIT_OK;
	case OPT_ONCE:
		/* Which of two a user meant is not ours to guess. */
		if (*(const char **)o->to != NULL) {
			msg_error("%s: --%s is given once", argv[0], o->name);
			return verb_usage(argv[0], EXIT_USAGE);
		}
		*(const char **)o->to = value;
		return EXIT_OK;
	case OPT_LIST:
		ptrvec_push(o->to, (void *)value);
		return EXIT_OK;
	case OPT_CALL:
		return o->call(argv, o, value);
	case OPT_NOT_FOR:
		return not_for(argv, o, as_long);
	case OPT_HELP: /* opts_parse's: it stops the verb */
		break;
	}
	return EXIT_OK;
}

bool
opts_parse(int argc, char **argv, const struct opt *table, int *status)
{
	struct option longopts[OPTS_MAX + 1];
	char optstring[2 * OPTS_MAX + 1];
	size_t n, ns = 0;
	int c;

	for (n = 0; table[n].name != NULL; n++) {
		if (n == OPTS_MAX) {
			fprintf(stderr, "%s: BUG: more than %d options\n",
			    progname, OPTS_MAX);
			abort();
		}
		longopts[n] = (struct option){table[n].name, table[n].value ?
		    required_argument : no_argument, NULL, OPTS_LONG + (int)n};
		if (table[n].letter != 0) {
			optstring[ns++] = table[n].letter;
			if (table[n].value)
				optstring[ns++] = ':';
		}
	}
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	optstring[ns] = '\0';
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) !=
	    -1) {
		const struct opt *o = NULL;

		if (c >= OPTS_LONG)
			o = &table[c - OPTS_LONG];
		for (size_t i = 0; o == NULL && c != '?' && i < n; i++)
			if (table[i].letter == c)
				o = &table[i];
		if (o == NULL) {
			*status = verb_option_error(argv, longopts, optstring);
			return false;
		}
		if (o->does == OPT_HELP) {
			*status = verb_usage(argv[0], EXIT_OK);
			return false;
		}
		if ((*status = take(argv, o, c >= OPTS_LONG, optarg)) !=
		    EXIT_OK)
			return false;
	}
	*status = EXIT_OK;
	return true;
}

int
opts_jobs(char **argv, const struct opt *o, const char *value)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > o->id) {
		msg_error("%s: --jobs takes a number from 1 to %d", argv[0],
		    o->id);
		return verb_usage(argv[0], EXIT_USAGE);
	}
	*(int *)o->to = (int)n;
	return EXIT_OK;
}

int
opts_verbosity(char **argv, const struct opt *o, const char *value)
{
	(void)value;
	return verbosity_option(argv, o->id, o->to);
}
