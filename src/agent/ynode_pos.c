// SPDX-License-Identifier: Apache-2.0
/*
 * Positions inside scalars. libyaml reports where a scalar starts and ends, not where each of
 * its characters came from, and YAML rewrites values (folds lines, drops indentation and
 * quotes, decodes escapes). To find where a character of the value was written, walk the value
 * and the source side by side: every character that is not white space appears in the source in
 * the same order, so matching them one by one recovers its place. White space is never matched,
 * since folding changes it.
 */
#include <stdbool.h>
#include <string.h>

#include "ynode.h"

#define NOT_FOUND ((size_t)-1)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Byte offset of a 1-based (line, column); columns count UTF-8 characters. */
static size_t byte_at(const struct ydoc *d, unsigned line, unsigned col)
{
	size_t i, end;

	if (line == 0 || line > d->nlines)
		return d->srclen;
	i = d->lines[line - 1];
	end = line < d->nlines ? d->lines[line] : d->srclen;
	for (unsigned c = 1; c < col && i < end; c++) {
		i++;
		while (i < end && ((unsigned char)d->src[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

static void pos_of(const struct ydoc *d, size_t off, unsigned *line, unsigned *col)
{
	size_t lo = 0, hi = d->nlines, n = 1;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t i = d->lines[lo]; i < off && i < d->srclen; i++)
		n += ((unsigned char)d->src[i] & 0xc0) != 0x80;
	*line = (unsigned)lo + 1;
	*col = (unsigned)n;
}

/* Length of a double-quoted escape starting at the backslash src[k]. */
static size_t escape_len(const char *src, size_t k, size_t end)
{
	size_t n = 2;

	if (k + 1 >= end)
		return 1;
	switch (src[k + 1]) {
	case 'x':
		n += 2;
		break;
	case 'u':
		n += 4;
		break;
	case 'U':
		n += 8;
		break;
	default:
		break;
	}
	return k + n <= end ? n : end - k;
}

/* Where the value character c was written, searching src[*si..end). Only blanks, quotes and
 * escapes may be skipped; meeting another character means the two texts no longer align. */
static size_t find_char(const struct ydoc *d, const struct ynode *s, size_t *si, size_t end, char c)
{
	for (size_t k = *si; k < end; k++) {
		char x = d->src[k];

		if (x == c) {
			*si = k + 1;
			return k;
		}
		if (x == '\\' && s->style == YNODE_DQUOTED) {
			if (k + 1 < end && d->src[k + 1] == c) {
				*si = k + 2;
				return k + 1;
			}
			if (k + 1 < end && d->src[k + 1] && strchr("tnr \t\r\n", d->src[k + 1])) {
				k++; /* an escaped blank, or a line continuation: blanks never match
				      */
				continue;
			}
			*si = k + escape_len(d->src, k, end); /* \x41 stands for one character */
			return k;
		}
		if (!is_blank(x) && x != '\'' && x != '"')
			return NOT_FOUND;
	}
	return NOT_FOUND;
}

/* First byte of the value's text in the source: after the quote, after a block header line. */
static size_t content_start(const struct ydoc *d, const struct ynode *s, size_t start, size_t end)
{
	if (s->style == YNODE_SQUOTED || s->style == YNODE_DQUOTED)
		return start + 1 <= end ? start + 1 : end;
	if (s->style == YNODE_LITERAL || s->style == YNODE_FOLDED) {
		while (start < end && d->src[start] != '\n')
			start++;
		return start < end ? start + 1 : end;
	}
	return start;
}

void ydoc__cursor_init(struct ycursor *c, const struct ydoc *d, const struct ynode *s)
{
	c->d = d;
	c->s = s;
	c->start = byte_at(d, s->line, s->col);
	c->end = byte_at(d, s->end_line, s->end_col);
	c->si = content_start(d, s, c->start, c->end);
	c->off = 0;
	c->lost = s->kind != YNODE_SCALAR || c->end < c->start;
	c->last_off = (size_t)-1;
	c->at = (size_t)-1;
}

/* Line and column of source byte at: onwards from the last answer when it is before it (a
 * condition of one long line must not be counted from its start at every token). */
static void cursor_line_col(struct ycursor *c, size_t at, unsigned *line, unsigned *col)
{
	const char *src = c->d->src;

	if (c->at == (size_t)-1 || at < c->at) {
		pos_of(c->d, at, line, col);
		c->at = at;
		return;
	}
	*line = c->last_line;
	*col = c->last_col;
	for (size_t i = c->at; i < at; i++) {
		if (src[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)src[i] & 0xc0) != 0x80) {
			++*col;
		}
	}
	c->at = at;
}

void ydoc__cursor_pos(struct ycursor *c, size_t off, unsigned *line, unsigned *col)
{
	const struct ynode *s = c->s;
	size_t at;

	if (off == c->last_off) {
		*line = c->last_line;
		*col = c->last_col;
		return;
	}
	if (off < c->off) /* going back: start over */
		ydoc__cursor_init(c, c->d, s);
	*line = s->line;
	*col = s->col;
	if (c->lost)
		return;
	if (off >= s->len) {
		*line = s->end_line;
		*col = s->end_col;
		return;
	}
	for (; c->off < off; c->off++) {
		if (is_blank(s->str[c->off]))
			continue;
		if (find_char(c->d, s, &c->si, c->end, s->str[c->off]) == NOT_FOUND) {
			c->lost = true;
			return;
		}
	}
	/* a blank is placed just after what precedes it; a matched character is consumed */
	if (is_blank(s->str[off])) {
		at = c->si;
	} else {
		at = find_char(c->d, s, &c->si, c->end, s->str[off]);
		if (at == NOT_FOUND) {
			c->lost = true;
			return;
		}
		c->off = off + 1;
	}
	cursor_line_col(c, at, line, col);
	c->last_off = off;
	c->last_line = *line;
	c->last_col = *col;
}

void ydoc__scalar_pos(const struct ydoc *d, const struct ynode *s, size_t off, unsigned *line,
		      unsigned *col)
{
	struct ycursor c;

	ydoc__cursor_init(&c, d, s);
	ydoc__cursor_pos(&c, off, line, col);
}
