/* gzip.c - the only user of zlib: gzip layers, and zip members' deflate. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* next_in is then const: zlib never writes to the caller's input. */
#define ZLIB_CONST
#include <zlib.h>

#include "gzip.h"
#include "xalloc.h"

/* windowBits for inflateInit2: a 32 KiB window, gzip header and trailer. */
#define GZ_WINDOW_BITS (15 + 16)

struct gz_layer {
	z_stream zs;
	gz_pull_fn pull;
	void *ctx;
	bool check;
	bool src_end;	/* pull said there is no more */
	bool in_member; /* between a member's header and its trailer */
	bool done, failed;
	unsigned members;
	uint64_t pulled; /* bytes pull handed over */
	char reason[GZ_REASON_LEN];
};

int
gz_open(gz_pull_fn pull, void *ctx, bool check, struct gz_layer **out)
{
	struct gz_layer *g;

	*out = NULL;
	g = xcalloc(1, sizeof(*g));
	g->pull = pull;
	g->ctx = ctx;
	g->check = check;
	if (inflateInit2(&g->zs, GZ_WINDOW_BITS) != Z_OK) {
		free(g);
		return -ENOMEM;
	}
	/*
	 * Without the check zlib does not even compute the CRC-32: the
	 * caller's digest over the same bytes is the stronger test.
	 */
	if (!check && inflateValidate(&g->zs, 0) != Z_OK) {
		inflateEnd(&g->zs);
		free(g);
		return -ENOMEM;
	}
	*out = g;
	return 0;
}

static long
gz_fail(struct gz_layer *g, const char *what)
{
	g->failed = true;
	if (g->members > 1)
		snprintf(g->reason, sizeof(g->reason), "gzip member %u: %s",
		    g->members, what);
	else
		snprintf(g->reason, sizeof(g->reason), "gzip: %s", what);
	return -1;
}

/* Input for zlib when it has none: 0, or -1 when pull stopped. */
static int
gz_more(struct gz_layer *g)
{
	const void *buf = NULL;
	long n;

	if (g->zs.avail_in > 0 || g->src_end)
		return 0;
	n = g->pull(g->ctx, &buf);
	if (n < 0) {
		g->failed = true;
		g->reason[0] = '\0';
		return -1;
	}
	if (n == 0) {
		g->src_end = true;
		return 0;
	}
	/* The pull hands over at most a buffer's worth: far below uInt. */
	g->zs.next_in = buf;
	g->zs.avail_in = (uInt)n;
	g->pulled += (uint64_t)n;
	return 0;
}

/*
 * Between members: skip zero padding, then either a new member starts
 * (its first byte is gzip's) or the stream is over.  Anything else is
 * left unconsumed for the caller to judge.
 */
static int
gz_next_member(struct gz_layer *g)
{
	for (;;) {
		if (gz_more(g) != 0)
			return -1;
		if (g->zs.avail_in == 0) {
			g->done = true;
			return 0;
		}
		while (g->members > 0 && g->zs.avail_in > 0 &&
		    *g->zs.next_in == 0) {
			g->zs.next_in++;
			g->zs.avail_in--;
		}
		if (g->zs.avail_in == 0)
			continue;
		if (*g->zs.next_in != 0x1f) {
			g->done = true;
			return 0;
		}
		if (g->members > 0 && inflateReset(&g->zs) != Z_OK)
			return (int)gz_fail(g, "cannot restart the decoder");
		g->members++;
		g->in_member = true;
		return 0;
	}
}

long
gz_read(struct gz_layer *g, void *buf, size_t len)
{
	size_t produced = 0;
	int r;

	if (g->failed)
		return -1;
	if (len > UINT_MAX)
		len = UINT_MAX;
	while (produced == 0 && len > 0 && !g->done) {
		if (!g->in_member) {
			if (gz_next_member(g) != 0)
				return -1;
			continue;
		}
		if (gz_more(g) != 0)
			return -1;
		if (g->zs.avail_in == 0)
			return gz_fail(g, "data truncated");
		g->zs.next_out = buf;
		g->zs.avail_out = (uInt)len;
		r = inflate(&g->zs, Z_NO_FLUSH);
		produced = len - g->zs.avail_out;
		switch (r) {
		case Z_STREAM_END:
			g->in_member = false;
			break;
		case Z_OK:
			break;
		case Z_BUF_ERROR:
			/* Only "no progress": with input and room, never. */
			if (produced == 0 && g->zs.avail_in > 0)
				return gz_fail(g, "damaged data");
			break;
		case Z_MEM_ERROR:
			return gz_fail(g, "out of memory");
		default:
			if (g->zs.msg != NULL &&
			    strcmp(g->zs.msg, "incorrect data check") == 0)
				return gz_fail(g, "CRC-32 mismatch");
			if (g->zs.msg != NULL &&
			    strcmp(g->zs.msg, "incorrect length check") == 0)
				return gz_fail(g, "length mismatch");
			return gz_fail(g, g->zs.msg != NULL ? g->zs.msg :
			    "damaged data");
		}
	}
	return (long)produced;
}

