/* test_bundle.c - script quoting and install ordering. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "../../bundle/bundle.h"
#include "unit.h"

/* Run "printf %s QUOTED" through sh and get back what it printed. */
static char *
sh_roundtrip(const char *value)
{
	struct sbuf cmd = SBUF_INIT(SBUF_NOCAP);
	char *out = xcalloc(1, 4096);
	size_t n;
	FILE *p;

	sbuf_adds(&cmd, "printf %s ");
	sh_quote(&cmd, value);
	p = popen(cmd.buf, "r");
	if (p != NULL) {
		n = fread(out, 1, 4095, p);
		out[n] = '\0';
		pclose(p);
	}
	sbuf_release(&cmd);
	return out;
}

void
test_sh_quote_hostile(struct unit *u)
{
	static const char *values[] = {
		"plain", "with space", "it's", "''", "$(touch /tmp/pwned)",
		"`id`", "a\nb", "back\\slash", "\"double\"", "-n", "*",
		"semi;colon && rm -rf /", "tab\there", "'; echo injected; '",
		"$HOME ${PATH}", "",
	};
	struct sbuf q = SBUF_INIT(SBUF_NOCAP);
	char *got;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		got = sh_roundtrip(values[i]);
		if (strcmp(got, values[i]) != 0) {
			printf("  '%s' came back as '%s'\n", values[i], got);
			u->failed++;
		}
		free(got);
	}
	sh_quote(&q, "it's");
	CHECK_STR(u, q.buf, "'it'\\''s'");
	sbuf_release(&q);
}

static struct bundle_item *
item(const char *name, const char *provides, const char *depends)
{
	struct bundle_item *it = xcalloc(1, sizeof(*it));

	it->name = (char *)name;
	if (provides != NULL)
		ptrvec_push(&it->provides, (void *)provides);
	if (depends != NULL)
		ptrvec_push(&it->depends, (void *)depends);
	return it;
}

static void
items_free(struct bundle_item **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ptrvec_release(&v[i]->provides);
		ptrvec_release(&v[i]->depends);
		free(v[i]);
	}
}

void
test_bundle_order(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	/* MFT needs NMST; the driver needs nothing; given MFT first. */
	struct bundle_item *v[] = {
		item("mft.zip", "mft", "nmst"),
		item("driver.zip", "i40en", NULL),
		item("nmst.zip", "nmst", NULL),
	};

	CHECK(u, bundle_order(v, 3, &err) == 0);
	CHECK_STR(u, v[0]->name, "driver.zip");
	CHECK_STR(u, v[1]->name, "nmst.zip");
	CHECK_STR(u, v[2]->name, "mft.zip");
	items_free(v, 3);
}

void
test_bundle_order_cycle(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct bundle_item *v[] = {
		item("a.zip", "a", "b"),
		item("b.zip", "b", "a"),
		item("c.zip", "c", NULL),
	};

	CHECK(u, bundle_order(v, 3, &err) == -DV_EFORMAT);
	CHECK_STR(u, err.msg, "dependency cycle between a.zip, b.zip");
	items_free(v, 3);
}
