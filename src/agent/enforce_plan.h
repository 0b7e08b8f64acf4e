/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which part of a rule with an `action:` the kernel can decide on its own, compiled from the
 * rule's condition (macros opened, lists expanded, exceptions folded in).
 *
 * A rule is decided in the kernel when its condition, flattened through and-nodes and macro
 * bodies, is a conjunction of parts the kernel can check at the syscall (listed below), and
 * every conjunct is one of them. Otherwise it is decided in user space (the process is doomed
 * through a map and killed at its next syscall); `why` names the first part that is not
 * kernel-decidable ("proc.cmdline contains", "an 'or' of different fields").
 *
 * Kernel-decidable conjuncts (anything else makes the rule a user-space one):
 *   evt.type = T, in (..)      all of T in one class: open (open, openat, openat2, creat),
 *                              connect (connect), exec (execve, execveat); sets cls
 *   evt.dir = <                 true of every vigil event: dropped
 *   not evt.num = 0             the same (Falco's never_true, negated; vigil numbers from 1)
 *   evt.is_open_read = true     open: an access mode that reads (O_RDONLY, O_RDWR)
 *   evt.is_open_write = true    open: an access mode that writes (O_WRONLY, O_RDWR)
 *   fd.num >= 0, evt.rawres >= 0, evt.res = SUCCESS, evt.failed = false, fd.typechar = f (open),
 *   fd.typechar in (4, 6) (connect), evt.arg.res = 0 (exec)
 *                              the syscall's success: the kernel acts on the attempt, at entry.
 *                              Dropped, with a note.
 *   fd.name = P, in (..), startswith P, pmatch (D..)
 *                              open: paths (absolute) exact or prefix, as rules_prefilter.h
 *                              derives them; pmatch D gives exact D and prefix D/
 *   proc.name = C, in (..); not proc.name = C, not proc.name in (..)
 *                              comm included or excluded (one of the two per rule: with
 *                              both, the excluded names are taken out of the included ones)
 *   user.uid = N, != N          the caller's real uid
 *   container, container.id != host   scope: containers (the default when nothing scopes)
 *   container.id = host, not container scope: host
 *   k8s.ns.name = X, in (..); k8s.pod.name = X, in (..)
 *                              scope: pods (user space turns names into pod uids as the pods
 *                              appear; the kernel finds the pod uid in the cgroup path)
 *   fd.sip, fd.rip = A, in (..); fd.snet, fd.rnet = CIDR, in (..)
 *                              connect: destination address in one of nets
 *   fd.sport, fd.rport = N, in (..)    connect: destination port
 * An `or` whose children are all the same kind of conjunct on the same field (fd.name = A or
 * fd.name startswith B) joins their values. `not` only as listed, and over an `or`: not (A or
 * B) is the two conjuncts not A, not B (an exception's shape). A conjunct that is always
 * true for the class (evt.type naming only the class) adds nothing.
 */
#ifndef VIGIL_ENFORCE_PLAN_H
#define VIGIL_ENFORCE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules_load.h"
#include "rules_prefilter.h"

#define EP_PATHS_MAX 64
#define EP_COMMS_MAX 32
#define EP_NAMES_MAX 32
#define EP_NETS_MAX 32
#define EP_PORTS_MAX 16
#define EP_NOTES_MAX 4
#define EP_COMM_LEN 16 /* the kernel's TASK_COMM_LEN, NUL included */

enum ep_class { EP_NONE, EP_OPEN, EP_CONNECT, EP_EXEC };

enum ep_scope {
	EP_SCOPE_CONTAINERS, /* processes outside the host's mount namespace (the default) */
	EP_SCOPE_HOST,	     /* the host's processes only */
	EP_SCOPE_PODS,	     /* pods named by ns/pods below */
};

#define EP_ACC_READ  0x1
#define EP_ACC_WRITE 0x2

struct ep_net {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefixlen; /* 32 or 128 for one address */
};

struct ep_plan {
	bool kernel;	   /* every conjunct is kernel-decidable */
	char why[256];	   /* when not: the first part that is not, for the load report */
	enum ep_class cls; /* from evt.type; EP_NONE when the condition names no type */
	unsigned open_acc; /* EP_ACC_* bits, each required */
	size_t npaths;	   /* none: any path */
	struct rp_pattern paths[EP_PATHS_MAX]; /* RP_EXACT or RP_PREFIX only */
	bool comm_exclude;		       /* comms are the ones not matched */
	size_t ncomms;			       /* none: any comm */
	char comms[EP_COMMS_MAX][EP_COMM_LEN];
	bool has_uid, uid_ne;
	uint32_t uid;
	enum ep_scope scope;
	/* the condition names the host explicitly (container.id = host, not container),
	 * anywhere and whether or not the rule is kernel-decidable: only then are host processes
	 * enforced on */
	bool host_explicit;
	size_t nns, npods; /* none: any */
	const char *ns[EP_NAMES_MAX];
	const char *pods[EP_NAMES_MAX];
	size_t nnets, nports; /* none: any */
	struct ep_net nets[EP_NETS_MAX];
	uint16_t ports[EP_PORTS_MAX];
	size_t nnotes;
	const char *notes[EP_NOTES_MAX]; /* static texts: what the kernel check leaves out */
};

/* Compile rule r (status RULES_LOADED) into *out. Strings in *out point into r's AST, which
 * must outlive it. Returns 0 (out->kernel says which way), or -EINVAL when r has no
 * condition or is not loaded. Never fails on a condition it does not understand: that is a
 * user-space rule, whose plan holds only why and host_explicit (everything else zero). */
int enforce_plan__compile(const struct rules_rule *r, struct ep_plan *out);

#endif /* VIGIL_ENFORCE_PLAN_H */
