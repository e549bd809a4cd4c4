/* xalloc.c - fatal-on-failure allocators, the arena and the pointer vector. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void
xalloc_oom(void)
{
	/*
	 * The one place a library writes to stderr: there is no memory to
	 * build an error with, and going on would be worse than stopping.
	 */
	fputs("esxstage: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		xalloc_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p == NULL)
		xalloc_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n == 0 ? 1 : n);
	if (p == NULL)
		xalloc_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

#define ARENA_CHUNK ((size_t)64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used;
	size_t size;
	_Alignas(16) unsigned char data[];
};

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;
	size_t size;
	void *p;

	if (need < n)
		xalloc_oom();
	if (c == NULL || c->size - c->used < need) {
		size = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;
		if (size > SIZE_MAX - sizeof(*c))
			xalloc_oom();
		c = xmalloc(sizeof(*c) + size);
		c->used = 0;
		c->size = size;
		if (a->head != NULL && size != ARENA_CHUNK) {
			/* A big block goes behind the current chunk so the
			 * chunk's free space is still used. */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

void
ptrvec_push(struct ptrvec *pv, void *p)
{
	if (pv->n == pv->alloc) {
		pv->alloc = pv->alloc ? pv->alloc * 2 : 16;
		pv->v = xrealloc(pv->v, pv->alloc * sizeof(*pv->v));
	}
	pv->v[pv->n++] = p;
}

void
ptrvec_release(struct ptrvec *pv)
{
	free(pv->v);
	pv->v = NULL;
	pv->n = pv->alloc = 0;
}
