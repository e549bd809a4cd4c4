/* bundle.c - write a bundle folder atomically, and its tar. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../depot/archive.h"
#include "../depot/depot.h"
#include "../depot/sbuf.h"
#include "../depot/json.h"
#include "bundle.h"

#include "../depot/version.h"
#define COPY_CHUNK (1u << 20)

static const char *const kind_name[] = {
	[ITEM_PROFILE] = "profile-depot",
	[ITEM_COMPONENT] = "component",
	[ITEM_DEPOT] = "offline-bundle",
	[ITEM_VIB] = "vib",
	[ITEM_MELLANOX] = "mellanox-firmware",
	[ITEM_INTEL] = "intel-nvm-tool",
};

/*
 * Copy in to the end of out, the kernel copying where it can
 * (outdir_copy), and hash what the copy holds: SHA256SUMS lists the bytes
 * bundled, not a second read of the source.
 */
static int
copy_bytes(struct outdir *od, int in, int out, char sha256[HASH_HEX_MAX],
    uint64_t *size, struct dv_error *err)
{
	struct hash *h = hash_new(HASH_SHA256);
	char *buf = xmalloc(COPY_CHUNK);
	size_t n;
	int ret;

	*size = 0;
	do {
		if ((ret = outdir_copy(od, out, in, buf, COPY_CHUNK, &n,
		    err)) != 0)
			goto out;
		hash_update(h, buf, n);
		*size += n;
	} while (n > 0);
	hash_final_hex(h, sha256);
out:
	hash_free(h);
	free(buf);
	return ret;
}

/* Open src and its file name in the bundle; an executable source stays
 * executable (the Intel tool). */
static int
open_pair(struct outdir *od, const char *src, const char *name, int *in,
    int *out, uint64_t *bytes, struct dv_error *err)
{
	struct stat st;
	int ret;

	*out = -1;
	*in = open(src, O_RDONLY | O_CLOEXEC);
	if (*in < 0 || fstat(*in, &st) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", src);
		goto fail;
	}
	*bytes = (uint64_t)st.st_size;
	if ((ret = outdir_open_file(od, name, (st.st_mode & 0111) != 0, out,
	    err)) != 0)
		goto fail;
	return 0;
fail:
	if (*in >= 0)
		close(*in);
	*in = -1;
	return ret;
}

/* The file src into the bundle as name. */
static int
copy_file(struct outdir *od, const char *src, const char *name,
    char sha256[HASH_HEX_MAX], uint64_t *size, struct dv_error *err)
{
	uint64_t bytes;
	int in, out, ret;

	if ((ret = open_pair(od, src, name, &in, &out, &bytes, err)) != 0)
		return ret;
	ret = copy_bytes(od, in, out, sha256, size, err);
	close(in);
	if (ret != 0) {
		(void)outdir_remove(od, name, NULL);
		return ret;
	}
	return outdir_close_file(od, out, err);
}

/*
 * One input file (not a tool folder) on its way into the bundle: its
 * file there is opened before the copying starts, so that inputs copied
 * at once on several threads never change the outdir's list of files
 * together; their results are read in the plan's order after.
 */
struct input_copy {
	const struct bundle_opts *o;
	struct outdir *od;
	struct bundle_item *it;
	int in, out;
	uint64_t bytes;	   /* the input's size, for the order of the work */
	bool grouped;	   /* its copy is under way or done */
	bool stop_on_fail; /* it comes before the host: its failure wins */
	bool done;
	int ret;
	struct dv_error err;
};

static int
copy_input(struct input_copy *c, struct dv_error *err)
{
	return copy_bytes(c->od, c->in, c->out, c->it->sha256, &c->it->size,
	    err);
}

static int
copy_input_side(void *ctx, size_t i, struct dv_error *err)
{
	(void)i;
	return copy_input(ctx, err);
}

/* An input, verified (a depot) as it is copied, on the calling thread. */
static void
run_input(struct input_copy *c, int jobs)
{
	struct bundle_side own = {copy_input_side, c, 1};

	c->ret = c->it->verify ? bundle_verify_input(c->o, c->it, jobs, &own,
	    &c->err) : copy_input(c, &c->err);
	c->done = true;
}

