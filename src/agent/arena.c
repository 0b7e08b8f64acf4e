// SPDX-License-Identifier: Apache-2.0
/* Chunks of 64 KiB, or one chunk of its own for a larger request. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK 65536
#define ARENA_ALIGN 16

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used; /* of data[] */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void arena__init(struct arena *a, size_t limit)
{
	a->head = NULL;
	a->bytes = 0;
	a->limit = limit;
}

void arena__free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->bytes = 0;
}

static struct arena_chunk *arena_grow(struct arena *a, size_t need)
{
	size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
	struct arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	if (a->limit && a->bytes + sizeof(*c) + size > a->limit)
		return NULL;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	c->used = 0;
	a->bytes += sizeof(*c) + size;
	/* a big request gets its own chunk behind the current one, which keeps its free room */
	if (a->head && size > ARENA_CHUNK) {
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c;
}

void *arena__alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t rounded;
	void *p;

	if (size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (!rounded)
		rounded = ARENA_ALIGN;
	if (!c || c->size - c->used < rounded) {
		c = arena_grow(a, rounded);
		if (!c)
			return NULL;
	}
	p = c->data + c->used;
	c->used += rounded;
	memset(p, 0, size);
	return p;
}

void *arena__calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return arena__alloc(a, n * size);
}

char *arena__strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = arena__alloc(a, n + 1);
	if (p && n)
		memcpy(p, s, n);
	return p;
}

char *arena__strdup(struct arena *a, const char *s)
{
	return arena__strndup(a, s, strlen(s));
}

char *arena__sprintf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = arena__alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
