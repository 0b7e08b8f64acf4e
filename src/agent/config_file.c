/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The config file (config_file.h): the document, its top-level keys, the helpers every
 * section uses, and `vigil config check`. Problems are collected rather than returned at the
 * first one, so that one run of `vigil config check` shows them all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgval.h"
#include "cli_run.h"
#include "config_file.h"
#include "config_file_int.h"
#include "evsel.h"

static const char *const sections[] = { "store",  "metrics",	  "stdout",
					"redact", "redact_extra", "outputs" };
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))
#define KEY_MAX 64 /* bytes of a top-level key */
#define TOP_KEYS_MAX 96

void cf_add(struct cf *c, const char *line)
{
	int n;

	if (c->nerr++ >= CONFIG_FILE_ERRORS_MAX || c->errlen + 1 >= c->errsz)
		return;
	n = snprintf(c->err + c->errlen, c->errsz - c->errlen, "%s%s", c->errlen ? "\n" : "",
		     line);
	c->errlen += n > 0 ? (size_t)n : 0;
	if (c->errlen >= c->errsz)
		c->errlen = c->errsz - 1;
}

const char *cf_where(const struct cf *c, const struct ynode *at, char *buf, size_t bufsz)
{
	if (at && at == c->cur_val)
		at = c->cur_key;
	if (at)
		snprintf(buf, bufsz, "%s:%u:%u", c->d->name, at->line, at->col);
	else
		snprintf(buf, bufsz, "%s", c->d->name);
	return buf;
}

int cf_fail(struct cf *c, const struct ynode *at, const char *key, const char *fmt, ...)
{
	char line[6144];
	va_list ap;
	int n;

	cf_where(c, at, line, sizeof(line) - 1024);
	n = (int)strlen(line);
	n += snprintf(line + n, sizeof(line) - n, ": %s%s", key ? key : "", key ? ": " : "");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	cf_add(c, line);
	return -EINVAL;
}

bool cf_null(const struct ynode *v)
{
	return v->kind == YNODE_SCALAR && v->style == YNODE_PLAIN &&
	       (!v->len || !strcmp(v->str, "~") || !strcmp(v->str, "null") ||
		!strcmp(v->str, "Null") || !strcmp(v->str, "NULL"));
}

int cf_scalar(struct cf *c, const struct ynode *v, const char *key, const char **out)
{
	if (v->kind != YNODE_SCALAR)
		return cf_fail(c, v, key, "expected a single value, not a %s",
			       v->kind == YNODE_SEQ ? "list" : "mapping");
	if (strlen(v->str) != v->len)
		return cf_fail(c, v, key, "a NUL character in the value");
	*out = v->str;
	return 0;
}

int cf_bool(struct cf *c, const struct ynode *v, const char *key, bool *out)
{
	const char *s;
	char err[128];

	if (cf_scalar(c, v, key, &s))
		return -EINVAL;
	if (cfgval_bool(s, out, err, sizeof(err)))
		return cf_fail(c, v, key, "%s", err);
	return 0;
}

int cf_uint(struct cf *c, const struct ynode *v, const char *key, uint64_t min, uint64_t max,
	    uint64_t *out)
{
	const char *s;
	char err[128];

	if (cf_scalar(c, v, key, &s))
		return -EINVAL;
	if (cfgval_uint(s, min, max, out, err, sizeof(err)))
		return cf_fail(c, v, key, "%s", err);
	return 0;
}

int cf_duration_ms(struct cf *c, const struct ynode *v, const char *key, uint64_t min_ms,
		   uint64_t max_ms, uint64_t *out)
{
	const char *s;
	char err[128];

	if (cf_scalar(c, v, key, &s))
		return -EINVAL;
	if (cfgval_duration_ms(s, min_ms, max_ms, out, err, sizeof(err)))
		return cf_fail(c, v, key, "%s", err);
	return 0;
}

int cf_size(struct cf *c, const struct ynode *v, const char *key, uint64_t *out)
{
	const char *s;
	char err[128];

	if (cf_scalar(c, v, key, &s))
		return -EINVAL;
	if (cfgval_size(s, CONFIG_MAX_STORE_BYTES, out, err, sizeof(err)))
		return cf_fail(c, v, key, "%s", err);
	return 0;
}

int cf_str(struct cf *c, const struct ynode *v, const char *key, char *buf, size_t bufsz,
	   bool nonempty)
{
	const char *s;

	if (cf_scalar(c, v, key, &s))
		return -EINVAL;
	if (nonempty && !*s)
		return cf_fail(c, v, key, "must not be empty");
	if (strlen(s) >= bufsz)
		return cf_fail(c, v, key, "too long (at most %zu bytes)", bufsz - 1);
	strcpy(buf, s);
	return 0;
}

