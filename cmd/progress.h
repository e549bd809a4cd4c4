/* progress.h - a progress line on stderr while a long command works. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_PROGRESS_H
#define CMD_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>

#include "../depot/progress.h"

/*
 * "  verify: 37/200 VIBs, 512.0/1024.0 MiB, 420 MiB/s" redrawn in place
 * five times a second, from a thread that only reads the counters, and
 * erased when the work ends.  Shown only when stderr is a terminal and
 * the user did not ask for --quiet; otherwise progress_start leaves
 * p->counters in place (the library counts regardless) and draws nothing.
 */
struct progress {
	struct dv_progress counters;
	const char *label;
	double started; /* monotonic seconds, for the rate */
	bool shown;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

/* Start drawing when wanted; pass &p->counters to the library. */
void progress_start(struct progress *p, const char *label, const char *unit,
    bool quiet);
/* Stop drawing and erase the line; safe when nothing was drawn. */
void progress_stop(struct progress *p);
/*
 * Around any other write to the terminal (a message, a result line): the
 * progress line is erased and not redrawn until progress_end_write, so
 * the two never share a line.  Cheap no-ops when nothing is drawn.
 */
void progress_begin_write(void);
void progress_end_write(void);

/*
 * -q/--quiet and -v/--verbose of the long verbs (verify, extract, unpack,
 * compose, esxbundle create).  Quiet: no progress line and, on stdout,
 * only the failures and the summary line; errors and warnings still go to
 * stderr (quiet is not silent, as with git and apt-get).  Verbose: first
 * say on stderr what is read.  depot(1) has the whole rule.
 */
enum verbosity { VERBOSITY_QUIET = -1, VERBOSITY_NORMAL, VERBOSITY_VERBOSE };
#define VERBOSITY_HELP \
	"  -q, --quiet       print only failures and the summary; no progress\n" \
	"  -v, --verbose     say what is read before reading it\n"
/*
 * getopt's 'q' or 'v' into *level: EXIT_OK, or EXIT_USAGE (and usage on
 * stderr) when the other one was given before.
 */
int verbosity_option(char **argv, int opt, enum verbosity *level);
/* --verbose: "PROG: VERB: reading WHAT PATH (1.5 MiB)" on stderr. */
void verbose_reading(enum verbosity level, const char *verb,
    const char *what, const char *path);

#endif
