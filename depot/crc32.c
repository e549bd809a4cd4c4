/* crc32.c - the zip/gzip CRC-32, folded with carry-less multiplication. */
/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zlib's table-driven CRC-32 runs at about 4 GB/s, a quarter of a second
 * over a 1 GB depot whose stored VIBs the zip layer must check.  Folding
 * with PCLMULQDQ, as described in Intel's white paper "Fast CRC
 * Computation for Generic Polynomials Using PCLMULQDQ Instruction"
 * (Gopal et al., 2009), is several times faster.
 *
 * Notation.  CRC-32 takes each byte's low bit first, so in 16 bytes loaded
 * into a register, bit k is the coefficient of x^(127-k) (bit 0, the
 * earliest message bit, has the highest power).  Likewise in 64 bits bit
 * i is x^(63-i) and in a 32-bit CRC bit i is x^(31-i).  PCLMULQDQ of two
 * such 64-bit values a and b yields bit k = x^(126-k) of a*b: read as 128
 * bits that is x*a*b, one power of x too many, which each constant below
 * absorbs by being x^(n-1) mod P where x^n is meant.
 *
 * Folding.  A 128-bit block X = H*x^64 + L (H: the low 64 bits, L: the
 * high 64 bits) that lies T bits before the next block it is added to
 * counts as X*x^T = H*x^(T+64) + L*x^T, congruent mod P to
 * H*(x^(T+64) mod P) + L*(x^T mod P): two multiplications, each below 96
 * bits.  Four blocks fold in parallel 512 bits ahead, then into each
 * other 128 bits ahead, then 16-byte blocks fold 128 bits ahead; the last
 * 128 bits are reduced to 64, then Barrett-reduced to the 32-bit CRC.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "crc32.h"
#include "gzip.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC_CLMUL 1
#include <immintrin.h>
#endif

/* P(x) = x^32 + x^26 + ... + 1 without its x^32 term, bit i = x^(31-i). */
#define CRC_POLY 0xEDB88320u

/* Below this many bytes zlib's loop is as fast as setting up the fold. */
#define CLMUL_MIN 64

#ifdef CRC_CLMUL
/* x^n mod P in the 32-bit form: shifting right multiplies by x, and a
 * bit that leaves as x^32 comes back as P's lower terms. */
static uint32_t
xpow_mod(unsigned n)
{
	uint32_t r = 0x80000000u; /* x^0 */

	while (n-- > 0)
		r = (r >> 1) ^ ((r & 1) ? CRC_POLY : 0);
	return r;
}

/* x^n mod P as a 64-bit multiplier (degree <= 31: bits 32..63 of the
 * 64-bit form), taking PCLMULQDQ's extra x into account. */
static uint64_t
fold_const(unsigned n)
{
	return (uint64_t)xpow_mod(n - 1) << 32;
}

/* floor(x^64 / P), the Barrett constant, as 33 bits (bit j = x^(32-j)). */
static uint64_t
barrett_mu(void)
{
	uint64_t p = 0, q, rem, mu = 0;

	/* P in plain order (bit d = x^d) for the long division. */
	for (int i = 0; i < 32; i++)
		if (CRC_POLY >> i & 1)
			p |= 1ull << (31 - i);
	p |= 1ull << 32;
	q = 1ull << 32;			  /* x^64 / x^32's leading term */
	rem = (p ^ (1ull << 32)) << 32;	  /* x^64 - x^32 * P */
	for (int d = 63; d >= 32; d--) {
		if (rem >> d & 1) {
			q |= 1ull << (d - 32);
			rem ^= p << (d - 32);
		}
	}
	for (int d = 0; d <= 32; d++)
		if (q >> d & 1)
			mu |= 1ull << (32 - d);
	return mu;
}

static struct {
	/* For a block folded 512 / 128 bits ahead: low half x^(T+64) for
	 * H, high half x^T for L (T = 512, 128). */
	uint64_t k512[2], k128[2];
	/* The last block times x^32 (the CRC's shift): H*x^96, and then the
	 * remaining 32 high terms times x^64. */
	uint64_t k96, k64;
	/* Barrett: floor(x^64 / P), and P itself, both as 33 bits. */
	uint64_t mu, poly;
} K;

static bool have_clmul;
static bool allow_clmul = true;
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
	K.k512[0] = fold_const(512 + 64);
	K.k512[1] = fold_const(512);
	K.k128[0] = fold_const(128 + 64);
	K.k128[1] = fold_const(128);
	K.k96 = fold_const(96);
	K.k64 = fold_const(64);
	K.mu = barrett_mu();
	K.poly = ((uint64_t)CRC_POLY << 1) | 1;
	__builtin_cpu_init();
	have_clmul = __builtin_cpu_supports("pclmul") &&
	    __builtin_cpu_supports("sse4.1");
}

