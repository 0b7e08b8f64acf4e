// SPDX-License-Identifier: Apache-2.0
/*
 * What one conjunct of a rule's condition contributes to its enforcement plan (the list is in
 * enforce_plan.h): event types, open access modes, success checks dropped with a note, comms,
 * the uid, the scope, paths. The connect conjuncts are in enforce_plan_net.c. A conjunct is
 * one check, maybe negated, or an `or` of checks on one field (enforce_plan.c builds them).
 * Two conjuncts on one field intersect where that is simple (types, comms, names); where it is
 * not (paths, the uid), the second one makes the rule a user-space one.
 */
#include <string.h>

#include "enforce_plan_int.h"
#include "rules_evttype.h"

#define OP(x)	   (1u << RC_OP_##x)
#define NOTE(what) ("the kernel acts on the attempt: " what " is not checked")

static bool val_is(const struct rc_value *v, const char *s)
{
	return v->len == strlen(s) && !memcmp(v->str, s, v->len);
}

/* --- evt.type --- */

static enum ep_class type_class(const char *name)
{
	const struct re_evttype *t = rules_evttype__find(name);

	if (!t)
		return EP_NONE;
	if (t->events == RF_EV(OPEN))
		return EP_OPEN;
	if (t->events == RF_EV(CONNECT))
		return EP_CONNECT;
	if (t->events == RF_EV(EXEC))
		return EP_EXEC;
	return EP_NONE;
}

static bool strs_has(const char *const *set, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(set[i], s))
			return true;
	return false;
}

/* Keep the items of set[0..n) that are in other[0..m); the new count. */
static size_t strs_keep(const char **set, size_t n, const char *const *other, size_t m)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (strs_has(other, m, set[i]))
			set[k++] = set[i];
	return k;
}

/* evt.type = / in: one class; a second conjunct intersects the names. */
static int term_types(struct ep_ctx *x, const struct ep_term *t)
{
	const char *names[EP_TYPES_MAX];
	enum ep_class cls = EP_NONE;
	size_t n = 0;

	if (ep__ops(x, t, OP(EQ) | OP(IN), false))
		return -1;
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->c[i]->nvals; j++) {
			const char *s = t->c[i]->vals[j].str;
			enum ep_class c = type_class(s);

			if (c == EP_NONE)
				return ep__fail(
				    x, "evt.type %.64s is not enforceable in the kernel", s);
			if (cls != EP_NONE && c != cls)
				return ep__fail(x, "evt.type names types of more than one class");
			cls = c;
			if (!strs_has(names, n, s) && n < EP_TYPES_MAX)
				names[n++] = s;
		}
	if (x->p->cls == EP_NONE) {
		x->p->cls = cls;
		memcpy(x->types, names, n * sizeof(names[0]));
		x->ntypes = n;
		return 0;
	}
	if (cls != x->p->cls || !(x->ntypes = strs_keep(x->types, x->ntypes, names, n)))
		return ep__fail(x, "evt.type conditions that no event satisfies");
	return 0;
}

/* --- what is true of every event, or of the attempt --- */

/* Is every value of t s? */
static bool term_all(const struct ep_term *t, const char *s)
{
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->c[i]->nvals; j++)
			if (!val_is(&t->c[i]->vals[j], s))
				return false;
	return true;
}

static int term_dir(struct ep_ctx *x, const struct ep_term *t)
{
	if (ep__ops(x, t, OP(EQ) | OP(IN), false))
		return -1;
	return term_all(t, "<") ? 0 : ep__unsupported(x, t->c[0], false);
}

static int term_acc(struct ep_ctx *x, const struct ep_term *t, unsigned acc)
{
	if (ep__ops(x, t, OP(EQ), false))
		return -1;
	if (!term_all(t, "true"))
		return ep__unsupported(x, t->c[0], false);
	x->p->open_acc |= acc;
	ep__need(x, EP_OPEN, t->c[0]->lhs.def->name);
	return 0;
}

/* A check on the syscall's outcome, which the kernel does not wait for. */
struct ep_success {
	enum rf_id id;
	const char *key; /* evt.arg's argument */
	enum rc_op op;
	const char *val;
	enum ep_class cls; /* EP_NONE: any */
	const char *what, *note;
};

#define SUCCESS(id, key, op, val, cls, what)                                                       \
	{                                                                                          \
		RF_##id, key, RC_OP_##op, val, cls, what, NOTE(what)                               \
	}