/*
 * The host depot's VIBs are checked on o->jobs threads; its copy (task
 * 0) and the inputs beside it (each on one thread) are the pool's first
 * tasks, largest first, so no core idles while one input is alone.
 */
struct input_group {
	struct input_copy *host;
	struct input_copy **beside;
	size_t nbeside;
};

static int
group_task(void *ctx, size_t i, struct dv_error *err)
{
	struct input_group *g = ctx;
	struct input_copy *c;

	if (i == 0)
		return copy_input(g->host, err);
	c = g->beside[i - 1];
	run_input(c, 1);
	/* The plan's first failure is the one reported: one before the host
	 * stops the work; one after it waits for the host's verdict.  An
	 * interrupt stops everything. */
	if (c->ret != 0 && (c->stop_on_fail || c->err.code == DV_EINTR)) {
		*err = c->err;
		return c->ret;
	}
	return 0;
}

static int
by_bytes(const void *a, const void *b)
{
	const struct input_copy *x = *(struct input_copy *const *)a;
	const struct input_copy *y = *(struct input_copy *const *)b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

/*
 * Copy (and verify) every input of c, in groups: the largest depot not
 * yet done is a group's host, and beside it go the files that are only
 * copied and the depots small enough (their size times jobs at most the
 * host's) not to outlast the host's own work on one thread.  A depot as
 * large goes in a later group, with all the jobs again.
 */
static int
copy_inputs(const struct bundle_opts *o, struct input_copy *c, size_t n,
    struct dv_error *err)
{
	struct input_group g;
	struct input_copy **beside = xcalloc(n + 1, sizeof(*beside));
	int jobs = o->jobs < 1 ? 1 : o->jobs, ret = 0;
	size_t i, k;

	for (;;) {
		g.host = NULL;
		for (i = 0; i < n; i++)
			if (!c[i].grouped && c[i].it->verify && (g.host == NULL ||
			    c[i].bytes > g.host->bytes))
				g.host = &c[i];
		if (g.host == NULL)
			break;
		g.host->grouped = true;
		for (i = k = 0; i < n; i++)
			if (!c[i].grouped && (!c[i].it->verify ||
			    c[i].bytes <= g.host->bytes / (uint64_t)jobs)) {
				c[i].grouped = true;
				c[i].stop_on_fail = &c[i] < g.host;
				beside[k++] = &c[i];
			}
		qsort(beside, k, sizeof(*beside), by_bytes);
		g.beside = beside;
		g.nbeside = k;
		g.host->ret = bundle_verify_input(o, g.host->it, jobs,
		    &(struct bundle_side){group_task, &g, k + 1}, &g.host->err);
		g.host->done = true;
		/* The first failure in the plan's order. */
		for (i = 0; i < n; i++)
			if (c[i].done && c[i].ret != 0) {
				*err = c[i].err;
				ret = c[i].ret;
				goto out;
			}
	}
	/* No depot left to verify: the rest is copied. */
	for (i = 0; i < n; i++)
		if (!c[i].grouped) {
			run_input(&c[i], jobs);
			if (c[i].ret != 0) {
				*err = c[i].err;
				ret = c[i].ret;
				goto out;
			}
		}
out:
	free(beside);
	return ret;
}

/*
 * A tool folder: its files, each under NAME/ in SHA256SUMS; outdir makes
 * the folders.  Each file goes into the tar's list (names, whose strings
 * stay in owned).
 */
static int
copy_folder(struct outdir *od, struct bundle_item *it, struct sbuf *sums,
    struct ptrvec *names, struct ptrvec *owned, struct dv_error *err)
{
	struct sbuf src = SBUF_INIT(SBUF_NOCAP), dst = SBUF_INIT(SBUF_NOCAP);
	char sha256[HASH_HEX_MAX];
	uint64_t size;
	int ret = 0;

	it->size = 0;
	for (size_t i = 0; i < it->files.n; i++) {
		const char *f = it->files.v[i];
		sbuf_reset(&dst);
		sbuf_addf(&dst, "%s/%s", it->name, f);
		sbuf_reset(&src);
		sbuf_addf(&src, "%s/%s", it->file, f);
		if ((ret = copy_file(od, src.buf, dst.buf, sha256, &size,
		    err)) != 0)
			goto out;
		it->size += size;
		sbuf_addf(sums, "%s  %s\n", sha256, dst.buf);
		ptrvec_push(owned, sbuf_detach(&dst, NULL));
		ptrvec_push(names, owned->v[owned->n - 1]);
	}
out:
	sbuf_release(&src);
	sbuf_release(&dst);
	return ret;
}

/*
 * Every input into the bundle, each file's line into SHA256SUMS (sums)
 * and its name into the tar's list, in the plan's order.  The files are
 * copied (and the depots verified) at once (copy_inputs), the tool
 * folders after.
 */
static int
copy_items(const struct bundle_opts *o, struct outdir *od,
    const struct bundle_plan *p, struct sbuf *sums, struct ptrvec *names,
    struct ptrvec *owned, struct dv_error *err)
{
	struct input_copy *c = xcalloc(p->items.n + 1, sizeof(*c));
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; i < p->items.n; i++) {
		struct bundle_item *it = plan_item(p, i);
		if (it->kind == ITEM_INTEL)
			continue;
		c[n].o = o;
		c[n].od = od;
		c[n].it = it;
		if ((ret = open_pair(od, it->file, it->name, &c[n].in,
		    &c[n].out, &c[n].bytes, err)) != 0)
			goto out;
		n++;
	}
	if ((ret = copy_inputs(o, c, n, err)) != 0)
		goto out;
	for (i = n = 0; i < p->items.n; i++) {
		struct bundle_item *it = plan_item(p, i);
		if (it->kind == ITEM_INTEL) {
			if ((ret = copy_folder(od, it, sums, names, owned,
			    err)) != 0)
				goto out;
			continue;
		}
		close(c[n].in);
		c[n].in = -1;
		ret = outdir_close_file(od, c[n].out, err);
		c[n++].out = -1;
		if (ret != 0)
			goto out;
		sbuf_addf(sums, "%s  %s\n", it->sha256, it->name);
		ptrvec_push(names, it->name);
	}
out:
	/* The bundle's files are closed by outdir_abort. */
	for (i = 0; i < p->items.n && c[i].it != NULL; i++)
		if (c[i].in >= 0)
			close(c[i].in);
	free(c);
	return ret;
}

