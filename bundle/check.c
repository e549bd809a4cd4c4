/* check.c - check a bundle folder, or the tar made of it, and read its plan. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../depot/archive.h"
#include "../depot/depot.h"
#include "../depot/sbuf.h"
#include "../depot/json.h"
#include "bundle.h"

#define READ_CHUNK (1u << 20)
/* What a bundle's own small files may weigh; ours are a few KiB. */
#define SUMS_MAX (1u << 20)
#define MANIFEST_MAX (16u << 20)
/* Files a bundle folder may hold: the Intel tool has a few hundred. */
#define FILES_MAX 100000
/* Folder depth inside a bundle: the Intel tool's are shallow. */
#define DEPTH_MAX 16

/* One file of the bundle as found: its name inside, and (tar) digest. */
struct found {
	char *name;
	char hex[HASH_HEX_MAX]; /* "" until hashed */
	bool listed;		/* named in SHA256SUMS */
};

/* A bundle as read: a folder, or the tar esxbundle create --tar made. */
struct view {
	const char *path;	/* as given */
	bool tar;
	struct ptrvec files;	/* struct found *, sorted by name */
	struct sbuf sums;	/* SHA256SUMS */
	struct sbuf manifest;	/* manifest.json */
	bool have_sums, have_manifest;
};

/* Written into the folder on the host by install.sh itself. */
static bool
host_written(const char *name)
{
	static const char *const names[] = {"install.log",
	    ".entered-maintenance-mode", "nvmupdate.log",
	    "nvmupdate-inventory.xml", "nvmupdate-results.xml"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return strncmp(name, "backup/", 7) == 0;
}

static int
by_name(const void *a, const void *b)
{
	const struct found *fa = *(struct found *const *)a;
	const struct found *fb = *(struct found *const *)b;

	return strcmp(fa->name, fb->name);
}

static struct found *
find(const struct view *v, const char *name)
{
	struct found key = {0}, *kp = &key, **hit;

	key.name = (char *)name;
	if (v->files.n == 0)
		return NULL;
	hit = bsearch(&kp, v->files.v, v->files.n, sizeof(*v->files.v),
	    by_name);
	return hit != NULL ? *hit : NULL;
}

static struct found *
add_found(struct view *v, const char *name)
{
	struct found *f = xcalloc(1, sizeof(*f));

	f->name = xstrdup(name);
	ptrvec_push(&v->files, f);
	return f;
}

static void
view_release(struct view *v)
{
	for (size_t i = 0; i < v->files.n; i++) {
		struct found *f = v->files.v[i];
		free(f->name);
		free(f);
	}
	ptrvec_release(&v->files);
	sbuf_release(&v->sums);
	sbuf_release(&v->manifest);
}

/* The whole of a small file we wrote, into sb, whose cap is its limit. */
static int
read_small(const char *path, struct sbuf *sb, struct dv_error *err)
{
	char chunk[4096];
	size_t n;
	FILE *fp;
	int ret = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", path);
	while (ret == 0 && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (sbuf_add(sb, chunk, n) != 0)
			ret = dv_error_set(err, DV_ELIMIT, "%s: larger than "
			    "%zu bytes; not made by esxbundle create", path,
			    sb->cap);
	if (ret == 0 && ferror(fp))
		ret = dv_error_errno(err, DV_EIO, "%s: cannot read", path);
	fclose(fp);
	return ret;
}

/* Every file under the folder dirfd (rel inside the bundle), links and
 * all, never followed. */
static int
list_folder(struct view *v, int dirfd, const char *rel, int depth,
    struct dv_error *err)
{
	struct sbuf sub = SBUF_INIT(SBUF_NOCAP);
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd, ret = 0;

	if (depth > DEPTH_MAX)
		return dv_error_set(err, DV_ELIMIT, "%s/%s: folders nested "
		    "deeper than %d", v->path, rel, DEPTH_MAX);
	if ((fd = dup(dirfd)) < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return dv_error_errno(err, DV_EIO, "%s/%s: cannot read",
		    v->path, rel);
	}
	while (ret == 0 && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sbuf_reset(&sub);
		sbuf_addf(&sub, "%s%s%s", rel, *rel != '\0' ? "/" : "",
		    de->d_name);
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				ret = dv_error_errno(err, DV_EIO, "%s/%s",
				    v->path, sub.buf);
				break;
			}
			ret = list_folder(v, fd, sub.buf, depth + 1, err);
			close(fd);
		} else if (v->files.n >= FILES_MAX) {
			ret = dv_error_set(err, DV_ELIMIT, "%s: more than %d "
			    "files", v->path, FILES_MAX);
		} else {
			add_found(v, sub.buf);
		}
	}
	closedir(dir);
	sbuf_release(&sub);
	return ret;
}