static const struct ep_success successes[] = {
    SUCCESS(FD_NUM, NULL, GE, "0", EP_NONE, "fd.num >= 0"),
    SUCCESS(EVT_RAWRES, NULL, GE, "0", EP_NONE, "evt.rawres >= 0"),
    SUCCESS(EVT_RES, NULL, EQ, "SUCCESS", EP_NONE, "evt.res = SUCCESS"),
    SUCCESS(EVT_FAILED, NULL, EQ, "false", EP_NONE, "evt.failed = false"),
    SUCCESS(FD_TYPECHAR, NULL, EQ, "f", EP_OPEN, "fd.typechar = f"),
    SUCCESS(EVT_ARG, "res", EQ, "0", EP_EXEC, "evt.arg.res = 0"),
};

static const char note_ip[] = NOTE("fd.typechar in (4, 6)");

static bool success_is(const struct ep_success *s, const struct rc_check *c)
{
	const struct rc_field *f = &c->lhs;
	int64_t a, b;

	if (f->def->id != s->id || (s->key && (!f->key || strcmp(f->key, s->key))))
		return false;
	if (c->op != s->op && !(s->op == RC_OP_EQ && c->op == RC_OP_IN))
		return false;
	if (f->def->type == RF_NUM)
		return !ep__num(c->vals[0].str, &a) && !ep__num(s->val, &b) && a == b;
	return val_is(&c->vals[0], s->val);
}

/* fd.typechar in (4, 6), or = 4 or = 6: an IP socket, which connect's address says. */
static bool typechar_ip(const struct ep_term *t)
{
	bool four = false, six = false;

	if (t->c[0]->lhs.def->id != RF_FD_TYPECHAR)
		return false;
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->c[i]->nvals; j++) {
			const struct rc_value *v = &t->c[i]->vals[j];

			if (!val_is(v, "4") && !val_is(v, "6"))
				return false;
			four |= val_is(v, "4");
			six |= val_is(v, "6");
		}
	return four && six;
}

/* The success checks, and `not evt.num = 0` (Falco's never_true, negated: vigil numbers
 * events from 1). Anything else on a field no other conjunct takes: user space. */
static int term_success(struct ep_ctx *x, const struct ep_term *t)
{
	const struct rc_check *c = t->c[0];
	int64_t num;

	if (ep__ops(x, t, OP(EQ) | OP(IN) | OP(GE), true))
		return -1;
	if (t->neg) {
		if (c->lhs.def->id == RF_EVT_NUM && c->op == RC_OP_EQ &&
		    !ep__num(c->vals[0].str, &num) && num == 0)
			return 0;
		return ep__unsupported(x, c, true);
	}
	if (typechar_ip(t)) {
		ep__note(x, note_ip);
		ep__need(x, EP_CONNECT, "fd.typechar in (4, 6)");
		return 0;
	}
	for (size_t i = 0;
	     t->n == 1 && c->nvals == 1 && i < sizeof(successes) / sizeof(successes[0]); i++) {
		if (!success_is(&successes[i], c))
			continue;
		ep__note(x, successes[i].note);
		if (successes[i].cls != EP_NONE)
			ep__need(x, successes[i].cls, successes[i].what);
		return 0;
	}
	return ep__unsupported(x, c, false);
}

/* --- proc.name --- */

static const char note_long_comm[] = "proc.name values longer than 15 characters are left "
				     "out: the kernel's comm never holds one";

static bool comm_has(char (*set)[EP_COMM_LEN], size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(set[i]) == len && !memcmp(set[i], s, len))
			return true;
	return false;
}

/* The names of t that a comm can be, deduplicated, into set; -1 when there are too many. */
static int comm_values(struct ep_ctx *x, const struct ep_term *t, char (*set)[EP_COMM_LEN],
		       size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->c[i]->nvals; j++) {
			const struct rc_value *v = &t->c[i]->vals[j];

			if (v->len >= EP_COMM_LEN || memchr(v->str, '\0', v->len)) {
				ep__note(x, note_long_comm);
				continue;
			}
			if (comm_has(set, *n, v->str, v->len))
				continue;
			if (*n == EP_COMMS_MAX)
				return ep__fail(x, "more than %d proc.name values", EP_COMMS_MAX);
			memcpy(set[*n], v->str, v->len);
			set[(*n)++][v->len] = '\0';
		}
	return 0;
}

/* Included names intersect, excluded ones add up; enforce_plan.c takes the second from the
 * first when there are both. */