const char *
gz_error(const struct gz_layer *g)
{
	return g->failed && g->reason[0] != '\0' ? g->reason : NULL;
}

uint64_t
gz_consumed(const struct gz_layer *g)
{
	return g->pulled - g->zs.avail_in;
}

unsigned
gz_members(const struct gz_layer *g)
{
	return g->members;
}

void
gz_close(struct gz_layer *g)
{
	if (g == NULL)
		return;
	inflateEnd(&g->zs);
	free(g);
}

/* ---- raw deflate ---------------------------------------------------------- */

/* windowBits for inflateInit2: negative, raw deflate with a 32 KiB window. */
#define GZ_RAW_WINDOW_BITS (-15)

struct gz_raw {
	z_stream zs;
	bool ended, failed;
	char reason[GZ_REASON_LEN];
};

int
gz_raw_open(struct gz_raw **out)
{
	struct gz_raw *z;

	*out = NULL;
	z = xcalloc(1, sizeof(*z));
	if (inflateInit2(&z->zs, GZ_RAW_WINDOW_BITS) != Z_OK) {
		free(z);
		return -ENOMEM;
	}
	*out = z;
	return 0;
}

static long
gz_raw_fail(struct gz_raw *z, const char *what)
{
	z->failed = true;
	snprintf(z->reason, sizeof(z->reason), "%s", what);
	return -1;
}

long
gz_raw_inflate(struct gz_raw *z, const void **in, size_t *avail, void *out,
    size_t len)
{
	/* zlib counts in uInt: hand it at most that much at a time. */
	uInt in_n = *avail > UINT_MAX ? UINT_MAX : (uInt)*avail;
	uInt out_n = len > UINT_MAX ? UINT_MAX : (uInt)len;
	size_t used, made;
	int r;

	if (z->failed)
		return -1;
	if (z->ended || out_n == 0)
		return 0;
	z->zs.next_in = *in;
	z->zs.avail_in = in_n;
	z->zs.next_out = out;
	z->zs.avail_out = out_n;
	r = inflate(&z->zs, Z_NO_FLUSH);
	used = in_n - z->zs.avail_in;
	made = out_n - z->zs.avail_out;
	*in = (const unsigned char *)*in + used;
	*avail -= used;
	switch (r) {
	case Z_STREAM_END:
		z->ended = true;
		break;
	case Z_OK:
		break;
	case Z_BUF_ERROR:
		/* "No progress": only an error when zlib had input and room. */
		if (in_n > 0 && used == 0 && made == 0)
			return gz_raw_fail(z, "damaged data");
		break;
	case Z_MEM_ERROR:
		return gz_raw_fail(z, "out of memory");
	default:
		return gz_raw_fail(z, z->zs.msg != NULL ? z->zs.msg :
		    "damaged data");
	}
	return (long)made;
}

bool
gz_raw_ended(const struct gz_raw *z)
{
	return z->ended;
}

const char *
gz_raw_error(const struct gz_raw *z)
{
	return z->failed ? z->reason : NULL;
}

void
gz_raw_close(struct gz_raw *z)
{
	if (z == NULL)
		return;
	inflateEnd(&z->zs);
	free(z);
}

uint32_t
gz_crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uLong c = crc;

	/* zlib takes a uInt length: feed it in pieces that fit. */
	while (len > 0) {
		uInt n = len > UINT_MAX ? UINT_MAX : (uInt)len;

		c = crc32(c, p, n);
		p += n;
		len -= n;
	}
	return (uint32_t)c;
}