/* Edit distance of two short strings (longer ones are never "close"). */
static unsigned distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned row[KEY_MAX + 1], diag, up;

	if (na > KEY_MAX || nb > KEY_MAX)
		return ~0u;
	for (size_t j = 0; j <= nb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= na; i++) {
		diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= nb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[nb];
}

const char *cf_closest(const char *s, const char *const *names, size_t n)
{
	unsigned best = strlen(s) >= 4 ? 3 : 2, d; /* at most 2 edits, 1 in short words */
	const char *pick = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!names[i][0])
			continue;
		d = distance(s, names[i]);
		if (d < best) {
			best = d;
			pick = names[i];
		}
	}
	return pick;
}

/* The first pair of map before pair i with the same key, or NULL. */
static const struct ynode *earlier_key(const struct ynode *map, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(map->kids[2 * j]->str, map->kids[2 * i]->str))
			return map->kids[2 * j];
	return NULL;
}

static size_t count(const char *const *keys)
{
	size_t n = 0;

	while (keys[n])
		n++;
	return n;
}

int cf_map(struct cf *c, const struct ynode *map, const char *path, const char *const *keys,
	   cf_key_fn fn, void *arg)
{
	char full[192];
	const struct ynode *k, *first;
	const char *near;
	size_t nkeys = count(keys), j;

	if (map->kind != YNODE_MAP)
		return cf_fail(c, map, *path ? path : NULL, "expected a mapping (key: value)");
	if (map->n > CF_MAP_KEYS_MAX)
		return cf_fail(c, map, *path ? path : NULL, "more than %d keys", CF_MAP_KEYS_MAX);
	for (size_t i = 0; i < map->n; i++) {
		k = map->kids[2 * i];
		snprintf(full, sizeof(full), "%s%s%.64s", path, *path ? "." : "", k->str);
		for (j = 0; j < nkeys && strcmp(keys[j], k->str); j++)
			;
		if ((first = earlier_key(map, i))) {
			cf_fail(c, k, full, "given twice (first on line %u)", first->line);
		} else if (j == nkeys) {
			near = cf_closest(k->str, keys, nkeys);
			cf_fail(c, k, full, "unknown key%s%s%s", near ? "; did you mean '" : "",
				near ? near : "", near ? "'?" : "");
		} else if (!cf_null(map->kids[2 * i + 1])) {
			const struct ynode *saved_key = c->cur_key, *saved_val = c->cur_val;

			c->cur_key = k;
			c->cur_val = map->kids[2 * i + 1];
			fn(c, k->str, full, c->cur_val, arg);
			c->cur_key = saved_key;
			c->cur_val = saved_val;
		}
	}
	return 0;
}

/* One option's value, through the command line's own parser. */
static void cf_apply(struct cf *c, const char *opt, const char *value, const struct ynode *at)
{
	char where[4200], line[5120];
	int rc;

	line[0] = '\0';
	rc = cli_run_option(opt, value, c->cfg, cf_where(c, at, where, sizeof(where)), line,
			    sizeof(line));
	if (rc == -ENOMEM)
		snprintf(line, sizeof(line), "%s: out of memory", where);
	if (rc)
		cf_add(c, line);
}

/* events: [file, network]: each item checked where it is written, then all at once. */
static void cf_events(struct cf *c, const char *opt, const struct ynode *v)
{
	char list[1024] = "", err[512];
	size_t len = 0;
	uint64_t mask;

	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->kids[i];
		const char *s;

		if (cf_scalar(c, it, "events", &s))
			return;
		if (evsel_parse(s, &mask, err, sizeof(err))) {
			cf_fail(c, it, "events", "%s", err);
			return;
		}
		if (len + strlen(s) + 2 > sizeof(list)) {
			cf_fail(c, it, "events", "list too long");
			return;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? "," : "", s);
	}
	cf_apply(c, opt, list, v);
}

/* sample: {open: 10} is sample: [open=10]. */
static void cf_sample_map(struct cf *c, const char *opt, const struct ynode *v)
{
	char item[128];
	const char *n;

	for (size_t i = 0; i < v->n; i++) {
		if (cf_scalar(c, v->kids[2 * i + 1], "sample", &n))
			continue;
		snprintf(item, sizeof(item), "%.60s=%.60s", v->kids[2 * i]->str, n);
		cf_apply(c, opt, item, v->kids[2 * i]);
	}
}

/* A list-valued option: one value, a list of them, or (sample) a mapping. */
static void cf_list_option(struct cf *c, const char *key, const char *opt, const struct ynode *v)
{
	const char *s;

	if (v->kind == YNODE_MAP && !strcmp(key, "sample")) {
		cf_sample_map(c, opt, v);
	} else if (v->kind == YNODE_MAP) {
		cf_fail(c, v, key, "expected a value or a list of values, not a mapping");
	} else if (v->kind == YNODE_SEQ && !v->n && !strcmp(key, "rules")) {
		cf_apply(c, "no-rules", "true", v); /* rules: [] */
	} else if (v->kind == YNODE_SCALAR) {
		if (!cf_scalar(c, v, key, &s))
			cf_apply(c, opt, s, v);
	} else {
		for (size_t i = 0; i < v->n; i++)
			if (!cf_scalar(c, v->kids[i], key, &s))
				cf_apply(c, opt, s, v->kids[i]);
	}
}

