/* SPDX-License-Identifier: Apache-2.0 */
/* jpick: the store's one-pass JSON member scanner, on real lines and hostile input. */
#define UNIT_MAIN
#include <errno.h>
#include <stdlib.h>

#include "jpick.h"
#include "rfc3339.h"
#include "unit.h"

static const char alert_line[] =
	"{\"hostname\":\"vm\",\"output\":\"19:06:32.566706547: Warning Credential file opened "
	"| file=/etc/shadow\",\"output_fields\":{\"evt.time\":1795287992566706547,\"fd.name\":"
	"\"/etc/shadow\",\"user.uid\":0,\"proc.name\":\"cat\",\"k8s.ns.name\":null},"
	"\"priority\":\"Warning\",\"rule\":\"Credential file read\",\"source\":\"syscall\","
	"\"tags\":[\"host\",\"T1003.008\"],\"time\":\"2026-11-21T19:06:32.566706547Z\","
	"\"vigil\":{\"schema\":\"vigil/v1\",\"type\":\"open\",\"process\":{\"pid\":5972,"
	"\"comm\":\"cat\",\"binary\":\"/usr/bin/cat\",\"arguments\":[\"cat\",\"/etc/shadow\"],"
	"\"uid\":0},\"file\":{\"path\":\"/etc/shadow\",\"flags\":0}}}";

static const char *const apaths[] = {
	"rule", "priority", "output_fields.fd.name", "vigil.process.comm", "vigil.process.pid",
	"vigil.type", "output_fields.k8s.ns.name", "tags", "vigil.file", "missing.member",
};

static void str_of(const struct jpick_val *v, char *buf, size_t n)
{
	jpick__str(v, buf, n);
}

UNIT_TEST(alert_members)
{
	struct jpick_val v[10];
	char buf[256];
	int64_t pid = 0;

	CHECK_INT(jpick__scan(alert_line, strlen(alert_line), apaths, 10, v), 0);
	str_of(&v[0], buf, sizeof(buf));
	CHECK_STR(buf, "Credential file read");
	CHECK(jpick__eq(&v[1], "Warning"));
	str_of(&v[2], buf, sizeof(buf));
	CHECK_STR(buf, "/etc/shadow"); /* a dotted Falco key matched whole */
	CHECK(jpick__eq(&v[3], "cat"));
	CHECK_INT(jpick__i64(&v[4], &pid), 0);
	CHECK_INT(pid, 5972);
	CHECK(jpick__eq(&v[5], "open"));
	CHECK_INT(v[6].type, JPICK_NULL);
	CHECK_INT(v[7].type, JPICK_ARRAY);
	CHECK_INT(v[8].type, JPICK_OBJECT);
	CHECK(v[8].len > 0 && v[8].p[0] == '{' && v[8].p[v[8].len - 1] == '}');
	CHECK_INT(v[9].type, JPICK_NONE);
	CHECK_INT(jpick__str(&v[9], buf, sizeof(buf)), -ENOENT);
	CHECK_STR(buf, "");
}

/* Escapes in values and in member names, surrogate pairs, lone surrogates. */
UNIT_TEST(escapes)
{
	static const char line[] = "{\"a\":\"x\\\"y\\\\z\\n\\u00e9\\ud83d\\ude00\\ud800!\","
				   "\"ty\\u0070e\":\"open\",\"n\\\"k\":{\"b\":1}}";
	static const char *const p[] = { "a", "type", "n\"k.b" };
	struct jpick_val v[3];
	char buf[64];
	int64_t b = 0;

	CHECK_INT(jpick__scan(line, strlen(line), p, 3, v), 0);
	CHECK(v[0].escaped);
	CHECK_INT(jpick__str(&v[0], buf, sizeof(buf)), 16);
	CHECK_STR(buf, "x\"y\\z\n\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd!");
	CHECK(jpick__eq(&v[1], "open"));
	CHECK_INT(jpick__i64(&v[2], &b), 0);
	CHECK_INT(b, 1);
}

