/* fuzz_tar.c - fuzz target: tar and tar.gz reading, and one-layer inflate. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include "../../depot/archive.h"
#include "../../depot/dv_limits.h"
#include "../../depot/xalloc.h"
#include "fuzz.h"

/*
 * Input: one selector byte, then the archive.  Selector & 3: 0 a tar
 * (or tar.gz) in memory, 1 the same read from a byte source in small
 * reads, 2 one gzip layer removed, 3 one zstd layer removed.  The tar
 * header sniffing package.c does comes first in every case.
 */
enum { SEL_TAR_MEM, SEL_TAR_SOURCE, SEL_GZIP, SEL_ZSTD };

static unsigned char buf[65536];

static void
walk_tar(struct tarfile *t)
{
	struct dv_error err = DV_ERROR_INIT;
	struct tar_entry e;
	size_t entries = 0;
	long n;
	int r;

	while ((r = tarfile_next(t, &e, &err)) == 1) {
		FUZZ_ASSERT(e.name != NULL);
		(void)strlen(e.name);
		FUZZ_ASSERT(++entries <= DV_MAX_TAR_ENTRIES);
		if (e.kind != TAR_ENTRY_FILE)
			continue;
		while ((n = tarfile_read(t, buf, sizeof(buf), &err)) > 0)
			FUZZ_ASSERT((size_t)n <= sizeof(buf));
		if (n < 0) {
			FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
			break;
		}
	}
	if (r < 0)
		FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
}

struct pull {
	const uint8_t *p;
	size_t n, chunk;
};

static long
pull(void *ctx, const void **out)
{
	struct pull *pl = ctx;
	size_t n = pl->n < pl->chunk ? pl->n : pl->chunk;

	*out = pl->p;
	pl->p += n;
	pl->n -= n;
	return (long)n;
}

static void
inflate_one(enum arc_filter f, const uint8_t *data, size_t size)
{
	struct dv_error err = DV_ERROR_INIT;
	struct pull pl = {data, size, 1 + size / 3};
	struct arc_layer *l = NULL;
	bool empty;
	int64_t consumed;
	long n;

	if (arc_layer_open(f, pull, &pl, &l, &empty, &err) != 0) {
		FUZZ_ASSERT(l == NULL);
		FUZZ_ASSERT(err.code == DV_EVIB);
		FUZZ_ASSERT(err.msg[0] != '\0');
		return;
	}
	while ((n = arc_layer_read(l, buf, sizeof(buf))) > 0)
		FUZZ_ASSERT((size_t)n <= sizeof(buf));
	if (n < 0 && arc_layer_error(l) != NULL)
		(void)strlen(arc_layer_error(l));
	consumed = arc_layer_consumed(l);
	FUZZ_ASSERT(consumed <= (int64_t)size);
	arc_layer_close(l);
}

/* On a copy of at most 512 bytes: the sniffing must stay inside them. */
static void
sniff(const uint8_t *data, size_t size)
{
	size_t n = size < 512 ? size : 512;
	unsigned char *head = xmalloc(n > 0 ? n : 1);

	if (n > 0)
		memcpy(head, data, n);
	(void)arc_is_tar_header(head, n);
	free(head);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dv_error err = DV_ERROR_INIT;
	struct tarfile *t = NULL;
	struct byte_source src;
	struct fuzz_mem m;
	int sel;

	fuzz_init();
	if (size < 1)
		return 0;
	sel = data[0] & 3;
	data++;
	size--;
	sniff(data, size);
	switch (sel) {
	case SEL_TAR_MEM:
		if (tarfile_open_mem(data, size, "fuzz.tar", &t, &err) == 0)
			walk_tar(t);
		else
			FUZZ_ASSERT(t == NULL && err.msg[0] != '\0');
		break;
	case SEL_TAR_SOURCE:
		fuzz_mem_source(&m, data, size, 1 + size / 7, &src);
		if (tarfile_open_source(&src, "fuzz.tar", &t, &err) == 0)
			walk_tar(t);
		else
			FUZZ_ASSERT(t == NULL && err.msg[0] != '\0');
		break;
	case SEL_GZIP:
		inflate_one(ARC_GZIP, data, size);
		break;
	case SEL_ZSTD:
		inflate_one(ARC_ZSTD, data, size);
		break;
	}
	tarfile_close(t);
	return 0;
}
