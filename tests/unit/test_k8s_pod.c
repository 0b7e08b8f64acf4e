// SPDX-License-Identifier: Apache-2.0
/*
 * k8s_pod: real `kubectl get pod -o json` objects (a Deployment, a CronJob, a StatefulSet pod
 * with init and ephemeral debug containers, a bare pod, a pod with 200 labels and a 100 KB
 * annotation) -> every field and the exact rendered members; workload derivation; image
 * references and container ids. Hostile input is in test_k8s_pod_hostile.c.
 */
#include <errno.h>
#include <stdlib.h>

#define UNIT_MAIN
#include "unit.h"
#include "k8s_fixture.h"
#include "k8s_pod.h"

#define CHECK_KV(kv, k, v)                                                                         \
	do {                                                                                       \
		CHECK_STR((kv).key, k);                                                            \
		CHECK_STR((kv).value, v);                                                          \
	} while (0)

static void check_container(const struct k8s_container *c, const char *name, const char *image,
			    const char *repo, const char *tag, const char *digest, const char *id,
			    const char *runtime, bool privileged, bool init, bool ephemeral)
{
	CHECK_STR(c->name, name);
	CHECK_STR(c->image, image);
	CHECK_STR(c->image_repo, repo);
	CHECK_STR(c->image_tag, tag);
	CHECK_STR(c->image_digest, digest);
	CHECK_STR(c->id, id);
	CHECK_STR(c->runtime, runtime);
	CHECK_INT(c->privileged, privileged);
	CHECK_INT(c->init, init);
	CHECK_INT(c->ephemeral, ephemeral);
	CHECK_INT(c->json_len, strlen(c->json));
}

