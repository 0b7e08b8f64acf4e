// SPDX-License-Identifier: Apache-2.0
/*
 * The field catalogue (lookups, dotted arguments, event masks derived from the record layouts)
 * and event types: Falco names to vigil types, and the set algebra Falco uses to find the
 * event types of a condition.
 */
#define UNIT_MAIN
#include "rules_evttype.h"
#include "rules_fields.h"
#include "unit.h"

UNIT_TEST(lookups)
{
	const char *dotted;
	const struct rf_field *f;

	f = rules_fields__find("proc.name", &dotted);
	CHECK(f && f->id == RF_PROC_NAME && f->type == RF_STR && !dotted);
	f = rules_fields__find("evt.arg.flags", &dotted);
	CHECK(f && f->id == RF_EVT_ARG);
	CHECK_STR(dotted, "flags");
	f = rules_fields__find("k8s.pod.label.app", &dotted);
	CHECK(f && f->id == RF_K8S_POD_LABEL);
	CHECK_STR(dotted, "app");
	/* fd.sip.name is a field of its own, not fd.sip with an argument */
	f = rules_fields__find("fd.sip.name", &dotted);
	CHECK(f && f->id == RF_FD_SIP_NAME && !dotted);
	CHECK(rules_fields__find("proc.vpid", &dotted) == NULL);
	CHECK(rules_fields__find("proc.name.x", &dotted) == NULL);
	CHECK(rules_fields__find("evt.arg.", &dotted) == NULL);
	CHECK(rules_fields__arg("flags") != NULL);
	CHECK(rules_fields__arg("nosuch") == NULL);
	CHECK(rules_fields__get(RF_FD_NAME) == rules_fields__find("fd.name", &dotted));
	CHECK_STR(rules_fields__type_name(RF_IPNET), "network");
}

UNIT_TEST(every_row_is_documented)
{
	const char *dotted;

	for (unsigned i = 0; i < rules_fields__count(); i++) {
		const struct rf_field *f = rules_fields__get((enum rf_id)i);

		CHECK(f->id == (enum rf_id)i);
		CHECK(f->source && f->source[0]);
		CHECK(f->events && !(f->events & ~RF_EV_ALL));
		CHECK(rules_fields__find(f->name, &dotted) == f);
	}
	for (unsigned i = 0; i < rules_fields__arg_count(); i++) {
		const struct rf_arg *a = rules_fields__arg_at(i);

		CHECK(a->source && a->events && !(a->events & ~RF_EV_ALL));
		CHECK(rules_fields__arg(a->name) == a);
	}
}

UNIT_TEST(masks_follow_the_record_layouts)
{
	CHECK(RF_EV_FILE & RF_EV(OPEN));
	CHECK(RF_EV_FILE & RF_EV(CLOSE));
	CHECK(!(RF_EV_FILE & RF_EV(CONNECT)));
	CHECK(RF_EV_NET & RF_EV(DNS));
	CHECK(RF_EV_PRIV & RF_EV(PERSONALITY));
	CHECK(!(RF_EV_SYSCALL & RF_EV(EXEC)));
	CHECK(!(RF_EV_ALL & RF_EV(NONE)));
	CHECK_INT(__builtin_popcountll(RF_EV_ALL), VG_EV_MAX - 1);
	CHECK_INT(__builtin_popcountll(RF_EV_FILE), 12);
	CHECK_INT(__builtin_popcountll(RF_EV_NET), 8);
}

UNIT_TEST(falco_names)
{
	const struct re_evttype *t = rules_evttype__find("execveat");

	CHECK(t && t->events == RF_EV(EXEC) && !t->partial);
	t = rules_evttype__find("unlinkat");
	CHECK(t && t->events == (RF_EV(UNLINK) | RF_EV(RMDIR)));
	t = rules_evttype__find("sendto");
	CHECK(t && t->events == (RF_EV(UDP_SEND) | RF_EV(DNS)) && t->partial);
	CHECK(rules_evttype__find("userfaultfd") == NULL);
	CHECK(rules_evttype__find("read") == NULL);
}

/* The set of evt.type OP (values). */
static struct re_set of(enum rc_op op, const char *const *names, size_t n)
{
	static struct rc_value vals[8];
	struct rc_check c = {.op = op, .rhs = RC_RHS_LIST, .vals = vals, .nvals = n};
	struct re_set s;

	c.lhs.def = rules_fields__get(RF_EVT_TYPE);
	for (size_t i = 0; i < n; i++)
		vals[i] = (struct rc_value){.str = names[i], .len = strlen(names[i])};
	rules_evttype__check(&c, &s);
	return s;
}

UNIT_TEST(set_algebra)
{
	static const char *const opens[] = {"open", "openat", "creat"};
	static const char *const mixed[] = {"connect", "userfaultfd", "read"};
	static const char *const uf[] = {"userfaultfd"};
	struct re_set a = of(RC_OP_IN, opens, 3), b = of(RC_OP_IN, mixed, 3), c, any;

	CHECK(a.exact && a.events == RF_EV(OPEN) && !a.other);
	CHECK(b.events == RF_EV(CONNECT) && b.other && !b.any_other && b.nnames == 2);
	c = a;
	rules_evttype__not(&c);
	CHECK(c.exact && c.events == (RF_EV_ALL & ~RF_EV(OPEN)) && c.other && c.any_other);
	rules_evttype__and(&c, &b);
	CHECK(c.events == RF_EV(CONNECT) && c.nnames == 2 && !c.any_other);
	c = of(RC_OP_NE, uf, 1);
	CHECK(c.events == RF_EV_ALL && c.other && c.any_other);
	/* not of a check that is not on evt.type restricts nothing */
	rules_evttype__all(&any);
	CHECK(rules_evttype__is_all(&any) && !any.exact);
	c = any;
	rules_evttype__not(&c);
	CHECK(rules_evttype__is_all(&c));
	c = a;
	rules_evttype__and(&c, &any);
	CHECK(!c.exact && c.events == RF_EV(OPEN));
	rules_evttype__not(&c);
	CHECK(rules_evttype__is_all(&c));
	c = a;
	rules_evttype__or(&c, &b);
	CHECK(c.events == (RF_EV(OPEN) | RF_EV(CONNECT)) && c.nnames == 2);
	c = of(RC_OP_EQ, uf, 1);
	rules_evttype__and(&c, &a);
	CHECK(!c.events && !c.other);
	/* other operators on evt.type restrict nothing */
	c = of(RC_OP_STARTSWITH, opens, 1);
	CHECK(rules_evttype__is_all(&c));
	CHECK_INT(of(RC_OP_IN, (const char *const[]){"write", "dup"}, 2).nnotes, 2);
}

int main(void)
{
	return unit_run();
}
