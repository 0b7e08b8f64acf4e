// SPDX-License-Identifier: Apache-2.0
/*
 * The rule set: files and directories in, diagnostics out, names looked up by hash. Reading an
 * item is rules_items.c's job, compiling conditions rules_compile.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "rules_int.h"

static const char *const prio_names[] = {
#define RULES_X_NAME(name, str) str,
    RULES_PRIORITIES(RULES_X_NAME)
#undef RULES_X_NAME
};

const char *rules_priority__name(enum rules_priority p)
{
	return (unsigned)p < sizeof(prio_names) / sizeof(prio_names[0]) ? prio_names[p] : "?";
}

int rules_priority__parse(const char *s, enum rules_priority *out)
{
	for (size_t i = 0; i < sizeof(prio_names) / sizeof(prio_names[0]); i++)
		if (strcasecmp(s, prio_names[i]) == 0) {
			*out = (enum rules_priority)i;
			return 0;
		}
	if (strcasecmp(s, "info") == 0) {
		*out = RULES_PRIO_INFORMATIONAL;
		return 0;
	}
	return -EINVAL;
}

/* Indexed by enum rules_action and enum rules_mode; the first (no key) is never parsed. */
static const char *const action_names[] = {"none", "kill", "deny", "quarantine"};
static const char *const mode_names[] = {"unset", "monitor", "alert", "enforce"};

_Static_assert(sizeof(action_names) / sizeof(action_names[0]) == RULES_ACT_QUARANTINE + 1,
	       "action_names follows enum rules_action");
_Static_assert(sizeof(mode_names) / sizeof(mode_names[0]) == RULES_MODE_ENFORCE + 1,
	       "mode_names follows enum rules_mode");

const char *rules_action__name(enum rules_action a)
{
	return (unsigned)a <= RULES_ACT_QUARANTINE ? action_names[a] : "?";
}

const char *rules_mode__name(enum rules_mode m)
{
	return (unsigned)m <= RULES_MODE_ENFORCE ? mode_names[m] : "?";
}

/* names[1..n): exact, since these keys are vigil's and have no legacy spellings */
static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

int rules_action__parse(const char *s, enum rules_action *out)
{
	int i = name_index(action_names, sizeof(action_names) / sizeof(action_names[0]), s);

	if (i < 0)
		return i;
	*out = (enum rules_action)i;
	return 0;
}

int rules_mode__parse(const char *s, enum rules_mode *out)
{
	int i = name_index(mode_names, sizeof(mode_names) / sizeof(mode_names[0]), s);

	if (i < 0)
		return i;
	*out = (enum rules_mode)i;
	return 0;
}

/* Without a mode, an action is meant to be taken, and a rule without one only alerts. */
enum rules_mode rules_rule__mode(const struct rules_rule *r)
{
	if (r->mode != RULES_MODE_UNSET)
		return r->mode;
	return r->action != RULES_ACT_NONE ? RULES_MODE_ENFORCE : RULES_MODE_ALERT;
}

struct rules_set *rules_set__new(void)
{
	struct rules_set *rs = calloc(1, sizeof(*rs));

	if (rs)
		arena__init(&rs->arena, RULES_ARENA_MAX);
	return rs;
}

void rules_set__free(struct rules_set *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nfiles; i++)
		ydoc__free(rs->files[i].doc);
	free(rs->lists);
	free(rs->macros);
	free(rs->rules);
	free(rs->list_map.keys);
	free(rs->list_map.vals);
	free(rs->macro_map.keys);
	free(rs->macro_map.vals);
	free(rs->rule_map.keys);
	free(rs->rule_map.vals);
	free(rs->diags);
	arena__free(&rs->arena);
	free(rs);
}

/* FNV-1a */
static size_t hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int map_grow(struct rl_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	const char **keys = calloc(cap, sizeof(*keys));
	unsigned *vals = calloc(cap, sizeof(*vals));

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->keys[i])
			continue;
		for (j = hash(m->keys[i]) & (cap - 1); keys[j]; j = (j + 1) & (cap - 1))
			;
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

static int map_put(struct rl_map *m, const char *key, unsigned val)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap && map_grow(m))
		return -ENOMEM;
	for (j = hash(key) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1))
		;
	m->keys[j] = key;
	m->vals[j] = val;
	m->n++;
	return 0;
}

static int map_get(const struct rl_map *m, const char *key, unsigned *val)
{
	if (!m->cap)
		return -ENOENT;
	for (size_t j = hash(key) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1))
		if (strcmp(m->keys[j], key) == 0) {
			*val = m->vals[j];
			return 0;
		}
	return -ENOENT;
}

/* Append p to a heap vector of pointers. */
static int vec_add(void ***v, size_t *n, size_t *cap, void *p)
{
	void **nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = p;
	return 0;
}

struct rl_list *rl_find_list(const struct rules_set *rs, const char *name)
{
	unsigned i;

	return map_get(&rs->list_map, name, &i) ? NULL : rs->lists[i];
}

struct rl_macro *rl_find_macro(const struct rules_set *rs, const char *name)
{
	unsigned i;

