/* cmd.h - exit statuses and message helpers shared by the front ends. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_H
#define CMD_H

#include "../depot/error.h"

/* Documented in depot.1 and esxbundle.1 under EXIT STATUS. */
enum exit_status {
	EXIT_OK = 0,
	EXIT_BAD = 1,	/* bad input, a failed check, or nothing found */
	EXIT_USAGE = 2, /* usage or I/O error */
};

extern const char *progname;

void msg_init(const char *argv0);
/* "PROG: <message>" on stderr. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print err and return the exit status its code calls for. */
int msg_dv_error(const struct dv_error *err);
/*
 * The one signal set of the writing verbs: SIGINT, SIGTERM and SIGHUP
 * set outdir_interrupt() (depot/outdir.h), so the library stops at its
 * next check and removes its temporary folder.  A signal ignored when we
 * started (a background job of a script) stays ignored.  Restore before
 * printing results; msg_interrupted prints err, restores, and dies of
 * the signal caught, so a calling shell stops as it expects (status 1
 * when no signal was caught).  msg_fail: msg_interrupted for DV_EINTR,
 * else msg_dv_error.
 */
void msg_catch_signals(void);
void msg_restore_signals(void);
int msg_interrupted(const struct dv_error *err);
int msg_fail(const struct dv_error *err);
/* Flush and check stdout: a full disk must not look like success. */
int msg_finish_stdout(int status);

#endif
