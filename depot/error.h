/* error.h - the error enum and table, struct dv_error, the diagnostics list. */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_ERROR_H
#define DV_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Every error the libraries can return.  Codes start above the errno range
 * so a negative errno can travel the same path.  The X-macro keeps the enum
 * and the message table in one place so they cannot drift apart.
 *	X(name, message, exit status)
 * The exit status is what cmd/ uses: 1 when the input is bad or a lookup
 * found nothing, 2 for usage and I/O trouble.
 */
#define DV_ERRORS(X)                                                         \
	X(DV_EIO, "I/O error", 2)                                            \
	X(DV_ENOTZIP, "not a zip archive", 1)                                \
	X(DV_EZIP, "damaged zip archive", 1)                                 \
	X(DV_ENOTDEPOT, "not an ESXi depot", 1)                              \
	X(DV_EWRAPPER, "a vendor package, not a depot", 1)                   \
	X(DV_EISVIB, "a VIB, not a depot", 1)                                \
	X(DV_EMISSING, "referenced file is missing", 1)                      \
	X(DV_EXML, "malformed XML", 1)                                       \
	X(DV_EFORMAT, "invalid metadata", 1)                                 \
	X(DV_ELIMIT, "size limit exceeded", 1)                               \
	X(DV_EPATH, "unsafe path", 1)                                        \
	X(DV_ENOMATCH, "no match", 1)                                        \
	X(DV_EAMBIGUOUS, "more than one match", 1)                           \
	X(DV_EVIB, "malformed VIB", 1)                                       \
	X(DV_EDIGEST, "checksum mismatch", 1)                                \
	X(DV_ESIG, "signature check failed", 1)                              \
	X(DV_EEXIST, "output already exists", 1)                             \
	X(DV_EINTR, "interrupted", 1)                                        \
	X(DV_ETAR, "damaged tar archive", 1)                                 \
	X(DV_EFIT, "does not fit the hosts' ESXi release", 1)                 \
	X(DV_ENET, "download failed", 2)                                     \
	X(DV_EDENIED, "refused by the server", 1)

enum dv_code {
	DV_EFIRST = 1024,
#define DV_ENUM(name, msg, status) name,
	DV_ERRORS(DV_ENUM)
#undef DV_ENUM
	DV_ELAST
};

/* Filled where a failure happens; printed only by cmd/. */
struct dv_error {
	int code;      /* an enum dv_code, or 0 */
	int sys_errno; /* errno at the failure, when one applies */
	char msg[1024];
};

#define DV_ERROR_INIT {0, 0, {0}}

/*
 * Record an error and return -code, so a caller can write
 * "return dv_error_set(err, DV_EXML, "%s: ...", name);".
 * The message names its subject first: "FILE: member: what is wrong".
 */
int dv_error_set(struct dv_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As dv_error_set, and appends ": strerror(errno)" and keeps errno. */
int dv_error_errno(struct dv_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* dv_error_set for a caller that takes its own format and arguments. */
int dv_error_vset(struct dv_error *err, int code, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

/* The generic text for a code (or a negative errno). */
const char *dv_strerror(int code);

/* The exit status cmd/ uses for a code: 1 bad input, 2 I/O trouble. */
int dv_exit_status(int code);

/*
 * The one channel for what is not an error: a library returns a code and
 * fills struct dv_error when it cannot go on, and records everything else
 * it has to say in a dv_diags list that only cmd/ renders.  A FAIL is a
 * failed check of one item (a VIB, a bundle file) while the run goes on;
 * a WARNING is something wrong that does not fail; a NOTE is advice.
 */
enum dv_diag_kind {
	DV_DIAG_FAIL,
	DV_DIAG_WARNING,
	DV_DIAG_NOTE,
};

struct dv_diag {
	enum dv_diag_kind kind;
	int code;  /* the enum dv_code that says what kind of failure, or 0 */
	char *msg; /* owned; names its subject first, one line */
};

struct dv_diags {
	struct dv_diag *v;
	size_t n;
};

#define DV_DIAGS_INIT {NULL, 0}

void dv_diag_add(struct dv_diags *l, enum dv_diag_kind kind, int code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same, for a wrapper that takes its own format and arguments. */
void dv_diag_vadd(struct dv_diags *l, enum dv_diag_kind kind, int code,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* How many of one kind. */
size_t dv_diags_count(const struct dv_diags *l, enum dv_diag_kind kind);
/* The first of one kind, or NULL. */
const struct dv_diag *dv_diags_first(const struct dv_diags *l,
    enum dv_diag_kind kind);
/* Free the messages; l is empty again and may be reused. */
void dv_diags_release(struct dv_diags *l);

/*
 * clang-tidy's analyzer reads one file at a time, so it cannot see that
 * dv_error_set and dv_error_errno return -code (never 0 for an error
 * code), nor that dv_exit_status is never 0, and follows "the error
 * returned 0" paths through every "return dv_error_set(...)" into NULL
 * results.  Only the analyzer sees these: the same calls with their
 * results spelled out (no call passes a code with side effects).
 */
#ifdef __clang_analyzer__
#define dv_error_set(err, code, ...) \
	(dv_error_set((err), (code), __VA_ARGS__), -(code))
#define dv_error_errno(err, code, ...) \
	(dv_error_errno((err), (code), __VA_ARGS__), -(code))
#define dv_exit_status(code) (dv_exit_status(code) == 1 ? 1 : 2)
#endif

#endif
