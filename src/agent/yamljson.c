// SPDX-License-Identifier: Apache-2.0
/*
 * YAML -> json-c with libyaml's event parser. The tree is built with an explicit stack, not by
 * recursion, and libyaml itself does not recurse, so nesting costs no C stack; the depth bound
 * is for the consumers, which walk the tree recursively (json-c's own free included).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <yaml.h>

#include "yamljson.h"
#include "yaml_event.h"

#define YJ_DEPTH_MAX 64

struct yj_frame {
	struct json_object *obj; /* borrowed: owned by its parent, or the root */
	char *key;		 /* a mapping's key whose value is pending, NULL if none */
};

struct yj {
	const char *name, *buf;
	yaml_parser_t parser;
	struct yj_frame stack[YJ_DEPTH_MAX];
	int depth;
	struct json_object *root;
	bool done;
	char *err;
	size_t errsz;
};

static int yj_fail(struct yj *y, int ret, yaml_mark_t mark, const char *what)
{
	snprintf(y->err, y->errsz, "%s:%zu:%zu: %s", y->name, mark.line + 1, mark.column + 1, what);
	return ret;
}

/* libyaml's own errors. A reader error (bad UTF-8, a NUL byte) has only a byte offset, so the
 * line and column are counted from the buffer. */
static int yj_parser_error(struct yj *y)
{
	yaml_parser_t *p = &y->parser;
	yaml_mark_t mark = p->problem_mark;
	char what[256];

	if (p->error == YAML_MEMORY_ERROR)
		return yj_fail(y, -ENOMEM, mark, "out of memory");
	if (p->error == YAML_READER_ERROR) {
		memset(&mark, 0, sizeof(mark));
		for (size_t i = 0; i < p->problem_offset; i++) {
			mark.column = y->buf[i] == '\n' ? 0 : mark.column + 1;
			mark.line += y->buf[i] == '\n';
		}
	}
	snprintf(what, sizeof(what), "%s%s%s", p->problem ? p->problem : "syntax error",
		 p->context ? " " : "", p->context ? p->context : "");
	return yj_fail(y, -EINVAL, mark, what);
}

static bool all_of(const char *s, size_t len, const char *set)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(set, s[i]))
			return false;
	return len > 0;
}

static bool one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

/* Integers of the YAML 1.2 core schema: decimal with a sign, 0o octal, 0x hex. One that does
 * not fit int64 stays a string rather than losing digits (or becoming a float). Returns false
 * when s is not an integer; *out is NULL if the object could not be made. */
static bool plain_int(const char *s, size_t len, struct json_object **out)
{
	const char *digits = s + (*s == '-' || *s == '+');
	bool hex = len > 2 && s[0] == '0' && s[1] == 'x',
	     oct = len > 2 && s[0] == '0' && s[1] == 'o';
	unsigned long long u;
	long long v;

	errno = 0;
	if (hex || oct) {
		if (!all_of(s + 2, len - 2, hex ? "0123456789abcdefABCDEF" : "01234567"))
			return false;
		u = strtoull(s + 2, NULL, hex ? 16 : 8);
		v = (long long)u;
		if (errno || u > LLONG_MAX)
			errno = ERANGE;
	} else if (all_of(digits, len - (digits - s), "0123456789")) {
		v = strtoll(s, NULL, 10);
	} else {
		return false;
	}
	if (errno)
		*out = json_object_new_string_len(s, len);
	else
		*out = json_object_new_int64(v);
	return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float(const char *s)
{
	size_t ndig = 0;

	s += *s == '-' || *s == '+';
	for (; *s >= '0' && *s <= '9'; s++)
		ndig++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			ndig++;
	if (!ndig)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		s += *s == '-' || *s == '+';
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static bool plain_float(const char *s, struct json_object **out)
{
	static const char *const inf[] = {".inf", ".Inf", ".INF", NULL};
	static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
	const char *u = s + (*s == '-' || *s == '+');

	if (one_of(u, inf))
		*out = json_object_new_double(*s == '-' ? -HUGE_VAL : HUGE_VAL);
	else if (one_of(s, nan))
		*out = json_object_new_double(NAN);
	else if (is_float(s))
		*out = json_object_new_double(strtod(s, NULL));
	else
		return false;
	return true;
}

/* A plain scalar's value; *out NULL is a JSON null. -ENOMEM if an object could not be made. */
static int plain_scalar(const char *s, size_t len, struct json_object **out)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};

	*out = NULL;
	if (!len || one_of(s, nulls))
		return 0;
	if (one_of(s, trues) || one_of(s, falses))
		*out = json_object_new_boolean(one_of(s, trues));
	else if (!plain_int(s, len, out) && !plain_float(s, out))
		*out = json_object_new_string_len(s, len);
	return *out ? 0 : -ENOMEM;
}

/* Quoted, block and explicitly !!str (or "!") tagged scalars are strings; the rest resolve. */
static int scalar_value(const yaml_event_t *ev, struct json_object **out)
{
	const char *s = (const char *)ev->data.scalar.value,
		   *tag = (const char *)ev->data.scalar.tag;
	size_t len = ev->data.scalar.length;
	bool str_tag = tag && (strcmp(tag, YAML_STR_TAG) == 0 || strcmp(tag, "!") == 0);

	if (len > INT_MAX)
		return -EFBIG;
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !str_tag)
		return plain_scalar(s, len, out);
	*out = json_object_new_string_len(s, len);
	return *out ? 0 : -ENOMEM;
}

