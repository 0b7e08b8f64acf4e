/* SPDX-License-Identifier: Apache-2.0 */
/* jpick: one-pass lookup of a few dotted paths in a JSON object line (jpick.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jpick.h"

struct jp {
	const char *s;
	size_t len, pos;
	const char *const *paths;
	uint8_t plen[JPICK_MAX];
	struct jpick_val *out;
};

static inline void jp_ws(struct jp *j)
{
	while (j->pos < j->len && (unsigned char)j->s[j->pos] <= ' ') {
		char c = j->s[j->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return;
		j->pos++;
	}
}

static bool jp_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One escape after the backslash at pos; checks it is one JSON allows. */
static int jp_escape(struct jp *j)
{
	if (++j->pos >= j->len)
		return -EINVAL;
	switch (j->s[j->pos]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		j->pos++;
		return 0;
	case 'u':
		if (j->len - j->pos < 5)
			return -EINVAL;
		for (int i = 1; i <= 4; i++)
			if (!jp_hex(j->s[j->pos + i]))
				return -EINVAL;
		j->pos += 5;
		return 0;
	}
	return -EINVAL;
}

/* Are the bytes of a string's content what JSON allows: no raw control characters, only
 * valid escapes? Checked only for the strings jpick returns or compares (values found, member
 * names that might match); the others are skipped unchecked. */
static int jp_check(struct jp *j, size_t start, size_t end)
{
	size_t save = j->pos;
	int err = 0;

	for (j->pos = start; j->pos < end && !err;) {
		unsigned char c = (unsigned char)j->s[j->pos];

		if (c < 0x20)
			err = -EINVAL;
		else if (c == '\\')
			err = jp_escape(j) || j->pos > end ? -EINVAL : 0;
		else
			j->pos++;
	}
	j->pos = save;
	return err;
}

enum { JS_SKIP = 0, JS_ESC = 1, JS_CHECK = 3 }; /* what jp_string finds out beyond the end */

/* The string starting at the quote at pos: the hot path of the whole scanner, so the closing
 * quote is found with memchr, and a quote after an odd run of backslashes is skipped. Whether
 * it has escapes (JS_ESC) and is valid (JS_CHECK) only when asked. */
static int jp_string(struct jp *j, struct jpick_val *v, int how)
{
	size_t start = ++j->pos, q, bs;
	const char *p;

	for (;;) {
		p = memchr(j->s + j->pos, '"', j->len - j->pos);
		if (!p)
			return -EINVAL;
		q = (size_t)(p - j->s);
		for (bs = 0; q - bs > start && j->s[q - bs - 1] == '\\'; bs++)
			;
		j->pos = q + 1;
		if (!(bs & 1))
			break;
	}
	v->type = JPICK_STRING;
	v->p = j->s + start;
	v->len = q - start;
	v->escaped = (how & JS_ESC) && memchr(v->p, '\\', v->len) != NULL;
	return how == JS_CHECK ? jp_check(j, start, q) : 0;
}

/* An object or array, skipped without recursion; the bit stack remembers which is which to
 * check that every bracket closes what it should. */
