/* http.c - downloads over HTTP(S) and file://, verified as they arrive; the only user of libcurl. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "gzip.h"
#include "http.h"
#include "outdir.h"
#include "version.h"
#include "xalloc.h"

#define READ_BUF (256u << 10)
/* libcurl's largest receive buffer: fewer, larger reads from the socket. */
#define RECV_BUF (512L << 10)
/*
 * Bodies go to the hashing thread in HQ_BUFS buffers of HQ_BUF bytes:
 * memory stays at 4 MiB whatever --jobs says.
 */
#define HQ_BUF ((size_t)RECV_BUF)
#define HQ_BUFS 8

struct http {
	struct http_opts o;
	CURL *easy;	   /* for http_get: keeps its connections between calls */
	uint64_t received; /* network bytes this session */
};

static bool
prefix_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

bool
http_is_url(const char *s)
{
	return prefix_ci(s, "http://") || prefix_ci(s, "https://") ||
	    prefix_ci(s, "file://");
}

bool
http_is_plain(const char *url)
{
	return prefix_ci(url, "http://");
}

int
http_token_check(const char *token, struct dv_error *err)
{
	size_t n = 0;

	for (const char *p = token; *p != '\0'; p++, n++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9')))
			return dv_error_set(err, DV_EFORMAT, "the download token "
			    "is not valid: it must be letters and digits only "
			    "(character %zu is not)", n + 1);
	}
	if (n == 0 || n > HTTP_TOKEN_MAX)
		return dv_error_set(err, DV_EFORMAT, "the download token is "
		    "not valid: it must be 1 to %d letters and digits, not %zu",
		    HTTP_TOKEN_MAX, n);
	return 0;
}

/* Copy s into out with every from replaced by to. */
static void
replace_all(const char *s, const char *from, const char *to, struct sbuf *out)
{
	size_t n = strlen(from);
	const char *hit;

	sbuf_reset(out);
	if (n == 0) {
		sbuf_adds(out, s);
		return;
	}
	while ((hit = strstr(s, from)) != NULL) {
		sbuf_add(out, s, (size_t)(hit - s));
		sbuf_adds(out, to);
		s = hit + n;
	}
	sbuf_adds(out, s);
}

void
http_shown(const char *url, const char *token, struct sbuf *out)
{
	struct sbuf tmp = SBUF_INIT(SBUF_NOCAP);

	replace_all(url, HTTP_TOKEN_MARK, HTTP_TOKEN_SHOWN, &tmp);
	if (token != NULL && *token != '\0')
		replace_all(tmp.buf, token, HTTP_TOKEN_SHOWN, out);
	else {
		sbuf_reset(out);
		sbuf_adds(out, tmp.buf);
	}
	sbuf_release(&tmp);
}

/* The token never leaves in a message, whatever libcurl wrote in it. */
static void
scrub(const struct http *h, struct dv_error *err)
{
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);

	if (err == NULL || h->o.token == NULL || *h->o.token == '\0' ||
	    strstr(err->msg, h->o.token) == NULL)
		return;
	replace_all(err->msg, h->o.token, HTTP_TOKEN_SHOWN, &sb);
	snprintf(err->msg, sizeof(err->msg), "%s", sb.buf);
	sbuf_release(&sb);
}

int
http_check_url(const struct http_opts *o, const char *url,
    struct dv_error *err)
{
	struct sbuf shown = SBUF_INIT(SBUF_NOCAP);
	int ret = 0;

	http_shown(url, o->token, &shown);
	if (strstr(url, HTTP_TOKEN_MARK) != NULL && o->token == NULL)
		ret = dv_error_set(err, DV_EFORMAT, "%s: the URL says {token}, "
		    "but no download token was given: put it in a file only "
		    "you can read and use --token-file FILE, or set "
		    "ESXSTAGE_TOKEN", shown.buf);
	else if (o->insecure && o->token != NULL && http_is_plain(url))
		ret = dv_error_set(err, DV_EFORMAT, "%s: --insecure together "
		    "with a download token over http:// is refused: the token "
		    "would go in clear text to a server nobody checked",
		    shown.buf);
	sbuf_release(&shown);
	return ret;
}

void
http_escape_path(const char *path, struct sbuf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL) {
			sbuf_addch(out, (char)*p);
		} else {
			sbuf_addch(out, '%');
			sbuf_addch(out, hex[*p >> 4]);
			sbuf_addch(out, hex[*p & 15]);
		}
	}
}