UNIT_TEST(deployment_pod)
{
	struct k8s_pod *p = fixture_pod("pod-deployment.json");

	CHECK_STR(p->uid, WEB_UID);
	CHECK_STR(p->name, "web-7c5b9d6f4d-x2x9z");
	CHECK_STR(p->namespace, "prod");
	CHECK_STR(p->node, "worker-2");
	CHECK_STR(p->service_account, "web");
	CHECK_STR(p->resource_version, "48213977");
	CHECK_STR(p->owner_kind, "ReplicaSet");
	CHECK_STR(p->owner_name, "web-7c5b9d6f4d");
	CHECK_STR(p->workload_kind, "Deployment");
	CHECK_STR(p->workload_name, "web");
	CHECK_INT(p->static_meta, false);
	CHECK_INT(p->standalone, false);
	CHECK_INT(p->dropped, 0);
	CHECK_INT(p->nlabels, 8);
	CHECK_KV(p->labels[0], "app", "web");
	CHECK_KV(p->labels[1], "app.kubernetes.io/component", "frontend");
	CHECK_KV(p->labels[2], "app.kubernetes.io/instance", "web-prod");
	CHECK_KV(p->labels[3], "app.kubernetes.io/managed-by", "Helm");
	CHECK_KV(p->labels[4], "app.kubernetes.io/name", "web");
	CHECK_KV(p->labels[5], "app.kubernetes.io/version", "1.25.3");
	CHECK_KV(p->labels[6], "helm.sh/chart", "web-4.2.0");
	CHECK_KV(p->labels[7], "pod-template-hash", "7c5b9d6f4d");
	CHECK_INT(p->nannotations, 4);
	CHECK_KV(p->annotations[0], "checksum/config",
		 "5f1d3c8e2a9b7d6c4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d");
	CHECK_KV(p->annotations[1], "kubectl.kubernetes.io/restartedAt", "2026-11-19T16:02:11Z");
	CHECK_KV(p->annotations[2], "prometheus.io/port", "9113");
	CHECK_KV(p->annotations[3], "prometheus.io/scrape", "true");
	CHECK_INT(p->ncontainers, 2);
	/* spec order, statuses matched by name although the status list is in another order */
	check_container(&p->containers[0], "nginx", "nginx:1.25.3", "nginx", "1.25.3", NGINX_DIGEST,
			WEB_NGINX_ID, "containerd", false, false, false);
	check_container(&p->containers[1], "exporter",
			"quay.io/prometheuscommunity/nginx-prometheus-exporter:v1.1.0",
			"quay.io/prometheuscommunity/nginx-prometheus-exporter", "v1.1.0",
			EXPORTER_DIGEST, WEB_EXPORTER_ID, "containerd", false, false, false);
	CHECK_STR(
	    p->json,
	    "\"name\":\"web-7c5b9d6f4d-x2x9z\",\"namespace\":\"prod\",\"labels\":{\"app\":\"web\","
	    "\"app.kubernetes.io/component\":\"frontend\",\"app.kubernetes.io/instance\":"
	    "\"web-prod\",\"app.kubernetes.io/managed-by\":\"Helm\",\"app.kubernetes.io/name\":"
	    "\"web\",\"app.kubernetes.io/version\":\"1.25.3\",\"helm.sh/chart\":\"web-4.2.0\","
	    "\"pod-template-hash\":\"7c5b9d6f4d\"},\"annotations\":{\"checksum/config\":"
	    "\"5f1d3c8e2a9b7d6c4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d\","
	    "\"kubectl.kubernetes.io/restartedAt\":\"2026-11-19T16:02:11Z\","
	    "\"prometheus.io/port\":\"9113\",\"prometheus.io/scrape\":\"true\"},"
	    "\"workload\":{\"kind\":\"Deployment\",\"name\":\"web\"},\"owner\":{\"kind\":"
	    "\"ReplicaSet\",\"name\":\"web-7c5b9d6f4d\"},\"service_account\":\"web\","
	    "\"node\":\"worker-2\"");
	CHECK_INT(p->json_len, strlen(p->json));
	CHECK_STR(p->containers[0].json,
		  "\"name\":\"nginx\",\"image\":\"nginx:1.25.3\",\"image_repository\":\"nginx\","
		  "\"image_tag\":\"1.25.3\",\"image_digest\":\"" NGINX_DIGEST "\","
		  "\"privileged\":false,\"ephemeral\":false");
	CHECK_STR(p->containers[1].json,
		  "\"name\":\"exporter\",\"image\":\"quay.io/prometheuscommunity/"
		  "nginx-prometheus-exporter:v1.1.0\",\"image_repository\":\"quay.io/"
		  "prometheuscommunity/nginx-prometheus-exporter\",\"image_tag\":\"v1.1.0\","
		  "\"image_digest\":\"" EXPORTER_DIGEST "\",\"privileged\":false,\"ephemeral\":false");
	CHECK(k8s_pod__container(p, WEB_NGINX_ID) == &p->containers[0]);
	CHECK(k8s_pod__container(p, WEB_EXPORTER_ID) == &p->containers[1]);
	CHECK(k8s_pod__container(p, DB_POSTGRES_ID) == NULL);
	CHECK(k8s_pod__container(p, "") == NULL);
	CHECK(p->bytes > sizeof(*p) + p->json_len && p->bytes < 4096);
	k8s_pod__free(p);
}

