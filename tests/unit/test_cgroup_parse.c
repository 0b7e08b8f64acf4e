// SPDX-License-Identifier: Apache-2.0
/*
 * cg_parse() against the cgroup layouts kubelet, containerd, CRI-O, docker and podman really
 * produce, asserting every field, then against malformed and random input.
 *
 * Every path is copied to an exact-size heap buffer before parsing so that ASan reports any
 * read past the terminating NUL.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"

#include "cgroup_parse.h"

#define CID  "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define CID2 "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
#define UID  "0d1f6c2a-8b4e-4c1f-9d2a-3e5f7a9b1c0d"
#define UID_ "0d1f6c2a_8b4e_4c1f_9d2a_3e5f7a9b1c0d"
#define SUID "a81259cef8e959c624df1d456e5d3297" /* static pod: md5, no dashes */

_Static_assert(sizeof(CID) == CG_CONTAINER_ID_MAX, "CID is a full-length id");
_Static_assert(sizeof(UID) == CG_POD_UID_MAX, "UID is a full-length uid");

#define KP_BE "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice"
#define KP_BU "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice"
#define KP_G  "/kubepods.slice/kubepods-pod" UID_ ".slice"

#define NO     false
#define YES    true
#define RT(x)  CG_RT_##x
#define Q(x)   CG_QOS_##x
#define DRV(x) CG_DRIVER_##x

static int parse_copy(const char *path, struct cg_identity *out)
{
	char *copy = strdup(path);
	int err;

	if (!copy)
		abort();
	err = cg_parse(copy, out);
	free(copy);
	return err;
}

/* Parse path and assert every field of the result. */
#define EXPECT(path, ctr, pd, rt, q, drv, cid, uid)                                                \
	do {                                                                                       \
		struct cg_identity id_;                                                            \
		CHECK_INT(parse_copy(path, &id_), 0);                                              \
		CHECK_INT(id_.container, ctr);                                                     \
		CHECK_INT(id_.pod, pd);                                                            \
		CHECK_STR(cg_runtime_name(id_.runtime), cg_runtime_name(rt));                      \
		CHECK_INT(id_.runtime, rt);                                                        \
		CHECK_STR(cg_qos_name(id_.qos), cg_qos_name(q));                                   \
		CHECK_STR(cg_driver_name(id_.driver), cg_driver_name(drv));                        \
		CHECK_STR(id_.container_id, cid);                                                  \
		CHECK_STR(id_.pod_uid, uid);                                                       \
	} while (0)

#define EXPECT_HOST(path) EXPECT(path, NO, NO, RT(NONE), Q(NONE), DRV(NONE), "", "")

/* ---- kubelet, cgroupfs driver ---- */

UNIT_TEST(cgroupfs_besteffort_bare_id)
{
	EXPECT("/kubepods/besteffort/pod" UID "/" CID, YES, YES, RT(UNKNOWN), Q(BESTEFFORT),
	       DRV(CGROUPFS), CID, UID);
}

UNIT_TEST(cgroupfs_burstable_bare_id)
{
	EXPECT("/kubepods/burstable/pod" UID "/" CID, YES, YES, RT(UNKNOWN), Q(BURSTABLE),
	       DRV(CGROUPFS), CID, UID);
}

UNIT_TEST(cgroupfs_guaranteed_bare_id)
{
	EXPECT("/kubepods/pod" UID "/" CID, YES, YES, RT(UNKNOWN), Q(GUARANTEED), DRV(CGROUPFS),
	       CID, UID);
}

UNIT_TEST(cgroupfs_pod_level)
{
	EXPECT("/kubepods/besteffort/pod" UID, NO, YES, RT(NONE), Q(BESTEFFORT), DRV(CGROUPFS), "",
	       UID);
	EXPECT("/kubepods/pod" UID, NO, YES, RT(NONE), Q(GUARANTEED), DRV(CGROUPFS), "", UID);
}

/* Decided: the root and QoS levels are neither pod nor container but keep driver and QoS. */
UNIT_TEST(cgroupfs_root_and_qos_levels)
{
	EXPECT("/kubepods", NO, NO, RT(NONE), Q(NONE), DRV(CGROUPFS), "", "");
	EXPECT("/kubepods/burstable", NO, NO, RT(NONE), Q(BURSTABLE), DRV(CGROUPFS), "", "");
	EXPECT("/kubepods/besteffort", NO, NO, RT(NONE), Q(BESTEFFORT), DRV(CGROUPFS), "", "");
}

