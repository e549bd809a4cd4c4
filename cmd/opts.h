/* opts.h - each verb's options as a table, parsed in one place. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_OPTS_H
#define CMD_OPTS_H

#include <stdbool.h>

/* What an option does when it is given. */
enum opt_does {
	OPT_SET,     /* *(bool *)to = true */
	OPT_STRING,  /* *(const char **)to = the value; the last one wins */
	OPT_ONCE,    /* as OPT_STRING, but given twice is a usage error */
	OPT_LIST,    /* the value pushed on (struct ptrvec *)to, in order */
	OPT_CALL,    /* call(argv, opt, value) */
	OPT_NOT_FOR, /* in a table verbs share, but not this verb's */
	OPT_HELP,    /* the verb's usage on stdout; stop with EXIT_OK */
};

/*
 * One row of a verb's option table; a row with name NULL ends it.  The
 * table is usually built on the verb's stack, so `to` can point at its
 * own variables.
 */
struct opt {
	const char *name; /* the long name, without "--" */
	char letter;	  /* the short option, or 0 when there is none */
	bool value;	  /* takes a value */
	enum opt_does does;
	void *to;
	/* OPT_CALL: EXIT_OK, or the exit status to stop with (said). */
	int (*call)(char **argv, const struct opt *o, const char *value);
	int id; /* for a call that serves several rows */
};

#define OPT_END {NULL, 0, false, OPT_SET, NULL, NULL, 0}
#define OPT_HELP_ROW {"help", 'h', false, OPT_HELP, NULL, NULL, 0}
/* --json; the short letter differs between verbs ('j' or 'J'). */
#define OPT_JSON(letter, flag) {"json", letter, false, OPT_SET, flag, NULL, 0}
/* -q/--quiet and -v/--verbose into an enum verbosity (progress.h). */
#define OPT_VERBOSITY(level)                                            \
	{"quiet", 'q', false, OPT_CALL, level, opts_verbosity, 'q'},     \
	{"verbose", 'v', false, OPT_CALL, level, opts_verbosity, 'v'}

/*
 * Parse argv (argv[0] is the verb) with getopt_long: options may stand
 * anywhere, operands are left at argv[optind..argc-1].  False when the
 * verb should stop with *status: after --help (EXIT_OK), or a usage
 * error, said in the user's words with the verb's usage (EXIT_USAGE).
 */
bool opts_parse(int argc, char **argv, const struct opt *table, int *status);

/*
 * --jobs N into *(int *)o->to, N from 1 to o->id; anything else is a
 * usage error, "VERB: --jobs takes a number from 1 to MAX".
 */
int opts_jobs(char **argv, const struct opt *o, const char *value);
#define OPT_JOBS(letter, does, to, max) \
	{"jobs", letter, true, does, to, opts_jobs, max}

/* The call of OPT_VERBOSITY: -q and -v refuse each other. */
int opts_verbosity(char **argv, const struct opt *o, const char *value);

#endif
