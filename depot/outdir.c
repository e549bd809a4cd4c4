/* outdir.c - stage files in a temporary directory, then rename into place. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dv_limits.h"
#include "names.h"
#include "outdir.h"
#include "xalloc.h"

#define STAGE_SUFFIX ".depot-XXXXXX"
#define STAGE_INSIDE ".depot-tmp-XXXXXX"
/* Where the two-rename swap puts the old OUTDIR: .NAME.depot-old-XXXXXX */
#define OLD_INFIX ".depot-old-"

struct ofile {
	char *rel;
	int fd;		/* -1 once closed */
	bool present;	/* OUTDIR has it (OUTDIR_SAME_OK): compared at close */
	bool unchanged; /* ... and it has the same bytes: left as it is */
};

struct outdir {
	char *path;	   /* OUTDIR as given */
	char *base;	   /* its last component */
	char *parent_path; /* its parent folder */
	int parent_fd;	   /* OUTDIR's parent */
	int out_fd;	   /* OUTDIR, when it existed at the start */
	bool existed;
	unsigned flags;
	mode_t umask;
	char *stage_path;  /* the temporary directory */
	char *stage_name;  /* its name inside stage_parent */
	int stage_parent;  /* parent_fd, or out_fd when staged inside */
	int stage_fd;
	struct ptrvec files; /* struct ofile *, in creation order */
	struct ptrvec dirs;  /* char *, folders made, parents first */
};

static volatile sig_atomic_t interrupt_asked;
static struct dv_progress *counting; /* outdir_count_into */

void
outdir_count_into(struct dv_progress *p)
{
	counting = p;
}

void
outdir_interrupt(void)
{
	interrupt_asked = 1;
}

bool
outdir_interrupted(void)
{
	return interrupt_asked != 0;
}

int
outdir_check(struct outdir *od, struct dv_error *err)
{
	if (interrupt_asked)
		return dv_error_set(err, DV_EINTR, "%s: interrupted; nothing "
		    "was written", od != NULL ? od->path : "output");
	return 0;
}

const char *
outdir_path(const struct outdir *od)
{
	return od->path;
}

const char *
outdir_stage_path(const struct outdir *od)
{
	return od->stage_path;
}

size_t
outdir_count(const struct outdir *od)
{
	return od->files.n;
}

void
outdir_unchanged(const struct outdir *od, struct ptrvec *names)
{
	for (size_t i = 0; i < od->files.n; i++) {
		const struct ofile *f = od->files.v[i];
		if (f->unchanged)
			ptrvec_push(names, xstrdup(f->rel));
	}
}

/*
 * A relative name we are willing to create (see outdir.h): names.c's rules
 * for an output path, and never the name of our own temporary folder.
 */
static int
check_rel(const struct outdir *od, const char *rel, struct dv_error *err)
{
	const char *why = dv_out_path_problem(rel);
	size_t first = strcspn(rel, "/");

	if (why == NULL && od->stage_parent == od->out_fd &&
	    first == strlen(od->stage_name) &&
	    strncmp(rel, od->stage_name, first) == 0)
		why = "the name of the temporary directory";
	if (why != NULL)
		return dv_error_set(err, DV_EPATH, "%s: cannot write '%s': %s",
		    od->path, rel, why);
	return 0;
}

static struct ofile *
find_file(const struct outdir *od, const char *rel)
{
	for (size_t i = 0; i < od->files.n; i++) {
		struct ofile *f = od->files.v[i];
		if (strcmp(f->rel, rel) == 0)
			return f;
	}
	return NULL;
}

static bool
made_dir(const struct outdir *od, const char *rel)
{
	for (size_t i = 0; i < od->dirs.n; i++)
		if (strcmp(od->dirs.v[i], rel) == 0)
			return true;
	return false;
}

bool
outdir_has(const struct outdir *od, const char *rel)
{
	return find_file(od, rel) != NULL;
}

/*
 * What is already in OUTDIR at rel and its folders: folders on the way
 * must be real folders (never a link to elsewhere), and the name itself
 * must be new unless forced, and never a folder.
 */
