// SPDX-License-Identifier: Apache-2.0
/*
 * k8s_meta: vigil's own form (pods and containers outside pods), kubectl's List in YAML, the
 * API's PodList in JSON and a lone Pod load into the cache with every field; every mistake is
 * refused with the file and the field named, and a refused file loads nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define UNIT_MAIN
#include "unit.h"
#include "k8s_fixture.h"
#include "k8s_meta.h"
#include "pod_cache.h"

#define WEB1_UID     "3c9d1e7f-4a2b-4c6d-8e0f-1a3b5c7d9e2f"
#define BATCH_UID    "5e1f3a7c-9b2d-4e6f-8a0c-2d4f6b8e1a3c"
#define APP_ID	     "5cce673547edcf59a39b1e6aace267b43ec85a876dc0dda4fbd20b498870eb90"
#define PROXY_ID     "3e0c67af371979cdcf5d1789b9c0f6540d81cee170359f566f88dd70d64bbae5"
#define BATCH_ID     "3da3e1ec727e27cc962cf116d59ec0618528837fbf7c5c1050b1b2aea0f40d70"
#define DB_ID	     "86c100412e30ba54b4f5a5e4d316374487a2416447ae7e480384aaee2e222373"
#define CACHE_ID     "1a63c101c3ed150e5641c9996681cded3feff72396a4fed48dcaef04a5fa16fc"
#define REDIS_DIGEST "sha256:d090415baf9f28cdc0ee59d0ef99672e3c561d45cba1cdc5515db7e47e31c384"

static char err[1024];

static struct pod_cache_stats stats(const struct pod_cache *c)
{
	struct pod_cache_stats st;

	pod_cache__stats(c, &st);
	return st;
}

UNIT_TEST(vigil_form)
{
	struct pod_cache *c = pod_cache__new(64, 1 << 20);
	const struct k8s_container *ctr;
	const struct k8s_pod *p;

	CHECK_INT(k8s_meta__load(FIXTURES "meta-vigil.yaml", c, err, sizeof(err)), 4);
	CHECK_INT(stats(c).pods, 4);
	CHECK_INT(stats(c).containers, 5);

	p = pod_cache__pod(c, WEB1_UID);
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_STR(p->name, "web-1");
	CHECK_STR(p->namespace, "prod");
	CHECK_STR(p->node, "edge-7");
	CHECK_STR(p->service_account, "web");
	CHECK_STR(p->workload_kind, "Deployment");
	CHECK_STR(p->workload_name, "web");
	CHECK_STR(p->owner_kind, "");
	CHECK_STR(p->resource_version, "");
	CHECK_INT(p->static_meta, true);
	CHECK_INT(p->standalone, false);
	CHECK_INT(p->dropped, 0);
	CHECK_INT(p->nlabels, 2);
	CHECK_STR(p->labels[1].key, "tier");
	CHECK_STR(p->labels[1].value, "1");
	CHECK_INT(p->nannotations, 1);
	CHECK_INT(p->ncontainers, 2);
	CHECK_STR(p->json, "\"name\":\"web-1\",\"namespace\":\"prod\",\"labels\":{\"app\":\"web\","
			   "\"tier\":\"1\"},\"annotations\":{\"owner\":\"team-a\"},\"workload\":{"
			   "\"kind\":\"Deployment\",\"name\":\"web\"},\"service_account\":\"web\","
			   "\"node\":\"edge-7\"");
	CHECK(pod_cache__by_container(c, APP_ID, &ctr) == p);
	CHECK_STR(ctr->name, "app");
	CHECK_STR(ctr->runtime, "");
	CHECK_STR(ctr->json, "\"name\":\"app\",\"image\":\"nginx:1.25\",\"image_repository\":"
			     "\"nginx\",\"image_tag\":\"1.25\",\"image_digest\":\"\","
			     "\"privileged\":false,\"ephemeral\":false");
	/* upper-case hex with a runtime scheme */
	CHECK(pod_cache__by_container(c, PROXY_ID, &ctr) == p);
	CHECK_STR(ctr->id, PROXY_ID);
	CHECK_STR(ctr->runtime, "containerd");
	CHECK_STR(ctr->image_repo, "envoyproxy/envoy");
	CHECK_STR(ctr->image_tag, "v1.29.1");
	CHECK_INT(ctr->privileged, true);
	CHECK_INT(ctr->init || ctr->ephemeral, false);

	/* only uid and name given */
	p = pod_cache__by_container(c, BATCH_ID, &ctr);
	CHECK(p != NULL && p == pod_cache__pod(c, BATCH_UID));
	if (!p)
		goto out;
	CHECK_STR(p->json, "\"name\":\"batch\",\"namespace\":\"default\",\"labels\":{},"
			   "\"annotations\":{},\"workload\":{\"kind\":\"Pod\",\"name\":\"batch\"},"
			   "\"service_account\":\"\",\"node\":\"\"");
	CHECK_STR(ctr->json, "\"name\":\"\",\"image\":\"\",\"image_repository\":\"\","
			     "\"image_tag\":\"\",\"image_digest\":\"\",\"privileged\":false,\"ephemeral\":false");

	/* containers outside pods: a holder each, found by container id only */
	p = pod_cache__by_container(c, DB_ID, &ctr);
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_INT(p->standalone, true);
	CHECK_INT(p->static_meta, true);
	CHECK_STR(p->uid, "");
	CHECK_STR(p->json, "\"labels\":{\"com.docker.compose.project\":\"shop\","
			   "\"com.docker.compose.service\":\"db\"}");
	CHECK_STR(ctr->json, "\"name\":\"db\",\"image\":\"postgres:16\",\"image_repository\":"
			     "\"postgres\",\"image_tag\":\"16\",\"image_digest\":\"\","
			     "\"privileged\":false,\"ephemeral\":false");
	p = pod_cache__by_container(c, CACHE_ID, &ctr);
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_STR(p->json, "\"labels\":{}");
	CHECK_STR(ctr->image_digest, REDIS_DIGEST);
	CHECK_STR(ctr->image_tag, "");
	CHECK(pod_cache__pod(c, "") == NULL);

	/* a relist from the API does not remove what the file said */
	pod_cache__resync_begin(c);
	pod_cache__resync_end(c);
	CHECK_INT(stats(c).pods, 4);