UNIT_TEST(cgroupfs_runtime_prefixed_leaves)
{
	EXPECT("/kubepods/burstable/pod" UID "/cri-containerd-" CID, YES, YES, RT(CONTAINERD),
	       Q(BURSTABLE), DRV(CGROUPFS), CID, UID);
	EXPECT("/kubepods/besteffort/pod" UID "/crio-" CID, YES, YES, RT(CRIO), Q(BESTEFFORT),
	       DRV(CGROUPFS), CID, UID);
	EXPECT("/kubepods/pod" UID "/docker-" CID, YES, YES, RT(DOCKER), Q(GUARANTEED),
	       DRV(CGROUPFS), CID, UID);
}

UNIT_TEST(cgroupfs_crio_conmon_is_not_a_container)
{
	EXPECT("/kubepods/burstable/pod" UID "/crio-conmon-" CID, NO, YES, RT(CRIO), Q(BURSTABLE),
	       DRV(CGROUPFS), "", UID);
}

/* ---- kubelet, systemd driver ---- */

UNIT_TEST(systemd_besteffort_containerd)
{
	EXPECT(KP_BE "/cri-containerd-" CID ".scope", YES, YES, RT(CONTAINERD), Q(BESTEFFORT),
	       DRV(SYSTEMD), CID, UID);
}

UNIT_TEST(systemd_burstable_containerd)
{
	EXPECT(KP_BU "/cri-containerd-" CID ".scope", YES, YES, RT(CONTAINERD), Q(BURSTABLE),
	       DRV(SYSTEMD), CID, UID);
}

UNIT_TEST(systemd_guaranteed_crio)
{
	EXPECT(KP_G "/crio-" CID ".scope", YES, YES, RT(CRIO), Q(GUARANTEED), DRV(SYSTEMD), CID,
	       UID);
}

UNIT_TEST(systemd_docker_scope_in_pod)
{
	EXPECT(KP_BU "/docker-" CID ".scope", YES, YES, RT(DOCKER), Q(BURSTABLE), DRV(SYSTEMD), CID,
	       UID);
}

UNIT_TEST(systemd_crio_conmon_is_not_a_container)
{
	EXPECT(KP_BE "/crio-conmon-" CID ".scope", NO, YES, RT(CRIO), Q(BESTEFFORT), DRV(SYSTEMD),
	       "", UID);
	EXPECT(KP_G "/crio-conmon-" CID ".scope", NO, YES, RT(CRIO), Q(GUARANTEED), DRV(SYSTEMD),
	       "", UID);
}

UNIT_TEST(systemd_pod_root_and_qos_levels)
{
	EXPECT(KP_BE, NO, YES, RT(NONE), Q(BESTEFFORT), DRV(SYSTEMD), "", UID);
	EXPECT(KP_G, NO, YES, RT(NONE), Q(GUARANTEED), DRV(SYSTEMD), "", UID);
	EXPECT("/kubepods.slice", NO, NO, RT(NONE), Q(NONE), DRV(SYSTEMD), "", "");
	EXPECT("/kubepods.slice/kubepods-burstable.slice", NO, NO, RT(NONE), Q(BURSTABLE),
	       DRV(SYSTEMD), "", "");
	EXPECT("/kubepods.slice/kubepods-besteffort.slice", NO, NO, RT(NONE), Q(BESTEFFORT),
	       DRV(SYSTEMD), "", "");
}

/* ---- nested kubelet roots (kind, k3s, minikube) ---- */

UNIT_TEST(nested_systemd_kubelet_slice)
{
	EXPECT("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	       "kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" CID ".scope",
	       YES, YES, RT(CONTAINERD), Q(BESTEFFORT), DRV(SYSTEMD), CID, UID);
	EXPECT("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID_
	       ".slice/cri-containerd-" CID ".scope",
	       YES, YES, RT(CONTAINERD), Q(GUARANTEED), DRV(SYSTEMD), CID, UID);
}