/* Unescaping into a small buffer never splits a UTF-8 character. */
UNIT_TEST(truncation_keeps_characters)
{
	static const char line[] = "{\"a\":\"ab\xc3\xa9\xc3\xa9\",\"b\":\"a\\u00e9\\u00e9\"}";
	static const char *const p[] = { "a", "b" };
	struct jpick_val v[2];
	char buf[5];

	CHECK_INT(jpick__scan(line, strlen(line), p, 2, v), 0);
	CHECK_INT(jpick__str(&v[0], buf, sizeof(buf)), 4);
	CHECK_STR(buf, "ab\xc3\xa9");
	CHECK_INT(jpick__str(&v[0], buf, 4), 2);
	CHECK_STR(buf, "ab");
	CHECK_INT(jpick__str(&v[1], buf, 4), 3);
	CHECK_STR(buf, "a\xc3\xa9");
	CHECK_INT(jpick__str(&v[1], buf, 1), 0);
}

UNIT_TEST(first_duplicate_wins_and_arrays_not_entered)
{
	static const char line[] = "{\"k\":[{\"a\":1}],\"a\":2,\"a\":3,\"o\":{\"x\":{\"y\":4}}}";
	static const char *const p[] = { "a", "k.a", "o.x.y", "o.x" };
	struct jpick_val v[4];
	int64_t n = 0;

	CHECK_INT(jpick__scan(line, strlen(line), p, 4, v), 0);
	CHECK_INT(jpick__i64(&v[0], &n), 0);
	CHECK_INT(n, 2);
	CHECK_INT(v[1].type, JPICK_NONE);
	CHECK_INT(jpick__i64(&v[2], &n), 0);
	CHECK_INT(n, 4);
	CHECK_INT(v[3].type, JPICK_OBJECT); /* a path that ends where another goes on */
	CHECK_INT(v[3].len, 7);
}

/* Each malformed input: -EINVAL and nothing found, with no read past the end (ASan). */
UNIT_TEST(malformed)
{
	static const char *const bad[] = {
		"", " ", "[]", "\"a\"", "1", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}",
		"{\"a\":1}x", "{\"a\" 1}", "{a:1}", "{\"a\":\"x}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":[1,2}", "{\"a\":{\"b\":[}]}", "{\"a\":tru}",
		"{\"a\":\"\x01\"}", "{\"a\":1}}", "{\"a\":-}", "{\"a\":\"\\", "{\"type\":\"open\"",
	};
	static const char *const p[] = { "a", "type", "a.b" };
	struct jpick_val v[3];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i]);
		char *copy = malloc(n ? n : 1); /* exact size: ASan catches any overread */

		memcpy(copy, bad[i], n);
		if (jpick__scan(copy, n, p, 3, v) != -EINVAL) {
			printf("  accepted: %s\n", bad[i]);
			unit_case_failed = 1;
		}
		CHECK(v[0].type == JPICK_NONE && v[1].type == JPICK_NONE);
		free(copy);
	}
}

/* A truncated real line at every length: never accepted, never overread. */
UNIT_TEST(every_truncation)
{
	size_t n = strlen(alert_line);
	struct jpick_val v[10];

	for (size_t len = 0; len < n; len++) {
		char *copy = malloc(len ? len : 1);

		memcpy(copy, alert_line, len);
		CHECK_INT(jpick__scan(copy, len, apaths, 10, v), -EINVAL);
		free(copy);
	}
}

/* Deep nesting is skipped without recursion up to the limit, refused beyond it; a long
 * line is scanned through. */