/* A top-level key that mirrors a `vigil run` option. */
static void cf_option(struct cf *c, const char *key, const struct ynode *v)
{
	unsigned flags = 0;
	const char *opt = cli_run_file_option(key, &flags), *s;
	bool b;

	if (!(flags & CLI_OPT_ARG)) {
		if (!cf_bool(c, v, key, &b))
			cf_apply(c, opt, (b != !!(flags & CLI_OPT_NEG)) ? "true" : "false", v);
	} else if (v->kind == YNODE_SEQ && !strcmp(key, "events")) {
		cf_events(c, opt, v);
	} else if (flags & CLI_OPT_LIST) {
		cf_list_option(c, key, opt, v);
	} else if (!cf_scalar(c, v, key, &s)) {
		cf_apply(c, opt, s, v);
	}
}

static void cf_top_key(struct cf *c, const char *key, const char *full, const struct ynode *v,
		       void *arg)
{
	(void)full;
	(void)arg;
	if (!strcmp(key, "store"))
		cf_store(c, v);
	else if (!strcmp(key, "metrics"))
		cf_metrics(c, v);
	else if (!strcmp(key, "stdout"))
		cf_stdout(c, v);
	else if (!strcmp(key, "redact"))
		cf_redact(c, v, false);
	else if (!strcmp(key, "redact_extra"))
		c->redact_extra = v; /* after redact:, wherever it is written */
	else if (!strcmp(key, "outputs"))
		cf_outputs(c, v);
	else
		cf_option(c, key, v);
}

/* The root mapping, with the keys it may hold: the sections and the options' keys. */
static void cf_root(struct cf *c, const struct ynode *root)
{
	char names[TOP_KEYS_MAX][KEY_MAX];
	const char *keys[TOP_KEYS_MAX + NSECTIONS + 1];
	size_t n = 0;

	for (unsigned i = 0; i < TOP_KEYS_MAX && cli_run_file_key(i, names[i], KEY_MAX); i++)
		if (names[i][0])
			keys[n++] = names[i];
	for (size_t i = 0; i < NSECTIONS; i++)
		keys[n++] = sections[i];
	keys[n] = NULL;
	cf_map(c, root, "", keys, cf_top_key, NULL);
	if (c->redact_extra)
		cf_redact(c, c->redact_extra, true);
}

/* The stream holds one document, a mapping (or nothing at all). */
static void cf_doc(struct cf *c)
{
	const struct ydoc *d = c->d;

	if (d->ndocs > 1) {
		cf_fail(c, d->docs[1], NULL, "one YAML document only (a second one starts here)");
		return;
	}
	if (!d->ndocs || !d->docs[0] || cf_null(d->docs[0]))
		return;
	if (d->docs[0]->kind != YNODE_MAP) {
		cf_fail(c, d->docs[0], NULL, "expected a mapping of settings (key: value)");
		return;
	}
	cf_root(c, d->docs[0]);
}

int config_file__load(const char *path, struct vg_config *cfg, char *err, size_t errsz)
{
	struct ydiag diag;
	struct ydoc *d = NULL;
	struct cf c = { .cfg = cfg, .err = err, .errsz = errsz };
	int rc;

	err[0] = '\0';
	rc = ydoc__load_file(path, &d, &diag);
	if (rc) {
		if (diag.line)
			snprintf(err, errsz, "%s:%u:%u: %s", path, diag.line, diag.col, diag.msg);
		else
			snprintf(err, errsz, "%s: %s", path, diag.msg);
		return rc;
	}
	c.d = d;
	cf_doc(&c);
	if (c.nerr > CONFIG_FILE_ERRORS_MAX && c.errlen + 1 < errsz)
		snprintf(err + c.errlen, errsz - c.errlen, "\n%s: %u more errors", path,
			 c.nerr - CONFIG_FILE_ERRORS_MAX);
	ydoc__free(d);
	return c.nerr ? -EINVAL : 0;
}

static const char config_usage[] =
	"usage: vigil config check FILE\n"
	"\n"
	"Read a configuration file as `vigil run --config FILE` would (docs/config.md) and\n"
	"report every problem in it, each with its line and column. Exit status 0 when the file\n"
	"is valid, 1 when it is not.\n";

int cli_config(int argc, char **argv)
{
	struct vg_config cfg;
	char err[16384];
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(config_usage, stdout);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "check")) {
		fputs(config_usage, stderr);
		return 2;
	}
	config_defaults(&cfg);
	rc = config_file__load(argv[2], &cfg, err, sizeof(err));
	config_free(&cfg);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: ok\n", argv[2]);
	return 0;
}