/* x (a 128-bit block) times x^T mod P, for k holding T's pair. */
__attribute__((target("pclmul,sse4.1"))) static inline __m128i
fold(__m128i x, __m128i k)
{
	return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
	    _mm_clmulepi64_si128(x, k, 0x11));
}

/* The CRC (zlib's value: inverted) continuing crc over len bytes at p;
 * len >= 64 and a multiple of 16, p of any alignment. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t
crc_clmul(uint32_t crc, const unsigned char *p, size_t len)
{
	const __m128i k512 = _mm_set_epi64x((long long)K.k512[1],
	    (long long)K.k512[0]);
	const __m128i k128 = _mm_set_epi64x((long long)K.k128[1],
	    (long long)K.k128[0]);
	__m128i x0, x1, x2, x3, y, z;
	uint64_t zz, q, r;

	x0 = _mm_loadu_si128((const __m128i *)(const void *)p);
	x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
	/* A running CRC is the same as its register XORed into the first
	 * 32 message bits. */
	x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)~crc));
	p += 64;
	len -= 64;
	while (len >= 64) {
		x0 = _mm_xor_si128(fold(x0, k512), _mm_loadu_si128(
		    (const __m128i *)(const void *)p));
		x1 = _mm_xor_si128(fold(x1, k512), _mm_loadu_si128(
		    (const __m128i *)(const void *)(p + 16)));
		x2 = _mm_xor_si128(fold(x2, k512), _mm_loadu_si128(
		    (const __m128i *)(const void *)(p + 32)));
		x3 = _mm_xor_si128(fold(x3, k512), _mm_loadu_si128(
		    (const __m128i *)(const void *)(p + 48)));
		p += 64;
		len -= 64;
	}
	x1 = _mm_xor_si128(fold(x0, k128), x1);
	x2 = _mm_xor_si128(fold(x1, k128), x2);
	x3 = _mm_xor_si128(fold(x2, k128), x3);
	while (len >= 16) {
		x3 = _mm_xor_si128(fold(x3, k128),
		    _mm_loadu_si128((const __m128i *)(const void *)p));
		p += 16;
		len -= 16;
	}
	/* x3*x^32 = H*x^96 + L*x^32: below 96 bits (bits 32..127). */
	y = _mm_xor_si128(
	    _mm_clmulepi64_si128(x3, _mm_cvtsi64_si128((long long)K.k96), 0x00),
	    _mm_slli_si128(_mm_srli_si128(x3, 8), 4));
	/* Its 32 highest terms (bits 32..63) times x^64: 64 bits remain,
	 * in the high half. */
	z = _mm_xor_si128(
	    _mm_clmulepi64_si128(y, _mm_cvtsi64_si128((long long)K.k64), 0x00),
	    y);
	zz = (uint64_t)_mm_extract_epi64(z, 1);
	/* Barrett: Z = Zh*x^32 + Zl; q = floor(Zh*mu / x^32) is Zh*x^32's
	 * quotient by P, and the low 32 terms of q*P are its remainder. */
	q = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
	    _mm_cvtsi64_si128((long long)(zz & 0xffffffffu)),
	    _mm_cvtsi64_si128((long long)K.mu), 0x00));
	r = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
	    _mm_cvtsi64_si128((long long)(q & 0xffffffffu)),
	    _mm_cvtsi64_si128((long long)K.poly), 0x00));
	return ~((uint32_t)(r >> 32) ^ (uint32_t)(zz >> 32));
}
#endif

bool
dv_crc32_allow_clmul(bool allow)
{
#ifdef CRC_CLMUL
	bool was = allow_clmul;

	allow_clmul = allow;
	return was;
#else
	(void)allow;
	return false;
#endif
}

bool
dv_crc32_uses_clmul(void)
{
#ifdef CRC_CLMUL
	pthread_once(&crc_once, crc_init);
	return have_clmul && allow_clmul;
#else
	return false;
#endif
}

uint32_t
dv_crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

#ifdef CRC_CLMUL
	if (len >= CLMUL_MIN && dv_crc32_uses_clmul()) {
		size_t n = len & ~(size_t)15;

		crc = crc_clmul(crc, p, n);
		p += n;
		len -= n;
	}
#endif
	/* The last 0..15 bytes, or all of a short or unfoldable buffer. */
	return gz_crc32(crc, p, len);
}