/* Write data as a new file and note its digest for SHA256SUMS. */
static int
write_text(struct outdir *od, const char *name, bool executable,
    const struct sbuf *data, struct sbuf *sums, struct dv_error *err)
{
	char hex[HASH_HEX_MAX];
	int fd, ret;

	if ((ret = outdir_open_file(od, name, executable, &fd, err)) != 0)
		return ret;
	if ((ret = outdir_write(od, fd, data->buf, data->len, err)) != 0) {
		(void)outdir_remove(od, name, NULL);
		return ret;
	}
	if ((ret = outdir_close_file(od, fd, err)) != 0)
		return ret;
	hash_hex(HASH_SHA256, data->buf, data->len, hex);
	sbuf_addf(sums, "%s  %s\n", hex, name);
	return 0;
}

static void
step_words(const struct bundle_item *it, struct sbuf *sb)
{
	switch (it->kind) {
	case ITEM_PROFILE:
		sbuf_addf(sb, "update the host to image profile %s from %s "
		    "(esxcli software profile update)", it->profile, it->name);
		break;
	case ITEM_COMPONENT:
		sbuf_addf(sb, "apply the component depot %s (esxcli software "
		    "component apply)", it->name);
		break;
	case ITEM_DEPOT:
		sbuf_addf(sb, "install the VIBs of %s (esxcli software vib "
		    "install -d)", it->name);
		break;
	case ITEM_VIB:
		sbuf_addf(sb, "install the VIB %s (esxcli software vib install "
		    "-v)", it->name);
		break;
	case ITEM_MELLANOX:
		sbuf_addf(sb, "flash Mellanox firmware %s %s on devices with "
		    "PSID %s (mlxfwmanager)", it->name, it->fw_version,
		    it->psid);
		break;
	case ITEM_INTEL:
		sbuf_addf(sb, "update the Intel NICs' NVM%s%s with the tool in "
		    "%s/ (nvmupdaten64e -u)", *it->fw_version ? " to " : "",
		    it->fw_version, it->name);
		break;
	}
}

