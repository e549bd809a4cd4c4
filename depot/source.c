/* source.c - one reader, three places a depot's files come from. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depot_int.h"
#include "http.h"
#include "source.h"

#define READ_BUF (256u << 10)

/* A document a URL source downloaded, kept so it is fetched once. */
struct cached {
	char *member;
	char *data;
	size_t len;
};

struct depot_source {
	enum source_kind kind;
	char *label;
	char *root;
	struct zipfile *zip; /* SOURCE_ZIP */
	char *zip_path;	     /* the zip on disk; NULL when in memory */
	const void *mem;     /* the zip in memory */
	size_t memlen;
	char *dir;	     /* SOURCE_DIR: the folder, no trailing slash */
	char *base;	     /* SOURCE_URL: up to the last '/', may say {token} */
	struct http_opts net;
	struct http *http;   /* opened at the first download */
	struct cached *cache;
	size_t ncache;
};

static bool
has_suffix_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The last component of a path or URL, and the length before it. */
static const char *
last_part(const char *s, size_t *dirlen)
{
	const char *slash = strrchr(s, '/');

	*dirlen = slash != NULL ? (size_t)(slash - s) : 0;
	return slash != NULL ? slash + 1 : s;
}

static struct depot_source *
source_new(enum source_kind kind, const char *label)
{
	struct depot_source *s = xcalloc(1, sizeof(*s));

	s->kind = kind;
	s->label = xstrdup(label);
	s->root = xstrdup("index.xml");
	return s;
}

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A folder, or an index file in one: find the root index. */
static int
open_dir(const char *where, const char *label, struct depot_source **out,
    struct dv_error *err)
{
	struct depot_source *s;
	struct sbuf p = SBUF_INIT(SBUF_NOCAP);
	struct stat st;
	const char *name;
	size_t dirlen;

	if (stat(where, &st) != 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot open", label);
	s = source_new(SOURCE_DIR, label);
	if (S_ISDIR(st.st_mode)) {
		s->dir = xstrdup(where);
		while (strlen(s->dir) > 1 && s->dir[strlen(s->dir) - 1] == '/')
			s->dir[strlen(s->dir) - 1] = '\0';
		sbuf_addf(&p, "%s/index.xml", s->dir);
		if (!is_file(p.buf)) {
			sbuf_reset(&p);
			sbuf_addf(&p, "%s/vmw-depot-index.xml", s->dir);
			if (!is_file(p.buf)) {
				sbuf_release(&p);
				source_close(s);
				return dv_error_set(err, DV_ENOTDEPOT, "%s: no "
				    "index.xml or vmw-depot-index.xml in this "
				    "folder: not an unpacked depot", label);
			}
			free(s->root);
			s->root = xstrdup("vmw-depot-index.xml");
		}
	} else {
		name = last_part(where, &dirlen);
		s->dir = dirlen > 0 ? xstrndup(where, dirlen) :
		    xstrdup(*where == '/' ? "/" : ".");
		free(s->root);
		s->root = xstrdup(name);
	}
	sbuf_release(&p);
	*out = s;
	return 0;
}

/* "file:///x" and "file://localhost/x" are the path "/x". */
static int
file_url_path(const char *url, struct sbuf *out, struct dv_error *err)
{
	const char *p = url + strlen("file://");
	int hi, lo;

	if (strncasecmp(p, "localhost/", 10) == 0)
		p += 9;
	if (*p != '/')
		return dv_error_set(err, DV_EFORMAT, "%s: a file:// URL must "
		    "name a local absolute path", url);
	for (; *p != '\0'; p++) {
		if (*p == '%' && p[1] != '\0' && p[2] != '\0') {
			hi = p[1] >= 'a' ? p[1] - 'a' + 10 : p[1] >= 'A' ?
			    p[1] - 'A' + 10 : p[1] - '0';
			lo = p[2] >= 'a' ? p[2] - 'a' + 10 : p[2] >= 'A' ?
			    p[2] - 'A' + 10 : p[2] - '0';
			if (hi < 0 || hi > 15 || lo < 0 || lo > 15 ||
			    hi * 16 + lo == 0)
				return dv_error_set(err, DV_EFORMAT, "%s: bad "
				    "percent-escape", url);
			sbuf_addch(out, (char)(hi * 16 + lo));
			p += 2;
		} else {
			sbuf_addch(out, *p);
		}
	}
	return 0;
}

static int
open_url(const char *url, const struct http_opts *net,
    struct depot_source **out, struct dv_error *err)
{
	static const struct http_opts none;
	struct sbuf shown = SBUF_INIT(SBUF_NOCAP);
	struct depot_source *s;
	const char *name, *host;
	size_t dirlen;
	int ret;

