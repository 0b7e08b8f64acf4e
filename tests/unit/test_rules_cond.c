// SPDX-License-Identifier: Apache-2.0
/*
 * rules_cond: the condition lexer and parser. Precedence and grouping, every operator, values
 * (bare, quoted, escapes, numbers), list literals and list names, field arguments,
 * transformers and val(), and errors at their exact line and column: unbalanced parentheses,
 * unknown operators, unterminated strings, bad escapes, missing values.
 */
#include <errno.h>

#define UNIT_MAIN
#include "rules_cond.h"
#include "unit.h"

static struct arena arena;
static struct rc_err err;

/* Lines and columns of the text itself, as a YAML literal block would give them. */
static void text_pos(void *ctx, size_t off, struct rc_pos *out)
{
	const char *s = ctx;

	out->file = "c.yaml";
	out->line = 1;
	out->col = 1;
	for (size_t i = 0; i < off && s[i]; i++) {
		out->col = s[i] == '\n' ? 1 : out->col + 1;
		out->line += s[i] == '\n';
	}
}

static struct rc_node *parse(const char *text)
{
	struct rc_src src = {
	    .text = text, .len = strlen(text), .pos = text_pos, .ctx = (void *)text};
	struct rc_node *n = NULL;

	if (!arena.limit)
		arena__init(&arena, 64 << 20);
	if (rules_cond__parse(&arena, &src, &n, &err))
		return NULL;
	return n;
}

/* The dump of text, or "ERR line:col: message". */
static const char *p(const char *text)
{
	static char buf[4096];
	struct rc_node *n = parse(text);

	if (!n)
		snprintf(buf, sizeof(buf), "ERR %u:%u: %s", err.pos.line, err.pos.col, err.msg);
	else
		rules_cond__dump(n, 0, buf, sizeof(buf));
	return buf;
}

static const char *pos(const struct rc_pos *ps)
{
	static char buf[4][32];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s:%u:%u", ps->file, ps->line, ps->col);
	return buf[i];
}

UNIT_TEST(precedence_and_grouping)
{
	CHECK_STR(p("a or b and c"), "(or a (and b c))");
	CHECK_STR(p("a and b or c"), "(or (and a b) c)");
	CHECK_STR(p("not a and b"), "(and (not a) b)");
	CHECK_STR(p("not (a and b)"), "(not (and a b))");
	CHECK_STR(p("a and b and c or d or e"), "(or (and a b c) d e)");
	CHECK_STR(p("(a or b) and (c or d)"), "(and (or a b) (or c d))");
	CHECK_STR(p("not not a"), "(not (not a))");
	CHECK_STR(p("((a))"), "a");
	CHECK_STR(p("a and not b or not c and d"), "(or (and a (not b)) (and (not c) d))");
	CHECK_STR(p("  a\n\tand\r\n b  "), "(and a b)");
}

UNIT_TEST(keywords_need_a_blank_or_parenthesis)
{
	CHECK_STR(p("a and(b)"), "(and a b)");
	CHECK_STR(p("a or(b)"), "(or a b)");
	CHECK_STR(p("not(a)"), "(not a)");
	CHECK_STR(p("(a)and(b)"), "(and a b)");
	CHECK_STR(p("andy and notx"), "(and andy notx)");
	CHECK_STR(p("a andb"), "ERR 1:3: unexpected 'andb': expected 'and', 'or' or the end");
	CHECK_STR(p("a and or b"), "ERR 1:7: expected a condition (a field comparison, a macro "
				   "name or '('), found 'or'");
}

