/* fuzz_script.c - fuzz target: install.sh generation from hostile names. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bundle/bundle.h"
#include "fuzz.h"

/*
 * Input: NUL-separated fields and single control bytes, read in order:
 * datastore, dir, item count; per item a kind byte, its name, a flags
 * byte (profile present, lowest acceptance, unsigned), the profile, the
 * Mellanox PSID and firmware version (the Intel tool version), a
 * platform count and platforms, a VIB count and "name version" strings;
 * then the release the fit checks used and a count of fit problems
 * (--force warnings) and their texts.  A field past the end is "".
 *
 * Property: the data part of the script (everything before the fixed
 * template) reads back, with the rules of POSIX sh, as exactly the
 * expected commands, each value coming back byte for byte and every
 * byte of every value coming from inside single quotes.  The fixed
 * template follows unchanged.
 */

extern const char bundle_install_template[];

struct cursor {
	const uint8_t *p;
	size_t n;
};

static unsigned
take_byte(struct cursor *c)
{
	if (c->n == 0)
		return 0;
	c->n--;
	return *c->p++;
}

static char *
take_str(struct cursor *c)
{
	const uint8_t *nul = memchr(c->p, '\0', c->n);
	size_t len = nul != NULL ? (size_t)(nul - c->p) : c->n;
	char *s = xstrndup((const char *)c->p, len);

	c->p += len;
	c->n -= len;
	if (c->n > 0) {
		c->p++;
		c->n--;
	}
	return s;
}

/* ---- a reader for the subset of sh the generator writes ------------- */

/* A word: its value, and per byte 'q' (quoted) or 'u' (unquoted). */
struct word {
	struct sbuf value, how;
};

struct command {
	struct word *w;
	size_t n;
};

struct script {
	struct command *c;
	size_t n;
};

static void
word_add(struct command *cmd, bool *inword)
{
	if (!*inword) {
		cmd->w = xrealloc(cmd->w, (cmd->n + 1) * sizeof(*cmd->w));
		sbuf_init(&cmd->w[cmd->n].value, SBUF_NOCAP);
		sbuf_init(&cmd->w[cmd->n].how, SBUF_NOCAP);
		cmd->n++;
		*inword = true;
	}
}

static void
push_char(struct command *cmd, bool *inword, char ch, char how)
{
	word_add(cmd, inword);
	sbuf_addch(&cmd->w[cmd->n - 1].value, ch);
	sbuf_addch(&cmd->w[cmd->n - 1].how, how);
}

static void
end_command(struct script *s, struct command *cmd)
{
	if (cmd->n == 0)
		return;
	s->c = xrealloc(s->c, (s->n + 1) * sizeof(*s->c));
	s->c[s->n++] = *cmd;
	cmd->w = NULL;
	cmd->n = 0;
}

/* Unquoted bytes the fixed parts use; anything else unquoted is a bug. */
static bool
safe_unquoted(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("_=(){}:-", ch) != NULL;
}

static void
read_script(const char *p, size_t len, struct script *s)
{
	const char *end = p + len;
	struct command cmd = {NULL, 0};
	bool inword = false;

	while (p < end) {
		char ch = *p++;
		if (ch == ' ' || ch == '\t') {
			inword = false;
		} else if (ch == '\n') {
			inword = false;
			end_command(s, &cmd);
		} else if (ch == '#' && !inword) {
			while (p < end && *p != '\n')
				p++;
		} else if (ch == '\'') {
			word_add(&cmd, &inword);
			while (p < end && *p != '\'')
				push_char(&cmd, &inword, *p++, 'q');
			FUZZ_ASSERT(p < end); /* an unterminated quote */
			p++;
		} else if (ch == '\\') {
			FUZZ_ASSERT(p < end);
			if (*p == '\n') {
				p++; /* a line continuation */
			} else {
				/* sh_quote escapes only the quote itself. */
				FUZZ_ASSERT(*p == '\'');
				push_char(&cmd, &inword, *p++, 'q');
			}
		} else {
			FUZZ_ASSERT(safe_unquoted(ch));
			push_char(&cmd, &inword, ch, 'u');
		}
	}
	end_command(s, &cmd);
}

static void
script_free(struct script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; k < s->c[i].n; k++) {
			sbuf_release(&s->c[i].w[k].value);
			sbuf_release(&s->c[i].w[k].how);
		}
		free(s->c[i].w);
	}
	free(s->c);
}

/* ---- what must come back --------------------------------------------- */

