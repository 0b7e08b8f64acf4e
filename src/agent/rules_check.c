// SPDX-License-Identifier: Apache-2.0
/*
 * Fields and types of one check. Which operators a type takes follows Falco (libsinsp's
 * filter_compare): numbers and booleans compare for equality and order, addresses and
 * networks for equality and membership, only text takes contains, glob, regex..., only bytes
 * bcontains. Values must read as the field's type: a number, true or false, an address, a
 * network, hexadecimal bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

#define OPBIT(op) (1u << RC_OP_##op)

static const unsigned ops_num = OPBIT(EQ) | OPBIT(NE) | OPBIT(LT) | OPBIT(LE) | OPBIT(GT) |
				OPBIT(GE) | OPBIT(IN) | OPBIT(INTERSECTS) | OPBIT(EXISTS);
static const unsigned ops_bool =
    OPBIT(EQ) | OPBIT(NE) | OPBIT(IN) | OPBIT(INTERSECTS) | OPBIT(EXISTS);
static const unsigned ops_str = ~(OPBIT(BCONTAINS) | OPBIT(BSTARTSWITH));
static const unsigned ops_bytes = OPBIT(EQ) | OPBIT(NE) | OPBIT(CONTAINS) | OPBIT(IN) |
				  OPBIT(EXISTS) | OPBIT(STARTSWITH) | OPBIT(ENDSWITH) |
				  OPBIT(INTERSECTS) | OPBIT(BCONTAINS) | OPBIT(BSTARTSWITH);

static unsigned type_ops(enum rf_type t)
{
	switch (t) {
	case RF_NUM:
		return ops_num;
	case RF_BOOL:
	case RF_IPADDR:
	case RF_IPNET:
		return ops_bool;
	case RF_BYTES:
		return ops_bytes;
	default:
		return ops_str;
	}
}

static int fail(struct rules_set *rs, const struct rc_pos *pos, const char *owner, const char *msg)
{
	rl_diag(rs, RULES_ERROR, pos, "%s: %s", owner, msg);
	return -EINVAL;
}

const char *rl_field_name(struct rules_set *rs, const struct rc_field *f)
{
	if (!f->arg)
		return f->name;
	return arena__sprintf(&rs->arena, "%s[%s]", f->name, f->arg) ?: f->name;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* evt.arg.NAME / evt.arg[NAME]; a position (evt.arg[0]) is not provided: vigil's records
 * name their arguments, they do not number them as Falco's event tables do. */
static void find_evt_arg(struct rc_field *f)
{
	f->argdef = all_digits(f->key) ? NULL : rules_fields__arg(f->key);
	if (!f->argdef)
		f->def = NULL;
}

/* The catalogue entry and argument of f; def stays NULL when vigil has no such field. */
static int find_field(struct rules_set *rs, struct rc_field *f, const char *owner)
{
	const char *dotted, *msg = NULL;
	const struct rf_field *def = rules_fields__find(f->name, &dotted);

	if (!def)
		return 0;
	if (dotted && f->arg)
		msg = "the argument is given twice (after a dot and in brackets)";
	f->key = dotted ? dotted : f->arg;
	if (!msg && def->arg == RF_ARG_NONE && f->key)
		msg = "this field takes no argument";
	else if (!msg && def->arg == RF_ARG_INDEX && f->key && !all_digits(f->key))
		msg = "the argument must be a number: an ancestor's level";
	else if (!msg && def->arg != RF_ARG_NONE && !f->key && !(def->flags & RF_ARG_OPTIONAL))
		msg = "this field needs an argument";
	if (msg) {
		rl_diag(rs, RULES_ERROR, &f->pos, "%s: %s: %s", owner, rl_field_name(rs, f), msg);
		return -EINVAL;
	}
	f->def = def;
	if (def->id == RF_EVT_ARG)
		find_evt_arg(f);
	return 0;
}

/* The type after the transformers, innermost first; -EINVAL when one does not apply. */
static int field_type(struct rules_set *rs, const struct rc_field *f, const char *owner,
		      enum rf_type *out)
{
	enum rf_type t = f->def->type;
	char msg[256];

	for (unsigned i = f->nxf; i-- > 0;) {
		enum rc_xform xf = f->xf[i];
		bool ok = t == RF_STR || ((xf == RC_XF_LEN || xf == RC_XF_B64) && t == RF_BYTES);

		if (!ok) {
			snprintf(msg, sizeof(msg), "%s() does not apply to %s (of type %s)",
				 rules_cond__xform_name(xf), f->name, rules_fields__type_name(t));
			return fail(rs, &f->pos, owner, msg);
		}
		t = xf == RC_XF_LEN ? RF_NUM : RF_STR;
	}
	*out = t;
	return 0;
}

