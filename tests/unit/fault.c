/* fault.c - the -Wl,--wrap wrappers of fault.h: fail a call when armed. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "fault.h"

static struct {
	bool armed;
	int skip, times, err, hits, calls;
} faults[FAULT_NCALLS];

void
fault_arm(enum fault_call call, int skip, int times, int err)
{
	faults[call].armed = true;
	faults[call].skip = skip;
	faults[call].times = times;
	faults[call].err = err;
	faults[call].hits = 0;
	faults[call].calls = 0;
}

void
fault_clear(void)
{
	for (int i = 0; i < FAULT_NCALLS; i++)
		faults[i].armed = false;
}

int
fault_hits(enum fault_call call)
{
	return faults[call].hits;
}

int
fault_calls(enum fault_call call)
{
	return faults[call].calls;
}

/* Whether this call fails (errno set). */
static bool
hit(enum fault_call call)
{
	if (!faults[call].armed)
		return false;
	faults[call].calls++;
	if (faults[call].skip > 0) {
		faults[call].skip--;
		return false;
	}
	if (faults[call].times == 0)
		return false;
	if (faults[call].times > 0)
		faults[call].times--;
	faults[call].hits++;
	errno = faults[call].err;
	return true;
}

/* The C library's calls, as the linker names them under --wrap. */
int __real_renameat2(int, const char *, int, const char *, unsigned);
int __real_renameat(int, const char *, int, const char *);
char *__real_mkdtemp(char *);
int __real_fsync(int);
int __real_syncfs(int);
ssize_t __real_copy_file_range(int, off_t *, int, off_t *, size_t, unsigned);
int __real_linkat(int, const char *, int, const char *, int);
ssize_t __real_write(int, const void *, size_t);
int __real_close(int);

int __wrap_renameat2(int, const char *, int, const char *, unsigned);
int __wrap_renameat(int, const char *, int, const char *);
char *__wrap_mkdtemp(char *);
int __wrap_fsync(int);
int __wrap_syncfs(int);
ssize_t __wrap_copy_file_range(int, off_t *, int, off_t *, size_t, unsigned);
int __wrap_linkat(int, const char *, int, const char *, int);
ssize_t __wrap_write(int, const void *, size_t);
int __wrap_close(int);

int
__wrap_renameat2(int ofd, const char *from, int nfd, const char *to,
    unsigned flags)
{
	return hit(FAULT_RENAMEAT2) ? -1 :
	    __real_renameat2(ofd, from, nfd, to, flags);
}

int
__wrap_renameat(int ofd, const char *from, int nfd, const char *to)
{
	return hit(FAULT_RENAMEAT) ? -1 : __real_renameat(ofd, from, nfd, to);
}

char *
__wrap_mkdtemp(char *tmpl)
{
	return hit(FAULT_MKDTEMP) ? NULL : __real_mkdtemp(tmpl);
}

int
__wrap_fsync(int fd)
{
	return hit(FAULT_FSYNC) ? -1 : __real_fsync(fd);
}

int
__wrap_syncfs(int fd)
{
	return hit(FAULT_SYNCFS) ? -1 : __real_syncfs(fd);
}

ssize_t
__wrap_copy_file_range(int in, off_t *inoff, int out, off_t *outoff,
    size_t len, unsigned flags)
{
	return hit(FAULT_COPY_FILE_RANGE) ? -1 :
	    __real_copy_file_range(in, inoff, out, outoff, len, flags);
}

int
__wrap_linkat(int ofd, const char *from, int nfd, const char *to, int flags)
{
	return hit(FAULT_LINKAT) ? -1 : __real_linkat(ofd, from, nfd, to, flags);
}

ssize_t
__wrap_write(int fd, const void *buf, size_t len)
{
	return hit(FAULT_WRITE) ? -1 : __real_write(fd, buf, len);
}

int
__wrap_close(int fd)
{
	int err;

	if (!hit(FAULT_CLOSE))
		return __real_close(fd);
	err = errno;
	(void)__real_close(fd);
	errno = err;
	return -1;
}
