/* sbuf.h - the one growable byte buffer, with a hard size cap. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_SBUF_H
#define DV_SBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Invariants: buf is never NULL (it points at a static "" until the first
 * growth), buf[len] is always NUL, and the buffer may hold binary data.
 * len never exceeds cap: growing past it fails with DV_ELIMIT, so a buffer
 * fed by archive or XML input cannot be made to eat memory.
 * sbuf_detach() is the only way to take ownership of buf.
 */
struct sbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap;
};

#define SBUF_NOCAP ((size_t)-1)
#define SBUF_INIT(capacity) {sbuf_empty, 0, 0, (capacity)}
extern char sbuf_empty[1];

void sbuf_init(struct sbuf *sb, size_t cap);
void sbuf_release(struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);
/* Make room for extra more bytes: 0, or -DV_ELIMIT past the cap. */
int sbuf_grow(struct sbuf *sb, size_t extra);
int sbuf_add(struct sbuf *sb, const void *data, size_t len);
int sbuf_adds(struct sbuf *sb, const char *s);
int sbuf_addch(struct sbuf *sb, char c);
int sbuf_addf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Set len after writing into buf directly (after sbuf_grow). */
void sbuf_setlen(struct sbuf *sb, size_t len);
/* Hand buf to the caller (always malloc'd) and reset the buffer. */
char *sbuf_detach(struct sbuf *sb, size_t *len);

#endif
