// SPDX-License-Identifier: Apache-2.0
/* Unit tests of the JSON writer: escaping contract, nesting, limits, timestamps. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "json.h"

/* The document made of one string value; static so CHECK_STR can compare it. */
static const char *strn_doc(const char *s, size_t n)
{
	static char out[512];
	struct json_w w;

	json_init(&w, sizeof(out));
	json_strn(&w, s, n);
	snprintf(out, sizeof(out), "%s", w.err ? "(error)" : w.buf);
	json_free(&w);
	return out;
}

#define STR_DOC(lit) strn_doc(lit, sizeof(lit) - 1)

UNIT_TEST(empty_containers)
{
	struct json_w w;

	CHECK_INT(json_init(&w, 64), 0);
	json_obj_begin(&w);
	json_obj_end(&w);
	CHECK_STR(w.buf, "{}");
	CHECK_INT(w.len, 2);
	json_reset(&w);
	json_arr_begin(&w);
	json_arr_end(&w);
	CHECK_STR(w.buf, "[]");
	CHECK_INT(w.err, 0);
	CHECK_INT(w.depth, 0);
	json_free(&w);
}

UNIT_TEST(nested_commas)
{
	struct json_w w;

	json_init(&w, 256);
	json_obj_begin(&w);
	json_ku64(&w, "a", 1);
	json_key(&w, "b");
	json_arr_begin(&w);
	json_u64(&w, 1);
	json_i64(&w, -2);
	json_obj_begin(&w);
	json_kbool(&w, "c", 1);
	json_key(&w, "d");
	json_null(&w);
	json_obj_end(&w);
	json_arr_begin(&w);
	json_arr_end(&w);
	json_arr_end(&w);
	json_key(&w, "e");
	json_obj_begin(&w);
	json_ki64(&w, "f", -5);
	json_kstr(&w, "g", "x");
	json_kbool(&w, "h", 0);
	json_obj_end(&w);
	json_key(&w, "i");
	json_raw(&w, "{\"pre\":[1]}");
	json_obj_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_INT(w.depth, 0);
	CHECK_STR(w.buf, "{\"a\":1,\"b\":[1,-2,{\"c\":true,\"d\":null},[]],"
			 "\"e\":{\"f\":-5,\"g\":\"x\",\"h\":false},\"i\":{\"pre\":[1]}}");
	CHECK_INT(w.len, strlen(w.buf));
	json_free(&w);
}

UNIT_TEST(top_level_scalars)
{
	struct json_w w;

	json_init(&w, 64);
	json_str(&w, "x");
	CHECK_STR(w.buf, "\"x\"");
	json_reset(&w);
	json_u64(&w, 7);
	CHECK_STR(w.buf, "7");
	json_free(&w);
}

UNIT_TEST(integers)
{
	struct json_w w;

	json_init(&w, 128);
	json_arr_begin(&w);
	json_u64(&w, 0);
	json_u64(&w, 18446744073709551615ULL);
	json_i64(&w, -9223372036854775807LL - 1);
	json_i64(&w, 9223372036854775807LL);
	json_arr_end(&w);
	CHECK_STR(w.buf, "[0,18446744073709551615,-9223372036854775808,9223372036854775807]");
	json_free(&w);
}

UNIT_TEST(doubles)
{
	struct json_w w;

	json_init(&w, 512);
	json_arr_begin(&w);
	json_double(&w, 1.5, 3);
	json_double(&w, -0.25, 2);
	json_double(&w, 2.0, 0);
	json_double(&w, 0.125, 2);    /* exact half rounds away from zero */
	json_double(&w, -0.001, 2);   /* rounds to zero: no "-" */
	json_double(&w, 3.14159, -1); /* clamped to 0 */
	json_double(&w, 0.5, 12);     /* clamped to 9 */
	json_double(&w, 1e12, 9);     /* too large for 9 decimals: 6 */
	json_double(&w, -1e20, 3);
	json_double(&w, NAN, 2);
	json_double(&w, INFINITY, 2);
	json_double(&w, -INFINITY, 2);
	json_arr_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_STR(w.buf, "[1.500,-0.25,2,0.13,0.00,3,0.500000000,1000000000000.000000,"
			 "-100000000000000000000,null,null,null]");
	json_free(&w);
}

UNIT_TEST(short_escapes)
{
	CHECK_STR(STR_DOC("\"\\\b\f\n\r\t"), "\"\\\"\\\\\\b\\f\\n\\r\\t\"");
	CHECK_STR(STR_DOC("a\"b\\c/d"), "\"a\\\"b\\\\c/d\"");
	CHECK_STR(STR_DOC(""), "\"\"");
}