static int term_comms(struct ep_ctx *x, const struct ep_term *t)
{
	char set[EP_COMMS_MAX][EP_COMM_LEN];
	bool exclude = t->neg != (t->c[0]->op == RC_OP_NE);
	size_t n, k = 0;

	if (ep__ops(x, t, OP(EQ) | OP(IN) | (t->n == 1 ? OP(NE) : 0), true) ||
	    comm_values(x, t, set, &n))
		return -1;
	for (size_t i = 0; exclude && i < n; i++) {
		if (comm_has(x->exc, x->nexc, set[i], strlen(set[i])))
			continue;
		if (x->nexc == EP_COMMS_MAX)
			return ep__fail(x, "more than %d proc.name values", EP_COMMS_MAX);
		memcpy(x->exc[x->nexc++], set[i], EP_COMM_LEN);
	}
	if (exclude)
		return 0;
	if (!x->have_inc) {
		memcpy(x->inc, set, n * sizeof(set[0]));
		x->ninc = n;
		x->have_inc = true;
		return 0;
	}
	for (size_t i = 0; i < x->ninc; i++)
		if (comm_has(set, n, x->inc[i], strlen(x->inc[i])))
			memmove(x->inc[k++], x->inc[i], EP_COMM_LEN);
	x->ninc = k;
	return 0;
}

/* --- user.uid --- */

static int term_uid(struct ep_ctx *x, const struct ep_term *t)
{
	const struct rc_check *c = t->c[0];
	bool ne = t->neg != (c->op == RC_OP_NE);
	int64_t uid;

	if (ep__ops(x, t, OP(EQ) | OP(NE) | OP(IN), true))
		return -1;
	if (t->n > 1 || c->nvals > 1)
		return ep__fail(x, "user.uid compared with more than one value");
	if (ep__num(c->vals[0].str, &uid) || uid < 0 || uid > UINT32_MAX)
		return ep__fail(x, "user.uid %.32s is not a uid", c->vals[0].str);
	if (x->p->has_uid && (x->p->uid != (uint32_t)uid || x->p->uid_ne != ne))
		return ep__fail(x, "more than one condition on user.uid");
	x->p->has_uid = true;
	x->p->uid_ne = ne;
	x->p->uid = (uint32_t)uid;
	return 0;
}

/* --- the scope --- */

/* container.id = host (the host), != host (containers), under any number of nots. */
static int term_container(struct ep_ctx *x, const struct ep_term *t)
{
	bool host = t->neg != (t->c[0]->op != RC_OP_NE);

	if (ep__ops(x, t, OP(EQ) | OP(NE) | OP(IN), true))
		return -1;
	if (!term_all(t, "host"))
		return ep__fail(x, "container.id compared with an id other than host");
	for (size_t i = 1; i < t->n; i++)
		if ((t->c[i]->op != RC_OP_NE) != (t->c[0]->op != RC_OP_NE))
			return ep__fail(x, "an 'or' of container.id = host and != host");
	if (host)
		x->host = true;
	else
		x->containers = true;
	return 0;
}

/* k8s.ns.name, k8s.pod.name = / in: names kept by reference; a second conjunct intersects. */
static int term_k8s(struct ep_ctx *x, const struct ep_term *t)
{
	bool ns = t->c[0]->lhs.def->id == RF_K8S_NS_NAME;
	const char *set[EP_NAMES_MAX], **dst = ns ? x->p->ns : x->p->pods;
	size_t n = 0, *dn = ns ? &x->p->nns : &x->p->npods;
	bool *have = ns ? &x->have_ns : &x->have_pods;

	if (ep__ops(x, t, OP(EQ) | OP(IN), false))
		return -1;
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->c[i]->nvals; j++) {
			const char *s = t->c[i]->vals[j].str;

			if (strs_has(set, n, s))
				continue;
			if (n == EP_NAMES_MAX)
				return ep__fail(x, "more than %d %s values", EP_NAMES_MAX,
						t->c[0]->lhs.def->name);
			set[n++] = s;
		}
	if (*have) {
		*dn = strs_keep(dst, *dn, set, n);
		if (!*dn)
			return ep__fail(x, "%s conditions that no pod satisfies",
					t->c[0]->lhs.def->name);
		return 0;
	}
	memcpy(dst, set, n * sizeof(set[0]));
	*dn = n;
	*have = true;
	return 0;
}

/* --- fd.name --- */

/* Can the raw path argument be s, as fd.name is (absolute, no empty, "." or ".." component),
 * so that the kernel's verdict on the argument is the rule's on fd.name? An exact path does
 * not end with '/' (fd.name never does); a prefix may. */
static bool path_plain(const char *s, size_t len, enum rp_kind k)
{
	if (!len || s[0] != '/' || memchr(s, '\0', len))
		return false;
	if (k == RP_EXACT && len > 1 && s[len - 1] == '/')
		return false;
	for (size_t i = 1; i < len;) {
		size_t j = i;

		while (j < len && s[j] != '/')
			j++;
		if (j == i || (j - i == 1 && s[i] == '.') ||
		    (j - i == 2 && s[i] == '.' && s[i + 1] == '.'))
			return false;
		i = j + 1;
	}
	return true;
}

