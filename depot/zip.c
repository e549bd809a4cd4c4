/* zip.c - the only user of libzip: open, list and read zip members. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "depot_int.h"

struct zipfile {
	zip_t *za;
	char *label; /* what messages call this archive */
	size_t count;
};

struct zipstream {
	zip_file_t *zf;
	const char *label;
	const char *name;
};

static int
zip_open_error(int zerr, int sys, const char *label, struct dv_error *err)
{
	zip_error_t ze;
	int ret;

	zip_error_init_with_code(&ze, zerr);
	switch (zerr) {
	case ZIP_ER_NOZIP:
		ret = dv_error_set(err, DV_ENOTZIP, "%s: not a zip archive",
		    label);
		break;
	case ZIP_ER_OPEN:
	case ZIP_ER_READ:
	case ZIP_ER_SEEK:
		errno = sys != 0 ? sys : errno;
		ret = dv_error_set(err, DV_EIO, "%s: cannot read: %s", label,
		    zip_error_strerror(&ze));
		break;
	case ZIP_ER_MEMORY:
		ret = dv_error_set(err, DV_ELIMIT, "%s: %s", label,
		    zip_error_strerror(&ze));
		break;
	default:
		ret = dv_error_set(err, DV_EZIP, "%s: damaged zip archive: %s",
		    label, zip_error_strerror(&ze));
		break;
	}
	zip_error_fini(&ze);
	return ret;
}

static int
zipfile_setup(zip_t *za, const char *label, struct zipfile **out,
    struct dv_error *err)
{
	struct zipfile *zf;
	zip_int64_t n = zip_get_num_entries(za, 0);

	if (n < 0 || (uint64_t)n > DV_MAX_ZIP_ENTRIES) {
		zip_discard(za);
		return dv_error_set(err, DV_ELIMIT,
		    "%s: more than %u members", label, DV_MAX_ZIP_ENTRIES);
	}
	zf = xcalloc(1, sizeof(*zf));
	zf->za = za;
	zf->label = xstrdup(label);
	zf->count = (size_t)n;
	*out = zf;
	return 0;
}

