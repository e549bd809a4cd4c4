/* fuzz_depot_zip.c - fuzz target: a whole depot zip read from memory. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>

#include "../../depot/depot.h"
#include "fuzz.h"

/*
 * The input is the outer zip.  What depot info, list-* and verify do
 * with it follows: the index, vendor indexes and metadata zips are read
 * by depot_open_mem; the model is walked; every VIB is streamed out of
 * the zip and verified.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dv_error err = DV_ERROR_INIT;
	struct depot *d = NULL;
	int ret;

	fuzz_init();
	ret = depot_open_mem(data, size, "fuzz.zip", &d, &err);
	if (ret != 0) {
		FUZZ_ASSERT(ret < 0 && err.code != 0 && err.msg[0] != '\0');
		FUZZ_ASSERT(-ret == err.code);
		/* Out-parameters are NULL on failure. */
		FUZZ_ASSERT(d == NULL);
	}
	if (d != NULL)
		fuzz_walk_depot(d);
	depot_free(d);
	return 0;
}
