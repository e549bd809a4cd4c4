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

int cmd_depot_fetch(int argc, char **argv);
int cmd_depot_mirror(int argc, char **argv);
int cmd_depot_check(int argc, char **argv);

#endif
