/* json.c - write one pretty-printed JSON document, always valid. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include "json.h"

void
json_init(struct json *j, FILE *fp)
{
	memset(j, 0, sizeof(*j));
	j->fp = fp;
	j->first[0] = true;
}

static void
indent(struct json *j)
{
	fputc('\n', j->fp);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->fp);
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

static void
write_string(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', fp);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fputc('\\', fp);
			fputc(*p++, fp);
		} else if (*p == '\n') {
			fputs("\\n", fp), p++;
		} else if (*p == '\t') {
			fputs("\\t", fp), p++;
		} else if (*p == '\r') {
			fputs("\\r", fp), p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(fp, "\\u%04x", *p++);
		} else if ((n = utf8_seq(p)) == 0) {
			fputs("\\ufffd", fp), p++;
		} else {
			/* Errors stay on fp, for its owner's ferror. */
			(void)fwrite(p, 1, n, fp);
			p += n;
		}
	}
	fputc('"', fp);
}

static void
member(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->fp);
		indent(j);
	}
	j->first[j->depth] = false;
	if (key != NULL) {
		write_string(j->fp, key);
		fputs(": ", j->fp);
	}
}

static void
open_container(struct json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->fp);
	/* Our documents nest a handful of levels; deeper is a bug here. */
	if (j->depth + 1 >= (int)(sizeof(j->first) / sizeof(j->first[0])))
		abort();
	j->depth++;
	j->first[j->depth] = true;
}

static void
close_container(struct json *j, char c)
{
	bool empty = j->first[j->depth];

	j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->fp);
}

void
json_object_begin(struct json *j, const char *key)
{
	open_container(j, key, '{');
}

void
json_object_end(struct json *j)
{
	close_container(j, '}');
}

void
json_array_begin(struct json *j, const char *key)
{
	open_container(j, key, '[');
}

void
json_array_end(struct json *j)
{
	close_container(j, ']');
}

void
json_string(struct json *j, const char *key, const char *s)
{
	member(j, key);
	if (s == NULL)
		fputs("null", j->fp);
	else
		write_string(j->fp, s);
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->fp, "%llu", (unsigned long long)v);
}

void
json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->fp);
}

void
json_finish(struct json *j)
{
	fputc('\n', j->fp);
}
