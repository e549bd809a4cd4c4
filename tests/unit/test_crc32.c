/* test_crc32.c - dv_crc32 (crc32.c) against zlib's crc32, both paths. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdint.h>
#include <stdlib.h>

#include "../../depot/crc32.h"
#include "../../depot/gzip.h"
#include "unit.h"

/* The next number from a fixed seed (xorshift64*), so a failure
 * repeats. */
static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

static void
fill_random(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t s = seed | 1;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(next_random(&s) >> 56);
}

/* Every length 0..600 at every alignment 0..15, several large sizes,
 * chained calls split anywhere, and a running CRC carried in: each the
 * value zlib gives.  Returns the number of mismatches. */
static int
crc_agrees(unsigned char *buf, size_t cap)
{
	static const size_t large[] = {4096, 65536, 65536 + 7, 1000003,
	    (1u << 22) + 15};
	uint64_t s = 16;
	int bad = 0;

	for (size_t al = 0; al < 16; al++)
		for (size_t n = 0; n <= 600; n++)
			bad += dv_crc32(0, buf + al, n) !=
			    gz_crc32(0, buf + al, n);
	for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++)
		for (size_t al = 0; al < 16; al += 5) {
			if (large[i] + al > cap)
				continue;
			bad += dv_crc32(0, buf + al, large[i]) !=
			    gz_crc32(0, buf + al, large[i]);
			bad += dv_crc32(0x12345678u, buf + al, large[i]) !=
			    gz_crc32(0x12345678u, buf + al, large[i]);
		}
	for (int t = 0; t < 200; t++) {
		size_t n = (size_t)(next_random(&s) % 200000);
		size_t cut = n ? (size_t)(next_random(&s) % n) : 0;
		size_t cut2 = cut + (n - cut) / 2 + (size_t)(next_random(&s) % 3);
		size_t at = (size_t)(next_random(&s) % 64);
		uint32_t c;

		if (cut2 > n)
			cut2 = n;
		c = dv_crc32(0, buf + at, cut);
		c = dv_crc32(c, buf + at + cut, cut2 - cut);
		c = dv_crc32(c, buf + at + cut2, n - cut2);
		bad += c != gz_crc32(0, buf + at, n);
	}
	return bad;
}

void
test_crc32_matches_zlib(struct unit *u)
{
	size_t cap = (1u << 22) + 64;
	unsigned char *buf = malloc(cap);
	bool was;

	CHECK(u, buf != NULL);
	if (buf == NULL)
		return;
	/* Known answer: "123456789" is the CRC-32 check value. */
	CHECK(u, dv_crc32(0, "123456789", 9) == 0xCBF43926u);
	fill_random(buf, cap, 0x16);
	CHECK(u, crc_agrees(buf, cap) == 0);
	/* All ones and all zeros exercise the carries and the Barrett step
	 * at their extremes. */
	memset(buf, 0xff, cap);
	CHECK(u, dv_crc32(0, buf, 1u << 20) == gz_crc32(0, buf, 1u << 20));
	memset(buf, 0, cap);
	CHECK(u, dv_crc32(0, buf, 1u << 20) == gz_crc32(0, buf, 1u << 20));
	CHECK(u, dv_crc32(0xffffffffu, buf, 4096) ==
	    gz_crc32(0xffffffffu, buf, 4096));
	/* The fallback, forced: the same answers through zlib alone. */
	was = dv_crc32_allow_clmul(false);
	CHECK(u, !dv_crc32_uses_clmul());
	fill_random(buf, cap, 0x61);
	CHECK(u, crc_agrees(buf, cap) == 0);
	dv_crc32_allow_clmul(was);
	free(buf);
}
