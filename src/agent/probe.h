/* SPDX-License-Identifier: Apache-2.0 */
/* Start-up feature probe: which hooks this kernel lets vigil use. Each probe loads a trivial
 * program of the kind in question, so the answer reflects this kernel and this process's
 * privileges (lockdown, seccomp, missing config), not a version number. */
#ifndef VIGIL_PROBE_H
#define VIGIL_PROBE_H

#include <stdbool.h>

struct feature {
	bool ok;
	int err; /* negative errno of the failed probe, 0 when ok */
};

struct features {
	struct feature ringbuf; /* BPF ring buffer map (5.8) */
	struct feature tp_btf; /* BTF tracepoints: the lifecycle hooks */
	struct feature kprobe;
	struct feature fentry;
	struct feature lsm; /* BPF LSM program loads and "bpf" is an active LSM */
	struct feature send_signal; /* bpf_send_signal from tracepoints (enforcement) */
	struct feature cgroup_sock_addr; /* connect/sendmsg deny per cgroup */
};

void features_probe(struct features *f);
/* One line naming every feature and, for missing ones, why. */
void features_log(const struct features *f);
/* "yes" or "no (EPERM)" style text for one feature; buf must hold 32 bytes. */
const char *feature_str(const struct feature *ft, char *buf, int bufsz);

#endif /* VIGIL_PROBE_H */