/* The URL as requested: {token} filled in. */
static void
real_url(const struct http *h, const char *url, struct sbuf *out)
{
	replace_all(url, HTTP_TOKEN_MARK, h->o.token != NULL ? h->o.token : "",
	    out);
}

static unsigned
retries(const struct http *h)
{
	return h->o.retries != 0 ? h->o.retries : HTTP_DEFAULT_RETRIES;
}

static long
stall_seconds(const struct http *h)
{
	return h->o.stall_seconds > 0 ? h->o.stall_seconds : HTTP_DEFAULT_STALL;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait before try number tries+1: 0.25 s, doubling, at most 8 s. */
static double
backoff(unsigned tries)
{
	double d = 0.25;

	while (tries-- > 1 && d < 8)
		d *= 2;
	return d;
}

/* Sleep up to secs, waking early on an interrupt; false when interrupted. */
static bool
nap(double secs)
{
	double until = now_seconds() + secs;
	struct timespec ts = {0, 50L * 1000 * 1000};

	while (now_seconds() < until) {
		if (outdir_interrupted())
			return false;
		nanosleep(&ts, NULL);
	}
	return !outdir_interrupted();
}

/*
 * Which proxy libcurl takes from the environment for url, for messages:
 * "" when none.  Credentials in the proxy URL are not shown.
 */
static void
proxy_note(const char *url, struct sbuf *out)
{
	static const char *const https_vars[] = {"https_proxy", "HTTPS_PROXY",
	    "all_proxy", "ALL_PROXY", NULL};
	static const char *const http_vars[] = {"http_proxy", "all_proxy",
	    "ALL_PROXY", NULL};
	const char *const *vars = prefix_ci(url, "https://") ? https_vars :
	    prefix_ci(url, "http://") ? http_vars : NULL;
	const char *v, *at, *scheme;

	sbuf_reset(out);
	for (; vars != NULL && *vars != NULL; vars++) {
		v = getenv(*vars);
		if (v == NULL || *v == '\0')
			continue;
		scheme = strstr(v, "://");
		at = strrchr(v, '@');
		sbuf_adds(out, " (through the proxy ");
		if (at != NULL) {
			if (scheme != NULL)
				sbuf_add(out, v, (size_t)(scheme + 3 - v));
			sbuf_adds(out, at + 1);
		} else {
			sbuf_adds(out, v);
		}
		sbuf_addf(out, " from %s", *vars);
		v = getenv("no_proxy");
		if (v == NULL)
			v = getenv("NO_PROXY");
		if (v != NULL && *v != '\0')
			sbuf_addf(out, "; no_proxy is '%s'", v);
		sbuf_adds(out, ")");
		return;
	}
}

static int
progress_cb(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	(void)ctx, (void)dt, (void)dn, (void)ut, (void)un;
	return outdir_interrupted() ? 1 : 0;
}

static void
set_common(struct http *h, CURL *e, const char *url, char *errbuf)
{
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)(h->o.max_redirects != 0 ?
	    h->o.max_redirects : HTTP_DEFAULT_REDIRECTS));
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
	/* A server must not send us to a local file. */
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, stall_seconds(h));
	curl_easy_setopt(e, CURLOPT_USERAGENT, "esxstage/" ESXSTAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, progress_cb);
	if (h->o.cacert != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->o.cacert);
	if (h->o.insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	errbuf[0] = '\0';
}

static bool
transient_status(long status)
{
	return status == 408 || status == 429 || status == 500 ||
	    status == 502 || status == 503 || status == 504;
}

