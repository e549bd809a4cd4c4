/* mkzip.c - write a stored zip with minizip, for seed corpora. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minizip.h"

/*
 * usage: mkzip OUT.zip [NAME FILE]...
 * Each FILE is stored as member NAME, with mode 0644, in the order given.
 * FILE "-" stores nothing (an empty member); a NAME ending in "/" with
 * FILE "-" is a folder.  Written by hand so seeds do not depend on how
 * libzip, which the reader uses, writes zips.
 */
static int
slurp(const char *path, struct sbuf *sb)
{
	char buf[65536];
	size_t n;
	FILE *fp;

	if (strcmp(path, "-") == 0)
		return 0;
	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(sb, buf, n);
	if (ferror(fp)) {
		perror(path);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	return 0;
}

int
main(int argc, char **argv)
{
	struct minizip z;
	struct sbuf data = SBUF_INIT(SBUF_NOCAP);
	unsigned mode;
	size_t len;
	FILE *fp;
	int i, ret = 1;

	if (argc < 2 || argc % 2 != 0) {
		fprintf(stderr, "usage: mkzip OUT.zip [NAME FILE]...\n");
		return 2;
	}
	minizip_init(&z);
	for (i = 2; i + 1 < argc; i += 2) {
		sbuf_reset(&data);
		if (slurp(argv[i + 1], &data) != 0)
			goto out;
		len = strlen(argv[i]);
		mode = len > 0 && argv[i][len - 1] == '/' ? S_IFDIR | 0755 :
		    S_IFREG | 0644;
		minizip_add(&z, argv[i], data.buf, data.len, mode);
	}
	minizip_finish(&z);
	if ((fp = fopen(argv[1], "wb")) == NULL) {
		perror(argv[1]);
		goto out;
	}
	ret = fwrite(z.out.buf, 1, z.out.len, fp) != z.out.len;
	if (fclose(fp) != 0 || ret != 0) {
		perror(argv[1]);
		ret = 1;
	}
out:
	sbuf_release(&data);
	minizip_release(&z);
	return ret;
}
