/* package_int.h - private to the package_*.c files: the walk's state. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_PACKAGE_INT_H
#define DV_PACKAGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "crypto.h"
#include "depot_int.h"
#include "package.h"
#include "smap.h"
#include "vib.h"

/* Enough of a member to recognise zip, gzip, tar and ar. */
#define HEAD_LEN 512
#define COPY_BUF (256u << 10)
#define TOOL_BINARY "nvmupdaten64e"
#define TOOL_CONFIG "nvmupdate.cfg"

/* Content already met in this run, by SHA-256. */
struct seen {
	char sha256[HASH_HEX_MAX];
	char *where;  /* "INPUT!chain", for "same content as" */
	char *output; /* the name written in the output, or NULL */
};

/* One package_open: the input and what the walk has built so far. */
struct walk {
	struct package *p;
	const struct package_sink *sink; /* NULL: only look */
	struct dv_error *err;
	struct ptrvec own_seen;
	struct ptrvec *seen; /* the sink's, or own_seen */
	size_t nodes;
	uint64_t held; /* archive bytes in memory along the current chain */
	int fd;	       /* the input */
};

struct special;

struct centry {
	char *name; /* ".", "" components and a final "/" removed */
	bool dir;
	uint64_t size;
	unsigned mode;
	int64_t mtime;
	struct special *owner; /* the expanded depot or tool it is part of */
	struct package_node *node;
};

/* An expanded depot folder or an Intel tool folder inside one archive. */
struct special {
	enum package_kind kind;
	char *dir; /* inside the archive; "" for its root */
	struct package_node *node;
	struct ptrvec stash_names; /* expanded: metadata files, in memory */
	struct ptrvec stash_data;  /* struct sbuf * */
	uint64_t stash_total;
	struct sbuf cfg; /* tool: nvmupdate.cfg */
	bool have_cfg;
	const char *outdir; /* tool: folder written in the output */
	bool ready;	    /* its node is set up */
	bool swallowed;	    /* inside another special folder: just files */
};

/* One archive being walked: the input itself, or one held in memory. */
struct cont {
	struct walk *w;
	struct package_node *node;
	const char *chain; /* its path from the input, "" for the input */
	int depth;	   /* 1 for the input */
	bool is_tar;
	const void *mem;   /* its bytes; NULL for the input file */
	size_t len;
	struct zipfile *zip;
	struct tarfile *tar;
	struct byte_source fdsrc;
	long tar_cur;	/* the entry tarfile_next last gave */
	bool tar_used;	/* some of its data was read */
	struct centry *ents;
	size_t nents, alloc;
	struct smap names;   /* entry name -> index + 1 */
	struct smap folders; /* folder name -> node */
	struct smap specials; /* special dir -> struct special */
	struct ptrvec speclist;
	const char *stem; /* the archive's name without its extension */
};

/* One member's bytes as a stream, with its first bytes peekable. */
struct mstream {
	struct cont *c;
	size_t idx;
	struct zipstream *zs;
	unsigned char head[HEAD_LEN];
	size_t headlen, headpos;
	uint64_t got;
};

/* Where the VIBs of a depot are read from, for the sink's vibs. */
struct vib_reader {
	int (*open)(void *ctx, const char *member, struct mstream *ms);
	void *ctx;
};

/* package_walk.c: the walk driver. */
int pk_walk_container(struct cont *c);
int pk_walk_check(struct walk *w);
bool pk_zip_magic(const unsigned char *p, size_t n);
bool pk_gzip_magic(const unsigned char *p, size_t n);

/* package_cont.c: one archive's listing and member streams. */
long pk_fd_read(void *ctx, void *buf, size_t len, struct dv_error *err);
int pk_list_zip(struct cont *c);
int pk_list_tar(struct cont *c);
int pk_ms_open(struct cont *c, size_t i, struct mstream *ms);
int pk_ms_peek(struct mstream *ms);
long pk_ms_read(void *ctx, void *buf, size_t len, struct dv_error *err);
void pk_ms_close(struct mstream *ms);
int pk_ms_read_all(struct mstream *ms, uint64_t cap, struct sbuf *out);
void pk_cont_release(struct cont *c);

/* package_tree.c: nodes, labels and content identity. */
struct package_node *pk_new_node(struct walk *w, struct package_node *parent,
    enum package_kind kind, const char *name, const char *path);
struct package_node *pk_folder_node(struct cont *c, const char *dir);
void pk_set_sha(struct package *p, struct package_node *n, const char *hex);
void pk_skip(struct walk *w, struct package_node *n, const char *why);
const char *pk_member_label(const struct cont *c, const char *name,
    struct sbuf *sb);
char *pk_join_chain(struct arena *a, const char *chain, const char *name);
char *pk_stem_of(struct arena *a, const char *name);
bool pk_tar_name(const char *s);
struct seen *pk_seen_sha(const struct ptrvec *seen, const char *sha);
struct seen *pk_seen_output(const struct ptrvec *seen, const char *output);
void pk_remember(struct ptrvec *seen, const struct package *p,
    const struct package_node *n, const char *sha, const char *output);
void pk_mark_duplicate(struct package *p, struct package_node *n,
    const struct seen *s);
void pk_seen_release(struct ptrvec *seen);

/* package_depot.c: depots and bare VIBs found in a package. */
int pk_depot_item(struct walk *w, struct package_node *n, const void *mem,
    size_t len);
int pk_describe_depot(struct walk *w, struct package_node *n,
    const struct depot *d, const char *vib_base, struct dv_diags *warnings);
int pk_extract_vibs(struct walk *w, struct package_node *n,
    const struct depot *d, const struct vib_reader *vr);
int pk_vib_item(struct walk *w, struct package_node *n,
    const struct byte_source *src, const char *outname);

/* package_special.c: expanded depots and tool folders in an archive. */
void pk_find_specials(struct cont *c);
struct package_node *pk_special_node(struct cont *c, struct special *sp);
const char *pk_rel_to(const struct special *sp, const char *name);

/* package_nvm.c: the Intel NVM update tool. */
void pk_finish_tool(struct cont *c, struct special *sp);
int pk_tool_member(struct cont *c, size_t i, struct special *sp);

/* package_expanded.c: expanded depot folders. */
int pk_stash_member(struct cont *c, size_t i, struct special *sp);
int pk_finish_expanded(struct cont *c, struct special *sp);

#endif
