/* bundle.c - write a bundle folder atomically, and check one later. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../depot/depot.h"
#include "../depot/sbuf.h"
#include "../depot/json.h"
#include "bundle.h"

#include "../depot/version.h"
#define COPY_CHUNK (1u << 20)

/* Set from a signal handler in cmd/; checked between chunks. */
volatile sig_atomic_t bundle_stop;

static const char *const kind_name[] = {
	[ITEM_PROFILE] = "profile-depot",
	[ITEM_COMPONENT] = "component",
	[ITEM_DEPOT] = "offline-bundle",
	[ITEM_VIB] = "vib",
	[ITEM_MELLANOX] = "mellanox-firmware",
	[ITEM_INTEL] = "intel-nvm-tool",
};

/* Remove a folder this run made, and what it holds (links not followed:
 * unlink takes a link away, a folder is emptied first). */
static void
remove_tree(const char *dir)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			sbuf_reset(&path);
			sbuf_addf(&path, "%s/%s", dir, e->d_name);
			if (unlink(path.buf) != 0 && errno == EISDIR)
				remove_tree(path.buf);
		}
		closedir(d);
	}
	(void)rmdir(dir);
	sbuf_release(&path);
}

static int
write_all(int fd, const void *buf, size_t len, const char *what,
    struct dv_error *err)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dv_error_errno(err, DV_EIO, "%s: cannot write",
			    what);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
create_file(const char *dir, const char *name, mode_t mode, int *fd,
    struct sbuf *path, struct dv_error *err)
{
	sbuf_reset(path);
	sbuf_addf(path, "%s/%s", dir, name);
	*fd = open(path->buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);
	if (*fd < 0)
		return dv_error_errno(err, DV_EIO, "%s: cannot create",
		    path->buf);
	return 0;
}