static bool
transient_code(CURLcode rc)
{
	switch (rc) {
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/*
 * The error for a failed try, in an admin's words.  shown is the URL as
 * messages show it; tries how many times it was tried.
 */
static int
fail_try(struct http *h, CURLcode rc, long status, const char *shown,
    const char *url, const char *named_by, const char *errbuf,
    unsigned tries, struct dv_error *err)
{
	struct sbuf proxy = SBUF_INIT(SBUF_NOCAP);
	const char *why = *errbuf != '\0' ? errbuf : curl_easy_strerror(rc);
	int ret;

	proxy_note(url, &proxy);
	if (rc == CURLE_ABORTED_BY_CALLBACK && outdir_interrupted())
		ret = dv_error_set(err, DV_EINTR, "%s: interrupted", shown);
	else if (status == 404 || rc == CURLE_FILE_COULDNT_READ_FILE ||
	    rc == CURLE_REMOTE_FILE_NOT_FOUND)
		ret = dv_error_set(err, DV_EMISSING, "%s: not found on the "
		    "server%s (named by %s)", shown, status == 404 ?
		    " (HTTP 404)" : "", named_by);
	else if (status == 401 || status == 403)
		ret = dv_error_set(err, DV_EDENIED, "%s: HTTP %ld: %s", shown,
		    status, h->o.token != NULL ? "the download token is "
		    "missing, wrong or not entitled for this channel" :
		    "access refused; if this depot needs a download token, "
		    "write {token} in the URL where it goes and give the token "
		    "with --token-file FILE or ESXSTAGE_TOKEN");
	else if (status == 429)
		ret = dv_error_set(err, DV_ENET, "%s: the server kept answering "
		    "HTTP 429 (too many requests); gave up after %u tries",
		    shown, tries);
	else if (status >= 400 && transient_status(status))
		ret = dv_error_set(err, DV_ENET, "%s: HTTP %ld from the server; "
		    "gave up after %u tries", shown, status, tries);
	else if (status >= 400)
		ret = dv_error_set(err, DV_ENET, "%s: HTTP %ld from the server",
		    shown, status);
	else if (rc == CURLE_COULDNT_RESOLVE_HOST)
		ret = dv_error_set(err, DV_ENET, "%s: cannot resolve the host "
		    "name (DNS)%s: %s", shown, proxy.buf, why);
	else if (rc == CURLE_COULDNT_RESOLVE_PROXY)
		ret = dv_error_set(err, DV_ENET, "%s: cannot resolve the "
		    "proxy%s: %s", shown, proxy.buf, why);
	else if (rc == CURLE_COULDNT_CONNECT)
		ret = dv_error_set(err, DV_ENET, "%s: cannot connect%s: %s",
		    shown, proxy.buf, why);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CONNECT_ERROR ||
	    rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_ISSUER_ERROR)
		ret = dv_error_set(err, DV_ENET, "%s: TLS failed%s: %s; when a "
		    "site proxy inspects TLS, give its CA with --cacert FILE",
		    shown, proxy.buf, why);
	else if (rc == CURLE_TOO_MANY_REDIRECTS)
		ret = dv_error_set(err, DV_ENET, "%s: more than %u redirects "
		    "(a redirect loop?): %s", shown, h->o.max_redirects != 0 ?
		    h->o.max_redirects : HTTP_DEFAULT_REDIRECTS, why);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		ret = dv_error_set(err, DV_ENET, "%s: no data for %ld seconds, "
		    "%u times%s; try again later", shown, stall_seconds(h),
		    tries, proxy.buf);
	else if (transient_code(rc))
		ret = dv_error_set(err, DV_ENET, "%s: the connection broke, %u "
		    "times%s: %s; run the command again to resume", shown,
		    tries, proxy.buf, why);
	else
		ret = dv_error_set(err, DV_ENET, "%s: %s%s", shown, why,
		    proxy.buf);
	scrub(h, err);
	sbuf_release(&proxy);
	return ret;
}

int
http_open(const struct http_opts *o, struct http **out,
    struct dv_error *err)
{
	static bool inited;
	struct http *h;

	*out = NULL;
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return dv_error_set(err, DV_EIO, "cannot start libcurl");
		inited = true;
	}
	h = xcalloc(1, sizeof(*h));
	h->o = *o;
	h->easy = curl_easy_init();
	if (h->easy == NULL) {
		free(h);
		return dv_error_set(err, DV_EIO, "cannot start libcurl");
	}
	*out = h;
	return 0;
}

void
http_close(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->easy);
	free(h);
}

uint64_t
http_bytes_received(const struct http *h)
{
	return h->received;
}

struct mem_sink {
	struct http *h;
	struct sbuf *out;
	bool over;
};

static size_t
mem_write(char *data, size_t size, size_t n, void *ctx)
{
	struct mem_sink *m = ctx;

	if (sbuf_add(m->out, data, size * n) != 0) {
		m->over = true;
		return 0;
	}
	m->h->received += size * n;
	return size * n;
}

