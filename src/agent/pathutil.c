/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "pathutil.h"

struct pbuf {
	char *out;
	size_t len, cap;
	bool overflow;
};

static void pb_put(struct pbuf *b, const char *s, size_t n)
{
	if (b->len + n >= b->cap) {
		n = b->len + 1 < b->cap ? b->cap - b->len - 1 : 0;
		b->overflow = true;
	}
	memcpy(b->out + b->len, s, n);
	b->len += n;
	b->out[b->len] = 0;
}

/* Remove the last component (for ".."), never the leading "/". */
static void pb_pop(struct pbuf *b, size_t floor)
{
	while (b->len > floor && b->out[b->len - 1] != '/')
		b->len--;
	if (b->len > floor)
		b->len--; /* the separating slash */
	b->out[b->len] = 0;
}

/* Append the components of s, interpreting "." and "..". */
static void pb_walk(struct pbuf *b, const char *s, size_t floor, bool absolute)
{
	while (*s) {
		const char *end = strchrnul(s, '/');
		size_t n = end - s;

		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.' && (absolute || b->len > floor)) {
			pb_pop(b, floor);
		} else {
			if (b->len > 0 && b->out[b->len - 1] != '/')
				pb_put(b, "/", 1);
			pb_put(b, s, n);
		}
		s = *end ? end + 1 : end;
	}
}

int path_resolve(const char *base, const char *path, char *out, size_t outsz)
{
	struct pbuf b = { .out = out, .cap = outsz };
	bool absolute;

	if (!path || !out || outsz < 2)
		return -EINVAL;
	out[0] = 0;
	absolute = path[0] == '/' || (base && base[0] == '/');
	if (absolute)
		pb_put(&b, "/", 1);
	if (path[0] != '/' && base && base[0] == '/')
		pb_walk(&b, base, 1, true);
	pb_walk(&b, path, absolute ? 1 : 0, absolute);
	if (!b.len)
		pb_put(&b, ".", 1);
	return b.overflow ? -ENOSPC : (int)b.len;
}

int path_filter_match(const char *entry, const char *path)
{
	size_t n = strlen(entry);

	if (n && entry[n - 1] == '*')
		return strncmp(entry, path, n - 1) == 0;
	if (n && entry[n - 1] == '/')
		return strncmp(entry, path, n) == 0;
	return strcmp(entry, path) == 0;
}
