// SPDX-License-Identifier: Apache-2.0
/*
 * Streaming JSON writer. See json.h for the escaping contract.
 *
 * The buffer always holds a terminating NUL so w->buf can be handed to string functions at any
 * point. Appends are checked against w->limit before anything is copied, so hitting the limit
 * never writes past it; the document is then incomplete and w->err says so.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* w->first[] state bits, one byte per nesting level (level 0 is the top level). */
#define JW_FIRST 0x1 /* no element written yet at this level */
#define JW_OBJ	 0x2 /* the level is an object (else an array or the top level) */
#define JW_KEY	 0x4 /* an object key was written, its value is pending */

#define JW_MAX_DEPTH ((int)sizeof(((struct json_w *)0)->first) - 1)
#define JW_INIT_CAP  1024

static int jw_fail(struct json_w *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

/* Make room for n more bytes plus the NUL, growing geometrically but never beyond limit. */
static int jw_reserve(struct json_w *w, size_t n)
{
	size_t need, cap;
	char *nb;

	if (w->err)
		return w->err;
	/* len < limit always holds (the NUL fits), so this cannot wrap */
	if (n >= w->limit - w->len)
		return jw_fail(w, -E2BIG);
	need = w->len + n + 1;
	if (need <= w->cap)
		return 0;
	cap = w->cap > w->limit / 2 ? w->limit : w->cap * 2;
	if (cap < need)
		cap = need;
	nb = realloc(w->buf, cap);
	if (!nb)
		return jw_fail(w, -ENOMEM);
	w->buf = nb;
	w->cap = cap;
	return 0;
}

static void jw_put(struct json_w *w, const void *s, size_t n)
{
	if (jw_reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void jw_putc(struct json_w *w, char c)
{
	jw_put(w, &c, 1);
}

int json_init(struct json_w *w, size_t limit)
{
	size_t cap = limit < JW_INIT_CAP ? limit : JW_INIT_CAP;

	memset(w, 0, sizeof(*w));
	if (limit < 2)
		return jw_fail(w, -EINVAL);
	w->buf = malloc(cap);
	if (!w->buf)
		return jw_fail(w, -ENOMEM);
	w->cap = cap;
	w->limit = limit;
	json_reset(w);
	return 0;
}

void json_free(struct json_w *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void json_reset(struct json_w *w)
{
	w->len = 0;
	w->depth = 0;
	w->err = 0;
	memset(w->first, 0, sizeof(w->first));
	w->first[0] = JW_FIRST;
	if (w->buf)
		w->buf[0] = '\0';
}

/*
 * Called before every value: checks that a value may go here and writes the separator.
 * Inside an object the comma was already written by json_key.
 */
static int jw_value(struct json_w *w)
{
	unsigned char *st = &w->first[w->depth];

	if (w->err)
		return w->err;
	if (*st & JW_OBJ) {
		if (!(*st & JW_KEY))
			return jw_fail(w, -EINVAL);
		*st &= ~JW_KEY;
		return 0;
	}
	if (!(*st & JW_FIRST)) {
		if (w->depth == 0) /* a document is one value */
			return jw_fail(w, -EINVAL);
		jw_putc(w, ',');
	}
	*st &= ~JW_FIRST;
	return w->err;
}

static void jw_open(struct json_w *w, char c, unsigned char kind)
{
	if (w->depth >= JW_MAX_DEPTH)
		jw_fail(w, -EINVAL);
	if (jw_value(w))
		return;
	jw_putc(w, c);
	w->depth++;
	w->first[w->depth] = JW_FIRST | kind;
}

static void jw_close(struct json_w *w, char c, unsigned char kind)
{
	unsigned char st = w->first[w->depth];

	if (w->err)
		return;
	if (w->depth == 0 || (st & JW_OBJ) != kind || (st & JW_KEY)) {
		jw_fail(w, -EINVAL);
		return;
	}
	jw_putc(w, c);
	w->depth--;
}

void json_obj_begin(struct json_w *w)
{
	jw_open(w, '{', JW_OBJ);
}

void json_obj_end(struct json_w *w)
{
	jw_close(w, '}', JW_OBJ);
}

void json_arr_begin(struct json_w *w)
{
	jw_open(w, '[', 0);
}

void json_arr_end(struct json_w *w)
{
	jw_close(w, ']', 0);
}

/*
 * Length of the well-formed UTF-8 sequence of 2..4 bytes at s, or 0 if there is none.
 * Follows Unicode table 3-7: the allowed range of the second byte depends on the lead byte,
 * which is what rules out overlong forms, surrogates and code points above U+10FFFF.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* U+2028/U+2029 are valid JSON but end a line in JavaScript source. */
static int is_js_line_sep(const unsigned char *s, size_t len)
{
	return len == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9);
}

/* ASCII bytes copied unchanged: printable, not '"', not '\\'. A table lookup per byte instead
 * of four compares: escaping is the event thread's busiest loop after the hooks' own work. */
static const unsigned char jw_ascii_plain[256] = {
	[0x20 ... 0x21] = 1, /* 0x22 is '"' */
	[0x23 ... 0x5b] = 1, /* 0x5c is '\\' */
	[0x5d ... 0x7e] = 1,
};

/* Bytes at s that may be copied unchanged, 0 when s needs an escape. */
static size_t jw_plain_len(const unsigned char *s, size_t n)
{
	size_t len;

	if (s[0] < 0x80)
		return jw_ascii_plain[s[0]];
	len = utf8_len(s, n);
	return is_js_line_sep(s, len) ? 0 : len;
}

/* The letter of the two character escape for c, 0 when c has none. */
static char short_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return '"';
	case '\\':
		return '\\';
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	default:
		return 0;
	}
}

/* Write the escape for the bytes at s; returns how many bytes it stands for. */
static size_t jw_escape_one(struct json_w *w, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char u[6] = {'\\', 'u', '0', '0'};

	u[1] = short_escape(s[0]);
	if (u[1]) {
		jw_put(w, u, 2);
		return 1;
	}
	u[1] = 'u';
	if (s[0] < 0x20 || s[0] == 0x7f) {
		u[4] = hex[s[0] >> 4];
		u[5] = hex[s[0] & 0xf];
		jw_put(w, u, 6);
		return 1;
	}
	if (is_js_line_sep(s, utf8_len(s, n))) {
		jw_put(w, s[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
		return 3;
	}
	jw_put(w, "\\ufffd", 6);
	return 1;
}

/* Copy runs of plain bytes with one memcpy each; most strings are a single run. */
static void jw_escape(struct json_w *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n, *run = s;
	size_t k;

	jw_putc(w, '"');
	while (s < end) {
		if (jw_ascii_plain[*s]) { /* the common case, without a call */
			s++;
			continue;
		}
		k = jw_plain_len(s, end - s);
		if (k) {
			s += k;
			continue;
		}
		jw_put(w, run, s - run);
		s += jw_escape_one(w, s, end - s);
		run = s;
	}
	jw_put(w, run, s - run);
	jw_putc(w, '"');
}

/* Keys are nearly always plain ASCII: write ,"key": with one copy; escape the rare rest. */
static void jw_key_text(struct json_w *w, const char *key, int comma)
{
	size_t n, i;
	char *p;

	for (i = 0; jw_ascii_plain[(unsigned char)key[i]]; i++)
		;
	n = key[i] ? i + strlen(key + i) : i;
	if (i < n) {
		if (comma)
			jw_putc(w, ',');
		jw_escape(w, key, n);
		jw_putc(w, ':');
		return;
	}
	if (jw_reserve(w, n + 4))
		return;
	p = w->buf + w->len;
	if (comma)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	*p = '\0';
	w->len = p - w->buf;
}

void json_key(struct json_w *w, const char *key)
{
	unsigned char *st = &w->first[w->depth];
	int comma;

	if (w->err)
		return;
	if (!key || !(*st & JW_OBJ) || (*st & JW_KEY)) {
		jw_fail(w, -EINVAL);
		return;
	}
	comma = !(*st & JW_FIRST);
	*st = (*st & ~JW_FIRST) | JW_KEY;
	jw_key_text(w, key, comma);
}

void json_strn(struct json_w *w, const char *s, size_t n)
{
	if (!s && n) {
		json_null(w);
		return;
	}
	if (jw_value(w))
		return;
	jw_escape(w, s ? s : "", n);
}

void json_str(struct json_w *w, const char *s)
{
	if (!s)
		json_null(w);
	else
		json_strn(w, s, strlen(s));
}

/* A value that needs no escaping. */
static void jw_token(struct json_w *w, const char *s, size_t n)
{
	if (jw_value(w))
		return;
	jw_put(w, s, n);
}

int json_fmt_u64(char *out, unsigned long long v)
{
	char rev[JSON_U64_LEN];
	int n = 0, i = 0;

	do {
		rev[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		out[i++] = rev[--n];
	out[i] = '\0';
	return i;
}

void json_u64(struct json_w *w, unsigned long long v)
{
	char tmp[JSON_U64_LEN + 1];

	jw_token(w, tmp, json_fmt_u64(tmp, v));
}

void json_i64(struct json_w *w, long long v)
{
	char tmp[JSON_U64_LEN + 2];

	if (v >= 0) {
		jw_token(w, tmp, json_fmt_u64(tmp, v));
		return;
	}
	tmp[0] = '-';
	/* the magnitude as unsigned, which holds LLONG_MIN's too */
	jw_token(w, tmp, 1 + json_fmt_u64(tmp + 1, -(unsigned long long)v));
}

void json_bool(struct json_w *w, int v)
{
	if (v)
		jw_token(w, "true", 4);
	else
		jw_token(w, "false", 5);
}

void json_null(struct json_w *w)
{
	jw_token(w, "null", 4);
}

void json_raw(struct json_w *w, const char *s)
{
	jw_token(w, s, strlen(s));
}

void json_members_raw(struct json_w *w, const char *s, size_t n)
{
	unsigned char *st = &w->first[w->depth];

	if (w->err || !n)
		return;
	if (!(*st & JW_OBJ) || (*st & JW_KEY)) {
		jw_fail(w, -EINVAL);
		return;
	}
	if (!(*st & JW_FIRST))
		jw_putc(w, ',');
	*st &= ~JW_FIRST;
	jw_put(w, s, n);
}

/*
 * Rendered as a scaled integer rather than with "%.*f" because printf takes the decimal point
 * from LC_NUMERIC, and a "," would break the JSON. "%.0f" never prints a decimal point.
 */
void json_double(struct json_w *w, double v, int decimals)
{
	static const unsigned long long pow10[] = {
	    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
	double a = v < 0 ? -v : v, x;
	unsigned long long scale, u;
	char tmp[340]; /* "%.0f" of DBL_MAX: 309 digits and a sign */
	int n;

	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	decimals = decimals < 0 ? 0 : decimals > 9 ? 9 : decimals;
	while (decimals > 0 && a * pow10[decimals] >= 9e18)
		decimals--;
	scale = pow10[decimals];
	if (a * scale >= 9e18) {
		n = snprintf(tmp, sizeof(tmp), "%.0f", v);
	} else {
		x = a * scale + 0.5; /* below 9e18 + 0.5: fits an unsigned long long */
		u = (unsigned long long)x;
		n = snprintf(tmp, sizeof(tmp), "%s%llu", v < 0 && u ? "-" : "", u / scale);
		if (decimals)
			n += snprintf(tmp + n, sizeof(tmp) - n, ".%0*llu", decimals, u % scale);
	}
	jw_token(w, tmp, n);
}

void json_kstr(struct json_w *w, const char *k, const char *v)
{
	json_key(w, k);
	json_str(w, v);
}

void json_ku64(struct json_w *w, const char *k, unsigned long long v)
{
	json_key(w, k);
	json_u64(w, v);
}

void json_ki64(struct json_w *w, const char *k, long long v)
{
	json_key(w, k);
	json_i64(w, v);
}

void json_kbool(struct json_w *w, const char *k, int v)
{
	json_key(w, k);
	json_bool(w, v);
}

/* Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days);
 * pure arithmetic, so no dependence on TZ or on gmtime_r's range. */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* Zero padded decimal of exactly `width` digits, followed by `sep` unless it is 0. */
static char *put_digits(char *p, unsigned long v, int width, char sep)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = '0' + v % 10;
	p += width;
	if (sep)
		*p++ = sep;
	return p;
}

#define TIME_MIN (-62167219200LL) /* 0000-01-01T00:00:00Z */
#define TIME_MAX 253402300799LL	  /* 9999-12-31T23:59:59Z */

int json_fmt_time(char *out, size_t outsz, long long sec, long nsec)
{
	long long days, y;
	unsigned m, d, s;
	char *p = out;

	if (outsz)
		out[0] = '\0';
	if (nsec < 0 || nsec >= 1000000000L)
		return -EINVAL;
	if (sec < TIME_MIN || sec > TIME_MAX)
		return -ERANGE;
	if (outsz <= JSON_TIME_LEN)
		return -ENOSPC;
	days = (sec >= 0 ? sec : sec - 86399) / 86400;
	s = (unsigned)(sec - days * 86400);
	civil_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4, '-');
	p = put_digits(p, m, 2, '-');
	p = put_digits(p, d, 2, 'T');
	p = put_digits(p, s / 3600, 2, ':');
	p = put_digits(p, s / 60 % 60, 2, ':');
	p = put_digits(p, s % 60, 2, '.');
	p = put_digits(p, nsec, 9, 'Z');
	*p = '\0';
	return p - out;
}

void json_ktime(struct json_w *w, const char *k, long long sec, long nsec)
{
	char tmp[JSON_TIME_LEN + 1];

	json_key(w, k);
	if (json_fmt_time(tmp, sizeof(tmp), sec, nsec) < 0)
		json_null(w);
	else
		json_str(w, tmp);
}
