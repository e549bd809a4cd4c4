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

int cmd_depot_fetch(int argc, char **argv);

#endif
