/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cgroup path -> container and pod identity, from the path alone.
 *
 * The agent sees a cgroup path for every process and must say, without asking any runtime,
 * whether it runs in a container, which one, and in which Kubernetes pod. The path layout is
 * chosen by the kubelet's cgroup driver (cgroupfs or systemd) and by the runtime's naming, so
 * this module knows those layouts and nothing else. Pure string work: no I/O, no allocation.
 */
#ifndef VIGIL_CGROUP_PARSE_H
#define VIGIL_CGROUP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum cg_runtime {
	CG_RT_NONE = 0,
	CG_RT_CONTAINERD,
	CG_RT_CRIO,
	CG_RT_DOCKER,
	CG_RT_PODMAN,
	CG_RT_UNKNOWN,
};

enum cg_qos { CG_QOS_NONE = 0, CG_QOS_GUARANTEED, CG_QOS_BURSTABLE, CG_QOS_BESTEFFORT };

enum cg_driver { CG_DRIVER_NONE = 0, CG_DRIVER_CGROUPFS, CG_DRIVER_SYSTEMD };

#define CG_CONTAINER_ID_MAX 65 /* 64 hex + NUL */
#define CG_POD_UID_MAX	    37 /* canonical dashed uuid + NUL */

/*
 * What a cgroup path says about the processes in it.
 *
 * runtime is set whenever a runtime-named cgroup is seen, including CRI-O's and podman's conmon
 * (pod=true, container=false, runtime set, container_id empty). qos and driver are also set on
 * the kubepods root and QoS-level cgroups, which are neither pod nor container. driver is the
 * form of the innermost Kubernetes or container component; NONE for host paths.
 */
struct cg_identity {
	bool container; /* the path names a container */
	bool pod;	/* the path is inside a Kubernetes pod cgroup */
	enum cg_runtime runtime;
	enum cg_qos qos;
	enum cg_driver driver;
	char container_id[CG_CONTAINER_ID_MAX]; /* lower-case hex, full length as found */
	char pod_uid[CG_POD_UID_MAX];		/* always dashed form, lower case */
};

/*
 * Parse a cgroup path (as in /proc/PID/cgroup after "0::", or a suffix of one that may start
 * with ".../" when the kernel could not walk to the root). Returns 0 and fills *out (zeroed
 * first) for every well-formed path, including host paths ("/", "/system.slice/sshd.service",
 * "/user.slice/..."), which give container=false pod=false. Returns -EINVAL only for NULL or a
 * path that is not a path at all (empty string). Never reads past the terminating NUL.
 *
 * When containers nest (docker-in-docker, a kind node holding pods), the innermost container
 * wins, and a kubepods root or pod cgroup below a container starts the identity afresh.
 */
int cg_parse(const char *path, struct cg_identity *out);

/* "containerd", "cri-o", "docker", "podman", "unknown"; "" for NONE */
const char *cg_runtime_name(enum cg_runtime rt);
/* "guaranteed", "burstable", "besteffort"; "" for NONE */
const char *cg_qos_name(enum cg_qos q);
/* "cgroupfs", "systemd"; "" for NONE */
const char *cg_driver_name(enum cg_driver d);

#endif /* VIGIL_CGROUP_PARSE_H */
