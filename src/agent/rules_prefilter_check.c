// SPDX-License-Identifier: Apache-2.0
/*
 * What one check of a condition admits, as kernel path patterns (the mapping is in
 * rules_prefilter.h): fd.name, fd.nameraw and evt.arg.name/path, fd.directory, fd.filename by
 * operator; an evt.type check naming only other types admits nothing; anything else is ANY.
 */
#include <string.h>

#include "rules_evttype.h"
#include "rules_prefilter_int.h"

/* The path fields, by how they relate to the raw path the kernel reads. */
enum pfield { PF_NONE, PF_NAME, PF_RAW, PF_DIR, PF_FILE };

/* Every path pattern (k, s) admits is one the kernel passes anyway. raw: the pattern is on
 * the argument as passed, so a pattern that is not absolute admits only relative paths. */
static bool kernel_passes(enum rp_kind k, const char *s, size_t len, bool raw)
{
	if (rp__dotted(s, len))
		return true;
	if (k != RP_PREFIX && len > 1 && s[len - 1] == '/')
		return true;
	return raw && k != RP_SUFFIX && (len == 0 || s[0] != '/');
}

/* Add pattern (k, s) that a check on a path field admits, or make out ANY when it admits
 * every path or does not fit the kernel's key. */
static int add_pat(struct rp_walk *w, struct rp_set *out, const struct rc_check *c, bool raw,
		   enum rp_kind k, const char *s, size_t len)
{
	const char *op = rules_cond__op_name(c->op);

	if (len > RP_PATH_MAX || memchr(s, '\0', len)) {
		rp_set__any(out, c->lhs.name, op,
			    "a value longer than " RP_STR(RP_PATH_MAX) " bytes or with a NUL");
		return 0;
	}
	if ((k == RP_PREFIX && (len == 0 || (len == 1 && s[0] == '/'))) ||
	    (k == RP_SUFFIX && len == 0)) {
		rp_set__any(out, c->lhs.name, op, "a pattern that admits every path");
		return 0;
	}
	if (kernel_passes(k, s, len, raw))
		return 0;
	return rp_set__put(w, out, k, s, len, true);
}

/* Add s followed (after) or preceded (!after) by '/'. */
static int add_slashed(struct rp_walk *w, struct rp_set *out, const struct rc_check *c, bool raw,
		       enum rp_kind k, const struct rc_value *v, bool after)
{
	char buf[RP_PATH_MAX + 2];

	if (v->len >= sizeof(buf) - 1)
		return add_pat(w, out, c, raw, k, v->str, v->len); /* too long: ANY */
	memcpy(buf + !after, v->str, v->len);
	buf[after ? v->len : 0] = '/';
	return add_pat(w, out, c, raw, k, buf, v->len + 1);
}

/* D as pmatch compares it, into buf: "/a//b/" -> "/a/b", "b" -> "/b", the root -> "". */
static size_t pmatch_normal(const struct rc_value *v, char *buf)
{
	size_t n = 0;

	for (size_t i = 0; i < v->len;) {
		size_t j = i;

		while (j < v->len && v->str[j] != '/')
			j++;
		if (j > i) {
			buf[n++] = '/';
			memcpy(buf + n, v->str + i, j - i);
			n += j - i;
		}
		i = j + 1;
	}
	return n;
}

/* fd.name pmatch D: D normalised, exact D and prefix D/, or, when D has a wildcard (which
 * pmatch matches per component), a prefix up to it. */
static int pmatch_pats(struct rp_walk *w, struct rp_set *out, const struct rc_check *c, bool raw,
		       const struct rc_value *v)
{
	char buf[RP_PATH_MAX + 3];
	size_t n, cut = 0;
	int ret;

	if (v->len > RP_PATH_MAX)
		return add_pat(w, out, c, raw, RP_EXACT, v->str, v->len); /* ANY */
	n = pmatch_normal(v, buf);
	if (memchr(v->str, '*', v->len) || memchr(v->str, '?', v->len) ||
	    memchr(v->str, '[', v->len)) {
		while (cut < n && !strchr("*?[\\", buf[cut]))
			cut++;
		return add_pat(w, out, c, raw, RP_PREFIX, buf, cut);
	}
	if (n == 0) /* the root: every path */
		return add_pat(w, out, c, raw, RP_PREFIX, "/", 1);
	buf[n] = '/';
	ret = add_pat(w, out, c, raw, RP_EXACT, buf, n);
	return ret ? ret : add_pat(w, out, c, raw, RP_PREFIX, buf, n + 1);
}

/* Where the bracket expression opened at g[i] closes; len when it does not, or when it holds
 * a '[' (a class like [:alpha:], whose end this does not try to find). */
static size_t bracket_end(const char *g, size_t len, size_t i)
{
	size_t j = i + 1;

	if (j < len && (g[j] == '!' || g[j] == '^'))
		j++;
	if (j < len && g[j] == ']')
		j++;
	while (j < len && g[j] != ']') {
		if (g[j] == '[')
			return len;
		j++;
	}
	return j;
}

/* Does a literal run of glob g (text between wildcards, which any match holds as is) contain
 * a sequence the kernel passes? Gives up (false) at an escape or a bracket it cannot read. */
static bool glob_dotted(const char *g, size_t len)
{
	size_t start = 0, i = 0;

	while (i < len) {
		char ch = g[i];

		if (ch != '*' && ch != '?' && ch != '[' && ch != '\\') {
			i++;
			continue;
		}
		if (rp__dotted(g + start, i - start))
			return true;
		if (ch == '\\')
			return false;
		if (ch == '[' && (i = bracket_end(g, len, i)) == len)
			return false;
		start = ++i;
	}
	return rp__dotted(g + start, len - start);
}

