/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel prefilter derived from the loaded rules: for an event type, the paths some rule
 * could possibly match, so that the kernel can drop the others before building a record.
 *
 * For each active rule whose event types include `type`, its condition (macros opened, lists
 * expanded, exceptions folded in) is over-approximated as a set of path patterns that every
 * event the rule can match satisfies:
 *   fd.name = P, in (..)        -> exact P
 *   fd.name startswith P        -> prefix P
 *   fd.name pmatch (D, ..)      -> exact D and prefix D/ (D normalised as pmatch does; a
 *                                  wildcard cuts D at its first one, giving a prefix)
 *   fd.name glob G              -> prefix: G up to its first wildcard (when it starts with /);
 *                                  exact G when it has none
 *   fd.name endswith S          -> suffix S
 *   fd.directory = D, in (..)   -> exact D and prefix D/ (a directory's fd.directory is its
 *                                  own path); fd.directory startswith P -> prefix P
 *   fd.filename = F, in (..)    -> suffix /F (suffix F when F holds a '/': then fd.filename
 *                                  is the whole name); fd.filename endswith S -> suffix S
 *   fd.nameraw (evt.arg.name, evt.arg.path) =, startswith, endswith, pmatch, glob -> as fd.name
 *   contains X, where X holds "//", "/." or "../" (and any pattern holding one, an exact or
 *   suffix pattern ending in '/', or a raw pattern that is not absolute): nothing more, since
 *   every path it admits is one the kernel passes anyway (see below); other contains: ANY
 *   evt.type =, in (..) naming only other event types: nothing (false for every event of the
 *   type: the branch of an `or` meant for unlink or rename adds no path)
 *   a prefix "/" or "", a suffix "": ANY (they admit every path)
 *   and: the smallest set among its children that are not ANY (each is an over-approximation)
 *   or:  the union; ANY when one child is ANY
 *   not, and any other check (transformers, val(), other operators, other fields): ANY
 * The type's set is the union over its rules; ANY when one rule is ANY or has no rule at all.
 *
 * The kernel judges the raw path argument. It passes to user space, without judging, every
 * path that is relative or not normalised (contains "//", "/." or "../", or ends with '/' and
 * is not "/": fd.name drops a trailing slash), so that lexical differences between the
 * argument and fd.name never drop a match. It cannot see through symbolic links: an open of a
 * link outside every pattern to a file inside one is dropped (Falco's fd.name is the argument
 * as given, so Falco's rules do not see it either; vigil's event stream, when the type is
 * written, is not prefiltered).
 */
#ifndef VIGIL_RULES_PREFILTER_H
#define VIGIL_RULES_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "rules_eval.h"

#define RP_PATH_MAX 255	   /* bytes of one pattern (the kernel key holds 256 with its NUL) */
#define RP_PATTERNS_MAX 512 /* patterns of one type; more makes it ANY */

enum rp_kind { RP_EXACT, RP_PREFIX, RP_SUFFIX };

struct rp_pattern {
	enum rp_kind kind;
	char path[RP_PATH_MAX + 1];
};

struct rp_paths {
	bool any; /* no constraint: the type cannot be prefiltered */
	char why[256]; /* when any: the first rule that made it so, and how: "rule 'X': fd.name
			* contains", "rule 'X': no constraint on the path" */
	size_t n;
	struct rp_pattern pats[RP_PATTERNS_MAX]; /* deduplicated */
};

/* The patterns for event type `type` (a VG_EV_* file type whose record's path argument is what
 * fd.name describes: open) over the rules compiled in e. Fills *out; returns 0, -ENOMEM, or
 * -EINVAL when type is not an event type (*out is then ANY). */
int rules_prefilter__paths(const struct re_engine *e, int type, struct rp_paths *out);

/* Would the kernel pass raw path p for these patterns? The reference for the kernel side and
 * for tests: relative or non-normalised paths pass, else an exact, prefix or suffix pattern
 * must match (p NULL passes). */
bool rules_prefilter__passes(const struct rp_paths *rp, const char *p);

#endif /* VIGIL_RULES_PREFILTER_H */
