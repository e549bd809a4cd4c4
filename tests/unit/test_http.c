/* test_http.c - the download token's rules and how URLs are shown. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../depot/crypto.h"
#include "../../depot/gzip.h"
#include "../../depot/http.h"
#include "unit.h"

void
test_http_token(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;
	struct http_opts o = {0};
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);

	CHECK(u, http_token_check("Ab12", &err) == 0);
	CHECK(u, http_token_check("abcdefghijklmnopqrstuvwxyz012345", &err) ==
	    0);
	CHECK(u, http_token_check("abcdefghijklmnopqrstuvwxyz0123456", &err) ==
	    -DV_EFORMAT);
	CHECK(u, http_token_check("", &err) == -DV_EFORMAT);
	CHECK(u, http_token_check("ab-12", &err) == -DV_EFORMAT);
	/* The refused token is never in the message. */
	CHECK(u, http_token_check("secret/1", &err) == -DV_EFORMAT &&
	    strstr(err.msg, "secret") == NULL);
	/* {token} and the token itself both show as <token>. */
	http_shown("https://h/{token}/PROD/x?k=Tok9", "Tok9", &sb);
	CHECK_STR(u, sb.buf, "https://h/<token>/PROD/x?k=<token>");
	/* A URL asking for a token needs one; --insecure with one over
	 * http:// is refused, over https:// allowed. */
	CHECK(u, http_check_url(&o, "https://h/{token}/i.xml", &err) ==
	    -DV_EFORMAT && strstr(err.msg, "no download token") != NULL);
	o.token = "Tok9";
	o.insecure = true;
	CHECK(u, http_check_url(&o, "HTTP://h/{token}/i.xml", &err) ==
	    -DV_EFORMAT && strstr(err.msg, "Tok9") == NULL);
	CHECK(u, http_check_url(&o, "https://h/{token}/i.xml", &err) == 0);
	sbuf_reset(&sb);
	http_escape_path("vib20/a b/x#1%.vib", &sb);
	CHECK_STR(u, sb.buf, "vib20/a%20b/x%231%25.vib");
	CHECK(u, http_is_url("FILE:///x") && http_is_url("https://h") &&
	    !http_is_url("ftp://h") && !http_is_url("/x/index.xml"));
	sbuf_release(&sb);
}

/* http_get_files' word that a file is verified: counted. */
static void
count_verified(void *ctx, const struct http_file *f)
{
	(void)f;
	(*(int *)ctx)++;
}

/* Whether fd holds len bytes equal to want at offset at. */
static bool
holds(int fd, uint64_t at, const char *want, size_t len)
{
	char buf[64];

	return len <= sizeof(buf) && pread(fd, buf, len, (off_t)at) ==
	    (ssize_t)len && memcmp(buf, want, len) == 0;
}

/*
 * A body downloaded into a region of a caller's file (file://, so no
 * server): in place at its offset, its CRC-32 found, the callback told;
 * kept bytes re-read and hashed, the rest asked for from there; a kept
 * region that is not the file's start is found out by the digest and the
 * body fetched whole again; a wrong SHA-256 twice refused; a region past
 * the largest offset refused before any byte.
 */
void
test_http_into_fd(struct unit *u)
{
	static const char body[] = "the bytes of a VIB, verified as they land";
	const size_t len = sizeof(body) - 1;
	struct dv_error err = DV_ERROR_INIT;
	struct http_opts o = {0};
	struct http_file f;
	struct http *h = NULL;
	char src[512], out[512], url[600], sha[HASH_HEX_MAX];
	int fd = -1, told = 0;
	FILE *fp;

	snprintf(src, sizeof(src), "%s/body.vib", unit_scratch());
	snprintf(out, sizeof(out), "%s/region.zip", unit_scratch());
	snprintf(url, sizeof(url), "file://%s", src);
	fp = fopen(src, "wb");
	CHECK(u, fp != NULL && fputs(body, fp) >= 0 && fclose(fp) == 0);
	hash_hex(HASH_SHA256, body, len, sha);
	(void)unlink(out);
	fd = open(out, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	CHECK(u, fd >= 0 && http_open(&o, &h, &err) == 0);
	if (fd < 0 || h == NULL)
		goto out;

	memset(&f, 0, sizeof(f));
	f.url = url;
	f.named_by = "test";
	f.into_fd = true;
	f.fd = fd;
	f.at = 100;
	f.size = len;
	f.sha256 = sha;
	f.want_crc32 = true;
	f.verified = count_verified;
	f.ctx = &told;
	CHECK(u, http_get_files(h, &f, 1, 1, &err) == 0 && f.code == 0);
	CHECK(u, told == 1 && f.in_place == len && f.received == len &&
	    f.crc32 == dv_crc32(0, body, len) && holds(fd, 100, body, len));

	/* 10 bytes kept: re-read, the other bytes fetched from there. */
	CHECK(u, pwrite(fd, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
	    len - 10, 110) == (ssize_t)(len - 10));
	f.kept = 10;
	CHECK(u, http_get_files(h, &f, 1, 1, &err) == 0 && f.code == 0);
	CHECK(u, f.resumed_at == 10 && f.received == len - 10 &&
	    holds(fd, 100, body, len) && told == 2);

	/* Kept bytes that are not the body's: discarded, fetched whole. */
	CHECK(u, pwrite(fd, "wrong", 5, 100) == 5);
	f.kept = 5;
	CHECK(u, http_get_files(h, &f, 1, 1, &err) == 0 && f.code == 0);
	CHECK(u, f.received == 2 * len - 5 && holds(fd, 100, body, len));

	/* Not the SHA-256 the metadata says, twice: refused, none kept. */
	f.sha256 = "00";
	f.kept = 0;
	CHECK(u, http_get_files(h, &f, 1, 1, &err) == -DV_EDIGEST);
	CHECK(u, strstr(err.msg, "it was discarded, fetched again and was "
	    "wrong again: refused") != NULL && f.in_place == 0);

	/* A region no file can have. */
	f.sha256 = sha;
	f.at = (uint64_t)INT64_MAX - 5;
	CHECK(u, http_get_files(h, &f, 1, 1, &err) == -DV_EIO);
	CHECK(u, strstr(err.msg, "body.vib: no place for its 41 bytes at "
	    "offset 9223372036854775802") != NULL && f.received == 0);
out:
	http_close(h);
	if (fd >= 0)
		close(fd);
	(void)unlink(out);
	(void)unlink(src);
}