static int
open_folder(struct view *v, struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	int fd, ret;

	fd = open(v->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", v->path);
	ret = list_folder(v, fd, "", 0, err);
	close(fd);
	if (ret != 0)
		goto out;
	qsort(v->files.v, v->files.n, sizeof(*v->files.v), by_name);
	if (find(v, "SHA256SUMS") != NULL) {
		sbuf_addf(&path, "%s/SHA256SUMS", v->path);
		if ((ret = read_small(path.buf, &v->sums, err)) != 0)
			goto out;
		v->have_sums = true;
	}
	if (find(v, "manifest.json") != NULL) {
		sbuf_reset(&path);
		sbuf_addf(&path, "%s/manifest.json", v->path);
		if ((ret = read_small(path.buf, &v->manifest, err)) != 0)
			goto out;
		v->have_manifest = true;
	}
out:
	sbuf_release(&path);
	return ret;
}

static long
fd_read(void *ctx, void *buf, size_t len, struct dv_error *err)
{
	ssize_t n;

	do
		n = read(*(int *)ctx, buf, len);
	while (n < 0 && errno == EINTR && !outdir_interrupted());
	if (n < 0)
		return dv_error_errno(err, DV_EIO, "cannot read");
	return (long)n;
}

/* One file entry of the tar: hashed, and kept when it is one we read. */
static int
tar_member(struct view *v, struct tarfile *t, const char *name, char *buf,
    struct dv_error *err)
{
	struct hash *h = hash_new(HASH_SHA256);
	struct sbuf *keep = strcmp(name, "SHA256SUMS") == 0 ? &v->sums :
	    strcmp(name, "manifest.json") == 0 ? &v->manifest : NULL;
	struct found *f;
	long n;
	int ret = 0;

	if (v->files.n >= FILES_MAX) {
		ret = dv_error_set(err, DV_ELIMIT, "%s: more than %d files",
		    v->path, FILES_MAX);
		goto out;
	}
	f = add_found(v, name);
	while ((n = tarfile_read(t, buf, READ_CHUNK, err)) > 0) {
		hash_update(h, buf, (size_t)n);
		if (keep != NULL && sbuf_add(keep, buf, (size_t)n) != 0) {
			ret = dv_error_set(err, DV_ELIMIT, "%s: %s: larger than "
			    "%zu bytes; not made by esxbundle create", v->path,
			    name, keep->cap);
			goto out;
		}
		if ((ret = outdir_check(NULL, err)) != 0)
			goto out;
	}
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	hash_final_hex(h, f->hex);
	v->have_sums |= keep == &v->sums;
	v->have_manifest |= keep == &v->manifest;
out:
	hash_free(h);
	return ret;
}

/*
 * The tar: every entry is TOP/NAME under one top folder; the files are
 * hashed as they stream by, SHA256SUMS and manifest.json kept.  Entries
 * other than files and folders are listed, so they show as not in
 * SHA256SUMS.
 */
static int
open_tar(struct view *v, struct dv_error *err)
{
	struct tarfile *t = NULL;
	struct byte_source src;
	struct tar_entry e;
	char *top = NULL, *buf = NULL;
	const char *name;
	size_t toplen;
	int fd, ret;

	fd = open(v->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", v->path);
	src.read = fd_read;
	src.ctx = &fd;
	if ((ret = tarfile_open_source(&src, v->path, &t, err)) != 0)
		goto out;
	buf = xmalloc(READ_CHUNK);
	while ((ret = tarfile_next(t, &e, err)) == 1) {
		name = e.name;
		if (top == NULL)
			top = xstrndup(name, strcspn(name, "/"));
		toplen = strlen(top);
		if (strncmp(name, top, toplen) != 0 ||
		    (name[toplen] != '/' && name[toplen] != '\0') ||
		    dv_path_check(name) != 0) {
			ret = dv_error_set(err, DV_ETAR, "%s: '%s' is not inside "
			    "the bundle's folder '%s/'; not made by esxbundle "
			    "create", v->path, name, top);
			goto out;
		}
		name += toplen + (name[toplen] == '/');
		if (e.kind == TAR_ENTRY_DIR || *name == '\0')
			continue;
		if (e.kind != TAR_ENTRY_FILE)
			add_found(v, name);
		else if ((ret = tar_member(v, t, name, buf, err)) != 0)
			goto out;
	}
	if (ret == 0)
		qsort(v->files.v, v->files.n, sizeof(*v->files.v), by_name);
out:
	tarfile_close(t);
	close(fd);
	free(top);
	free(buf);
	return ret < 0 ? ret : 0;
}

/* A bundle folder, or a regular file taken for the tar of one. */
static int
view_open(const char *path, struct view *v, struct dv_error *err)
{
	struct stat st;

	memset(v, 0, sizeof(*v));
	v->path = path;
	sbuf_init(&v->sums, SUMS_MAX);
	sbuf_init(&v->manifest, MANIFEST_MAX);
	if (stat(path, &st) != 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", path);
	v->tar = S_ISREG(st.st_mode);
	return v->tar ? open_tar(v, err) : open_folder(v, err);
}

static int
hash_file(const char *path, char hex[HASH_HEX_MAX])
{
	struct hash *h = hash_new(HASH_SHA256);
	char *buf = xmalloc(READ_CHUNK);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret = -1;
	ssize_t n;

	if (fd >= 0) {
		while ((n = read(fd, buf, READ_CHUNK)) > 0)
			hash_update(h, buf, (size_t)n);
		ret = n == 0 ? 0 : -1;
		close(fd);
	}
	hash_final_hex(h, hex);
	hash_free(h);
	free(buf);
	return ret;
}

/* The digest of a listed file; false when it is missing or unreadable. */
static bool
digest_of(const struct view *v, struct found *f)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	bool ok;

	if (v->tar || f->hex[0] != '\0')
		return f->hex[0] != '\0';
	sbuf_addf(&path, "%s/%s", v->path, f->name);
	ok = hash_file(path.buf, f->hex) == 0;
	if (!ok)
		f->hex[0] = '\0';
	sbuf_release(&path);
	return ok;
}

/* SHA256SUMS against the files; marks the files it lists. */
static void
check_sums(struct view *v, struct bundle_report *r)
{
	char *line, *next, *name;
	bool have_script = false;
	size_t lineno = 0;
	struct found *f;

	for (line = v->sums.buf; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		lineno++;
		if (*line == '\0')
			continue;
		if (strlen(line) < 67 || strspn(line, "0123456789abcdef") != 64 ||
		    line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EFORMAT,
			    "SHA256SUMS line %zu: not '<sha256>  <file>'",
			    lineno);
			continue;
		}
		name = line + 66;
		/* A name may go into a folder (the Intel tool's), never up. */
		if (dv_path_check(name) != 0) {
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EPATH,
			    "SHA256SUMS line %zu: unsafe file name", lineno);
			continue;
		}
		r->nfiles++;
		have_script |= strcmp(name, "install.sh") == 0;
		if ((f = find(v, name)) != NULL)
			f->listed = true;
		if (f == NULL || !digest_of(v, f))
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EMISSING,
			    "%s: missing or unreadable", name);
		else if (memcmp(f->hex, line, 64) != 0)
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EDIGEST,
			    "%s: SHA-256 mismatch: %s calculated, %.64s "
			    "expected", name, f->hex, line);
	}
	if (!have_script)
		dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EMISSING,
		    "SHA256SUMS does not list install.sh");
}

