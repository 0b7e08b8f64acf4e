/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Falco rule files: loading, in order, like Falco's `-r` (later files customise earlier ones),
 * then compiling every rule's condition into a checked AST.
 *
 *   struct rules_set *rs = rules_set__new();
 *   rules_set__load_path(rs, "falco_rules.yaml");    (a file, or a directory's *.yaml)
 *   rules_set__load_path(rs, "local.yaml");
 *   rules_set__compile(rs);                            (once, after the last load)
 *   ... rules_set__rule(rs, i), rules_set__diag(rs, i) ...
 *   rules_set__free(rs);
 *
 * What is fatal, for what:
 *  - for a file: it cannot be read, it is larger than YDOC_FILE_MAX, or it is not well-formed
 *    YAML (syntax, bad UTF-8, anchors or aliases, deeper than YDOC_DEPTH_MAX): nothing of it is
 *    loaded, as in Falco, which parses the whole file before it reads an item. A document that
 *    is not a sequence of items is not loaded either; the file's other documents are.
 *  - for an item: anything else wrong with it (a missing or malformed key, an invalid priority,
 *    append or override of something never defined, a bad exception, a condition that does not
 *    parse, an undefined macro, a cycle, a type mismatch): the item is reported and skipped and
 *    the rest loads (Falco stops at the first error; reporting them all is more useful).
 *    A rule that uses a macro or list with errors fails too.
 *  - nothing: unknown top-level items and keys, deprecated forms, a field vigil does not
 *    provide, an event type vigil does not produce, a source other than syscall. These are
 *    warnings; such a rule is skipped, with its reason, and counts as skipped, not failed.
 * Every error and warning carries FILE:LINE:COLUMN.
 */
#ifndef VIGIL_RULES_LOAD_H
#define VIGIL_RULES_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_cond.h"

#define RULES_FILES_MAX 256   /* files one set loads */
#define RULES_DIAGS_MAX 10000 /* diagnostics kept; more are counted */

#define RULES_PRIORITIES(X)                                                                        \
	X(EMERGENCY, "emergency")                                                                  \
	X(ALERT, "alert")                                                                          \
	X(CRITICAL, "critical")                                                                    \
	X(ERROR, "error")                                                                          \
	X(WARNING, "warning")                                                                      \
	X(NOTICE, "notice")                                                                        \
	X(INFORMATIONAL, "informational")                                                          \
	X(DEBUG, "debug")

enum rules_priority {
#define RULES_X_ENUM(name, str) RULES_PRIO_##name,
	RULES_PRIORITIES(RULES_X_ENUM)
#undef RULES_X_ENUM
};

enum rules_severity { RULES_WARNING, RULES_ERROR };

/* vigil's extension to Falco's rule items (docs/rules.md, "Enforcement"): what to do when the
 * rule matches, and whether to do it. */
enum rules_action {
	RULES_ACT_NONE,	      /* no `action:`: detection only */
	RULES_ACT_KILL,	      /* SIGKILL the offending process before the syscall returns */
	RULES_ACT_DENY,	      /* fail the syscall with EPERM where a hook allows it, else kill */
	RULES_ACT_QUARANTINE, /* deny every new connection of the offending pod until released */
};

enum rules_mode {
	RULES_MODE_UNSET,   /* no `mode:`: enforce when the rule has an action, alert otherwise */
	RULES_MODE_MONITOR, /* recorded (counted), no alert, no action */
	RULES_MODE_ALERT,   /* an alert; an action is reported as a dry run, not taken */
	RULES_MODE_ENFORCE, /* an alert, and the action taken */
};

struct rules_diag {
	enum rules_severity severity;
	const char *file;   /* NULL when the message is about no file */
	unsigned line, col; /* 0 when the message has no position (an I/O error) */
	const char *msg;
};

enum rules_status {
	RULES_LOADED,  /* checked; runs when enabled */
	RULES_SKIPPED, /* vigil cannot run it (a field, an event type, a source): a warning */
	RULES_FAILED,  /* it has errors, or uses a macro or list that has */
};

struct rules_rule {
	const char *name;
	const char *file;  /* where it was last defined in full */
	struct rc_pos pos; /* of that definition */
	const char *desc, *output, *source;
	enum rules_priority priority;
	const char **tags;
	size_t ntags;
	bool enabled, warn_evttypes, skip_if_unknown_filter;
	enum rules_action action;
	enum rules_mode mode;
	/* threshold: {count: N, window: D}: the rule fires on the (N+1)th match within the window
	 * in one pod (one container outside Kubernetes, the host for host processes); 0: none */
	uint32_t thr_count;
	uint64_t thr_window_ns;
	/* set by rules_set__compile */
	enum rules_status status;
	const char *reason; /* why it was skipped or failed */
	/* LOADED: the condition with its exceptions, macros resolved (RC_MACRO nodes point at
	 * their bodies), list references expanded, every field found in the catalogue */
	const struct rc_node *cond;
	uint64_t events;    /* the vigil event types it can match (RF_EV bits) */
	const char **notes; /* partial coverage: event types vigil lacks or reports in part */
	size_t nnotes;
};

struct rules_file {
	const char *path;
	bool failed;	/* not loaded: unreadable, or not well-formed YAML */
	unsigned rules; /* rules last defined in this file, and of them: */
	unsigned loaded, disabled, skipped, errored;
	unsigned macros, lists; /* macro and list items read from this file */
	unsigned errors, warnings;
	const char *engine_version; /* required_engine_version, NULL when absent */
	const char **plugins;	    /* required_plugin_versions: "name version" */
	size_t nplugins;
};

struct rules_set;

struct rules_set *rules_set__new(void);
void rules_set__free(struct rules_set *rs);
/* Load a rule file, or every *.yaml directly in a directory in name order. Returns 0 when
 * everything loaded, -EINVAL when something had errors (see the diagnostics), another
 * negative errno when path itself could not be read (also a diagnostic). */
int rules_set__load_path(struct rules_set *rs, const char *path);
/* Load a file's content from memory under the given name. */
int rules_set__load_buf(struct rules_set *rs, const char *name, const char *buf, size_t len);
/* Parse, resolve and check every macro and rule; call once, after the loads. Returns 0, or
 * -EINVAL when there were errors, -ENOMEM. Diagnostics are then sorted by file and position. */
int rules_set__compile(struct rules_set *rs);

size_t rules_set__ndiags(const struct rules_set *rs);
const struct rules_diag *rules_set__diag(const struct rules_set *rs, size_t i);
size_t rules_set__nerrors(const struct rules_set *rs);
size_t rules_set__dropped_diags(const struct rules_set *rs); /* over RULES_DIAGS_MAX */

size_t rules_set__nrules(const struct rules_set *rs); /* in definition order */
const struct rules_rule *rules_set__rule(const struct rules_set *rs, size_t i);
const struct rules_rule *rules_set__find_rule(const struct rules_set *rs, const char *name);
size_t rules_set__nfiles(const struct rules_set *rs);
const struct rules_file *rules_set__file(const struct rules_set *rs, size_t i);

/* A macro's condition (macros inside it resolved) or NULL when it has none or has errors;
 * a list's items after expansion (*n of them) or NULL. For tests and tools. */
const struct rc_node *rules_set__macro(const struct rules_set *rs, const char *name);
const struct rc_value *rules_set__list(const struct rules_set *rs, const char *name, size_t *n);

const char *rules_priority__name(enum rules_priority p);
const char *rules_action__name(enum rules_action a); /* "none", "kill", "deny", "quarantine" */
const char *rules_mode__name(enum rules_mode m);	    /* "unset", "monitor", "alert", "enforce" */
/* Exact lower-case names as above, "none" and "unset" excepted; -EINVAL otherwise. */
int rules_action__parse(const char *s, enum rules_action *out);
int rules_mode__parse(const char *s, enum rules_mode *out);
/* The mode a rule runs in: its own, or the default for it when unset. */
enum rules_mode rules_rule__mode(const struct rules_rule *r);
/* Case-insensitive, "info" included, as Falco accepts them; -EINVAL otherwise. */
int rules_priority__parse(const char *s, enum rules_priority *out);

#endif /* VIGIL_RULES_LOAD_H */
