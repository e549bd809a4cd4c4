/* json.c - write and read JSON: our small API over jansson. */
/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one file that includes <jansson.h>.  jansson rather than json-c:
 * it is small, its ABI has been stable since 2.0 (Debian's libjansson4),
 * its parser is strict by default and says where it failed (line, column
 * and a reason), it can refuse duplicate keys, it keeps an object's keys
 * in insertion order when dumping (JSON_PRESERVE_ORDER, so our output is
 * stable and reads in a sensible order), and it keeps no global state
 * that a library would have to set up or tear down.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"
#include "sbuf.h"
#include "xalloc.h"

/* jansson fails only on allocation (or a bug of ours): both fatal. */
static json_t *
must(json_t *v)
{
	if (v == NULL)
		xalloc_oom();
	return v;
}

/* The length of the valid UTF-8 sequence at s, or 0 when it is invalid. */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A jansson string for s; jansson takes only valid UTF-8. */
static json_t *
string_value(const char *s)
{
	struct sbuf fixed = SBUF_INIT(SBUF_NOCAP);
	const unsigned char *p;
	json_t *v;
	size_t n;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		if ((n = utf8_seq(p)) == 0) {
			sbuf_adds(&fixed, "\xef\xbf\xbd");
			n = 1;
		} else {
			sbuf_add(&fixed, p, n);
		}
	}
	v = must(json_string(fixed.buf));
	sbuf_release(&fixed);
	return v;
}

void
dv_json_init(struct dv_json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
}

/* Put v (a new reference, handed over) at key in the innermost container,
 * or make it the document. */
static void
add(struct dv_json *j, const char *key, json_t *v)
{
	json_t *in;

	must(v);
	if (j->depth == 0) {
		if (j->root != NULL)
			abort(); /* two documents: our bug */
		j->root = v;
		return;
	}
	in = j->open[j->depth - 1];
	if (json_is_object(in)) {
		if (key == NULL || json_object_set_new(in, key, v) != 0)
			abort(); /* a key that is not UTF-8 is our bug */
	} else if (json_array_append_new(in, v) != 0) {
		xalloc_oom();
	}
}

static void
open_container(struct dv_json *j, const char *key, json_t *c)
{
	if (j->depth + 1 >= DV_JSON_DEPTH)
		abort();
	add(j, key, must(c));
	j->open[j->depth++] = c;
}

void
dv_json_object_begin(struct dv_json *j, const char *key)
{
	open_container(j, key, json_object());
}

void
dv_json_object_end(struct dv_json *j)
{
	j->depth--;
}

void
dv_json_array_begin(struct dv_json *j, const char *key)
{
	open_container(j, key, json_array());
}

void
dv_json_array_end(struct dv_json *j)
{
	j->depth--;
}

void
dv_json_string(struct dv_json *j, const char *key, const char *s)
{
	add(j, key, string_value(s));
}

void
dv_json_uint(struct dv_json *j, const char *key, uint64_t v)
{
	add(j, key, v <= INT64_MAX ? json_integer((json_int_t)v) :
	    json_real((double)v));
}

void
dv_json_bool(struct dv_json *j, const char *key, bool v)
{
	add(j, key, json_boolean(v));
}

void
dv_json_strings(struct dv_json *j, const char *key, const char *const *v,
    size_t n)
{
	dv_json_array_begin(j, key);
	for (size_t i = 0; i < n; i++)
		dv_json_string(j, NULL, v[i]);
	dv_json_array_end(j);
}

void
dv_json_finish(struct dv_json *j)
{
	json_t *root = j->root;

	/* Errors stay on fp, for its owner's ferror. */
	if (root != NULL)
		(void)json_dumpf(root, j->fp, JSON_INDENT(2) |
		    JSON_PRESERVE_ORDER);
	fputc('\n', j->fp);
	json_decref(root);
	j->root = NULL;
}

/* ---- reading ------------------------------------------------------------ */

/* A struct dv_json_value is a json_t; the type only hides jansson. */
static const json_t *
jv(const struct dv_json_value *v)
{
	return (const json_t *)(const void *)v;
}

static const struct dv_json_value *
dv(const json_t *v)
{
	return (const struct dv_json_value *)(const void *)v;
}

int
dv_json_parse(const char *buf, size_t len, const char *what,
    struct dv_json_value **out, struct dv_error *err)
{
	json_error_t e;
	json_t *root;

	*out = NULL;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
	if (root == NULL)
		return dv_error_set(err, DV_EFORMAT, "%s: line %d column %d: %s",
		    what, e.line, e.column, e.text);
	*out = (struct dv_json_value *)(void *)root;
	return 0;
}

void
dv_json_free(struct dv_json_value *root)
{
	json_decref((json_t *)(void *)root);
}

const struct dv_json_value *
dv_json_get(const struct dv_json_value *obj, const char *key)
{
	if (obj == NULL || !json_is_object(jv(obj)))
		return NULL;
	return dv(json_object_get(jv(obj), key));
}

size_t
dv_json_count(const struct dv_json_value *v)
{
	return v != NULL && json_is_array(jv(v)) ? json_array_size(jv(v)) : 0;
}

const struct dv_json_value *
dv_json_at(const struct dv_json_value *v, size_t i)
{
	if (v == NULL || !json_is_array(jv(v)))
		return NULL;
	return dv(json_array_get(jv(v), i));
}

bool
dv_json_is_array(const struct dv_json_value *v)
{
	return v != NULL && json_is_array(jv(v));
}

const char *
dv_json_str(const struct dv_json_value *v)
{
	return v != NULL && json_is_string(jv(v)) ? json_string_value(jv(v)) :
	    NULL;
}

int
dv_json_each(const struct dv_json_value *v,
    int (*fn)(void *ctx, const char *key, const struct dv_json_value *val),
    void *ctx)
{
	/* jansson walks a const object through a non-const pointer. */
	json_t *obj = (json_t *)(uintptr_t)jv(v);
	const char *key;
	json_t *val;
	int ret;

	if (v == NULL || !json_is_object(obj))
		return 0;
	json_object_foreach(obj, key, val) {
		if ((ret = fn(ctx, key, dv(val))) != 0)
			return ret;
	}
	return 0;
}
