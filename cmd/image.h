/* image.h - depot validate, compose and diff: the image verbs. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_IMAGE_H
#define CMD_IMAGE_H

/* The verb table rows in depot.c and the usage lines here share these. */
#define VALIDATE_SYNOPSIS "validate [--json] [--profile NAME] DEPOT.zip"
#define VALIDATE_SUMMARY \
	"Check image profiles as esximage does: dependencies, conflicts, " \
	"platform, checksums, files, acceptance, components."
#define COMPOSE_SYNOPSIS \
	"compose [--json] --profile BASE-PROFILE --name NEW-NAME " \
	"[--vendor TEXT] [--description TEXT] [--add FILE]... " \
	"[--remove VIB-NAME]... [--acceptance LEVEL] [--trust CA.pem]... " \
	"[--force] BASE.zip OUT.zip"
#define COMPOSE_SUMMARY \
	"Write a new depot whose one image profile is BASE-PROFILE with " \
	"VIBs added and removed, validated first."
#define DIFF_SYNOPSIS \
	"diff [--json] A.zip[:PROFILE] B.zip[:PROFILE] | " \
	"DEPOT.zip[:PROFILE] --host VIBLIST.txt"
#define DIFF_SUMMARY \
	"Compare two image profiles, or a profile and a host's saved " \
	"'esxcli software vib list'."

int cmd_depot_validate(int argc, char **argv);
int cmd_depot_compose(int argc, char **argv);
int cmd_depot_diff(int argc, char **argv);

#endif
