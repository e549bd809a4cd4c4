/* minizip.c - write a small zip by hand: stored members, CRC-32 computed. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>

#include "minizip.h"

uint32_t
minizip_crc32(const void *data, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = data;
	uint32_t crc = 0xffffffffu, c;

	if (table[1] == 0) {
		for (uint32_t i = 0; i < 256; i++) {
			c = i;
			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

static void
put16(struct sbuf *sb, unsigned v)
{
	sbuf_addch(sb, (char)(v & 0xff));
	sbuf_addch(sb, (char)((v >> 8) & 0xff));
}

static void
put32(struct sbuf *sb, uint32_t v)
{
	put16(sb, v & 0xffff);
	put16(sb, v >> 16);
}

void
minizip_init(struct minizip *z)
{
	sbuf_init(&z->out, SBUF_NOCAP);
	sbuf_init(&z->cdir, SBUF_NOCAP);
	z->count = 0;
}

/* 1980-01-01 00:00:00, the first instant a DOS date can hold. */
#define DOS_TIME 0
#define DOS_DATE ((0 << 9) | (1 << 5) | 1)

void
minizip_add(struct minizip *z, const char *name, const void *data,
    size_t len, unsigned mode)
{
	size_t namelen = strlen(name);
	uint32_t crc = minizip_crc32(data, len);
	uint32_t offset = (uint32_t)z->out.len;

	if (namelen > 0xffff)
		namelen = 0xffff;
	/* Local file header. */
	put32(&z->out, 0x04034b50u);
	put16(&z->out, 10);		/* version needed: 1.0, stored */
	put16(&z->out, 0);		/* flags */
	put16(&z->out, 0);		/* method: stored */
	put16(&z->out, DOS_TIME);
	put16(&z->out, DOS_DATE);
	put32(&z->out, crc);
	put32(&z->out, (uint32_t)len);	/* compressed size */
	put32(&z->out, (uint32_t)len);	/* uncompressed size */
	put16(&z->out, (unsigned)namelen);
	put16(&z->out, 0);		/* extra length */
	sbuf_add(&z->out, name, namelen);
	sbuf_add(&z->out, data, len);
	/* Its central directory entry. */
	put32(&z->cdir, 0x02014b50u);
	put16(&z->cdir, mode != 0 ? (3u << 8) | 20 : 20); /* made by */
	put16(&z->cdir, 10);
	put16(&z->cdir, 0);
	put16(&z->cdir, 0);
	put16(&z->cdir, DOS_TIME);
	put16(&z->cdir, DOS_DATE);
	put32(&z->cdir, crc);
	put32(&z->cdir, (uint32_t)len);
	put32(&z->cdir, (uint32_t)len);
	put16(&z->cdir, (unsigned)namelen);
	put16(&z->cdir, 0);		/* extra length */
	put16(&z->cdir, 0);		/* comment length */
	put16(&z->cdir, 0);		/* disk number */
	put16(&z->cdir, 0);		/* internal attributes */
	put32(&z->cdir, (uint32_t)mode << 16); /* external attributes */
	put32(&z->cdir, offset);
	sbuf_add(&z->cdir, name, namelen);
	z->count++;
}

void
minizip_finish(struct minizip *z)
{
	uint32_t cdoff = (uint32_t)z->out.len;
	unsigned n = z->count > 0xffff ? 0xffff : (unsigned)z->count;

	sbuf_add(&z->out, z->cdir.buf, z->cdir.len);
	put32(&z->out, 0x06054b50u);
	put16(&z->out, 0);		/* this disk */
	put16(&z->out, 0);		/* disk with the directory */
	put16(&z->out, n);		/* entries on this disk */
	put16(&z->out, n);		/* entries in all */
	put32(&z->out, (uint32_t)z->cdir.len);
	put32(&z->out, cdoff);
	put16(&z->out, 0);		/* comment length */
	sbuf_release(&z->cdir);
}

void
minizip_release(struct minizip *z)
{
	sbuf_release(&z->out);
	sbuf_release(&z->cdir);
	z->count = 0;
}