const char *
bundle_kind_name(enum bundle_item_kind kind)
{
	return kind_name[kind];
}

/* "DIR/PACKAGE.zip!inner/x.zip" as "PACKAGE.zip!inner/x.zip". */
static void
shown_source(const char *source, struct sbuf *out)
{
	size_t outer = strcspn(source, "!");
	const char *base = source;

	for (const char *p = source; p < source + outer; p++)
		if (*p == '/')
			base = p + 1;
	sbuf_adds(out, base);
}

static void
manifest(const struct bundle_opts *o, const struct bundle_plan *p,
    struct sbuf *out)
{
	struct sbuf words = SBUF_INIT(SBUF_NOCAP);
	struct ptrvec platforms = PTRVEC_INIT;
	char *buf = NULL;
	size_t len = 0, i, k, m;
	struct dv_json j;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		abort(); /* only out of memory */
	for (i = 0; i < p->items.n; i++)
		for (k = 0; k < plan_item(p, i)->platforms.n; k++) {
			for (m = 0; m < platforms.n; m++)
				if (strcmp(platforms.v[m],
				    plan_item(p, i)->platforms.v[k]) == 0)
					break;
			if (m == platforms.n)
				ptrvec_push(&platforms,
				    plan_item(p, i)->platforms.v[k]);
		}
	dv_json_init(&j, fp);
	dv_json_object_begin(&j, NULL);
	dv_json_string(&j, "tool", "esxstage " ESXSTAGE_VERSION);
	dv_json_string(&j, "datastore", o->datastore);
	dv_json_string(&j, "dir", o->dir);
	dv_json_strings(&j, "target_platforms",
	    (const char *const *)platforms.v, platforms.n);
	dv_json_array_begin(&j, "inputs");
	for (i = 0; i < p->items.n; i++) {
		const struct bundle_item *it = plan_item(p, i);
		dv_json_object_begin(&j, NULL);
		dv_json_string(&j, "name", it->name);
		/* The file's name, not where it was on this workstation. */
		sbuf_reset(&words);
		shown_source(it->source, &words);
		dv_json_string(&j, "source", words.buf);
		dv_json_string(&j, "kind", kind_name[it->kind]);
		dv_json_uint(&j, "size", it->size);
		dv_json_string(&j, "sha256", it->sha256);
		dv_json_string(&j, "profile", it->profile);
		dv_json_string(&j, "acceptance_level", it->kind == ITEM_MELLANOX ||
		    it->kind == ITEM_INTEL ? NULL :
		    dv_acceptance_name(it->lowest));
		dv_json_bool(&j, "has_unsigned_vibs", it->has_unsigned);
		dv_json_strings(&j, "platforms",
		    (const char *const *)it->platforms.v, it->platforms.n);
		dv_json_strings(&j, "vibs",
		    (const char *const *)it->vibs.v, it->vibs.n);
		dv_json_string(&j, "psid", it->psid);
		dv_json_string(&j, "firmware_version", it->fw_version);
		if (it->kind == ITEM_INTEL)
			dv_json_strings(&j, "files",
			    (const char *const *)it->files.v, it->files.n);
		dv_json_object_end(&j);
	}
	dv_json_array_end(&j);
	dv_json_array_begin(&j, "steps");
	for (i = 0; i < p->items.n; i++) {
		sbuf_reset(&words);
		step_words(plan_item(p, i), &words);
		dv_json_string(&j, NULL, words.buf);
	}
	dv_json_array_end(&j);
	dv_json_object_end(&j);
	dv_json_finish(&j);
	fclose(fp);
	sbuf_add(out, buf, len);
	free(buf);
	sbuf_release(&words);
	ptrvec_release(&platforms);
}

static void
readme(const struct bundle_opts *o, const struct bundle_plan *p,
    struct sbuf *out)
{
	struct sbuf words = SBUF_INIT(SBUF_NOCAP);