int
http_get(struct http *h, const char *url, const char *named_by,
    size_t cap, struct sbuf *out, struct dv_error *err)
{
	struct sbuf real = SBUF_INIT(SBUF_NOCAP), shown = SBUF_INIT(SBUF_NOCAP);
	char errbuf[CURL_ERROR_SIZE];
	struct mem_sink m = {h, out, false};
	unsigned tries = 0;
	long status;
	CURLcode rc;
	int ret;

	real_url(h, url, &real);
	http_shown(url, h->o.token, &shown);
	out->cap = cap;
	for (;;) {
		sbuf_reset(out);
		curl_easy_reset(h->easy);
		set_common(h, h->easy, real.buf, errbuf);
		curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, mem_write);
		curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, &m);
		rc = curl_easy_perform(h->easy);
		status = 0;
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
		tries++;
		if (m.over) {
			ret = dv_error_set(err, DV_ELIMIT, "%s: larger than %zu "
			    "bytes", shown.buf, cap);
			goto out;
		}
		if (rc == CURLE_OK) {
			ret = 0;
			goto out;
		}
		if ((transient_code(rc) || transient_status(status)) &&
		    tries <= retries(h) && nap(backoff(tries)))
			continue;
		ret = fail_try(h, rc, status, shown.buf, real.buf, named_by,
		    errbuf, tries, err);
		goto out;
	}
out:
	if (ret != 0)
		sbuf_reset(out);
	sbuf_release(&real);
	sbuf_release(&shown);
	return ret;
}

/* ---- parallel, verified, resumable file downloads --------------------- */

enum xfer_state { X_WAIT, X_RUNNING, X_DONE };

struct xfer {
	struct http *h;
	struct http_file *f;
	enum xfer_state state;
	CURL *e;
	struct hashq *q;
	/*
	 * fd, hash, crc and io_errno belong to the hashing thread while
	 * bytes of this file wait in q; the transfer thread touches them only
	 * after hq_drain.  io_failed it may read at any time.
	 */
	int fd;
	struct hash *hash;
	uint32_t crc;	     /* CRC-32 of the same bytes */
	uint64_t have;	     /* bytes received: in the partial once drained */
	uint64_t wpos;	     /* bytes written and hashed (hashing thread) */
	uint64_t kept;	     /* into_fd: bytes of an earlier run to re-read */
	bool opened;	     /* into_fd: its region was taken up this run */
	unsigned tries;	     /* failed tries, transient ones */
	unsigned bad_digest; /* complete downloads that were wrong */
	bool over;	     /* the server sent more than the size */
	atomic_bool io_failed;
	int io_errno;
	double ready_at;
	struct sbuf real, shown;
	char errbuf[CURL_ERROR_SIZE];
};

/* Where byte 0 of x's body goes in x->fd. */
static uint64_t
xfer_base(const struct xfer *x)
{
	return x->f->into_fd ? x->f->at : 0;
}

/*
 * Write bytes at the body's write position: 0, or the errno of the
 * failure.  Into a caller's file its writeback starts at once (the one
 * fsync at the end then waits less).
 */