static int jp_skip_nested(struct jp *j)
{
	uint64_t stack[JPICK_MAX_DEPTH / 64] = { 0 };
	int depth = 0;
	struct jpick_val tmp;

	while (j->pos < j->len) {
		char c = j->s[j->pos];

		if (c == '"') {
			if (jp_string(j, &tmp, JS_SKIP))
				return -EINVAL;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth >= JPICK_MAX_DEPTH)
				return -EINVAL;
			if (c == '{')
				stack[depth / 64] |= 1ull << (depth % 64);
			else
				stack[depth / 64] &= ~(1ull << (depth % 64));
			depth++;
		} else if (c == '}' || c == ']') {
			bool obj = depth > 0 && (stack[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1;

			if (depth == 0 || obj != (c == '}'))
				return -EINVAL;
			if (--depth == 0) {
				j->pos++;
				return 0;
			}
		}
		j->pos++;
	}
	return -EINVAL;
}

static bool jp_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Any value at pos, its extent recorded in v; a string checked when `check`. */
static int jp_skip(struct jp *j, struct jpick_val *v, bool check)
{
	static const struct { const char *lit; uint8_t type; } lits[] = {
		{ "true", JPICK_TRUE }, { "false", JPICK_FALSE }, { "null", JPICK_NULL },
	};
	size_t start = j->pos;

	if (start >= j->len)
		return -EINVAL;
	v->escaped = false;
	v->p = j->s + start;
	switch (j->s[start]) {
	case '"':
		return jp_string(j, v, check ? JS_CHECK : JS_SKIP);
	case '{': case '[':
		v->type = j->s[start] == '{' ? JPICK_OBJECT : JPICK_ARRAY;
		if (jp_skip_nested(j))
			return -EINVAL;
		v->len = j->pos - start;
		return 0;
	}
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		size_t n = strlen(lits[i].lit);

		if (j->len - start >= n && !memcmp(j->s + start, lits[i].lit, n)) {
			v->type = lits[i].type;
			v->len = n;
			j->pos += n;
			return 0;
		}
	}
	while (j->pos < j->len && jp_number_char(j->s[j->pos]))
		j->pos++;
	v->type = JPICK_NUMBER;
	v->len = j->pos - start;
	/* not a full check of the number grammar: enough that "-", "1." or "e" are refused */
	if (!v->len || (v->p[0] != '-' && (v->p[0] < '0' || v->p[0] > '9')) ||
	    v->p[v->len - 1] < '0' || v->p[v->len - 1] > '9')
		return -EINVAL;
	return 0;
}

/* Which wanted paths a member name ends (*leaf) or leads into (*child, with the offset of
 * the rest of each path in coff). */
static void jp_match(const struct jp *j, const char *key, size_t klen, uint32_t mask,
		     const uint8_t *off, uint32_t *leaf, uint32_t *child, uint8_t *coff)
{
	*leaf = *child = 0;
	for (uint32_t m = mask; m; m &= m - 1) {
		int t = __builtin_ctz(m);
		const char *rest = j->paths[t] + off[t];
		size_t rlen = j->plen[t] - off[t];

		/* cheap tests first: most names match no path */
		if (rlen < klen || (rlen > klen && rest[klen] != '.') ||
		    (klen && rest[0] != key[0]) || memcmp(rest, key, klen))
			continue;
		if (rlen == klen) {
			*leaf |= 1u << t;
		} else if (rest[klen] == '.') {
			*child |= 1u << t;
			coff[t] = (uint8_t)(off[t] + klen + 1);
		}
	}
}

static int jp_object(struct jp *j, uint32_t mask, const uint8_t *off);

/* The value of a member whose name matched: recorded for the paths it ends, entered for the
 * paths that go through it. */
static int jp_member_value(struct jp *j, uint32_t leaf, uint32_t child, const uint8_t *coff)
{
	struct jpick_val v = { 0 };
	size_t start = j->pos;

	if (child && j->pos < j->len && j->s[j->pos] == '{') {
		if (jp_object(j, child, coff))
			return -EINVAL;
		v = (struct jpick_val){ .p = j->s + start, .len = j->pos - start,
					.type = JPICK_OBJECT };
	} else if (jp_skip(j, &v, leaf != 0)) {
		return -EINVAL;
	}
	for (uint32_t m = leaf; m; m &= m - 1) {
		int t = __builtin_ctz(m);

		if (j->out[t].type == JPICK_NONE)
			j->out[t] = v;
	}
	return 0;
}