	sbuf_addf(out, "esxstage bundle for /vmfs/volumes/%s/%s\n",
	    o->datastore, o->dir);
	if (*p->esxi != '\0')
		sbuf_addf(out, "Checked to fit ESXi %s.\n", p->esxi);
	sbuf_adds(out, "\n");
	if (p->misfits.n > 0) {
		sbuf_adds(out, "WARNINGS: made with --force despite these "
		    "problems:\n");
		for (size_t i = 0; i < p->misfits.n; i++)
			sbuf_addf(out, "  WARNING: %s\n", p->misfits.v[i].msg);
		sbuf_adds(out, "\n");
	}
	sbuf_adds(out, "What it does, in order:\n");
	for (size_t i = 0; i < p->items.n; i++) {
		sbuf_reset(&words);
		step_words(plan_item(p, i), &words);
		sbuf_addf(out, "  %zu. %s\n", i + 1, words.buf);
	}
	sbuf_addf(out, "\nHow to use it:\n"
	    "  1. Upload this whole folder to the datastore '%s' as\n"
	    "     /vmfs/volumes/%s/%s\n"
	    "     (the datastore, not /tmp: /tmp is wiped at every reboot).\n"
	    "  2. In the ESXi shell (SSH):\n"
	    "       cd /vmfs/volumes/%s/%s\n"
	    "       sh install.sh check     reports every blocker (running "
	    "VMs, vSAN,\n"
	    "                               Secure Boot, space); changes "
	    "nothing\n"
	    "       sh install.sh apply     backs up the host config, enters "
	    "maintenance\n"
	    "                               mode and installs\n"
	    "  3. When apply says a reboot is needed (exit status 3), reboot "
	    "the\n"
	    "     host and run 'sh install.sh apply' again; it carries on "
	    "from what\n"
	    "     the host has, skipping what is already installed.\n"
	    "  'sh install.sh status' tells where the host stands; "
	    "'sh install.sh show'\n  lists the steps.\n\n"
	    "Many hosts, one bundle: one folder on a shared datastore may serve "
	    "every\nhost that can see it, one after another or at the same time. "
	    "Each host\nkeeps what install.sh writes about it in "
	    "hosts/<hostname>-<uuid>/: its\nlog (every line names the host), its "
	    "config backup, the mark that it\nentered maintenance mode, its copy "
	    "of a firmware tool and its lock.\nThe rest of the folder is only "
	    "read. Each host leaves maintenance mode\nonly if install.sh put it "
	    "there; a host put in it by hand stays in it.\n\n"
	    "Options of apply: --yes (do not ask), --allow-running-vms "
	    "(maintenance\nmode then waits up to --timeout SECONDS, 1800 by "
	    "default, for VMs to be\nmoved or stopped), --vsanmode MODE (a vSAN "
	    "host must name one:\nensureObjectAccessibility, the usual choice, "
	    "evacuateAllData or noAction),\n--set-acceptance (lowers the host "
	    "acceptance level where a step needs\nit; permanent: it stays after "
	    "this bundle).\n\n"
	    "Before uploading, 'esxbundle verify' on the workstation checks "
	    "every file\nagainst SHA256SUMS; install.sh checks them again on "
	    "the host.\n\nSecrets and rolling back: the config backup in "
	    "hosts/<hostname>-<uuid>/ is\nmode 0600 because it holds password "
	    "hashes and host certificates; keep it\nprivate. It restores only "
	    "onto the build it was taken on (its name says\nwhich): press "
	    "Shift+R at boot to start the previous image first, then\nin "
	    "maintenance mode: vim-cmd hostsvc/firmware/restore_config FILE\n\n"
	    "Notes (facts this bundle relies on that could not be confirmed):\n"
	    "  - Intel nvmupdaten64e: Intel's readme has an EXIT CODES table "
	    "that could\n    not be read. install.sh takes 0 as success; 14 and "
	    "19, which a public\n    vendor script accepts after an update, "
	    "count only when the results XML\n    states the outcome; any other "
	    "status stops the run. An inventory XML\n    without "
	    "NextUpdateAvailable stops the run too (it is never read as\n    "
	    "\"nothing to do\"). Every results XML is copied into the host's "
	    "log.\n"
	    "  - Secure Boot is read from secureBoot.py -s (Enabled/Disabled); "
	    "when it\n    cannot be read, check says so.\n"
	    "  - A vLCM-managed cluster cannot be told from the host; a host "
	    "managed by\n    a vCenter (vpxa.cfg names a server) gets a warning "
	    "instead.\n"
	    "  - The boot bank space check uses the size of the bundled files, "
	    "an\n    estimate of what the new VIBs take.\n", o->datastore,
	    o->datastore, o->dir, o->datastore, o->dir);
	sbuf_release(&words);
}

