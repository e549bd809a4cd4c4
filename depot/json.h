/* json.h - write one pretty-printed JSON document (json.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_JSON_H
#define DV_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Writes one pretty-printed JSON document; keys are NULL inside arrays.
 * Write errors are left on fp's error flag for whoever owns fp to check.
 */
struct json {
	FILE *fp;
	int depth;
	bool first[64];
};

void json_init(struct json *j, FILE *fp);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
/* s NULL writes null.  Invalid UTF-8 becomes U+FFFD so output stays JSON. */
void json_string(struct json *j, const char *key, const char *s);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
/* Ends the document with a newline. */
void json_finish(struct json *j);

#endif
