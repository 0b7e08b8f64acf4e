/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Enforcement across a rule reload (SIGHUP). The kernel's policies, their ids and the
 * programs attached were set from the rules at start-up. A reload that leaves every acting
 * rule as it was (name, action, threshold, condition) keeps them untouched, so enforcement
 * never pauses; it moves the entries onto the new rule objects and applies mode changes
 * (monitor, alert, enforce): in the kernel that is one store to vg_enf_enforcing, so a
 * policy is never missing, only switched. A reload that changes what is enforced otherwise
 * is refused whole: rewriting live policies in place could leave a moment where a policy bit
 * means another rule, and a restart is the honest way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "enforce_int.h"
#include "log.h"
#include "rules_cond.h"
#include "rules_eval.h"
#include "vigil.skel.h"

#define DUMP_MAX 16384

static bool same_rule(const struct enf_entry *o, const struct enf_entry *n, char *b1, char *b2)
{
	const struct rules_rule *x = o->rule, *y = n->rule;

	if (strcmp(x->name, y->name) || x->action != y->action ||
	    x->thr_count != y->thr_count || x->thr_window_ns != y->thr_window_ns ||
	    o->kernel != n->kernel || o->id != n->id || o->devices != n->devices ||
	    o->host_explicit != n->host_explicit)
		return false;
	rules_cond__dump(x->cond, 16, b1, DUMP_MAX); /* macros opened: their bodies count */
	rules_cond__dump(y->cond, 16, b2, DUMP_MAX);
	return !strcmp(b1, b2);
}

/* A rule's mode changed: user space reads it from the entry; a kernel policy acts or only
 * reports by its bit in vg_enf_enforcing, flipped in one store. */
static void switch_mode(struct agent *a, struct enf_entry *e, enum rules_mode mode)
{
	uint64_t bit = 1ull << e->id;

	if (e->mode == mode)
		return;
	log_info("reload: rule '%s': mode %s -> %s%s", e->rule->name, rules_mode__name(e->mode),
		 rules_mode__name(mode), e->kernel ? " (kernel policy switched)" : "");
	if (mode == RULES_MODE_ENFORCE && !e->kernel && !a->enf->doom)
		log_warn("reload: rule '%s' kills from user space through a pidfd only: the "
			 "next-syscall kill needs the program a restart attaches", e->rule->name);
	e->mode = mode;
	if (!e->kernel || !a->skel)
		return;
	if (mode == RULES_MODE_ENFORCE)
		a->skel->bss->vg_enf_enforcing |= bit;
	else
		a->skel->bss->vg_enf_enforcing &= ~bit;
}

int agent_enforce_reload_check(struct agent *a, struct re_engine *eng,
			       const struct vg_config *nc)
{
	struct agent_enforce_state *ns = NULL, *cur = a->enf;
	char *b1 = malloc(DUMP_MAX), *b2 = malloc(DUMP_MAX);
	unsigned n = cur ? cur->n : 0;
	/* the entries the new engine would get under nc's --rule-mode */
	int err = agent_enforce_build(a, eng, nc->rule_mode, &ns);

	if (!err && (!b1 || !b2))
		err = -ENOMEM;
	if (!err && (ns ? ns->n : 0) != n)
		err = -EBUSY;
	for (unsigned i = 0; !err && i < n; i++)
		if (!same_rule(&cur->ents[i], &ns->ents[i], b1, b2))
			err = -EBUSY;
	if (err == -EBUSY)
		log_error("reload: the rules that enforce (their set, action, threshold or "
			  "condition) changed; such enforcement changes take a restart, so the "
			  "running configuration stays (a change of mode alone is applied live)");
	if (!err && cur) /* keep the live state, on the new rule objects and plans */
		for (unsigned i = 0; i < n; i++) {
			free(cur->ents[i].plan);
			cur->ents[i].rule = ns->ents[i].rule;
			cur->ents[i].plan = ns->ents[i].plan;
			ns->ents[i].plan = NULL;
			switch_mode(a, &cur->ents[i], ns->ents[i].mode);
		}
	agent_enforce_state_free(ns);
	free(b1);
	free(b2);
	return err;
}
