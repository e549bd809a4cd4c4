/* expect.c - helpers the unit tests share: error checks, files from text. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

bool
unit_err(struct unit *u, int ret, const struct dv_error *err, int code,
    const char *want)
{
	if (ret == -code && err->code == code && strstr(err->msg, want) != NULL)
		return true;
	printf("  %s: returned %d, error %d '%s'; want %d '...%s...'\n",
	    u->name, ret, err->code, err->msg, -code, want);
	return false;
}

const char *
unit_dir(const char *name)
{
	static char path[4][600];
	static int next;
	char *p = path[next++ % 4], cmd[700];

	snprintf(p, sizeof(path[0]), "%s/%s", unit_scratch(), name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", p, p);
	if (system(cmd) != 0) {
		fprintf(stderr, "unit: failed: %s\n", cmd);
		exit(2);
	}
	return p;
}

bool
unit_write(const char *dir, const char *name, const char *text)
{
	char path[1200];
	FILE *fp;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		return false;
	ok = fputs(text, fp) >= 0;
	return fclose(fp) == 0 && ok;
}

bool
unit_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < sizeof(cmd) && system(cmd) == 0;
}

bool
unit_slurp(const char *path, struct sbuf *out)
{
	char chunk[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");
	bool ok;

	if (fp == NULL)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sbuf_add(out, chunk, n);
	ok = !ferror(fp);
	return fclose(fp) == 0 && ok;
}