static bool
all_quoted(const struct word *w)
{
	return strspn(w->how.buf, "q") == w->how.len;
}

/* A word that is fixed text, written unquoted. */
static void
expect_fixed(const struct word *w, const char *s)
{
	FUZZ_ASSERT(strcmp(w->value.buf, s) == 0);
	FUZZ_ASSERT(strspn(w->how.buf, "u") == w->how.len);
}

/* NAME=digits, unquoted. */
static void
expect_number(const struct command *c, const char *name)
{
	size_t n = strlen(name);

	FUZZ_ASSERT(c->n == 1);
	FUZZ_ASSERT(strncmp(c->w[0].value.buf, name, n) == 0);
	FUZZ_ASSERT(c->w[0].value.buf[n] == '=');
	FUZZ_ASSERT(c->w[0].value.len > n + 1);
	FUZZ_ASSERT(strspn(c->w[0].value.buf + n + 1, "0123456789") ==
	    c->w[0].value.len - n - 1);
	expect_fixed(&c->w[0], c->w[0].value.buf);
}

/* A word that carries a value: all of it from inside quotes. */
static void
expect_value(const struct word *w, const char *s)
{
	FUZZ_ASSERT(w->value.len == strlen(s));
	FUZZ_ASSERT(memcmp(w->value.buf, s, w->value.len) == 0);
	FUZZ_ASSERT(all_quoted(w));
}