/* Every byte below 0x20 and 0x7f: the short escape where JSON has one, else \u00xx. */
UNIT_TEST(control_characters)
{
	static const char *shorts[0x20] = {
	    ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
	};
	char in[2], want[16];

	for (int c = 0; c <= 0x7f; c++) {
		if (c >= 0x20 && c < 0x7f)
			continue;
		in[0] = (char)c;
		in[1] = 'x';
		if (c < 0x20 && shorts[c])
			snprintf(want, sizeof(want), "\"%sx\"", shorts[c]);
		else
			snprintf(want, sizeof(want), "\"\\u%04xx\"", c);
		CHECK_STR(strn_doc(in, 2), want);
	}
	CHECK_STR(STR_DOC("\x1f\x7f"), "\"\\u001f\\u007f\"");
	CHECK_STR(STR_DOC("\x1b[0m"), "\"\\u001b[0m\"");
}

UNIT_TEST(printable_ascii_unchanged)
{
	char in[0x60], want[0x70];
	size_t n = 0, k = 0;

	want[k++] = '"';
	for (int c = 0x20; c < 0x7f; c++) {
		in[n++] = (char)c;
		if (c == '"' || c == '\\')
			want[k++] = '\\';
		want[k++] = (char)c;
	}
	want[k++] = '"';
	want[k] = '\0';
	CHECK_STR(strn_doc(in, n), want);
}

UNIT_TEST(embedded_nul)
{
	CHECK_STR(STR_DOC("a\0b"), "\"a\\u0000b\"");
	CHECK_STR(STR_DOC("\0"), "\"\\u0000\"");
}

