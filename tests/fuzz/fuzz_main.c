/* fuzz_main.c - run a fuzz target over files, for builds without libFuzzer. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sys/stat.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

/*
 * usage: TARGET [-v] FILE|DIR...
 * Each file, and each file directly inside each directory (sorted, dot
 * files skipped), is read whole and handed to LLVMFuzzerTestOneInput
 * once.  On success one line: "ok fuzz/TARGET: N inputs".  A crash
 * names the input it happened on (when no sanitizer owns the signal).
 */

#if defined(__SANITIZE_ADDRESS__)
#define OWN_SIGNALS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OWN_SIGNALS 0
#endif
#endif
#ifndef OWN_SIGNALS
#define OWN_SIGNALS 1
#endif

static const char *current;

static void
on_crash(int sig)
{
	static const char pre[] = "fuzz_main: crashed on input ";

	if (current != NULL) {
		if (write(2, pre, sizeof(pre) - 1) < 0 ||
		    write(2, current, strlen(current)) < 0 ||
		    write(2, "\n", 1) < 0)
			_exit(128 + sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The whole file in a buffer of exactly its size (reads past it show). */
static unsigned char *
slurp(const char *path, size_t *lenp)
{
	unsigned char *buf = NULL, *nb;
	size_t len = 0, alloc = 0, n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		return NULL;
	}
	for (;;) {
		if (len == alloc) {
			alloc = alloc != 0 ? alloc * 2 : 65536;
			if ((nb = realloc(buf, alloc)) == NULL)
				goto fail;
			buf = nb;
		}
		if ((n = fread(buf + len, 1, alloc - len, fp)) == 0)
			break;
		len += n;
	}
	if (ferror(fp))
		goto fail;
	fclose(fp);
	if ((nb = malloc(len > 0 ? len : 1)) == NULL) {
		free(buf);
		return NULL;
	}
	memcpy(nb, buf, len);
	free(buf);
	*lenp = len;
	return nb;
fail:
	fprintf(stderr, "%s: cannot read\n", path);
	free(buf);
	fclose(fp);
	return NULL;
}

static int
run_file(const char *path)
{
	unsigned char *data;
	size_t len;

	if ((data = slurp(path, &len)) == NULL)
		return -1;
	current = path;
	LLVMFuzzerTestOneInput(data, len);
	current = NULL;
	free(data);
	return 0;
}

static int
skip_dots(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	struct dirent **ents;
	struct stat st;
	size_t inputs = 0, bad = 0;
	int i, k, n, verbose = 0;
	char *path;

	name = name != NULL ? name + 1 : argv[0];
	if (OWN_SIGNALS) {
		signal(SIGSEGV, on_crash);
		signal(SIGBUS, on_crash);
		signal(SIGFPE, on_crash);
		signal(SIGILL, on_crash);
	}
	signal(SIGABRT, on_crash);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
			continue;
		}
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (verbose)
				fprintf(stderr, "%s\n", argv[i]);
			bad += run_file(argv[i]) != 0;
			inputs++;
			continue;
		}
		if ((n = scandir(argv[i], &ents, skip_dots, alphasort)) < 0) {
			perror(argv[i]);
			bad++;
			continue;
		}
		for (k = 0; k < n; k++) {
			size_t len = strlen(argv[i]) + strlen(ents[k]->d_name) + 2;
			path = malloc(len);
			if (path == NULL) {
				bad++;
				free(ents[k]);
				continue;
			}
			snprintf(path, len, "%s/%s", argv[i], ents[k]->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (verbose)
					fprintf(stderr, "%s\n", path);
				bad += run_file(path) != 0;
				inputs++;
			}
			free(path);
			free(ents[k]);
		}
		free(ents);
	}
	if (bad != 0) {
		printf("FAIL fuzz/%s: %zu of %zu inputs could not be read\n",
		    name, bad, inputs);
		return 1;
	}
	printf("ok fuzz/%s: %zu inputs\n", name, inputs);
	return 0;
}
