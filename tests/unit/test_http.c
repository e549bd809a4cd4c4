/* test_http.c - the download token's rules and how URLs are shown. */
/* SPDX-License-Identifier: BSD-2-Clause */
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
