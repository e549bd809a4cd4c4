/* outdir.h - fill an output directory atomically (outdir.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_OUTDIR_H
#define DV_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "progress.h"
#include "sbuf.h"
#include "xalloc.h"

/*
 * Everything is written into a temporary directory made inside OUTDIR's
 * parent (".OUTDIR.depot-XXXXXX"), made durable as a whole by one syncfs
 * of its file system (outdir_copy and large outdir_writes start their
 * bytes' writeback as they go, so it finds little left to write), and
 * moved into place by outdir_commit in one step:
 *  - a new OUTDIR appears whole with one rename;
 *  - an existing OUTDIR is swapped whole: the temporary directory gets
 *    what OUTDIR holds (hard links, no bytes copied; links inside it are
 *    kept as links) plus this run's files, and one renameat2
 *    (RENAME_EXCHANGE) puts it in OUTDIR's place.  With OUTDIR_REPLACE
 *    the old contents are not carried over (bundle --force).  A name
 *    OUTDIR already has is refused unless OUTDIR_FORCE or OUTDIR_REPLACE.
 *    Where the file system cannot exchange, OUTDIR is renamed to
 *    ".OUTDIR.depot-old-XXXXXX" and the new tree to OUTDIR; a run killed
 *    between the two leaves no OUTDIR, and the next outdir_begin into it
 *    renames the old one back.
 * So whatever kills a run, SIGKILL and power loss included, OUTDIR is all
 * old or all new, never half.  outdir_abort, or any failure, removes the
 * temporary directory; only SIGKILL can leave it (or the old tree after
 * the swap) behind.  The temporary directory is flock'd while its run
 * lives, and outdir_begin removes every unlocked one an earlier run into
 * the same OUTDIR left (".OUTDIR.depot-XXXXXX", or ".depot-tmp-XXXXXX"
 * inside OUTDIR).  Commits into one parent folder take the parent's
 * flock, so two runs into one OUTDIR each see the other's result.
 *
 * When OUTDIR exists but its parent is not writable (OUTDIR is a home
 * directory) or is on another file system (OUTDIR is a mount point), the
 * temporary directory is made inside OUTDIR instead and is never part of
 * what is committed; then names are moved in one by one, and SIGKILL
 * during the commit can leave some moved, and OUTDIR_REPLACE is refused.
 * OUTDIR may be a link to a folder: the folder is what is filled.
 *
 * Relative names are checked by names.c's dv_out_path_problem (not
 * empty, not absolute, no drive letter, no "." or ".." or empty
 * components, no backslashes, no control characters, at most
 * DV_MAX_NAME_BYTES).  Symbolic links inside OUTDIR are never followed.
 */
enum outdir_flags {
	OUTDIR_FORCE = 1 << 0,	 /* an existing name in OUTDIR may be replaced */
	OUTDIR_REPLACE = 1 << 1, /* an existing OUTDIR is replaced as a whole */
	/* A name OUTDIR has may be written again with the same bytes: the
	 * file is left as it is and counted unchanged (outdir_unchanged);
	 * other bytes are refused at outdir_close_file or outdir_sync_file. */
	OUTDIR_SAME_OK = 1 << 2,
};

struct outdir;

/* Start.  Errors: DV_EIO (cannot make the temporary directory), DV_EPATH. */
int outdir_begin(const char *path, unsigned flags, struct outdir **out,
    struct dv_error *err);
/* OUTDIR as given. */
const char *outdir_path(const struct outdir *od);
/* The temporary directory, where this run's files are until the commit:
 * for a caller that reads back what it wrote (bundle's staging). */
const char *outdir_stage_path(const struct outdir *od);

/*
 * Create relname (its folders as needed) and return a file descriptor
 * for writing (and reading back) in *fd; executable makes it 0777
 * before the umask, else 0666.  Errors: DV_EPATH (a bad name), DV_EEXIST (written already in
 * this run, or present in OUTDIR without OUTDIR_FORCE), DV_EINTR, DV_EIO.
 */