UNIT_TEST(nested_cgroupfs_kubelet_dir)
{
	EXPECT("/kubelet/kubepods/burstable/pod" UID "/" CID, YES, YES, RT(UNKNOWN), Q(BURSTABLE),
	       DRV(CGROUPFS), CID, UID);
	EXPECT("/kubelet/kubepods/pod" UID "/" CID, YES, YES, RT(UNKNOWN), Q(GUARANTEED),
	       DRV(CGROUPFS), CID, UID);
}

UNIT_TEST(containerd_systemd_triple)
{
	EXPECT("/system.slice/containerd.service/kubepods-burstable-pod" UID_
	       ".slice:cri-containerd:" CID,
	       YES, YES, RT(CONTAINERD), Q(BURSTABLE), DRV(SYSTEMD), CID, UID);
	EXPECT("/system.slice/containerd.service/kubepods-pod" UID_ ".slice:crio:" CID, YES, YES,
	       RT(CRIO), Q(GUARANTEED), DRV(SYSTEMD), CID, UID);
}

/* runc's own form outside Kubernetes; an unknown prefix still names a container. */
UNIT_TEST(runc_systemd_triple_without_pod)
{
	EXPECT("/system.slice:docker:" CID, YES, NO, RT(DOCKER), Q(NONE), DRV(SYSTEMD), CID, "");
	EXPECT("/user.slice:runc:" CID, YES, NO, RT(UNKNOWN), Q(NONE), DRV(SYSTEMD), CID, "");
	EXPECT("/:runc:" CID, YES, NO, RT(UNKNOWN), Q(NONE), DRV(SYSTEMD), CID, "");
	EXPECT_HOST("/foo.service:runc:" CID);
	EXPECT_HOST("/system.slice:docker:" CID ":x");
	EXPECT_HOST("/system.slice:docker:xyz");
}

/* ---- suffixes the kernel could not walk to the root ---- */

UNIT_TEST(truncated_systemd_suffix)
{
	EXPECT(".../kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" CID ".scope", YES, YES,
	       RT(CONTAINERD), Q(BESTEFFORT), DRV(SYSTEMD), CID, UID);
	EXPECT("/../../kubepods-burstable-pod" UID_ ".slice/crio-" CID ".scope", YES, YES, RT(CRIO),
	       Q(BURSTABLE), DRV(SYSTEMD), CID, UID);
}

UNIT_TEST(truncated_cgroupfs_suffix)
{
	/* the QoS level was cut off, so the QoS is not known */
	EXPECT(".../pod" UID "/" CID, YES, YES, RT(UNKNOWN), Q(NONE), DRV(CGROUPFS), CID, UID);
	EXPECT(".../burstable/pod" UID "/" CID, YES, YES, RT(UNKNOWN), Q(BURSTABLE), DRV(CGROUPFS),
	       CID, UID);
	EXPECT(".../cri-containerd-" CID ".scope", YES, NO, RT(CONTAINERD), Q(NONE), DRV(SYSTEMD),
	       CID, "");
	EXPECT_HOST(".../" CID);
	EXPECT_HOST("...");
}

/* ---- containers outside Kubernetes ---- */

UNIT_TEST(docker_cgroupfs)
{
	EXPECT("/docker/" CID, YES, NO, RT(DOCKER), Q(NONE), DRV(CGROUPFS), CID, "");
	EXPECT_HOST("/docker");
}

UNIT_TEST(docker_systemd)
{
	EXPECT("/system.slice/docker-" CID ".scope", YES, NO, RT(DOCKER), Q(NONE), DRV(SYSTEMD),
	       CID, "");
}

UNIT_TEST(podman)
{
	EXPECT("/machine.slice/libpod-" CID ".scope", YES, NO, RT(PODMAN), Q(NONE), DRV(SYSTEMD),
	       CID, "");
	EXPECT("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" CID ".scope", YES,
	       NO, RT(PODMAN), Q(NONE), DRV(SYSTEMD), CID, "");
	/* podman on cgroup v2 moves the payload into a "container" child */
	EXPECT("/machine.slice/libpod-" CID ".scope/container", YES, NO, RT(PODMAN), Q(NONE),
	       DRV(SYSTEMD), CID, "");
	EXPECT("/libpod_parent/libpod-" CID, YES, NO, RT(PODMAN), Q(NONE), DRV(CGROUPFS), CID, "");
	EXPECT("/machine.slice/libpod-conmon-" CID ".scope", NO, NO, RT(PODMAN), Q(NONE),
	       DRV(SYSTEMD), "", "");
}