/* Put v (owned) where it belongs: the root, the array on top, or the pending key's slot. */
static int yj_add(struct yj *y, struct json_object *v)
{
	struct yj_frame *f = y->depth ? &y->stack[y->depth - 1] : NULL;
	int ret;

	if (!f) {
		y->root = v;
		return 0;
	}
	if (json_object_is_type(f->obj, json_type_array)) {
		ret = json_object_array_add(f->obj, v);
	} else {
		ret = json_object_object_add(f->obj, f->key, v);
		free(f->key);
		f->key = NULL;
	}
	if (ret) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* True when the top frame is a mapping waiting for a key. */
static bool wants_key(const struct yj *y)
{
	const struct yj_frame *f = y->depth ? &y->stack[y->depth - 1] : NULL;

	return f && json_object_is_type(f->obj, json_type_object) && !f->key;
}

static int on_scalar(struct yj *y, const yaml_event_t *ev)
{
	struct json_object *v;
	int ret;

	if (wants_key(y)) {
		y->stack[y->depth - 1].key = strdup((const char *)ev->data.scalar.value);
		return y->stack[y->depth - 1].key ? 0 : -ENOMEM;
	}
	ret = scalar_value(ev, &v);
	if (ret)
		return ret == -EFBIG ? yj_fail(y, -EINVAL, ev->start_mark, "scalar too long") : ret;
	return yj_add(y, v);
}

static int on_start(struct yj *y, const yaml_event_t *ev)
{
	bool map = ev->type == YAML_MAPPING_START_EVENT;
	struct json_object *o;
	int ret;

	if (wants_key(y))
		return yj_fail(y, -EINVAL, ev->start_mark, "mapping key is not a scalar");
	if (y->depth == YJ_DEPTH_MAX)
		return yj_fail(y, -EINVAL, ev->start_mark, "nested deeper than 64 levels");
	o = map ? json_object_new_object() : json_object_new_array();
	if (!o)
		return -ENOMEM;
	ret = yj_add(y, o);
	if (ret)
		return ret;
	y->stack[y->depth++] = (struct yj_frame){.obj = o};
	return 0;
}

static int on_event(struct yj *y, const yaml_event_t *ev)
{
	if (ev->type == YAML_ALIAS_EVENT)
		return yj_fail(y, -EINVAL, ev->start_mark, "aliases are not allowed");
	if (vg_yaml_anchor(ev))
		return yj_fail(y, -EINVAL, ev->start_mark, "anchors are not allowed");
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return on_scalar(y, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_start(y, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		y->depth--;
		return 0;
	case YAML_DOCUMENT_END_EVENT:
	case YAML_STREAM_END_EVENT:
		y->done = true; /* the first document only; an empty stream is null */
		return 0;
	default:
		return 0;
	}
}

static void yj_cleanup(struct yj *y)
{
	for (int i = 0; i < y->depth; i++)
		free(y->stack[i].key);
	y->depth = 0;
	yaml_parser_delete(&y->parser);
}

int yamljson__parse(const char *name, const char *buf, size_t len, struct json_object **out,
		    char *err, size_t errsz)
{
	struct yj y = {.name = name ? name : "", .buf = buf, .err = err, .errsz = errsz};
	yaml_event_t ev;
	int ret = 0;

	*out = NULL;
	if (errsz)
		err[0] = '\0';
	if (!yaml_parser_initialize(&y.parser))
		return yj_fail(&y, -ENOMEM, (yaml_mark_t){0}, "out of memory");
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)(buf ? buf : ""), len);
	while (!ret && !y.done) {
		if (!yaml_parser_parse(&y.parser, &ev)) {
			ret = yj_parser_error(&y);
			break;
		}
		ret = on_event(&y, &ev);
		yaml_event_delete(&ev);
	}
	if (ret == -ENOMEM && errsz && !*err)
		yj_fail(&y, ret, y.parser.mark, "out of memory");
	yj_cleanup(&y);
	if (ret) {
		json_object_put(y.root);
		return ret;
	}
	*out = y.root;
	return 0;
}

/* Read all of fd, at most max bytes; -EFBIG beyond. */
static int read_all(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *nb;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb)
				goto fail_errno;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail_errno;
		if (r == 0)
			break;
		n += r;
		if (n > max) {
			free(buf);
			return -EFBIG;
		}
	}
	*out = buf;
	*len = n;
	return 0;
fail_errno:
	r = errno ? -errno : -ENOMEM;
	free(buf);
	return r;
}

int yamljson__parse_file(const char *path, size_t max_bytes, struct json_object **out, char *err,
			 size_t errsz)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errsz, "%s: cannot open: %s", path, strerror(-ret));
		return ret;
	}
	ret = read_all(fd, max_bytes, &buf, &len);
	close(fd);
	if (ret == -EFBIG)
		snprintf(err, errsz, "%s: larger than %zu bytes", path, max_bytes);
	else if (ret)
		snprintf(err, errsz, "%s: cannot read: %s", path, strerror(-ret));
	if (!ret)
		ret = yamljson__parse(path, buf, len, out, err, errsz);
	free(buf);
	return ret;
}