UNIT_TEST(cronjob_pod)
{
	struct k8s_pod *p = fixture_pod("pod-cronjob.json");

	CHECK_STR(p->uid, BACKUP_UID);
	CHECK_STR(p->name, "backup-29395560-k7q2m");
	CHECK_STR(p->namespace, "ops");
	CHECK_STR(p->node, "worker-1");
	CHECK_STR(p->service_account, "backup");
	CHECK_STR(p->resource_version, "48101233");
	CHECK_STR(p->owner_kind, "Job");
	CHECK_STR(p->owner_name, "backup-29395560");
	CHECK_STR(p->workload_kind, "CronJob");
	CHECK_STR(p->workload_name, "backup");
	CHECK_INT(p->nlabels, 4);
	CHECK_KV(p->labels[1], "batch.kubernetes.io/job-name", "backup-29395560");
	CHECK_INT(p->nannotations, 0);
	CHECK(p->annotations == NULL);
	CHECK_INT(p->dropped, 0);
	CHECK_INT(p->ncontainers, 1);
	/* a registry with a port, tag and digest in the spec image; a terminated CRI-O container */
	check_container(&p->containers[0], "backup",
			"registry.internal:5000/ops/pg-backup:2.4@" PGBACKUP_DIGEST,
			"registry.internal:5000/ops/pg-backup", "2.4", PGBACKUP_DIGEST, BACKUP_ID,
			"cri-o", false, false, false);
	CHECK_STR(p->json,
		  "\"name\":\"backup-29395560-k7q2m\",\"namespace\":\"ops\",\"labels\":{"
		  "\"batch.kubernetes.io/controller-uid\":\"5a9e7c1d-3b2f-4e6a-8d0c-1f9b7e5a3c2d\","
		  "\"batch.kubernetes.io/job-name\":\"backup-29395560\",\"controller-uid\":"
		  "\"5a9e7c1d-3b2f-4e6a-8d0c-1f9b7e5a3c2d\",\"job-name\":\"backup-29395560\"},"
		  "\"annotations\":{},\"workload\":{\"kind\":\"CronJob\",\"name\":\"backup\"},"
		  "\"owner\":{\"kind\":\"Job\",\"name\":\"backup-29395560\"},"
		  "\"service_account\":\"backup\",\"node\":\"worker-1\"");
	CHECK_STR(p->containers[0].json,
		  "\"name\":\"backup\",\"image\":\"registry.internal:5000/ops/"
		  "pg-backup:2.4@" PGBACKUP_DIGEST
		  "\",\"image_repository\":\"registry.internal:5000/ops/pg-backup\","
		  "\"image_tag\":\"2.4\",\"image_digest\":\"" PGBACKUP_DIGEST "\","
		  "\"privileged\":false,\"ephemeral\":false");
	k8s_pod__free(p);
}

UNIT_TEST(statefulset_pod_with_init_and_debug_containers)
{
	struct k8s_pod *p = fixture_pod("pod-statefulset-debug.json");

	CHECK_STR(p->uid, DB_UID);
	CHECK_STR(p->name, "db-0");
	CHECK_STR(p->namespace, "prod");
	CHECK_STR(p->node, "worker-2");
	CHECK_STR(p->service_account, "default");
	CHECK_STR(p->resource_version, "48300512");
	CHECK_STR(p->owner_kind, "StatefulSet");
	CHECK_STR(p->owner_name, "db");
	CHECK_STR(p->workload_kind, "StatefulSet");
	CHECK_STR(p->workload_name, "db");
	CHECK_INT(p->nlabels, 4);
	CHECK_KV(p->labels[3], "statefulset.kubernetes.io/pod-name", "db-0");
	CHECK_INT(p->nannotations, 0);
	CHECK_INT(p->dropped, 0);
	CHECK_INT(p->ncontainers, 3);
	/* init first, then app, then ephemeral; each matched in its own status list */
	check_container(&p->containers[0], "init-perms", "busybox:1.36", "busybox", "1.36",
			BUSYBOX_DIGEST, DB_INIT_ID, "containerd", true, true, false);
	check_container(&p->containers[1], "postgres", "postgres:16.1", "postgres", "16.1",
			POSTGRES_DIGEST, DB_POSTGRES_ID, "containerd", false, false, false);
	check_container(&p->containers[2], "debugger-8xq4t", "busybox:1.36", "busybox", "1.36",
			BUSYBOX_DIGEST, DB_DEBUGGER_ID, "containerd", false, false, true);
	CHECK_STR(p->containers[0].json,
		  "\"name\":\"init-perms\",\"image\":\"busybox:1.36\",\"image_repository\":"
		  "\"busybox\",\"image_tag\":\"1.36\",\"image_digest\":\"" BUSYBOX_DIGEST "\","
		  "\"privileged\":true,\"ephemeral\":false");
	CHECK_STR(p->containers[2].json,
		  "\"name\":\"debugger-8xq4t\",\"image\":\"busybox:1.36\",\"image_repository\":"
		  "\"busybox\",\"image_tag\":\"1.36\",\"image_digest\":\"" BUSYBOX_DIGEST "\","
		  "\"privileged\":false,\"ephemeral\":true");
	CHECK_STR(p->json,
		  "\"name\":\"db-0\",\"namespace\":\"prod\",\"labels\":{\"app\":\"db\","
		  "\"apps.kubernetes.io/pod-index\":\"0\",\"controller-revision-hash\":"
		  "\"db-6d8f7b9c5\",\"statefulset.kubernetes.io/pod-name\":\"db-0\"},"
		  "\"annotations\":{},\"workload\":{\"kind\":\"StatefulSet\",\"name\":\"db\"},"
		  "\"owner\":{\"kind\":\"StatefulSet\",\"name\":\"db\"},"
		  "\"service_account\":\"default\",\"node\":\"worker-2\"");
	CHECK(k8s_pod__container(p, DB_DEBUGGER_ID) == &p->containers[2]);
	k8s_pod__free(p);
}

