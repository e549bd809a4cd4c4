/* net.h - the network options every command that reads a URL shares. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_NET_H
#define CMD_NET_H

#include <stdbool.h>
#include <getopt.h>

#include "../depot/http.h"
#include "opts.h"

/* getopt codes of the network options (above every short option). */
enum {
	NET_OPT_TOKEN_FILE = 0x1000,
	NET_OPT_CACERT,
	NET_OPT_INSECURE,
	NET_OPT_STALL,
	NET_OPT_RETRIES
};

/* For a longopts table: the five rows, then {NULL,...}. */
#define NET_LONGOPTS                                                     \
	{"token-file", required_argument, NULL, NET_OPT_TOKEN_FILE},      \
	{"cacert", required_argument, NULL, NET_OPT_CACERT},              \
	{"insecure", no_argument, NULL, NET_OPT_INSECURE},                \
	{"stall-timeout", required_argument, NULL, NET_OPT_STALL},        \
	{"retries", required_argument, NULL, NET_OPT_RETRIES}

/* The five rows for a verb's option table (opts.h), doing does (OPT_CALL,
 * or OPT_NOT_FOR where a shared table's other verb takes them). */
#define NET_OPTS_AS(does)                                                 \
	{"token-file", 0, true, does, NULL, net_opt, NET_OPT_TOKEN_FILE},  \
	{"cacert", 0, true, does, NULL, net_opt, NET_OPT_CACERT},          \
	{"insecure", 0, false, does, NULL, net_opt, NET_OPT_INSECURE},     \
	{"stall-timeout", 0, true, does, NULL, net_opt, NET_OPT_STALL},    \
	{"retries", 0, true, does, NULL, net_opt, NET_OPT_RETRIES}
#define NET_OPTS NET_OPTS_AS(OPT_CALL)

#define NET_SYNOPSIS \
	"[--token-file FILE] [--cacert FILE] [--insecure]"

/* The --help lines of the network options. */
#define NET_HELP \
	"  --token-file FILE the download token for a URL that says {token}\n" \
	"                    (else ESXSTAGE_TOKEN); only you may read FILE\n" \
	"  --cacert FILE     trust these CAs for https:// (a site proxy's)\n" \
	"  --insecure        do not check https:// certificates (warns)\n" \
	"  --stall-timeout S a transfer with no byte for S seconds is retried\n" \
	"  --retries N       retry transient failures N times (default 5)\n"

struct net_cli {
	const char *token_file;
	char token[HTTP_TOKEN_MAX + 1];
	struct http_opts opts;
	bool bad; /* an option's value was refused (said already) */
};

/* The options of this run, filled by net_option and net_ready. */
extern struct net_cli cmd_net;

/* Take getopt's c and optarg when they are a network option. */
bool net_option(int c, const char *arg);
/* NET_OPTS' call: net_option for the row.  A refused value is said and
 * noted in cmd_net.bad (net_ready stops there); parsing goes on. */
int net_opt(char **argv, const struct opt *o, const char *value);
/*
 * Before where is read: when it is a URL, load the token (--token-file,
 * refused when anyone may read it, or ESXSTAGE_TOKEN), check its form
 * and the URL, and warn about --insecure.  EXIT_OK or an exit status,
 * the reason said.
 */
int net_ready(const char *where);

struct depot;
/*
 * Open the depot at where for a verb: a zip, an unpacked depot's folder
 * or index file, or an online depot's URL (net_ready first); flags are
 * enum depot_open_flags.  Its warnings are printed; on failure the
 * reason is said (with what to run for a vendor package or a bare VIB)
 * and the exit status returned, *out NULL.
 */
int net_open_depot(const char *where, unsigned flags, struct depot **out);

#endif
