/* names.c - one home for the rules on hostile names and their display. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "archive.h"
#include "depot_int.h"
#include "names.h"
#include "smap.h"

/*
 * The component rules, in one walk: never a ".." component, and for a
 * path we create (creating) no empty or "." component either, so that
 * the file lands under exactly the name that was checked.
 */
static const char *
component_problem(const char *name, bool creating)
{
	const char *p, *e;

	for (p = name; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if (e - p == 2 && p[0] == '.' && p[1] == '.')
			return "'..' in the member name";
		if (creating && e == p)
			return "empty path component";
		if (creating && e - p == 1 && p[0] == '.')
			return "'.' component";
	}
	return NULL;
}

const char *
dv_member_problem(const char *name)
{
	const char *p;

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
	return component_problem(name, false);
}

const char *
dv_out_path_problem(const char *rel)
{
	const char *why = dv_member_problem(rel);

	return why != NULL ? why : component_problem(rel, true);
}

/*
 * Stricter than dv_member_problem: a path a depot's metadata names must
 * also be free of ':' (no URL scheme, no drive), since it is joined onto
 * the member that names it.
 */
int
dv_path_check(const char *name)
{
	const char *p = name;

	if (*name == '\0' || *name == '/')
		return -DV_EPATH;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\' ||
		    *p == ':')
			return -DV_EPATH;
	return component_problem(name, false) != NULL ? -DV_EPATH : 0;
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

const char *
dv_zip_entry_problem(const struct zip_entry *e)
{
	const char *why = e->name_has_nul ? "NUL byte in the member name" :
	    dv_member_problem(e->name);

	if (why == NULL && e->kind == ZIP_ENTRY_SYMLINK)
		why = "is a symbolic link";
	if (why == NULL && e->kind == ZIP_ENTRY_OTHER)
		why = "is a device or special file";
	return why;
}

const char *
dv_tar_entry_problem(const struct tar_entry *e)
{
	static const char *const problems[] = {
		[TAR_ENTRY_FILE] = NULL,
		[TAR_ENTRY_DIR] = NULL,
		[TAR_ENTRY_SYMLINK] = "is a symbolic link",
		[TAR_ENTRY_HARDLINK] = "is a hard link",
		[TAR_ENTRY_DEVICE] = "is a device file",
		[TAR_ENTRY_OTHER] = "is a fifo or other special file",
	};
	const char *why = dv_member_problem(e->name);

	return why != NULL ? why : problems[e->kind];
}

bool
dv_zip_is_depot(struct zipfile *zf)
{
	return zipfile_find(zf, "index.xml") >= 0;
}

/* What one folder holding an index.xml has at or below it. */
struct depot_folder {
	bool xml, zip;
};

/* The length of the folder part of s ("a/b" of "a/b/c"), 0 for none. */
static size_t
dir_len(const char *s)
{
	const char *base = dv_base_name(s);

	return base > s ? (size_t)(base - s) - 1 : 0;
}

bool *
dv_depot_folders(const char *(*name)(void *ctx, size_t i), void *ctx,
    size_t n)
{
	struct smap folders = SMAP_INIT;
	struct ptrvec keys = PTRVEC_INIT;
	struct depot_folder *f;
	bool *yes = xcalloc(n + 1, sizeof(*yes));
	const char *s;
	char *path;
	size_t i, k, len;

	/* The folders that hold an index.xml. */
	for (i = 0; i < n; i++) {
		if ((s = name(ctx, i)) == NULL || strlen(s) > DV_MAX_NAME_BYTES ||
		    strcmp(dv_base_name(s), "index.xml") != 0)
			continue;
		path = xstrndup(s, dir_len(s));
		if (smap_get(&folders, path) != NULL) {
			free(path);
			continue;
		}
		ptrvec_push(&keys, path);
		smap_put(&folders, path, xcalloc(1, sizeof(*f)));
	}
	/* Each other .xml and each .zip counts for every folder above it. */
	for (i = 0; i < n && folders.n > 0; i++) {
		bool zip, xml;
		if ((s = name(ctx, i)) == NULL || strlen(s) > DV_MAX_NAME_BYTES)
			continue;
		zip = dv_has_suffix(s, ".zip");
		xml = !zip && dv_has_suffix(s, ".xml") &&
		    strcmp(dv_base_name(s), "index.xml") != 0;
		if (!zip && !xml)
			continue;
		path = xstrdup(s);
		for (len = dir_len(s);; len = dir_len(path)) {
			path[len] = '\0';
			if ((f = smap_get(&folders, path)) != NULL) {
				f->zip = f->zip || zip;
				f->xml = f->xml || xml;
			}
			if (len == 0)
				break;
		}
		free(path);
	}
	for (i = 0; i < n; i++) {
		if ((s = name(ctx, i)) == NULL || strlen(s) > DV_MAX_NAME_BYTES ||
		    strcmp(dv_base_name(s), "index.xml") != 0)
			continue;
		path = xstrndup(s, dir_len(s));
		f = smap_get(&folders, path);
		yes[i] = f != NULL && f->xml && f->zip;
		free(path);
	}
	for (k = 0; k < keys.n; k++) {
		free(smap_get(&folders, keys.v[k]));
		free(keys.v[k]);
	}
	ptrvec_release(&keys);
	smap_release(&folders);
	return yes;
}

/* One byte of a name as shown: itself, or \xNN for a control byte. */
static size_t
shown_byte(unsigned char ch, char out[5])
{
	if (ch < 0x20 || ch == 0x7f)
		return (size_t)snprintf(out, 5, "\\x%02x", ch);
	out[0] = (char)ch;
	out[1] = '\0';
	return 1;
}

void
dv_shown_name(struct sbuf *sb, const char *s)
{
	char b[5];
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (++n > DV_SHOWN_MAX && strlen(s) > 3) {
			sbuf_adds(sb, "...");
			return;
		}
		sbuf_add(sb, b, shown_byte((unsigned char)*s, b));
	}
}

void
dv_shown_buf(char *out, size_t size, const char *in, size_t len)
{
	char b[5];
	size_t i, k, n = 0;

	for (i = 0; i < len; i++) {
		k = shown_byte((unsigned char)in[i], b);
		if (n + k + 4 > size) /* room for "..." and the NUL */
			break;
		memcpy(out + n, b, k);
		n += k;
	}
	if (i < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
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