UNIT_TEST(bare_pod_applied_with_kubectl)
{
	struct k8s_pod *p = fixture_pod("pod-bare.json");

	CHECK_STR(p->uid, BARE_UID);
	CHECK_STR(p->name, "toolbox");
	CHECK_STR(p->namespace, "default");
	CHECK_STR(p->node, "worker-1");
	/* only the deprecated spec.serviceAccount is set */
	CHECK_STR(p->service_account, "legacy");
	CHECK_STR(p->owner_kind, "");
	CHECK_STR(p->owner_name, "");
	CHECK_STR(p->workload_kind, "Pod");
	CHECK_STR(p->workload_name, "toolbox");
	CHECK_INT(p->nlabels, 0);
	CHECK(p->labels == NULL);
	/* last-applied-configuration is dropped and counted */
	CHECK_INT(p->nannotations, 1);
	CHECK_KV(p->annotations[0], "owner", "team-a");
	CHECK_INT(p->dropped, 1);
	CHECK_INT(p->ncontainers, 2);
	/* docker's imageID form; a waiting container without containerID or imageID */
	check_container(&p->containers[0], "shell", "alpine:3.19", "alpine", "3.19", ALPINE_DIGEST,
			BARE_SHELL_ID, "docker", true, false, false);
	check_container(&p->containers[1], "sidecar", "localhost:5000/tools/sidecar",
			"localhost:5000/tools/sidecar", "", "", "", "", false, false, false);
	CHECK_STR(p->json,
		  "\"name\":\"toolbox\",\"namespace\":\"default\",\"labels\":{},"
		  "\"annotations\":{\"owner\":\"team-a\"},\"workload\":{\"kind\":\"Pod\","
		  "\"name\":\"toolbox\"},\"service_account\":\"legacy\",\"node\":\"worker-1\"");
	CHECK_STR(p->containers[1].json,
		  "\"name\":\"sidecar\",\"image\":\"localhost:5000/tools/sidecar\","
		  "\"image_repository\":\"localhost:5000/tools/sidecar\",\"image_tag\":\"\","
		  "\"image_digest\":\"\",\"privileged\":false,\"ephemeral\":false");
	CHECK(k8s_pod__container(p, BARE_SHELL_ID) == &p->containers[0]);
	k8s_pod__free(p);
}