static int path_add(struct ep_ctx *x, enum rp_kind k, const char *s, size_t len)
{
	struct ep_plan *p = x->p;

	if (len > RP_PATH_MAX)
		return ep__fail(x, "fd.name: a path longer than %d bytes", RP_PATH_MAX);
	if (!path_plain(s, len, k))
		return ep__fail(x, "fd.name: '%.*s' is not an absolute, normalised path",
				(int)(len > 100 ? 100 : len), s);
	for (size_t i = 0; i < p->npaths; i++)
		if (p->paths[i].kind == k && strlen(p->paths[i].path) == len &&
		    !memcmp(p->paths[i].path, s, len))
			return 0;
	if (p->npaths == EP_PATHS_MAX)
		return ep__fail(x, "more than %d paths", EP_PATHS_MAX);
	p->paths[p->npaths].kind = k;
	memcpy(p->paths[p->npaths].path, s, len);
	p->paths[p->npaths++].path[len] = '\0';
	return 0;
}

/* pmatch D: exact D and prefix D/, D without its trailing slashes; the root: prefix "/". */
static int path_pmatch(struct ep_ctx *x, const struct rc_value *v)
{
	char buf[RP_PATH_MAX + 2];
	size_t n = v->len;

	if (memchr(v->str, '*', n) || memchr(v->str, '?', n) || memchr(v->str, '[', n))
		return ep__fail(x, "fd.name pmatch %.100s: a wildcard", v->str);
	if (!n || v->str[0] != '/')
		return path_add(x, RP_PREFIX, v->str, n); /* fails: not absolute */
	while (n > 1 && v->str[n - 1] == '/')
		n--;
	if (n == 1)
		return path_add(x, RP_PREFIX, "/", 1);
	if (n >= sizeof(buf) - 1)
		return path_add(x, RP_EXACT, v->str, n); /* fails: too long */
	memcpy(buf, v->str, n);
	buf[n] = '/';
	return path_add(x, RP_EXACT, buf, n) ? -1 : path_add(x, RP_PREFIX, buf, n + 1);
}

/* fd.name = / in / startswith / pmatch: one such conjunct per rule. */
static int term_paths(struct ep_ctx *x, const struct ep_term *t)
{
	if (ep__ops(x, t, OP(EQ) | OP(IN) | OP(STARTSWITH) | OP(PMATCH), false))
		return -1;
	if (x->p->npaths)
		return ep__fail(x, "more than one condition on fd.name");
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->c[i]->nvals; j++) {
			const struct rc_check *c = t->c[i];
			const struct rc_value *v = &c->vals[j];
			int ret;

			if (c->op == RC_OP_PMATCH)
				ret = path_pmatch(x, v);
			else
				ret = path_add(x, c->op == RC_OP_STARTSWITH ? RP_PREFIX : RP_EXACT,
					       v->str, v->len);
			if (ret)
				return -1;
		}
	ep__need(x, EP_OPEN, "fd.name");
	return 0;
}

int ep_term__apply(struct ep_ctx *x, const struct ep_term *t)
{
	if (!t->n || !t->c[0]->lhs.def)
		return t->n ? ep__unsupported(x, t->c[0], t->neg) : ep__fail(x, "an empty 'or'");
	switch (t->c[0]->lhs.def->id) {
	case RF_EVT_TYPE:
		return term_types(x, t);
	case RF_EVT_DIR:
		return term_dir(x, t);
	case RF_EVT_IS_OPEN_READ:
		return term_acc(x, t, EP_ACC_READ);
	case RF_EVT_IS_OPEN_WRITE:
		return term_acc(x, t, EP_ACC_WRITE);
	case RF_PROC_NAME:
		return term_comms(x, t);
	case RF_USER_UID:
		return term_uid(x, t);
	case RF_CONTAINER_ID:
		return term_container(x, t);
	case RF_K8S_NS_NAME:
	case RF_K8S_POD_NAME:
		return term_k8s(x, t);
	case RF_FD_NAME:
		return term_paths(x, t);
	case RF_FD_SIP:
	case RF_FD_RIP:
	case RF_FD_SNET:
	case RF_FD_RNET:
		return ep_net__addrs(x, t);
	case RF_FD_SPORT:
	case RF_FD_RPORT:
		return ep_net__ports(x, t);
	default:
		return term_success(x, t);
	}
}