out:
	pod_cache__free(c);
}

UNIT_TEST(kubectl_list_yaml)
{
	struct pod_cache *c = pod_cache__new(64, 1 << 20);
	const struct k8s_container *ctr;
	const struct k8s_pod *p;

	CHECK_INT(k8s_meta__load(FIXTURES "meta-list.yaml", c, err, sizeof(err)), 2);
	p = pod_cache__pod(c, BACKUP_UID);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->static_meta, true);
		CHECK_STR(p->workload_kind, "CronJob");
		CHECK_STR(p->resource_version, "48101233");
		CHECK(pod_cache__by_container(c, BACKUP_ID, &ctr) == p);
		CHECK_STR(ctr->runtime, "cri-o");
		CHECK_STR(ctr->image_digest, PGBACKUP_DIGEST);
	}
	p = pod_cache__pod(c, DB_UID);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->ncontainers, 3);
		/* a label value YAML would read as a number was quoted, so it is a string */
		CHECK_STR(p->labels[1].key, "apps.kubernetes.io/pod-index");
		CHECK_STR(p->labels[1].value, "0");
		CHECK(pod_cache__by_container(c, DB_DEBUGGER_ID, &ctr) == p);
		CHECK_INT(ctr->ephemeral, true);
		CHECK(pod_cache__by_container(c, DB_INIT_ID, &ctr) == p);
		CHECK_INT(ctr->privileged, true);
	}
	CHECK_INT(stats(c).containers, 4);
	pod_cache__free(c);
}

UNIT_TEST(api_podlist_json_and_lone_pod)
{
	struct pod_cache *c = pod_cache__new(64, 1 << 20);
	struct k8s_pod *direct = fixture_pod("pod-deployment.json");
	const struct k8s_pod *p;

	CHECK_INT(k8s_meta__load(FIXTURES "meta-podlist.json", c, err, sizeof(err)), 2);
	p = pod_cache__pod(c, WEB_UID);
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->json, direct->json);
		CHECK_INT(p->static_meta, true);
		CHECK_INT(p->bytes, direct->bytes);
	}
	CHECK(pod_cache__by_container(c, BARE_SHELL_ID, NULL) == pod_cache__pod(c, BARE_UID));
	pod_cache__free(c);

	c = pod_cache__new(64, 1 << 20);
	CHECK_INT(k8s_meta__load(FIXTURES "pod-statefulset-debug.json", c, err, sizeof(err)), 1);
	CHECK(pod_cache__by_container(c, DB_POSTGRES_ID, NULL) == pod_cache__pod(c, DB_UID));
	pod_cache__free(c);
	k8s_pod__free(direct);
}

static char path[64];