	return map_get(&rs->macro_map, name, &i) ? NULL : rs->macros[i];
}

struct rl_rule *rl_find_rule(const struct rules_set *rs, const char *name)
{
	unsigned i;

	return map_get(&rs->rule_map, name, &i) ? NULL : rs->rules[i];
}

int rl_add_list(struct rules_set *rs, struct rl_list *l)
{
	if (map_put(&rs->list_map, l->name, (unsigned)rs->nlists))
		return -ENOMEM;
	return vec_add((void ***)&rs->lists, &rs->nlists, &rs->caplists, l);
}

int rl_add_macro(struct rules_set *rs, struct rl_macro *m)
{
	if (map_put(&rs->macro_map, m->name, (unsigned)rs->nmacros))
		return -ENOMEM;
	return vec_add((void ***)&rs->macros, &rs->nmacros, &rs->capmacros, m);
}

int rl_add_rule(struct rules_set *rs, struct rl_rule *r)
{
	if (map_put(&rs->rule_map, r->pub.name, (unsigned)rs->nrules))
		return -ENOMEM;
	return vec_add((void ***)&rs->rules, &rs->nrules, &rs->caprules, r);
}

void *rl_grow(struct rules_set *rs, void *v, size_t n, size_t size)
{
	void *nv;

	/* the capacity is 4, then the next power of two: room is left unless n reached it */
	if (n && (n < 4 || (n & (n - 1))))
		return v;
	nv = arena__calloc(&rs->arena, n ? n * 2 : 4, size);
	if (nv && n)
		memcpy(nv, v, n * size);
	return nv;
}

struct rc_pos rl_pos(const struct rl_file *f, const struct ynode *n)
{
	return (struct rc_pos){.file = f->pub.path, .line = n ? n->line : 0, .col = n ? n->col : 0};
}

static int file_index(const struct rules_set *rs, const char *path)
{
	for (size_t i = 0; i < rs->nfiles; i++)
		if (rs->files[i].pub.path == path)
			return (int)i;
	return -1;
}

