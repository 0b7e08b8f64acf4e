/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the live view fillers (rules_live_ev.c, rules_live_priv.c). */
#ifndef VIGIL_RULES_LIVE_H
#define VIGIL_RULES_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "rules_view.h"
#include "vigil/events.h"

/* n in decimal, in the view's scratch. */
const char *rl_num(const struct rv_event *v, long long n);
/* A plain string of record rec, cut at its first NUL, in scratch; NULL when absent. */
const char *rl_str(const struct rv_event *v, const void *rec, const struct vg_str *s);
/* Flags as Falco writes them, "A|B|C", from one of flagnames.h's JSON array writers. */
const char *rl_flags(const struct rv_event *v, void (*fn)(struct json_w *, uint64_t),
		     uint64_t flags);

/* Falco's fd.typechar of a socket of this address family: 4, 6, u, or o for others. */
char rl_family_typechar(int family);
/* The view's socket members from what the fd table knows of a socket (rules_live_ev.c). */
struct fd_sock;
bool rl_sock(struct rv_event *v, const struct fd_sock *s);

#endif /* VIGIL_RULES_LIVE_H */