/* Write text to a temporary file, load it into a fresh cache; the cache's pod count after. */
static int load_text(const char *text, int *npods)
{
	struct pod_cache *c = pod_cache__new(8, 1 << 20);
	int fd, ret;

	strcpy(path, "/tmp/vigil-meta-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, strlen(text)), strlen(text));
	close(fd);
	err[0] = '\0';
	ret = k8s_meta__load(path, c, err, sizeof(err));
	*npods = stats(c).pods;
	unlink(path);
	pod_cache__free(c);
	return ret;
}

/* The file is refused with "PATH: msg" and nothing is loaded. */
static void check_refused(const char *text, int want, const char *msg)
{
	char full[1024];
	int n = -1;

	CHECK_INT(load_text(text, &n), want);
	CHECK_INT(n, 0);
	snprintf(full, sizeof(full), "%s: %s", path, msg);
	CHECK_STR(err, full);
}

#define HEX64  "5cce673547edcf59a39b1e6aace267b43ec85a876dc0dda4fbd20b498870eb90"
#define HEX64B "3da3e1ec727e27cc962cf116d59ec0618528837fbf7c5c1050b1b2aea0f40d70"
#define POD0   "pods:\n  - {uid: u0, name: a, containers: [{id: " HEX64 "}]}\n"

UNIT_TEST(vigil_form_mistakes_name_the_field)
{
	check_refused(POD0 "  - uid: u1\n    name: b\n    containers:\n      - id: " HEX64B "\n"
			   "      - id: 12345678abcdefgh\n",
		      -EINVAL, "pods[1].containers[1].id: not hex");
	check_refused("pods:\n  - {uid: u0, name: a, containers: [{id: abc}]}\n", -EINVAL,
		      "pods[0].containers[0].id: not 12 to 64 hex digits");
	check_refused("pods:\n  - {uid: u0, name: a, containers: [{id: \"docker://\"}]}\n", -EINVAL,
		      "pods[0].containers[0].id: not 12 to 64 hex digits");
	check_refused("pods:\n  - {uid: u0, name: a, containers: [{name: x}]}\n", -EINVAL,
		      "pods[0].containers[0].id: missing");
	check_refused("pods:\n  - {name: a}\n", -EINVAL, "pods[0].uid: missing");
	check_refused("pods:\n  - {uid: u0}\n", -EINVAL, "pods[0].name: missing");
	check_refused("pods:\n  - {uid: u0, name: a, colour: red}\n", -EINVAL,
		      "pods[0].colour: unknown field");
	check_refused("podz: []\n", -EINVAL, "podz: unknown field");
	check_refused("pods: {}\n", -EINVAL, "pods: not an array");
	check_refused("pods: [3]\n", -EINVAL, "pods[0]: not a mapping");
	check_refused("pods:\n  - {uid: u0, name: a, labels: {tier: 1}}\n", -EINVAL,
		      "pods[0].labels.tier: not a string");
	check_refused("pods:\n  - {uid: u0, name: a, labels: [a]}\n", -EINVAL,
		      "pods[0].labels: not an object");
	check_refused("pods:\n  - {uid: u0, name: a, workload: {kind: Deployment}}\n", -EINVAL,
		      "pods[0].workload.name: missing");
	check_refused("pods:\n  - {uid: u0, name: a, workload: {kind: D, name: w, x: 1}}\n",
		      -EINVAL, "pods[0].workload.x: unknown field");
	check_refused("pods:\n  - {uid: u0, name: a, containers: [{id: " HEX64 ", labels: {}}]}\n",
		      -EINVAL, "pods[0].containers[0].labels: only for containers outside pods");
	check_refused("pods:\n  - {uid: u0, name: a, containers: [{id: " HEX64
		      ", privileged: yes}]}\n",
		      -EINVAL, "pods[0].containers[0].privileged: not a boolean");
	check_refused("pods:\n  - {uid: 0d1f6c2a-8b4e-4c1f-9d2a-3e5f7a9b1c0dX, name: a}\n", -EINVAL,
		      "pods[0].uid: too long");
	check_refused("containers:\n  - {name: db}\n", -EINVAL, "containers[0].id: missing");
	check_refused("containers:\n  - {id: " HEX64 ", labels: {a: [1]}}\n", -EINVAL,
		      "containers[0].labels.a: not a string");
	check_refused("containers:\n  - {id: " HEX64 ", pod: x}\n", -EINVAL,
		      "containers[0].pod: unknown field");
	check_refused("- a\n- b\n", -EINVAL, "top level: not a mapping");
}

UNIT_TEST(duplicates_and_capacity)
{
	char big[4096];
	size_t len = 0;
	int n;

	check_refused(POD0 "  - {uid: u0, name: b}\n", -EINVAL, "uid u0: appears twice");
	check_refused(POD0 "containers:\n  - {id: " HEX64 "}\n", -EINVAL,
		      "container id " HEX64 ": appears twice");
	/* the same id written two ways is the same id */
	check_refused(POD0
		      "  - {uid: u1, name: b, containers: [{id: \"cri-o://"
		      "5CCE673547EDCF59A39B1E6AACE267B43EC85A876DC0DDA4FBD20B498870EB90\"}]}\n",
		      -EINVAL, "container id " HEX64 ": appears twice");
	/* the test cache holds 8 pods */
	len += snprintf(big + len, sizeof(big) - len, "pods:\n");
	for (int i = 0; i < 9; i++)
		len += snprintf(big + len, sizeof(big) - len, "  - {uid: u%d, name: p}\n", i);
	CHECK_INT(load_text(big, &n), -E2BIG);
	CHECK_INT(n, 0);
	CHECK(strstr(err, ": 9 pods and containers (") != NULL);
	CHECK(strstr(err, "bytes) do not fit the pod cache (8 pods, 1048576 bytes)") != NULL);
}

UNIT_TEST(kubernetes_shapes_mistakes)
{
	check_refused("kind: Deployment\nmetadata: {name: x}\n", -EINVAL,
		      "kind: not a Pod, PodList or List");
	check_refused("kind: 7\n", -EINVAL, "kind: not a string");
	check_refused("kind: Pod\nmetadata: {name: x, namespace: y}\n", -EINVAL,
		      "metadata.uid: missing");
	check_refused("kind: List\nitems:\n  - {kind: Pod, metadata: {uid: a, name: b, namespace: "
		      "c}}\n  - {kind: Service, metadata: {uid: d, name: e, namespace: f}}\n",
		      -EINVAL, "items[1].kind: not a Pod");
	check_refused("kind: PodList\nitems:\n  - metadata: {name: b, namespace: c}\n", -EINVAL,
		      "items[0].metadata.uid: missing");
	check_refused("kind: PodList\nitems:\n  - metadata: {uid: a, name: b, namespace: c}\n"
		      "    spec: {containers: [{name: x, securityContext: {privileged: 1}}]}\n",
		      -EINVAL,
		      "items[0].spec.containers[0].securityContext.privileged: not a boolean");
	check_refused("kind: List\nitems: {}\n", -EINVAL, "items: not an array");
	check_refused("kind: List\nitems: [\"x\"]\n", -EINVAL, "items[0]: not a mapping");
}

UNIT_TEST(syntax_and_io_errors)
{
	char want[256];
	int n;

	CHECK_INT(load_text("pods:\n  - {uid: u0, name: a\n", &n), -EINVAL);
	snprintf(want, sizeof(want), "%s:3:1: ", path);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK_INT(load_text("pods:\n  - &p {uid: u0, name: a}\n  - *p\n", &n), -EINVAL);
	snprintf(want, sizeof(want), "%s:2:5: anchors are not allowed", path);
	CHECK_STR(err, want);
	CHECK_INT(n, 0);
	CHECK_INT(k8s_meta__load("/nonexistent/meta.yaml", NULL, err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "/nonexistent/meta.yaml: cannot open: No such file or directory");
}

UNIT_TEST(empty_files_load_nothing)
{
	int n = -1;

	CHECK_INT(load_text("", &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(load_text("# nothing yet\n", &n), 0);
	CHECK_INT(load_text("pods: []\ncontainers: []\n", &n), 0);
	CHECK_INT(load_text("{}\n", &n), 0);
}

UNIT_TEST(all_or_nothing_over_an_existing_cache)
{
	struct pod_cache *c = pod_cache__new(64, 1 << 20);
	uint64_t gen;
	int fd;

	CHECK_INT(k8s_meta__load(FIXTURES "meta-vigil.yaml", c, err, sizeof(err)), 4);
	gen = pod_cache__gen(c);
	strcpy(path, "/tmp/vigil-meta-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, POD0 "  - {uid: u1}\n", strlen(POD0) + 14), strlen(POD0) + 14);
	close(fd);
	CHECK_INT(k8s_meta__load(path, c, err, sizeof(err)), -EINVAL);
	unlink(path);
	CHECK_INT(pod_cache__gen(c), gen);
	CHECK_INT(stats(c).pods, 4);
	CHECK(pod_cache__pod(c, "u0") == NULL);
	pod_cache__free(c);
}

int main(void)
{
	return unit_run();
}