UNIT_TEST(crio_and_nerdctl_outside_kubernetes)
{
	EXPECT("/system.slice/crio-" CID ".scope", YES, NO, RT(CRIO), Q(NONE), DRV(SYSTEMD), CID,
	       "");
	EXPECT("/system.slice/nerdctl-" CID ".scope", YES, NO, RT(CONTAINERD), Q(NONE),
	       DRV(SYSTEMD), CID, "");
}

/* ---- host processes ---- */

UNIT_TEST(host_paths)
{
	EXPECT_HOST("/");
	EXPECT_HOST("/init.scope");
	EXPECT_HOST("/system.slice/sshd.service");
	EXPECT_HOST("/user.slice/user-1000.slice/session-3.scope");
	EXPECT_HOST("/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service");
	EXPECT_HOST("/system.slice/containerd.service");
	EXPECT_HOST("/system.slice/crio.service");
	EXPECT_HOST("/system.slice/docker.service");
	EXPECT_HOST("/system.slice/kubelet.service");
	EXPECT_HOST("/kubelet.slice");
}

UNIT_TEST(host_hex_in_non_container_positions)
{
	EXPECT_HOST("/system.slice/docker-" CID ".scope.mount");
	EXPECT_HOST("/system.slice/foo-" CID ".service");
	EXPECT_HOST("/system.slice/docker-" CID ".service");
	EXPECT_HOST("/system.slice/docker-" CID "-x.scope");
	EXPECT_HOST("/system.slice/cri-containerd-" CID ".scopex");
	EXPECT_HOST("/" CID);
	EXPECT_HOST("/system.slice/" CID);
	EXPECT_HOST("/system.slice/" CID ".scope");
	EXPECT_HOST("/foo/pod" UID "/" CID);
	EXPECT_HOST("/burstable/pod" UID "/" CID);
	EXPECT_HOST("/system.slice/foo-pod" UID_ ".slice/" CID);
}

/* ---- ids ---- */

UNIT_TEST(upper_case_is_stored_lower_case)
{
	EXPECT("/kubepods/burstable/pod0D1F6C2A-8B4E-4C1F-9D2A-3E5F7A9B1C0D/"
	       "CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB",
	       YES, YES, RT(UNKNOWN), Q(BURSTABLE), DRV(CGROUPFS), CID, UID);
	EXPECT("/kubepods.slice/kubepods-pod0D1F6C2A_8B4E_4C1F_9D2A_3E5F7A9B1C0D.slice/"
	       "docker-CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB.scope",
	       YES, YES, RT(DOCKER), Q(GUARANTEED), DRV(SYSTEMD), CID, UID);
}

UNIT_TEST(container_id_lengths)
{
	EXPECT("/docker/0123456789ab", YES, NO, RT(DOCKER), Q(NONE), DRV(CGROUPFS), "0123456789ab",
	       "");
	EXPECT("/system.slice/docker-0123456789abcdef.scope", YES, NO, RT(DOCKER), Q(NONE),
	       DRV(SYSTEMD), "0123456789abcdef", "");
	EXPECT_HOST("/docker/0123456789a");
	EXPECT_HOST("/docker/" CID "0");
	EXPECT_HOST("/system.slice/docker-" CID "0.scope");
	EXPECT_HOST("/system.slice/docker-.scope");
	EXPECT("/kubepods/besteffort/pod" UID "/" CID "0", NO, YES, RT(NONE), Q(BESTEFFORT),
	       DRV(CGROUPFS), "", UID);
}

UNIT_TEST(static_pod_uid_without_dashes)
{
	EXPECT("/kubepods/burstable/pod" SUID "/" CID, YES, YES, RT(UNKNOWN), Q(BURSTABLE),
	       DRV(CGROUPFS), CID, SUID);
	EXPECT("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" SUID
	       ".slice/cri-containerd-" CID ".scope",
	       YES, YES, RT(CONTAINERD), Q(BURSTABLE), DRV(SYSTEMD), CID, SUID);
}