UNIT_TEST(every_operator)
{
	static const char *const ops[] = {"=",	       "==",	    "!=",	  "<",
					  "<=",	       ">",	    ">=",	  "contains",
					  "icontains", "bcontains", "startswith", "bstartswith",
					  "endswith",  "glob",	    "iglob",	  "regex"};
	char text[128], want[128];
	enum rc_op op;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		snprintf(text, sizeof(text), "fd.num %s 10", ops[i]);
		snprintf(want, sizeof(want), "{fd.num %s 10}", strcmp(ops[i], "==") ? ops[i] : "=");
		CHECK_STR(p(text), want);
		CHECK_INT(rules_cond__op_parse(ops[i], &op), 0);
		CHECK_STR(rules_cond__op_name(op), strcmp(ops[i], "==") ? ops[i] : "=");
	}
	CHECK_STR(p("fd.name in (a, b)"), "{fd.name in (a, b)}");
	CHECK_STR(p("fd.name intersects (a)"), "{fd.name intersects (a)}");
	CHECK_STR(p("fd.name pmatch (/tmp, /var/*)"), "{fd.name pmatch (/tmp, /var/*)}");
	CHECK_STR(p("proc.pname exists"), "{proc.pname exists}");
	CHECK_STR(p("not proc.pname exists and a"), "(and (not {proc.pname exists}) a)");
	CHECK_STR(p("fd.num>=0 and fd.num!=-1"), "(and {fd.num >= 0} {fd.num != -1})");
	CHECK_INT(rules_cond__op_parse("like", &op), -EINVAL);
	CHECK_INT(rules_cond__op_kind(RC_OP_EXISTS), RC_OPK_UNARY);
	CHECK_INT(rules_cond__op_kind(RC_OP_PMATCH), RC_OPK_LIST);
	CHECK_INT(rules_cond__op_kind(RC_OP_GE), RC_OPK_NUM);
}

UNIT_TEST(numbers_for_ordering_operators)
{
	CHECK_STR(p("proc.duration <= 5000000000"), "{proc.duration <= 5000000000}");
	CHECK_STR(p("x.y > 0x1F"), "{x.y > 0x1F}");
	CHECK_STR(p("x.y < -3"), "{x.y < -3}");
	CHECK_STR(p("x.y < 1.5e+3"), "{x.y < 1.5e+3}");
	CHECK_STR(p("x.y < abc"), "ERR 1:7: expected a number after '<', found 'abc'");
	CHECK_STR(p("x.y >= \"1\""), "ERR 1:8: expected a number after '>=', found '\"1\"'");
}

UNIT_TEST(values_bare_and_quoted)
{
	CHECK_STR(p("proc.pname in (runc:[0:PARENT], <NA>)"),
		  "{proc.pname in (runc:[0:PARENT], <NA>)}");
	CHECK_STR(p("fd.name startswith /etc/ and fd.typechar='f'"),
		  "(and {fd.name startswith /etc/} {fd.typechar = \"f\"})");
	CHECK_STR(p("proc.name=\"(systemd)\""), "{proc.name = \"(systemd)\"}");
	CHECK_STR(p("a.b = \"x\\ty\\n\\\\ \\\" \\/ \\x41\""),
		  "{a.b = \"x\\x09y\\x0a\\\\ \\\" / A\"}");
	CHECK_STR(p("a.b = 'it\\'s'"), "{a.b = \"it's\"}");
	CHECK_STR(p("a.b = 'say \"hi\"'"), "{a.b = \"say \\\"hi\\\"\"}");
	CHECK_STR(p("a.b = \"\""), "{a.b = \"\"}");
	CHECK_STR(p("a.b = \"a\\x00b\""), "{a.b = \"a\\x00b\"}");
	CHECK_STR(p("a.b = !x"), "{a.b = !x}");
}

