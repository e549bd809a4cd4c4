/* suggest.h - "did you mean": the closest of a list of names to a typo. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_SUGGEST_H
#define DV_SUGGEST_H

#include <stddef.h>

/*
 * The name of names[0..n) closest to typed, or NULL when none is close
 * enough to be a likely typo: at most a third of the longer name's length
 * in edits (insert, delete, substitute, swap two neighbours), and at least
 * one edit fewer than the runner-up so a tie suggests nothing.  Case is
 * folded.  Names longer than DV_SUGGEST_MAXLEN are never suggested, which
 * keeps the cost at n * DV_SUGGEST_MAXLEN^2 for any input.
 */
#define DV_SUGGEST_MAXLEN 128
const char *dv_suggest(const char *typed, const char *const *names, size_t n);

#endif