int outdir_open_file(struct outdir *od, const char *relname, bool executable,
    int *fd, struct dv_error *err);
/*
 * Write all of buf to fd, a file of the caller's own (named path in the
 * message), retrying short writes.  Errors: DV_EIO.
 */
int fd_write_all(int fd, const void *buf, size_t len, const char *path,
    struct dv_error *err);
/* Write all of buf to fd at offset off (its file position unmoved).
 * Errors: DV_EIO. */
int fd_pwrite_all(int fd, const void *buf, size_t len, uint64_t off,
    const char *path, struct dv_error *err);
/* Write all of buf to fd; DV_EINTR when interrupted, DV_EIO. */
int outdir_write(struct outdir *od, int fd, const void *buf, size_t len,
    struct dv_error *err);
/*
 * Copy the next bytes of the file in (from its offset, up to cap) to the
 * end of fd, and leave in buf what fd now holds of them, so that a digest
 * of buf covers the bytes written, not a second read of in.  The kernel
 * copies where it can (copy_file_range), else read and write through buf.
 * *copied: how many, 0 at the end of in.  Errors: DV_EINTR, DV_EIO.
 */
int outdir_copy(struct outdir *od, int fd, int in, void *buf, size_t cap,
    size_t *copied, struct dv_error *err);
/* Close fd (always closed).  Errors: DV_EIO, DV_EINTR. */
int outdir_close_file(struct outdir *od, int fd, struct dv_error *err);

/*
 * For code that must create the file itself (a library given a path):
 * check and register relname as outdir_open_file does, and put the path
 * it must be created at into path.  Call outdir_sync_file after (it sets
 * the file's permissions; the commit makes it durable).
 */
int outdir_reserve(struct outdir *od, const char *relname, struct sbuf *path,
    struct dv_error *err);
int outdir_sync_file(struct outdir *od, const char *relname,
    struct dv_error *err);

/* Whether relname was written in this run. */
bool outdir_has(const struct outdir *od, const char *relname);
/* Take back a file written in this run (it turned out not to be wanted). */
int outdir_remove(struct outdir *od, const char *relname,
    struct dv_error *err);
/* Files written so far (unchanged ones included). */
size_t outdir_count(const struct outdir *od);
/*
 * Count into p every byte any outdir of this process writes and every
 * file it closes, for a progress line (NULL: count nothing).  Set by the
 * front end around one command, as the interrupt flag is.
 */
void outdir_count_into(struct dv_progress *p);
/* Push (xstrdup'd) the names written with the bytes OUTDIR already had. */
void outdir_unchanged(const struct outdir *od, struct ptrvec *names);

/*
 * Move everything into place (see above) and free od.  Not
 * interruptible: once it starts, it finishes or fails.  Errors:
 * DV_EEXIST, DV_EIO.  On failure the temporary directory is removed and
 * OUTDIR is as it was (staged inside OUTDIR: the names moved before the
 * failure stay).
 */
int outdir_commit(struct outdir *od, struct dv_error *err);
/* Remove the temporary directory and free od; NULL is fine. */
void outdir_abort(struct outdir *od);

/*
 * The program's one interrupt flag.  cmd/ sets it from its handler for
 * SIGINT, SIGTERM and SIGHUP (cmd/msg.c: msg_catch_signals); every
 * outdir stops at the next file boundary or write, and any long loop of
 * the libraries may poll outdir_interrupted() and stop with DV_EINTR.
 * outdir_interrupt is async-signal-safe.
 */
void outdir_interrupt(void);
bool outdir_interrupted(void);
/* 0, or DV_EINTR ("OUTDIR: interrupted; nothing was written") when an
 * interrupt was asked for; od may be NULL. */
int outdir_check(struct outdir *od, struct dv_error *err);

#endif