/* The process's umask (mkostemp makes files 0600). */
static mode_t
current_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

/*
 * The time stamped on the tar's entries: SOURCE_DATE_EPOCH when it is set
 * (reproducible builds' convention), else the file's own mtime.
 */
static int64_t
tar_mtime(const struct stat *st)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (e != NULL && *e != '\0') {
		errno = 0;
		v = strtoll(e, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 0)
			return v;
	}
	return (int64_t)st->st_mtime;
}

/* One file of the folder into the tar, as top/name. */
static int
tar_file(struct tarwriter *t, const char *dir, const char *top,
    const char *name, char *buf, struct dv_error *err)
{
	struct sbuf src = SBUF_INIT(SBUF_NOCAP), inner = SBUF_INIT(SBUF_NOCAP);
	struct stat st;
	uint64_t copied = 0;
	int in, ret;
	ssize_t n;

	sbuf_addf(&src, "%s/%s", dir, name);
	sbuf_addf(&inner, "%s/%s", top, name);
	in = open(src.buf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot read", src.buf);
		goto out;
	}
	if ((ret = tarwriter_add_file(t, inner.buf, (uint64_t)st.st_size,
	    st.st_mode, tar_mtime(&st), err)) != 0)
		goto out;
	while ((n = read(in, buf, COPY_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR && !outdir_interrupted())
			continue;
		if ((ret = outdir_check(NULL, err)) != 0)
			goto out;
		if (n < 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot read",
			    src.buf);
			goto out;
		}
		/* The header promised st_size bytes: more is a file changed
		 * under us, and a tar that would not read back. */
		if ((copied += (uint64_t)n) > (uint64_t)st.st_size)
			break;
		if ((ret = tarwriter_write(t, buf, (size_t)n, err)) != 0)
			goto out;
	}
	if (copied != (uint64_t)st.st_size)
		ret = dv_error_set(err, DV_EIO, "%s: changed while it was "
		    "copied into the tar", src.buf);
out:
	if (in >= 0)
		close(in);
	sbuf_release(&src);
	sbuf_release(&inner);
	return ret;
}

/*
 * OUTDIR.tar beside the folder, for a single-file transfer: written by
 * libarchive (depot/archive.c) to a temporary name, then renamed.
 */
