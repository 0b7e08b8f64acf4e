// SPDX-License-Identifier: Apache-2.0
/*
 * ynode: the tree and its marks (line, column, style), every document of a stream, refusals
 * (anchors, aliases, depth, non-scalar keys, bad UTF-8) with their positions, and positions
 * inside scalars of every style, block scalars included.
 */
#include <errno.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "ynode.h"

static struct ydiag err;

static struct ydoc *parse(const char *yaml)
{
	struct ydoc *d = NULL;
	int ret = ydoc__parse("t.yaml", yaml, strlen(yaml), &d, &err);

	CHECK_INT(ret, 0);
	return d;
}

/* "LINE:COL" of the character at off in scalar s */
static const char *pos_at(const struct ydoc *d, const struct ynode *s, size_t off)
{
	static char buf[32];
	unsigned line, col;

	ydoc__scalar_pos(d, s, off, &line, &col);
	snprintf(buf, sizeof(buf), "%u:%u", line, col);
	return buf;
}

/* The offset of the first occurrence of what in s's value. */
static size_t off_of(const struct ynode *s, const char *what)
{
	const char *p = strstr(s->str, what);

	CHECK(p != NULL);
	return p ? (size_t)(p - s->str) : 0;
}

UNIT_TEST(tree_and_marks)
{
	struct ydoc *d = parse("- rule: a\n  tags: [x, 'y']\n- list: b\n  items:\n    - \"c\"\n");
	const struct ynode *seq, *r, *tags;

	if (!d)
		return;
	CHECK_INT(d->ndocs, 1);
	seq = d->docs[0];
	CHECK_INT(seq->kind, YNODE_SEQ);
	CHECK_INT(seq->style, YNODE_BLOCK);
	CHECK_INT(seq->n, 2);
	r = seq->kids[0];
	CHECK_INT(r->kind, YNODE_MAP);
	CHECK_INT(r->n, 2);
	CHECK_INT(r->line, 1);
	CHECK_INT(r->col, 3);
	CHECK_STR(ynode__get(r, "rule")->str, "a");
	CHECK_INT(ynode__get(r, "rule")->col, 9);
	tags = ynode__get(r, "tags");
	CHECK_INT(tags->style, YNODE_FLOW);
	CHECK_INT(tags->n, 2);
	CHECK_INT(tags->kids[0]->style, YNODE_PLAIN);
	CHECK_INT(tags->kids[1]->style, YNODE_SQUOTED);
	CHECK_INT(tags->kids[1]->line, 2);
	CHECK_INT(tags->kids[1]->col, 13);
	CHECK(ynode__get(r, "nope") == NULL);
	CHECK(ynode__get(tags, "x") == NULL);
	CHECK_STR(ynode__get(seq->kids[1], "items")->kids[0]->str, "c");
	CHECK_INT(ynode__get(seq->kids[1], "items")->kids[0]->style, YNODE_DQUOTED);
	CHECK_INT(ynode__get(seq->kids[1], "items")->kids[0]->line, 5);
	ydoc__free(d);
}

UNIT_TEST(scalars_are_kept_as_written)
{
	struct ydoc *d = parse("a: 0x10\nb: true\nc: ~\nd:\ne: 1.50\n");

	if (!d)
		return;
	CHECK_STR(ynode__get(d->docs[0], "a")->str, "0x10");
	CHECK_STR(ynode__get(d->docs[0], "b")->str, "true");
	CHECK_STR(ynode__get(d->docs[0], "c")->str, "~");
	CHECK_INT(ynode__get(d->docs[0], "d")->len, 0);
	CHECK_STR(ynode__get(d->docs[0], "e")->str, "1.50");
	ydoc__free(d);
}

UNIT_TEST(every_document_is_kept)
{
	struct ydoc *d = parse("- a\n---\n---\n- b\n");

	if (!d)
		return;
	CHECK_INT(d->ndocs, 3);
	CHECK_STR(d->docs[0]->kids[0]->str, "a");
	CHECK(d->docs[1] == NULL || d->docs[1]->len == 0);
	CHECK_STR(d->docs[2]->kids[0]->str, "b");
	ydoc__free(d);
	d = parse("");
	CHECK_INT(d ? d->ndocs : 99, 0);
	ydoc__free(d);
}

static void refused(const char *yaml, unsigned line, unsigned col, const char *msg)
{
	struct ydoc *d = (struct ydoc *)0x1;

	CHECK_INT(ydoc__parse("t.yaml", yaml, strlen(yaml), &d, &err), -EINVAL);
	CHECK(d == NULL);
	CHECK_INT(err.line, line);
	CHECK_INT(err.col, col);
	if (!strstr(err.msg, msg))
		printf("  message: %s (wanted %s)\n", err.msg, msg);
	CHECK(strstr(err.msg, msg) != NULL);
}

UNIT_TEST(refusals_with_positions)
{
	char deep[400] = "";

	refused("- a: &x 1\n- b: *x\n", 1, 6, "anchors and aliases");
	refused("- a: 1\n- b: *x\n", 2, 6, "anchors and aliases");
	refused("- rule: a\n  condition: [1\n", 3, 1, "");
	refused("- a: b\n - c\n", 2, 2, "");
	refused("? [a]\n: b\n", 1, 3, "mapping key is not a scalar");
	refused("- a: \"x\xff\"\n", 1, 8, "");
	for (int i = 0; i < 70; i++)
		strcat(deep, "[");
	refused(deep, 1, 65, "nested deeper than 64 levels");
}

