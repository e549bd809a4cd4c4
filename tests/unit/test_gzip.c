/* test_gzip.c - gzip.c on streams gzip(1) made: members, padding, damage. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../depot/gzip.h"
#include "../../depot/sbuf.h"
#include "unit.h"

/* Bytes handed to gz_read's pull in pieces of chunk, failing at fail_at. */
struct feed {
	const unsigned char *data;
	size_t len, pos, chunk, fail_at;
};

static long
feed_pull(void *ctx, const void **buf)
{
	struct feed *f = ctx;
	size_t n = f->len - f->pos;

	if (f->pos >= f->fail_at)
		return -1;
	if (n > f->chunk)
		n = f->chunk;
	*buf = f->data + f->pos;
	f->pos += n;
	return (long)n;
}

/* What gzip -n makes of text, appended to out. */
static bool
gzip_of(const char *text, struct sbuf *out)
{
	const char *dir = unit_scratch();
	char path[700];

	snprintf(path, sizeof(path), "%s/gzip-in.txt.gz", dir);
	return unit_write(dir, "gzip-in.txt", text) &&
	    unit_sh("gzip -n -f '%s/gzip-in.txt'", dir) &&
	    unit_slurp(path, out);
}

/*
 * Everything gz_read gives for data pulled chunk bytes at a time, into
 * out; the last gz_read's value (0 at the end, -1 on failure).  *g is
 * left open for the caller to ask it.
 */
static long
inflate_all(const struct sbuf *data, size_t chunk, size_t fail_at, bool check,
    struct gz_layer **g, struct sbuf *out)
{
	static struct feed f;
	char buf[7]; /* small, so output comes in many calls */
	long n;

	f = (struct feed){(const unsigned char *)data->buf, data->len, 0, chunk,
	    fail_at};
	sbuf_reset(out);
	if (gz_open(feed_pull, &f, check, g) != 0)
		return -2;
	while ((n = gz_read(*g, buf, sizeof(buf))) > 0)
		sbuf_add(out, buf, (size_t)n);
	return n;
}

void
test_gzip_members_and_padding(struct unit *u)
{
	struct sbuf data = SBUF_INIT(SBUF_NOCAP), out = SBUF_INIT(SBUF_NOCAP);
	struct gz_layer *g = NULL;
	size_t chunks[] = {1, 3, 4096};

	/* Two members back to back and zero padding are one stream, as
	 * gzip -d reads them; then something else follows. */
	CHECK(u, gzip_of("first member, ", &data));
	CHECK(u, gzip_of("second member\n", &data));
	sbuf_add(&data, "\0\0\0\0", 4);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		CHECK(u, inflate_all(&data, chunks[i], (size_t)-1, true, &g,
		    &out) == 0);
		CHECK_STR(u, out.buf, "first member, second member\n");
		CHECK(u, gz_members(g) == 2 && gz_error(g) == NULL);
		CHECK(u, gz_consumed(g) == data.len);
		/* At the end it stays at the end. */
		CHECK(u, gz_read(g, out.buf, 1) == 0);
		gz_close(g);
	}
	/* What follows the stream is not its: consumed stops before it. */
	sbuf_add(&data, "TRAILING", 8);
	CHECK(u, inflate_all(&data, 4096, (size_t)-1, true, &g, &out) == 0);
	CHECK_STR(u, out.buf, "first member, second member\n");
	CHECK(u, gz_consumed(g) == data.len - 8 && gz_members(g) == 2);
	gz_close(g);
	/* Bytes that are not gzip at all are no member and no output. */
	sbuf_reset(&data);
	sbuf_adds(&data, "plain text");
	CHECK(u, inflate_all(&data, 4096, (size_t)-1, true, &g, &out) == 0);
	CHECK(u, out.len == 0 && gz_members(g) == 0 && gz_consumed(g) == 0);
	gz_close(g);
	/* Nothing at all is an empty stream. */
	sbuf_reset(&data);
	CHECK(u, inflate_all(&data, 4096, (size_t)-1, true, &g, &out) == 0);
	CHECK(u, out.len == 0 && gz_members(g) == 0);
	gz_close(g);
	gz_close(NULL);
	sbuf_release(&data);
	sbuf_release(&out);
}

/* The reason gz_error gives for data, with the trailer check on. */
static const char *
damage_reason(struct unit *u, const struct sbuf *data, bool check)
{
	static char reason[GZ_REASON_LEN];
	struct sbuf out = SBUF_INIT(SBUF_NOCAP);
	struct gz_layer *g = NULL;
	long n = inflate_all(data, 4096, (size_t)-1, check, &g, &out);

	snprintf(reason, sizeof(reason), "%s", n == 0 ? "read to the end" :
	    gz_error(g) != NULL ? gz_error(g) : "(no reason)");
	/* A failed layer stays failed. */
	if (n < 0)
		CHECK(u, gz_read(g, out.buf, 1) == -1);
	gz_close(g);
	sbuf_release(&out);
	return reason;
}

void
test_gzip_damage_reasons(struct unit *u)
{
	struct sbuf data = SBUF_INIT(SBUF_NOCAP);
	size_t one;

	CHECK(u, gzip_of("first member, ", &data));
	one = data.len;
	CHECK(u, gzip_of("second member\n", &data));

	/* The trailer's CRC-32 (8 bytes from a member's end), then ISIZE. */
	data.buf[one - 8] ^= 1;
	CHECK_STR(u, damage_reason(u, &data, true), "gzip: CRC-32 mismatch");
	/* Unchecked, the caller's own digest is the test. */
	CHECK_STR(u, damage_reason(u, &data, false), "read to the end");
	data.buf[one - 8] ^= 1;
	data.buf[one - 4] ^= 1;
	CHECK_STR(u, damage_reason(u, &data, true), "gzip: length mismatch");
	data.buf[one - 4] ^= 1;
	/* A reason names the member when it is not the first. */
	data.buf[data.len - 8] ^= 1;
	CHECK_STR(u, damage_reason(u, &data, true),
	    "gzip member 2: CRC-32 mismatch");
	data.buf[data.len - 8] ^= 1;
	/* Compression method 7 is not deflate: zlib's own words. */
	data.buf[one + 2] = 7;
	CHECK_STR(u, damage_reason(u, &data, true),
	    "gzip member 2: unknown compression method");
	data.buf[one + 2] = 8;
	/* Cut inside the second member's data. */
	sbuf_setlen(&data, data.len - 12);
	CHECK_STR(u, damage_reason(u, &data, true),
	    "gzip member 2: data truncated");
	/* A deflate block of the reserved type 3. */
	sbuf_setlen(&data, one + 10);
	sbuf_add(&data, "\x07\xff\xff\xff", 4);
	CHECK_STR(u, damage_reason(u, &data, false),
	    "gzip member 2: invalid block type");
	sbuf_release(&data);
}

void
test_gzip_pull_stops(struct unit *u)
{
	struct sbuf data = SBUF_INIT(SBUF_NOCAP), out = SBUF_INIT(SBUF_NOCAP);
	struct gz_layer *g = NULL;

	CHECK(u, gzip_of("some text that is long enough to come in pieces\n",
	    &data));
	/* The pull's own failure is the caller's to explain: no reason. */
	for (size_t at = 0; at < data.len; at += 5) {
		CHECK(u, inflate_all(&data, 5, at, true, &g, &out) == -1);
		CHECK(u, gz_error(g) == NULL);
		CHECK(u, gz_read(g, out.buf, 1) == -1);
		gz_close(g);
	}
	sbuf_release(&data);
	sbuf_release(&out);
}
