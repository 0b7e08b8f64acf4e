/* SPDX-License-Identifier: Apache-2.0 */
/* The forwarders across a reload (outputs.h): keep the unchanged, add the new, retire the
 * removed without making the main thread wait for their drain. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "outputs.h"
#include "sched_hint.h"

#define RETIRE_DRAIN_MS 2000

/* The running sink of forwarder o, when its settings are the same. */
static struct sink *unchanged(struct agent *a, const struct vg_output *o)
{
	unsigned base = a->outs.store ? 1 : 0;

	for (unsigned i = 0; i < a->cfg.noutputs && base + i < a->outs.n; i++)
		if (!memcmp(&a->cfg.outputs[i], o, sizeof(*o)))
			return a->outs.sinks[base + i];
	return NULL;
}

static bool in_plan(const struct outputs_plan *p, const struct sink *s)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->sinks[i] == s)
			return true;
	return false;
}

int agent_outputs_plan(struct agent *a, const struct vg_config *nc, struct outputs_plan *p)
{
	memset(p, 0, sizeof(*p));
	if (a->outs.store) {
		p->sinks[p->n++] = a->outs.sinks[0];
		p->kinds |= OUT_KIND_MASK(OUT_ALERT) |
			    (a->cfg.store.events ? OUT_KIND_MASK(OUT_EVENT) : 0);
	}
	for (unsigned i = 0; i < nc->noutputs; i++) {
		const struct vg_output *o = &nc->outputs[i];
		struct sink *s = unchanged(a, o);
		bool fresh = !s;

		if (fresh && !(s = outputs_make_sink(a, o))) {
			agent_outputs_plan_discard(p);
			return -EINVAL;
		}
		p->fresh[p->n] = fresh;
		p->sinks[p->n++] = s;
		p->kinds |= o->kinds;
	}
	for (unsigned i = 0; i < a->outs.n; i++)
		if (!in_plan(p, a->outs.sinks[i]))
			p->retire[p->nretire++] = a->outs.sinks[i];
	return 0;
}

void agent_outputs_plan_discard(struct outputs_plan *p)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->fresh[i])
			sink__free(p->sinks[i]);
	memset(p, 0, sizeof(*p));
}

static void *retire(void *arg)
{
	struct outputs_plan *p = arg;

	sched_hint_default_slice();
	for (unsigned i = 0; i < p->nretire; i++)
		sink__request_stop(p->retire[i], RETIRE_DRAIN_MS);
	for (unsigned i = 0; i < p->nretire; i++) {
		log_info("output %s: removed by the reload; drained and stopped",
			 sink__name(p->retire[i]));
		sink__stop(p->retire[i], RETIRE_DRAIN_MS);
		sink__free(p->retire[i]);
	}
	free(p);
	return NULL;
}

void agent_outputs_commit(struct agent *a, struct outputs_plan *p)
{
	struct agent_outputs *out = &a->outs;
	struct outputs_plan *old;
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++) {
		if (p->fresh[i] && sink__start(p->sinks[i])) {
			log_error("output %s: cannot start; left out", sink__name(p->sinks[i]));
			sink__free(p->sinks[i]);
			continue;
		}
		out->sinks[n++] = p->sinks[i];
	}
	out->n = n;
	out->kinds = p->kinds;
	if (!p->nretire)
		return;
	if (out->retiring) /* the previous reload's retirees first */
		pthread_join(out->retirer, NULL);
	out->retiring = false;
	if (!(old = malloc(sizeof(*old))) ||
	    (memcpy(old, p, sizeof(*old)), pthread_create(&out->retirer, NULL, retire, old))) {
		free(old);
		for (unsigned i = 0; i < p->nretire; i++) /* no thread: drain here, briefly */
			sink__stop(p->retire[i], 200), sink__free(p->retire[i]);
		return;
	}
	pthread_setname_np(out->retirer, "vigil-retire");
	out->retiring = true;
}