/* NAME=VALUE: the name unquoted, the value all quoted. */
static void
expect_assign(const struct command *c, const char *name, const char *s)
{
	size_t n = strlen(name);

	FUZZ_ASSERT(c->n == 1);
	FUZZ_ASSERT(c->w[0].value.len == n + 1 + strlen(s));
	FUZZ_ASSERT(memcmp(c->w[0].value.buf, name, n) == 0);
	FUZZ_ASSERT(c->w[0].value.buf[n] == '=');
	FUZZ_ASSERT(strspn(c->w[0].how.buf, "u") == n + 1);
	FUZZ_ASSERT(strcmp(c->w[0].value.buf + n + 1, s) == 0);
	FUZZ_ASSERT(strspn(c->w[0].how.buf + n + 1, "q") ==
	    c->w[0].how.len - n - 1);
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
expect_step(const struct command *c, const struct bundle_item *it, size_t n)
{
	struct sbuf joined = SBUF_INIT(SBUF_NOCAP), id = SBUF_INIT(SBUF_NOCAP);
	size_t k = 0;

	sbuf_addf(&id, "step %zu", n);
	FUZZ_ASSERT(c->n >= 3);
	expect_fixed(&c->w[k++], step_function[it->kind]);
	expect_value(&c->w[k++], id.buf);
	expect_value(&c->w[k++], it->name);
	if (it->kind == ITEM_MELLANOX) {
		FUZZ_ASSERT(c->n == 5);
		expect_value(&c->w[k++], it->psid);
		expect_value(&c->w[k++], it->fw_version);
		goto out;
	}
	if (it->kind == ITEM_INTEL) {
		FUZZ_ASSERT(c->n == 4);
		expect_value(&c->w[k++], it->fw_version);
		goto out;
	}
	FUZZ_ASSERT(c->n == 7 + it->vibs.n);
	expect_value(&c->w[k++], it->profile != NULL ? it->profile : "");
	expect_value(&c->w[k++], dv_acceptance_name(it->lowest));
	for (size_t i = 0; i < it->platforms.n; i++)
		sbuf_addf(&joined, "%s%s", i ? " " : "",
		    (const char *)it->platforms.v[i]);
	expect_value(&c->w[k++], joined.buf);
	expect_value(&c->w[k++], it->has_unsigned ? "unsigned" : "signed");
	for (size_t i = 0; i < it->vibs.n; i++)
		expect_value(&c->w[k++], it->vibs.v[i]);
out:
	sbuf_release(&joined);
	sbuf_release(&id);
}

static const enum dv_acceptance levels[] = {
	DV_ACCEPT_UNKNOWN, DV_ACCEPT_COMMUNITY, DV_ACCEPT_PARTNER,
	DV_ACCEPT_ACCEPTED, DV_ACCEPT_CERTIFIED
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = {data, size};
	struct bundle_plan plan;
	struct bundle_opts o;
	struct bundle_item *it;
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	struct script s = {NULL, 0};
	char *datastore, *dir, *esxi;
	size_t tlen = strlen(bundle_install_template), nitems, nwarn, i, k, n;
	unsigned flags;

	memset(&plan, 0, sizeof(plan));
	memset(&o, 0, sizeof(o));
	datastore = take_str(&c);
	dir = take_str(&c);
	o.outdir = "out";
	o.datastore = datastore;
	o.dir = dir;
	nitems = take_byte(&c) % 6;
	for (i = 0; i < nitems; i++) {
		it = xcalloc(1, sizeof(*it));
		it->kind = (enum bundle_item_kind)(take_byte(&c) % 6);
		it->name = take_str(&c);
		flags = take_byte(&c);
		if (flags & 1)
			it->profile = take_str(&c);
		it->lowest = levels[(flags >> 1) % 5];
		it->has_unsigned = (flags & 0x10) != 0;
		if (it->kind == ITEM_MELLANOX) {
			it->psid = take_str(&c);
			it->fw_version = take_str(&c);
		}
		if (it->kind == ITEM_INTEL)
			it->fw_version = take_str(&c);
		n = take_byte(&c) % 4;
		for (k = 0; k < n; k++)
			ptrvec_push(&it->platforms, take_str(&c));
		n = take_byte(&c) % 6;
		for (k = 0; k < n; k++)
			ptrvec_push(&it->vibs, take_str(&c));
		ptrvec_push(&plan.items, it);
	}
	esxi = take_str(&c);
	snprintf(plan.esxi, sizeof(plan.esxi), "%s", esxi);
	nwarn = take_byte(&c) % 4;
	for (i = 0; i < nwarn; i++) {
		char *w = take_str(&c);
		dv_diag_add(&plan.misfits, DV_DIAG_FAIL, DV_EFIT, "%s", w);
		free(w);
	}

	bundle_script(&o, &plan, &out);

	/* The fixed template ends the script, unchanged. */
	FUZZ_ASSERT(out.len >= tlen);
	FUZZ_ASSERT(memcmp(out.buf + out.len - tlen, bundle_install_template,
	    tlen) == 0);
	FUZZ_ASSERT(strncmp(out.buf, "#!/bin/sh\n", 10) == 0);
	read_script(out.buf, out.len - tlen, &s);
	k = 0;
	FUZZ_ASSERT(s.n == 12 + nwarn + (nitems == 0 ? 1 : nitems));
	FUZZ_ASSERT(s.c[k].n == 2);
	expect_fixed(&s.c[k].w[0], "set");
	expect_fixed(&s.c[k++].w[1], "-u");
	expect_assign(&s.c[k++], "BUNDLE_DATASTORE", datastore);
	expect_assign(&s.c[k++], "BUNDLE_DIR", dir);
	expect_number(&s.c[k++], "BUNDLE_NEED_KB");
	expect_number(&s.c[k++], "BUNDLE_BOOT_KB");
	expect_number(&s.c[k++], "BUNDLE_TOOL_KB");
	expect_assign(&s.c[k++], "BUNDLE_ESXI", plan.esxi);
	FUZZ_ASSERT(s.c[k].n == 2);
	expect_fixed(&s.c[k].w[0], "warnings()");
	expect_fixed(&s.c[k++].w[1], "{");
	for (i = 0; i < nwarn; i++) {
		FUZZ_ASSERT(s.c[k].n == 2);
		expect_fixed(&s.c[k].w[0], "echo");
		expect_value(&s.c[k++].w[1], plan.misfits.v[i].msg);
	}
	FUZZ_ASSERT(s.c[k].n == 1);
	expect_fixed(&s.c[k++].w[0], ":");
	FUZZ_ASSERT(s.c[k].n == 1);
	expect_fixed(&s.c[k++].w[0], "}");
	FUZZ_ASSERT(s.c[k].n == 2);
	expect_fixed(&s.c[k].w[0], "steps()");
	expect_fixed(&s.c[k++].w[1], "{");
	if (nitems == 0) {
		FUZZ_ASSERT(s.c[k].n == 1);
		expect_fixed(&s.c[k++].w[0], ":");
	}
	for (i = 0; i < nitems; i++)
		expect_step(&s.c[k++], plan_item(&plan, i), i + 1);
	FUZZ_ASSERT(s.c[k].n == 1);
	expect_fixed(&s.c[k].w[0], "}");

	script_free(&s);
	sbuf_release(&out);
	bundle_plan_release(&plan);
	free(datastore);
	free(dir);
	free(esxi);
	return 0;
}