/* fd.name glob G: exact G without wildcards, else a prefix up to the first one. */
static int glob_pats(struct rp_walk *w, struct rp_set *out, const struct rc_check *c, bool raw,
		     const struct rc_value *v)
{
	size_t head = 0;

	if (glob_dotted(v->str, v->len))
		return 0;
	while (head < v->len && !strchr("*?[\\", v->str[head]))
		head++;
	if (head == v->len)
		return add_pat(w, out, c, raw, RP_EXACT, v->str, v->len);
	if (!raw && (head == 0 || v->str[0] != '/')) {
		rp_set__any(out, c->lhs.name, "glob", "no leading '/' before a wildcard");
		return 0;
	}
	return add_pat(w, out, c, raw, RP_PREFIX, v->str, head);
}

/* =, in: fd.directory D is the file's parent or a directory's own path. */
static int eq_pats(struct rp_walk *w, struct rp_set *out, const struct rc_check *c, enum pfield f,
		   const struct rc_value *v)
{
	int ret;

	switch (f) {
	case PF_DIR:
		ret = add_pat(w, out, c, false, RP_EXACT, v->str, v->len);
		if (ret || (v->len && v->str[v->len - 1] == '/')) /* "/": every file at the root */
			return ret ? ret : add_pat(w, out, c, false, RP_PREFIX, v->str, v->len);
		return add_slashed(w, out, c, false, RP_PREFIX, v, true);
	case PF_FILE:
		if (memchr(v->str, '/', v->len)) /* then fd.filename is the whole name */
			return add_pat(w, out, c, false, RP_SUFFIX, v->str, v->len);
		return add_slashed(w, out, c, false, RP_SUFFIX, v, false);
	default:
		return add_pat(w, out, c, f == PF_RAW, RP_EXACT, v->str, v->len);
	}
}

/* The patterns one value of check c admits. */
static int value_pats(struct rp_walk *w, struct rp_set *out, const struct rc_check *c,
		      enum pfield f, const struct rc_value *v)
{
	bool raw = f == PF_RAW, name = f == PF_NAME || raw;

	switch (c->op) {
	case RC_OP_EQ:
	case RC_OP_IN:
		return eq_pats(w, out, c, f, v);
	case RC_OP_STARTSWITH:
		if (f != PF_FILE) /* fd.name starts with fd.directory */
			return add_pat(w, out, c, raw, RP_PREFIX, v->str, v->len);
		break;
	case RC_OP_ENDSWITH:
		if (f != PF_DIR) /* fd.name ends with fd.filename */
			return add_pat(w, out, c, raw, RP_SUFFIX, v->str, v->len);
		break;
	case RC_OP_PMATCH:
		if (f != PF_FILE) /* what is at or below fd.directory is at or below fd.name */
			return pmatch_pats(w, out, c, raw, v);
		break;
	case RC_OP_GLOB:
		if (name)
			return glob_pats(w, out, c, raw, v);
		break;
	case RC_OP_CONTAINS:
		if (f != PF_FILE && rp__dotted(v->str, v->len))
			return 0;
		break;
	default:
		break;
	}
	rp_set__any(out, c->lhs.name, rules_cond__op_name(c->op), NULL);
	return 0;
}

static enum pfield path_field(const struct rc_field *f)
{
	if (!f->def)
		return PF_NONE;
	switch (f->def->id) {
	case RF_FD_NAME:
		return PF_NAME;
	case RF_FD_NAMERAW:
		return PF_RAW;
	case RF_FD_DIRECTORY:
		return PF_DIR;
	case RF_FD_FILENAME:
		return PF_FILE;
	case RF_EVT_ARG: /* the path argument as passed (file.requested) */
		if (f->key && (!strcmp(f->key, "name") || !strcmp(f->key, "path")))
			return PF_RAW;
		return PF_NONE;
	default:
		return PF_NONE;
	}
}

/* Is c false for every event of the type: evt.type = or in other types only? (Not !=: the
 * names of one vigil type are several, open and openat.) */
static bool other_type(const struct rc_check *c, int type)
{
	struct re_set types;

	if (c->op != RC_OP_EQ && c->op != RC_OP_IN && c->op != RC_OP_INTERSECTS)
		return false;
	rules_evttype__check(c, &types); /* every type for a check on another field */
	return !((types.events >> type) & 1);
}

int rp_check__paths(struct rp_walk *w, const struct rc_check *c, struct rp_set *out)
{
	enum pfield f = path_field(&c->lhs);
	int ret = 0;

	if (f == PF_NONE) {
		if (!other_type(c, w->type))
			rp_set__any(out, NULL, NULL, rp_no_constraint);
		return 0;
	}
	if (c->lhs.nxf) {
		rp_set__any(out, c->lhs.name, NULL, "under a transformer");
		return 0;
	}
	if (c->rhs != RC_RHS_VALUE && c->rhs != RC_RHS_LIST) {
		rp_set__any(out, c->lhs.name, rules_cond__op_name(c->op),
			    c->rhs == RC_RHS_FIELD ? "against a field" : NULL);
		return 0;
	}
	for (size_t i = 0; i < c->nvals && !out->any && !ret; i++)
		ret = value_pats(w, out, c, f, &c->vals[i]);
	return ret;
}
