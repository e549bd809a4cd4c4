/* sbuf.c - the growable byte buffer. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "sbuf.h"
#include "xalloc.h"

char sbuf_empty[1];

void
sbuf_init(struct sbuf *sb, size_t cap)
{
	sb->buf = sbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	sb->cap = cap;
}

void
sbuf_release(struct sbuf *sb)
{
	if (sb == NULL)
		return;
	if (sb->alloc != 0)
		free(sb->buf);
	sbuf_init(sb, sb->cap);
}

void
sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	sb->buf[0] = '\0';
}

int
sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t want, n;

	if (extra > sb->cap || sb->len > sb->cap - extra)
		return -DV_ELIMIT;
	want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return 0;
	n = sb->alloc < 64 ? 64 : sb->alloc;
	while (n < want)
		n = n > ((size_t)-1) / 2 ? want : n * 2;
	if (sb->alloc == 0) {
		sb->buf = xmalloc(n);
		sb->buf[0] = '\0';
	} else {
		sb->buf = xrealloc(sb->buf, n);
	}
	sb->alloc = n;
	return 0;
}

int
sbuf_add(struct sbuf *sb, const void *data, size_t len)
{
	int ret;

	if ((ret = sbuf_grow(sb, len)) != 0)
		return ret;
	if (len != 0)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
sbuf_adds(struct sbuf *sb, const char *s)
{
	return sbuf_add(sb, s, strlen(s));
}

int
sbuf_addch(struct sbuf *sb, char c)
{
	return sbuf_add(sb, &c, 1);
}

int
sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n, ret;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -DV_EIO;
	if ((ret = sbuf_grow(sb, (size_t)n)) != 0)
		return ret;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int
sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
	return ret;
}

void
sbuf_setlen(struct sbuf *sb, size_t len)
{
	if (sb->alloc == 0 && len == 0)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

char *
sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *p;

	if (len != NULL)
		*len = sb->len;
	p = sb->alloc != 0 ? sb->buf : xstrdup("");
	sbuf_init(sb, sb->cap);
	return p;
}