static bool is_int(const char *s)
{
	if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && s[2]) {
		for (s += 2; *s; s++)
			if (!strchr("0123456789abcdefABCDEF", *s))
				return false;
		return true;
	}
	return all_digits(s + (*s == '-' || *s == '+'));
}

static bool is_addr(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* addr/len, or an address alone */
static bool is_net(const char *s)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	long len;

	if (!slash)
		return is_addr(s);
	if ((size_t)(slash - s) >= sizeof(addr) || !all_digits(slash + 1))
		return false;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	len = strtol(slash + 1, NULL, 10);
	if (strchr(addr, ':'))
		return is_addr(addr) && len <= 128;
	return is_addr(addr) && len <= 32;
}

static bool is_hex_bytes(const char *s, size_t len)
{
	if (!len || len % 2)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

static const char *value_problem(enum rf_type t, enum rc_op op, const struct rc_value *v)
{
	if (op == RC_OP_BCONTAINS || op == RC_OP_BSTARTSWITH)
		return is_hex_bytes(v->str, v->len) ? NULL : "is not bytes in hexadecimal";
	if (t != RF_BYTES && memchr(v->str, '\0', v->len))
		return "holds a NUL byte, which only byte fields can";
	switch (t) {
	case RF_NUM:
		return is_int(v->str) ? NULL : "is not a number";
	case RF_BOOL:
		return !strcmp(v->str, "true") || !strcmp(v->str, "false") ? NULL
									   : "is not true or false";
	case RF_IPADDR:
		return is_addr(v->str) ? NULL : "is not an IP address";
	case RF_IPNET:
		return is_net(v->str) ? NULL : "is not a network (address/prefix)";
	default:
		return NULL;
	}
}

static int check_regex(struct rules_set *rs, const struct rc_value *v, const char *owner)
{
	regex_t re;
	int ret = regcomp(&re, v->str, REG_EXTENDED | REG_NOSUB);

	if (ret)
		return fail(rs, &v->pos, owner, "invalid regular expression");
	regfree(&re);
	return 0;
}

static int check_values(struct rules_set *rs, const struct rc_check *c, enum rf_type t,
			const char *owner)
{
	char msg[512];
	const char *why;

	for (size_t i = 0; i < c->nvals; i++) {
		why = value_problem(t, c->op, &c->vals[i]);
		if (why) {
			snprintf(msg, sizeof(msg), "'%.200s' %s (%s is of type %s)", c->vals[i].str,
				 why, c->lhs.name, rules_fields__type_name(t));
			return fail(rs, &c->vals[i].pos, owner, msg);
		}
		if (c->op == RC_OP_REGEX && check_regex(rs, &c->vals[i], owner))
			return -EINVAL;
	}
	return 0;
}

int rl_check(struct rules_set *rs, struct rc_check *c, const char *owner)
{
	enum rf_type lt, rt;
	char msg[256];

	if (find_field(rs, &c->lhs, owner))
		return -EINVAL;
	if (c->rhs == RC_RHS_FIELD && find_field(rs, &c->rfield, owner))
		return -EINVAL;
	if (!c->lhs.def || (c->rhs == RC_RHS_FIELD && !c->rfield.def))
		return 0; /* unknown: the rule is skipped, nothing more to check */
	if (field_type(rs, &c->lhs, owner, &lt))
		return -EINVAL;
	if (!(type_ops(lt) & (1u << c->op))) {
		snprintf(msg, sizeof(msg), "'%s' does not apply to %s (of type %s)",
			 rules_cond__op_name(c->op), c->lhs.name, rules_fields__type_name(lt));
		return fail(rs, &c->op_pos, owner, msg);
	}
	if (c->rhs != RC_RHS_FIELD)
		return check_values(rs, c, lt, owner);
	if (field_type(rs, &c->rfield, owner, &rt))
		return -EINVAL;
	if (rt != lt) {
		snprintf(msg, sizeof(msg),
			 "%s (of type %s) cannot be compared with %s (of type %s)", c->lhs.name,
			 rules_fields__type_name(lt), c->rfield.name, rules_fields__type_name(rt));
		return fail(rs, &c->rfield.pos, owner, msg);
	}
	return 0;
}
