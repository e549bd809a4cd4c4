/* xalloc.h - allocators that never return NULL, an arena, a pointer vector. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_XALLOC_H
#define DV_XALLOC_H

#include <stddef.h>

/* Running out of memory is fatal: these print and abort, never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* What they do when memory runs out, for a wrapped library's failure. */
void xalloc_oom(void) __attribute__((noreturn));
char *xstrndup(const char *s, size_t n);

/*
 * An arena owns every string and record of one parsed model, so the whole
 * model is freed in one call and no record needs its own release function.
 */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};
#define ARENA_INIT {NULL}
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_release(struct arena *a);

/* A growable array of pointers; the pointers are not owned. */
struct ptrvec {
	void **v;
	size_t n;
	size_t alloc;
};
#define PTRVEC_INIT {NULL, 0, 0}
void ptrvec_push(struct ptrvec *pv, void *p);
void ptrvec_release(struct ptrvec *pv);

#endif