static int
finish_file(int fd, const char *path, struct dv_error *err)
{
	int ret = 0;

	if (fsync(fd) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot sync", path);
	if (close(fd) != 0 && ret == 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot close", path);
	return ret;
}

/*
 * Copy the file src to dir/name, hashing while the bytes go by: one read
 * per byte.  An executable source stays executable (the Intel tool).
 */
static int
copy_file(const char *dir, const char *src, const char *name,
    char sha256[HASH_HEX_MAX], uint64_t *size, struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	struct hash *h = hash_new(HASH_SHA256);
	char *buf = NULL;
	int in = -1, out = -1, ret;
	struct stat st;
	ssize_t n;

	*size = 0;
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", src);
		goto out;
	}
	if ((ret = create_file(dir, name, (st.st_mode & 0111) != 0 ? 0755 :
	    0644, &out, &path, err)) != 0)
		goto out;
	buf = xmalloc(COPY_CHUNK);
	while ((n = read(in, buf, COPY_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR && !bundle_stop)
			continue;
		if (bundle_stop) {
			ret = dv_error_set(err, DV_EINTR,
			    "interrupted; nothing was written");
			goto out;
		}
		if (n < 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot read",
			    src);
			goto out;
		}
		hash_update(h, buf, (size_t)n);
		*size += (uint64_t)n;
		if ((ret = write_all(out, buf, (size_t)n, path.buf, err)) != 0)
			goto out;
	}
	hash_final_hex(h, sha256);
	ret = finish_file(out, path.buf, err);
	out = -1;
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	hash_free(h);
	free(buf);
	sbuf_release(&path);
	return ret;
}

/* An item's copy, as bundle_verify_input runs it beside verify. */
struct copy_job {
	const char *dir;
	struct bundle_item *it;
};

static int
copy_job_run(void *ctx, struct dv_error *err)
{
	struct copy_job *cj = ctx;

	return copy_file(cj->dir, cj->it->file, cj->it->name, cj->it->sha256,
	    &cj->it->size, err);
}

/*
 * Copy one item into the folder (a depot is verified in the same pass);
 * each file it adds goes into SHA256SUMS (sums) and the tar's list
 * (names, whose strings stay in owned).
 */
static int
copy_item(const struct bundle_opts *o, const char *dir,
    struct bundle_item *it, struct sbuf *sums, struct ptrvec *names,
    struct ptrvec *owned, struct dv_error *err)
{
	struct copy_job cj = {dir, it};
	struct sbuf src = SBUF_INIT(SBUF_NOCAP), dst = SBUF_INIT(SBUF_NOCAP);
	char sha256[HASH_HEX_MAX];
	uint64_t size;
	const char *slash;
	int ret = 0;

	if (it->kind != ITEM_INTEL) {
		ret = bundle_verify_input(o, it, copy_job_run, &cj, err);
		if (ret == 0) {
			sbuf_addf(sums, "%s  %s\n", it->sha256, it->name);
			ptrvec_push(names, it->name);
		}
		goto out;
	}
	/* A tool folder: its files, each under NAME/ in SHA256SUMS. */
	sbuf_addf(&dst, "%s/%s", dir, it->name);
	if (mkdir(dst.buf, 0755) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot create", dst.buf);
		goto out;
	}
	it->size = 0;
	for (size_t i = 0; i < it->files.n; i++) {
		const char *f = it->files.v[i];
		sbuf_reset(&dst);
		sbuf_addf(&dst, "%s/%s", it->name, f);
		/* Folders inside the tool's, parents first. */
		for (slash = strchr(f, '/'); slash != NULL;
		    slash = strchr(slash + 1, '/')) {
			sbuf_reset(&src);
			sbuf_addf(&src, "%s/%s/%.*s", dir, it->name,
			    (int)(slash - f), f);
			if (mkdir(src.buf, 0755) != 0 && errno != EEXIST) {
				ret = dv_error_errno(err, DV_EIO, "%s: cannot "
				    "create", src.buf);
				goto out;
			}
		}
		sbuf_reset(&src);
		sbuf_addf(&src, "%s/%s", it->file, f);
		if ((ret = copy_file(dir, src.buf, dst.buf, sha256, &size,
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

/* Write data as a new file and note its digest for SHA256SUMS. */
static int
write_text(const char *dir, const char *name, mode_t mode,
    const struct sbuf *data, struct sbuf *sums, struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP);
	char hex[HASH_HEX_MAX];
	int fd, ret;

	if ((ret = create_file(dir, name, mode, &fd, &path, err)) != 0)
		goto out;
	if ((ret = write_all(fd, data->buf, data->len, path.buf, err)) != 0) {
		close(fd);
		goto out;
	}
	if ((ret = finish_file(fd, path.buf, err)) != 0)
		goto out;
	hash_hex(HASH_SHA256, data->buf, data->len, hex);
	sbuf_addf(sums, "%s  %s\n", hex, name);
out:
	sbuf_release(&path);
	return ret;
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

static void
json_ptrvec(struct json *j, const char *key, const struct ptrvec *pv)
{
	json_array_begin(j, key);
	for (size_t i = 0; i < pv->n; i++)
		json_string(j, NULL, pv->v[i]);
	json_array_end(j);
}

static void
manifest(const struct bundle_opts *o, const struct bundle_plan *p,
    struct sbuf *out)
{
	struct sbuf words = SBUF_INIT(SBUF_NOCAP);
	struct ptrvec platforms = PTRVEC_INIT;
	char *buf = NULL;
	size_t len = 0, i, k, m;
	struct json j;
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
	json_init(&j, fp);
	json_object_begin(&j, NULL);
	json_string(&j, "tool", "esxstage " ESXSTAGE_VERSION);
	json_string(&j, "datastore", o->datastore);
	json_string(&j, "dir", o->dir);
	json_ptrvec(&j, "target_platforms", &platforms);
	json_array_begin(&j, "inputs");
	for (i = 0; i < p->items.n; i++) {
		const struct bundle_item *it = plan_item(p, i);
		json_object_begin(&j, NULL);
		json_string(&j, "name", it->name);
		json_string(&j, "source", it->source);
		json_string(&j, "kind", kind_name[it->kind]);
		json_uint(&j, "size", it->size);
		json_string(&j, "sha256", it->sha256);
		json_string(&j, "profile", it->profile);
		json_string(&j, "acceptance_level", it->kind == ITEM_MELLANOX ||
		    it->kind == ITEM_INTEL ? NULL :
		    dv_acceptance_name(it->lowest));
		json_bool(&j, "has_unsigned_vibs", it->has_unsigned);
		json_ptrvec(&j, "platforms", &it->platforms);
		json_ptrvec(&j, "vibs", &it->vibs);
		json_string(&j, "psid", it->psid);
		json_string(&j, "firmware_version", it->fw_version);
		if (it->kind == ITEM_INTEL)
			json_ptrvec(&j, "files", &it->files);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "steps");
	for (i = 0; i < p->items.n; i++) {
		sbuf_reset(&words);
		step_words(plan_item(p, i), &words);
		json_string(&j, NULL, words.buf);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
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

	sbuf_addf(out, "esxstage bundle for /vmfs/volumes/%s/%s\n\n",
	    o->datastore, o->dir);
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
	    "       sh install.sh check     checks everything, changes "
	    "nothing\n"
	    "       sh install.sh apply     backs up the host config into "
	    "backup/,\n"
	    "                               enters maintenance mode and "
	    "installs\n"
	    "  3. When apply says a reboot is needed (exit status 3), reboot "
	    "the\n"
	    "     host and run 'sh install.sh apply' again; it carries on "
	    "from what\n"
	    "     the host has, skipping what is already installed.\n"
	    "  'sh install.sh status' tells where the host stands; everything "
	    "is\n"
	    "  also written to install.log in this folder.\n\n"
	    "Before uploading, 'esxbundle verify' on the workstation checks "
	    "every file\nagainst SHA256SUMS; install.sh checks them again on "
	    "the host.\n\nRolling back: press Shift+R at boot to start the "
	    "previous image, or\nrestore the saved config with "
	    "'vim-cmd hostsvc/firmware/restore_config'\nand the file in "
	    "backup/ (in maintenance mode, same build).\n", o->datastore,
	    o->datastore, o->dir, o->datastore, o->dir);
	sbuf_release(&words);
}

/* One ustar header block for name (a path inside the archive). */
static void
tar_header(unsigned char hdr[512], const char *name, uint64_t size,
    mode_t mode, char type)
{
	const char *slash;
	unsigned sum = 0;
	size_t len = strlen(name);

	memset(hdr, 0, 512);
	if (len > 100 && (slash = strchr(name, '/')) != NULL &&
	    (size_t)(slash - name) < 155 && strlen(slash + 1) <= 100) {
		memcpy(hdr + 345, name, (size_t)(slash - name));
		name = slash + 1;
	}
	/* ustar's name field is NUL-padded (hdr is zeroed), no NUL if full. */
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
	memcpy(hdr, name, strlen(name) > 100 ? 100 : strlen(name));
	snprintf((char *)hdr + 100, 8, "%07o", (unsigned)mode & 07777);
	snprintf((char *)hdr + 108, 8, "%07o", 0);
	snprintf((char *)hdr + 116, 8, "%07o", 0);
	snprintf((char *)hdr + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)hdr + 136, 12, "%011o", 0);
	memset(hdr + 148, ' ', 8);
	hdr[156] = (unsigned char)type;
	memcpy(hdr + 257, "ustar", 6);
	/* The version field is the two bytes "00", no NUL. */
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
	memcpy(hdr + 263, "00", 2);
	for (int i = 0; i < 512; i++)
		sum += hdr[i];
	snprintf((char *)hdr + 148, 8, "%06o", sum);
}

/* OUTDIR.tar beside the folder, for a single-file transfer. */
static int
write_tar(const char *tarpath, const char *dir, const char *top,
    const struct ptrvec *names, struct dv_error *err)
{
	struct sbuf tmp = SBUF_INIT(SBUF_NOCAP), src = SBUF_INIT(SBUF_NOCAP);
	struct sbuf inner = SBUF_INIT(SBUF_NOCAP), dirs = SBUF_INIT(SBUF_NOCAP);
	unsigned char hdr[512], *buf = xmalloc(COPY_CHUNK);
	struct stat st;
	int out = -1, in = -1, ret;
	uint64_t copied;
	ssize_t n;
	size_t pad;

	sbuf_addf(&tmp, "%s.tmp-%ld", tarpath, (long)getpid());
	out = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (out < 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot create", tmp.buf);
		goto out;
	}
	sbuf_addf(&inner, "%s/", top);
	tar_header(hdr, inner.buf, 0, 0755, '5');
	if ((ret = write_all(out, hdr, 512, tmp.buf, err)) != 0)
		goto out;
	for (size_t i = 0; i < names->n; i++) {
		const char *name = names->v[i], *slash;
		/* Each folder once, before its first file; dirs holds those
		 * written as "\nNAME\n" lines. */
		for (slash = strchr(name, '/'); slash != NULL;
		    slash = strchr(slash + 1, '/')) {
			sbuf_reset(&inner);
			sbuf_addf(&inner, "\n%s/%.*s/\n", top,
			    (int)(slash - name), name);
			if (dirs.len > 0 && strstr(dirs.buf, inner.buf) != NULL)
				continue;
			sbuf_adds(&dirs, inner.buf);
			sbuf_reset(&inner);
			sbuf_addf(&inner, "%s/%.*s/", top, (int)(slash - name),
			    name);
			tar_header(hdr, inner.buf, 0, 0755, '5');
			if ((ret = write_all(out, hdr, 512, tmp.buf, err)) != 0)
				goto out;
		}
		sbuf_reset(&src);
		sbuf_addf(&src, "%s/%s", dir, name);
		in = open(src.buf, O_RDONLY | O_CLOEXEC);
		if (in < 0 || fstat(in, &st) != 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot read",
			    src.buf);
			goto out;
		}
		sbuf_reset(&inner);
		sbuf_addf(&inner, "%s/%s", top, (char *)names->v[i]);
		tar_header(hdr, inner.buf, (uint64_t)st.st_size, st.st_mode,
		    '0');
		if ((ret = write_all(out, hdr, 512, tmp.buf, err)) != 0)
			goto out;
		copied = 0;
		while ((n = read(in, buf, COPY_CHUNK)) > 0) {
			copied += (uint64_t)n;
			if ((ret = write_all(out, buf, (size_t)n, tmp.buf,
			    err)) != 0)
				goto out;
		}
		if (n < 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot read",
			    src.buf);
			goto out;
		}
		/* The header promised st_size bytes: anything else is a file
		 * changed under us, and a tar that would not read back. */
		if (copied != (uint64_t)st.st_size) {
			ret = dv_error_set(err, DV_EIO, "%s: changed while it "
			    "was copied into the tar", src.buf);
			goto out;
		}
		close(in);
		in = -1;
		pad = (512 - (size_t)(st.st_size % 512)) % 512;
		memset(buf, 0, 1024);
		if ((ret = write_all(out, buf, pad, tmp.buf, err)) != 0)
			goto out;
	}
	memset(buf, 0, 1024);
	if ((ret = write_all(out, buf, 1024, tmp.buf, err)) != 0 ||
	    (ret = finish_file(out, tmp.buf, err)) != 0) {
		out = -1;
		goto out;
	}
	out = -1;
	if (rename(tmp.buf, tarpath) != 0)
		ret = dv_error_errno(err, DV_EIO, "%s: cannot rename", tarpath);
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (ret != 0)
		(void)unlink(tmp.buf);
	free(buf);
	sbuf_release(&tmp);
	sbuf_release(&src);
	sbuf_release(&inner);
	sbuf_release(&dirs);
	return ret;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

int
bundle_write(const struct bundle_opts *o, const struct bundle_plan *p,
    struct dv_error *err)
{
	struct sbuf tmpdir = SBUF_INIT(SBUF_NOCAP), old = SBUF_INIT(SBUF_NOCAP);
	struct sbuf parent = SBUF_INIT(SBUF_NOCAP), text = SBUF_INIT(SBUF_NOCAP);
	struct sbuf sums = SBUF_INIT(SBUF_NOCAP), tarpath = SBUF_INIT(SBUF_NOCAP);
	struct sbuf prefix = SBUF_INIT(SBUF_NOCAP);
	struct ptrvec names = PTRVEC_INIT, owned = PTRVEC_INIT;
	const char *slash = strrchr(o->outdir, '/'), *top;
	char *made_path = NULL;
	struct stat st;
	bool exists = lstat(o->outdir, &st) == 0, made = false;
	int ret, lockfd = -1;

	if (exists && !o->force) {
		ret = dv_error_set(err, DV_EEXIST, "%s: already exists; give "
		    "--force to replace it", o->outdir);
		goto out;
	}
	if (exists && !S_ISDIR(st.st_mode)) {
		ret = dv_error_set(err, DV_EEXIST, "%s: exists and is not a "
		    "folder", o->outdir);
		goto out;
	}
	top = slash != NULL ? slash + 1 : o->outdir;
	if (slash != NULL)
		sbuf_add(&parent, o->outdir, (size_t)(slash - o->outdir) + 1);
	else
		sbuf_adds(&parent, "./");
	/*
	 * Beside OUTDIR, so the final rename never crosses filesystems, and
	 * locked while this run lives: a later run removes one that a killed
	 * run left, and never one still in use.
	 */
	sbuf_addf(&prefix, ".%s.tmp-", top);
	sbuf_add(&tmpdir, parent.buf, parent.len > 1 ? parent.len - 1 : 1);
	if (outdir_make_temp(tmpdir.buf, prefix.buf, &made_path, &lockfd) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot create a folder "
		    "beside it", o->outdir);
		goto out;
	}
	sbuf_reset(&tmpdir);
	sbuf_adds(&tmpdir, made_path);
	made = true;
	/* mkdtemp makes it private; the bundle is an ordinary folder. */
	if (chmod(tmpdir.buf, 0755) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot set permissions",
		    tmpdir.buf);
		goto out;
	}
	for (size_t i = 0; i < p->items.n; i++)
		if ((ret = copy_item(o, tmpdir.buf, plan_item(p, i), &sums,
		    &names, &owned, err)) != 0)
			goto out;
	manifest(o, p, &text);
	if ((ret = write_text(tmpdir.buf, "manifest.json", 0644, &text, &sums,
	    err)) != 0)
		goto out;
	sbuf_reset(&text);
	readme(o, p, &text);
	if ((ret = write_text(tmpdir.buf, "README.txt", 0644, &text, &sums,
	    err)) != 0)
		goto out;
	sbuf_reset(&text);
	bundle_script(o, p, &text);
	if ((ret = write_text(tmpdir.buf, "install.sh", 0755, &text, &sums,
	    err)) != 0)
		goto out;
	ptrvec_push(&names, "manifest.json");
	ptrvec_push(&names, "README.txt");
	ptrvec_push(&names, "install.sh");
	ptrvec_push(&names, "SHA256SUMS");
	if ((ret = write_text(tmpdir.buf, "SHA256SUMS", 0644, &sums, &text,
	    err)) != 0)
		goto out;
	if (bundle_stop) {
		ret = dv_error_set(err, DV_EINTR,
		    "interrupted; nothing was written");
		goto out;
	}
	sync_dir(tmpdir.buf);
	if (exists) {
		/* Move the old folder aside first: rename() cannot replace a
		 * folder that has files in it. */
		sbuf_addf(&old, "%s.%s.old-XXXXXX", parent.buf, top);
		if (mkdtemp(old.buf) == NULL || rename(o->outdir, old.buf) != 0) {
			ret = dv_error_errno(err, DV_EIO, "%s: cannot move the "
			    "old folder aside", o->outdir);
			goto out;
		}
	}
	if (rename(tmpdir.buf, o->outdir) != 0) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot rename into place",
		    o->outdir);
		/* Put the old folder back; failing that, say where it is. */
		if (exists && rename(old.buf, o->outdir) != 0)
			ret = dv_error_errno(err, DV_EIO, "%s: cannot rename "
			    "into place, and the old folder is left as %s",
			    o->outdir, old.buf);
		goto out;
	}
	made = false;
	sync_dir(parent.buf);
	if (exists)
		remove_tree(old.buf);
	ret = 0;
	if (o->tar) {
		sbuf_addf(&tarpath, "%s.tar", o->outdir);
		ret = write_tar(tarpath.buf, o->outdir, top, &names, err);
	}
out:
	if (made)
		remove_tree(tmpdir.buf);
	if (lockfd >= 0)
		close(lockfd);
	free(made_path);
	sbuf_release(&prefix);
	for (size_t i = 0; i < owned.n; i++)
		free(owned.v[i]);
	ptrvec_release(&owned);
	ptrvec_release(&names);
	sbuf_release(&tmpdir);
	sbuf_release(&old);
	sbuf_release(&parent);
	sbuf_release(&text);
	sbuf_release(&sums);
	sbuf_release(&tarpath);
	return ret;
}

