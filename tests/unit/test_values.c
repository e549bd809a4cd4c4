/* test_values.c - dates, versions, acceptance, paths, buffers, errors. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>

#include "../../depot/depot.h"
#include "../../depot/depot_int.h"
#include "unit.h"

static const char *
fmt(const char *s)
{
	static char out[20];
	struct dv_time t;

	if (dv_time_parse(s, &t) != 0)
		return NULL;
	dv_time_format(&t, out);
	return out;
}

void
test_date_parse_forms(struct unit *u)
{
	struct dv_time t;

	CHECK_STR(u, fmt("2022-03-11T06:25:01.386000+00:00"),
	    "2022-03-11T06:25:01");
	CHECK_STR(u, fmt("2019-11-23T11:00:09+00:00"), "2019-11-23T11:00:09");
	CHECK_STR(u, fmt("2024-06-25T00:00:00.000001+00:00"),
	    "2024-06-25T00:00:00");
	/* vmware.xml timestamps carry no zone: UTC. */
	CHECK_STR(u, fmt("2022-03-11T06:27:31.920015"), "2022-03-11T06:27:31");
	/* Offsets are converted to UTC, across a day and a year. */
	CHECK_STR(u, fmt("2025-04-10T02:00:00+02:00"), "2025-04-10T00:00:00");
	CHECK_STR(u, fmt("2025-01-01T01:30:00+05:30"), "2024-12-31T20:00:00");
	CHECK_STR(u, fmt("2024-12-31T22:00:00-03:00"), "2025-01-01T01:00:00");
	CHECK_STR(u, fmt("2025-04-10T00:00:00Z"), "2025-04-10T00:00:00");
	/* Any one character may separate date and time. */
	CHECK_STR(u, fmt("2025-04-10 12:00:00"), "2025-04-10T12:00:00");
	CHECK_STR(u, fmt("2024-02-29T00:00:00"), "2024-02-29T00:00:00");
	CHECK(u, dv_time_parse("2020-01-01T00:00:00.5", &t) == 0 &&
	    t.usec == 500000);
	CHECK(u, dv_time_parse("1970-01-01T00:00:00Z", &t) == 0 && t.sec == 0);
}

void
test_date_parse_rejects(struct unit *u)
{
	static const char *bad[] = {
		"", "2025-13-01T00:00:00", "2025-04-31T00:00:00",
		"2023-02-29T00:00:00", "2025-04-10T24:00:00",
		"2025-04-10T00:60:00", "2025-04-10T00:00:60",
		"0000-01-01T00:00:00", "2025-4-10T00:00:00",
		"2025-04-10", "2025-04-10T00:00:00.", "2025-04-10T00:00:00.1234567",
		"2025-04-10T00:00:00+0200", "2025-04-10T00:00:00+24:00",
		"2025-04-10T00:00:00 ", "2025-04-10T00:00:00z", "yesterday",
		"2025-04-10\n00:00:00",
	};
	struct dv_time t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dv_time_parse(bad[i], &t) == 0) {
			printf("  accepted '%s'\n", bad[i]);
			u->failed++;
		}
}

void
test_date_format_utc(struct unit *u)
{
	struct dv_time t = {0, 0, false};
	char out[20];

	dv_time_format(&t, out);
	CHECK_STR(u, out, "");
	t.set = true;
	t.sec = 253402300799; /* 9999-12-31T23:59:59 */
	dv_time_format(&t, out);
	CHECK_STR(u, out, "9999-12-31T23:59:59");
}

void
test_version_order(struct unit *u)
{
	CHECK(u, dv_version_cmp("1.0-1", "1.0-1") == 0);
	CHECK(u, dv_version_cmp("1.9-1", "1.10-1") < 0);
	CHECK(u, dv_version_cmp("8.0.3-0.55.24677879",
	    "8.0.3-0.50.24414501") > 0);
	CHECK(u, dv_version_cmp("1.0-2vmw", "1.0-10vmw") < 0);
	CHECK(u, dv_version_cmp("1.0", "1.0-1") < 0);
	/* A field with no leading number sorts before one with a number. */
	CHECK(u, dv_version_cmp("a.1-1", "1.1-1") < 0);
	CHECK(u, dv_version_cmp("1.01-1", "1.1-1") == 0);
	CHECK(u, dv_version_cmp("1.0a-1", "1.0b-1") < 0);
	CHECK(u, dv_version_cmp("99999999999999999999999.1-1",
	    "100000000000000000000000.1-1") < 0);
}

void
test_acceptance_levels(struct unit *u)
{
	enum dv_acceptance a;

	CHECK(u, dv_acceptance_parse("partner", &a) == 0 &&
	    a == DV_ACCEPT_PARTNER);
	CHECK_STR(u, dv_acceptance_display(DV_ACCEPT_CERTIFIED),
	    "VMwareCertified");
	CHECK_STR(u, dv_acceptance_display(DV_ACCEPT_ACCEPTED),
	    "VMwareAccepted");
	CHECK_STR(u, dv_acceptance_display(DV_ACCEPT_PARTNER),
	    "PartnerSupported");
	CHECK_STR(u, dv_acceptance_display(DV_ACCEPT_COMMUNITY),
	    "CommunitySupported");
	CHECK(u, dv_acceptance_parse("gold", &a) == -DV_EFORMAT);
	CHECK(u, dv_acceptance_parse("", &a) == -DV_EFORMAT);
	CHECK(u, dv_acceptance_parse("Partner", &a) == -DV_EFORMAT);
}