static int
write_tar(const char *tarpath, const char *dir, const char *top,
    const struct ptrvec *names, struct dv_error *err)
{
	struct sbuf tmp = SBUF_INIT(SBUF_NOCAP), inner = SBUF_INIT(SBUF_NOCAP);
	struct ptrvec dirs = PTRVEC_INIT;
	struct tarwriter *t = NULL;
	char *buf = xmalloc(COPY_CHUNK);
	const char *slash;
	struct stat st;
	int out = -1, ret;
	size_t i, k;

	sbuf_addf(&tmp, "%s.tmp-XXXXXX", tarpath);
	if ((out = mkostemp(tmp.buf, O_CLOEXEC)) < 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot create", tmp.buf);
		goto out;
	}
	if (stat(dir, &st) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s", dir);
		goto out;
	}
	if ((ret = tarwriter_open(out, tarpath, &t, err)) != 0 ||
	    (ret = tarwriter_add_dir(t, top, st.st_mode, tar_mtime(&st),
	    err)) != 0)
		goto out;
	for (i = 0; i < names->n; i++) {
		const char *name = names->v[i];
		/* Each folder once, before its first file. */
		for (slash = strchr(name, '/'); slash != NULL;
		    slash = strchr(slash + 1, '/')) {
			sbuf_reset(&inner);
			sbuf_addf(&inner, "%s/%.*s", top, (int)(slash - name),
			    name);
			for (k = 0; k < dirs.n; k++)
				if (strcmp(dirs.v[k], inner.buf) == 0)
					break;
			if (k < dirs.n)
				continue;
			ptrvec_push(&dirs, xstrdup(inner.buf));
			if ((ret = tarwriter_add_dir(t, inner.buf, st.st_mode,
			    tar_mtime(&st), err)) != 0)
				goto out;
		}
		if ((ret = tar_file(t, dir, top, name, buf, err)) != 0)
			goto out;
	}
	ret = tarwriter_close(t, err);
	t = NULL;
	if (ret == 0 && (fchmod(out, 0666 & ~current_umask()) != 0 ||
	    fsync(out) != 0))
		ret = dv_error_errno(err, DV_EIO, "%s: cannot write", tmp.buf);
	if (close(out) != 0 && ret == 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot write", tmp.buf);
	out = -1;
	if (ret == 0 && rename(tmp.buf, tarpath) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot rename", tarpath);
out:
	tarwriter_abort(t);
	if (out >= 0)
		close(out);
	if (ret != 0 && tmp.len > 0)
		(void)unlink(tmp.buf);
	for (i = 0; i < dirs.n; i++)
		free(dirs.v[i]);
	ptrvec_release(&dirs);
	free(buf);
	sbuf_release(&tmp);
	sbuf_release(&inner);
	return ret;
}

int
bundle_write(const struct bundle_opts *o, const struct bundle_plan *p,
    struct dv_error *err)
{
	struct sbuf text = SBUF_INIT(SBUF_NOCAP), sums = SBUF_INIT(SBUF_NOCAP);
	struct sbuf tarpath = SBUF_INIT(SBUF_NOCAP);
	struct ptrvec names = PTRVEC_INIT, owned = PTRVEC_INIT;
	const char *slash = strrchr(o->outdir, '/');
	struct outdir *od = NULL;
	struct stat st;
	int ret;

	if (!o->force && lstat(o->outdir, &st) == 0) {
		ret = dv_error_set(err, DV_EEXIST, "%s: already exists; give "
		    "--force to replace it", o->outdir);
		goto out;
	}
	/* Staged beside OUTDIR and swapped in whole (depot/outdir.h). */
	if ((ret = outdir_begin(o->outdir, o->force ? OUTDIR_REPLACE : 0, &od,
	    err)) != 0)
		goto out;
	if ((ret = copy_items(o, od, p, &sums, &names, &owned, err)) != 0)
		goto out;
	manifest(o, p, &text);
	if ((ret = write_text(od, "manifest.json", false, &text, &sums,
	    err)) != 0)
		goto out;
	sbuf_reset(&text);
	readme(o, p, &text);
	if ((ret = write_text(od, "README.txt", false, &text, &sums, err)) != 0)
		goto out;
	sbuf_reset(&text);
	bundle_script(o, p, &text);
	if ((ret = write_text(od, "install.sh", true, &text, &sums, err)) != 0)
		goto out;
	ptrvec_push(&names, "manifest.json");
	ptrvec_push(&names, "README.txt");
	ptrvec_push(&names, "install.sh");
	ptrvec_push(&names, "SHA256SUMS");
	if ((ret = write_text(od, "SHA256SUMS", false, &sums, &text,
	    err)) != 0)
		goto out;
	ret = outdir_commit(od, err);
	od = NULL;
	if (ret == 0 && o->tar) {
		sbuf_addf(&tarpath, "%s.tar", o->outdir);
		ret = write_tar(tarpath.buf, o->outdir, slash != NULL &&
		    slash[1] != '\0' ? slash + 1 : o->outdir, &names, err);
	}
out:
	outdir_abort(od);
	for (size_t i = 0; i < owned.n; i++)
		free(owned.v[i]);
	ptrvec_release(&owned);
	ptrvec_release(&names);
	sbuf_release(&text);
	sbuf_release(&sums);
	sbuf_release(&tarpath);
	return ret;
}
