/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pod fixtures for the k8s unit tests: `kubectl get pod -o json` output kept under
 * tests/unit/fixtures/k8s/ (tests run from the repository root), and the ids in them.
 */
#ifndef VIGIL_K8S_FIXTURE_H
#define VIGIL_K8S_FIXTURE_H

#include <stdlib.h>

#include <json-c/json.h>

#include "k8s_pod.h"

#define FIXTURES "tests/unit/fixtures/k8s/"

/* tests/unit/fixtures/k8s/pod-deployment.json */
#define WEB_UID		"0d1f6c2a-8b4e-4c1f-9d2a-3e5f7a9b1c0d"
#define WEB_NGINX_ID	"c842e7e9efb61e3cc052505d39c50d0e0ae82d6b04405ac03322df3549cdf6e0"
#define WEB_EXPORTER_ID "21d9b27a75187f7de5a1493637730b558d96cb4f3c5dbc1e6ddaa2678dde9ef9"
#define NGINX_DIGEST	"sha256:bde0ba04b964a251c997880114992618b221b3b5e0e6255b0ac3ef53dc8b8c5a"
#define EXPORTER_DIGEST "sha256:8921245303255bd7e538b81a5781ad09168b7c0125515abd13079632d7838a34"
/* pod-cronjob.json */
#define BACKUP_UID	"7b3e9f1a-2c4d-4e8f-a6b1-9d0c2e4f6a8b"
#define BACKUP_ID	"54d00d867758cef816bc4685f58e327b949712b07ebd17c3485f3ffc9e9f5133"
#define PGBACKUP_DIGEST "sha256:41f9b09c7acdfaddc5ccfc87f46e8db07e7d419470abb9c5d4e2adbcf009af1e"
/* pod-statefulset-debug.json */
#define DB_UID		"2e8a4c6f-0b1d-4f3a-8c5e-7d9f1b3a5c7e"
#define DB_POSTGRES_ID	"8afd82ab54277fdf5ee452fd7cd1dd888278aad5cabff20ac0fc88e8d783a1b0"
#define DB_DEBUGGER_ID	"e8ea376f8fc28cd3af20341408c0b08c99e7d0032d8bed20720d770e1e449949"
#define DB_INIT_ID	"6c77a388f54d7b3d954a5f5a2d849bf1664f5d1f5cd4dcc4fc3e9ec847d9c37c"
#define POSTGRES_DIGEST "sha256:595623ed9fa3de33437b86f7400c8771b6810bec5f53fbebb1ab1f73c678d4ea"
#define BUSYBOX_DIGEST	"sha256:4cc39c0acfe1a212d67c3cc02441dc3ad22a94c11f5951979db647990f8c2e52"
/* pod-bare.json */
#define BARE_UID      "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
#define BARE_SHELL_ID "94f8a5c8de071245aa707e303b8f628129417c592bf44d9142f80fa8579e2aed"
#define ALPINE_DIGEST "sha256:2303849751b05576bf72147717878dc10110fed4c4c1f43a870dfabfe3d83ee3"
/* pod-huge.json */
#define HUGE_UID "6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2918"

/* The fixture as a json-c tree (aborts if it cannot be read: the test cannot run). */
static inline struct json_object *fixture(const char *name)
{
	char path[256];
	struct json_object *o;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	o = json_object_from_file(path);
	if (!o) {
		printf("cannot read %s (run from the repository root)\n", path);
		abort();
	}
	return o;
}

/* The fixture as a pod (aborts if it does not parse). */
static inline struct k8s_pod *fixture_pod(const char *name)
{
	struct json_object *o = fixture(name);
	struct k8s_pod *p = NULL;
	char err[256];

	if (k8s_pod__from_json(o, &p, err, sizeof(err))) {
		printf("%s: %s\n", name, err);
		abort();
	}
	json_object_put(o);
	return p;
}

#endif /* VIGIL_K8S_FIXTURE_H */
