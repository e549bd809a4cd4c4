/* extract.h - depot extract and unpack, and info's package tree. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_EXTRACT_H
#define CMD_EXTRACT_H

#include <stdbool.h>

/* The verb table rows in depot.c and the usage lines here share these. */
#define EXTRACT_SYNOPSIS \
	"extract [--json] [-q|-v] [--vibs] [--repack] [--force] INPUT... " \
	"OUTDIR"
#define EXTRACT_SUMMARY \
	"Write what a vendor package holds that installs: each depot zip, " \
	"bare VIB and the Intel NVM update tool."
#define UNPACK_SYNOPSIS \
	"unpack [--json] [-q|-v] [--verify] [--metadata] [--all] [--force] " \
	"DEPOT.zip OUTDIR"
#define UNPACK_SUMMARY \
	"Write a depot's files into OUTDIR as an online depot a web " \
	"server can serve."

int cmd_depot_extract(int argc, char **argv);
/* A tar, a zip without index.xml at its root or a VIB: info's tree. */
bool cmd_is_package(const char *path);
int cmd_depot_unpack(int argc, char **argv);
/*
 * depot info on a vendor package (path is a tar or a zip without
 * index.xml): print the tree of what it holds.  An exit status.
 */
int cmd_depot_info_package(const char *path, bool json);

#endif