/* A member name, unescaped into buf only when it has escapes and might match. */
static int jp_key(struct jp *j, uint32_t mask, char *buf, size_t bufsz, const char **key,
		  size_t *klen)
{
	struct jpick_val k;
	int n;

	if (j->pos >= j->len || j->s[j->pos] != '"' || jp_string(j, &k, mask ? JS_ESC : JS_SKIP))
		return -EINVAL;
	*key = k.p;
	*klen = k.len;
	if (k.escaped && mask) {
		n = jpick__str(&k, buf, bufsz);
		*key = buf;
		*klen = n < 0 || (size_t)n >= bufsz - 1 ? 0 : (size_t)n; /* too long: no match */
	}
	jp_ws(j);
	if (j->pos >= j->len || j->s[j->pos] != ':')
		return -EINVAL;
	j->pos++;
	jp_ws(j);
	return 0;
}

/* The wanted paths of one object grouped by the first byte of what is left of them, so that
 * a member name is compared only with the few paths that could match it (an event line's top
 * level has ~20 members and 27 paths to try). */
struct jp_first {
	unsigned n;
	char c[JPICK_MAX];
	uint32_t m[JPICK_MAX];
};

static void jp_first_init(const struct jp *j, uint32_t mask, const uint8_t *off,
			  struct jp_first *f)
{
	f->n = 0;
	for (uint32_t m = mask; m; m &= m - 1) {
		int t = __builtin_ctz(m);
		char c = j->paths[t][off[t]]; /* '\0' when nothing is left */
		unsigned i;

		for (i = 0; i < f->n && f->c[i] != c; i++)
			;
		if (i == f->n) {
			f->c[f->n] = c;
			f->m[f->n++] = 0;
		}
		f->m[i] |= 1u << t;
	}
}

static uint32_t jp_first_get(const struct jp_first *f, const char *key, size_t klen)
{
	char c = klen ? key[0] : '\0';

	for (unsigned i = 0; i < f->n; i++)
		if (f->c[i] == c)
			return f->m[i];
	return 0;
}

/* The object at pos, looking for the paths in mask (each continuing at off[]). */
static int jp_object(struct jp *j, uint32_t mask, const uint8_t *off)
{
	char kbuf[JPICK_PATH_MAX + 2];
	uint8_t coff[JPICK_MAX];
	uint32_t leaf, child;
	struct jp_first first;
	const char *key;
	size_t klen;

	jp_first_init(j, mask, off, &first);
	j->pos++; /* '{' */
	jp_ws(j);
	if (j->pos < j->len && j->s[j->pos] == '}') {
		j->pos++;
		return 0;
	}
	for (;;) {
		jp_ws(j);
		if (jp_key(j, mask, kbuf, sizeof(kbuf), &key, &klen))
			return -EINVAL;
		jp_match(j, key, klen, jp_first_get(&first, key, klen), off, &leaf, &child, coff);
		if (jp_member_value(j, leaf, child, coff))
			return -EINVAL;
		jp_ws(j);
		if (j->pos >= j->len)
			return -EINVAL;
		if (j->s[j->pos++] == '}')
			return 0;
		if (j->s[j->pos - 1] != ',')
			return -EINVAL;
	}
}

int jpick__scan(const char *json, size_t len, const char *const *paths, size_t n,
		struct jpick_val *out)
{
	struct jp j = { .s = json, .len = len, .paths = paths, .out = out };
	uint8_t off[JPICK_MAX] = { 0 };
	int err;

	if (n > JPICK_MAX)
		return -E2BIG;
	memset(out, 0, n * sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(paths[i]);

		if (l >= JPICK_PATH_MAX)
			return -E2BIG;
		j.plen[i] = (uint8_t)l;
	}
	jp_ws(&j);
	if (j.pos >= len || json[j.pos] != '{')
		return -EINVAL;
	err = jp_object(&j, n ? (uint32_t)((1ull << n) - 1) : 0, off);
	jp_ws(&j);
	if (err || j.pos != len) {
		memset(out, 0, n * sizeof(*out));
		return -EINVAL;
	}
	return 0;
}

static int jp_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

static uint32_t jp_u4(const char *p)
{
	return (uint32_t)(jp_hexval(p[0]) << 12 | jp_hexval(p[1]) << 8 | jp_hexval(p[2]) << 4 |
			  jp_hexval(p[3]));
}

