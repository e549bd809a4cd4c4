/* msg.c - the only place that writes diagnostics to stderr. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void
msg_error(const char *fmt, ...)
{
	va_list ap;

	/* Keeps stdout before stderr; a failure stays on stdout's error
	 * flag, which msg_finish_stdout reports. */
	(void)fflush(stdout);
	progress_begin_write();
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	progress_end_write();
}

void
msg_warn(const char *fmt, ...)
{
	va_list ap;

	(void)fflush(stdout); /* as in msg_error */
	progress_begin_write();
	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	progress_end_write();
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
