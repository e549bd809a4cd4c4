/* test_suggest.c - "did you mean": typos found, far names and ties not. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>

#include "../../depot/suggest.h"
#include "unit.h"

void
test_suggest_typos(struct unit *u)
{
	static const char *const verbs[] = {"list-profiles", "list-vibs",
	    "list-components", "show-profile", "show-vib", "verify",
	    "extract", "unpack", "info"};
	static const char *const profiles[] = {
	    "ESXi-8.0U3e-24677879-standard", "ESXi-8.0U3e-24677879-no-tools",
	    "ESXi-8.0U3e-24677879s-standard"};
	const size_t nv = sizeof(verbs) / sizeof(verbs[0]);
	char longname[DV_SUGGEST_MAXLEN + 2];

	CHECK_STR(u, dv_suggest("lsit-vibs", verbs, nv), "list-vibs");
	CHECK_STR(u, dv_suggest("verfy", verbs, nv), "verify");
	CHECK_STR(u, dv_suggest("extarct", verbs, nv), "extract");
	CHECK_STR(u, dv_suggest("SHOW-VIB", verbs, nv), "show-vib");
	CHECK_STR(u, dv_suggest("ESXi-8.0U3e-24677879-standrad", profiles, 3),
	    "ESXi-8.0U3e-24677879-standard");
	/* Too far, or the name itself: nothing. */
	CHECK(u, dv_suggest("frobnicate", verbs, nv) == NULL);
	CHECK(u, dv_suggest("verify", verbs, nv) == NULL);
	CHECK(u, dv_suggest("", verbs, nv) == NULL);
	CHECK(u, dv_suggest("x", verbs, 0) == NULL);
	/* Equally near to two names: no guess. */
	CHECK(u, dv_suggest("show-x", (const char *const[]){"show-a",
	    "show-b"}, 2) == NULL);
	/* Over the length bound on either side: never compared. */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(u, dv_suggest(longname, verbs, nv) == NULL);
	CHECK(u, dv_suggest("aaaa", (const char *const[]){longname}, 1) ==
	    NULL);
}