/* manifest.json: JSON, and each input it names is in SHA256SUMS with
 * the digest it records. */
static void
check_manifest(struct view *v, struct bundle_report *r)
{
	const struct dv_json_value *inputs, *in;
	struct dv_json_value *root = NULL;
	struct dv_error jerr = DV_ERROR_INIT;
	const char *name, *sha;
	struct found *f;

	if (dv_json_parse(v->manifest.buf, v->manifest.len, "manifest.json",
	    &root, &jerr) != 0) {
		dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EFORMAT, "%s",
		    jerr.msg);
		return;
	}
	inputs = dv_json_get(root, "inputs");
	if (!dv_json_is_array(inputs))
		dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EFORMAT,
		    "manifest.json: no \"inputs\" list");
	for (size_t i = 0; i < dv_json_count(inputs); i++) {
		in = dv_json_at(inputs, i);
		name = dv_json_str(dv_json_get(in, "name"));
		sha = dv_json_str(dv_json_get(in, "sha256"));
		if (name == NULL || sha == NULL) {
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EFORMAT,
			    "manifest.json: input %zu has no name or sha256",
			    i + 1);
			continue;
		}
		/* A tool folder's digest is its files' (each in SHA256SUMS). */
		if (dv_json_get(in, "files") != NULL)
			continue;
		f = find(v, name);
		if (f == NULL || !f->listed)
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EMISSING,
			    "manifest.json: input %s is not in SHA256SUMS",
			    name);
		else if (f->hex[0] != '\0' && strcmp(f->hex, sha) != 0)
			dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EDIGEST,
			    "manifest.json: input %s: SHA-256 %s recorded, %s in "
			    "the bundle", name, sha, f->hex);
	}
	dv_json_free(root);
}