UNIT_TEST(huge_and_deep)
{
	static const char *const p[] = { "z" };
	size_t depth = 100000, n = 2 * depth + 64, o = 0;
	char *s = malloc(n);
	struct jpick_val v[1];

	o += (size_t)sprintf(s, "{\"a\":");
	for (size_t i = 0; i < depth; i++)
		s[o++] = '[';
	for (size_t i = 0; i < depth; i++)
		s[o++] = ']';
	o += (size_t)sprintf(s + o, ",\"z\":1}");
	CHECK_INT(jpick__scan(s, o, p, 1, v), -EINVAL); /* deeper than JPICK_MAX_DEPTH */
	o = (size_t)sprintf(s, "{\"a\":");
	for (size_t i = 0; i < 400; i++)
		s[o++] = '[';
	for (size_t i = 0; i < 400; i++)
		s[o++] = ']';
	o += (size_t)sprintf(s + o, ",\"z\":1}");
	CHECK_INT(jpick__scan(s, o, p, 1, v), 0);
	CHECK_INT(v[0].type, JPICK_NUMBER);
	free(s);

	n = 8 << 20;
	s = malloc(n);
	o = (size_t)sprintf(s, "{\"a\":\"");
	memset(s + o, 'x', n - o - 16);
	o = n - 16;
	o += (size_t)sprintf(s + o, "\",\"z\":\"end\"}");
	CHECK_INT(jpick__scan(s, o, p, 1, v), 0);
	CHECK(jpick__eq(&v[0], "end"));
	free(s);
}

UNIT_TEST(limits)
{
	static const char line[] = "{\"a\":1}";
	const char *many[JPICK_MAX + 1];
	char longp[300];
	const char *lp[] = { longp };
	struct jpick_val v[JPICK_MAX + 1];
	int64_t x;

	for (int i = 0; i <= JPICK_MAX; i++)
		many[i] = "a";
	CHECK_INT(jpick__scan(line, strlen(line), many, JPICK_MAX + 1, v), -E2BIG);
	CHECK_INT(jpick__scan(line, strlen(line), many, JPICK_MAX, v), 0);
	CHECK_INT(v[JPICK_MAX - 1].type, JPICK_NUMBER);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	CHECK_INT(jpick__scan(line, strlen(line), lp, 1, v), -E2BIG);

	static const char nums[] = "{\"a\":1.5,\"b\":99999999999999999999,\"c\":-7}";
	static const char *const np[] = { "a", "b", "c" };
	CHECK_INT(jpick__scan(nums, strlen(nums), np, 3, v), 0);
	CHECK_INT(jpick__i64(&v[0], &x), -EINVAL);
	CHECK_INT(jpick__i64(&v[1], &x), -ERANGE);
	CHECK_INT(jpick__i64(&v[2], &x), 0);
	CHECK_INT(x, -7);
}

UNIT_TEST(rfc3339_roundtrip)
{
	static const char *const ok[] = {
		"2026-11-21T19:06:32.564173801Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59.5Z",
		"2026-11-21T20:06:32.564173801+01:00", "2026-11-21t19:06:32z",
	};
	static const char *const bad[] = {
		"2026-11-21", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-21T19:06:32",
		"2026-11-21T19:06:32.Z", "2026-11-21T24:00:00Z", "1969-12-31T23:59:59Z",
		"2026-11-21T19:06:32+1:00", "x026-11-21T19:06:32Z",
	};
	uint64_t ns = 0, ns2 = 0;
	char buf[40];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK_INT(rfc3339__parse(ok[i], strlen(ok[i]), &ns), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(rfc3339__parse(bad[i], strlen(bad[i]), &ns), -EINVAL);
	CHECK_INT(rfc3339__parse(ok[0], strlen(ok[0]), &ns), 0);
	CHECK_INT(ns, 1795287992564173801ull); /* the alert's evt.time above */
	CHECK_INT(rfc3339__parse(ok[3], strlen(ok[3]), &ns2), 0);
	CHECK_INT(ns2, ns);
	rfc3339__format(ns, 9, buf, sizeof(buf));
	CHECK_STR(buf, ok[0]);
	rfc3339__format(ns, 3, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-21T19:06:32.564Z");
	rfc3339__format(0, 0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00Z");
	CHECK_INT(rfc3339__parse("2024-02-29T23:59:59.5Z", 22, &ns), 0);
	rfc3339__format(ns, 1, buf, sizeof(buf));
	CHECK_STR(buf, "2024-02-29T23:59:59.5Z");
}

int main(void)
{
	return unit_run();
}
