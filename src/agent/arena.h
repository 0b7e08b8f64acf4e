/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator for trees that live and die together (a YAML document, a rule set's ASTs):
 * no per-node free, one call releases everything. Bounded: an arena refuses to grow past the
 * limit it was given, so a hostile input cannot make it take all memory.
 */
#ifndef VIGIL_ARENA_H
#define VIGIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* newest chunk first */
	size_t bytes;		  /* held in chunks, headers included */
	size_t limit;		  /* 0: no limit */
};

/* An empty arena (allocates nothing yet). */
void arena__init(struct arena *a, size_t limit);
/* Release every chunk; the arena is empty and usable again. */
void arena__free(struct arena *a);
/* size bytes, zeroed, aligned for any object; NULL when out of memory or over the limit. */
void *arena__alloc(struct arena *a, size_t size);
/* n elements of size bytes each; NULL on overflow as above. */
void *arena__calloc(struct arena *a, size_t n, size_t size);
/* A NUL-terminated copy of s[0..n). */
char *arena__strndup(struct arena *a, const char *s, size_t n);
char *arena__strdup(struct arena *a, const char *s);
/* A formatted string, like asprintf. */
char *arena__sprintf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* VIGIL_ARENA_H */
