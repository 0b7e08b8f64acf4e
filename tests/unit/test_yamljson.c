// SPDX-License-Identifier: Apache-2.0
/*
 * yamljson: scalar resolution (YAML 1.2 core schema), structure, JSON input, the first document
 * only, error messages with 1-based marks, and hostile input: aliases, anchors, deep nesting,
 * invalid UTF-8, oversized files.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include <json-c/json.h>

#define UNIT_MAIN
#include "unit.h"
#include "yamljson.h"

static char err[512];

/* The document as compact JSON (json-c's writer), or "(error N)". Static buffer. */
static const char *y2j(const char *yaml)
{
	static char out[4096];
	struct json_object *o = (struct json_object *)0x1;
	int ret;

	err[0] = '\0';
	ret = yamljson__parse("t.yaml", yaml, strlen(yaml), &o, err, sizeof(err));
	if (ret) {
		CHECK(o == NULL);
		snprintf(out, sizeof(out), "(error %d)", ret);
		return out;
	}
	snprintf(out, sizeof(out), "%s",
		 json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

/* The type of the value of key "v" in the document "v: <scalar>". */
static enum json_type vtype(const char *yaml, struct json_object **keep)
{
	struct json_object *o = NULL, *v = NULL;
	enum json_type t;

	CHECK_INT(yamljson__parse("t", yaml, strlen(yaml), &o, err, sizeof(err)), 0);
	json_object_object_get_ex(o, "v", &v);
	t = json_object_get_type(v);
	if (keep)
		*keep = json_object_get(v);
	json_object_put(o);
	return t;
}

UNIT_TEST(plain_scalars_resolve)
{
	CHECK_STR(y2j("a: null\nb: ~\nc:\nd: Null\ne: NULL\n"),
		  "{\"a\":null,\"b\":null,\"c\":null,\"d\":null,\"e\":null}");
	CHECK_STR(y2j("a: true\nb: True\nc: TRUE\nd: false\ne: False\nf: FALSE\n"),
		  "{\"a\":true,\"b\":true,\"c\":true,\"d\":false,\"e\":false,\"f\":false}");
	/* YAML 1.1 booleans are plain strings in the 1.2 core schema */
	CHECK_STR(y2j("a: yes\nb: no\nc: on\nd: off\ne: tRUE\n"),
		  "{\"a\":\"yes\",\"b\":\"no\",\"c\":\"on\",\"d\":\"off\",\"e\":\"tRUE\"}");
	CHECK_STR(y2j("a: 0\nb: -17\nc: +42\nd: 0x1F\ne: 0o17\nf: 9223372036854775807\n"),
		  "{\"a\":0,\"b\":-17,\"c\":42,\"d\":31,\"e\":15,\"f\":9223372036854775807}");
	/* too large for int64: kept as written rather than rounded */
	CHECK_STR(y2j("a: 9223372036854775808\nb: 0xffffffffffffffffff\nc: 0o9\nd: 0x\n"),
		  "{\"a\":\"9223372036854775808\",\"b\":\"0xffffffffffffffffff\",\"c\":\"0o9\","
		  "\"d\":\"0x\"}");
	CHECK_STR(y2j("a: 1.2.3\nb: 1e\nc: .\nd: -x\ne: 12abc\nf: 1_000\ng: 1e5x\n"),
		  "{\"a\":\"1.2.3\",\"b\":\"1e\",\"c\":\".\",\"d\":\"-x\",\"e\":\"12abc\","
		  "\"f\":\"1_000\",\"g\":\"1e5x\"}");
}

UNIT_TEST(plain_floats)
{
	struct json_object *v = NULL;

	CHECK_INT(vtype("v: 1.5", &v), json_type_double);
	CHECK(json_object_get_double(v) == 1.5);
	json_object_put(v);
	CHECK_INT(vtype("v: -2.25e3", &v), json_type_double);
	CHECK(json_object_get_double(v) == -2250.0);
	json_object_put(v);
	CHECK_INT(vtype("v: .5", &v), json_type_double);
	CHECK(json_object_get_double(v) == 0.5);
	json_object_put(v);
	CHECK_INT(vtype("v: 3.", &v), json_type_double);
	CHECK(json_object_get_double(v) == 3.0);
	json_object_put(v);
	CHECK_INT(vtype("v: 1E+2", &v), json_type_double);
	CHECK(json_object_get_double(v) == 100.0);
	json_object_put(v);
	CHECK_INT(vtype("v: -.inf", &v), json_type_double);
	CHECK(isinf(json_object_get_double(v)) && json_object_get_double(v) < 0);
	json_object_put(v);
	CHECK_INT(vtype("v: .Inf", &v), json_type_double);
	CHECK(isinf(json_object_get_double(v)) && json_object_get_double(v) > 0);
	json_object_put(v);
	CHECK_INT(vtype("v: .NaN", &v), json_type_double);
	CHECK(isnan(json_object_get_double(v)));
	json_object_put(v);
}

UNIT_TEST(quoted_and_tagged_scalars_stay_strings)
{
	CHECK_STR(
	    y2j("a: \"true\"\nb: '123'\nc: \"\"\nd: '~'\ne: !!str 42\nf: ! 0x10\n"),
	    "{\"a\":\"true\",\"b\":\"123\",\"c\":\"\",\"d\":\"~\",\"e\":\"42\",\"f\":\"0x10\"}");
	/* block scalars are strings, whatever they look like */
	CHECK_STR(y2j("a: |\n  42\nb: >-\n  true\n"), "{\"a\":\"42\\n\",\"b\":\"true\"}");
	/* other tags resolve like untagged plain scalars */
	CHECK_STR(y2j("a: !!int 7\n"), "{\"a\":7}");
	/* a double-quoted NUL escape is kept, with the length */
	CHECK_STR(y2j("a: \"x\\0y\"\n"), "{\"a\":\"x\\u0000y\"}");
}

UNIT_TEST(structure_block_and_flow)
{
	CHECK_STR(y2j("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n"
		      "    app: web\nspec:\n  containers:\n  - name: app\n    image: nginx:1.25\n"
		      "  - {name: side, image: \"busybox\"}\n"),
		  "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\","
		  "\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"app\","
		  "\"image\":\"nginx:1.25\"},{\"name\":\"side\",\"image\":\"busybox\"}]}}");
	CHECK_STR(y2j("- 1\n- [a, b]\n- {}\n- []\n"), "[1,[\"a\",\"b\"],{},[]]");
	CHECK_STR(y2j("just a string"), "\"just a string\"");
	CHECK_STR(y2j("42"), "42");
	/* duplicate keys: the last one wins */
	CHECK_STR(y2j("a: 1\na: 2\n"), "{\"a\":2}");
	/* keys are their text, never resolved */
	CHECK_STR(y2j("1: a\ntrue: b\nnull: c\n"), "{\"1\":\"a\",\"true\":\"b\",\"null\":\"c\"}");
}

UNIT_TEST(json_input)
{
	CHECK_STR(y2j("{\"a\": [1, 2.5e0, {\"b\": null}], \"c\": \"x/y\", \"d\": false}"),
		  "{\"a\":[1,2.5,{\"b\":null}],\"c\":\"x/y\",\"d\":false}");
	CHECK_STR(y2j("{\"a\":1,\"b\":[true]}"), "{\"a\":1,\"b\":[true]}");
	CHECK_STR(y2j("{\"s\": \"\\u00e9\\n\\t\"}"), "{\"s\":\"\xc3\xa9\\n\\t\"}");
}

UNIT_TEST(first_document_only_and_empty)
{
	struct json_object *o = (struct json_object *)0x1;

	CHECK_STR(y2j("a: 1\n---\nb: 2\n"), "{\"a\":1}");
	CHECK_STR(y2j("---\na: 1\n...\n---\n[broken\n"), "{\"a\":1}");
	CHECK_INT(yamljson__parse("e", "", 0, &o, err, sizeof(err)), 0);
	CHECK(o == NULL);
	o = (struct json_object *)0x1;
	CHECK_INT(yamljson__parse("e", "# only a comment\n", 17, &o, err, sizeof(err)), 0);
	CHECK(o == NULL);
	o = (struct json_object *)0x1;
	CHECK_INT(yamljson__parse("e", "---\n", 4, &o, err, sizeof(err)), 0);
	CHECK(o == NULL);
	o = (struct json_object *)0x1;
	CHECK_INT(yamljson__parse("e", NULL, 0, &o, err, sizeof(err)), 0);
	CHECK(o == NULL);
}

UNIT_TEST(syntax_errors_name_line_and_column)
{
	CHECK_STR(y2j("a: 1\nb: [1, 2\n"), "(error -22)");
	CHECK(strncmp(err, "t.yaml:3:1: ", 12) == 0);
	CHECK(strstr(err, "flow sequence") != NULL);
	CHECK_STR(y2j("a: 1\n  b: 2\n"), "(error -22)");
	CHECK(strncmp(err, "t.yaml:2:4: ", 12) == 0);
	CHECK_STR(y2j("a: \"unterminated\n"), "(error -22)");
	CHECK(strncmp(err, "t.yaml:2:1: ", 12) == 0);
	/* a mapping as a key has no JSON form */
	CHECK_STR(y2j("? {a: 1}\n: x\n"), "(error -22)");
	CHECK_STR(err, "t.yaml:1:3: mapping key is not a scalar");
	CHECK_STR(y2j("? [a]\n: x\n"), "(error -22)");
	CHECK_STR(err, "t.yaml:1:3: mapping key is not a scalar");
}

UNIT_TEST(anchors_and_aliases_rejected)
{
	CHECK_STR(y2j("a: &x 1\nb: *x\n"), "(error -22)");
	CHECK_STR(err, "t.yaml:1:4: anchors are not allowed");
	CHECK_STR(y2j("base: &b {x: 1}\n"), "(error -22)");
	CHECK_STR(err, "t.yaml:1:7: anchors are not allowed");
	/* an alias to an anchor libyaml never saw is still an alias */
	CHECK_STR(y2j("a: 1\nb: *nowhere\n"), "(error -22)");
	CHECK_STR(err, "t.yaml:2:4: aliases are not allowed");
	/* merge keys are aliases too */
	CHECK_STR(y2j("x:\n  <<: *base\n"), "(error -22)");
	CHECK_STR(err, "t.yaml:2:7: aliases are not allowed");
}

UNIT_TEST(alias_bomb)
{
	/* "billion laughs": would expand to 10^9 nodes; stops at the first anchor */
	static const char bomb[] =
	    "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
	    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";

	CHECK_STR(y2j(bomb), "(error -22)");
	CHECK_STR(err, "t.yaml:1:4: anchors are not allowed");
}

/* n nested flow sequences around a scalar. */
static char *nested(int n)
{
	char *s = malloc(2 * n + 2), *p = s;

	if (!s)
		abort();
	for (int i = 0; i < n; i++)
		*p++ = '[';
	*p++ = '1';
	for (int i = 0; i < n; i++)
		*p++ = ']';
	*p = '\0';
	return s;
}

UNIT_TEST(depth_bound)
{
	char *s = nested(64);
	const char *out = y2j(s);

	CHECK(strncmp(out, "[[[[", 4) == 0);
	free(s);
	s = nested(65);
	CHECK_STR(y2j(s), "(error -22)");
	CHECK_STR(err, "t.yaml:1:65: nested deeper than 64 levels");
	free(s);
	s = nested(100000);
	CHECK_STR(y2j(s), "(error -22)");
	CHECK_STR(err, "t.yaml:1:65: nested deeper than 64 levels");
	free(s);
	/* block nesting counts the same way */
	s = malloc(65 * 140);
	if (!s)
		abort();
	s[0] = '\0';
	for (int i = 0; i < 65; i++) {
		char line[160];

		snprintf(line, sizeof(line), "%*sk%d:\n", 2 * i, "", i);
		strcat(s, line);
	}
	strcat(s, "x");
	CHECK_STR(y2j(s), "(error -22)");
	CHECK(strstr(err, "nested deeper than 64 levels") != NULL);
	free(s);
}

UNIT_TEST(invalid_utf8_and_nul)
{
	/* libyaml's reader rejects the byte; the mark is counted from the offset */
	CHECK_STR(y2j("a: ok\nb: x\xff\n"), "(error -22)");
	CHECK_STR(err, "t.yaml:2:5: invalid leading UTF-8 octet");
	CHECK_STR(y2j("a: \xc3\x28\n"), "(error -22)");
	CHECK_STR(err, "t.yaml:1:5: invalid trailing UTF-8 octet");
	CHECK_INT(yamljson__parse("n", "a: b\0c", 6, &(struct json_object *){0}, err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "n:1:5: control characters are not allowed");
	/* valid multi-byte text passes through */
	CHECK_STR(y2j("name: \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"\n"),
		  "{\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");
}

UNIT_TEST(hostile_long_values)
{
	size_t n = 100 * 1024;
	char *s = malloc(n + 16);
	struct json_object *o = NULL, *v = NULL;

	if (!s)
		abort();
	memcpy(s, "v: ", 3);
	memset(s + 3, 'x', n);
	s[n + 3] = '\0';
	CHECK_INT(yamljson__parse("big", s, strlen(s), &o, err, sizeof(err)), 0);
	CHECK(json_object_object_get_ex(o, "v", &v));
	CHECK_INT(json_object_get_string_len(v), n);
	json_object_put(o);
	free(s);
}

static const char *tmp_file(const char *content, size_t len)
{
	static char path[] = "/tmp/vigil-yamljson-XXXXXX";
	int fd;

	strcpy(path, "/tmp/vigil-yamljson-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, content, len), len);
	close(fd);
	return path;
}

UNIT_TEST(parse_file)
{
	struct json_object *o = NULL;
	const char *path = tmp_file("a: [1, 2]\n", 10);
	char want[600];

	CHECK_INT(yamljson__parse_file(path, 1024, &o, err, sizeof(err)), 0);
	CHECK_STR(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "{\"a\":[1,2]}");
	json_object_put(o);
	/* exactly at the cap is allowed, one byte over is not */
	CHECK_INT(yamljson__parse_file(path, 10, &o, err, sizeof(err)), 0);
	json_object_put(o);
	CHECK_INT(yamljson__parse_file(path, 9, &o, err, sizeof(err)), -EFBIG);
	CHECK(o == NULL);
	snprintf(want, sizeof(want), "%s: larger than 9 bytes", path);
	CHECK_STR(err, want);
	unlink(path);
	CHECK_INT(yamljson__parse_file(path, 1024, &o, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	CHECK_STR(err, want);
	CHECK_INT(yamljson__parse_file("/tmp", 1024, &o, err, sizeof(err)), -EISDIR);
	CHECK_STR(err, "/tmp: cannot read: Is a directory");
	/* syntax errors name the file */
	path = tmp_file("a: 1\n- b\n", 9);
	CHECK_INT(yamljson__parse_file(path, 1024, &o, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2:1: ", path);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	unlink(path);
}

UNIT_TEST(small_error_buffer)
{
	char small[8];
	struct json_object *o = NULL;

	CHECK_INT(yamljson__parse("name", "a: *b", 5, &o, small, sizeof(small)), -EINVAL);
	CHECK_STR(small, "name:1:");
	CHECK_INT(yamljson__parse("name", "a: *b", 5, &o, NULL, 0), -EINVAL);
}

int main(void)
{
	return unit_run();
}