UNIT_TEST(valid_utf8)
{
	CHECK_STR(STR_DOC("caf\xc3\xa9"), "\"caf\xc3\xa9\"");		/* é */
	CHECK_STR(STR_DOC("\xe2\x82\xac 5"), "\"\xe2\x82\xac 5\"");	/* € */
	CHECK_STR(STR_DOC("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\""); /* 😀 */
	/* the edges of each range */
	CHECK_STR(STR_DOC("\xc2\x80"), "\"\xc2\x80\"");			/* U+0080 */
	CHECK_STR(STR_DOC("\xdf\xbf"), "\"\xdf\xbf\"");			/* U+07FF */
	CHECK_STR(STR_DOC("\xe0\xa0\x80"), "\"\xe0\xa0\x80\"");		/* U+0800 */
	CHECK_STR(STR_DOC("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");		/* U+D7FF */
	CHECK_STR(STR_DOC("\xee\x80\x80"), "\"\xee\x80\x80\"");		/* U+E000 */
	CHECK_STR(STR_DOC("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");		/* U+FFFF */
	CHECK_STR(STR_DOC("\xf0\x90\x80\x80"), "\"\xf0\x90\x80\x80\""); /* U+10000 */
	CHECK_STR(STR_DOC("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
}

UNIT_TEST(js_line_separators)
{
	CHECK_STR(STR_DOC("a\xe2\x80\xa8z\xe2\x80\xa9"), "\"a\\u2028z\\u2029\"");
	/* U+2027 and U+202A are ordinary */
	CHECK_STR(STR_DOC("\xe2\x80\xa7\xe2\x80\xaa"), "\"\xe2\x80\xa7\xe2\x80\xaa\"");
}

#define FFFD "\\ufffd"

UNIT_TEST(invalid_utf8)
{
	CHECK_STR(STR_DOC("\x80"), "\"" FFFD "\""); /* lone continuation */
	CHECK_STR(STR_DOC("a\xbf"
			  "b"),
		  "\"a" FFFD "b\"");
	CHECK_STR(STR_DOC("\xc3"), "\"" FFFD "\""); /* truncated at end of input */
	CHECK_STR(STR_DOC("ok\xe2\x82"), "\"ok" FFFD FFFD "\"");
	CHECK_STR(STR_DOC("\xf0\x9f\x98"), "\"" FFFD FFFD FFFD "\"");
	CHECK_STR(STR_DOC("\xe2\x82x"), "\"" FFFD FFFD "x\"");	    /* cut by an ASCII byte */
	CHECK_STR(STR_DOC("\xc3\xc3\xa9"), "\"" FFFD "\xc3\xa9\""); /* cut by a lead byte */
	CHECK_STR(STR_DOC("\xc0\xaf"), "\"" FFFD FFFD "\"");	    /* overlong '/' */
	CHECK_STR(STR_DOC("\xc1\xbf"), "\"" FFFD FFFD "\"");
	CHECK_STR(STR_DOC("\xe0\x80\xaf"), "\"" FFFD FFFD FFFD "\"");
	CHECK_STR(STR_DOC("\xf0\x80\x80\xaf"), "\"" FFFD FFFD FFFD FFFD "\"");
	CHECK_STR(STR_DOC("\xed\xa0\x80"), "\"" FFFD FFFD FFFD "\""); /* surrogate U+D800 */
	CHECK_STR(STR_DOC("\xed\xbf\xbf"), "\"" FFFD FFFD FFFD "\""); /* surrogate U+DFFF */
	CHECK_STR(STR_DOC("\xf4\x90\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\""); /* > U+10FFFF */
	CHECK_STR(STR_DOC("\xf5\x80\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");
	CHECK_STR(STR_DOC("\xff"), "\"" FFFD "\"");
	CHECK_STR(STR_DOC("\xfe\xff"
			  "a"),
		  "\"" FFFD FFFD "a\"");
}

UNIT_TEST(str_null_and_strn_null)
{
	struct json_w w;

	json_init(&w, 64);
	json_arr_begin(&w);
	json_str(&w, NULL);
	json_strn(&w, NULL, 0);
	json_strn(&w, NULL, 3);
	json_strn(&w, "abcdef", 3);
	json_arr_end(&w);
	CHECK_STR(w.buf, "[null,\"\",null,\"abc\"]");
	json_free(&w);
}

UNIT_TEST(keys_escaped)
{
	struct json_w w;

	json_init(&w, 64);
	json_obj_begin(&w);
	json_kstr(&w, "a\"b\n", "v\t");
	json_obj_end(&w);
	CHECK_STR(w.buf, "{\"a\\\"b\\n\":\"v\\t\"}");
	json_free(&w);
}

/* Each misuse sets -EINVAL and leaves the buffer as it was. */
static void check_misuse(void (*build)(struct json_w *), const char *before)
{
	struct json_w w;

	json_init(&w, 256);
	build(&w);
	CHECK_INT(w.err, -EINVAL);
	CHECK_STR(w.buf, before);
	json_free(&w);
}

static void value_without_key(struct json_w *w)
{
	json_obj_begin(w);
	json_u64(w, 1);
}

static void key_in_array(struct json_w *w)
{
	json_arr_begin(w);
	json_key(w, "k");
}

static void key_at_top(struct json_w *w)
{
	json_key(w, "k");
}

static void key_twice(struct json_w *w)
{
	json_obj_begin(w);
	json_key(w, "a");
	json_key(w, "b");
}

static void end_with_key_pending(struct json_w *w)
{
	json_obj_begin(w);
	json_key(w, "a");
	json_obj_end(w);
}

static void mismatched_end(struct json_w *w)
{
	json_arr_begin(w);
	json_obj_end(w);
}

static void end_at_top(struct json_w *w)
{
	json_obj_end(w);
}

static void two_top_values(struct json_w *w)
{
	json_obj_begin(w);
	json_obj_end(w);
	json_obj_begin(w);
}

static void too_deep(struct json_w *w)
{
	for (int i = 0; i < 32; i++)
		json_arr_begin(w);
}

UNIT_TEST(nesting_misuse)
{
	check_misuse(value_without_key, "{");
	check_misuse(key_in_array, "[");
	check_misuse(key_at_top, "");
	check_misuse(key_twice, "{\"a\":");
	check_misuse(end_with_key_pending, "{\"a\":");
	check_misuse(mismatched_end, "[");
	check_misuse(end_at_top, "");
	check_misuse(two_top_values, "{}");
	check_misuse(too_deep, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
}

UNIT_TEST(max_depth_ok)
{
	struct json_w w;

	json_init(&w, 256);
	for (int i = 0; i < 31; i++)
		json_arr_begin(&w);
	for (int i = 0; i < 31; i++)
		json_arr_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_INT(w.len, 62);
	json_free(&w);
}

UNIT_TEST(error_is_sticky_and_reset_clears)
{
	struct json_w w;
	size_t len;

	json_init(&w, 64);
	json_obj_begin(&w);
	json_u64(&w, 1);
	len = w.len;
	json_kstr(&w, "a", "b");
	json_obj_end(&w);
	CHECK_INT(w.err, -EINVAL);
	CHECK_INT(w.len, len);
	json_reset(&w);
	CHECK_INT(w.err, 0);
	CHECK_STR(w.buf, "");
	json_obj_begin(&w);
	json_kstr(&w, "a", "b");
	json_obj_end(&w);
	CHECK_STR(w.buf, "{\"a\":\"b\"}");
	json_free(&w);
}

UNIT_TEST(limit_e2big)
{
	struct json_w w;

	CHECK_INT(json_init(&w, 16), 0);
	json_obj_begin(&w);
	json_kstr(&w, "k", "0123456789abcdef");
	json_obj_end(&w);
	CHECK_INT(w.err, -E2BIG);
	CHECK(w.cap <= 16);
	CHECK(w.len < 16);
	CHECK_INT(strlen(w.buf), w.len);
	/* the failed string was not copied in part */
	CHECK_STR(w.buf, "{\"k\":\"");
	json_free(&w);
}

/* limit counts the NUL: a document of n bytes needs limit n + 1. */
UNIT_TEST(limit_exact_fit)
{
	struct json_w w;

	json_init(&w, 11);
	json_obj_begin(&w);
	json_kstr(&w, "ab", "c");
	json_obj_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_STR(w.buf, "{\"ab\":\"c\"}");
	json_free(&w);

	json_init(&w, 10);
	json_obj_begin(&w);
	json_kstr(&w, "ab", "c");
	json_obj_end(&w);
	CHECK_INT(w.err, -E2BIG);
	CHECK_STR(w.buf, "{\"ab\":\"c\"");
	json_free(&w);
}

UNIT_TEST(limit_escapes_counted)
{
	struct json_w w;

	/* 4 control bytes become 24 output bytes */
	json_init(&w, 24);
	json_strn(&w, "\x01\x02\x03\x04", 4);
	CHECK_INT(w.err, -E2BIG);
	CHECK(w.cap <= 24);
	json_free(&w);
}

UNIT_TEST(buffer_grows)
{
	struct json_w w;
	size_t n = 100000;
	char *big = malloc(n + 1);

	memset(big, 'a', n);
	big[n] = '\0';
	json_init(&w, 1 << 20);
	json_obj_begin(&w);
	json_kstr(&w, "big", big);
	json_obj_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_INT(w.len, n + 10);
	CHECK(w.cap >= w.len + 1 && w.cap <= w.limit);
	CHECK(w.buf[w.len - 1] == '}');
	json_free(&w);
	free(big);
}

UNIT_TEST(init_rejects_tiny_limit)
{
	struct json_w w;

	CHECK_INT(json_init(&w, 1), -EINVAL);
	json_obj_begin(&w); /* harmless no-op */
	CHECK_INT(w.err, -EINVAL);
	json_free(&w);
}

static const char *fmt_time(long long sec, long nsec)
{
	static char out[64];
	int n = json_fmt_time(out, sizeof(out), sec, nsec);

	if (n < 0)
		snprintf(out, sizeof(out), "err %d", n);
	else if ((size_t)n != strlen(out))
		snprintf(out, sizeof(out), "bad length %d", n);
	return out;
}

UNIT_TEST(time_format)
{
	CHECK_STR(fmt_time(0, 0), "1970-01-01T00:00:00.000000000Z");
	CHECK_STR(fmt_time(1700000000, 0), "2023-11-14T22:13:20.000000000Z");
	CHECK_STR(fmt_time(1700000000, 999999999), "2023-11-14T22:13:20.999999999Z");
	CHECK_STR(fmt_time(0, 123), "1970-01-01T00:00:00.000000123Z");
	CHECK_STR(fmt_time(951782400, 5), "2000-02-29T00:00:00.000000005Z");
	CHECK_STR(fmt_time(951868799, 0), "2000-02-29T23:59:59.000000000Z");
	CHECK_STR(fmt_time(1798761599, 0), "2026-12-31T23:59:59.000000000Z");
	CHECK_STR(fmt_time(-1, 0), "1969-12-31T23:59:59.000000000Z");
	CHECK_STR(fmt_time(-62167219200LL, 0), "0000-01-01T00:00:00.000000000Z");
	CHECK_STR(fmt_time(253402300799LL, 0), "9999-12-31T23:59:59.000000000Z");
}

UNIT_TEST(time_errors)
{
	char out[31];

	CHECK_INT(json_fmt_time(out, sizeof(out), 0, 1000000000), -EINVAL);
	CHECK_INT(json_fmt_time(out, sizeof(out), 0, -1), -EINVAL);
	CHECK_INT(json_fmt_time(out, sizeof(out), 253402300800LL, 0), -ERANGE);
	CHECK_INT(json_fmt_time(out, sizeof(out), -62167219201LL, 0), -ERANGE);
	CHECK_INT(json_fmt_time(out, 30, 0, 0), -ENOSPC);
	CHECK_STR(out, "");
	CHECK_INT(json_fmt_time(out, 31, 0, 0), 30);
	CHECK_STR(out, "1970-01-01T00:00:00.000000000Z");
}

UNIT_TEST(ktime)
{
	struct json_w w;

	json_init(&w, 128);
	json_obj_begin(&w);
	json_ktime(&w, "ts", 1700000000, 42);
	json_ktime(&w, "bad", 0, -5);
	json_obj_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_STR(w.buf, "{\"ts\":\"2023-11-14T22:13:20.000000042Z\",\"bad\":null}");
	json_free(&w);
}

int main(void)
{
	return unit_run();
}