UNIT_TEST(huge_pod_is_bounded)
{
	struct k8s_pod *p = fixture_pod("pod-huge.json");
	char key[64];

	CHECK_STR(p->uid, HUGE_UID);
	CHECK_STR(p->workload_kind, "Deployment");
	CHECK_STR(p->workload_name, "web");
	/* 200 labels: the first 64 in document order */
	CHECK_INT(p->nlabels, K8S_LABELS_MAX);
	CHECK_KV(p->labels[0], "app", "web");
	CHECK_KV(p->labels[1], "pod-template-hash", "7c5b9d6f4d");
	for (int i = 0; i < K8S_LABELS_MAX - 2; i++) {
		snprintf(key, sizeof(key), "team.example.com/label-%03d", i);
		CHECK_STR(p->labels[i + 2].key, key);
	}
	/* 43 annotations: last-applied dropped, 32 of the other 42 kept, the 100 KB one cut */
	CHECK_INT(p->nannotations, K8S_ANNOTATIONS_MAX);
	CHECK_KV(p->annotations[0], "cni.projectcalico.org/podIP", "10.244.1.99/32");
	CHECK_STR(p->annotations[1].key, "example.com/huge");
	CHECK_INT(strlen(p->annotations[1].value), K8S_VALUE_MAX);
	CHECK(strncmp(p->annotations[1].value, "ahovcjqx", 8) == 0);
	CHECK_STR(p->annotations[2].key, "note.example.com/n00");
	CHECK_STR(p->annotations[31].key, "note.example.com/n29");
	/* 136 labels + 1 last-applied + 10 annotations dropped, 1 value cut */
	CHECK_INT(p->dropped, 136 + 1 + 10 + 1);
	CHECK_INT(p->ncontainers, 2);
	CHECK(p->bytes <= K8S_POD_BYTES_MAX);
	CHECK(p->bytes > p->json_len);
	CHECK(strstr(p->json, "last-applied") == NULL);
	k8s_pod__free(p);
}

/* A minimal pod with one owner reference and the given labels (JSON text of an object). */
static struct k8s_pod *owned_pod(const char *kind, const char *name, const char *labels)
{
	char buf[1024], err[256];
	struct json_object *o;
	struct k8s_pod *p = NULL;

	snprintf(buf, sizeof(buf),
		 "{\"metadata\":{\"uid\":\"u1\",\"name\":\"p\",\"namespace\":\"ns\",\"labels\":%s,"
		 "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"%s\",\"name\":\"%s\","
		 "\"uid\":\"x\",\"controller\":true}]}}",
		 labels, kind, name);
	o = json_tokener_parse(buf);
	CHECK(o != NULL);
	CHECK_INT(k8s_pod__from_json(o, &p, err, sizeof(err)), 0);
	json_object_put(o);
	return p;
}

static void check_workload(const char *kind, const char *name, const char *labels,
			   const char *wkind, const char *wname)
{
	struct k8s_pod *p = owned_pod(kind, name, labels);

	if (!p)
		return;
	CHECK_STR(p->owner_kind, kind);
	CHECK_STR(p->owner_name, name);
	CHECK_STR(p->workload_kind, wkind);
	CHECK_STR(p->workload_name, wname);
	k8s_pod__free(p);
}

