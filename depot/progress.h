/* progress.h - counters a long library call advances and cmd/ displays. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_PROGRESS_H
#define DV_PROGRESS_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * The library only counts; it never prints.  Worker threads add to the
 * counters with one relaxed atomic add per chunk, which costs nothing
 * measurable beside the hashing and inflating of that chunk; cmd/ reads
 * them from a thread of its own a few times a second.  A NULL progress
 * is allowed everywhere and counts nothing.
 */
struct dv_progress {
	const char *unit;	    /* what an item is: "VIBs", "files" */
	_Atomic uint64_t bytes_done;
	_Atomic uint64_t bytes_total;
	_Atomic uint64_t items_done;
	_Atomic uint64_t items_total;
};

static inline void
dv_progress_plan(struct dv_progress *p, uint64_t items, uint64_t bytes)
{
	if (p == NULL)
		return;
	atomic_fetch_add_explicit(&p->items_total, items,
	    memory_order_relaxed);
	atomic_fetch_add_explicit(&p->bytes_total, bytes,
	    memory_order_relaxed);
}

static inline void
dv_progress_bytes(struct dv_progress *p, uint64_t n)
{
	if (p != NULL)
		atomic_fetch_add_explicit(&p->bytes_done, n,
		    memory_order_relaxed);
}

static inline void
dv_progress_item_done(struct dv_progress *p)
{
	if (p != NULL)
		atomic_fetch_add_explicit(&p->items_done, 1,
		    memory_order_relaxed);
}

#endif
