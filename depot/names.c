/* names.c - one home for the rules on hostile names and their display. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <strings.h>

#include "dv_limits.h"
#include "error.h"
#include "names.h"

const char *
dv_member_problem(const char *name)
{
	const char *p, *e;

	if (*name == '\0')
		return "empty member name";
	if (strlen(name) > DV_MAX_NAME_BYTES)
		return "member name too long";
	if (name[0] == '/')
		return "absolute path";
	if (((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' &&
	    name[0] <= 'z')) && name[1] == ':')
		return "drive letter in the member name";
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "control character in the member name";
		if (*p == '\\')
			return "backslash in the member name";
	}
	for (p = name; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e - p == 2 && p[0] == '.' && p[1] == '.')
			return "'..' in the member name";
	}
	return NULL;
}

/*
 * Stricter than dv_member_problem: a path a depot's metadata names must
 * also be free of ':' (no URL scheme, no drive), since it is joined onto
 * the member that names it.
 */
int
dv_path_check(const char *name)
{
	const char *p = name, *e;

	if (*name == '\0' || *name == '/')
		return -DV_EPATH;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\' ||
		    *p == ':')
			return -DV_EPATH;
	for (p = name; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e - p == 2 && p[0] == '.' && p[1] == '.')
			return -DV_EPATH;
	}
	return 0;
}

int
dv_path_join(const char *base, const char *ref, struct sbuf *out)
{
	const char *slash = strrchr(base, '/'), *p, *e;
	int ret;

	sbuf_reset(out);
	if ((ret = dv_path_check(ref)) != 0)
		return ret;
	/* A reference ending in "/" names a directory, never a file. */
	if (ref[strlen(ref) - 1] == '/')
		return -DV_EPATH;
	if (slash != NULL && (ret = sbuf_add(out, base,
	    (size_t)(slash - base) + 1)) != 0)
		return ret;
	/* Drop "." and empty components: "./x" and "a//x" name "x", "a/x". */
	for (p = ref; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p || (e - p == 1 && *p == '.'))
			continue;
		if (out->len > 0 && out->buf[out->len - 1] != '/')
			sbuf_addch(out, '/');
		if ((ret = sbuf_add(out, p, (size_t)(e - p))) != 0)
			return ret;
	}
	if (out->len == 0 || out->buf[out->len - 1] == '/')
		return -DV_EPATH;
	return dv_path_check(out->buf);
}

void
dv_shown_name(struct sbuf *sb, const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (++n > DV_SHOWN_MAX && strlen(s) > 3) {
			sbuf_adds(sb, "...");
			return;
		}
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			sbuf_addf(sb, "\\x%02x", ch);
		else
			sbuf_addch(sb, *s);
	}
}

bool
dv_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

const char *
dv_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}
