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
/* Flush and check stdout: a full disk must not look like success. */
int msg_finish_stdout(int status);

#endif