	if (net == NULL)
		net = &none;
	if ((ret = http_check_url(net, url, err)) != 0)
		return ret;
	http_shown(url, net->token, &shown);
	s = source_new(SOURCE_URL, shown.buf);
	sbuf_release(&shown);
	s->net = *net;
	host = strstr(url, "://") + 3;
	name = last_part(host, &dirlen);
	if (has_suffix_ci(name, ".xml") && dirlen > 0) {
		s->base = xstrndup(url, (size_t)(host - url) + dirlen + 1);
		free(s->root);
		s->root = xstrdup(name);
	} else {
		/* As esxcli: a depot URL that names no .xml means index.xml. */
		sbuf_adds(&shown, url);
		if (url[strlen(url) - 1] != '/')
			sbuf_addch(&shown, '/');
		s->base = sbuf_detach(&shown, NULL);
	}
	*out = s;
	return 0;
}

int
source_open(const char *where, const struct http_opts *net,
    struct depot_source **out, struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct depot_source *s;
	struct stat st;
	const char *local = where;
	int ret;

	*out = NULL;
	if (http_is_url(where) && strncasecmp(where, "file://", 7) != 0)
		return open_url(where, net, out, err);
	if (http_is_url(where)) {
		if ((ret = file_url_path(where, &path, err)) != 0)
			goto out;
		local = path.buf;
	}
	/* A folder named *.zip is a zip that went wrong, and says so. */
	if (stat(local, &st) == 0 && ((S_ISDIR(st.st_mode) &&
	    !has_suffix_ci(local, ".zip")) || has_suffix_ci(local, ".xml"))) {
		ret = open_dir(local, where, out, err);
		goto out;
	}
	s = source_new(SOURCE_ZIP, where);
	s->zip_path = xstrdup(local);
	if ((ret = zipfile_open(local, &s->zip, err)) != 0) {
		source_close(s);
		goto out;
	}
	*out = s;
out:
	sbuf_release(&path);
	return ret;
}

int
source_open_mem(const void *mem, size_t len, const char *label,
    struct depot_source **out, struct dv_error *err)
{
	struct depot_source *s = source_new(SOURCE_ZIP, label);
	int ret;