static int
hash_file(const char *path, char hex[HASH_HEX_MAX])
{
	struct hash *h = hash_new(HASH_SHA256);
	char *buf = xmalloc(COPY_CHUNK);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret = -1;
	ssize_t n;

	if (fd >= 0) {
		while ((n = read(fd, buf, COPY_CHUNK)) > 0)
			hash_update(h, buf, (size_t)n);
		ret = n == 0 ? 0 : -1;
		close(fd);
	}
	hash_final_hex(h, hex);
	hash_free(h);
	free(buf);
	return ret;
}

int
bundle_check(const char *dir, struct dv_diags *problems, size_t *nfiles,
    struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP), sums = SBUF_INIT(1u << 20);
	char hex[HASH_HEX_MAX], *line, *next, *name;
	bool have_script = false;
	size_t lineno = 0;
	FILE *fp;
	char chunk[4096];
	size_t n;
	int ret = 0;

	*nfiles = 0;
	sbuf_addf(&path, "%s/SHA256SUMS", dir);
	if ((fp = fopen(path.buf, "r")) == NULL) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", path.buf);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (sbuf_add(&sums, chunk, n) != 0) {
			fclose(fp);
			ret = dv_error_set(err, DV_ELIMIT, "%s: larger than 1 MiB",
			    path.buf);
			goto out;
		}
	fclose(fp);
	for (line = sums.buf; *line != '\0'; line = next) {
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
			dv_diag_add(problems, DV_DIAG_FAIL, DV_EFORMAT,
			    "SHA256SUMS line %zu: not '<sha256>  <file>'",
			    lineno);
			continue;
		}
		name = line + 66;
		/* A name may go into a folder (the Intel tool's), never up. */
		if (dv_path_check(name) != 0) {
			dv_diag_add(problems, DV_DIAG_FAIL, DV_EPATH,
			    "SHA256SUMS line %zu: unsafe file name", lineno);
			continue;
		}
		(*nfiles)++;
		have_script |= strcmp(name, "install.sh") == 0;
		sbuf_reset(&path);
		sbuf_addf(&path, "%s/%s", dir, name);
		if (hash_file(path.buf, hex) != 0)
			dv_diag_add(problems, DV_DIAG_FAIL, DV_EMISSING,
			    "%s: missing or unreadable", name);
		else if (memcmp(hex, line, 64) != 0)
			dv_diag_add(problems, DV_DIAG_FAIL, DV_EDIGEST,
			    "%s: SHA-256 mismatch: %s calculated, %.64s "
			    "expected", name, hex, line);
	}
	if (!have_script)
		dv_diag_add(problems, DV_DIAG_FAIL, DV_EMISSING,
		    "SHA256SUMS does not list install.sh");