UNIT_TEST(malformed_pod_uids)
{
	/* one digit short, systemd separators in cgroupfs and back, mixed, non-hex */
	EXPECT("/kubepods/burstable/pod0d1f6c2a-8b4e-4c1f-9d2a-3e5f7a9b1c0/" CID, NO, NO, RT(NONE),
	       Q(BURSTABLE), DRV(CGROUPFS), "", "");
	EXPECT("/kubepods/burstable/pod" UID_ "/" CID, NO, NO, RT(NONE), Q(BURSTABLE),
	       DRV(CGROUPFS), "", "");
	EXPECT("/kubepods/burstable/pod0d1f6c2a-8b4e_4c1f-9d2a-3e5f7a9b1c0d", NO, NO, RT(NONE),
	       Q(BURSTABLE), DRV(CGROUPFS), "", "");
	EXPECT("/kubepods/burstable/pod0d1f6c2a-8b4e-4c1f-9d2a-3e5f7a9b1c0g", NO, NO, RT(NONE),
	       Q(BURSTABLE), DRV(CGROUPFS), "", "");
	EXPECT("/kubepods/burstable/pod0d1f6c2a8-b4e-4c1f-9d2a-3e5f7a9b1c0d", NO, NO, RT(NONE),
	       Q(BURSTABLE), DRV(CGROUPFS), "", "");
	EXPECT("/kubepods.slice/kubepods-pod" UID ".slice/crio-" CID ".scope", YES, NO, RT(CRIO),
	       Q(NONE), DRV(SYSTEMD), CID, "");
	EXPECT_HOST("/kubepods-besteffort-pod" UID_ ".slicex");
	EXPECT_HOST("/notkubepods-besteffort-pod" UID_ ".slice");
	EXPECT_HOST("/kubepods-besteffort-pd" UID_ ".slice");
	EXPECT_HOST("/-pod" UID_ ".slice");
}

/* ---- nesting ---- */

UNIT_TEST(innermost_container_wins)
{
	EXPECT("/docker/" CID2 "/docker/" CID, YES, NO, RT(DOCKER), Q(NONE), DRV(CGROUPFS), CID,
	       "");
	/* a cgroup below a container is still in it */
	EXPECT("/kubepods/besteffort/pod" UID "/" CID "/init.scope", YES, YES, RT(UNKNOWN),
	       Q(BESTEFFORT), DRV(CGROUPFS), CID, UID);
	EXPECT("/system.slice/docker-" CID ".scope/" CID2, YES, NO, RT(DOCKER), Q(NONE),
	       DRV(SYSTEMD), CID, "");
}

/* A kind node is a docker container; the pods it runs are what a rule wants to see. */
UNIT_TEST(kind_node_seen_from_the_host)
{
	EXPECT("/system.slice/docker-" CID2 ".scope/kubelet.slice/kubelet-kubepods.slice/"
	       "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UID_
	       ".slice/cri-containerd-" CID ".scope",
	       YES, YES, RT(CONTAINERD), Q(BESTEFFORT), DRV(SYSTEMD), CID, UID);
	EXPECT("/system.slice/docker-" CID2 ".scope/kubelet.slice/kubelet-kubepods.slice/"
	       "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UID_ ".slice",
	       NO, YES, RT(NONE), Q(BESTEFFORT), DRV(SYSTEMD), "", UID);
	EXPECT("/system.slice/docker-" CID2 ".scope/kubelet.slice", YES, NO, RT(DOCKER), Q(NONE),
	       DRV(SYSTEMD), CID2, "");
	EXPECT("/docker/" CID2 "/kubepods-burstable-pod" UID_ ".slice:cri-containerd:" CID, YES,
	       YES, RT(CONTAINERD), Q(BURSTABLE), DRV(SYSTEMD), CID, UID);
}

/* ---- malformed input ---- */

