/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jpick: find a few values in one JSON object line, in one pass, without allocating.
 *
 * The store indexes every event and alert line by a dozen members (type, time, pod, process,
 * path...). Parsing each ~1.5 KB line into a tree to read them would cost more than the
 * insert; jpick walks the text once, descends only into the objects a wanted path goes
 * through, and skips everything else by scanning for its end.
 *
 * Paths are dotted member names from the top-level object: "process.comm", "pod.namespace".
 * A member whose own name contains dots is matched whole, so "output_fields.fd.name" finds
 * Falco's {"output_fields":{"fd.name":...}} (and would also find {"fd":{"name":...}}).
 * Arrays are never entered. When a member appears twice the first one wins.
 *
 * Robust to any input: it never reads past len, never recurses deeper than the wanted paths
 * (skipped values are scanned iteratively, nesting up to JPICK_MAX_DEPTH), and a line that is
 * not one well-formed JSON object gives -EINVAL with every value absent. It is not a full
 * validator: inside skipped values only strings, escapes and bracket nesting are checked.
 */
#ifndef VIGIL_JPICK_H
#define VIGIL_JPICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JPICK_MAX 32	     /* paths per scan */
#define JPICK_MAX_DEPTH 512  /* nesting of skipped values */
#define JPICK_PATH_MAX 255   /* bytes of one path */

enum jpick_type {
	JPICK_NONE = 0, /* absent */
	JPICK_STRING,
	JPICK_NUMBER,
	JPICK_TRUE,
	JPICK_FALSE,
	JPICK_NULL,
	JPICK_OBJECT,
	JPICK_ARRAY,
};

/* A value found in the line: it points into the caller's text. */
struct jpick_val {
	const char *p; /* a string's content between the quotes (escapes kept); else the raw text */
	size_t len;
	uint8_t type;	/* enum jpick_type */
	bool escaped;	/* a string with backslash escapes: read it with jpick__str */
};

/* Look up paths[0..n) (n <= JPICK_MAX, each shorter than JPICK_PATH_MAX) in json[0..len),
 * which need not be NUL terminated. out[i] is the value at paths[i], type JPICK_NONE when
 * absent. Returns 0, -EINVAL for malformed input (then every out[i] is absent) or -E2BIG for
 * too many or too long paths. */
int jpick__scan(const char *json, size_t len, const char *const *paths, size_t n,
		struct jpick_val *out);

/* A string value unescaped into buf (at most size - 1 bytes, cut at a UTF-8 character
 * boundary, NUL terminated; an escaped \u0000 is kept as a NUL byte). Numbers and true/false
 * give their text. Returns the bytes written, or -ENOENT for absent, null, objects and
 * arrays (buf is then ""). size must be at least 1. */
int jpick__str(const struct jpick_val *v, char *buf, size_t size);

/* An integer value (a JSON number without fraction or exponent that fits in int64).
 * 0, or -ENOENT when absent or not a number, -ERANGE/-EINVAL when it does not fit. */
int jpick__i64(const struct jpick_val *v, int64_t *out);

/* Does the string value equal s (after unescaping)? false for non-strings. */
bool jpick__eq(const struct jpick_val *v, const char *s);

#endif /* VIGIL_JPICK_H */
