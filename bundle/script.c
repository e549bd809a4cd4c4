/* script.c - generate install.sh: quoted data, then the fixed logic. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <string.h>

#include "bundle.h"

/* bundle/install.sh.in, made into a C string by the Makefile. */
extern const char bundle_install_template[];

/*
 * The one way a value enters the script: inside single quotes nothing is
 * special to sh but the quote itself, which becomes '\'' (close, escaped
 * quote, reopen).  Newlines, $, `, \ and spaces stay literal.
 */
void
sh_quote(struct sbuf *sb, const char *s)
{
	sbuf_addch(sb, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			sbuf_adds(sb, "'\\''");
		else
			sbuf_addch(sb, *s);
	}
	sbuf_addch(sb, '\'');
}

static void
arg(struct sbuf *sb, const char *s)
{
	sbuf_addch(sb, ' ');
	sh_quote(sb, s);
}

static void
list_arg(struct sbuf *sb, const struct ptrvec *pv)
{
	struct sbuf joined = SBUF_INIT(SBUF_NOCAP);

	for (size_t i = 0; i < pv->n; i++)
		sbuf_addf(&joined, "%s%s", i ? " " : "", (char *)pv->v[i]);
	arg(sb, joined.buf);
	sbuf_release(&joined);
}

static const char *const step_function[] = {
	[ITEM_PROFILE] = "step_profile",
	[ITEM_COMPONENT] = "step_component",
	[ITEM_DEPOT] = "step_depot",
	[ITEM_VIB] = "step_vib",
	[ITEM_MELLANOX] = "step_mellanox",
	[ITEM_INTEL] = "step_intel",
};

static void
emit_step(struct sbuf *sb, const struct bundle_item *it, size_t n)
{
	char id[32];

	snprintf(id, sizeof(id), "step %zu", n);
	sbuf_addf(sb, "\t%s", step_function[it->kind]);
	arg(sb, id);
	arg(sb, it->name);
	if (it->kind == ITEM_MELLANOX) {
		arg(sb, it->psid);
		arg(sb, it->fw_version);
		sbuf_addch(sb, '\n');
		return;
	}
	if (it->kind == ITEM_INTEL) {
		arg(sb, it->fw_version);
		sbuf_addch(sb, '\n');
		return;
	}
	arg(sb, it->profile != NULL ? it->profile : "");
	arg(sb, dv_acceptance_name(it->lowest));
	list_arg(sb, &it->platforms);
	arg(sb, it->has_unsigned ? "unsigned" : "signed");
	for (size_t i = 0; i < it->vibs.n; i++) {
		sbuf_adds(sb, " \\\n\t    ");
		sh_quote(sb, it->vibs.v[i]);
	}
	sbuf_addch(sb, '\n');
}

/*
 * Room each host needs on the datastore beyond the bundle itself: its
 * config backup, its log and the firmware tools' logs (its copy of the
 * Intel tool folder is counted apart).
 */
#define BUNDLE_NEED_KB (64 * 1024)

/*
 * What the boot bank must have free for the software steps: the size of
 * their files, a rough upper bound of the payloads they add (README.txt
 * says it is an estimate).  And the Intel tool folder each host copies.
 */
static void
space_needs(const struct bundle_plan *p, uint64_t *boot_kb, uint64_t *tool_kb)
{
	*boot_kb = *tool_kb = 0;
	for (size_t i = 0; i < p->items.n; i++) {
		const struct bundle_item *it = plan_item(p, i);
		if (it->kind == ITEM_INTEL)
			*tool_kb += it->size / 1024 + 1;
		else if (it->kind != ITEM_MELLANOX)
			*boot_kb += it->size / 1024 + 1;
	}
}

void
bundle_script(const struct bundle_opts *o, const struct bundle_plan *p,
    struct sbuf *out)
{
	uint64_t boot_kb, tool_kb;

	sbuf_adds(out, "#!/bin/sh\n"
	    "# install.sh - put this bundle on an ESXi host; made by esxstage "
	    "bundle.\n"
	    "# Run it from the bundle folder on the datastore, in the ESXi "
	    "shell:\n"
	    "#   sh install.sh check    checks everything, changes nothing\n"
	    "#   sh install.sh apply    backs up, enters maintenance mode, "
	    "installs\n"
	    "#   sh install.sh status   where the host stands\n"
	    "#   sh install.sh show     the steps in plain words\n"
	    "# One bundle folder may serve many hosts, one at a time or in "
	    "parallel:\n# each keeps its own files in hosts/<name>-<uuid>/.\n"
	    "# Exit status: 0 done, 3 reboot then run apply again, 1 a step "
	    "failed, 2 usage.\n"
	    "# Every value below is single-quoted on purpose: what looks like\n"
	    "# an expansion in a name stays literal.\n"
	    "# shellcheck disable=SC2016\n"
	    "set -u\n\n");
	sbuf_adds(out, "BUNDLE_DATASTORE=");
	sh_quote(out, o->datastore);
	sbuf_adds(out, "\nBUNDLE_DIR=");
	sh_quote(out, o->dir);
	space_needs(p, &boot_kb, &tool_kb);
	sbuf_addf(out, "\nBUNDLE_NEED_KB=%d\nBUNDLE_BOOT_KB=%llu\n"
	    "BUNDLE_TOOL_KB=%llu\nBUNDLE_ESXI=", BUNDLE_NEED_KB,
	    (unsigned long long)boot_kb, (unsigned long long)tool_kb);
	sh_quote(out, p->esxi);
	sbuf_adds(out, "\n\n# What the workstation's fit checks found and --force let "
	    "through, one\n# line each; install.sh show and check repeat them.\n"
	    "warnings() {\n");
	for (size_t i = 0; i < p->misfits.n; i++) {
		sbuf_adds(out, "\techo ");
		sh_quote(out, p->misfits.v[i].msg);
		sbuf_addch(out, '\n');
	}
	sbuf_adds(out, "\t:\n}\n\n");
	sbuf_adds(out, "# The steps, in order.  Each names its file, what it "
	    "needs of the host,\n# and the VIBs (\"name version\") it "
	    "installs, so a run after a reboot can\n# see from the host "
	    "itself what is already done.\nsteps() {\n");
	if (p->items.n == 0)
		sbuf_adds(out, "\t:\n");
	for (size_t i = 0; i < p->items.n; i++)
		emit_step(out, plan_item(p, i), i + 1);
	sbuf_adds(out, "}\n\n");
	sbuf_adds(out, bundle_install_template);
}
