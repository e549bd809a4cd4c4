/* net.c - the download token, CAs and retry options for URL depots. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../depot/depot.h"
#include "cmd.h"
#include "net.h"

struct net_cli cmd_net;

static bool
positive(const char *arg, const char *what, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > max) {
		msg_error("%s: '%s' is not a number from 1 to %ld", what, arg,
		    max);
		cmd_net.bad = true;
		return false;
	}
	*out = v;
	return true;
}

bool
net_option(int c, const char *arg)
{
	long v;

	switch (c) {
	case NET_OPT_TOKEN_FILE:
		cmd_net.token_file = arg;
		return true;
	case NET_OPT_CACERT:
		cmd_net.opts.cacert = arg;
		return true;
	case NET_OPT_INSECURE:
		cmd_net.opts.insecure = true;
		return true;
	case NET_OPT_STALL:
		if (positive(arg, "--stall-timeout", 3600, &v))
			cmd_net.opts.stall_seconds = v;
		return true;
	case NET_OPT_RETRIES:
		if (positive(arg, "--retries", 100, &v))
			cmd_net.opts.retries = (unsigned)v;
		return true;
	default:
		return false;
	}
}

int
net_opt(char **argv, const struct opt *o, const char *value)
{
	(void)argv;
	net_option(o->id, value);
	return EXIT_OK;
}

/* The token file: only its owner may read it; one line of text. */
static int
read_token_file(const char *path)
{
	char buf[256];
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		msg_error("%s: cannot open the token file: %s", path,
		    strerror(errno));
		return EXIT_USAGE;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		msg_error("%s: the token file is not a regular file", path);
		close(fd);
		return EXIT_USAGE;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		msg_error("%s: the token file may be read by other users (mode "
		    "%04o); make it yours alone: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return EXIT_USAGE;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		msg_error("%s: cannot read the token file: %s", path,
		    strerror(errno));
		return EXIT_USAGE;
	}
	buf[n] = '\0';
	/* A trailing newline (echo TOKEN >FILE) is not part of it. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if ((size_t)n > HTTP_TOKEN_MAX) {
		msg_error("%s: the download token is not valid: it must be 1 "
		    "to %d letters and digits, not %zd", path, HTTP_TOKEN_MAX,
		    n);
		explicit_bzero(buf, sizeof(buf));
		return EXIT_BAD;
	}
	memcpy(cmd_net.token, buf, (size_t)n + 1);
	explicit_bzero(buf, sizeof(buf));
	return EXIT_OK;
}

int
net_ready(const char *where)
{
	struct dv_error err = DV_ERROR_INIT;
	const char *env;
	int ret;

	if (cmd_net.bad)
		return EXIT_USAGE;
	if (!http_is_url(where))
		return EXIT_OK;
	if (cmd_net.opts.token == NULL) {
		if (cmd_net.token_file != NULL) {
			if ((ret = read_token_file(cmd_net.token_file)) !=
			    EXIT_OK)
				return ret;
		} else if ((env = getenv("ESXSTAGE_TOKEN")) != NULL &&
		    *env != '\0') {
			if (strlen(env) > HTTP_TOKEN_MAX) {
				msg_error("ESXSTAGE_TOKEN: the download token "
				    "is not valid: it must be 1 to %d letters "
				    "and digits, not %zu", HTTP_TOKEN_MAX,
				    strlen(env));
				return EXIT_BAD;
			}
			snprintf(cmd_net.token, sizeof(cmd_net.token), "%s",
			    env);
		}
		if (cmd_net.token[0] != '\0') {
			if (http_token_check(cmd_net.token, &err) != 0) {
				msg_error("%s: %s", cmd_net.token_file != NULL ?
				    cmd_net.token_file : "ESXSTAGE_TOKEN",
				    err.msg);
				return EXIT_BAD;
			}
			cmd_net.opts.token = cmd_net.token;
		}
	}
	if (http_check_url(&cmd_net.opts, where, &err) != 0)
		return msg_dv_error(&err);
	if (cmd_net.opts.insecure)
		msg_warn("--insecure: TLS certificates are not checked, so "
		    "anyone between here and the server can change what the "
		    "indexes and metadata say");
	return EXIT_OK;
}

int
net_open_depot(const char *where, unsigned flags, struct depot **out)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot *d = NULL;
	int ret;

	*out = NULL;
	if ((ret = net_ready(where)) != EXIT_OK)
		return ret;
	if (depot_open_flags(where, &cmd_net.opts, flags, &d, &err) != 0) {
		if (err.code == DV_EWRAPPER)
			msg_error("%s; run '%s extract %s OUTDIR' to unwrap it",
			    err.msg, progname, where);
		else if (err.code == DV_EISVIB)
			msg_error("%s; run '%s show-vib %s' to see it", err.msg,
			    progname, where);
		else
			msg_dv_error(&err);
		return dv_exit_status(err.code);
	}
	for (size_t i = 0; i < d->warnings.n; i++)
		msg_warn("%s", d->warnings.v[i].msg);
	*out = d;
	return EXIT_OK;
}
