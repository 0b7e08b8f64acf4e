// SPDX-License-Identifier: Apache-2.0
/*
 * YAML -> ynode trees with libyaml's event parser. The tree is built with an explicit stack of
 * open collections, not by recursion; each collection gathers its children in a heap vector
 * that is copied into the arena when the collection closes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "ynode.h"
#include "yaml_event.h"

/* Memory for one file's tree: generous for rule files (a few bytes of YAML each node), small
 * enough that a hostile file is refused long before it hurts. */
#define YDOC_ARENA_MAX (256u << 20)

struct yframe {
	struct ynode *node;
	struct ynode **kids; /* heap, copied into the arena at the end */
	size_t n, cap;
};

struct ybuild {
	struct ydoc *d;
	yaml_parser_t parser;
	struct yframe stack[YDOC_DEPTH_MAX];
	int depth;
	size_t nodes;
	struct ynode **docs; /* heap */
	size_t ndocs, capdocs;
	bool in_doc, doc_has_root, done;
	struct ydiag *err;
};

static int yfail(struct ybuild *b, int ret, size_t line0, size_t col0, const char *what)
{
	b->err->line = (unsigned)line0 + 1;
	b->err->col = (unsigned)col0 + 1;
	snprintf(b->err->msg, sizeof(b->err->msg), "%s", what);
	return ret;
}

/* libyaml's own errors. A reader error (bad UTF-8, a NUL byte) has a byte offset, not a mark. */
static int yparser_error(struct ybuild *b)
{
	yaml_parser_t *p = &b->parser;
	yaml_mark_t m = p->problem_mark;
	char what[200];

	if (p->error == YAML_MEMORY_ERROR)
		return yfail(b, -ENOMEM, m.line, m.column, "out of memory");
	if (p->error == YAML_READER_ERROR) {
		memset(&m, 0, sizeof(m));
		for (size_t i = 0; i < p->problem_offset && i < b->d->srclen; i++) {
			m.column = b->d->src[i] == '\n' ? 0 : m.column + 1;
			m.line += b->d->src[i] == '\n';
		}
	}
	snprintf(what, sizeof(what), "%s%s%s", p->problem ? p->problem : "syntax error",
		 p->context ? " " : "", p->context ? p->context : "");
	return yfail(b, -EINVAL, m.line, m.column, what);
}

static int vec_push(struct ynode ***v, size_t *n, size_t *cap, struct ynode *x)
{
	struct ynode **nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int ynew(struct ybuild *b, enum ynode_kind kind, const yaml_event_t *ev, struct ynode **out)
{
	struct ynode *n;

	if (b->nodes >= YDOC_NODES_MAX)
		return yfail(b, -EINVAL, ev->start_mark.line, ev->start_mark.column,
			     "too many nodes in one file");
	n = arena__alloc(&b->d->arena, sizeof(*n));
	if (!n)
		return yfail(b, -ENOMEM, ev->start_mark.line, ev->start_mark.column,
			     "out of memory");
	b->nodes++;
	n->kind = kind;
	n->line = (unsigned)ev->start_mark.line + 1;
	n->col = (unsigned)ev->start_mark.column + 1;
	n->end_line = (unsigned)ev->end_mark.line + 1;
	n->end_col = (unsigned)ev->end_mark.column + 1;
	*out = n;
	return 0;
}

/* Attach n to the open collection, or make it the document's root. */
static int yattach(struct ybuild *b, struct ynode *n, const yaml_event_t *ev)
{
	struct yframe *f;

	if (!b->depth) {
		if (vec_push(&b->docs, &b->ndocs, &b->capdocs, n))
			return yfail(b, -ENOMEM, 0, 0, "out of memory");
		b->doc_has_root = true;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->node->kind == YNODE_MAP && f->n % 2 == 0 && n->kind != YNODE_SCALAR)
		return yfail(b, -EINVAL, ev->start_mark.line, ev->start_mark.column,
			     "mapping key is not a scalar");
	if (vec_push(&f->kids, &f->n, &f->cap, n))
		return yfail(b, -ENOMEM, 0, 0, "out of memory");
	return 0;
}

static enum ynode_style scalar_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return YNODE_SQUOTED;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return YNODE_DQUOTED;
	case YAML_LITERAL_SCALAR_STYLE:
		return YNODE_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return YNODE_FOLDED;
	default:
		return YNODE_PLAIN;
	}
}

static int on_scalar(struct ybuild *b, const yaml_event_t *ev)
{
	struct ynode *n;
	int ret = ynew(b, YNODE_SCALAR, ev, &n);

	if (ret)
		return ret;
	n->style = scalar_style(ev->data.scalar.style);
	n->len = ev->data.scalar.length;
	n->str = arena__strndup(&b->d->arena, (const char *)ev->data.scalar.value, n->len);
	if (!n->str)
		return yfail(b, -ENOMEM, 0, 0, "out of memory");
	return yattach(b, n, ev);
}

static int on_start(struct ybuild *b, const yaml_event_t *ev)
{
	bool map = ev->type == YAML_MAPPING_START_EVENT;
	struct ynode *n;
	int ret;

	if (b->depth == YDOC_DEPTH_MAX)
		return yfail(b, -EINVAL, ev->start_mark.line, ev->start_mark.column,
			     "nested deeper than 64 levels");
	ret = ynew(b, map ? YNODE_MAP : YNODE_SEQ, ev, &n);
	if (ret)
		return ret;
	if (map)
		n->style = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE ? YNODE_FLOW
										   : YNODE_BLOCK;
	else
		n->style = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE ? YNODE_FLOW
										     : YNODE_BLOCK;
	ret = yattach(b, n, ev);
	if (ret)
		return ret;
	b->stack[b->depth++] = (struct yframe){.node = n};
	return 0;
}