static int
xfer_put(struct xfer *x, const char *p, size_t len)
{
	uint64_t at = xfer_base(x) + x->wpos;
	size_t done = 0;
	ssize_t w;

	while (done < len) {
		w = pwrite(x->fd, p + done, len - done, (off_t)(at + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : ENOSPC;
		done += (size_t)w;
	}
	x->wpos += len;
#ifdef __linux__
	if (x->f->into_fd)
		(void)sync_file_range(x->fd, (off_t)at, (off_t)len,
		    SYNC_FILE_RANGE_WRITE);
#endif
	return 0;
}

/*
 * The hashing thread: the transfer thread (libcurl's multi loop) gathers
 * each body's pieces into a buffer of its own and queues it when full;
 * this thread hashes it (SHA-256, CRC-32) and writes it to the partial,
 * so on two cores the hashing no longer slows the receiving.  HQ_BUFS
 * buffers in all: a full queue makes the transfer thread wait, so memory
 * stays bounded.  Without a thread, a full buffer is handled at once.
 */
struct hq_item {
	struct xfer *x;
	char *buf;
	size_t len;
};

struct hashq {
	pthread_mutex_t lock;
	/* Wake-ups only for a thread that waits: futex calls cost. */
	pthread_cond_t queued;		/* an item queued, or stop */
	pthread_cond_t freed;		/* a buffer back in spare */
	unsigned idle;			/* the thread waits on queued */
	unsigned waiting;		/* threads waiting on freed */
	struct hq_item ring[HQ_BUFS];	/* queued, oldest at head */
	size_t head, count;
	char *spare[HQ_BUFS];		/* free buffers */
	size_t nspare;
	bool busy;			/* the thread holds an item */
	bool stop;
	bool started;
	pthread_t thread;
	struct hq_item fill;		/* the transfer thread's, filling */
};

/*
 * Hash and write one buffer of x's body (the hashing thread's work): 0,
 * or the errno of a failed write.
 */
static int
xfer_consume(struct xfer *x, const char *p, size_t len)
{
	if (atomic_load(&x->io_failed))
		return 0;
	hash_update(x->hash, p, len);
	if (x->f->want_crc32)
		x->crc = dv_crc32(x->crc, p, len);
	return xfer_put(x, p, len);
}

/* A failed write, kept for xfer_done. */
static void
xfer_io_failed(struct xfer *x, int e)
{
	if (e != 0 && !atomic_load(&x->io_failed)) {
		x->io_errno = e;
		atomic_store(&x->io_failed, true);
	}
}

static void *
hq_main(void *arg)
{
	struct hashq *q = arg;
	struct hq_item it;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->count == 0 && !q->stop) {
			q->idle++;
			pthread_cond_wait(&q->queued, &q->lock);
			q->idle--;
		}
		if (q->count == 0)
			break;
		it = q->ring[q->head];
		q->head = (q->head + 1) % HQ_BUFS;
		q->count--;
		q->busy = true;
		pthread_mutex_unlock(&q->lock);
		xfer_io_failed(it.x, xfer_consume(it.x, it.buf, it.len));
		pthread_mutex_lock(&q->lock);
		q->spare[q->nspare++] = it.buf;
		q->busy = false;
		if (q->waiting > 0)
			pthread_cond_broadcast(&q->freed);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static void
hq_start(struct hashq *q)
{
	sigset_t all, old;

	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->queued, NULL);
	pthread_cond_init(&q->freed, NULL);
	q->fill.buf = xmalloc(HQ_BUF);
	for (size_t i = 1; i < HQ_BUFS; i++)
		q->spare[q->nspare++] = xmalloc(HQ_BUF);
	/* Signals go to the transfer thread, which watches for them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	q->started = pthread_create(&q->thread, NULL, hq_main, q) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Hand the filled buffer over; take a free one (waits while none is). */
static void
hq_push(struct hashq *q)
{
	if (q->fill.len == 0)
		return;
	if (!q->started) {
		xfer_io_failed(q->fill.x, xfer_consume(q->fill.x, q->fill.buf,
		    q->fill.len));
		q->fill.len = 0;
		return;
	}
	pthread_mutex_lock(&q->lock);
	q->ring[(q->head + q->count) % HQ_BUFS] = q->fill;
	q->count++;
	if (q->idle > 0)
		pthread_cond_signal(&q->queued);
	while (q->nspare == 0) {
		q->waiting++;
		pthread_cond_wait(&q->freed, &q->lock);
		q->waiting--;
	}
	q->fill.buf = q->spare[--q->nspare];
	pthread_mutex_unlock(&q->lock);
	q->fill.len = 0;
}

/* Queue len bytes of x's body. */
static void
hq_put(struct hashq *q, struct xfer *x, const char *p, size_t len)
{
	size_t k;

	while (len > 0) {
		if (q->fill.len > 0 && q->fill.x != x)
			hq_push(q);
		q->fill.x = x;
		k = len < HQ_BUF - q->fill.len ? len : HQ_BUF - q->fill.len;
		memcpy(q->fill.buf + q->fill.len, p, k);
		q->fill.len += k;
		p += k;
		len -= k;
		if (q->fill.len == HQ_BUF)
			hq_push(q);
	}
}

/* Wait until every byte put is hashed and written. */
static void
hq_drain(struct hashq *q)
{
	hq_push(q);
	pthread_mutex_lock(&q->lock);
	while (q->count > 0 || q->busy) {
		q->waiting++;
		pthread_cond_wait(&q->freed, &q->lock);
		q->waiting--;
	}
	pthread_mutex_unlock(&q->lock);
}

static void
hq_stop(struct hashq *q)
{
	hq_push(q);
	if (q->started) {
		pthread_mutex_lock(&q->lock);
		q->stop = true;
		pthread_cond_signal(&q->queued);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
	}
	for (size_t i = 0; i < q->nspare; i++)
		free(q->spare[i]);
	free(q->fill.buf);
	pthread_cond_destroy(&q->queued);
	pthread_cond_destroy(&q->freed);
	pthread_mutex_destroy(&q->lock);
}

/* Let go of x's file: a partial is closed, a caller's fd only left. */
static void
xfer_release_fd(struct xfer *x)
{
	if (x->fd >= 0 && !x->f->into_fd)
		close(x->fd);
	x->fd = -1;
}

static void
xfer_drop_partial(struct xfer *x)
{
	xfer_release_fd(x);
	if (!x->f->into_fd)
		(void)unlink(x->f->partial);
	hash_free(x->hash);
	x->hash = NULL;
	x->have = x->wpos = x->kept = 0;
}

/*
 * The region of a caller's file: its kept bytes hashed from the start
 * (an earlier run's, not synced, so not trusted until the whole is).
 */
static int
xfer_open_region(struct xfer *x)
{
	uint64_t kept = x->kept <= x->f->size ? x->kept : 0;
	char *buf = xmalloc(READ_BUF);
	ssize_t n = 0;
	size_t want;

	if (x->f->at > (uint64_t)INT64_MAX - x->f->size) {
		free(buf);
		return dv_error_set(&x->f->err, DV_EIO, "%s: no place for its "
		    "%llu bytes at offset %llu", x->shown.buf,
		    (unsigned long long)x->f->size,
		    (unsigned long long)x->f->at);
	}
	x->opened = true;
	x->fd = x->f->fd;
	x->hash = hash_new(HASH_SHA256);
	x->crc = 0;
	x->have = 0;
	while (x->have < kept) {
		want = kept - x->have < READ_BUF ? (size_t)(kept - x->have) :
		    READ_BUF;
		n = pread(x->fd, buf, want, (off_t)(x->f->at + x->have));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* shorter than said: the rest is fetched */
		hash_update(x->hash, buf, (size_t)n);
		if (x->f->want_crc32)
			x->crc = dv_crc32(x->crc, buf, (size_t)n);
		x->have += (uint64_t)n;
	}
	free(buf);
	x->wpos = x->have;
	if (n < 0)
		return dv_error_errno(&x->f->err, DV_EIO, "%s: cannot read",
		    x->shown.buf);
	if (x->f->resumed_at == 0 && x->tries == 0)
		x->f->resumed_at = x->have;
	return 0;
}

/* Open the kept partial and hash what it holds, from its start. */
static int
xfer_open_partial(struct xfer *x)
{
	char *buf;
	ssize_t n;

	if (x->fd >= 0)
		return 0;
	if (x->f->into_fd)
		return xfer_open_region(x);
	x->fd = open(x->f->partial, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (x->fd < 0)
		return dv_error_errno(&x->f->err, DV_EIO, "%s: cannot open",
		    x->f->partial);
	x->hash = hash_new(HASH_SHA256);
	x->crc = 0;
	x->have = 0;
	buf = xmalloc(READ_BUF);
	while ((n = read(x->fd, buf, READ_BUF)) > 0) {
		if (x->have + (uint64_t)n > x->f->size)
			break;
		hash_update(x->hash, buf, (size_t)n);
		if (x->f->want_crc32)
			x->crc = dv_crc32(x->crc, buf, (size_t)n);
		x->have += (uint64_t)n;
	}
	free(buf);
	if (n < 0)
		return dv_error_errno(&x->f->err, DV_EIO, "%s: cannot read",
		    x->f->partial);
	if (n > 0) {
		/* Longer than the file can be: it is not this file. */
		hash_free(x->hash);
		x->hash = hash_new(HASH_SHA256);
		x->crc = 0;
		x->have = 0;
	}
	x->wpos = x->have;
	if (ftruncate(x->fd, (off_t)x->have) != 0)
		return dv_error_errno(&x->f->err, DV_EIO, "%s: cannot resize",
		    x->f->partial);
	if (x->f->resumed_at == 0 && x->tries == 0)
		x->f->resumed_at = x->have;
	return 0;
}

static size_t
xfer_write(char *data, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n;

	if (x->have + len > x->f->size) {
		x->over = true;
		return 0;
	}
	if (atomic_load(&x->io_failed)) /* stop early: ENOSPC, say */
		return 0;
	hq_put(x->q, x, data, len);
	x->have += len;
	x->f->received += len;
	x->h->received += len;
	return len;
}

static void
xfer_finish(struct xfer *x, int code)
{
	x->f->code = code;
	x->state = X_DONE;
	xfer_release_fd(x);
	hash_free(x->hash);
	x->hash = NULL;
}

/* The partial holds size bytes: keep it under its final name if right. */
static void
xfer_check(struct xfer *x)
{
	char hex[HASH_HEX_MAX];
	struct http_file *f = x->f;

	hash_final_hex(x->hash, hex);
	hash_free(x->hash);
	x->hash = NULL;
	if (strcmp(hex, f->sha256) == 0 && f->into_fd) {
		/* Its caller lays the region out and trusts it by this call. */
		f->crc32 = x->crc;
		f->in_place = f->size;
		xfer_finish(x, 0);
		if (f->verified != NULL)
			f->verified(f->ctx, f);
		return;
	}
	if (strcmp(hex, f->sha256) == 0) {
		/*
		 * No fsync: every reader hashes the file again before using it
		 * (fetch's zip writer, mirror's refresh, check), so a file cut
		 * short by a crash is found and fetched again, and an fsync per
		 * VIB costs more than the download on a busy disk.
		 */
		if (close(x->fd) != 0) {
			x->fd = -1;
			xfer_finish(x, dv_error_errno(&f->err, DV_EIO,
			    "%s: cannot write", f->partial));
			return;
		}
		x->fd = -1;
		f->crc32 = x->crc;
		if (rename(f->partial, f->path) != 0) {
			xfer_finish(x, dv_error_errno(&f->err, DV_EIO,
			    "%s: cannot rename to %s", f->partial, f->path));
			return;
		}
		xfer_finish(x, 0);
		return;
	}
	xfer_drop_partial(x);
	if (++x->bad_digest >= 2) {
		xfer_finish(x, dv_error_set(&f->err, DV_EDIGEST, "%s: SHA-256 "
		    "is %s, but %s says %s; it was discarded, fetched again "
		    "and was wrong again: refused", x->shown.buf, hex,
		    f->named_by, f->sha256));
		return;
	}
	x->state = X_WAIT;
	x->ready_at = 0;
}

static void
xfer_too_long(struct xfer *x)
{
	struct http_file *f = x->f;

	xfer_drop_partial(x);
	if (++x->bad_digest >= 2) {
		xfer_finish(x, dv_error_set(&f->err, DV_EDIGEST, "%s: the server "
		    "sent more than the %llu bytes %s says; discarded twice: "
		    "refused", x->shown.buf, (unsigned long long)f->size,
		    f->named_by));
		return;
	}
	x->state = X_WAIT;
	x->ready_at = 0;
}

/* Start x, or finish it at once when the partial is complete. */
static void
xfer_start(struct xfer *x, CURLM *m)
{
	int ret;

	if ((ret = xfer_open_partial(x)) != 0) {
		xfer_finish(x, ret);
		return;
	}
	if (x->have == x->f->size) {
		xfer_check(x);
		return;
	}
	x->e = curl_easy_init();
	if (x->e == NULL) {
		xfer_finish(x, dv_error_set(&x->f->err, DV_EIO,
		    "cannot start libcurl"));
		return;
	}
	set_common(x->h, x->e, x->real.buf, x->errbuf);
	curl_easy_setopt(x->e, CURLOPT_BUFFERSIZE, RECV_BUF);
	curl_easy_setopt(x->e, CURLOPT_WRITEFUNCTION, xfer_write);
	curl_easy_setopt(x->e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->e, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)x->have);
	x->over = false;
	atomic_store(&x->io_failed, false);
	x->state = X_RUNNING;
	curl_multi_add_handle(m, x->e);
}

static void
xfer_done(struct xfer *x, CURLM *m, CURLcode rc)
{
	struct http_file *f = x->f;
	long status = 0;

	hq_drain(x->q); /* every byte hashed and written: x is ours again */
	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(m, x->e);
	curl_easy_cleanup(x->e);
	x->e = NULL;
	x->state = X_WAIT;
	x->ready_at = 0;
	if (atomic_load(&x->io_failed)) {
		errno = x->io_errno;
		xfer_finish(x, dv_error_errno(&f->err, DV_EIO,
		    "%s: cannot write", f->partial));
		return;
	}
	if (x->over) {
		xfer_too_long(x);
		return;
	}
	if (rc == CURLE_OK && x->have == f->size) {
		xfer_check(x);
		return;
	}
	if (rc == CURLE_RANGE_ERROR || status == 416) {
		/* The server would not resume: start again from byte 0. */
		xfer_drop_partial(x);
		if (++x->tries <= retries(x->h))
			return;
	}
	x->tries++;
	/* A clean end short of the size is a connection that broke. */
	if (rc == CURLE_OK)
		rc = CURLE_PARTIAL_FILE;
	if ((transient_code(rc) || transient_status(status)) &&
	    x->tries <= retries(x->h)) {
		x->ready_at = now_seconds() + backoff(x->tries);
		return;
	}
	xfer_finish(x, fail_try(x->h, rc, status, x->shown.buf, x->real.buf,
	    f->named_by, x->errbuf, x->tries, &f->err));
	/* An empty partial is no state worth keeping. */
	if (f->code != 0 && x->have == 0 && !f->into_fd)
		(void)unlink(f->partial);
}

int
http_get_files(struct http *h, struct http_file *files, size_t n,
    unsigned jobs, struct dv_error *err)
{
	struct xfer *x = xcalloc(n + 1, sizeof(*x));
	CURLM *m = curl_multi_init();
	CURLMsg *msg;
	struct xfer *xm;
	struct hashq q;
	size_t i, running, left;
	int still, qleft, ret = 0;
	double now, wake;
	bool finished;

	if (m == NULL) {
		free(x);
		return dv_error_set(err, DV_EIO, "cannot start libcurl");
	}
	if (jobs == 0)
		jobs = 1;
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)jobs);
	hq_start(&q);
	for (i = 0; i < n; i++) {
		x[i].h = h;
		x[i].q = &q;
		x[i].f = &files[i];
		x[i].fd = -1;
		files[i].code = 0;
		files[i].received = files[i].resumed_at = 0;
		files[i].in_place = 0;
		x[i].kept = files[i].into_fd ? files[i].kept : 0;
		files[i].crc32 = 0;
		sbuf_init(&x[i].real, SBUF_NOCAP);
		sbuf_init(&x[i].shown, SBUF_NOCAP);
		real_url(h, files[i].url, &x[i].real);
		http_shown(files[i].url, h->o.token, &x[i].shown);
	}
	for (;;) {
		if (outdir_interrupted()) {
			ret = dv_error_set(err, DV_EINTR, "interrupted");
			break;
		}
		now = now_seconds();
		wake = now + 0.2;
		running = left = 0;
		for (i = 0; i < n; i++)
			if (x[i].state == X_RUNNING)
				running++;
		for (i = 0; i < n; i++) {
			if (x[i].state == X_DONE)
				continue;
			left++;
			if (x[i].state != X_WAIT)
				continue;
			if (x[i].ready_at > now) {
				if (x[i].ready_at < wake)
					wake = x[i].ready_at;
				continue;
			}
			if (running < jobs) {
				xfer_start(&x[i], m);
				if (x[i].state == X_RUNNING)
					running++;
			}
		}
		if (left == 0)
			break;
		curl_multi_perform(m, &still);
		finished = false;
		while ((msg = curl_multi_info_read(m, &qleft)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			xm = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    (char **)&xm);
			if (xm != NULL)
				xfer_done(xm, m, msg->data.result);
			finished = true;
		}
		/* A slot came free: start the next file before waiting. */
		if (finished)
			continue;
		if (running > 0 || still > 0)
			curl_multi_poll(m, NULL, 0, (int)((wake - now) * 1000) +
			    1, NULL);
		else if (wake > now)
			nap(wake - now);
	}
	hq_stop(&q); /* an interrupted run's queued bytes reach the partials */
	for (i = 0; i < n; i++) {
		if (x[i].e != NULL) {
			curl_multi_remove_handle(m, x[i].e);
			curl_easy_cleanup(x[i].e);
		}
		/* What is in place: written and hashed from its start (a
		 * discarded body counts none; a write that failed, no more);
		 * of one not taken up, what an earlier run left, unhashed. */
		if (files[i].into_fd)
			files[i].in_place = x[i].opened ? x[i].wpos : x[i].kept;
		xfer_release_fd(&x[i]); /* an interrupted run's partial */
		hash_free(x[i].hash);
		if (ret == 0 && files[i].code != 0) {
			*err = files[i].err;
			ret = files[i].code;
		}
		sbuf_release(&x[i].real);
		sbuf_release(&x[i].shown);
	}
	curl_multi_cleanup(m);
	free(x);
	return ret;
}
