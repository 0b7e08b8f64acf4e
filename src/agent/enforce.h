/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Enforcement: rules with an `action:` (and threshold rules), from their compiled plans
 * (enforce_plan.h) to kernel policies and maps (enforce.c), and the decisions user space
 * takes when a rule matches (enforce_live.c).
 *
 * Every such rule gets an enforcement id: the kernel-decided ones 0..63 (their bit in the
 * kernel's policy masks), the others after. The id travels in VG_ENF_CODE from the kernel.
 *
 * Where it is decided:
 *  - kernel: the rule is kernel-decidable (enforce_plan.h) and runs in enforce mode, or has a
 *    threshold. Opens are judged at the syscall's entry (kill: the file is opened, but the
 *    process never returns to user space to read it), connects and sends in cgroup sock_addr
 *    programs (EPERM), device opens in a cgroup device program (EPERM), execs at exec (kill).
 *  - user space: anything else. The rule matches on the event after the syscall returned; the
 *    process is doomed (killed by the kernel at its next syscall) and sent SIGKILL through a
 *    pidfd at once, whichever lands first. Quarantine is always applied from user space.
 * Host processes are enforced on only when the rule names the host (host_explicit); vigil
 * itself never.
 */
#ifndef VIGIL_ENFORCE_H
#define VIGIL_ENFORCE_H

#include <stdbool.h>
#include <stdint.h>

#include "rules_load.h"

#define ENF_IDS_MAX	 255 /* ids 0..254 fit VG_ENF_CODE's 8 bits */
#define ENF_THR_SLOTS	 4096 /* user-space threshold windows: (rule, cgroup) */
/* The quarantine map, pinned while an agent with a quarantine rule runs (vigil enforce). */
#define ENFORCE_QUARANTINE_PIN "/sys/fs/bpf/vigil/quarantine"

struct agent;
struct k8s_pod;
struct vg_hdr;
struct cg_entry;
struct proc_entry;
struct re_engine;
struct agent_enforce_state;

/* What was done about one match, for its alert. */
enum enf_outcome {
	ENF_OUT_NONE,	     /* no action: the rule only alerts */
	ENF_OUT_KILLED,	     /* SIGKILL sent (kernel: before the syscall returned) */
	ENF_OUT_DENIED,	     /* the syscall failed with EPERM */
	ENF_OUT_QUARANTINED, /* the pod's new connections are denied from now on */
	ENF_OUT_DRY_RUN,     /* alert mode: the action was not taken */
	ENF_OUT_SKIPPED,     /* the process is the host's or vigil's, and the rule did not say */
	ENF_OUT_FAILED,	     /* the action could not be taken; err says why */
	ENF_OUT_GONE,	     /* the process had exited before user space could act */
};

struct enf_result {
	const struct rules_rule *rule;
	enum rules_action action; /* as taken: deny falls back to kill where it must */
	enum rules_mode mode;
	enum enf_outcome outcome;
	bool kernel;	     /* decided and taken in the kernel */
	int err;	     /* errno, when FAILED */
	uint64_t latency_ns; /* from the syscall's return to the action; 0 for the kernel */
	bool threshold;	     /* a threshold rule's crossing */
};

const char *enf_outcome__name(enum enf_outcome o);

/* enforce.c: set up. prepare, before the BPF load: compile the plans, decide programs.
 * apply, after the load: policies, maps, .bss. attach: the cgroup programs. */
int agent_enforce_prepare(struct agent *a);
/* The entries prepare would make for eng's rules under rule_mode (a's configuration is not
 * read, nor a's state changed: a reload compares them with the live ones); NULL when no rule
 * acts. Freed with agent_enforce_state_free. */
int agent_enforce_build(const struct agent *a, struct re_engine *eng, int rule_mode,
			struct agent_enforce_state **out);
void agent_enforce_state_free(struct agent_enforce_state *st);
/* Is program `name` (a vg_enf_* program) needed? */
bool agent_enforce_wants_prog(const struct agent *a, const char *name);
int agent_enforce_apply(struct agent *a);
int agent_enforce_attach(struct agent *a);
/* detach: the cgroup programs and the pin go, the entries stay for the records still in the
 * ring (their alerts name what was done); stop: everything. */
void agent_enforce_detach(struct agent *a);
void agent_enforce_stop(struct agent *a);
/* A pod was added, changed or deleted: its uid's mask of pod-scoped policies. */
void agent_enforce_pod(struct agent *a, const struct k8s_pod *p, bool deleted);
/* The "enforcement" object of the stats record. */
void agent_enforce_stats(struct agent *a);

/* enforce_live.c: the rule's mode, with --rule-mode applied. */
enum rules_mode agent_enforce_mode(const struct agent *a, const struct rules_rule *r);
/* The same under a given --rule-mode (RULES_MODE_UNSET: the rule's own). */
enum rules_mode enforce_mode_of(int rule_mode, const struct rules_rule *r);
/* A record carries a kernel enforcement code: the rule it names (NULL when none). */
const struct rules_rule *agent_enforce_code_rule(const struct agent *a, uint32_t code);
/* Rule r matched the record being handled (the code the kernel put on it, 0 if none). Decide
 * whether it alerts (false: monitor mode, or a threshold not crossed) and take or report the
 * action into *res. */
bool agent_enforce_match(struct agent *a, const struct rules_rule *r, uint32_t code,
			 struct enf_result *res);
/* Raw JSON members for the alert: "enforcement":{...}; 0 when there are none. */
size_t agent_enforce_members(const struct enf_result *res, char *buf, size_t size);

#endif /* VIGIL_ENFORCE_H */