UNIT_TEST(list_literals_and_list_names)
{
	struct rc_node *n = parse("proc.name in (a, 'b c' , \"d\",e)");

	CHECK(n != NULL);
	if (n) {
		CHECK_INT(n->check->rhs, RC_RHS_LIST);
		CHECK_INT(n->check->nvals, 4);
		CHECK_STR(n->check->vals[1].str, "b c");
		CHECK(n->check->vals[1].quoted);
		CHECK(!n->check->vals[3].quoted);
	}
	CHECK_STR(p("proc.name in ()"), "{proc.name in ()}");
	CHECK_STR(p("proc.name in ( )"), "{proc.name in ()}");
	CHECK_STR(p("proc.name in shell_binaries"), "{proc.name in @shell_binaries}");
	CHECK_STR(p("proc.name in(a)"), "{proc.name in (a)}");
	CHECK_STR(p("proc.name in (a,,b)"), "ERR 1:17: expected a value in the list, found ','");
	CHECK_STR(p("proc.name in (a b)"), "ERR 1:17: expected ',' or ')' in the list, found 'b'");
	CHECK_STR(p("proc.name in (a, b"),
		  "ERR 1:14: unbalanced parenthesis: the list's '(' is not closed");
	CHECK_STR(p("proc.name in /bin/sh"),
		  "ERR 1:14: expected a list after 'in': '(' or a list name, found '/bin/sh'");
	CHECK_STR(p("proc.name in \"x\""),
		  "ERR 1:14: expected a list after 'in': '(' or a list name, found '\"x\"'");
}

UNIT_TEST(field_arguments)
{
	struct rc_node *n = parse("proc.aname[2]=sshd");

	CHECK(n != NULL);
	if (n) {
		CHECK_STR(n->check->lhs.name, "proc.aname");
		CHECK_STR(n->check->lhs.arg, "2");
	}
	CHECK_STR(p("k8s.pod.label[app] = web"), "{k8s.pod.label[app] = web}");
	CHECK_STR(p("k8s.pod.label[\"app.kubernetes.io/name\"] = x"),
		  "{k8s.pod.label[app.kubernetes.io/name] = x}");
	CHECK_STR(p("container.mount.dest[/proc*] in (\"<NA>\",\"N/A\")"),
		  "{container.mount.dest[/proc*] in (\"<NA>\", \"N/A\")}");
	CHECK_STR(p("evt.arg.flags contains O_TRUNC"), "{evt.arg.flags contains O_TRUNC}");
	CHECK_STR(p("evt.arg[0] = x"), "{evt.arg[0] = x}");
	CHECK_STR(p("proc.aname[] = x"), "ERR 1:12: expected a field argument after '['");
	CHECK_STR(p("proc.aname[2 = x"),
		  "ERR 1:13: expected ']' to close the argument of proc.aname");
	CHECK_STR(p("proc.aname [2] = x"),
		  "ERR 1:12: expected an operator after proc.aname, found '[2]'");
}

UNIT_TEST(transformers_and_val)
{
	struct rc_node *n = parse("tolower(basename(fd.name)) = val(proc.pname)");

	CHECK(n != NULL);
	if (n) {
		CHECK_INT(n->check->lhs.nxf, 2);
		CHECK_INT(n->check->lhs.xf[0], RC_XF_TOLOWER);
		CHECK_INT(n->check->lhs.xf[1], RC_XF_BASENAME);
		CHECK_INT(n->check->rhs, RC_RHS_FIELD);
		CHECK(n->check->rval);
		CHECK_STR(n->check->rfield.name, "proc.pname");
	}
	CHECK_STR(p("toupper(proc.name) = toupper(proc.pname)"),
		  "{toupper(proc.name) = toupper(proc.pname)}");
	CHECK_STR(p("len(proc.args) > 3"), "{len(proc.args) > 3}");
	CHECK_STR(p("b64(evt.arg.data) contains x"), "{b64(evt.arg.data) contains x}");
	CHECK_STR(p("proc.name in val(proc.pname)"), "{proc.name in val(proc.pname)}");
	CHECK_STR(p("tolower(proc.aname[1]) exists"), "{tolower(proc.aname[1]) exists}");
	CHECK_STR(p("val(proc.name) = x"), "ERR 1:1: val() is only allowed after an operator");
	CHECK_STR(p("tolower(x) = y"),
		  "ERR 1:9: expected a field inside the transformer, found 'x'");
	CHECK_STR(p("a.b = val(tolower(c.d))"),
		  "ERR 1:11: expected a field inside val(), found 'tolower'");
	CHECK_STR(p("tolower(a.b = c"), "ERR 1:13: expected ')' to close tolower(), found '='");
	CHECK_STR(p("tolower(tolower(tolower(tolower(tolower(a.b))))) = x"),
		  "ERR 1:33: more than 4 transformers on one field");
	/* a transformer's name followed by a blank is a macro name */
	CHECK_STR(p("tolower and b"), "(and tolower b)");
}

