/* image.h - depot validate, compose and diff: the image verbs. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef CMD_IMAGE_H
#define CMD_IMAGE_H

#include "net.h" /* NET_HELP */

/* The verb table rows in depot.c and the usage lines here share these. */
#define VALIDATE_SYNOPSIS "validate [--json] [--profile NAME] DEPOT"
#define VALIDATE_SUMMARY \
	"Check image profiles as esximage does: dependencies, conflicts, " \
	"platform, checksums, files, acceptance, components."
#define COMPOSE_SYNOPSIS \
	"compose [--json] [-q|-v] --profile BASE-PROFILE --name NEW-NAME " \
	"[--vendor TEXT] [--description TEXT] [--add FILE]... " \
	"[--remove VIB-NAME]... [--acceptance LEVEL] [--trust CA.pem]... " \
	"[--force] BASE.zip OUT.zip"
#define COMPOSE_SUMMARY \
	"Write a new depot whose one image profile is BASE-PROFILE with " \
	"VIBs added and removed, validated first."
#define DIFF_SYNOPSIS \
	"diff [--json] A[:PROFILE] B[:PROFILE] | " \
	"DEPOT[:PROFILE] --host VIBLIST.txt"
#define DIFF_SUMMARY \
	"Compare two image profiles, or a profile and a host's saved " \
	"'esxcli software vib list'."

#define VALIDATE_OPTIONS \
	"  --profile NAME    only this image profile (default: every one)\n" \
	"  --json            one JSON document on stdout\n" \
	NET_HELP \
	"  -h, --help        describe this command\n"
#define COMPOSE_OPTIONS \
	"  --profile NAME    the base image profile of BASE.zip (required)\n" \
	"  --name NEW-NAME   the new profile's name (required, up to 80)\n" \
	"  --vendor TEXT     its creator (default: the base profile's)\n" \
	"  --description TEXT\n" \
	"                    its description (default: says what was done)\n" \
	"  --add FILE        a depot or component zip, a .vib or a vendor\n" \
	"                    package; may be given more than once\n" \
	"  --remove VIB-NAME drop a VIB by name; may be given more than once\n" \
	"  --acceptance LEVEL\n" \
	"                    certified, accepted, partner or community\n" \
	"                    (default: the lowest of the VIBs)\n" \
	"  --trust CA.pem    also verify every VIB's signature against these\n" \
	"  --force           write even when the image does not validate, and\n" \
	"                    allow downgrades\n" \
	VERBOSITY_HELP \
	"                    and list every problem (else 10 of a rule)\n" \
	"  --json            one JSON document on stdout\n" \
	"  -h, --help        describe this command\n"
#define DIFF_OPTIONS \
	"  --host VIBLIST.txt\n" \
	"                    compare with a host: the saved output of\n" \
	"                    'esxcli software vib list'\n" \
	"  --json            one JSON document on stdout\n" \
	NET_HELP \
	"  -h, --help        describe this command\n"

int cmd_depot_validate(int argc, char **argv);
int cmd_depot_compose(int argc, char **argv);
int cmd_depot_diff(int argc, char **argv);

#endif
