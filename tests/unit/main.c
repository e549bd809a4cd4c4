/* main.c - run the unit tests; one "ok"/"FAIL" line each. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>

#include "../../depot/depot.h"
#include "unit.h"

static const struct {
	const char *name;
	void (*fn)(struct unit *);
} tests[] = {
#define UNIT_ROW(name) {#name, test_##name},
	UNIT_TESTS(UNIT_ROW)
#undef UNIT_ROW
};

int
main(void)
{
	int failed = 0;

	/* A line each as it ends: LeakSanitizer's exit skips stdio's
	 * flush, which would lose the last tests' lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	depot_library_init();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		struct unit u = {tests[i].name, 0};
		tests[i].fn(&u);
		printf("%s unit/%s\n", u.failed ? "FAIL" : "ok", u.name);
		failed += u.failed != 0;
	}
	unit_cleanup();
	return failed != 0;
}