UNIT_TEST(error_unbalanced_parentheses)
{
	CHECK_STR(p("(a and b"), "ERR 1:1: unbalanced parenthesis: '(' is not closed");
	CHECK_STR(p("a and\n  ((b) or c"), "ERR 2:3: unbalanced parenthesis: '(' is not closed");
	CHECK_STR(p("a and b)"), "ERR 1:8: unbalanced parenthesis: ')' has no matching '('");
	CHECK_STR(p("(a))"), "ERR 1:4: unbalanced parenthesis: ')' has no matching '('");
	CHECK_STR(p(")"), "ERR 1:1: unbalanced parenthesis: ')' has no matching '('");
	CHECK_STR(p("()"), "ERR 1:2: expected a condition (a field comparison, a macro name or "
			   "'('), found ')'");
	CHECK_STR(p("(a b)"), "ERR 1:4: unexpected 'b': expected 'and', 'or' or ')'");
}

UNIT_TEST(error_unknown_operator)
{
	CHECK_STR(p("proc.name like bash"), "ERR 1:11: unknown operator 'like' after proc.name");
	CHECK_STR(p("a and\n    proc.name inx (a)"),
		  "ERR 2:15: unknown operator 'inx' after proc.name");
	CHECK_STR(p("proc.name"), "ERR 1:10: expected an operator after proc.name, found the end "
				  "of the condition");
	CHECK_STR(p("proc.name (a)"), "ERR 1:11: expected an operator after proc.name, found '('");
	CHECK_STR(p("proc.name ! x"), "ERR 1:11: expected an operator after proc.name, found '!'");
	/* ~ is a bare value, as in Falco: what follows is the error */
	CHECK_STR(p("proc.name =~ x"), "ERR 1:14: unexpected 'x': expected 'and', 'or' or the end");
}

UNIT_TEST(error_unterminated_string_and_escapes)
{
	CHECK_STR(p("proc.name = \"bash"), "ERR 1:13: unterminated string: no closing \"");
	CHECK_STR(p("a and\n  proc.name in (x, 'y)"),
		  "ERR 2:20: unterminated string: no closing '");
	CHECK_STR(p("proc.name = \"a\\\""), "ERR 1:13: unterminated string: no closing \"");
	CHECK_STR(p("proc.name = \"a\\qb\""), "ERR 1:15: unsupported escape sequence \\q");
	CHECK_STR(p("proc.name = \"a\\x4\""), "ERR 1:15: \\x needs two hexadecimal digits");
	CHECK_STR(p("proc.name = 'a\\\"b'"), "ERR 1:15: invalid \\\" escape in a '-quoted string");
}

UNIT_TEST(error_other)
{
	CHECK_STR(p(""), "ERR 1:1: empty condition");
	CHECK_STR(p(" \n "), "ERR 1:1: empty condition");
	CHECK_STR(p("a b"), "ERR 1:3: unexpected 'b': expected 'and', 'or' or the end");
	CHECK_STR(p("a = b"), "ERR 1:3: unexpected '=': expected 'and', 'or' or the end");
	CHECK_STR(p("proc.name ="), "ERR 1:12: expected a value after '=', found the end of the "
				    "condition");
	CHECK_STR(p("proc.name = ("), "ERR 1:13: expected a value after '=', found '('");
	CHECK_STR(p("not"), "ERR 1:4: expected a condition (a field comparison, a macro name or "
			    "'('), found the end of the condition");
	CHECK_STR(p("\"x\" = y"), "ERR 1:1: expected a condition (a field comparison, a macro "
				  "name or '('), found '\"x\"'");
	CHECK_STR(p("a and #"), "ERR 1:7: expected a condition (a field comparison, a macro name "
				"or '('), found '#'");
}