UNIT_TEST(workload_derivation)
{
	const char *hash = "{\"pod-template-hash\":\"5d9f8b7c6\"}";

	check_workload("ReplicaSet", "api-5d9f8b7c6", hash, "Deployment", "api");
	check_workload("ReplicaSet", "my-api-v2-5d9f8b7c6", hash, "Deployment", "my-api-v2");
	/* without the label, or when the name does not end in it, the ReplicaSet stands alone */
	check_workload("ReplicaSet", "api-5d9f8b7c6", "{}", "ReplicaSet", "api-5d9f8b7c6");
	check_workload("ReplicaSet", "api-abcdef", hash, "ReplicaSet", "api-abcdef");
	check_workload("ReplicaSet", "5d9f8b7c6", hash, "ReplicaSet", "5d9f8b7c6");
	check_workload("ReplicaSet", "-5d9f8b7c6", hash, "ReplicaSet", "-5d9f8b7c6");
	check_workload("ReplicaSet", "api5d9f8b7c6", hash, "ReplicaSet", "api5d9f8b7c6");
	check_workload("ReplicaSet", "api-5d9f8b7c6", "{\"pod-template-hash\":\"\"}", "ReplicaSet",
		       "api-5d9f8b7c6");
	/* CronJob's jobs: at least 8 digits after the last dash */
	check_workload("Job", "nightly-29395560", "{}", "CronJob", "nightly");
	check_workload("Job", "a-b-123456789012", "{}", "CronJob", "a-b");
	check_workload("Job", "migrate-1234567", "{}", "Job", "migrate-1234567");
	check_workload("Job", "29395560", "{}", "Job", "29395560");
	check_workload("Job", "-29395560", "{}", "Job", "-29395560");
	check_workload("Job", "migrate-v2", "{}", "Job", "migrate-v2");
	check_workload("DaemonSet", "fluent-bit", "{}", "DaemonSet", "fluent-bit");
	check_workload("StatefulSet", "db", "{}", "StatefulSet", "db");
	check_workload("Node", "worker-1", "{}", "Node", "worker-1");
	check_workload("VirtualMachineInstance", "vm-0", hash, "VirtualMachineInstance", "vm-0");
}

static struct k8s_pod *pod_from(const char *json)
{
	struct json_object *o = json_tokener_parse(json);
	struct k8s_pod *p = NULL;
	char err[256] = "";

	CHECK(o != NULL);
	if (k8s_pod__from_json(o, &p, err, sizeof(err)))
		printf("  %s\n", err);
	json_object_put(o);
	return p;
}

UNIT_TEST(owner_choice)
{
	/* no controller: the first; a controller anywhere wins; the first controller wins */
	struct k8s_pod *p = pod_from(
	    "{\"metadata\":{\"uid\":\"u\",\"name\":\"n\",\"namespace\":\"s\",\"ownerReferences\":"
	    "[{\"kind\":\"A\",\"name\":\"a\"},{\"kind\":\"B\",\"name\":\"b\",\"controller\":false}]"
	    "}}");

	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->owner_kind, "A");
		CHECK_STR(p->workload_name, "a");
		k8s_pod__free(p);
	}
	p = pod_from(
	    "{\"metadata\":{\"uid\":\"u\",\"name\":\"n\",\"namespace\":\"s\","
	    "\"ownerReferences\":[{\"kind\":\"A\",\"name\":\"a\"},{\"kind\":\"B\",\"name\":"
	    "\"b\",\"controller\":true},{\"kind\":\"C\",\"name\":\"c\",\"controller\":true}]}}");
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->owner_kind, "B");
		CHECK_STR(p->owner_name, "b");
		k8s_pod__free(p);
	}
	p = pod_from("{\"metadata\":{\"uid\":\"u\",\"name\":\"n\",\"namespace\":\"s\","
		     "\"ownerReferences\":[]}}");
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->owner_kind, "");
		CHECK_STR(p->workload_kind, "Pod");
		CHECK_STR(p->workload_name, "n");
		CHECK_STR(p->node, "");
		CHECK_STR(p->service_account, "");
		CHECK_INT(p->ncontainers, 0);
		CHECK(p->containers == NULL);
		CHECK_STR(p->json,
			  "\"name\":\"n\",\"namespace\":\"s\",\"labels\":{},"
			  "\"annotations\":{},\"workload\":{\"kind\":\"Pod\",\"name\":\"n\"},"
			  "\"service_account\":\"\",\"node\":\"\"");
		k8s_pod__free(p);
	}
}

static void check_split(const char *image, const char *repo, const char *tag, const char *digest)
{
	char r[128], t[128], d[128];

	k8s_image_split(image, r, t, d, sizeof(r));
	CHECK_STR(r, repo);
	CHECK_STR(t, tag);
	CHECK_STR(d, digest);
}

