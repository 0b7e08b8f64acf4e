/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rules' kernel prefilter: for each event type that the rules need but no event output
 * asked for (--events), the paths some rule could match (rules_prefilter.h) go into the BPF
 * maps rule_paths and rule_suffixes, and the type's bit into vg_rule_types, so that the kernel
 * drops the other events before building a record (counted as filtered "rules" per type in the
 * stats record). A type some rule cannot constrain is not prefiltered, and the log says why.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "agent.h"
#include "reload.h"
#include "log.h"
#include "rules_prefilter.h"
#include "vigil.skel.h"

/* The file types whose record's path argument is what fd.name describes. */
static const int prefilter_types[] = { VG_EV_OPEN };

/* OR the type's bit into the value at k in map fd. */
static int add_key(int fd, const struct vg_path_key *k, int type)
{
	__u64 mask = 0;

	bpf_map_lookup_elem(fd, k, &mask);
	mask |= 1ull << type;
	return bpf_map_update_elem(fd, k, &mask, BPF_ANY) ? -errno : 0;
}

static int add_pattern(struct agent *a, const struct rp_pattern *p, int type)
{
	struct vg_path_key k = { 0 };
	size_t n = strnlen(p->path, RP_PATH_MAX);

	if (p->kind == RP_SUFFIX) {
		for (size_t i = 0; i < n; i++)
			k.path[i] = p->path[n - 1 - i];
		k.prefixlen = n * 8;
		return add_key(bpf_map__fd(a->skel->maps.rule_suffixes), &k, type);
	}
	memcpy(k.path, p->path, n);
	k.prefixlen = (n + (p->kind == RP_EXACT)) * 8; /* exact: the NUL too */
	return add_key(bpf_map__fd(a->skel->maps.rule_paths), &k, type);
}

static int prefilter_type(struct agent *a, struct rp_paths *rp, int type)
{
	unsigned counts[3] = { 0 };
	int err;

	if ((err = rules_prefilter__paths(a->rules.eng, type, rp)))
		return err;
	if (rp->any) {
		log_info("rules: %s events are not prefiltered in the kernel: %s",
			 agent_event_name(type), rp->why);
		return 0;
	}
	for (size_t i = 0; i < rp->n; i++) {
		if ((err = add_pattern(a, &rp->pats[i], type))) {
			log_warn("rules: %s prefilter: %s: %s; not prefiltered",
				 agent_event_name(type), rp->pats[i].path, strerror(-err));
			return 0; /* what was added only lets more through: harmless */
		}
		counts[rp->pats[i].kind]++;
	}
	a->skel->bss->vg_rule_types |= 1ull << type;
	log_info("rules: %s events prefiltered in the kernel: only paths some rule can match "
		 "(%u exact, %u prefixes, %u suffixes) reach user space", agent_event_name(type),
		 counts[RP_EXACT], counts[RP_PREFIX], counts[RP_SUFFIX]);
	return 0;
}

int agent_rules_kernel(struct agent *a)
{
	struct rp_paths *rp;
	int err = 0;

	if (!a->rules.eng || a->cfg.no_rule_prefilter)
		return 0;
	if (!(rp = malloc(sizeof(*rp))))
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(prefilter_types) / sizeof(prefilter_types[0]) && !err; i++) {
		int t = prefilter_types[i];

		/* an event stream asked for sees everything; a type no rule needs is not attached */
		if (agent_type_written(a, t) || !agent_rules_want(a, t))
			continue;
		err = prefilter_type(a, rp, t);
	}
	free(rp);
	return err;
}

/* After a rule reload: each prefiltered type gets the new rules' paths added (the old ones
 * stay: they only let more through), or loses its filter when the new rules cannot bound it.
 * A type that was not prefiltered stays so until a restart. */
void agent_rules_kernel_reload(struct agent *a)
{
	struct rp_paths *rp;

	if (!a->skel || !a->skel->bss->vg_rule_types)
		return;
	if (!a->rules.eng || !(rp = malloc(sizeof(*rp)))) {
		a->skel->bss->vg_rule_types = 0;
		return;
	}
	for (size_t i = 0; i < sizeof(prefilter_types) / sizeof(prefilter_types[0]); i++) {
		int t = prefilter_types[i];

		/* not filtered, or no rule wants it any more (the old paths pass, unused) */
		if (!(a->skel->bss->vg_rule_types >> t & 1) || !agent_rules_want(a, t))
			continue;
		if (prefilter_type(a, rp, t) || rp->any)
			a->skel->bss->vg_rule_types &= ~(1ull << t);
	}
	free(rp);
}
