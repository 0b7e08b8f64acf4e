// SPDX-License-Identifier: Apache-2.0
/*
 * The Prometheus text writer: a capped buffer, family headers, label escaping and the
 * per-family series cap; and the readers of the stats record that never trust its shape.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics_int.h"

enum { GAUGE, COUNTER };

static const struct {
	const char *name, *help;
	int type;
} families[MF_COUNT] = {
#define MF_DEF(id, n, t, h) [MF_##id] = { n, h, t },
	METRICS_FAMILIES(MF_DEF)
#undef MF_DEF
};

const char *mfam__name(enum mfam f)
{
	return (unsigned)f < MF_COUNT ? families[f].name : "?";
}

void metrics_buf__init(struct metrics_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max ? max : METRICS_BUF_MAX;
}

void metrics_buf__reset(struct metrics_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

void metrics_buf__free(struct metrics_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Past max the text is cut, never grown: a scrape costs bounded memory whatever the record. */
static void buf__put(struct metrics_buf *b, const char *s, size_t n)
{
	size_t need = b->len + n + 1;

	if (b->err)
		return;
	if (need > b->max) {
		b->err = -E2BIG;
		return;
	}
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *p;

		while (cap < need)
			cap *= 2;
		if (cap > b->max)
			cap = b->max;
		p = realloc(b->data, cap);
		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf__str(struct metrics_buf *b, const char *s)
{
	buf__put(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f; /* no surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Label value escaping of the text format (\\, \", \n). Prometheus refuses a whole scrape
 * for one label that is not UTF-8, so bytes that are not (and NUL) become U+FFFD. */
static void buf__label_value(struct metrics_buf *b, const char *v, size_t n)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0, run = 0;

	while (i < n) {
		size_t k = s[i] ? utf8_seq(s + i, n - i) : 0;
		const char *esc = NULL;

		if (k == 1 && (s[i] == '\\' || s[i] == '"' || s[i] == '\n'))
			esc = s[i] == '\\' ? "\\\\" : s[i] == '"' ? "\\\"" : "\\n";
		else if (k == 0)
			esc = "\xef\xbf\xbd";
		if (!esc) {
			i += k;
			continue;
		}
		buf__put(b, v + run, i - run);
		buf__str(b, esc);
		i += k ? k : 1;
		run = i;
	}
	buf__put(b, v + run, n - run);
}

void mw__begin(struct mw *w, enum mfam fam)
{
	w->fam = fam;
	w->n = 0;
	w->head = false;
}

/* The header waits for the first series, so a family the record lacks is left out whole. */
static bool mw__series(struct mw *w, const struct mlabel *l, size_t nl)
{
	const char *name = families[w->fam].name;

	if (w->n >= METRICS_SERIES_MAX) {
		w->st->series_dropped[w->fam]++;
		return false;
	}
	if (!w->head) {
		buf__str(w->b, "# HELP ");
		buf__str(w->b, name);
		buf__str(w->b, " ");
		buf__str(w->b, families[w->fam].help);
		buf__str(w->b, "\n# TYPE ");
		buf__str(w->b, name);
		buf__str(w->b, families[w->fam].type == COUNTER ? " counter\n" : " gauge\n");
		w->head = true;
	}
	w->n++;
	buf__str(w->b, name);
	for (size_t i = 0; i < nl; i++) {
		buf__str(w->b, i ? "," : "{");
		buf__str(w->b, l[i].name);
		buf__str(w->b, "=\"");
		buf__label_value(w->b, l[i].val, l[i].len);
		buf__str(w->b, "\"");
	}
	buf__str(w->b, nl ? "} " : " ");
	return true;
}

void mw__u64(struct mw *w, uint64_t v, const struct mlabel *l, size_t nl)
{
	char num[32];

	if (!mw__series(w, l, nl))
		return;
	snprintf(num, sizeof(num), "%" PRIu64 "\n", v);
	buf__str(w->b, num);
}

/* The shortest of %.15g and %.17g that reads back as v. */
void mw__f64(struct mw *w, double v, const struct mlabel *l, size_t nl)
{
	char num[40];

	if (!mw__series(w, l, nl))
		return;
	if (isnan(v))
		snprintf(num, sizeof(num), "NaN");
	else if (isinf(v))
		snprintf(num, sizeof(num), v > 0 ? "+Inf" : "-Inf");
	else if (snprintf(num, sizeof(num), "%.15g", v), strtod(num, NULL) != v)
		snprintf(num, sizeof(num), "%.17g", v);
	buf__str(w->b, num);
	buf__str(w->b, "\n");
}

bool mj_label(json_object *s, const char *name, struct mlabel *out)
{
	if (!s || !json_object_is_type(s, json_type_string))
		return false;
	out->name = name;
	out->val = json_object_get_string(s);
	out->len = (size_t)json_object_get_string_len(s);
	return true;
}

json_object *mj_obj(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

bool mj_u64(json_object *v, uint64_t *out)
{
	double d;

	switch (v ? json_object_get_type(v) : json_type_null) {
	case json_type_int:
		if (json_object_get_int64(v) < 0)
			return false;
		*out = json_object_get_uint64(v);
		return true;
	case json_type_double:
		d = json_object_get_double(v);
		if (!(d >= 0 && d < 1.8e19))
			return false;
		*out = (uint64_t)d;
		return true;
	case json_type_boolean:
		*out = json_object_get_boolean(v) ? 1 : 0;
		return true;
	default:
		return false;
	}
}

bool mj_ku64(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;

	return o && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, key, &v) && mj_u64(v, out);
}

bool mj_dbl(json_object *v, double *out)
{
	if (!v ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

bool mj_kdbl(json_object *o, const char *key, double *out)
{
	json_object *v;

	return o && json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, key, &v) && mj_dbl(v, out);
}

bool mj_ktime(json_object *o, const char *key, double *out)
{
	json_object *v;
	struct tm tm = { 0 };
	const char *s;
	double frac = 0, scale = 0.1;
	int n = 0;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n == 0)
		return false;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
			frac += (*s - '0') * scale;
	if (strcmp(s, "Z") != 0)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (double)timegm(&tm) + frac;
	return true;
}

void mw__by_key(struct mw *w, json_object *obj, const char *lname)
{
	uint64_t n;

	if (!obj)
		return;
	json_object_object_foreach(obj, key, val)
		if (mj_u64(val, &n))
			mw__u64(w, n, MLS(ML(lname, key)));
}

uint64_t mj_sum(json_object *obj)
{
	uint64_t sum = 0, n;

	if (!obj)
		return 0;
	json_object_object_foreach(obj, key, val) {
		(void)key;
		if (mj_u64(val, &n))
			sum += n;
	}
	return sum;
}
