/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the config file reader: its context and the helpers its sections share. */
#ifndef VIGIL_CONFIG_FILE_INT_H
#define VIGIL_CONFIG_FILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ynode.h"

#define CF_MAP_KEYS_MAX 256 /* keys in one mapping: duplicates are searched pairwise */

struct cf {
	const struct ydoc *d;
	struct vg_config *cfg;
	char *err; /* the problems, one per line */
	size_t errsz, errlen;
	unsigned nerr;
	const struct ynode *redact_extra; /* applied after the whole file was read */
	/* the pair being read: an error about its value as a whole points at its key */
	const struct ynode *cur_key, *cur_val;
};

/* Report a problem at node `at` (the whole line: "FILE:LINE:COL: KEY: msg"), or at its key
 * when `at` is the value of the pair being read ("store.max_age: 7x" -> at "max_age"). Returns
 * -EINVAL so that callers can `return cf_fail(...)`. */
int cf_fail(struct cf *c, const struct ynode *at, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Add a line already formed (by cli_run_option). */
void cf_add(struct cf *c, const char *line);
/* "FILE:LINE:COL" of a node (of its key, as above), into buf. */
const char *cf_where(const struct cf *c, const struct ynode *at, char *buf, size_t bufsz);

/* `key:`, `key: ~`, `key: null`: not set, the default stays. */
bool cf_null(const struct ynode *v);
/* The value as a string, or an error when it is a list or a mapping. */
int cf_scalar(struct cf *c, const struct ynode *v, const char *key, const char **out);
int cf_bool(struct cf *c, const struct ynode *v, const char *key, bool *out);
int cf_uint(struct cf *c, const struct ynode *v, const char *key, uint64_t min, uint64_t max,
	    uint64_t *out);
int cf_duration_ms(struct cf *c, const struct ynode *v, const char *key, uint64_t min_ms,
		   uint64_t max_ms, uint64_t *out);
int cf_size(struct cf *c, const struct ynode *v, const char *key, uint64_t *out);
/* A string into buf[bufsz]: too long is an error, and so is empty when nonempty. */
int cf_str(struct cf *c, const struct ynode *v, const char *key, char *buf, size_t bufsz,
	   bool nonempty);

/* Walk a mapping: each key must be one of keys[] (NULL terminated), at most once; unknown
 * keys are reported with the closest known one. fn gets the known ones with non-null values,
 * with their full name for messages ("store.max_age"); its errors are its own to report.
 * path names the mapping ("store", "outputs[1]"; "" the root). -EINVAL when map is not a
 * mapping. */
typedef void (*cf_key_fn)(struct cf *c, const char *key, const char *full,
			  const struct ynode *v, void *arg);
int cf_map(struct cf *c, const struct ynode *map, const char *path, const char *const *keys,
	   cf_key_fn fn, void *arg);
/* The closest of names[0..n) to s (NULL when none is close enough), for "did you mean". */
const char *cf_closest(const char *s, const char *const *names, size_t n);

/* Sections (config_sections.c, config_outputs.c). */
void cf_store(struct cf *c, const struct ynode *v);
void cf_metrics(struct cf *c, const struct ynode *v);
void cf_stdout(struct cf *c, const struct ynode *v);
void cf_redact(struct cf *c, const struct ynode *v, bool extra);
void cf_outputs(struct cf *c, const struct ynode *v);

#endif /* VIGIL_CONFIG_FILE_INT_H */