int
bundle_check(const char *path, struct bundle_report *r,
    struct dv_error *err)
{
	struct view v;
	int ret;

	memset(r, 0, sizeof(*r));
	if ((ret = view_open(path, &v, err)) != 0)
		goto out;
	r->tar = v.tar;
	if (!v.have_sums) {
		ret = dv_error_set(err, DV_EIO, "%s%s: no SHA256SUMS; not a "
		    "bundle made by esxbundle create", path,
		    v.tar ? "" : "/SHA256SUMS");
		goto out;
	}
	check_sums(&v, r);
	if (!v.have_manifest)
		dv_diag_add(&r->problems, DV_DIAG_FAIL, DV_EMISSING,
		    "manifest.json: missing");
	else
		check_manifest(&v, r);
	for (size_t i = 0; i < v.files.n; i++) {
		const struct found *f = v.files.v[i];
		if (!f->listed && strcmp(f->name, "SHA256SUMS") != 0 &&
		    !host_written(f->name))
			ptrvec_push(&r->unlisted, xstrdup(f->name));
	}
out:
	view_release(&v);
	if (ret != 0)
		bundle_report_release(r);
	return ret;
}

void
bundle_report_release(struct bundle_report *r)
{
	dv_diags_release(&r->problems);
	for (size_t i = 0; i < r->unlisted.n; i++)
		free(r->unlisted.v[i]);
	ptrvec_release(&r->unlisted);
	r->nfiles = 0;
}

int
bundle_steps(const char *path, struct ptrvec *out, struct dv_error *err)
{
	struct sbuf what = SBUF_INIT(SBUF_NOCAP);
	struct dv_json_value *root = NULL;
	const struct dv_json_value *steps;
	struct view v;
	const char *s;
	size_t i;
	int ret;

	if ((ret = view_open(path, &v, err)) != 0)
		goto out;
	sbuf_addf(&what, "%s%smanifest.json", path, v.tar ? ": " : "/");
	if (!v.have_manifest) {
		ret = dv_error_set(err, DV_EIO, "%s: cannot open: No such file "
		    "or directory", what.buf);
		goto out;
	}
	if ((ret = dv_json_parse(v.manifest.buf, v.manifest.len, what.buf,
	    &root, err)) != 0)
		goto out;
	steps = dv_json_get(root, "steps");
	if (!dv_json_is_array(steps)) {
		ret = dv_error_set(err, DV_EFORMAT, "%s: no \"steps\" list (not "
		    "made by esxbundle create, or damaged)", what.buf);
		goto out;
	}
	for (i = 0; i < dv_json_count(steps); i++) {
		if ((s = dv_json_str(dv_json_at(steps, i))) == NULL) {
			ret = dv_error_set(err, DV_EFORMAT, "%s: step %zu is not "
			    "a string", what.buf, i + 1);
			goto out;
		}
		ptrvec_push(out, xstrdup(s));
	}
out:
	if (ret != 0) {
		for (i = 0; i < out->n; i++)
			free(out->v[i]);
		out->n = 0;
	}
	dv_json_free(root);
	view_release(&v);
	sbuf_release(&what);
	return ret;
}