	*out = NULL;
	s->mem = mem;
	s->memlen = len;
	if ((ret = zipfile_open_mem(mem, len, label, &s->zip, err)) != 0) {
		source_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

void
source_close(struct depot_source *s)
{
	if (s == NULL)
		return;
	zipfile_close(s->zip);
	http_close(s->http);
	for (size_t i = 0; i < s->ncache; i++) {
		free(s->cache[i].member);
		free(s->cache[i].data);
	}
	free(s->cache);
	free(s->label);
	free(s->root);
	free(s->dir);
	free(s->base);
	free(s->zip_path);
	free(s);
}

enum source_kind
source_kind(const struct depot_source *s)
{
	return s->kind;
}

const char *
source_label(const struct depot_source *s)
{
	return s->label;
}

const char *
source_root(const struct depot_source *s)
{
	return s->root;
}

struct zipfile *
source_zip(const struct depot_source *s)
{
	return s->zip;
}

int
source_reopen_zip(const struct depot_source *s, struct zipfile **out,
    struct dv_error *err)
{
	*out = NULL;
	if (s->kind != SOURCE_ZIP)
		return dv_error_set(err, DV_ENOTZIP, "%s: not a depot zip: this "
		    "command reads a depot zip; 'depot verify' and 'depot "
		    "check' read an unpacked depot or a mirror as it is, and "
		    "'depot fetch file:///PATH/index.xml OUT.zip --profile "
		    "NAME' makes a zip of one of its images", s->label);
	if (s->zip_path == NULL)
		return zipfile_open_mem(s->mem, s->memlen, s->label, out, err);
	return zipfile_open(s->zip_path, out, err);
}

const char *
source_dir(const struct depot_source *s)
{
	return s->kind == SOURCE_DIR ? s->dir : NULL;
}

const struct http_opts *
source_net(const struct depot_source *s)
{
	return s->kind == SOURCE_URL ? &s->net : NULL;
}

void
source_member_url(const struct depot_source *s, const char *member,
    struct sbuf *out)
{
	sbuf_reset(out);
	if (s->kind == SOURCE_URL) {
		sbuf_adds(out, s->base);
		http_escape_path(member, out);
	} else if (s->kind == SOURCE_DIR) {
		sbuf_adds(out, "file://");
		if (*s->dir != '/') {
			char *cwd = getcwd(NULL, 0);
			if (cwd != NULL)
				http_escape_path(cwd, out);
			free(cwd);
			sbuf_addch(out, '/');
		}
		http_escape_path(s->dir, out);
		sbuf_addch(out, '/');
		http_escape_path(member, out);
	}
}

static int
missing(struct depot_source *s, const char *member, const char *named_by,
    struct dv_error *err)
{
	return dv_error_set(err, DV_EMISSING, "%s: %s: missing (named by %s)",
	    s->label, member, named_by);
}

static int
read_dir(struct depot_source *s, const char *member, const char *named_by,
    size_t cap, struct sbuf *out, struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct stat st;
	char probe, *dst;
	size_t room;
	ssize_t n;
	int fd = -1, ret = 0;

	sbuf_addf(&path, "%s/%s", s->dir, member);
	fd = open(path.buf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = errno == ENOENT ? missing(s, member, named_by, err) :
		    dv_error_errno(err, DV_EIO, "%s: %s: cannot open",
		    s->label, member);
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ret = dv_error_set(err, DV_EPATH, "%s: %s: not a regular file",
		    s->label, member);
		goto out;
	}
	if ((uint64_t)st.st_size > cap) {
		ret = dv_error_set(err, DV_ELIMIT, "%s: %s: larger than %zu "
		    "bytes", s->label, member, cap);
		goto out;
	}
	/* Room for what fstat says; a file still growing is read on. */
	(void)sbuf_grow(out, (size_t)st.st_size);
	for (;;) {
		/*
		 * At most cap bytes go into out; at the cap one byte more is
		 * asked for, and only a file that has it is too large.
		 */
		if (out->len < cap && sbuf_grow(out, 1) == 0) {
			dst = out->buf + out->len;
			room = out->alloc - out->len - 1;
			if (room > cap - out->len)
				room = cap - out->len;
		} else {
			dst = &probe;
			room = 1;
		}
		n = read(fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: %s: cannot read",
			    s->label, member);
			goto out;
		}
		if (n == 0)
			break;
		if (dst == &probe) {
			ret = dv_error_set(err, DV_ELIMIT, "%s: %s: larger "
			    "than %zu bytes", s->label, member, cap);
			goto out;
		}
		sbuf_setlen(out, out->len + (size_t)n);
	}
out:
	if (fd >= 0)
		close(fd);
	sbuf_release(&path);
	return ret;
}

/* One file downloaded and verified into a temporary folder, then open. */
static int
download_file(const struct depot_source *s, const char *member,
    uint64_t size, const char *sha256, const char *named_by, int *fd,
    struct dv_error *err)
{
	struct sbuf dir = SBUF_INIT(SBUF_NOCAP), url = SBUF_INIT(SBUF_NOCAP);
	struct sbuf part = SBUF_INIT(SBUF_NOCAP), path = SBUF_INIT(SBUF_NOCAP);
	struct http_file f;
	struct http *h = NULL;
	const char *tmp = getenv("TMPDIR");
	int ret;

	if (sha256 == NULL) {
		ret = dv_error_set(err, DV_EFORMAT, "%s: %s: the metadata gives "
		    "no size or SHA-256 to check its download against",
		    s->label, member);
		goto out;
	}
	sbuf_addf(&dir, "%s/esxstage-vib.XXXXXX", tmp != NULL && *tmp != '\0' ?
	    tmp : "/tmp");
	if (mkdtemp(dir.buf) == NULL) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot make", dir.buf);
		sbuf_reset(&dir);
		goto out;
	}
	sbuf_addf(&part, "%s/vib.part", dir.buf);
	sbuf_addf(&path, "%s/vib", dir.buf);
	source_member_url(s, member, &url);
	memset(&f, 0, sizeof(f));
	f.url = url.buf;
	f.named_by = named_by;
	f.partial = part.buf;
	f.path = path.buf;
	f.size = size;
	f.sha256 = sha256;
	if ((ret = http_open(&s->net, &h, err)) != 0 ||
	    (ret = http_get_files(h, &f, 1, 1, err)) != 0)
		goto out;
	*fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", path.buf);
out:
	http_close(h);
	if (dir.len > 0) {
		(void)unlink(path.buf);
		(void)unlink(part.buf);
		(void)rmdir(dir.buf);
	}
	sbuf_release(&dir);
	sbuf_release(&url);
	sbuf_release(&part);
	sbuf_release(&path);
	return ret;
}

int
source_open_file(const struct depot_source *s, const char *member,
    uint64_t size, const char *sha256, const char *named_by, int *fd,
    struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct stat st;
	int ret = 0;

	*fd = -1;
	if (s->kind == SOURCE_URL)
		return download_file(s, member, size, sha256, named_by, fd,
		    err);
	if (s->kind != SOURCE_DIR)
		return dv_error_set(err, DV_ENOTZIP, "%s: %s: not a folder or "
		    "URL", s->label, member);
	sbuf_addf(&path, "%s/%s", s->dir, member);
	*fd = open(path.buf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		ret = errno == ENOENT ? dv_error_set(err, DV_EMISSING, "%s: %s: "
		    "the VIB file is missing (named by %s)", s->label, member,
		    named_by) : dv_error_errno(err, DV_EIO, "%s: %s: cannot "
		    "open", s->label, member);
	} else if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ret = dv_error_set(err, DV_EPATH, "%s: %s: not a regular file",
		    s->label, member);
		close(*fd);
		*fd = -1;
	}
	sbuf_release(&path);
	return ret;
}

