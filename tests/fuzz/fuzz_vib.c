/* fuzz_vib.c - fuzz target: the ar reader and the checksum path of a VIB. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>

#include "../../depot/verify.h"
#include "../../depot/vib.h"
#include "fuzz.h"

/*
 * The input is a .vib.  It is read three times, as depot verify and
 * depot show-vib read one: vib_scan alone; verify_vib_run with no
 * metadata, keeping the scan and the parsed descriptor; and once more
 * against that descriptor as if it were the depot's record, which runs
 * the descriptor and payload checksum comparisons.  The source hands
 * out small, odd-sized reads so that headers straddle reads.  verify
 * computes only the digests the descriptor lists: each one it computes
 * equals what the full scan computed.
 */
static bool
digest_ok(const char *d)
{
	return strlen(d) == 64 || strlen(d) == 40 || d[0] == '\0';
}

static void
same_digest(const char *selected, const char *full)
{
	FUZZ_ASSERT(selected[0] == '\0' || strcmp(selected, full) == 0);
}

static void
check_scan(const struct vib_scan *s, size_t size, bool all)
{
	FUZZ_ASSERT(s->file_size <= size);
	FUZZ_ASSERT(strlen(s->file_sha256) == 64);
	FUZZ_ASSERT(s->descriptor.len <= VIB_MAX_DESCRIPTOR);
	FUZZ_ASSERT(s->signature.len <= VIB_MAX_SIGNATURE);
	FUZZ_ASSERT(s->nmembers <= VIB_MAX_MEMBERS);
	for (size_t i = 0; i < s->nmembers; i++) {
		const struct vib_member *m = &s->members[i];
		FUZZ_ASSERT(memchr(m->name, '\0', sizeof(m->name)) != NULL);
		FUZZ_ASSERT(memchr(m->error, '\0', sizeof(m->error)) != NULL);
		FUZZ_ASSERT(m->size <= size);
		FUZZ_ASSERT(all ? strlen(m->sha256) == 64 :
		    digest_ok(m->sha256));
		if (m->decompressed)
			FUZZ_ASSERT(all ? strlen(m->sha256_expanded) == 64 :
			    digest_ok(m->sha256_expanded));
		FUZZ_ASSERT(digest_ok(m->sha1_expanded));
		FUZZ_ASSERT(digest_ok(m->sha256_gunzip1));
		if (m->decompressed)
			FUZZ_ASSERT(m->expanded_size <= VIB_MAX_EXPANDED);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dv_error err = DV_ERROR_INIT;
	struct verify_vib v, again;
	struct vib_scan scan;
	struct byte_source src;
	struct fuzz_mem m;
	size_t chunk;
	int ret;

	fuzz_init();
	/* 1 to 4096 bytes a read, from the last byte; whole when empty. */
	chunk = size > 0 ? 1 + (size_t)data[size - 1] * 16 : 0;

	vib_scan_init(&scan);
	fuzz_mem_source(&m, data, size, chunk, &src);
	ret = vib_scan(&src, "fuzz.vib", &scan, &err);
	if (ret != 0)
		FUZZ_ASSERT(err.code != 0 && err.msg[0] != '\0');
	else
		check_scan(&scan, size, true);

	verify_vib_init(&v, NULL);
	fuzz_mem_source(&m, data, size, 0, &src);
	verify_vib_run(&v, &src, "fuzz.vib", NULL, true);
	FUZZ_ASSERT(v.ok == (dv_diags_count(&v.diags, DV_DIAG_FAIL) == 0));
	if (v.scanned) {
		check_scan(&v.scan, size, false);
		/* The hash of what was read is the hash of the file. */
		FUZZ_ASSERT(v.scan.file_size == size);
		FUZZ_ASSERT(ret == 0 && v.scan.nmembers == scan.nmembers);
		FUZZ_ASSERT(strcmp(v.scan.file_sha256, scan.file_sha256) == 0);
		for (size_t i = 0; i < scan.nmembers; i++) {
			const struct vib_member *a = &v.scan.members[i];
			const struct vib_member *b = &scan.members[i];
			same_digest(a->sha256, b->sha256);
			same_digest(a->sha1_expanded, b->sha1_expanded);
			if (a->decompressed && b->decompressed)
				same_digest(a->sha256_expanded,
				    b->sha256_expanded);
		}
	}
	vib_scan_release(&scan);
	if (v.descriptor != NULL) {
		fuzz_touch_vib(v.descriptor);
		verify_vib_init(&again, v.descriptor);
		fuzz_mem_source(&m, data, size, chunk, &src);
		verify_vib_run(&again, &src, "fuzz.vib", NULL, false);
		FUZZ_ASSERT(again.ok ==
		    (dv_diags_count(&again.diags, DV_DIAG_FAIL) == 0));
		FUZZ_ASSERT(again.descriptor == NULL);
		verify_vib_release(&again);
	}
	verify_vib_release(&v);
	return 0;
}