UNIT_TEST(depth_is_bounded)
{
	char deep[1200];
	size_t n = 0;

	for (int i = 0; i < 300; i++)
		deep[n++] = '(';
	deep[n++] = 'a';
	for (int i = 0; i < 300; i++)
		deep[n++] = ')';
	deep[n] = '\0';
	CHECK_STR(p(deep), "ERR 1:201: nested deeper than 200 levels");
	n = 0;
	for (int i = 0; i < 150; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "not ");
	snprintf(deep + n, sizeof(deep) - n, "a");
	CHECK(strncmp(p(deep), "(not (not", 9) == 0);
}

UNIT_TEST(positions_of_nodes)
{
	struct rc_node *n = parse("spawned_process\n"
				  "  and not proc.name in (sh, \"ba sh\")\n"
				  "  and tolower(fd.name) = x");
	struct rc_check *c;

	CHECK(n != NULL);
	if (!n)
		return;
	CHECK_INT(n->kind, RC_AND);
	CHECK_STR(pos(&n->pos), "c.yaml:1:1");
	CHECK_STR(pos(&n->kids[0]->pos), "c.yaml:1:1");
	CHECK_STR(pos(&n->kids[1]->pos), "c.yaml:2:7");
	c = n->kids[1]->kids[0]->check;
	CHECK_STR(pos(&n->kids[1]->kids[0]->pos), "c.yaml:2:11");
	CHECK_STR(pos(&c->lhs.pos), "c.yaml:2:11");
	CHECK_STR(pos(&c->op_pos), "c.yaml:2:21");
	CHECK_STR(pos(&c->vals[0].pos), "c.yaml:2:25");
	CHECK_STR(pos(&c->vals[1].pos), "c.yaml:2:29");
	c = n->kids[2]->check;
	CHECK_STR(pos(&n->kids[2]->pos), "c.yaml:3:7");
	CHECK_STR(pos(&c->lhs.pos), "c.yaml:3:7");
	CHECK_STR(pos(&c->vals[0].pos), "c.yaml:3:26");
}

UNIT_TEST(single_values_and_fields)
{
	struct rc_pos at = {"l.yaml", 3, 7};
	struct rc_value v;
	struct rc_field f;

	CHECK_INT(rules_cond__value(&arena, "a b", 3, at, &v, &err), 0);
	CHECK_STR(v.str, "a b");
	CHECK(!v.quoted);
	CHECK_INT(rules_cond__value(&arena, "\"(systemd)\"", 11, at, &v, &err), 0);
	CHECK_STR(v.str, "(systemd)");
	CHECK(v.quoted);
	CHECK_STR(pos(&v.pos), "l.yaml:3:7");
	CHECK_INT(rules_cond__value(&arena, "'x' y", 5, at, &v, &err), -EINVAL);
	CHECK_STR(err.msg, "text after the closing quote");
	CHECK_INT(err.pos.col, 10);
	CHECK_INT(rules_cond__value(&arena, "\"x", 2, at, &v, &err), -EINVAL);
	CHECK_INT(rules_cond__field(&arena, "proc.aname[3]", 13, at, &f, &err), 0);
	CHECK_STR(f.name, "proc.aname");
	CHECK_STR(f.arg, "3");
	CHECK_INT(rules_cond__field(&arena, "proc name", 9, at, &f, &err), -EINVAL);
	CHECK_INT(rules_cond__field(&arena, "proc", 4, at, &f, &err), -EINVAL);
	CHECK_STR(err.msg, "'proc' is not a field name");
}

UNIT_TEST(dump_limits)
{
	char small[8];

	CHECK_INT(rules_cond__dump(parse("a and b"), 0, small, sizeof(small)), 9);
	CHECK_STR(small, "(and a ");
	CHECK_INT(rules_cond__dump(NULL, 0, small, sizeof(small)), 0);
	CHECK_STR(rules_cond__xform_name(RC_XF_LEN), "len");
	arena__free(&arena);
	arena.limit = 0;
}

int main(void)
{
	return unit_run();
}