static int
read_url(struct depot_source *s, const char *member, const char *named_by,
    size_t cap, struct sbuf *out, struct dv_error *err)
{
	struct sbuf url = SBUF_INIT(SBUF_NOCAP), what = SBUF_INIT(SBUF_NOCAP);
	struct cached *c;
	int ret;

	for (size_t i = 0; i < s->ncache; i++) {
		if (strcmp(s->cache[i].member, member) == 0) {
			if (s->cache[i].len > cap)
				return dv_error_set(err, DV_ELIMIT, "%s: %s: "
				    "larger than %zu bytes", s->label, member,
				    cap);
			return sbuf_add(out, s->cache[i].data,
			    s->cache[i].len);
		}
	}
	if (s->http == NULL && (ret = http_open(&s->net, &s->http, err)) != 0)
		return ret;
	source_member_url(s, member, &url);
	/* "named by vendor-index.xml" says which URL named it. */
	if (has_suffix_ci(named_by, ".xml"))
		http_shown(s->base, s->net.token, &what);
	sbuf_adds(&what, named_by);
	ret = http_get(s->http, url.buf, what.buf, cap, out, err);
	if (ret == 0) {
		s->cache = xrealloc(s->cache, (s->ncache + 1) *
		    sizeof(*s->cache));
		c = &s->cache[s->ncache++];
		c->member = xstrdup(member);
		c->data = xmalloc(out->len + 1);
		memcpy(c->data, out->buf, out->len);
		c->len = out->len;
	}
	sbuf_release(&url);
	sbuf_release(&what);
	return ret;
}

int
source_read(struct depot_source *s, const char *member,
    const char *named_by, size_t cap, struct sbuf *out,
    struct dv_error *err)
{
	long i;

	sbuf_reset(out);
	out->cap = cap;
	switch (s->kind) {
	case SOURCE_DIR:
		return read_dir(s, member, named_by, cap, out, err);
	case SOURCE_URL:
		return read_url(s, member, named_by, cap, out, err);
	case SOURCE_ZIP:
	default:
		if ((i = zipfile_find(s->zip, member)) < 0)
			return missing(s, member, named_by, err);
		return zipfile_read(s->zip, (size_t)i, cap, out, err);
	}
}

bool
source_has(struct depot_source *s, const char *member)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	bool yes = true;

	if (s->kind == SOURCE_ZIP) {
		yes = zipfile_find(s->zip, member) >= 0;
	} else if (s->kind == SOURCE_DIR) {
		sbuf_addf(&path, "%s/%s", s->dir, member);
		yes = is_file(path.buf);
	}
	sbuf_release(&path);
	return yes;
}

bool
source_size(struct depot_source *s, const char *member, uint64_t *size)
{
	struct dv_error ignored = DV_ERROR_INIT;
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct zip_entry e;
	struct stat st;
	long i;
	bool known = false;

	if (s->kind == SOURCE_ZIP) {
		i = zipfile_find(s->zip, member);
		if (i >= 0 && zipfile_entry(s->zip, (size_t)i, &e,
		    &ignored) == 0) {
			*size = e.size;
			known = true;
		}
	} else if (s->kind == SOURCE_DIR) {
		sbuf_addf(&path, "%s/%s", s->dir, member);
		if (lstat(path.buf, &st) == 0 && S_ISREG(st.st_mode)) {
			*size = (uint64_t)st.st_size;
			known = true;
		}
	}
	sbuf_release(&path);
	return known;
}
