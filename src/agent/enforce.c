/* SPDX-License-Identifier: Apache-2.0 */
/* Enforcement set-up: rules with an action or a threshold, compiled to kernel policies where
 * the condition allows (enforce_plan.h), their maps filled, the cgroup programs attached to
 * the cgroup v2 root (enforce.h says why the root). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "agent.h"
#include "enforce_int.h"
#include "log.h"
#include "rules_eval.h"

struct enf_entry *enf_entry_of(struct agent_enforce_state *st, const struct rules_rule *r)
{
	for (unsigned i = 0; st && i < st->n; i++)
		if (st->ents[i].rule == r)
			return &st->ents[i];
	return NULL;
}

/* The device a path names: the memory devices by their fixed numbers (a node needs none on
 * the host to be made in a container), others as the host's node says. */
int enforce_device_of(const char *path, char *type, unsigned *maj, unsigned *min)
{
	static const struct { const char *path; unsigned minor; } mem[] = {
		{ "/dev/mem", 1 }, { "/dev/kmem", 2 }, { "/dev/port", 4 },
	};
	struct stat sb;

	for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++)
		if (!strcmp(path, mem[i].path)) {
			*type = 'c', *maj = 1, *min = mem[i].minor;
			return 0;
		}
	if (stat(path, &sb))
		return -errno;
	if (!S_ISCHR(sb.st_mode) && !S_ISBLK(sb.st_mode))
		return -ENODEV;
	*type = S_ISCHR(sb.st_mode) ? 'c' : 'b';
	*maj = major(sb.st_rdev), *min = minor(sb.st_rdev);
	return 0;
}

/* Are all of an open rule's paths device nodes (exact paths)? Then deny can be a real EPERM,
 * from the cgroup device program. */
static bool plan_devices(const struct ep_plan *p)
{
	unsigned maj, min;
	char type;

	if (!p->npaths)
		return false;
	for (size_t i = 0; i < p->npaths; i++)
		if (p->paths[i].kind != RP_EXACT ||
		    enforce_device_of(p->paths[i].path, &type, &maj, &min))
			return false;
	return true;
}

/* Decide where entry e is decided; plan is the rule's compiled plan (taken when kernel). */
static void place(const struct agent *a, struct agent_enforce_state *st, struct enf_entry *e,
		  struct ep_plan *plan)
{
	const struct rules_rule *r = e->rule;
	/* placed by what the rule is, not by its mode: the kernel judges monitor and alert mode
	 * rules too and reports them as dry runs (vg_enf_enforcing), so a reload can switch a
	 * rule's mode without a moment where its policy is missing */
	bool acts = r->action != RULES_ACT_NONE;

	e->host_explicit = plan->host_explicit;
	snprintf(e->why, sizeof(e->why), "%s", plan->why);
	if (!plan->kernel || (!acts && !r->thr_count))
		return;
	if (r->action == RULES_ACT_QUARANTINE) {
		snprintf(e->why, sizeof(e->why), "quarantine is applied from user space");
		return;
	}
	if (st->nkernel >= VG_ENF_POLICIES) {
		snprintf(e->why, sizeof(e->why), "more than %d kernel policies", VG_ENF_POLICIES);
		return;
	}
	if (plan->cls == EP_OPEN && r->action == RULES_ACT_DENY && acts) {
		e->devices = plan_devices(plan);
		if (!e->devices)
			log_warn("enforce: rule '%s': deny of an open needs BPF LSM or kprobe "
				 "override (%s on this kernel); it kills instead", r->name,
				 a->feat.lsm.ok ? "present, not used yet" : "absent");
	}
	e->kernel = true;
	e->plan = plan;
	st->nkernel++;
}

