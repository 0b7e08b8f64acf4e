/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML files as trees of nodes that remember where they came from (line, column, style), for
 * readers that must point at the exact place of every error: the rule loader. yamljson.c is for
 * readers that want json-c objects and no positions.
 *
 * Scalars are kept as written (no null/bool/int resolution): the reader decides. Anchors and
 * aliases are refused, nesting is bounded (YDOC_DEPTH_MAX) and so are the node count
 * (YDOC_NODES_MAX) and the memory, so a hostile file cannot blow up memory or the stack. All
 * documents of a stream are kept. Lines and columns count from 1; columns count characters.
 */
#ifndef VIGIL_YNODE_H
#define VIGIL_YNODE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define YDOC_DEPTH_MAX 64
#define YDOC_NODES_MAX (1u << 20)
#define YDOC_FILE_MAX  (16u << 20) /* bytes of one file */

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

enum ynode_style {
	YNODE_PLAIN,
	YNODE_SQUOTED, /* 'single' */
	YNODE_DQUOTED, /* "double" */
	YNODE_LITERAL, /* | block */
	YNODE_FOLDED,  /* > block */
	YNODE_BLOCK,   /* a block sequence or mapping */
	YNODE_FLOW,    /* [a, b] or {a: b} */
};

struct ynode {
	enum ynode_kind kind;
	enum ynode_style style;
	unsigned line, col; /* where the node starts: its first character, quote or indicator */
	unsigned end_line, end_col; /* just past its last character */
	const char *str;	    /* scalar: the value, NUL terminated (may hold NULs: use len) */
	size_t len;
	size_t n;	     /* sequence: items; mapping: pairs */
	struct ynode **kids; /* sequence: n items; mapping: kids[2i] key, kids[2i + 1] value */
};

struct ydoc {
	const char *name; /* as given to the parser, e.g. the file path */
	size_t ndocs;
	struct ynode **docs; /* documents in stream order; NULL for an empty document */
	/* private */
	struct arena arena;
	const char *src;
	size_t srclen;
	size_t *lines; /* byte offset of the start of each line */
	size_t nlines;
};

/* Where and what: 1-based line and column, 0 when the error has no position. */
struct ydiag {
	unsigned line, col;
	char msg[256];
};

/* Parse buf[0..len) (copied). On success *out is a new tree and 0 is returned. On failure:
 * -EINVAL (syntax, anchor or alias, too deep, too many nodes, not UTF-8) or -ENOMEM, with the
 * position and message in *err. */
int ydoc__parse(const char *name, const char *buf, size_t len, struct ydoc **out,
		struct ydiag *err);
/* Same for a file of at most YDOC_FILE_MAX bytes (-EFBIG beyond); I/O errors are negative
 * errnos with a message and no position. */
int ydoc__load_file(const char *path, struct ydoc **out, struct ydiag *err);
void ydoc__free(struct ydoc *d);

/* The value of the first `key` of a mapping; NULL when absent or when map is not a mapping. */
const struct ynode *ynode__get(const struct ynode *map, const char *key);
bool ynode__is_scalar(const struct ynode *n);

/* The line and column in d's source of the character at byte offset `off` of the scalar s's
 * value. Exact for plain, quoted and block scalars whose characters appear in the source as
 * they appear in the value; YAML folding (line breaks become spaces) is followed. Where the
 * value differs from the source (escape sequences in double quotes), the position is that of
 * the nearest character that matches, or of the scalar's start. An offset at or past the end
 * gives the scalar's end. */
void ydoc__scalar_pos(const struct ydoc *d, const struct ynode *s, size_t off, unsigned *line,
		      unsigned *col);

/* The same for many offsets of one scalar: each call continues from the last one, so offsets
 * asked in increasing order cost one pass over the scalar in all (going back starts over). */
struct ycursor {
	const struct ydoc *d;
	const struct ynode *s;
	size_t start, end, si, off;
	size_t last_off; /* the last answer, asked again by the parser */
	unsigned last_line, last_col;
	size_t at; /* the source byte of the last answer, to count lines and columns onwards */
	bool lost; /* the value stopped matching the source: positions are the scalar's start */
};

void ydoc__cursor_init(struct ycursor *c, const struct ydoc *d, const struct ynode *s);
void ydoc__cursor_pos(struct ycursor *c, size_t off, unsigned *line, unsigned *col);

#endif /* VIGIL_YNODE_H */