out:
	sbuf_release(&path);
	sbuf_release(&sums);
	return ret;
}

/* Parse one JSON string at *p (just past its opening quote) into out. */
static int
json_string_at(const char **p, struct sbuf *out)
{
	const char *s = *p;
	unsigned cp;
	int i;

	for (; *s != '"'; s++) {
		if (*s == '\0' || (unsigned char)*s < 0x20)
			return -1;
		if (*s != '\\') {
			sbuf_addch(out, *s);
			continue;
		}
		switch (*++s) {
		case '"': case '\\': case '/':
			sbuf_addch(out, *s);
			break;
		case 'n':
			sbuf_addch(out, '\n');
			break;
		case 't':
			sbuf_addch(out, '\t');
			break;
		case 'r': case 'b': case 'f':
			sbuf_addch(out, ' ');
			break;
		case 'u':
			for (cp = 0, i = 1; i <= 4; i++) {
				char c = s[i];
				if (c >= '0' && c <= '9')
					cp = cp * 16 + (unsigned)(c - '0');
				else if (c >= 'a' && c <= 'f')
					cp = cp * 16 + (unsigned)(c - 'a' + 10);
				else if (c >= 'A' && c <= 'F')
					cp = cp * 16 + (unsigned)(c - 'A' + 10);
				else
					return -1;
			}
			/* Our writer escapes only controls and U+FFFD. */
			sbuf_addch(out, cp < 0x80 && cp >= 0x20 ? (char)cp : '?');
			s += 4;
			break;
		default:
			return -1;
		}
	}
	*p = s + 1;
	return 0;
}

