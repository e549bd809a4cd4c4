/* fixture.c - depot fixtures and signing keys for the unit tests. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

/*
 * make check builds every spec into $FIXTURES and the keys into $KEYS
 * before the unit tests run; a bare build/unit (run from the top of the
 * tree) makes what it needs itself, in one temporary folder, by the same
 * programs: tests/mkdepot.py and tests/mkkeys.sh.
 */
static char scratch[64];

static const char *
scratch_dir(void)
{
	if (scratch[0] == '\0') {
		snprintf(scratch, sizeof(scratch), "/tmp/esxstage-unit.XXXXXX");
		if (mkdtemp(scratch) == NULL) {
			perror("unit: mkdtemp");
			exit(2);
		}
	}
	return scratch;
}

static void
run(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "unit: failed: %s\n", cmd);
		exit(2);
	}
}

const char *
unit_fixture(const char *spec)
{
	static char path[4][512];
	static int next;
	const char *dir = getenv("FIXTURES"), *top = getenv("TOP");
	const char *python = getenv("PYTHON");
	char *p = path[next++ % 4], cmd[2048];

	if (dir != NULL) {
		snprintf(p, sizeof(path[0]), "%s/%s.zip", dir, spec);
		if (access(p, R_OK) == 0)
			return p;
	}
	snprintf(p, sizeof(path[0]), "%s/%s.zip", scratch_dir(), spec);
	if (access(p, R_OK) == 0)
		return p;
	/* Signed specs take their signers from mkkeys.sh's env file. */
	snprintf(cmd, sizeof(cmd), ". '%s/env' && '%s' '%s/tests/mkdepot.py' "
	    "'%s/testdata/depots/%s.spec' '%s' >/dev/null", unit_keys(),
	    python ? python : "python3", top ? top : ".", top ? top : ".",
	    spec, p);
	run(cmd);
	return p;
}

const char *
unit_keys(void)
{
	static char dir[512];
	const char *keys = getenv("KEYS"), *top = getenv("TOP");
	char cmd[1200];

	if (keys != NULL)
		return keys;
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/keys", scratch_dir());
		snprintf(cmd, sizeof(cmd), "sh '%s/tests/mkkeys.sh' '%s' "
		    ">/dev/null 2>&1", top ? top : ".", dir);
		run(cmd);
	}
	return dir;
}

const char *
unit_scratch(void)
{
	return scratch_dir();
}

void
unit_cleanup(void)
{
	char cmd[128];

	if (scratch[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	(void)system(cmd);
}
