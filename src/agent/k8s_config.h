/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the Kubernetes API is and how to authenticate, found the way client-go does:
 *  1. --kubeconfig PATH, else $KUBECONFIG (first file of a ':' list);
 *  2. in cluster: $KUBERNETES_SERVICE_HOST and $KUBERNETES_SERVICE_PORT with the service
 *     account token and CA under /var/run/secrets/kubernetes.io/serviceaccount;
 *  3. none: vigil runs without Kubernetes enrichment (said once, at info level).
 * An explicit --kubeconfig wins over the in-cluster environment; $KUBECONFIG does not (a pod
 * that sets it by accident still uses its service account).
 */
#ifndef VIGIL_K8S_CONFIG_H
#define VIGIL_K8S_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define K8S_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

enum k8s_source { K8S_NONE = 0, K8S_KUBECONFIG, K8S_IN_CLUSTER };

struct k8s_config {
	enum k8s_source source;
	char server[1024];	/* "https://10.0.0.1:443", no trailing slash */
	char origin[4200];	/* for messages: "kubeconfig /root/.kube/config context ci" */
	/* Authentication; each *_file is re-read when its mtime changes (token rotation). */
	char token_file[4096];	/* bearer token from a file ("" if none) */
	char *token;		/* inline bearer token (kubeconfig `token`), NULL if none */
	char ca_file[4096];	/* CA bundle path, "" if none */
	char *ca_data;		/* PEM, decoded from certificate-authority-data; NULL if none */
	char cert_file[4096], key_file[4096];
	char *cert_data, *key_data; /* PEM, decoded from client-*-data */
	bool insecure;		/* insecure-skip-tls-verify: allowed, warned about */
	char node[256];		/* $NODE_NAME, else the host name */
};

/*
 * Discover. `kubeconfig` is the --kubeconfig value or NULL; `sa_dir` is K8S_SA_DIR (tests
 * pass another). Returns 0 with source set (K8S_NONE when nothing is configured), or a
 * negative errno with the reason in err ("kubeconfig /x: users[0].user.tokenFile: cannot
 * read: ..."), which the caller logs before running without enrichment.
 */
int k8s_config__discover(struct k8s_config *kc, const char *kubeconfig, const char *sa_dir,
			 char *err, size_t errsz);
void k8s_config__free(struct k8s_config *kc);

#endif /* VIGIL_K8S_CONFIG_H */
