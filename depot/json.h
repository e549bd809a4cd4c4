/* json.h - write and read JSON documents, over jansson (json.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_JSON_H
#define DV_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

/*
 * Writing: one document, built member by member and written to fp by
 * dv_json_finish, pretty-printed with two spaces, keys in the order they
 * were added.  Keys are NULL inside arrays.  Strings that are not valid
 * UTF-8 have each bad byte replaced by U+FFFD, so the output is always
 * JSON.  Write errors are left on fp's error flag for whoever owns fp to
 * check.  Nesting deeper than DV_JSON_DEPTH is a bug of the caller.
 */
#define DV_JSON_DEPTH 64

struct dv_json {
	FILE *fp;
	int depth;
	void *root;		   /* the document */
	void *open[DV_JSON_DEPTH]; /* the containers being filled, outermost
				    * first */
};

void dv_json_init(struct dv_json *j, FILE *fp);
void dv_json_object_begin(struct dv_json *j, const char *key);
void dv_json_object_end(struct dv_json *j);
void dv_json_array_begin(struct dv_json *j, const char *key);
void dv_json_array_end(struct dv_json *j);
/* s NULL writes null. */
void dv_json_string(struct dv_json *j, const char *key, const char *s);
/* Exact up to INT64_MAX; above that written as a floating-point number. */
void dv_json_uint(struct dv_json *j, const char *key, uint64_t v);
void dv_json_bool(struct dv_json *j, const char *key, bool v);
/* An array of the n strings v (a dv_strlist's, a ptrvec's of strings). */
void dv_json_strings(struct dv_json *j, const char *key,
    const char *const *v, size_t n);
/* Write the document, ending with a newline, and free it. */
void dv_json_finish(struct dv_json *j);

/*
 * Reading: a parsed document is a tree of values owned by its root; free
 * the root with dv_json_free.  The accessors take NULL and values of the
 * wrong type and then return NULL (or 0), so a caller can walk a path and
 * check once at the end.
 */
struct dv_json_value;

/*
 * Parse len bytes of buf, one JSON document, strictly: no duplicate keys,
 * no NUL in strings, nothing after the document.  what names the input
 * in the message.  Errors: DV_EFORMAT ("WHAT: line L column C: why").
 */
int dv_json_parse(const char *buf, size_t len, const char *what,
    struct dv_json_value **out, struct dv_error *err);
void dv_json_free(struct dv_json_value *root);

/* obj's member key, when obj is an object that has it. */
const struct dv_json_value *dv_json_get(const struct dv_json_value *obj,
    const char *key);
/* The number of elements when v is an array, else 0. */
size_t dv_json_count(const struct dv_json_value *v);
/* Element i of an array. */
const struct dv_json_value *dv_json_at(const struct dv_json_value *v,
    size_t i);
bool dv_json_is_array(const struct dv_json_value *v);
/* The string when v is a string (NUL-free, UTF-8), else NULL. */
const char *dv_json_str(const struct dv_json_value *v);
/*
 * Call fn with each member of the object v (none when v is not one);
 * the first nonzero return stops the walk and is returned.
 */
int dv_json_each(const struct dv_json_value *v,
    int (*fn)(void *ctx, const char *key, const struct dv_json_value *val),
    void *ctx);

#endif