UNIT_TEST(missing_file)
{
	struct ydoc *d;

	CHECK_INT(ydoc__load_file("/nonexistent/rules.yaml", &d, &err), -ENOENT);
	CHECK(d == NULL);
	CHECK(strstr(err.msg, "cannot open") != NULL);
	CHECK_INT(err.line, 0);
}

UNIT_TEST(positions_in_plain_and_quoted_scalars)
{
	struct ydoc *d = parse("- c: a = b and c\n"
			       "- c: \"x = 'y' and z\"\n"
			       "- c: 'p = ''q'' and r'\n"
			       "- c: first line\n"
			       "     second = line\n");
	const struct ynode *s;

	if (!d)
		return;
	s = ynode__get(d->docs[0]->kids[0], "c");
	CHECK_STR(pos_at(d, s, 0), "1:6");
	CHECK_STR(pos_at(d, s, off_of(s, "and")), "1:12");
	s = ynode__get(d->docs[0]->kids[1], "c");
	CHECK_STR(pos_at(d, s, 0), "2:7");
	CHECK_STR(pos_at(d, s, off_of(s, "'y'")), "2:11");
	CHECK_STR(pos_at(d, s, off_of(s, "z")), "2:19");
	s = ynode__get(d->docs[0]->kids[2], "c");
	CHECK_STR(pos_at(d, s, off_of(s, "'q'")), "3:11");
	CHECK_STR(pos_at(d, s, off_of(s, "and")), "3:17");
	s = ynode__get(d->docs[0]->kids[3], "c");
	CHECK_STR(s->str, "first line second = line");
	CHECK_STR(pos_at(d, s, off_of(s, "second")), "5:6");
	CHECK_STR(pos_at(d, s, off_of(s, "= line")), "5:13");
	CHECK_STR(pos_at(d, s, s->len), "5:19");
	ydoc__free(d);
}

UNIT_TEST(positions_in_block_scalars)
{
	struct ydoc *d = parse("- condition: >\n"
			       "    spawned_process\n"
			       "    and   proc.name = sh\n"
			       "\n"
			       "    and not (x)\n"
			       "- condition: |\n"
			       "    a = b\n"
			       "      or c\n");
	const struct ynode *s;

	if (!d)
		return;
	s = ynode__get(d->docs[0]->kids[0], "condition");
	CHECK_INT(s->style, YNODE_FOLDED);
	CHECK_STR(pos_at(d, s, 0), "2:5");
	CHECK_STR(pos_at(d, s, off_of(s, "proc.name")), "3:11");
	CHECK_STR(pos_at(d, s, off_of(s, "sh")), "3:23");
	CHECK_STR(pos_at(d, s, off_of(s, "(x)")), "5:13");
	s = ynode__get(d->docs[0]->kids[1], "condition");
	CHECK_INT(s->style, YNODE_LITERAL);
	CHECK_STR(pos_at(d, s, off_of(s, "or c")), "8:7");
	ydoc__free(d);
}

UNIT_TEST(positions_follow_escapes_and_utf8)
{
	struct ydoc *d = parse("- c: \"a\\tb \\\"q\\\" \\x41 z\"\n- c: é = ü and x\n");
	const struct ynode *s;

	if (!d)
		return;
	s = ynode__get(d->docs[0]->kids[0], "c");
	CHECK_STR(s->str, "a\tb \"q\" A z");
	CHECK_STR(pos_at(d, s, off_of(s, "b")), "1:10");
	CHECK_STR(pos_at(d, s, off_of(s, "q")), "1:14");
	CHECK_STR(pos_at(d, s, off_of(s, "A")), "1:18");
	CHECK_STR(pos_at(d, s, off_of(s, "z")), "1:23");
	s = ynode__get(d->docs[0]->kids[1], "c");
	CHECK_STR(pos_at(d, s, off_of(s, "=")), "2:8");
	CHECK_STR(pos_at(d, s, off_of(s, "and")), "2:12");
	ydoc__free(d);
}

UNIT_TEST(cursor_goes_forward_and_back)
{
	struct ydoc *d = parse("k: >\n  one two\n  three four\n");
	const struct ynode *s;
	struct ycursor c;
	unsigned line, col;

	if (!d)
		return;
	s = ynode__get(d->docs[0], "k");
	ydoc__cursor_init(&c, d, s);
	ydoc__cursor_pos(&c, off_of(s, "three"), &line, &col);
	CHECK_INT(line, 3);
	CHECK_INT(col, 3);
	ydoc__cursor_pos(&c, off_of(s, "three"), &line, &col);
	CHECK_INT(line * 100 + col, 303);
	ydoc__cursor_pos(&c, off_of(s, "four"), &line, &col);
	CHECK_INT(line * 100 + col, 309);
	ydoc__cursor_pos(&c, off_of(s, "two"), &line, &col);
	CHECK_INT(line * 100 + col, 207);
	ydoc__free(d);
}

int main(void)
{
	return unit_run();
}
