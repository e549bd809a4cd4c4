/* fetch.h - depot fetch, mirror and check (cmd/fetch.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_FETCH_H
#define CMD_FETCH_H

#define FETCH_SYNOPSIS \
	"fetch [--json] --profile NAME [--add-channel URL]... " \
	"[--jobs N] [--token-file FILE] [--cacert FILE] URL OUT.zip"
#define FETCH_SUMMARY \
	"Download one image profile and exactly its VIBs, verified as they " \
	"arrive, into an offline depot zip."

#define MIRROR_SYNOPSIS \
	"mirror [--json] [--version V]... [--profile GLOB]... [--jobs N] " \
	"[--token-file FILE] [--cacert FILE] URL OUTDIR"
#define MIRROR_SUMMARY \
	"Make or refresh a local copy of an online depot (same paths), " \
	"downloading only what is missing or changed."
#define CHECK_SYNOPSIS "check [--json] OUTDIR"
#define CHECK_SUMMARY \
	"Check a mirror or an unpacked depot against its metadata: missing " \
	"or wrong VIBs, metadata zips no index names."

#define FETCH_HELP \
	"  --profile NAME    the image profile to take (required)\n" \
	"  --add-channel URL another online depot to take VIBs from; may be\n" \
	"                    given more than once\n" \
	"  --jobs N          download N files at a time (1 to 64; default 4)\n" \
	"  --json            one JSON document on stdout\n" \
	NET_HELP \
	"  -h, --help        describe this command\n"
#define MIRROR_HELP \
	"  --version V       only the metadata for platform version V; may be\n" \
	"                    given more than once\n" \
	"  --profile GLOB    only the profiles matching GLOB, their VIBs and\n" \
	"                    metadata; may be given more than once\n" \
	"  --jobs N          download N files at a time (1 to 64; default 4)\n" \
	"  --json            one JSON document on stdout\n" \
	NET_HELP \
	"  -h, --help        describe this command\n"
#define CHECK_HELP \
	"  --json            one JSON document on stdout\n" \
	"  -h, --help        describe this command\n"

int cmd_depot_fetch(int argc, char **argv);
int cmd_depot_mirror(int argc, char **argv);
int cmd_depot_check(int argc, char **argv);

#endif
