/* error.c - the error table, struct dv_error setters, the diagnostics list. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"

/* error.h's analyzer-only macros must not rename the definitions here. */
#undef dv_error_set
#undef dv_error_errno
#undef dv_exit_status

static const struct {
	const char *msg;
	int status;
} dv_error_table[] = {
#define DV_ROW(name, msg, status) {msg, status},
	DV_ERRORS(DV_ROW)
#undef DV_ROW
};

const char *
dv_strerror(int code)
{
	if (code < 0)
		code = -code;
	if (code > DV_EFIRST && code < DV_ELAST)
		return dv_error_table[code - DV_EFIRST - 1].msg;
	return strerror(code);
}

int
dv_exit_status(int code)
{
	if (code < 0)
		code = -code;
	if (code > DV_EFIRST && code < DV_ELAST)
		return dv_error_table[code - DV_EFIRST - 1].status;
	return 2;
}

/* The format attribute lets the compiler check the callers' formats here
 * too, and keeps -Wformat-nonliteral quiet about the vsnprintf below. */
__attribute__((format(printf, 4, 0))) static int
error_vset(struct dv_error *err, int code, int with_errno, const char *fmt,
    va_list ap)
{
	int saved = errno;
	size_t len;

	if (err == NULL)
		return -code;
	err->code = code;
	err->sys_errno = with_errno ? saved : 0;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (with_errno) {
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
		    strerror(saved));
	}
	return -code;
}

int
dv_error_set(struct dv_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int
dv_error_errno(struct dv_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = error_vset(err, code, 1, fmt, ap);
	va_end(ap);
	return ret;
}

int
dv_error_vset(struct dv_error *err, int code, const char *fmt, va_list ap)
{
	return error_vset(err, code, 0, fmt, ap);
}

void
dv_diag_vadd(struct dv_diags *l, enum dv_diag_kind kind, int code,
    const char *fmt, va_list ap)
{
	struct dv_diag *d;
	va_list again;
	int len;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	d = &l->v[l->n++];
	d->kind = kind;
	d->code = code;
	va_copy(again, ap);
	len = vsnprintf(NULL, 0, fmt, ap);
	d->msg = xmalloc((size_t)(len < 0 ? 0 : len) + 1);
	d->msg[0] = '\0';
	if (len >= 0)
		vsnprintf(d->msg, (size_t)len + 1, fmt, again);
	va_end(again);
}

void
dv_diag_add(struct dv_diags *l, enum dv_diag_kind kind, int code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dv_diag_vadd(l, kind, code, fmt, ap);
	va_end(ap);
}

size_t
dv_diags_count(const struct dv_diags *l, enum dv_diag_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].kind == kind;
	return n;
}

const struct dv_diag *
dv_diags_first(const struct dv_diags *l, enum dv_diag_kind kind)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == kind)
			return &l->v[i];
	return NULL;
}

void
dv_diags_release(struct dv_diags *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].msg);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
