/* package.c - the package walk's entry points: open an input, free a tree. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "package_int.h"

const char *
package_kind_name(enum package_kind k)
{
	switch (k) {
	case PACKAGE_ZIP:
		return "zip";
	case PACKAGE_TAR:
		return "tar";
	case PACKAGE_FOLDER:
		return "folder";
	case PACKAGE_DEPOT:
		return "depot";
	case PACKAGE_EXPANDED:
		return "expanded-depot";
	case PACKAGE_VIB:
		return "vib";
	case PACKAGE_NVM_TOOL:
		return "nvm-tool";
	case PACKAGE_DOC:
		return "documentation";
	case PACKAGE_FILE:
		break;
	}
	return "file";
}

void
package_free(struct package *p)
{
	if (p == NULL)
		return;
	dv_diags_release(&p->warnings);
	arena_release(&p->arena);
	free(p);
}

/* The first bytes of the file, to tell zip, tar, tar.gz and VIB apart. */
static int
read_head(struct walk *w, unsigned char *head, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < HEAD_LEN) {
		n = pread(w->fd, head + *len, HEAD_LEN - *len, (off_t)*len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dv_error_errno(w->err, DV_EIO, "%s: cannot read",
			    w->p->path);
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return 0;
}

int
package_open(const char *path, const struct package_sink *sink,
    struct package **out, struct dv_error *err)
{
	struct walk w = {0};
	struct package *p;
	struct cont c = {0};
	struct stat st;
	struct byte_source src;
	unsigned char head[HEAD_LEN];
	size_t headlen;
	int ret;

	*out = NULL;
	p = xcalloc(1, sizeof(*p));
	p->path = arena_strdup(&p->arena, path);
	w.p = p;
	w.sink = sink;
	w.err = err;
	w.seen = sink != NULL && sink->seen != NULL ? sink->seen :
	    &w.own_seen;
	w.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w.fd < 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", path);
		goto out;
	}
	if (fstat(w.fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? dv_error_set(err, DV_EIO,
		    "%s: is a directory, not a zip, tar or VIB file", path) :
		    dv_error_errno(err, DV_EIO, "%s: cannot read", path);
		goto out;
	}
	if ((p->root = pk_new_node(&w, NULL, PACKAGE_FILE, dv_base_name(path),
	    "")) == NULL) {
		ret = -DV_ELIMIT;
		goto out;
	}
	p->root->size = (uint64_t)st.st_size;
	if ((ret = read_head(&w, head, &headlen)) != 0)
		goto out;
	c.w = &w;
	c.node = p->root;
	c.chain = "";
	c.depth = 1;
	c.stem = pk_stem_of(&p->arena, dv_base_name(path));
	if (pk_gzip_magic(head, headlen) || arc_is_tar_header(head, headlen)) {
		p->root->kind = PACKAGE_TAR;
		c.is_tar = true;
		ret = pk_walk_container(&c);
	} else if (headlen >= 8 && memcmp(head, "!<arch>\n", 8) == 0) {
		src.read = pk_fd_read;
		src.ctx = &w;
		ret = pk_vib_item(&w, p->root, &src, dv_base_name(path));
	} else if ((ret = zipfile_open(path, &c.zip, err)) != 0) {
		if (ret == -DV_ENOTZIP && st.st_size > 0)
			ret = dv_error_set(err, DV_ENOTZIP, "%s: not a zip, tar "
			    "or VIB file", path);
	} else if (dv_zip_is_depot(c.zip)) {
		zipfile_close(c.zip);
		c.zip = NULL;
		ret = pk_depot_item(&w, p->root, NULL, 0);
	} else {
		p->root->kind = PACKAGE_ZIP;
		ret = pk_walk_container(&c);
	}
out:
	if (w.fd >= 0)
		close(w.fd);
	pk_seen_release(&w.own_seen);
	if (ret != 0) {
		package_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

bool
package_is_package(const char *path)
{
	struct dv_error ignored = DV_ERROR_INIT;
	struct zipfile *zf = NULL;
	unsigned char head[HEAD_LEN];
	ssize_t n;
	bool yes = false;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n <= 0)
		return false;
	if (pk_gzip_magic(head, (size_t)n) || arc_is_tar_header(head,
	    (size_t)n) || (n >= 8 && memcmp(head, "!<arch>\n", 8) == 0))
		return true;
	if (zipfile_open(path, &zf, &ignored) == 0)
		yes = !dv_zip_is_depot(zf);
	zipfile_close(zf);
	return yes;
}
