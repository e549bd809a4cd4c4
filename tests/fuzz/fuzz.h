/* fuzz.h - what the libFuzzer targets share: setup, sources, oracles. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../depot/depot.h"
#include "../../depot/vib.h"

/*
 * Every target defines this.  libFuzzer calls it once per input; under
 * gcc, fuzz_main.c calls it once per corpus file.  It returns 0; an
 * input that breaks a property the target checks aborts (FUZZ_ASSERT),
 * so libFuzzer keeps it as a crash.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Once per input: libxml2's global state (once), a fresh budget. */
void fuzz_init(void);

/* An oracle failure: say which and where, then abort for the fuzzer. */
#define FUZZ_ASSERT(cond)                                                   \
	do {                                                                \
		if (!(cond))                                                \
			fuzz_fail(__FILE__, __LINE__, #cond);               \
	} while (0)
void fuzz_fail(const char *file, int line, const char *what)
	__attribute__((noreturn));

/*
 * A byte_source over memory that hands out at most chunk bytes per read
 * (chunk 0: no limit), so reads that straddle headers get exercised.
 */
struct fuzz_mem {
	const uint8_t *data;
	size_t size, pos, chunk;
};
void fuzz_mem_source(struct fuzz_mem *m, const uint8_t *data, size_t size,
    size_t chunk, struct byte_source *src);

/*
 * Walk a depot model as the listings do: every string of every record,
 * every lookup the CLI makes, dates and levels formatted, and the whole
 * model written as JSON, which must come out valid.
 */
void fuzz_walk_depot(const struct depot *d);

/* Read every string of a record (AddressSanitizer checks each byte). */
void fuzz_touch_vib(const struct depot_vib *v);
void fuzz_touch_bulletin(const struct depot_bulletin *b);
void fuzz_touch_profile(const struct depot_profile *p);

/* Whether buf[0..len) is one valid JSON document in UTF-8. */
bool fuzz_json_valid(const char *buf, size_t len);

#endif
