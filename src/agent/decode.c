// SPDX-License-Identifier: Apache-2.0
/* Decoding of record tails. The bytes come from the kernel but are treated as untrusted:
 * a BPF bug or a cut buffer must give odd text, never a read out of bounds. */
#include <errno.h>
#include <string.h>

#include "decode.h"

void args_iter_init(struct args_iter *it, const char *buf, size_t len)
{
	/* NULL + 0 is undefined in C, so an absent buffer is an empty range of its own */
	it->p = buf;
	it->end = buf ? buf + len : NULL;
}

int args_iter_next(struct args_iter *it, const char **arg, size_t *arglen)
{
	const char *nul;

	if (!it->p || it->p >= it->end)
		return 0;
	nul = memchr(it->p, '\0', it->end - it->p);
	*arg = it->p;
	if (nul) {
		*arglen = nul - it->p;
		it->p = nul + 1;
	} else {
		/* cut by the kernel's size limit: the rest is the last argument */
		*arglen = it->end - it->p;
		it->p = it->end;
	}
	return 1;
}

/* Output that keeps a terminated prefix when out is too small. */
struct path_out {
	char *buf;
	size_t size, len;
	int full;
};

static void out_put(struct path_out *o, const char *s, size_t n)
{
	size_t room = o->size - 1 - o->len;

	if (n > room) {
		n = room;
		o->full = 1;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

/*
 * Count the components to use (at most `count`) and find where the last one ends (*used:
 * offset of its NUL, or len when it was cut). *complete is 0 when some are missing or cut.
 */
static unsigned path_scan(const char *buf, size_t len, unsigned count, size_t *used, int *complete)
{
	const char *p = buf, *end = buf + len, *nul;
	unsigned n = 0;

	*used = 0;
	*complete = 1;
	while (n < count && p < end) {
		nul = memchr(p, '\0', end - p);
		n++;
		if (!nul) {
			*used = len;
			*complete = 0;
			return n;
		}
		*used = nul - buf;
		p = nul + 1;
	}
	if (n < count)
		*complete = 0;
	return n;
}

/* Components are leaf first, the path is root first: walk the buffer backwards from *used. */
static void path_emit(struct path_out *o, const char *buf, size_t used, unsigned n)
{
	size_t s, e = used;

	for (unsigned i = 0; i < n; i++) {
		for (s = e; s > 0 && buf[s - 1] != '\0'; s--)
			;
		out_put(o, "/", 1);
		if (s == e)
			out_put(o, "?", 1);
		else
			out_put(o, buf + s, e - s);
		if (!s)
			break;
		e = s - 1;
	}
}

int decode_path(const char *buf, size_t len, unsigned count, unsigned flags, char *out,
		size_t outsz)
{
	struct path_out o = {.buf = out, .size = outsz};
	size_t used = 0;
	unsigned n = 0;
	int complete = 1;

	if (!out || !outsz || (!buf && len))
		return -EINVAL;
	out[0] = '\0';
	if (len)
		n = path_scan(buf, len, count, &used, &complete);
	else
		complete = count == 0;
	if (!(flags & VG_STR_ROOTED) || (flags & VG_STR_TRUNCATED) || !complete)
		out_put(&o, "...", 3);
	else if (!n)
		out_put(&o, "/", 1);
	path_emit(&o, buf, used, n);
	return o.full ? -ENOSPC : (int)o.len;
}

int decode_str_check(uint16_t off, uint16_t len, size_t hdr_size, size_t rec_size)
{
	if (!off && !len)
		return 0;
	/* u16 + u16 cannot wrap a size_t */
	if (off < hdr_size || (size_t)off + len > rec_size)
		return -EINVAL;
	return 0;
}
