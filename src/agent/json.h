/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small streaming JSON writer for vigil's event output.
 *
 * Build one document (normally an object) with the calls below; commas and colons are written
 * automatically and the output is compact (no spaces, no trailing newline). Errors are sticky:
 * after the first one every call is a no-op, so a caller builds a whole event and checks
 * w->err once at the end. w->depth is 0 again when every container was closed.
 *
 *   json_reset(&w);
 *   json_obj_begin(&w);
 *   json_kstr(&w, "type", "exec");
 *   json_key(&w, "args");
 *   json_arr_begin(&w); json_str(&w, "ls"); json_arr_end(&w);
 *   json_obj_end(&w);
 *   if (!w.err) write(fd, w.buf, w.len);
 *
 * String escaping (part of vigil's event format contract; consumers may rely on it):
 *  - '"' and '\' are escaped; \b \f \n \r \t use the short escapes; every other byte below
 *    0x20 and 0x7f (DEL) is written as \u00XX with lower-case hex digits. An embedded NUL
 *    (json_strn) is \u0000. '/' is not escaped.
 *  - Valid UTF-8 (2, 3 and 4 byte sequences) passes through unchanged, except U+2028 and
 *    U+2029, written as \u2028 and \u2029 so the output is also valid JavaScript.
 *  - Invalid UTF-8 is replaced byte by byte: every byte that does not start a well-formed
 *    sequence (lone continuation bytes, sequences cut short by a non-continuation byte or by
 *    the end of the input, overlong forms, surrogates U+D800..U+DFFF, code points above
 *    U+10FFFF, bytes 0xc0, 0xc1, 0xf5..0xff) becomes the escape \ufffd. So "\xe2\x82" at the
 *    end of an argument gives two \ufffd. Output therefore is always valid UTF-8.
 */
#ifndef VIGIL_JSON_H
#define VIGIL_JSON_H

#include <stddef.h>

struct json_w {
	char *buf; /* heap buffer, grows up to `limit` bytes */
	size_t len, cap, limit;
	int depth;
	/* Per nesting level: no element written yet (bit 0); the json.c JW_* bits also record
	 * whether the level is an object and whether a key awaits its value, to catch misuse. */
	unsigned char first[32];
	int err; /* sticky: -ENOMEM, -E2BIG (limit hit), -EINVAL (nesting misuse) */
};

/* limit: most bytes the buffer may grow to, terminating NUL included, so the longest document
 * is limit - 1 bytes. Returns 0, -EINVAL (limit < 2) or -ENOMEM; on failure w->err is set too. */
int json_init(struct json_w *w, size_t limit);
void json_free(struct json_w *w);
/* Start a new document, keep the buffer. Clears w->err. */
void json_reset(struct json_w *w);

/* Containers. A container is a value: use it after json_key, in an array, or at top level.
 * Nesting deeper than 31 levels, a mismatched end or an end with a key pending is -EINVAL. */
void json_obj_begin(struct json_w *w);
void json_obj_end(struct json_w *w);
void json_arr_begin(struct json_w *w);
void json_arr_end(struct json_w *w);

/* Object member name; only inside an object, once per value. Trusted ASCII, still escaped. */
void json_key(struct json_w *w, const char *key);

/* Values. A value inside an object needs a json_key first; a second top-level value is
 * -EINVAL. A NULL string is written as null. */
void json_str(struct json_w *w, const char *s);		   /* NUL terminated, escaped */
void json_strn(struct json_w *w, const char *s, size_t n); /* n bytes, may contain NULs/any */
void json_u64(struct json_w *w, unsigned long long v);
void json_i64(struct json_w *w, long long v);
void json_bool(struct json_w *w, int v);
void json_null(struct json_w *w);
/* Fixed point with `decimals` (clamped to 0..9) digits after the point; fewer when the value
 * is too large for them (>= 9e18 / 10^decimals). Non-finite values are written as null. */
void json_double(struct json_w *w, double v, int decimals);
void json_raw(struct json_w *w, const char *s); /* pre-rendered JSON value, not checked */
/* Pre-rendered object members ("a":1,"b":2: no braces, no leading comma) appended to the
 * object being built, with a comma when it already has members; n == 0 writes nothing. */
void json_members_raw(struct json_w *w, const char *s, size_t n);

/* Convenience: key + value. */
void json_kstr(struct json_w *w, const char *k, const char *v);
void json_ku64(struct json_w *w, const char *k, unsigned long long v);
void json_ki64(struct json_w *w, const char *k, long long v);
void json_kbool(struct json_w *w, const char *k, int v);

/* v in decimal into out (at least JSON_U64_LEN + 1 bytes), NUL terminated; returns the length.
 * printf costs ~10% of the event thread at a storm's rate, most of it for numbers. */
#define JSON_U64_LEN 20
int json_fmt_u64(char *out, unsigned long long v);

/* RFC 3339 UTC timestamp with nanoseconds, e.g. "2026-11-21T11:00:00.000000123Z" (30 chars).
 * Returns the length written (NUL terminated), -EINVAL when nsec is outside [0, 1e9),
 * -ERANGE when the year is outside 0000..9999, -ENOSPC when outsz < 31. */
int json_fmt_time(char *out, size_t outsz, long long sec, long nsec);
#define JSON_TIME_LEN 30

/* key + timestamp string; a time json_fmt_time rejects is written as null, not as an error,
 * so one bad clock value does not lose the whole event. */
void json_ktime(struct json_w *w, const char *k, long long sec, long nsec);

#endif /* VIGIL_JSON_H */
