/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recorded vigil events (docs/events.md, one JSON object per line) turned back into the event
 * view the rule evaluator reads (rules_view.h), so that `vigil rules test` and the benchmark run
 * the rules offline exactly as they run on the node.
 *
 *   struct rules_replay *rp;
 *   rules_replay__new(NULL, &rp);
 *   for each line:
 *     struct json_object *obj;
 *     if (rules_replay__parse(rp, line, len, &obj) == 0) {
 *       rules_replay__fill(rp, obj, &rr, store, sizeof(store), scratch, sizeof(scratch));
 *       ... evaluate &rr.ev ...
 *       rules_replay__put(obj);
 *     }
 *   rules_replay__free(rp);
 *
 * The view borrows the line's strings: the parsed object must live while the view is used.
 * What the line does not hold as the view wants it (argv joined with NULs, a socket's name as
 * Falco prints it) goes into the caller's `store`, which must live as long. The view's scratch
 * is left empty, for the accessors.
 *
 * Lineage: syscall lines carry the process and its parent but no ancestors (those are on the
 * process's exec line, joined by process.exec_id). The replay keeps a bounded table of what
 * exec and fork lines said of each exec_id (the parent in full, the ancestors), so that a later
 * line of the same process answers proc.aname[2] and up, and proc.pcmdline. It copies what it
 * keeps; entries are evicted oldest first, and counted.
 */
#ifndef VIGIL_RULES_REPLAY_H
#define VIGIL_RULES_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_view.h"

struct json_object;
struct rules_replay;

#define RR_LINEAGE_CAP	 65536	     /* exec ids the lineage table remembers */
#define RR_LINEAGE_BYTES (64u << 20) /* bytes it may hold */
#define RR_LINE_MAX	 (1u << 20)  /* longest line read; longer ones are skipped */
#define RR_ERRORS_KEPT	 5	     /* first error messages kept for a summary */
#define RR_ERROR_LEN	 200
#define RR_ARGS_MAX	 8192			  /* bytes of one argv copied into the store */
#define RR_STORE_SIZE	 (2 * RR_ARGS_MAX + 1024) /* a store that always suffices for a line */

struct rules_replay_opts {
	size_t sz;	      /* sizeof(struct rules_replay_opts) */
	size_t lineage_cap;   /* 0: RR_LINEAGE_CAP */
	size_t lineage_bytes; /* 0: RR_LINEAGE_BYTES */
};

struct rules_replay_stats {
	uint64_t lines;		 /* lines given to rules_replay__parse */
	uint64_t events;	 /* of them, events */
	uint64_t stats_lines;	 /* "type":"stats" and blank lines: skipped silently */
	uint64_t bad;		 /* skipped with an error */
	uint64_t lineage_size;	 /* entries held */
	uint64_t lineage_learnt; /* exec and fork lines remembered */
	uint64_t lineage_evicted;
	uint64_t lineage_hits, lineage_misses; /* syscall lines whose exec id was (not) known */
	uint64_t store_full; /* lines whose store was too small: some strings left out */
};

/* One event: the view and what its callbacks need. ev.lazy.ctx and ev.arg_ctx point here, so
 * it must not be moved after rules_replay__fill. */
struct rr_event {
	struct rv_event ev;
	struct rules_replay *rp;
	struct json_object *line;   /* the parsed line (not referenced: the caller owns it) */
	struct json_object *own;    /* the type's own object: file, socket, setuid, dup... */
	const char *own_key;	    /* its key in the line */
	struct json_object *labels; /* pod.labels */
	uint32_t lin_slot, lin_gen; /* the lineage entry of process.exec_id, checked on use */
	bool has_lineage;
	char *store;
	size_t store_size, store_used;
};

/* opts may be NULL. Returns 0, -EINVAL or -ENOMEM. */
int rules_replay__new(const struct rules_replay_opts *opts, struct rules_replay **out);
void rules_replay__free(struct rules_replay *rp);

/*
 * Parse one line (without its newline; len bytes, NUL not needed). Returns 0 and a new
 * object in *out (rules_replay__put it) for an event; 1 for a line to skip silently (blank, or
 * a stats record); -EINVAL for a bad line (not JSON, not an object, no "type", an unknown
 * type), which is counted and described (with its line number) by rules_replay__last_error.
 * Lines are numbered from 1 in the order they are given.
 */
int rules_replay__parse(struct rules_replay *rp, const char *line, size_t len,
			struct json_object **out);
/* Release a parsed line (json_object_put, for callers that do not include json-c: its json.h
 * and vigil's cannot be included together). */
void rules_replay__put(struct json_object *obj);
/* Count a line the caller could not even hand over (too long) as bad, with a message. */
void rules_replay__bad_line(struct rules_replay *rp, const char *why);
const char *rules_replay__last_error(const struct rules_replay *rp);
/* The first RR_ERRORS_KEPT messages; i < min(bad, RR_ERRORS_KEPT). */
const char *rules_replay__error(const struct rules_replay *rp, size_t i);

/*
 * Fill rr (and rr->ev) from a parsed event line. Exec and fork lines teach the lineage table.
 * store holds the strings the view needs beyond the line's own (RR_STORE_SIZE always
 * suffices); scratch becomes the view's scratch (RV_SCRATCH_DEFAULT). Returns 0, or -EINVAL
 * when obj is not an event line rules_replay__parse accepted.
 */
int rules_replay__fill(struct rules_replay *rp, struct json_object *obj, struct rr_event *rr,
		       char *store, size_t store_size, char *scratch, size_t scratch_size);

/* The line's process, parent, container, pod and own objects as raw JSON members
 * ("process":{...},"parent":{...}), for an alert's "vigil" key. Returns the length (as
 * snprintf: >= size means cut, and then nothing useful was written: buf is ""). */
size_t rules_replay__vigil_members(const struct rr_event *rr, char *buf, size_t size);

/* The line's "node", for an alert's hostname; "" when it has none. */
const char *rules_replay__node(const struct rr_event *rr);

void rules_replay__stats(const struct rules_replay *rp, struct rules_replay_stats *out);

#endif /* VIGIL_RULES_REPLAY_H */