int
zipfile_open(const char *path, struct zipfile **out, struct dv_error *err)
{
	struct stat st;
	zip_t *za;
	int zerr = 0;

	*out = NULL;
	if (stat(path, &st) != 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", path);
	if (S_ISDIR(st.st_mode))
		return dv_error_set(err, DV_EIO,
		    "%s: is a directory, not a depot zip", path);
	if (st.st_size == 0)
		return dv_error_set(err, DV_ENOTZIP,
		    "%s: empty file, not a zip archive", path);
	za = zip_open(path, ZIP_RDONLY, &zerr);
	if (za == NULL)
		return zip_open_error(zerr, errno, path, err);
	return zipfile_setup(za, path, out, err);
}

int
zipfile_open_mem(const void *data, size_t len, const char *label,
    struct zipfile **out, struct dv_error *err)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	int ret;

	*out = NULL;
	if (len == 0)
		return dv_error_set(err, DV_ENOTZIP,
		    "%s: empty file, not a zip archive", label);
	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	if (src == NULL) {
		zip_error_fini(&ze);
		return dv_error_set(err, DV_EZIP, "%s: cannot read zip", label);
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (za == NULL) {
		ret = zip_open_error(zip_error_code_zip(&ze), 0, label, err);
		zip_source_free(src);
		zip_error_fini(&ze);
		return ret;
	}
	zip_error_fini(&ze);
	return zipfile_setup(za, label, out, err);
}

void
zipfile_close(struct zipfile *zf)
{
	if (zf == NULL)
		return;
	zip_discard(zf->za);
	free(zf->label);
	free(zf);
}

const char *
zipfile_label(const struct zipfile *zf)
{
	return zf->label;
}

size_t
zipfile_count(const struct zipfile *zf)
{
	return zf->count;
}

int
zipfile_entry(struct zipfile *zf, size_t i, struct zip_entry *out,
    struct dv_error *err)
{
	zip_stat_t st;
	zip_uint8_t opsys;
	zip_uint32_t attr;
	const char *raw;
	unsigned mode;
	size_t len;

	memset(out, 0, sizeof(*out));
	zip_stat_init(&st);
	if (zip_stat_index(zf->za, i, 0, &st) != 0 ||
	    (st.valid & ZIP_STAT_NAME) == 0)
		return dv_error_set(err, DV_EZIP, "%s: member %zu: %s",
		    zf->label, i, zip_strerror(zf->za));
	out->name = st.name;
	out->size = st.size;
	out->comp_size = st.comp_size;
	len = strlen(st.name);
	out->kind = len > 0 && st.name[len - 1] == '/' ? ZIP_ENTRY_DIR :
	    ZIP_ENTRY_FILE;
	/* A NUL inside the stored name would let two names look alike. */
	raw = zip_get_name(zf->za, i, ZIP_FL_ENC_RAW);
	if (raw != NULL && strlen(raw) != len)
		out->name_has_nul = true;
	if (zip_file_get_external_attributes(zf->za, i, 0, &opsys, &attr) ==
	    0 && opsys == ZIP_OPSYS_UNIX) {
		mode = attr >> 16;
		/* Many writers store permissions without the type bits. */
		if ((mode & S_IFMT) == 0)
			;
		else if (S_ISLNK(mode))
			out->kind = ZIP_ENTRY_SYMLINK;
		else if (S_ISDIR(mode))
			out->kind = ZIP_ENTRY_DIR;
		else if (!S_ISREG(mode))
			out->kind = ZIP_ENTRY_OTHER;
	}
	return 0;
}

long
zipfile_find(struct zipfile *zf, const char *name)
{
	zip_int64_t i = zip_name_locate(zf->za, name, 0);

	return i < 0 ? -1 : (long)i;
}

int
zipstream_open(struct zipfile *zf, size_t i, struct zipstream **out,
    struct dv_error *err)
{
	struct zipstream *zs;
	zip_file_t *f;

	*out = NULL;
	f = zip_fopen_index(zf->za, i, 0);
	if (f == NULL)
		return dv_error_set(err, DV_EZIP, "%s: %s: cannot read: %s",
		    zf->label, zip_get_name(zf->za, i, 0),
		    zip_strerror(zf->za));
	zs = xcalloc(1, sizeof(*zs));
	zs->zf = f;
	zs->label = zf->label;
	zs->name = zip_get_name(zf->za, i, 0);
	*out = zs;
	return 0;
}

long
zipstream_read(struct zipstream *zs, void *buf, size_t len,
    struct dv_error *err)
{
	zip_int64_t n = zip_fread(zs->zf, buf, len);

	if (n < 0)
		return dv_error_set(err, DV_EZIP, "%s: %s: %s", zs->label,
		    zs->name, zip_file_strerror(zs->zf));
	return (long)n;
}

void
zipstream_close(struct zipstream *zs)
{
	if (zs == NULL)
		return;
	zip_fclose(zs->zf);
	free(zs);
}

int
zipfile_read(struct zipfile *zf, size_t i, size_t cap, struct sbuf *out,
    struct dv_error *err)
{
	struct zipstream *zs = NULL;
	char chunk[65536];
	long n;
	int ret;

	sbuf_release(out);
	sbuf_init(out, cap);
	if ((ret = zipstream_open(zf, i, &zs, err)) != 0)
		return ret;
	while ((n = zipstream_read(zs, chunk, sizeof(chunk), err)) > 0) {
		/* The cap holds whatever size the header claims. */
		if (sbuf_add(out, chunk, (size_t)n) != 0) {
			ret = dv_error_set(err, DV_ELIMIT,
			    "%s: %s: larger than %zu bytes", zf->label,
			    zs->name, cap);
			goto out;
		}
	}
	ret = n < 0 ? (int)n : 0;
out:
	zipstream_close(zs);
	return ret;
}
