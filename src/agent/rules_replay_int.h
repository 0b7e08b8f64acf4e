/* SPDX-License-Identifier: Apache-2.0 */
/* rules_replay internals, shared by rules_replay*.c only. */
#ifndef VIGIL_RULES_REPLAY_INT_H
#define VIGIL_RULES_REPLAY_INT_H

/* json-c, so not vigil's json.h or flagnames.h: see rules_replay_names.h. */
#include <json-c/json.h>

#include "rules_replay.h"
#include "idnames.h"
#include "rules_replay_names.h"

struct rr_lin_entry;

struct rules_replay {
	struct json_tokener *tok;
	struct rules_replay_stats st;
	char last_error[RR_ERROR_LEN];
	char errors[RR_ERRORS_KEPT][RR_ERROR_LEN];

	/* lineage: a ring of slots in insertion order, and hash chains over it */
	struct rr_lin_entry **slots;
	uint32_t *gens;	   /* per slot, bumped whenever the slot changes */
	uint32_t *next;	   /* per slot: next slot in its hash chain, UINT32_MAX at the end */
	uint32_t *buckets; /* first slot of each chain */
	size_t cap, nbuckets, head, count, bytes, max_bytes;

	struct idnames names; /* user and group names */
	struct json_w *flags; /* renders a flag set for evt.arg (rules_replay_names.c) */
};

/* --- JSON access: absent or of another type reads as absent --- */

static inline struct json_object *rr_get(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static inline const char *rr_str(struct json_object *o, const char *key)
{
	struct json_object *v = rr_get(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static inline bool rr_int(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v = rr_get(o, key);

	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/* -1 absent, else 0 or 1 */
static inline int rr_bool(struct json_object *o, const char *key)
{
	struct json_object *v = rr_get(o, key);

	return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : -1;
}

/* --- rules_replay.c --- */

/* A copy of s (n bytes) in the event's store, NUL terminated; NULL when it is full. */
const char *rr_store_put(struct rr_event *rr, const char *s, size_t n);
/* RFC 3339 text to Unix ns; -EINVAL when it is not one. */
int rr_time_ns(const char *s, uint64_t *out);
/* A process object of the line into p (strings borrowed, argv joined in the store). */
void rr_proc_fill(struct rr_event *rr, struct json_object *o, struct rv_proc *p);

/* --- rules_replay_ev.c: the members of each kind of event --- */

void rr_fill_file(struct rr_event *rr);
void rr_fill_net(struct rr_event *rr);
void rr_fill_priv(struct rr_event *rr);

/* --- rules_replay_arg.c --- */

const char *rr_arg(const struct rv_event *ev, const char *name);

/* --- rules_replay_lin.c: lineage and names --- */

int rr_lineage__init(struct rules_replay *rp, size_t cap, size_t max_bytes);
void rr_lineage__free(struct rules_replay *rp);
/* Remember what an exec or fork line says of its process's lineage. */
void rr_lineage__learn(struct rules_replay *rp, struct rr_event *rr);
/* Point rr at the entry of process.exec_id, and complete its parent from it. */
void rr_lineage__attach(struct rules_replay *rp, struct rr_event *rr, const char *exec_id);
const struct rv_proc *rr_ancestor(const struct rv_event *ev, unsigned level);

const char *rr_user_name(const struct rv_event *ev, uint32_t uid);
const char *rr_group_name(const struct rv_event *ev, uint32_t gid);

#endif /* VIGIL_RULES_REPLAY_INT_H */
