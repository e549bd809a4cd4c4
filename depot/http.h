/* http.h - downloads from online depots (http.c is the only user of libcurl). */
/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef DV_HTTP_H
#define DV_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sbuf.h"

/* How many letters and digits a download token may have (Broadcom's rule). */
#define HTTP_TOKEN_MAX 32
/* The placeholder a URL carries where the token goes. */
#define HTTP_TOKEN_MARK "{token}"
/* What every message, listing and file shows instead of the token. */
#define HTTP_TOKEN_SHOWN "<token>"

struct http_opts {
	const char *token;  /* put where a URL says {token}; NULL when none */
	const char *cacert; /* a PEM file of extra CAs; NULL: system store */
	bool insecure;	    /* do not check certificates (cmd/ warns) */
	unsigned retries;   /* transient failures retried; 0 for the default */
	long stall_seconds; /* no byte for this long fails a try; 0 default */
	unsigned max_redirects; /* 0 for the default */
};

#define HTTP_DEFAULT_RETRIES 5
#define HTTP_DEFAULT_STALL 60
#define HTTP_DEFAULT_REDIRECTS 8

/* Whether s is an http://, https:// or file:// URL (any case). */
bool http_is_url(const char *s);
/* Whether url uses plain http:// (any case). */
bool http_is_plain(const char *url);

/* 0, or DV_EFORMAT: not 1..32 ASCII letters and digits.  Never shown. */
int http_token_check(const char *token, struct dv_error *err);

/* url with every {token} (and the token itself) shown as <token>. */
void http_shown(const char *url, const char *token, struct sbuf *out);

/*
 * Check the options against url before any request: a URL that says
 * {token} needs a token, and --insecure with a token over http:// is
 * refused.  Errors: DV_EFORMAT.
 */
int http_check_url(const struct http_opts *o, const char *url,
    struct dv_error *err);

struct http;

/* A session: one connection cache, shared by every transfer.  DV_EIO. */
int http_open(const struct http_opts *o, struct http **out,
    struct dv_error *err);
void http_close(struct http *h);
/* Bytes received over the network in this session (tests, reports). */
uint64_t http_bytes_received(const struct http *h);

/*
 * GET url whole into out (at most cap bytes).  named_by says which index
 * named it, for a 404.  Transient failures are retried with backoff.
 * Errors: DV_EMISSING (404), DV_EDENIED (401, 403), DV_ELIMIT, DV_ENET,
 * DV_EINTR.  Messages show the URL with <token>.
 */
int http_get(struct http *h, const char *url, const char *named_by,
    size_t cap, struct sbuf *out, struct dv_error *err);

/* One file to download, verified as it arrives. */
struct http_file {
	const char *url;      /* may say {token} */
	const char *named_by; /* which index named it, for a 404 */
	const char *partial;  /* where its bytes gather; kept across runs */
	const char *path;     /* its final name: renamed to only once verified */
	uint64_t size;	      /* what the metadata says */
	const char *sha256;   /* lower-case hex, from the metadata */
	bool want_crc32;      /* also find its CRC-32 (a zip member's) */
	/*
	 * Or, with into_fd, partial and path unused: the body goes to fd
	 * (left open) at offset at, a region the caller laid out (fetch
	 * downloads each VIB straight into its place in the zip).  The
	 * first kept bytes there are an earlier run's: re-read and hashed
	 * from at before the rest is asked for, as a kept partial is.
	 */
	bool into_fd;
	int fd;
	uint64_t at;
	uint64_t kept;
	/* Called (from the thread that called http_get_files) as soon as the
	 * file is verified; NULL for none. */
	void (*verified)(void *ctx, const struct http_file *f);
	void *ctx;
	/* Results. */
	int code;	      /* 0 when path holds the verified file */
	struct dv_error err;
	uint64_t received;    /* bytes this run took from the network */
	uint64_t resumed_at;  /* bytes of a kept partial that were reused */
	uint64_t in_place;    /* into_fd: bytes at at, written and hashed
				 from its start, when it stopped (size
				 once verified; kept when never started) */
	uint32_t crc32;	      /* with want_crc32, the file's CRC-32 when
				 code is 0, found in the same pass */
};

/*
 * Download files, at most jobs at a time (libcurl's multi interface).
 * Each body streams through SHA-256 (and CRC-32) into file->partial, the
 * hashing and writing done by a second thread fed through a fixed pool
 * of buffers (4 MiB whatever jobs is), so they no longer hold up the
 * receiving; a kept partial is re-read and hashed from its start, then the rest asked
 * for with a range request.  A file whose size or SHA-256 is wrong is
 * discarded and fetched once more, then refused (DV_EDIGEST).  Only a
 * verified file is renamed to file->path (into_fd: nothing is renamed;
 * the caller trusts a region only when its file says it is verified).
 * Every file is tried; the first failure is copied to err and returned.
 * DV_EINTR stops early, partials kept.
 */
int http_get_files(struct http *h, struct http_file *files, size_t n,
    unsigned jobs, struct dv_error *err);

/*
 * Percent-encode a relative member path for use in a URL (everything but
 * unreserved characters and '/').
 */
void http_escape_path(const char *path, struct sbuf *out);

#endif
