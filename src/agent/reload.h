/* SPDX-License-Identifier: Apache-2.0 */
/* SIGHUP reload (reload.c) and what each part offers it. */
#ifndef VIGIL_RELOAD_H
#define VIGIL_RELOAD_H

#include <stddef.h>

#include "config.h"

struct agent;
struct agent_rules_state;
struct re_engine;

/* Read the configuration again and apply it; on any error the running one stays (logged). */
int agent_reload(struct agent *a);

/* cli.c: defaults, the --config file and the command line of this run, again, into cfg
 * (errors printed). */
int agent_reload_config(struct vg_config *cfg);

/* rules_live.c: a new rule state for cfg (NULL when cfg has no rules); install it between two
 * records (the old one is freed), or discard it. */
int agent_rules_reload_build(const struct vg_config *cfg, struct agent_rules_state **out);
void agent_rules_reload_install(struct agent *a, struct agent_rules_state *st);
void agent_rules_reload_discard(struct agent_rules_state *st);
struct re_engine *agent_rules_state_engine(const struct agent_rules_state *st);
size_t agent_rules_active(const struct agent *a);

/* rules_kernel.c: the kernel prefilter for the installed rules; it only ever lets more
 * through during the change (new paths first, a type the rules cannot bound unfiltered). */
void agent_rules_kernel_reload(struct agent *a);

/* enforce_reload.c: 0 when the acting rules of eng (under nc's --rule-mode) are those the
 * kernel enforces now, and then the live entries move onto eng's rules; -EBUSY (logged) when
 * they changed, which takes a restart. */
int agent_enforce_reload_check(struct agent *a, struct re_engine *eng,
			       const struct vg_config *nc);

#endif /* VIGIL_RELOAD_H */