int
bundle_steps(const char *dir, struct ptrvec *out, struct dv_error *err)
{
	struct sbuf path = SBUF_INIT(SBUF_NOCAP), doc = SBUF_INIT(16u << 20);
	struct sbuf one = SBUF_INIT(SBUF_NOCAP);
	const char *p;
	char chunk[4096];
	size_t n;
	FILE *fp;
	int ret = 0;

	sbuf_addf(&path, "%s/manifest.json", dir);
	if ((fp = fopen(path.buf, "r")) == NULL) {
		ret = dv_error_errno(err, DV_EIO, "%s: cannot open", path.buf);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (sbuf_add(&doc, chunk, n) != 0)
			break;
	fclose(fp);
	p = strstr(doc.buf, "\n  \"steps\": [");
	if (p == NULL || doc.len >= (16u << 20)) {
		ret = dv_error_set(err, DV_EFORMAT, "%s: no steps list (not "
		    "made by esxbundle create, or damaged)", path.buf);
		goto out;
	}
	p = strchr(p, '[') + 1;
	for (;;) {
		p += strspn(p, " \t\r\n,");
		if (*p == ']')
			break;
		sbuf_reset(&one);
		if (*p != '"' || (++p, json_string_at(&p, &one)) != 0) {
			ret = dv_error_set(err, DV_EFORMAT, "%s: damaged steps "
			    "list", path.buf);
			goto out;
		}
		ptrvec_push(out, xstrdup(one.buf));
	}
out:
	sbuf_release(&path);
	sbuf_release(&doc);
	sbuf_release(&one);
	return ret;
}