UNIT_TEST(image_split)
{
	check_split("nginx", "nginx", "", "");
	check_split("nginx:1.25", "nginx", "1.25", "");
	check_split("docker.io/library/nginx:1.25.3", "docker.io/library/nginx", "1.25.3", "");
	check_split("reg:5000/a/b:1.2", "reg:5000/a/b", "1.2", "");
	check_split("reg:5000/a/b", "reg:5000/a/b", "", "");
	check_split("localhost:5000/app", "localhost:5000/app", "", "");
	check_split("a@sha256:abc", "a", "", "sha256:abc");
	check_split("reg:5000/ns/app:1.2@sha256:ab", "reg:5000/ns/app", "1.2", "sha256:ab");
	check_split("reg:5000/ns/app@sha256:ab", "reg:5000/ns/app", "", "sha256:ab");
	check_split("[fd00::1]:5000/app:v1", "[fd00::1]:5000/app", "v1", "");
	/* garbage: whatever it is, split without reading past it */
	check_split("", "", "", "");
	check_split(":", "", "", "");
	check_split("@", "", "", "");
	check_split("a:", "a", "", "");
	check_split("::::", ":::", "", "");
	check_split("@@@", "", "", "@@");
	check_split("/:@:/", "/", "", ":/");
	check_split(NULL, "", "", "");
}

UNIT_TEST(image_split_truncates)
{
	char r[6], t[6], d[6];

	k8s_image_split("registry.example.com/app:version-1@sha256:0123", r, t, d, sizeof(r));
	CHECK_STR(r, "regis");
	CHECK_STR(t, "versi");
	CHECK_STR(d, "sha25");
	r[0] = 'x';
	k8s_image_split("nginx:1", r, t, d, 0); /* nothing written */
	CHECK(r[0] == 'x');
	k8s_image_split("nginx:1", r, t, d, 1);
	CHECK_STR(r, "");
	CHECK_STR(t, "");
}

UNIT_TEST(container_id_parse)
{
	char id[K8S_CONTAINER_ID_MAX], rt[16];

	CHECK_INT(k8s_container_id_parse("containerd://" WEB_NGINX_ID, id, rt, sizeof(rt)), 0);
	CHECK_STR(id, WEB_NGINX_ID);
	CHECK_STR(rt, "containerd");
	CHECK_INT(k8s_container_id_parse("cri-o://" BACKUP_ID, id, rt, sizeof(rt)), 0);
	CHECK_STR(rt, "cri-o");
	CHECK_INT(k8s_container_id_parse("docker://ABCDEF0123456789", id, rt, sizeof(rt)), 0);
	CHECK_STR(id, "abcdef0123456789");
	CHECK_STR(rt, "docker");
	/* the runtime name is cut to the buffer */
	CHECK_INT(k8s_container_id_parse("containerd://" WEB_NGINX_ID, id, rt, 5), 0);
	CHECK_STR(rt, "cont");
	CHECK_INT(k8s_container_id_parse("containerd://" WEB_NGINX_ID "0", id, rt, sizeof(rt)),
		  -EINVAL);
	CHECK_STR(id, "");
	CHECK_STR(rt, "");
	CHECK_INT(k8s_container_id_parse(WEB_NGINX_ID, id, rt, sizeof(rt)), -EINVAL);
	CHECK_INT(k8s_container_id_parse("://" WEB_NGINX_ID, id, rt, sizeof(rt)), -EINVAL);
	CHECK_INT(k8s_container_id_parse("containerd://", id, rt, sizeof(rt)), -EINVAL);
	CHECK_INT(k8s_container_id_parse("containerd://abc", id, rt, sizeof(rt)), -EINVAL);
	CHECK_INT(k8s_container_id_parse("containerd://0123456789xyz", id, rt, sizeof(rt)),
		  -EINVAL);
	CHECK_STR(id, "");
	CHECK_INT(k8s_container_id_parse("", id, rt, sizeof(rt)), -EINVAL);
	CHECK_INT(k8s_container_id_parse(NULL, id, rt, sizeof(rt)), -EINVAL);
}

int main(void)
{
	return unit_run();
}
