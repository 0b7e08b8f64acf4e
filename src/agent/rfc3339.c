/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 <-> nanoseconds (rfc3339.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "rfc3339.h"

#define NS 1000000000ull

/* Days since 1970-01-01 of a proleptic Gregorian date (the well-known days_from_civil
 * method, H. Hinnant): whole 400-year eras of 146097 days from year 0, with the year starting
 * in March so that the leap day is its last. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = y / 400; /* y >= 0 here */
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* n decimal digits at s into *out; false when any is not a digit. */
static bool digits(const char *s, int n, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

static bool valid_date(unsigned y, unsigned mo, unsigned d)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1970 || y > 2500 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	return !(mo == 2 && d == 29 && !leap);
}

/* The fraction and zone after the seconds: *frac_ns and the zone's offset in seconds. */
static int parse_tail(const char *s, size_t n, uint64_t *frac_ns, int64_t *off_s)
{
	size_t i = 0;
	unsigned hh, mm;
	uint64_t scale = NS / 10;

	*frac_ns = 0;
	if (i < n && s[i] == '.') {
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return -EINVAL;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			*frac_ns += (uint64_t)(s[i] - '0') * scale;
	}
	if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
		*off_s = 0;
		return 0;
	}
	if (n - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':' ||
	    !digits(s + i + 1, 2, &hh) || !digits(s + i + 4, 2, &mm) || hh > 23 || mm > 59)
		return -EINVAL;
	*off_s = (int64_t)(hh * 3600 + mm * 60) * (s[i] == '-' ? -1 : 1);
	return 0;
}

int rfc3339__parse(const char *s, size_t n, uint64_t *ns)
{
	unsigned y, mo, d, h, mi, sec;
	uint64_t frac;
	int64_t off, t;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return -EINVAL;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return -EINVAL;
	if (!valid_date(y, mo, d) || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (parse_tail(s + 19, n - 19, &frac, &off))
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	if (t < 0)
		return -EINVAL;
	*ns = (uint64_t)t * NS + frac;
	return 0;
}

int rfc3339__format(uint64_t ns, int ndigits, char *buf, size_t size)
{
	uint64_t s = ns / NS, frac = ns % NS;
	unsigned m, d;
	int y, n;

	civil_from_days((int64_t)(s / 86400), &y, &m, &d);
	s %= 86400;
	if (ndigits <= 0)
		return snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u:%02uZ", y, m, d,
				(unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	if (ndigits > 9)
		ndigits = 9;
	for (n = ndigits; n < 9; n++)
		frac /= 10;
	return snprintf(buf, size, "%04d-%02u-%02uT%02u:%02u:%02u.%0*lluZ", y, m, d,
			(unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60), ndigits,
			(unsigned long long)frac);
}