/* Close the open collection: its children move into the arena. */
static int on_end(struct ybuild *b, const yaml_event_t *ev)
{
	struct yframe *f = &b->stack[--b->depth];
	struct ynode *n = f->node;

	n->end_line = (unsigned)ev->end_mark.line + 1;
	n->end_col = (unsigned)ev->end_mark.column + 1;
	n->n = n->kind == YNODE_MAP ? f->n / 2 : f->n;
	if (f->n) {
		n->kids = arena__calloc(&b->d->arena, f->n, sizeof(*n->kids));
		if (!n->kids) {
			free(f->kids);
			return yfail(b, -ENOMEM, 0, 0, "out of memory");
		}
		memcpy(n->kids, f->kids, f->n * sizeof(*n->kids));
	}
	free(f->kids);
	f->kids = NULL;
	return 0;
}

static int on_event(struct ybuild *b, const yaml_event_t *ev)
{
	if (ev->type == YAML_ALIAS_EVENT || vg_yaml_anchor(ev))
		return yfail(b, -EINVAL, ev->start_mark.line, ev->start_mark.column,
			     "anchors and aliases are not supported");
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_start(b, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(b, ev);
	case YAML_DOCUMENT_START_EVENT:
		b->doc_has_root = false;
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		/* an empty document is kept as NULL so that documents keep their numbers */
		if (!b->doc_has_root && vec_push(&b->docs, &b->ndocs, &b->capdocs, NULL))
			return yfail(b, -ENOMEM, 0, 0, "out of memory");
		return 0;
	case YAML_STREAM_END_EVENT:
		b->done = true;
		return 0;
	default:
		return 0;
	}
}

static int index_lines(struct ydoc *d)
{
	size_t n = 1, i;

	for (i = 0; i < d->srclen; i++)
		n += d->src[i] == '\n';
	d->lines = arena__calloc(&d->arena, n, sizeof(*d->lines));
	if (!d->lines)
		return -ENOMEM;
	d->nlines = 1;
	for (i = 0; i < d->srclen; i++)
		if (d->src[i] == '\n')
			d->lines[d->nlines++] = i + 1;
	return 0;
}

static struct ydoc *ydoc_new(const char *name, const char *buf, size_t len)
{
	struct ydoc *d = calloc(1, sizeof(*d));
	char *src;

	if (!d)
		return NULL;
	arena__init(&d->arena, YDOC_ARENA_MAX);
	d->name = arena__strdup(&d->arena, name ? name : "");
	src = arena__strndup(&d->arena, buf ? buf : "", buf ? len : 0);
	if (!d->name || !src) {
		ydoc__free(d);
		return NULL;
	}
	d->src = src;
	d->srclen = buf ? len : 0;
	if (index_lines(d)) {
		ydoc__free(d);
		return NULL;
	}
	return d;
}

static int ybuild_run(struct ybuild *b)
{
	yaml_event_t ev;
	int ret = 0;

	yaml_parser_set_input_string(&b->parser, (const unsigned char *)b->d->src, b->d->srclen);
	while (!ret && !b->done) {
		if (!yaml_parser_parse(&b->parser, &ev))
			return yparser_error(b);
		ret = on_event(b, &ev);
		yaml_event_delete(&ev);
	}
	return ret;
}

int ydoc__parse(const char *name, const char *buf, size_t len, struct ydoc **out, struct ydiag *err)
{
	struct ybuild b = {.err = err};
	int ret;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	b.d = ydoc_new(name, buf, len);
	if (!b.d || !yaml_parser_initialize(&b.parser)) {
		ydoc__free(b.d);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	ret = ybuild_run(&b);
	for (int i = 0; i < b.depth; i++)
		free(b.stack[i].kids);
	yaml_parser_delete(&b.parser);
	if (!ret && b.ndocs) {
		b.d->docs = arena__calloc(&b.d->arena, b.ndocs, sizeof(*b.d->docs));
		if (!b.d->docs)
			ret = yfail(&b, -ENOMEM, 0, 0, "out of memory");
		else
			memcpy(b.d->docs, b.docs, b.ndocs * sizeof(*b.docs));
		b.d->ndocs = b.ndocs;
	}
	free(b.docs);
	if (ret) {
		ydoc__free(b.d);
		return ret;
	}
	*out = b.d;
	return 0;
}

void ydoc__free(struct ydoc *d)
{
	if (!d)
		return;
	arena__free(&d->arena);
	free(d);
}

/* Read all of fd, at most max bytes; -EFBIG beyond. */
static int read_fd(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *nb;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			return -EFBIG;
		}
	}
	*out = buf;
	*len = n;
	return 0;
}

int ydoc__load_file(const char *path, struct ydoc **out, struct ydiag *err)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(-ret));
		return ret;
	}
	ret = read_fd(fd, YDOC_FILE_MAX, &buf, &len);
	close(fd);
	if (ret == -EFBIG)
		snprintf(err->msg, sizeof(err->msg), "larger than %u bytes", YDOC_FILE_MAX);
	else if (ret)
		snprintf(err->msg, sizeof(err->msg), "cannot read: %s", strerror(-ret));
	if (!ret)
		ret = ydoc__parse(path, buf, len, out, err);
	free(buf);
	return ret;
}

const struct ynode *ynode__get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct ynode *k = map->kids[2 * i];

		if (k->kind == YNODE_SCALAR && strcmp(k->str, key) == 0)
			return map->kids[2 * i + 1];
	}
	return NULL;
}

bool ynode__is_scalar(const struct ynode *n)
{
	return n && n->kind == YNODE_SCALAR;
}