void rl_diag(struct rules_set *rs, enum rules_severity sev, const struct rc_pos *pos,
	     const char *fmt, ...)
{
	struct rl_diag *d, *nd;
	va_list ap;
	char msg[1024];
	int fi = pos ? file_index(rs, pos->file) : -1;

	if (sev == RULES_ERROR)
		rs->nerrors++;
	if (fi >= 0)
		(*(sev == RULES_ERROR ? &rs->files[fi].pub.errors : &rs->files[fi].pub.warnings))++;
	if (rs->ndiags >= RULES_DIAGS_MAX) {
		rs->dropped++;
		return;
	}
	if (rs->ndiags == rs->capdiags) {
		rs->capdiags = rs->capdiags ? rs->capdiags * 2 : 64;
		nd = realloc(rs->diags, rs->capdiags * sizeof(*nd));
		if (!nd) {
			rs->dropped++;
			return;
		}
		rs->diags = nd;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d = &rs->diags[rs->ndiags];
	*d = (struct rl_diag){.pub = {.severity = sev,
				      .file = pos ? pos->file : NULL,
				      .line = pos ? pos->line : 0,
				      .col = pos ? pos->col : 0},
			      .file = fi,
			      .seq = rs->ndiags};
	d->pub.msg = arena__strdup(&rs->arena, msg);
	if (!d->pub.msg)
		d->pub.msg = "out of memory";
	rs->ndiags++;
}

static struct rl_file *add_file(struct rules_set *rs, const char *path)
{
	struct rl_file *f;

	if (rs->nfiles == RULES_FILES_MAX) {
		rl_diag(rs, RULES_ERROR, NULL, "%s: more than %d rule files", path,
			RULES_FILES_MAX);
		return NULL;
	}
	f = &rs->files[rs->nfiles];
	memset(f, 0, sizeof(*f));
	f->pub.path = arena__strdup(&rs->arena, path);
	if (!f->pub.path)
		return NULL;
	f->index = (unsigned)rs->nfiles++;
	return f;
}

static bool null_item(const struct ynode *n)
{
	return n->kind == YNODE_SCALAR && n->style == YNODE_PLAIN &&
	       (!n->len || !strcmp(n->str, "~") || !strcasecmp(n->str, "null"));
}

/* Every item of every document; the file's result is the worst of them. */
static int read_items(struct rules_set *rs, struct rl_file *f)
{
	int ret = 0;

	for (size_t d = 0; d < f->doc->ndocs; d++) {
		const struct ynode *seq = f->doc->docs[d];
		struct rc_pos pos;

		if (!seq || null_item(seq))
			continue;
		if (seq->kind != YNODE_SEQ) {
			pos = rl_pos(f, seq);
			rl_diag(rs, RULES_ERROR, &pos,
				"a rules file is a sequence of items (rule, macro, list...); this "
				"document is not loaded");
			ret = -EINVAL;
			continue;
		}
		for (size_t i = 0; i < seq->n; i++)
			if (!null_item(seq->kids[i]) && rl_read_item(rs, f, seq->kids[i]))
				ret = -EINVAL;
	}
	return ret;
}

static int loaded(struct rules_set *rs, struct rl_file *f, int ret, const struct ydiag *err)
{
	struct rc_pos pos = {.file = f->pub.path, .line = err->line, .col = err->col};

	if (ret) {
		f->pub.failed = true;
		rl_diag(rs, RULES_ERROR, &pos, "%s%s", err->msg,
			ret == -ENOMEM || ret == -EINVAL || ret == -EFBIG
			    ? "; the file is not loaded"
			    : "");
		return ret;
	}
	return read_items(rs, f);
}

int rules_set__load_buf(struct rules_set *rs, const char *name, const char *buf, size_t len)
{
	struct rl_file *f;
	struct ydiag err;

	if (rs->compiled)
		return -EBUSY;
	f = add_file(rs, name);
	if (!f)
		return -ENOMEM;
	return loaded(rs, f, ydoc__parse(f->pub.path, buf, len, &f->doc, &err), &err);
}

static int load_file(struct rules_set *rs, const char *path)
{
	struct rl_file *f = add_file(rs, path);
	struct ydiag err;

	if (!f)
		return -ENOMEM;
	return loaded(rs, f, ydoc__load_file(f->pub.path, &f->doc, &err), &err);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool yaml_name(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".yaml") == 0 && name[0] != '.';
}

/* The directory's *.yaml files, in name order. */
static int load_dir(struct rules_set *rs, const char *path, DIR *dir)
{
	char **names = NULL, full[4096];
	size_t n = 0, cap = 0;
	struct dirent *e;
	int ret = 0, r;

	while ((e = readdir(dir))) {
		if (!yaml_name(e->d_name))
			continue;
		if (vec_add((void ***)&names, &n, &cap, strdup(e->d_name)) || !names[n - 1]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	qsort(names, n, sizeof(*names), cmp_names);
	if (!n) {
		struct rc_pos pos = {.file = NULL};

		rl_diag(rs, RULES_WARNING, &pos, "%s: no *.yaml files in the directory", path);
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s%s%s", path,
			 path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		r = load_file(rs, full);
		ret = ret ? ret : r;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int rules_set__load_path(struct rules_set *rs, const char *path)
{
	struct stat st;
	DIR *dir;
	int ret;

	if (rs->compiled)
		return -EBUSY;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		dir = opendir(path);
		if (!dir) {
			ret = -errno;
			rl_diag(rs, RULES_ERROR, NULL, "%s: cannot open: %s", path, strerror(-ret));
			return ret;
		}
		ret = load_dir(rs, path, dir);
		closedir(dir);
		return ret;
	}
	return load_file(rs, path);
}

size_t rules_set__ndiags(const struct rules_set *rs)
{
	return rs->ndiags;
}

const struct rules_diag *rules_set__diag(const struct rules_set *rs, size_t i)
{
	return i < rs->ndiags ? &rs->diags[i].pub : NULL;
}

size_t rules_set__nerrors(const struct rules_set *rs)
{
	return rs->nerrors;
}

size_t rules_set__dropped_diags(const struct rules_set *rs)
{
	return rs->dropped;
}

size_t rules_set__nrules(const struct rules_set *rs)
{
	return rs->nrules;
}

const struct rules_rule *rules_set__rule(const struct rules_set *rs, size_t i)
{
	return i < rs->nrules ? &rs->rules[i]->pub : NULL;
}

const struct rules_rule *rules_set__find_rule(const struct rules_set *rs, const char *name)
{
	const struct rl_rule *r = rl_find_rule(rs, name);

	return r ? &r->pub : NULL;
}

size_t rules_set__nfiles(const struct rules_set *rs)
{
	return rs->nfiles;
}

const struct rules_file *rules_set__file(const struct rules_set *rs, size_t i)
{
	return i < rs->nfiles ? &rs->files[i].pub : NULL;
}

const struct rc_node *rules_set__macro(const struct rules_set *rs, const char *name)
{
	const struct rl_macro *m = rl_find_macro(rs, name);

	return m && !m->broken ? m->ast : NULL;
}

const struct rc_value *rules_set__list(const struct rules_set *rs, const char *name, size_t *n)
{
	const struct rl_list *l = rl_find_list(rs, name);

	*n = l && l->state == 2 ? l->nvals : 0;
	return l && l->state == 2 ? l->vals : NULL;
}

static int cmp_diags(const void *a, const void *b)
{
	const struct rl_diag *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->pub.line != y->pub.line)
		return x->pub.line < y->pub.line ? -1 : 1;
	if (x->pub.col != y->pub.col)
		return x->pub.col < y->pub.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int rules_set__compile(struct rules_set *rs)
{
	int ret;

	if (rs->compiled)
		return -EBUSY;
	rs->compiled = true;
	ret = rl_compile(rs);
	if (rs->ndiags)
		qsort(rs->diags, rs->ndiags, sizeof(*rs->diags), cmp_diags);
	if (ret)
		return ret;
	return rs->nerrors ? -EINVAL : 0;
}
