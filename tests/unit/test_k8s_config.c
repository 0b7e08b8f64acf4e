// SPDX-License-Identifier: Apache-2.0
/* API server discovery: kubeconfig variants, in-cluster, precedence, node name. */
#define UNIT_MAIN
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "k8s_config.h"

static char tmp[256];

/* A fresh temp dir and a clean environment for each case. */
static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/vigil-k8scfg-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("KUBECONFIG");
	setenv("NODE_NAME", "node-a", 1);
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		printf("  cannot remove %s\n", tmp);
}

/* Write tmp/rel, creating its directories; returns the full path. */
static const char *put(const char *rel, const char *text)
{
	static char path[4][512];
	static int slot;
	char *p = path[slot++ % 4], *slash;
	FILE *f;

	snprintf(p, 512, "%s/%s", tmp, rel);
	for (slash = strchr(p + strlen(tmp) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(p, 0700);
		*slash = '/';
	}
	f = fopen(p, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return p;
}

/* A kubeconfig with one context "c" -> cluster "k" and user "u"; the given YAML bodies are
 * indented under `cluster:` and `user:`. */
static const char *kubeconfig(const char *cluster, const char *user)
{
	static char text[4096];

	snprintf(text, sizeof(text),
		 "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
		 "contexts:\n- name: other\n  context: {cluster: k, user: nobody}\n"
		 "- name: c\n  context:\n    cluster: k\n    user: u\n"
		 "clusters:\n- name: k\n  cluster:\n%s"
		 "users:\n- name: u\n  user:\n%s",
		 cluster, user);
	return put("kube/config", text);
}

#define SERVER "    server: https://127.0.0.1:6443/\n"
#define CA_B64 "    certificate-authority-data: LS0tLS1CRUdJTiBDQS0tLS0tCg==\n" /* -----BEGIN CA-----\n */

static int discover(struct k8s_config *kc, const char *path, char *err)
{
	return k8s_config__discover(kc, path, tmp, err, 512);
}

UNIT_TEST(kubeconfig_token_and_ca_data)
{
	struct k8s_config kc;
	char err[512];
	const char *p;

	setup();
	p = kubeconfig(SERVER CA_B64, "    token: abc.def\n");
	CHECK_INT(discover(&kc, p, err), 0);
	CHECK_INT(kc.source, K8S_KUBECONFIG);
	CHECK_STR(kc.server, "https://127.0.0.1:6443");
	CHECK_STR(kc.token, "abc.def");
	CHECK_STR(kc.ca_data, "-----BEGIN CA-----\n");
	CHECK_STR(kc.token_file, "");
	CHECK(!kc.insecure);
	CHECK(strstr(kc.origin, p) && strstr(kc.origin, "context c"));
	CHECK_STR(kc.node, "node-a");
	k8s_config__free(&kc);
	CHECK(kc.token == NULL && kc.ca_data == NULL);
	teardown();
}

UNIT_TEST(kubeconfig_relative_paths_are_relative_to_its_directory)
{
	struct k8s_config kc;
	char err[512], want[600], cwd[512];
	const char *p;

	setup();
	put("kube/tokens/t", "tok\n");
	put("kube/pki/ca.pem", "CA");
	put("kube/pki/c.pem", "CERT");
	put("kube/pki/c.key", "KEY");
	p = kubeconfig(SERVER "    certificate-authority: pki/ca.pem\n",
		       "    tokenFile: tokens/t\n    client-certificate: pki/c.pem\n"
		       "    client-key: pki/c.key\n");
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_INT(chdir("/"), 0); /* the working directory must not matter */
	CHECK_INT(discover(&kc, p, err), 0);
	snprintf(want, sizeof(want), "%s/kube/tokens/t", tmp);
	CHECK_STR(kc.token_file, want);
	snprintf(want, sizeof(want), "%s/kube/pki/ca.pem", tmp);
	CHECK_STR(kc.ca_file, want);
	snprintf(want, sizeof(want), "%s/kube/pki/c.pem", tmp);
	CHECK_STR(kc.cert_file, want);
	snprintf(want, sizeof(want), "%s/kube/pki/c.key", tmp);
	CHECK_STR(kc.key_file, want);
	CHECK(kc.token == NULL && kc.cert_data == NULL && kc.key_data == NULL);
	k8s_config__free(&kc);
	CHECK_INT(chdir(cwd), 0);
	teardown();
}

UNIT_TEST(kubeconfig_relative_path_of_the_kubeconfig_itself)
{
	struct k8s_config kc;
	char err[512], want[600], cwd[512];

	setup();
	put("kube/t", "tok");
	kubeconfig(SERVER, "    tokenFile: t\n");
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK_INT(chdir(tmp), 0);
	CHECK_INT(discover(&kc, "kube/config", err), 0);
	snprintf(want, sizeof(want), "%s/kube/t", tmp);
	CHECK_STR(kc.token_file, want);
	k8s_config__free(&kc);
	CHECK_INT(chdir(cwd), 0);
	teardown();
}

UNIT_TEST(kubeconfig_client_cert_data)
{
	struct k8s_config kc;
	char err[512];
	const char *p;

	setup();
	/* "CERT\n" and "KEY\n"; the -data form wins over a path given as well */
	p = kubeconfig(SERVER, "    client-certificate-data: Q0VSVAo=\n"
			       "    client-certificate: /nonexistent\n"
			       "    client-key-data: |\n      S0VZ\n      Cg==\n");
	CHECK_INT(discover(&kc, p, err), 0);
	CHECK_STR(kc.cert_data, "CERT\n");
	CHECK_STR(kc.key_data, "KEY\n");
	CHECK_STR(kc.cert_file, "");
	k8s_config__free(&kc);
	teardown();
}

UNIT_TEST(kubeconfig_token_wins_over_token_file)
{
	struct k8s_config kc;
	char err[512];
	const char *p;

	setup();
	p = kubeconfig(SERVER, "    token: inline\n    tokenFile: /nonexistent\n");
	CHECK_INT(discover(&kc, p, err), 0);
	CHECK_STR(kc.token, "inline");
	CHECK_STR(kc.token_file, "");
	k8s_config__free(&kc);
	teardown();
}

UNIT_TEST(kubeconfig_insecure)
{
	struct k8s_config kc;
	char err[512];
	const char *p;

	setup();
	p = kubeconfig(SERVER "    insecure-skip-tls-verify: true\n", "    token: t\n");
	CHECK_INT(discover(&kc, p, err), 0);
	CHECK(kc.insecure);
	k8s_config__free(&kc);
	p = kubeconfig(SERVER CA_B64 "    insecure-skip-tls-verify: true\n", "    token: t\n");
	CHECK_INT(discover(&kc, p, err), -EINVAL);
	CHECK(strstr(err, "clusters[0].cluster: insecure-skip-tls-verify") != NULL);
	p = kubeconfig(SERVER "    insecure-skip-tls-verify: \"yes\"\n", "    token: t\n");
	CHECK_INT(discover(&kc, p, err), -EINVAL);
	CHECK(strstr(err, "insecure-skip-tls-verify: not a boolean") != NULL);
	teardown();
}

UNIT_TEST(kubeconfig_anonymous_user)
{
	struct k8s_config kc;
	char err[512];
	const char *p;

	setup();
	p = put("kc", "current-context: c\ncontexts: [{name: c, context: {cluster: k}}]\n"
		      "clusters: [{name: k, cluster: {server: 'http://h:8080'}}]\n");
	CHECK_INT(discover(&kc, p, err), 0);
	CHECK_STR(kc.server, "http://h:8080");
	CHECK(!kc.token && !kc.token_file[0] && !kc.cert_file[0] && !kc.cert_data);
	k8s_config__free(&kc);
	teardown();
}

UNIT_TEST(kubeconfig_json_is_yaml)
{
	struct k8s_config kc;
	char err[512];
	const char *p;

	setup();
	p = put("kc.json", "{\"current-context\":\"c\",\"contexts\":[{\"name\":\"c\",\"context\":"
			   "{\"cluster\":\"k\",\"user\":\"u\"}}],\"clusters\":[{\"name\":\"k\","
			   "\"cluster\":{\"server\":\"https://x\"}}],\"users\":[{\"name\":\"u\","
			   "\"user\":{\"token\":\"j\"}}]}");
	CHECK_INT(discover(&kc, p, err), 0);
	CHECK_STR(kc.token, "j");
	k8s_config__free(&kc);
	teardown();
}

/* Every error names the file and the field. */
static void expect_error(const char *cluster, const char *user, int rc, const char *field)
{
	struct k8s_config kc;
	char err[512];
	const char *p = kubeconfig(cluster, user);

	CHECK_INT(discover(&kc, p, err), rc);
	if (!strstr(err, p) || !strstr(err, field))
		printf("  error \"%s\" does not name %s and %s\n", err, p, field);
	CHECK(strstr(err, p) != NULL);
	CHECK(strstr(err, field) != NULL);
	CHECK_INT(kc.source, K8S_NONE);
	CHECK(kc.token == NULL);
}

UNIT_TEST(kubeconfig_errors_name_the_field)
{
	setup();
	expect_error(SERVER, "    exec:\n      command: aws\n", -ENOTSUP, "users[0].user.exec: exec");
	expect_error(SERVER, "    auth-provider: {name: gcp}\n", -ENOTSUP,
		     "users[0].user.auth-provider");
	expect_error(SERVER, "    username: a\n    password: b\n", -ENOTSUP, "basic auth");
	expect_error(SERVER, "    token: t\n    as: admin\n", -ENOTSUP, "users[0].user.as:");
	expect_error("    server: ftp://x\n", "    token: t\n", -EINVAL,
		     "clusters[0].cluster.server: \"ftp://x\"");
	expect_error("    insecure-skip-tls-verify: true\n", "    token: t\n", -EINVAL,
		     "clusters[0].cluster.server: missing");
	expect_error(SERVER "    certificate-authority-data: '!!notbase64'\n", "    token: t\n",
		     -EINVAL, "clusters[0].cluster.certificate-authority-data: not base64");
	expect_error(SERVER "    certificate-authority: missing.pem\n", "    token: t\n", -ENOENT,
		     "clusters[0].cluster.certificate-authority: cannot read");
	expect_error(SERVER, "    tokenFile: /nonexistent/token\n", -ENOENT,
		     "users[0].user.tokenFile: cannot read /nonexistent/token");
	expect_error(SERVER, "    tokenFile: .\n", -EINVAL, "is not a regular file");
	expect_error(SERVER, "    client-certificate-data: Q0VSVAo=\n", -EINVAL,
		     "users[0].user.client-key: missing");
	expect_error(SERVER, "    client-key-data: Q0VSVAo=\n", -EINVAL,
		     "users[0].user.client-certificate: missing");
	expect_error(SERVER, "    token: 12345\n", -EINVAL, "users[0].user.token: not a string");
	expect_error(SERVER "    tls-server-name: x\n", "    token: t\n", -ENOTSUP,
		     "clusters[0].cluster.tls-server-name");
	teardown();
}

UNIT_TEST(kubeconfig_structure_errors)
{
	struct k8s_config kc;
	char err[512];
	const char *p;

	setup();
	p = put("a", "contexts: []\n");
	CHECK_INT(discover(&kc, p, err), -EINVAL);
	CHECK(strstr(err, "current-context: missing") && strstr(err, p));
	p = put("b", "current-context: x\ncontexts: [{name: y, context: {cluster: k}}]\n");
	CHECK_INT(discover(&kc, p, err), -ENOENT);
	CHECK(strstr(err, "current-context: no context named \"x\"") != NULL);
	p = put("c", "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: bob}}]\n"
		     "clusters: [{name: k, cluster: {server: 'https://h'}}]\n"
		     "users: [{name: alice, user: {token: t}}]\n");
	CHECK_INT(discover(&kc, p, err), -ENOENT);
	CHECK(strstr(err, "contexts[0].context.user: no user named \"bob\" in users") != NULL);
	p = put("d", "current-context: c\ncontexts: [{name: c, context: {cluster: z}}]\n");
	CHECK_INT(discover(&kc, p, err), -ENOENT);
	CHECK(strstr(err, "contexts[0].context.cluster: no cluster named \"z\"") != NULL);
	p = put("e", "- just\n- a list\n");
	CHECK_INT(discover(&kc, p, err), -EINVAL);
	CHECK(strstr(err, "not a mapping") != NULL);
	p = put("f", "current-context: c\ncontexts: {c: 1}\n");
	CHECK_INT(discover(&kc, p, err), -EINVAL);
	CHECK(strstr(err, "contexts: not a list") != NULL);
	teardown();
}

UNIT_TEST(kubeconfig_unreadable)
{
	struct k8s_config kc;
	char err[512], path[300];

	setup();
	snprintf(path, sizeof(path), "%s/nope", tmp);
	CHECK(discover(&kc, path, err) < 0);
	CHECK(strstr(err, path) != NULL);
	CHECK_INT(kc.source, K8S_NONE);
	put("bad", "current-context: [unclosed\n");
	snprintf(path, sizeof(path), "%s/bad", tmp);
	CHECK_INT(discover(&kc, path, err), -EINVAL);
	CHECK(strstr(err, path) != NULL);
	teardown();
}

static void service_account(void)
{
	put("sa/token", "satoken\n");
	put("sa/ca.crt", "CA");
}

static int in_cluster(struct k8s_config *kc, const char *host, const char *port, char *err)
{
	char sa[300];

	snprintf(sa, sizeof(sa), "%s/sa", tmp);
	setenv("KUBERNETES_SERVICE_HOST", host, 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
	return k8s_config__discover(kc, NULL, sa, err, 512);
}

UNIT_TEST(in_cluster_ipv4_and_ipv6)
{
	struct k8s_config kc;
	char err[512], want[600];

	setup();
	service_account();
	CHECK_INT(in_cluster(&kc, "10.96.0.1", "443", err), 0);
	CHECK_INT(kc.source, K8S_IN_CLUSTER);
	CHECK_STR(kc.server, "https://10.96.0.1:443");
	snprintf(want, sizeof(want), "%s/sa/token", tmp);
	CHECK_STR(kc.token_file, want);
	snprintf(want, sizeof(want), "%s/sa/ca.crt", tmp);
	CHECK_STR(kc.ca_file, want);
	CHECK(strstr(kc.origin, "in-cluster") != NULL);
	k8s_config__free(&kc);
	CHECK_INT(in_cluster(&kc, "fd00:10:96::1", "6443", err), 0);
	CHECK_STR(kc.server, "https://[fd00:10:96::1]:6443");
	k8s_config__free(&kc);
	CHECK_INT(in_cluster(&kc, "[fd00::1]", "443", err), 0);
	CHECK_STR(kc.server, "https://[fd00::1]:443");
	k8s_config__free(&kc);
	teardown();
}

UNIT_TEST(in_cluster_errors)
{
	struct k8s_config kc;
	char err[512];

	setup();
	CHECK_INT(in_cluster(&kc, "10.96.0.1", "443", err), -ENOENT);
	CHECK(strstr(err, "/sa/token") && strstr(err, "cannot read"));
	put("sa/token", "t");
	CHECK_INT(in_cluster(&kc, "10.96.0.1", "443", err), -ENOENT);
	CHECK(strstr(err, "/sa/ca.crt") != NULL);
	put("sa/ca.crt", "CA");
	CHECK_INT(in_cluster(&kc, "10.96.0.1", "https", err), -EINVAL);
	CHECK(strstr(err, "KUBERNETES_SERVICE_PORT") != NULL);
	CHECK_INT(in_cluster(&kc, "10.96.0.1", "70000", err), -EINVAL);
	teardown();
}

UNIT_TEST(precedence)
{
	struct k8s_config kc;
	char err[512], list[1200];
	const char *p;

	setup();
	service_account();
	p = kubeconfig(SERVER, "    token: t\n");
	/* nothing configured */
	CHECK_INT(discover(&kc, NULL, err), 0);
	CHECK_INT(kc.source, K8S_NONE);
	CHECK(kc.origin[0] != 0);
	/* $KUBECONFIG, first file of the list */
	snprintf(list, sizeof(list), ":%s:/nonexistent", p);
	setenv("KUBECONFIG", list, 1);
	CHECK_INT(discover(&kc, NULL, err), 0);
	CHECK_INT(kc.source, K8S_KUBECONFIG);
	CHECK(strstr(kc.origin, "$KUBECONFIG") != NULL);
	k8s_config__free(&kc);
	/* in-cluster wins over $KUBECONFIG */
	CHECK_INT(in_cluster(&kc, "10.0.0.1", "443", err), 0);
	CHECK_INT(kc.source, K8S_IN_CLUSTER);
	k8s_config__free(&kc);
	/* an explicit kubeconfig wins over both */
	CHECK_INT(discover(&kc, p, err), 0);
	CHECK_INT(kc.source, K8S_KUBECONFIG);
	CHECK_STR(kc.server, "https://127.0.0.1:6443");
	k8s_config__free(&kc);
	/* only one of HOST/PORT is not in-cluster */
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("KUBECONFIG");
	CHECK_INT(discover(&kc, NULL, err), 0);
	CHECK_INT(kc.source, K8S_NONE);
	teardown();
}

UNIT_TEST(node_name)
{
	struct k8s_config kc;
	char err[512], host[256], lower[256], big[300];
	size_t i;

	setup();
	CHECK_INT(discover(&kc, NULL, err), 0);
	CHECK_STR(kc.node, "node-a");
	unsetenv("NODE_NAME");
	CHECK_INT(discover(&kc, NULL, err), 0);
	CHECK_INT(gethostname(host, sizeof(host)), 0);
	for (i = 0; host[i]; i++)
		lower[i] = (char)tolower((unsigned char)host[i]);
	lower[i] = 0;
	CHECK_STR(kc.node, lower);
	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	setenv("NODE_NAME", big, 1);
	CHECK_INT(discover(&kc, NULL, err), -ENAMETOOLONG);
	CHECK(strstr(err, "NODE_NAME") != NULL);
	teardown();
}

int main(void)
{
	return unit_run();
}