static int
check_existing(struct outdir *od, const char *rel, bool at_commit,
    bool *present, struct dv_error *err)
{
	struct stat st;
	char *prefix = xstrdup(rel), *slash;
	int ret = 0;

	if (!od->existed || (od->flags & OUTDIR_REPLACE) != 0)
		goto out;
	for (slash = strchr(prefix, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (fstatat(od->out_fd, prefix, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			*slash = '/';
			if (errno == ENOENT)
				goto out;
			ret = dv_error_errno(err, DV_EIO, "%s/%s", od->path,
			    prefix);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ret = dv_error_set(err, DV_EPATH, "%s/%s: is a symbolic "
			    "link; not followed", od->path, prefix);
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			ret = dv_error_set(err, DV_EEXIST, "%s/%s: exists and is "
			    "not a folder", od->path, prefix);
			goto out;
		}
		*slash = '/';
	}
	if (fstatat(od->out_fd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			ret = dv_error_errno(err, DV_EIO, "%s/%s", od->path, rel);
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		ret = dv_error_set(err, DV_EEXIST, "%s/%s: exists and is a "
		    "folder; not replaced", od->path, rel);
	else if ((od->flags & OUTDIR_SAME_OK) != 0 && !at_commit &&
	    S_ISREG(st.st_mode) && (od->flags & OUTDIR_FORCE) == 0)
		*present = true;
	else if ((od->flags & OUTDIR_FORCE) == 0)
		ret = dv_error_set(err, DV_EEXIST, "%s/%s: already exists%s",
		    od->path, rel, at_commit ? " (it appeared while writing)" :
		    "; --force replaces it");
out:
	free(prefix);
	return ret;
}

/* The folders of rel inside the temporary directory. */
static int
make_dirs(struct outdir *od, const char *rel, struct dv_error *err)
{
	char *prefix = xstrdup(rel), *slash;
	struct stat st;
	int ret = 0;

	for (slash = strchr(prefix, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (!made_dir(od, prefix)) {
			if (find_file(od, prefix) != NULL ||
			    (mkdirat(od->stage_fd, prefix, 0777) != 0 &&
			    (errno != EEXIST || fstatat(od->stage_fd, prefix,
			    &st, AT_SYMLINK_NOFOLLOW) != 0 ||
			    !S_ISDIR(st.st_mode)))) {
				ret = dv_error_set(err, DV_EEXIST, "%s/%s: "
				    "cannot be a folder: a file of that name "
				    "is written too", od->path, prefix);
				goto out;
			}
			ptrvec_push(&od->dirs, xstrdup(prefix));
		}
		*slash = '/';
	}
out:
	free(prefix);
	return ret;
}

/* The checks outdir_open_file and outdir_reserve share. */
static int
claim(struct outdir *od, const char *rel, bool *present,
    struct dv_error *err)
{
	int ret;

	if ((ret = outdir_check(od, err)) != 0 ||
	    (ret = check_rel(od, rel, err)) != 0)
		return ret;
	if (find_file(od, rel) != NULL)
		return dv_error_set(err, DV_EEXIST, "%s/%s: written twice in "
		    "one run", od->path, rel);
	if (made_dir(od, rel))
		return dv_error_set(err, DV_EEXIST, "%s/%s: cannot be a file: "
		    "it is a folder of other files", od->path, rel);
	*present = false;
	if ((ret = check_existing(od, rel, false, present, err)) != 0)
		return ret;
	return make_dirs(od, rel, err);
}

static void
add_file(struct outdir *od, const char *rel, int fd, bool present)
{
	struct ofile *f = xcalloc(1, sizeof(*f));

	f->rel = xstrdup(rel);
	f->fd = fd;
	f->present = present;
	ptrvec_push(&od->files, f);
}

int
outdir_open_file(struct outdir *od, const char *rel, bool executable,
    int *fd, struct dv_error *err)
{
	bool present;
	int ret;

	*fd = -1;
	if ((ret = claim(od, rel, &present, err)) != 0)
		return ret;
	/* Read too: outdir_copy reads back what the kernel copied. */
	*fd = openat(od->stage_fd, rel, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, executable ? 0777 : 0666);
	if (*fd < 0)
		return dv_error_errno(err, DV_EIO, "%s/%s: cannot create",
		    od->path, rel);
	add_file(od, rel, *fd, present);
	return 0;
}

static const char *
fd_name(const struct outdir *od, int fd)
{
	for (size_t i = 0; i < od->files.n; i++) {
		const struct ofile *f = od->files.v[i];
		if (f->fd == fd)
			return f->rel;
	}
	return "(file)";
}

/* All of buf to fd: at offset off, or at its file position when off is
 * negative; short writes retried. */
static int
write_all_at(int fd, const void *buf, size_t len, int64_t off,
    const char *path, struct dv_error *err)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return dv_error_errno(err, DV_EIO, "%s: cannot write",
			    path);
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

int
fd_write_all(int fd, const void *buf, size_t len, const char *path,
    struct dv_error *err)
{
	return write_all_at(fd, buf, len, -1, path, err);
}

int
fd_pwrite_all(int fd, const void *buf, size_t len, uint64_t off,
    const char *path, struct dv_error *err)
{
	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return dv_error_set(err, DV_EIO, "%s: cannot write at %llu: "
		    "past the largest file offset", path,
		    (unsigned long long)off);
	return write_all_at(fd, buf, len, (int64_t)off, path, err);
}

/*
 * Start writing bytes just put in fd to the disk, without waiting: the
 * commit's syncfs then finds them written (or nearly) instead of waiting
 * for the whole file's writeback after the last digest.  Only a hint:
 * where the file system cannot, the syncfs does it all as before.
 */
static void
start_writeback(int fd, off_t at, size_t len)
{
	(void)sync_file_range(fd, at, (off_t)len, SYNC_FILE_RANGE_WRITE);
}

/* Writes at least this big start their writeback (small files wait for
 * the syncfs, which writes them together). */
#define WRITEBACK_MIN (64u << 10)

int
outdir_write(struct outdir *od, int fd, const void *buf, size_t len,
    struct dv_error *err)
{
	const char *p = buf;
	size_t whole = len;
	ssize_t n;
	int ret;

	if ((ret = outdir_check(od, err)) != 0)
		return ret;
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR) {
			if ((ret = outdir_check(od, err)) != 0)
				return ret;
			continue;
		}
		if (n <= 0)
			return dv_error_errno(err, DV_EIO, "%s/%s: cannot write",
			    od->path, fd_name(od, fd));
		p += n;
		len -= (size_t)n;
		dv_progress_bytes(counting, (uint64_t)n);
	}
	/* From 0 to the end of the file: pages already on their way to
	 * the disk are not written again. */
	if (whole >= WRITEBACK_MIN)
		start_writeback(fd, 0, 0);
	return 0;
}

/* Read exactly len bytes of fd at off into buf (what was just written). */
static int
read_back(struct outdir *od, int fd, char *buf, size_t len, off_t off,
    struct dv_error *err)
{
	ssize_t n;
	int ret;

	while (len > 0) {
		n = pread(fd, buf, len, off);
		if (n < 0 && errno == EINTR) {
			if ((ret = outdir_check(od, err)) != 0)
				return ret;
			continue;
		}
		if (n <= 0)
			return dv_error_errno(err, DV_EIO, "%s/%s: cannot read "
			    "back what was copied", od->path, fd_name(od, fd));
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int
outdir_copy(struct outdir *od, int fd, int in, void *buf, size_t cap,
    size_t *copied, struct dv_error *err)
{
	off_t at = lseek(fd, 0, SEEK_CUR);
	ssize_t n;
	int ret;

	*copied = 0;
	if ((ret = outdir_check(od, err)) != 0)
		return ret;
	if (at < 0)
		return dv_error_errno(err, DV_EIO, "%s/%s: cannot write",
		    od->path, fd_name(od, fd));
	/*
	 * The kernel copies page to page: cheaper than read and write through
	 * buf (on ext4, about half the system time of the write alone).  Not
	 * every pair of file systems can (EXDEV, EINVAL, ENOSYS, EOPNOTSUPP),
	 * and some report 0 before the end: then read and write this part.
	 */
	while ((n = copy_file_range(in, NULL, fd, NULL, cap, 0)) < 0 &&
	    errno == EINTR)
		if ((ret = outdir_check(od, err)) != 0)
			return ret;
	if (n > 0) {
		dv_progress_bytes(counting, (uint64_t)n);
		*copied = (size_t)n;
		start_writeback(fd, at, (size_t)n);
		return read_back(od, fd, buf, (size_t)n, at, err);
	}
	if (n < 0 && errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
	    errno != EOPNOTSUPP)
		return dv_error_errno(err, DV_EIO, "%s/%s: cannot copy into it",
		    od->path, fd_name(od, fd));
	while ((n = read(in, buf, cap)) < 0 && errno == EINTR)
		if ((ret = outdir_check(od, err)) != 0)
			return ret;
	if (n < 0)
		return dv_error_errno(err, DV_EIO, "%s/%s: cannot read its "
		    "source", od->path, fd_name(od, fd));
	*copied = (size_t)n;
	return outdir_write(od, fd, buf, (size_t)n, err);
}

/* Whether the files rel in folders a and b hold the same bytes. */
static bool
same_bytes(int a_dir, int b_dir, const char *rel)
{
	char x[65536], y[65536];
	struct stat sa, sb;
	ssize_t n, m;
	bool same = false;
	int a, b;

	a = openat(a_dir, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	b = openat(b_dir, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (a < 0 || b < 0 || fstat(a, &sa) != 0 || fstat(b, &sb) != 0 ||
	    !S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode) ||
	    sa.st_size != sb.st_size)
		goto out;
	for (;;) {
		n = read(a, x, sizeof(x));
		if (n <= 0) {
			same = n == 0;
			break;
		}
		for (ssize_t k = 0; k < n; k += m)
			if ((m = read(b, y + k, (size_t)(n - k))) <= 0)
				goto out;
		if (memcmp(x, y, (size_t)n) != 0)
			break;
	}
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return same;
}

/*
 * A file written over a name OUTDIR has (OUTDIR_SAME_OK): the same bytes
 * are left as they are, other bytes are refused as without the flag.
 */
static int
settle(struct outdir *od, struct ofile *f, struct dv_error *err)
{
	if (!f->present)
		return 0;
	if (same_bytes(od->out_fd, od->stage_fd, f->rel)) {
		f->unchanged = true;
		return 0;
	}
	return dv_error_set(err, DV_EEXIST, "%s/%s: already exists; --force "
	    "replaces it", od->path, f->rel);
}

int
outdir_close_file(struct outdir *od, int fd, struct dv_error *err)
{
	const char *name = fd_name(od, fd);
	int ret = 0;

	/* Made durable with the rest by the commit's one syncfs. */
	if (close(fd) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s/%s: cannot write",
		    od->path, name);
	for (size_t i = 0; i < od->files.n; i++) {
		struct ofile *f = od->files.v[i];
		if (f->fd == fd) {
			f->fd = -1;
			if (ret == 0)
				ret = settle(od, f, err);
		}
	}
	if (ret == 0) {
		dv_progress_item_done(counting);
		ret = outdir_check(od, err);
	}
	return ret;
}

int
outdir_reserve(struct outdir *od, const char *rel, struct sbuf *path,
    struct dv_error *err)
{
	bool present;
	int ret;

	if ((ret = claim(od, rel, &present, err)) != 0)
		return ret;
	add_file(od, rel, -1, present);
	sbuf_reset(path);
	sbuf_addf(path, "%s/%s", od->stage_path, rel);
	return 0;
}

int
outdir_sync_file(struct outdir *od, const char *rel, struct dv_error *err)
{
	int fd, ret = 0;

	fd = openat(od->stage_fd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return dv_error_errno(err, DV_EIO, "%s/%s", od->path, rel);
	/* Whoever made it may have used mkstemp's 0600. */
	if (fchmod(fd, 0666 & ~od->umask) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s/%s: cannot write",
		    od->path, rel);
	close(fd);
	if (ret == 0 && find_file(od, rel) != NULL)
		ret = settle(od, find_file(od, rel), err);
	return ret;
}

int
outdir_remove(struct outdir *od, const char *rel, struct dv_error *err)
{
	for (size_t i = 0; i < od->files.n; i++) {
		struct ofile *f = od->files.v[i];
		if (strcmp(f->rel, rel) != 0)
			continue;
		if (f->fd >= 0)
			close(f->fd);
		if (unlinkat(od->stage_fd, rel, 0) != 0 && errno != ENOENT)
			return dv_error_errno(err, DV_EIO, "%s/%s: cannot "
			    "remove", od->path, rel);
		free(f->rel);
		free(f);
		memmove(&od->files.v[i], &od->files.v[i + 1],
		    (od->files.n - i - 1) * sizeof(*od->files.v));
		od->files.n--;
		return 0;
	}
	return 0;
}

/* Remove name, a folder inside dirfd, and all it holds; links are not
 * followed, only removed.  Best effort: this runs on the way out. */
static void
remove_tree(int dirfd, const char *name)
{
	struct ptrvec names = PTRVEC_INIT;
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0) {
		(void)unlinkat(dirfd, name, 0);
		return;
	}
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			ptrvec_push(&names, xstrdup(de->d_name));
	for (size_t i = 0; i < names.n; i++) {
		if (fstatat(fd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			remove_tree(fd, names.v[i]);
		else
			(void)unlinkat(fd, names.v[i], 0);
		free(names.v[i]);
	}
	ptrvec_release(&names);
	closedir(dir);
	(void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

static void
outdir_free(struct outdir *od)
{
	for (size_t i = 0; i < od->files.n; i++) {
		struct ofile *f = od->files.v[i];
		if (f->fd >= 0)
			close(f->fd);
		free(f->rel);
		free(f);
	}
	ptrvec_release(&od->files);
	for (size_t i = 0; i < od->dirs.n; i++)
		free(od->dirs.v[i]);
	ptrvec_release(&od->dirs);
	if (od->stage_fd >= 0)
		close(od->stage_fd);
	if (od->out_fd >= 0)
		close(od->out_fd);
	if (od->parent_fd >= 0)
		close(od->parent_fd);
	free(od->stage_path);
	free(od->stage_name);
	free(od->path);
	free(od->base);
	free(od->parent_path);
	free(od);
}

void
outdir_abort(struct outdir *od)
{
	if (od == NULL)
		return;
	for (size_t i = 0; i < od->files.n; i++) {
		struct ofile *f = od->files.v[i];
		if (f->fd >= 0)
			close(f->fd);
		f->fd = -1;
	}
	if (od->stage_name != NULL)
		remove_tree(od->stage_parent, od->stage_name);
	outdir_free(od);
}

/* Split path into its parent and last component, "." and ".." resolved. */
static int
split_path(const char *path, char **parent, char **base, struct dv_error *err)
{
	char *p = xstrdup(path), *real = NULL, *slash;
	size_t len = strlen(p);

	*parent = *base = NULL;
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	slash = strrchr(p, '/');
	if (strcmp(slash != NULL ? slash + 1 : p, ".") == 0 ||
	    strcmp(slash != NULL ? slash + 1 : p, "..") == 0) {
		if ((real = realpath(p, NULL)) == NULL) {
			dv_error_errno(err, DV_EIO, "%s", path);
			free(p);
			return -DV_EIO;
		}
		free(p);
		p = real;
		slash = strrchr(p, '/');
	}
	if (strcmp(p, "/") == 0 || *p == '\0') {
		free(p);
		return dv_error_set(err, DV_EPATH, "%s: not a folder to write "
		    "into", path);
	}
	if (slash == NULL) {
		*parent = xstrdup(".");
		*base = xstrdup(p);
	} else {
		*base = xstrdup(slash + 1);
		*parent = slash == p ? xstrdup("/") :
		    xstrndup(p, (size_t)(slash - p));
	}
	free(p);
	return 0;
}

/*
 * Whether name is prefix followed by the six characters mkdtemp puts in
 * place of "XXXXXX".
 */
static bool
is_stage_name(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) != 0 || strlen(name) != n + 6)
		return false;
	for (name += n; *name != '\0'; name++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789", *name) == NULL)
			return false;
	return true;
}

/*
 * Remove the temporary directories that runs killed by SIGKILL (or a
 * crash, or a power cut) left in dirfd: those named prefix + XXXXXX that
 * no one holds locked.  A running outdir holds a lock on its own, so a
 * run writing the same OUTDIR at the same time keeps its directory; the
 * kernel drops the lock of a dead process.  Best effort.
 */
static void
remove_stale(int dirfd, const char *prefix)
{
	struct ptrvec names = PTRVEC_INIT;
	struct dirent *de;
	DIR *dir;
	int fd;

	fd = dup(dirfd);
	if (fd < 0)
		return;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL)
		if (is_stage_name(de->d_name, prefix))
			ptrvec_push(&names, xstrdup(de->d_name));
	closedir(dir);
	for (size_t i = 0; i < names.n; i++) {
		fd = openat(dirfd, names.v[i], O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			remove_tree(dirfd, names.v[i]);
		if (fd >= 0)
			close(fd);
		free(names.v[i]);
	}
	ptrvec_release(&names);
}

/*
 * mkdtemp in folder dirfd (whose path is dir); the new name in *name, its
 * path in *path, and in *fd the new directory open and locked for as long
 * as fd stays open (see remove_stale).
 */
static int
make_stage(int dirfd, const char *dir, const char *prefix,
    const char *suffix, char **path, char **name, int *fd)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	struct stat st;
	int tries, saved;

	*fd = -1;
	for (tries = 0; tries < 8; tries++) {
		sbuf_reset(&sb);
		sbuf_addf(&sb, "%s/%s%s", dir, prefix, suffix);
		if (mkdtemp(sb.buf) == NULL)
			break;
		*fd = openat(dirfd, strrchr(sb.buf, '/') + 1, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (*fd < 0)
			break;
		/* Another run's remove_stale may have taken it for stale in
		 * the instant before we locked it: then it is gone. */
		if (flock(*fd, LOCK_EX | LOCK_NB) == 0 && fstat(*fd, &st) == 0 &&
		    st.st_nlink > 0) {
			*name = xstrdup(strrchr(sb.buf, '/') + 1);
			*path = sbuf_detach(&sb, NULL);
			return 0;
		}
		close(*fd);
		*fd = -1;
		errno = EAGAIN;
	}
	saved = errno;
	sbuf_release(&sb);
	errno = saved;
	return -1;
}

/*
 * Split path and open its parent.  OUTDIR may be a link the user made to
 * a folder: then the folder it points to is the one we fill (and, when it
 * exists, swap), beside it, and the link stays as it is.
 */
static int
open_parent(struct outdir *od, const char *path, struct dv_error *err)
{
	struct stat st;
	char *real = NULL;
	int ret = 0;

	for (int round = 0; round < 2; round++) {
		free(od->parent_path);
		free(od->base);
		if ((ret = split_path(real != NULL ? real : path,
		    &od->parent_path, &od->base, err)) != 0)
			break;
		if (od->parent_fd >= 0)
			close(od->parent_fd);
		od->parent_fd = open(od->parent_path, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
		if (od->parent_fd < 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot open its "
			    "parent folder '%s'", path, od->parent_path);
			break;
		}
		if (round > 0 || fstatat(od->parent_fd, od->base, &st,
		    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK(st.st_mode) ||
		    fstatat(od->parent_fd, od->base, &st, 0) != 0 ||
		    !S_ISDIR(st.st_mode) || (real = realpath(path, NULL)) == NULL)
			break;
	}
	free(real);
	return ret;
}

/*
 * A run killed between the two renames of swap_in left no OUTDIR and its
 * old tree at .NAME.depot-old-XXXXXX: put it back, so OUTDIR is all old.
 * With OUTDIR present, such a folder is a leftover of the moment after
 * the second rename: remove it.  Under the parent's lock, as commits are.
 */
static void
recover_old(struct outdir *od)
{
	struct sbuf prefix = SBUF_INIT(SBUF_NOCAP);
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd;

	(void)flock(od->parent_fd, LOCK_EX); /* best effort, as in commit_swap */
	sbuf_addf(&prefix, ".%s%s", od->base, OLD_INFIX);
	if ((fd = dup(od->parent_fd)) >= 0 && (dir = fdopendir(fd)) != NULL) {
		rewinddir(dir);
		while ((de = readdir(dir)) != NULL) {
			if (!is_stage_name(de->d_name, prefix.buf))
				continue;
			if (fstatat(od->parent_fd, od->base, &st,
			    AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
				(void)renameat(od->parent_fd, de->d_name,
				    od->parent_fd, od->base);
			else
				remove_tree(od->parent_fd, de->d_name);
		}
		closedir(dir);
	} else if (fd >= 0) {
		close(fd);
	}
	(void)flock(od->parent_fd, LOCK_UN);
	sbuf_release(&prefix);
}

int
outdir_begin(const char *path, unsigned flags, struct outdir **out,
    struct dv_error *err)
{
	struct outdir *od;
	struct stat st, pst;
	const char *parent = NULL;
	struct sbuf prefix = SBUF_INIT(SBUF_NOCAP);
	int ret, saved;

	*out = NULL;
	od = xcalloc(1, sizeof(*od));
	od->parent_fd = od->out_fd = od->stage_fd = -1;
	od->path = xstrdup(path);
	od->flags = flags;
	od->umask = umask(0);
	umask(od->umask);
	if ((ret = open_parent(od, path, err)) != 0)
		goto fail;
	parent = od->parent_path;
	recover_old(od);
	if (fstatat(od->parent_fd, od->base, &st, 0) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			ret = dv_error_set(err, DV_EEXIST, "%s: exists and is "
			    "not a folder", path);
			goto fail;
		}
		od->out_fd = openat(od->parent_fd, od->base, O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC);
		if (od->out_fd < 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot open",
			    path);
			goto fail;
		}
		od->existed = true;
	} else if (errno != ENOENT) {
		ret = dv_error_errno(err, DV_EIO, "%s", path);
		goto fail;
	}
	/* What SIGKILL left of earlier runs into this OUTDIR. */
	sbuf_addf(&prefix, ".%s.depot-", od->base);
	remove_stale(od->parent_fd, prefix.buf);
	if (od->existed)
		remove_stale(od->out_fd, ".depot-tmp-");
	sbuf_reset(&prefix);
	sbuf_addf(&prefix, ".%s", od->base);
	od->stage_parent = od->parent_fd;
	/* An existing OUTDIR on another file system than its parent (a
	 * mount point): rename works only from inside it. */
	if (od->existed && fstat(od->out_fd, &st) == 0 &&
	    fstat(od->parent_fd, &pst) == 0 && st.st_dev != pst.st_dev) {
		if (make_stage(od->out_fd, path, "", STAGE_INSIDE,
		    &od->stage_path, &od->stage_name, &od->stage_fd) != 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot make a "
			    "temporary folder in it", path);
			goto fail;
		}
		od->stage_parent = od->out_fd;
	} else if (make_stage(od->parent_fd, parent, prefix.buf, STAGE_SUFFIX,
	    &od->stage_path, &od->stage_name, &od->stage_fd) != 0) {
		saved = errno;
		if (!od->existed || (saved != EACCES && saved != EPERM &&
		    saved != EROFS) || make_stage(od->out_fd, path, "",
		    STAGE_INSIDE, &od->stage_path, &od->stage_name,
		    &od->stage_fd) != 0) {
			errno = saved;
			ret = dv_error_errno(err, DV_EIO, "%s: cannot make a "
			    "temporary folder in '%s'", path, parent);
			goto fail;
		}
		od->stage_parent = od->out_fd;
	}
	if (od->existed && (flags & OUTDIR_REPLACE) != 0 &&
	    od->stage_parent != od->parent_fd) {
		ret = dv_error_set(err, DV_EIO, "%s: cannot be replaced as a "
		    "whole: it is a mount point, or its parent folder '%s' is "
		    "not writable", path, parent);
		goto fail;
	}
	sbuf_release(&prefix);
	*out = od;
	return 0;
fail:
	sbuf_release(&prefix);
	outdir_abort(od);
	return ret;
}

/* A rename in the parent folder dirfd, durable. */
static int
sync_dir(int dirfd)
{
	return fsync(dirfd);
}

/* rename without replacing, where the system can say so. */
static int
rename_new(int from_fd, const char *from, int to_fd, const char *to,
    bool replace)
{
	struct stat st;

	if (replace)
		return renameat(from_fd, from, to_fd, to);
	if (renameat2(from_fd, from, to_fd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A file system without RENAME_NOREPLACE: check, then rename. */
	if (fstatat(to_fd, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(from_fd, from, to_fd, to);
}

static int
commit_new(struct outdir *od, struct dv_error *err)
{
	if (fchmod(od->stage_fd, 0777 & ~od->umask) != 0)
		return dv_error_errno(err, DV_EIO, "%s", od->stage_path);
	if (rename_new(od->stage_parent, od->stage_name, od->parent_fd,
	    od->base, false) != 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			return dv_error_set(err, DV_EEXIST, "%s: appeared while "
			    "writing; nothing was written", od->path);
		return dv_error_errno(err, DV_EIO, "%s: cannot rename '%s' "
		    "to it", od->path, od->stage_path);
	}
	/* The temporary directory is OUTDIR now: nothing to remove. */
	free(od->stage_name);
	od->stage_name = NULL;
	if (sync_dir(od->parent_fd) != 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot sync", od->path);
	return 0;
}

/*
 * An existing OUTDIR staged inside itself (a mount point, or a parent we
 * may not write): only here are names moved in one by one, so SIGKILL in
 * the middle can leave some moved and some not (outdir.h says so).
 */
static int
commit_by_name(struct outdir *od, struct dv_error *err)
{
	struct stat st;
	size_t i;
	int ret;

	/* Refuse before moving anything, when the refusal is certain. */
	for (i = 0; i < od->files.n; i++)
		if (!((struct ofile *)od->files.v[i])->unchanged &&
		    (ret = check_existing(od, ((struct ofile *)
		    od->files.v[i])->rel, true, NULL, err)) != 0)
			return ret;
	for (i = 0; i < od->dirs.n; i++) {
		if (mkdirat(od->out_fd, od->dirs.v[i], 0777) == 0)
			continue;
		if (errno != EEXIST || fstatat(od->out_fd, od->dirs.v[i], &st,
		    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
			return dv_error_errno(err, DV_EIO, "%s/%s: cannot make "
			    "the folder", od->path, (char *)od->dirs.v[i]);
	}
	for (i = 0; i < od->files.n; i++) {
		const char *rel = ((struct ofile *)od->files.v[i])->rel;
		if (((struct ofile *)od->files.v[i])->unchanged)
			continue;
		if (rename_new(od->stage_fd, rel, od->out_fd, rel,
		    (od->flags & OUTDIR_FORCE) != 0) != 0)
			return dv_error_errno(err, errno == EEXIST ? DV_EEXIST :
			    DV_EIO, "%s/%s: cannot move into place", od->path,
			    rel);
	}
	/* The moved names in every folder, durable at once (the stage is
	 * inside OUTDIR, so on its file system). */
	if (syncfs(od->out_fd) != 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot sync", od->path);
	return 0;
}


/* Copy the regular file name from one folder to another (when it cannot
 * be linked: a file of another user under protected_hardlinks). */
static int
copy_into(int from_fd, int to_fd, const char *name, mode_t mode)
{
	char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = openat(from_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = openat(to_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode & 07777);
	if (out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				break;
		/* Made durable by commit_swap's syncfs of the stage. */
		if (n == 0)
			ret = 0;
		if (close(out) != 0)
			ret = -1;
	}
	close(in);
	return ret;
}

/*
 * Put into the stage folder to_fd (rel inside the stage, "" at its top)
 * everything of the existing folder from_fd that this run does not
 * replace: files as hard links (no bytes copied), folders made anew with
 * their modes.  Links inside OUTDIR are linked as links, never followed.
 */
static int
populate(struct outdir *od, int from_fd, int to_fd, const char *rel,
    struct dv_error *err)
{
	struct ptrvec names = PTRVEC_INIT;
	struct sbuf sub = SBUF_INIT(SBUF_NOCAP);
	struct dirent *de;
	struct stat st;
	DIR *dir;
	int fd, cfrom, cto, ret = 0;
	size_t i;

	if ((fd = dup(from_fd)) < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return dv_error_errno(err, DV_EIO, "%s/%s: cannot read",
		    od->path, rel);
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    (*rel != '\0' || !is_stage_name(de->d_name, ".depot-tmp-")))
			ptrvec_push(&names, xstrdup(de->d_name));
	closedir(dir);
	for (i = 0; ret == 0 && i < names.n; i++) {
		const char *name = names.v[i];
		sbuf_reset(&sub);
		sbuf_addf(&sub, "%s%s%s", rel, *rel != '\0' ? "/" : "", name);
		if (fstatat(from_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			ret = dv_error_errno(err, DV_EIO, "%s/%s", od->path,
			    sub.buf);
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			/* A name this run writes replaces the old file. */
			if (find_file(od, sub.buf) != NULL)
				continue;
			if (linkat(from_fd, name, to_fd, name, 0) != 0 &&
			    (!S_ISREG(st.st_mode) ||
			    copy_into(from_fd, to_fd, name, st.st_mode) != 0))
				ret = dv_error_errno(err, DV_EIO, "%s/%s: cannot "
				    "carry over into the new folder", od->path,
				    sub.buf);
			continue;
		}
		if (mkdirat(to_fd, name, 0700) != 0 && errno != EEXIST) {
			ret = dv_error_errno(err, DV_EIO, "%s/%s: cannot make "
			    "the folder", od->stage_path, sub.buf);
			break;
		}
		cfrom = openat(from_fd, name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		cto = openat(to_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (cfrom < 0 || cto < 0)
			ret = dv_error_errno(err, DV_EIO, "%s/%s: cannot open",
			    od->path, sub.buf);
		/* No fsync per folder: commit_swap's one syncfs of the stage
		 * covers every folder made here. */
		else if ((ret = populate(od, cfrom, cto, sub.buf, err)) == 0 &&
		    fchmod(cto, st.st_mode & 07777) != 0)
			ret = dv_error_errno(err, DV_EIO, "%s/%s: cannot set "
			    "its mode", od->stage_path, sub.buf);
		if (cfrom >= 0)
			close(cfrom);
		if (cto >= 0)
			close(cto);
	}
	for (i = 0; i < names.n; i++)
		free(names.v[i]);
	ptrvec_release(&names);
	sbuf_release(&sub);
	return ret;
}

/*
 * Swap the whole stage with OUTDIR: one renameat2(RENAME_EXCHANGE), so
 * that at every instant OUTDIR is either all old or all new, whatever
 * kills us.  Where the file system cannot exchange, two renames: OUTDIR
 * to .NAME.depot-old-XXXXXX, then the stage to OUTDIR; a run killed
 * between them leaves no OUTDIR and that folder, which the next
 * outdir_begin renames back (recover_old), so OUTDIR is again all old.
 * Either way the old tree ends at a name that the next run removes.
 */
static int
swap_in(struct outdir *od, struct dv_error *err)
{
	struct sbuf old = SBUF_INIT(SBUF_NOCAP);
	int ret = 0;

	if (renameat2(od->parent_fd, od->stage_name, od->parent_fd, od->base,
	    RENAME_EXCHANGE) == 0)
		goto moved;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot swap '%s' into "
		    "its place", od->path, od->stage_path);
		goto out;
	}
	sbuf_addf(&old, "%s/.%s%sXXXXXX", od->parent_path, od->base,
	    OLD_INFIX);
	/* A folder renamed over an empty folder replaces it. */
	if (mkdtemp(old.buf) == NULL || renameat(od->parent_fd, od->base,
	    od->parent_fd, strrchr(old.buf, '/') + 1) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot move the old "
		    "folder aside", od->path);
		goto out;
	}
	if (renameat(od->parent_fd, od->stage_name, od->parent_fd,
	    od->base) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot rename '%s' to "
		    "it", od->path, od->stage_path);
		(void)renameat(od->parent_fd, strrchr(old.buf, '/') + 1,
		    od->parent_fd, od->base);
		goto out;
	}
	(void)sync_dir(od->parent_fd);
	remove_tree(od->parent_fd, strrchr(old.buf, '/') + 1);
	/* The stage is OUTDIR now: nothing left at its name. */
	free(od->stage_name);
	od->stage_name = NULL;
	goto out;
moved:
	/* The stage's name holds the old tree now; outdir_abort removes it
	 * (and, if we are killed first, the next run does: it is unlocked). */
	if (sync_dir(od->parent_fd) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot sync", od->path);
out:
	sbuf_release(&old);
	return ret;
}

/*
 * An existing OUTDIR staged beside it: build the whole new tree in the
 * stage (what OUTDIR holds, as links, plus this run's files; or only
 * this run's files with OUTDIR_REPLACE) and swap it in once.  Commits
 * into one parent folder take its lock, so two runs into one OUTDIR do
 * not each carry over the other's old tree.
 */
static int
commit_swap(struct outdir *od, struct dv_error *err)
{
	struct stat st;
	size_t i;
	int ret, fd;

	/* Best effort: a file system without locks still gets the swap. */
	(void)flock(od->parent_fd, LOCK_EX);
	/* OUTDIR as it is now, not as it was when we began. */
	fd = openat(od->parent_fd, od->base, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		ret = commit_new(od, err);
		goto out;
	}
	if (fd < 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", od->path);
		goto out;
	}
	close(od->out_fd);
	od->out_fd = fd;
	if ((od->flags & OUTDIR_REPLACE) == 0) {
		for (i = 0; i < od->files.n; i++)
			if (!((struct ofile *)od->files.v[i])->unchanged &&
			    (ret = check_existing(od, ((struct ofile *)
			    od->files.v[i])->rel, true, NULL, err)) != 0)
				goto out;
		if ((ret = populate(od, od->out_fd, od->stage_fd, "", err)) != 0)
			goto out;
	}
	/* What populate linked in, in every folder, durable before the swap. */
	if (fstat(od->out_fd, &st) != 0 ||
	    fchmod(od->stage_fd, st.st_mode & 07777) != 0 ||
	    syncfs(od->stage_fd) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot sync", od->path);
		goto out;
	}
	ret = swap_in(od, err);
out:
	(void)flock(od->parent_fd, LOCK_UN);
	return ret;
}

int
outdir_commit(struct outdir *od, struct dv_error *err)
{
	size_t i;
	int ret;

	if ((ret = outdir_check(od, err)) != 0)
		goto out;
	for (i = 0; i < od->files.n; i++) {
		struct ofile *f = od->files.v[i];
		if (f->fd >= 0) {
			ret = dv_error_set(err, DV_EIO, "%s/%s: still open at "
			    "commit", od->path, f->rel);
			goto out;
		}
	}
	/*
	 * One durable commit: every file and folder of the temporary
	 * directory reaches the disk with one syncfs before the renames,
	 * instead of one fsync each (hundreds for an unpacked depot).
	 */
	if (syncfs(od->stage_fd) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot sync",
		    od->stage_path);
		goto out;
	}
	if (!od->existed)
		ret = commit_new(od, err);
	else if (od->stage_parent == od->parent_fd)
		ret = commit_swap(od, err);
	else
		ret = commit_by_name(od, err);
out:
	outdir_abort(od);
	return ret;
}
