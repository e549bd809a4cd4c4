/* verb.h - the verb table and dispatch both commands share. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_VERB_H
#define CMD_VERB_H

#include <stddef.h>

struct option;

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the verb */
	const char *synopsis;		  /* SYNOPSIS form, without the command */
	const char *summary;
	/* "  --opt ARG   what it does" lines for 'COMMAND --help'. */
	const char *options;
};

struct command {
	const struct verb *verbs;
	size_t nverbs;
	const char *footer; /* after the list of commands in the usage text */
};

/*
 * Run the verb argv[1] of cmd (after --help, --version and usage errors),
 * and flush stdout.  Returns the exit status.
 */
int command_main(const struct command *cmd, int argc, char **argv);
/* "usage: PROG SYNOPSIS" for one verb; on success also its summary and
 * options, on stdout. */
int verb_usage(const char *verb, int status);

/*
 * After getopt_long returned '?' (opterr 0): say what was wrong with
 * argv[optind - 1] in the user's words ("option '--json' takes no value",
 * "option '--jobs' needs a value", "unknown option '--jbos'; did you mean
 * '--jobs'?"), then the verb's usage.  Returns EXIT_USAGE.
 */
int verb_option_error(char **argv, const struct option *longopts,
    const char *optstring);
/* A long option this verb's table shares with others but does not take:
 * "VERB: option '--NAME' is not for this command", the usage; EXIT_USAGE. */
int verb_not_for(char **argv, const char *name);
/* "VERB: expected WANT operand(s), got HAVE", the usage; EXIT_USAGE. */
int verb_operand_count(char **argv, int have, int want);

#endif
