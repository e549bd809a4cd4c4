/* msg.c - diagnostics on stderr, and the one set of signal handlers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../depot/outdir.h"
#include "cmd.h"
#include "progress.h"

const char *progname = "depot";

void
msg_init(const char *argv0)
{
	const char *slash = argv0 != NULL ? strrchr(argv0, '/') : NULL;

	if (argv0 != NULL && *argv0 != '\0')
		progname = slash != NULL ? slash + 1 : argv0;
}

/* One line on stderr after "progname: " and prefix. */
__attribute__((format(printf, 2, 0))) static void
say(const char *prefix, const char *fmt, va_list ap)
{
	/* Keeps stdout before stderr; a failure stays on stdout's error
	 * flag, which msg_finish_stdout reports. */
	(void)fflush(stdout);
	progress_begin_write();
	fprintf(stderr, "%s: %s", progname, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	progress_end_write();
}

void
msg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

void
msg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("warning: ", fmt, ap);
	va_end(ap);
}

int
msg_dv_error(const struct dv_error *err)
{
	msg_error("%s", err->msg[0] != '\0' ? err->msg :
	    dv_strerror(err->code));
	return dv_exit_status(err->code);
}

int
msg_finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_error("cannot write standard output: %s", strerror(errno));
		return status == EXIT_OK ? EXIT_BAD : status;
	}
	return status;
}

/* ---- interrupts --------------------------------------------------------- */

static const int caught_sigs[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIGS (sizeof(caught_sigs) / sizeof(caught_sigs[0]))
static struct sigaction saved[NSIGS];
static volatile sig_atomic_t caught;
static bool catching;

static void
on_signal(int sig)
{
	caught = sig;
	outdir_interrupt();
}

void
msg_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read returns EINTR and the loop around
	 * it sees the flag at once. */
	for (size_t i = 0; i < NSIGS; i++) {
		sigaction(caught_sigs[i], NULL, &saved[i]);
		if (saved[i].sa_handler != SIG_IGN)
			sigaction(caught_sigs[i], &sa, NULL);
	}
	catching = true;
}

void
msg_restore_signals(void)
{
	if (!catching)
		return;
	for (size_t i = 0; i < NSIGS; i++)
		sigaction(caught_sigs[i], &saved[i], NULL);
	catching = false;
}

int
msg_interrupted(const struct dv_error *err)
{
	int sig = caught;

	msg_restore_signals();
	msg_error("%s", err->msg);
	/* The exit status says it failed already; nothing to add. */
	(void)fflush(stdout);
	if (sig != 0) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return EXIT_BAD;
}

int
msg_fail(const struct dv_error *err)
{
	return err->code == DV_EINTR ? msg_interrupted(err) :
	    msg_dv_error(err);
}
