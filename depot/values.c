/* values.c - depot value formats: dates, acceptance levels, versions. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "depot.h"
#include "depot_int.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's method). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * esximage's XmlUtils.ParseXsdDateTime:
 *   ^(\d{4})-(\d\d)-(\d\d).(\d\d):(\d\d):(\d\d)(\.\d{1,6})?(Z|[+-]\d\d:\d\d)?$
 * then Python's datetime range checks; no zone means UTC.
 */
int
dv_time_parse(const char *s, struct dv_time *out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int y, mo, d, h, mi, sec, usec = 0, n, off = 0, oh, om, leap;
	const char *p;

	memset(out, 0, sizeof(*out));
	if (strlen(s) < 19 || s[4] != '-' || s[7] != '-' || s[10] == '\n' ||
	    s[13] != ':' || s[16] != ':')
		return -DV_EFORMAT;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -DV_EFORMAT;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] + (mo == 2 && leap))
		return -DV_EFORMAT;
	p = s + 19;
	if (*p == '.') {
		p++;
		for (n = 0; n < 6 && isdigit((unsigned char)p[n]); n++)
			usec = usec * 10 + (p[n] - '0');
		if (n == 0 || isdigit((unsigned char)p[n]))
			return -DV_EFORMAT;
		for (int i = n; i < 6; i++)
			usec *= 10;
		p += n;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		oh = digits(p + 1, 2);
		om = p[3] == ':' ? digits(p + 4, 2) : -1;
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -DV_EFORMAT;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	}
	if (*p != '\0')
		return -DV_EFORMAT;
	out->sec = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
	    (int64_t)mi * 60 + sec - off;
	out->usec = usec;
	out->set = true;
	return 0;
}

void
dv_time_format(const struct dv_time *t, char out[20])
{
	int64_t days, rem;
	int y, m, d;
	char buf[64];

	if (!t->set) {
		out[0] = '\0';
		return;
	}
	days = t->sec / 86400;
	rem = t->sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	/* The parser only makes years 0001-9999 (less a day for offsets). */
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d,
	    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	memcpy(out, buf, 19);
	out[19] = '\0';
}

static const struct {
	enum dv_acceptance level;
	const char *name;
	const char *display;
} acceptance_levels[] = {
	{DV_ACCEPT_CERTIFIED, "certified", "VMwareCertified"},
	{DV_ACCEPT_ACCEPTED, "accepted", "VMwareAccepted"},
	{DV_ACCEPT_PARTNER, "partner", "PartnerSupported"},
	{DV_ACCEPT_COMMUNITY, "community", "CommunitySupported"},
};

int
dv_acceptance_parse(const char *s, enum dv_acceptance *out)
{
	for (size_t i = 0; i < sizeof(acceptance_levels) /
	    sizeof(acceptance_levels[0]); i++) {
		if (strcmp(s, acceptance_levels[i].name) == 0) {
			*out = acceptance_levels[i].level;
			return 0;
		}
	}
	return -DV_EFORMAT;
}

const char *
dv_acceptance_name(enum dv_acceptance a)
{
	for (size_t i = 0; i < sizeof(acceptance_levels) /
	    sizeof(acceptance_levels[0]); i++)
		if (acceptance_levels[i].level == a)
			return acceptance_levels[i].name;
	return "";
}

const char *
dv_acceptance_display(enum dv_acceptance a)
{
	for (size_t i = 0; i < sizeof(acceptance_levels) /
	    sizeof(acceptance_levels[0]); i++)
		if (acceptance_levels[i].level == a)
			return acceptance_levels[i].display;
	return "";
}

/*
 * One dot-separated field: (leading integer or -1, rest of the string).
 * The integers are compared as digit strings so no length overflows.
 */
static int
field_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t an = 0, bn = 0, ra, rb;
	int c;

	while (an < alen && isdigit((unsigned char)a[an]))
		an++;
	while (bn < blen && isdigit((unsigned char)b[bn]))
		bn++;
	if ((an == 0) != (bn == 0))
		return an == 0 ? -1 : 1;
	if (an != 0) {
		while (an > 1 && *a == '0') {
			a++, an--, alen--;
		}
		while (bn > 1 && *b == '0') {
			b++, bn--, blen--;
		}
		if (an != bn)
			return an < bn ? -1 : 1;
		if ((c = memcmp(a, b, an)) != 0)
			return c < 0 ? -1 : 1;
	}
	ra = alen - an;
	rb = blen - bn;
	c = memcmp(a + an, b + bn, ra < rb ? ra : rb);
	if (c != 0)
		return c < 0 ? -1 : 1;
	return ra == rb ? 0 : (ra < rb ? -1 : 1);
}

static int
dotted_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen, *da, *db;
	int c;

	for (;;) {
		if (a >= ae || b >= be)
			return (a >= ae) == (b >= be) ? 0 : (a >= ae ? -1 : 1);
		da = memchr(a, '.', (size_t)(ae - a));
		db = memchr(b, '.', (size_t)(be - b));
		if (da == NULL)
			da = ae;
		if (db == NULL)
			db = be;
		c = field_cmp(a, (size_t)(da - a), b, (size_t)(db - b));
		if (c != 0)
			return c;
		a = da < ae ? da + 1 : ae;
		b = db < be ? db + 1 : be;
	}
}

int
dv_version_cmp(const char *a, const char *b)
{
	const char *da = strchr(a, '-'), *db = strchr(b, '-');
	size_t va = da ? (size_t)(da - a) : strlen(a);
	size_t vb = db ? (size_t)(db - b) : strlen(b);
	int c;

	if ((c = dotted_cmp(a, va, b, vb)) != 0)
		return c;
	return dotted_cmp(da ? da + 1 : "", da ? strlen(da + 1) : 0,
	    db ? db + 1 : "", db ? strlen(db + 1) : 0);
}