/* The code point of the \u escape at p (p[0] == '\\'), joining a surrogate pair; lone
 * surrogates become U+FFFD. *used: bytes of input consumed. */
static uint32_t jp_ucode(const char *p, size_t avail, size_t *used)
{
	uint32_t cp = jp_u4(p + 2), lo;

	*used = 6;
	if (cp < 0xd800 || cp > 0xdfff)
		return cp;
	if (cp > 0xdbff || avail < 12 || p[6] != '\\' || p[7] != 'u')
		return 0xfffd;
	lo = jp_u4(p + 8);
	if (lo < 0xdc00 || lo > 0xdfff)
		return 0xfffd;
	*used = 12;
	return 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
}

static size_t jp_utf8(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Where to cut raw bytes copied into n bytes so that no character is split: back over the
 * continuation bytes of the character that did not fit. */
static size_t jp_cut(const char *src, size_t n, size_t full)
{
	if (n >= full)
		return full;
	while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
		n--;
	return n;
}

static char jp_short_escape(char c)
{
	switch (c) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	}
	return c; /* '"', '\\', '/' */
}

/* Decode an escaped string (already checked by jp_string) into buf, whole characters only. */
static size_t jp_unescape(const char *s, size_t len, char *buf, size_t size)
{
	size_t i = 0, o = 0, used, run;
	char tmp[4];

	while (i < len) {
		if (s[i] != '\\') {
			for (run = i; run < len && s[run] != '\\'; run++)
				;
			size_t n = jp_cut(s + i, run - i < size - 1 - o ? run - i : size - 1 - o,
					  run - i);

			memcpy(buf + o, s + i, n);
			o += n;
			if (n < run - i)
				break;
			i = run;
			continue;
		}
		if (s[i + 1] == 'u') {
			used = jp_utf8(jp_ucode(s + i, len - i, &run), tmp);
		} else {
			tmp[0] = jp_short_escape(s[i + 1]);
			used = 1;
			run = 2;
		}
		if (used > size - 1 - o)
			break;
		memcpy(buf + o, tmp, used);
		o += used;
		i += run;
	}
	return o;
}

int jpick__str(const struct jpick_val *v, char *buf, size_t size)
{
	size_t n;

	buf[0] = '\0';
	if (v->type != JPICK_STRING && v->type != JPICK_NUMBER && v->type != JPICK_TRUE &&
	    v->type != JPICK_FALSE)
		return -ENOENT;
	if (v->escaped) {
		n = jp_unescape(v->p, v->len, buf, size);
	} else {
		n = jp_cut(v->p, v->len < size - 1 ? v->len : size - 1, v->len);
		memcpy(buf, v->p, n);
	}
	buf[n] = '\0';
	return (int)n;
}

int jpick__i64(const struct jpick_val *v, int64_t *out)
{
	char tmp[32], *end;
	long long x;

	if (v->type != JPICK_NUMBER)
		return -ENOENT;
	if (v->len >= sizeof(tmp) || memchr(v->p, '.', v->len) || memchr(v->p, 'e', v->len) ||
	    memchr(v->p, 'E', v->len))
		return v->len >= sizeof(tmp) ? -ERANGE : -EINVAL;
	memcpy(tmp, v->p, v->len);
	tmp[v->len] = '\0';
	errno = 0;
	x = strtoll(tmp, &end, 10);
	if (errno)
		return -ERANGE;
	if (end == tmp || *end)
		return -EINVAL;
	*out = x;
	return 0;
}

bool jpick__eq(const struct jpick_val *v, const char *s)
{
	char buf[JPICK_PATH_MAX + 2];
	size_t n = strlen(s);

	if (v->type != JPICK_STRING)
		return false;
	if (!v->escaped)
		return v->len == n && !memcmp(v->p, s, n);
	if (n >= sizeof(buf) - 1)
		return false;
	return jpick__str(v, buf, sizeof(buf)) == (int)n && !memcmp(buf, s, n);
}
