/* smap.h - a string-keyed map: open addressing, never shrinks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_SMAP_H
#define DV_SMAP_H

#include <stddef.h>

/*
 * Keys are borrowed: each must outlive the map.  Lookups and inserts are
 * O(1) on average; the table doubles when half full.  SMAP_INIT is an
 * empty map; smap_release frees the table, not the keys or values.
 */
struct smap {
	const char **keys;
	void **vals;
	size_t cap, n;
};

#define SMAP_INIT {NULL, NULL, 0, 0}

/* The value stored under key, or NULL. */
void *smap_get(const struct smap *m, const char *key);
/* Store val under key; an existing key gets the new value. */
void smap_put(struct smap *m, const char *key, void *val);
void smap_release(struct smap *m);

#endif
