/* suggest.c - "did you mean": restricted Damerau-Levenshtein distance. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <ctype.h>
#include <string.h>

#include "suggest.h"

/*
 * Edits from a to b (optimal string alignment), or more than limit when the
 * answer would exceed it.  Three rows of the table suffice.
 */
static size_t
distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][DV_SUGGEST_MAXLEN + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t best = prev[j - 1] + (ca != cb);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *
dv_suggest(const char *typed, const char *const *names, size_t n)
{
	size_t lt = strlen(typed), best = (size_t)-1, second = (size_t)-1;
	const char *pick = NULL;

	if (lt == 0 || lt > DV_SUGGEST_MAXLEN)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t ln = strlen(names[i]), d;

		if (ln > DV_SUGGEST_MAXLEN)
			continue;
		d = distance(typed, lt, names[i], ln);
		if (d < best) {
			second = best;
			best = d;
			pick = names[i];
		} else if (d < second) {
			second = d;
		}
	}
	if (pick == NULL || best == second)
		return NULL;
	if (best == 0) /* the same name in other case */
		return strcmp(pick, typed) != 0 ? pick : NULL;
	size_t longer = lt > strlen(pick) ? lt : strlen(pick);
	return best * 3 <= longer ? pick : NULL;
}