static int add_entry(const struct agent *a, struct agent_enforce_state *st,
		     const struct rules_rule *r, int rule_mode)
{
	struct enf_entry *e;
	struct ep_plan *plan;
	int err;

	if (st->n >= ENF_IDS_MAX) {
		log_warn("enforce: rule '%s': more than %d rules with actions; it only alerts",
			 r->name, ENF_IDS_MAX);
		return 0;
	}
	if (!(plan = calloc(1, sizeof(*plan))))
		return -ENOMEM;
	e = &st->ents[st->n++];
	e->rule = r;
	e->mode = enforce_mode_of(rule_mode, r);
	if ((err = enforce_plan__compile(r, plan)))
		snprintf(plan->why, sizeof(plan->why), "cannot compile: %s", strerror(-err));
	place(a, st, e, plan);
	if (!e->kernel)
		free(plan);
	return 0;
}

/* Kernel policies take ids 0..63 in rule order, the others follow. */
static void number(struct agent_enforce_state *st)
{
	struct enf_entry tmp[ENF_IDS_MAX];
	unsigned k = 0, u = st->nkernel;

	for (unsigned i = 0; i < st->n; i++) {
		struct enf_entry *e = &st->ents[i];

		e->id = e->kernel ? k++ : u++;
		tmp[e->id] = *e;
	}
	memcpy(st->ents, tmp, st->n * sizeof(tmp[0]));
}

static void log_entry(const struct enf_entry *e)
{
	const struct rules_rule *r = e->rule;

	log_info("enforce: rule '%s': action %s, mode %s%s, decided %s%s%s", r->name,
		 rules_action__name(r->action), rules_mode__name(e->mode),
		 r->thr_count ? ", threshold" : "", e->kernel ? "in the kernel" : "in user space",
		 e->kernel ? "" : ": ", e->kernel ? "" : e->why);
}

void agent_enforce_state_free(struct agent_enforce_state *st)
{
	if (!st)
		return;
	for (unsigned i = 0; i < st->n; i++)
		free(st->ents[i].plan);
	free(st);
}

int agent_enforce_build(const struct agent *a, struct re_engine *eng, int rule_mode,
			struct agent_enforce_state **out)
{
	struct agent_enforce_state *st = NULL;
	int err;

	*out = NULL;
	for (size_t i = 0; eng && i < re_engine__nrules(eng); i++) {
		const struct rules_rule *r = re_engine__rule(eng, i);

		if (r->action == RULES_ACT_NONE && !r->thr_count)
			continue;
		if (!st && !(st = calloc(1, sizeof(*st))))
			return -ENOMEM;
		st->cg_root_fd = -1;
		if ((err = add_entry(a, st, r, rule_mode))) {
			agent_enforce_state_free(st);
			return err;
		}
	}
	if (!st)
		return 0;
	number(st);
	for (unsigned i = 0; i < st->n; i++) {
		struct enf_entry *e = &st->ents[i];
		bool acts = e->mode == RULES_MODE_ENFORCE && e->rule->action != RULES_ACT_NONE;

		log_entry(e);
		st->doom |= acts;
		/* whatever the mode: a reload may switch a quarantine rule to enforce */
		st->sockaddr |= e->rule->action == RULES_ACT_QUARANTINE;
		if (!e->kernel)
			continue;
		st->open_entry |= e->plan->cls == EP_OPEN && !e->devices;
		st->sockaddr |= e->plan->cls == EP_CONNECT;
		st->dev |= e->devices;
	}
	if (st->doom && !a->feat.send_signal.ok)
		log_warn("enforce: bpf_send_signal is not available: kills are sent from user "
			 "space only");
	*out = st;
	return 0;
}

int agent_enforce_prepare(struct agent *a)
{
	return agent_enforce_build(a, a->rules.eng, a->cfg.rule_mode, &a->enf);
}

bool agent_enforce_wants_prog(const struct agent *a, const char *name)
{
	const struct agent_enforce_state *st = a->enf;

	if (!st)
		return false;
	if (!strcmp(name, "vg_enf_doom"))
		return st->doom;
	if (!strcmp(name, "vg_enf_dev"))
		return st->dev;
	if (!strncmp(name, "vg_enf_connect", 14) || !strncmp(name, "vg_enf_sendmsg", 14))
		return st->sockaddr;
	if (!strncmp(name, "vg_enf_open", 11) || !strcmp(name, "vg_enf_creat"))
		return st->open_entry;
	return false;
}