UNIT_TEST(invalid_arguments)
{
	struct cg_identity id;

	memset(&id, 0xa5, sizeof(id));
	CHECK_INT(cg_parse(NULL, &id), -EINVAL);
	CHECK_INT(id.container, 0);
	CHECK_INT(id.pod, 0);
	CHECK_STR(id.container_id, "");
	memset(&id, 0xa5, sizeof(id));
	CHECK_INT(cg_parse("", &id), -EINVAL);
	CHECK_INT(id.runtime, CG_RT_NONE);
	CHECK_STR(id.pod_uid, "");
	CHECK_INT(cg_parse("/", NULL), -EINVAL);
	CHECK_INT(cg_parse(NULL, NULL), -EINVAL);
}

UNIT_TEST(output_is_zeroed_first)
{
	struct cg_identity id;

	CHECK_INT(cg_parse("/docker/" CID, &id), 0);
	CHECK_INT(cg_parse("/system.slice/sshd.service", &id), 0);
	CHECK_INT(id.container, 0);
	CHECK_INT(id.runtime, CG_RT_NONE);
	CHECK_INT(id.driver, CG_DRIVER_NONE);
	CHECK_STR(id.container_id, "");
}

UNIT_TEST(slashes)
{
	EXPECT("//kubepods///besteffort//pod" UID "//" CID "/", YES, YES, RT(UNKNOWN),
	       Q(BESTEFFORT), DRV(CGROUPFS), CID, UID);
	EXPECT("kubepods/besteffort/pod" UID "/" CID, YES, YES, RT(UNKNOWN), Q(BESTEFFORT),
	       DRV(CGROUPFS), CID, UID);
	EXPECT(KP_BE "/crio-" CID ".scope/", YES, YES, RT(CRIO), Q(BESTEFFORT), DRV(SYSTEMD), CID,
	       UID);
	EXPECT_HOST("///");
	EXPECT_HOST("/./..");
}

UNIT_TEST(control_characters)
{
	EXPECT("/kubepods/burstable/pod" UID "/\x01\x02\x7f\xff", NO, YES, RT(NONE), Q(BURSTABLE),
	       DRV(CGROUPFS), "", UID);
	EXPECT("/kubepods/burst\nable/pod" UID "/" CID, NO, NO, RT(NONE), Q(NONE), DRV(CGROUPFS),
	       "", "");
	EXPECT("/kubepods/burstable/pod" UID "/" CID "\n", NO, YES, RT(NONE), Q(BURSTABLE),
	       DRV(CGROUPFS), "", UID);
	EXPECT_HOST("/system.slice/docker-" CID "\t.scope");
	EXPECT_HOST("\x1b[31m/\r\n");
}

static void fill(char *buf, size_t n, char c)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

UNIT_TEST(long_components)
{
	char comp[301], path[1024];

	fill(comp, 300, 'a'); /* all hex, but far too long for an id */
	snprintf(path, sizeof(path), "/kubepods/besteffort/pod%s/%s", UID, comp);
	EXPECT(path, NO, YES, RT(NONE), Q(BESTEFFORT), DRV(CGROUPFS), "", UID);
	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", comp);
	EXPECT_HOST(path);
	snprintf(path, sizeof(path), "/kubepods/pod%s", comp);
	EXPECT(path, NO, NO, RT(NONE), Q(NONE), DRV(CGROUPFS), "", "");
	fill(comp, 300, 'x');
	snprintf(path, sizeof(path), "/%s/docker/%s", comp, CID);
	EXPECT(path, YES, NO, RT(DOCKER), Q(NONE), DRV(CGROUPFS), CID, "");
	snprintf(path, sizeof(path), "/%s-pod%s.slice:crio:%s", comp, UID_, CID);
	EXPECT(path, YES, NO, RT(CRIO), Q(NONE), DRV(SYSTEMD), CID, "");
}

UNIT_TEST(deep_path)
{
	static char path[64 * 1024];
	size_t n = 0;

	while (n + 3 < sizeof(path) - 128) {
		memcpy(path + n, "/a/", 3);
		n += 3;
	}
	snprintf(path + n, sizeof(path) - n, "docker/%s", CID);
	EXPECT(path, YES, NO, RT(DOCKER), Q(NONE), DRV(CGROUPFS), CID, "");
}

