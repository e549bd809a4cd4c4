/* progress.c - draw the library's progress counters on a terminal. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "progress.h"
#include "verb.h"

#define REDRAW_NS 200000000L /* five times a second */

/* The one progress line being drawn, for progress_begin_write. */
static struct progress *drawing;

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
draw(const struct progress *p, double started)
{
	const struct dv_progress *c = &p->counters;
	uint64_t items = atomic_load_explicit(&c->items_done,
	    memory_order_relaxed);
	uint64_t nitems = atomic_load_explicit(&c->items_total,
	    memory_order_relaxed);
	double done = (double)atomic_load_explicit(&c->bytes_done,
	    memory_order_relaxed) / 1048576.0;
	double total = (double)atomic_load_explicit(&c->bytes_total,
	    memory_order_relaxed) / 1048576.0;
	double secs = now_seconds() - started;

	const char *unit = c->unit != NULL ? c->unit : "items";
	double rate = secs > 0.05 ? done / secs : 0.0;

	/* \r and erase-to-end: the line is redrawn in place.  A writer
	 * that cannot know its totals (extract, unpack) shows what it did. */
	if (nitems > 0 || total > 0)
		fprintf(stderr, "\r\033[K%s: %s: %llu/%llu %s, %.1f/%.1f MiB, "
		    "%.0f MiB/s", progname, p->label,
		    (unsigned long long)items, (unsigned long long)nitems,
		    unit, done, total, rate);
	else
		fprintf(stderr, "\r\033[K%s: %s: %llu %s, %.1f MiB written, "
		    "%.0f MiB/s", progname, p->label,
		    (unsigned long long)items, unit, done, rate);
	(void)fflush(stderr);
}

static void *
drawer(void *arg)
{
	struct progress *p = arg;
	double started = p->started;
	struct timespec until;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += REDRAW_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&p->wake, &p->lock, &until) ==
		    ETIMEDOUT && !p->stop)
			draw(p, started);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void
progress_start(struct progress *p, const char *label, const char *unit,
    bool quiet)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->counters.unit = unit;
	p->started = now_seconds();
	/* NO_COLOR asks for no colour; a bare progress line has none, so
	 * it does not change this.  TERM=dumb cannot erase a line. */
	const char *term = getenv("TERM");

	if (quiet || !isatty(STDERR_FILENO) ||
	    (term != NULL && strcmp(term, "dumb") == 0))
		return;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->shown = pthread_create(&p->thread, NULL, drawer, p) == 0;
	if (p->shown)
		drawing = p;
	else {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
	}
}

void
progress_stop(struct progress *p)
{
	if (!p->shown)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	drawing = NULL;
	/* The last state, then erased: a terminal shows the line gone,
	 * a transcript (script(1)) keeps what was done. */
	draw(p, p->started);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	fputs("\r\033[K", stderr);
	(void)fflush(stderr);
	p->shown = false;
}

void
progress_begin_write(void)
{
	if (drawing == NULL)
		return;
	pthread_mutex_lock(&drawing->lock);
	fputs("\r\033[K", stderr);
	(void)fflush(stderr);
}

void
progress_end_write(void)
{
	if (drawing != NULL)
		pthread_mutex_unlock(&drawing->lock);
}

int
verbosity_option(char **argv, int opt, enum verbosity *level)
{
	enum verbosity want = opt == 'q' ? VERBOSITY_QUIET : VERBOSITY_VERBOSE;

	if (*level != VERBOSITY_NORMAL && *level != want) {
		msg_error("%s: -q/--quiet and -v/--verbose cannot be used "
		    "together", argv[0]);
		return verb_usage(argv[0], EXIT_USAGE);
	}
	*level = want;
	return EXIT_OK;
}

void
verbose_reading(enum verbosity level, const char *verb, const char *what,
    const char *path)
{
	struct stat st;

	if (level != VERBOSITY_VERBOSE)
		return;
	/* The size of a file; a folder or a missing path is named alone
	 * (opening it says what is wrong). */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		fprintf(stderr, "%s: %s: reading %s%s%s (%.1f %s)\n", progname,
		    verb, what, *what != '\0' ? " " : "", path,
		    (double)st.st_size / (st.st_size < 1048576 ? 1024.0 :
		    1048576.0), st.st_size < 1048576 ? "KiB" : "MiB");
	else
		fprintf(stderr, "%s: %s: reading %s%s%s\n", progname, verb,
		    what, *what != '\0' ? " " : "", path);
}