static const char *
join(const char *base, const char *ref)
{
	static char out[256];
	struct sbuf sb = SBUF_INIT(SBUF_NOCAP);
	int ret = dv_path_join(base, ref, &sb);

	snprintf(out, sizeof(out), "%s", ret == 0 ? sb.buf : "(refused)");
	sbuf_release(&sb);
	return out;
}

void
test_path_join_resolves(struct unit *u)
{
	CHECK_STR(u, join("index.xml", "vendor-index.xml"), "vendor-index.xml");
	CHECK_STR(u, join("sub/vendor-index.xml", "metadata.zip"),
	    "sub/metadata.zip");
	CHECK_STR(u, join("metadata.zip", "vib20/a/b.vib"), "vib20/a/b.vib");
	CHECK_STR(u, join("x/metadata.zip", "./vib20//a.vib"),
	    "x/vib20/a.vib");
	CHECK_STR(u, join("index.xml", "vendor/v.xml"), "vendor/v.xml");
}

void
test_path_join_refuses(struct unit *u)
{
	static const char *bad[] = {
		"../../etc/passwd", "/abs", "a/../../x", "C:\\x", "a\\..\\x",
		"..", "a/..", "", "x/\n", "./", "a/b/", "c:x",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_STR(u, join("metadata.zip", bad[i]), "(refused)");
}

void
test_sbuf_cap(struct unit *u)
{
	struct sbuf sb = SBUF_INIT(8);

	CHECK(u, sb.buf != NULL && sb.buf[0] == '\0');
	CHECK(u, sbuf_adds(&sb, "12345678") == 0 && sb.len == 8);
	CHECK(u, sbuf_addch(&sb, 'x') == -DV_ELIMIT && sb.len == 8);
	CHECK(u, sbuf_addf(&sb, "%d", 1) == -DV_ELIMIT);
	CHECK_STR(u, sb.buf, "12345678");
	sbuf_release(&sb);
	CHECK(u, sb.len == 0 && sb.buf[0] == '\0');
	sbuf_init(&sb, SBUF_NOCAP);
	for (int i = 0; i < 1000; i++)
		sbuf_addf(&sb, "%04d", i);
	CHECK(u, sb.len == 4000 && memcmp(sb.buf + 3996, "0999", 4) == 0);
	sbuf_release(&sb);
}

void
test_error_codes(struct unit *u)
{
	struct dv_error err = DV_ERROR_INIT;

	CHECK_STR(u, dv_strerror(DV_EXML), "malformed XML");
	CHECK_STR(u, dv_strerror(-DV_EWRAPPER),
	    "a vendor package, not a depot");
	CHECK_STR(u, dv_strerror(ENOENT), strerror(ENOENT));
	CHECK(u, dv_exit_status(DV_EIO) == 2 && dv_exit_status(-DV_EXML) == 1);
	CHECK(u, dv_exit_status(ENOENT) == 2);
	CHECK(u, dv_error_set(&err, DV_EPATH, "%s: bad", "x") == -DV_EPATH);
	CHECK(u, err.code == DV_EPATH && err.sys_errno == 0);
	CHECK_STR(u, err.msg, "x: bad");
	errno = ENOENT;
	CHECK(u, dv_error_errno(&err, DV_EIO, "%s: cannot open", "y") ==
	    -DV_EIO && err.sys_errno == ENOENT);
	CHECK(u, strncmp(err.msg, "y: cannot open: ", 16) == 0);
	CHECK(u, dv_error_set(NULL, DV_EIO, "nowhere") == -DV_EIO);
}

/* The one list of failures, warnings and notes, in the order added. */
void
test_diags_list(struct unit *u)
{
	struct dv_diags l = DV_DIAGS_INIT;
	char big[3000];

	CHECK(u, dv_diags_first(&l, DV_DIAG_FAIL) == NULL &&
	    dv_diags_count(&l, DV_DIAG_NOTE) == 0);
	dv_diag_add(&l, DV_DIAG_NOTE, 0, "note %d", 1);
	dv_diag_add(&l, DV_DIAG_FAIL, DV_EDIGEST, "%s: mismatch", "a.vib");
	dv_diag_add(&l, DV_DIAG_FAIL, DV_EVIB, "second");
	dv_diag_add(&l, DV_DIAG_WARNING, 0, "%s", "");
	CHECK(u, l.n == 4 && dv_diags_count(&l, DV_DIAG_FAIL) == 2);
	CHECK(u, dv_diags_first(&l, DV_DIAG_FAIL) == &l.v[1] &&
	    l.v[1].code == DV_EDIGEST);
	CHECK_STR(u, l.v[1].msg, "a.vib: mismatch");
	CHECK_STR(u, dv_diags_first(&l, DV_DIAG_NOTE)->msg, "note 1");
	CHECK_STR(u, dv_diags_first(&l, DV_DIAG_WARNING)->msg, "");
	/* Longer than struct dv_error's message: kept whole. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dv_diag_add(&l, DV_DIAG_NOTE, 0, "%s", big);
	CHECK(u, strlen(l.v[4].msg) == sizeof(big) - 1);
	dv_diags_release(&l);
	CHECK(u, l.n == 0 && l.v == NULL);
	dv_diags_release(&l);
}