/* The invariants every result must hold, whatever the input. */
static void check_sane(const struct cg_identity *id)
{
	size_t cl = strnlen(id->container_id, sizeof(id->container_id));
	size_t ul = strnlen(id->pod_uid, sizeof(id->pod_uid));

	CHECK(cl < sizeof(id->container_id));
	CHECK(ul < sizeof(id->pod_uid));
	CHECK(id->container ? cl >= 12 : cl == 0);
	CHECK(id->pod ? (ul == 36 || ul == 32) : ul == 0);
	CHECK(strspn(id->container_id, "0123456789abcdef") == cl);
	CHECK(strspn(id->pod_uid, "0123456789abcdef-") == ul);
	CHECK(!id->container || id->runtime != CG_RT_NONE);
	CHECK(!(id->container || id->pod) || id->driver != CG_DRIVER_NONE);
	CHECK((unsigned)id->runtime <= CG_RT_UNKNOWN);
	CHECK((unsigned)id->qos <= CG_QOS_BESTEFFORT);
	CHECK((unsigned)id->driver <= CG_DRIVER_SYSTEMD);
}

static const char *const corpus[] = {
    KP_BE "/cri-containerd-" CID ".scope",
    "/kubepods/burstable/pod" UID "/" CID,
    "/system.slice/containerd.service/kubepods-burstable-pod" UID_ ".slice:cri-containerd:" CID,
    "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID_ ".slice/crio-conmon-" CID
    ".scope",
    "/docker/" CID,
    "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" CID ".scope",
};

/* Every prefix and suffix of real paths, as a truncated buffer or a kernel suffix would be. */
UNIT_TEST(every_prefix_and_suffix)
{
	struct cg_identity id;

	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		size_t len = strlen(corpus[i]);

		for (size_t n = 1; n <= len; n++) {
			char *head = strndup(corpus[i], n);
			char *tail = strdup(corpus[i] + len - n);

			CHECK(head && tail);
			CHECK_INT(cg_parse(head, &id), 0);
			check_sane(&id);
			CHECK_INT(cg_parse(tail, &id), 0);
			check_sane(&id);
			free(head);
			free(tail);
		}
	}
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random strings over the alphabet the parser cares about, plus a few bytes it does not. */
UNIT_TEST(random_input)
{
	static const char alpha[] =
	    "/////--__..::0123456789abcdefABCDEFpodkubesliceburstable\x01\xff";
	struct cg_identity id;
	uint32_t seed = 0x9e3779b9;

	for (int iter = 0; iter < 200000; iter++) {
		size_t len = 1 + rng_next(&seed) % 160;
		char *buf = malloc(len + 1);

		CHECK(buf != NULL);
		for (size_t i = 0; i < len; i++)
			buf[i] = alpha[rng_next(&seed) % (sizeof(alpha) - 1)];
		buf[len] = '\0';
		CHECK_INT(cg_parse(buf, &id), 0);
		check_sane(&id);
		free(buf);
	}
}

UNIT_TEST(names)
{
	CHECK_STR(cg_runtime_name(CG_RT_NONE), "");
	CHECK_STR(cg_runtime_name(CG_RT_CONTAINERD), "containerd");
	CHECK_STR(cg_runtime_name(CG_RT_CRIO), "cri-o");
	CHECK_STR(cg_runtime_name(CG_RT_DOCKER), "docker");
	CHECK_STR(cg_runtime_name(CG_RT_PODMAN), "podman");
	CHECK_STR(cg_runtime_name(CG_RT_UNKNOWN), "unknown");
	CHECK_STR(cg_runtime_name((enum cg_runtime)99), "");
	CHECK_STR(cg_qos_name(CG_QOS_NONE), "");
	CHECK_STR(cg_qos_name(CG_QOS_GUARANTEED), "guaranteed");
	CHECK_STR(cg_qos_name(CG_QOS_BURSTABLE), "burstable");
	CHECK_STR(cg_qos_name(CG_QOS_BESTEFFORT), "besteffort");
	CHECK_STR(cg_qos_name((enum cg_qos)99), "");
	CHECK_STR(cg_driver_name(CG_DRIVER_NONE), "");
	CHECK_STR(cg_driver_name(CG_DRIVER_CGROUPFS), "cgroupfs");
	CHECK_STR(cg_driver_name(CG_DRIVER_SYSTEMD), "systemd");
	CHECK_STR(cg_driver_name((enum cg_driver)7), "");
}

int main(void)
{
	return unit_run();
}
